"""Why convolution (notes 2.4): move the input and the feature map moves with it; count the parameters.

The student shifts the input by (dx, dy); the strongest response of the chosen detector is marked on
the input and on the feature map, and moves by the same offset. Beside it, the parameter count of
this convolution layer against a dense layer joining the same input to an output of the same size.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLayout, QPushButton,
                               QScrollArea, QSlider, QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.engine.convolution.shift import ParamCounts, ShiftResult
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import Theme
from desktopnn.ui.why import scene
from desktopnn.ui.why.image_panel import ImagePanel
from desktopnn.ui.why.jobs import shift_job
from desktopnn.ui.why.state import (KERNEL_CHOICES, MAX_KERNELS, MAX_SHIFT, MIN_KERNELS, STEP, WhyChoice,
                                    param_counts, source_names)
from desktopnn.workers import LatestJobRunner

__all__ = ["STEP", "WhyConvTab"]   # STEP is the lesson's, in state.py; it stays importable from here


class WhyConvTab(LessonTab):
    """Notes 2.4: features are found wherever they are, by a handful of shared weights."""

    name = "why"
    title = "Why convolution (2.4)"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.result: ShiftResult | None = None
        self._shown_job = 0
        self.runner = LatestJobRunner("why-conv", self)
        self.runner.finished.connect(self._on_job_finished)
        self.runner.failed.connect(self._on_job_failed)
        self._build()
        self.apply_theme(ctx.theme)
        self._update_params()
        self._on_shift_changed()

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        top.addLayout(self._build_controls(), 1)
        top.addSpacing(16)
        top.addLayout(self._build_arrows())
        top.addSpacing(16)
        top.addWidget(self.kernel_grid, 0, Qt.AlignmentFlag.AlignTop)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addLayout(self._build_pictures(), 1)
        left.addWidget(self.legend_label)
        self.outer = QHBoxLayout(self)
        self.outer.addLayout(left, 3)
        self.outer.addWidget(self._build_side(), 2)
        self.source_combo.currentTextChanged.connect(lambda _t: self.recompute())
        self.kernel_combo.currentTextChanged.connect(self._on_kernel_changed)

    def _build_controls(self) -> QLayout:
        """The input picture, the detector (and its numbers) and the dx, dy sliders."""
        controls = QGridLayout()
        self.source_combo = QComboBox()
        self.source_combo.addItems(source_names())
        self.source_combo.setToolTip("The picture to move: synthetic shapes or a bundled photo (as grayscale)")
        self.kernel_combo = QComboBox()
        self.kernel_combo.addItems(KERNEL_CHOICES)
        self.kernel_combo.setToolTip("The feature detector (kernel) slid over the input")
        for combo in (self.source_combo, self.kernel_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)
        self.kernel_grid = NumberGrid(KERNEL_PRESETS[KERNEL_CHOICES[0]].values)
        self.kernel_grid.setToolTip("The kernel's numbers")
        self.sliders: dict[str, QSlider] = {}
        self.slider_labels: dict[str, QLabel] = {}
        for axis, tip in (("dx", "Move the input right (+) or left (−), in pixels"),
                          ("dy", "Move the input down (+) or up (−), in pixels")):
            s = QSlider(Qt.Orientation.Horizontal)
            s.setRange(-MAX_SHIFT, MAX_SHIFT)
            s.setToolTip(tip)
            s.valueChanged.connect(self._on_shift_changed)
            self.sliders[axis] = s
            self.slider_labels[axis] = QLabel()
        controls.addWidget(QLabel("Input:"), 0, 0)
        controls.addWidget(self.source_combo, 0, 1)
        controls.addWidget(QLabel("Detector:"), 1, 0)
        controls.addWidget(self.kernel_combo, 1, 1)
        for row, axis in enumerate(("dx", "dy"), start=2):
            controls.addWidget(self.slider_labels[axis], row, 0)
            controls.addWidget(self.sliders[axis], row, 1)
        controls.setColumnStretch(1, 1)
        return controls

    def _build_arrows(self) -> QLayout:
        """Four arrows that move the input STEP pixels, and a 0 that puts it back."""
        arrows = QGridLayout()
        for text, (ddx, ddy), (r, c), tip in (("↑", (0, -STEP), (0, 1), "up"), ("←", (-STEP, 0), (1, 0), "left"),
                                              ("→", (STEP, 0), (1, 2), "right"), ("↓", (0, STEP), (2, 1), "down")):
            b = QPushButton(text)
            b.setToolTip(f"Move the input {STEP} pixels {tip}")
            b.clicked.connect(lambda _=False, ddx=ddx, ddy=ddy: self.nudge(ddx, ddy))
            arrows.addWidget(b, r, c)
        centre = QPushButton("0")
        centre.setToolTip("Put the input back where it started: shift (0, 0)")
        centre.clicked.connect(lambda: self.set_shift(0, 0))
        arrows.addWidget(centre, 1, 1)
        self.arrow_buttons = [arrows.itemAt(i).widget() for i in range(arrows.count())]
        return arrows

    def _build_pictures(self) -> QLayout:
        """The moved input and its feature map side by side, with the rings' legend below."""
        self.input_panel = ImagePanel("Input")
        self.map_panel = ImagePanel("Feature map")
        pictures = QHBoxLayout()
        pictures.addWidget(self.input_panel, 1)
        pictures.addWidget(self.map_panel, 1)
        self.legend_label = QLabel("Solid ring: the strongest response now. Dashed ring: where it was before "
                                   "the shift.")
        self.legend_label.setWordWrap(True)
        return pictures

    def _build_side(self) -> QScrollArea:
        """How far the map moved, then the parameter count of K kernels against a dense layer."""
        right = QVBoxLayout()
        self.shift_heading = _label("Move the input, the map moves with it", "heading")
        self.shift_label = _label("Computing…", "good")
        self.detail_label = _label("")
        right.addWidget(self.shift_heading)
        right.addWidget(self.shift_label)
        right.addWidget(self.detail_label)
        right.addSpacing(12)
        right.addWidget(_label("How many numbers does the layer learn?", "heading"))
        k_row = QHBoxLayout()
        k_row.addWidget(QLabel("Kernels in the layer (K):"))
        self.k_spin = QSpinBox()
        self.k_spin.setRange(MIN_KERNELS, MAX_KERNELS)
        self.k_spin.setToolTip("How many kernels (feature maps) the layer has; the picture shows one of them")
        self.k_spin.valueChanged.connect(self._update_params)
        k_row.addWidget(self.k_spin)
        k_row.addStretch(1)
        right.addLayout(k_row)
        self.conv_label = _label("", "mono")
        self.dense_label = _label("", "mono")
        self.ratio_label = _label("", "heading")
        self.params_note = _label("")
        for lab in (self.conv_label, self.dense_label, self.ratio_label, self.params_note):
            right.addWidget(lab)
        right.addStretch(1)
        panel = QWidget()
        panel.setLayout(right)
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidget(panel)
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        return self.side_scroll

    # ---- actions -------------------------------------------------------------------------
    def shift(self) -> tuple[int, int]:
        return self.sliders["dx"].value(), self.sliders["dy"].value()

    def set_shift(self, dx: int, dy: int) -> None:
        for axis, v in (("dx", dx), ("dy", dy)):
            self.sliders[axis].blockSignals(True)
            self.sliders[axis].setValue(int(np.clip(v, -MAX_SHIFT, MAX_SHIFT)))
            self.sliders[axis].blockSignals(False)
        self._on_shift_changed()

    def nudge(self, ddx: int, ddy: int) -> None:
        dx, dy = self.shift()
        self.set_shift(dx + ddx, dy + ddy)

    def choice(self) -> WhyChoice:
        """What is on show, as a scene saves it."""
        dx, dy = self.shift()
        return WhyChoice(self.source_combo.currentText(), self.kernel_combo.currentText(), dx, dy,
                         self.k_spin.value())

    def set_choice(self, choice: WhyChoice) -> None:
        """Show ``choice`` (already checked): the boxes change quietly, then one recompute for the shift."""
        for w in (self.source_combo, self.kernel_combo, self.k_spin):
            w.blockSignals(True)
        self.source_combo.setCurrentText(choice.source)
        self.kernel_combo.setCurrentText(choice.kernel)
        self.k_spin.setValue(choice.kernels)
        for w in (self.source_combo, self.kernel_combo, self.k_spin):
            w.blockSignals(False)
        self.kernel_grid.set_values(KERNEL_PRESETS[choice.kernel].values)
        self._update_params()
        self.set_shift(choice.dx, choice.dy)          # recomputes in the worker

    def recompute(self) -> None:
        self.runner.submit(shift_job, self.choice())

    def param_counts(self) -> ParamCounts:
        return param_counts(self.kernel_combo.currentText(), self.k_spin.value())

    # ---- slots ---------------------------------------------------------------------------
    def _on_shift_changed(self, _value: int = 0) -> None:
        dx, dy = self.shift()
        self.slider_labels["dx"].setText(f"dx = {dx:+d}" if dx else "dx = 0")
        self.slider_labels["dy"].setText(f"dy = {dy:+d}" if dy else "dy = 0")
        self.recompute()

    def _on_kernel_changed(self, name: str) -> None:
        self.kernel_grid.set_values(KERNEL_PRESETS[name].values)
        self._update_params()
        self.recompute()

    def _on_job_finished(self, job_id: int, result: ShiftResult) -> None:
        if job_id < self._shown_job:
            return
        self._shown_job = job_id
        self.result = result
        self._draw()

    def _on_job_failed(self, _job_id: int, message: str, _exc) -> None:
        self.shift_label.setText(message)
        self._set_role(self.shift_label, "error")
        self.notice.emit(message)

    @staticmethod
    def _set_role(label: QLabel, role: str) -> None:
        label.setProperty("role", role)
        label.style().unpolish(label)
        label.style().polish(label)

    # ---- drawing -------------------------------------------------------------------------
    def _draw(self) -> None:
        res = self.result
        if res is None:
            return
        kh, kw = res.kernel.shape[:2]
        (r, c), (r0, c0) = res.peak, res.still_peak
        # a map cell (r, c) looks at input rows r..r+kh-1: mark the centre of that window
        self.input_panel.display(res.image, (0.0, 255.0), (c + kw / 2, r + kh / 2), (c0 + kw / 2, r0 + kh / 2))
        lo, hi = float(res.still_map.min()), float(res.still_map.max())
        self.map_panel.display(res.feature_map, (lo, hi if hi > lo else lo + 1),
                               (c + 0.5, r + 0.5), (c0 + 0.5, r0 + 0.5))
        h, w = res.image.shape
        oh, ow = res.feature_map.shape
        self.input_panel.title.setText(f"Input {w}×{h}, moved by ({res.dx}, {res.dy})")
        self.map_panel.title.setText(f"Feature map {ow}×{oh} · {res.kernel_name}")
        mdx, mdy = res.moved_by
        same = (mdx, mdy) == (res.dx, res.dy)
        self.shift_label.setText(f"input moved by ({res.dx}, {res.dy}) → feature map moved by ({mdx}, {mdy})")
        self._set_role(self.shift_label, "good" if same else "error")
        self.detail_label.setText(
            f"Strongest response at ({c0}, {r0}) before, ({c}, {r}) now (x right, y down).\n"
            f"Every value moved with it: largest difference between the map of the moved input and "
            f"the moved map = {res.error:g}. The same kernel slides over every position, so it finds "
            f"the feature wherever it is. Map colours: {lo:g} (dark) to {hi:g} (bright).")

    def _update_params(self, _value: int = 0) -> None:
        p = self.param_counts()
        self.conv_label.setText("conv: " + " ".join(p.conv_lines()))
        self.dense_label.setText(f"dense ({p.h}×{p.w}×{p.c} in, {p.out_h}×{p.out_w}×{p.k} out):\n"
                                 + "\n".join(p.dense_lines()))
        self.ratio_label.setText(f"The dense layer needs {p.ratio:,.0f}× as many parameters")
        megabytes = p.dense * 4 / 1e6
        size = f"{megabytes / 1000:,.1f} GB" if megabytes >= 1000 else f"{megabytes:,.1f} MB"
        self.params_note.setText(
            f"That is {size} of float32 weights against {p.conv * 4:,} bytes. The conv layer shares its "
            f"{p.conv:,} numbers across all {p.out_h * p.out_w:,} positions (shared weights, notes 2.4); a "
            f"dense layer learns separate weights for every input-output pair.")

    def apply_theme(self, theme: Theme) -> None:
        lut = pg.colormap.get(theme.colormap).getLookupTable(nPts=256)
        gray = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
        self.input_panel.restyle(theme, gray)
        self.map_panel.restyle(theme, lut)
        self.kernel_grid.apply_theme(theme)
        self.kernel_grid.set_cell_scale(max(0.8, (2.0 * theme.text_px + 10) / theme.cell_px))
        for lab in (self.detail_label, self.params_note, self.shift_label, self.ratio_label):
            lab.setWordWrap(True)
        big = round(theme.text_px * (1.25 if theme.presentation else 1.4))
        self.shift_label.setStyleSheet(f"font-size: {big}px;")
        self.side_scroll.setMinimumWidth(22 * theme.text_px)
        self.outer.setStretch(0, 1 if theme.presentation else 3)
        self.outer.setStretch(1, 1 if theme.presentation else 2)
        for s in self.sliders.values():
            s.setMinimumWidth(8 * theme.text_px)
        for b in self.arrow_buttons:
            b.setFixedSize(round(theme.text_px * 2.2), round(theme.text_px * 2.0))
        self._draw()

    # ---- LessonTab -----------------------------------------------------------------------
    # Nothing here is animated: the clicker's step() is the base class's False, and there is no value
    # to predict.
    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.runner.wait_idle(timeout)

    def is_busy(self) -> bool:
        return self.runner.busy

    def shutdown(self) -> None:
        self.runner.shutdown()


def _label(text: str, role: str = "") -> QLabel:
    lab = QLabel(text)
    if role:
        lab.setProperty("role", role)
    lab.setWordWrap(True)
    return lab
