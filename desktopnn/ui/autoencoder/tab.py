"""Encoder & decoder (notes 3): images through a bottleneck, and live audio through an autoencoder.

Two sub-views: :class:`~desktopnn.ui.autoencoder.images.ImagesView` (digits: bottleneck, denoising, the
code plane, transfer learning) and :class:`~desktopnn.ui.autoencoder.audio_view.AudioView` (a live
spectrogram and the spectrogram autoencoder). Only the visible sub-view of the visible tab streams.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktopnn.ui.autoencoder import scene
from desktopnn.ui.autoencoder.audio_view import AudioView
from desktopnn.ui.autoencoder.images import ImagesView
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.theme import Theme


class AutoencoderTab(LessonTab):
    """Squeeze the data through a bottleneck, keep the structure, lose the noise (notes 3, 3.0.1)."""

    name = "autoencoder"
    title = "Encoder & decoder (3)"
    live = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.images = ImagesView()
        self.audio = AudioView(ctx)
        for view in (self.images, self.audio):
            view.notice.connect(self.notice)
        self.audio.fps_changed.connect(self.fps_changed)
        self.views = QTabWidget()
        self.views.addTab(self.images, "Images: digits")
        self.views.addTab(self.audio, "Audio: live spectrogram")
        self.views.setTabToolTip(0, "An autoencoder on handwritten digits: bottleneck, denoising, code plane, "
                                    "transfer learning")
        self.views.setTabToolTip(1, "Sound as a frequency table, live, through a spectrogram autoencoder")
        self.views.currentChanged.connect(self._on_view_changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.views)
        self._active = False
        self.apply_theme(ctx.theme)

    def show_view(self, which: str) -> None:
        """"images" or "audio"."""
        self.views.setCurrentWidget(self.audio if which == "audio" else self.images)

    def _on_view_changed(self, _index: int) -> None:
        if not self._active:
            return
        if self.views.currentWidget() is self.audio:
            self.audio.activate()
        else:
            self.audio.deactivate()
            self.images.ensure_loaded()

    def activate(self) -> None:
        self._active = True
        self._on_view_changed(self.views.currentIndex())

    def deactivate(self) -> None:
        self._active = False
        self.audio.deactivate()

    def apply_theme(self, theme: Theme) -> None:
        self.images.apply_theme(theme)
        self.audio.apply_theme(theme)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.images.wait_idle(timeout) and self.audio.wait_idle(timeout)

    def is_busy(self) -> bool:
        return self.images.is_busy() or self.audio.is_busy()

    # ---- issue 9: no animation to step or guess here; scenes ------------------------------------
    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def shutdown(self) -> None:
        self.deactivate()
        self.audio.shutdown()
        self.images.shutdown()
