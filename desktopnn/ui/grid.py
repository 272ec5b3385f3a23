"""NumberGrid: a grid of numbers drawn large enough to read from the back of a lecture hall.

Shared by every tab that shows real numbers (kernels, small images, pooling windows, tensors).
Cells can be shaded by value, marked as padding, highlighted, and edited: double-click, Enter or just
start typing. A value that is not a number is refused with a message and the old value stays.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QWidget

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.theme import Theme, make_theme


MAX_MAGNITUDE = 1e9    # the largest size of a typed number, pixel or kernel value (products stay finite)


def parse_number(text: str) -> float:
    """Parse a typed number ('3', '-2.8', '0,5', '1/9'); ValueError with a student's sentence otherwise."""
    t = text.strip().replace("−", "-").replace(",", ".")
    if not t:
        raise ValueError("type a number")
    try:
        if t.count("/") == 1:
            num, den = t.split("/")
            value = float(num) / float(den)
        else:
            value = float(t)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"“{text.strip()}” is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"“{text.strip()}” is not a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"“{text.strip()[:20]}” is too large: numbers here go from −1000000000 to 1000000000")
    return value


class NumberGrid(QWidget):
    """A custom-painted, optionally editable grid of numbers."""

    cell_hovered = Signal(int, int)        # (-1, -1) when the pointer leaves
    cell_clicked = Signal(int, int)
    value_edited = Signal(int, int, float)
    edit_rejected = Signal(int, int, str)  # row, col, message for a person

    def __init__(self, values=None, editable: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if editable else Qt.FocusPolicy.ClickFocus)
        self.setProperty("wants_arrows", editable)   # the presenter's clicker leaves Left/Right to it
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._theme: Theme = make_theme(False)
        self._values = np.zeros((1, 1))
        self._editable = editable
        self._shade: tuple[float, float] | None = None
        self._shade_rgb: np.ndarray | None = None
        self._padding = np.zeros((1, 1), bool)
        self._highlights: list[tuple[np.ndarray, QColor, int]] = []
        self._hidden = np.zeros((1, 1), bool)
        self._marks: dict[tuple[int, int], str] = {}
        self._current: tuple[int, int] | None = None
        self._digits = 4
        self._cell_scale = 1.0
        self._editor: QLineEdit | None = None
        self._editing: tuple[int, int] | None = None
        if values is not None:
            self.set_values(values)

    # ---- content -------------------------------------------------------------------------
    def set_values(self, values) -> None:
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ValueError(f"NumberGrid shows 2-D grids, got shape {arr.shape}")
        reshaped = arr.shape != self._values.shape
        self._values = arr.copy()
        if reshaped:
            self._padding = np.zeros(arr.shape, bool)
            self._hidden = np.zeros(arr.shape, bool)
            self._highlights = []
            self._marks = {}
            self._current = None
            self.updateGeometry()
        self.update()

    def values(self) -> np.ndarray:
        return self._values.copy()

    @property
    def shape(self) -> tuple[int, int]:
        return self._values.shape  # type: ignore[return-value]

    def is_editable(self) -> bool:
        return self._editable

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if editable else Qt.FocusPolicy.ClickFocus)
        self.setProperty("wants_arrows", editable)

    def set_digits(self, digits: int) -> None:
        self._digits = digits
        self.update()

    def set_cell_scale(self, scale: float) -> None:
        """Cells relative to the theme's cell size (e.g. 0.7 for a compact 7×7 grid)."""
        self._cell_scale = scale
        self.updateGeometry()
        self.update()

    def set_shading(self, levels: tuple[float, float] | None, rgb: np.ndarray | None = None) -> None:
        """Grey background by value within ``levels``, or explicit per-cell colours ``rgb`` (H, W, 3)."""
        self._shade = levels
        self._shade_rgb = None if rgb is None else np.asarray(rgb, dtype=np.uint8)
        self.update()

    def set_padding_mask(self, mask) -> None:
        self._padding = np.asarray(mask, bool).reshape(self._values.shape)
        self.update()

    def set_hidden_mask(self, mask) -> None:
        """Cells whose value is hidden ("?") so the class can guess first."""
        self._hidden = np.asarray(mask, bool).reshape(self._values.shape)
        self.update()

    def set_highlights(self, highlights: list[tuple[object, str]]) -> None:
        """``[(mask or list of (r, c), colour name or '#hex'), ...]`` drawn as thick outlines."""
        out = []
        for i, (cells, colour) in enumerate(highlights):
            mask = np.zeros(self._values.shape, bool)
            if isinstance(cells, np.ndarray) and cells.dtype == bool:
                mask = cells.reshape(self._values.shape)
            else:
                for r, c in cells:
                    if 0 <= r < mask.shape[0] and 0 <= c < mask.shape[1]:
                        mask[r, c] = True
            col = QColor(getattr(self._theme, colour)) if hasattr(self._theme, colour) else QColor(colour)
            out.append((mask, col, i))
        self._highlights = out
        self.update()

    def set_marks(self, marks: dict[tuple[int, int], str]) -> None:
        """Small corner badges, e.g. {(0, 1): "✓", (2, 3): "✗"}."""
        self._marks = dict(marks)
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._editor is not None:
            self._editor.setFont(theme.font(0.9, mono=True))
        self.updateGeometry()
        self.update()

    # ---- geometry ------------------------------------------------------------------------
    def cell_size(self) -> int:
        return max(12, round(self._theme.cell_px * self._cell_scale))

    def sizeHint(self) -> QSize:
        s = self.cell_size()
        rows, cols = self._values.shape
        return QSize(cols * s + 2, rows * s + 2)

    minimumSizeHint = sizeHint

    def cell_rect(self, r: int, c: int) -> QRect:
        s = self.cell_size()
        return QRect(1 + c * s, 1 + r * s, s, s)

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        s = self.cell_size()
        r, c = (pos.y() - 1) // s, (pos.x() - 1) // s
        rows, cols = self._values.shape
        if 0 <= r < rows and 0 <= c < cols and pos.x() >= 1 and pos.y() >= 1:
            return int(r), int(c)
        return None

    # ---- painting ------------------------------------------------------------------------
    def _text_for(self, v: float) -> str:
        return fmt_num(v, self._digits)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        t = self._theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rows, cols = self._values.shape
        s = self.cell_size()
        font = t.font(1.0, mono=True)
        p.setFont(font)
        fm = QFontMetrics(font)
        lo, hi = self._shade if self._shade else (0.0, 1.0)
        span = (hi - lo) or 1.0
        for r in range(rows):
            for c in range(cols):
                rect = self.cell_rect(r, c)
                v = self._values[r, c]
                if self._padding[r, c]:
                    bg = QColor(t.padding)
                elif self._shade_rgb is not None:
                    bg = QColor(*(int(x) for x in self._shade_rgb[r, c, :3]))
                elif self._shade is not None:
                    g = int(np.clip((v - lo) / span, 0, 1) * 255)
                    bg = QColor(g, g, g)
                else:
                    bg = QColor(t.panel)
                p.fillRect(rect, bg)
                fg = QColor("#ffffff") if bg.lightnessF() < 0.5 else QColor("#000000")
                text = "?" if self._hidden[r, c] else self._text_for(v)
                if self._padding[r, c] and not self._hidden[r, c]:
                    fg = QColor(t.muted if not t.presentation else "#e8e0ff")
                # shrink the text to fit the cell
                width = fm.horizontalAdvance(text)
                if width > s - 6:
                    f2 = QFont(font)
                    f2.setPixelSize(max(6, int(font.pixelSize() * (s - 6) / max(width, 1))))
                    p.setFont(f2)
                p.setPen(fg)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
                p.setFont(font)
                mark = self._marks.get((r, c))
                if mark:
                    p.setPen(QColor(t.good if mark == "✓" else t.bad))
                    small = t.font(0.6, bold=True)
                    p.setFont(small)
                    p.drawText(rect.adjusted(0, 0, -3, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, mark)
                    p.setFont(font)
        p.setPen(QPen(QColor(t.grid_line), 1))
        for r in range(rows + 1):
            p.drawLine(1, 1 + r * s, 1 + cols * s, 1 + r * s)
        for c in range(cols + 1):
            p.drawLine(1 + c * s, 1, 1 + c * s, 1 + rows * s)
        width = max(3, round(t.text_px / 6))
        for mask, colour, order in self._highlights:
            inset = width // 2 + order * width
            p.setPen(QPen(colour, width))
            for r, c in zip(*np.nonzero(mask)):
                p.drawRect(self.cell_rect(int(r), int(c)).adjusted(inset, inset, -inset - 1, -inset - 1))
        if self._current is not None and self.hasFocus():
            p.setPen(QPen(QColor(t.accent2), width, Qt.PenStyle.DotLine))
            p.drawRect(self.cell_rect(*self._current).adjusted(1, 1, -2, -2))
        p.end()

    # ---- interaction ---------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self.cell_at(event.position().toPoint())
        self.cell_hovered.emit(*(cell if cell else (-1, -1)))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.cell_hovered.emit(-1, -1)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self.cell_at(event.position().toPoint())
        if cell is not None:
            self._current = cell
            self.cell_clicked.emit(*cell)
            self.update()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self.cell_at(event.position().toPoint())
        if cell is not None and self._editable:
            self.start_edit(*cell)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        rows, cols = self._values.shape
        r, c = self._current or (0, 0)
        key = event.key()
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if key in moves and self._editable:
            dr, dc = moves[key]
            self._current = (min(max(r + dr, 0), rows - 1), min(max(c + dc, 0), cols - 1))
            self.cell_hovered.emit(*self._current)
            self.update()
            return
        if self._editable and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.start_edit(r, c)
            return
        text = event.text()
        if self._editable and text and (text[0].isdigit() or text[0] in "-.+−"):
            self.start_edit(r, c, initial=text)
            return
        super().keyPressEvent(event)

    def start_edit(self, r: int, c: int, initial: str | None = None) -> None:
        self.finish_edit(commit=False)
        self._current = (r, c)
        self._editing = (r, c)
        ed = QLineEdit(self)
        ed.setFont(self._theme.font(0.9, mono=True))
        ed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ed.setText(initial if initial is not None else self._text_for(self._values[r, c]))
        ed.setGeometry(self.cell_rect(r, c))
        ed.returnPressed.connect(lambda: self.finish_edit(commit=True))
        ed.editingFinished.connect(lambda: self.finish_edit(commit=True))
        self._editor = ed
        ed.show()
        ed.setFocus()
        if initial is None:
            ed.selectAll()

    def edit_text(self, r: int, c: int, text: str) -> bool:
        """Apply typed text to a cell as if the person typed it; returns whether it was accepted."""
        try:
            value = parse_number(text)
        except ValueError as exc:
            self.edit_rejected.emit(r, c, f"{exc}; the cell keeps {self._text_for(self._values[r, c])}")
            return False
        self._values[r, c] = value
        self.update()
        self.value_edited.emit(r, c, value)
        return True

    def finish_edit(self, commit: bool = True) -> None:
        ed, cell = self._editor, self._editing
        if ed is None or cell is None:
            return
        self._editor, self._editing = None, None
        text = ed.text()
        ed.hide()
        ed.deleteLater()
        self.setFocus()
        if commit:
            self.edit_text(cell[0], cell[1], text)
