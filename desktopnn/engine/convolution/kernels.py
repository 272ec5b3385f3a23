"""Kernel presets and the worked examples of the course notes (pure data, numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Kernel:
    """One kernel of a bank: ``values`` is ``(kh, kw)`` or ``(kh, kw, C)``, with its own bias."""

    name: str
    values: np.ndarray
    bias: float = 0.0
    about: str = ""

    def __post_init__(self):
        object.__setattr__(self, "values", np.array(self.values, dtype=np.float64))


def _k(name, rows, bias=0.0, about=""):
    return Kernel(name, np.array(rows, dtype=np.float64), bias, about)


KERNEL_PRESETS: dict[str, Kernel] = {k.name: k for k in [
    _k("Identity", [[0, 0, 0], [0, 1, 0], [0, 0, 0]], about="copies the input: the feature map is the image"),
    _k("Box blur", np.full((3, 3), 1 / 9), about="averages each 3×3 neighbourhood"),
    _k("Gaussian blur", np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16, about="a softer, weighted average"),
    _k("Sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], about="the centre minus its neighbours"),
    _k("Sobel x", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], about="vertical edges: dark left, bright right"),
    _k("Sobel y", [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], about="horizontal edges: dark above, bright below"),
    _k("Prewitt x", [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], about="vertical edges, unweighted"),
    _k("Prewitt y", [[-1, -1, -1], [0, 0, 0], [1, 1, 1]], about="horizontal edges, unweighted"),
    _k("Laplacian", [[0, 1, 0], [1, -4, 1], [0, 1, 0]], about="where the brightness bends: outlines"),
    _k("Emboss", [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], about="light from the top left"),
    _k("Diagonal ↗ (zero surround)", [[0, 1], [1, 0]],
       about="notes 2.11: ones bottom-left and top-right find every / diagonal, even inside other shapes"),
    _k("Diagonal ↗ (negative surround)", [[-1, 1], [1, -1]],
       about="notes 2.11: negative elsewhere keeps only isolated / diagonals"),
    _k("Diagonal ↘ 3×3 (zero surround)", [[1, 0, 0], [0, 1, 0], [0, 0, 1]], about="a longer \\ diagonal"),
    _k("Diagonal ↘ 3×3 (negative surround)", [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
       about="a \\ diagonal with nothing around it"),
]}

# notes 2.11: the exercise image and its four kernels with their biases
EXERCISE_IMAGE = np.array([
    [23, 255, 40, 12, 4],
    [21, 34, 200, 43, 200],
    [160, 180, 17, 190, 80],
    [210, 190, 40, 3, 240],
], dtype=np.float64)

EXERCISE_KERNELS: list[Kernel] = [
    _k("Exercise kernel 1", [[1, 0], [0, 1]], 0.0, about="notes 2.11, bias 0"),
    _k("Exercise kernel 2", [[0, 1], [1, 0]], -1.0, about="notes 2.11, bias -1"),
    _k("Exercise kernel 3", [[0.9, 1.1], [-2.8, 0.8]], 0.15, about="notes 2.11, bias 0.15"),
    _k("Exercise kernel 4", [[0.9, 1.1], [0, 0.8]], -1.6, about="notes 2.11, bias -1.6"),
]

EXERCISE = {"image": EXERCISE_IMAGE, "kernels": EXERCISE_KERNELS}

# notes 2.3: a 5×5 RGB image, one 3×3×3 kernel, bias 1, padding 1. Output cell (0, 0) reads
# "0*-1 + 0*-1 + 0*1 + 0*0 + 156*1 + 155*-1 + 0*0 + 153*1 + 154*1 = 308" in the red channel.
_R = [[156, 155, 156, 158, 158], [153, 154, 157, 159, 159], [149, 151, 155, 158, 159],
      [146, 146, 149, 153, 158], [145, 143, 143, 148, 158]]
_G = [[167, 166, 167, 169, 169], [164, 165, 168, 170, 170], [160, 162, 166, 169, 170],
      [156, 156, 159, 163, 168], [155, 153, 153, 158, 168]]
_B = [[163, 162, 163, 165, 165], [160, 161, 164, 166, 166], [156, 158, 162, 165, 166],
      [155, 155, 158, 162, 167], [154, 152, 152, 157, 167]]
_KR = [[-1, -1, 1], [0, 1, -1], [0, 1, 1]]
_KG = [[1, 0, 0], [1, -1, -1], [1, 0, -1]]
_KB = [[0, 1, 1], [0, 1, 0], [1, -1, 1]]

NOTES_308 = {
    "image": np.stack([_R, _G, _B], axis=-1).astype(np.float64),       # (5, 5, 3)
    "kernel": Kernel("Notes 2.3 kernel", np.stack([_KR, _KG, _KB], axis=-1), 1.0,
                     about="notes 2.3: one kernel per colour channel, bias 1"),
    "padding": 1,
    "cell": (0, 0),
}


def kernel_preset(name: str) -> Kernel:
    """A preset by name (case-insensitive), including the exercise kernels."""
    every = {**KERNEL_PRESETS, **{k.name: k for k in EXERCISE_KERNELS}, NOTES_308["kernel"].name: NOTES_308["kernel"]}
    for key, kern in every.items():
        if key.lower() == name.lower():
            return kern
    raise ValueError(f"no kernel preset called {name!r}; choose one of: {', '.join(every)}")
