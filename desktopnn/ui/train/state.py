"""The Train tab's state: data set, layers, current model, training history, evaluation, and the
names a scene saves (sub-views, data sets, flatten sizes). No widgets.

Views read it and listen to its signals; only the tab (on the UI thread) changes it, with the
results that its workers hand back. Tests drive it without pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktopnn.engine.cnn.layers import Layer, notes_2_13, with_classes

VIEWS = ["data", "model", "train", "results", "softmax", "dropout", "flatten"]      # the sub-views, in tab order
SHIPPED = "the shipped model, trained on the digits"

# the data view's sources (what its combo box shows)
DIGITS, SHAPES, CIFAR, FOLDER = ("Handwritten digits (offline)", "Ten drawn shapes (offline)",
                                 "CIFAR-10 (download once, 170 MB)", "A folder of images, one sub-folder per class…")
SOURCES = [DIGITS, SHAPES, CIFAR, FOLDER]
# a scene's data set keys: the source to load, the loaded data set's name, its input shape
DATASETS = {"digits": DIGITS, "shapes": SHAPES, "cifar": CIFAR}
DATASET_NAMES = {"digits": "Handwritten digits (offline)", "shapes": "Ten drawn shapes (offline)", "cifar": "CIFAR-10"}
INPUT_SHAPES = {"digits": (32, 32, 3), "shapes": (32, 32, 3), "cifar": (32, 32, 3)}

SIDES = {"8×8 (64 numbers)": 8, "16×16 (256 numbers)": 16, "32×32 (1,024 numbers)": 32}    # flatten image sizes


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
