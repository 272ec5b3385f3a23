"""Reshape next to transpose (notes 2.12): elements flow, in order, into the new layout.

reshape reads the tensor in row-major order (last axis fastest) and writes the new shape in the same
order, so the sequence of values never changes. transpose reads in a different order. Playing both
on the same tensor shows why the notes warn "the order and amount of axis need to match".
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSlider, QVBoxLayout,
                               QWidget)

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.engine.tensors.shapes import fmt_shape, transpose_order
from desktopnn.ui.tensors.canvas import Block, TensorCanvas, scrolled
from desktopnn.ui.theme import Theme

TICK_MS = 30
DURATIONS_S = (10.0, 6.0, 4.0, 2.5, 1.2)     # slider positions 1..5


def _reading(values: np.ndarray, order, limit: int = 14) -> str:
    flat = values.reshape(-1)
    texts = [fmt_num(flat[k], 3) for k in list(order)[:limit]]
    return " ".join(texts) + (" …" if len(flat) > limit else "")


class FlowPanel(QWidget):
    """Controls and canvas of the reshape/transpose animation."""

    expression_requested = Signal(str)
    animation_finished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.source_name = "t"
        self.kind = ""
        self.last: dict | None = None     # what show_flow was given (scenes keep it)
        self._playing = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_tick)

        grid = self._build_fields()
        controls = self._build_controls()
        self.canvas = TensorCanvas()
        self.canvas.setToolTip("The elements travel one by one, in the order they are read, into the new tensor")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.order_label = QLabel()
        self.order_label.setWordWrap(True)
        self.order_label.setProperty("role", "mono")

        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addLayout(controls)
        lay.addWidget(scrolled(self.canvas), 1)
        lay.addWidget(self.caption)
        lay.addWidget(self.order_label)
        self._set_controls_enabled(False)

    def _build_fields(self) -> QGridLayout:
        """The new shape with its Reshape button, the axes order with its Transpose button."""
        grid = QGridLayout()
        grid.addWidget(QLabel("New shape"), 0, 0)
        self.shape_edit = QLineEdit("5, -1")
        self.shape_edit.setToolTip("Lengths of the new axes, e.g. 5, 6 or 5, -1 (-1: worked out from the size)")
        self.shape_edit.returnPressed.connect(self.request_reshape)
        grid.addWidget(self.shape_edit, 0, 1)
        self.reshape_button = QPushButton("Reshape")
        self.reshape_button.setToolTip("Make a new tensor with this shape; the elements keep their row-major order")
        self.reshape_button.clicked.connect(self.request_reshape)
        grid.addWidget(self.reshape_button, 0, 2)
        grid.addWidget(QLabel("Axes order"), 1, 0)
        self.perm_edit = QLineEdit()
        self.perm_edit.setPlaceholderText("reversed")
        self.perm_edit.setToolTip("New order of the axes for transpose, e.g. 1, 0 or 0, 2, 1; empty reverses them")
        self.perm_edit.returnPressed.connect(self.request_transpose)
        grid.addWidget(self.perm_edit, 1, 1)
        self.transpose_button = QPushButton("Transpose")
        self.transpose_button.setToolTip("Make a new tensor with the axes swapped: the reading order changes")
        self.transpose_button.clicked.connect(self.request_transpose)
        grid.addWidget(self.transpose_button, 1, 2)
        grid.setColumnStretch(1, 1)
        return grid

    def _build_controls(self) -> QHBoxLayout:
        """Play, Step, Restart, End and the speed."""
        controls = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play or pause the flow of elements")
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Move the next element into place")
        self.step_button.clicked.connect(self.step)
        self.restart_button = QPushButton("Restart")
        self.restart_button.setToolTip("Put every element back at its start")
        self.restart_button.clicked.connect(self.restart)
        self.end_button = QPushButton("End")
        self.end_button.setToolTip("Jump to the finished tensor")
        self.end_button.clicked.connect(self.run_to_end)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, len(DURATIONS_S))
        self.speed.setValue(3)
        self.speed.setToolTip("Animation speed")
        for w in (self.play_button, self.step_button, self.restart_button, self.end_button):
            controls.addWidget(w)
        speed_label = QLabel("Speed")
        controls.addWidget(speed_label)
        controls.addWidget(self.speed, 1)
        return controls

    # ---- requests -> the tab runs the engine ---------------------------------------------
    def request_reshape(self) -> None:
        self.expression_requested.emit(f"reshape({self.source_name}, [{self.shape_edit.text().strip()}])")

    def request_transpose(self) -> None:
        perm = self.perm_edit.text().strip()
        self.expression_requested.emit(f"transpose({self.source_name}, [{perm}])" if perm
                                       else f"transpose({self.source_name})")

    # ---- showing a result ----------------------------------------------------------------
    def show_flow(self, kind: str, source_name: str, src: np.ndarray, result: np.ndarray, title: str,
                  perm=None) -> None:
        """Animate ``result = reshape/transpose(src)`` from the start."""
        self.kind = kind
        self.source_name = source_name
        self.last = {"kind": kind, "source": source_name, "src": np.array(src), "result": np.array(result),
                     "title": title, "perm": None if perm is None else [int(a) for a in perm]}
        n = src.size
        order = list(range(n)) if kind == "reshape" else list(transpose_order(src.shape, perm))
        blocks = [Block(src, f"{source_name}  {fmt_shape(src.shape)}", name=source_name, label="→"),
                  Block(result, f"{title}  {fmt_shape(result.shape)}", name="new")]
        self.canvas.set_blocks(blocks, "auto")
        self.canvas.set_flow([(0, order[k], 1, k) for k in range(n)], travel=max(3.0, n / 6))
        reshape_order = _reading(src, range(n))
        transpose_reading = _reading(src, transpose_order(src.shape, perm if kind == "transpose" else None))
        if kind == "reshape":
            self.caption.setText(f"reshape reads {source_name} in row-major order (last axis fastest) and fills "
                                 f"{fmt_shape(result.shape)} in the same order: the values keep their sequence. "
                                 f"{source_name} itself is unchanged.")
        else:
            same = " Same size, different order: that is why reshape cannot stand in for transpose." \
                if src.ndim > 1 else ""
            self.caption.setText(f"transpose swaps the axes, so the new tensor reads {source_name} in another "
                                 f"order.{same} {source_name} itself is unchanged.")
        self.order_label.setText(f"reshape reads:   {reshape_order}\ntranspose reads: {transpose_reading}")
        self._set_controls_enabled(True)
        self.play()

    def clear(self) -> None:
        """Nothing on show: no tensors, no flow, the animation's buttons off (the fields keep their text)."""
        self.last = None
        self.canvas.set_blocks([])
        self.canvas.set_flow([], 0.0)
        self._set_controls_enabled(False)

    def _set_controls_enabled(self, on: bool) -> None:
        for w in (self.play_button, self.step_button, self.restart_button, self.end_button):
            w.setEnabled(on)

    # ---- animation -----------------------------------------------------------------------
    def is_finished(self) -> bool:
        return bool(self.canvas.flow) and self.canvas.flow_progress >= self.canvas.flow_length()

    def play(self) -> None:
        if not self.canvas.flow:
            return
        if self.is_finished():
            self.canvas.set_flow_progress(0.0)
        self._playing = True
        self.play_button.setText("Pause")
        self._timer.start()

    def pause(self) -> None:
        self._playing = False
        self.play_button.setText("Play")
        self._timer.stop()

    def toggle_play(self) -> None:
        self.pause() if self._playing else self.play()

    def step(self) -> None:
        self.pause()
        self._advance_to(np.floor(self.canvas.flow_progress) + 1)

    def step_back(self) -> None:
        """Put the last element that arrived back at its start."""
        self.pause()
        self._advance_to(max(0.0, np.ceil(self.canvas.flow_progress - 1e-9) - 1))

    def restart(self) -> None:
        self.pause()
        self.canvas.set_flow_progress(0.0)

    def set_progress(self, progress: float) -> None:
        """Pause and show the flow with ``progress`` elements arrived (at most the whole flow)."""
        self.pause()
        self.canvas.set_flow_progress(min(float(progress), self.canvas.flow_length()))

    def run_to_end(self) -> None:
        self.pause()
        self._advance_to(self.canvas.flow_length())

    def _advance_to(self, p: float) -> None:
        end = self.canvas.flow_length()
        self.canvas.set_flow_progress(min(float(p), end))
        if self.canvas.flow and self.canvas.flow_progress >= end:
            self.pause()
            self.animation_finished.emit()

    def _on_timer_tick(self) -> None:
        duration = DURATIONS_S[self.speed.value() - 1]
        rate = self.canvas.flow_length() / (duration * 1000 / TICK_MS)
        self._advance_to(self.canvas.flow_progress + max(rate, 0.01))

    def apply_theme(self, theme: Theme) -> None:
        self.canvas.apply_theme(theme)

    def shutdown(self) -> None:
        self.pause()
