"""Frames for "classes captured from the camera": a camera from :mod:`desktopnn.sources` when there is
one, otherwise a demo camera that looks at the bundled sample photos (a class "holds up" the cat …).

The demo camera pans slowly over the chosen photo with a little jitter and changing light, so that
captured frames differ from each other as a real camera's would. Frames are ``(240, 320, 3)`` uint8,
sent by ``frame_ready`` from a timer on the UI thread (a frame is a numpy slice: microseconds).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

FRAME_H, FRAME_W = 240, 320


class DemoCamera(QObject):
    """A stand-in camera over still photos: ``set_photos`` once, ``set_subject`` picks what it sees."""

    frame_ready = Signal(object)

    def __init__(self, fps: float = 10.0, parent: QObject | None = None):
        super().__init__(parent)
        self._photos: dict[str, np.ndarray] = {}
        self._subject = ""
        self._tick = 0
        self._rng = np.random.default_rng(0)
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / fps))
        self._timer.timeout.connect(self._on_tick)
        self.last_frame: np.ndarray | None = None

    def set_photos(self, photos: dict[str, np.ndarray]) -> None:
        """``{name: (H, W, 3) uint8}``, each at least 240×320."""
        self._photos = {k: v for k, v in photos.items() if v.ndim == 3 and v.shape[0] >= FRAME_H and v.shape[1] >= FRAME_W}
        if self._subject not in self._photos:
            self._subject = next(iter(self._photos), "")

    def subjects(self) -> list[str]:
        return list(self._photos)

    def set_subject(self, name: str) -> None:
        if name in self._photos:
            self._subject = name

    @property
    def subject(self) -> str:
        return self._subject

    def start(self) -> None:
        if self._photos:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def frame(self) -> np.ndarray | None:
        """The next frame (also what the timer sends)."""
        photo = self._photos.get(self._subject)
        if photo is None:
            return None
        self._tick += 1
        h, w = photo.shape[:2]
        t = self._tick / 25.0
        y = int((h - FRAME_H) * (0.5 + 0.4 * np.sin(t * 0.7))) + int(self._rng.integers(-3, 4))
        x = int((w - FRAME_W) * (0.5 + 0.4 * np.cos(t * 0.5))) + int(self._rng.integers(-3, 4))
        y, x = min(max(y, 0), h - FRAME_H), min(max(x, 0), w - FRAME_W)
        gain = 0.85 + 0.15 * np.sin(t * 1.3)
        crop = photo[y:y + FRAME_H, x:x + FRAME_W].astype(np.float32) * gain
        return np.clip(crop, 0, 255).astype(np.uint8)

    def _on_tick(self) -> None:
        frame = self.frame()
        if frame is not None:
            self.last_frame = frame
            self.frame_ready.emit(frame)


class FrameInput(QObject):
    """What the capture panel and the softmax view see: the demo camera, or a real camera from
    :mod:`desktopnn.sources.camera`. A camera that fails becomes a notice and the demo takes over."""

    frame_ready = Signal(object)
    notice = Signal(str)
    DEMO = "Demo camera (bundled photos)"

    def __init__(self, demo: DemoCamera, parent: QObject | None = None):
        super().__init__(parent)
        self.demo = demo
        self.camera = None            # a desktopnn.sources.camera.CameraSource while one is chosen
        self._devices: list = []
        self._active = False
        self.last_frame: np.ndarray | None = None
        demo.frame_ready.connect(self._on_frame_ready)

    def sources(self) -> list[str]:
        """The demo, then every camera Qt can see (none here: QtMultimedia lists no video inputs)."""
        try:
            from desktopnn.sources.camera import cameras

            self._devices = cameras()
        except (ImportError, RuntimeError, OSError):     # QtMultimedia missing or unusable: demo only
            self._devices = []
        return [self.DEMO] + [d.description() for d in self._devices]

    def choose(self, index: int) -> None:
        self._close_camera()
        if 1 <= index <= len(self._devices):
            from desktopnn.sources.camera import CameraSource

            self.camera = CameraSource(self._devices[index - 1], parent=self)
            self.camera.frame_ready.connect(self._on_frame_ready)
            self.camera.notice.connect(self.notice)
            self.camera.failed.connect(self._on_camera_failed)
            self.demo.stop()
            if self._active:
                self.camera.start()
        elif self._active:
            self.demo.start()

    @property
    def on_demo(self) -> bool:
        return self.camera is None

    def start(self) -> None:
        self._active = True
        (self.camera or self.demo).start()

    def stop(self) -> None:
        self._active = False
        self.demo.stop()
        if self.camera is not None:
            self.camera.stop()

    def frame(self) -> np.ndarray | None:
        """The latest frame (the demo makes one on demand)."""
        if self.last_frame is None and self.on_demo:
            self.last_frame = self.demo.frame()
        return self.last_frame

    def _on_frame_ready(self, frame) -> None:
        self.last_frame = frame
        self.frame_ready.emit(frame)

    def _on_camera_failed(self, message: str) -> None:
        self.notice.emit(f"{message} The demo camera takes over.")
        self.choose(0)

    def _close_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera.deleteLater()
            self.camera = None
