"""The animator in front of a class (issue 9): clicker steps and export frames are the animation's
positions (0 = before the first step), predict-before-reveal hides the value each step computes (the
convolution's sum or the pooled maximum), and scenes save and restore everything (notes 2.5–2.7).
"""

from __future__ import annotations

from desktopnn.engine.convolution.explain import channel_names, fmt_num


class PresenterMixin:
    """Clicker steps, export frames, predict-before-reveal and scenes of :class:`AnimatorTab`."""

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

    def hide_results(self, lines: list[str]) -> list[str]:
        from desktopnn.ui.lesson_scene import hidden_lines

        plan = self.plan
        out = hidden_lines(lines, channel_names(plan.channels), fmt_num(self.state.bias))
        return [ln.replace("+ -", "− ").replace("+ −", "− ") for ln in out]

    # ---- scenes --------------------------------------------------------------------------------
    def scene_state(self) -> dict:
        from desktopnn.ui.animator import scene

        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        from desktopnn.ui.animator import scene

        scene.apply(self, scene.check(self, state))
