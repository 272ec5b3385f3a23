"""The built-in demo camera: sample photos panned, zoomed and turned, with moving shapes and edges.

Used when there is no camera, with ``--demo`` and in the tests. Frame ``i`` is a pure function of
``(seed, i)`` (:meth:`DemoSource.render`), so a test can ask for exactly the picture the view got.
A thread of its own paints and paces it (30 frames per second by default); one frame costs 1–2 ms.
"""

from __future__ import annotations

import math
import threading
import time
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF

from desktopnn.sources.base import FrameSource, qimage_to_numpy

UNCAPPED_IDLE_S = 0.25   # an uncapped source whose frame nobody took still sends the next after this
SEGMENT = 90          # frames per subject (3 s at 30 fps)
PHOTO_FRAMES = 240    # frames per background photo (8 s)
LUMA = np.array([0.299, 0.587, 0.114])
SUBJECT_COLOURS = [(255, 215, 0), (255, 255, 255), (20, 20, 20), (0, 114, 178), (213, 94, 0), (0, 158, 115)]


@lru_cache(maxsize=1)
def _photos() -> tuple[QImage, ...]:
    """The sample photos at most 900 pixels on a side, as QImages ready to paint."""
    from PIL import Image

    from desktopnn.engine.images import load_image, sample_images

    out = []
    for path in sample_images().values():
        img = Image.fromarray(load_image(path)).convert("RGB")
        img.thumbnail((900, 900), Image.Resampling.BILINEAR)
        arr = np.ascontiguousarray(np.asarray(img))
        qimg = QImage(arr.data, arr.shape[1], arr.shape[0], arr.strides[0], QImage.Format.Format_RGB888)
        out.append(qimg.convertToFormat(QImage.Format.Format_RGB32))   # copies; fastest to paint from
    return tuple(out)


def _polygon(points) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])


