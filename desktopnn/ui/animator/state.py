"""The animator's state: the input, the operation and its parameters, the presets, the playing speeds
(notes 2.5–2.7).

Qt-light (a QObject for the ``changed`` signal only), so tests can drive it without pixels. The
step list itself comes from :mod:`desktopnn.engine.convolution.steps`; :func:`step_text` writes a step out for
the screen and the exported frames alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from desktopnn.engine.convolution.explain import channel_names, fmt_num
from desktopnn.engine.convolution.padding import axis_padding, check_dilation, check_stride
from desktopnn.engine.convolution.steps import StepPlan, conv_steps, pool_steps, size_formula

MAX_INPUT = 16          # rows/columns of the input grid
MAX_CHANNELS = 4
MAX_WINDOW = 7          # kernel or pool rows/columns
MAX_STRIDE = 4
MAX_DILATION = 4
MAX_PAD = 6             # explicit padding per side
OP_TITLES = {"conv": "Convolution", "max": "Max pooling", "avg": "Average pooling"}
PAD_MODES = ("valid", "same", "full", "explicit")
SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)   # playing speeds, steps per second

NOTES_7X7 = np.array([
    [1, 3, 2, 0, 4, 1, 2],
    [5, 2, 1, 6, 0, 3, 1],
    [0, 4, 8, 1, 2, 7, 5],
    [2, 1, 3, 5, 9, 0, 2],
    [6, 0, 2, 1, 3, 4, 8],
    [1, 7, 4, 2, 5, 1, 3],
    [3, 2, 5, 0, 1, 6, 4]], float)
EDGE_7X7 = np.array([[0, 0, 0, 9, 9, 9, 9]] * 3 + [[0, 0, 0, 0, 9, 9, 9]] * 2 + [[0, 0, 0, 0, 0, 9, 9]] * 2, float)
VERTICAL_EDGE = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], float)
SMALL_5X5 = np.array([[3, 1, 2, 0, 1], [0, 4, 1, 3, 2], [2, 1, 5, 1, 0], [1, 3, 0, 2, 4], [0, 2, 1, 1, 3]], float)
CROSS_3X3 = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], float)
X_3X3 = np.array([[1, 0, 1], [0, 2, 0], [1, 0, 1]], float)


@dataclass(frozen=True)
class Preset:
    title: str
    description: str
    image: np.ndarray
    op: str = "conv"
    kernel: np.ndarray | None = None     # (kh, kw) or (kh, kw, C) for conv
    bias: float = 0.0
    pool: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (1, 1)
    padding: str = "valid"
    explicit: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)

    def values(self) -> dict:
        """What choosing this preset sets, as the state's fields: the input (rows, columns, channels) as
        floats, the kernel likewise (None for a preset that keeps the current one) and the settings."""
        img = self.image if self.image.ndim == 3 else self.image[:, :, None]
        k = None if self.kernel is None else (self.kernel if self.kernel.ndim == 3 else self.kernel[:, :, None])
        return {"image": img.astype(float), "kernel": None if k is None else k.astype(float), "op": self.op,
                "bias": self.bias, "pool": self.pool, "stride": self.stride, "padding": self.padding,
                "explicit": self.explicit, "dilation": self.dilation, "source": self.description,
                "preset_title": self.title}


def _rgb_input() -> np.ndarray:
    rng = np.random.default_rng(23)
    return rng.integers(0, 6, size=(5, 5, 3)).astype(float)


def _rgb_kernel() -> np.ndarray:
    k = np.zeros((3, 3, 3))
    k[:, :, 0] = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
    k[:, :, 1] = [[0, 1, 0], [0, 1, 0], [0, 1, 0]]
    k[:, :, 2] = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    return k


PRESETS: list[Preset] = [
    Preset("Max pooling 7×7 → 3×3 (notes 2.7)",
           "Keras MaxPooling2D defaults: pool 2×2, strides = pool size, 'valid'. The last row and column "
           "do not fill a window, so they are dropped: 7×7 becomes 3×3.",
           NOTES_7X7, op="max", pool=(2, 2), stride=(2, 2)),
    Preset("Stride 1 (notes 2.5)",
           "A 3×3 edge kernel moves one cell at a time: 7×7 becomes 5×5 and neighbouring windows overlap.",
           EDGE_7X7, kernel=VERTICAL_EDGE, stride=(1, 1)),
    Preset("Stride 2 on the same input (notes 2.5)",
           "The same kernel jumps two cells at a time: 7×7 becomes 3×3, a quarter of the work.",
           EDGE_7X7, kernel=VERTICAL_EDGE, stride=(2, 2)),
    Preset("Padding 'valid' (notes 2.6)",
           "No padding: the 3×3 window only sits where it fits, so 5×5 shrinks to 3×3.",
           SMALL_5X5, kernel=X_3X3, padding="valid"),
    Preset("Padding 'same' on the same input (notes 2.6)",
           "One ring of zeros around the input keeps the output 5×5, the same size as the input.",
           SMALL_5X5, kernel=X_3X3, padding="same"),
    Preset("'same' with stride 2: the extra padding goes bottom/right",
           "Keras needs one padding row and column here (6 + 1 cells for 3 windows of 3 with stride 2) "
           "and puts the odd one at the bottom and on the right, never at the top or left.",
           np.vstack([SMALL_5X5, SMALL_5X5[:1]])[:, list(range(5)) + [0]], kernel=X_3X3, stride=(2, 2),
           padding="same"),
    Preset("Average pooling ignores padding",
           "AveragePooling2D with 'same': windows at the edge divide by the number of real cells only.",
           SMALL_5X5, op="avg", pool=(2, 2), stride=(2, 2), padding="same"),
    Preset("Dilation 2: a 3×3 kernel with gaps",
           "Dilation spreads the taps apart: the 3×3 kernel covers 5×5 cells, so 7×7 becomes 3×3.",
           NOTES_7X7, kernel=CROSS_3X3, dilation=(2, 2)),
    Preset("Three channels and a bias (notes 2.3)",
           "Each channel has its own 3×3 slice of the kernel; the three sums and the bias add up to one value.",
           _rgb_input(), kernel=_rgb_kernel(), bias=1.0),
]


class AnimatorState(QObject):
    """Parameters of the animation. Every change emits ``changed`` once."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.image = np.zeros((5, 5, 1))
        self.op = "conv"
        self.kernel = np.ones((3, 3, 1))
        self.bias = 0.0
        self.pool = (2, 2)
        self.stride = (1, 1)
        self.padding = "valid"
        self.explicit = (0, 0, 0, 0)
        self.dilation = (1, 1)
        self.source = ""
        self.preset_title = ""
        self.apply_preset(0)

    # ---- changes ---------------------------------------------------------------------------
    def apply_preset(self, index: int) -> None:
        v = PRESETS[index].values()
        k, chans = v.pop("kernel"), v["image"].shape[2]
        if k is None:
            self.kernel = _resize(self.kernel, 3, 3, chans, fill=1.0)
        else:
            self.kernel = np.repeat(k, chans, axis=2) if k.shape[2] == 1 else k
        for name, value in v.items():
            setattr(self, name, value)
        self.changed.emit()

    def set_input(self, array, source: str) -> str:
        """Load a grid (2-D or (H, W, C)); returns a note when it had to be cut down or rounded."""
        arr = np.asarray(array, dtype=float)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3 or arr.size == 0:
            raise ValueError(f"the animator takes a 2-D grid or (rows, columns, channels), not shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError("the patch contains a value that is not a finite number")
        notes = []
        if arr.shape[0] > MAX_INPUT or arr.shape[1] > MAX_INPUT or arr.shape[2] > MAX_CHANNELS:
            notes.append(f"cut to the top-left {min(arr.shape[0], MAX_INPUT)}×{min(arr.shape[1], MAX_INPUT)}"
                         + (f" and the first {MAX_CHANNELS} channels" if arr.shape[2] > MAX_CHANNELS else ""))
            arr = arr[:MAX_INPUT, :MAX_INPUT, :MAX_CHANNELS]
        if not np.allclose(arr, np.round(arr)):
            arr = np.round(arr, 2)
            notes.append("rounded to 2 decimals")
        self.image = arr.copy()
        self.kernel = _resize(self.kernel, *self.kernel.shape[:2], arr.shape[2], fill=1.0)
        self.source, self.preset_title = source, ""
        self.changed.emit()
        return "; ".join(notes)

    def resize_input(self, rows: int, cols: int, channels: int) -> None:
        self.image = _resize(self.image, rows, cols, channels, fill=0.0)
        self.kernel = _resize(self.kernel, *self.kernel.shape[:2], channels, fill=1.0)
        self._left_preset()
        self.changed.emit()

    def set_input_value(self, r: int, c: int, channel: int, value: float) -> None:
        self.image[r, c, channel] = value
        self.changed.emit()

    def randomize_input(self, seed: int | None = None) -> None:
        rng = np.random.default_rng(seed)
        self.image = rng.integers(0, 10, size=self.image.shape).astype(float)
        self.preset_title, self.source = "", "Random whole numbers from 0 to 9"
        self.changed.emit()

    def set_kernel_size(self, rows: int, cols: int) -> None:
        self.kernel = _resize(self.kernel, rows, cols, self.image.shape[2], fill=1.0)
        self._left_preset()
        self.changed.emit()

    def set_kernel_value(self, r: int, c: int, channel: int, value: float) -> None:
        self.kernel[r, c, channel] = value
        self.changed.emit()

    def update(self, **values) -> None:
        """Set any of op, bias, pool, stride, padding, explicit, dilation; emits ``changed`` once."""
        for key, value in values.items():
            if key not in ("op", "bias", "pool", "stride", "padding", "explicit", "dilation"):
                raise AttributeError(f"the animator has no setting {key!r}")
            if getattr(self, key) != value:
                self._left_preset()
            setattr(self, key, tuple(value) if isinstance(value, list) else value)
        self.changed.emit()

    def restore(self, values: dict) -> None:
        """Set saved settings as they are (a scene's, already checked); emits ``changed`` once."""
        for key, value in values.items():
            setattr(self, key, value.copy() if isinstance(value, np.ndarray) else value)
        self.changed.emit()

    def _left_preset(self) -> None:
        """A setting changed: the preset's title and description no longer describe what is on show."""
        if self.preset_title:
            self.preset_title, self.source = "", ""

    # ---- derived -----------------------------------------------------------------------------
    @property
    def window(self) -> tuple[int, int]:
        return (int(self.kernel.shape[0]), int(self.kernel.shape[1])) if self.op == "conv" else tuple(self.pool)

    @property
    def effective_dilation(self) -> tuple[int, int]:
        return tuple(self.dilation) if self.op == "conv" else (1, 1)

    def padding_spec(self):
        return tuple(self.explicit) if self.padding == "explicit" else self.padding

    def plan(self) -> StepPlan:
        """The step list for the current settings; ValueError with a sentence when they cannot work."""
        if self.op == "conv":
            return conv_steps(self.image, self.kernel, self.bias, self.stride, self.padding_spec(),
                              self.effective_dilation)
        return pool_steps(self.image, self.pool, self.stride, self.padding_spec(), self.op)

    def pads(self) -> tuple[int, int, int, int] | None:
        """(top, bottom, left, right) for the current settings, or None when they are invalid."""
        try:
            s, d = check_stride(self.stride), check_dilation(self.effective_dilation)
            spec = self.padding_spec()
            if isinstance(spec, tuple):
                return spec
            (h, w), (kh, kw) = self.image.shape[:2], self.window
            return (*axis_padding(h, kh, s[0], spec, d[0]), *axis_padding(w, kw, s[1], spec, d[1]))
        except ValueError:
            return None

    def formula_lines(self) -> list[str]:
        """The output-size formula for rows and columns with today's numbers (even when it fails)."""
        pads = self.pads()
        if pads is None:
            return []
        (h, w), (kh, kw) = self.image.shape[:2], self.window
        (sh, sw), (dh, dw) = self.stride, self.effective_dilation
        return [f"rows:     {size_formula(h, kh, sh, pads[0], pads[1], dh)}",
                f"columns:  {size_formula(w, kw, sw, pads[2], pads[3], dw)}"]

    def summary(self) -> str:
        """``Max pooling 2×2, stride 2×2, padding 'valid': 7×7 → 3×3`` (the output part when it works)."""
        kh, kw = self.window
        parts = [f"{OP_TITLES[self.op]} {kh}×{kw}"]
        if self.op == "conv" and self.image.shape[2] > 1:
            parts[0] += f"×{self.image.shape[2]}"
        parts.append(f"stride {self.stride[0]}×{self.stride[1]}")
        if self.op == "conv" and tuple(self.dilation) != (1, 1):
            parts.append(f"dilation {self.dilation[0]}×{self.dilation[1]}")
        parts.append("padding " + ("(" + ", ".join(map(str, self.explicit)) + ")" if self.padding == "explicit"
                                   else f"'{self.padding}'"))
        text = ", ".join(parts)
        if self.op == "conv" and self.bias:
            text += f", bias {fmt_num(self.bias)}"
        return text


def _resize(arr: np.ndarray, rows: int, cols: int, channels: int, fill: float) -> np.ndarray:
    """Grow or shrink (rows, cols, channels), keeping the values that still fit."""
    out = np.full((rows, cols, channels), fill, dtype=float)
    r, c = min(rows, arr.shape[0]), min(cols, arr.shape[1])
    for ch in range(channels):
        out[:r, :c, ch] = arr[:r, :c, min(ch, arr.shape[2] - 1)]
    return out


def _term(x: float, k: float) -> str:
    k_text = fmt_num(k).replace("-", "−")
    return f"{fmt_num(x).replace('-', '−')}×{'(' + k_text + ')' if k < 0 else k_text}"


def step_text(plan: StepPlan | None, position: int, channel: int = 0) -> tuple[str, list[str]]:
    """A heading and the arithmetic lines for ``position`` (0 = before the first step).

    Convolution: the products of the channel on show, each other channel by its sum, then the total.
    Max pooling: the window's values, the maximum and where it sits. Average pooling: the mean of the
    real cells.
    """
    if plan is None:
        return "", []
    n = len(plan)
    if position <= 0:
        return (f"{n} steps: the window visits each output cell in turn",
                ["Press Play (Space) or Step (→, Page Down) to start."])
    step = plan.steps[min(position, n) - 1]
    head = f"Step {step.index + 1} of {n}: output row {step.out_row + 1}, column {step.out_col + 1}"
    chans = plan.channels
    names = channel_names(chans)
    if plan.op == "conv":
        lines = []
        for c in range(chans):
            label = f"{names[c]}: " if names[c] else ""
            if c == channel or chans == 1:
                terms = " + ".join(_term(x, k) for x, k in zip(step.window[:, :, c].ravel(),
                                                               step.kernel[:, :, c].ravel()))
                lines.append(f"{label}{terms} = {fmt_num(step.channel_sums[c])}")
            else:
                lines.append(f"{label}sum of its {step.window[:, :, c].size} products = {fmt_num(step.channel_sums[c])}")
        if chans > 1 or step.bias:
            sums = " + ".join(fmt_num(s) for s in step.channel_sums)
            lines.append(f"{sums} + {fmt_num(step.bias)} (bias) = {fmt_num(step.value[0])}")
        return head, [ln.replace("+ -", "− ").replace("+ −", "− ") for ln in lines]
    c = min(channel, chans - 1)
    label = f"{names[c]}: " if names[c] else ""
    return head, [label + step.pool_line(c)]
