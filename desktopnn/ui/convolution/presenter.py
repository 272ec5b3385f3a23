"""The Convolution lab in front of a class (issue 9): the clicker walks the explained cell across its
feature map in reading order (the sliding window, notes 2.3), predict-before-reveal hides the value
being computed, and a scene restarts the lab on its explained cell (scene.py saves and restores the rest).
"""

from __future__ import annotations

MAX_EXPORT_FRAMES = 400   # a map of numbers (12×12 at most in a grid) exports; a photo's 100 000 cells do not


class PresenterMixin:
    """Clicker steps, export frames, predict-before-reveal and the restart after a scene of :class:`ConvLabTab`."""

    # ---- the explained cell, in reading order ----------------------------------------------------
    def _walk(self) -> tuple[int, int, int, int] | None:
        """(kernel, index, rows, cols) of the explained cell in its map, or None without a result.

        Never waits for a recompute in progress: this runs in slots (a key press, the Export menu
        opening), where a nested event loop re-enters Qt and crashed the app. Moving the explained
        cell only needs the maps already shown; a newer result keeps the cell.
        """
        res = self.result
        if res is None or not res.maps:
            return None
        k, r, c = self.current_cell() or (0, 0, 0)
        k = min(k, len(res.maps) - 1)
        h, w = res.maps[k].shape
        r, c = min(r, h - 1), min(c, w - 1)
        return k, r * w + c, h, w

    def _go(self, k: int, index: int, w: int) -> None:
        self._hover = None
        self.select_cell(k, index // w, index % w)

    def step(self, delta: int) -> bool:
        """Move the explained cell ``delta`` cells in reading order (the window slides); False at an end."""
        walk = self._walk()
        if walk is None:
            return False
        k, i, h, w = walk
        j = i + int(delta)
        if not 0 <= j < h * w:
            return False
        self._go(k, j, w)
        return True

    def frame_count(self) -> int:
        walk = self._walk()
        if walk is None:
            return 0
        n = walk[2] * walk[3]
        return n if n <= MAX_EXPORT_FRAMES else 0

    def current_frame(self) -> int:
        walk = self._walk()
        return 0 if walk is None else walk[1]

    def show_frame(self, index: int) -> None:
        walk = self._walk()
        if walk is not None:
            k, _i, h, w = walk
            self._go(k, max(0, min(int(index), h * w - 1)), w)

    # ---- predict before reveal ---------------------------------------------------------------------
    def supports_predict(self) -> bool:
        return True

    def set_predict(self, on: bool) -> None:
        self._predict = bool(on)
        self._revealed.clear()
        self.predict_hint.setVisible(self._predict)
        self._show_selection()

    def reveal(self) -> bool:
        cell = self.current_cell()
        if not self._predict or cell is None or self.result is None or cell in self._revealed:
            return False
        self._revealed.add(cell)
        self._show_selection()
        return True

    # ---- after a scene ------------------------------------------------------------------------
    def restart_on_cell(self, cell: tuple[int, int, int] | None) -> None:
        """After a scene: recompute now, drop older results, explain ``cell`` (None: the middle of map 1)."""
        self._hover = None
        self._pinned = cell
        self._first_result = cell is None
        self.result = None                # the old maps must not be explained with the new cell
        self._timer.stop()
        self._applied_job = self._submit()
        self._show_selection()
