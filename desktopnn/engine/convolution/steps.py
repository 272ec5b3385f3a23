"""Step lists: a window operation taken apart one output cell at a time (notes 2.5 stride,
2.6 padding, 2.7 max pooling).

A :class:`StepPlan` lists, for each output cell in reading order, the input cells the window reads
(in padded and in original coordinates), which of them are padding, and the arithmetic that makes
the output value: the products and their sum for a convolution, the maximum and where it sits for
max pooling, the mean of the real cells for average pooling. The animator draws it and the tests
check it against :func:`~desktopnn.engine.conv2d` and :func:`~desktopnn.engine.pool2d`.

Pure numpy; no torch and no Qt.

>>> plan = pool_steps([[1, 2, 0], [3, 4, 1], [0, 5, 2]], pool_size=2, strides=1)
>>> len(plan), plan.out_shape, plan.steps[0].lines()
(4, (2, 2), ['max(1, 2, 3, 4) = 4 at row 2, column 2'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktopnn.engine.arrays import as_image
from desktopnn.engine.convolution.explain import ConvExplanation, channel_names, fmt_num, prepare_one_kernel
from desktopnn.engine.convolution.padding import Padding, check_stride, output_shape
from desktopnn.engine.convolution.pooling import check_pool_mode, check_pool_size, pool_padding

OPS = ("conv", "max", "avg")


@dataclass(frozen=True)
class Step:
    """One output cell: where the window sits and how the value comes about."""

    op: str                    # "conv", "max" or "avg"
    index: int                 # position in the plan, 0-based, reading order
    out_row: int
    out_col: int
    taps: np.ndarray           # (kh, kw, 2) padded-input (row, col) of each window tap
    cells: np.ndarray          # (kh, kw, 2) original-input (row, col); outside the image = padding
    padded: np.ndarray         # (kh, kw) True where the tap falls on padding
    window: np.ndarray         # (kh, kw, C) input values under the window, padding as 0
    value: np.ndarray          # (C_out,) the output value(s): 1 for conv, C for pooling
    products: np.ndarray | None = None      # conv: (kh, kw, C) window * kernel
    channel_sums: np.ndarray | None = None  # conv: (C,) sum of each channel's products
    kernel: np.ndarray | None = None        # conv: (kh, kw, C)
    bias: float = 0.0                       # conv
    argmax: np.ndarray | None = None        # max: (C, 2) window (i, j) of the maximum, first in reading order
    real_count: int = 0                     # number of taps on real (non-padding) cells

    def read_cells(self) -> list[tuple[int, int]]:
        """Original-input (row, col) of the real cells the window reads, in reading order."""
        return [(int(r), int(c)) for (r, c), pad in zip(self.cells.reshape(-1, 2), self.padded.ravel()) if not pad]

    def max_cell(self, channel: int = 0) -> tuple[int, int]:
        """Original-input (row, col) of the maximum (max pooling)."""
        if self.argmax is None:
            raise ValueError("only a max-pooling step has a maximum")
        i, j = self.argmax[channel]
        return int(self.cells[i, j, 0]), int(self.cells[i, j, 1])

    def explanation(self) -> ConvExplanation:
        """The convolution arithmetic as :class:`~desktopnn.engine.ConvExplanation` (conv steps)."""
        if self.op != "conv":
            raise ValueError("only a convolution step has products and a sum")
        chans = self.window.shape[2]
        return ConvExplanation(
            row=self.out_row, col=self.out_col, window=self.window, kernel=self.kernel, products=self.products,
            channel_sums=self.channel_sums, bias=self.bias, total=float(self.value[0]), cells=self.cells,
            padded=self.padded, names=channel_names(chans))

    def pool_line(self, channel: int = 0) -> str:
        """``max(1, 3, 2, 9) = 9 at row 2, column 2`` or ``(1 + 3 + 2 + 9) / 4 = 3.75``; rows count from 1."""
        vals = self.window[:, :, channel].ravel()
        pads = self.padded.ravel()
        if self.op == "max":
            terms = ["pad" if p else fmt_num(v) for v, p in zip(vals, pads)]
            r, c = self.max_cell(channel)
            text = f"max({', '.join(terms)}) = {fmt_num(self.value[channel])} at row {r + 1}, column {c + 1}"
            return text + (" (padding is ignored)" if pads.any() else "")
        if self.op == "avg":
            terms = [fmt_num(v) for v, p in zip(vals, pads) if not p]
            text = f"({' + '.join(terms)}) / {self.real_count} = {fmt_num(self.value[channel], 4)}"
            return text + (f" ({int(pads.sum())} padding cells are not counted)" if pads.any() else "")
        raise ValueError("a convolution step has no pooling line; use explanation()")

    def lines(self) -> list[str]:
        """The arithmetic written out, one line per channel (and a total line where it adds up)."""
        if self.op == "conv":
            return self.explanation().lines()
        chans = self.window.shape[2]
        names = channel_names(chans)
        return [(f"{names[c]}: " if names[c] else "") + self.pool_line(c) for c in range(chans)]


@dataclass(frozen=True)
class StepPlan:
    """Every step of one window operation over one input, plus what the animation needs around it."""

    op: str                              # "conv", "max" or "avg"
    image: np.ndarray                    # (H, W, C) float64
    window_shape: tuple[int, int]        # (kh, kw) kernel or pool size
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[int, int, int, int]      # (top, bottom, left, right)
    out_shape: tuple[int, int]
    output: np.ndarray                   # (H', W', C_out): C_out is 1 for conv, C for pooling
    steps: tuple[Step, ...]
    kernel: np.ndarray | None = None     # conv: (kh, kw, C)
    bias: float = 0.0

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def in_shape(self) -> tuple[int, int]:
        return int(self.image.shape[0]), int(self.image.shape[1])

    @property
    def channels(self) -> int:
        return int(self.image.shape[2])

    @property
    def padded_shape(self) -> tuple[int, int]:
        t, b, l, r = self.pads
        return self.in_shape[0] + t + b, self.in_shape[1] + l + r

    @property
    def span(self) -> tuple[int, int]:
        """Rows and columns the (dilated) window covers: ``d·(k−1) + 1``."""
        (kh, kw), (dh, dw) = self.window_shape, self.dilation
        return dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def padded_image(self) -> np.ndarray:
        """The input with its padding, ``(H + top + bottom, W + left + right, C)``, padding as 0."""
        t, _, l, _ = self.pads
        out = np.zeros(self.padded_shape + (self.channels,))
        out[t:t + self.in_shape[0], l:l + self.in_shape[1]] = self.image
        return out

    def padding_mask(self) -> np.ndarray:
        """``(H_p, W_p)`` True on padding cells."""
        t, _, l, _ = self.pads
        mask = np.ones(self.padded_shape, bool)
        mask[t:t + self.in_shape[0], l:l + self.in_shape[1]] = False
        return mask

    def reads(self) -> np.ndarray:
        """``(H, W)``: how many steps read each input cell, counted from the steps themselves."""
        counts = np.zeros(self.in_shape, int)
        for step in self.steps:
            for r, c in step.read_cells():
                counts[r, c] += 1
        return counts

    def formula(self, axis: int) -> str:
        """The output-size formula for ``axis`` (0 rows, 1 columns) with this plan's numbers."""
        t, b, l, r = self.pads
        before, after = (t, b) if axis == 0 else (l, r)
        return size_formula(self.in_shape[axis], self.window_shape[axis], self.stride[axis], before, after,
                            self.dilation[axis])


