"""Live feature maps (notes 2.2, 2.13): what every filter of a CNN responds to, frame by frame.

Capture → worker (latest frame wins: frames that arrive while it is busy replace each other and are
never queued) → draw. The UI thread only hands frames over and sets the pictures. The tab is split by
concern: the source picker (source_choice), the network and layer pickers with weights downloads
(network_choice), what a unit looks for (units), frame counting (stats) and hover read-outs (readout).
"""

from __future__ import annotations

import collections
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktopnn.sources import LiveInput
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.live import scene
from desktopnn.ui.live.controls import build_ui
from desktopnn.ui.live.jobs import LiveComputer
from desktopnn.ui.live.network_choice import NetworkChoiceMixin
from desktopnn.ui.live.readout import ReadoutMixin
from desktopnn.ui.live.source_choice import SourceChoiceMixin
from desktopnn.ui.live.state import SIZES, LiveParams, is_real
from desktopnn.ui.live.stats import FrameStatsMixin
from desktopnn.ui.live.units import UnitsMixin
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner

IMAGENET_CROP = 224 / 256        # the share of the shorter side an ImageNet network classifies


class LiveTab(SourceChoiceMixin, NetworkChoiceMixin, UnitsMixin, FrameStatsMixin, ReadoutMixin, LessonTab):
    name = "live"
    title = "Live feature maps"
    live = True

    frame_drawn = Signal(float)      # capture-to-screen latency of the frame just drawn, in ms

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.params = LiveParams()
        self.computer = LiveComputer()
        self.runner = self._runner("live", self._on_runner_finished, self._on_runner_failed)
        self.weights_runner = self._runner("live-weights", self._on_weights_finished, self._on_weights_failed,
                                           self._on_weights_progress)
        self.unit_runner = self._runner("live-unit", self._on_unit_finished, self._on_unit_failed,
                                        self._on_unit_progress)
        self.input = LiveInput(parent=self)
        self.computer.on_take = self.input.frame_taken       # an uncapped demo paints the next frame
        self.input.demo.set_size(self.params.size)
        self.input.frame_ready.connect(self._on_input_frame)
        self.input.notice.connect(self._on_input_notice)
        self.input.source_changed.connect(self._on_input_source_changed)
        self.input.cameras_changed.connect(self._on_input_cameras_changed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.frozen = False
        self.last_frame: np.ndarray | None = None
        self.result = None               # the LiveFrame on screen
        self.preparing: tuple[str, str | None, int] | None = None   # a real network being made ready
        self._unit_caption = self._unit_about = ""
        self.large_shows_unit = False    # the large panel shows a saliency map or an ideal input
        self._error_clears_with_frames = True
        self._unpainted: tuple[float, dict] | None = None      # the frame set, not yet painted
        self.frames_drawn = 0
        self.latencies: collections.deque[float] = collections.deque(maxlen=120)
        self.stage_log: collections.deque[dict] = collections.deque(maxlen=2000)   # per frame drawn, ms
        self._fps_times: collections.deque[float] = collections.deque(maxlen=600)
        self._shut = False
        self._started_default = False
        self._active_since = 0.0
        self._frames_mark = 0
        build_ui(self)
        self.mosaic_panel.canvas.painted.connect(self._on_canvas_painted)
        self.update_about()
        self._fps_timer = QTimer(self)
        self._fps_timer.setInterval(500)
        self._fps_timer.timeout.connect(self._on_fps_timer_timeout)
        self.apply_theme(ctx.theme)

    def _runner(self, name: str, finished, failed, progressed=None) -> LatestJobRunner:
        runner = LatestJobRunner(name, self)
        runner.finished.connect(finished)
        runner.failed.connect(failed)
        if progressed is not None:
            runner.progressed.connect(progressed)
        return runner

    # ---- LessonTab -----------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        for panel in (self.input_panel, self.large_panel, self.mosaic_panel):
            panel.apply_theme(theme)
        self.bars.apply_theme(theme)
        self.unit_panel.apply_theme(theme)
        self.info.setFont(theme.font(0.85 if theme.presentation else 1.0, mono=True))
        self.info.setMinimumHeight(round(theme.text_px * 1.4 * 5))
        self.side.setMinimumWidth(theme.text_px * 12)
        fm = self.freeze_button.fontMetrics()          # as wide frozen as not: the bar must not jump
        self.freeze_button.setMinimumWidth(fm.horizontalAdvance("Frozen: Space to go on") + theme.text_px)
        self._frames_mark = self.frames_drawn     # the next drawn frame carries the new look

    def activate(self) -> None:
        if self._shut:
            return
        if not self._started_default:
            self.mark_source_chosen()
            self.fill_sources(self.input.camera_list())
            self.input.start_default(self.ctx.demo)
            self.sync_source_box()
        self.input.start()
        self._frames_mark = self.frames_drawn
        self.setFocus(Qt.FocusReason.OtherFocusReason)      # Space freezes without a click first
        self._active_since = time.perf_counter()
        self._fps_timer.start()

    def deactivate(self) -> None:
        self.input.stop()
        self.runner.cancel()
        self._fps_timer.stop()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """For screenshots and tests: while streaming, first let one frame since the last change be drawn."""
        deadline = time.monotonic() + timeout
        app = QCoreApplication.instance()
        while (self.input.active and not self.frozen and self.frames_drawn <= self._frames_mark
               and time.monotonic() < deadline and app is not None):
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            self.runner.wait_idle(0.05)
        return self.runner.wait_idle(max(0.0, deadline - time.monotonic()))

    def is_busy(self) -> bool:
        """Streaming, and no frame drawn since the last change yet (the stream itself never idles)."""
        return bool(self.input.active and not self.frozen and self.frames_drawn <= self._frames_mark)

    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))     # SceneError before anything changes

    def shutdown(self) -> None:
        if self._shut:
            return
        self._shut = True
        self._fps_timer.stop()
        self.input.shutdown()
        for runner in (self.weights_runner, self.unit_runner, self.runner):
            runner.cancel()
        for runner in (self.weights_runner, self.unit_runner, self.runner):
            runner.shutdown(timeout=0.5)

    # ---- state ---------------------------------------------------------------------------------
    def set_params(self, recompute: bool = True, **changes) -> None:
        """Change the view's choices (LiveParams fields); a frozen picture is recomputed with them."""
        self.params = self.params.but(**changes)
        if recompute and self.frozen and self.last_frame is not None:
            self._submit(self.last_frame, fresh=True)

    def show_choices(self, network: str, size: tuple[int, int], normalise: str, colormap: str,
                     gradcam: bool = False) -> None:
        """Set the pickers to these choices without acting on them (a scene sets the state itself)."""
        boxes = (self.net_box, self.size_box, self.norm_box, self.cmap_box, self.unit_panel.gradcam)
        for b in boxes:
            b.blockSignals(True)
        self.net_box.setCurrentIndex(self.net_box.findData(network))
        self.size_box.setCurrentIndex(SIZES.index(tuple(size)))
        self.norm_box.setCurrentIndex(self.norm_box.findData(normalise))
        self.cmap_box.setCurrentIndex(self.cmap_box.findData(colormap))
        self.unit_panel.gradcam.setChecked(gradcam)
        for b in boxes:
            b.blockSignals(False)

    def set_frozen(self, on: bool) -> None:
        self.frozen = bool(on)
        if self.freeze_button.isChecked() != self.frozen:
            self.freeze_button.setChecked(self.frozen)
        self.freeze_button.setText("Frozen: Space to go on" if self.frozen else "Freeze (Space)")
        self.mosaic_panel.title.setText("All maps of the layer (frozen)" if self.frozen else "All maps of the layer")

    def show_error(self, sentence: str, until_next_frame: bool = False) -> None:
        """One sentence above the pictures and in the status bar; what is on screen stays. It stays until
        the next choice, or (a frame that failed) until a frame succeeds."""
        self.error.setText(sentence)
        self.error.setVisible(True)
        self._error_clears_with_frames = until_next_frame
        self.notice.emit(sentence)

    def clear_error(self) -> None:
        self.error.setVisible(False)

    def _submit(self, frame: np.ndarray, stamp: float | None = None, fresh: bool = False) -> None:
        """Hand ``frame`` to the worker (latest wins); ``stamp`` is its capture time, ``fresh`` forces
        a new classification (a frozen picture recomputed with changed settings)."""
        params = self.params
        aspect = self.mosaic_panel.aspect()
        if abs(aspect - params.aspect) > 0.05:
            params = self.params = params.but(aspect=round(aspect, 2))
        self.runner.submit(self.computer.run, frame, time.perf_counter() if stamp is None else stamp, params, fresh)

    # ---- results -------------------------------------------------------------------------------
    def _on_runner_finished(self, _job: int, lf) -> None:
        if self._shut:
            return
        t0 = time.perf_counter()
        if self._error_clears_with_frames:
            self.error.setVisible(False)
        self.result = lf
        self.input_panel.set_rgb(lf.extra.get("overlay", lf.input))
        self.mosaic_panel.set_rgb(lf.mosaic)
        if not self.large_shows_unit:
            self.large_panel.set_rgb(lf.large)
        self._mark_classified(lf)
        self._sync_layers(lf)
        net = self.computer.network(lf.network)
        title = net.map_title(lf.layer, lf.selected) if net is not None else f"map {lf.selected + 1}"
        lo, hi = float(lf.lows[lf.selected]), float(lf.highs[lf.selected])
        if not self.large_shows_unit:
            self.large_panel.title.setText(title)
            self.large_panel.title.setToolTip(f"This map's values run from {lo:.4g} to {hi:.4g}")
        self._mark_selected(lf)
        self._label_tiles(lf, net)
        self._show_unit(lf, title)
        stages = {**lf.stages, "to_pixels_ms": (time.perf_counter() - t0) * 1000}
        if self.mosaic_panel.canvas.isVisible():
            self._unpainted = (lf.stamp, stages)      # drawn once Qt has painted it (FrameStatsMixin)
        else:
            self._count_drawn(lf.stamp, {**stages, "paint_ms": float("nan")})

    def _mark_classified(self, lf) -> None:
        """The part of the picture the classifier sees, and its top 5."""
        if lf.probs is None:
            self.input_panel.set_marker(None, self.ctx.theme.accent)
            return
        h, w = lf.input.shape[:2]
        side = min(h, w) * (IMAGENET_CROP if is_real(lf.network) else 1.0)
        self.input_panel.set_marker(QRectF((w - side) / 2, (h - side) / 2, side, side), self.ctx.theme.accent)
        self.bars.set_rows(lf.top(5))

    def _on_runner_failed(self, _job: int, message: str, _exc) -> None:
        self.show_error(message, until_next_frame=True)
        if self.params.network != "kernels" and self.computer.network(self.params.network) is None:
            self.set_network("kernels")   # a network that cannot load: keep the lesson going

    def _label_tiles(self, lf, net) -> None:
        """Name each tile when there are few (the kernel bank); many maps are read by hovering."""
        labels = []
        if net is not None and lf.layout.count <= 16:
            for i in range(lf.layout.count):
                y, x = lf.layout.origin(i)
                labels.append((x, y, net.map_title(lf.layer, i)))
        self.mosaic_panel.set_labels(labels)

    def _mark_selected(self, lf) -> None:
        y, x = lf.layout.origin(lf.selected)
        self.mosaic_panel.set_marker(QRectF(x - 1, y - 1, lf.layout.tile_w + 2, lf.layout.tile_h + 2),
                                     self.ctx.theme.accent)
