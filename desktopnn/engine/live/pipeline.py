"""The live feature-map pipeline (notes 2.2, 2.13): frame → network → one layer's maps → a mosaic.

Qt-free. A frame is a camera picture ``(H, W, 3)`` uint8. :func:`run_frame` resizes it to the
inference resolution, runs the chosen network up to the chosen layer on the engine's device (in
``channels_last`` memory under ``torch.inference_mode()``), tiles every channel of that layer into
one mosaic (normalised per map or per layer, coloured with a 256-entry lookup table) and, when the
network classifies, adds its softmax over a centre crop. The view only draws what comes back.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.device import run_with_oom_fallback
from desktopnn.engine.live import fused
from desktopnn.engine.live.mosaic import MosaicLayout, colorize, colour_mosaic, lut_argb32
from desktopnn.engine.live.networks import LiveNetwork

RESOLUTIONS = [(160, 120), (320, 240), (640, 480)]


def resize_frame(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` ``(H, W, 3)`` uint8 scaled to ``size`` = (width, height); area average when shrinking.

    A whole-number shrink (640×480 → 320×240, 1280×720 → 640×360) sums each block in integers and rounds
    half to even, exactly as ``F.interpolate(mode="area")`` on floats does, at a fraction of the cost
    (no float copy of the frame). Other sizes go through ``F.interpolate``.
    """
    w, h = size
    if frame.shape[0] == h and frame.shape[1] == w:
        return np.ascontiguousarray(frame)
    fy, fx = frame.shape[0] // h, frame.shape[1] // w
    if 1 < fy <= 16 and fy == fx and frame.shape[0] == h * fy and frame.shape[1] == w * fx:
        return _shrink_whole(frame, fy)
    x = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1)[None].float()  # (1, 3, H, W)
    mode = "area" if frame.shape[0] >= h and frame.shape[1] >= w else "bilinear"
    y = F.interpolate(x, size=(h, w), mode=mode, **({} if mode == "area" else {"align_corners": False}))
    return y[0].permute(1, 2, 0).round_().clamp_(0, 255).to(torch.uint8).numpy()


def _shrink_whole(frame: np.ndarray, f: int) -> np.ndarray:
    """Mean of every f×f block of a uint8 frame, rounded half to even (bit-equal to the float path).

    The f² strided sub-grids are added in uint16 (exact up to f = 16), then divided with the remainder
    deciding the rounding; at 640×480 → 320×240 this is about 1 ms against 6 for the float path.
    """
    h, w = frame.shape[0] // f, frame.shape[1] // f
    sums = np.zeros((h, w, 3), np.uint16)
    for dy in range(f):
        for dx in range(f):
            sums += frame[dy::f, dx::f]
    n = f * f
    q, r = np.divmod(sums, n)
    q += (2 * r > n) | ((2 * r == n) & (q & 1 == 1))                          # half to even, as round_()
    return q.astype(np.uint8)


# ---- one frame ------------------------------------------------------------------------------
@dataclass
class LiveFrame:
    """Everything the view draws for one frame."""

    network: str
    layer: str
    input: np.ndarray            # (h, w, 3) uint8 at the inference resolution
    maps: torch.Tensor           # (C, H', W') float32 on the compute device, full resolution (hover values)
    mosaic: np.ndarray           # (H, W, 4) uint8, coloured: Qt's premultiplied ARGB32 words (0xAARRGGBB), gaps clear
    layout: MosaicLayout
    factor: int
    lows: np.ndarray
    highs: np.ndarray
    selected: int
    large: np.ndarray            # (H', W', 4) uint8 ARGB32 words like ``mosaic``: the selected map, coloured
    probs: np.ndarray | None = None
    class_names: list[str] | None = None
    compute_ms: float = 0.0
    stamp: float = 0.0           # when the frame was captured (time.perf_counter)
    extra: dict = field(default_factory=dict)
    stages: dict = field(default_factory=dict)   # milliseconds per stage of the worker (see run_frame)
    peak: tuple[int, int, float] | None = None   # (row, column, value) of the selected map's largest value

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        if self.probs is None or not self.class_names:
            return []
        order = np.argsort(-self.probs)[:k]
        return [(self.class_names[i], float(self.probs[i])) for i in order]


