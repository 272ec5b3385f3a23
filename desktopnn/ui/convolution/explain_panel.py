"""One output value, explained: the products per channel, their sums, plus the bias (notes 2.3)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktopnn.engine.convolution.explain import ConvExplanation, explain_conv, fmt_num
from desktopnn.engine.convolution.lab import LabResult
from desktopnn.ui.lesson_scene import hidden_lines
from desktopnn.ui.theme import Theme

HINT = "Point at a cell of a feature map to see how its value was computed; click it to keep it here."


class ExplainPanel(QWidget):
    """The arithmetic of the selected output cell, exactly as :func:`explain_conv` writes it."""

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.where = QLabel(HINT)
        self.where.setProperty("role", "heading")
        self.where.setWordWrap(True)
        self.send_input = QPushButton("Input patch → animator")
        self.send_input.setToolTip("Send up to 12×12 input numbers around this window to the animator tab")
        self.send_map = QPushButton("Feature-map patch → animator")
        self.send_map.setToolTip("Send up to 12×12 values of this feature map around this cell to the animator tab")
        head.addWidget(self.where, 1)
        head.addWidget(self.send_input)
        head.addWidget(self.send_map)
        lay.addLayout(head)
        self.text = QLabel("")
        self.text.setProperty("role", "mono")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.relu_line = QLabel("")
        self.relu_line.setProperty("role", "mono")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(0, 0, 0, 0)
        for w in (self.text, self.relu_line, self.note):
            bl.addWidget(w)
        bl.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        lay.addWidget(self.scroll, 1)
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        self.explanation: ConvExplanation | None = None
        self.apply_theme(theme)

    def explain(self, res: LabResult, k: int, r: int, c: int, title: str, gray: bool = False,
                hide: bool = False) -> ConvExplanation:
        """Write out output cell (r, c) of map ``k``; ``hide`` draws every result as "?" (predict first)."""
        ex = explain_conv(res.image, res.kernels[k], res.biases[k], r, c, stride=res.stride, padding=res.padding)
        self.explanation = ex
        shown = "?" if hide else fmt_num(res.maps[k][r, c])
        self.where.setText(f"{title}, output cell (row {r}, col {c}) = {shown}")
        lines = hidden_lines(ex.lines(), ex.names, fmt_num(ex.bias)) if hide else ex.lines()
        self.text.setText("\n".join(lines))
        relu = ("ReLU: max(0, ?) = ?" if hide else
                f"ReLU: max(0, {fmt_num(ex.total)}) = {fmt_num(max(0.0, ex.total))}")
        self.relu_line.setText(relu if res.relu else "")
        self.relu_line.setVisible(res.relu)
        notes = []
        if gray:
            notes.append("The colour image was turned to grayscale first (0.299 R + 0.587 G + 0.114 B).")
        if ex.padded.any():
            notes.append(f"{int(ex.padded.sum())} of the kernel's taps fall on padding, which counts as 0 (notes 2.6).")
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))
        self.send_input.setEnabled(True)
        self.send_map.setEnabled(True)
        return ex

    def show_hint(self) -> None:
        self.explanation = None
        self.where.setText(HINT)
        self.text.setText("")
        self.relu_line.setVisible(False)
        self.note.setVisible(False)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def clear_error(self) -> None:
        self.error.setVisible(False)
        self.error.setText("")

    def apply_theme(self, theme: Theme) -> None:
        mono = theme.font(1.0 if theme.presentation else 1.2, mono=True)
        self.setMinimumHeight(theme.text_px * (8 if theme.presentation else 9))
        for w in (self.text, self.relu_line):
            w.setFont(mono)
        self.note.setStyleSheet(f"color: {theme.muted};")
