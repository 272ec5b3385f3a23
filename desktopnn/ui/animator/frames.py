"""Frames of the animation drawn with QPainter on a QImage, and their size; jobs.py writes the files
with what every export needs (``desktopnn.ui.media``: timing, the MP4 encoder, a QImage as numpy).

No widgets here: a QImage can be painted in any thread, so exports run in a worker while the window
stays responsive. The frame shows what the tab shows: the padded input with the window, the kernel,
the output filling up, the output-size formula and the step's arithmetic, in the current theme.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen

from desktopnn.engine.convolution.explain import channel_names, fmt_num
from desktopnn.engine.convolution.steps import StepPlan
from desktopnn.ui.animator.state import step_text
from desktopnn.ui.theme import Theme

_WRAP = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)


@dataclass(frozen=True)
class FrameSpec:
    """What one export needs, captured on the UI thread (plain data, safe to hand to a worker)."""

    plan: StepPlan
    theme: Theme
    title: str
    formula: tuple[str, ...]
    channel: int = 0
    size: tuple[int, int] = (1280, 720)
    family: str = "DejaVu Sans"


def export_size(theme: Theme) -> tuple[int, int]:
    """16:9 frames: 1920×1080 in presentation mode, 1280×720 otherwise."""
    return (1920, 1080) if theme.presentation else (1280, 720)


def _font(spec: FrameSpec, px: float, bold: bool = False, mono: bool = False) -> QFont:
    f = QFont("DejaVu Sans Mono" if mono else spec.family)
    if mono:
        f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPixelSize(max(6, round(px)))
    f.setBold(bold)
    return f


def _text_for(value: float) -> str:
    return "–" if math.isnan(value) else fmt_num(value, 4)


def paint_grid(p: QPainter, x: int, y: int, cell: int, values: np.ndarray, theme: Theme, font: QFont,
               padding: np.ndarray | None = None, hidden: np.ndarray | None = None,
               outlines: list[tuple[list[tuple[int, int]], QColor, int]] = ()) -> None:
    """A grid of numbers like NumberGrid's, at ``(x, y)`` with square cells of ``cell`` pixels."""
    rows, cols = values.shape
    fm = QFontMetrics(font)
    for r in range(rows):
        for c in range(cols):
            rect = QRect(x + c * cell, y + r * cell, cell, cell)
            pad = padding is not None and padding[r, c]
            bg = QColor(theme.padding if pad else theme.panel)
            p.fillRect(rect, bg)
            text = "?" if hidden is not None and hidden[r, c] else _text_for(values[r, c])
            fg = QColor(theme.muted if not theme.presentation else "#e8e0ff") if pad else QColor(theme.text)
            f = font
            width = fm.horizontalAdvance(text)
            if width > cell - 6:
                f = QFont(font)
                f.setPixelSize(max(6, int(font.pixelSize() * (cell - 6) / max(width, 1))))
            p.setFont(f)
            p.setPen(fg)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    p.setPen(QPen(QColor(theme.grid_line), 1))
    for r in range(rows + 1):
        p.drawLine(x, y + r * cell, x + cols * cell, y + r * cell)
    for c in range(cols + 1):
        p.drawLine(x + c * cell, y, x + c * cell, y + rows * cell)
    for cells, colour, order in outlines:
        width = max(3, cell // 12)
        inset = width // 2 + order * width
        p.setPen(QPen(colour, width))
        for r, c in cells:
            p.drawRect(QRect(x + c * cell, y + r * cell, cell, cell).adjusted(inset, inset, -inset - 1, -inset - 1))


def grid_views(plan: StepPlan, position: int, channel: int):
    """Arrays the tab and the frames show at ``position``: input, output and their marks.

    Returns ``(padded_input, padding_mask, output, hidden_mask, window_cells, max_cells, out_cell)``;
    padding shows as 0 for a convolution and as "–" for pooling, where it takes no part.
    """
    c = min(channel, plan.channels - 1)
    padded = plan.padded_image()[:, :, c]
    mask = plan.padding_mask()
    if plan.op != "conv":
        padded = np.where(mask, np.nan, padded)
    oc = 0 if plan.op == "conv" else c
    output = plan.output[:, :, oc]
    done = min(max(position, 0), len(plan))
    hidden = np.ones(plan.out_shape, bool)
    hidden.ravel()[:done] = False
    window, max_cells, out_cell = [], [], []
    if done > 0:
        step = plan.steps[done - 1]
        window = [(int(r), int(cc)) for r, cc in step.taps.reshape(-1, 2)]
        if step.argmax is not None:
            i, j = step.argmax[c]
            max_cells = [(int(step.taps[i, j, 0]), int(step.taps[i, j, 1]))]
        out_cell = [(step.out_row, step.out_col)]
    return padded, mask, output, hidden, window, max_cells, out_cell


def channel_suffix(channels: int, channel: int) -> str:
    """``", R"`` or ``", channel 2"``: which channel a grid's caption names ("" for a single channel)."""
    names = channel_names(channels)
    name = names[min(channel, len(names) - 1)]
    return "" if not name else f", {name}" if name.startswith("channel") else f", channel {name}"


def render_frame(spec: FrameSpec, position: int) -> QImage:
    """One frame at ``position`` (0 = before the first step) as a QImage of ``spec.size``."""
    t = spec.theme
    w, h = spec.size
    unit = h / 36                                   # text size: 1/36 of the frame height
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(t.background))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    margin = round(unit)
    title_font = _font(spec, unit * 1.25, bold=True)
    p.setFont(title_font)
    p.setPen(QColor(t.text))
    title_h = QFontMetrics(title_font).height()
    p.drawText(QRect(margin, margin, w - 2 * margin, title_h), Qt.AlignmentFlag.AlignLeft, spec.title)
    head, lines = step_text(spec.plan, position, spec.channel)
    heights = _foot_heights(spec, unit, lines)
    grids_top = margin * 2 + title_h
    grids_h = h - grids_top - (sum(heights) + 2 * margin) - margin
    _paint_grids(p, spec, position, unit, grids_top, grids_h)
    _paint_foot(p, spec, unit, heights, head, lines)
    p.end()
    return img


