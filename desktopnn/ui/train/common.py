"""Pieces shared by the Train tab's views: image tiles with captions, plot styling, small helpers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktopnn.ui.widgets import style_axis
from desktopnn.ui.theme import Theme, make_theme


def to_qimage(image: np.ndarray) -> QImage:
    """``(H, W)`` or ``(H, W, 3)`` uint8 → a QImage that owns its pixels."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    arr = np.ascontiguousarray(arr[:, :, :3], dtype=np.uint8)
    h, w, _ = arr.shape
    return QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def style_plot(plot: pg.PlotWidget, theme: Theme, left: str = "", bottom: str = "") -> None:
    """Axis fonts, colours and titles at the theme's size (presentation mode included)."""
    plot.setBackground(theme.panel)
    item = plot.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        style_axis(axis, theme)
    css = {"color": theme.text, "font-size": f"{theme.text_px}px"}
    item.setLabel("left", left, **css)
    item.setLabel("bottom", bottom, **css)
    # pyqtgraph sizes an axis from the tick font it measured last, so after a change to large
    # presentation fonts the left title overlapped the tick labels: give it room for "-0.000", the
    # gap and the rotated title explicitly
    axis = item.getAxis("left")
    ticks = QFontMetrics(theme.font(1.0 if theme.presentation else 0.85)).horizontalAdvance("-0.000")
    axis.setWidth(ticks + max(4, theme.text_px // 3) + (round(theme.text_px * 1.6) if left else 0))
    item.showGrid(x=True, y=True, alpha=0.25)
    legend = item.legend
    if legend is not None:
        legend.setLabelTextSize(f"{theme.text_px}px")
        legend.setLabelTextColor(theme.text)
        legend.setBrush(pg.mkBrush(theme.panel))
        for _sample, label in legend.items:
            label.setText(label.text, size=f"{theme.text_px}px", color=theme.text)


def pen(theme: Theme, colour: str, width_scale: float = 0.18, style=Qt.PenStyle.SolidLine):
    return pg.mkPen(getattr(theme, colour, colour), width=max(2, round(theme.text_px * width_scale)), style=style)


class TileGrid(QWidget):
    """Images in a grid, each with a caption underneath (the notes' 5×5 grid of labelled samples).

    Tiles scale with the widget; a caption can be coloured (e.g. red for a wrong prediction).
    """

    tile_clicked = Signal(int)

    def __init__(self, columns: int = 5, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._columns = columns
        self._images: list[QImage] = []
        self._captions: list[str] = []
        self._colours: list[str | None] = []
        self._selected = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_tiles(self, images, captions: list[str], colours: list[str | None] | None = None) -> None:
        self._images = [to_qimage(im) for im in images]
        self._captions = list(captions)
        self._colours = list(colours) if colours is not None else [None] * len(self._images)
        self._selected = -1
        self.updateGeometry()
        self.update()

    def set_columns(self, columns: int) -> None:
        self._columns = max(1, columns)
        self.update()

    def set_selected(self, index: int) -> None:
        self._selected = index
        self.update()

    def count(self) -> int:
        return len(self._images)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._columns * 96, 96 * max(1, (len(self._images) + self._columns - 1) // self._columns))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 120)

    def _layout(self) -> tuple[int, int, int]:
        n = max(1, len(self._images))
        cols = min(self._columns, n)
        rows = (n + cols - 1) // cols
        cap = round(self._theme.text_px * 1.35)
        side = max(8, min((self.width() - 4) // cols, (self.height() - 4) // rows - cap))
        return cols, side, cap

    def tile_rect(self, i: int) -> QRect:
        cols, side, cap = self._layout()
        r, c = divmod(i, cols)
        return QRect(2 + c * side, 2 + r * (side + cap), side, side + cap)

    def paintEvent(self, event) -> None:  # noqa: N802
        t = self._theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        cols, side, cap = self._layout()
        font = t.font(0.9)
        p.setFont(font)
        for i, (img, text) in enumerate(zip(self._images, self._captions)):
            rect = self.tile_rect(i)
            pad = max(2, side // 16)
            target = QRect(rect.x() + pad, rect.y() + pad, side - 2 * pad, side - 2 * pad)
            p.drawImage(target, img)
            p.setPen(QColor(getattr(t, self._colours[i]) if self._colours[i] else t.text))
            p.drawText(QRect(rect.x(), rect.y() + side, side, cap), Qt.AlignmentFlag.AlignHCenter |
                       Qt.AlignmentFlag.AlignTop, p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, side))
            if i == self._selected:
                p.setPen(QPen(QColor(t.accent), max(3, t.text_px // 6)))
                p.drawRect(target.adjusted(-2, -2, 2, 2))
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position().toPoint()
        for i in range(len(self._images)):
            if self.tile_rect(i).contains(pos):
                self.set_selected(i)
                self.tile_clicked.emit(i)
                return
        super().mousePressEvent(event)


class ImageView(QWidget):
    """One image scaled to fit, pixels kept sharp, with optional outlined pixels ``[(r, c, colour)]``."""

    pixel_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._image: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._marks: list[tuple[int, int, str]] = []
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: np.ndarray | None) -> None:
        self._image = None if image is None else np.asarray(image)
        self._qimage = None if image is None else to_qimage(image)
        self.update()

    def set_marks(self, marks: list[tuple[int, int, str]]) -> None:
        self._marks = list(marks)
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def _geometry(self) -> tuple[int, int, float] | None:
        if self._image is None:
            return None
        h, w = self._image.shape[:2]
        scale = min(self.width() / w, self.height() / h)
        return round((self.width() - w * scale) / 2), round((self.height() - h * scale) / 2), scale

    def paintEvent(self, event) -> None:  # noqa: N802
        geo = self._geometry()
        if geo is None or self._qimage is None:
            return
        x0, y0, s = geo
        h, w = self._image.shape[:2]
        p = QPainter(self)
        p.drawImage(QRect(x0, y0, round(w * s), round(h * s)), self._qimage)
        width = max(3, round(self._theme.text_px / 6))
        for r, c, colour in self._marks:
            p.setPen(QPen(QColor(getattr(self._theme, colour, colour)), width))
            p.drawRect(QRect(round(x0 + c * s), round(y0 + r * s), max(2, round(s)), max(2, round(s))))
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        geo = self._geometry()
        if geo is not None:
            x0, y0, s = geo
            pos = event.position()
            r, c = int((pos.y() - y0) // s), int((pos.x() - x0) // s)
            h, w = self._image.shape[:2]
            if 0 <= r < h and 0 <= c < w:
                self.pixel_clicked.emit(r, c)
        super().mousePressEvent(event)
