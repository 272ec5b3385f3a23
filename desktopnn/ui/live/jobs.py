"""What the live tab's worker runs (one frame through the chosen network), and the colour maps it
paints with. No widgets here."""

from __future__ import annotations

import threading
import time

import numpy as np

from desktopnn.ui.live.state import CAM_EVERY_S, LiveParams


def colormap_lut(name: str) -> np.ndarray:
    """A ``(256, 3)`` uint8 lookup table for a colour map name."""
    if name == "grey":
        return np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    import pyqtgraph as pg

    cmap = pg.colormap.get(name)
    return np.ascontiguousarray(cmap.getLookupTable(0.0, 1.0, 256, alpha=False), dtype=np.uint8)


CLASSIFY_EVERY_S = 0.1     # the top-5 bars follow at 10 Hz: a classifier pass each frame cost ~10 %
                           # of a 320×240 frame, and bars changing faster than that are not readable
CLASSIFY_SHARE = 0.2       # a slow classifier waits so that it takes at most this share of the worker:
                           # VGG-16's top-5 pass takes 220 ms on one core, and at a 0.1-s cadence it
                           # ran on every frame (4 frames per second); now it runs every ~1.1 s


class LiveComputer:
    """Holds the networks (built in a worker on first use) and runs one frame.

    The classifier runs on its own slower cadence (:data:`CLASSIFY_EVERY_S`, longer for a classifier
    slower than :data:`CLASSIFY_SHARE` of the worker allows), Grad-CAM on another
    (:data:`~desktopnn.ui.live.state.CAM_EVERY_S`); frames in between carry the last result of the same
    network. ``on_take``, if set, is called as a job starts on a frame (the demo source then paints the
    next one when it runs uncapped).
    """

    def __init__(self):
        self._nets: dict = {}
        self._luts: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._probs: tuple[str, float, object] | None = None    # (network, when, probabilities)
        self._classify_s = 0.0                                   # how long the last classification took
        self._cam: tuple[str, float, object] | None = None      # (network, when, GradCam)
        self._labels: dict = {}
        self.on_take = None
        self.classify_every_s = CLASSIFY_EVERY_S
        self.frame_threads = None     # engine.live.pipeline.FrameThreads, made in the worker (it needs torch)

    def network(self, key: str):
        """The network ``key`` once it has been built (None before); safe from any thread."""
        with self._lock:
            return self._nets.get(key)

    def add_network(self, key: str, net) -> None:
        """A network built elsewhere (the weights worker loads a real network off the live worker)."""
        with self._lock:
            self._nets[key] = net

    def use_random_weights(self, key: str) -> None:
        """An ImageNet network with seeded random weights (the benchmark, where none are downloaded)."""
        from desktopnn.engine.live.imagenet import random_imagenet

        self.add_network(key, random_imagenet(key))

    def first_layer(self, key: str) -> str:
        return self._get(key).first_layer()

    def _get(self, key: str):
        with self._lock:
            net = self._nets.get(key)
        if net is None:
            from desktopnn.engine.live.networks import make_network

            net = make_network(key)      # may raise ValueError (damaged weights): reported by the worker
            self.add_network(key, net)
        return net

    def classify_interval(self) -> float:
        """Seconds between classifications: :attr:`classify_every_s`, or for a slow classifier long
        enough that it takes at most :data:`CLASSIFY_SHARE` of the worker's time."""
        return max(self.classify_every_s, self._classify_s * (1 - CLASSIFY_SHARE) / CLASSIFY_SHARE)

    def lut(self, name: str) -> np.ndarray:
        if name not in self._luts:
            self._luts[name] = colormap_lut(name)
        return self._luts[name]

    def layer_labels(self, net, size: tuple[int, int]) -> list[tuple[str, str]]:
        """(layer, what the picker shows): name, maps, their size at ``size`` and how much each unit sees."""
        key = (net.key, tuple(size))
        if key not in self._labels:
            out = []
            for name, count in net.layers():
                text = f"{name} · {count} maps"
                if hasattr(net, "layer_shape"):
                    _c, h, w = net.layer_shape(name, size)
                    text += f" of {w}×{h}"
                rf = net.receptive_field(name)[1]
                out.append((name, text + (f" · sees {rf}×{rf} px" if rf > 1 else "")))
            self._labels[key] = out
        return self._labels[key]

    # long: one frame's whole journey (network, classifier and Grad-CAM cadences, strongest unit) in order
    def run(self, ctx, frame: np.ndarray, stamp: float, params: LiveParams, fresh: bool = False):
        """Worker job: one frame through the chosen network (see ``engine.live.run_frame``).

        ``ctx`` is the runner's JobContext: a shutdown or a newer frame's cancel stops between stages.
        ``fresh`` classifies this frame whatever the cadence (a frozen picture, a changed setting).
        """
        from desktopnn.engine.live.pipeline import FrameThreads, run_frame

        if self.frame_threads is None:
            self.frame_threads = FrameThreads()
        if self.on_take is not None:
            self.on_take()
        net = self._get(params.network)
        ctx.check()
        layers = dict(net.layers())
        layer = params.layer if params.layer in layers else net.first_layer()
        last = self._probs
        now = time.perf_counter()
        classify = bool(net.class_names) and (fresh or last is None or last[0] != params.network
                                              or now - last[1] >= self.classify_interval())
        cost_key = (params.network, layer, tuple(params.size))
        threads = self.frame_threads.threads(cost_key)
        result = run_frame(net, frame, layer, size=params.size, mode=params.normalise,
                           lut=self.lut(params.colormap), selected=params.selected, aspect=params.aspect,
                           stamp=stamp, check=ctx.check, classify=classify, frame_threads=threads)
        self.frame_threads.record(cost_key, result.stages["network_ms"])
        if classify:
            self._probs = (params.network, now, result.probs)
            self._classify_s = result.stages.get("classify_ms", 0.0) / 1000
        elif net.class_names and last is not None and last[0] == params.network:
            result.probs = last[2]
        result.extra.update(layers=list(net.layers()), layer_labels=self.layer_labels(net, params.size),
                            params=params, classified=classify,
                            strongest=strongest_of(net, layer, result))
        if params.gradcam and net.class_names:
            ctx.check()
            result.extra["overlay"] = self._overlay(net, result, fresh, params.colormap)
        return result

    def _overlay(self, net, result, fresh: bool, colormap: str):
        """The input with Grad-CAM of the top class over it; Grad-CAM recomputed on its own cadence."""
        from desktopnn.engine.live.units import cam_overlay, grad_cam

        last = self._cam
        now = time.perf_counter()
        if fresh or last is None or last[0] != net.key or now - last[1] >= CAM_EVERY_S or \
                last[2].cam.shape != result.input.shape[:2]:
            target = int(np.argmax(result.probs)) if result.probs is not None else None
            cam = grad_cam(net, result.input, net.layers()[-1][0], target=target)
            self._cam = last = (net.key, now, cam)
        result.extra["cam"] = last[2]
        return cam_overlay(result.input, last[2].cam, self.lut(colormap), 0.55)


