"""Small pieces shared by the Convolution lab's panels: colour maps and their levels, pixel value labels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetrics

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.convolution.state import COLORMAPS

MAX_VALUE_LABELS = 400   # text items drawn at most, however far the view is zoomed out


def colormap(label: str) -> tuple[pg.ColorMap, bool]:
    for name, key, diverging in COLORMAPS:
        if name == label:
            return pg.colormap.get(key), diverging
    return pg.colormap.get("viridis"), False


def map_levels(values: np.ndarray, diverging: bool) -> tuple[float, float]:
    """Colour scale limits: the map's own range, symmetric about 0 for a diverging map (finite values
    only: a colour bar refuses an infinite range)."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(np.min(finite)), float(np.max(finite))) if finite.size else (0.0, 1.0)
    if diverging:
        m = max(abs(lo), abs(hi)) or 1.0
        return -m, m
    if hi - lo < 1e-12:
        return lo - 0.5, hi + 0.5
    return lo, hi


class PixelValues:
    """Writes each visible pixel's value onto a pyqtgraph image once pixels are big enough to hold it.

    Only pixels in view get a label, at most :data:`MAX_VALUE_LABELS`; labels are pooled and reused.
    For an RGB image every pixel shows three lines (R, G, B), as in notes 2.3's stacked matrices.
    """

    def __init__(self, view: pg.ViewBox):
        self.view = view
        self._data: np.ndarray | None = None   # (H, W, C)
        self._rgb: np.ndarray | None = None    # (H, W, 3) uint8 display colours, to pick black/white text
        self._pool: list[pg.TextItem] = []
        self._font = None
        self._digits = 4
        view.sigRangeChanged.connect(self.refresh)
        view.sigResized.connect(self.refresh)

    def set_data(self, data: np.ndarray | None, rgb: np.ndarray | None = None, digits: int = 4) -> None:
        if data is not None and data.ndim == 2:
            data = data[:, :, None]
        self._data, self._rgb, self._digits = data, rgb, digits
        self.refresh()

    def set_font(self, font) -> None:
        self._font = font
        for item in self._pool:
            item.setFont(font)
        self.refresh()

    def min_cell_px(self, sample: str = "000") -> int:
        """Screen pixels an image pixel needs before its values can be written on it."""
        if self._font is None:
            return 1 << 30
        fm = QFontMetrics(self._font)
        chans = 1 if self._data is None else self._data.shape[2]
        return max(fm.horizontalAdvance(sample) + 4, fm.height() * chans + 2)

    def visible_count(self) -> int:
        return sum(1 for t in self._pool if t.isVisible())

    def refresh(self, *_args) -> None:
        data = self._data
        shown = 0
        if data is not None and self._font is not None:
            (x0, x1), (y0, y1) = self.view.viewRange()
            px_w, px_h = self.view.viewPixelSize()
            cell_w, cell_h = 1 / max(px_w, 1e-9), 1 / max(px_h, 1e-9)   # screen pixels per image pixel
            h, w, chans = data.shape
            fm = QFontMetrics(self._font)
            c0, c1 = max(0, int(np.floor(x0))), min(w, int(np.ceil(x1)))
            r0, r1 = max(0, int(np.floor(y0))), min(h, int(np.ceil(y1)))
            count = max(0, c1 - c0) * max(0, r1 - r0)
            if 0 < count <= MAX_VALUE_LABELS and cell_h >= fm.height() * chans + 2:
                texts = {(r, c): [fmt_num(v, self._digits) for v in data[r, c]]
                         for r in range(r0, r1) for c in range(c0, c1)}
                widest = max(fm.horizontalAdvance(t) for lines in texts.values() for t in lines)
                if cell_w >= widest + 4:
                    for (r, c), lines in texts.items():
                        item = self._label(shown)
                        item.setText("\n".join(lines), color=self._text_colour(r, c))
                        item.setPos(c + 0.5, r + 0.5)
                        item.setVisible(True)
                        shown += 1
        for item in self._pool[shown:]:
            item.setVisible(False)

    def _text_colour(self, r: int, c: int) -> QColor:
        if self._rgb is None:
            return QColor("#ffffff")
        rgb = self._rgb[r, c]
        lum = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
        return QColor("#000000") if lum > 140 else QColor("#ffffff")

    def _label(self, i: int) -> pg.TextItem:
        while len(self._pool) <= i:
            item = pg.TextItem("", anchor=(0.5, 0.5))
            if self._font is not None:
                item.setFont(self._font)
            item.setZValue(20)
            self.view.addItem(item, ignoreBounds=True)
            self._pool.append(item)
        return self._pool[i]
