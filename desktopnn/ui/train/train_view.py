"""Training (notes 2.13): ``model.fit`` with live loss, accuracy and val_accuracy curves, pause and stop."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.cnn.train import OPTIMIZERS, TrainConfig
from desktopnn.ui.theme import Theme
from desktopnn.ui.train.common import note, pen, style_plot


class TrainView(QWidget):
    train_requested = Signal(object, bool)   # TrainConfig, continue from the current weights
    pause_toggled = Signal(bool)
    stop_requested = Signal()
    save_requested = Signal()
    load_requested = Signal()
    shipped_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme: Theme | None = None
        self._history = None
        root = QVBoxLayout(self)
        root.addLayout(self._build_settings())
        root.addLayout(self._build_run_bar())
        self.status = QLabel("")
        self.status.setWordWrap(True)
        root.addWidget(self.status)
        root.addLayout(self._build_plots(), 1)
        root.addLayout(self._build_files())
        root.addWidget(note("val_accuracy below accuracy means the network starts to memorise its training images "
                            "(overfitting): try fewer epochs or a Dropout layer."))
        self.set_running(False)

    def _build_settings(self) -> QGridLayout:
        """model.fit's settings: epochs, batch size, learning rate, optimizer, seed (and “continue”)."""
        grid = QGridLayout()
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setValue(10)
        self.epochs.setToolTip("Passes over the training images (the notes use epochs=10)")
        self.batch = QSpinBox()
        self.batch.setRange(1, 1024)
        self.batch.setValue(32)
        self.batch.setToolTip("Images per weight update (Keras's default is 32)")
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(4)
        self.lr.setRange(0.0001, 1.0)
        self.lr.setSingleStep(0.0005)
        self.lr.setValue(0.001)
        self.lr.setToolTip("Learning rate: how big each step downhill is (Adam's default is 0.001)")
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.optimizer.setToolTip("adam as in the notes; sgd (with momentum 0.9) or rmsprop to compare")
        self.seed = QSpinBox()
        self.seed.setRange(0, 99999)
        self.seed.setToolTip("Fixed seed: the same seed gives the same starting weights and batch order, "
                             "so a lesson can be repeated")
        self.resume = QCheckBox("continue from the current weights")
        self.resume.setToolTip("Off: start from fresh random weights (repeatable). On: keep training the current model.")
        for i, (label, w) in enumerate([("epochs", self.epochs), ("batch size", self.batch), ("learning rate", self.lr),
                                        ("optimizer", self.optimizer), ("seed", self.seed)]):
            grid.addWidget(QLabel(label), 0, 2 * i)
            grid.addWidget(w, 0, 2 * i + 1)
        return grid

    def _build_run_bar(self) -> QHBoxLayout:
        """Train, pause, stop, and the progress through all epochs."""
        bar = QHBoxLayout()
        self.train = QPushButton("Train")
        self.train.setToolTip("model.fit(...) in the background: the curves grow as it learns")
        self.train.clicked.connect(self._on_train_clicked)
        self.pause = QPushButton("Pause")
        self.pause.setCheckable(True)
        self.pause.setToolTip("Pause training to talk about the curves; press again to go on")
        self.pause.toggled.connect(self._on_pause_toggled)
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop after the current batch and keep what the model has learnt so far")
        self.stop.clicked.connect(self.stop_requested)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setToolTip("Progress through all epochs")
        for w in (self.train, self.pause, self.stop, self.resume, self.progress):
            bar.addWidget(w)
        bar.setStretchFactor(self.progress, 1)
        return bar

    def _build_plots(self) -> QHBoxLayout:
        """The live curves: loss and val_loss; accuracy and val_accuracy."""
        plots = QHBoxLayout()
        self.loss_plot = pg.PlotWidget()
        self.acc_plot = pg.PlotWidget()
        self.loss_plot.addLegend(offset=(-10, 10))        # top right: loss falls away from it
        self.acc_plot.addLegend(offset=(-10, -10))        # lower right, as the notes' plt.legend(loc='lower right')
        for p in (self.loss_plot, self.acc_plot):
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
            plots.addWidget(p, 1)
        self.acc_plot.setYRange(0, 1, padding=0.02)
        self.loss_curve = self.loss_plot.plot([], [], name="loss")
        self.val_loss_curve = self.loss_plot.plot([], [], name="val_loss")
        self.acc_curve = self.acc_plot.plot([], [], name="accuracy")
        self.val_curve = self.acc_plot.plot([], [], name="val_accuracy", symbol="o")
        self.loss_plot.setToolTip("Cross-entropy loss: falls as the model learns (live, per batch)")
        self.acc_plot.setToolTip("accuracy on the training images and val_accuracy on images it never trains on, "
                                 "as the notes plot them")
        return plots

    def _build_files(self) -> QHBoxLayout:
        """Save and load the model, or take the shipped one; which model is in use."""
        files = QHBoxLayout()
        self.save = QPushButton("Save model…")
        self.save.setToolTip("Write the weights and the layer list to a .safetensors file")
        self.save.clicked.connect(self.save_requested)
        self.load = QPushButton("Load model…")
        self.load.setToolTip("Open a .safetensors file saved here; a damaged or foreign file is refused and "
                             "the current model stays")
        self.load.clicked.connect(self.load_requested)
        self.shipped = QPushButton("Load the trained digits model")
        self.shipped.setToolTip("The notes' 2.13 CNN trained on the offline digits, shipped with desktopnn")
        self.shipped.clicked.connect(self.shipped_requested)
        self.model_label = QLabel("")
        self.model_label.setWordWrap(True)
        for w in (self.save, self.load, self.shipped):
            files.addWidget(w)
        files.addWidget(self.model_label, 1)
        return files

    def config(self) -> TrainConfig:
        return TrainConfig(self.epochs.value(), self.batch.value(), float(self.lr.value()),
                           self.optimizer.currentText(), self.seed.value())

    def _on_train_clicked(self) -> None:
        self.train_requested.emit(self.config(), self.resume.isChecked())

    def _on_pause_toggled(self, on: bool) -> None:
        self.pause.setText("Resume" if on else "Pause")
        self.pause_toggled.emit(on)

    def set_running(self, running: bool) -> None:
        self.train.setEnabled(not running)
        self.pause.setEnabled(running)
        self.stop.setEnabled(running)
        for w in (self.load, self.shipped, self.save, self.epochs, self.batch, self.lr, self.optimizer, self.seed):
            w.setEnabled(not running)
        if not running:
            self.pause.blockSignals(True)
            self.pause.setChecked(False)
            self.pause.setText("Pause")
            self.pause.blockSignals(False)

    def show_history(self, hist, fraction: float | None = None) -> None:
        self._history = hist
        if fraction is not None:
            self.progress.setValue(round(fraction * 1000))
        if hist is None:
            for c in (self.loss_curve, self.val_loss_curve, self.acc_curve, self.val_curve):
                c.setData([], [])
            return
        xs = [p[0] for p in hist.live]
        self.loss_curve.setData(xs, [p[1] for p in hist.live])
        self.acc_curve.setData(xs, [p[2] for p in hist.live])
        epochs = list(range(1, len(hist.val_accuracy) + 1))
        self.val_curve.setData(epochs, hist.val_accuracy)
        self.val_loss_curve.setData(epochs, hist.val_loss)
        if hist.val_accuracy:
            self.status.setText(f"epoch {len(hist.val_accuracy)}: loss {hist.loss[-1]:.3f}, accuracy "
                                f"{hist.accuracy[-1]:.3f}, val_accuracy {hist.val_accuracy[-1]:.3f}")

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.loss_plot, theme, "loss", "epoch")
        style_plot(self.acc_plot, theme, "accuracy", "epoch")
        self.loss_curve.setPen(pen(theme, "accent2"))
        self.val_loss_curve.setPen(pen(theme, "accent", style=pg.QtCore.Qt.PenStyle.DashLine))
        self.acc_curve.setPen(pen(theme, "accent2"))
        self.val_curve.setPen(pen(theme, "accent"))
        size = max(8, theme.text_px // 2)
        self.val_curve.setSymbolSize(size)
        self.val_curve.setSymbolBrush(theme.accent)
        self.val_curve.setSymbolPen(theme.accent)
        style_plot(self.loss_plot, theme, "loss", "epoch")
        style_plot(self.acc_plot, theme, "accuracy", "epoch")
