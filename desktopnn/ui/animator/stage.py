"""The animator's stage: input (with padding), kernel and output grids, sized to fill the space."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.engine.convolution.steps import StepPlan
from desktopnn.ui.animator.frames import channel_suffix, grid_views
from desktopnn.ui.animator.state import AnimatorState
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import Theme, make_theme


class StageGrid(NumberGrid):
    """A NumberGrid that shows "–" for cells without a value (pooling ignores padding)."""

    def _text_for(self, v: float) -> str:
        return "–" if math.isnan(v) else fmt_num(v, self._digits)


class GridStage(QWidget):
    """Lays out the grids side by side and scales their cells so that everything fits on screen."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._theme: Theme = make_theme(False)
        self.input = StageGrid(editable=True)
        self.input.setToolTip("The input, with padding cells shaded. Double-click a cell (or select it and type) "
                              "to change its number; the window is outlined")
        self.kernel = StageGrid()
        self.kernel.setToolTip("The kernel (for the channel on show); change its values in the side panel")
        self.output = StageGrid()
        self.output.setToolTip("The output fills in as the window moves; '?' cells come later")
        self.captions = [QLabel(self), QLabel(self), QLabel(self)]
        for grid in (self.input, self.kernel, self.output):
            grid.setParent(self)
            grid.set_digits(4)
        for cap in self.captions:
            cap.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
            cap.setWordWrap(True)
        self.show_kernel = True
        self.show_output = True

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(900, 500)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 150)

    def show(self, state: AnimatorState, plan: StepPlan | None, position: int, channel: int,
             value_hidden: bool = False) -> None:
        """The grids for ``state`` at ``position`` of its step list ``plan`` (None: the settings cannot
        work, and only the padded input shows); ``value_hidden`` draws the value being computed as "?"."""
        self.show_kernel = state.op == "conv"
        self.show_output = plan is not None
        chan = channel_suffix(state.image.shape[2], channel)
        if plan is not None:
            in_cap, out_cap = self._show_step(plan, position, channel, value_hidden)
        else:
            in_cap, out_cap = self._show_input_only(state, channel)
        self.kernel.set_values(state.kernel[:, :, min(channel, state.kernel.shape[2] - 1)])
        self.set_captions((in_cap + chan, "kernel" + chan, out_cap))
        self.relayout()

    def _show_step(self, plan: StepPlan, position: int, channel: int, value_hidden: bool) -> tuple[str, str]:
        padded, mask, output, hidden, window, max_cells, out_cell = grid_views(plan, position, channel)
        if value_hidden:          # predict before reveal: the value being computed is "?"
            hidden, max_cells = hidden.copy(), []
            hidden[out_cell[0]] = True
        self.input.set_values(padded)
        self.input.set_padding_mask(mask)
        self.input.set_highlights([(window, "accent"), (max_cells, "accent2")])
        self.output.set_values(output)
        self.output.set_hidden_mask(hidden)
        self.output.set_highlights([(out_cell, "accent2")])
        ph, pw = plan.padded_shape
        in_cap = f"input {plan.in_shape[0]}×{plan.in_shape[1]}" + (
            f" (padded {ph}×{pw})" if (ph, pw) != plan.in_shape else "")
        return in_cap, f"output {plan.out_shape[0]}×{plan.out_shape[1]}"

    def _show_input_only(self, state: AnimatorState, channel: int) -> tuple[str, str]:
        image = state.image[:, :, channel]
        pads = state.pads() or (0, 0, 0, 0)
        padded = np.pad(image, ((pads[0], pads[1]), (pads[2], pads[3])),
                        constant_values=0.0 if state.op == "conv" else np.nan)
        mask = np.pad(np.zeros(image.shape, bool), ((pads[0], pads[1]), (pads[2], pads[3])), constant_values=True)
        self.input.set_values(padded)
        self.input.set_padding_mask(mask)
        self.input.set_highlights([])
        self.output.set_values(np.zeros((1, 1)))
        self.output.set_hidden_mask(np.ones((1, 1), bool))
        self.output.set_highlights([])
        return f"input {image.shape[0]}×{image.shape[1]}", "no output"

    def set_captions(self, texts: tuple[str, str, str]) -> None:
        for cap, text in zip(self.captions, texts):
            cap.setText(text)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for cap in self.captions:
            cap.setStyleSheet(f"color: {theme.muted}; font-size: {theme.text_px}px;")
        self.relayout()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.relayout()

    def relayout(self) -> None:
        t = self._theme
        shown = [True, self.show_kernel, self.show_output]
        grids = [g for g, on in zip((self.input, self.kernel, self.output), shown) if on]
        caps = [c for c, on in zip(self.captions, shown) if on]
        self.kernel.setVisible(self.show_kernel)
        self.captions[1].setVisible(self.show_kernel)
        self.output.setVisible(self.show_output)
        self.captions[2].setVisible(self.show_output)
        cols = sum(g.shape[1] for g in grids)
        rows = max(g.shape[0] for g in grids)
        gap = round(t.text_px * 1.6)
        line = caps[0].fontMetrics().lineSpacing() + 4
        cap_h = line
        for _ in range(2):   # a caption wider than its grid wraps: make room and size again
            size = self._fit_cells(grids, cols, rows, gap, cap_h)
            widths = [g.shape[1] * size + 2 + gap - 6 for g in grids]
            need = max(cap.heightForWidth(w) for cap, w in zip(caps, widths)) + 4
            if need <= cap_h:
                break
            cap_h = need
        total = cols * size + gap * (len(grids) - 1)
        x = max(0, (self.width() - total) // 2)
        y = max(0, (self.height() - cap_h - rows * size) // 3)   # a little above the middle
        for g, cap in zip(grids, caps):
            w, h = g.shape[1] * size + 2, g.shape[0] * size + 2
            cap.setGeometry(x, y, w + gap - 6, cap_h)
            g.setGeometry(x, y + cap_h, w, h)
            x += w + gap

    def _fit_cells(self, grids, cols: int, rows: int, gap: int, cap_h: int) -> int:
        """Largest cell size (pixels) that fits; the grids get a theme whose numbers grow with it."""
        t = self._theme
        avail_w = self.width() - gap * (len(grids) - 1) - 4
        avail_h = self.height() - cap_h - 4
        most = t.cell_px * (1.6 if t.presentation else 2.2)   # big cells while they fit
        size = int(max(16, min(most, avail_w / max(cols, 1), avail_h / max(rows, 1))))
        # numbers grow with the cells (at least the theme's text size, shrunk only when cells are small)
        grid_theme = replace(t, cell_px=size, text_px=max(min(t.text_px, round(size * 0.45)), round(size * 0.4)))
        for g in grids:
            g.apply_theme(grid_theme)
            g.set_cell_scale(1.0)
        return grids[0].cell_size()
