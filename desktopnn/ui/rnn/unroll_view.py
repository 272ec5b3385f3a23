"""Unrolling (notes 4.3.6): the same W_hh, W_hx and b_h are used at every time step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.rnn.cell_view import StepBar
from desktopnn.ui.rnn.draw import draw_arrow, draw_chip, font
from desktopnn.ui.rnn.state import RnnState
from desktopnn.ui.theme import Theme, make_theme

WEIGHTS = ("W_hh", "W_hx", "b_h")
MAX_SHOWN = 9


class UnrollDiagram(QWidget):
    """The rolled cell with its feedback loop, '=', and the same cell copied once per time step."""

    step_clicked = Signal(int)

    def __init__(self, state: RnnState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self._theme = make_theme(False)
        self.highlight = "W_hh"
        self._z = 1.0
        self.setMinimumHeight(300)
        self.setToolTip("The network unrolled over the sequence. Click a step to go there.")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setMinimumHeight(round(theme.text_px * 12))
        self.update()

    def shown_steps(self) -> list[int]:
        """At most MAX_SHOWN steps, a window that follows the current step."""
        n, t = self.state.length, self.state.t
        start = max(0, min(t - MAX_SHOWN // 2, n - MAX_SHOWN))
        return list(range(start, min(n, start + MAX_SHOWN)))

    def _layout(self):
        steps = self.shown_steps()
        base = self._theme.text_px
        col = (self.width() - base * 8) / max(1, len(steps))
        # on a big window with small text, draw bigger (a projector already has large text)
        self._z = 1.0 if self._theme.presentation else max(1.0, min(self.height() / (base * 13), col / (base * 6), 1.8))
        tp = round(base * self._z)
        rolled_w = tp * 8
        col = (self.width() - rolled_w) / max(1, len(steps))
        return tp, rolled_w, steps, col

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        tp, rolled_w, steps, col = self._layout()
        i = int((event.position().x() - rolled_w) // col)
        if event.position().x() >= rolled_w and 0 <= i < len(steps):
            self.step_clicked.emit(steps[i])

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        tp, rolled_w, steps, col = self._layout()
        h = self.height()
        rows = (h * 0.12, h * 0.47, h * 0.84)                        # y of the outputs, the cells, the inputs
        box = (min(col * 0.56, tp * 4.4), min(h * 0.22, tp * 3))      # a cell's width and height
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_rolled(p, tp, rolled_w, rows, box)
        self._paint_unrolled(p, tp, rolled_w, steps, col, rows, box)
        p.end()

    def _pens(self) -> tuple[QColor, QColor, int, int]:
        """Colour and width of a highlighted weight's arrow, and of a plain one."""
        t = self._theme
        return QColor(t.accent), QColor(t.text), 5 if t.presentation else 3, 2

    def _paint_rolled(self, p: QPainter, tp: int, rolled_w: float, rows: tuple, box: tuple) -> None:
        """The rolled form: one cell, its feedback loop through W_hh, xₜ in, ŷₜ out, then '='."""
        t = self._theme
        y_out, y_cell, y_in = rows
        box_w, box_h = box
        hi, plain, lw, thin = self._pens()
        act = self.state.activation
        cx = rolled_w * 0.36
        cell = QRectF(cx - box_w / 2, y_cell - box_h / 2, box_w, box_h)
        self._cell(p, cell, act, False)
        loop = QRectF(cell.right() - box_w * 0.2, cell.top() - box_h * 0.7, box_w * 0.5, box_h * 0.9)
        p.setPen(QPen(hi if self.highlight == "W_hh" else plain, lw if self.highlight == "W_hh" else thin))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(loop, -30 * 16, 240 * 16)
        self._label(p, QPointF(loop.center().x(), loop.top() - tp * 0.6), "W_hh", self.highlight == "W_hh")
        draw_arrow(p, QPointF(cx, y_in - box_h / 2), QPointF(cx, cell.bottom()),
                   hi if self.highlight == "W_hx" else plain, lw if self.highlight == "W_hx" else thin, tp * 0.6)
        p.setFont(font(t, self._z * 1.6, bold=True))
        p.setPen(plain)
        p.drawText(QRectF(rolled_w * 0.8, y_cell - tp, rolled_w * 0.2, tp * 2), Qt.AlignmentFlag.AlignCenter, "=")
        p.setFont(font(t, self._z * 0.8))
        p.setPen(plain)
        p.drawText(QRectF(cx - box_w, y_in - box_h / 2, box_w * 2, tp * 1.6), Qt.AlignmentFlag.AlignCenter, "xₜ")
        draw_arrow(p, QPointF(cx, cell.top()), QPointF(cx, y_out), plain, thin, tp * 0.5)
        p.drawText(QRectF(cx - box_w, y_out - tp * 1.5, box_w * 2, tp * 1.4), Qt.AlignmentFlag.AlignCenter, "ŷₜ")

    def _paint_unrolled(self, p: QPainter, tp: int, rolled_w: float, steps: list[int], col: float, rows: tuple,
                        box: tuple) -> None:
        """The same cell copied once per shown step: h₍ₜ₋₁₎ in through W_hh, xₜ through W_hx, ŷₜ out."""
        t = self._theme
        y_out, y_cell, y_in = rows
        box_w, box_h = box
        hi, plain, lw, thin = self._pens()
        act = self.state.activation
        h = self.height()
        res = self.state.result
        labels = []
        for i, s in enumerate(steps):
            x = rolled_w + col * (i + 0.5)
            cell = QRectF(x - box_w / 2, y_cell - box_h / 2, box_w, box_h)
            current = s == self.state.t
            if current:
                p.setPen(QPen(QColor(t.accent2), lw))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(QRectF(x - col / 2 + 3, 3, col - 6, h - 6), 10, 10)
            # h_{t-1} → cell, through W_hh (the first cell starts from h_{-1} = 0)
            on = self.highlight == "W_hh"
            start = QPointF(x - col + box_w / 2 if i else x - col / 2 + 4, y_cell)
            draw_arrow(p, start, QPointF(cell.left(), y_cell), hi if on else plain, lw if on else thin, tp * 0.6)
            labels.append((QPointF(x - col / 2, y_cell - box_h / 2 - tp * 0.6), "W_hh", on))
            # x_t → cell, through W_hx
            on = self.highlight == "W_hx"
            chip = QRectF(x - box_w / 2, y_in - box_h / 2, box_w, box_h)
            p.setFont(font(t, self._z * 0.8))
            draw_chip(p, chip, self.state.items[s], t)
            draw_arrow(p, QPointF(x, chip.top()), QPointF(x, cell.bottom()), hi if on else plain, lw if on else thin, tp * 0.6)
            self._label(p, QPointF(x + box_w * 0.42, (chip.top() + cell.bottom()) / 2), "W_hx", on)
            self._cell(p, cell, act, self.highlight == "b_h", s)
            # cell → output ŷ_t
            out = QRectF(x - box_w / 2, y_out - box_h * 0.4, box_w, box_h * 0.8)
            draw_arrow(p, QPointF(x, cell.top()), QPointF(x, out.bottom()), plain, thin, tp * 0.5)
            if res is not None and res.items == self.state.items:
                p.setFont(font(t, self._z * 0.8))
                draw_chip(p, out, "?" if self.state.hides(s) else res.vocab[res.rnn_pred[s]], t)
        for at, text, on in labels:      # on top of the boxes
            self._label(p, at, text, on)

    def _cell(self, p: QPainter, rect: QRectF, act: str, bias_on: bool, step: int | None = None) -> None:
        t = self._theme
        p.setPen(QPen(QColor(t.text), 2))
        p.setBrush(QColor(t.panel))
        p.drawRoundedRect(rect, 10, 10)
        p.setFont(font(t, self._z * 0.85, bold=True))
        p.setPen(QColor(t.text))
        top = QRectF(rect.left(), rect.top(), rect.width(), rect.height() / 2)
        p.drawText(top, Qt.AlignmentFlag.AlignCenter, act if step is None else f"h{step}")
        bottom = QRectF(rect.left(), rect.center().y(), rect.width(), rect.height() / 2)
        p.setPen(QColor(t.accent) if bias_on else QColor(t.muted))
        p.setFont(font(t, self._z * 0.8, bold=bias_on))
        p.drawText(bottom, Qt.AlignmentFlag.AlignCenter, "+ b_h")

    def _label(self, p: QPainter, at: QPointF, text: str, on: bool) -> None:
        t = self._theme
        p.setFont(font(t, self._z * 0.8, bold=on))
        p.setPen(QColor(t.accent) if on else QColor(t.muted))
        w, hh = t.text_px * 4 * self._z, t.text_px * 1.4 * self._z
        p.drawText(QRectF(at.x() - w / 2, at.y() - hh / 2, w, hh), Qt.AlignmentFlag.AlignCenter, text)


