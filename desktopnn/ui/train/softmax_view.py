"""Predict one image and show the softmax step by step (notes 2.9): logits → e^logit → sum → probabilities."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.theme import Theme
from desktopnn.ui.train.common import ImageView, heading, note, style_plot

COLUMNS = ["class", "logit", "e^logit", "e^logit ÷ sum"]


class SoftmaxView(QWidget):
    sample_requested = Signal(int)     # index of a test image
    open_requested = Signal()
    camera_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme: Theme | None = None
        self._steps = None
        self.hidden = False        # predict before reveal (issue 9): probabilities drawn as "?"
        root = QVBoxLayout(self)
        root.addLayout(self._build_bar())
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        root.addWidget(self.error)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._build_input())
        split.addWidget(self._build_softmax())
        split.setSizes([440, 1360])
        root.addWidget(split, 1)

    def _build_bar(self) -> QHBoxLayout:
        """Which image: a test image by number, a file, or the camera's frame."""
        bar = QHBoxLayout()
        self.index = QSpinBox()
        self.index.setRange(0, 0)
        self.index.setPrefix("test image ")
        self.index.setToolTip("Which test image to classify")
        self.index.valueChanged.connect(self.sample_requested)
        self.predict = QPushButton("Predict")
        self.predict.setToolTip("Run the chosen test image through the model")
        self.predict.clicked.connect(lambda: self.sample_requested.emit(self.index.value()))
        self.open = QPushButton("Open an image…")
        self.open.setToolTip("Classify a picture file (it is resized to the model's input size)")
        self.open.clicked.connect(self.open_requested)
        self.camera = QPushButton("Camera frame")
        self.camera.setToolTip("Classify the camera's current frame")
        self.camera.clicked.connect(self.camera_requested)
        for w in (self.index, self.predict, self.open, self.camera):
            bar.addWidget(w)
        bar.addStretch(1)
        return bar

    def _build_input(self) -> QWidget:
        """The image the model sees, and its answer."""
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.caption = heading("Input")
        ll.addWidget(self.caption)
        self.image = ImageView()
        self.image.setToolTip("The image the model sees, at its input size")
        ll.addWidget(self.image, 1)
        self.answer = QLabel("")
        self.answer.setProperty("role", "heading")
        self.answer.setWordWrap(True)
        ll.addWidget(self.answer)
        return left

    def _build_softmax(self) -> QWidget:
        """The table logit → e^logit → ÷ sum, the sum written out, and the probabilities as bars."""
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(heading("Softmax: probability = e^logit ÷ (sum of all e^logit)"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip("The last Dense layer's outputs (logits), their exponentials, and each divided by "
                              "the sum: the probabilities add up to 1. The top class is highlighted.")
        rl.addWidget(self.table, 2)
        self.sum_label = QLabel("")
        self.sum_label.setProperty("role", "mono")
        self.sum_label.setWordWrap(True)
        rl.addWidget(self.sum_label)
        self.bars = pg.PlotWidget()
        self.bars.setMouseEnabled(x=False, y=False)
        self.bars.hideButtons()
        self.bars.setYRange(0, 1, padding=0.02)
        self.bars.setToolTip("The probabilities as bars")
        self.bar_item = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.bars.addItem(self.bar_item)
        rl.addWidget(self.bars, 1)
        rl.addWidget(note("The biggest logit always wins, but the exponential makes it win by more: e^2 is 7.4, "
                          "e^4 is 55. Softmax turns any numbers into shares of 1."))
        return right

    def set_test_count(self, n: int) -> None:
        self.index.blockSignals(True)
        self.index.setRange(0, max(0, n - 1))
        self.index.blockSignals(False)

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def show_prediction(self, image: np.ndarray, steps, caption: str) -> None:
        self._steps = steps
        self.error.setText("")
        self.caption.setText(caption)
        self.image.set_image(image)
        rows = steps.rows()
        self.table.setRowCount(len(rows))
        t = self._theme
        for i, (name, logit, e, prob) in enumerate(rows):
            cells = [name, fmt_num(logit, 4), fmt_num(e, 4), "?" if self.hidden else f"{prob:.4f}"]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if i == steps.top and t is not None and not self.hidden:
                    item.setBackground(QBrush(QColor(t.accent)))
                    item.setForeground(QBrush(QColor("#000000")))
                    f = QFont(t.font(1.0, bold=True))
                    item.setFont(f)
                self.table.setItem(i, j, item)
        shift = f" (every logit minus {fmt_num(steps.shift, 4)} first, to keep e^x finite)" if steps.shift else ""
        self.sum_label.setText(f"sum of e^logit = {' + '.join(fmt_num(e, 3) for e in steps.exps[:6])}"
                               f"{' + …' if len(steps.exps) > 6 else ''} = {fmt_num(steps.total, 5)}{shift};   "
                               f"probabilities add up to {steps.probs.sum():.4f}")
        self.table.setHorizontalHeaderItem(3, QTableWidgetItem(f"e^logit ÷ {fmt_num(steps.total, 5)}"))
        top = steps.class_names[steps.top]
        self.answer.setText("prediction: ? (guess from the logits, then reveal)" if self.hidden else
                            f"prediction: {top} ({steps.probs[steps.top]:.1%})")
        self._draw_bars()

    def set_hidden(self, hidden: bool) -> None:
        """Hide the probabilities, the bars and the answer until the class has guessed (logits stay)."""
        self.hidden = bool(hidden)
        if self._steps is not None:
            self.show_prediction(self.image._image, self._steps, self.caption.text())

    def _draw_bars(self) -> None:
        s, t = self._steps, self._theme
        if s is None or t is None:
            return
        k = len(s.probs)
        if self.hidden:
            self.bar_item.setOpts(x=[], height=[], width=0.7)
            return
        brushes = [pg.mkBrush(t.accent if i == s.top else t.accent2) for i in range(k)]
        self.bar_item.setOpts(x=np.arange(k), height=s.probs, width=0.7, brushes=brushes, pen=pg.mkPen(t.text))
        self.bars.getAxis("bottom").setTicks([[(i, n) for i, n in enumerate(s.class_names)]])

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.image.apply_theme(theme)
        self.table.setFont(theme.font(1.0, mono=True))
        self.table.verticalHeader().setDefaultSectionSize(round(theme.text_px * 1.45))
        style_plot(self.bars, theme, "probability", "class")
        self.bars.setMinimumHeight(theme.text_px * 6)
        if self._steps is not None:
            self.show_prediction(self.image._image, self._steps, self.caption.text())
