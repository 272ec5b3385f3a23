"""After training: test accuracy, a confusion matrix with example images per cell, per-class accuracy."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from desktopnn.ui.theme import Theme, make_theme
from desktopnn.ui.train.common import TileGrid, heading, note, style_plot


class ConfusionMatrix(QWidget):
    """Counts of [true class, predicted class]; rows shaded by share; click a cell to see its images."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._counts = np.zeros((0, 0), np.int64)
        self._names: list[str] = []
        self._selected: tuple[int, int] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)

    def set_matrix(self, counts: np.ndarray, names: list[str]) -> None:
        self._counts = np.asarray(counts)
        self._names = list(names)
        self._selected = None
        self.update()

    def select(self, r: int, c: int) -> None:
        self._selected = (r, c)
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 600)

    def _geometry(self) -> tuple[int, int, int]:
        n = max(1, len(self._names))
        fm = self.fontMetrics()
        label = min(max((fm.horizontalAdvance(s) for s in self._names), default=20) + 16, self.width() // 4)
        label = max(label, self._theme.text_px * 2)
        top = round(self._theme.text_px * 2.6)
        cell = max(10, min((self.width() - label - 4) // n, (self.height() - top - 4) // n))
        return label, top, cell

    def paintEvent(self, event) -> None:  # noqa: N802
        t = self._theme
        n = len(self._names)
        if n == 0:
            return
        p = QPainter(self)
        font = t.font(0.9)
        p.setFont(font)
        left, top, cell = self._geometry()
        tiny = t.font(min(0.9, cell / (t.text_px * 1.6)))
        p.setPen(QColor(t.muted))
        p.drawText(QRect(left, 0, cell * n, top // 2), Qt.AlignmentFlag.AlignCenter, "predicted class →")
        totals = np.maximum(self._counts.sum(1, keepdims=True), 1)
        share = self._counts / totals
        for i, name in enumerate(self._names):
            p.setFont(font)
            p.setPen(QColor(t.text))
            p.drawText(QRect(0, top + i * cell, left - 8, cell), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       p.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, left - 8))
            p.setFont(tiny)
            p.drawText(QRect(left + i * cell, top // 2, cell, top // 2), Qt.AlignmentFlag.AlignCenter,
                       p.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, cell))
        p.setFont(font if cell >= t.text_px * 1.6 else tiny)
        good, bad = QColor(t.good), QColor(t.bad)
        for r in range(n):
            for c in range(n):
                rect = QRect(left + c * cell, top + r * cell, cell, cell)
                base = good if r == c else bad
                col = QColor(t.panel)
                if self._counts[r, c]:
                    a = 0.15 + 0.85 * float(share[r, c])
                    col = QColor(round(base.red() * a + col.red() * (1 - a)), round(base.green() * a + col.green() * (1 - a)),
                                 round(base.blue() * a + col.blue() * (1 - a)))
                p.fillRect(rect, col)
                p.setPen(QColor("#000000") if col.lightnessF() > 0.55 else QColor("#ffffff"))
                if self._counts[r, c]:
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(int(self._counts[r, c])))
                p.setPen(QPen(QColor(t.grid_line), 1))
                p.drawRect(rect)
        if self._selected is not None:
            r, c = self._selected
            p.setPen(QPen(QColor(t.accent), max(3, t.text_px // 6)))
            p.drawRect(QRect(left + c * cell, top + r * cell, cell, cell).adjusted(1, 1, -1, -1))
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        left, top, cell = self._geometry()
        pos = event.position()
        r, c = int((pos.y() - top) // cell), int((pos.x() - left) // cell)
        if pos.x() >= left and pos.y() >= top and r < len(self._names) and c < len(self._names):
            self.select(r, c)
            self.cell_clicked.emit(r, c)


class ResultsView(QWidget):
    evaluate_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._evaluation = None
        self._images = None
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.accuracy = QLabel("No test results yet: train a model, or press Evaluate.")
        self.accuracy.setProperty("role", "heading")
        self.evaluate = QPushButton("Evaluate on the test images")
        self.evaluate.setToolTip("model.evaluate(test_images, test_labels): images the model never trained on")
        self.evaluate.clicked.connect(self.evaluate_requested)
        bar.addWidget(self.accuracy, 1)
        bar.addWidget(self.evaluate)
        root.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(heading("Confusion matrix (rows: true class)"))
        self.matrix = ConfusionMatrix()
        self.matrix.setToolTip("How many test images of each true class (row) were predicted as each class "
                               "(column). The diagonal is right. Click a cell to see its images.")
        self.matrix.cell_clicked.connect(self.show_cell)
        ll.addWidget(self.matrix, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.cell_title = heading("Images of a cell")
        rl.addWidget(self.cell_title)
        self.examples = TileGrid(4)
        self.examples.setToolTip("Test images in the chosen cell, captioned with what the model predicted")
        rl.addWidget(self.examples, 1)
        rl.addWidget(heading("Accuracy per class"))
        self.bars = pg.PlotWidget()
        self.bars.setMouseEnabled(x=False, y=False)
        self.bars.hideButtons()
        self.bars.setYRange(0, 1, padding=0.02)
        self.bars.setToolTip("The share of each class's test images that the model got right")
        self.bar_item = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.bars.addItem(self.bar_item)
        rl.addWidget(self.bars, 1)
        rl.addWidget(note("A class with low accuracy is often confused with one particular other class: "
                          "look along its row in the matrix."))
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([950, 850])
        root.addWidget(split, 1)

    def show_evaluation(self, evaluation, test_images: np.ndarray | None) -> None:
        self._evaluation, self._images = evaluation, test_images
        if evaluation is None:
            self.accuracy.setText("No test results yet: train a model, or press Evaluate.")
            self.matrix.set_matrix(np.zeros((0, 0)), [])
            self.examples.set_tiles([], [])
            self.bar_item.setOpts(x=[], height=[])
            return
        n = int(evaluation.confusion.sum())
        self.accuracy.setText(f"Test accuracy {evaluation.accuracy:.1%} ({int(np.trace(evaluation.confusion))} of {n} "
                              f"test images right)")
        self.matrix.set_matrix(evaluation.confusion, evaluation.class_names)
        k = len(evaluation.class_names)
        self.bar_item.setOpts(x=np.arange(k), height=np.nan_to_num(evaluation.per_class), width=0.7)
        self.bars.getAxis("bottom").setTicks([[(i, name) for i, name in enumerate(evaluation.class_names)]])
        worst = [(int(evaluation.confusion[r, c]), r, c) for r in range(k) for c in range(k) if r != c]
        count, r, c = max(worst, default=(0, 0, 0))
        self.show_cell(r, c) if count else self.show_cell(0, 0)

    def show_cell(self, r: int, c: int) -> None:
        ev = self._evaluation
        if ev is None or self._images is None:
            return
        self.matrix.select(r, c)
        idx = ev.examples.get((r, c), [])
        names = ev.class_names
        self.cell_title.setText(f"true {names[r]}, predicted {names[c]}: {int(ev.confusion[r, c])} image(s)")
        self.examples.set_tiles([self._images[i] for i in idx], [names[c]] * len(idx),
                                ["good" if r == c else "bad"] * len(idx))

    def apply_theme(self, theme: Theme) -> None:
        self.matrix.apply_theme(theme)
        self.examples.apply_theme(theme)
        style_plot(self.bars, theme, "accuracy", "class")
        self.bar_item.setOpts(brush=pg.mkBrush(theme.accent2), pen=pg.mkPen(theme.text))
