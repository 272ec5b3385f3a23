"""Dealing with memory (notes 4.2): a feed-forward net sees only x_t, the RNN remembers."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktopnn.engine.rnn.memory import ambiguous_items
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.rnn.draw import SequenceStrip
from desktopnn.ui.rnn.state import RnnState
from desktopnn.ui.theme import Theme


class MemoryView(QWidget):
    def __init__(self, state: RnnState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.strip = SequenceStrip()
        self.strip.step_clicked.connect(state.set_step)
        scroll = QScrollArea()
        scroll.setWidget(self.strip)
        scroll.setWidgetResizable(False)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll = scroll
        self.ffnn_label = QLabel()
        self.ffnn_label.setToolTip("Share of steps where the feed-forward net, which sees only today's item, "
                                   "guessed tomorrow's item right")
        self.rnn_label = QLabel()
        self.rnn_label.setToolTip("Share of steps where the RNN, which also carries h(t-1), guessed right")
        for lab in (self.ffnn_label, self.rnn_label):
            lab.setProperty("role", "heading")
        self.why_label = QLabel()
        self.why_label.setWordWrap(True)
        self.why_label.setToolTip("Why x(t) alone is or is not enough to predict the next item")
        # one-hot legend: every item of the vocabulary is a row of 0s with a single 1
        self.onehot_names = QWidget()
        self.onehot_names_lay = QVBoxLayout(self.onehot_names)
        self.onehot_names_lay.setContentsMargins(0, 1, 0, 0)
        self.onehot_names_lay.setSpacing(0)
        self.onehot = NumberGrid()
        self.onehot.set_digits(1)
        self.onehot.setToolTip("Each item becomes a one-hot vector x(t): one 1 in its own column")
        onehot_title = QLabel("Items as one-hot vectors x(t)")
        onehot_title.setProperty("role", "heading")
        oh = QGridLayout()
        oh.addWidget(onehot_title, 0, 0, 1, 2)
        oh.addWidget(self.onehot_names, 1, 0, Qt.AlignmentFlag.AlignTop)
        oh.addWidget(self.onehot, 1, 1, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        oh.setColumnStretch(2, 1)
        oh.setRowStretch(2, 1)
        self.status = QLabel()
        self.status.setToolTip("What is being trained right now")

        scores = QVBoxLayout()
        scores.addWidget(self.ffnn_label)
        scores.addWidget(self.rnn_label)
        scores.addWidget(self.why_label)
        scores.addWidget(self.status)
        scores.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addLayout(scores, 3)
        bottom.addLayout(oh, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 3)
        lay.addLayout(bottom, 2)
        self._onehot_labels: list[QLabel] = []
        self._theme: Theme | None = None
        state.result_changed.connect(self.refresh)
        state.settings_changed.connect(self.refresh)
        state.step_changed.connect(self.strip.set_current)
        state.busy_changed.connect(self._on_busy_changed)
        self.refresh()

    def _on_busy_changed(self, busy: bool) -> None:
        self.status.setText("Training the feed-forward net and the RNN…" if busy else "")

    def refresh(self) -> None:
        st = self.state
        items = st.items
        res = st.result if st.result is not None and st.result.items == items else None
        truth = list(items[1:]) + [None]
        rows = [("today x(t)", items, None), ("truly next", truth, None)]
        if res is not None:
            ff = [res.vocab[i] for i in res.ffnn_pred]
            rn = [res.vocab[i] for i in res.rnn_pred]
            rows += [("FFNN sees x(t)", ff, truth), ("RNN remembers", rn, truth)]
            self.ffnn_label.setText(f"Feed-forward net: {res.ffnn_acc:.0%} right "
                                    f"(best possible from x(t) alone: {res.best_memoryless:.0%})")
            self.rnn_label.setText(f"RNN with memory h(t−1): {res.rnn_acc:.0%} right")
            self.ffnn_label.setProperty("role", "heading" if res.ffnn_acc == 1 else "error")
            self.rnn_label.setProperty("role", "heading" if res.rnn_acc == 1 else "error")
            for lab in (self.ffnn_label, self.rnn_label):
                lab.style().unpolish(lab)
                lab.style().polish(lab)
        else:
            self.ffnn_label.setText("Feed-forward net: training…")
            self.rnn_label.setText("RNN: training…")
        self.strip.set_rows(rows)
        self.strip.set_current(st.t)
        amb = ambiguous_items(items)
        if amb:
            lines = [f"“{a}” is followed by {', '.join(nxt)}" for a, nxt in amb.items()]
            self.why_label.setText("Irregular: " + "; ".join(lines) + ". No function of today's item alone "
                                   "can always be right; remembering what came before can.")
        else:
            self.why_label.setText("Regular: every item is always followed by the same item, so today's "
                                   "item alone tells what comes next. The feed-forward net copes.")
        self._set_onehot(res.vocab if res is not None else None)

    def _set_onehot(self, vocab) -> None:
        if vocab is None:
            from desktopnn.engine.rnn.memory import vocabulary

            vocab = vocabulary(self.state.items)
        self.onehot.set_values(np.eye(len(vocab)))
        for lab in self._onehot_labels:
            lab.deleteLater()
        self._onehot_labels = []
        for name in vocab:
            lab = QLabel(name)
            lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.onehot_names_lay.addWidget(lab)
            self._onehot_labels.append(lab)
        self._size_onehot()

    def _size_onehot(self) -> None:
        if self._theme is None:
            return
        scale = 0.5 if self._theme.presentation else 0.7
        self.onehot.set_cell_scale(scale)
        for lab in self._onehot_labels:
            lab.setFixedHeight(self.onehot.cell_size())

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.strip.apply_theme(theme)
        self.onehot.apply_theme(theme)
        self._size_onehot()
