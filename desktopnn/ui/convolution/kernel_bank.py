"""The kernel bank: every kernel is an m×n×depth stack of numbers with its own bias (notes 2.2, 2.3).

Each kernel is drawn as one editable NumberGrid per channel. A typed value that is not a number is
refused with a message and the old value stays (DESIGN rule 5).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import channel_names, fmt_num
from desktopnn.engine.convolution.kernels import EXERCISE_KERNELS, KERNEL_PRESETS, NOTES_308, Kernel
from desktopnn.ui.convolution.state import MAX_KERNELS, MAX_SIDE
from desktopnn.ui.widgets import compact_combo, flow_widget
from desktopnn.ui.grid import NumberGrid, parse_number
from desktopnn.ui.theme import Theme


def all_presets() -> dict[str, Kernel]:
    """Every kernel preset: the classic filters, notes 2.11's detectors and exercise, notes 2.3's kernel."""
    out = dict(KERNEL_PRESETS)
    out.update({k.name: k for k in EXERCISE_KERNELS})
    out[NOTES_308["kernel"].name] = NOTES_308["kernel"]
    return out


class KernelCard(QFrame):
    """One kernel: name, size, depth, bias, and a grid of numbers per channel."""

    changed = Signal()
    message = Signal(str)
    duplicate_requested = Signal(object)
    remove_requested = Signal(object)

    def __init__(self, kernel: Kernel, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("kernelCard")
        self.name = kernel.name
        self.about = kernel.about
        vals = np.array(kernel.values, dtype=np.float64, copy=True)   # never edit a preset in place
        self._values = vals if vals.ndim == 3 else vals[:, :, None]   # (kh, kw, depth)
        self._bias = float(kernel.bias)
        self._theme = theme
        self._selected = False
        self.grids: list[NumberGrid] = []
        self._grid_labels: list[QLabel] = []

        lay = QVBoxLayout(self)
        lay.addLayout(self._build_head())
        lay.addWidget(self._build_shape_row(theme))
        self.grid_box, self.grid_flow = flow_widget(theme.text_px)
        lay.addWidget(self.grid_box)
        self.about_label = QLabel(self.about)
        self.about_label.setWordWrap(True)
        self.about_label.setVisible(bool(self.about))
        lay.addWidget(self.about_label)
        self._rebuild_grids()
        self.apply_theme(theme)

    # ---- building ------------------------------------------------------------------------
    def _build_head(self) -> QHBoxLayout:
        """The kernel's name with its Duplicate and Remove buttons."""
        head = QHBoxLayout()
        self.title = QLabel(self.name)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.btn_dup = QPushButton("Duplicate")
        self.btn_dup.setToolTip("Add a copy of this kernel to the bank")
        self.btn_remove = QPushButton("Remove")
        self.btn_remove.setToolTip("Take this kernel out of the bank")
        self.btn_dup.clicked.connect(lambda: self.duplicate_requested.emit(self))
        self.btn_remove.clicked.connect(lambda: self.remove_requested.emit(self))
        head.addWidget(self.title, 1)
        head.addWidget(self.btn_dup)
        head.addWidget(self.btn_remove)
        return head

    def _build_shape_row(self, theme: Theme) -> QWidget:
        """Size (m×n), depth and bias, each label kept with its control when the row wraps."""
        shape_box, shape_row = flow_widget(theme.text_px // 2)
        self.rows = QSpinBox()
        self.cols = QSpinBox()
        for spin, tip in ((self.rows, "rows (m)"), (self.cols, "columns (n)")):
            spin.setRange(1, MAX_SIDE)
            spin.setToolTip(f"Kernel {tip}, 1 to {MAX_SIDE}")
        self.rows.setValue(self._values.shape[0])
        self.cols.setValue(self._values.shape[1])
        self.depth = QComboBox()
        self.depth.addItems(["1", "3"])
        self.depth.setToolTip("Kernel depth: must equal the image's channels (notes 2.2), or 1 with a choice of how to use it")
        self.depth.setCurrentText(str(self._values.shape[2]))
        self.bias_edit = QLineEdit(fmt_num(self._bias))
        self.bias_edit.setToolTip("The bias is added once, after the channels are summed (notes 2.3)")
        self.bias_edit.setMaximumWidth(theme.text_px * 6)
        for group in ([QLabel("size"), self.rows, QLabel("×"), self.cols], [QLabel("depth"), self.depth],
                      [QLabel("bias"), self.bias_edit]):
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            for w in group:
                row.addWidget(w)
            shape_row.addWidget(box)
        self.rows.valueChanged.connect(self._on_shape_changed)
        self.cols.valueChanged.connect(self._on_shape_changed)
        self.depth.currentTextChanged.connect(self._on_shape_changed)
        self.bias_edit.editingFinished.connect(self._on_bias_edited)
        return shape_box

    # ---- values --------------------------------------------------------------------------
    def values(self) -> np.ndarray:
        """``(kh, kw)`` for a one-channel kernel, ``(kh, kw, depth)`` otherwise."""
        v = self._values.copy()
        return v[:, :, 0] if v.shape[2] == 1 else v

    def bias(self) -> float:
        return self._bias

    def kernel(self) -> Kernel:
        return Kernel(self.name, self.values(), self._bias, self.about)

    def set_cell(self, channel: int, r: int, c: int, text: str) -> bool:
        """Type ``text`` into one cell, exactly as a person would (used by tests and scripts)."""
        return self.grids[channel].edit_text(r, c, text)

    def set_bias_text(self, text: str) -> bool:
        self.bias_edit.setText(text)
        return self._on_bias_edited()

    # ---- editing -------------------------------------------------------------------------
    def _on_value_edited(self, channel: int, r: int, c: int, value: float) -> None:
        self._values[r, c, channel] = value
        self.changed.emit()

    def _on_bias_edited(self) -> bool:
        try:
            value = parse_number(self.bias_edit.text())
        except ValueError as exc:
            self.message.emit(f"Bias of “{self.name}”: {exc}; it keeps {fmt_num(self._bias)}")
            self.bias_edit.setText(fmt_num(self._bias))
            return False
        changed = value != self._bias
        self._bias = value
        self.bias_edit.setText(fmt_num(value))
        if changed:
            self.changed.emit()
        return True

    def _on_shape_changed(self, *_args) -> None:
        kh, kw, depth = self.rows.value(), self.cols.value(), int(self.depth.currentText())
        old = self._values
        new = np.zeros((kh, kw, depth))
        h, w = min(kh, old.shape[0]), min(kw, old.shape[1])
        if depth == old.shape[2]:
            new[:h, :w] = old[:h, :w]
        else:   # 1 -> 3: copy the one channel to all; 3 -> 1: keep the first (red) channel
            new[:h, :w] = old[:h, :w, :1] if depth > old.shape[2] else old[:h, :w, :depth]
        self._values = new
        self._rebuild_grids()
        self.changed.emit()

    def _rebuild_grids(self) -> None:
        while self.grid_flow.count():
            item = self.grid_flow.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.grids, self._grid_labels = [], []
        depth = self._values.shape[2]
        names = channel_names(depth)
        for ch in range(depth):
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"channel {names[ch]}" if names[ch] else "weights")
            grid = NumberGrid(self._values[:, :, ch], editable=True)
            grid.setToolTip("The kernel's weights: double-click or type into a cell to change one "
                            "(3, -2.8, 1/9); arrow keys move between cells")
            grid.set_cell_scale(0.85)
            grid.apply_theme(self._theme)
            grid.value_edited.connect(lambda r, c, val, ch=ch: self._on_value_edited(ch, r, c, val))
            grid.edit_rejected.connect(
                lambda r, c, msg, ch=ch: self.message.emit(f"“{self.name}” cell ({r}, {c}): {msg}"))
            v.addWidget(label)
            v.addWidget(grid)
            self.grid_flow.addWidget(box)
            self.grids.append(grid)
            self._grid_labels.append(label)
        self.grid_box.updateGeometry()

    # ---- look ----------------------------------------------------------------------------
    def set_selected(self, on: bool) -> None:
        self._selected = on
        self._restyle()

    def set_removable(self, on: bool) -> None:
        self.btn_remove.setEnabled(on)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for g in self.grids:
            g.apply_theme(theme)
        self.bias_edit.setMaximumWidth(theme.text_px * 6)
        self.grid_flow.set_gap(theme.text_px)
        self.about_label.setStyleSheet(f"color: {theme.muted};")
        self._restyle()

    def _restyle(self) -> None:
        t = self._theme
        colour = t.accent if self._selected else t.grid_line
        width = 3 if self._selected else 1
        self.setStyleSheet(f"QFrame#kernelCard {{ border: {width}px solid {colour}; border-radius: 6px; "
                           f"background: {t.panel}; }}")


