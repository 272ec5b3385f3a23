"""The arithmetic behind one output cell of a convolution, written out as in notes 2.3.

Computed directly in float64 numpy, independently of the torch path in :mod:`conv`, so that the two
check each other in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from desktopnn.engine.arrays import as_bias, as_image, as_kernel_bank
from desktopnn.engine.convolution.padding import Padding, check_dilation, check_stride, output_shape, resolve_padding


def fmt_num(value: float, digits: int = 6) -> str:
    """A number as a student would write it: 308, -2.8, 0.15 (no trailing zeros, no 1e-17 noise)."""
    v = float(value)
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.{digits}g}"
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def channel_names(count: int) -> list[str]:
    if count == 3:
        return ["R", "G", "B"]
    if count == 1:
        return [""]
    return [f"channel {i + 1}" for i in range(count)]


@dataclass(frozen=True)
class ConvExplanation:
    """Everything needed to show how one output value came about."""

    row: int
    col: int
    window: np.ndarray        # (kh, kw, C) input values under the kernel, padding as 0
    kernel: np.ndarray        # (kh, kw, C)
    products: np.ndarray      # (kh, kw, C) window * kernel
    channel_sums: np.ndarray  # (C,)
    bias: float
    total: float
    cells: np.ndarray         # (kh, kw, 2) input (row, col) of each tap; outside the image = padding
    padded: np.ndarray        # (kh, kw) True where the tap falls on padding
    names: list[str] = field(default_factory=list)

    def channel_line(self, c: int) -> str:
        """``0*-1 + 0*-1 + ... + 154*1 = 308`` for channel ``c`` in reading order."""
        terms = [f"{fmt_num(x)}*{fmt_num(k)}"
                 for x, k in zip(self.window[:, :, c].ravel(), self.kernel[:, :, c].ravel())]
        return " + ".join(terms) + f" = {fmt_num(self.channel_sums[c])}"

    def lines(self) -> list[str]:
        chans = self.window.shape[2]
        out = []
        for c in range(chans):
            prefix = f"{self.names[c]}: " if self.names and self.names[c] else ""
            out.append(prefix + self.channel_line(c))
        if chans > 1 or self.bias != 0:
            parts = [fmt_num(s) for s in self.channel_sums]
            out.append(" + ".join(parts) + f" + {fmt_num(self.bias)} (bias) = {fmt_num(self.total)}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def prepare_one_kernel(image, kernel, bias, stride, padding, dilation, one_at_a_time: str):
    """Validated float64 ``(img, kernel, bias, stride, dilation, pads, out_shape)`` for one kernel.

    Shared by :func:`explain_conv` and the animator's step lists, so both read the same windows.
    """
    img = as_image(image).astype(np.float64)
    bank, keep_k = as_kernel_bank(kernel, img.shape[2])
    if keep_k and bank.shape[3] != 1:
        raise ValueError(f"{one_at_a_time}; pass kernels[..., k]")
    kern = bank[:, :, :, 0].astype(np.float64)
    b = float(as_bias(bias, 1)[0])
    stride, dilation = check_stride(stride), check_dilation(dilation)
    pads = resolve_padding(padding, img.shape[:2], kern.shape[:2], stride, dilation)
    out_shape = output_shape(img.shape[:2], kern.shape[:2], stride, pads, dilation)
    return img, kern, b, stride, dilation, pads, out_shape


def explain_conv(image, kernel, bias=None, row: int = 0, col: int = 0, stride=1,
                 padding: Padding = "valid", dilation=1) -> ConvExplanation:
    """Explain output cell ``(row, col)`` of ``conv2d(image, kernel, bias, stride, padding)``.

    ``kernel`` is one kernel, ``(kh, kw)`` or ``(kh, kw, C)``; ``bias`` a number or None.
    """
    img, kern, b, (sh, sw), (dh, dw), pads, (oh, ow) = prepare_one_kernel(
        image, kernel, bias, stride, padding, dilation, "explain_conv explains one kernel at a time")
    h, w, chans = img.shape
    kh, kw = kern.shape[:2]
    top, bottom, left, right = pads
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"output cell ({row}, {col}) is outside the {oh}×{ow} feature map")
    rows = row * sh - top + dh * np.arange(kh)
    cols = col * sw - left + dw * np.arange(kw)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    inside = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
    window = np.zeros((kh, kw, chans))
    window[inside] = img[rr[inside], cc[inside]]
    products = window * kern
    sums = products.reshape(-1, chans).sum(axis=0)
    return ConvExplanation(
        row=row, col=col, window=window, kernel=kern, products=products, channel_sums=sums,
        bias=b, total=float(sums.sum() + b), cells=np.stack([rr, cc], axis=-1), padded=~inside,
        names=channel_names(chans))
