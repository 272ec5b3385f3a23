"""Live feature maps (notes 2.2, 2.13): what every filter of a CNN responds to, frame by frame.

Capture → worker (latest frame wins: frames that arrive while it is busy replace each other and are
never queued) → draw. The UI thread only hands frames over and calls ``setImage``.
"""

from __future__ import annotations

import collections
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from desktopnn.sources import LiveInput
from desktopnn.sources.base import capture_time
from desktopnn.sources.video import VIDEO_FILTER
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.live import scene
from desktopnn.ui.live.controls import build_ui
from desktopnn.ui.live.jobs import LiveComputer
from desktopnn.ui.live.readout import ReadoutMixin
from desktopnn.ui.live.state import DEFAULT_LAYER, LAYERS, SIZES, LiveParams, network_tip
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner


class LiveTab(ReadoutMixin, LessonTab):
    name = "live"
    title = "Live feature maps"
    live = True

    frame_drawn = Signal(float)      # capture-to-screen latency of the frame just drawn, in ms

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.params = LiveParams()
        self.computer = LiveComputer()
        self.runner = LatestJobRunner("live", self)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
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

    # ---- building ------------------------------------------------------------------------------
    def fill_sources(self, cams: list[tuple[bytes, str]]) -> None:
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

    # ---- LessonTab -----------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        for panel in (self.input_panel, self.large_panel, self.mosaic_panel):
            panel.apply_theme(theme)
        self.bars.apply_theme(theme)
        self.info.setFont(theme.font(0.85 if theme.presentation else 1.0, mono=True))
        self.info.setMinimumHeight(round(theme.text_px * 1.4 * 5))
        self.side.setMinimumWidth(theme.text_px * 12)
        self._frames_mark = self.frames_drawn     # the next drawn frame carries the new look

    def mark_source_chosen(self) -> None:
        """A scene (or the person) has chosen the source: activating the tab keeps it, no default."""
        self._started_default = True

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

    # ---- issue 9: live video has no steps; scenes (desktopnn.ui.live.scene) ----------------------
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
        self.runner.shutdown(timeout=1.0)

    # ---- state ---------------------------------------------------------------------------------
    def set_params(self, recompute: bool = True, **changes) -> None:
        """Change the view's choices (LiveParams fields); a frozen picture is recomputed with them."""
        self.params = self.params.but(**changes)
        if recompute and self.frozen and self.last_frame is not None:
            self._submit(self.last_frame, fresh=True)

    def set_network(self, key: str) -> None:
        i = self.net_box.findData(key)
        if i < 0:
            raise ValueError(f"no network {key!r}")
        self.net_box.setCurrentIndex(i)

    def set_size(self, size: tuple[int, int]) -> None:
        self.size_box.setCurrentIndex(SIZES.index(tuple(size)))

    def set_layer(self, layer: str) -> None:
        """Show ``layer`` of the current network (its picker follows with the next frame)."""
        if layer != self.params.layer:
            self.set_params(layer=layer, selected=0)

    def show_choices(self, network: str, layer: str, size: tuple[int, int], normalise: str, colormap: str) -> None:
        """Set the pickers to these choices without acting on them (a scene sets the state itself)."""
        boxes = (self.net_box, self.size_box, self.norm_box, self.cmap_box, self.layer_box)
        for b in boxes:
            b.blockSignals(True)
        self.net_box.setCurrentIndex(self.net_box.findData(network))
        self.size_box.setCurrentIndex(SIZES.index(tuple(size)))
        self.norm_box.setCurrentIndex(self.norm_box.findData(normalise))
        self.cmap_box.setCurrentIndex(self.cmap_box.findData(colormap))
        if [self.layer_box.itemData(i) for i in range(self.layer_box.count())] != LAYERS[network]:
            self.layer_box.clear()
            self.layer_box.addItem(layer, layer)
        self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(layer)))
        for b in boxes:
            b.blockSignals(False)

    def set_frozen(self, on: bool) -> None:
        self.frozen = bool(on)
        if self.freeze_button.isChecked() != self.frozen:
            self.freeze_button.setChecked(self.frozen)
        self.freeze_button.setText("Frozen: Space to go on" if self.frozen else "Freeze (Space)")
        self.mosaic_panel.title.setText("All maps of the layer (frozen)" if self.frozen else "All maps of the layer")

    def _submit(self, frame: np.ndarray, stamp: float | None = None, fresh: bool = False) -> None:
        """Hand ``frame`` to the worker (latest wins); ``stamp`` is its capture time, ``fresh`` forces
        a new classification (a frozen picture recomputed with changed settings)."""
        params = self.params
        aspect = self.mosaic_panel.aspect()
        if abs(aspect - params.aspect) > 0.05:
            params = self.params = params.but(aspect=round(aspect, 2))
        self.runner.submit(self.computer.run, frame, time.perf_counter() if stamp is None else stamp, params, fresh)

    def update_about(self) -> None:
        """The network's description and, for a classifier, its top-5 bars."""
        key = self.params.network
        self.net_about.setText(network_tip(key))
        self.top_title.setVisible(key == "notes_cnn")
        self.bars.setVisible(key == "notes_cnn")

    # ---- controls ------------------------------------------------------------------------------
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

    def _on_net_box_changed(self, _index: int) -> None:
        key = self.net_box.currentData()
        layer = DEFAULT_LAYER[key]
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItem(layer, layer)
        self.layer_box.blockSignals(False)
        self.set_params(network=key, layer=layer, selected=0)
        self.update_about()

    def _on_layer_box_changed(self, _index: int) -> None:
        layer = self.layer_box.currentData()
        if layer and layer != self.params.layer:
            self.set_params(layer=layer, selected=0)

    def _on_size_box_changed(self, _index: int) -> None:
        size = self.size_box.currentData()
        self.input.demo.set_size(size)
        self.set_params(size=tuple(size))

    def _on_norm_box_changed(self, _index: int) -> None:
        self.set_params(normalise=self.norm_box.currentData())

    def _on_cmap_box_changed(self, _index: int) -> None:
        self.set_params(colormap=self.cmap_box.currentData())

    # ---- sources -------------------------------------------------------------------------------
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

    def sync_source_box(self) -> None:
        if self.input.on_demo():
            self.source_box.setCurrentIndex(0)
            self.camres_box.clear()
            self.camres_box.addItem("camera only", None)
            self.camres_box.setEnabled(False)

    # ---- results -------------------------------------------------------------------------------
    def _on_runner_finished(self, _job: int, lf) -> None:
        if self._shut:
            return
        t0 = time.perf_counter()
        self.error.setVisible(False)
        self.result = lf
        self.input_panel.set_rgb(lf.input)
        self.mosaic_panel.set_rgb(lf.mosaic)
        self.large_panel.set_rgb(lf.large)
        if lf.probs is not None:
            h, w = lf.input.shape[:2]
            side = min(h, w)
            self.input_panel.set_marker(QRectF((w - side) / 2, (h - side) / 2, side, side), self.ctx.theme.accent)
            self.bars.set_rows(lf.top(5))
        else:
            self.input_panel.set_marker(None, self.ctx.theme.accent)
        self._sync_layers(lf)
        net = self.computer.network(lf.network)
        title = net.map_title(lf.layer, lf.selected) if net is not None else f"map {lf.selected + 1}"
        lo, hi = float(lf.lows[lf.selected]), float(lf.highs[lf.selected])
        self.large_panel.title.setText(title)
        self.large_panel.title.setToolTip(f"This map's values run from {lo:.4g} to {hi:.4g}")
        self._mark_selected(lf)
        self._label_tiles(lf, net)
        stages = {**lf.stages, "to_pixels_ms": (time.perf_counter() - t0) * 1000}
        if self.mosaic_panel.canvas.isVisible():
            self._unpainted = (lf.stamp, stages)      # drawn once Qt has painted it (_on_canvas_painted)
        else:
            self._count_drawn(lf.stamp, {**stages, "paint_ms": float("nan")})

    def _on_canvas_painted(self, paint_ms: float) -> None:
        """The mosaic's pixels are on screen: the frame set last counts as drawn, its latency measured."""
        if self._unpainted is not None:
            stamp, stages = self._unpainted
            self._unpainted = None
            self._count_drawn(stamp, {**stages, "paint_ms": paint_ms})

    def _count_drawn(self, stamp: float, stages: dict) -> None:
        now = time.perf_counter()
        latency = (now - stamp) * 1000
        self.stage_log.append(stages)
        self.latencies.append(latency)
        self._fps_times.append(now)
        self.frames_drawn += 1
        if self.frames_drawn == 1:
            self._on_fps_timer_timeout()            # replace "starting…" at once
        self.frame_drawn.emit(latency)

    def _on_runner_failed(self, _job: int, message: str, _exc) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.notice.emit(message)
        if self.params.network != "kernels" and self.computer.network(self.params.network) is None:
            self.set_network("kernels")   # a network that cannot load: keep the lesson going

    def _sync_layers(self, lf) -> None:
        layers = lf.extra.get("layers", [])
        if [self.layer_box.itemData(i) for i in range(self.layer_box.count())] == [n for n, _ in layers]:
            return
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for name, count in layers:
            self.layer_box.addItem(f"{name} · {count} maps", name)
        self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(lf.layer)))
        self.layer_box.blockSignals(False)

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

    def _on_fps_timer_timeout(self) -> None:
        times = self._fps_times
        now = time.perf_counter()
        while times and now - times[0] > 2.0:
            times.popleft()
        window = min(2.0, now - self._active_since) if self._active_since else 2.0
        measured = window >= 0.5 or self.frozen
        fps = len(times) / window if measured and not self.frozen else 0.0   # frames drawn per second
        lat = sorted(self.latencies)
        text = f"{fps:.0f} frames per second" if measured else "measuring frames per second…"
        if lat:
            text += f"\nlatency {lat[len(lat) // 2]:.0f} ms (p95 {lat[min(len(lat) - 1, int(len(lat) * 0.95))]:.0f})"
        if self.result is not None:
            text += f"\ncompute {self.result.compute_ms:.0f} ms\n{self.input.current.name}"
        self.stats.setText(text)
        if measured:
            self.fps_changed.emit(fps)
