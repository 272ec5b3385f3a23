"""The RNN tab's state: the sequence, the model settings, the trained result and the current step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from desktopnn.ui.theme import Theme

CLOTH_COLOURS = {"white": "#f2f2f2", "blue": "#1f5fbf", "red": "#c62828", "green": "#2e7d32",
                 "tunica": "#8d6e63", "yellow": "#f9d71c", "black": "#202020", "pink": "#e91e63",
                 "orange": "#ef6c00", "purple": "#6a1b9a", "brown": "#6d4c41", "grey": "#757575"}
_SPARE = ["#00838f", "#5d4037", "#ad1457", "#455a64", "#827717", "#4527a0"]


def item_colour(item: str) -> str:
    """The colour a clothing item is drawn in: the colour word of its name when it has one."""
    for word in item.split():
        if word in CLOTH_COLOURS:
            return CLOTH_COLOURS[word]
    return _SPARE[sum(map(ord, item)) % len(_SPARE)]


def ink_for(colour: str) -> str:
    c = pg.mkColor(colour)
    return "#000000" if 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue() > 150 else "#ffffff"


def font(theme: Theme, scale: float = 1.0, bold: bool = False, mono: bool = False):
    """``theme.font`` that never goes below the presentation minimum (27 px at 1080p) on a projector."""
    return theme.font(max(1.0, scale) if theme.presentation else scale, bold=bold, mono=mono)


def style_plot(plot: pg.PlotWidget, theme: Theme, left: str = "", bottom: str = "") -> None:
    """Background, pens and axis fonts of a pyqtgraph plot from ``theme`` (presentation included)."""
    plot.setBackground(theme.panel)
    tick_font = font(theme, 0.85)
    pen = pg.mkPen(theme.text, width=2 if theme.presentation else 1)
    for name, label in (("left", left), ("bottom", bottom)):
        ax = plot.getAxis(name)
        ax.setTickFont(tick_font)
        ax.setPen(pen)
        ax.setTextPen(pen)
        ax.enableAutoSIPrefix(False)
        ax.autoSIPrefixScale = 1.0     # pyqtgraph 0.14 keeps the last prefix scale when disabling it
        ax.setStyle(tickTextOffset=max(4, theme.text_px // 3))
        if label:
            ax.setLabel(label, **{"color": theme.text, "font-size": f"{tick_font.pixelSize()}px"})
    plot.getAxis("left").setWidth(round(theme.text_px * 4.2))
    plot.getAxis("bottom").setHeight(round(theme.text_px * 2.6))
    item = plot.getPlotItem()
    if item.titleLabel.text:
        item.setTitle(item.titleLabel.text, color=theme.text, size=f"{theme.text_px}px")


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


def train_job(ctx, items, hidden_size, activation):
    """Runs in the worker: train the FFNN and the RNN, then unroll the RNN once for the views."""
    import torch

    from desktopnn.engine.rnn.memory import train_memory

    result = train_memory(items, hidden_size, activation, progress=lambda f: ctx.progress(f))
    with torch.no_grad():
        run = result.rnn.forward(result.xs())
    return result, run.a.numpy().copy(), run.h.numpy().copy()