def strongest_of(net, layer: str, lf):
    """The selected map's strongest response from the peak the pipeline found (no second read of it)."""
    from desktopnn.engine.live.units import Response, receptive_box

    row, col, value = lf.peak
    return Response(lf.selected, row, col, value, receptive_box(net, layer, row, col, lf.input.shape[:2]))


# ---- jobs of the other two workers: weights, and what a unit looks for ---------------------------
def prepare_network(ctx, key: str):
    """The trained ImageNet network ``key``: its weights verified in the cache, else downloaded (with
    progress and cancel), then loaded. Runs in the weights worker; the view keeps its network meanwhile."""
    from desktopnn.engine.live.imagenet import load_imagenet
    from desktopnn.engine.live.weights import download_weights, weights_status

    status = weights_status(key)
    path = status.path if status.ready else None
    if path is None:
        ctx.progress(0.0, "starting the download")
        path = download_weights(key, progress=lambda f, text: ctx.progress(max(f, 0.0), text),
                                should_stop=lambda: ctx.cancelled)
    ctx.check()
    ctx.progress(1.0, "loading the weights")
    return load_imagenet(key, path)


def saliency_method(net, layer: str) -> str:
    """Gradient × input on the first layer (its gradient is only the kernel, the same everywhere the map
    is active, so the product shows which pixels made the value); guided backpropagation deeper."""
    return "gradient_x_input" if layer == net.first_layer() else "guided"


def saliency_job(net, frame: np.ndarray, layer: str, channel: int, position) -> np.ndarray:
    """The saliency of one unit (a whole map, or its value at ``position``) for the frame, as a picture."""
    from desktopnn.engine.live.units import saliency, saliency_image

    return saliency_image(saliency(net, frame, layer, channel, position=position,
                                   method=saliency_method(net, layer)))


def ideal_job(ctx, net, layer: str, channel: int, steps: int):
    """The ideal input of a unit by gradient ascent; the picture so far comes back as progress."""
    from desktopnn.engine.live.ideal import ideal_input

    return ideal_input(net, layer, channel, steps=steps, progress=lambda f, image: ctx.progress(f, image))
