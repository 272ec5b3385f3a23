"""Validation and layout of images and kernels shared by the engine (numpy only, no torch)."""

from __future__ import annotations

import numpy as np

_FLOAT32_KINDS = {"uint8", "uint16", "float16", "float32", "bfloat16"}


def to_numpy(value, what: str) -> np.ndarray:
    """numpy view of a list, numpy array or torch tensor; a clear ValueError otherwise."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"the {what} is not a rectangular grid of numbers ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"the {what} must contain only numbers")
    return arr


def compute_dtype(image: np.ndarray) -> str:
    """float32 for photos and camera frames (uint8/float32), float64 for typed-in grids of numbers.

    Typed-in grids keep full precision so that ``0.9*23 + 1.1*255`` shows exactly as a student would
    work it out; frames from a camera run at the speed of float32.
    """
    return "float32" if str(image.dtype) in _FLOAT32_KINDS else "float64"


def as_image(image) -> np.ndarray:
    """Image as ``(H, W, C)`` (a 2-D image gets C = 1). Validates size and finiteness."""
    arr = to_numpy(image, "image")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"an image must be (height, width) or (height, width, channels); this one has shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0 or arr.shape[2] == 0:
        raise ValueError(f"the image is empty (shape {arr.shape})")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("the image contains a value that is not a finite number (NaN or infinity)")
    return arr


def as_kernel_bank(kernels, channels: int) -> tuple[np.ndarray, bool]:
    """Kernels as ``(kh, kw, C, K)`` (Keras layout) and whether the result keeps a K axis.

    ``(kh, kw)`` and ``(kh, kw, C)`` are one kernel (output ``(H', W')``); ``(kh, kw, C, K)`` is a
    bank of K kernels (output ``(H', W', K)``, also when K is 1).
    """
    arr = to_numpy(kernels, "kernel")
    if arr.ndim == 2:
        arr, keep_k = arr[:, :, None, None], False
    elif arr.ndim == 3:
        arr, keep_k = arr[:, :, :, None], False
    elif arr.ndim == 4:
        keep_k = True
    else:
        raise ValueError(f"a kernel must be (rows, cols), (rows, cols, depth) or (rows, cols, depth, count); "
                         f"this one has shape {arr.shape}")
    kh, kw, depth, count = arr.shape
    if kh == 0 or kw == 0 or count == 0:
        raise ValueError(f"the kernel is empty (shape {arr.shape})")
    if depth != channels:
        raise ValueError(f"kernel depth {depth} must equal the image's {channels} "
                         f"channel{'s' if channels != 1 else ''} (notes 2.2)")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("the kernel contains a value that is not a finite number (NaN or infinity)")
    return arr, keep_k


def as_bias(bias, count: int) -> np.ndarray:
    """Bias as a float64 vector of length K: None -> zeros, a scalar -> repeated, or ``(K,)``."""
    if bias is None:
        return np.zeros(count)
    arr = to_numpy(bias, "bias").astype(np.float64)
    if arr.ndim == 0:
        arr = np.full(count, float(arr))
    elif arr.shape != (count,):
        raise ValueError(f"the bias must be one number or one per kernel ({count}); got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("the bias is not a finite number (NaN or infinity)")
    return arr
