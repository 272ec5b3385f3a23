"""Train a CNN in front of the class, and see inside it (notes 1.1–1.2, 2.8–2.10, 2.13).

Sub-views: data, model (Keras summary), training curves, test results, softmax, dropout, flattening.
All loading, training, evaluating and predicting runs in workers (:class:`LatestJobRunner`); the
slots only hand results to the views. The tab opens with the offline digits and the shipped model
trained on them, so it is useful at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QTabWidget, QVBoxLayout, QWidget

from desktopnn.engine.cnn.layers import with_classes
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.theme import Theme
from desktopnn.ui.train import jobs, scene
from desktopnn.ui.train.camera import DemoCamera, FrameInput
from desktopnn.ui.train.data_view import DataView
from desktopnn.ui.train.dropout_view import DropoutView
from desktopnn.ui.train.flatten_view import FlattenView
from desktopnn.ui.train.model_view import ModelView
from desktopnn.ui.train.presenter import TrainPresenter
from desktopnn.ui.train.results_view import ResultsView
from desktopnn.ui.train.softmax_view import SoftmaxView
from desktopnn.ui.train.state import CIFAR, DIGITS, FOLDER, SHAPES, SHIPPED, VIEWS, TrainState
from desktopnn.ui.train.train_view import TrainView
from desktopnn.workers import LatestJobRunner


class TrainTab(TrainPresenter, LessonTab):
    """The notes' CNN trained live, with the softmax, dropout and flattening made visible."""

    name = "train"
    title = "Train a CNN (2.8–2.13)"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self._theme: Theme = ctx.theme
        self.state = TrainState(self)
        self.control = None
        self.pending_scene = None        # a scene's plan waiting for the data set (scene.continue_scene)
        self._handlers: dict[tuple[str, int], tuple] = {}
        self.camera = DemoCamera(parent=self)
        self.frames = FrameInput(self.camera, self)
        self.frames.notice.connect(lambda text: self.state.say(text, error=True))
        self.runners = {n: LatestJobRunner(f"train-{n}", self) for n in ("fit", "data", "predict")}
        for key, runner in self.runners.items():
            runner.finished.connect(lambda job, res, key=key: self._route(key, job, 0, res))
            runner.failed.connect(lambda job, msg, _e, key=key: self._route(key, job, 1, msg))
            runner.progressed.connect(lambda job, f, payload, key=key: self._route(key, job, 2, (f, payload)))
        self.runners["data"].busy_changed.connect(self._on_data_busy_changed)
        self._build()
        self._build_presenter()
        self.state.message.connect(self._on_message)
        self.state.dataset_changed.connect(self._on_dataset_changed)
        self.state.layers_changed.connect(lambda layers: self.model_view.show_layers(
            layers, self.state.dataset.input_shape if self.state.dataset else (32, 32, 3), self.state.preset))
        self.state.model_changed.connect(self._on_model_changed)
        self.state.evaluation_changed.connect(self._on_evaluation_changed)
        ctx.themes.theme_changed.connect(self.apply_theme)
        self.apply_theme(ctx.theme, force=True)
        self.model_view.show_layers(self.state.layers)
        self._submit("data", jobs.startup, on_done=self._on_startup_done, busy=f"Loading {DIGITS}…")

    # ---- building --------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        root.addWidget(self.banner)
        self.views = QTabWidget()
        self.views.setDocumentMode(True)
        self.data_view = DataView(self.frames)
        self.model_view = ModelView()
        self.train_view = TrainView()
        self.results_view = ResultsView()
        self.softmax_view = SoftmaxView()
        self.dropout_view = DropoutView()
        self.flatten_view = FlattenView()
        for view, label, tip in [
            (self.data_view, "1 Data", "The images and labels to learn from (notes 2.13)"),
            (self.model_view, "2 Model", "The layers and model.summary() (notes 2.8, 2.13)"),
            (self.train_view, "3 Train", "model.fit with live curves (notes 2.13)"),
            (self.results_view, "4 Test", "Test accuracy, confusion matrix, accuracy per class"),
            (self.softmax_view, "Softmax 2.9", "From logits to probabilities for one image"),
            (self.dropout_view, "Dropout 2.10", "Units dropped in training, none in inference"),
            (self.flatten_view, "Flatten 1.2", "What an image loses when it becomes a vector")]:
            self.views.setTabToolTip(self.views.addTab(view, label), tip)
        root.addWidget(self.views, 1)
        d, m, t = self.data_view, self.model_view, self.train_view
        d.load_requested.connect(self.load_dataset)
        d.cancel_requested.connect(self.runners["data"].cancel)
        d.capture.use_requested.connect(self.use_captures)
        m.layers_edited.connect(lambda layers, preset: self.state.set_layers(layers, preset or None))
        m.build_requested.connect(self.build_fresh_model)
        t.train_requested.connect(self.start_training)
        t.pause_toggled.connect(self._on_pause_toggled)
        t.stop_requested.connect(self.stop_training)
        t.save_requested.connect(self.save_model)
        t.load_requested.connect(self.load_model)
        t.shipped_requested.connect(self.load_shipped_model)
        self.results_view.evaluate_requested.connect(self.evaluate)
        self.softmax_view.sample_requested.connect(self.predict_sample)
        self.softmax_view.open_requested.connect(self._choose_image)
        self.softmax_view.camera_requested.connect(self.predict_camera_frame)
        self.flatten_view.experiment_requested.connect(self.run_shuffle_experiment)

    def show_view(self, name: str) -> None:
        self.views.setCurrentIndex(VIEWS.index(name))

    # ---- jobs ------------------------------------------------------------------------------
    def _submit(self, runner: str, fn, *args, on_done=None, on_fail=None, on_progress=None, busy: str = "") -> int:
        if busy and runner == "data":
            self.data_view.set_busy(True, busy)
        job = self.runners[runner].submit(fn, *args)
        self._handlers[(runner, job)] = (on_done, on_fail or self._on_job_failed, on_progress)
        return job

    def _route(self, runner: str, job: int, kind: int, value) -> None:
        handlers = self._handlers.get((runner, job))
        if handlers is None:
            return
        if kind != 2:
            del self._handlers[(runner, job)]
        fn = handlers[kind]
        if fn is not None:
            fn(*value) if kind == 2 else fn(value)

    def _on_job_failed(self, message: str) -> None:
        self.state.say(message, error=True)

    def _on_data_busy_changed(self, busy: bool) -> None:
        if not busy:
            self.data_view.set_busy(False)

    def _on_message(self, text: str, error: bool) -> None:
        self.banner.setText(text)
        self.banner.setProperty("role", "error" if error else "good")
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        if error and self.views.currentWidget() is self.data_view:
            self.data_view.show_error(text)
        self.notice.emit(text)

    # ---- data ------------------------------------------------------------------------------
    def _on_startup_done(self, result) -> None:
        dataset, model, photos, problem = result
        self.camera.set_photos(photos)
        self.data_view.capture.set_subjects(self.camera.subjects())
        if self.isVisible():
            self.frames.start()
        self.state.set_dataset(dataset)
        if model is not None:
            self.state.set_model(model, SHIPPED)
            self.evaluate()
        if problem:
            self.state.say(problem, error=True)
        scene.continue_scene(self)        # a scene opened while the tab was starting

    def _training(self) -> bool:
        if self.runners["fit"].busy:
            self.state.say("Stop the training (or the experiment) first: it is using the current data set.", error=True)
            return True
        return False

    def load_dataset(self, source: str, folder=None) -> None:
        if self._training():
            return
        fn, args = {DIGITS: (jobs.digits, ()), SHAPES: (jobs.shapes, ()), CIFAR: (jobs.cifar, ()),
                    FOLDER: (jobs.folder, (folder,))}[source]
        self._submit("data", fn, *args, on_done=self._on_dataset_loaded, busy=f"Loading {source}…",
                     on_progress=lambda f, payload: self.data_view.set_progress(f, payload[1]))

    def use_captures(self, captures: dict) -> None:
        if not self._training():
            self._submit("data", jobs.captured, captures, on_done=self._on_dataset_loaded, busy="Preparing…")

    def _on_dataset_loaded(self, dataset) -> None:
        self.state.set_dataset(dataset)
        self.state.say(f"Loaded {dataset.describe()}.")
        scene.continue_scene(self)

    def _on_dataset_changed(self, ds) -> None:
        self.data_view.show_dataset(ds)
        self.softmax_view.set_test_count(len(ds.x_test))
        if len(ds.x_test):
            self.flatten_view.set_source(ds.x_test[0])
        self.state.set_layers(self.state.layers)
        if not self.state.model_fits_dataset():
            self.build_fresh_model()
        self.state.set_evaluation(None)

    # ---- model -----------------------------------------------------------------------------
    def build_fresh_model(self) -> None:
        from desktopnn.engine.cnn.train import build_model

        ds = self.state.dataset
        if ds is None:
            return
        try:
            model = build_model(with_classes(self.state.layers, ds.classes), ds.input_shape, ds.class_names,
                                self.train_view.seed.value())
        except ValueError as exc:
            self.state.say(f"{exc}. Fix the layers in the Model view.", error=True)
            return
        self.state.set_model(model, "new, untrained (random weights)")

    def _on_model_changed(self, model, origin: str) -> None:
        self.train_view.model_label.setText(f"Model in use: {origin}, {model.param_count:,} parameters, "
                                            f"classes {', '.join(model.class_names[:10])}"
                                            f"{'…' if len(model.class_names) > 10 else ''}")
        if self.state.dataset is not None and len(self.state.dataset.x_test):
            self.predict_sample(self.softmax_view.index.value())

    def use_model(self, model, origin: str) -> None:
        """Put a loaded model in use, with its layers; evaluate it when it fits the data set, say so when not."""
        self.state.set_layers(model.layers_spec, "")
        self.state.set_model(model, origin)
        if not self.state.model_fits_dataset():
            self.state.say("This model was trained for other classes or another image size than the loaded data "
                           "set: it can classify images, but testing and training need matching data.", error=True)
        else:
            self.state.say("Model loaded.")
            self.evaluate()

    def load_shipped_model(self, then=None) -> None:
        """Load the shipped digits model in the worker and use it; ``then(model)`` runs after, if given."""
        def done(model):
            self.use_model(model, SHIPPED)
            if then is not None:
                then(model)

        self._submit("data", jobs.shipped_model, on_done=done)

    def save_model(self) -> None:
        if self.state.model is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the model", "model.safetensors", "Weights (*.safetensors)")
        if path:
            self._submit("data", jobs.save, self.state.model, path,
                         on_done=lambda sha: self.state.say(f"Saved {Path(path).name} (SHA-256 {sha[:12]}…)."))

    def load_model(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Load a model", "", "Weights (*.safetensors *.pt *.pth)")
        if path:
            self._submit("data", jobs.load, path, on_done=lambda m: self.use_model(m, f"{Path(path).name}"),
                         on_fail=lambda msg: self.state.say(f"{msg}. The current model stays.", error=True))

    # ---- training --------------------------------------------------------------------------
    def start_training(self, config, resume: bool = False) -> None:
        from desktopnn.engine.cnn.train import TrainControl

        st = self.state
        if st.dataset is None or self.runners["fit"].busy:
            return
        same = st.model is not None and list(st.model.layers_spec) == with_classes(st.layers, st.dataset.classes)
        if not (resume and same and st.model_fits_dataset()):
            self.build_fresh_model()
        if st.model is None:
            return
        self.control = TrainControl()
        self.train_view.set_running(True)
        self.train_view.show_history(None, 0.0)
        self.state.say(f"Training on {st.dataset.name}: {config.epochs} epochs, batch {config.batch_size}, "
                       f"learning rate {config.learning_rate:g}, {config.optimizer}, seed {config.seed}.")
        self._submit("fit", jobs.train, st.model, st.dataset, config, self.control, on_done=self._on_trained,
                     on_fail=self._on_train_failed, on_progress=lambda f, hist: self.train_view.show_history(hist, f))

    def _on_pause_toggled(self, paused: bool) -> None:
        if self.control is not None:
            self.control.pause() if paused else self.control.resume()

    def stop_training(self) -> None:
        if self.control is not None:
            self.control.stop()

    def _on_trained(self, result) -> None:
        fit, evaluation = result
        self.train_view.set_running(False)
        self.train_view.show_history(fit.history, None if fit.history.stopped else 1.0)
        self.state.set_history(fit.history)
        self.state.set_model(fit.model, f"trained {len(fit.history.loss)} epoch(s) on {self.state.dataset.name}")
        self.state.set_evaluation(evaluation)
        how = "Stopped" if fit.history.stopped else "Finished"
        self.state.say(f"{how} after {fit.history.seconds:.0f} s ({fit.history.samples / max(fit.history.seconds, 1e-9):.0f} "
                       f"images/s). Test accuracy {evaluation.accuracy:.1%}.")

    def _on_train_failed(self, message: str) -> None:
        self.train_view.set_running(False)
        self.state.say(f"Training failed: {message}", error=True)

    def evaluate(self) -> None:
        if self.state.model_fits_dataset():
            self._submit("fit", jobs.evaluate, self.state.model, self.state.dataset,
                         on_done=self.state.set_evaluation)

    def _on_evaluation_changed(self, evaluation) -> None:
        ds = self.state.dataset
        self.results_view.show_evaluation(evaluation, ds.x_test if ds is not None else None)

    def run_shuffle_experiment(self, epochs: int, shapes: bool = False) -> None:
        if self.state.dataset is None or self.runners["fit"].busy:
            return
        self.flatten_view.set_running(True)

        def done(result):
            self.flatten_view.set_running(False)
            self.flatten_view.show_result(result)

        def failed(message):
            self.flatten_view.set_running(False)
            self.state.say(f"The experiment failed: {message}", error=True)

        self._submit("fit", jobs.shuffle, None if shapes else self.state.dataset, epochs, on_done=done, on_fail=failed,
                     on_progress=self.flatten_view.show_curves)

    # ---- predicting ------------------------------------------------------------------------
    def predict_sample(self, index: int) -> None:
        ds = self.state.dataset
        if ds is None or self.state.model is None or not len(ds.x_test):
            return
        index = min(max(index, 0), len(ds.x_test) - 1)
        caption = f"test image {index} (true class: {ds.class_names[int(ds.y_test[index])]})"
        self._predict(ds.x_test[index], caption)

    def predict_camera_frame(self) -> None:
        frame = self.frames.frame()
        if frame is None:
            self.softmax_view.show_error("The camera has no frame yet.")
            return
        self._predict(frame, f"camera frame ({self.camera.subject if self.frames.on_demo else 'camera'})")

    def _predict(self, image, caption: str, path: str | None = None) -> None:
        if self.state.model is None:
            return
        self._submit("predict", jobs.predict, self.state.model, image, path,
                     on_done=lambda res: self.softmax_view.show_prediction(res[0], res[1], caption if path is None
                                                                           else f"{Path(path).name}"),
                     on_fail=lambda msg: self.softmax_view.show_error(f"{msg}. The last prediction stays."))

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Classify an image", "", "Images (*.png *.jpg *.jpeg *.bmp *.gif "
                                              "*.tif *.tiff *.webp)")
        if path:
            self.open_image(path)

    # ---- LessonTab -------------------------------------------------------------------------
    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def accepts_images(self) -> bool:
        return True

    def open_image(self, path: str) -> bool:
        self.show_view("softmax")
        self._predict(None, "", path=str(path))
        return True

    def activate(self) -> None:
        self.frames.start()

    def deactivate(self) -> None:
        self.frames.stop()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        ok = True
        for _ in range(3):   # a finished job may start another (a dataset → a prediction)
            for runner in self.runners.values():
                ok = runner.wait_idle(timeout) and ok
            QCoreApplication.processEvents()
        return ok

    def is_busy(self) -> bool:
        return any(r.busy for r in self.runners.values())

    def shutdown(self) -> None:
        if self.control is not None:
            self.control.stop()
        self.frames.stop()
        self.dropout_view.stop()
        for runner in self.runners.values():
            runner.shutdown()

    def apply_theme(self, theme: Theme, force: bool = False) -> None:
        if theme is self._theme and not force:
            return
        self._theme = theme
        for view in (self.data_view, self.model_view, self.train_view, self.results_view, self.softmax_view,
                     self.dropout_view, self.flatten_view):
            view.apply_theme(theme)
