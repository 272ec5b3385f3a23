"""Flattening (notes 1.2): what a vector hides, and the pixel-shuffle experiment.

Click a pixel: it and its four neighbours light up in the picture, and in the flat vector the left and
right neighbours sit next to it while the ones above and below land a whole row (W × C places) away.
A dense network only ever sees the vector, so a fixed shuffle of the pixels costs it nothing; a CNN
slides kernels over neighbouring pixels, and the shuffle destroys exactly what it uses.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy,
                               QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.cnn.inside import neighbour_indices, pixel_permutation, shuffle_pixels
from desktopnn.ui.theme import Theme, make_theme
from desktopnn.ui.train.common import ImageView, heading, note, pen, style_plot
from desktopnn.ui.train.state import SIDES
NEIGHBOUR_COLOUR = {"pixel": "accent", "up": "accent2", "down": "accent2", "left": "good", "right": "good"}


class VectorStrip(QWidget):
    """The flat vector as one long row of grey cells, with the chosen pixel and its neighbours marked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._values = np.zeros(0)
        self._marks: dict[str, int] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_vector(self, values: np.ndarray, marks: dict[str, int]) -> None:
        self._values = np.asarray(values, np.float64).reshape(-1)
        self._marks = dict(marks)
        self.updateGeometry()
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setFixedHeight(round(theme.text_px * 6.5))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(1200, round(self._theme.text_px * 6.5))

    def paintEvent(self, event) -> None:  # noqa: N802
        n = len(self._values)
        if n == 0:
            return
        t = self._theme
        p = QPainter(self)
        w = (self.width() - 4) / n
        top, h = t.text_px * 2.2, t.text_px * 1.8
        for i, v in enumerate(self._values):
            g = int(np.clip(v, 0, 255))
            p.fillRect(QRectF(2 + i * w, top, max(w, 1.0), h), QColor(g, g, g))
        p.setPen(QPen(QColor(t.grid_line), 1))
        p.drawRect(QRectF(2, top, n * w, h))
        p.setFont(t.font(0.8, bold=True))
        lw = max(3, t.text_px // 6)
        here = self._marks["pixel"]
        for name, idx in self._marks.items():
            colour = QColor(getattr(t, NEIGHBOUR_COLOUR[name]))
            x = 2 + (idx + 0.5) * w
            p.setPen(QPen(colour, lw))
            p.drawRect(QRectF(2 + idx * w - lw, top - lw, max(w, 1.0) + 2 * lw, h + 2 * lw))
            if name in ("up", "down"):          # far away: a label of their own above the strip
                rect = QRectF(x - t.text_px * 4, 0, t.text_px * 8, t.text_px * 2.1)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{name} {idx - here:+d}")
        sides = [f"{n} {self._marks[n] - here:+d}" for n in ("left", "right") if n in self._marks]
        p.setPen(QColor(t.accent))
        x = 2 + (here + 0.5) * w
        rect = QRectF(x - t.text_px * 10, top + h + lw, t.text_px * 20, t.text_px * 2.1)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"pixel {here}" + (f" ({', '.join(sides)})" if sides else ""))
        p.end()


