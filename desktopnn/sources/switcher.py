"""One input for a live view: the chosen source, with the demo pictures as the safety net.

A source that fails (no camera, unplugged, refused, a bad video file) becomes a notice, and the view
continues on the demo source without an exception. When cameras are plugged in or out the picker is
told, and a camera that comes back is offered in a notice.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktopnn.sources.base import FrameSource
from desktopnn.sources.demo import DemoSource


class LiveInput(QObject):
    frame_ready = Signal(object)      # (H, W, 3) uint8
    notice = Signal(str)
    source_changed = Signal(str)      # the new source's name
    cameras_changed = Signal(list)    # [(id bytes, description)]

    def __init__(self, demo: DemoSource | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.demo = demo or DemoSource(parent=self)
        if self.demo.parent() is None:
            self.demo.setParent(self)
        self.current: FrameSource = self.demo
        self._active = False
        self._media = None
        self._camera_lost = False
        self._connect(self.demo)

    # ---- which source -------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._active

    def on_demo(self) -> bool:
        return self.current is self.demo

    def use(self, source: FrameSource) -> None:
        """Switch to ``source`` (started at once when the input is active)."""
        if source is self.current:
            return
        old = self.current
        old.stop()
        if old is not self.demo:
            self._disconnect(old)
            old.deleteLater()
        if source is not self.demo:
            source.setParent(self)
            self._connect(source)
        self.current = source
        self.source_changed.emit(source.name)
        if self._active:
            source.start()

    def use_demo(self) -> None:
        self.use(self.demo)

    def use_camera(self, device=None, resolution: tuple[int, int] | None = None) -> None:
        from desktopnn.sources.camera import CameraSource

        self._camera_lost = False
        self.use(CameraSource(device, resolution))

    def use_video(self, path) -> None:
        from desktopnn.sources.video import VideoFileSource

        self.use(VideoFileSource(path))

    def start_default(self, demo_only: bool) -> None:
        """The camera when there is one (and ``demo_only`` is false), else the demo with a notice."""
        if demo_only:
            self.use_demo()
            return
        cams = self.camera_list()
        if cams:
            self.use_camera()
        else:
            self.use_demo()
            self.notice.emit("No camera found: showing the demo pictures. Plug one in and choose it in the source list.")

    def frame_taken(self) -> None:
        """The consumer took the last frame (any thread): passed on to the current source."""
        self.current.frame_taken()

    # ---- running ------------------------------------------------------------------------------
    def start(self) -> None:
        self._active = True
        self.watch_cameras()
        self.current.start()

    def stop(self) -> None:
        self._active = False
        self.current.stop()

    def shutdown(self) -> None:
        self.stop()
        if self.current is not self.demo:
            self._disconnect(self.current)
        self.demo.stop()
        if self._media is not None:
            self._media.videoInputsChanged.disconnect(self._on_media_inputs_changed)
            self._media = None

    # ---- cameras ------------------------------------------------------------------------------
    def camera_list(self) -> list[tuple[bytes, str]]:
        from desktopnn.sources.camera import cameras

        return [(bytes(d.id().data()), d.description()) for d in cameras()]

    def camera_device(self, cam_id: bytes):
        from desktopnn.sources.camera import cameras

        return next((d for d in cameras() if bytes(d.id().data()) == cam_id), None)

    def watch_cameras(self) -> None:
        if self._media is None:
            from PySide6.QtMultimedia import QMediaDevices

            self._media = QMediaDevices(self)
            self._media.videoInputsChanged.connect(self._on_media_inputs_changed)

    def _on_media_inputs_changed(self) -> None:
        cams = self.camera_list()
        self.cameras_changed.emit(cams)
        if cams and self._camera_lost and self.on_demo():
            self._camera_lost = False
            self.notice.emit(f"A camera is connected again ({cams[0][1]}): choose it in the source list to use it.")

    # ---- plumbing -----------------------------------------------------------------------------
    def _connect(self, src: FrameSource) -> None:
        src.frame_ready.connect(self.frame_ready)
        src.notice.connect(self.notice)
        src.failed.connect(self._on_source_failed)

    def _disconnect(self, src: FrameSource) -> None:
        for sig, slot in ((src.frame_ready, self.frame_ready), (src.notice, self.notice),
                          (src.failed, self._on_source_failed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _on_source_failed(self, message: str) -> None:
        src = self.sender()
        if src is not self.current:
            return
        self.notice.emit(message)
        if src is self.demo:
            return
        from desktopnn.sources.camera import CameraSource

        self._camera_lost = isinstance(src, CameraSource)
        self.use_demo()
