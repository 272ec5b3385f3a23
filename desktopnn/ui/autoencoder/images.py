"""Images through a bottleneck (notes 3): input, code and reconstruction; denoising; the code plane;
transfer learning. All inference and training runs in workers; slots only draw results."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from desktopnn.ui.autoencoder import jobs
from desktopnn.ui.autoencoder.state import IMAGE_BOTTLENECKS, NOISE_ORDER
from desktopnn.ui.autoencoder.widgets import DIGIT_COLOURS, Bars, Curves, Heatmap, stop_runners, style_plot
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner


class ImagesView(QWidget):
    """The image sub-view of the Encoder & decoder tab."""

    notice = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = None
        self.codes: np.ndarray | None = None
        self.digits = None
        self.code_size = 2
        self.history: tuple[list, list] = ([], [])
        self.transfer_result = None
        self.transfer_epochs = 200
        self._decoded_once = False
        self.trained_in_session = False      # scenes keep the weights of a model trained here
        # one runner per kind of job, so that a newer job of one kind never drops another kind
        self._loader, self._infer, self._decoder = (LatestJobRunner(f"ae-images-{n}", self)
                                                    for n in ("load", "infer", "decode"))
        for r in (self._loader, self._infer, self._decoder):
            r.finished.connect(self._on_job_finished)
            r.failed.connect(lambda _i, msg, _e: self.notice.emit(msg))
        self._trainer = LatestJobRunner("ae-train", self)
        self._trainer.finished.connect(self._on_job_finished)
        self._trainer.failed.connect(self._on_train_failed)
        self._trainer.progressed.connect(self._on_train_progressed)
        self._trainer.busy_changed.connect(self._on_train_busy)
        self._build()
        self._started = False

    def ensure_loaded(self) -> None:
        """Load the default model the first time the view is shown (keeps torch off start-up)."""
        if not self._started:
            self._started = True
            self.load_defaults()

    def mark_load_chosen(self) -> None:
        """A scene has chosen what to load: showing the view no longer loads the default model."""
        self._started = True

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        controls = QVBoxLayout()
        controls.addWidget(self._build_model_box())
        controls.addWidget(self._build_noise_box())
        controls.addWidget(self._build_transfer_box())
        controls.addStretch(1)
        self._build_plots()
        lay = QHBoxLayout(self)
        side = QWidget()
        side.setLayout(controls)
        side.setMaximumWidth(520)
        lay.addWidget(side)
        lay.addLayout(self._build_grid(), 1)

    def _build_model_box(self) -> QGroupBox:
        """The bottleneck, epochs, train / stop / back to the shipped weights, and progress."""
        box = QGroupBox("Autoencoder")
        form = QFormLayout(box)
        self.bottleneck = QComboBox()
        for k in IMAGE_BOTTLENECKS:
            self.bottleneck.addItem(f"{k} numbers", k)
        self.bottleneck.setToolTip("How many numbers the code in the middle holds. The 64 pixels are squeezed "
                                   "into this many and rebuilt from them.")
        self.bottleneck.currentIndexChanged.connect(self._on_bottleneck_changed)
        form.addRow("Bottleneck", self.bottleneck)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 300)
        self.epochs.setValue(30)
        self.epochs.setToolTip("Passes over the 1437 training digits")
        form.addRow("Epochs", self.epochs)
        row = QHBoxLayout()
        self.train_btn = QPushButton("Train")
        self.train_btn.setToolTip("Train a new autoencoder with this bottleneck (and the noise below, as a "
                                  "denoising autoencoder). The loss curves update live.")
        self.train_btn.clicked.connect(self.train)
        self.cancel_btn = QPushButton("Stop")
        self.cancel_btn.setToolTip("Stop training; the autoencoder shown stays as it was")
        self.cancel_btn.clicked.connect(self._trainer.cancel)
        self.cancel_btn.setEnabled(False)
        self.default_btn = QPushButton("Default")
        self.default_btn.setToolTip("Go back to the trained weights that come with desktopnn")
        self.default_btn.clicked.connect(self.load_defaults)
        for b in (self.train_btn, self.cancel_btn, self.default_btn):
            row.addWidget(b)
        form.addRow(row)
        self.progress = QProgressBar()
        self.progress.setToolTip("Training progress")
        form.addRow(self.progress)
        return box

    def _build_noise_box(self) -> QGroupBox:
        """Which digit goes in, and the noise added to it."""
        nbox = QGroupBox("Input and noise")
        nform = QFormLayout(nbox)
        self.sample = QSpinBox()
        self.sample.setRange(0, 1796)
        self.sample.setValue(3)
        self.sample.setToolTip("Which of the 1797 handwritten digits goes in")
        self.sample.valueChanged.connect(self.refresh)
        nform.addRow("Digit no.", self.sample)
        self.noise = QComboBox()
        from desktopnn.engine.autoencoder.config import NOISE_LABELS

        for key in NOISE_ORDER:
            self.noise.addItem(NOISE_LABELS[key], key)
        self.noise.setToolTip("Noise added to the input: the (denoising) autoencoder should still give a clean digit")
        self.noise.currentIndexChanged.connect(self.refresh)
        nform.addRow("Noise", self.noise)
        self.amount = QSlider(Qt.Orientation.Horizontal)
        self.amount.setRange(0, 100)
        self.amount.setValue(30)
        self.amount.setToolTip("How much noise: standard deviation (Gaussian) or fraction of pixels hit")
        self.amount.valueChanged.connect(self.refresh)
        self.amount_label = QLabel("0.30")
        r2 = QHBoxLayout()
        r2.addWidget(self.amount, 1)
        r2.addWidget(self.amount_label)
        nform.addRow("Amount", r2)
        return nbox

    def _build_transfer_box(self) -> QGroupBox:
        """Transfer learning: a classifier on the frozen encoder's code against one from scratch."""
        tbox = QGroupBox("Transfer learning")
        tform = QFormLayout(tbox)
        self.per_class = QSpinBox()
        self.per_class.setRange(1, 50)
        self.per_class.setValue(5)
        self.per_class.setToolTip("Labelled examples of each digit the classifiers may learn from")
        tform.addRow("Labels per digit", self.per_class)
        self.transfer_btn = QPushButton("Compare")
        self.transfer_btn.setToolTip("Train a small classifier on the frozen encoder's code, and the same network "
                                     "from scratch, on the same few labels; compare their accuracy on unseen digits")
        self.transfer_btn.clicked.connect(self.compare_transfer)
        tform.addRow(self.transfer_btn)
        self.transfer_label = QLabel("Press Compare: is a trained encoder a good feature extractor?")
        self.transfer_label.setWordWrap(True)
        tform.addRow(self.transfer_label)
        return tbox

    def _build_plots(self) -> None:
        """Input, code, reconstruction, the loss curves, the code plane and the decoded point."""
        self.input_view = Heatmap("Input", "CET-L1", (0, 1), axes=False, tooltip="The digit going in (with noise)")
        self.code_bars = Bars("Code", tooltip="The numbers in the bottleneck: this digit's feature vector")
        self.output_view = Heatmap("Reconstruction", "CET-L1", (0, 1), axes=False,
                                   tooltip="What the decoder rebuilds from the code alone")
        self.loss = Curves("Loss", "epoch", "mean squared error", ["training", "held-out (no noise)"],
                           tooltip="How far reconstructions are from the clean digits, per epoch. Training inputs carry the "
                                   "chosen noise; held-out digits go in clean, so their loss can be lower.")
        self.scatter_plot = pg.PlotWidget()
        self.scatter_plot.setMenuEnabled(False)
        self.scatter_plot.setToolTip("Every digit's 2-number code as a point, coloured by digit. "
                                     "Click anywhere to decode that point into an image.")
        self.scatter = pg.ScatterPlotItem(pxMode=True)
        self.scatter_plot.addItem(self.scatter)
        self.marker = pg.ScatterPlotItem(pxMode=True, symbol="+")
        self.scatter_plot.addItem(self.marker)
        self.scatter_plot.scene().sigMouseClicked.connect(self._on_plane_clicked)
        self.scatter_title = QLabel("The code plane: click to decode")
        self.scatter_title.setProperty("role", "heading")
        self.scatter_note = QLabel("")
        self.scatter_note.setWordWrap(True)
        self.decoded_view = Heatmap("Decoded point", "CET-L1", (0, 1), axes=False,
                                    tooltip="The image the decoder makes from the clicked point of the code plane")
        self.legend = QLabel("")
        self.legend.setTextFormat(Qt.TextFormat.RichText)

    def _build_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.addWidget(self.input_view, 0, 0)
        grid.addWidget(self.code_bars, 0, 1)
        grid.addWidget(self.output_view, 0, 2)
        grid.addWidget(self.loss, 1, 0)
        plane = QVBoxLayout()
        plane.addWidget(self.scatter_title)
        plane.addWidget(self.scatter_plot, 1)
        plane.addWidget(self.legend)
        plane.addWidget(self.scatter_note)
        grid.addLayout(plane, 1, 1)
        grid.addWidget(self.decoded_view, 1, 2)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        return grid

    # ---- actions -------------------------------------------------------------------------
    def load_defaults(self) -> None:
        self._loader.submit(lambda k=self.code_size: ("loaded", *jobs.load_image_model(k)))

    def restore(self, model, history: tuple[list, list]) -> None:
        """Show a model saved in a scene, with its loss curves (its digit codes are computed in the worker)."""
        self._loader.submit(jobs.restore_image_model, model, history)

    def train(self) -> None:
        self._trainer.submit(jobs.train_image_model, self.code_size, self.epochs.value(), self.noise.currentData(),
                             self.amount.value() / 100)
        self.notice.emit(f"Training an autoencoder with a {self.code_size}-number bottleneck…")

    def compare_transfer(self) -> None:
        if self.model is None:
            return
        self.transfer_label.setText("Training both classifiers…")
        self._trainer.submit(jobs.compare_transfer, self.model, self.per_class.value(), self.transfer_epochs)

    def refresh(self) -> None:
        """Recompute input, code and reconstruction for the current digit and noise (in the worker)."""
        amount = self.amount.value() / 100
        self.amount_label.setText(f"{amount:.2f}")
        if self.model is None or self.digits is None:
            return
        i = self.sample.value()
        clean = self.digits.flat[i]
        self._infer.submit(lambda m=self.model, n=self.noise.currentData(): ("inferred", *jobs.infer_digit(m, clean, n, amount, i)))

    def decode_point(self, x: float, y: float) -> None:
        if self.model is None or self.code_size != 2:
            return
        self.marker.setData([x], [y])
        self._decoder.submit(lambda m=self.model: ("decoded", jobs.decode_point(m, x, y)))

    # ---- results -------------------------------------------------------------------------
    def _on_bottleneck_changed(self) -> None:
        self.code_size = int(self.bottleneck.currentData())
        self.load_defaults()

    def _on_plane_clicked(self, event) -> None:
        vb = self.scatter_plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        self.decode_point(p.x(), p.y())

    def _on_job_finished(self, _job: int, result) -> None:
        kind = result[0]
        if kind in ("loaded", "trained", "restored"):
            self.model, self.codes = result[1], result[2]
            self.trained_in_session = kind != "loaded"
            if kind in ("loaded", "restored"):
                self.digits, self.history = result[3], result[4]
            else:
                self.notice.emit(f"Trained: held-out loss {result[3].val[-1]:.4f}")
            self.code_size = self.model.code_size
            self._decoded_once = False
            self.loss.set_data(*self.history)
            self._show_scatter()
            self.refresh()
        elif kind == "inferred":
            noisy, code, out = result[1:]
            self.input_view.set_image(noisy.reshape(8, 8))
            self.code_bars.set_values(code, limit=max(1.0, float(np.abs(self.codes).max())) if self.codes is not None
                                      else None)
            self.output_view.set_image(out.reshape(8, 8))
            if self.code_size == 2 and not self._decoded_once:   # start the plane with this digit's code
                self._decoded_once = True
                self.decode_point(float(code[0]), float(code[1]))
        elif kind == "decoded":
            self.decoded_view.set_image(result[1].reshape(8, 8))
        elif kind == "transfer":
            self._show_transfer(result[1])

    def _show_scatter(self) -> None:
        two = self.codes is not None and self.codes.shape[1] == 2
        self.scatter_plot.setEnabled(two)
        if not two:
            self.scatter.clear()
            self.marker.clear()
            self.scatter_note.setText(f"The code has {self.code_size} numbers: choose a 2-number bottleneck to "
                                      "see every digit as a point in a plane.")
            return
        self.scatter_note.setText("")
        brushes = [pg.mkBrush(DIGIT_COLOURS[int(c)]) for c in self.digits.labels]
        self.scatter.setData(self.codes[:, 0], self.codes[:, 1], brush=brushes, pen=None)
        self.scatter_plot.getPlotItem().getViewBox().autoRange(padding=0.05)

    def _show_transfer(self, r) -> None:
        self.transfer_result = r
        better = "helps" if r.transfer_accuracy > r.scratch_accuracy else "does not help here"
        self.transfer_label.setText(
            f"{r.n_labels} labels. Frozen encoder + small head: {r.transfer_accuracy:.0%}. "
            f"Same network from scratch: {r.scratch_accuracy:.0%}. Reusing the encoder {better}.")

    def _on_train_progressed(self, _job: int, fraction: float, payload) -> None:
        self.progress.setValue(round(fraction * 100))
        if payload is not None:
            self.history = payload
            self.loss.set_data(*payload)

    def _on_train_failed(self, _job: int, message: str, _exc) -> None:
        self.notice.emit(message)

    def _on_train_busy(self, busy: bool) -> None:
        self.cancel_btn.setEnabled(busy)
        self.train_btn.setEnabled(not busy)
        self.transfer_btn.setEnabled(not busy)
        if not busy:
            self.progress.setValue(0)

    # ---- lifecycle -----------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        for w in (self.input_view, self.code_bars, self.output_view, self.loss, self.decoded_view):
            w.apply_theme(theme)
        style_plot(self.scatter_plot, theme)
        size = max(5, theme.text_px // 3)
        self.scatter.setSize(size)
        self.marker.setData(*(self.marker.getData()), size=theme.text_px * 1.5,
                            pen=pg.mkPen(theme.text, width=3), brush=None)
        names = " ".join(f'<span style="color:{c}">■</span>&nbsp;{i}' for i, c in enumerate(DIGIT_COLOURS))
        self.legend.setText(names)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        runners = (self._trainer, self._loader, self._infer, self._decoder)
        return all([r.wait_idle(timeout) for r in runners])

    def is_busy(self) -> bool:
        return any(r.busy for r in (self._trainer, self._loader, self._infer, self._decoder))

    def shutdown(self) -> None:
        stop_runners((self._trainer, self._loader, self._infer, self._decoder), 0.3)
