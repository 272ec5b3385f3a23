"""``desktopnn bench notebook``: the loop a lecturer would write in a notebook for the live view's job,
measured on the same machine as the live tab, so the two are compared side by side (issue 14).

Per frame: the demo camera's picture, the notes' CNN's first layer (torch, one thread, as the live
view), and its 32 maps drawn with matplotlib (``imshow`` per map in a 4×8 grid, colour limits per
map, ``canvas.draw()`` on the Agg canvas). It needs matplotlib (``pip install desktopnn[bench]``).
"""

from __future__ import annotations

import os
import time

SIZES = [(320, 240), (640, 480)]


def _frames(size: tuple[int, int], count: int):
    """Demo camera pictures, painted before the clock starts (the loop gets frames as a camera gives them)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktopnn.sources.demo import DemoSource

    _app = QApplication.instance() or QApplication(["desktopnn-bench"])
    demo = DemoSource(size=size)
    return [demo.render(i) for i in range(count)]


def run_loop(size: tuple[int, int], seconds: float) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from desktopnn.engine.cnn.notes_cnn import load_notes_cnn

    torch.set_num_threads(1)
    model = load_notes_cnn()
    frames = _frames(size, 60)
    fig, axes = plt.subplots(4, 8, figsize=(12, 6))
    images = []
    for ax in axes.ravel():
        ax.axis("off")
        images.append(ax.imshow(frames[0][:, :, 0], cmap="viridis"))
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        x = torch.from_numpy(frames[n % len(frames)]).permute(2, 0, 1)[None].float() / 255
        with torch.no_grad():
            maps = torch.relu(model.conv1(x))[0].numpy()
        for im, m in zip(images, maps):
            im.set_data(m)
            im.set_clim(m.min(), m.max())
        fig.canvas.draw()
        n += 1
    plt.close(fig)
    return {"width": size[0], "height": size[1], "fps": round(n / (time.perf_counter() - t0), 1)}


def bench_notebook(seconds: float | None = None) -> dict:
    seconds = float(os.environ.get("DESKTOPNN_BENCH_LIVE_SECONDS", "10")) if seconds is None else seconds
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return {"notebook_loop": "matplotlib is not installed: pip install desktopnn[bench]"}
    return {"notebook_loop": [run_loop(size, seconds) for size in SIZES]}
