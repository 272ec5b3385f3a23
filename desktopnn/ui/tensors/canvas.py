"""TensorCanvas: tensors of rank 0–4 drawn as nested grids, side by side, with elements that can fly.

A rank-3 tensor ``(a, r, c)`` is ``a`` grids of ``r×c`` in a row; rank 4 ``(a, b, r, c)`` is ``a``
rows of ``b`` such grids. The canvas holds several blocks (e.g. ``A * B = R`` for broadcasting) and
an optional *flow*: elements travelling from one block to another in a given order (reshape and
transpose). Cell and text sizes come from the theme, shrunk only as far as needed to fit.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.engine.tensors.shapes import fmt_shape
from desktopnn.ui.tensors.layout import Block, block_geometry
from desktopnn.ui.theme import Theme, make_theme

MAX_DRAWN = 800            # more elements than this are summarised, not drawn
MAX_WIDGET = 16_777_215   # Qt's largest widget size (QWIDGETSIZE_MAX); a size hint never asks for more
MAX_GROW = 1.5             # cells grow up to 1.5× the theme's size when there is room (projectors)


class TensorCanvas(QWidget):
    """Paints blocks of tensors; reports the index tuple under the pointer and clicks."""

    element_hovered = Signal(int, object)    # block number, index tuple (None when leaving)
    element_clicked = Signal(int, object)
    slice_clicked = Signal(int, object)      # block number, the outer index of a grid (t[i] / t[i, j])

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._theme: Theme = make_theme(False)
        self.blocks: list[Block] = []
        self.direction = "row"
        self._auto = False
        self._vertical = False        # rank-3 grids stacked (chosen when it gives larger cells)
        self.flow: list[tuple[int, int, int, int]] = []   # (src block, src k, dst block, dst k)
        self.flow_progress = 0.0
        self.flow_travel = 3.0
        self._hover: tuple[int, int] | None = None
        self._cell = float(self._theme.cell_px)
        self._message = ""

    # ---- content -------------------------------------------------------------------------
    def set_blocks(self, blocks: list[Block], direction: str = "row") -> None:
        """``direction``: "row", "column" or "auto" (whichever lets the cells be larger)."""
        self.blocks = blocks
        self._auto = direction == "auto"
        self.direction = "row" if self._auto else direction
        self.flow = []
        self._hover = None
        self._relayout()

    def set_flow(self, moves: list[tuple[int, int, int, int]], travel: float) -> None:
        """Elements travel in list order; move i leaves at progress i and lands at i + travel."""
        self.flow = list(moves)
        self.flow_travel = travel
        self.set_flow_progress(0.0)

    def flow_length(self) -> float:
        return len(self.flow) - 1 + self.flow_travel if self.flow else 0.0

    def set_flow_progress(self, p: float) -> None:
        self.flow_progress = p
        for blk in self.blocks:
            if self.flow:
                blk.hidden = np.zeros(blk.values.shape, bool)
                blk.faded = np.zeros(blk.values.shape, bool)
        for i, (sb, sk, db, dk) in enumerate(self.flow):
            if p > i:
                self.blocks[sb].faded.reshape(-1)[sk] = True
            if p < i + self.flow_travel:
                self.blocks[db].hidden.reshape(-1)[dk] = True
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._relayout()

    # ---- layout --------------------------------------------------------------------------
    def _grow(self, s: float) -> float:
        """Titles and labels grow with the cells when there is room (1 at the theme's cell size)."""
        return max(1.0, s / self._theme.cell_px)

    def _metrics(self, s: float | None = None):
        t, g = self._theme, self._grow(self._cell if s is None else s)
        return t.text_px * 1.35 * g, t.text_px * 1.6 * g   # slice label height, title height

    def _fit(self, direction: str, avail_w: float, avail_h: float, vertical: bool = False) -> float:
        """The cell size that fits ``direction`` into the widget, between min_cell and 1.5× the theme's."""
        keep, keep_v = self.direction, self._vertical
        self.direction, self._vertical = direction, vertical
        s = float(self._theme.cell_px) * MAX_GROW
        for _ in range(4):                # labels do not scale: converge in a few steps
            w, h = self._natural(s)
            if w <= avail_w and h <= avail_h:
                break
            s = max(self.min_cell(), s * min(1.0, avail_w / max(w, 1), avail_h / max(h, 1)))
        self.direction, self._vertical = keep, keep_v
        return s

    def _natural(self, s: float) -> tuple[float, float]:
        sizes = [self._geometry(b, s)[2] for b in self.blocks]
        fm = QFontMetrics(self._theme.font(1.2, bold=True))
        sep = [fm.horizontalAdvance(b.label) + s if b.label else 0 for b in self.blocks]
        if not sizes:
            return 0.0, 0.0
        if self.direction == "row":
            return sum(w for w, _ in sizes) + sum(sep) + s * 0.6 * (len(sizes) - 1), max(h for _, h in sizes)
        return max(w for w, _ in sizes), sum(h for _, h in sizes) + s * 1.2 * (len(sizes) - 1) + \
            sum(fm.height() for b in self.blocks if b.label)

    def _title(self, blk: Block) -> str:
        return blk.title or f"shape {fmt_shape(blk.values.shape)}"

    def _geometry(self, blk: Block, s: float):
        """Like :func:`block_geometry`, widened (grids centred) when the title is wider than the grids."""
        label_h, title_h = self._metrics(s)
        if not _drawn(blk):
            rects, frames, (w, h) = np.zeros((0, 4)), [], (s * 8, title_h * 2)
        else:
            rects, frames, (w, h) = block_geometry(blk.values.shape, s, label_h, title_h, self._vertical)
        title_w = QFontMetrics(self._theme.font(self._grow(s), bold=True)).horizontalAdvance(self._title(blk)) + 8
        if title_w > w:
            dx = (title_w - w) / 2
            rects = rects.copy()
            rects[:, 0] += dx
            frames = [(r.translated(dx, 0), idx) for r, idx in frames]
            w = title_w
        return rects, frames, (w, h)

    def summary(self, block: int) -> str:
        """The line drawn instead of the cells of ``block`` ("" when its cells are drawn)."""
        blk = self.blocks[block]
        return "" if _drawn(blk) else _not_drawn_text(blk.values.size)

    def min_cell(self) -> float:
        return self._theme.text_px * (1.7 if self._theme.presentation else 1.9)

    def sizeHint(self) -> QSize:  # noqa: N802
        return _size(*self._natural(self._theme.cell_px * MAX_GROW))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return _size(*self._natural(self.min_cell()))

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._relayout(geometry_changed=False)
        super().resizeEvent(event)

    def _relayout(self, geometry_changed: bool = True) -> None:
        avail_w, avail_h = max(50, self.width() - 8), max(50, self.height() - 8)
        directions = ("row", "column") if self._auto else (self.direction,)
        options = [(d, v) for d in directions for v in (False, True)]   # whichever gives the larger cells
        self.direction, self._vertical = max(options, key=lambda o: (self._fit(o[0], avail_w, avail_h, o[1]), not o[1]))
        s = self._fit(self.direction, avail_w, avail_h, self._vertical)
        self._cell = s
        fm = QFontMetrics(self._theme.font(1.2, bold=True))
        w, h = self._natural(s)
        x0 = max(4.0, (self.width() - w) / 2)
        y0 = 4.0
        x, y = x0, y0
        for blk in self.blocks:
            blk.rects, blk.frames, blk.size = self._geometry(blk, s)
            if self.direction == "row":
                blk.origin = (x, y0 + (h - blk.size[1]) / 2)
                x += blk.size[0] + (fm.horizontalAdvance(blk.label) + s if blk.label else 0) + s * 0.6
            else:
                blk.origin = (x0 + (w - blk.size[0]) / 2, y)
                y += blk.size[1] + s * 1.2 + (fm.height() if blk.label else 0)
        if geometry_changed:
            self.updateGeometry()
        self.update()

    def cell_size(self) -> float:
        return self._cell

    def element_rect(self, block: int, k: int) -> QRectF:
        blk = self.blocks[block]
        x, y, w, h = blk.rects[k]
        return QRectF(blk.origin[0] + x, blk.origin[1] + y, w, h)

    def element_center(self, block: int, index) -> QPointF:
        """Centre of the element ``index`` of ``block`` on the widget (tests click there)."""
        k = int(np.ravel_multi_index(index, self.blocks[block].values.shape)) if index else 0
        return self.element_rect(block, k).center()

    def element_at(self, pos: QPointF) -> tuple[int, int] | None:
        for b, blk in enumerate(self.blocks):
            if not len(blk.rects):
                continue
            x = pos.x() - blk.origin[0]
            y = pos.y() - blk.origin[1]
            r = blk.rects
            hit = np.nonzero((r[:, 0] <= x) & (x < r[:, 0] + r[:, 2]) & (r[:, 1] <= y) & (y < r[:, 1] + r[:, 3]))[0]
            if len(hit):
                return b, int(hit[0])
        return None

    def slice_at(self, pos: QPointF) -> tuple[int, tuple] | None:
        label_h, _ = self._metrics()
        for b, blk in enumerate(self.blocks):
            for rect, idx in blk.frames:
                lab = QRectF(blk.origin[0] + rect.x(), blk.origin[1] + rect.y() - label_h, rect.width(), label_h)
                if lab.contains(pos):
                    return b, tuple(int(i) for i in idx)
        return None

    def index_of(self, block: int, k: int) -> tuple[int, ...]:
        shape = self.blocks[block].values.shape
        return tuple(int(i) for i in np.unravel_index(k, shape)) if shape else ()

    # ---- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        t = self._theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        s = self._cell
        font = t.font(max(1.0, s * 0.42 / t.text_px), mono=True)
        title_font = t.font(self._grow(s), bold=True)
        sep_font = t.font(1.2, bold=True)
        label_h, title_h = self._metrics()
        for b, blk in enumerate(self.blocks):
            ox, oy = blk.origin
            p.setFont(title_font)
            p.setPen(QColor(t.text))
            title = self._title(blk)
            p.drawText(QRectF(ox - s, oy, blk.size[0] + 2 * s, title_h),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, title)
            if not _drawn(blk):
                p.setPen(QColor(t.muted))
                p.drawText(QRectF(ox, oy + title_h, blk.size[0], title_h), Qt.AlignmentFlag.AlignCenter,
                           self.summary(b))
                continue
            self._paint_frames(p, blk, label_h)
            self._paint_cells(p, b, blk, font)
            if blk.label:
                p.setFont(sep_font)
                p.setPen(QColor(t.accent2))
                fm = QFontMetrics(sep_font)
                if self.direction == "row":
                    rect = QRectF(ox + blk.size[0] + s * 0.3, oy, fm.horizontalAdvance(blk.label) + s * 0.6, blk.size[1])
                else:
                    rect = QRectF(ox, oy + blk.size[1] + s * 0.2, blk.size[0], fm.height() + s * 0.6)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, blk.label)
        self._paint_flow(p, font)
        p.end()

    def _paint_frames(self, p: QPainter, blk: Block, label_h: float) -> None:
        t = self._theme
        ox, oy = blk.origin
        p.setFont(t.font((1.0 if t.presentation else 0.9) * self._grow(self._cell), mono=True))
        for rect, idx in blk.frames:
            r = rect.translated(ox, oy)
            p.setPen(QPen(QColor(t.muted), max(2, t.text_px // 8)))
            p.drawRect(r.adjusted(-3, -3, 3, 3))
            name = blk.name or "t"
            p.drawText(QRectF(r.x() - 10, r.y() - label_h, r.width() + 20, label_h),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                       f"{name}[{', '.join(str(i) for i in idx)}]")

    def _paint_cells(self, p: QPainter, b: int, blk: Block, font: QFont) -> None:
        t = self._theme
        flat = blk.values.reshape(-1)
        hl = None if blk.highlight is None else blk.highlight.reshape(-1)
        ghost = None if blk.ghost is None else blk.ghost.reshape(-1)
        hidden = None if blk.hidden is None else blk.hidden.reshape(-1)
        faded = None if blk.faded is None else blk.faded.reshape(-1)
        width = max(3, round(t.text_px / 6))
        accent, accent2 = QColor(t.accent), QColor(t.accent2)
        fill_hl = QColor(accent)
        fill_hl.setAlpha(150 if t.presentation else 90)
        hatch = QColor(t.grid_line)
        hatch.setAlpha(90)
        dim = QColor(t.muted)
        dim.setAlpha(170)
        for k in range(len(flat)):
            rect = self.element_rect(b, k)
            if hidden is not None and hidden[k]:
                p.setPen(QPen(QColor(t.grid_line), 1, Qt.PenStyle.DotLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect)
                continue
            is_ghost = ghost is not None and ghost[k]
            is_faded = faded is not None and faded[k]
            bg = QColor(t.background if is_ghost or is_faded else t.panel)
            p.fillRect(rect, bg)
            if is_ghost:                  # a repeat, not data: hatched, dashed, dimmer
                p.fillRect(rect, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            if hl is not None and hl[k]:
                p.fillRect(rect, fill_hl)
            p.setPen(QPen(QColor(t.grid_line), 1, Qt.PenStyle.DashLine if is_ghost else Qt.PenStyle.SolidLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
            self._paint_number(p, rect, flat[k], font, dim if (is_ghost or is_faded) else QColor(t.text))
            if ghost is not None and not is_ghost:   # the original values of a broadcast operand
                p.setPen(QPen(accent2, width))
                p.drawRect(rect.adjusted(width / 2, width / 2, -width / 2, -width / 2))
            if hl is not None and hl[k]:
                p.setPen(QPen(accent, width))
                p.drawRect(rect.adjusted(width / 2, width / 2, -width / 2, -width / 2))
            if self._hover == (b, k):
                p.setPen(QPen(accent2, width))
                p.drawRect(rect.adjusted(1, 1, -1, -1))

    def _paint_number(self, p: QPainter, rect: QRectF, value, font: QFont, colour: QColor) -> None:
        text = fmt_num(float(value), 3)
        fm = QFontMetrics(font)
        w = fm.horizontalAdvance(text)
        if w > rect.width() - 6:
            f2 = QFont(font)
            f2.setPixelSize(max(8, int(font.pixelSize() * (rect.width() - 6) / max(w, 1))))
            p.setFont(f2)
        else:
            p.setFont(font)
        p.setPen(colour)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_flow(self, p: QPainter, font: QFont) -> None:
        if not self.flow or not all(_drawn(blk) for blk in self.blocks):   # no cells to fly between
            return
        t = self._theme
        pr = self.flow_progress
        bg = QColor(t.accent)
        fg = QColor("#000000") if t.presentation else QColor("#ffffff")
        for i, (sb, sk, db, dk) in enumerate(self.flow):
            f = (pr - i) / self.flow_travel
            if f <= 0 or f >= 1:
                continue
            f = f * f * (3 - 2 * f)               # ease in and out
            a, z = self.element_rect(sb, sk), self.element_rect(db, dk)
            rect = QRectF(a.x() + (z.x() - a.x()) * f, a.y() + (z.y() - a.y()) * f, a.width(), a.height())
            p.fillRect(rect, bg)
            self._paint_number(p, rect, self.blocks[sb].values.reshape(-1)[sk], font, fg)

    # ---- interaction ---------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        hit = self.element_at(event.position())
        if hit != self._hover:
            self._hover = hit
            self.update()
            if hit is None:
                self.element_hovered.emit(-1, None)
            else:
                self.element_hovered.emit(hit[0], self.index_of(*hit))
        if hit is not None:
            self.setToolTip(f"index {self.index_of(*hit)}")
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = None
        self.element_hovered.emit(-1, None)
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        hit = self.element_at(event.position())
        if hit is not None:
            self.element_clicked.emit(hit[0], self.index_of(*hit))
        else:
            sl = self.slice_at(event.position())
            if sl is not None:
                self.slice_clicked.emit(*sl)
        super().mousePressEvent(event)


def _drawn(blk: Block) -> bool:
    """Whether a block is drawn cell by cell (an empty or a large tensor gets one line of text)."""
    return 0 < blk.values.size <= MAX_DRAWN


def _not_drawn_text(size: int) -> str:
    if size == 0:
        return "an empty tensor: no elements to draw"
    return f"{size} elements: the Tensors tab draws at most {MAX_DRAWN} as grids"


def _size(w: float, h: float) -> QSize:
    """A size hint Qt can hold (an int of at most QWIDGETSIZE_MAX each way)."""
    return QSize(int(min(w + 8, MAX_WIDGET)), int(min(h + 8, MAX_WIDGET)))


def scrolled(canvas: TensorCanvas) -> QScrollArea:
    """The canvas in a scroll area: a big tensor scrolls instead of pushing the window past the screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(canvas)
    return area
