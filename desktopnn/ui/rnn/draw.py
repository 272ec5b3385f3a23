"""Painting helpers shared by the RNN views: clothing colours, fonts and plot styling, chips, arrows, and the
per-step sequence strip."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktopnn.ui.theme import Theme, make_theme

CLOTH_COLOURS = {"white": "#f2f2f2", "blue": "#1f5fbf", "red": "#c62828", "green": "#2e7d32",
                 "tunica": "#8d6e63", "yellow": "#f9d71c", "black": "#202020", "pink": "#e91e63",
                 "orange": "#ef6c00", "purple": "#6a1b9a", "brown": "#6d4c41", "grey": "#757575"}
_SPARE = ["#00838f", "#5d4037", "#ad1457", "#455a64", "#827717", "#4527a0"]


def item_colour(item: str) -> str:
    """The colour a clothing item is drawn in: the colour word of its name when it has one."""
    for word in item.split():
        if word in CLOTH_COLOURS:
            return CLOTH_COLOURS[word]
    return _SPARE[sum(map(ord, item)) % len(_SPARE)]


def ink_for(colour: str) -> str:
    c = pg.mkColor(colour)
    return "#000000" if 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue() > 150 else "#ffffff"


def font(theme: Theme, scale: float = 1.0, bold: bool = False, mono: bool = False):
    """``theme.font`` that never goes below the presentation minimum (27 px at 1080p) on a projector."""
    return theme.font(max(1.0, scale) if theme.presentation else scale, bold=bold, mono=mono)


def style_plot(plot: pg.PlotWidget, theme: Theme, left: str = "", bottom: str = "") -> None:
    """Background, pens and axis fonts of a pyqtgraph plot from ``theme`` (presentation included)."""
    plot.setBackground(theme.panel)
    tick_font = font(theme, 0.85)
    pen = pg.mkPen(theme.text, width=2 if theme.presentation else 1)
    for name, label in (("left", left), ("bottom", bottom)):
        ax = plot.getAxis(name)
        ax.setTickFont(tick_font)
        ax.setPen(pen)
        ax.setTextPen(pen)
        ax.enableAutoSIPrefix(False)
        ax.autoSIPrefixScale = 1.0     # pyqtgraph 0.14 keeps the last prefix scale when disabling it
        ax.setStyle(tickTextOffset=max(4, theme.text_px // 3))
        if label:
            ax.setLabel(label, **{"color": theme.text, "font-size": f"{tick_font.pixelSize()}px"})
    plot.getAxis("left").setWidth(round(theme.text_px * 4.2))
    plot.getAxis("bottom").setHeight(round(theme.text_px * 2.6))
    item = plot.getPlotItem()
    if item.titleLabel.text:
        item.setTitle(item.titleLabel.text, color=theme.text, size=f"{theme.text_px}px")


def chip_lines(item: str) -> list[str]:
    """'green saree' → ['green', 'saree']: two short lines fit a narrow column."""
    words = item.split()
    if len(words) <= 1:
        return [item]
    return [words[0], " ".join(words[1:])]


def draw_chip(p: QPainter, rect: QRectF, item: str, theme: Theme, outline: str | None = None) -> None:
    """A clothing item as a rounded card in its own colour, its name written on it."""
    fill = QColor(item_colour(item))
    p.setPen(QPen(QColor(outline or theme.grid_line), 3 if outline else 1))
    p.setBrush(fill)
    p.drawRoundedRect(rect, 8, 8)
    p.setPen(QColor(ink_for(item_colour(item))))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "\n".join(chip_lines(item)))


def draw_arrow(p: QPainter, a: QPointF, b: QPointF, colour: QColor, width: float, head: float) -> None:
    p.setPen(QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    ang = math.atan2(b.y() - a.y(), b.x() - a.x())
    tip_base = QPointF(b.x() - head * 0.8 * math.cos(ang), b.y() - head * 0.8 * math.sin(ang))
    p.drawLine(a, tip_base)
    left = QPointF(b.x() - head * math.cos(ang - 0.45), b.y() - head * math.sin(ang - 0.45))
    right = QPointF(b.x() - head * math.cos(ang + 0.45), b.y() - head * math.sin(ang + 0.45))
    p.setBrush(colour)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawPolygon(QPolygonF([b, left, right]))


def rounded(rect: QRectF, r: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, r, r)
    return path


class SequenceStrip(QWidget):
    """Rows of clothing chips, one column per time step: x_t, the true next item and predictions.

    Each prediction row marks its chips right (✓, green) or wrong (✗, red).  Clicking a column selects
    that time step.
    """

    step_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._rows: list[tuple[str, list, list | None]] = []   # label, items (None = unknown), truth
        self._current: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setToolTip("One column per time step. Click a column to step there.")

    def set_rows(self, rows: list[tuple[str, list, list | None]]) -> None:
        self._rows = rows
        self.updateGeometry()
        self.adjustSize()
        self.update()

    def set_current(self, t: int | None) -> None:
        self._current = t
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.updateGeometry()
        self.adjustSize()
        self.update()

    def _label_scale(self) -> float:
        return 1.0 if self._theme.presentation else 1.3

    def _chip_scale(self) -> float:
        return 1.0 if self._theme.presentation else 1.5

    # ---- geometry ------------------------------------------------------------------------
    def _metrics(self) -> tuple[int, int, int, int]:
        fm = QFontMetrics(font(self._theme, self._chip_scale()))
        words = [w for _, items, _ in self._rows for it in items if it for w in chip_lines(it)]
        col = max([fm.horizontalAdvance(w) for w in words] + [fm.horizontalAdvance("shirt")]) + self._theme.text_px
        row = fm.height() * 2 + self._theme.text_px
        label_fm = QFontMetrics(font(self._theme, self._label_scale(), bold=True))
        label_w = max([label_fm.horizontalAdvance(lab) for lab, _, _ in self._rows] + [10]) + self._theme.text_px
        head = fm.height() + 6
        return col, row, label_w, head

    def columns(self) -> int:
        return max([len(items) for _, items, _ in self._rows] + [0])

    def sizeHint(self) -> QSize:
        col, row, label_w, head = self._metrics()
        return QSize(label_w + self.columns() * col + 4, head + len(self._rows) * row + 4)

    minimumSizeHint = sizeHint

    def column_at(self, x: float) -> int | None:
        col, _, label_w, _ = self._metrics()
        c = int((x - label_w) // col)
        return c if x >= label_w and 0 <= c < self.columns() else None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        c = self.column_at(event.position().x())
        if c is not None:
            self.step_clicked.emit(c)

    # ---- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        t = self._theme
        col, row, label_w, head = self._metrics()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(font(t, 0.7))
        p.setPen(QColor(t.muted))
        for c in range(self.columns()):
            p.drawText(QRectF(label_w + c * col, 0, col, head), Qt.AlignmentFlag.AlignCenter, f"t={c}")
        if self._current is not None and 0 <= self._current < self.columns():
            r = QRectF(label_w + self._current * col + 1, 1, col - 2, head + len(self._rows) * row)
            p.setPen(QPen(QColor(t.accent), 4))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r, 6, 6)
        pad = max(3, t.text_px // 5)
        for i, (label, items, truth) in enumerate(self._rows):
            y = head + i * row
            p.setFont(font(t, self._label_scale(), bold=True))
            p.setPen(QColor(t.text))
            p.drawText(QRectF(0, y, label_w - 6, row), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            p.setFont(font(t, self._chip_scale()))
            for c, it in enumerate(items):
                rect = QRectF(label_w + c * col + pad, y + pad, col - 2 * pad, row - 2 * pad)
                if it is None:
                    p.setPen(QPen(QColor(t.grid_line), 1, Qt.PenStyle.DashLine))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(rect, 8, 8)
                    p.setPen(QColor(t.muted))
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "?")
                    continue
                ok = None if truth is None or c >= len(truth) or truth[c] is None else truth[c] == it
                outline = None if ok is None else (t.good if ok else t.bad)
                draw_chip(p, rect, it, t, outline)
                if ok is not None:
                    self._draw_mark(p, rect, ok)
        p.end()

    def _draw_mark(self, p: QPainter, rect: QRectF, ok: bool) -> None:
        t = self._theme
        d = t.text_px * 1.1
        badge = QRectF(rect.right() - d * 0.8, rect.top() - d * 0.2, d, d)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(t.good if ok else t.bad))
        p.drawEllipse(badge)
        p.setPen(QColor("#000000" if t.presentation else "#ffffff"))
        p.setFont(font(t, 0.75, bold=True))
        p.drawText(badge, Qt.AlignmentFlag.AlignCenter, "✓" if ok else "✗")
        p.setFont(font(t, self._chip_scale()))
