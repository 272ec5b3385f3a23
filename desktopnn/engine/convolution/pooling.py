"""Max and average pooling (notes 2.7), with Keras ``MaxPooling2D``/``AveragePooling2D`` semantics.

Pure numpy (no torch), so that the tests can check it against ``torch.nn.functional`` as an
independent reference.
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.arrays import as_image, compute_dtype, to_numpy
from desktopnn.engine.convolution.padding import Padding, _pair, check_stride, output_shape, resolve_padding

POOL_MODES = ("max", "avg")


def check_pool_size(pool_size) -> tuple[int, int]:
    """``pool_size`` as a pair of whole numbers of at least 1, or a ValueError a student understands."""
    ph, pw = _pair(pool_size, "pool size")
    if ph < 1 or pw < 1:
        raise ValueError(f"the pool size must be at least 1×1, not {pool_size!r}")
    return ph, pw


def check_pool_mode(mode: str) -> str:
    m = str(mode).lower()
    if m in ("average", "mean"):
        m = "avg"
    if m not in POOL_MODES:
        raise ValueError(f"pooling mode must be 'max' or 'avg' (average), not {mode!r}")
    return m


def pool_padding(padding: Padding, in_hw: tuple[int, int], pool_hw: tuple[int, int],
                 strides) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` padding for a pooling window, validated.

    Keras pooling knows ``"valid"`` and ``"same"`` (the odd extra row/column goes at the bottom/right).
    ``"full"`` and explicit cell counts are accepted too, as long as every window still covers at
    least one real cell, i.e. no side is padded by as much as the window is long.
    """
    pads = resolve_padding(padding, in_hw, pool_hw, strides, 1)
    top, bottom, left, right = pads
    ph, pw = pool_hw
    if max(top, bottom) >= ph or max(left, right) >= pw:
        raise ValueError(
            f"padding {pads[0]}, {pads[1]}, {pads[2]}, {pads[3]} (top, bottom, left, right) is too much for a "
            f"{ph}×{pw} pool: a window would cover only padding cells. Pad each side by less than the pool size")
    return pads


def pool2d(x, pool_size=2, strides=None, padding: Padding = "valid", mode: str = "max") -> np.ndarray:
    """Max or average pooling of ``x`` the way Keras ``MaxPooling2D``/``AveragePooling2D`` do it.

    x: ``(H, W)`` or ``(H, W, C)`` (channels last; each channel is pooled on its own);
    pool_size: an int or a pair ``(rows, cols)``; strides: an int, a pair, or None for the pool size
    (Keras's default); padding: ``"valid"`` (windows that do not fit are dropped), ``"same"``
    (output ``ceil(n / stride)``; the extra row/column of padding goes at the bottom/right, as Keras
    does), or ``"full"`` / cell counts as accepted by :func:`~desktopnn.engine.resolve_padding`;
    mode: ``"max"`` or ``"avg"``.

    Padded cells never take part: max pooling ignores them (as if they were −∞), average pooling
    divides by the number of real cells in the window, exactly like Keras.

    Returns ``(H', W')`` for a 2-D ``x`` and ``(H', W', C)`` for a 3-D one: float32 for float32 or
    uint8 input (camera frames), float64 otherwise. Raises ValueError with a sentence when the
    window cannot fit.

    >>> pool2d([[1, 2], [3, 4]])
    array([[4.]])
    """
    m = check_pool_mode(mode)
    raw = to_numpy(x, "image")
    img = as_image(raw)
    two_d = raw.ndim == 2
    ph, pw = check_pool_size(pool_size)
    sh, sw = check_stride((ph, pw) if strides is None else strides)
    h, w, chans = img.shape
    top, bottom, left, right = pool_padding(padding, (h, w), (ph, pw), (sh, sw))
    oh, ow = output_shape((h, w), (ph, pw), (sh, sw), (top, bottom, left, right), 1)
    dtype = np.float32 if compute_dtype(img) == "float32" else np.float64
    data = img.astype(np.float64)
    real = np.zeros((h + top + bottom, w + left + right), bool)
    real[top:top + h, left:left + w] = True
    fill = -np.inf if m == "max" else 0.0
    padded = np.full((h + top + bottom, w + left + right, chans), fill)
    padded[top:top + h, left:left + w] = data
    rows = (np.arange(oh) * sh)[:, None] + np.arange(ph)[None, :]   # (oh, ph)
    cols = (np.arange(ow) * sw)[:, None] + np.arange(pw)[None, :]   # (ow, pw)
    windows = padded[rows[:, None, :, None], cols[None, :, None, :]]  # (oh, ow, ph, pw, C)
    if m == "max":
        out = windows.max(axis=(2, 3))
    else:
        counts = real[rows[:, None, :, None], cols[None, :, None, :]].sum(axis=(2, 3))  # (oh, ow)
        out = windows.sum(axis=(2, 3)) / counts[:, :, None]
    out = out.astype(dtype)
    return out[:, :, 0] if two_d else out
