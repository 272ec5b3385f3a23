"""The Convolution lab's computation, shared by the tab's worker and ``desktopnn bench``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from desktopnn.engine.arrays import as_image
from desktopnn.engine.images import to_grayscale

# How a one-channel kernel meets an RGB image (notes 2.2: the kernel's depth must equal the channels)
GRAYSCALE = "grayscale"    # turn the image into one channel first
REPLICATE = "replicate"    # use the same kernel on every channel and add the three results


def fit_depth(image: np.ndarray, kernels: Sequence[np.ndarray], policy: str = GRAYSCALE):
    """Return ``(image, kernels)`` whose depths agree, following ``policy`` for 2-D kernels.

    Kernels that already have a depth are left alone (a wrong depth still raises in the engine).
    """
    img = as_image(image)
    chans = img.shape[2]
    flat = [np.asarray(k, dtype=np.float64) for k in kernels]
    if chans == 1:
        return img, [k[:, :, :1] if k.ndim == 3 and k.shape[2] == 1 else k for k in flat]
    needs = any(k.ndim == 2 for k in flat)
    if not needs:
        return img, flat
    if policy == GRAYSCALE:
        if any(k.ndim == 3 and k.shape[2] != 1 for k in flat):
            raise ValueError("some kernels have depth 3 and some depth 1: use 'same kernel on every channel'")
        return to_grayscale(img)[:, :, None], [k if k.ndim == 2 else k[:, :, 0] for k in flat]
    if policy == REPLICATE:
        return img, [np.repeat(k[:, :, None], chans, axis=2) if k.ndim == 2 else k for k in flat]
    raise ValueError(f"unknown policy {policy!r}")


@dataclass(frozen=True)
class LabResult:
    """One recompute of the lab: the image and kernels exactly as convolved, and their feature maps.

    ``image`` is ``(H, W, C)`` after the depth policy (one channel when the photo was grayscaled), and
    ``kernels`` have that depth, so ``explain_conv(image, kernels[k], biases[k], ...)`` explains
    ``maps[k]`` cell by cell (notes 2.3).
    """

    image: np.ndarray
    kernels: list[np.ndarray]
    biases: list[float]
    maps: list[np.ndarray]
    stride: object
    padding: object
    relu: bool


def recompute(image, kernels: Sequence[np.ndarray], biases: Sequence[float], stride=1,
              padding="valid", relu: bool = False, policy: str = GRAYSCALE) -> LabResult:
    """The lab's whole recompute after an edit (notes 2.2): fit depths, then one map per kernel."""
    from desktopnn.engine.convolution.conv import feature_maps

    img, ks = fit_depth(image, kernels, policy)
    ks = [k if k.ndim == 3 else k[:, :, None] for k in ks]
    maps = feature_maps(img, ks, biases, stride=stride, padding=padding, relu=relu)
    return LabResult(img, ks, [float(b) for b in biases], maps, stride, padding, relu)


def compute_feature_maps(image, kernels: Sequence[np.ndarray], biases: Sequence[float], stride=1,
                         padding="valid", relu: bool = False, policy: str = GRAYSCALE) -> list[np.ndarray]:
    """One feature map per kernel (notes 2.2), the lab's whole recompute after an edit."""
    return recompute(image, kernels, biases, stride, padding, relu, policy).maps


def bench_case():
    """A 640×480 RGB photo and 8 preset kernels; returns a function that recomputes all 8 maps."""
    from PIL import Image

    from desktopnn.engine.images import load_image, sample_images
    from desktopnn.engine.convolution.kernels import KERNEL_PRESETS

    photo = load_image(sample_images()["coffee"])
    img = np.asarray(Image.fromarray(photo).resize((640, 480)))
    names = ["Identity", "Box blur", "Sharpen", "Sobel x", "Sobel y", "Laplacian", "Emboss", "Prewitt x"]
    kernels = [KERNEL_PRESETS[n].values for n in names]
    biases = [0.0] * len(kernels)
    return lambda: compute_feature_maps(img, kernels, biases, padding="same", relu=True, policy=REPLICATE)
