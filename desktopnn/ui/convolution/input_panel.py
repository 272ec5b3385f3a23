"""The lab's input: a photo (bundled sample or the user's file) or a small grid of numbers (notes 2.2).

A photo is drawn with pyqtgraph; zoomed in far enough, each pixel shows its values. A grid of numbers
(grayscale or RGB, up to 12×12) is edited cell by cell, and shows the padding ring as the notes'
2.3 figure does: zeros around the image.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import channel_names
from desktopnn.engine.images import load_image, sample_images, to_grayscale
from desktopnn.ui.convolution.common import PixelValues
from desktopnn.ui.convolution.state import GRID_PRESETS, MAX_GRID, MAX_PHOTO_SIDE, OWN_GRID
from desktopnn.ui.widgets import compact_combo, flow_widget
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import Theme

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"


class InputPanel(QWidget):
    """Choose, show and edit the image that the kernels slide over."""

    image_changed = Signal()
    message = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = theme
        self.image: np.ndarray = np.zeros((1, 1))
        self.source = ""
        self._pad = (0, 0, 0, 0)
        self._field: tuple[np.ndarray, np.ndarray] | None = None   # (rows, cols) of the receptive field
        self.samples = sample_images()
        self._files: dict[str, str] = {}       # "File: name.png" -> path, for opened files
        self._photos: dict[str, np.ndarray] = {}   # "File: name.png" -> pixels, for photos from a scene
        self._own: np.ndarray | None = None     # the grid the person resized or built
        self._gray_values = False
        self.grids: list[NumberGrid] = []

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QLabel("Input image")
        head.setProperty("role", "heading")
        lay.addWidget(head)
        lay.addLayout(self._build_source_row())
        lay.addWidget(self._build_grid_controls())
        lay.addWidget(self._build_stack(theme), 1)
        lay.addWidget(self._build_zoom_row())
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        lay.addWidget(self.caption)
        self.apply_theme(theme)

    # ---- building ------------------------------------------------------------------------
    def _build_source_row(self) -> QHBoxLayout:
        """The source box (bundled photos, grids of numbers) and the button that opens a photo."""
        row = QHBoxLayout()
        self.combo = compact_combo(QComboBox(), 10)
        self.combo.setToolTip("A bundled photo, or a small grid of numbers you can edit")
        self.combo.addItems([f"Photo: {n}" for n in self.samples] + list(GRID_PRESETS))
        self.combo.activated.connect(lambda _i: self.load_source(self.combo.currentText()))
        self.btn_open = QPushButton("Open image…")
        self.btn_open.setToolTip("Use your own photo (PNG, JPEG, BMP, GIF, TIFF, WebP)")
        self.btn_open.clicked.connect(self._on_open_clicked)
        row.addWidget(self.combo, 1)
        row.addWidget(self.btn_open)
        return row

    def _build_grid_controls(self) -> QWidget:
        """Rows, columns and channels of a grid of numbers (shown only for a grid)."""
        self.grid_controls = QWidget()
        gc = QHBoxLayout(self.grid_controls)
        gc.setContentsMargins(0, 0, 0, 0)
        self.rows, self.cols = QSpinBox(), QSpinBox()
        for spin in (self.rows, self.cols):
            spin.setRange(1, MAX_GRID)
            spin.valueChanged.connect(self._on_grid_shape_changed)
        self.rows.setToolTip(f"Rows of the grid of numbers (1–{MAX_GRID})")
        self.cols.setToolTip(f"Columns of the grid of numbers (1–{MAX_GRID})")
        self.channels = QComboBox()
        self.channels.addItems(["grayscale", "RGB"])
        self.channels.setToolTip("One channel (grayscale) or three (red, green, blue: notes 2.2)")
        self.channels.currentTextChanged.connect(self._on_grid_shape_changed)
        for w in (QLabel("size"), self.rows, QLabel("×"), self.cols, self.channels):
            gc.addWidget(w)
        gc.addStretch(1)
        return self.grid_controls

    def _build_stack(self, theme: Theme) -> QStackedWidget:
        """The photo view (with its receptive-field outline and pixel values) and the grid editors."""
        self.stack = QStackedWidget()
        self.photo_view = pg.GraphicsLayoutWidget()
        self.photo_view.setToolTip("Scroll to zoom, drag to pan; zoomed in, pixels show their values")
        self.vb = self.photo_view.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.photo_item = pg.ImageItem()
        self.vb.addItem(self.photo_item)
        self.field_item = pg.QtWidgets.QGraphicsRectItem()
        self.field_item.setZValue(30)
        self.field_item.setVisible(False)
        self.vb.addItem(self.field_item, ignoreBounds=True)
        self.values = PixelValues(self.vb)
        self.stack.addWidget(self.photo_view)
        self.grid_scroll = QScrollArea()
        self.grid_scroll.setWidgetResizable(True)
        self.grid_box, self.grid_flow = flow_widget(theme.text_px)
        self.grid_scroll.setWidget(self.grid_box)
        self.stack.addWidget(self.grid_scroll)
        return self.stack

    def _build_zoom_row(self) -> QWidget:
        """Zoom onto the explained window, or back to the whole photo."""
        zoom_row = QHBoxLayout()
        self.btn_zoom = QPushButton("Zoom to the window")
        self.btn_zoom.setToolTip("Zoom the photo onto the selected cell's window so its pixel values show")
        self.btn_zoom.clicked.connect(self.zoom_to_field)
        self.btn_fit = QPushButton("Whole image")
        self.btn_fit.setToolTip("Show the whole photo again")
        self.btn_fit.clicked.connect(lambda: self.vb.autoRange(padding=0.02))
        zoom_row.addWidget(self.btn_zoom)
        zoom_row.addWidget(self.btn_fit)
        zoom_row.addStretch(1)
        self.zoom_box = QWidget()
        self.zoom_box.setLayout(zoom_row)
        zoom_row.setContentsMargins(0, 0, 0, 0)
        return self.zoom_box

    # ---- sources -------------------------------------------------------------------------
    @property
    def is_grid(self) -> bool:
        return self.stack.currentWidget() is self.grid_scroll

    def load_source(self, label: str) -> bool:
        """Load a combo entry: "Photo: NAME" or one of :data:`GRID_PRESETS`."""
        if label in GRID_PRESETS:
            self.set_grid_image(GRID_PRESETS[label], label)
            return True
        if label == OWN_GRID and self._own is not None:
            self.set_grid_image(self._own, OWN_GRID)
            return True
        if label in self._photos:
            self.set_photo(self._photos[label], label)
            return True
        if label in self._files:
            return self.open_path(self._files[label], label)
        name = label.removeprefix("Photo: ")
        if name in self.samples:
            return self.open_path(str(self.samples[name]), label)
        return False

    def open_path(self, path: str, label: str | None = None) -> bool:
        """Open a photo; on a bad file show why, keep the current image and return False."""
        try:
            img = load_image(path, max_side=MAX_PHOTO_SIDE)
        except ValueError as exc:
            self.message.emit(f"Could not open that image: {exc}. The current image stays.")
            self._sync_combo()
            return False
        if label is None:
            label = f"File: {path.replace(chr(92), '/').rsplit('/', 1)[-1]}"
            self._files[label] = path
            self._photos.pop(label, None)
        self.set_photo(img, label)
        return True

    def set_photo(self, img: np.ndarray, label: str) -> None:
        """Show a photo already loaded (uint8, ``(H, W)`` or ``(H, W, 3)``), e.g. one kept in a scene."""
        if not label.startswith("Photo: ") and label not in self._files:
            self._photos[label] = img     # a photo restored from a scene: choosing it again finds it
        if self.combo.findText(label) < 0:
            self.combo.addItem(label)
        self.source = label
        self.image = img
        self.stack.setCurrentWidget(self.photo_view)
        self.grid_controls.setVisible(False)
        self.zoom_box.setVisible(True)
        self._show_photo(autorange=True)
        self._sync_combo()
        self.image_changed.emit()

    def set_grid_image(self, values, label: str = OWN_GRID) -> None:
        arr = np.asarray(values, dtype=np.float64)
        self.image = arr.copy()
        self.source = label
        if label == OWN_GRID:
            self._own = self.image   # edits land here too, so coming back finds them
            if self.combo.findText(label) < 0:
                self.combo.addItem(label)
        self.stack.setCurrentWidget(self.grid_scroll)
        self.grid_controls.setVisible(True)
        self.zoom_box.setVisible(False)
        for w, v in ((self.rows, arr.shape[0]), (self.cols, arr.shape[1])):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        self.channels.blockSignals(True)
        self.channels.setCurrentText("RGB" if arr.ndim == 3 else "grayscale")
        self.channels.blockSignals(False)
        self._rebuild_grids()
        self._sync_combo()
        self.image_changed.emit()

    def _sync_combo(self) -> None:
        i = self.combo.findText(self.source)
        if i >= 0:
            self.combo.setCurrentIndex(i)

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", IMAGE_FILTER)
        if path:
            self.open_path(path)

    # ---- the grid of numbers -------------------------------------------------------------
    def set_cell(self, channel: int, r: int, c: int, text: str) -> bool:
        """Type ``text`` into image cell (r, c) of ``channel`` (image coordinates, padding excluded)."""
        top, _, left, _ = self._pad
        return self.grids[channel].edit_text(r + top, c + left, text)

    def _on_grid_shape_changed(self, *_args) -> None:
        rows, cols, rgb = self.rows.value(), self.cols.value(), self.channels.currentText() == "RGB"
        old = self.image if self.image.ndim == 3 else self.image[:, :, None]
        if rgb and old.shape[2] == 1:
            old = np.repeat(old, 3, axis=2)
        elif not rgb and old.shape[2] == 3:
            old = to_grayscale(old)[:, :, None]
        new = np.zeros((rows, cols, old.shape[2]))
        h, w = min(rows, old.shape[0]), min(cols, old.shape[1])
        new[:h, :w] = old[:h, :w]
        self.set_grid_image(new if rgb else new[:, :, 0], OWN_GRID)

    def _rebuild_grids(self) -> None:
        while self.grid_flow.count():
            item = self.grid_flow.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.grids = []
        chans = 1 if self.image.ndim == 2 else self.image.shape[2]
        for ch, name in enumerate(channel_names(chans)):
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.addWidget(QLabel(f"channel {name}" if name else "pixel values"))
            grid = NumberGrid(editable=True)
            grid.setToolTip("The image's numbers: double-click or type into a cell to change it; arrow keys move. "
                            "Shaded cells are padding (always 0, notes 2.6)")
            grid.apply_theme(self._theme)
            grid.value_edited.connect(lambda r, c, val, ch=ch: self._on_grid_edited(ch, r, c, val))
            grid.edit_rejected.connect(lambda r, c, msg: self.message.emit(f"Image cell: {msg}"))
            v.addWidget(grid)
            self.grid_flow.addWidget(box)
            self.grids.append(grid)
        self._fill_grids()

    def _fill_grids(self) -> None:
        if not self.is_grid:
            return
        top, bottom, left, right = self._pad
        img = self.image if self.image.ndim == 3 else self.image[:, :, None]
        for ch, grid in enumerate(self.grids):
            grid.set_values(np.pad(img[:, :, ch], ((top, bottom), (left, right))))
            mask = np.ones(grid.shape, bool)
            mask[top:top + img.shape[0], left:left + img.shape[1]] = False
            grid.set_padding_mask(mask)
            scale = 1.0 if max(grid.shape) <= 8 else 0.8
            grid.set_cell_scale(scale)
        self._draw_field()
        self.caption.setText(self._caption())

    def _on_grid_edited(self, ch: int, r: int, c: int, value: float) -> None:
        top, _, left, _ = self._pad
        h, w = self.image.shape[:2]
        rr, cc = r - top, c - left
        if not (0 <= rr < h and 0 <= cc < w):
            self.message.emit("Padding cells are always 0 (notes 2.6); edit the image inside the ring")
            self._fill_grids()
            return
        if self.image.ndim == 3:
            self.image[rr, cc, ch] = value
        else:
            self.image[rr, cc] = value
        self.image_changed.emit()

    # ---- padding and receptive field --------------------------------------------------------
    def set_padding(self, pad: tuple[int, int, int, int]) -> None:
        """Padding (top, bottom, left, right) of the selected kernel, drawn as a ring on a grid image."""
        pad = tuple(int(p) for p in pad)
        if pad != self._pad:
            self._pad = pad
            self._fill_grids()

    def set_receptive_field(self, cells: np.ndarray | None) -> None:
        """Light up the input cells under the kernel; ``cells`` is ``(kh, kw, 2)`` (row, col) or None."""
        self._field = None if cells is None else (cells[:, :, 0].ravel(), cells[:, :, 1].ravel())
        self._draw_field()

    def zoom_to_field(self) -> None:
        """Zoom the photo onto the receptive field with a margin, close enough for values to show."""
        if self._field is None or self.is_grid:
            return
        rows, cols = self._field
        span_r, span_c = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        need = self.values.min_cell_px()
        for margin in (2, 1, 0):   # as much context as still leaves room for the numbers
            if min(self.vb.width() / (span_c + 2 * margin), self.vb.height() / (span_r + 2 * margin)) >= need:
                break
        self.vb.setRange(xRange=(cols.min() - margin, cols.max() + 1 + margin),
                         yRange=(rows.min() - margin, rows.max() + 1 + margin), padding=0)

    def highlighted_cells(self) -> set[tuple[int, int]]:
        """Image coordinates (row, col) of the lit receptive field, padding taps included (may be < 0)."""
        if self._field is None:
            return set()
        return {(int(r), int(c)) for r, c in zip(*self._field)}

    def _draw_field(self) -> None:
        self.btn_zoom.setEnabled(self._field is not None)
        if self._field is None:
            self.field_item.setVisible(False)
            for g in self.grids:
                g.set_highlights([])
            return
        rows, cols = self._field
        if self.is_grid:
            top, _, left, _ = self._pad
            cells = [(int(r) + top, int(c) + left) for r, c in zip(rows, cols)]
            for g in self.grids:
                g.set_highlights([(cells, "accent")])
        else:
            r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
            self.field_item.setRect(float(c0), float(r0), float(c1 - c0), float(r1 - r0))
            self.field_item.setVisible(True)

    def show_values_of(self, convolved: np.ndarray | None) -> None:
        """Write these numbers on the photo's pixels (the grayscale copy the kernels see), or the photo's own."""
        if self.is_grid:
            return
        same = convolved is None or convolved.shape[:2] != self.image.shape[:2]
        img = self.image
        rgb = img if img.ndim == 3 else np.repeat(img[:, :, None], 3, axis=2)
        self.values.set_data(img if same else convolved, rgb=rgb)
        self._gray_values = not same
        self.caption.setText(self._caption())

    # ---- drawing -------------------------------------------------------------------------
    def _show_photo(self, autorange: bool = False) -> None:
        img = self.image
        self.photo_item.setImage(np.ascontiguousarray(img), levels=(0, 255), autoLevels=False)
        rgb = img if img.ndim == 3 else np.repeat(img[:, :, None], 3, axis=2)
        self.values.set_data(img, rgb=rgb)
        self._gray_values = False
        if autorange:
            self.vb.autoRange(padding=0.02)
        self.caption.setText(self._caption())

    def _caption(self) -> str:
        h, w = self.image.shape[:2]
        chans = "RGB, 3 channels" if self.image.ndim == 3 else "grayscale, 1 channel"
        if self.is_grid:
            top, bottom, left, right = self._pad
            pad = f"; padding ring {top},{bottom},{left},{right} (top, bottom, left, right)" if any(self._pad) else ""
            return f"{h}×{w} numbers, {chans}{pad}. Double-click or type into a cell to change it."
        which = " (in grayscale, as the kernels see them)" if self._gray_values else ""
        return f"{h}×{w} pixels, {chans}. Scroll to zoom; zoomed in, pixels show their values{which}."

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.photo_view.setBackground(theme.background)
        pen = pg.mkPen(theme.accent, width=max(3, theme.text_px // 6))
        pen.setCosmetic(True)
        self.field_item.setPen(pen)
        self.values.set_font(theme.font(1.0 if theme.presentation else 0.85, mono=True))
        self.grid_flow.set_gap(theme.text_px)
        for g in self.grids:
            g.apply_theme(theme)
        self.caption.setStyleSheet(f"color: {theme.muted};")
