"""What the animator's export worker runs: the whole animation as a GIF or an MP4, one frame as a PNG.

Plain functions of a :class:`FrameSpec` captured on the UI thread; each frame is painted by
:func:`render_frame` on a QImage, which any thread may do. No widgets here.
"""

from __future__ import annotations

import math

from desktopnn.ui.animator.frames import FrameSpec, render_frame
from desktopnn.ui.media import GIF_BUDGET_BYTES, MP4_MISSING, frame_durations, mp4_encoder, qimage_to_rgb


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