class FlattenView(QWidget):
    experiment_requested = Signal(int, bool)      # epochs per run, use the drawn shapes

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme: Theme | None = None
        self._source = np.zeros((32, 32), np.uint8)
        self._image = np.zeros((8, 8), np.uint8)
        self._pixel = (3, 3)
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.side = QComboBox()
        self.side.addItems(list(SIDES))
        self.side.setToolTip("Size of the grey image that is flattened")
        self.side.currentTextChanged.connect(lambda _t: self._rebuild())
        bar.addWidget(heading("Flatten: an image becomes one long vector"))
        bar.addStretch(1)
        bar.addWidget(QLabel("image"))
        bar.addWidget(self.side)
        root.addLayout(bar)
        top = QHBoxLayout()
        self.picture = ImageView()
        self.picture.setToolTip("Click a pixel: it (orange/yellow) and its four neighbours light up")
        self.picture.pixel_clicked.connect(self.select_pixel)
        top.addWidget(self.picture, 1)
        self.text = note("")
        top.addWidget(self.text, 2)
        root.addLayout(top, 4)
        self.strip = VectorStrip()
        self.strip.setToolTip("The same image after Flatten: row after row, one number per pixel")
        root.addWidget(self.strip)
        root.addWidget(self._experiment_box(), 5)

    def _experiment_box(self) -> QWidget:
        box = QWidget()
        lay = QGridLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(heading("The pixel-shuffle experiment"), 0, 0, 1, 3)
        self.original = ImageView()
        self.original.setToolTip("A training image as it is")
        self.shuffled = ImageView()
        self.shuffled.setToolTip("The same image after the fixed shuffle that is applied to every image")
        pics = QHBoxLayout()
        pics.addWidget(self.original)
        pics.addWidget(self.shuffled)
        lay.addLayout(pics, 1, 0)
        controls = QVBoxLayout()
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 50)
        self.epochs.setValue(5)
        self.epochs.setSuffix(" epoch(s) per run")
        self.epochs.setToolTip("Each of the four networks trains this long")
        self.run = QPushButton("Run: dense and CNN, original and shuffled")
        self.run.setToolTip("Train a dense network and the notes' CNN on the original and on the shuffled "
                            "images (four runs, in the background)")
        self.run.clicked.connect(lambda: self.experiment_requested.emit(self.epochs.value(),
                                                                        self.data.currentIndex() == 0))
        self.data = QComboBox()
        self.data.addItems(["on the ten drawn shapes (clearest)", "on the loaded data set"])
        self.data.setToolTip("The shapes sit anywhere on busy backgrounds, so where pixels are matters; the "
                             "digits are so simple that a CNN copes even with shuffled pixels")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setToolTip("Progress through the four runs")
        self.results = QLabel("")
        self.results.setWordWrap(True)
        self.results.setToolTip("Test accuracy of each network on the original and on the shuffled images")
        for w in (self.data, self.epochs, self.run, self.progress, self.results):
            controls.addWidget(w)
        controls.addStretch(1)
        lay.addLayout(controls, 1, 1)
        self.plot = pg.PlotWidget()
        self.plot.addLegend(offset=(-10, -10))
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setToolTip("val_accuracy per epoch of the four runs")
        self.curves = {}
        for net, which, colour, dash in (("dense", "original", "accent2", False), ("dense", "shuffled", "accent2", True),
                                         ("cnn", "original", "accent", False), ("cnn", "shuffled", "accent", True)):
            curve = self.plot.plot([], [], name=f"{'CNN' if net == 'cnn' else 'dense'}, {which}",
                                   symbol="o" if which == "original" else "t")
            self.curves[(net, which)] = (curve, colour, dash)
        lay.addWidget(self.plot, 1, 2)
        lay.setColumnStretch(0, 2)
        lay.setColumnStretch(1, 2)
        lay.setColumnStretch(2, 3)
        return box

    # ---- the image and its vector ---------------------------------------------------------------
    def set_source(self, image: np.ndarray) -> None:
        """A dataset image ``(H, W, 3)``: shown grey at the chosen size, and in the shuffle example."""
        from desktopnn.engine.cnn.datasets import resize_rgb

        self._source = np.asarray(image)
        self._rebuild()
        img = resize_rgb(self._source, 32)
        perm = pixel_permutation(32, 32, 0)
        self.original.set_image(img)
        self.shuffled.set_image(shuffle_pixels(img[None], perm)[0])

    def _rebuild(self) -> None:
        from desktopnn.engine.cnn.datasets import resize_rgb

        side = SIDES[self.side.currentText()]
        self._image = resize_rgb(self._source, side)[:, :, 0]
        r, c = self._pixel
        self.select_pixel(min(r, side - 1), min(c, side - 1)) if r >= side or c >= side else \
            self.select_pixel(min(max(r, 0), side - 1), min(max(c, 0), side - 1))
        if self._pixel == (3, 3) and side != 8:
            self.select_pixel(side // 2 - 1, side // 2 - 1)

    @property
    def pixel(self) -> tuple[int, int]:
        """The selected pixel, (row, column)."""
        return self._pixel

    def set_side(self, side: int) -> None:
        """Flatten a side×side image (one of SIDES' values); the selected pixel is kept inside it."""
        self.side.blockSignals(True)
        self.side.setCurrentText(next(k for k, v in SIDES.items() if v == side))
        self.side.blockSignals(False)
        self._rebuild()

    def select_pixel(self, r: int, c: int) -> None:
        self._pixel = (r, c)
        h, w = self._image.shape
        marks = neighbour_indices(r, c, (h, w, 1))
        self.picture.set_image(self._image)
        pos = {"pixel": (r, c), "up": (r - 1, c), "down": (r + 1, c), "left": (r, c - 1), "right": (r, c + 1)}
        self.picture.set_marks([(*pos[k], NEIGHBOUR_COLOUR[k]) for k in marks])
        self.strip.set_vector(self._image.reshape(-1), marks)
        self.text.setText(
            f"Pixel (row {r}, column {c}) of this {h}×{w} image is number {marks['pixel']} of {h * w} in the vector. "
            f"Its left and right neighbours are 1 place away, but the pixels just above and below it are "
            f"{w} places away: touching in the picture, far apart in the vector. For an RGB image "
            f"(channels last, as Keras flattens) they are {w * 3} places away. A dense layer is not told which "
            f"numbers were neighbours; a convolution kernel always looks at neighbours together.")

    # ---- the experiment -------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.run.setEnabled(not running)
        if running:
            self.progress.setValue(0)

    def show_curves(self, fraction: float, curves: dict) -> None:
        self.progress.setValue(round(fraction * 1000))
        for key, vals in curves.items():
            self.curves[key][0].setData(list(range(1, len(vals) + 1)), vals)

    def show_result(self, result) -> None:
        self.show_curves(1.0, result.curves)
        a = result.accuracy
        cell = "<td align='right' style='padding: 0 12px'>{:.1%}</td>"
        rows = "".join(f"<tr><td>{label}</td>{cell.format(a[(net, 'original')])}{cell.format(a[(net, 'shuffled')])}</tr>"
                       for net, label in (("dense", "dense network"), ("cnn", "CNN (notes 2.13)")))
        self.results.setText(
            f"<table><tr><th align='left'>test accuracy</th><th style='padding: 0 12px'>original</th>"
            f"<th style='padding: 0 12px'>shuffled</th></tr>{rows}</table>"
            f"<p>Shuffling changed the dense network by {a[('dense', 'shuffled')] - a[('dense', 'original')]:+.1%} "
            f"and the CNN by {a[('cnn', 'shuffled')] - a[('cnn', 'original')]:+.1%}.</p>")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for w in (self.picture, self.original, self.shuffled, self.strip):
            w.apply_theme(theme)
        self.picture.setMinimumSize(theme.text_px * 8, theme.text_px * 8)
        style_plot(self.plot, theme, "val_accuracy", "epoch")
        for curve, colour, dash in self.curves.values():
            curve.setPen(pen(theme, colour, style=Qt.PenStyle.DashLine if dash else Qt.PenStyle.SolidLine))
            curve.setSymbolBrush(getattr(theme, colour))
            curve.setSymbolPen(getattr(theme, colour))
            curve.setSymbolSize(max(8, theme.text_px // 2))
        style_plot(self.plot, theme, "val_accuracy", "epoch")
