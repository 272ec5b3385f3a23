"""The builder of a new tensor t (notes 2.12): its shape, where its values come from, typed values."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from desktopnn.ui.tensors.state import FILL_KEYS, FILLS, build_values, parse_shape


class BuilderBox(QGroupBox):
    """Shape, fill and typed values of a new tensor t; Build (or Return in a field) asks for it."""

    build_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Build a tensor t", parent)
        g = QGridLayout(self)
        g.addWidget(QLabel("Shape"), 0, 0)
        self.shape_edit = QLineEdit("3, 2, 5")
        self.shape_edit.setToolTip("Axis lengths, rank 0 to 4: e.g. 3, 2, 5 or 3, 2, 4, 5; empty makes a scalar")
        self.shape_edit.returnPressed.connect(self.build_requested)
        g.addWidget(self.shape_edit, 0, 1)
        self.fill_combo = QComboBox()
        for key, label in FILLS:
            self.fill_combo.addItem(label, key)
        self.fill_combo.setToolTip("Where the values come from")
        self.fill_combo.currentIndexChanged.connect(self._on_fill_changed)
        g.addWidget(self.fill_combo, 0, 2)
        g.addWidget(QLabel("Values"), 1, 0)
        self.values_edit = QLineEdit()
        self.values_edit.setPlaceholderText("1 2 3 4 5 6  or  [[1, 2], [3, 4]]")
        self.values_edit.setToolTip("Typed values: a flat list fills the shape row by row; a nested list brings its own shape")
        self.values_edit.returnPressed.connect(self.build_requested)
        g.addWidget(self.values_edit, 1, 1)
        self.build_button = QPushButton("Build")
        self.build_button.setToolTip("Make a new tensor t (the old t stays in the list below)")
        self.build_button.clicked.connect(self.build_requested)
        g.addWidget(self.build_button, 1, 2)
        g.setColumnStretch(1, 1)
        self.build_error = QLabel()
        self.build_error.setProperty("role", "error")
        self.build_error.setWordWrap(True)
        g.addWidget(self.build_error, 2, 0, 1, 3)
        self._on_fill_changed()

    def _on_fill_changed(self) -> None:
        self.values_edit.setEnabled(self.fill_combo.currentData() == "typed")

    def fill(self) -> str:
        """Where the values come from: one of FILL_KEYS."""
        return self.fill_combo.currentData()

    def fields(self) -> dict:
        """The fields as typed: ``{"shape", "fill", "values"}``."""
        return {"shape": self.shape_edit.text(), "fill": self.fill(), "values": self.values_edit.text()}

    def set_fields(self, shape: str, fill: str, values: str) -> None:
        """Fill in the fields (``fill`` one of FILL_KEYS) without building; no refusal on show."""
        self.shape_edit.setText(shape)
        self.fill_combo.setCurrentIndex(FILL_KEYS.index(fill))
        self.values_edit.setText(values)
        self.build_error.hide()

    def values(self, rng: np.random.Generator) -> np.ndarray:
        """The new tensor's values from the fields; ValueError in a student's words, shown here too."""
        fill = self.fill()
        try:
            shape = parse_shape(self.shape_edit.text()) if not (
                fill == "typed" and self.values_edit.text().strip().startswith("[[")) else ()
            arr = build_values(shape, fill, self.values_edit.text(), rng)
        except ValueError as exc:
            self.build_error.setText(str(exc))
            self.build_error.show()
            raise
        self.build_error.hide()
        if arr.ndim > 1 or fill != "typed":
            self.shape_edit.setText(", ".join(str(s) for s in arr.shape))
        return arr
