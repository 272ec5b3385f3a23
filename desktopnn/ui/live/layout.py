"""The live tab's widgets and their arrangement (behaviour lives in :mod:`desktopnn.ui.live.tab`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from desktopnn.ui.live.compute import COLORMAPS
from desktopnn.ui.live.widgets import ImagePanel, TopBars

NETWORKS = [("notes_cnn", "Notes CNN (2.13)", "The notes' CNN: Conv2D 32 → pool → Conv2D 64 → pool → Conv2D 64, "
             "trained on ten drawn shapes; it classifies the centre square"),
            ("kernels", "Convolution lab kernels", "The Convolution lab's 3×3 presets (blur, Sobel, Laplacian, …) "
             "on the grey picture: one feature map per kernel")]
SIZES = [(160, 120), (320, 240), (640, 480)]


def _combo(tip: str, items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    box.setToolTip(tip)
    for text, data in items:
        box.addItem(text, data)
    return box


def build_ui(tab) -> None:
    """Create the tab's controls, image panels and read-outs as attributes of ``tab`` and lay them out."""
    tab.source_box = _combo("Where the pictures come from: the built-in demo, a camera, or a video file", [])
    tab._fill_sources([])
    tab.source_box.activated.connect(tab._on_source_box_activated)
    tab.camres_box = _combo("The camera's own picture size (inference size is chosen separately)",
                            [("camera only", None)])
    tab.camres_box.setEnabled(False)
    tab.camres_box.activated.connect(tab._on_camres_box_activated)
    tab.net_box = _combo("Which network looks at the pictures", [(t, k) for k, t, _ in NETWORKS])
    for i, (_k, _t, tip) in enumerate(NETWORKS):
        tab.net_box.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
    tab.net_box.currentIndexChanged.connect(tab._on_net_box_changed)
    tab.layer_box = _combo("Which layer's feature maps to show (one map per filter)", [("conv1 · 32 maps", "conv1")])
    tab.layer_box.currentIndexChanged.connect(tab._on_layer_box_changed)
    tab.size_box = _combo("Resolution the network computes at: larger is sharper but slower",
                          [(f"{w}×{h}", (w, h)) for w, h in SIZES])
    tab.size_box.setCurrentIndex(SIZES.index(tab.params.size))
    tab.size_box.currentIndexChanged.connect(tab._on_size_box_changed)
    tab.norm_box = _combo("Stretch each map to its own range (per map), or compare maps on one scale (per layer)",
                          [("per map", "map"), ("per layer", "layer")])
    tab.norm_box.currentIndexChanged.connect(tab._on_norm_box_changed)
    tab.cmap_box = _combo("Colours for low → high activation", [(c, c) for c in COLORMAPS])
    tab.cmap_box.currentIndexChanged.connect(tab._on_cmap_box_changed)
    tab.freeze_button = QPushButton("Freeze (Space)")
    tab.freeze_button.setCheckable(True)
    tab.freeze_button.setToolTip("Hold the current picture so the class can study it; Space toggles")
    tab.freeze_button.toggled.connect(tab.set_frozen)
    tab.shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), tab)
    tab.shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    tab.shortcut.activated.connect(tab.freeze_button.toggle)

    controls = QGridLayout()
    controls.setHorizontalSpacing(12)
    pairs = [("Source", tab.source_box), ("Camera size", tab.camres_box), ("Network", tab.net_box),
             ("Layer", tab.layer_box), ("Compute at", tab.size_box), ("Normalise", tab.norm_box),
             ("Colours", tab.cmap_box)]
    tab._control_labels = []
    for i, (text, w) in enumerate(pairs):
        lab = QLabel(text)
        lab.setBuddy(w)
        tab._control_labels.append(lab)
        controls.addWidget(lab, 0, i)
        controls.addWidget(w, 1, i)
    controls.addWidget(tab.freeze_button, 1, len(pairs))

    tab.input_panel = ImagePanel("Input", "The picture the network sees, at the inference size. "
                                 "The square marks what the classifier looks at")
    tab.large_panel = ImagePanel("Feature map", "The chosen feature map, large. Hover to read values")
    tab.mosaic_panel = ImagePanel("All maps of the layer", "Every feature map of the layer. Click one to see it large; "
                                  "hover to read its value")
    tab.input_panel.hovered.connect(tab._on_input_hovered)
    tab.large_panel.hovered.connect(tab._on_large_hovered)
    tab.mosaic_panel.hovered.connect(tab._on_mosaic_hovered)
    tab.mosaic_panel.clicked.connect(tab._on_mosaic_clicked)

    tab.info = QLabel("Hover a map to read its value; for the first layer the arithmetic appears here.")
    tab.info.setWordWrap(True)
    tab.info.setProperty("role", "mono")
    tab.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    tab.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    tab.error = QLabel("")
    tab.error.setProperty("role", "error")
    tab.error.setWordWrap(True)
    tab.error.setVisible(False)
    tab.stats = QLabel("starting…")
    tab.stats.setWordWrap(True)
    tab.stats.setToolTip("Frames drawn per second, and the time from capture to pixels on screen")
    tab.top_title = QLabel("Top 5 (centre square)")
    tab.top_title.setProperty("role", "heading")
    tab.top_title.setWordWrap(True)
    tab.top_title.setToolTip("The dense head classifies the square marked on the input, shrunk to 32×32")
    tab.bars = TopBars()
    tab.net_about = QLabel("")
    tab.net_about.setWordWrap(True)
    tab.net_about.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

    left = QWidget()
    lv = QVBoxLayout(left)
    lv.setContentsMargins(0, 0, 0, 0)
    lv.addWidget(tab.input_panel, 1)
    lv.addWidget(tab.large_panel, 1)
    centre = QWidget()
    cv = QVBoxLayout(centre)
    cv.setContentsMargins(0, 0, 0, 0)
    cv.addWidget(tab.mosaic_panel, 1)
    cv.addWidget(tab.info)
    right = tab.side = QWidget()
    rv = QVBoxLayout(right)
    rv.setContentsMargins(0, 0, 0, 0)
    rv.addWidget(tab.top_title)
    rv.addWidget(tab.bars)
    rv.addWidget(tab.stats)
    rv.addWidget(tab.net_about, 1)
    tab.splitter = QSplitter(Qt.Orientation.Horizontal)
    for w in (left, centre, right):
        tab.splitter.addWidget(w)
    tab.splitter.setStretchFactor(0, 4)
    tab.splitter.setStretchFactor(1, 7)
    tab.splitter.setStretchFactor(2, 1)
    tab.splitter.setChildrenCollapsible(False)
    outer = QVBoxLayout(tab)
    outer.addLayout(controls)
    outer.addWidget(tab.error)
    outer.addWidget(tab.splitter, 1)

