"""Widgets of the live tab: image panels (a QImage scaled by Qt) and the top-5 softmax bars."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QFrame, QGraphicsItem, QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView, QLabel, QSizePolicy, QVBoxLayout, QWidget)

from desktopnn.ui.theme import Theme, make_theme


class ImageCanvas(QGraphicsView):
    """One picture, scaled by Qt to fit (aspect kept, no smoothing: a feature map's pixels stay square),
    with outlines and captions on top in image coordinates.

    Everything on it is a C++ graphics item and nothing paints in Python, so painting runs inside Qt's
    event loop without holding Python's GIL: a Python ``paintEvent`` (or pyqtgraph's items) held it for
    2–6 ms a frame, and the live worker, whose torch calls need the GIL between operations, waited that
    long (measured: the worker's 3 ms network took 13 ms of wall time while the view painted).
    """

    hovered = Signal(float, float)     # (x, y) in image pixels; (-1, -1) when the pointer leaves
    clicked = Signal(float, float)
    painted = Signal(float)            # a paint just finished: its milliseconds

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._paint_t0 = 0.0
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(80, 60)
        self.setMouseTracking(True)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self._scene.addItem(self._item)
        self._array: np.ndarray | None = None
        self._shape: tuple[int, int] | None = None
        self.markers: dict[str, QGraphicsRectItem] = {}
        for key in ("frame", "point", "unit"):
            item = QGraphicsRectItem()
            item.setZValue(10)
            item.setVisible(False)
            self._scene.addItem(item)
            self.markers[key] = item
        self.viewport().installEventFilter(self)          # the start of each paint (see drawForeground)
        self.labels: list[tuple[float, float, str]] = []
        self._label_items: list[tuple[QGraphicsRectItem, QGraphicsSimpleTextItem]] = []
        self._theme = make_theme(False)

    def set_pixels(self, pixels: np.ndarray) -> None:
        """Show ``(H, W, 3)`` RGB uint8, or ``(H, W, 4)`` uint8 in Qt's premultiplied ARGB32 layout (native
        ``0xAARRGGBB`` words, as the live pipeline colours its maps); rows may be padded."""
        if pixels.ndim != 3 or pixels.shape[2] not in (3, 4) or pixels.dtype != np.uint8 or \
                pixels.strides[1:] != (pixels.shape[2], 1):
            pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
        fmt = QImage.Format.Format_RGB888 if pixels.shape[2] == 3 else QImage.Format.Format_ARGB32_Premultiplied
        image = QImage(_row_buffer(pixels), pixels.shape[1], pixels.shape[0], pixels.strides[0], fmt)
        self._item.setPixmap(QPixmap.fromImage(image))      # a copy: the array may go
        self._array = pixels
        shape = pixels.shape[:2]
        if shape != self._shape:
            self._shape = shape
            self._scene.setSceneRect(QRectF(0, 0, shape[1], shape[0]))
            self._fit()

    def pixels(self) -> np.ndarray | None:
        return self._array

    def image_size(self) -> tuple[int, int] | None:
        """(height, width) of the picture on show."""
        return self._shape

    def _fit(self) -> None:
        if self._shape is not None:
            self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self._paint_t0 = time.perf_counter()
        return False

    def drawForeground(self, painter, rect) -> None:  # noqa: N802 (Qt override: the end of a paint)
        self.painted.emit((time.perf_counter() - self._paint_t0) * 1000)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def set_marker(self, key: str, rect: QRectF | None, pen: QPen | None = None) -> None:
        item = self.markers[key]
        if rect is None:
            item.setVisible(False)
            return
        item.setPen(pen)
        item.setRect(rect)
        item.setVisible(True)

    def set_labels(self, labels: list[tuple[float, float, str]]) -> None:
        self.labels = list(labels)
        while len(self._label_items) < len(labels):
            box = QGraphicsRectItem()
            box.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            box.setZValue(5)
            box.setPen(QPen(Qt.PenStyle.NoPen))
            text = QGraphicsSimpleTextItem(box)
            self._scene.addItem(box)
            self._label_items.append((box, text))
        for i, (box, text) in enumerate(self._label_items):
            box.setVisible(i < len(labels))
            if i < len(labels):
                x, y, words = labels[i]
                text.setText(words)
                box.setPos(x, y)
        self._style_labels()

    def _style_labels(self) -> None:
        t = self._theme
        font = t.font(0.8)
        fm = QFontMetrics(font)
        for box, text in self._label_items:
            text.setFont(font)
            text.setBrush(QColor(t.text))
            text.setPos(4, 2)
            box.setBrush(QColor(t.background))
            box.setRect(QRectF(0, 0, fm.horizontalAdvance(text.text()) + 8, fm.height() + 4))

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackgroundBrush(QColor(theme.background))
        self._style_labels()

    def to_image(self, pos) -> QPointF | None:
        """Widget position → image pixels, or None off the picture."""
        if self._shape is None:
            return None
        p = self.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        h, w = self._shape
        return p if 0 <= p.x() < w and 0 <= p.y() < h else None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        p = self.to_image(event.position())
        self.hovered.emit(*(p.x(), p.y()) if p is not None else (-1.0, -1.0))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        p = self.to_image(event.position())
        if p is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(p.x(), p.y())

    def wheelEvent(self, event) -> None:  # noqa: N802
        event.ignore()                     # no scrolling inside the picture: the page scrolls instead

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hovered.emit(-1.0, -1.0)
        super().leaveEvent(event)


def _row_buffer(pixels: np.ndarray):
    """A buffer starting at ``pixels``' first byte for QImage: the array itself when contiguous, else the
    contiguous array it is a view of (a mosaic cropped from its canvas keeps the canvas's row stride)."""
    if pixels.flags.c_contiguous:
        return pixels
    start = pixels.__array_interface__["data"][0]
    base = pixels.base
    while base is not None:
        if isinstance(base, np.ndarray) and base.flags.c_contiguous and base.__array_interface__["data"][0] == start:
            return base
        base = getattr(base, "base", None)
    raise ValueError("pixels with padded rows must be a view of a contiguous array")


class ImagePanel(QWidget):
    """A title over one :class:`ImageCanvas`; reports hover and click in image pixels."""

    def __init__(self, title: str, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.canvas = ImageCanvas()
        self.canvas.setToolTip(tip)
        self.hovered, self.clicked = self.canvas.hovered, self.canvas.clicked
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.title)
        lay.addWidget(self.canvas, 1)

    def set_rgb(self, rgb: np.ndarray) -> None:
        """Show an ``(H, W, 3)`` or ``(H, W, 4)`` uint8 picture as it is (no per-frame autoscaling)."""
        self.canvas.set_pixels(rgb)

    def aspect(self) -> float:
        w, h = self.canvas.width(), self.canvas.height()
        return w / h if h > 0 else 1.5

    def set_marker(self, rect: QRectF | None, colour: str, width: float = 3, key: str = "frame") -> None:
        """Outline ``rect`` (image pixels): ``frame`` for a region, ``point`` for the hovered spot."""
        pen = None
        if rect is not None:
            pen = QPen(QColor(colour), width)
            pen.setCosmetic(True)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self.canvas.set_marker(key, rect, pen)

    def set_labels(self, labels: list[tuple[float, float, str]]) -> None:
        """Small captions at image positions (x, y), e.g. each kernel's name on its tile."""
        if labels != self.canvas.labels:
            self.canvas.set_labels(labels)

    def apply_theme(self, theme: Theme) -> None:
        self.canvas.apply_theme(theme)


class TopBars(QWidget):
    """The network's top classes with softmax bars (notes 2.9), readable from the back of a room."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = make_theme(False)
        self._rows: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Softmax probabilities of the five most likely classes for the centre square (notes 2.9)")

    def set_rows(self, rows: list[tuple[str, float]]) -> None:
        if rows != self._rows:
            self._rows = list(rows)
            self.update()

    def rows(self) -> list[tuple[str, float]]:
        return list(self._rows)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setMinimumHeight(self._row_h() * 5 + 4)
        self.updateGeometry()
        self.update()

    def _row_h(self) -> int:
        return round(self._theme.text_px * 1.9)

    def sizeHint(self):  # noqa: N802
        from PySide6.QtCore import QSize

        return QSize(max(200, self._theme.text_px * 10), self._row_h() * 5 + 4)

    def paintEvent(self, event) -> None:  # noqa: N802
        t = self._theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = t.font(1.0)
        p.setFont(font)
        fm = QFontMetrics(font)
        rh = self._row_h()
        pct_w = fm.horizontalAdvance("100%") + 8
        bar_x = 0
        bar_w = max(10, self.width() - pct_w - 4)
        for i, (name, prob) in enumerate(self._rows[:5]):
            y = i * rh
            rect = QRectF(bar_x, y + 3, bar_w, rh - 6)
            p.fillRect(rect, QColor(t.panel))
            p.setPen(QPen(QColor(t.grid_line), 1))
            p.drawRect(rect)
            fill = QRectF(rect.x(), rect.y(), rect.width() * max(0.0, min(1.0, prob)), rect.height())
            p.fillRect(fill, QColor(t.accent if i == 0 else t.accent2))
            p.setPen(QColor(t.text))
            label_rect = rect.adjusted(8, 0, -4, 0)
            # the class name on a backing so it stays readable over any bar length
            tw = fm.horizontalAdvance(name) + 10
            p.fillRect(QRectF(label_rect.x() - 4, label_rect.y() + 3, tw, label_rect.height() - 6), QColor(t.panel))
            p.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
            p.drawText(QRectF(bar_x + bar_w + 4, y, pct_w, rh), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       f"{prob * 100:.0f}%")
        p.end()
