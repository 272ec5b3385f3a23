"""Feature maps: one per kernel, each with its colour scale bar (notes 2.2: one convolution, one map).

Pointing at a map cell reports (kernel, row, col) so the tab can explain it; zoomed in, cells show
their values.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from desktopnn.ui.convolution.common import PixelValues, colormap, map_levels
from desktopnn.ui.widgets import style_axis
from desktopnn.ui.theme import Theme


class _MapView:
    """One feature map's plot, image, scale bar, selection outline and value labels."""

    def __init__(self, layout: pg.GraphicsLayout, row: int, col: int, cmap: pg.ColorMap, theme: Theme):
        self.plot = layout.addPlot(row=row, col=col)
        self.plot.setMenuEnabled(False)
        for side in ("left", "bottom"):
            self.plot.hideAxis(side)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.hideButtons()
        label, grow = self.plot.titleLabel, self.plot.titleLabel.updateMin

        def shrinkable_title():   # a long title must not widen the column (it is elided to fit)
            grow()
            label.setMinimumWidth(0)
            label.setPreferredWidth(1)

        label.updateMin = shrinkable_title
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=cmap, interactive=False, width=max(14, theme.text_px),
                                   colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.mark = QGraphicsRectItem()
        self.mark.setZValue(30)
        self.mark.setVisible(False)
        self.plot.addItem(self.mark, ignoreBounds=True)
        self.values = PixelValues(self.plot.getViewBox())
        self.cover = QGraphicsRectItem()         # predict before reveal: the hidden cell, drawn as "?"
        self.cover.setZValue(25)
        self.cover.setVisible(False)
        self.plot.addItem(self.cover, ignoreBounds=True)
        self.question = pg.TextItem("?", anchor=(0.5, 0.5))
        self.question.setZValue(26)
        self.question.setVisible(False)
        self.plot.addItem(self.question, ignoreBounds=True)
        self.shape: tuple[int, int] | None = None
        self.data: np.ndarray | None = None


