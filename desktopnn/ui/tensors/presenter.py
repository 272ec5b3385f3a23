"""The tensors tab in front of a class (issue 9, notes 2.12).

Clicker steps and export frames follow the page on show: on Reshape the elements flow into place one
at a time, on Broadcast the stages step on; Index and Notes have nothing animated. There is no
predict-before-reveal here: indexing, reshape and transpose only move the same numbers, and the
lesson's question is the *shape*, which the view prints beside every tensor.
"""

from __future__ import annotations

import math


class TensorsPresenter:
    """Clicker steps and export frames of :class:`TensorsTab`."""

    def step(self, delta: int) -> bool:
        before = self.current_frame()
        if self.page() == "reshape" and self.flow.canvas.flow:
            self.flow.step() if delta > 0 else self.flow.step_back()
        elif self.page() == "broadcast" and self.broadcast.stages:
            self.broadcast.pause()
            self.broadcast.set_stage(self.broadcast.stage + (1 if delta > 0 else -1))
        else:
            return False
        return self.current_frame() != before

    def frame_count(self) -> int:
        if self.page() == "reshape" and self.flow.canvas.flow:
            return math.ceil(self.flow.canvas.flow_length()) + 1
        if self.page() == "broadcast":
            return len(self.broadcast.stages)
        return 0

    def current_frame(self) -> int:
        if self.page() == "reshape" and self.flow.canvas.flow:
            return math.ceil(self.flow.canvas.flow_progress - 1e-9)
        return self.broadcast.stage if self.page() == "broadcast" else 0

    def show_frame(self, index: int) -> None:
        if self.page() == "reshape" and self.flow.canvas.flow:
            self.flow.set_progress(max(index, 0))
            self.flow.canvas.repaint()
        elif self.page() == "broadcast":
            self.broadcast.pause()
            self.broadcast.set_stage(index)
