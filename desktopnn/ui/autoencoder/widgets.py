"""Plots shared by the image and audio views: heat maps with axes and a colour legend, bars, curves."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktopnn.ui.theme import Theme


def style_plot(plot: pg.PlotWidget, theme: Theme, title: str | None = None) -> None:
    """Background, axis pens and tick fonts for ``theme`` (presentation: large and high contrast)."""
    plot.setBackground(theme.panel)
    item = plot.getPlotItem()
    font = theme.font(0.85)
    pen = pg.mkPen(theme.text)
    for name in ("left", "bottom"):
        ax = item.getAxis(name)
        ax.setPen(pen)
        ax.setTextPen(pen)
        ax.setTickFont(font)
        ax.label.setFont(theme.font(0.85))
        ax.setStyle(tickLength=-max(5, theme.text_px // 3))
    item.getAxis("left").setWidth(round(theme.text_px * 3.6))
    item.getAxis("bottom").setHeight(round(theme.text_px * 2.6))
    if title is not None:
        item.setTitle(title, color=theme.text, size=f"{theme.text_px}px")
    legend = item.legend
    if legend is not None:
        size = f"{round(theme.text_px * 0.85)}px"
        legend.setLabelTextColor(theme.text)
        legend.setLabelTextSize(size)
        for _sample, label in legend.items:
            label.setText(label.text, color=theme.text, size=size)


class Heatmap(QWidget):
    """A titled image plot with axes in real units and an optional colour legend."""

    def __init__(self, title: str, cmap: str = "viridis", levels=(0.0, 1.0), legend: str | None = None,
                 axes: bool = True, tooltip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.levels = levels
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.cmap_name = cmap
        self.image.setColorMap(pg.colormap.get(cmap))
        self.image.setLevels(levels)
        self.bar = None
        self.legend_text = legend
        if legend is not None:
            self.bar = pg.ColorBarItem(values=levels, colorMap=pg.colormap.get(cmap), label=legend,
                                       interactive=False, width=18)
            self.bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        if not axes:
            self.plot.hideAxis("left")
            self.plot.hideAxis("bottom")
            self.plot.getPlotItem().getViewBox().setAspectLocked(True)
        self._axes = axes
        self.plot.getPlotItem().getViewBox().invertY(not axes)
        self.setToolTip(tooltip)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.label = QLabel(title)
        self.label.setProperty("role", "heading")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.label)
        lay.addWidget(self.plot, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, data: np.ndarray, rect: tuple[float, float, float, float] | None = None) -> None:
        """``data`` rows are drawn bottom-up when axes are shown (low frequencies at the bottom)."""
        self.image.setImage(np.ascontiguousarray(data, np.float32), levels=self.levels, autoLevels=False)
        if rect is not None:
            self.image.setRect(QRectF(*rect))
            if getattr(self, "_rect", None) != rect:
                self._rect = rect
                self.plot.getPlotItem().getViewBox().setRange(QRectF(*rect), padding=0)

    def set_axis_labels(self, left: str | None, bottom: str | None) -> None:
        item = self.plot.getPlotItem()
        item.setLabel("left", left or "")
        item.setLabel("bottom", bottom or "")

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        cm = pg.colormap.get(theme.colormap if self.cmap_name in ("viridis", "cividis") else self.cmap_name)
        self.image.setColorMap(cm)
        if self.bar is not None:
            self.bar.setColorMap(cm)
            ax = self.bar.axis
            ax.setTickFont(theme.font(0.8))
            ax.setTextPen(pg.mkPen(theme.text))
            ax.setWidth(round(theme.text_px * 3.2))
            side = self.bar.getAxis("left")          # ColorBarItem puts its label on the other side
            side.setLabel(self.legend_text, **{"color": theme.text, "font-size": f"{round(theme.text_px * 0.8)}px"})
            side.setWidth(round(theme.text_px * 1.6))


class Bars(QWidget):
    """The code as bars, one per number in the bottleneck."""

    def __init__(self, title: str, tooltip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.bars = pg.BarGraphItem(x=[1, 2], height=[0, 0], width=0.8)
        self.plot.addItem(self.bars)
        self.plot.getPlotItem().setLabel("bottom", "code number")
        self.plot.addLine(y=0, pen=pg.mkPen("#888888"))
        self.setToolTip(tooltip)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(title)
        self.label.setProperty("role", "heading")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.label)
        lay.addWidget(self.plot, 1)
        self._colour = "#0072b2"
        self._limit = 1.0
        self.set_values(np.zeros(2))

    def set_values(self, values: np.ndarray, limit: float | None = None) -> None:
        v = np.asarray(values, float).reshape(-1)
        self.bars.setOpts(x=np.arange(1, len(v) + 1), height=v, width=0.8, brush=self._colour, pen=None)
        lim = limit if limit is not None else max(1.0, float(np.abs(v).max()) * 1.1)
        self._limit = lim
        self.plot.setRange(xRange=(0.4, len(v) + 0.6), yRange=(-lim, lim), padding=0)
        ax = self.plot.getPlotItem().getAxis("bottom")
        step = 1 if len(v) <= 16 else 4
        ax.setTicks([[(i, str(i)) for i in range(1, len(v) + 1, step)]])

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        self._colour = theme.accent2


class Curves(QWidget):
    """Loss (or accuracy) curves with a legend."""

    def __init__(self, title: str, xlabel: str, ylabel: str, names: list[str], log_y: bool = False,
                 tooltip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.addLegend(offset=(-10, 10))
        item.setLabel("bottom", xlabel)
        item.setLabel("left", ylabel)
        item.getAxis("left").enableAutoSIPrefix(False)
        item.setLogMode(False, log_y)
        item.showGrid(x=True, y=True, alpha=0.3)
        self.names = names
        self.lines = [self.plot.plot([], [], name=n) for n in names]
        self.setToolTip(tooltip)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(title)
        self.label.setProperty("role", "heading")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.label)
        lay.addWidget(self.plot, 1)

    def set_data(self, *series: list[float]) -> None:
        for line, ys in zip(self.lines, series):
            ys = list(ys)
            line.setData(np.arange(1, len(ys) + 1), ys)

    def apply_theme(self, theme: Theme) -> None:
        colours = [theme.accent, theme.accent2, theme.good]
        for line, c in zip(self.lines, colours):
            line.setPen(pg.mkPen(c, width=max(2, theme.text_px // 7)))
        style_plot(self.plot, theme)


DIGIT_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
                 "#882255", "#44aa99"]   # Okabe-Ito plus two: colour-blind safe


def stop_runners(runners, budget_s: float = 0.6) -> None:
    """Cancel every runner, then wait for them all within one shared time budget (shutdown within a
    second). A job that cannot be interrupted (e.g. importing torch) is left to finish on its daemon
    thread; its runner emits nothing once stopped."""
    import time

    for r in runners:
        r.cancel()
    deadline = time.monotonic() + budget_s
    for r in runners:
        r.shutdown(max(0.02, deadline - time.monotonic()))
