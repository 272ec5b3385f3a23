"""Widgets of the live tab: an image panel (pyqtgraph, no pan/zoom) and the top-5 softmax bars."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktopnn.ui.theme import Theme, make_theme


class ImagePanel(QWidget):
    """A title over one image that keeps its aspect ratio; reports hover and click in image pixels."""

    hovered = Signal(float, float)     # (x, y) in image pixels; (-1, -1) when the pointer leaves
    clicked = Signal(float, float)

    def __init__(self, title: str, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        self.graphics.setToolTip(tip)
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
        self.view.setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.markers: dict[str, QGraphicsRectItem] = {}
        for key in ("frame", "point"):
            item = QGraphicsRectItem()
            item.setZValue(10)
            item.setVisible(False)
            self.view.addItem(item)
            self.markers[key] = item
        self._shape: tuple[int, int] | None = None
        self._labels: list[pg.TextItem] = []
        self._label_texts: list[tuple[float, float, str]] = []
        self._theme = make_theme(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.title)
        lay.addWidget(self.graphics, 1)
        self.graphics.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.graphics.setMouseTracking(True)

    def set_rgb(self, rgb: np.ndarray) -> None:
        """Show an ``(H, W, 3)`` uint8 picture (levels fixed: no per-frame autoscaling)."""
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))
        shape = rgb.shape[:2]
        if shape != self._shape:
            self._shape = shape
            self.view.setRange(QRectF(0, 0, shape[1], shape[0]), padding=0)

    def aspect(self) -> float:
        w, h = self.graphics.width(), self.graphics.height()
        return w / h if h > 0 else 1.5

    def set_marker(self, rect: QRectF | None, colour: str, width: float = 3, key: str = "frame") -> None:
        """Outline ``rect`` (image pixels): ``frame`` for a region, ``point`` for the hovered spot."""
        marker = self.markers[key]
        if rect is None:
            marker.setVisible(False)
            return
        pen = QPen(QColor(colour), width)
        pen.setCosmetic(True)
        marker.setPen(pen)
        marker.setRect(rect)
        marker.setVisible(True)

    def set_labels(self, labels: list[tuple[float, float, str]]) -> None:
        """Small captions at image positions (x, y), e.g. each kernel's name on its tile."""
        if labels == self._label_texts:
            return
        self._label_texts = list(labels)
        while len(self._labels) < len(labels):
            item = pg.TextItem(anchor=(0, 0))
            item.setZValue(5)
            self.view.addItem(item)
            self._labels.append(item)
        for i, item in enumerate(self._labels):
            if i < len(labels):
                x, y, text = labels[i]
                item.setText(text)
                item.setPos(x, y)
                item.setVisible(True)
            else:
                item.setVisible(False)
        self._style_labels()

    def _style_labels(self) -> None:
        t = self._theme
        for item in self._labels:
            item.setColor(QColor(t.text))
            item.fill = pg.mkBrush(QColor(t.background))
            item.textItem.setFont(t.font(0.8))
            item.update()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.graphics.setBackground(theme.background)
        self._style_labels()

    def _to_image(self, pos) -> QPointF | None:
        if self._shape is None or not self.view.sceneBoundingRect().contains(pos):
            return None
        p = self.view.mapSceneToView(pos)
        h, w = self._shape
        if 0 <= p.x() < w and 0 <= p.y() < h:
            return p
        return None

    def _on_scene_mouse_moved(self, pos) -> None:
        p = self._to_image(pos)
        self.hovered.emit(*(p.x(), p.y()) if p is not None else (-1.0, -1.0))

    def _on_scene_mouse_clicked(self, event) -> None:
        p = self._to_image(event.scenePos())
        if p is not None:
            self.clicked.emit(p.x(), p.y())

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.hovered.emit(-1.0, -1.0)
        super().leaveEvent(event)


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
