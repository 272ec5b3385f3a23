"""The animator's side panel: preset, input, operation, stride, padding, dilation and export.

Widgets write to :class:`AnimatorState`; ``sync()`` writes the state back into the widgets with
their signals blocked, so a preset or a patch from the Convolution lab updates every control.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import channel_names
from desktopnn.ui.animator.state import (MAX_CHANNELS, MAX_DILATION, MAX_INPUT, MAX_PAD, MAX_STRIDE, MAX_WINDOW,
                                         OP_TITLES, PAD_MODES, PRESETS, AnimatorState)
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import Theme

PAD_TITLES = {"valid": "valid (none)", "same": "same (Keras)", "full": "full", "explicit": "explicit, per side"}


@contextmanager
def blocked(*widgets):
    olds = [w.blockSignals(True) for w in widgets]
    try:
        yield
    finally:
        for w, old in zip(widgets, olds):
            w.blockSignals(old)


def _spin(lo: int, hi: int, tip: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setToolTip(tip)
    s.setAccelerated(True)
    return s


def _pair_row(a: QWidget, b: QWidget, sep: str = "×") -> QWidget:
    w = QWidget()
    lay = QHBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(a)
    lay.addWidget(QLabel(sep))
    lay.addWidget(b)
    lay.addStretch(1)
    return w


class ControlsPanel(QWidget):
    """Every setting of the animator, bound to an :class:`AnimatorState`."""

    channel_changed = Signal(int)        # the channel shown on the grids
    export_requested = Signal(str)       # "gif", "mp4" or "png"
    cancel_requested = Signal()
    notice = Signal(str)

    def __init__(self, state: AnimatorState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        for build in (self._build_lesson, self._build_input, self._build_operation, self._build_moves,
                      self._build_export):
            lay.addWidget(build())
        lay.addStretch(1)
        state.changed.connect(self.sync)
        self.sync()

    # ---- building ------------------------------------------------------------------------------
    def _build_lesson(self) -> QGroupBox:
        box = QGroupBox("Lesson")
        form = QVBoxLayout(box)
        self.preset = QComboBox()
        self.preset.addItem("Your own settings")
        for p in PRESETS:
            self.preset.addItem(p.title)
        self.preset.setToolTip("Ready-made examples from the course notes: pooling 7×7 → 3×3, stride 1 vs 2, "
                               "'valid' vs 'same', dilation, several channels")
        self.preset.activated.connect(self._on_preset_activated)
        form.addWidget(self.preset)
        return box

    def _build_input(self) -> QGroupBox:
        box = QGroupBox("Input")
        form = QFormLayout(box)
        self.rows = _spin(1, MAX_INPUT, f"Rows of the input grid (1–{MAX_INPUT})")
        self.cols = _spin(1, MAX_INPUT, f"Columns of the input grid (1–{MAX_INPUT})")
        form.addRow("Size", _pair_row(self.rows, self.cols))
        self.channels = _spin(1, MAX_CHANNELS, "Channels of the input (3 for a colour image); a kernel has one "
                                               "slice per channel")
        form.addRow("Channels", self.channels)
        self.show_channel = QComboBox()
        self.show_channel.setToolTip("Which channel the grids show and the arithmetic writes out in full")
        form.addRow("Show", self.show_channel)
        self.random = QPushButton("Random numbers")
        self.random.setToolTip("Fill the input with random whole numbers from 0 to 9 "
                               "(or double-click a cell of the input to type a number)")
        self.random.clicked.connect(lambda: self.state.randomize_input())
        form.addRow(self.random)
        for s in (self.rows, self.cols, self.channels):
            s.valueChanged.connect(self._on_size_changed)
        self.show_channel.currentIndexChanged.connect(self._on_show_channel_changed)
        return box

    def _build_operation(self) -> QGroupBox:
        box = QGroupBox("Operation")
        form = QFormLayout(box)
        self.op = QComboBox()
        for key, title in OP_TITLES.items():
            self.op.addItem(title, key)
        self.op.setToolTip("Convolution multiplies by a kernel and adds (notes 2.3); pooling takes the maximum "
                           "or the average of each window (notes 2.7)")
        self.op.currentIndexChanged.connect(lambda _i: self.state.update(op=self.op.currentData()))
        form.addRow(self.op)
        self.win_rows = _spin(1, MAX_WINDOW, "Rows of the kernel or pooling window")
        self.win_cols = _spin(1, MAX_WINDOW, "Columns of the kernel or pooling window")
        self.win_label = QLabel("Kernel")
        form.addRow(self.win_label, _pair_row(self.win_rows, self.win_cols))
        for s in (self.win_rows, self.win_cols):
            s.valueChanged.connect(self._on_window_changed)
        self.kernel = NumberGrid(editable=True)
        self.kernel.setToolTip("The kernel's values for the channel on show: double-click or type to change one")
        self.kernel.set_cell_scale(0.8)
        self.kernel.value_edited.connect(self._on_kernel_edited)
        self.kernel.edit_rejected.connect(lambda _r, _c, msg: self.notice.emit(msg))
        self.kernel_row = form.rowCount()
        form.addRow(self.kernel)
        self.bias = QDoubleSpinBox()
        self.bias.setRange(-999, 999)
        self.bias.setDecimals(2)
        self.bias.setToolTip("Added once to every output value after the products are summed (notes 2.3)")
        self.bias.valueChanged.connect(lambda v: self.state.update(bias=float(v)))
        self.bias_label = QLabel("Bias")
        form.addRow(self.bias_label, self.bias)
        self.op_form = form
        return box

    def _build_moves(self) -> QGroupBox:
        box = QGroupBox("Stride, dilation, padding")
        form = QFormLayout(box)
        self.stride_r = _spin(1, MAX_STRIDE, "How many rows the window moves down between steps (notes 2.5)")
        self.stride_c = _spin(1, MAX_STRIDE, "How many columns the window moves right between steps (notes 2.5)")
        form.addRow("Stride", _pair_row(self.stride_r, self.stride_c))
        self.dil_r = _spin(1, MAX_DILATION, "Gap between the kernel's rows: 1 means none (convolution only)")
        self.dil_c = _spin(1, MAX_DILATION, "Gap between the kernel's columns: 1 means none (convolution only)")
        form.addRow("Dilation", _pair_row(self.dil_r, self.dil_c))
        for s in (self.stride_r, self.stride_c, self.dil_r, self.dil_c):
            s.valueChanged.connect(self._on_move_changed)
        self.pad_mode = QComboBox()
        for key in PAD_MODES:
            self.pad_mode.addItem(PAD_TITLES[key], key)
        self.pad_mode.setToolTip("valid: no padding; same: Keras pads so that output = ceil(input / stride), "
                                 "an odd extra row/column at the bottom/right; full: every partial overlap; "
                                 "explicit: choose each side")
        self.pad_mode.currentIndexChanged.connect(self._on_padding_changed)
        form.addRow("Padding", self.pad_mode)
        self.pads = [_spin(0, MAX_PAD, f"Padding cells on the {side}") for side in ("top", "bottom", "left", "right")]
        for s in self.pads:
            s.valueChanged.connect(self._on_padding_changed)
        form.addRow("Top, bottom", _pair_row(self.pads[0], self.pads[1], ","))
        form.addRow("Left, right", _pair_row(self.pads[2], self.pads[3], ","))
        return box

    def _build_export(self) -> QGroupBox:
        box = QGroupBox("Export")
        v = QVBoxLayout(box)
        row = QHBoxLayout()
        self.gif = QPushButton("GIF")
        self.gif.setToolTip("Save the whole animation as an animated GIF, in the current mode (normal or presentation)")
        self.mp4 = QPushButton("MP4")
        self.mp4.setToolTip("Save the whole animation as an MP4 video (needs the imageio-ffmpeg package)")
        self.png = QPushButton("PNG")
        self.png.setToolTip("Save the frame on show as a PNG image for a slide or a handout")
        for b, kind in ((self.gif, "gif"), (self.mp4, "mp4"), (self.png, "png")):
            b.clicked.connect(lambda _=False, k=kind: self.export_requested.emit(k))
            row.addWidget(b)
        v.addLayout(row)
        prow = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setToolTip("Progress of the export")
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the export; nothing is written")
        self.cancel.clicked.connect(self.cancel_requested)
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel)
        v.addLayout(prow)
        self.export_status = QLabel("")
        self.export_status.setWordWrap(True)
        v.addWidget(self.export_status)
        self.set_exporting(False)
        return box

    # ---- state -> widgets ----------------------------------------------------------------------
    def shown_channel(self) -> int:
        return max(0, self.show_channel.currentIndex())

    def sync(self) -> None:
        st = self.state
        h, w, chans = st.image.shape
        titles = [p.title for p in PRESETS]
        with blocked(self.preset):
            self.preset.setCurrentIndex(titles.index(st.preset_title) + 1 if st.preset_title in titles else 0)
        widgets = [self.rows, self.cols, self.channels, self.show_channel, self.op, self.win_rows, self.win_cols,
                   self.bias, self.stride_r, self.stride_c, self.dil_r, self.dil_c, self.pad_mode, *self.pads]
        with blocked(*widgets):
            self.rows.setValue(h)
            self.cols.setValue(w)
            self.channels.setValue(chans)
            names = [n or "the only channel" for n in channel_names(chans)]
            if [self.show_channel.itemText(i) for i in range(self.show_channel.count())] != names:
                keep = self.shown_channel()
                self.show_channel.clear()
                self.show_channel.addItems(names)
                self.show_channel.setCurrentIndex(min(keep, chans - 1))
            self.show_channel.setEnabled(chans > 1)
            self.op.setCurrentIndex(list(OP_TITLES).index(st.op))
            kh, kw = st.window
            self.win_rows.setValue(kh)
            self.win_cols.setValue(kw)
            self.bias.setValue(st.bias)
            self.stride_r.setValue(st.stride[0])
            self.stride_c.setValue(st.stride[1])
            self.dil_r.setValue(st.dilation[0])
            self.dil_c.setValue(st.dilation[1])
            self.pad_mode.setCurrentIndex(PAD_MODES.index(st.padding))
            pads = st.pads() or st.explicit
            for s, v in zip(self.pads, pads):
                s.setValue(v)
        conv = st.op == "conv"
        self.win_label.setText("Kernel" if conv else "Pool")
        for wdg in (self.kernel, self.bias, self.bias_label):
            wdg.setVisible(conv)
        for s in (self.dil_r, self.dil_c):
            s.setEnabled(conv)
            s.setToolTip(s.toolTip() if conv else "Keras pooling layers have no dilation: choose Convolution to use it")
        for s in self.pads:
            s.setEnabled(st.padding == "explicit")
        self.kernel.set_values(st.kernel[:, :, min(self.shown_channel(), chans - 1)])

    def apply_theme(self, theme: Theme) -> None:
        self.kernel.apply_theme(theme)
        self.setFixedWidth(max(340, round(theme.text_px * 17)))

    def set_exporting(self, busy: bool, text: str | None = None) -> None:
        for b in (self.gif, self.mp4, self.png):
            b.setEnabled(not busy)
        self.cancel.setEnabled(busy)
        self.progress.setVisible(busy)
        self.cancel.setVisible(busy)
        if not busy:
            self.progress.setValue(0)
        if text is not None:
            self.export_status.setText(text)

    # ---- widgets -> state ----------------------------------------------------------------------
    def _on_preset_activated(self, index: int) -> None:
        if index > 0:
            self.state.apply_preset(index - 1)

    def _on_size_changed(self) -> None:
        self.state.resize_input(self.rows.value(), self.cols.value(), self.channels.value())

    def _on_show_channel_changed(self, index: int) -> None:
        self.sync()
        self.channel_changed.emit(max(0, index))

    def _on_window_changed(self) -> None:
        if self.state.op == "conv":
            self.state.set_kernel_size(self.win_rows.value(), self.win_cols.value())
        else:
            self.state.update(pool=(self.win_rows.value(), self.win_cols.value()))

    def _on_kernel_edited(self, r: int, c: int, value: float) -> None:
        self.state.set_kernel_value(r, c, min(self.shown_channel(), self.state.image.shape[2] - 1), value)

    def _on_move_changed(self) -> None:
        self.state.update(stride=(self.stride_r.value(), self.stride_c.value()),
                          dilation=(self.dil_r.value(), self.dil_c.value()))

    def _on_padding_changed(self) -> None:
        mode = self.pad_mode.currentData()
        values = {"padding": mode}
        if mode == "explicit":
            values["explicit"] = tuple(s.value() for s in self.pads)
        self.state.update(**values)
