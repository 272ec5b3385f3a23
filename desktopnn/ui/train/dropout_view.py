"""Dropout (notes 2.10): the same input through Dense → Dropout again and again.

In training mode every pass drops a different random set of units (crossed out) and scales the kept
ones by 1/(1 − rate); in inference mode nothing is dropped. The passes are computed by torch's own
``F.dropout`` in :func:`desktopnn.engine.cnn.inside.dropout_passes`; a timer walks through them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QButtonGroup, QDoubleSpinBox, QHBoxLayout, QPushButton, QRadioButton,
                               QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.cnn.inside import dropout_passes
from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.theme import Theme, make_theme
from desktopnn.ui.train.common import heading, note

PASSES = 24


class UnitsPicture(QWidget):
    """Two rows of units: the Dense layer's outputs, and the same after dropout."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._pass = None
        self._rate = 0.5
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(900, 400)

    def set_pass(self, p, rate: float) -> None:
        self._pass, self._rate = p, rate
        self.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        t, p = self._theme, self._pass
        if p is None:
            return
        n = len(p.before)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_w = t.text_px * 9
        step = (self.width() - label_w - 10) / n
        d = max(10.0, min(step * 0.86, self.height() / 4.2))
        rows = [("Dense output", p.before, np.ones(n, bool)), ("after Dropout", p.after, p.mask)]
        font = t.font(min(1.0, d / (t.text_px * 2.4)), mono=True)
        for k, (title, values, keep) in enumerate(rows):
            y = self.height() * (0.28 + 0.5 * k)
            painter.setFont(t.font(1.0, bold=True))
            painter.setPen(QColor(t.text))
            painter.drawText(QRectF(0, y - d, label_w - 8, 2 * d), Qt.AlignmentFlag.AlignRight |
                             Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap, title)
            painter.setFont(font)
            for i in range(n):
                cx = label_w + (i + 0.5) * step
                rect = QRectF(cx - d / 2, y - d / 2, d, d)
                if keep[i]:
                    painter.setBrush(QColor(t.accent2 if k == 0 else t.accent))
                    painter.setPen(QPen(QColor(t.text), 2))
                    painter.drawEllipse(rect)
                    painter.setPen(QColor("#000000"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, fmt_num(values[i], 2))
                else:
                    painter.setBrush(QColor(t.panel))
                    painter.setPen(QPen(QColor(t.muted), 2, Qt.PenStyle.DashLine))
                    painter.drawEllipse(rect)
                    painter.setPen(QPen(QColor(t.bad), max(3, t.text_px // 6)))
                    painter.drawLine(QPointF(rect.left() + d * 0.2, rect.top() + d * 0.2),
                                     QPointF(rect.right() - d * 0.2, rect.bottom() - d * 0.2))
                    painter.drawLine(QPointF(rect.left() + d * 0.2, rect.bottom() - d * 0.2),
                                     QPointF(rect.right() - d * 0.2, rect.top() + d * 0.2))
                if k == 1:
                    painter.setPen(QPen(QColor(t.grid_line), 1, Qt.PenStyle.DotLine))
                    painter.drawLine(QPointF(cx, self.height() * 0.28 + d / 2), QPointF(cx, y - d / 2))
        painter.end()


class DropoutView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._passes = []
        self._index = 0
        self._inputs = np.sin(np.arange(16) * 0.9) + 0.3
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.training = QRadioButton("training (model.fit)")
        self.training.setToolTip("During training a fresh random set of units is dropped on every pass")
        self.inference = QRadioButton("inference (model.predict)")
        self.inference.setToolTip("When the model is used, dropout does nothing: every unit takes part")
        self.training.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.training)
        group.addButton(self.inference)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.0, 0.9)
        self.rate.setSingleStep(0.1)
        self.rate.setValue(0.5)
        self.rate.setPrefix("rate ")
        self.rate.setToolTip("Dropout(rate): the chance that each unit is dropped in a training pass")
        self.units = QSpinBox()
        self.units.setRange(4, 24)
        self.units.setValue(12)
        self.units.setSuffix(" units")
        self.units.setToolTip("Units in the Dense layer")
        self.play = QPushButton("Pause")
        self.play.setCheckable(True)
        self.play.setToolTip("Play or pause the passes")
        self.step = QPushButton("Next pass")
        self.step.setToolTip("Show the next pass of the same input")
        self.speed = QSpinBox()
        self.speed.setRange(1, 10)
        self.speed.setValue(2)
        self.speed.setSuffix(" passes/s")
        self.speed.setToolTip("Animation speed")
        for w in (self.training, self.inference, self.rate, self.units, self.play, self.step, self.speed):
            bar.addWidget(w)
        bar.addStretch(1)
        root.addLayout(bar)
        self.title = heading("")
        root.addWidget(self.title)
        self.picture = UnitsPicture()
        self.picture.setToolTip("Top: the Dense layer's outputs for one fixed input. Bottom: after Dropout. "
                                "Crossed-out units were dropped in this pass.")
        root.addWidget(self.picture, 1)
        self.explain = note("")
        root.addWidget(self.explain)
        root.addWidget(note("Each training pass trains a slightly different, thinner network, so no unit can rely "
                            "on one particular other unit: like an ensemble of many networks, but not quite the "
                            "same (notes 2.10). Dropout happens only in training, never in inference."))
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.next_pass)
        self.play.toggled.connect(self._on_play_toggled)
        self.step.clicked.connect(self.next_pass)
        self.speed.valueChanged.connect(lambda v: self.timer.setInterval(round(1000 / v)))
        self.timer.setInterval(500)
        for sig in (self.training.toggled, self.rate.valueChanged, self.units.valueChanged):
            sig.connect(self.recompute)
        self.recompute()

    def recompute(self, *_args) -> None:
        """Precompute the passes (a few microseconds of torch), then show the first."""
        self._passes = dropout_passes(self._inputs, self.units.value(), self.rate.value(), PASSES,
                                      training=self.training.isChecked(), seed=7)
        self._index = -1
        self.next_pass()

    def next_pass(self) -> None:
        self.show_pass((self._index + 1) % len(self._passes))

    def step_pass(self, delta: int) -> bool:
        """The clicker: pause and show the pass ``delta`` away; False at the first or last pass."""
        i = max(0, min(len(self._passes) - 1, self._index + delta))
        if not self.play.isChecked():
            self.play.setChecked(True)          # checked = paused
        if i == self._index:
            return False
        self.show_pass(i)
        return True

    def pass_index(self) -> int:
        return self._index

    def pass_count(self) -> int:
        return len(self._passes)

    def show_pass(self, index: int) -> None:
        """Show pass ``index`` of the same input, drawn now (export grabs right after)."""
        self._index = int(index) % len(self._passes)
        p = self._passes[self._index]
        self.picture.set_pass(p, self.rate.value())
        self.picture.repaint()
        mode = "training" if self.training.isChecked() else "inference"
        dropped = int((~p.mask).sum())
        self.title.setText(f"Pass {self._index + 1} of the same input, {mode} mode: {dropped} of {len(p.mask)} "
                           f"units dropped")
        rate = self.rate.value()
        if self.training.isChecked() and rate > 0:
            self.explain.setText(f"Kept units are multiplied by 1 ÷ (1 − {fmt_num(rate)}) = {fmt_num(1 / (1 - rate), 3)} "
                                 f"so that the layer's total output stays about the same on average.")
        else:
            self.explain.setText("Inference: every unit passes its value through unchanged, on every pass.")

    def mask_history(self) -> list[np.ndarray]:
        return [p.mask for p in self._passes]

    def _on_play_toggled(self, paused: bool) -> None:
        self.play.setText("Play" if paused else "Pause")
        if paused:
            self.timer.stop()
        elif self.isVisible():
            self.timer.start()

    def showEvent(self, event) -> None:  # noqa: N802
        if not self.play.isChecked():
            self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        super().hideEvent(event)

    def stop(self) -> None:
        self.timer.stop()

    def apply_theme(self, theme: Theme) -> None:
        self.picture.apply_theme(theme)
