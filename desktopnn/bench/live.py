"""``desktopnn bench live``: the live tab on the demo source, measured from capture to pixels on screen.

For each network and inference resolution the real tab runs in an offscreen window at 1920×1080,
painting synchronously after every ``setImage`` so that the latency includes drawing. Figures: frames
drawn per second, latency percentiles, and the growth of the process's resident memory over the run
(after a warm-up). ``DESKTOPNN_BENCH_LIVE_SECONDS`` sets the seconds per case (default 10; 120 for the
issue's two-minute memory check).
"""

from __future__ import annotations

import os
import time

CASES = [("notes_cnn", (320, 240)), ("notes_cnn", (640, 480)), ("kernels", (320, 240)), ("kernels", (640, 480))]
WARMUP_S = 5.0


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
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run_case(app, tab, network: str, size: tuple[int, int], seconds: float) -> dict:
    tab.set_network(network)
    tab.set_size(size)
    latencies: list[float] = []
    tab.frame_drawn.connect(latencies.append)

    def pump(duration: float) -> None:
        end = time.perf_counter() + duration
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    pump(WARMUP_S)
    deadline = time.perf_counter() + 60
    while tab.frames_drawn < 10 and time.perf_counter() < deadline:  # first use loads the network
        pump(0.2)
    latencies.clear()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    start_frames = tab.frames_drawn
    pump(seconds)
    elapsed = time.perf_counter() - t0
    frames = tab.frames_drawn - start_frames
    rss1 = rss_mb()
    tab.frame_drawn.disconnect(latencies.append)
    return {"network": network, "width": size[0], "height": size[1], "fps": round(frames / elapsed, 1),
            "latency_p50_ms": round(_percentile(latencies, 0.5), 1),
            "latency_p95_ms": round(_percentile(latencies, 0.95), 1),
            "rss_growth_mb": round(rss1 - rss0, 1), "seconds": round(elapsed, 1), "frames": frames}


def bench_live(seconds: float | None = None) -> dict:
    """One entry per network and resolution (see the module docstring)."""
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
    ctx = AppContext(themes=themes, demo=True)
    window = QMainWindow()
    tab = LiveTab(ctx)
    window.setCentralWidget(tab)
    window.resize(1920, 1080)
    window.show()
    tab.sync_paint = True
    tab.activate()
    out = []
    try:
        for network, size in CASES:
            out.append(run_case(app, tab, network, size, seconds))
    finally:
        tab.deactivate()
        tab.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    return {"live": out}
