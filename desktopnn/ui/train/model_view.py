"""The model: the notes' 2.8 and 2.13 networks or your own, as Keras's ``model.summary()`` table.

Each row of the summary is a layer; select one to change it, insert a layer above it (a Dropout, a
Conv2D …) or remove it. Shapes and parameter counts follow at once (they are arithmetic, notes 2.8).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktopnn.engine.cnn.layers import KERAS_TYPES, PRESETS, Layer, plan
from desktopnn.ui.theme import Theme
from desktopnn.ui.train.common import heading, note

KIND_BY_TYPE = {v: k for k, v in KERAS_TYPES.items()}
COLUMNS = ["Layer (type)", "Output Shape", "Param #", "Settings"]


class ModelView(QWidget):
    layers_edited = Signal(object, str)     # new layer list, preset name ("" for edited)
    build_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layers: list[Layer] = []
        self._input = (32, 32, 3)
        self._theme: Theme | None = None
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.setToolTip("Start from the notes' CIFAR-10 network (2.13), the Keras example (2.8), "
                               "or a network without convolution")
        self.preset.activated.connect(self._on_preset_chosen)
        self.build = QPushButton("Use this model (new random weights)")
        self.build.setToolTip("Build the network in the table with fresh weights from the seed; "
                              "the trained model is replaced")
        self.build.clicked.connect(self.build_requested)
        for w in (QLabel("start from"), self.preset, self.build):
            bar.addWidget(w)
        bar.addStretch(1)
        root.addLayout(bar)
        root.addWidget(heading("model.summary()"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip("Every layer with its output shape (None = any batch size) and its number of "
                              "weights and biases, as Keras prints them. Select a row to edit it.")
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        root.addWidget(self.table, 1)
        self.totals = QLabel("")
        self.totals.setProperty("role", "heading")
        root.addWidget(self.totals)
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        root.addWidget(self.error)
        root.addWidget(self._editor())
        root.addWidget(note("Conv2D parameters = (kernel height × kernel width × input channels + 1 bias) × filters; "
                            "Dense parameters = (inputs + 1 bias) × units; pooling, Flatten and Dropout learn nothing."))

    def _editor(self) -> QWidget:
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.addItems([KERAS_TYPES[k] for k in ("conv", "pool", "dropout", "flatten", "dense")])
        self.kind.setToolTip("The kind of layer")
        self.size = QSpinBox()
        self.size.setRange(1, 1024)
        self.size.setToolTip("Filters of a Conv2D, units of a Dense layer, window of a MaxPooling2D")
        self.kernel = QSpinBox()
        self.kernel.setRange(1, 11)
        self.kernel.setPrefix("kernel ")
        self.kernel.setToolTip("Kernel size of a Conv2D (3 means 3×3)")
        self.padding = QComboBox()
        self.padding.addItems(["valid", "same"])
        self.padding.setToolTip("valid: no padding, the image shrinks; same: padded, the size stays (notes 2.6)")
        self.relu = QCheckBox("ReLU")
        self.relu.setToolTip("activation='relu' (the last Dense has none: its outputs are the logits)")
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.0, 0.95)
        self.rate.setSingleStep(0.05)
        self.rate.setPrefix("rate ")
        self.rate.setToolTip("Dropout rate: the fraction of units dropped in each training step (notes 2.10)")
        self.change = QPushButton("Change")
        self.change.setToolTip("Replace the selected layer by these settings")
        self.insert = QPushButton("Insert above")
        self.insert.setToolTip("Insert a layer with these settings above the selected one")
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove the selected layer")
        self.change.clicked.connect(lambda: self._edit("change"))
        self.insert.clicked.connect(lambda: self._edit("insert"))
        self.remove.clicked.connect(lambda: self._edit("remove"))
        self.kind.currentTextChanged.connect(self._update_editor_fields)
        self.size.setValue(32)
        self.kernel.setValue(3)
        self.relu.setChecked(True)
        self.rate.setValue(0.5)
        for w in (self.kind, self.size, self.kernel, self.padding, self.relu, self.rate, self.change, self.insert,
                  self.remove):
            lay.addWidget(w)
        lay.addStretch(1)
        self._update_editor_fields()
        return box

    # ---- content ---------------------------------------------------------------------------
    def show_layers(self, layers: list[Layer], input_shape=(32, 32, 3), preset: str | None = None) -> None:
        self._layers = list(layers)
        self._input = tuple(input_shape)
        if preset:
            self.preset.setCurrentText(preset)
        row = self.table.currentRow()
        try:
            rows = plan(self._layers, self._input)
            self.error.setText("")
        except ValueError as exc:
            rows = None
            self.error.setText(f"{exc}. The model in use does not change until this is fixed.")
        self.build.setEnabled(rows is not None)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._layers))
        for i, layer in enumerate(self._layers):
            r = rows[i] if rows else None
            cells = [f"{r.name} ({r.keras_type})" if r else KERAS_TYPES[layer.kind],
                     r.shape_text if r else "?", f"{r.params:,}" if r else "?", layer.describe()]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if self._theme is not None and r is not None and r.params == 0 and j == 2:
                    item.setForeground(QColor(self._theme.muted))
                self.table.setItem(i, j, item)
        self.table.blockSignals(False)
        if 0 <= row < len(self._layers):
            self.table.selectRow(row)
        total = sum(r.params for r in rows) if rows else None
        h, w, c = self._input
        self.totals.setText(f"Total params: {total:,}   (input {h}×{w}×{c})" if total is not None else "")

    def layers(self) -> list[Layer]:
        return list(self._layers)

    # ---- editing ---------------------------------------------------------------------------
    def _on_preset_chosen(self, _index: int) -> None:
        name = self.preset.currentText()
        self.layers_edited.emit(PRESETS[name](), name)

    def _on_row_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self._layers):
            return
        layer = self._layers[row]
        if layer.kind == "rescaling":
            return
        self.kind.setCurrentText(KERAS_TYPES[layer.kind])
        self.size.setValue(max(1, layer.size or 2))
        self.kernel.setValue(layer.kernel)
        self.padding.setCurrentText(layer.padding)
        self.relu.setChecked(layer.relu)
        self.rate.setValue(layer.rate or 0.5)

    def _update_editor_fields(self, *_args) -> None:
        kind = KIND_BY_TYPE[self.kind.currentText()]
        self.size.setVisible(kind in ("conv", "dense", "pool"))
        self.kernel.setVisible(kind == "conv")
        self.padding.setVisible(kind == "conv")
        self.relu.setVisible(kind in ("conv", "dense"))
        self.rate.setVisible(kind == "dropout")
        self.size.setPrefix({"conv": "filters ", "dense": "units ", "pool": "window "}.get(kind, ""))

    def editor_layer(self) -> Layer:
        kind = KIND_BY_TYPE[self.kind.currentText()]
        base = Layer(kind)
        if kind in ("conv", "dense", "pool"):
            base = replace(base, size=self.size.value())
        if kind == "conv":
            base = replace(base, kernel=self.kernel.value(), padding=self.padding.currentText())
        if kind in ("conv", "dense"):
            base = replace(base, relu=self.relu.isChecked())
        if kind == "dropout":
            base = replace(base, rate=round(self.rate.value(), 2))
        return base

    def _edit(self, action: str) -> None:
        row = self.table.currentRow()
        layers = list(self._layers)
        if action == "insert":
            layers.insert(row if row >= 0 else len(layers), self.editor_layer())
        elif 0 <= row < len(layers):
            if action == "change":
                layers[row] = self.editor_layer()
            else:
                del layers[row]
        else:
            return
        self.layers_edited.emit(layers, "")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.table.setFont(theme.font(1.0, mono=True))
        self.table.verticalHeader().setDefaultSectionSize(round(theme.text_px * 1.8))
        self.show_layers(self._layers, self._input)
