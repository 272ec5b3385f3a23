"""The student's answer grids (notes 2.11): empty cells show "?", typed values are marked right or wrong,
revealed values are tinted.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from desktopnn.ui.exercise.state import ExerciseState
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import Theme

# background tints of answer cells: right, wrong, revealed (normal look, presentation look)
TINTS = {False: {"right": (200, 240, 210), "wrong": (248, 200, 204), "revealed": (217, 210, 233)},
         True: {"right": (11, 93, 42), "wrong": (122, 16, 32), "revealed": (75, 58, 107)}}


class AnswerGrid(NumberGrid):
    """An answer grid: empty cells show "?" and open an empty editor instead of a 0."""

    def __init__(self, rows: int, cols: int, parent: QWidget | None = None):
        super().__init__(np.zeros((rows, cols)), editable=True, parent=parent)
        self.set_hidden_mask(np.ones((rows, cols), bool))

    def is_empty(self, r: int, c: int) -> bool:
        return bool(self._hidden[r, c])

    def marks(self) -> dict[tuple[int, int], str]:
        return dict(self._marks)

    def current_cell(self) -> tuple[int, int] | None:
        return self._current

    def start_edit(self, r: int, c: int, initial: str | None = None) -> None:
        if initial is None and self.is_empty(r, c):
            initial = ""
        super().start_edit(r, c, initial)

    def show_answers(self, st: ExerciseState, k: int, shown: set[tuple[int, int, int]], theme: Theme) -> None:
        """Draw kernel ``k``'s answers: typed values marked ✓/✗, the ``shown`` cells' right values tinted."""
        tints = TINTS[theme.presentation]
        empty = tuple(int(theme.panel[i:i + 2], 16) for i in (1, 3, 5))
        values = np.zeros(st.out_shape)
        hidden = np.ones(st.out_shape, bool)
        rgb = np.empty(st.out_shape + (3,), np.uint8)
        marks = {}
        for r in range(st.out_shape[0]):
            for c in range(st.out_shape[1]):
                right = st.is_right(k, r, c)
                rgb[r, c] = empty
                if right is not None:
                    values[r, c], hidden[r, c] = st.typed[(k, r, c)], False
                    marks[(r, c)] = "✓" if right else "✗"
                    rgb[r, c] = tints["right" if right else "wrong"]
                if (k, r, c) in shown and not right:
                    values[r, c], hidden[r, c] = st.answers[k][r, c], False
                    marks.pop((r, c), None)
                    rgb[r, c] = tints["revealed"]
        self.set_values(values)
        self.set_hidden_mask(hidden)
        self.set_marks(marks)
        self.set_shading(None, rgb)
