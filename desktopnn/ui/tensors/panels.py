"""The indexing, broadcasting and notes' examples pages of the tensors tab (notes 2.12)."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from desktopnn.engine.tensors.presets import TENSOR_PRESETS, TensorPreset
from desktopnn.engine.tensors.shapes import aligned_table, broadcast_stages, fmt_shape
from desktopnn.ui.tensors.canvas import Block, TensorCanvas, scrolled
from desktopnn.ui.theme import Theme


def _mono(widget: QWidget) -> QWidget:
    widget.setProperty("role", "mono")
    return widget


class IndexPanel(QWidget):
    """The result of indexing/slicing: its elements, its shape, and what each index did."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hint = QLabel("Type an index like t[1, :, -1] in the expression field, or click an element of the "
                           "tensor on the left (click a grid's label, e.g. t[1], to take the whole grid).")
        self.hint.setWordWrap(True)
        self.shape_label = QLabel()
        self.shape_label.setProperty("role", "heading")
        self.steps_label = _mono(QLabel())
        self.steps_label.setWordWrap(True)
        self.canvas = TensorCanvas()
        self.canvas.setToolTip("The elements the index took, in a tensor of their own")
        self.last: dict | None = None     # what show_result was given (scenes keep it)
        lay = QVBoxLayout(self)
        lay.addWidget(self.hint)
        lay.addWidget(self.shape_label)
        lay.addWidget(self.steps_label)
        lay.addWidget(scrolled(self.canvas), 1)

    def show_result(self, text: str, result: np.ndarray, steps: list[str]) -> None:
        self.last = {"text": text, "result": np.array(result), "steps": list(steps)}
        rank = result.ndim
        self.shape_label.setText(f"{text}  →  shape {fmt_shape(result.shape)}, rank {rank}, size {result.size}")
        self.steps_label.setText("\n".join(steps))
        self.canvas.set_blocks([Block(result, f"result {fmt_shape(result.shape)}", name="result")], "row")

    def clear(self) -> None:
        """No result kept and none drawn (the labels keep their text)."""
        self.last = None
        self.canvas.set_blocks([])

    def apply_theme(self, theme: Theme) -> None:
        self.canvas.apply_theme(theme)


