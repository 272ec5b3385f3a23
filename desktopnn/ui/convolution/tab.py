"""The Convolution lab: kernels slide over an image and each one makes a feature map (notes 2.1–2.3).

The tab wires three panels (input, kernel bank, feature maps) and an explanation of any output cell,
written out per channel, summed, plus bias, by :func:`desktopnn.engine.convolution.explain.explain_conv`. Every
recompute runs in a worker through :func:`desktopnn.engine.convolution.lab.recompute`, coalesced by a single-shot
timer so that typing and dragging stay smooth; the result slot only updates images and text.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
                               QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.engine.convolution.kernels import NOTES_308
from desktopnn.engine.convolution.lab import LabResult, recompute
from desktopnn.engine.convolution.padding import resolve_padding
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.convolution import scene
from desktopnn.ui.convolution.explain_panel import ExplainPanel
from desktopnn.ui.convolution.input_panel import InputPanel
from desktopnn.ui.convolution.kernel_bank import KernelBank
from desktopnn.ui.convolution.maps_panel import FeatureMapPanel
from desktopnn.ui.convolution.patches import input_patch, map_patch
from desktopnn.ui.convolution.presenter import PresenterMixin
from desktopnn.ui.convolution.state import (COLORMAPS, GRID_PRESETS, MAX_PAD_CELLS, MAX_STRIDE, PADDINGS, POLICIES,
                                            PRESET_308, THROTTLE_MS, default_kernels, default_sample)
from desktopnn.ui.lesson_scene import predict_hint_label
from desktopnn.ui.theme import Theme
from desktopnn.ui.widgets import compact_combo, flow_widget
from desktopnn.workers import LatestJobRunner

def _row(widgets: list[QWidget]) -> QWidget:
    """Keep a label with its control when the control bar wraps."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        lay.addWidget(w)
    return box


