"""The animator in front of a class (issue 9): clicker steps and export frames are the animation's
positions (0 = before the first step), and predict-before-reveal hides the value each step computes
(the convolution's sum or the pooled maximum) (notes 2.5–2.7).
"""

from __future__ import annotations

from desktopnn.engine.convolution.explain import channel_names, fmt_num
from desktopnn.ui.lesson_scene import hidden_lines


class PresenterMixin:
    """Clicker steps, export frames and predict-before-reveal of :class:`AnimatorTab`."""

    def step(self, delta: int) -> bool:
        """Move ``delta`` steps; False when there is no animation or it is already at that end."""
        new = max(0, min(self.position + int(delta), self.steps_total))
        if self.plan is None or new == self.position:
            return False
        self.pause()
        self.set_position(new)
        return True

    def frame_count(self) -> int:
        return self.steps_total + 1 if self.plan is not None else 0

    def current_frame(self) -> int:
        return self.position

    def show_frame(self, index: int) -> None:
        self.pause()
        self.set_position(index)       # _refresh draws synchronously: no worker involved

    # ---- predict before reveal ---------------------------------------------------------------------
    def supports_predict(self) -> bool:
        return True

    def set_predict(self, on: bool) -> None:
        self._predict = bool(on)
        self._revealed_at = -1
        self.predict_hint.setVisible(self._predict)
        self._refresh()

    def value_hidden(self) -> bool:
        """Whether the value of the step on show is drawn as "?"."""
        return self._predict and self.plan is not None and self.position > 0 and self._revealed_at != self.position

    def reveal(self) -> bool:
        if not self.value_hidden():
            return False
        self._revealed_at = self.position
        self._refresh()
        return True

    def forget_reveal(self) -> None:
        """The class has seen no step's value yet: with predict on, the next step shown asks again."""
        self._revealed_at = -1

    def hide_results(self, lines: list[str]) -> list[str]:
        """The step's arithmetic with the value it computes written as "?"."""
        plan = self.plan
        out = hidden_lines(lines, channel_names(plan.channels), fmt_num(self.state.bias))
        return [ln.replace("+ -", "− ").replace("+ −", "− ") for ln in out]
