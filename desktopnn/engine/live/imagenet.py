"""Real networks trained on ImageNet photographs in the live view: AlexNet, VGG-16, ResNet-18 and
MobileNetV3-Small from torchvision (notes 2.13, at full size).

Every convolutional layer can be shown (see :mod:`desktopnn.engine.live.graph` for what a layer
shows and how its receptive field is found). The maps are computed on the whole frame at the live
resolution: the convolutions slide over any size. The top-5 classes come from the evaluation crop
the published accuracy was measured on (torchvision's ``IMAGENET1K_V1`` transforms): the frame
scaled so its shorter side is 256 pixels (bilinear, antialiased), its centre 224×224 square, each
colour normalised as (value/255 − mean)/std with ImageNet's mean and standard deviation. The same
normalisation happens inside the network for the maps, so everything outside takes 0..255 frames.

torchvision is imported only when one of these networks is built; weights come from
:mod:`desktopnn.engine.live.weights`.
"""

from __future__ import annotations

import threading

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.engine.live.base import LiveNetwork
from desktopnn.engine.live.graph import ACTIVATIONS, ConvLayer, NetGraph
from desktopnn.engine.live.weights import WeightsFile, build_model, categories, read_weights, spec_of

MEAN = (0.485, 0.456, 0.406)     # ImageNet's per-colour mean and standard deviation (0..1 values)
STD = (0.229, 0.224, 0.225)
RESIZE, CROP = 256, 224          # the evaluation transform: shorter side 256, centre 224×224


_GUIDED = threading.local()       # set by grad_forward for its own thread only


def _positive(grad: torch.Tensor) -> torch.Tensor:
    return grad.clamp(min=0)


def _guide(module, inputs, output):
    """A forward hook on every activation: when guiding, only positive gradients pass back down."""
    if getattr(_GUIDED, "on", False) and output.requires_grad:
        output.register_hook(_positive)


