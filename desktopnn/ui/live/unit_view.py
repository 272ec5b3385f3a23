"""Two views of the live tab: what the selected unit looks for (its strongest response, Grad-CAM on the
picture, a saliency map, an ideal input), and the bar that shows a network's weights arriving."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktopnn.ui.theme import Theme
from desktopnn.ui.widgets import flow_widget


def _label(text: str = "", tip: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setToolTip(tip)
    return label


class UnitPanel(QWidget):
    """What the selected map's unit looks for (notes 2.2, and the Deep Visualization Toolbox's views): its
    strongest response, Grad-CAM on the picture, and buttons for a saliency map and an ideal input, whose
    pictures the view shows in place of the large map. The controls wrap on a narrow or projector screen."""

    saliency_requested = Signal()
    ideal_requested = Signal()
    cancel_requested = Signal()
    map_requested = Signal()
    gradcam_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.strongest = _label("Click a map to choose it.", "Where the chosen map answers most strongly on this "
                                "frame; the square on the picture is the part of the input that unit sees")
        self.gradcam = QCheckBox("Grad-CAM")
        self.gradcam.setToolTip("Colour the picture by how much each place raised the top class's score "
                                "(gradients of the score at the last convolution, weighting its maps), live")
        self.gradcam.toggled.connect(self.gradcam_toggled)
        self.saliency_button = _button("Saliency", "Guided backpropagation: which input pixels, changed a little, "
                                       "would most raise this map; the picture is frozen first", self.saliency_requested)
        self.ideal_button = _button("Ideal input", "Gradient ascent on a small grey picture, with jitter and blur, "
                                    "until this map's middle unit answers as strongly as it can", self.ideal_requested)
        self.map_button = _button("Show the map", "Back to the chosen feature map, large", self.map_requested)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setToolTip("The ideal input's gradient ascent")
        self.cancel = _button("Cancel", "Stop; the picture so far stays", self.cancel_requested)
        self.caption = _label("")
        row, flow = flow_widget(8)
        for w in (self.gradcam, self.saliency_button, self.ideal_button, self.map_button, self.progress, self.cancel):
            flow.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.strongest)
        lay.addWidget(row)
        self.set_busy(False)
        self.map_button.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        """While a saliency map or an ideal input is being made: progress and cancel instead of buttons."""
        self.progress.setVisible(busy)
        self.cancel.setVisible(busy)
        self.saliency_button.setEnabled(not busy)
        self.ideal_button.setEnabled(not busy)
        if busy:
            self.progress.setValue(0)

    def apply_theme(self, theme: Theme) -> None:
        self.progress.setMinimumWidth(theme.text_px * 6)


def _button(text: str, tip: str, signal) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(signal)
    return button


class DownloadBar(QWidget):
    """A network's weights on their way: what, how far, and a way to stop."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.text = QLabel("")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setToolTip("Downloading the network's weights once; the view keeps its network meanwhile")
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the download; nothing half-downloaded is kept")
        self.cancel.clicked.connect(self.cancel_requested)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.text)
        lay.addWidget(self.bar, 1)
        lay.addWidget(self.cancel)
        self.setVisible(False)

    def start(self, what: str) -> None:
        self.text.setText(what)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.setVisible(True)

    def show_progress(self, fraction: float, text: str) -> None:
        if fraction < 0:                      # the size is unknown: a moving bar
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        self.bar.setFormat(text or "%p%")
        self.bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
