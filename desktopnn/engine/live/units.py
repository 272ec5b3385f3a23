"""What a unit looks for (notes 2.2, 2.13), for any live network: where it answers most strongly and
what part of the picture it sees there, which pixels move it (saliency), and which parts of the
picture a class or a unit rests on (Grad-CAM). Ideal inputs are in :mod:`desktopnn.engine.live.ideal`.

A unit here is one channel (feature map) of a layer. Pictures are ``(H, W, 3)`` uint8 frames; the
gradients are taken with respect to the picture in 0..1 (the frame divided by 255).

- **Strongest response**: the largest value of the channel's map, and the rectangle of input pixels
  its receptive field covers (clipped to the picture).
- **Saliency** (:func:`saliency`): the gradient of the unit's activation with respect to every input
  value. ``"guided"`` is guided backpropagation (Springenberg et al. 2015: every ReLU passes only
  positive gradients down, which keeps the edges and textures the unit wants and drops the rest);
  ``"gradient"`` the plain gradient; ``"gradient_x_input"`` the gradient times the input (for a
  linear unit without bias these sum to its value). The unit's activation is its whole map summed
  (where in the picture the feature is) or its value at one position (what that one unit sees).
- **Grad-CAM** (:func:`grad_cam`, Selvaraju et al. 2017): the target's gradient with respect to a
  layer's maps, averaged over each map, weights the maps; their weighted sum through a ReLU,
  scaled bilinearly to the picture, shows where the evidence for the target is. It is never
  negative, and it is zero everywhere when the target does not respond at all. The target is a
  class (the top one by default; the whole frame for the ImageNet networks, whose classifier pools
  over any size, the centre square for the notes' CNN, as it classifies) or a unit of a later layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.live.base import LiveNetwork
from desktopnn.engine.live.gradients import differentiable

SALIENCY_METHODS = ("guided", "gradient", "gradient_x_input")


@dataclass(frozen=True)
class Response:
    """A unit's strongest value on a frame and the input pixels its receptive field covers there."""

    channel: int
    row: int
    col: int
    value: float
    box: tuple[int, int, int, int]     # top, left, bottom, right (exclusive) in input pixels, clipped