def size_formula(n: int, k: int, s: int, before: int, after: int, d: int = 1) -> str:
    """``floor((n + p_total − d·(k−1) − 1) / s) + 1`` with the numbers plugged in and worked out.

    >>> size_formula(7, 2, 2, 0, 0)
    'floor((7 + 0 − 1·(2−1) − 1) / 2) + 1 = floor(5 / 2) + 1 = 3'
    """
    p = before + after
    top = n + p - d * (k - 1) - 1
    head = f"floor(({n} + {p} − {d}·({k}−1) − 1) / {s}) + 1"
    if top < 0:
        return f"{head} = floor({top} / {s}) + 1 = {top // s + 1}: the window does not fit"
    return f"{head} = floor({top} / {s}) + 1 = {top // s + 1}"


def axis_reads(n: int, k: int, s: int, before: int, out: int, d: int = 1) -> np.ndarray:
    """``(n,)``: for each input index i on one axis, how many (output position, tap) pairs read it.

    Worked out arithmetically, independent of any step list: output ``o`` reads padded index
    ``o·s + d·j`` for taps ``j = 0 … k−1``, which is input index ``o·s + d·j − before``.
    """
    counts = np.zeros(n, int)
    for i in range(n):
        for j in range(k):
            num = i + before - d * j
            if num >= 0 and num % s == 0 and num // s < out:
                counts[i] += 1
    return counts


def expected_reads(plan: StepPlan) -> np.ndarray:
    """``(H, W)`` read counts from :func:`axis_reads` on each axis (a window reads a grid of taps)."""
    t, _, l, _ = plan.pads
    rows = axis_reads(plan.in_shape[0], plan.window_shape[0], plan.stride[0], t, plan.out_shape[0], plan.dilation[0])
    cols = axis_reads(plan.in_shape[1], plan.window_shape[1], plan.stride[1], l, plan.out_shape[1], plan.dilation[1])
    return np.outer(rows, cols)


