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
from desktopnn.engine.convolution.explain import explain_conv, fmt_num
from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.engine.live.mosaic import MosaicLayout, build_mosaic, colorize, lut_rgba

RESOLUTIONS = [(160, 120), (320, 240), (640, 480)]
GRAY = torch.tensor([0.299, 0.587, 0.114])  # ITU-R 601 luma, as the Convolution lab


def resize_frame(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` ``(H, W, 3)`` uint8 scaled to ``size`` = (width, height); area average when shrinking."""
    w, h = size
    if frame.shape[0] == h and frame.shape[1] == w:
        return np.ascontiguousarray(frame)
    x = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1)[None].float()  # (1, 3, H, W)
    mode = "area" if frame.shape[0] >= h and frame.shape[1] >= w else "bilinear"
    y = F.interpolate(x, size=(h, w), mode=mode, **({} if mode == "area" else {"align_corners": False}))
    return y[0].permute(1, 2, 0).round_().clamp_(0, 255).to(torch.uint8).numpy()


# ---- networks ------------------------------------------------------------------------------
class LiveNetwork:
    """What the live view needs from a network: its layers, their maps, maybe classes."""

    key = "network"
    title = "Network"
    about = ""
    class_names: list[str] | None = None

    def layers(self) -> list[tuple[str, int]]:
        raise NotImplementedError

    def layer_maps(self, frame: np.ndarray, layer: str, dev: torch.device) -> torch.Tensor:
        """``(C, H', W')`` float32 activations of ``layer`` for an ``(H, W, 3)`` uint8 frame."""
        raise NotImplementedError

    def classify(self, frame: np.ndarray, dev: torch.device) -> np.ndarray | None:
        return None

    def first_layer(self) -> str:
        return self.layers()[0][0]

    def explain(self, frame: np.ndarray, channel: int, row: int, col: int) -> tuple[list[str], float]:
        """The arithmetic of first-layer output ``(row, col)`` of ``channel`` (notes 2.3)."""
        raise NotImplementedError

    def map_title(self, layer: str, channel: int) -> str:
        return f"{layer} · map {channel + 1}"

    def receptive_field(self, layer: str) -> tuple[int, int, int]:
        """(jump, size, offset): output (r, c) of ``layer`` sees input rows ``r·jump + offset`` … ``+ size − 1``."""
        return 1, 1, 0


def _short(v: float) -> str:
    """A factor in the worked arithmetic: 3 significant digits keep the lines readable on a projector."""
    return fmt_num(v, 3)


def _total(v: float) -> str:
    return fmt_num(v, 5)


class KernelBankNetwork(LiveNetwork):
    """The Convolution lab's 3×3 kernel presets on the grey frame, padding 'same', no ReLU (notes 2.2)."""

    key = "kernels"
    title = "Convolution lab kernels"
    about = "each preset kernel slides over the grey picture (0–255); one feature map per kernel"

    def __init__(self):
        self.kernels = [k for k in KERNEL_PRESETS.values() if k.values.shape == (3, 3)]
        bank = np.stack([k.values for k in self.kernels])[:, None]  # (K, 1, 3, 3)
        self._weight = torch.from_numpy(bank).float()
        self._bias = torch.tensor([k.bias for k in self.kernels], dtype=torch.float32)
        self._on: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}

    def layers(self) -> list[tuple[str, int]]:
        return [("kernels", len(self.kernels))]

    def gray(self, frame: np.ndarray, dev: torch.device) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(frame)).to(dev).float()  # (H, W, 3)
        return (x @ GRAY.to(dev)).round_()[None, None]     # (1, 1, H, W) whole numbers 0..255, as the lab

    def layer_maps(self, frame: np.ndarray, layer: str, dev: torch.device) -> torch.Tensor:
        if layer != "kernels":
            raise ValueError(f"the kernel bank has one layer, 'kernels', not {layer!r}")
        if dev.type not in self._on:
            self._on[dev.type] = (self._weight.to(dev), self._bias.to(dev))
        w, b = self._on[dev.type]
        return F.conv2d(self.gray(frame, dev), w, b, padding=1)[0]

    def explain(self, frame, channel, row, col):
        gray = self.gray(frame, torch.device("cpu"))[0, 0].numpy().astype(np.float64)
        k = self.kernels[channel]
        ex = explain_conv(gray, k.values, k.bias, row, col, padding=1)
        terms = " + ".join(f"{_short(x)}×{_short(w)}" for x, w in zip(ex.window.ravel(), ex.kernel.ravel()))
        lines = [f"{k.name} at row {row}, column {col}:", f"{terms} = {_total(ex.total)}"]
        return lines, ex.total

    def map_title(self, layer, channel):
        return self.kernels[channel].name

    def receptive_field(self, layer):
        return 1, 3, -1      # 3×3, padding 1


class NotesCNNNetwork(LiveNetwork):
    """The notes' 2.13 CNN with its shipped weights; convolutional base over the whole frame."""

    key = "notes_cnn"
    title = "Notes CNN (2.13)"
    about = "trained on ten drawn shapes; the dense head sees the centre square at 32×32"

    def __init__(self, model=None):
        from desktopnn.engine.cnn.notes_cnn import load_notes_cnn

        self.model = model if model is not None else load_notes_cnn()
        self.class_names = list(self.model.class_names)

    def _to(self, dev: torch.device):
        if next(self.model.parameters()).device != dev:
            # run_frame calls this under inference_mode: moving there would turn the weights into
            # inference tensors that autograd refuses ever after (seen on CUDA: the model could no
            # longer be used with gradients); move them as ordinary tensors
            with torch.inference_mode(False), torch.no_grad():
                self.model.to(dev)
                if dev.type == "cpu":
                    self.model.to(memory_format=torch.channels_last)
        return self.model

    def layers(self):
        return list(self.model.layer_channels().items())

    def layer_maps(self, frame, layer, dev):
        if layer not in self.model.layer_channels():
            raise ValueError(f"{self.title} has no layer {layer!r}; choose one of {', '.join(self.model.layer_names())}")
        return self._to(dev).activations(frame, until=layer)[layer][0]

    def receptive_field(self, layer):
        jump, size, offset = 1, 1, 0
        for name in self.model.layer_names():
            if name.startswith("conv"):
                conv = getattr(self.model, name)
                size += (conv.kernel_size[0] - 1) * jump
                offset -= conv.padding[0] * jump
            else:                                    # 2×2 max pooling, stride 2
                size += jump
                jump *= 2
            if name == layer:
                break
        return jump, size, offset

    def classify(self, frame, dev):
        from desktopnn.engine.cnn.notes_cnn import center_crop

        return self._to(dev).classify(center_crop(frame, self.model.input_size))[0]

    def explain(self, frame, channel, row, col):
        conv = self.model.conv1
        kernel = conv.weight[channel].detach().cpu().permute(1, 2, 0).double().numpy()  # (3, 3, 3) HWC
        bias = float(conv.bias[channel].detach())
        image = frame.astype(np.float64) / 255.0
        ex = explain_conv(image, kernel, bias, row, col, padding="valid")
        lines = [f"conv1 map {channel + 1} at row {row}, column {col} (input 0..1):"]
        for c, name in enumerate("RGB"):
            terms = " + ".join(f"{_short(x)}×{_short(w)}" for x, w in zip(ex.window[:, :, c].ravel(), ex.kernel[:, :, c].ravel()))
            lines.append(f"{name}: {terms} = {_total(ex.channel_sums[c])}")
        value = max(ex.total, 0.0)
        lines.append(" + ".join(_total(s) for s in ex.channel_sums) + f" + {_total(bias)} (bias) = {_total(ex.total)}"
                     f" → ReLU → {_total(value)}")
        return lines, value


def make_network(key: str) -> LiveNetwork:
    if key == KernelBankNetwork.key:
        return KernelBankNetwork()
    if key == NotesCNNNetwork.key:
        return NotesCNNNetwork()
    raise ValueError(f"unknown network {key!r}; choose 'kernels' or 'notes_cnn'")


NETWORK_TITLES = {KernelBankNetwork.key: KernelBankNetwork.title, NotesCNNNetwork.key: NotesCNNNetwork.title}


# ---- one frame ------------------------------------------------------------------------------
@dataclass
class LiveFrame:
    """Everything the view draws for one frame."""

    network: str
    layer: str
    input: np.ndarray            # (h, w, 3) uint8 at the inference resolution
    maps: torch.Tensor           # (C, H', W') float32 on the compute device, full resolution (hover values)
    mosaic: np.ndarray           # (H, W, 4) uint8 RGBA, coloured
    layout: MosaicLayout
    factor: int
    lows: np.ndarray
    highs: np.ndarray
    selected: int
    large: np.ndarray            # (H', W', 4) uint8 RGBA: the selected map, coloured
    probs: np.ndarray | None = None
    class_names: list[str] | None = None
    compute_ms: float = 0.0
    stamp: float = 0.0           # when the frame was captured (time.perf_counter)
    extra: dict = field(default_factory=dict)

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


def run_frame(net: LiveNetwork, frame: np.ndarray, layer: str, size: tuple[int, int] = (320, 240),
              mode: str = "map", lut: np.ndarray | None = None, selected: int = 0, aspect: float = 1.5,
              fill=(0, 0, 0), stamp: float = 0.0, classify: bool = True, check=None) -> LiveFrame:
    """One frame through ``net`` up to ``layer``; see :class:`LiveFrame`.

    ``check``, if given, is called between stages and may raise to abandon the frame (a worker being
    shut down stops within one stage instead of one whole frame).
    """
    check = check or (lambda: None)
    t0 = time.perf_counter()
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"a frame must be (height, width, 3) uint8; got {frame.shape} {frame.dtype}")
    small = resize_frame(frame, size)
    lut = lut if lut is not None else np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    lut32 = lut_rgba(lut, fill)

    def compute(dev: torch.device):
        with torch.inference_mode():
            maps = net.layer_maps(small, layer, dev).float()
            check()
            probs = net.classify(small, dev) if classify else None
            check()
            mosaic, layout, factor, lo, hi = build_mosaic(maps, mode, aspect=aspect)
            sel = min(max(selected, 0), maps.shape[0] - 1)
            one = maps[sel]
            a, b = (float(lo[sel]), float(hi[sel]))
            big = ((one - a) / (b - a if b > a else 1.0) * 255).round_().clamp_(0, 255).to(torch.uint8).cpu().numpy()
            # the maps stay on the compute device: copying every map back each frame cost more than
            # the network itself on an H100 (117 MB at 1280x720); a hover reads one value
            return maps, probs, mosaic, layout, factor, lo, hi, sel, big

    threads = torch.get_num_threads()
    want = live_threads()
    if threads != want:
        torch.set_num_threads(want)      # for this (worker) thread's parallel regions; restored below
    try:
        maps, probs, mosaic, layout, factor, lo, hi, sel, big = run_with_oom_fallback(compute)
    finally:
        if threads != want:
            torch.set_num_threads(threads)
    return LiveFrame(network=net.key, layer=layer, input=small, maps=maps,
                     mosaic=colorize(mosaic, lut32), layout=layout, factor=factor,
                     lows=lo, highs=hi, selected=sel, large=colorize(big, lut32), probs=probs,
                     class_names=net.class_names, compute_ms=(time.perf_counter() - t0) * 1000, stamp=stamp)

