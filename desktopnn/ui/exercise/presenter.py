"""The exercise (notes 2.11) in front of a class (issue 9): the clicker walks the output cells of the
kernel on show (then the next kernel's), revealing each value, or with predict-before-reveal showing
"?" until the class has guessed (scene.py saves the walk with the rest).
"""

from __future__ import annotations

from desktopnn.ui.exercise.state import ALL


class ExercisePresenter:
    """Clicker steps, export frames and predict-before-reveal of :class:`ExerciseTab`."""

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