class KernelBank(QWidget):
    """An editable list of kernels; add from presets, duplicate, remove (1 to 12 kernels)."""

    changed = Signal()
    message = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = theme
        self.cards: list[KernelCard] = []
        self.presets = all_presets()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QLabel("Kernels (filters)")
        head.setProperty("role", "heading")
        lay.addWidget(head)
        row = QHBoxLayout()
        self.preset = compact_combo(QComboBox(), 10)
        self.preset.addItems(list(self.presets))
        self.preset.setToolTip("Kernel presets: classic filters, notes 2.11's detectors and exercise, notes 2.3")
        self.btn_add = QPushButton("Add")
        self.btn_add.setToolTip("Add the chosen preset to the bank")
        self.btn_add.clicked.connect(lambda: self.add_kernel(self.presets[self.preset.currentText()]))
        row.addWidget(self.preset, 1)
        row.addWidget(self.btn_add)
        lay.addLayout(row)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self.cards_layout = QVBoxLayout(inner)
        self.cards_layout.addStretch(1)
        self.scroll.setWidget(inner)
        lay.addWidget(self.scroll, 1)

    def kernels(self) -> list[Kernel]:
        return [c.kernel() for c in self.cards]

    def set_kernels(self, kernels: list[Kernel]) -> None:
        for card in list(self.cards):
            self._drop(card)
        for k in kernels[:MAX_KERNELS]:
            self._insert(k, len(self.cards))
        self._after_change()

    def add_kernel(self, kernel: Kernel, index: int | None = None) -> KernelCard | None:
        if len(self.cards) >= MAX_KERNELS:
            self.message.emit(f"The bank holds at most {MAX_KERNELS} kernels; remove one first")
            return None
        card = self._insert(kernel, len(self.cards) if index is None else index)
        self._after_change()
        return card

    def select(self, index: int) -> None:
        for i, card in enumerate(self.cards):
            card.set_selected(i == index)
        if 0 <= index < len(self.cards):
            self.scroll.ensureWidgetVisible(self.cards[index])

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for card in self.cards:
            card.apply_theme(theme)

    # ---- internals -----------------------------------------------------------------------
    def _insert(self, kernel: Kernel, index: int) -> KernelCard:
        card = KernelCard(kernel, self._theme)
        card.changed.connect(self.changed)
        card.message.connect(self.message)
        card.duplicate_requested.connect(self._on_duplicate_requested)
        card.remove_requested.connect(self._on_remove_requested)
        self.cards.insert(index, card)
        self.cards_layout.insertWidget(index, card)
        return card

    def _drop(self, card: KernelCard) -> None:
        self.cards.remove(card)
        self.cards_layout.removeWidget(card)
        card.hide()
        card.deleteLater()

    def _after_change(self) -> None:
        for card in self.cards:
            card.set_removable(len(self.cards) > 1)
        self.btn_add.setEnabled(len(self.cards) < MAX_KERNELS)
        self.changed.emit()

    def _on_duplicate_requested(self, card: KernelCard) -> None:
        k = card.kernel()
        self.add_kernel(Kernel(f"{k.name} (copy)", k.values, k.bias, k.about), self.cards.index(card) + 1)

    def _on_remove_requested(self, card: KernelCard) -> None:
        if len(self.cards) > 1 and card in self.cards:
            self._drop(card)
            self._after_change()
