"""Training an RNN (notes 4.3.7–4.3.9): loss per step, backpropagation through time, animated."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox,
                               QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.rnn.draw import style_plot
from desktopnn.ui.rnn.jobs import bptt_job
from desktopnn.ui.rnn.state import RnnState
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner


def verdict(norms: np.ndarray, loss_steps: list[int], window: int | None, activation: str = "tanh",
            scale: float = 1.0) -> str:
    """One sentence about how the gradient changed on its way back."""
    if not loss_steps:
        return "No step has a known next item, so there is no loss to back-propagate."
    last = loss_steps[-1]
    reached = [s for s in range(last + 1) if norms[s] > 0]
    first = reached[0] if reached else last
    if norms[last] == 0 or first == last:
        return "The gradient reaches only the step of the loss itself."
    ratio = norms[first] / norms[last]
    per = ratio ** (1 / (last - first))
    kind = ("vanishing: early steps barely learn" if per < 0.7 else
            "exploding: early steps get huge updates" if per > 1.4 else "roughly steady")
    text = (f"From step {last} back to step {first} the gradient was multiplied by {fmt_num(ratio, 2)} "
            f"(×{fmt_num(per, 2)} per step): {kind}.")
    if per < 0.7 and activation == "tanh" and scale > 1.2:
        text += (" A large W_hh drives tanh into saturation (slope ≈ 0), which blocks the gradient: "
                 "choose relu to watch it explode.")
    if window is not None and first > 0:
        text += f" Truncated BPTT: it stops after {window} step{'s' if window > 1 else ''}."
    return text


class TrainView(QWidget):
    def __init__(self, state: RnnState, runner: LatestJobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.runner = runner
        self.result = None             # BpttResult
        self.revealed = 0              # how many steps the backward pass has reached
        runner.finished.connect(self._on_bptt_finished)
        runner.failed.connect(lambda _j, msg, _e: self.verdict.setText(f"Backpropagation failed: {msg}"))
        controls = self._build_controls()
        grid = self._build_plots()
        lay = QVBoxLayout(self)
        lay.addLayout(controls)
        lay.addLayout(grid, 1)
        lay.addWidget(self.verdict)
        self.timer = QTimer(self)
        self.timer.setInterval(450)
        self.timer.timeout.connect(lambda: self.step(1, from_timer=True))
        self._theme: Theme | None = None
        state.result_changed.connect(self.recompute)
        self._update_scale_label()

    def _build_controls(self) -> QVBoxLayout:
        """Which loss goes back, the truncation window, the W_hh multiplier, and the replay button."""
        self.loss_mode = QComboBox()
        self.loss_mode.addItem("Loss at the last step", "last")
        self.loss_mode.addItem("Total loss Σ Lₜ", "total")
        self.loss_mode.setToolTip("Which loss is back-propagated: only the last step's (clearest for "
                                  "vanishing/exploding gradients) or the sum over all steps")
        self.scale = QSlider(Qt.Orientation.Horizontal)
        self.scale.setRange(-100, 100)       # W_hh × 10^(value/100): ×0.1 … ×10
        self.scale.setValue(0)
        self.scale.setToolTip("Multiply W_hh: below 1 the gradient shrinks at every step back (vanishing), "
                              "above 1 it can grow (exploding)")
        self.scale_label = QLabel()
        self.window = QSpinBox()
        self.window.setRange(0, 60)
        self.window.setSpecialValueText("full BPTT")
        self.window.setToolTip("Truncated BPTT: each loss sends its gradient back at most this many steps "
                               "(full: all the way to the first step)")
        self.play = QPushButton("▶ Animate backward pass")
        self.play.setToolTip("Replay backpropagation through time from the last step to the first "
                             "(Left/Right step it by hand)")
        self.play.clicked.connect(self.restart_animation)
        self.loss_mode.currentIndexChanged.connect(self.recompute)
        self.scale.valueChanged.connect(self.recompute)
        self.window.valueChanged.connect(self.recompute)
        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Back-propagate:"))
        row1.addWidget(self.loss_mode)
        row1.addWidget(QLabel("Truncation window:"))
        row1.addWidget(self.window)
        row1.addStretch(1)
        row1.addWidget(self.play)
        row2 = QHBoxLayout()
        row2.addWidget(self.scale_label)
        row2.addWidget(self.scale, 1)
        controls = QVBoxLayout()
        controls.addLayout(row1)
        controls.addLayout(row2)
        return controls

    def _build_plots(self) -> QGridLayout:
        """Loss per step, the training curves, and the gradient reaching each step; the verdict under them."""
        self.loss_title = QLabel()
        self.loss_title.setProperty("role", "heading")
        self.loss_plot = self._plot("Loss per step: cross-entropy of the true next item")
        self.loss_bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.loss_plot.addItem(self.loss_bars)
        self.curve_title = QLabel("Training: total loss per epoch")
        self.curve_title.setProperty("role", "heading")
        self.curve_plot = self._plot("Total loss while training, RNN and feed-forward net")
        self.rnn_curve = self.curve_plot.plot([], [])
        self.ffnn_curve = self.curve_plot.plot([], [])
        self.curve_legend = QLabel()
        self.grad_title = QLabel("Backpropagation through time: ‖∂L/∂h<sub>t</sub>‖ reaching each step")
        self.grad_title.setProperty("role", "heading")
        self.grad_plot = self._plot("Size of the gradient that reaches each earlier step (log scale)")
        self.grad_plot.setLogMode(False, True)
        self.grad_curve = self.grad_plot.plot([], [], connect="finite")
        self.front = pg.InfiniteLine(angle=90, movable=False)
        self.grad_plot.addItem(self.front)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setToolTip("How the gradient changed on its way back through time")

        grid = QGridLayout()
        grid.addWidget(self.loss_title, 0, 0)
        grid.addWidget(self.curve_title, 0, 1)
        grid.addWidget(self.loss_plot, 1, 0)
        grid.addWidget(self.curve_plot, 1, 1)
        grid.addWidget(self.curve_legend, 2, 1)
        grid.addWidget(self.grad_title, 3, 0, 1, 2)
        grid.addWidget(self.grad_plot, 4, 0, 1, 2)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(4, 3)
        return grid

    def _plot(self, tip: str) -> pg.PlotWidget:
        p = pg.PlotWidget()
        p.setMenuEnabled(False)
        p.setMouseEnabled(False, False)
        p.hideButtons()
        p.setToolTip(tip)
        return p

    # ---- parameters → worker -----------------------------------------------------------------
    def w_hh_scale(self) -> float:
        return 10 ** (self.scale.value() / 100)

    def _update_scale_label(self) -> None:
        self.scale_label.setText(f"W_hh × {self.w_hh_scale():.2f}")

    def recompute(self, *_) -> None:
        self._update_scale_label()
        res = self.state.result
        if res is None or res.items != self.state.items:
            return
        window = self.window.value() or None
        self.runner.submit(bptt_job, res.rnn, res.xs(), res.targets, self.loss_mode.currentData(), window,
                           self.w_hh_scale())

    def _on_bptt_finished(self, _job: int, result) -> None:
        self.result = result
        self._draw_losses()
        self.restart_animation()

    # ---- animation -----------------------------------------------------------------------------
    def restart_animation(self) -> None:
        if self.result is None:
            return
        steps = self.result.loss_steps
        # start at the last step that has a loss: that is where the gradient is born
        self.revealed = len(self.result.grad_norms) - (steps[-1] if steps else len(self.result.grad_norms) - 1)
        self._draw_grad()
        if self.isVisible():
            self.timer.start()
        else:
            self.revealed = len(self.result.grad_norms) if self.result is not None else 0
            self._draw_grad()

    def step(self, delta: int, from_timer: bool = False) -> bool:
        """One step of the backward pass (back in time for +1); False when it cannot move."""
        if self.result is None:
            return False
        if not from_timer:
            self.timer.stop()
        n = len(self.result.grad_norms)
        before = self.revealed
        self.revealed = max(1, min(n, self.revealed + delta))
        if self.revealed >= n:
            self.timer.stop()
        self._draw_grad()
        return self.revealed != before

    def show_revealed(self, revealed: int) -> None:
        """Stop the animation and show it with ``revealed`` steps reached (export, scenes)."""
        if self.result is None:
            return
        self.timer.stop()
        self.revealed = max(1, min(len(self.result.grad_norms), int(revealed)))
        self._draw_grad()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.timer.stop()
        super().hideEvent(event)

    # ---- drawing -------------------------------------------------------------------------------
    def _draw_losses(self) -> None:
        r = self.result
        losses = r.losses.numpy()
        x = np.arange(len(losses))
        self.loss_bars.setOpts(x=x, height=losses, width=0.7)
        self.loss_plot.setXRange(-0.6, len(losses) - 0.4, padding=0)
        self.loss_plot.setYRange(0, max(1e-3, float(losses.max())) * 1.1, padding=0)
        self.loss_title.setText(f"Loss per step — total L = Σ L<sub>t</sub> = {fmt_num(float(losses.sum()), 3)}")
        res = self.state.result
        if res is not None:
            self.rnn_curve.setData(np.arange(len(res.rnn_history)), res.rnn_history)
            self.ffnn_curve.setData(np.arange(len(res.ffnn_history)), res.ffnn_history)
        ticks = [[(int(i), str(int(i))) for i in x]]
        self.loss_plot.getAxis("bottom").setTicks(ticks)
        self.grad_plot.getAxis("bottom").setTicks(ticks)

    def shown_norms(self) -> np.ndarray:
        """The gradient norms the animation has reached so far (NaN: not reached yet, or zero)."""
        norms = self.result.grad_norms.numpy().astype(np.float64)
        n = len(norms)
        out = np.where(norms > 0, norms, np.nan)
        out[: n - self.revealed] = np.nan
        return out

    def _draw_grad(self) -> None:
        if self.result is None:
            return
        norms = self.result.grad_norms.numpy()
        shown = self.shown_norms()
        n = len(norms)
        finite = np.isfinite(shown)
        if finite.any():
            self.grad_curve.setData(np.arange(n), shown)
        else:
            self.grad_curve.setData([], [])
        self.front.setValue(n - self.revealed)
        pos = norms[norms > 0]
        if len(pos):
            lo, hi = math.log10(pos.min()), math.log10(pos.max())
            self.grad_plot.setYRange(lo - 0.3, hi + 0.3, padding=0)
            # one label per power of ten: minor labels overlap in large projector text
            decades = range(math.floor(lo - 0.3), math.ceil(hi + 0.3) + 1)
            step = max(1, len(decades) // 8)
            self.grad_plot.getAxis("left").setTicks([[(k, fmt_num(10.0 ** k, 3)) for k in decades[::step]], []])
        self.grad_plot.setXRange(-0.6, n - 0.4, padding=0)
        done = self.revealed >= n
        self.verdict.setText(verdict(norms, self.result.loss_steps, self.result.window,
                                     self.state.activation, self.w_hh_scale()) if done else
                             f"Going back through time… now at step {n - self.revealed}: "
                             f"‖∂L/∂h<sub>{n - self.revealed}</sub>‖ = "
                             f"{fmt_num(float(norms[n - self.revealed]), 3)}")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        width = 5 if theme.presentation else 3
        for plot, left in ((self.loss_plot, "loss"), (self.curve_plot, "total loss"), (self.grad_plot, "‖∂L/∂hₜ‖")):
            style_plot(plot, theme, left=left, bottom="epoch" if plot is self.curve_plot else "time step t")
        self.loss_bars.setOpts(brush=pg.mkBrush(theme.accent2), pen=pg.mkPen(theme.text))
        self.rnn_curve.setPen(pg.mkPen(theme.accent2, width=width))
        self.ffnn_curve.setPen(pg.mkPen(theme.accent, width=width))
        self.grad_curve.setPen(pg.mkPen(theme.accent, width=width))
        self.grad_curve.setSymbol("o")
        self.grad_curve.setSymbolSize(theme.text_px)
        self.grad_curve.setSymbolBrush(pg.mkBrush(theme.accent))
        self.front.setPen(pg.mkPen(theme.accent2, width=width, style=Qt.PenStyle.DashLine))
        self.curve_legend.setText(f"<span style='color:{theme.accent2}'>━ RNN</span> &nbsp; "
                                  f"<span style='color:{theme.accent}'>━ feed-forward net</span>")

    def shutdown(self) -> None:
        self.timer.stop()
