"""Convolution as a feature detector (notes 2.2–2.6), computed by torch on the engine's device."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.arrays import as_bias, as_image, as_kernel_bank, compute_dtype
from desktopnn.engine.device import run_with_oom_fallback
from desktopnn.engine.convolution.padding import Padding, check_dilation, check_stride, output_shape, resolve_padding


def conv2d(image, kernels, bias=None, stride=1, padding: Padding = "valid", dilation=1) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernels`` the way Keras ``Conv2D`` and torch do.

    image: ``(H, W)`` or ``(H, W, C)``; kernels: ``(kh, kw)``, ``(kh, kw, C)`` or ``(kh, kw, C, K)``;
    bias: a scalar or ``(K,)``; stride and dilation: an int or a pair; padding: ``"valid"``,
    ``"same"`` (extra row/column at the bottom/right, as Keras), ``"full"``, an int, a pair
    ``(rows, cols)`` or ``(top, bottom, left, right)``.

    Returns a numpy array ``(H', W')`` for a 2-D or 3-D kernel, ``(H', W', K)`` for a 4-D bank.
    Raises ValueError with a sentence a student understands when the arguments cannot work.
    """
    img = as_image(image)
    bank, keep_k = as_kernel_bank(kernels, img.shape[2])
    b = as_bias(bias, bank.shape[3])
    out = _conv_bank(img, bank, b, stride, padding, dilation)  # (K, H', W')
    return np.ascontiguousarray(np.moveaxis(out, 0, -1)) if keep_k else out[0]


def _conv_bank(img: np.ndarray, bank: np.ndarray, bias: np.ndarray, stride, padding, dilation,
               relu: bool = False) -> np.ndarray:
    """The bank's maps as ``(K, H', W')``, each map contiguous (ready to draw)."""
    sh, sw = check_stride(stride)
    dh, dw = check_dilation(dilation)
    h, w, _ = img.shape
    kh, kw = bank.shape[:2]
    top, bottom, left, right = resolve_padding(padding, (h, w), (kh, kw), (sh, sw), (dh, dw))
    output_shape((h, w), (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw))  # raises if it cannot fit
    name = compute_dtype(img)

    def run(dev: torch.device) -> np.ndarray:
        dtype = torch.float32 if (name == "float32" or dev.type == "mps") else torch.float64
        with torch.inference_mode():
            x = torch.from_numpy(np.require(img, requirements=["C", "W"])).to(dev, dtype)
            # (1, C, H, W) whose memory stays (H, W, C): channels_last, which torch's CPU conv prefers
            x = x.permute(2, 0, 1).unsqueeze(0)
            wgt = torch.from_numpy(np.require(bank, requirements=["C", "W"])).to(dev, dtype).permute(3, 2, 0, 1)  # (K, C, kh, kw)
            bt = torch.from_numpy(bias).to(dev, dtype)
            if top == bottom and left == right:  # symmetric: let the convolution pad (no extra copy)
                pad = (top, left)
            else:
                x, pad = F.pad(x, (left, right, top, bottom)), (0, 0)
            y = F.conv2d(x, wgt, bt, stride=(sh, sw), padding=pad, dilation=(dh, dw))  # (1, K, H', W')
            if relu:
                y.relu_()
            return y[0].contiguous().cpu().numpy()

    return run_with_oom_fallback(run)


def feature_maps(image, kernels: Sequence, biases: Sequence | None = None, stride=1,
                 padding: Padding = "valid", dilation=1, relu: bool = False) -> list[np.ndarray]:
    """One feature map per kernel of a bank whose kernels may differ in size (notes 2.2).

    Kernels of the same size are computed together in one batched call. Each kernel is
    ``(kh, kw)`` or ``(kh, kw, C)`` with C equal to the image's channels.
    """
    img = as_image(image)
    biases = list(biases) if biases is not None else [0.0] * len(kernels)
    if len(biases) != len(kernels):
        raise ValueError(f"{len(kernels)} kernels need {len(kernels)} biases, got {len(biases)}")
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    prepared = []
    for i, k in enumerate(kernels):
        arr, _ = as_kernel_bank(k, img.shape[2])
        prepared.append(arr[:, :, :, 0])
        groups[arr.shape[:2]].append(i)
    results: list[np.ndarray | None] = [None] * len(kernels)
    for idx in groups.values():
        bank = np.stack([prepared[i] for i in idx], axis=-1)  # (kh, kw, C, K)
        bias = as_bias(np.array([float(biases[i]) for i in idx]), len(idx))
        out = _conv_bank(img, bank, bias, stride, padding, dilation, relu=relu)  # (K, H', W')
        for j, i in enumerate(idx):
            results[i] = out[j]
    return results  # type: ignore[return-value]
