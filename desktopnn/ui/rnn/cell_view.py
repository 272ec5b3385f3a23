"""The memory cell (notes 4.3.4–4.3.5): the equation with today's numbers, stepped through time."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.rnn.draw import font, style_plot
from desktopnn.ui.rnn.state import RnnState
from desktopnn.ui.theme import Theme

EQUATION = ("h<sub>t</sub> = {g}( W<sub>hh</sub><sup>T</sup> h<sub>t−1</sub> + W<sub>hx</sub><sup>T</sup> "
            "x<sub>t</sub> + b<sub>h</sub> )")


class StepBar(QWidget):
    """◀ back · where we are · forward ▶ (keys: Left/Right, PageUp/PageDown for a clicker)."""

    def __init__(self, state: RnnState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.back = QPushButton("◀ Back")
        self.back.setToolTip("Step back in time (Left arrow or PageUp)")
        self.forward = QPushButton("Forward ▶")
        self.forward.setToolTip("Step forward in time (Right arrow or PageDown)")
        self.label = QLabel()
        self.label.setProperty("role", "heading")
        self.back.clicked.connect(lambda: state.step(-1))
        self.forward.clicked.connect(lambda: state.step(1))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.back)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.forward)
        state.step_changed.connect(self.refresh)
        state.settings_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_):
        st = self.state
        self.label.setText(f"t = {st.t} of {st.length - 1}:  x<sub>{st.t}</sub> = {st.items[st.t]}")
        self.back.setEnabled(st.t > 0)
        self.forward.setEnabled(st.t < st.length - 1)


class CellView(QWidget):
    ROWS = [("h<sub>t−1</sub>", "The memory coming in from the previous step (zeros before the first step)"),
            ("W<sub>hh</sub><sup>T</sup> h<sub>t−1</sub>", "What the cell keeps from its memory"),
            ("+ W<sub>hx</sub><sup>T</sup> x<sub>t</sub>", "What today's item adds: x is one-hot, so this is "
             "the item's row of W_hx"),
            ("+ b<sub>h</sub>", "The bias, the same at every step"),
            ("= a<sub>t</sub>", "The sum, before the activation"),
            ("h<sub>t</sub> = {g}(a<sub>t</sub>)", "The new memory, passed on to the next step")]

    def __init__(self, state: RnnState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.equation = QLabel()
        self.equation.setProperty("role", "heading")
        self.equation.setWordWrap(True)
        self.equation.setToolTip("The simpleRNN cell of notes 4.3.5; the rows below plug in today's numbers")
        self.step_bar = StepBar(state)
        grid = QGridLayout()
        self.row_labels: list[QLabel] = []
        self.grids: list[NumberGrid] = []
        for i, (text, tip) in enumerate(self.ROWS):
            lab = QLabel(text)
            lab.setToolTip(tip)
            lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            g = NumberGrid()
            g.set_digits(2)
            g.set_cell_scale(1.45)
            g.setToolTip(tip)
            grid.addWidget(lab, i, 0)
            grid.addWidget(g, i, 1, Qt.AlignmentFlag.AlignLeft)
            self.row_labels.append(lab)
            self.grids.append(g)
        grid.setColumnStretch(2, 1)
        self.prediction = QLabel()
        self.prediction.setWordWrap(True)
        self.prediction.setToolTip("The output layer reads h_t and scores every item as tomorrow's")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setToolTip("h_t for every step: one column per time step, one row per hidden unit. "
                             "Click a column to step there.")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.marker = pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1)
        self.plot.addItem(self.marker)
        self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
        heat_title = QLabel("h<sub>t</sub> over time (the heat strip)")
        heat_title.setProperty("role", "heading")

        left = QVBoxLayout()
        left.addWidget(self.equation)
        left.addWidget(self.step_bar)
        left.addLayout(grid)
        left.addWidget(self.prediction)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(heat_title)
        right.addWidget(self.plot, 1)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 3)
        lay.addLayout(right, 2)
        self._theme: Theme | None = None
        state.step_changed.connect(self.refresh)
        state.result_changed.connect(self.refresh)
        state.settings_changed.connect(self.refresh)
        state.predict_changed.connect(self.refresh)
        self.refresh()

    # ---- the numbers -------------------------------------------------------------------------
    def terms(self, t: int) -> list[np.ndarray] | None:
        """[h_{t−1}, W_hhᵀh_{t−1}, W_hxᵀx_t, b_h, a_t, h_t] for step ``t`` of the trained RNN."""
        st = self.state
        res = st.result
        if res is None or st.h is None or res.items != st.items:
            return None
        m = res.rnn
        W_hh, W_hx, b = m.W_hh.numpy(), m.W_hx.numpy(), m.b_h.numpy()
        h_prev = st.h[t - 1] if t > 0 else np.zeros(m.hidden_size)
        rec = h_prev @ W_hh
        inp = W_hx[res.vocab.index(st.items[t])]
        return [h_prev, rec, inp, b, st.a[t], st.h[t]]

    def refresh(self, *_) -> None:
        st = self.state
        g = st.activation
        self.equation.setText(EQUATION.format(g=g))
        self.row_labels[-1].setText(self.ROWS[-1][0].format(g=g))
        terms = self.terms(st.t)
        if terms is None:
            self.prediction.setText("Training the RNN…")
            return
        lo, hi = (-1.0, 1.0) if g == "tanh" else (0.0, max(1e-9, float(np.max(st.h))))
        hidden = st.hides(st.t)          # predict before reveal: a_t, h_t and ŷ_t are for the class to guess
        for i, (grid, vec) in enumerate(zip(self.grids, terms)):
            grid.set_values(np.round(vec, 2)[None, :])
            grid.set_shading((min(lo, -1.0), max(hi, 1.0)))
            grid.set_hidden_mask(np.full((1, len(vec)), hidden and i >= 4))
        self.grids[-1].set_highlights([(np.ones((1, len(terms[-1])), bool), "accent")])
        if hidden:
            self.row_labels[-1].setText(self.ROWS[-1][0].format(g=g) + " = ?")
            self.prediction.setText(f"From h<sub>{st.t}</sub> the RNN predicts next: <b>?</b> "
                                    "(predict first: the forward key reveals it)")
            self._draw_heat(lo, hi)
            return
        res = st.result
        logits = st.h[st.t] @ res.rnn.W_hy.numpy() + res.rnn.b_y.numpy()
        prob = np.exp(logits - logits.max())
        prob /= prob.sum()
        best = int(np.argmax(prob))
        truth = st.items[st.t + 1] if st.t + 1 < st.length else None
        verdict = ("" if truth is None else (" ✓ right" if res.vocab[best] == truth else f" ✗ (truly: {truth})"))
        self.prediction.setText(f"From h<sub>{st.t}</sub> the RNN predicts next: <b>{res.vocab[best]}</b> "
                                f"(probability {fmt_num(prob[best], 2)}){verdict}")
        self._draw_heat(lo, hi)

    def _draw_heat(self, lo: float, hi: float) -> None:
        st = self.state
        img = np.ascontiguousarray(st.h.T, dtype=np.float32)      # (H, T): a row per hidden unit
        if st.predict:
            img[:, max(st.revealed, 0) + 1:] = np.nan                # steps not yet revealed stay blank
        cmap = pg.colormap.get("CET-CBD1" if st.activation == "tanh" else "cividis")
        self.image.setLookupTable(cmap.getLookupTable(nPts=256))
        self.image.setImage(img, levels=(lo, hi), autoLevels=False)
        self.image.setRect(pg.QtCore.QRectF(-0.5, -0.5, img.shape[1], img.shape[0]))
        self.marker.setRect(st.t - 0.5, -0.5, 1, img.shape[0])
        self.plot.setXRange(-0.5, img.shape[1] - 0.5, padding=0)
        self.plot.setYRange(-0.5, img.shape[0] - 0.5, padding=0)
        self.plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(img.shape[1])]])
        self.plot.getAxis("left").setTicks([[(i, str(i + 1)) for i in range(img.shape[0])]])
        self.plot.getPlotItem().invertY(True)

    def _on_plot_clicked(self, event) -> None:
        pos = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.state.set_step(int(round(pos.x())))

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        big = not theme.presentation        # a laptop window has room: draw the equation large
        # on a laptop the equation has room: its numbers are drawn a size larger than body text
        grid_theme = replace(theme, text_px=round(theme.text_px * 1.45), cell_px=round(theme.cell_px * 1.45)) \
            if big else theme
        for g in self.grids:
            g.apply_theme(grid_theme)
            g.set_cell_scale(1.45)
        for lab in self.row_labels + [self.prediction]:   # a style sheet, since the app's sets font sizes
            lab.setStyleSheet(f"font-size: {font(theme, 1.3 if big else 1.0).pixelSize()}px;")
        self.equation.setStyleSheet(f"font-size: {round(theme.text_px * (1.7 if big else 1.25))}px; font-weight: bold;")
        style_plot(self.plot, theme, left="hidden unit", bottom="time step t")
        self.marker.setPen(pg.mkPen(theme.accent, width=5 if theme.presentation else 3))
