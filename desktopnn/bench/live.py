"""``desktopnn bench live``: the live tab on the demo source, measured from capture to pixels on screen.

The real tab runs in an offscreen window at 1920×1080 in the real event loop; a frame counts as drawn
when Qt has finished painting its mosaic, and its latency runs from the moment the demo "camera"
captured it to then.

- **capped** rows: the demo source sends 30 frames per second at the inference size, as a webcam does.
- **uncapped** rows (``--uncapped``): the demo source paints a new frame as soon as the last one is
  taken, so it always offers more than the view can take; frames per second is then the view's ceiling.
- **real networks** (issue 15): AlexNet, VGG-16, ResNet-18 and MobileNetV3-Small at 224×224 and
  320×240, uncapped; with trained weights when they are in the cache, else with random weights (the
  same arithmetic, so the same speed), which the row says.

Each row: frames drawn per second, latency p50/p95, the p50 of every stage (``resize_ms``,
``network_ms``, ``classify_ms``, ``mosaic_ms`` in the worker; ``to_pixels_ms``, ``paint_ms`` on the UI
thread) and resident memory at the start and end of the measured part (and, in runs of a minute or more, at the
end of every minute: ``rss_by_minute_mb``). ``DESKTOPNN_BENCH_LIVE_SECONDS``
sets the seconds per row (default 10; 600 for the ten-minute memory check).
"""

from __future__ import annotations

import os
import time

CAPPED = [("notes_cnn", "conv1", (320, 240)), ("notes_cnn", "conv1", (640, 480)),
          ("notes_cnn", "conv2", (640, 480)), ("notes_cnn", "conv3", (640, 480)),
          ("kernels", "kernels", (320, 240)), ("kernels", "kernels", (640, 480))]
UNCAPPED = [("notes_cnn", "conv1", (320, 240)), ("notes_cnn", "conv1", (640, 480)),
            ("notes_cnn", "conv3", (320, 240)), ("notes_cnn", "conv3", (640, 480)),
            ("kernels", "kernels", (320, 240)), ("kernels", "kernels", (640, 480))]
REAL = ["mobilenet_v3_small", "resnet18", "alexnet", "vgg16"]
REAL_SIZES = [(224, 224), (320, 240)]
STAGES = ("resize_ms", "network_ms", "classify_ms", "mosaic_ms", "to_pixels_ms", "paint_ms")
WARMUP_S = 4.0


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        try:
            import resource  # Unix only
        except ImportError:  # Windows: no portable figure without another dependency
            return float("nan")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1e6 if os.uname().sysname == "Darwin" else peak / 1e3


def _percentile(values: list[float], q: float) -> float:
    values = [v for v in values if v == v]
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _pump(app, duration: float) -> None:
    """Run the real event loop for ``duration`` seconds (a busy processEvents loop would hold the GIL
    that the worker and the demo source need, and measure the benchmark instead of the app)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(1, round(duration * 1000)), loop.quit)
    loop.exec()


def run_case(app, tab, network: str, layer: str, size: tuple[int, int], seconds: float, fps: float) -> dict:
    """One row: ``network`` up to ``layer`` at ``size`` with the demo source at ``fps`` (0: uncapped)."""
    tab.input.demo.set_fps(fps)
    tab.set_network(network)
    tab.set_size(size)
    tab.set_layer(layer)
    latencies: list[float] = []
    tab.frame_drawn.connect(latencies.append)
    _pump(app, WARMUP_S)
    deadline = time.perf_counter() + 120
    while tab.frames_drawn < 10 and time.perf_counter() < deadline:  # first use loads the network
        _pump(app, 0.2)
    latencies.clear()
    tab.stage_log.clear()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    start_frames = tab.frames_drawn
    by_minute: list[float] = []         # resident memory at the end of each whole minute (long runs)
    while (elapsed := time.perf_counter() - t0) < seconds:
        _pump(app, min(1.0, seconds - elapsed))
        if time.perf_counter() - t0 >= 60 * (len(by_minute) + 1):
            by_minute.append(round(rss_mb(), 1))
    elapsed = time.perf_counter() - t0
    frames = tab.frames_drawn - start_frames
    rss1 = rss_mb()
    tab.frame_drawn.disconnect(latencies.append)
    log = list(tab.stage_log)
    row = {"network": network, "layer": layer, "width": size[0], "height": size[1],
           "source_fps": fps if fps > 0 else "uncapped", "fps": round(frames / elapsed, 1),
           "latency_p50_ms": round(_percentile(latencies, 0.5), 1),
           "latency_p95_ms": round(_percentile(latencies, 0.95), 1),
           **{k: round(_percentile([s.get(k, float("nan")) for s in log], 0.5), 2) for k in STAGES},
           "rss_start_mb": round(rss0, 1), "rss_end_mb": round(rss1, 1), "rss_growth_mb": round(rss1 - rss0, 1),
           "seconds": round(elapsed, 1), "frames": frames}
    if by_minute:
        row["rss_growth_after_first_minute_mb"] = round(rss1 - by_minute[0], 1)
        row["rss_by_minute_mb"] = by_minute
    return row


def _real_rows(app, tab, seconds: float) -> list[dict]:
    from desktopnn.engine.live.weights import weights_status

    rows = []
    for key in REAL:
        ready = weights_status(key, verify=False).ready
        if not ready:
            tab.computer.use_random_weights(key)       # the same arithmetic as the trained network
        for size in REAL_SIZES:
            row = run_case(app, tab, key, tab.computer.first_layer(key), size, seconds, 0)
            row["weights"] = "trained" if ready else "random (not in the cache)"
            rows.append(row)
    return rows


def bench_live(seconds: float | None = None, uncapped: bool = False, real: bool = False) -> dict:
    """The rows described in the module docstring; ``uncapped`` and ``real`` add those groups."""
    if seconds is None:
        seconds = float(os.environ.get("DESKTOPNN_BENCH_LIVE_SECONDS", "10"))
    import sys

    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QMainWindow

    from desktopnn.app import make_app
    from desktopnn.ui.base import AppContext
    from desktopnn.ui.live import LiveTab
    from desktopnn.ui.theme import ThemeManager

    app = make_app()
    themes = ThemeManager(app, presentation=False, screen_height=1080)
    themes.apply()
    window = QMainWindow()
    tab = LiveTab(AppContext(themes=themes, demo=True))
    window.setCentralWidget(tab)
    window.resize(1920, 1080)
    window.show()
    tab.activate()
    out: dict = {"live": []}
    try:
        out["live"] = [run_case(app, tab, n, layer, size, seconds, 30) for n, layer, size in CAPPED]
        if uncapped:
            out["live_uncapped"] = [run_case(app, tab, n, layer, size, seconds, 0) for n, layer, size in UNCAPPED]
        if real:
            out["live_real_networks"] = _real_rows(app, tab, seconds)
        out["live_steady_rss_mb"] = round(rss_mb(), 1)
    finally:
        tab.deactivate()
        tab.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    return out

