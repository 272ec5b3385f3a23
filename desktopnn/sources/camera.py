"""A webcam through QtMultimedia: QCamera → QMediaCaptureSession → QVideoSink → numpy frames.

Everything is asynchronous: ``start()`` returns at once; frames, a slow start, a refused
permission, an unplugged camera or a camera error arrive later as signals. A camera that has not
delivered a frame after :data:`START_TIMEOUT_S` seconds is called absent (``failed``).
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal

from desktopnn.sources.base import FrameSource, video_frame_to_numpy

START_TIMEOUT_S = 5.0

PERMISSION_HELP = {
    "darwin": "open System Settings ▸ Privacy & Security ▸ Camera and switch desktopnn (or your terminal) on, "
              "then start desktopnn again",
    "win32": "open Settings ▸ Privacy & security ▸ Camera and allow desktop apps to use the camera",
}
PERMISSION_HELP_LINUX = ("check that your user may open /dev/video* (e.g. it is in the 'video' group) and "
                         "that no other program or sandbox holds the camera")


def permission_message() -> str:
    how = PERMISSION_HELP.get(sys.platform, PERMISSION_HELP_LINUX)
    return f"Camera access was refused. To allow it, {how}. Showing the demo pictures until then."


def cameras() -> list:
    """The cameras Qt can see now (``QCameraDevice`` objects); empty when there are none."""
    from PySide6.QtMultimedia import QMediaDevices

    return list(QMediaDevices.videoInputs())


def camera_resolutions(device) -> list[tuple[int, int]]:
    """Distinct frame sizes the camera offers, smallest first."""
    sizes = {(f.resolution().width(), f.resolution().height()) for f in device.videoFormats()}
    return sorted((s for s in sizes if s[0] > 0 and s[1] > 0), key=lambda s: s[0] * s[1])


class CameraSource(FrameSource):
    """One camera. ``device``: a ``QCameraDevice`` (None: the system default); ``resolution``: (w, h)."""

    devices_changed = Signal()   # cameras were plugged in or out (refresh the picker)

    def __init__(self, device=None, resolution: tuple[int, int] | None = None, parent: QObject | None = None,
                 start_timeout_s: float = START_TIMEOUT_S):
        super().__init__(parent)
        from PySide6.QtMultimedia import QMediaDevices

        self.device = device
        self.resolution = resolution
        self._camera = None
        self._session = None
        self._sink = None
        self._got_frame = False
        self._media = QMediaDevices(self)
        self._media.videoInputsChanged.connect(self._on_media_inputs_changed)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(round(start_timeout_s * 1000))
        self._start_timer.timeout.connect(self._on_start_timer_timeout)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.device.description() if self.device is not None else "Camera"

    # ---- starting and stopping ---------------------------------------------------------------
    def start(self) -> None:
        if self._running:
            return
        devices = cameras()
        if not devices:
            self._fail("No camera found. Plug one in and choose it in the source list; "
                       "showing the demo pictures meanwhile.")
            return
        if self.device is None or not any(d.id() == self.device.id() for d in devices):
            from PySide6.QtMultimedia import QMediaDevices

            self.device = QMediaDevices.defaultVideoInput() if self.device is None else None
            if self.device is None or self.device.isNull():
                self._fail("The chosen camera is no longer connected; showing the demo pictures.")
                return
        self._set_running(True)
        if not self._check_permission():
            return
        self._open()

    def _check_permission(self) -> bool:
        """True to go on now; False when refused (failed) or when the system is asking the person."""
        try:
            from PySide6.QtCore import QCameraPermission
        except ImportError:  # Qt builds without the permission API: the OS asks by itself
            return True
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        perm = QCameraPermission()
        status = app.checkPermission(perm)
        if status == Qt.PermissionStatus.Denied:
            self._fail(permission_message())
            return False
        if status == Qt.PermissionStatus.Undetermined:
            try:
                app.requestPermission(perm, self, self._on_permission_answered)
            except TypeError:       # a binding without the callback form: let the system ask on open
                return True
            return False
        return True

    def _on_permission_answered(self, permission) -> None:
        from PySide6.QtCore import QCoreApplication

        if not self._running:
            return
        if QCoreApplication.instance().checkPermission(permission) == Qt.PermissionStatus.Granted:
            self._open()
        else:
            self._fail(permission_message())

    def _open(self) -> None:
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QVideoSink

        self._camera = QCamera(self.device, self)
        if self.resolution is not None:
            want = QSize(*self.resolution)
            formats = [f for f in self.device.videoFormats() if f.resolution() == want]
            if formats:
                self._camera.setCameraFormat(max(formats, key=lambda f: f.maxFrameRate()))
        self._session = QMediaCaptureSession(self)
        self._sink = QVideoSink(self)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._on_sink_frame_changed)
        self._camera.errorOccurred.connect(self._on_camera_error)
        self._camera.activeChanged.connect(self._on_camera_active_changed)
        self._got_frame = False
        self._start_timer.start()
        self._camera.start()

    def stop(self) -> None:
        self._start_timer.stop()
        cam, sink, session = self._camera, self._sink, self._session
        self._camera = self._sink = self._session = None
        if sink is not None:
            sink.videoFrameChanged.disconnect(self._on_sink_frame_changed)
        if cam is not None:
            cam.errorOccurred.disconnect(self._on_camera_error)
            cam.activeChanged.disconnect(self._on_camera_active_changed)
            cam.stop()
            cam.deleteLater()
        for obj in (session, sink):
            if obj is not None:
                obj.deleteLater()
        self._set_running(False)

    # ---- events ------------------------------------------------------------------------------
    def _on_sink_frame_changed(self, frame) -> None:
        if not self._running:
            return
        stamp = time.perf_counter()
        arr = video_frame_to_numpy(frame)
        if arr is None:
            return
        if not self._got_frame:
            self._got_frame = True
            self._start_timer.stop()
        self._emit_frame(arr, stamp)

    def _on_start_timer_timeout(self) -> None:
        if self._running and not self._got_frame:
            self._fail(f"{self.name} sent no picture within {self._start_timer.interval() / 1000:.0f} s; "
                       "it may be in use by another program. Showing the demo pictures.")

    def _on_camera_error(self, _error, text: str) -> None:
        if self._running:
            self._fail(f"{self.name} stopped: {text or 'camera error'}. Showing the demo pictures.")

    def _on_camera_active_changed(self, active: bool) -> None:
        if self._running and not active and self._got_frame:
            self._fail(f"{self.name} stopped sending pictures. Showing the demo pictures.")

    def _on_media_inputs_changed(self) -> None:
        self.devices_changed.emit()
        if self._running and self.device is not None and not any(d.id() == self.device.id() for d in cameras()):
            self._fail(f"{self.name} was unplugged. Showing the demo pictures.")
