"""The networks the live view can show (notes 2.2, 2.13): what each offers, layer by layer.

A :class:`LiveNetwork` names its layers with their channel counts, computes one layer's activations
for a frame, may classify it, explains a first-layer value with its arithmetic (notes 2.3) and gives
each layer's receptive field. Frames arrive as ``(H, W, 3)`` uint8 torch tensors already on the
compute device, at the inference size; activations stay on that device.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.convolution.explain import explain_conv, fmt_num
from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.engine.live.base import LiveNetwork  # noqa: F401 - the interface, also imported from here
from desktopnn.engine.live.weights import CATALOGUE

GRAY = torch.tensor([0.299, 0.587, 0.114])  # ITU-R 601 luma, as the Convolution lab


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

    def gray(self, frame: torch.Tensor | np.ndarray, dev: torch.device) -> torch.Tensor:
        x = frame if isinstance(frame, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(frame))
        x = x.to(dev).float()                              # (H, W, 3)
        return (x @ GRAY.to(dev)).round_()[None, None]     # (1, 1, H, W) whole numbers 0..255, as the lab

    def layer_maps(self, frame: np.ndarray, layer: str, dev: torch.device) -> torch.Tensor:
        if layer != "kernels":
            raise ValueError(f"the kernel bank has one layer, 'kernels', not {layer!r}")
        if dev.type not in self._on:
            self._on[dev.type] = (self._weight.to(dev), self._bias.to(dev))
        w, b = self._on[dev.type]
        maps = F.conv2d(self.gray(frame, dev), w, b, padding=1)
        if dev.type == "cpu":     # channels last, as the CNNs' maps: the mosaic's compiled loops read it once
            maps = maps.contiguous(memory_format=torch.channels_last)
        return maps[0]

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
        return self._to(dev).layer_output(frame, layer)[0]

    def nonnegative(self, layer):
        return True                 # every layer is a ReLU or a max pooling of one

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
    """The live network named ``key``: the kernel bank, the notes' CNN, or a trained ImageNet network.

    An ImageNet network loads its verified weights from the cache (a worker downloads them first with
    :func:`desktopnn.engine.live.weights.download_weights`); without them, a ValueError says what to do.
    """
    if key == KernelBankNetwork.key:
        return KernelBankNetwork()
    if key == NotesCNNNetwork.key:
        return NotesCNNNetwork()
    if key in CATALOGUE:
        from desktopnn.engine.live.imagenet import load_imagenet

        return load_imagenet(key)
    raise ValueError(f"unknown network {key!r}; choose one of {', '.join(NETWORK_TITLES)}")


NETWORK_TITLES = {KernelBankNetwork.key: KernelBankNetwork.title, NotesCNNNetwork.key: NotesCNNNetwork.title,
                  **{w.key: f"{w.title} (ImageNet)" for w in CATALOGUE.values()}}