class ConvLabTab(PresenterMixin, LessonTab):
    """Kernels as feature detectors on photos or on grids of numbers (notes 2.1–2.3)."""

    name = "convolution"
    title = "Convolution lab"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self._theme: Theme = ctx.theme
        self._cmap_chosen = False
        self.result: LabResult | None = None
        self._applied_job = 0
        self._pinned: tuple[int, int, int] | None = None
        self._hover: tuple[int, int, int] | None = None
        self._titles: list[str] = []
        self._first_result = True
        self._job_titles: dict[int, list[str]] = {}
        self._predict = False
        self._revealed: set[tuple[int, int, int]] = set()   # cells whose value the class has seen
        self.runner = LatestJobRunner("conv-lab", self)
        self.runner.finished.connect(self._on_job_finished)
        self.runner.failed.connect(self._on_job_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THROTTLE_MS)
        self._timer.timeout.connect(self._submit)
        self._build()
        self.inputs.load_source(f"Photo: {default_sample(self.inputs.samples)}")
        self.bank.set_kernels(default_kernels())
        ctx.themes.theme_changed.connect(self.apply_theme)
        self.apply_theme(ctx.theme, force=True)

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.addWidget(self._build_bar(self._theme))
        self.predict_hint = predict_hint_label()
        root.addWidget(self.predict_hint)
        root.addWidget(self._build_panels(self._theme), 1)
        self._connect_panels()

    def _build_bar(self, t: Theme) -> QWidget:
        """The control bar: notes 2.3's preset, stride, padding, ReLU, colours, the depth-1 policy."""
        self.bar, bar = flow_widget(t.text_px)
        self.btn_308 = QPushButton(PRESET_308)
        self.btn_308.setToolTip("Load notes 2.3: the 5×5 RGB image, its 3×3×3 kernel, bias 1, padding 1, cell (0, 0)")
        self.btn_308.clicked.connect(self.load_notes_308)
        self.stride = QSpinBox()
        self.stride.setRange(1, MAX_STRIDE)
        self.stride.setToolTip("Stride: how far the kernel moves each step (notes 2.5)")
        self.padding = QComboBox()
        self.padding.addItems(PADDINGS)
        self.padding.setToolTip("valid: no padding; same: output as large as the input; full: every overlap; "
                                "cells: a ring of zeros that many cells wide (notes 2.6)")
        self.pad_cells = QSpinBox()
        self.pad_cells.setRange(0, MAX_PAD_CELLS)
        self.pad_cells.setEnabled(False)
        self.pad_cells.setToolTip("Padding cells: zeros added on every side when padding is 'cells' (notes 2.6)")
        self.relu = QCheckBox("ReLU")
        self.relu.setToolTip("Replace negative outputs by 0, as a Conv2D layer with activation='relu' does")
        self.cmap = compact_combo(QComboBox(), 8)
        self.cmap.addItems([c[0] for c in COLORMAPS])
        self.cmap.setToolTip("Colours of the feature maps; the bar beside each map gives the scale")
        for group in ([self.btn_308], [QLabel("stride"), self.stride], [QLabel("padding"), self.padding, self.pad_cells],
                      [self.relu], [QLabel("colours"), self.cmap], [self._build_policy_box()]):
            bar.addWidget(_row(group))
        for w, sig in ((self.stride, "valueChanged"), (self.pad_cells, "valueChanged"), (self.relu, "toggled"),
                       (self.policy, "currentIndexChanged")):
            getattr(w, sig).connect(self.schedule)
        self.padding.currentTextChanged.connect(self._on_padding_mode_changed)
        self.cmap.currentTextChanged.connect(self._on_cmap_chosen)
        return self.bar

    def _build_policy_box(self) -> QWidget:
        """How a depth-1 kernel meets a colour image (shown only when that happens, notes 2.2)."""
        self.policy_box = QWidget()
        pl = QHBoxLayout(self.policy_box)
        pl.setContentsMargins(0, 0, 0, 0)
        self.policy_label = QLabel("depth-1 kernel on colour:")
        self.policy = compact_combo(QComboBox(), 14)
        self.policy.addItems([p[0] for p in POLICIES])
        self.policy.setToolTip("Notes 2.2: a kernel's depth must equal the image's channels. A depth-1 kernel on "
                               "an RGB image either sees a grayscale copy, or is used on each channel and summed.")
        pl.addWidget(self.policy_label)
        pl.addWidget(self.policy)
        return self.policy_box

    def _build_panels(self, t: Theme) -> QSplitter:
        """Input, kernel bank and feature maps side by side, the explained cell below them."""
        self.inputs = InputPanel(t)
        self.bank = KernelBank(t)
        self.maps = FeatureMapPanel(t)
        self.explain = ExplainPanel(t)
        maps_box = QWidget()
        ml = QVBoxLayout(maps_box)
        ml.setContentsMargins(0, 0, 0, 0)
        head = QLabel("Feature maps (one per kernel)")
        head.setProperty("role", "heading")
        ml.addWidget(head)
        ml.addWidget(self.maps, 1)
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.inputs, self.bank, maps_box):
            self.top_split.addWidget(w)
        self.top_split.setSizes([620, 520, 780])
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.top_split)
        self.split.addWidget(self.explain)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        return self.split

    def _connect_panels(self) -> None:
        self.inputs.image_changed.connect(self._on_input_changed)
        self.inputs.message.connect(self.show_message)
        self.bank.changed.connect(self.schedule)
        self.bank.message.connect(self.show_message)
        self.maps.cell_hovered.connect(self._on_map_cell_hovered)
        self.maps.cell_clicked.connect(self._on_map_cell_clicked)
        self.explain.send_input.clicked.connect(self.send_input_patch)
        self.explain.send_map.clicked.connect(self.send_map_patch)

    # ---- LessonTab -----------------------------------------------------------------------
    def accepts_images(self) -> bool:
        return True

    def open_image(self, path: str) -> bool:
        return self.inputs.open_path(path)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Run any coalesced edit now, wait for the worker and deliver its result (tests, screenshots)."""
        deadline = time.monotonic() + timeout
        while True:
            if self._timer.isActive():
                self._timer.stop()
                self._submit()
            ok = self.runner.wait_idle(max(0.0, deadline - time.monotonic()))
            QCoreApplication.processEvents()   # deliver the queued result to the slot
            if not ok or (not self._timer.isActive() and not self.runner.busy):
                return ok

    def is_busy(self) -> bool:
        return self._timer.isActive() or self.runner.busy

    def shutdown(self) -> None:
        self._timer.stop()
        self.runner.shutdown()

    def apply_theme(self, theme: Theme, force: bool = False) -> None:
        if theme is self._theme and not force:
            return
        self._theme = theme
        self.inputs.apply_theme(theme)
        self.bank.apply_theme(theme)
        self.maps.apply_theme(theme)
        self.explain.apply_theme(theme)
        self.bar.layout().set_gap(theme.text_px)
        total = max(self.top_split.width(), 1200)
        parts = (0.25, 0.27, 0.48) if theme.presentation else (0.3, 0.27, 0.43)
        self.top_split.setSizes([round(total * f) for f in parts])
        if not self._cmap_chosen:
            label = next((c[0] for c in COLORMAPS if c[1] == theme.colormap), "viridis")
            self.cmap.blockSignals(True)
            self.cmap.setCurrentText(label)
            self.cmap.blockSignals(False)
            self.maps.set_colormap(label)

    def scene_state(self) -> dict:
        return scene.scene_state(self)    # the settings are saved as set; the cell is clamped on apply

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    # ---- parameters ----------------------------------------------------------------------
    def padding_spec(self):
        mode = self.padding.currentText()
        return self.pad_cells.value() if mode == "cells" else mode

    def policy_value(self) -> str:
        return POLICIES[self.policy.currentIndex()][1]

    def set_policy(self, policy: str) -> None:
        self.policy.setCurrentIndex([p[1] for p in POLICIES].index(policy))

    def set_padding(self, spec) -> None:
        """"valid", "same", "full" or a number of cells."""
        if isinstance(spec, str):
            self.padding.setCurrentText(spec)
        else:
            self.pad_cells.setValue(int(spec))
            self.padding.setCurrentText("cells")

    def _on_padding_mode_changed(self, mode: str) -> None:
        self.pad_cells.setEnabled(mode == "cells")
        self.schedule()

    def colormap_choice(self) -> str | None:
        """The colours a person (or a scene) chose for the maps, or None while they follow the theme."""
        return self.cmap.currentText() if self._cmap_chosen else None

    def choose_colormap(self, label: str | None) -> None:
        """Colour the maps with ``label`` from now on, whatever the theme; None: follow the theme again."""
        if label is None:
            self._cmap_chosen = False
            self.apply_theme(self._theme, force=True)
        else:
            self.cmap.setCurrentText(label)
            self._on_cmap_chosen(label)

    def _on_cmap_chosen(self, label: str) -> None:
        self._cmap_chosen = True
        self.maps.set_colormap(label)

    def _on_input_changed(self) -> None:
        self._update_policy_visibility()
        self.schedule()

    def _update_policy_visibility(self) -> None:
        rgb = self.inputs.image.ndim == 3
        flat = any(np.ndim(k.values) == 2 for k in self.bank.kernels())
        self.policy_box.setVisible(rgb and flat)

    # ---- recompute -------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        """Ask for a recompute; edits within THROTTLE_MS are coalesced into one job."""
        if not self._timer.isActive():
            self._timer.start()

    def _submit(self) -> int:
        self._update_policy_visibility()
        self._revealed.clear()      # new numbers: the class has seen none of them
        kernels = self.bank.kernels()
        job = self.runner.submit(recompute, np.array(self.inputs.image, copy=True), [k.values for k in kernels],
                                 [k.bias for k in kernels], self.stride.value(), self.padding_spec(),
                                 self.relu.isChecked(), self.policy_value())
        self._job_titles = {j: t for j, t in self._job_titles.items() if j >= self._applied_job}
        self._job_titles[job] = [f"{i + 1}. {k.name}" for i, k in enumerate(kernels)]
        return job

    def _on_job_finished(self, job: int, result: LabResult) -> None:
        if job < self._applied_job:
            return
        self._applied_job = job
        self.result = result
        self._titles = self._job_titles.pop(job, [f"{i + 1}." for i in range(len(result.maps))])
        self.maps.set_maps(result.maps, self._titles)
        self.inputs.show_values_of(result.image[:, :, 0] if result.image.shape[2] == 1 else None)
        self.explain.clear_error()
        if self._first_result:   # start with an explained cell on screen, in the middle of map 1
            self._first_result = False
            if self._pinned is None and result.maps:
                h, w = result.maps[0].shape
                self._pinned = (0, h // 2, w // 2)
        for sel in ("_pinned", "_hover"):
            k, r, c = getattr(self, sel) or (-1, -1, -1)
            if k >= len(result.maps) or (k >= 0 and not (r < result.maps[k].shape[0] and c < result.maps[k].shape[1])):
                setattr(self, sel, None)
        if self._pinned is None and result.maps:   # a new, smaller image: explain its middle cell instead
            h, w = result.maps[0].shape
            self._pinned = (0, h // 2, w // 2)
        self._show_selection()

    def _on_job_failed(self, job: int, message: str, _exc) -> None:
        if job >= self._applied_job:
            self.explain.show_error(f"Cannot compute the feature maps: {message}. The last maps stay on screen.")

    def show_message(self, text: str) -> None:
        self.explain.show_error(text)
        self.notice.emit(text)

    # ---- explaining a cell ------------------------------------------------------------------
    def _on_map_cell_hovered(self, k: int, r: int, c: int) -> None:
        hover = (k, r, c) if k >= 0 else None
        if hover != self._hover:
            self._hover = hover
            self._show_selection()

    def _on_map_cell_clicked(self, k: int, r: int, c: int) -> None:
        self.select_cell(k, r, c)

    def select_cell(self, k: int, r: int, c: int) -> None:
        """Pin output cell (r, c) of feature map ``k``: its explanation stays until another click."""
        self._pinned = (k, r, c)
        self._show_selection()

    def current_cell(self) -> tuple[int, int, int] | None:
        return self._hover or self._pinned

    def _show_selection(self) -> None:
        res, cell = self.result, self.current_cell()
        k = cell[0] if cell else 0
        if res is not None and k < len(res.kernels):
            try:
                pad = resolve_padding(res.padding, res.image.shape[:2], res.kernels[k].shape[:2],
                                      (res.stride, res.stride))
            except ValueError:
                pad = (0, 0, 0, 0)
            self.inputs.set_padding(pad)
        if res is None or cell is None:
            self.maps.mark_cell(-1, -1, -1)
            self.maps.set_hidden_cell(-1, -1, -1)
            self.inputs.set_receptive_field(None)
            self.bank.select(-1)
            self.explain.show_hint()
            return
        k, r, c = cell
        hide = self._predict and cell not in self._revealed
        ex = self.explain.explain(res, k, r, c, self._titles[k] if k < len(self._titles) else f"kernel {k + 1}",
                                  gray=self.inputs.image.ndim == 3 and res.image.shape[2] == 1, hide=hide)
        self.maps.mark_cell(k, r, c)
        self.maps.set_hidden_cell(*(cell if hide else (-1, -1, -1)))
        self.inputs.set_receptive_field(ex.cells)
        self.bank.select(k)

    # ---- presets and the animator --------------------------------------------------------
    def load_notes_308(self) -> None:
        """Notes 2.3: 5×5 RGB image, 3×3×3 kernel, bias 1, padding 1; cell (0, 0) gives R = 308, total -25."""
        self.inputs.set_grid_image(NOTES_308["image"], next(k for k in GRID_PRESETS if "2.3" in k))
        self.bank.set_kernels([NOTES_308["kernel"]])
        self.stride.setValue(1)
        self.relu.setChecked(False)
        self.set_padding(NOTES_308["padding"])
        self._hover = None
        self.select_cell(0, *NOTES_308["cell"])
        self.schedule()

    def send_input_patch(self) -> None:
        """Up to 12×12 input numbers around the selected cell's window, to the animator tab."""
        res = self.result
        if res is None:
            return
        patch, r0, c0 = input_patch(res, *(self.current_cell() or (0, 0, 0)))
        self._send(patch, f"{self.inputs.source}: input rows {r0}–{r0 + patch.shape[0] - 1}, "
                          f"cols {c0}–{c0 + patch.shape[1] - 1}")

    def send_map_patch(self) -> None:
        """Up to 12×12 values of the selected feature map around the selected cell, to the animator."""
        res = self.result
        if res is None:
            return
        k, r, c = self.current_cell() or (0, 0, 0)
        patch, r0, c0 = map_patch(res, k, r, c)
        self._send(patch, f"feature map {self._titles[k]}: rows {r0}–{r0 + patch.shape[0] - 1}, "
                          f"cols {c0}–{c0 + patch.shape[1] - 1}")

    def _send(self, patch: np.ndarray, description: str) -> None:
        self.ctx.bus.patch_for_animator.emit(patch, description)
        self.ctx.bus.show_tab.emit("animator")
        self.notice.emit(f"Sent {patch.shape[0]}×{patch.shape[1]} numbers to the animator ({fmt_num(patch.size)} values)")
