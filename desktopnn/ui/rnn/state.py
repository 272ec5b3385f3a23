"""The RNN tab's state: the sequence, the model settings, the trained result and the current step, and
the choices a scene picks from (sub-views, presets, hidden sizes, activations). No widgets."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

VIEW_NAMES = ["types", "memory", "cell", "unroll", "train", "forecast"]      # the sub-views, in tab order
PRESET_TITLES = {"regular": "Regular sequence (notes 4.2)", "irregular": "Irregular sequence (notes 4.2)",
                 "dresses": "Dresses: tunica, green blouse, red frock (notes 4.3.1)"}
HIDDEN_SIZES = (2, 12)                  # smallest and largest memory h_t
ACTIVATIONS = ["tanh", "relu"]
WEIGHT_NAMES = ("W_hx", "W_hh", "b_h", "W_hy", "b_y")     # a trained RNN's numbers, as a scene saves them


class RnnState(QObject):
    """What the views share.  Views set parameters; the tab trains; views draw the result."""

    settings_changed = Signal()      # items, hidden size or activation changed (a new training follows)
    result_changed = Signal()        # a new trained result arrived
    step_changed = Signal(int)
    busy_changed = Signal(bool)
    predict_changed = Signal()       # predict-before-reveal turned on/off, or a value revealed (issue 9)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        from desktopnn.engine.rnn.memory import IRREGULAR

        self.items: list[str] = list(IRREGULAR)
        self.preset = "irregular"
        self.hidden_size = 4
        self.activation = "tanh"
        self.result = None              # MemoryResult
        self.a: np.ndarray | None = None   # (T, H) pre-activations of the trained RNN
        self.h: np.ndarray | None = None   # (T, H) hidden states
        self.t = 0
        self.predict = False            # predict before reveal: steps after ``revealed`` show "?"
        self.revealed = 0

    @property
    def length(self) -> int:
        return len(self.items)

    def set_items(self, items, preset: str = "") -> None:
        self.items = list(items)
        self.preset = preset
        self.t = min(self.t, len(self.items) - 1)
        self.settings_changed.emit()

    def set_hidden_size(self, n: int) -> None:
        if n != self.hidden_size:
            self.hidden_size = int(n)
            self.settings_changed.emit()

    def set_activation(self, name: str) -> None:
        if name != self.activation:
            self.activation = name
            self.settings_changed.emit()

    def set_result(self, result, a: np.ndarray, h: np.ndarray) -> None:
        if result.items != self.items:
            return      # a stale result for a sequence that has since changed
        self.result, self.a, self.h = result, a, h
        self.t = min(self.t, len(self.items) - 1)
        self.result_changed.emit()
        self.step_changed.emit(self.t)

    def set_step(self, t: int) -> None:
        t = max(0, min(int(t), self.length - 1))
        if t != self.t:
            self.t = t
            self.step_changed.emit(t)

    def step(self, delta: int) -> bool:
        """Move ``delta`` time steps; False at either end (nothing moved)."""
        before = self.t
        self.set_step(self.t + delta)
        return self.t != before

    # ---- predict before reveal (issue 9) -----------------------------------------------------------
    def hides(self, t: int) -> bool:
        """Whether step ``t``'s computed values (a_t, h_t, ŷ_t) are still to be guessed."""
        return self.predict and t > self.revealed

    def set_predict(self, on: bool) -> None:
        self.predict = bool(on)
        self.revealed = self.t          # what is on screen now stays; the next step hides its values
        self.predict_changed.emit()

    def reveal(self) -> bool:
        if not self.hides(self.t):
            return False
        self.revealed = self.t
        self.predict_changed.emit()
        return True