class DemoSource(FrameSource):
    """Deterministic moving pictures at ``fps`` frames per second, ``size`` = (width, height).

    Frames are painted in a thread of their own (QPainter on a QImage needs no GUI thread), so the UI
    thread only receives finished arrays. ``fps <= 0`` is *uncapped*: a new frame is painted as soon as
    the consumer has taken the last one (:meth:`frame_taken`), so the source always offers a fresh frame
    without painting frames nobody takes (the benchmark's source that outruns any consumer).
    """

    name = "Demo pictures"

    def __init__(self, seed: int = 0, size: tuple[int, int] = (640, 480), fps: float = 30.0,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.seed = int(seed)
        self.size = (int(size[0]), int(size[1]))
        self.fps = float(fps)
        self.index = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = False
        self._taken = True

    def set_size(self, size: tuple[int, int]) -> None:
        self.size = (int(size[0]), int(size[1]))

    def set_fps(self, fps: float) -> None:
        """Frames per second; 0 (or less) for as fast as they are taken."""
        with self._cond:
            self.fps = float(fps)
            self._cond.notify_all()

    def start(self) -> None:
        with self._cond:
            if self._thread is None:
                self._stop, self._taken = False, True
                self._thread = threading.Thread(target=self._run, name="desktopnn-demo-source", daemon=True)
                self._thread.start()
        self._set_running(True)

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        self._set_running(False)

    def frame_taken(self) -> None:
        """The consumer started on the last frame (any thread): an uncapped source paints the next."""
        with self._cond:
            self._taken = True
            self._cond.notify_all()

    def _run(self) -> None:
        due = time.perf_counter()
        while True:
            with self._cond:
                while not self._stop:
                    if self.fps <= 0:            # uncapped: when taken, or unasked after a while
                        wait = due + UNCAPPED_IDLE_S - time.perf_counter()
                        if self._taken or wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        wait = due - time.perf_counter()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                if self._stop:
                    return
                self._taken = False
                index, self.index = self.index, self.index + 1
            stamp = time.perf_counter()              # the moment the "camera" captures
            frame = self.render(index)
            now = time.perf_counter()
            due = max(due + 1.0 / self.fps, now - 0.1) if self.fps > 0 else now   # catch up, never burst
            with self._cond:
                if self._stop:
                    return
                try:
                    self._emit_frame(frame, stamp)     # queued to the receivers' (UI) thread
                except RuntimeError:                   # the source was deleted without being stopped
                    return

    # ---- the picture -------------------------------------------------------------------------
    def subject(self, index: int) -> str:
        """The shape near the centre of frame ``index`` (one of the notes CNN's classes)."""
        from desktopnn.engine.cnn.shapes import CLASS_NAMES

        seg = index // SEGMENT
        order = np.random.default_rng((self.seed, 1)).permutation(len(CLASS_NAMES))
        return CLASS_NAMES[int(order[seg % len(CLASS_NAMES)])]

    def render(self, index: int) -> np.ndarray:
        """Frame ``index`` as ``(height, width, 3)`` uint8 (painted with QPainter: a few ms)."""
        w, h = self.size
        t = index / 30.0
        img = QImage(w, h, QImage.Format.Format_RGB32)
        img.fill(QColor(0, 0, 0))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_photo(p, index, t, w, h)
        s = min(w, h)
        p.setPen(Qt.PenStyle.NoPen)
        _paint_stripes(p, index, w, h, s)
        _paint_bar(p, t, w, h, s)
        _paint_ball(p, t, w, h, s)
        self._paint_subject(p, img, index, w, h, s)
        p.end()
        return qimage_to_numpy(img)

    def _paint_photo(self, p: QPainter, index: int, t: float, w: int, h: int) -> None:
        """Camera motion over a sample photo: pan in a Lissajous figure, zoom in and out, tilt a little."""
        photos = _photos()
        photo = photos[(index // PHOTO_FRAMES + self.seed) % len(photos)]
        zoom = 1.25 + 0.3 * math.sin(0.45 * t + self.seed)
        pw, ph = photo.width(), photo.height()
        scale = max(w / pw, h / ph) * zoom * 1.1                # output pixels per photo pixel
        reach_x = max(0.0, pw / 2 - w / (2 * scale))
        reach_y = max(0.0, ph / 2 - h / (2 * scale))
        cx = pw / 2 + 0.8 * reach_x * math.sin(0.23 * t + 0.5 * self.seed)
        cy = ph / 2 + 0.8 * reach_y * math.sin(0.37 * t)
        p.translate(w / 2, h / 2)
        p.rotate(10 * math.sin(0.31 * t))
        p.scale(scale, scale)
        p.translate(-cx, -cy)
        p.drawImage(0, 0, photo)
        p.resetTransform()

    def _paint_subject(self, p: QPainter, img: QImage, index: int, w: int, h: int, s: int) -> None:
        """A large shape drifting about the centre, a new class every 3 s, in a colour that stands out
        from the photo behind it (as the notes CNN's training pictures do)."""
        from desktopnn.engine.cnn.shapes import shape_polygon

        seg = index // SEGMENT
        rng = np.random.default_rng((self.seed, seg))
        phase = (index % SEGMENT) / SEGMENT
        sx = w / 2 + s * 0.05 * math.sin(2 * math.pi * phase)
        sy = h / 2 + s * 0.04 * math.cos(2 * math.pi * phase)
        behind = img.copy(round(w / 2 - s / 2), round(h / 2 - s / 2), s, s).scaled(8, 8)
        bg = float(qimage_to_numpy(behind).reshape(-1, 3).mean(0) @ LUMA)
        fits = [c for c in SUBJECT_COLOURS if abs(float(np.array(c) @ LUMA) - bg) > 90]
        colour = fits[int(rng.integers(0, len(fits)))] if fits else ((255, 255, 255) if bg < 128 else (0, 0, 0))
        kind, r = self.subject(index), s * 0.3
        if kind == "ring":
            p.setPen(QPen(QColor(*colour), r * 0.38))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(QPointF(sx, sy), r - r * 0.19, r - r * 0.19)
        else:
            p.setBrush(QColor(*colour))
            p.drawPolygon(_polygon(shape_polygon(kind, sx, sy, r, 15 * math.sin(2 * math.pi * phase))))


def _paint_stripes(p: QPainter, index: int, w: int, h: int, s: int) -> None:
    """Moving stripes along the bottom: edges at one orientation, sliding."""
    stripe = max(4, s // 24)
    off = int(index * 2) % (2 * stripe)
    y0 = h - s // 9
    p.setBrush(QColor(250, 250, 250))
    for x in range(-2 * stripe + off, w, 2 * stripe):
        p.drawRect(QRectF(x, y0, stripe, h - y0))


def _paint_bar(p: QPainter, t: float, w: int, h: int, s: int) -> None:
    """A rotating bar: an edge that turns through every angle."""
    bx, by, br = w * 0.15, h * 0.22, s * 0.14
    ang = 0.9 * t
    p.setPen(QPen(QColor(20, 20, 20), max(2, s // 40)))
    p.drawLine(QPointF(bx - br * math.cos(ang), by - br * math.sin(ang)),
               QPointF(bx + br * math.cos(ang), by + br * math.sin(ang)))
    p.setPen(Qt.PenStyle.NoPen)


def _paint_ball(p: QPainter, t: float, w: int, h: int, s: int) -> None:
    """A ball bouncing round the frame."""
    px = (0.5 + 0.42 * math.sin(1.3 * t)) * w
    py = (0.5 + 0.38 * math.cos(0.9 * t + 1.0)) * h
    rr = s * 0.05
    p.setBrush(QColor(230, 60, 40))
    p.drawEllipse(QPointF(px, py), rr, rr)
