"""What the live tab's worker runs (one frame through the chosen network), and the colour maps it
paints with. No widgets here."""

from __future__ import annotations

import threading
import time

import numpy as np

from desktopnn.ui.live.state import LiveParams


def colormap_lut(name: str) -> np.ndarray:
    """A ``(256, 3)`` uint8 lookup table for a colour map name."""
    if name == "grey":
        return np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    import pyqtgraph as pg

    cmap = pg.colormap.get(name)
    return np.ascontiguousarray(cmap.getLookupTable(0.0, 1.0, 256, alpha=False), dtype=np.uint8)


CLASSIFY_EVERY_S = 0.1     # the top-5 bars follow at 10 Hz: a classifier pass each frame cost ~10 %
                           # of a 320×240 frame, and bars changing faster than that are not readable


class LiveComputer:
    """Holds the networks (built in the worker thread on first use) and runs one frame.

    The classifier runs on its own slower cadence (:data:`CLASSIFY_EVERY_S`); frames in between carry
    the last probabilities of the same network. ``on_take``, if set, is called as a job starts on a
    frame (the demo source then paints the next one when it runs uncapped).
    """

    def __init__(self):
        self._nets: dict = {}
        self._luts: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._probs: tuple[str, float, object] | None = None    # (network, when, probabilities)
        self.on_take = None
        self.classify_every_s = CLASSIFY_EVERY_S

    def network(self, key: str):
        """The network ``key`` once it has been built (None before); safe from any thread."""
        with self._lock:
            return self._nets.get(key)

    def _get(self, key: str):
        with self._lock:
            net = self._nets.get(key)
        if net is None:
            from desktopnn.engine.live.networks import make_network

            net = make_network(key)      # may raise ValueError (damaged weights): reported by the worker
            with self._lock:
                self._nets[key] = net
        return net

    def lut(self, name: str) -> np.ndarray:
        if name not in self._luts:
            self._luts[name] = colormap_lut(name)
        return self._luts[name]

    def run(self, ctx, frame: np.ndarray, stamp: float, params: LiveParams, fresh: bool = False):
        """Worker job: one frame through the chosen network (see ``engine.live.run_frame``).

        ``ctx`` is the runner's JobContext: a shutdown or a newer frame's cancel stops between stages.
        ``fresh`` classifies this frame whatever the cadence (a frozen picture, a changed setting).
        """
        from desktopnn.engine.live.pipeline import run_frame

        if self.on_take is not None:
            self.on_take()
        net = self._get(params.network)
        ctx.check()
        layers = dict(net.layers())
        layer = params.layer if params.layer in layers else net.first_layer()
        last = self._probs
        classify = fresh or last is None or last[0] != params.network or \
            time.perf_counter() - last[1] >= self.classify_every_s
        result = run_frame(net, frame, layer, size=params.size, mode=params.normalise,
                           lut=self.lut(params.colormap), selected=params.selected, aspect=params.aspect,
                           stamp=stamp, check=ctx.check, classify=classify)
        if classify:
            self._probs = (params.network, time.perf_counter(), result.probs)
        elif net.class_names:
            result.probs = last[2]
        result.extra["layers"] = list(net.layers())
        result.extra["params"] = params
        result.extra["classified"] = classify
        return result
