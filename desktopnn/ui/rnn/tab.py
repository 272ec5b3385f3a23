"""The RNN lesson (notes 4): memory, the recurrence, unrolling and backpropagation through time."""

from __future__ import annotations

import time

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QTabWidget,
                               QVBoxLayout, QWidget)

from desktopnn.engine.rnn.memory import SEQUENCE_PRESETS, parse_sequence
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.lesson_scene import predict_hint_label
from desktopnn.ui.rnn import scene
from desktopnn.ui.rnn.cell_view import CellView
from desktopnn.ui.rnn.forecast_view import ForecastView
from desktopnn.ui.rnn.jobs import train_job
from desktopnn.ui.rnn.memory_view import MemoryView
from desktopnn.ui.rnn.state import ACTIVATIONS, HIDDEN_SIZES, PRESET_TITLES, RnnState
from desktopnn.ui.rnn.train_view import TrainView
from desktopnn.ui.rnn.types_view import SequenceTypesView
from desktopnn.ui.rnn.unroll_view import UnrollView
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner


class RnnTab(LessonTab):
    """Sequence types, memory, the memory cell, unrolling, BPTT and forecasting, one view each."""

    name = "rnn"
    title = "RNN (4)"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.state = RnnState(self)
        self.runner = LatestJobRunner("rnn-train", self)
        self.bptt_runner = LatestJobRunner("rnn-bptt", self)
        self.forecast_runner = LatestJobRunner("rnn-forecast", self)
        self.loader = LatestJobRunner("rnn-csv", self)
        self.runners = [self.runner, self.bptt_runner, self.forecast_runner, self.loader]
        self.runner.finished.connect(self._on_trained)
        self.runner.failed.connect(lambda _j, msg, _e: self._show_error(f"Training failed: {msg}"))
        self.runner.busy_changed.connect(self.state.busy_changed)
        bar = self._build_bar()
        self._build_views()
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.error)
        lay.addWidget(self.views, 1)

        # the arrows and a clicker's PageUp/PageDown reach step() through the main window (issue 9)
        self.predict_hint = predict_hint_label("Predict mode: guess the new h<sub>t</sub> and ŷ<sub>t</sub>, "
                                               "then the forward key reveals them")
        lay.insertWidget(1, self.predict_hint)
        self._scene_weights = None      # (items, hidden size, activation), weights: put in after training
        self._scene_bptt_step = None
        self.bptt_runner.finished.connect(self._on_bptt_finished)

        self.state.settings_changed.connect(self.retrain)
        self._shut = False
        self.apply_theme(ctx.theme)
        self.retrain()

    def _build_bar(self) -> QHBoxLayout:
        """The sequence and the model, shared by every view: preset or typed items, hidden size, activation."""
        self.preset = QComboBox()
        for key, title in PRESET_TITLES.items():
            self.preset.addItem(title, key)
        self.preset.addItem("My own sequence (type it →)", "typed")
        self.preset.setCurrentIndex(1)
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(22)
        self.preset.setToolTip("Which sequence of clothes the networks learn to continue")
        self.preset.currentIndexChanged.connect(self._on_preset_changed)
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("e.g. white shirt, red shirt, white shirt, blue blouse, …")
        self.typed.setToolTip("Type items separated by commas, then press Enter")
        self.typed.returnPressed.connect(self.use_typed)
        self.use_button = QPushButton("Use")
        self.use_button.setToolTip("Train both networks on the typed sequence")
        self.use_button.clicked.connect(self.use_typed)
        self.hidden = QSpinBox()
        self.hidden.setRange(*HIDDEN_SIZES)
        self.hidden.setValue(self.state.hidden_size)
        self.hidden.setPrefix("hidden size ")
        self.hidden.setToolTip("How many numbers the memory h_t holds (both networks are retrained)")
        self.hidden.valueChanged.connect(self.state.set_hidden_size)
        self.activation = QComboBox()
        self.activation.addItems(ACTIVATIONS)
        self.activation.setToolTip("The activation g of the memory cell: tanh as in the notes, or relu")
        self.activation.currentTextChanged.connect(self.state.set_activation)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        bar = QHBoxLayout()
        bar.addWidget(self.preset)
        bar.addWidget(self.typed, 1)
        bar.addWidget(self.use_button)
        bar.addWidget(self.hidden)
        bar.addWidget(self.activation)
        return bar

    def _build_views(self) -> None:
        """One sub-view each: sequence types, memory, the cell, unrolling, training and BPTT, forecasting."""
        self.types_view = SequenceTypesView()
        self.memory_view = MemoryView(self.state)
        self.cell_view = CellView(self.state)
        self.unroll_view = UnrollView(self.state)
        self.train_view = TrainView(self.state, self.bptt_runner)
        self.forecast_view = ForecastView(self.forecast_runner, self.loader)
        self.views = QTabWidget()
        for view, label, tip in (
                (self.types_view, "Sequence types", "One-to-one, many-to-one, one-to-many, many-to-many (notes 4.1)"),
                (self.memory_view, "Memory", "Feed-forward net versus RNN on the clothing sequences (notes 4.2)"),
                (self.cell_view, "Memory cell", "The recurrence with the current numbers (notes 4.3.4–4.3.5)"),
                (self.unroll_view, "Unrolling", "The same weights at every step (notes 4.3.6)"),
                (self.train_view, "Training && BPTT", "Loss over time and backpropagation through time (notes 4.3.7–4.3.9)"),
                (self.forecast_view, "Forecasting", "Predict tomorrow from the last days (notes 4.3.2)")):
            i = self.views.addTab(view, label)
            self.views.setTabToolTip(i, tip)
        self.views.currentChanged.connect(self._on_view_changed)
        for label in self.views.findChildren(QLabel):   # long sentences wrap on a narrow projector
            label.setWordWrap(True)

    # ---- sequence and training -------------------------------------------------------------------
    def _on_preset_changed(self, _index: int) -> None:
        key = self.preset.currentData()
        if key == "typed":
            self.typed.setFocus()
            if self.typed.text().strip():
                self.use_typed()
            return
        self.error.setText("")
        self.error.setVisible(False)
        self.state.set_items(SEQUENCE_PRESETS[key], key)

    def use_typed(self) -> bool:
        """Train on the typed sequence; a bad one is explained and the current sequence stays."""
        try:
            items = parse_sequence(self.typed.text())
        except ValueError as exc:
            self._show_error(f"{exc}. The current sequence stays.")
            return False
        self.error.setText("")
        self.error.setVisible(False)
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData("typed"))
        self.preset.blockSignals(False)
        self.state.set_items(items, "typed")
        return True

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.notice.emit(text)

    def retrain(self) -> None:
        st = self.state
        self.runner.submit(train_job, list(st.items), st.hidden_size, st.activation)

    def _on_trained(self, _job: int, result) -> None:
        res, a, h = result
        st = self.state
        if res.hidden_size != st.hidden_size or res.activation != st.activation:
            return      # settings changed while this one trained; the newer job is on its way
        if self._scene_weights is not None and res.items == st.items:
            key, weights = self._scene_weights
            self._scene_weights = None
            if key == (tuple(res.items), res.hidden_size, res.activation):
                res, a, h = scene.with_weights(res, weights)     # the scene's numbers, not a fresh training
        st.set_result(res, a, h)

    def set_scene_weights(self, key: tuple | None, weights: dict | None = None) -> None:
        """A scene's trained weights: they replace the next training's result for ``key`` (items, hidden
        size, activation), so that the scene shows its very numbers. ``None`` forgets them."""
        self._scene_weights = (key, weights) if key is not None else None

    def set_scene_bptt_step(self, step: int | None) -> None:
        """A scene's backward-pass step, shown once the next BPTT run (after training) finishes; None: none."""
        self._scene_bptt_step = step

    def _on_bptt_finished(self, _job: int, _result) -> None:
        if self._scene_bptt_step is not None and self._scene_weights is None and not self.runner.busy:
            self.train_view.show_revealed(self._scene_bptt_step)
            self._scene_bptt_step = None

    # ---- the clicker and export (issue 9) ------------------------------------------------------------
    def step(self, delta: int) -> bool:
        """Step the animation (sequence types, backward pass) or the time step t of the visible view."""
        view = self.views.currentWidget()
        if view is self.types_view:
            return self.types_view.step(delta)
        if view is self.train_view:
            self._scene_bptt_step = None
            return self.train_view.step(delta)
        if view is self.forecast_view:
            return False
        return self.state.step(delta)

    def frame_count(self) -> int:
        view = self.views.currentWidget()
        if view is self.types_view:
            return self.types_view.frame_count()
        if view is self.train_view:
            r = self.train_view.result
            return 0 if r is None else len(r.grad_norms)
        if view is self.forecast_view:
            return 0
        return self.state.length

    def current_frame(self) -> int:
        view = self.views.currentWidget()
        if view is self.types_view:
            return self.types_view.diagram.phase % max(1, self.types_view.frame_count())
        if view is self.train_view:
            return max(0, self.train_view.revealed - 1)
        return 0 if view is self.forecast_view else self.state.t

    def show_frame(self, index: int) -> None:
        view = self.views.currentWidget()
        if view is self.types_view:
            self.types_view.play_button.setChecked(False)
            self.types_view.diagram.set_phase(index)
        elif view is self.train_view:
            self.train_view.show_revealed(index + 1)
        elif view is not self.forecast_view:
            self.state.set_step(index)
        if view is not None:
            view.repaint()

    # ---- predict before reveal: the next h_t (issue 9) -----------------------------------------------
    def supports_predict(self) -> bool:
        return self.views.currentWidget() in (self.cell_view, self.unroll_view)

    def set_predict(self, on: bool) -> None:
        self.state.set_predict(on)
        self.predict_hint.setVisible(bool(on))

    def reveal(self) -> bool:
        return self.state.reveal()

    # ---- scenes (issue 9) ------------------------------------------------------------------------
    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def _on_view_changed(self, _index: int) -> None:
        if self.views.currentWidget() is self.forecast_view and self.forecast_view.series is None:
            self.forecast_view.use_generated()

    # ---- LessonTab -----------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        for view in (self.types_view, self.memory_view, self.cell_view, self.unroll_view, self.train_view,
                     self.forecast_view):
            view.apply_theme(theme)

    def activate(self) -> None:
        self._on_view_changed(self.views.currentIndex())

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        ok = True
        for r in self.runners:
            ok = r.wait_idle(max(0.05, deadline - time.monotonic())) and ok
        return ok

    def is_busy(self) -> bool:
        return any(r.busy for r in self.runners)

    def shutdown(self) -> None:
        if self._shut:
            return
        self._shut = True
        self.types_view.shutdown()
        self.train_view.shutdown()
        for r in self.runners:
            r.shutdown(timeout=5.0)
