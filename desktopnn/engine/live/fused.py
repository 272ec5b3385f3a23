"""The mosaic's two passes over a CPU layer as compiled loops (numba, already here for librosa).

The torch steps of :mod:`desktopnn.engine.live.mosaic` read a layer three or four times (block means,
lows, highs, the selected map) and its tiles four more times (scale, round, clamp, colour and place),
each a separate call that takes the GIL back in between. Here one loop reads the layer once and one
loop paints the canvas, both without the GIL (the UI thread and the camera run meanwhile). The
arithmetic is torch's, in the same order, so the results are bit-equal (tests/engine/live):

- block means as ``avg_pool2d`` on channels-last data: per tile pixel a float32 sum over the block's
  rows, then its columns, from 0, divided once by the block's size;
- tile levels as ``(x - low) * scale`` in float32, rounded half to even, clamped to 0..255.

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
    def _paint(small, lo, scale, lut, canvas, cols, th, tw, gap):          # pragma: no cover - compiled
        c = small.shape[2]
        oy = np.empty(c, np.int64)
        ox = np.empty(c, np.int64)
        for i in range(c):
            oy[i] = (i // cols) * (th + gap)
            ox[i] = (i % cols) * (tw + gap)
        level = np.empty(c, np.int64)
        for ty in range(th):
            for tx in range(tw):
                px = small[ty, tx]
                for i in range(c):                 # contiguous: vectorised
                    v = np.rint((px[i] - lo[i]) * scale[i])
                    level[i] = int(min(max(v, np.float32(0)), np.float32(255)))
                for i in range(c):
                    canvas[oy[i] + ty, ox[i] + tx] = lut[level[i]]

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


def paint(small: np.ndarray, lo: np.ndarray, scale: np.ndarray, lut32: np.ndarray, canvas: np.ndarray,
          cols: int, gap: int) -> None:
    """Each map's tile levels looked up in ``lut32`` and written into its cell of ``canvas`` (uint32)."""
    th, tw, _c = small.shape
    _paint(small, lo, scale, lut32, canvas, cols, th, tw, gap)