class BroadcastPanel(QWidget):
    """Two shapes aligned from the right; stretched axes drawn as ghosts; stepped to the result."""

    expression_requested = Signal(str)
    STEP_MS = 1400

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.stages = []
        self.stage = 0
        self.last: dict | None = None     # the operands (or the refusal) on show (scenes keep them)
        self._names = ("A", "B")
        self._op = "*"
        self._timer = QTimer(self)
        self._timer.setInterval(self.STEP_MS)
        self._timer.timeout.connect(self._on_timer_tick)

        row = self._build_operands()
        steps = self._build_steps()
        self.steps_label = QLabel()
        self.steps_label.setWordWrap(True)
        self.error_label = _mono(QLabel())
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.legend = QLabel("Outlined: the operand's own values.  Hatched and dashed: ghosts, repeats made by "
                             "stretching an axis of length 1.")
        self.legend.setWordWrap(True)
        self.canvas = TensorCanvas()
        self.canvas.setToolTip("The two operands aligned from the right; ghosts are the stretched copies")
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addLayout(steps)
        lay.addWidget(self.legend)
        lay.addWidget(self.error_label)
        lay.addWidget(self.steps_label)
        lay.addWidget(scrolled(self.canvas), 1)
        self._update_buttons()

    def _build_operands(self) -> QHBoxLayout:
        """A, the operation, B and the Broadcast button."""
        row = QHBoxLayout()
        row.addWidget(QLabel("A"))
        self.a_edit = QLineEdit("[[0], [10], [20]]")
        self.a_edit.setToolTip("First operand: a list, a number or a tensor name (e.g. t or t[0])")
        row.addWidget(self.a_edit, 2)
        self.op_combo = QComboBox()
        self.op_combo.addItems(["+", "-", "*", "/"])
        self.op_combo.setToolTip("The element-wise operation")
        row.addWidget(self.op_combo)
        row.addWidget(QLabel("B"))
        self.b_edit = QLineEdit("[1, 2, 3]")
        self.b_edit.setToolTip("Second operand: a list, a number or a tensor name")
        row.addWidget(self.b_edit, 2)
        self.go_button = QPushButton("Broadcast")
        self.go_button.setToolTip("Align the shapes from the right and stretch the axes of length 1")
        self.go_button.clicked.connect(self.request)
        self.a_edit.returnPressed.connect(self.request)
        self.b_edit.returnPressed.connect(self.request)
        row.addWidget(self.go_button)
        return row

    def _build_steps(self) -> QHBoxLayout:
        """Back, Next and Play through the stages."""
        steps = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.setToolTip("Previous step")
        self.back_button.clicked.connect(lambda: self.set_stage(self.stage - 1))
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Next step")
        self.next_button.clicked.connect(lambda: self.set_stage(self.stage + 1))
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Step through by itself")
        self.play_button.clicked.connect(self.toggle_play)
        for w in (self.back_button, self.next_button, self.play_button):
            steps.addWidget(w)
        steps.addStretch(1)
        return steps

    def request(self) -> None:
        a, b = self.a_edit.text().strip(), self.b_edit.text().strip()
        self.expression_requested.emit(f"({a}) {self.op_combo.currentText()} ({b})")

    def show_operands(self, a: np.ndarray, b: np.ndarray, op: str, names=("A", "B")) -> None:
        self.pause()
        self.error_label.setText("")
        self.stages = broadcast_stages(a, b, op)
        self.last = {"a": np.array(a), "b": np.array(b), "op": op, "names": list(names)}
        self._names, self._op = names, op
        self.set_stage(0)

    def show_error(self, message: str, shapes=None) -> None:
        """A refused broadcast: the rule in words and, when known, the shapes aligned from the right."""
        self.pause()
        self.last = {"error": message, "shapes": None if shapes is None else [list(map(int, sh)) for sh in shapes]}
        self.error_label.setText(message)
        self.stages = []
        self.canvas.set_blocks([])
        self.steps_label.setText("" if shapes is None else
                                 "<pre>" + html.escape("\n".join(aligned_table(*shapes))) + "</pre>")
        self._update_buttons()

    def clear(self) -> None:
        """No operands kept, no stages, nothing drawn (the fields keep their text)."""
        self.last, self.stages = None, []
        self.canvas.set_blocks([])

    def set_stage(self, i: int) -> None:
        if not self.stages:
            return
        self.stage = max(0, min(i, len(self.stages) - 1))
        st = self.stages[self.stage]
        na, nb = self._names
        blocks = [Block(st.a, f"{na}  {fmt_shape(st.a.shape)}", ghost=st.a_ghost, name=na, label=self._op),
                  Block(st.b, f"{nb}  {fmt_shape(st.b.shape)}", ghost=st.b_ghost, name=nb,
                        label="=" if st.result is not None else "")]
        if st.result is not None:
            blocks.append(Block(st.result, f"result  {fmt_shape(st.result.shape)}", name="result"))
        self.canvas.set_blocks(blocks, "auto")
        lines = []
        for k, s in enumerate(self.stages):
            text = html.escape(f"{k + 1}. {s.caption}")
            lines.append(f"<b>▶ {text}</b>" if k == self.stage else text)
        self.steps_label.setText("<br>".join(lines))
        self._update_buttons()
        if self.stage == len(self.stages) - 1:
            self.pause()

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(self.stage > 0)
        self.next_button.setEnabled(bool(self.stages) and self.stage < len(self.stages) - 1)
        self.play_button.setEnabled(bool(self.stages))

    def toggle_play(self) -> None:
        if self._timer.isActive():
            self.pause()
            return
        if self.stage >= len(self.stages) - 1:
            self.set_stage(0)
        self._timer.start()
        self.play_button.setText("Pause")

    def pause(self) -> None:
        self._timer.stop()
        self.play_button.setText("Play")

    def _on_timer_tick(self) -> None:
        self.set_stage(self.stage + 1)

    def apply_theme(self, theme: Theme) -> None:
        self.canvas.apply_theme(theme)

    def shutdown(self) -> None:
        self.pause()


class NotesPanel(QWidget):
    """The notes' own examples, run through our expression language; output as the notes print it."""

    preset_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setToolTip("The examples of notes 2.12; double-click or press Run")
        for p in TENSOR_PRESETS:
            self.list.addItem(p.title)
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.run_current())
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run the example's code and print its output")
        self.run_button.clicked.connect(self.run_current)
        self.code = _mono(QPlainTextEdit())
        self.code.setReadOnly(True)
        self.code.setToolTip("The notes' code, run by our own expression language")
        self.output = _mono(QPlainTextEdit())
        self.output.setReadOnly(True)
        self.output.setToolTip("What the code prints: the same text as the notes")
        self.explains = QLabel()
        self.explains.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addWidget(self.run_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(QLabel("Code"))
        lay.addWidget(self.code, 3)
        lay.addWidget(QLabel("Output"))
        lay.addWidget(self.output, 2)
        lay.addWidget(self.explains)
        self.list.setCurrentRow(0)

    def current(self) -> TensorPreset:
        return TENSOR_PRESETS[max(0, self.list.currentRow())]

    def _on_row_changed(self, row: int) -> None:
        if row >= 0:
            p = TENSOR_PRESETS[row]
            self.code.setPlainText("\n".join(p.code))
            self.output.setPlainText("")
            self.explains.setText(p.explains)

    def select(self, key: str) -> None:
        for i, p in enumerate(TENSOR_PRESETS):
            if p.key == key:
                self.list.setCurrentRow(i)

    def run_current(self) -> None:
        self.preset_requested.emit(self.current().key)

    def show_output(self, lines: list[str]) -> None:
        self.output.setPlainText("\n".join(lines))

    def apply_theme(self, theme: Theme) -> None:
        rows = len(TENSOR_PRESETS)      # every example visible without scrolling
        self.list.setFixedHeight(round(rows * theme.text_px * 1.45) + 8)