def receptive_box(net: LiveNetwork, layer: str, row: int, col: int,
                  input_hw: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, bottom, right), bottom/right exclusive: the input pixels output (row, col) sees."""
    jump, size, offset = net.receptive_field(layer)
    h, w = input_hw
    top, left = row * jump + offset, col * jump + offset
    return max(top, 0), max(left, 0), min(top + size, h), min(left + size, w)


def strongest_response(net: LiveNetwork, layer: str, maps, channel: int, input_hw: tuple[int, int]) -> Response:
    """Where ``channel`` of ``maps`` ``(C, H', W')`` (one frame's, as the live view has them) is largest."""
    one = torch.as_tensor(maps[channel])                                  # (H', W')
    flat = int(torch.argmax(one))
    row, col = divmod(flat, one.shape[1])
    return Response(channel, row, col, float(one[row, col]), receptive_box(net, layer, row, col, input_hw))


def picture(frame, dev: torch.device) -> torch.Tensor:
    """An ``(H, W, 3)`` uint8 frame (numpy or torch) → ``(1, 3, H, W)`` float32 in 0..1 on ``dev``."""
    x = frame if isinstance(frame, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(frame))
    if x.ndim != 3 or x.shape[2] != 3:
        raise ValueError(f"a frame must be (height, width, 3); got {tuple(x.shape)}")
    return (x.to(dev).permute(2, 0, 1)[None].float() / 255.0).contiguous()


def compute_device(dev=None) -> torch.device:
    """``dev`` as a torch.device, or the engine's device when None."""
    if dev is not None:
        return torch.device(dev)
    from desktopnn.engine.device import get_device

    return get_device()


def _unit(maps: torch.Tensor, channel: int, position) -> torch.Tensor:
    """The unit's activation: its whole map summed, or its value at ``position`` (row, col)."""
    if not 0 <= channel < maps.shape[1]:
        raise ValueError(f"map {channel + 1} does not exist; this layer has {maps.shape[1]}")
    if position is None:
        return maps[0, channel].sum()
    row, col = position
    if not (0 <= row < maps.shape[2] and 0 <= col < maps.shape[3]):
        raise ValueError(f"row {row}, column {col} is outside the {maps.shape[2]}×{maps.shape[3]} map")
    return maps[0, channel, row, col]


def saliency(net: LiveNetwork, frame, layer: str, channel: int, position=None, method: str = "guided",
             dev=None) -> np.ndarray:
    """``(H, W, 3)`` float32: how each input value moves the unit (see the module's docstring)."""
    if method not in SALIENCY_METHODS:
        raise ValueError(f"unknown saliency method {method!r}; choose one of {', '.join(SALIENCY_METHODS)}")
    dev = compute_device(dev)
    diff = differentiable(net)
    with torch.inference_mode(False), torch.enable_grad():
        x = picture(frame, dev).requires_grad_(True)
        maps, _ = diff.forward(x, [layer], guided=method == "guided")
        (grad,) = torch.autograd.grad(_unit(maps[layer], channel, position), x)
        out = grad * x if method == "gradient_x_input" else grad                  # (1, 3, H, W)
    return out[0].permute(1, 2, 0).detach().float().cpu().numpy()


def saliency_image(sal: np.ndarray, signed: bool = True) -> np.ndarray:
    """A saliency map as a picture: ``(H, W, 3)`` uint8, mid-grey for zero (signed) or black (magnitude)."""
    if signed:
        scale = float(np.abs(sal).max()) or 1.0
        return np.clip(np.round(127.5 + 127.5 * sal / scale), 0, 255).astype(np.uint8)
    mag = np.abs(sal).max(axis=2)
    scale = float(mag.max()) or 1.0
    return np.repeat(np.round(mag / scale * 255).astype(np.uint8)[:, :, None], 3, axis=2)


@dataclass(frozen=True)
class GradCam:
    """A Grad-CAM map at the picture's resolution and what it explains."""

    cam: np.ndarray                    # (H, W) float32, never negative
    target: str                        # "class 'tabby cat'" or "conv 3 · map 5"
    class_index: int | None = None
    score: float | None = None         # the class's logit, or the unit's summed activation


def _class_target(net, diff, x, layer, target):
    if not diff.has_classes:
        raise ValueError(f"{net.title} has no classes; choose a unit as Grad-CAM's target")
    view, box = diff.class_view(x)
    maps, logits = diff.forward(view, [layer], logits=True, leaf=layer)
    cls = int(logits[0].argmax()) if target is None else int(target)
    if not 0 <= cls < logits.shape[1]:
        raise ValueError(f"class {cls} does not exist; {net.title} has {logits.shape[1]} classes")
    names = net.class_names or []
    label = f"class '{names[cls]}'" if cls < len(names) else f"class {cls}"
    return maps[layer], logits[0, cls], box, label, cls


def grad_cam(net: LiveNetwork, frame, layer: str, target=None, dev=None) -> GradCam:
    """Grad-CAM of ``target`` at ``layer``: None (the top class), a class index, or a unit
    ``(later_layer, channel)`` (its map summed); see the module's docstring."""
    dev = compute_device(dev)
    diff = differentiable(net)
    with torch.inference_mode(False), torch.enable_grad():
        x = picture(frame, dev)
        if target is None or isinstance(target, (int, np.integer)):
            acts, score, box, label, cls = _class_target(net, diff, x, layer, target)
        else:
            unit_layer, channel = target
            maps, _ = diff.forward(x, [layer, unit_layer], leaf=layer)
            acts, score, box, cls = maps[layer], _unit(maps[unit_layer], channel, None), None, None
            label = net.map_title(unit_layer, channel)
        grad = torch.autograd.grad(score, acts, allow_unused=True)[0] if score.requires_grad else None
        if grad is None:
            raise ValueError(f"{label} does not depend on {layer}: choose a unit of this layer or a later one")
        weights = grad.mean(dim=(2, 3), keepdim=True)                              # (1, C, 1, 1)
        cam = F.relu((weights * acts).sum(dim=1, keepdim=True)).detach()           # (1, 1, h, w)
    side = x.shape[-2:] if box is None else (box[2], box[2])
    cam = F.interpolate(cam, size=tuple(side), mode="bilinear", align_corners=False).clamp_(min=0)[0, 0]
    if box is not None:                          # the classifier saw only the centre square
        full = torch.zeros(x.shape[-2:], device=cam.device)
        full[box[0]:box[0] + box[2], box[1]:box[1] + box[2]] = cam
        cam = full
    return GradCam(cam.float().cpu().numpy(), label, cls, float(score.detach()))


def cam_overlay(frame: np.ndarray, cam: np.ndarray, lut: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """``frame`` ``(H, W, 3)`` uint8 with ``cam`` coloured by ``lut`` ``(256, 3)`` over it, scaled to its maximum."""
    top = float(cam.max())
    idx = np.round(cam / top * 255).astype(np.uint8) if top > 0 else np.zeros(cam.shape, np.uint8)
    alpha = opacity * (idx.astype(np.float32) / 255.0)[:, :, None]                 # no evidence: no colour
    out = frame.astype(np.float32) * (1 - alpha) + lut[idx].astype(np.float32) * alpha
    return np.round(out).astype(np.uint8)
