"""Forecasting "tomorrow" (notes 4.3.2): a many-to-one RNN on a seasonal series or a CSV file."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDoubleSpinBox, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.rnn.draw import style_plot
from desktopnn.ui.rnn.jobs import forecast_job, load_job
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner


class ForecastView(QWidget):
    def __init__(self, runner: LatestJobRunner, loader: LatestJobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.loader = loader
        self.series: np.ndarray | None = None
        self.source = ""
        self.result = None
        self.epochs = 250
        runner.finished.connect(self._on_trained)
        runner.failed.connect(lambda _j, msg, _e: self._show_error(f"Training failed: {msg}"))
        runner.progressed.connect(lambda _j, f, _p: self.progress.setValue(round(f * 100)))
        runner.busy_changed.connect(self._on_busy)
        loader.finished.connect(self._on_loaded)
        loader.failed.connect(lambda _j, msg, _e: self._show_error(f"That CSV was not loaded: {msg}. "
                                                                   "The series on screen is unchanged."))
        controls = self._build_controls()
        self._build_plot()
        lay = QVBoxLayout(self)
        lay.addLayout(controls)
        lay.addWidget(self.error)
        lay.addWidget(self.answer)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.legend)
        self._theme: Theme | None = None

    def _build_controls(self) -> QVBoxLayout:
        """The series (generated with its season and noise, or a CSV), the window read, and progress."""
        self.generate = QPushButton("Generate seasonal series")
        self.generate.setToolTip("A temperature-like series: a yearly-style season, a slow trend and noise")
        self.generate.clicked.connect(self.use_generated)
        self.period = QSpinBox()
        self.period.setRange(4, 100)
        self.period.setValue(24)
        self.period.setPrefix("season ")
        self.period.setToolTip("How many steps one season (one up-and-down) lasts")
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 5.0)
        self.noise.setSingleStep(0.1)
        self.noise.setValue(0.5)
        self.noise.setPrefix("noise ")
        self.noise.setToolTip("How much random day-to-day wobble the series has")
        for spin in (self.period, self.noise):
            spin.valueChanged.connect(self._on_generator_changed)
        self.open_button = QPushButton("Open CSV…")
        self.open_button.setToolTip("Read a time series from a CSV file: the last column of numbers is used")
        self.open_button.clicked.connect(self._open_dialog)
        self.window = QSpinBox()
        self.window.setRange(2, 60)
        self.window.setValue(12)
        self.window.setPrefix("reads last ")
        self.window.setSuffix(" steps")
        self.window.setToolTip("Many-to-one: how many past values the RNN reads before predicting the next one")
        self.window.valueChanged.connect(self.train)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setToolTip("Training progress of the forecaster")
        row1 = QHBoxLayout()
        for w in (self.generate, self.period, self.noise, self.open_button):
            row1.addWidget(w)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        row2.addWidget(self.window)
        row2.addWidget(self.progress, 1)
        controls = QVBoxLayout()
        controls.addLayout(row1)
        controls.addLayout(row2)
        return controls

    def _build_plot(self) -> None:
        """The error line, tomorrow's answer, and the plot: data, predictions on unseen days, the forecast."""
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.answer = QLabel()
        self.answer.setProperty("role", "heading")
        self.answer.setWordWrap(True)
        self.answer.setToolTip("The RNN's prediction for the step after the last value")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setToolTip("The series, the RNN's one-step-ahead predictions on days it never trained on, "
                             "and tomorrow's forecast")
        self.data_curve = self.plot.plot([], [])
        self.fit_curve = self.plot.plot([], [], connect="finite")
        self.split_line = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.split_line)
        self.tomorrow = pg.ScatterPlotItem()
        self.plot.addItem(self.tomorrow)
        self.legend = QLabel()

    # ---- data ----------------------------------------------------------------------------------
    def use_generated(self) -> None:
        from desktopnn.engine.rnn.forecast import seasonal_series

        self.set_series(seasonal_series(n=240, period=self.period.value(), noise=self.noise.value()),
                        f"generated series (season of {self.period.value()} steps)")

    def _on_generator_changed(self, *_) -> None:
        if self.source.startswith("generated"):      # a CSV on screen stays until Generate is pressed
            self.use_generated()

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a time series", "", "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.open_csv(path)

    def open_csv(self, path: str) -> None:
        """Read the file in the background; a bad file leaves the current series as it is."""
        self._show_error("")
        self.loader.submit(load_job, path)

    def _on_loaded(self, _job: int, result) -> None:
        values, name = result
        self.set_series(values, f"“{name}” from the CSV file")

    def set_series(self, series: np.ndarray, source: str) -> None:
        self.series = np.asarray(series, np.float64)
        self.source = source
        self._show_error("")
        self.result = None
        self.answer.setText(f"{source}: {len(self.series)} values. Training the forecaster…")
        self._draw()
        self.train()

    def train(self, *_) -> None:
        if self.series is None:
            return
        if self.window.value() + 8 > len(self.series):
            self._show_error(f"The series has only {len(self.series)} values: choose a shorter window.")
            return
        self.runner.submit(forecast_job, self.series, self.window.value(), self.epochs)

    def _show_error(self, text: str) -> None:
        """A message under the controls; an empty one hides the line."""
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _on_busy(self, busy: bool) -> None:
        self.progress.setValue(0 if busy else 100)

    def _on_trained(self, _job: int, result) -> None:
        if self.series is None or len(result.series) != len(self.series) or not np.array_equal(result.series, self.series):
            return
        self.result = result
        better = "better" if result.test_rmse < result.naive_rmse else "no better"
        self.answer.setText(
            f"Tomorrow: {fmt_num(result.tomorrow, 3)}   (last value {fmt_num(result.series[-1], 3)}). "
            f"On unseen days its error is {fmt_num(result.test_rmse, 2)}, {better} than "
            f"“tomorrow = today” ({fmt_num(result.naive_rmse, 2)}).")
        self._draw()

    def _draw(self) -> None:
        if self.series is None:
            return
        n = len(self.series)
        self.data_curve.setData(np.arange(n), self.series)
        r = self.result
        if r is not None:
            fitted = r.fitted.copy()
            fitted[: r.split] = np.nan
            self.fit_curve.setData(np.arange(n), fitted)
            self.split_line.setValue(r.split - 0.5)
            self.split_line.show()
            self.tomorrow.setData([n], [r.tomorrow])
        else:
            self.fit_curve.setData([], [])
            self.split_line.hide()
            self.tomorrow.setData([], [])
        self.plot.enableAutoRange()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        w = 4 if theme.presentation else 2
        style_plot(self.plot, theme, left="value", bottom="time step (day)")
        self.data_curve.setPen(pg.mkPen(theme.text, width=w))
        self.fit_curve.setPen(pg.mkPen(theme.accent2, width=w + 1))
        self.split_line.setPen(pg.mkPen(theme.muted, width=w, style=Qt.PenStyle.DashLine))
        self.tomorrow.setSymbol("star")
        self.tomorrow.setSize(theme.text_px * 2)
        self.tomorrow.setBrush(pg.mkBrush(theme.accent))
        self.tomorrow.setPen(pg.mkPen(theme.text))
        self.legend.setText(f"<span style='color:{theme.text}'>━ data</span> &nbsp; "
                            f"<span style='color:{theme.accent2}'>━ RNN's prediction on days it never trained on "
                            f"(right of the dashed line)</span> &nbsp; <span style='color:{theme.accent}'>★ tomorrow</span>")
