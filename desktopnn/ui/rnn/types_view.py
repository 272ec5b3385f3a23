"""Sequence types (notes 4.1): one-to-one, many-to-one, one-to-many, many-to-many, animated."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktopnn.ui.rnn.draw import draw_arrow, font
from desktopnn.ui.theme import Theme, make_theme

# (title, example, [(input or None, output or None), ...] one pair per time step)
SEQUENCE_TYPES = [
    ("One-to-one", "MSE admission from BSc grade and years of experience (a plain ANN)",
     [("grade, years", "accepted?")]),
    ("Many-to-one", "Sentiment classification: a sentence in, one feeling out",
     [("the", None), ("film", None), ("was", None), ("great", "positive")]),
    ("One-to-many", "Image captioning: one picture in, a sentence out",
     [("photo", "a"), (None, "cat"), (None, "on a"), (None, "mat")]),
    ("Many-to-many", "Machine translation: a sentence in, a sentence out",
     [("ich", None), ("bin", None), ("müde", None), (None, "I"), (None, "am"), (None, "tired")]),
]


class SequenceTypesDiagram(QWidget):
    """Four small unrolled networks; a highlight walks through the time steps of each."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self.phase = 0
        self._z = 1.0
        self.setMinimumSize(600, 400)
        self.setToolTip("Inputs (bottom) feed the recurrent cells (middle), which give outputs (top). "
                        "The highlight shows the time step being computed.")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def set_phase(self, phase: int) -> None:
        self.phase = phase % 1000
        self.update()

    def active_step(self, index: int) -> int:
        steps = len(SEQUENCE_TYPES[index][2])
        return self.phase % (steps + 1)      # one extra beat with nothing lit, then start again

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width() / 2, self.height() / 2
        for i in range(4):
            self._panel(p, QRectF((i % 2) * w, (i // 2) * h, w, h).adjusted(6, 6, -6, -6), i)
        p.end()

    def _panel(self, p: QPainter, r: QRectF, index: int) -> None:
        t = self._theme
        title, example, steps = SEQUENCE_TYPES[index]
        p.setPen(QPen(QColor(t.grid_line), 1))
        p.setBrush(QColor(t.panel))
        p.drawRoundedRect(r, 10, 10)
        # a big window with small text draws bigger (a projector's text is large already)
        z = 1.0 if t.presentation else max(1.0, min(r.height() / (t.text_px * 11), r.width() / (t.text_px * 32), 2.0))
        self._z = z
        tp = t.text_px * z
        p.setPen(QColor(t.text))
        p.setFont(font(t, self._z * 1.15, bold=True))
        p.drawText(QRectF(r.left() + tp / 2, r.top() + 4, r.width() - tp, tp * 1.6), Qt.AlignmentFlag.AlignLeft, title)
        p.setFont(font(t, self._z * 0.8))
        p.setPen(QColor(t.muted))
        ex = QRectF(r.left() + tp / 2, r.top() + tp * 1.6, r.width() - tp, tp * 2.3)
        p.drawText(ex, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, example)
        body = QRectF(r.left(), ex.bottom(), r.width(), r.bottom() - ex.bottom() - 4)
        n = len(steps)
        col = min(body.width() / n, tp * (9.0 if n == 1 else 7.0))
        x0 = body.left() + (body.width() - col * n) / 2
        box_h = min(body.height() / 4.2, tp * 2.2)
        box_w = col * 0.78
        ys = [body.top() + body.height() * f for f in (0.2, 0.52, 0.84)]   # output, cell, input rows
        active = self.active_step(index)
        accent, accent2 = QColor(t.accent), QColor(t.accent2)
        line = QColor(t.text)
        lw = 3 if t.presentation else 2
        for c, (inp, out) in enumerate(steps):
            cx = x0 + col * (c + 0.5)
            lit = c == active
            done = c < active
            cell = QRectF(cx - box_w / 2, ys[1] - box_h / 2, box_w, box_h)
            if c > 0:
                draw_arrow(p, QPointF(cell.left() - col + box_w, ys[1]), QPointF(cell.left(), ys[1]),
                           accent if lit else line, lw, tp * 0.5)
            self._box(p, cell, "RNN" if n > 1 else "ANN", accent if lit else accent2, lit, done)
            if inp is not None:
                box = QRectF(cx - box_w / 2, ys[2] - box_h / 2, box_w, box_h)
                draw_arrow(p, QPointF(cx, box.top()), QPointF(cx, cell.bottom()), accent if lit else line, lw, tp * 0.5)
                self._box(p, box, inp, QColor(t.good), lit, done)
            if out is not None:
                box = QRectF(cx - box_w / 2, ys[0] - box_h / 2, box_w, box_h)
                draw_arrow(p, QPointF(cx, cell.top()), QPointF(cx, box.bottom()), accent if lit else line, lw, tp * 0.5)
                self._box(p, box, out, QColor(t.bad), lit, done or lit)

    def _box(self, p: QPainter, rect: QRectF, text: str, colour: QColor, lit: bool, shown: bool) -> None:
        t = self._theme
        fill = QColor(colour)
        fill.setAlpha(255 if lit else (150 if shown else 60))
        p.setPen(QPen(QColor(t.accent) if lit else QColor(t.grid_line), 4 if lit else 1))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 8, 8)
        p.setPen(QColor("#000000") if lit and t.presentation else QColor(t.text))
        p.setFont(font(t, self._z * 0.8, bold=lit))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)


class SequenceTypesView(QWidget):
    """The diagrams plus play/pause; Left/Right (and a clicker's PageUp/PageDown) step them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.diagram = SequenceTypesDiagram()
        self.heading = QLabel("Sequence types (notes 4.1): how many inputs go in, how many outputs come out")
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.play_button = QPushButton("Pause")
        self.play_button.setCheckable(True)
        self.play_button.setChecked(True)
        self.play_button.setToolTip("Play or pause the animation (the clicker or Left/Right step it by hand)")
        self.play_button.toggled.connect(self._on_play_toggled)
        self.timer = QTimer(self)
        self.timer.setInterval(900)
        self.timer.timeout.connect(lambda: self.step(1))
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.play_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.diagram, 1)

    def step(self, delta: int) -> bool:
        self.diagram.set_phase(self.diagram.phase + delta)
        return True

    def frame_count(self) -> int:
        """One loop of the longest example (many-to-many) plus its blank beat."""
        return max(len(steps) for _t, _e, steps in SEQUENCE_TYPES) + 1

    def _on_play_toggled(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on and self.isVisible():
            self.timer.start()
        else:
            self.timer.stop()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.play_button.isChecked():
            self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.timer.stop()
        super().hideEvent(event)

    def apply_theme(self, theme: Theme) -> None:
        self.diagram.apply_theme(theme)

    def shutdown(self) -> None:
        self.timer.stop()
