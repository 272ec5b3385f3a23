"""The ideal input of a unit (notes 2.2, 2.13): a picture made by gradient ascent so that the unit
answers as strongly as it can (activation maximisation, as in the Deep Visualization Toolbox).

The picture is small: the unit's receptive field with a margin around it, the unit at its centre.
Starting from grey with a little seeded noise, each step nudges every pixel along the gradient of the
unit's value before its activation (a ReLU that is off has no gradient to follow), scaled so the
largest change is ``rate``; three regularisers keep it a picture rather than noise: the picture is
shifted by a few random pixels before each step (jitter), blurred a little every few steps, and
pulled slightly back to grey (decay). Values stay in 0..1. Each step costs one forward and one
backward pass of the picture, so the deep layers of the big networks, whose receptive fields are
hundreds of pixels wide, are refused above ``max_size`` (see :func:`ideal_input_layers`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.live.base import LiveNetwork
from desktopnn.engine.live.gradients import differentiable
from desktopnn.engine.live.units import compute_device, receptive_box

MAX_SIZE = 128          # pixels: a few hundred steps at this size take seconds on two CPU cores


@dataclass(frozen=True)
class IdealInput:
    """The picture a unit answers to most, with the unit's value before and after."""

    image: np.ndarray                   # (S, S, 3) uint8
    box: tuple[int, int, int, int]      # the unit's receptive field in the picture: top, left, bottom, right
    start: float                        # the unit's value (before its activation) for the starting picture
    value: float                        # … and for the result
    steps: int


def ideal_size(net: LiveNetwork, layer: str) -> int:
    """The side of the picture: the receptive field and two strides' margin on each side (at least 16)."""
    jump, size, _offset = net.receptive_field(layer)
    return max(16, size + 4 * max(jump, 2))


def ideal_input_layers(net: LiveNetwork, max_size: int = MAX_SIZE) -> list[str]:
    """The layers whose ideal input is small enough to compute here."""
    return [name for name, _c in net.layers() if ideal_size(net, name) <= max_size]


def _blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """A 3×3 Gaussian blur of each colour (reflecting at the edges)."""
    t = torch.arange(-1, 2, dtype=x.dtype, device=x.device)
    k1 = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = (k1[:, None] * k1[None, :]) / k1.sum() ** 2
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), k.expand(3, 1, 3, 3), groups=3)


def _as_image(x: torch.Tensor) -> np.ndarray:
    return (x[0].permute(1, 2, 0) * 255).round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def _centre_unit(net, layer, side, rows, cols) -> tuple[int, int]:
    """The output position whose receptive field is centred nearest the picture's centre."""
    jump, size, offset = net.receptive_field(layer)
    centre = (side - 1) / 2 - offset - (size - 1) / 2
    r = int(round(centre / jump))
    return min(max(r, 0), rows - 1), min(max(r, 0), cols - 1)


# long: one loop of gradient ascent with its three regularisers reads best in one place
def ideal_input(net: LiveNetwork, layer: str, channel: int, steps: int = 200, seed: int = 0, progress=None,
                every: int = 10, rate: float = 0.03, jitter: int | None = None, blur_every: int = 4,
                sigma: float = 0.5, decay: float = 0.002, max_size: int = MAX_SIZE, dev=None) -> IdealInput:
    """Gradient ascent on a small picture for ``channel`` of ``layer`` (see the module's docstring).

    ``progress(fraction, image)`` is called every ``every`` steps and at the end with the picture so
    far (``(S, S, 3)`` uint8); whatever it raises stops the ascent and is raised from here (cancel).
    """
    side = ideal_size(net, layer)
    if side > max_size:
        usable = ideal_input_layers(net, max_size)
        choice = f"choose {usable[-1]} or an earlier layer" if usable else "this network's layers are all too wide"
        raise ValueError(f"{layer} sees {net.receptive_field(layer)[1]} pixels at once, so its ideal input would "
                         f"take minutes on this computer; {choice}")
    dev = compute_device(dev)
    diff = differentiable(net)
    gen = torch.Generator().manual_seed(seed)
    x = (0.5 + 0.05 * torch.randn(1, 3, side, side, generator=gen)).clamp(0, 1).to(dev)
    jitter = max(1, min(4, net.receptive_field(layer)[1] // 8)) if jitter is None else jitter

    def value(pic: torch.Tensor) -> torch.Tensor:
        maps, _ = diff.forward(pic, [layer], pre=[layer])
        one = maps[layer]                                                     # (1, C, h, w)
        if not 0 <= channel < one.shape[1]:
            raise ValueError(f"map {channel + 1} does not exist; {layer} has {one.shape[1]}")
        row, col = _centre_unit(net, layer, side, one.shape[2], one.shape[3])
        return one[0, channel, row, col]

    with torch.inference_mode(False):
        with torch.no_grad():
            start = float(value(x))
        for step in range(steps):
            dy, dx = (int(v) for v in torch.randint(-jitter, jitter + 1, (2,), generator=gen))
            with torch.enable_grad():
                q = x.detach().requires_grad_(True)
                (grad,) = torch.autograd.grad(value(torch.roll(q, (dy, dx), (2, 3))), q)
            with torch.no_grad():
                top = grad.abs().max()
                x = x + rate * grad / top if top > 0 else x
                x = 0.5 + (x - 0.5) * (1 - decay)
                if blur_every and (step + 1) % blur_every == 0:
                    x = _blur(x, sigma)
                x = x.clamp(0, 1)
            if progress is not None and ((step + 1) % every == 0 or step + 1 == steps):
                progress((step + 1) / steps, _as_image(x))
        with torch.no_grad():
            final = float(value(x))
    with torch.no_grad():
        maps, _ = diff.forward(x, [layer])
    row, col = _centre_unit(net, layer, side, maps[layer].shape[2], maps[layer].shape[3])
    return IdealInput(_as_image(x), receptive_box(net, layer, row, col, (side, side)), start, final, steps)
