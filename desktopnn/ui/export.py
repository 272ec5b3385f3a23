"""File ▸ Export: the current view at projector scale as PNG, and its animation as GIF or MP4 (issue 9).

Projector scale means what a 1080p projector shows in presentation mode, whatever the window's size
and theme: the tab is given the presentation theme (its own style sheet, palette and
``apply_theme``), resized to 1920×1080 inside its scroll area (which stops resizing it meanwhile)
and rendered into a 1920×1080 QImage; then everything is put back. For a PNG this all happens in one
slot, so the screen never shows the projector state. An animation is walked frame by frame with
``show_frame(i)`` in short chunks driven by a QTimer; each frame goes to an encoder in a worker
(Pillow for GIF, imageio-ffmpeg for MP4) through a small queue. The file is written under a
temporary name and renamed at the end, so a cancelled export leaves nothing behind.
"""

from __future__ import annotations

import math
import os
import queue
import time
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QProgressBar, QProgressDialog, QScrollArea, QWidget

from desktopnn.ui.media import GIF_BUDGET_BYTES, MP4_MISSING, frame_durations, mp4_encoder, qimage_to_rgb
from desktopnn.ui.theme import make_palette, make_theme
from desktopnn.workers import Cancelled, LatestJobRunner

PROJECTOR_SIZE = (1920, 1080)
MAX_FRAMES = 600            # longer animations are sampled evenly
FRAMES_PER_S = 2.0          # export speed: two steps a second, first and last frame held longer
__all__ = ["PROJECTOR_SIZE", "ProjectorView", "render_projector", "AnimationExport", "MP4_MISSING", "mp4_encoder"]


def progress_dialog(parent, text: str, steps: int, title: str, tip: str) -> tuple[QProgressDialog, QProgressBar]:
    """A window-modal, cancellable progress dialog and its bar, shown at once.

    Callers set the bar's value directly: QProgressDialog.setValue() runs processEvents() when the
    dialog is modal, a nested event loop inside the timer slot that drives an export.
    """
    dlg = QProgressDialog(text, "Cancel", 0, steps, parent)
    bar = QProgressBar(dlg)
    dlg.setBar(bar)
    bar.setRange(0, steps)
    dlg.setWindowTitle(title)
    dlg.setToolTip(tip)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.show()
    return dlg, bar


def _scroll_holder(tab: QWidget) -> QScrollArea | None:
    w = tab.parentWidget()
    while w is not None and not isinstance(w, QScrollArea):
        w = w.parentWidget()
    return w if w is not None and w.widget() is tab else None


def _settle_layouts() -> None:
    """Run pending layout requests now (no painting), so geometry matches the new fonts and size."""
    app = QApplication.instance()
    for _ in range(3):
        app.sendPostedEvents(None, QEvent.Type.LayoutRequest)


