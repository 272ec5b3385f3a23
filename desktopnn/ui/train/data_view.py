"""Data for the CNN (notes 2.13): choose a data set, see 25 labelled samples, capture classes from a camera."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QProgressBar, QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from desktopnn.ui.theme import Theme
from desktopnn.ui.train.camera import DemoCamera, FrameInput
from desktopnn.ui.train.common import ImageView, TileGrid, heading, note
from desktopnn.ui.train.state import FOLDER, SOURCES


class CapturePanel(QGroupBox):
    """Name a class, hold something up to the camera, capture N frames; repeat; train on them."""

    use_requested = Signal(object)     # {class name: [frames]}

    def __init__(self, frames: FrameInput, parent: QWidget | None = None):
        super().__init__("Classes from the camera", parent)
        self.frames = frames
        self.camera: DemoCamera = frames.demo
        self.captures: dict[str, list[np.ndarray]] = {}
        self._target = ""
        self._left = 0
        lay = QGridLayout(self)
        self.preview = ImageView()
        self.preview.setToolTip("What the camera sees now")
        lay.addWidget(self.preview, 0, 0, 1, 3)
        self.source = QComboBox()
        self.source.addItems(frames.sources())
        self.source.setToolTip("A camera, or the demo camera when there is none")
        self.source.currentIndexChanged.connect(self._on_source_chosen)
        self.subject = QComboBox()
        self.subject.setToolTip("The demo camera looks at one of the bundled photos: pick what it should 'hold up'")
        self.subject.currentTextChanged.connect(self.camera.set_subject)
        lay.addWidget(self.source, 1, 0)
        lay.addWidget(self.subject, 1, 1, 1, 2)
        self.name = QLineEdit()
        self.name.setPlaceholderText("class name, e.g. cat")
        self.name.setToolTip("The label of the frames you capture next")
        self.count = QSpinBox()
        self.count.setRange(5, 500)
        self.count.setValue(40)
        self.count.setSuffix(" frames")
        self.count.setToolTip("How many frames to capture for this class (10 per second)")
        self.capture = QPushButton("Capture")
        self.capture.setToolTip("Capture frames from the camera into the named class")
        self.capture.clicked.connect(self.start_capture)
        lay.addWidget(self.name, 2, 0)
        lay.addWidget(self.count, 2, 1)
        lay.addWidget(self.capture, 2, 2)
        self.list = QListWidget()
        self.list.setToolTip("Captured classes and their number of frames")
        lay.addWidget(self.list, 3, 0, 1, 3)
        self.clear = QPushButton("Forget all")
        self.clear.setToolTip("Delete every captured frame")
        self.clear.clicked.connect(self.forget)
        self.use = QPushButton("Train on these classes")
        self.use.setToolTip("Make the captured classes the data set (at least two classes)")
        self.use.clicked.connect(lambda: self.use_requested.emit({k: list(v) for k, v in self.captures.items()}))
        lay.addWidget(self.clear, 4, 0)
        lay.addWidget(self.use, 4, 1, 1, 2)
        frames.frame_ready.connect(self._on_frame_ready)

    def _on_source_chosen(self, index: int) -> None:
        self.frames.choose(index)
        self.subject.setEnabled(self.frames.on_demo)

    def set_subjects(self, names: list[str]) -> None:
        self.subject.blockSignals(True)
        self.subject.clear()
        self.subject.addItems(names)
        self.subject.setCurrentText(self.camera.subject)
        self.subject.blockSignals(False)

    def start_capture(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.name.setFocus()
            self.name.setPlaceholderText("type a class name first")
            return
        self._target, self._left = name, self.count.value()
        self.capture.setEnabled(False)

    @property
    def capturing(self) -> bool:
        return self._left > 0

    def _on_frame_ready(self, frame: np.ndarray) -> None:
        if self.isVisible():
            self.preview.set_image(frame)
        if self._left > 0:
            self.captures.setdefault(self._target, []).append(frame)
            self._left -= 1
            if self._left == 0:
                self.capture.setEnabled(True)
            self._refresh()

    def forget(self) -> None:
        self.captures.clear()
        self._left = 0
        self.capture.setEnabled(True)
        self._refresh()

    def _refresh(self) -> None:
        self.list.clear()
        for name, frames in self.captures.items():
            busy = " (capturing…)" if name == self._target and self._left else ""
            self.list.addItem(f"{name}: {len(frames)} frames{busy}")

    def apply_theme(self, theme: Theme) -> None:
        self.preview.apply_theme(theme)
        self.preview.setMinimumHeight(theme.text_px * 7)


class DataView(QWidget):
    """Choose and load a data set; the notes' 5×5 grid of labelled samples; camera classes."""

    load_requested = Signal(str, object)     # source name, folder path or None
    cancel_requested = Signal()

    def __init__(self, frames: FrameInput, parent: QWidget | None = None):
        super().__init__(parent)
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.source = QComboBox()
        self.source.addItems(SOURCES)
        self.source.setToolTip("Where the images come from. The offline sets need no network; CIFAR-10, as in "
                               "the notes, is downloaded once and kept in the cache folder.")
        self.load = QPushButton("Load")
        self.load.setToolTip("Load the chosen data set (in the background)")
        self.load.clicked.connect(self._on_load_clicked)
        self.progress = QProgressBar()
        self.progress.setToolTip("Loading or downloading")
        self.progress.setVisible(False)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop loading or downloading; the current data set stays")
        self.cancel.setVisible(False)
        self.cancel.clicked.connect(self.cancel_requested)
        for w in (QLabel("data"), self.source, self.load, self.progress, self.cancel):
            bar.addWidget(w)
        bar.addStretch(1)
        root.addLayout(bar)
        self.info = note("")
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.info)
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        root.addWidget(self.error)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(heading("25 training images and their labels"))
        self.grid = TileGrid(5)
        self.grid.setToolTip("The first 25 training images with their class names, as the notes plot them")
        ll.addWidget(self.grid, 1)
        self.skipped = QListWidget()
        self.skipped.setToolTip("Files that could not be read; they were left out")
        self.skipped_label = QLabel("Skipped files")
        self.skipped.setVisible(False)
        self.skipped_label.setVisible(False)
        ll.addWidget(self.skipped_label)
        ll.addWidget(self.skipped)
        self.capture = CapturePanel(frames)
        split.addWidget(left)
        split.addWidget(self.capture)
        split.setSizes([1100, 700])
        root.addWidget(split, 1)

    def _on_load_clicked(self) -> None:
        src = self.source.currentText()
        if src == FOLDER:
            path = QFileDialog.getExistingDirectory(self, "A folder with one sub-folder per class")
            if not path:
                return
            self.load_requested.emit(src, path)
        else:
            self.load_requested.emit(src, None)

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel.setVisible(busy)
        self.load.setEnabled(not busy)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat(text or "%p%")

    def set_progress(self, fraction: float, text: str) -> None:
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(fraction * 1000))
        self.progress.setFormat(text)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_dataset(self, ds) -> None:
        images, names = ds.grid(25)
        self.grid.set_tiles(images, names)
        self.info.setText(f"{ds.describe()}. {ds.about}")
        self.skipped.clear()
        self.skipped.addItems(ds.skipped)
        self.skipped.setVisible(bool(ds.skipped))
        self.skipped_label.setVisible(bool(ds.skipped))
        self.skipped_label.setText(f"Skipped {len(ds.skipped)} file(s) that could not be read:")
        self.show_error("")

    def apply_theme(self, theme: Theme) -> None:
        self.grid.apply_theme(theme)
        self.capture.apply_theme(theme)
