"""One picture of the Why-convolution tab (notes 2.4): the input or its feature map, with the strongest
response marked now (solid ring) and before the shift (dashed ring), joined by a dotted trail.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktopnn.ui.theme import Theme


class ImagePanel(QWidget):
    """A title and a pyqtgraph view of one image, with the strongest response marked."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumSize(240, 240)
        self.view.setToolTip("Solid ring: the strongest response now; dashed ring: where it was before the shift")
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image = pg.ImageItem()
        self.box.addItem(self.image)
        self.frame = QGraphicsRectItem(0, 0, 1, 1)  # the image's edge, visible on any background
        self.trail = pg.PlotCurveItem()          # from where the feature was to where it is
        self.ghost = pg.ScatterPlotItem()        # where the feature was before the shift
        self.marker = pg.ScatterPlotItem()       # where it is now
        for item in (self.frame, self.trail, self.ghost, self.marker):
            self.box.addItem(item)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.view, 1)

    def display(self, image: np.ndarray, levels: tuple[float, float], now: tuple[float, float],
                before: tuple[float, float]) -> None:
        """``now``/``before``: (x, y) in pixel coordinates of the strongest response."""
        self.image.setImage(np.ascontiguousarray(image, np.float32), levels=levels, autoLevels=False)
        h, w = image.shape
        self.frame.setRect(0, 0, w, h)
        self.box.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)
        self.marker.setData([now[0]], [now[1]])
        self.ghost.setData([before[0]], [before[1]])
        self.trail.setData([before[0], now[0]], [before[1], now[1]])

    def restyle(self, theme: Theme, lut: np.ndarray | None) -> None:
        self.view.setBackground(theme.background)
        self.frame.setPen(pg.mkPen(theme.grid_line, width=2))
        if lut is not None:
            self.image.setLookupTable(lut)
        size = round(theme.text_px * 1.6)
        width = max(2, round(theme.text_px / 6))
        self.marker.setSymbol("o")
        self.marker.setSize(size)
        self.marker.setPen(pg.mkPen(theme.accent, width=width))
        self.marker.setBrush(pg.mkBrush(None))
        self.ghost.setSymbol("o")
        self.ghost.setSize(size)
        self.ghost.setPen(pg.mkPen(theme.accent2, width=width, style=Qt.PenStyle.DashLine))
        self.ghost.setBrush(pg.mkBrush(None))
        self.trail.setPen(pg.mkPen(theme.accent2, width=width, style=Qt.PenStyle.DotLine))