def _foot_heights(spec: FrameSpec, unit: float, lines: list[str]) -> tuple[int, int, int]:
    """Heights of the frame's foot: the output-size formula, the step's heading and its arithmetic."""
    w, h = spec.size
    text_w = w - 2 * round(unit)
    fm_mono = QFontMetrics(_font(spec, unit * 0.9, mono=True))
    formula_h = fm_mono.boundingRect(QRect(0, 0, text_w, h), _WRAP, "\n".join(spec.formula)).height()
    arith_h = fm_mono.boundingRect(QRect(0, 0, text_w, h), _WRAP, "\n".join(lines)).height()
    return formula_h, QFontMetrics(_font(spec, unit)).height(), arith_h


def _paint_grids(p: QPainter, spec: FrameSpec, position: int, unit: float, top: int, height: int) -> None:
    """The input (padded, with the window), the kernel and the output, each under its caption."""
    t, plan = spec.theme, spec.plan
    w = spec.size[0]
    margin = round(unit)
    text_font = _font(spec, unit)
    padded, mask, output, hidden, window, max_cells, out_cell = grid_views(plan, position, spec.channel)
    kernel = plan.kernel[:, :, min(spec.channel, plan.channels - 1)] if plan.kernel is not None else None
    cols = padded.shape[1] + output.shape[1] + (kernel.shape[1] if kernel is not None else 0)
    gaps = 3 if kernel is not None else 2
    cap_h = QFontMetrics(text_font).height() + margin // 2
    rows = max(padded.shape[0], output.shape[0], kernel.shape[0] if kernel is not None else 0, 1)
    cell = int(min((w - 2 * margin - (gaps - 1) * 2 * unit) / max(cols, 1), (height - cap_h) / rows, unit * 3.2))
    cell = max(cell, 8)
    x = max(margin, round((w - cols * cell - (gaps - 1) * 2 * unit) / 2))
    cell_font = _font(spec, min(unit * 1.5, cell * 0.42), mono=True)
    y = top + cap_h

    def caption(x0: int, text: str) -> None:
        p.setFont(text_font)
        p.setPen(QColor(t.muted))
        p.drawText(QRect(x0, top, w, cap_h), Qt.AlignmentFlag.AlignLeft, text)

    ph, pw = plan.padded_shape
    chan = channel_suffix(plan.channels, spec.channel)
    caption(x, f"input {plan.in_shape[0]}×{plan.in_shape[1]}" + (f", padded {ph}×{pw}" if (ph, pw) != plan.in_shape
                                                                 else "") + chan)
    paint_grid(p, x, y, cell, padded, t, cell_font, padding=mask,
               outlines=[(window, QColor(t.accent), 0), (max_cells, QColor(t.accent2), 1)])
    x += pw * cell + round(2 * unit)
    if kernel is not None:
        caption(x, "kernel" + chan)
        paint_grid(p, x, y, cell, kernel, t, cell_font)
        x += kernel.shape[1] * cell + round(2 * unit)
    caption(x, f"output {plan.out_shape[0]}×{plan.out_shape[1]}")
    paint_grid(p, x, y, cell, output, t, cell_font, hidden=hidden, outlines=[(out_cell, QColor(t.accent2), 0)])


def _paint_foot(p: QPainter, spec: FrameSpec, unit: float, heights: tuple[int, int, int], head: str,
                lines: list[str]) -> None:
    """The output-size formula, then the step's heading and its arithmetic, at the bottom of the frame."""
    t = spec.theme
    w, h = spec.size
    margin = round(unit)
    text_w = w - 2 * margin
    formula_h, head_h, arith_h = heights
    mono = _font(spec, unit * 0.9, mono=True)
    yb = h - (formula_h + head_h + arith_h + 2 * margin)
    p.setFont(mono)
    p.setPen(QColor(t.text))
    p.drawText(QRect(margin, yb, text_w, formula_h), _WRAP, "\n".join(spec.formula))
    yb += formula_h + margin
    p.setFont(_font(spec, unit, bold=True))
    p.setPen(QColor(t.accent if t.presentation else t.accent2))
    p.drawText(QRect(margin, yb, text_w, head_h), Qt.AlignmentFlag.AlignLeft, head)
    yb += head_h
    p.setFont(mono)
    p.setPen(QColor(t.text))
    p.drawText(QRectF(margin, yb, text_w, arith_h + 4), _WRAP, "\n".join(lines))