class ImageNetNetwork(LiveNetwork):
    """A torchvision ImageNet classifier as a live network; see the module's docstring."""

    def __init__(self, spec: WeightsFile, model: nn.Module, trained: bool = True):
        self.spec = spec
        self.key = spec.key
        self.title = f"{spec.title} (ImageNet)"
        self.trained = trained
        self.about = (f"{spec.about}; trained on 1.28 million ImageNet photos in 1000 classes" if trained
                      else f"{spec.about}; random weights (untrained)")
        self.class_names = categories(spec)
        for m in model.modules():
            if hasattr(m, "inplace"):
                m.inplace = False        # an in-place activation would overwrite a map that gradients need
            if isinstance(m, ACTIVATIONS):
                m.register_forward_hook(_guide)   # a plain function: the model stays deep-copyable
        model.requires_grad_(False)      # gradients flow to pictures and maps, never to the weights
        self.model = model.eval()
        self.graph = NetGraph(model)
        self._layers = {layer.name: layer for layer in self.graph.layers}
        self._device: torch.device | None = None     # moved (and made channels last) on first use
        self._norm: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}

    # ---- what the live view lists ------------------------------------------------------
    def layers(self) -> list[tuple[str, int]]:
        return [(layer.name, layer.channels) for layer in self.graph.layers]

    def layer_info(self, layer: str) -> ConvLayer:
        if layer not in self._layers:
            raise ValueError(f"{self.title} has no layer {layer!r}; its layers are "
                             f"{self.graph.layers[0].name} … {self.graph.layers[-1].name}")
        return self._layers[layer]

    def layer_shape(self, layer: str, size: tuple[int, int] = (224, 224)) -> tuple[int, int, int]:
        """``(C, H', W')`` of ``layer`` for an input of ``size`` = (width, height)."""
        info = self.layer_info(layer)
        h, w = self.graph.spatial_sizes(size[1], size[0])[info.node]
        return info.channels, h, w

    def nonnegative(self, layer: str) -> bool:
        then = self.layer_info(layer).then
        return bool(then) and then[-1] in ("ReLU", "ReLU6")

    def receptive_field(self, layer: str) -> tuple[int, int, int]:
        return self.layer_info(layer).receptive_field

    def map_title(self, layer: str, channel: int) -> str:
        return f"{layer.split(' · ')[0]} · map {channel + 1}"

    # ---- computing ---------------------------------------------------------------------
    def _to(self, dev: torch.device) -> None:
        if self._device != dev:
            # outside inference_mode: weights moved inside it would refuse autograd ever after
            with torch.inference_mode(False), torch.no_grad():
                self.model.to(dev)
                if dev.type == "cpu":
                    self.model.to(memory_format=torch.channels_last)   # measured faster on the CPU
            self._device = dev

    def _normalised(self, x: torch.Tensor, scale: float) -> torch.Tensor:
        """``(1, 3, H, W)`` floats in 0..``scale`` → ImageNet-normalised, channels last on the CPU."""
        key = f"{x.device}/{scale}"
        if key not in self._norm:
            with torch.inference_mode(False):    # ordinary tensors: gradients may pass through them later
                std = torch.tensor(STD, device=x.device).view(1, 3, 1, 1)
                mean = torch.tensor(MEAN, device=x.device).view(1, 3, 1, 1)
                self._norm[key] = (1.0 / (scale * std), -mean / std)
        mul, add = self._norm[key]
        x = torch.addcmul(add, x, mul)
        return x.contiguous(memory_format=torch.channels_last) if x.device.type == "cpu" else x

    def frame_input(self, frame: torch.Tensor) -> torch.Tensor:
        """An ``(H, W, 3)`` uint8 frame → ``(1, 3, H, W)`` normalised network input on its device."""
        return self._normalised(frame.permute(2, 0, 1)[None].float(), 255.0)

    def layer_maps(self, frame: torch.Tensor, layer: str, dev: torch.device) -> torch.Tensor:
        info = self.layer_info(layer)
        self._to(dev)
        return self.graph.cut((info.node,))(self.frame_input(frame.to(dev)))[0][0]

    def classify(self, frame: torch.Tensor, dev: torch.device) -> np.ndarray:
        """Softmax over the 1000 classes for the evaluation crop of the frame (module docstring)."""
        self._to(dev)
        with torch.inference_mode():
            x = frame.to(dev).permute(2, 0, 1)[None]                       # (1, 3, H, W) uint8 0..255
            if x.device.type != "cpu":
                x = x.float()            # uint8 resizing is a CPU kernel (as torchvision's; 6× faster there)
            h, w = x.shape[-2:]
            size = (RESIZE, int(RESIZE * w / h)) if h <= w else (int(RESIZE * h / w), RESIZE)
            x = F.interpolate(x, size=size, mode="bilinear", align_corners=False, antialias=True)
            top, left = int(round((size[0] - CROP) / 2.0)), int(round((size[1] - CROP) / 2.0))
            x = x[:, :, top:top + CROP, left:left + CROP].float()
            logits = self.model(self._normalised(x, 255.0))
            return torch.softmax(logits[0].float(), 0).cpu().numpy()

    # ---- with gradients (what a unit looks for) ----------------------------------------
    def grad_forward(self, x: torch.Tensor, want=(), logits: bool = False, leaf: str | None = None,
                     guided: bool = False, pre=()) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """Differentiable forward of ``x`` ``(1, 3, H, W)`` in 0..1 to the layers in ``want``.

        Returns their maps (those in ``pre`` before their last activation) and, with ``logits``,
        the class scores of the whole picture. ``leaf`` cuts the autograd graph at that layer (its
        map then requires a gradient); ``guided`` makes every activation pass only positive gradients.
        """
        self._to(x.device)
        layers = [self.layer_info(name) for name in want]
        nodes = tuple(layer.pre_node if layer.name in pre else layer.node for layer in layers)
        nodes += (self.graph.logits_node,) if logits else ()
        cut = self.graph.cut(nodes, self.layer_info(leaf).node if leaf else None)
        _GUIDED.on = guided
        try:
            out = cut(self._normalised(x, 1.0))
        finally:
            _GUIDED.on = False
        return dict(zip(want, out)), (out[-1] if logits else None)

    # ---- the first layer's arithmetic (notes 2.3) --------------------------------------
    def explain(self, frame: np.ndarray, channel: int, row: int, col: int) -> tuple[list[str], float]:
        first = self.graph.layers[0]
        conv, *after = self.graph.chain_modules(first)
        k, s, p = first.kernel, first.stride, first.padding
        x = (np.asarray(frame, np.float64) / 255.0 - MEAN) / STD                       # (H, W, 3)
        x = np.pad(x, ((p, p), (p, p), (0, 0)))
        window = x[row * s:row * s + k, col * s:col * s + k]                          # (k, k, 3)
        if window.shape != (k, k, 3):
            raise ValueError(f"row {row}, column {col} is outside {first.name}'s map")
        kernel = conv.weight[channel].detach().cpu().double().permute(1, 2, 0).numpy()  # (k, k, 3)
        sums = (window * kernel).sum(axis=(0, 1))
        lines = [f"{first.name} map {channel + 1} at row {row}, column {col}: a {k}×{k} window (stride {s}, "
                 f"padding {p}) of the picture, each value (pixel/255 − mean)/std of its colour"]
        for c, name in enumerate("RGB"):
            terms = " + ".join(f"{fmt_num(a, 3)}×{fmt_num(b, 3)}" for a, b in
                               zip(window[:, :, c].ravel()[:3], kernel[:, :, c].ravel()[:3]))
            lines.append(f"{name}: {terms} + … ({k * k} products) = {fmt_num(sums[c], 5)}")
        value = float(sums.sum())
        total = " + ".join(fmt_num(v, 5) for v in sums)
        if conv.bias is not None:
            value += float(conv.bias[channel])
            total += f" + {fmt_num(float(conv.bias[channel]), 5)} (bias)"
        lines.append(f"{total} = {fmt_num(value, 5)}")
        for mod in after:
            value, line = _step(mod, channel, value)
            lines.append(line)
        return lines, value


