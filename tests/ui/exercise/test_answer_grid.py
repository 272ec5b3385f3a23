"""The exercise's answer grid: what a typed, a wrong, a revealed and an empty cell look like."""

from __future__ import annotations

import pytest

from desktopnn.ui.exercise.answer_grid import TINTS, AnswerGrid
from desktopnn.ui.exercise.state import ExerciseState
from desktopnn.ui.theme import make_theme


@pytest.mark.parametrize("presentation", [False, True])
def test_show_answers_marks_tints_and_hides(qtbot, presentation):
    st = ExerciseState()
    grid = AnswerGrid(*st.out_shape)
    qtbot.addWidget(grid)
    right = float(st.answers[0][0, 0])
    st.enter(0, 0, 0, right)
    st.enter(0, 0, 1, right + 5)
    grid.show_answers(st, 0, {(0, 1, 1), (1, 2, 2)}, make_theme(presentation))
    assert grid.marks() == {(0, 0): "✓", (0, 1): "✗"}
    assert not grid.is_empty(0, 0) and grid.values()[0, 0] == pytest.approx(right)
    assert grid.values()[0, 1] == pytest.approx(right + 5)
    assert not grid.is_empty(1, 1) and grid.values()[1, 1] == pytest.approx(st.answers[0][1, 1])
    assert grid.is_empty(2, 2)               # revealed for kernel 2, not this one
    empty = [(r, c) for r in range(st.out_shape[0]) for c in range(st.out_shape[1]) if grid.is_empty(r, c)]
    assert len(empty) == st.cells - 3
    tints = TINTS[presentation]
    assert [tuple(grid._shade_rgb[r, c]) for r, c in ((0, 0), (0, 1), (1, 1))] == \
        [tints["right"], tints["wrong"], tints["revealed"]]


def test_an_empty_cell_opens_an_empty_editor(qtbot):
    grid = AnswerGrid(3, 4)
    qtbot.addWidget(grid)
    grid.show()
    grid.start_edit(0, 0)
    assert grid._editor is not None and grid._editor.text() == ""
