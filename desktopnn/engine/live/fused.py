"""The mosaic's two passes over a CPU layer as compiled loops (numba, already here for librosa).

The torch steps of :mod:`desktopnn.engine.live.mosaic` read a layer three or four times (block means,
lows, highs, the selected map) and its tiles four more times (scale, round, clamp, colour and place),
each a separate call that takes the GIL back in between. Here one loop reads the layer once and one
loop paints the canvas, both without the GIL (the UI thread and the camera run meanwhile). The
arithmetic is torch's, in the same order, so the results are bit-equal (tests/engine/live):

- block means as ``avg_pool2d`` on channels-last data: per tile pixel a float32 sum over the block's
  rows, then its columns, from 0, divided once by the block's size;
- tile levels as ``(x - low) * scale`` in float32, rounded half to even, clamped to 0..255, with
  ``scale`` as torch's ``255 / range``: the range's reciprocal, then times 255;
- the selected map's large picture as ``(x - low) / range * 255`` in float32, the range taken in
  double and rounded to float32 as a Python scalar is.

A map holding NaN is the exception: torch's lows and highs become NaN, these skip it.
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:         # pragma: no cover - numba comes with librosa; the torch steps still work
    numba = None


def _compiled(fn):
    """``fn`` compiled without the GIL, cached on disk where numba finds a writable place (a frozen or
    read-only install has none: then it compiles once per run, about a second, on the live worker)."""
    try:
        return numba.njit(nogil=True, cache=True)(fn)
    except RuntimeError:
        return numba.njit(nogil=True)(fn)


if numba is not None:
    @_compiled
    def _scan(m, f, th, tw, sel, small, lo, hi, one):                     # pragma: no cover - compiled
        h, w, c = m.shape
        small[:] = 0.0
        lo[:] = np.inf
        hi[:] = -np.inf
        for y in range(h):
            ty = y // f
            for x in range(w):
                tx = x // f
                row = m[y, x]
                if ty < th and tx < tw:
                    acc = small[ty, tx]
                    for k in range(c):
                        v = row[k]
                        acc[k] += v
                        if v < lo[k]:
                            lo[k] = v
                        if v > hi[k]:
                            hi[k] = v
                else:
                    for k in range(c):
                        v = row[k]
                        if v < lo[k]:
                            lo[k] = v
                        if v > hi[k]:
                            hi[k] = v
                one[y, x] = row[sel]
        n = np.float32(f * f)
        for ty in range(th):
            for tx in range(tw):
                acc = small[ty, tx]
                for k in range(c):
                    acc[k] = acc[k] / n

    @_compiled
    def _paint(small, lo, hi, lut, canvas, cols, th, tw, gap, gapword):   # pragma: no cover - compiled
        c = small.shape[2]
        scale = np.empty(c, np.float32)
        for i in range(c):                         # 255 over each range, as torch: reciprocal, then × 255
            d = hi[i] - lo[i] if hi[i] > lo[i] else np.float32(1)
            scale[i] = (np.float32(1) / d) * np.float32(255)
        level = np.empty((tw, c), np.int32)
        rows = canvas.shape[0] // (th + gap)
        for ty in range(th):
            for tx in range(tw):                   # every map's level at this tile pixel
                px = small[ty, tx]
                lv = level[tx]
                for i in range(c):                 # contiguous: vectorised
                    v = np.rint((px[i] - lo[i]) * scale[i])
                    lv[i] = np.int32(min(max(v, np.float32(0)), np.float32(255)))
            for r in range(rows):                  # then row ty of every tile, left to right, with its gaps
                line = canvas[r * (th + gap) + ty]
                for k in range(cols):
                    i = r * cols + k
                    ox = k * (tw + gap)
                    if i < c:
                        for tx in range(tw):
                            line[ox + tx] = lut[level[tx, i]]
                        for x in range(ox + tw, ox + tw + gap):
                            line[x] = gapword
                    else:                          # an empty cell of the last row
                        for x in range(ox, ox + tw + gap):
                            line[x] = gapword
        for r in range(rows):                      # the gap under each row of tiles
            for y in range(r * (th + gap) + th, (r + 1) * (th + gap)):
                line = canvas[y]
                for x in range(line.shape[0]):
                    line[x] = gapword

    @_compiled
    def _colour_one(one, lo, d, lut, out):                                # pragma: no cover - compiled
        h, w = one.shape
        for y in range(h):
            for x in range(w):
                v = np.rint(((one[y, x] - lo) / d) * np.float32(255))
                out[y, x] = lut[np.int32(min(max(v, np.float32(0)), np.float32(255)))]


def available() -> bool:
    return numba is not None


def scan(hwc: np.ndarray, factor: int, sel: int, one: np.ndarray):
    """One read of an ``(H, W, C)`` float32 layer: its ``(th, tw, C)`` block means, lows and highs ``(C,)``,
    and channel ``sel`` copied into ``one`` ``(H, W)``."""
    h, w, c = hwc.shape
    th, tw = h // factor, w // factor
    small = np.empty((th, tw, c), np.float32)
    lo = np.empty(c, np.float32)
    hi = np.empty(c, np.float32)
    _scan(hwc, factor, th, tw, sel, small, lo, hi, one)
    return small, lo, hi


def paint(small: np.ndarray, lo: np.ndarray, hi: np.ndarray, lut32: np.ndarray, canvas: np.ndarray,
          cols: int, gap: int, gapword) -> None:
    """Each map's tile levels (between its ``lo`` and ``hi``) looked up in ``lut32`` and written into its
    cell of ``canvas`` (uint32, ``rows·(th+gap)`` × ``cols·(tw+gap)``, uninitialised), every gap and empty
    cell set to ``gapword``, one canvas row at a time."""
    th, tw, _c = small.shape
    _paint(small, lo, hi, lut32, canvas, cols, th, tw, gap, np.uint32(gapword))


def colour_one(one: np.ndarray, lo: float, hi: float, lut32: np.ndarray) -> np.ndarray:
    """One ``(H, W)`` float32 map scaled between ``lo`` and ``hi`` to 0..255 and coloured, in one pass:
    ``(H, W)`` uint32 words. The steps are torch's ``(x - lo) / (hi - lo) · 255``, rounded half to even
    and clamped, in float32 with ``hi - lo`` taken in double as Python does (bit-equal)."""
    out = np.empty(one.shape, np.uint32)
    d = hi - lo if hi > lo else 1.0
    _colour_one(one, np.float32(lo), np.float32(d), lut32, out)
    return out
