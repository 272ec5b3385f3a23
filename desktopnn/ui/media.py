"""What every export of frames needs, whichever view drew them: a QImage as numpy, the frames' timing,
whether an MP4 encoder is installed (the Stride/padding animator's GIF/MP4 and the presenter's
recording of any view both write through these). No widgets here."""

from __future__ import annotations

import importlib.util

import numpy as np
from PySide6.QtGui import QImage

GIF_BUDGET_BYTES = 300_000_000   # Pillow keeps every GIF frame in memory until it writes the file


def mp4_encoder() -> str | None:
    """Name of an available MP4 encoder for imageio, or None."""
    if importlib.util.find_spec("imageio_ffmpeg") is not None:
        return "imageio-ffmpeg"
    return None


MP4_MISSING = ("MP4 export needs a video encoder, and none is installed: install imageio-ffmpeg "
               "(pip install imageio-ffmpeg) and restart desktopnn. GIF export works without it.")


def qimage_to_rgb(img: QImage) -> np.ndarray:
    """``(H, W, 3)`` uint8 copy of a QImage."""
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buf = np.frombuffer(rgb.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, :w * 3].reshape(h, w, 3).copy()


def frame_durations(count: int, fps: float) -> list[int]:
    """Milliseconds per frame: the first and the last frame stay three times longer."""
    base = max(20, round(1000 / max(fps, 0.1)))
    out = [base] * count
    if count > 1:
        out[0] = out[-1] = base * 3
    return out