class ProjectorView:
    """One tab put into projector state (presentation theme at 1080p, 1920×1080) and back, exactly."""

    def __init__(self, ctx, tab: QWidget, size: tuple[int, int] = PROJECTOR_SIZE):
        self.ctx, self.tab, self.size = ctx, tab, size
        self.theme = make_theme(True, 1080)
        self.active = False

    @contextmanager
    def theme_swapped(self):
        """Tabs that read ``ctx.theme`` while drawing see the projector theme (only inside this block)."""
        themes = self.ctx.themes
        saved = themes.theme
        themes.theme = self.theme
        try:
            yield
        finally:
            themes.theme = saved

    def enter(self) -> None:
        tab, self.active = self.tab, True
        self.current = self.ctx.theme
        self.restyle = self.current != self.theme
        self.scroll = _scroll_holder(tab)
        if self.scroll is not None:
            self.resizable = self.scroll.widgetResizable()
            self.scroll_pos = (self.scroll.horizontalScrollBar().value(), self.scroll.verticalScrollBar().value())
            self.scroll.setWidgetResizable(False)
        self.old_size = tab.size()
        if self.restyle:
            self.old_sheet = tab.styleSheet()
            tab.setStyleSheet(self.old_sheet + self.theme.stylesheet())
            # after the style sheet: its polish gives every widget its own palette (the old one plus the
            # sheet's colours), which a palette set on the tab alone would not reach. Setting the style
            # sheet back in leave() restores each widget's palette from the sheet's record.
            palette = make_palette(self.theme)
            for w in [tab, *tab.findChildren(QWidget)]:
                w.setPalette(palette)
            with self.theme_swapped():
                tab.apply_theme(self.theme)
            # and again: apply_theme may set a widget's own style sheet (the conv lab's kernel cards),
            # whose polish hands its children the application's palette again (white fields, white text)
            for w in tab.findChildren(QWidget):
                if w.palette() != palette:
                    w.setPalette(palette)
        tab.resize(*self.size)
        _settle_layouts()

    def render(self) -> QImage:
        """The tab as it is now, at exactly ``size`` pixels."""
        w, h = self.size
        img = QImage(w, h, QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(1.0)
        img.fill(QColor(self.theme.background))
        with self.theme_swapped():
            _settle_layouts()
            p = QPainter(img)
            self.tab.render(p, QPoint(0, 0), QRegion(0, 0, w, h),
                            QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren)
            p.end()
        return img

    def leave(self) -> None:
        if not self.active:
            return
        self.active = False
        tab = self.tab
        if self.restyle:
            tab.setStyleSheet(self.old_sheet)
            tab.apply_theme(self.current)
        if self.scroll is not None:
            self.scroll.setWidgetResizable(self.resizable)
            if not self.resizable:
                tab.resize(self.old_size)
            _settle_layouts()
            self.scroll.horizontalScrollBar().setValue(self.scroll_pos[0])
            self.scroll.verticalScrollBar().setValue(self.scroll_pos[1])
        else:
            tab.resize(self.old_size)
            _settle_layouts()


def render_projector(ctx, tab: QWidget, size: tuple[int, int] = PROJECTOR_SIZE) -> QImage:
    """``tab`` rendered at projector scale (synchronous: the screen never shows the projector state)."""
    view = ProjectorView(ctx, tab, size)
    view.enter()
    try:
        return view.render()
    finally:
        view.leave()


def save_png(image: QImage, path: str) -> str:
    """Write ``image`` (in a worker: QImage is safe off the UI thread)."""
    tmp = _temp_path(path)
    try:
        if not image.save(tmp, "PNG"):
            raise ValueError(f"could not write {path}: check that the folder exists and can be written to")
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    return f"Saved {path} ({image.width()}×{image.height()})"


def _temp_path(path: str) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.part")


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def sample_frames(count: int, cap: int) -> list[int]:
    """0 … count-1, or ``cap`` of them evenly spread (first and last included)."""
    if count <= cap:
        return list(range(count))
    return sorted({round(i * (count - 1) / (cap - 1)) for i in range(cap)})


def gif_plan(count: int, size: tuple[int, int] = PROJECTOR_SIZE) -> tuple[list[int], tuple[int, int]]:
    """Which frames to take (at most MAX_FRAMES, evenly spread) and the GIF's size within the memory budget."""
    indices = sample_frames(count, MAX_FRAMES)
    w, h = size
    n = len(indices)
    if n * w * h > GIF_BUDGET_BYTES:
        s = math.sqrt(GIF_BUDGET_BYTES / (n * w * h))
        w, h = max(320, int(w * s) // 2 * 2), max(180, int(h * s) // 2 * 2)
    return indices, (w, h)


_END = object()


def _frames(ctx, frames: queue.Queue, count: int):
    """Frames from the UI thread as they come; stops on cancel."""
    for _ in range(count):
        while True:
            ctx.check()
            try:
                item = frames.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is _END:
                raise Cancelled()
            yield item
            break


def encode_gif(ctx, frames: queue.Queue, path: str, count: int, size: tuple[int, int], durations: list[int]) -> str:
    from PIL import Image

    tmp = _temp_path(path)
    try:
        images = []
        for i, rgb in enumerate(_frames(ctx, frames, count)):
            im = Image.fromarray(rgb)
            if im.size != size:
                im = im.resize(size, Image.Resampling.LANCZOS)
            images.append(im.quantize(colors=256, dither=Image.Dither.NONE))
            ctx.progress((i + 1) / (count + 1))
        ctx.check()
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                       optimize=False, disposal=1)
        ctx.check()
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    scaled = "" if size == PROJECTOR_SIZE else f", scaled down from 1920×1080 to keep the GIF under " \
        f"{GIF_BUDGET_BYTES // 1_000_000} MB of memory"
    return f"Saved {count} frames ({size[0]}×{size[1]}{scaled}) to {path}"


def encode_mp4(ctx, frames: queue.Queue, path: str, count: int, size: tuple[int, int], durations: list[int],
               writer_factory=None) -> str:
    if writer_factory is None:
        if mp4_encoder() is None:
            raise ValueError(MP4_MISSING)
        import imageio.v2 as iio

        def writer_factory(target, fps):
            return iio.get_writer(target, format="FFMPEG", mode="I", fps=fps, codec="libx264", quality=8,
                                  macro_block_size=8, pixelformat="yuv420p")
    video_fps = 12.0                                     # players handle 12 fps everywhere
    repeats = [max(1, round(d * video_fps / 1000)) for d in durations]
    tmp = _temp_path(path) + ".mp4"
    writer = writer_factory(tmp, video_fps)
    try:
        try:
            for i, rgb in enumerate(_frames(ctx, frames, count)):
                for _ in range(repeats[i]):
                    writer.append_data(rgb)
                ctx.progress((i + 1) / (count + 1))
        finally:
            writer.close()
        ctx.check()
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    return f"Saved {count} frames ({size[0]}×{size[1]}) as a video to {path}"


class AnimationExport(QObject):
    """Walks a tab's frames on the UI thread in short chunks and feeds them to an encoder in a worker."""

    done = Signal(str)       # a message for the status bar (saved, cancelled or failed)
    CHUNK_S = 0.05           # UI time per timer tick
    QUEUE_MAX = 3            # frames waiting for the encoder (each 1920×1080 RGB is 6 MB)

    def __init__(self, window, tab, kind: str, path: str, runner: LatestJobRunner, writer_factory=None,
                 fps: float = FRAMES_PER_S):
        super().__init__(window)
        self.window, self.tab, self.kind, self.path, self.runner = window, tab, kind, path, runner
        self.writer_factory, self.fps = writer_factory, fps
        self.frames: queue.Queue = queue.Queue()
        self.view = ProjectorView(window.ctx, tab)
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)
        self.progress: QProgressDialog | None = None
        self.running = False

    def start(self) -> bool:
        count = self.tab.frame_count()
        if count <= 0:
            self.done.emit(f"“{self.tab.title}” has no animation to export")
            return False
        if self.kind == "mp4" and self.writer_factory is None and mp4_encoder() is None:
            self.done.emit(MP4_MISSING)
            return False
        if self.kind == "gif":
            self.indices, self.out_size = gif_plan(count)
        else:
            self.indices, self.out_size = sample_frames(count, MAX_FRAMES * 4), PROJECTOR_SIZE
        self.start_frame = self.tab.current_frame()
        self.next = 0
        n = len(self.indices)
        durations = frame_durations(n, self.fps)
        job = encode_gif if self.kind == "gif" else encode_mp4
        extra = {} if self.kind == "gif" else {"writer_factory": self.writer_factory}
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.progressed.connect(self._on_progressed)
        self.job = self.runner.submit(job, self.frames, self.path, n, self.out_size, durations, **extra)
        self.progress, self.bar = progress_dialog(
            self.window, f"Exporting {n} frames as {self.kind.upper()}…", 2 * n, "Export animation",
            "Frames are drawn at projector scale, then encoded in the background")
        self.progress.canceled.connect(self.cancel)
        self.view.enter()
        self.running = True
        self.timer.start()
        return True

    def _tick(self) -> None:
        t0 = time.monotonic()
        n = len(self.indices)
        try:
            while self.next < n and self.frames.qsize() < self.QUEUE_MAX and time.monotonic() - t0 < self.CHUNK_S:
                self.tab.show_frame(self.indices[self.next])
                self.frames.put(qimage_to_rgb(self.view.render()))
                self.next += 1
        except Exception as exc:  # a view that cannot show a frame: say so, keep the window alive
            self.frames.put(_END)
            self.runner.cancel()
            self._end(f"Export failed at frame {self.next + 1}: {exc}")
            return
        self._show_progress()
        if self.next >= n:
            self.timer.stop()
            self._restore()

    def _show_progress(self, encoded: float | None = None) -> None:
        if encoded is not None:
            self._encoded = encoded
        if self.progress is not None:
            self.bar.setValue(min(self.bar.maximum() - 1,
                                  self.next + round(getattr(self, "_encoded", 0.0) * len(self.indices))))

    def _restore(self) -> None:
        if self.view.active:
            self.view.leave()
            self.tab.show_frame(self.start_frame)

    def _disconnect(self) -> None:
        for sig, slot in ((self.runner.finished, self._on_finished), (self.runner.failed, self._on_failed),
                          (self.runner.progressed, self._on_progressed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _end(self, message: str) -> None:
        self.running = False
        self.timer.stop()
        self._restore()
        self._disconnect()
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.done.emit(message)

    def cancel(self) -> None:
        """Stop now; the worker removes its temporary file."""
        if not self.running:
            return
        self.frames.put(_END)
        self.runner.cancel()
        self._end("Export cancelled; no file was written")

    def _on_progressed(self, job: int, fraction: float, _payload) -> None:
        if job == self.job:
            self._show_progress(fraction)

    def _on_finished(self, job: int, message: str) -> None:
        if job == self.job and self.running:
            self._end(message)

    def _on_failed(self, job: int, message: str, _exc) -> None:
        if job == self.job and self.running:
            self._end(f"Export failed: {message}")