def live_threads() -> int:
    """torch CPU threads for the live pipeline: all cores but one, which stays free for capture and drawing.

    Measured on 2 busy cores: 2 threads took 1.5 s a frame (the threads wait on each other while the
    UI thread draws), 1 thread 0.12 s. ``DESKTOPNN_LIVE_THREADS`` overrides.
    """
    env = os.environ.get("DESKTOPNN_LIVE_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 2) - 1)


HEAVY_NETWORK_MS = 20.0   # a network stage this slow on the live threads: the frame gets every core


def all_threads() -> int:
    """Every core: what a heavy frame gets (:class:`FrameThreads`); ``DESKTOPNN_LIVE_THREADS``, when
    set, holds every frame to its count."""
    if os.environ.get("DESKTOPNN_LIVE_THREADS", "").isdigit():
        return live_threads()
    return max(1, os.cpu_count() or 1)


class FrameThreads:
    """How many torch threads a frame of a (network, layer, size) runs on: the live threads
    (:func:`live_threads`) unless its network stage proves heavy, then every core.

    On 2 cores the live threads are 1, which keeps the other core for the UI thread; that suits a light
    network (the first layer at 320×240 is 2–4 ms: with 2 threads the uncapped view fell from 71 to 54
    frames per second). A deep layer at 640×480 (the notes' conv3: 2.3 G multiply-adds, 46 ms on one
    core) cannot keep up with the camera's 30 frames per second on one core, while the UI thread needs
    only ~5 ms a frame of the other: there both cores run the frame (measured in the app: conv3 at
    640×480 from 18.6 to 29.8 frames per second, its network from 46 to 24 ms; the network alone on
    two cores and the mosaic on one gave 27 ms and 27.3 frames per second). The choice is measured, not
    guessed: the first frames of each key run on the live threads and the median of their network
    times, the very first left out (oneDNN sets up its kernels then), decides (:data:`HEAVY_NETWORK_MS`).
    """

    SAMPLES = 4

    def __init__(self, heavy_ms: float | None = None):
        self.heavy_ms = HEAVY_NETWORK_MS if heavy_ms is None else heavy_ms
        self._seen: dict = {}

    def threads(self, key) -> int:
        """Threads for the next frame of ``key``."""
        seen = self._seen.get(key)
        if isinstance(seen, int):
            return seen
        return live_threads()

    def record(self, key, network_ms: float) -> None:
        """The network stage of a frame of ``key`` took ``network_ms`` on :meth:`threads` threads."""
        seen = self._seen.setdefault(key, [])
        if isinstance(seen, int):
            return
        seen.append(network_ms)
        if len(seen) > self.SAMPLES:          # the first frame of a key is slower (oneDNN sets up its kernels)
            heavy = float(np.median(seen[1:])) > self.heavy_ms
            self._seen[key] = all_threads() if heavy else live_threads()


_LUTS: dict = {}


def packed_lut(lut: np.ndarray | None) -> np.ndarray:
    """The colour map as Qt's ARGB32 words with a transparent gap (:func:`lut_argb32`), cached per map."""
    lut = lut if lut is not None else np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    key = lut.tobytes()
    if key not in _LUTS:
        if len(_LUTS) > 16:
            _LUTS.clear()
        _LUTS[key] = lut_argb32(lut)
    return _LUTS[key]


def run_frame(net: LiveNetwork, frame: np.ndarray, layer: str, size: tuple[int, int] = (320, 240),
              mode: str = "map", lut: np.ndarray | None = None, selected: int = 0, aspect: float = 1.5,
              stamp: float = 0.0, classify: bool = True, check=None, frame_threads: int | None = None
              ) -> LiveFrame:
    """One frame through ``net`` up to ``layer``; see :class:`LiveFrame`.

    ``classify=False`` skips the classifier (the view classifies on its own, slower cadence). ``check``,
    if given, is called between stages and may raise to abandon the frame (a worker being shut down
    stops within one stage instead of one whole frame). ``LiveFrame.stages`` holds each stage's
    milliseconds (resize, network, classify, mosaic); on CUDA the device works asynchronously, so a
    stage's time shows up where the result is first read. ``frame_threads`` (CPU) runs the frame on
    that many torch threads instead of :func:`live_threads` (see :class:`FrameThreads`).
    """
    check = check or (lambda: None)
    t0 = time.perf_counter()
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"a frame must be (height, width, 3) uint8; got {frame.shape} {frame.dtype}")
    small = resize_frame(frame, size)
    lut32 = packed_lut(lut)
    stages = {"resize_ms": (time.perf_counter() - t0) * 1000}

    def compute(dev: torch.device):
        with torch.inference_mode():
            t = time.perf_counter()
            x = torch.from_numpy(small).to(dev)          # (h, w, 3) uint8 on the device
            maps = net.layer_maps(x, layer, dev).float()
            t = _lap(stages, "network_ms", t)
            check()
            probs = net.classify(x, dev) if classify else None
            t = _lap(stages, "classify_ms", t)
            check()
            sel = min(max(selected, 0), maps.shape[0] - 1)
            one = torch.empty(maps.shape[1:], dtype=maps.dtype, device=maps.device)
            # the selected map (its large picture and its peak) is copied into ``one`` in the mosaic's read
            mosaic, layout, factor, lo, hi = colour_mosaic(maps, lut32, mode, aspect=aspect,
                                                           nonnegative=net.nonnegative(layer), keep=(sel, one))
            large = _colour_one(one, float(lo[sel]), float(hi[sel]), lut32)
            flat = int(torch.argmax(one))
            peak = (flat // one.shape[1], flat % one.shape[1], float(one.view(-1)[flat]))
            _lap(stages, "mosaic_ms", t)
            # the maps stay on the compute device: copying every map back each frame cost more than
            # the network itself on an H100 (117 MB at 1280x720); a hover reads one value
            return maps, probs, mosaic, layout, factor, lo, hi, sel, large, peak

    threads = torch.get_num_threads()
    want = frame_threads or live_threads()
    if threads != want:
        torch.set_num_threads(want)      # for this (worker) thread's parallel regions; restored below
    try:
        maps, probs, mosaic, layout, factor, lo, hi, sel, large, peak = run_with_oom_fallback(compute)
    finally:
        if threads != want:
            torch.set_num_threads(threads)
    return LiveFrame(network=net.key, layer=layer, input=small, maps=maps, mosaic=mosaic, layout=layout,
                     factor=factor, lows=lo, highs=hi, selected=sel, large=large, probs=probs,
                     class_names=net.class_names, compute_ms=(time.perf_counter() - t0) * 1000, stamp=stamp,
                     stages=stages, peak=peak)


def _lap(stages: dict, name: str, since: float) -> float:
    now = time.perf_counter()
    stages[name] = (now - since) * 1000
    return now


def _colour_one(one: torch.Tensor, lo: float, hi: float, lut32: np.ndarray) -> np.ndarray:
    """One ``(H, W)`` map scaled between ``lo`` and ``hi`` to 0..255 and coloured: ``(H, W, 4)`` uint8 RGBA.
    A float32 CPU map takes one compiled pass (:func:`fused.colour_one`, bit-equal to these steps)."""
    if fused.available() and one.device.type == "cpu" and one.dtype == torch.float32 and one.is_contiguous():
        words = fused.colour_one(one.numpy(), lo, hi, np.ascontiguousarray(lut32, np.uint32))
        return words.view(np.uint8).reshape(*words.shape, 4)
    u8 = torch.sub(one, lo).div_(hi - lo if hi > lo else 1.0).mul_(255).round_().clamp_(0, 255)
    u8 = u8.to(torch.uint8).cpu().numpy()
    return colorize(u8, lut32)
