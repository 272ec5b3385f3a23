"""The Train tab's presenter contract (issue 9): the clicker, export frames, predict-before-reveal.

- Dropout view (notes 2.10): step and export walk the passes of the same input.
- Softmax view (notes 2.9): the clicker steps through the test images; with predict on, each new
  image's probabilities, bars and answer are "?" until reveal (its logits stay visible).
"""

from __future__ import annotations

from desktopnn.ui.lesson_scene import predict_hint_label


class TrainPresenter:
    """Mixed into TrainTab (before LessonTab), so that tab.py stays about its jobs."""

    def _build_presenter(self) -> None:
        self._predict_on = False
        self.predict_hint = predict_hint_label("Predict mode: guess the probabilities from the logits; the "
                                               "forward key reveals them")
        self.layout().insertWidget(1, self.predict_hint)

    # ---- clicker and export ------------------------------------------------------------------
    def step(self, delta: int) -> bool:
        view = self.views.currentWidget()
        if view is self.dropout_view:
            return self.dropout_view.step_pass(delta)
        if view is self.softmax_view:
            spin = self.softmax_view.index
            before = spin.value()
            spin.blockSignals(True)
            spin.setValue(before + delta)
            spin.blockSignals(False)
            if spin.value() == before:
                return False
            if self._predict_on:
                self.softmax_view.set_hidden(True)
            self.predict_sample(spin.value())
            return True
        return False

    def frame_count(self) -> int:
        return self.dropout_view.pass_count() if self.views.currentWidget() is self.dropout_view else 0

    def current_frame(self) -> int:
        return self.dropout_view.pass_index() if self.views.currentWidget() is self.dropout_view else 0

    def show_frame(self, index: int) -> None:
        if self.views.currentWidget() is self.dropout_view:
            if not self.dropout_view.play.isChecked():
                self.dropout_view.play.setChecked(True)      # paused while frames are taken
            self.dropout_view.show_pass(index)

    # ---- predict before reveal ------------------------------------------------------------------
    def supports_predict(self) -> bool:
        return self.views.currentWidget() is self.softmax_view

    def set_predict(self, on: bool) -> None:
        self._predict_on = bool(on)
        self.predict_hint.setVisible(self._predict_on)
        if not on:
            self.softmax_view.set_hidden(False)

    def reveal(self) -> bool:
        if not self.softmax_view.hidden:
            return False
        self.softmax_view.set_hidden(False)
        return True