class UnrollView(QWidget):
    def __init__(self, state: RnnState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.diagram = UnrollDiagram(state)
        self.diagram.step_clicked.connect(state.set_step)
        self.step_bar = StepBar(state)
        self.buttons = QButtonGroup(self)
        pick = QHBoxLayout()
        title = QLabel("Highlight the shared weights:")
        pick.addWidget(title)
        for name in WEIGHTS:
            b = QPushButton(name)
            b.setCheckable(True)
            b.setToolTip(f"Mark {name} at every step: it is one and the same set of numbers")
            self.buttons.addButton(b)
            pick.addWidget(b)
            if name == "W_hh":
                b.setChecked(True)
        pick.addStretch(1)
        self.buttons.buttonClicked.connect(self._on_weight_picked)
        self.grid_titles: dict[str, QLabel] = {}
        self.grids: dict[str, NumberGrid] = {}
        row = QHBoxLayout()
        for name, tip in (("W_hh", "Hidden-to-hidden weights (H×H), used at every step"),
                          ("W_hx", "Input-to-hidden weights, drawn transposed: one column per item (with W_hx picked, "
                     "today's item's column is outlined), used at every step"),
                          ("b_h", "Hidden bias, used at every step")):
            box = QGridLayout()
            lab = QLabel(name + ("ᵀ  (a column per item)" if name == "W_hx" else ""))
            lab.setProperty("role", "heading")
            g = NumberGrid()
            g.set_digits(2)
            g.setToolTip(tip)
            box.addWidget(lab, 0, 0)
            box.addWidget(g, 1, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            box.setRowStretch(2, 1)
            self.grid_titles[name], self.grids[name] = lab, g
            row.addLayout(box)
        row.addStretch(1)
        weights = QWidget()
        weights.setLayout(row)
        scroll = QScrollArea()
        scroll.setWidget(weights)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.note = QLabel("Same weights are used in each cell (notes 4.3.6): the highlighted numbers below "
                           "are the only W_hh, W_hx and b_h there are.")
        self.note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.step_bar)
        lay.addLayout(pick)
        lay.addWidget(self.diagram, 1)
        lay.addWidget(self.note)
        lay.addWidget(scroll, 1)
        self._theme: Theme | None = None
        state.step_changed.connect(self.refresh)
        state.result_changed.connect(self.refresh)
        state.settings_changed.connect(self.refresh)
        state.predict_changed.connect(self.refresh)
        self.refresh()

    def _on_weight_picked(self, button) -> None:
        self.set_highlight(button.text())

    def set_highlight(self, name: str) -> None:
        self.diagram.highlight = name
        for b in self.buttons.buttons():
            b.setChecked(b.text() == name)
        self.refresh()

    def refresh(self, *_) -> None:
        self.diagram.update()
        res = self.state.result
        if res is None or res.items != self.state.items:
            return
        m = res.rnn
        values = {"W_hh": m.W_hh.numpy(), "W_hx": m.W_hx.numpy().T, "b_h": m.b_h.numpy()[None, :]}
        for name, g in self.grids.items():
            v = np.round(values[name], 1 if self._theme is not None and self._theme.presentation else 2)
            g.set_values(v)
            g.set_shading((-2.0, 2.0))
            on = name == self.diagram.highlight
            g.set_highlights([(np.ones(v.shape, bool), "accent")] if on else [])
        if self.diagram.highlight == "W_hx":   # the row that today's item selects
            c = res.vocab.index(self.state.items[self.state.t])
            mask = np.zeros(values["W_hx"].shape, bool)
            mask[:, c] = True
            self.grids["W_hx"].set_highlights([(np.ones(mask.shape, bool), "accent"), (mask, "accent2")])

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.diagram.apply_theme(theme)
        for g in self.grids.values():
            g.apply_theme(theme)
            g.set_cell_scale(1.1 if theme.presentation else 1.3)
        self.refresh()
