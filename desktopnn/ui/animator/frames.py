"""Frames of the animation drawn with QPainter on a QImage, and the GIF/MP4/PNG exports.

No widgets here: a QImage can be painted in any thread, so exports run in a worker while the window
stays responsive. The frame shows what the tab shows: the padded input with the window, the kernel,
the output filling up, the output-size formula and the step's arithmetic, in the current theme.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen

from desktopnn.engine.convolution.explain import channel_names, fmt_num
from desktopnn.engine.convolution.steps import StepPlan
from desktopnn.ui.theme import Theme

GIF_BUDGET_BYTES = 300_000_000   # Pillow keeps every GIF frame in memory until it writes the file


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


def mp4_encoder() -> str | None:
    """Name of an available MP4 encoder for imageio, or None."""
    if importlib.util.find_spec("imageio_ffmpeg") is not None:
        return "imageio-ffmpeg"
    return None


MP4_MISSING = ("MP4 export needs a video encoder, and none is installed: install imageio-ffmpeg "
               "(pip install imageio-ffmpeg) and restart desktopnn. GIF export works without it.")


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


def render_frame(spec: FrameSpec, position: int) -> QImage:
    """One frame at ``position`` (0 = before the first step) as a QImage of ``spec.size``."""
    from desktopnn.ui.animator.state import step_text

    t, plan = spec.theme, spec.plan
    w, h = spec.size
    unit = h / 36                                   # text size: 1/36 of the frame height
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(t.background))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    margin = round(unit)
    title_font, text_font, mono = _font(spec, unit * 1.25, bold=True), _font(spec, unit), _font(spec, unit * 0.9, mono=True)
    p.setFont(title_font)
    p.setPen(QColor(t.text))
    title_h = QFontMetrics(title_font).height()
    p.drawText(QRect(margin, margin, w - 2 * margin, title_h), Qt.AlignmentFlag.AlignLeft, spec.title)
    head, lines = step_text(plan, position, spec.channel)
    # bottom block: formula, heading, arithmetic
    fm_mono, fm_text = QFontMetrics(mono), QFontMetrics(text_font)
    flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
    text_w = w - 2 * margin
    formula_text = "\n".join(spec.formula)
    arith_text = "\n".join(lines)
    formula_h = fm_mono.boundingRect(QRect(0, 0, text_w, h), flags, formula_text).height()
    arith_h = fm_mono.boundingRect(QRect(0, 0, text_w, h), flags, arith_text).height()
    head_h = fm_text.height()
    bottom_h = formula_h + head_h + arith_h + 2 * margin
    grids_top = margin * 2 + title_h
    grids_h = h - grids_top - bottom_h - margin
    padded, mask, output, hidden, window, max_cells, out_cell = grid_views(plan, position, spec.channel)
    kernel = plan.kernel[:, :, min(spec.channel, plan.channels - 1)] if plan.kernel is not None else None
    cols = padded.shape[1] + output.shape[1] + (kernel.shape[1] if kernel is not None else 0)
    gaps = 3 if kernel is not None else 2
    cap_h = fm_text.height() + margin // 2
    rows = max(padded.shape[0], output.shape[0], kernel.shape[0] if kernel is not None else 0, 1)
    cell = int(min((w - 2 * margin - (gaps - 1) * 2 * unit) / max(cols, 1), (grids_h - cap_h) / rows, unit * 3.2))
    cell = max(cell, 8)
    x = max(margin, round((w - cols * cell - (gaps - 1) * 2 * unit) / 2))
    cell_font = _font(spec, min(unit * 1.5, cell * 0.42), mono=True)
    y = grids_top + cap_h

    def caption(x0: int, text: str) -> None:
        p.setFont(text_font)
        p.setPen(QColor(t.muted))
        p.drawText(QRect(x0, grids_top, w, cap_h), Qt.AlignmentFlag.AlignLeft, text)

    ph, pw = plan.padded_shape
    names = channel_names(plan.channels)
    name = names[min(spec.channel, plan.channels - 1)]
    chan = "" if not name else f", {name}" if name.startswith("channel") else f", channel {name}"
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
    # bottom block
    yb = h - bottom_h
    p.setFont(mono)
    p.setPen(QColor(t.text))
    p.drawText(QRect(margin, yb, text_w, formula_h), flags, formula_text)
    yb += formula_h + margin
    p.setFont(_font(spec, unit, bold=True))
    p.setPen(QColor(t.accent if t.presentation else t.accent2))
    p.drawText(QRect(margin, yb, text_w, head_h), Qt.AlignmentFlag.AlignLeft, head)
    yb += head_h
    p.setFont(mono)
    p.setPen(QColor(t.text))
    p.drawText(QRectF(margin, yb, text_w, arith_h + 4), flags, arith_text)
    p.end()
    return img


def qimage_to_rgb(img: QImage) -> np.ndarray:
    """``(H, W, 3)`` uint8 copy of a QImage."""
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buf = np.frombuffer(rgb.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, :w * 3].reshape(h, w, 3).copy()


def frame_durations(count: int, fps: float) -> list[int]:
    """Milliseconds per frame: the first and the last frame stay three times longer."""
    base = max(20, round(1000 / max(fps, 0.1)))
    out = [base] * count
    if count > 1:
        out[0] = out[-1] = base * 3
    return out


def gif_size(spec: FrameSpec) -> tuple[int, int]:
    """The export size, scaled down when the GIF would need more memory than ``GIF_BUDGET_BYTES``."""
    w, h = spec.size
    frames = len(spec.plan) + 1
    if frames * w * h <= GIF_BUDGET_BYTES:
        return w, h
    scale = math.sqrt(GIF_BUDGET_BYTES / (frames * w * h))
    return max(320, int(w * scale) // 2 * 2), max(180, int(h * scale) // 2 * 2)


def export_gif(ctx, spec: FrameSpec, path: str, fps: float) -> str:
    """Write every frame (start plus one per step) as an animated GIF; returns a message."""
    from PIL import Image

    size = gif_size(spec)
    spec = FrameSpec(spec.plan, spec.theme, spec.title, spec.formula, spec.channel, size, spec.family)
    count = len(spec.plan) + 1
    frames = []
    for i in range(count):
        if ctx is not None:
            ctx.progress(i / (count + 1))
        rgb = Image.fromarray(qimage_to_rgb(render_frame(spec, i)))
        frames.append(rgb.quantize(colors=128, dither=Image.Dither.NONE))
    if ctx is not None:
        ctx.progress(count / (count + 1))
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=frame_durations(count, fps), loop=0,
                   optimize=False, disposal=1)
    return f"Saved {count} frames ({size[0]}×{size[1]}) to {path}"


def export_mp4(ctx, spec: FrameSpec, path: str, fps: float) -> str:
    """Write the animation as an H.264 MP4 video (needs imageio-ffmpeg); returns a message."""
    if mp4_encoder() is None:
        raise ValueError(MP4_MISSING)
    import imageio.v2 as iio

    count = len(spec.plan) + 1
    video_fps = 12.0                                     # players handle 12 fps everywhere
    repeats = [max(1, round(d * video_fps / 1000)) for d in frame_durations(count, fps)]
    writer = iio.get_writer(path, format="FFMPEG", mode="I", fps=video_fps, codec="libx264", quality=8,
                            macro_block_size=8, pixelformat="yuv420p")
    try:
        for i in range(count):
            if ctx is not None:
                ctx.progress(i / count)
            frame = qimage_to_rgb(render_frame(spec, i))
            for _ in range(repeats[i]):
                writer.append_data(frame)
    finally:
        writer.close()
    return f"Saved {count} frames ({spec.size[0]}×{spec.size[1]}) as a video to {path}"


def export_png(spec: FrameSpec, path: str, position: int) -> str:
    """Write the frame at ``position`` as a PNG; returns a message."""
    if not render_frame(spec, position).save(path, "PNG"):
        raise ValueError(f"could not write {path}: check that the folder exists and can be written to")
    return f"Saved the current frame ({spec.size[0]}×{spec.size[1]}) to {path}"
