"""The Train tab's state: data set, layers, current model, training history, evaluation.

Views read it and listen to its signals; only the tab (on the UI thread) changes it, with the
results that its workers hand back. Tests drive it without pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktopnn.engine.cnn.layers import Layer, notes_2_13, with_classes


class TrainState(QObject):
    dataset_changed = Signal(object)      # Dataset
    layers_changed = Signal(object)       # list[Layer]
    model_changed = Signal(object, str)   # SequentialCNN, where it came from
    history_changed = Signal(object)      # History
    evaluation_changed = Signal(object)   # Evaluation or None
    message = Signal(str, bool)           # text for a person, is it an error

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.dataset = None
        self.layers: list[Layer] = notes_2_13()
        self.preset = "Notes 2.13 (CIFAR-10 example)"
        self.model = None
        self.model_origin = ""
        self.history = None
        self.evaluation = None

    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.dataset_changed.emit(dataset)

    def set_layers(self, layers: list[Layer], preset: str | None = None) -> None:
        if self.dataset is not None:
            layers = with_classes(layers, self.dataset.classes)
        self.layers = list(layers)
        if preset is not None:
            self.preset = preset
        self.layers_changed.emit(self.layers)

    def set_model(self, model, origin: str) -> None:
        self.model = model
        self.model_origin = origin
        self.model_changed.emit(model, origin)

    def set_history(self, history) -> None:
        self.history = history
        self.history_changed.emit(history)

    def set_evaluation(self, evaluation) -> None:
        self.evaluation = evaluation
        self.evaluation_changed.emit(evaluation)

    def model_fits_dataset(self) -> bool:
        m, d = self.model, self.dataset
        return m is not None and d is not None and tuple(m.input_shape) == tuple(d.input_shape) \
            and list(m.class_names) == list(d.class_names)

    def say(self, text: str, error: bool = False) -> None:
        self.message.emit(text, error)
