"""The exercise (notes 2.11) in front of a class (issue 9): the clicker walks the output cells of the
kernel on show (then the next kernel's), revealing each value, or with predict-before-reveal showing
"?" until the class has guessed; scenes keep the kernel choice, the selected cell, the answers typed
and revealed, and the walk.

State keys (all optional): ``kernel`` (1–4 or "all", default 1), ``cell`` ([kernel, row, col],
0-based, default the first cell of the kernel on show), ``answers`` ([[kernel, row, col, value], …]),
``revealed`` ([[kernel, row, col], …]), ``walk`` (cells stepped through, 0 to the cells on show).
"""

from __future__ import annotations

import math

from desktopnn.scenes import SceneError
from desktopnn.ui.scene_fields import cell_list, get_int, get_list

ALL = 99   # as desktopnn.ui.exercise.ALL


class ExercisePresenter:
    """Clicker steps, export frames, predict-before-reveal and scenes of :class:`ExerciseTab`."""

    # ---- the walk over the output cells --------------------------------------------------------------
    def walk_cells(self) -> list[tuple[int, int, int]]:
        rows, cols = self.state.out_shape
        return [(k, r, c) for k in self.shown_kernels() for r in range(rows) for c in range(cols)]

    def walk_cell(self) -> tuple[int, int, int] | None:
        return self.walk_cells()[self._walk - 1] if self._walk > 0 else None

    def walk_shown(self) -> set[tuple[int, int, int]]:
        """Cells whose value the walk has shown: those passed, and the current one unless it is hidden."""
        cells = self.walk_cells()[:self._walk]
        if cells and self._predict and not self._walk_revealed:
            cells = cells[:-1]
        return set(cells)

    def _walk_to(self, position: int) -> None:
        cells = self.walk_cells()
        self._walk = max(0, min(int(position), len(cells)))
        self._walk_revealed = False
        if self._walk > 0:
            self._selected = cells[self._walk - 1]
        self._refresh()

    def step(self, delta: int) -> bool:
        """One output cell forward or back; past the last cell of a kernel, on to the next kernel."""
        n, k = len(self.walk_cells()), self._kernel
        new = self._walk + int(delta)
        if 0 <= new <= n and new != self._walk:
            self._walk_to(new)
        elif new > n and k != ALL and k + 1 < len(self.state.kernels):
            self.select_kernel(k + 1)
            self._walk_to(1)
        elif new < 0 and k != ALL and k > 0:
            self.select_kernel(k - 1)
            self._walk_to(len(self.walk_cells()))
        else:
            return False
        return True

    def frame_count(self) -> int:
        return len(self.walk_cells()) + 1

    def current_frame(self) -> int:
        return self._walk

    def show_frame(self, index: int) -> None:
        self._walk_to(index)       # everything here is computed on the spot: drawn at once

    # ---- predict before reveal ---------------------------------------------------------------------
    def supports_predict(self) -> bool:
        return True

    def set_predict(self, on: bool) -> None:
        self._predict = bool(on)
        self._walk_revealed = False
        self.predict_hint.setVisible(self._predict)
        self._refresh()

    def reveal(self) -> bool:
        cell = self.walk_cell()
        if not self._predict or cell is None or self._walk_revealed:
            return False
        self._walk_revealed = True
        visible_before = cell in self.state.revealed or self.state.is_right(*cell)
        self._refresh()
        return not visible_before

    # ---- scenes --------------------------------------------------------------------------------
    def scene_state(self) -> dict:
        st = self.state
        return {"kernel": "all" if self._kernel == ALL else self._kernel + 1,
                "cell": list(self._selected) if self._selected else None,
                "answers": [[k, r, c, v] for (k, r, c), v in sorted(st.typed.items())],
                "revealed": [list(cell) for cell in sorted(st.revealed)], "walk": self._walk}

    def apply_scene(self, state: dict) -> None:
        if not isinstance(state, dict):
            raise SceneError("The scene's state for the exercise is not a group of settings.")
        st = self.state
        nk, (rows, cols) = len(st.kernels), st.out_shape
        kernel = state.get("kernel", 1)
        kernel = ALL if kernel == "all" else get_int(state, "kernel", default=1, lo=1, hi=nk) - 1
        cell = state.get("cell")
        if cell is not None:
            cell = cell_list([cell], "selected cell", (nk, rows, cols))[0]
            if kernel != ALL and cell[0] != kernel:
                raise SceneError(f"The scene's selected cell belongs to kernel {cell[0] + 1}, "
                                 f"but the scene shows kernel {kernel + 1}.")
        answers = {}
        for item in get_list(state, "answers", default=[]):
            if not isinstance(item, list) or len(item) != 4:
                raise SceneError(f"The scene's answer {item!r} should be [kernel, row, col, value].")
            (k, r, c), = cell_list([item[:3]], "answers", (nk, rows, cols))
            v = item[3]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise SceneError(f"The scene's answer for kernel {k + 1}, cell ({r}, {c}) is not a number: {v!r}.")
            answers[(k, r, c)] = float(v)
        revealed = set(cell_list(get_list(state, "revealed", default=[]), "revealed cells", (nk, rows, cols)))
        shown = nk if kernel == ALL else 1
        walk = get_int(state, "walk", default=0, lo=0, hi=shown * rows * cols)
        # everything checked: now change the view
        for g in self.answer_grids:
            g.finish_edit(commit=False)
        st.typed, st.revealed = answers, revealed
        self._selected = cell
        self.select_kernel(kernel)
        if walk:
            self._walk_to(walk)
        if cell is not None:
            self.select_cell(*cell)
        self._set_message("")
