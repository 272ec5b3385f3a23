"""The live tab's widgets and their arrangement (behaviour lives in :mod:`desktopnn.ui.live.tab`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from desktopnn.ui.live.state import COLORMAPS, NETWORKS, SIZES
from desktopnn.ui.live.unit_view import DownloadBar, UnitPanel
from desktopnn.ui.live.widgets import ImagePanel, TopBars
from desktopnn.ui.widgets import compact_combo, flow_widget


def _combo(tip: str, items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    box.setToolTip(tip)
    for text, data in items:
        box.addItem(text, data)
    return box


def _label(text: str = "", role: str = "", tip: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    if tip:
        label.setToolTip(tip)
    return label


def build_ui(tab) -> None:
    """Create the tab's controls, image panels and read-outs as attributes of ``tab`` and lay them out."""
    controls = _build_controls(tab)
    _build_panels(tab)
    _build_readouts(tab)
    tab.download_bar = DownloadBar()
    tab.download_bar.cancel_requested.connect(tab._on_download_cancel_requested)
    outer = QVBoxLayout(tab)
    outer.addWidget(controls)
    outer.addWidget(tab.download_bar)
    outer.addWidget(tab.error)
    outer.addWidget(_build_splitter(tab), 1)


def _build_boxes(tab) -> None:
    tab.source_box = _combo("Where the pictures come from: the built-in demo, a camera, or a video file", [])
    tab.fill_sources([])
    tab.source_box.activated.connect(tab._on_source_box_activated)
    tab.camres_box = _combo("The camera's own picture size (inference size is chosen separately)",
                            [("camera only", None)])
    tab.camres_box.setEnabled(False)
    tab.camres_box.activated.connect(tab._on_camres_box_activated)
    tab.net_box = compact_combo(_combo("Which network looks at the pictures", [(t, k) for k, t, _ in NETWORKS]), 16)
    for i, (_k, _t, tip) in enumerate(NETWORKS):
        tab.net_box.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
    tab.net_box.currentIndexChanged.connect(tab._on_net_box_changed)
    tab.layer_box = compact_combo(_combo("Which layer's feature maps to show (one map per filter), with its maps' size "
                                         "and how much of the picture each unit sees", [("conv1 · 32 maps", "conv1")]), 14)
    tab.layer_box.currentIndexChanged.connect(tab._on_layer_box_changed)
    tab.size_box = _combo("Resolution the network computes at: larger is sharper but slower",
                          [(f"{w}×{h}", (w, h)) for w, h in SIZES])
    tab.size_box.setCurrentIndex(SIZES.index(tab.params.size))
    tab.size_box.setItemData(SIZES.index((224, 224)), "The ImageNet networks' own size", Qt.ItemDataRole.ToolTipRole)
    tab.size_box.currentIndexChanged.connect(tab._on_size_box_changed)
    tab.norm_box = _combo("Stretch each map to its own range (per map), or compare maps on one scale (per layer)",
                          [("per map", "map"), ("per layer", "layer")])
    tab.norm_box.currentIndexChanged.connect(tab._on_norm_box_changed)
    tab.cmap_box = _combo("Colours for low → high activation", [(c, c) for c in COLORMAPS])
    tab.cmap_box.currentIndexChanged.connect(tab._on_cmap_box_changed)


def _build_controls(tab) -> QWidget:
    _build_boxes(tab)
    tab.freeze_button = QPushButton("Freeze (Space)")
    tab.freeze_button.setCheckable(True)
    tab.freeze_button.setToolTip("Hold the current picture so the class can study it; Space toggles")
    tab.freeze_button.toggled.connect(tab.set_frozen)
    tab.shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), tab)
    tab.shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    tab.shortcut.activated.connect(tab.freeze_button.toggle)
    controls, flow = flow_widget(12)       # wraps onto a second row on a projector rather than overflow
    pairs = [("Source", tab.source_box), ("Camera size", tab.camres_box), ("Network", tab.net_box),
             ("Layer", tab.layer_box), ("Compute at", tab.size_box), ("Normalise", tab.norm_box),
             ("Colours", tab.cmap_box), ("", tab.freeze_button)]
    tab.control_labels = []
    for text, w in pairs:
        lab = QLabel(text)
        lab.setBuddy(w)
        tab.control_labels.append(lab)
        pair = QWidget()
        column = QVBoxLayout(pair)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(lab)
        column.addWidget(w)
        flow.addWidget(pair)
    return controls


def _build_panels(tab) -> None:
    tab.input_panel = ImagePanel("Input", "The picture the network sees, at the inference size. "
                                 "The square marks what the classifier looks at")
    tab.large_panel = ImagePanel("Feature map", "The chosen feature map, large. Hover to read values")
    tab.mosaic_panel = ImagePanel("All maps of the layer", "Every feature map of the layer. Click one to see it large; "
                                  "hover to read its value")
    tab.input_panel.hovered.connect(tab._on_input_hovered)
    tab.large_panel.hovered.connect(tab._on_large_hovered)
    tab.mosaic_panel.hovered.connect(tab._on_mosaic_hovered)
    tab.mosaic_panel.clicked.connect(tab._on_mosaic_clicked)


def _build_readouts(tab) -> None:
    tab.info = _label("Hover a map to read its value; for the first layer the arithmetic appears here.", "mono")
    tab.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    tab.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    tab.error = _label("", "error")
    tab.error.setVisible(False)
    tab.stats = _label("starting…", tip="Frames drawn per second, and the time from capture to pixels on screen")
    tab.top_title = _label("Top 5", "heading")
    tab.bars = TopBars()
    tab.unit_panel = UnitPanel()
    tab.unit_panel.saliency_requested.connect(tab._on_saliency_requested)
    tab.unit_panel.ideal_requested.connect(tab._on_ideal_requested)
    tab.unit_panel.cancel_requested.connect(tab._on_unit_cancel_requested)
    tab.unit_panel.gradcam_toggled.connect(tab._on_gradcam_toggled)
    tab.unit_panel.map_requested.connect(tab._on_map_requested)
    tab.net_about = _label("")
    tab.net_about.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)


def _column(*widgets: tuple[QWidget, int]) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    for w, stretch in widgets:
        lay.addWidget(w, stretch)
    return box


def _build_splitter(tab) -> QSplitter:
    left = _column((tab.input_panel, 1), (tab.large_panel, 1))
    centre = _column((tab.mosaic_panel, 1), (tab.unit_panel, 0), (tab.info, 0))
    tab.side = _column((tab.top_title, 0), (tab.bars, 0), (tab.stats, 0), (tab.net_about, 1))
    tab.splitter = QSplitter(Qt.Orientation.Horizontal)
    for w in (left, centre, tab.side):
        tab.splitter.addWidget(w)
    tab.splitter.setStretchFactor(0, 4)
    tab.splitter.setStretchFactor(1, 7)
    tab.splitter.setStretchFactor(2, 1)
    tab.splitter.setChildrenCollapsible(False)
    return tab.splitter
