"""The common interface of every frame source, and QVideoFrame → numpy."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage


class Frame(np.ndarray):
    """A frame as sent by a source: the ``(H, W, 3)`` uint8 array with ``stamp``, when it was captured
    (``time.perf_counter``), so the view measures latency from capture, not from arrival."""

    stamp: float = 0.0

    def __array_finalize__(self, obj) -> None:
        self.stamp = getattr(obj, "stamp", 0.0)


def capture_time(frame) -> float:
    """When ``frame`` was captured (its stamp), or now for a plain array."""
    return getattr(frame, "stamp", 0.0) or time.perf_counter()


class FrameSource(QObject):
    """A source of RGB frames: ``(H, W, 3)`` uint8 numpy arrays out through ``frame_ready``.

    ``notice`` carries information for the status bar; ``failed`` says the source stopped working
    (a message a person understands) and it is then stopped. ``start``/``stop`` may be called any
    number of times; neither blocks the UI thread.
    """

    frame_ready = Signal(object)     # (H, W, 3) uint8, C-contiguous, owned by the receiver
    notice = Signal(str)
    failed = Signal(str)
    running_changed = Signal(bool)

    name = "source"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running = False
        self.frames = 0

    @property
    def running(self) -> bool:
        return self._running

    def _set_running(self, on: bool) -> None:
        if on != self._running:
            self._running = on
            self.running_changed.emit(on)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def frame_taken(self) -> None:
        """The consumer has started on the last frame (called from any thread); a source that paints
        on demand paints the next one. Cameras and files run at their own rate and ignore it."""

    def _fail(self, message: str) -> None:
        """Stop and report ``message``."""
        self.stop()
        self.failed.emit(message)

    def _emit_frame(self, frame: np.ndarray, stamp: float | None = None) -> None:
        """Send ``frame``, stamped with when it was captured (``time.perf_counter``; now by default)."""
        self.frames += 1
        out = frame.view(Frame)
        out.stamp = time.perf_counter() if stamp is None else stamp
        self.frame_ready.emit(out)


def qimage_to_numpy(image: QImage) -> np.ndarray:
    """A QImage as ``(H, W, 3)`` uint8 RGB (copied, so the QImage may go)."""
    if image.format() != QImage.Format.Format_RGB888:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return buf[:, :w * 3].reshape(h, w, 3).copy()


def video_frame_to_numpy(frame) -> np.ndarray | None:
    """A ``QVideoFrame`` as ``(H, W, 3)`` uint8, or None for an empty/invalid frame."""
    if frame is None or not frame.isValid():
        return None
    image = frame.toImage()
    if image.isNull():
        return None
    return qimage_to_numpy(image)
