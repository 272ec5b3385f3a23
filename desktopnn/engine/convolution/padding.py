"""Padding and output-size arithmetic (notes 2.5 stride, 2.6 padding). Pure Python, no torch."""

from __future__ import annotations

import math
from typing import Sequence, Union

Padding = Union[str, int, Sequence[int]]
PAD_MODES = ("valid", "same", "full")


def _pair(value, what: str) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{what} must be one number or a pair (rows, columns), not {tuple(value)}")
        a, b = value
    else:
        a = b = value
    out = []
    for v in (a, b):
        if isinstance(v, bool) or not float(v).is_integer():
            raise ValueError(f"{what} must be a whole number, not {v!r}")
        out.append(int(v))
    return out[0], out[1]


def check_stride(stride) -> tuple[int, int]:
    sh, sw = _pair(stride, "stride")
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1 (the window has to move), not {stride!r}")
    return sh, sw


def check_dilation(dilation) -> tuple[int, int]:
    dh, dw = _pair(dilation, "dilation")
    if dh < 1 or dw < 1:
        raise ValueError(f"dilation must be at least 1 (1 means no gaps), not {dilation!r}")
    return dh, dw


def axis_padding(n: int, k: int, s: int, padding, d: int = 1) -> tuple[int, int]:
    """(before, after) padding on one axis of length ``n`` for kernel ``k``, stride ``s``, dilation ``d``.

    ``"same"`` follows Keras/TensorFlow: output length ceil(n / s); when the padding needed is odd,
    the extra row or column goes after (bottom/right).
    """
    span = d * (k - 1) + 1
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return 0, 0
        if mode == "same":
            out = math.ceil(n / s)
            total = max((out - 1) * s + span - n, 0)
            return total // 2, total - total // 2
        if mode == "full":
            return span - 1, span - 1
        raise ValueError(f"padding must be 'valid', 'same', 'full' or a number of cells, not {padding!r}")
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2:
            raise ValueError(f"padding for one axis must be (before, after), not {tuple(padding)}")
        before, after = (int(p) for p in padding)
    else:
        before = after = int(padding)
    if before < 0 or after < 0:
        raise ValueError(f"padding cannot be negative, got {padding!r}")
    return before, after


def resolve_padding(padding: Padding, in_hw: tuple[int, int], kernel_hw: tuple[int, int],
                    stride=1, dilation=1) -> tuple[int, int, int, int]:
    """Turn any accepted padding spelling into ``(top, bottom, left, right)`` cell counts.

    Accepted: ``"valid"``, ``"same"`` (Keras: extra at bottom/right), ``"full"``, an int (every side),
    a pair ``(rows, cols)`` (each applied before and after), or ``(top, bottom, left, right)``.
    """
    sh, sw = check_stride(stride)
    dh, dw = check_dilation(dilation)
    (h, w), (kh, kw) = in_hw, kernel_hw
    if isinstance(padding, (list, tuple)):
        vals = list(padding)
        for v in vals:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer():
                raise ValueError(f"padding cells must be whole numbers, got {v!r}")
            if v < 0:
                raise ValueError(f"padding cannot be negative, got {tuple(padding)}")
        if len(vals) == 4:
            return tuple(int(v) for v in vals)  # type: ignore[return-value]
        if len(vals) == 2:
            return int(vals[0]), int(vals[0]), int(vals[1]), int(vals[1])
        raise ValueError("padding must be 'valid', 'same', 'full', one number, (rows, cols) or "
                         f"(top, bottom, left, right); got {tuple(padding)}")
    if not isinstance(padding, str):
        if isinstance(padding, bool) or not float(padding).is_integer():
            raise ValueError(f"padding must be a whole number of cells, not {padding!r}")
        if padding < 0:
            raise ValueError(f"padding cannot be negative, got {padding!r}")
    top, bottom = axis_padding(h, kh, sh, padding, dh)
    left, right = axis_padding(w, kw, sw, padding, dw)
    return top, bottom, left, right


def output_size(n: int, kernel: int, stride: int = 1, padding: Padding = "valid", dilation: int = 1) -> int:
    """Output length on one axis: ``floor((n + p_total - d*(k-1) - 1) / s) + 1``.

    Returns 0 or less when the window does not fit; :func:`check_fits` turns that into a message.
    """
    if stride < 1:
        raise ValueError(f"stride must be at least 1, not {stride}")
    if dilation < 1:
        raise ValueError(f"dilation must be at least 1, not {dilation}")
    before, after = axis_padding(n, kernel, stride, padding, dilation)
    return (n + before + after - dilation * (kernel - 1) - 1) // stride + 1


def output_shape(in_hw: tuple[int, int], kernel_hw: tuple[int, int], stride=1, padding: Padding = "valid",
                 dilation=1) -> tuple[int, int]:
    """Output ``(H', W')`` of a 2-D window operation; raises ValueError when the window cannot fit."""
    top, bottom, left, right = resolve_padding(padding, in_hw, kernel_hw, stride, dilation)
    sh, sw = check_stride(stride)
    dh, dw = check_dilation(dilation)
    (h, w), (kh, kw) = in_hw, kernel_hw
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    ph, pw = h + top + bottom, w + left + right
    if span_h > ph or span_w > pw:
        raise ValueError(
            f"the {kh}×{kw} window" + (f" (spanning {span_h}×{span_w} with dilation)" if span_h != kh or span_w != kw else "")
            + f" is larger than the padded input of {ph}×{pw}: use a smaller kernel or more padding")
    return (ph - span_h) // sh + 1, (pw - span_w) // sw + 1
