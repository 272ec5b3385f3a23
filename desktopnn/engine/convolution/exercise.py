"""The exercise of notes 2.11 as a checker: the right answers, what was typed, what was revealed.

No Qt: the Exercise tab drives it, and so can a notebook or a test.
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.convolution.explain import ConvExplanation, explain_conv
from desktopnn.engine.convolution.kernels import EXERCISE

TOLERANCE = 0.01  # a typed value within this of the answer counts as right


class ExerciseState:
    """The answers of valid, stride-1 convolutions of ``image`` with each kernel, and the student's work."""

    def __init__(self, image=EXERCISE["image"], kernels=EXERCISE["kernels"]):
        self.image = np.asarray(image, dtype=np.float64)
        self.kernels = list(kernels)
        kh, kw = self.kernels[0].values.shape[:2]
        self.out_shape = (self.image.shape[0] - kh + 1, self.image.shape[1] - kw + 1)  # valid, stride 1
        self.answers = [np.array([[explain_conv(self.image, k.values, k.bias, r, c).total
                                   for c in range(self.out_shape[1])] for r in range(self.out_shape[0])])
                        for k in self.kernels]
        self.typed: dict[tuple[int, int, int], float] = {}
        self.revealed: set[tuple[int, int, int]] = set()

    @property
    def cells(self) -> int:
        return self.out_shape[0] * self.out_shape[1]

    def explanation(self, k: int, r: int, c: int) -> ConvExplanation:
        kern = self.kernels[k]
        return explain_conv(self.image, kern.values, kern.bias, r, c)

    def enter(self, k: int, r: int, c: int, value: float) -> bool:
        """Record a typed value; returns whether it is right (within ``TOLERANCE``)."""
        self.typed[(k, r, c)] = float(value)
        return self.is_right(k, r, c)

    def is_right(self, k: int, r: int, c: int) -> bool | None:
        """True/False for a typed value, None where nothing was typed."""
        if (k, r, c) not in self.typed:
            return None
        return abs(self.typed[(k, r, c)] - self.answers[k][r, c]) <= TOLERANCE + 1e-9

    def reveal(self, k: int, r: int, c: int) -> None:
        self.revealed.add((k, r, c))

    def reveal_all(self, k: int) -> None:
        rows, cols = self.out_shape
        self.revealed.update((k, r, c) for r in range(rows) for c in range(cols))

    def reset(self, k: int) -> None:
        self.typed = {key: v for key, v in self.typed.items() if key[0] != k}
        self.revealed = {key for key in self.revealed if key[0] != k}

    def score(self, k: int) -> int:
        return sum(1 for (kk, r, c) in self.typed if kk == k and self.is_right(kk, r, c))