def _step(mod: nn.Module, channel: int, value: float) -> tuple[float, str]:
    """One module after the first convolution, applied to one number, with its arithmetic."""
    if isinstance(mod, nn.BatchNorm2d):
        mean, var = float(mod.running_mean[channel]), float(mod.running_var[channel])
        gamma, beta = float(mod.weight[channel]), float(mod.bias[channel])
        out = (value - mean) / np.sqrt(var + mod.eps) * gamma + beta
        return out, (f"batch norm: ({fmt_num(value, 5)} − {fmt_num(mean, 4)}) / {fmt_num(np.sqrt(var + mod.eps), 4)}"
                     f" × {fmt_num(gamma, 4)} + {fmt_num(beta, 4)} = {fmt_num(out, 5)}")
    out = float(mod(torch.tensor([value], dtype=torch.float64))[0])
    return out, f"→ {type(mod).__name__} → {fmt_num(out, 5)}"


def load_imagenet(key: str | WeightsFile, path=None) -> ImageNetNetwork:
    """The trained network from its verified weights file (cache or torch.hub's); ValueError if none."""
    spec = spec_of(key)
    return ImageNetNetwork(spec, build_model(spec, read_weights(spec, path)), trained=True)


def random_imagenet(key: str | WeightsFile, seed: int = 0) -> ImageNetNetwork:
    """The architecture with seeded random weights (``weights=None``): for tests, no download."""
    spec = spec_of(key)
    return ImageNetNetwork(spec, build_model(spec, None, seed), trained=False)