def _windows(img: np.ndarray, kh: int, kw: int, stride, dilation, pads, out_shape):
    """Tap coordinates and values of every window: (oh, ow, kh, kw, …) arrays."""
    (sh, sw), (dh, dw), (t, _, l, _), (oh, ow) = stride, dilation, pads, out_shape
    h, w, _ = img.shape
    prow = (np.arange(oh) * sh)[:, None] + dh * np.arange(kh)[None, :]   # (oh, kh) padded rows
    pcol = (np.arange(ow) * sw)[:, None] + dw * np.arange(kw)[None, :]   # (ow, kw) padded cols
    rr = np.broadcast_to(prow[:, None, :, None], (oh, ow, kh, kw)) - t
    cc = np.broadcast_to(pcol[None, :, None, :], (oh, ow, kh, kw)) - l
    inside = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
    values = np.zeros((oh, ow, kh, kw, img.shape[2]))
    values[inside] = img[rr[inside], cc[inside]]
    return rr, cc, inside, values


def conv_steps(image, kernel, bias=0.0, stride=1, padding: Padding = "valid", dilation=1) -> StepPlan:
    """Step list of ``conv2d(image, kernel, bias, stride, padding, dilation)`` for one kernel.

    image: ``(H, W)`` or ``(H, W, C)``; kernel: ``(kh, kw)`` or ``(kh, kw, C)``; bias: a number.
    Raises ValueError with a sentence when the combination cannot work.
    """
    img, kern, b, (sh, sw), (dh, dw), pads, out_shape = prepare_one_kernel(
        image, kernel, bias, stride, padding, dilation, "a step list follows one kernel at a time")
    kh, kw = kern.shape[:2]
    rr, cc, inside, values = _windows(img, kh, kw, (sh, sw), (dh, dw), pads, out_shape)
    products = values * kern                            # (oh, ow, kh, kw, C)
    sums = products.sum(axis=(2, 3))                    # (oh, ow, C)
    totals = sums.sum(axis=2) + b                       # (oh, ow)
    steps = []
    for idx, (o_r, o_c) in enumerate(np.ndindex(*out_shape)):
        cells = np.stack([rr[o_r, o_c], cc[o_r, o_c]], axis=-1)
        steps.append(Step(
            op="conv", index=idx, out_row=o_r, out_col=o_c, taps=cells + np.array([pads[0], pads[2]]),
            cells=cells, padded=~inside[o_r, o_c], window=values[o_r, o_c], value=np.array([totals[o_r, o_c]]),
            products=products[o_r, o_c], channel_sums=sums[o_r, o_c], kernel=kern, bias=b,
            real_count=int(inside[o_r, o_c].sum())))
    return StepPlan(op="conv", image=img, window_shape=(kh, kw), stride=(sh, sw), dilation=(dh, dw), pads=pads,
                    out_shape=out_shape, output=totals[:, :, None], steps=tuple(steps), kernel=kern, bias=b)


def pool_steps(image, pool_size=2, strides=None, padding: Padding = "valid", mode: str = "max") -> StepPlan:
    """Step list of ``pool2d(image, pool_size, strides, padding, mode)`` (Keras semantics).

    Each channel is pooled on its own, so every step carries one value (and one maximum) per channel.
    """
    m = check_pool_mode(mode)
    img = as_image(image).astype(np.float64)
    ph, pw = check_pool_size(pool_size)
    sh, sw = check_stride((ph, pw) if strides is None else strides)
    pads = pool_padding(padding, img.shape[:2], (ph, pw), (sh, sw))
    out_shape = output_shape(img.shape[:2], (ph, pw), (sh, sw), pads, 1)
    rr, cc, inside, values = _windows(img, ph, pw, (sh, sw), (1, 1), pads, out_shape)
    chans = img.shape[2]
    steps, out = [], np.zeros(out_shape + (chans,))
    for idx, (o_r, o_c) in enumerate(np.ndindex(*out_shape)):
        win, real = values[o_r, o_c], inside[o_r, o_c]
        argmax = None
        if m == "max":
            masked = np.where(real[:, :, None], win, -np.inf).reshape(-1, chans)
            flat = masked.argmax(axis=0)                            # first maximum in reading order
            argmax = np.stack([flat // pw, flat % pw], axis=-1)     # (C, 2)
            value = masked.max(axis=0)
        else:
            value = win[real].sum(axis=0) / real.sum()
        out[o_r, o_c] = value
        cells = np.stack([rr[o_r, o_c], cc[o_r, o_c]], axis=-1)
        steps.append(Step(
            op=m, index=idx, out_row=o_r, out_col=o_c, taps=cells + np.array([pads[0], pads[2]]), cells=cells,
            padded=~real, window=win, value=np.asarray(value, float), argmax=argmax, real_count=int(real.sum())))
    return StepPlan(op=m, image=img, window_shape=(ph, pw), stride=(sh, sw), dilation=(1, 1), pads=pads,
                    out_shape=out_shape, output=out, steps=tuple(steps))
