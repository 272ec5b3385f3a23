"""Every live network as a differentiable function of the picture, for "what a unit looks for".

The live view runs networks under ``torch.inference_mode`` on uint8 frames; saliency, Grad-CAM and
ideal inputs need gradients with respect to the picture or to a layer's maps. :func:`differentiable`
gives one interface for all of them, on a picture ``x`` shaped ``(1, 3, H, W)`` with values in
0..1 (a frame divided by 255):

``forward(x, want, logits=False, leaf=None, guided=False, pre=())`` → ``(maps by layer, logits)``

- ``want``: the layers whose maps come back (``pre``: those wanted before their last activation);
- ``logits``: also the class scores, computed from the same maps, of :meth:`class_view`'s picture;
- ``leaf``: that layer's maps become a fresh tensor that requires a gradient (nothing before it
  builds an autograd graph: Grad-CAM costs one forward and a backward from the top to that layer);
- ``guided``: every ReLU passes only positive gradients down (guided backpropagation).

The weights never need gradients. The kernel bank works on the unrounded grey picture here (the
live view rounds it to whole numbers, as the Convolution lab does; rounding has no gradient).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from desktopnn.engine.live.base import LiveNetwork
from desktopnn.engine.live.graph import as_leaf
from desktopnn.engine.live.networks import GRAY, KernelBankNetwork, NotesCNNNetwork


class GuidedReLU(torch.autograd.Function):
    """ReLU whose backward lets only positive gradients through where the input was positive."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad.clamp(min=0) * (x > 0)


class Differentiable:
    """A live network as a differentiable function of ``(1, 3, H, W)`` pictures in 0..1."""

    has_classes = False

    def __init__(self, net: LiveNetwork):
        self.net = net

    def layer_names(self) -> list[str]:
        return [name for name, _c in self.net.layers()]

    def forward(self, x, want=(), logits=False, leaf=None, guided=False, pre=()):
        raise NotImplementedError

    def class_view(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int, int] | None]:
        """The picture the classifier sees, and where it lies in ``x`` (top, left, side), None for all of it."""
        return x, None


class _ImageNet(Differentiable):
    has_classes = True

    def forward(self, x, want=(), logits=False, leaf=None, guided=False, pre=()):
        return self.net.grad_forward(x, want, logits=logits, leaf=leaf, guided=guided, pre=pre)


class _NotesCNN(Differentiable):
    """The notes' 2.13 CNN written out layer by layer (its own code applies ReLU in place, no guiding)."""

    has_classes = True

    def _model(self, dev: torch.device):
        model = self.net.model
        if next(model.parameters()).device != dev:
            with torch.inference_mode(False), torch.no_grad():
                model.to(dev)
        return model

    def forward(self, x, want=(), logits=False, leaf=None, guided=False, pre=()):
        model = self._model(x.device)
        relu = GuidedReLU.apply if guided else F.relu
        want, out, y = set(want), {}, x
        for i, (name, _f, _p) in enumerate(model.conv_spec):
            if not (want - out.keys()) and not logits:
                break
            z = getattr(model, name)(y)
            y = relu(z)
            y = as_leaf(y) if name == leaf else y
            if name in want:
                out[name] = z if name in pre else y
            if name in model.pool_after:
                y = F.max_pool2d(y, 2)
                y = as_leaf(y) if f"pool{i + 1}" == leaf else y
                if f"pool{i + 1}" in want:
                    out[f"pool{i + 1}"] = y
        scores = None
        if logits:
            flat = y.permute(0, 2, 3, 1).flatten(1)        # Keras flattens channels last
            scores = model.dense2(relu(model.dense1(flat)))
        return out, scores

    def class_view(self, x):
        """The centre square, area-averaged to the 32×32 the dense head was trained on (as ``classify``)."""
        h, w = x.shape[-2:]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        size = self.net.model.input_size
        crop = F.interpolate(x[:, :, top:top + side, left:left + side], size=(size, size), mode="area")
        return crop, (top, left, side)


class _KernelBank(Differentiable):
    def forward(self, x, want=(), logits=False, leaf=None, guided=False, pre=()):
        weight = torch.stack([torch.as_tensor(k.values, dtype=torch.float32) for k in self.net.kernels])[:, None]
        bias = torch.tensor([float(k.bias) for k in self.net.kernels])
        gray = (x * (255.0 * GRAY.to(x.device)).view(1, 3, 1, 1)).sum(1, keepdim=True)   # (1, 1, H, W) 0..255
        maps = F.conv2d(gray, weight.to(x.device), bias.to(x.device), padding=1)       # (1, K, H, W), no ReLU
        maps = as_leaf(maps) if leaf == "kernels" else maps
        return ({"kernels": maps} if "kernels" in want else {}), None


def differentiable(net: LiveNetwork) -> Differentiable:
    """The gradient-ready view of ``net``; ValueError for a network that offers none."""
    if hasattr(net, "grad_forward"):
        return _ImageNet(net)
    if isinstance(net, NotesCNNNetwork):
        return _NotesCNN(net)
    if isinstance(net, KernelBankNetwork):
        return _KernelBank(net)
    raise ValueError(f"{net.title} cannot compute gradients, so it cannot show what a unit looks for")
