"""Where the live pictures come from: the demo, a camera (and its size) or a video file, chosen in the
source picker; a lost source falls back to the demo with a notice (part of the live tab)."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QFileDialog

from desktopnn.sources.base import capture_time
from desktopnn.sources.video import VIDEO_FILTER


class SourceChoiceMixin:
    """The source picker and the input's signals, of :class:`~desktopnn.ui.live.tab.LiveTab`."""

    def fill_sources(self, cams: list[tuple[bytes, str]]) -> None:
        """The source picker's entries: the demo, each camera, a video file."""
        box = self.source_box
        box.blockSignals(True)
        current = box.currentData()
        box.clear()
        box.addItem("Demo pictures", ("demo", None))
        for cam_id, desc in cams:
            box.addItem(f"Camera: {desc}", ("camera", cam_id))
        box.addItem("Video file…", ("video", None))
        i = box.findData(current) if current is not None else 0
        box.setCurrentIndex(max(0, i))
        box.blockSignals(False)

    def sync_source_box(self) -> None:
        """Show the demo in the picker when the input has fallen back to it."""
        if self.input.on_demo():
            self.source_box.setCurrentIndex(0)
            self.camres_box.clear()
            self.camres_box.addItem("camera only", None)
            self.camres_box.setEnabled(False)

    def mark_source_chosen(self) -> None:
        """A scene (or the person) has chosen the source: activating the tab keeps it, no default."""
        self._started_default = True

    def _on_source_box_activated(self, _index: int) -> None:
        kind, data = self.source_box.currentData()
        if kind == "demo":
            self.input.use_demo()
        elif kind == "camera":
            dev = self.input.camera_device(data)
            if dev is None:
                self.notice.emit("That camera is no longer connected.")
                self.fill_sources(self.input.camera_list())
                return
            self.input.use_camera(dev)
            self._fill_camera_sizes(dev)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Open a video", "", VIDEO_FILTER)
            if path:
                self.input.use_video(path)
            self.sync_source_box()

    def _fill_camera_sizes(self, dev) -> None:
        from desktopnn.sources.camera import camera_resolutions

        self.camres_box.clear()
        for w, h in camera_resolutions(dev):
            self.camres_box.addItem(f"{w}×{h}", (w, h))
        self.camres_box.setEnabled(self.camres_box.count() > 0)

    def _on_camres_box_activated(self, _index: int) -> None:
        kind, data = self.source_box.currentData()
        if kind == "camera":
            dev = self.input.camera_device(data)
            if dev is not None:
                self.input.use_camera(dev, self.camres_box.currentData())

    def _on_input_frame(self, frame: np.ndarray) -> None:
        if self.frozen:
            return
        self.last_frame = frame
        self._submit(frame, capture_time(frame))

    def _on_input_notice(self, text: str) -> None:
        self.notice.emit(text)

    def _on_input_source_changed(self, _name: str) -> None:
        self.sync_source_box()

    def _on_input_cameras_changed(self, cams: list) -> None:
        self.fill_sources(cams)
        self.sync_source_box()
