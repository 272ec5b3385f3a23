"""The exercise tab (notes 2.11): answers by hand, right/wrong marks, refusal, reveal, reset, presentation."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desktopnn.engine.convolution.explain import explain_conv
from desktopnn.engine.convolution.kernels import EXERCISE
from desktopnn.ui.exercise.tab import ALL, ExerciseTab

# typed in from notes 2.11, independently of desktopnn.engine.convolution.kernels
IMAGE = np.array([[23, 255, 40, 12, 4],
                  [21, 34, 200, 43, 200],
                  [160, 180, 17, 190, 80],
                  [210, 190, 40, 3, 240]], dtype=float)
KERNELS = [([[1, 0], [0, 1]], 0.0), ([[0, 1], [1, 0]], -1.0),
           ([[0.9, 1.1], [-2.8, 0.8]], 0.15), ([[0.9, 1.1], [0, 0.8]], -1.6)]


def by_hand(k: int) -> np.ndarray:
    """Valid padding, stride 1, with plain loops."""
    kern, bias = np.array(KERNELS[k][0], dtype=float), KERNELS[k][1]
    out = np.zeros((3, 4))
    for r in range(3):
        for c in range(4):
            total = 0.0
            for i in range(2):
                for j in range(2):
                    total += IMAGE[r + i, c + j] * kern[i, j]
            out[r, c] = total + bias
    return out


@pytest.fixture
def tab(qtbot, app_ctx):
    t = ExerciseTab(app_ctx)
    qtbot.addWidget(t)
    app_ctx.themes.theme_changed.connect(t.apply_theme)
    t.resize(1600, 900)
    t.show()
    yield t
    t.shutdown()


def test_hand_answers_are_the_notes_numbers():
    assert by_hand(0)[0, 0] == 57                      # 23*1 + 34*1
    assert by_hand(1)[0, 0] == 275                     # 255 + 21 - 1
    assert by_hand(2)[0, 0] == pytest.approx(269.75)   # 20.7 + 280.5 - 58.8 + 27.2 + 0.15
    assert by_hand(3)[2, 3] == pytest.approx(449.4)    # 190*0.9 + 80*1.1 + 3*0 + 240*0.8 - 1.6


def test_image_and_kernels_are_preloaded(tab):
    np.testing.assert_array_equal(tab.image_grid.values(), IMAGE)
    for k, (kern, bias) in enumerate(KERNELS):
        np.testing.assert_array_equal(tab.kernel_grids[k].values(), np.array(kern, dtype=float))
        assert tab.state.kernels[k].bias == bias
    for grid in tab.answer_grids:
        assert grid.shape == (3, 4)
        assert all(grid.is_empty(r, c) for r in range(3) for c in range(4))
    assert "0 of 12 right" in tab.score_label.text()
    assert "diagonal" in tab.note_label.text() and "negative" in tab.note_label.text()


@pytest.mark.parametrize("k", range(4))
def test_revealed_answers_equal_the_hand_computation(tab, k):
    tab.select_kernel(k)
    tab.reveal_all()
    grid = tab.answer_grids[k]
    assert not any(grid.is_empty(r, c) for r in range(3) for c in range(4))
    np.testing.assert_allclose(grid.values(), by_hand(k), atol=1e-9)
    assert "0 of 12 right (12 revealed)" in tab.score_label.text()


def test_right_and_wrong_values_are_marked_at_once(tab):
    tab.select_kernel(2)
    right = by_hand(2)
    assert tab.type_answer(2, 0, 0, "269.75")
    assert tab.answer_grids[2].marks() == {(0, 0): "✓"}
    assert "right" in tab.message_label.text()
    assert tab.type_answer(2, 0, 1, str(right[0, 1] + 1))
    assert tab.answer_grids[2].marks()[(0, 1)] == "✗"
    assert tab.type_answer(2, 1, 0, f"{right[1, 0] + 0.005}")   # within the 0.01 tolerance
    assert tab.type_answer(2, 1, 1, f"{right[1, 1] + 0.02}")    # outside it
    marks = tab.answer_grids[2].marks()
    assert marks[(1, 0)] == "✓" and marks[(1, 1)] == "✗"
    assert tab.score_label.text() == "Score: 2 of 12 right"
    assert "Kernel 3 · bias 0.15 · 2 of 12 right" == tab.answer_titles[2].text()


def test_typing_with_the_keyboard(tab, qtbot):
    grid = tab.answer_grids[0]
    grid.start_edit(0, 0)
    editor = grid.findChild(QLineEdit)
    assert editor.text() == ""            # an empty cell opens an empty editor, not "0"
    qtbot.keyClicks(editor, "57")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert grid.marks() == {(0, 0): "✓"}
    assert grid.values()[0, 0] == 57


def test_a_non_number_is_refused_with_a_message(tab):
    assert not tab.type_answer(0, 0, 0, "abc")
    text = tab.message_label.text()
    assert "“abc” is not a number" in text and "stays empty" in text
    assert tab.message_label.property("role") == "error"
    assert tab.answer_grids[0].is_empty(0, 0) and tab.answer_grids[0].marks() == {}
    tab.type_answer(0, 0, 0, "57")
    assert not tab.type_answer(0, 0, 0, "5 7x")
    assert "your answer 57 stays" in tab.message_label.text()
    assert tab.answer_grids[0].values()[0, 0] == 57 and tab.state.score(0) == 1


def test_reveal_one_cell_shows_its_arithmetic(tab):
    tab.select_kernel(2)
    tab.select_cell(2, 1, 2)
    assert tab.arithmetic_label.text() == ""          # not given away before the reveal
    assert tab.answer_grids[2].is_empty(1, 2)
    tab.reveal_selected()
    expected = str(explain_conv(EXERCISE["image"], EXERCISE["kernels"][2].values, 0.15, 1, 2))
    assert tab.arithmetic_label.text() == expected
    assert tab.answer_grids[2].values()[1, 2] == pytest.approx(by_hand(2)[1, 2])
    assert tab.answer_grids[2].is_empty(0, 0)        # only that cell
    tab.select_cell(2, 0, 0)
    tab.reveal_selected()
    assert tab.arithmetic_label.text() == ("23*0.9 + 255*1.1 + 21*-2.8 + 34*0.8 = 269.6\n"
                                           "269.6 + 0.15 (bias) = 269.75")
    # the receptive field of the selected cell is outlined on the image
    mask = tab.image_grid._highlights[0][0]
    assert {tuple(x) for x in np.argwhere(mask)} == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_reset_clears_answers_and_reveals(tab):
    tab.type_answer(0, 0, 0, "57")
    tab.type_answer(0, 0, 1, "1")
    tab.reveal_all()
    tab.reset()
    assert all(tab.answer_grids[0].is_empty(r, c) for r in range(3) for c in range(4))
    assert tab.answer_grids[0].marks() == {}
    assert tab.score_label.text() == "Score: 0 of 12 right"


def test_all_four_at_once(tab):
    tab.select_kernel(ALL)
    assert all(box.isVisibleTo(tab) for box in tab.answer_boxes)
    tab.type_answer(3, 2, 3, "449.4")
    tab.type_answer(1, 0, 0, "275")
    assert tab.score_label.text() == "Score: 2 of 48 right"
    tab.select_kernel(1)
    assert [box.isVisibleTo(tab) for box in tab.answer_boxes] == [False, True, False, False]
    assert tab.score_label.text() == "Score: 1 of 12 right"


def test_presentation_mode_scales_fonts_and_cells(tab, app_ctx):
    tab.score_label.ensurePolished()
    small_font = tab.score_label.font().pixelSize()
    small_cells = [g.cell_size() for g in (tab.image_grid, tab.kernel_grids[0], tab.answer_grids[0])]
    app_ctx.themes.set_presentation(True)
    tab.score_label.ensurePolished()
    assert tab.score_label.font().pixelSize() >= 27 > small_font
    big_cells = [g.cell_size() for g in (tab.image_grid, tab.kernel_grids[0], tab.answer_grids[0])]
    assert all(b > s for b, s in zip(big_cells, small_cells))
    assert tab.answer_grids[0]._theme.presentation
    app_ctx.themes.set_presentation(False)
    assert [g.cell_size() for g in (tab.image_grid, tab.kernel_grids[0], tab.answer_grids[0])] == small_cells