class FeatureMapPanel(QWidget):
    """A small grid of feature maps drawn with pyqtgraph."""

    cell_hovered = Signal(int, int, int)   # kernel, row, col; (-1, -1, -1) when off every map
    cell_clicked = Signal(int, int, int)

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = theme
        self._cmap_label = "viridis"
        self._titles: list[str] = []
        self.views: list[_MapView] = []
        self._maps: list[np.ndarray] = []
        self._ncols = 0
        self.hidden_cell: tuple[int, int, int] | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setToolTip("Point at a cell to see its arithmetic; click to keep it. Scroll to zoom.")
        lay.addWidget(self.canvas)
        self.canvas.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.canvas.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.apply_theme(theme)

    # ---- content -------------------------------------------------------------------------
    def set_colormap(self, label: str) -> None:
        self._cmap_label = label
        cmap, _ = colormap(label)
        for v in self.views:
            v.bar.setColorMap(cmap)
            if v.data is not None:
                self._set_levels(v)

    def set_maps(self, maps: list[np.ndarray], titles: list[str]) -> None:
        """Show ``maps`` (each ``(H', W')``); the plots are rebuilt only when their arrangement changes."""
        self._maps = list(maps)
        if len(maps) != len(self.views) or self._best_columns() != self._ncols:
            self._rebuild(len(maps))
        self._titles = list(titles)
        for v, m, title in zip(self.views, maps, titles):
            data = np.ascontiguousarray(m, dtype=np.float32)
            reshaped = v.shape != data.shape
            v.data, v.shape = data, data.shape
            v.image.setImage(data, autoLevels=False)
            self._set_levels(v)
            self._set_title(v, title)
            if reshaped:
                v.plot.getViewBox().autoRange(padding=0.02)

    def mark_cell(self, k: int, r: int, c: int) -> None:
        """Outline output cell (r, c) of map ``k``; ``k = -1`` clears every outline."""
        for i, v in enumerate(self.views):
            on = i == k and v.shape is not None and 0 <= r < v.shape[0] and 0 <= c < v.shape[1]
            if on:
                v.mark.setRect(float(c), float(r), 1.0, 1.0)
            v.mark.setVisible(on)

    def set_hidden_cell(self, k: int, r: int, c: int) -> None:
        """Cover cell (r, c) of map ``k`` and draw "?" on it (predict before reveal); ``k = -1``: none."""
        self.hidden_cell = (k, r, c) if k >= 0 else None
        t = self._theme
        for i, v in enumerate(self.views):
            on = i == k and v.shape is not None and 0 <= r < v.shape[0] and 0 <= c < v.shape[1]
            if on:
                v.cover.setRect(float(c), float(r), 1.0, 1.0)
                v.cover.setBrush(pg.mkBrush(t.panel))
                v.cover.setPen(pg.mkPen(None))
                v.question.setColor(t.text)
                v.question.setFont(t.font(1.0, bold=True))
                v.question.setPos(c + 0.5, r + 0.5)
            v.cover.setVisible(on)
            v.question.setVisible(on)

    def scene_pos_of(self, k: int, r: int, c: int) -> QPointF:
        """Scene position of the centre of cell (r, c) of map ``k`` (tests point the mouse there)."""
        return self.views[k].plot.getViewBox().mapViewToScene(QPointF(c + 0.5, r + 0.5))

    def _set_levels(self, v: _MapView) -> None:
        cmap, diverging = colormap(self._cmap_label)
        lo, hi = map_levels(v.data, diverging)
        v.bar.setLevels(values=(lo, hi))
        rgb = None
        if v.data.size <= 40_000:
            rgb = cmap.map(np.clip((v.data - lo) / (hi - lo), 0, 1).ravel(), mode="byte")
            rgb = rgb[:, :3].reshape(v.data.shape + (3,))
        v.values.set_data(v.data, rgb=rgb, digits=4)

    def _best_columns(self) -> int:
        """The number of columns that gives each map the most screen area in this panel."""
        maps = getattr(self, "_maps", [])
        if not maps:
            return 1
        h, w = maps[0].shape[:2]
        aspect = h / max(w, 1)
        bar = self._theme.text_px * 4 + 20
        title = self._theme.text_px * 2
        best, best_size = 1, -1.0
        for ncols in range(1, len(maps) + 1):
            nrows = -(-len(maps) // ncols)
            cell_w = self.width() / ncols - bar
            cell_h = self.height() / nrows - title
            size = min(cell_w, cell_h / aspect)
            if size > best_size + 1:
                best, best_size = ncols, size
        return best

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.views and self._best_columns() != self._ncols:
            self.set_maps(self._maps, self._titles)

    def _rebuild(self, count: int) -> None:
        self.canvas.ci.clear()
        self.views = []
        ncols = self._ncols = self._best_columns()
        cmap, _ = colormap(self._cmap_label)
        for i in range(count):
            self.views.append(_MapView(self.canvas.ci, i // ncols, i % ncols, cmap, self._theme))
        grid = self.canvas.ci.layout
        for c in range(ncols):
            grid.setColumnStretchFactor(c, 1)
        for r in range((count + ncols - 1) // ncols):
            grid.setRowStretchFactor(r, 1)
        self.apply_theme(self._theme)

    # ---- pointing --------------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int, int]:
        for k, v in enumerate(self.views):
            vb = v.plot.getViewBox()
            if v.shape is None or not vb.sceneBoundingRect().contains(scene_pos):
                continue
            p = vb.mapSceneToView(scene_pos)
            r, c = math.floor(p.y()), math.floor(p.x())
            if 0 <= r < v.shape[0] and 0 <= c < v.shape[1]:
                return k, r, c
        return -1, -1, -1

    def _on_mouse_moved(self, pos: QPointF) -> None:
        self.cell_hovered.emit(*self.cell_at(pos))

    def _on_mouse_clicked(self, event) -> None:
        k, r, c = self.cell_at(event.scenePos())
        if k >= 0:
            self.cell_clicked.emit(k, r, c)

    # ---- look ----------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.canvas.setBackground(theme.background)
        pen = pg.mkPen(theme.accent, width=max(3, theme.text_px // 6))
        pen.setCosmetic(True)
        font = theme.font(1.0 if theme.presentation else 0.85, mono=True)
        for v, title in zip(self.views, self._titles + [""] * len(self.views)):
            v.mark.setPen(pen)
            style_axis(v.bar.axis, theme)
            v.bar.axis.setWidth(theme.text_px * 3)
            v.bar.setFixedWidth(theme.text_px * 3 + max(14, theme.text_px))
            v.values.set_font(font)
            if v.shape is not None:
                self._set_title(v, title)

    def _set_title(self, v: _MapView, title: str) -> None:
        """``1. Sobel x · 298×449``, shortened with … to fit its column so long names never widen the panel."""
        t = self._theme
        text = f"{title}  ·  {v.shape[0]}×{v.shape[1]}"
        room = max(60, int(self.width() / max(self._ncols, 1)) - t.text_px)
        text = QFontMetrics(t.font()).elidedText(text, Qt.TextElideMode.ElideMiddle, room)
        v.plot.setTitle(text, size=f"{t.text_px}px", color=t.text)
        v.plot.titleLabel.setToolTip(f"{title}  ·  {v.shape[0]}×{v.shape[1]}")
