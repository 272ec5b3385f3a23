"""Why convolution's state (notes 2.4): the choices a scene saves (the picture, the detector, the shift,
the layer's kernel count), their limits, and the parameter count they make. No widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.engine.convolution.shift import CANVAS, KERNEL_CHOICES, MAX_SHIFT, ParamCounts, source_names

STEP = 4                 # pixels per arrow-button press
MIN_KERNELS, MAX_KERNELS = 1, 512   # K, the kernels (feature maps) of the layer whose parameters are counted

__all__ = ["KERNEL_CHOICES", "MAX_KERNELS", "MAX_SHIFT", "MIN_KERNELS", "STEP", "WhyChoice", "param_counts",
           "source_names"]


@dataclass(frozen=True)
class WhyChoice:
    """What is on show: the input picture, the detector, the shift (pixels, x right, y down) and K."""

    source: str
    kernel: str
    dx: int = 0
    dy: int = 0
    kernels: int = 1


def param_counts(kernel: str, k: int) -> ParamCounts:
    """Parameters of a layer of ``k`` kernels shaped like ``kernel``, against a dense layer (notes 2.4)."""
    kh, kw = KERNEL_PRESETS[kernel].values.shape[:2]
    return ParamCounts(kh, kw, 1, k, CANVAS, CANVAS)
