"""The exercise's scenes, clicker walk, export frames and predict-before-reveal (issue 9, notes 2.11)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktopnn import scenes
from desktopnn.engine.convolution.explain import explain_conv, fmt_num
from desktopnn.engine.convolution.kernels import EXERCISE
from desktopnn.ui.exercise.tab import ALL, ExerciseTab


@pytest.fixture
def make_tab(tab_factory):
    return lambda: tab_factory(ExerciseTab)


def answer(k, r, c) -> float:
    kern = EXERCISE["kernels"][k]
    return explain_conv(EXERCISE["image"], kern.values, kern.bias, r, c).total


def grids(tab):
    return [(g.values(), g._hidden.copy(), g.marks()) for g in tab.answer_grids]


def configure(tab):
    tab.select_kernel(2)
    tab.type_answer(2, 0, 0, fmt_num(answer(2, 0, 0)))
    tab.type_answer(2, 1, 1, "12345")
    tab.select_cell(2, 2, 3)
    tab.reveal_selected()
    tab.step(1)
    tab.step(1)


def test_round_trip(make_tab):
    tab = make_tab()
    configure(tab)
    s = tab.scene_state()
    fresh = make_tab()
    fresh.apply_scene(json.loads(json.dumps(s)))
    assert fresh.scene_state() == s
    for (a, ha, ma), (b, hb, mb) in zip(grids(fresh), grids(tab)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ha, hb)
        assert ma == mb
    assert fresh.arithmetic_label.text() == tab.arithmetic_label.text()
    assert fresh.score_text() == tab.score_text()


@pytest.mark.parametrize("change, words", [
    (lambda s: s.update(kernel=7), "kernel"),
    (lambda s: s.update(cell=[0, 9, 0]), "cell"),
    (lambda s: s.update(answers=[[0, 0, 0, "x"]]), "answer"),
    (lambda s: s.update(answers=[[0, 0]]), "answer"),
    (lambda s: s.update(revealed=[[4, 0, 0]]), "revealed"),
    (lambda s: s.update(walk=99), "walk"),
])
def test_a_bad_scene_changes_nothing(make_tab, refuse_scene, change, words):
    tab = make_tab()
    configure(tab)
    view = grids(tab)
    refuse_scene(tab, change, words)
    for (a, ha, ma), (b, hb, mb) in zip(grids(tab), view):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ha, hb)
        assert ma == mb


def test_the_walk_reveals_each_cell_then_moves_to_the_next_kernel(make_tab):
    tab = make_tab()
    rows, cols = tab.state.out_shape
    assert tab.frame_count() == rows * cols + 1 and tab.current_frame() == 0
    assert tab.answer_grids[0]._hidden.all()
    for i in range(1, rows * cols + 1):
        assert tab.step(1)
        r, c = divmod(i - 1, cols)
        g = tab.answer_grids[0]
        assert not g._hidden[r, c] and g.values()[r, c] == pytest.approx(answer(0, r, c))
        assert g._hidden.sum() == rows * cols - i
    assert tab.step(1)                                    # on to kernel 2, its first cell
    assert tab._kernel == 1 and tab.current_frame() == 1
    assert not tab.answer_grids[1]._hidden[0, 0]
    assert tab.step(-1) and tab.step(-1)                  # back to kernel 1's last cell
    assert tab._kernel == 0 and tab.current_frame() == rows * cols
    tab.select_kernel(ALL)
    assert tab.frame_count() == 4 * rows * cols + 1
    tab.show_frame(4 * rows * cols)
    for k, g in enumerate(tab.answer_grids):
        assert not g._hidden.any()
        np.testing.assert_allclose(g.values(), [[answer(k, r, c) for c in range(cols)] for r in range(rows)])
    assert not tab.step(1)


def test_predict_shows_question_marks_until_revealed(make_tab):
    tab = make_tab()
    tab.set_predict(True)
    assert tab.supports_predict() and tab.predict_hint.isVisibleTo(tab)
    assert not tab.reveal()
    tab.step(1)
    assert tab.answer_grids[0]._hidden[0, 0]
    assert tab.arithmetic_label.text().endswith("= ?")
    assert tab.reveal() and not tab.reveal()
    assert not tab.answer_grids[0]._hidden[0, 0]
    assert tab.arithmetic_label.text().endswith(f"= {fmt_num(answer(0, 0, 0))}")
    tab.step(1)
    assert tab.answer_grids[0]._hidden[0, 1] and not tab.answer_grids[0]._hidden[0, 0]
    tab.set_predict(False)
    assert not tab.answer_grids[0]._hidden[0, 1] and not tab.predict_hint.isVisibleTo(tab)


def test_lesson_2_11_shows_the_exercise(make_tab):
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text(encoding="utf-8"))
    entry = next(e for e in contents["entries"] if e["section"] == "2.11")
    scene = scenes.read(scenes.lessons_dir() / entry["scene"])
    assert scene.tab == "exercise" and scene.notes_section == "2.11"
    tab = make_tab()
    tab.apply_scene(scene.state)
    assert tab._kernel == ALL and all(b.isVisibleTo(tab) for b in tab.answer_boxes)
    np.testing.assert_array_equal(tab.image_grid.values(), EXERCISE["image"])
    for k, g in enumerate(tab.kernel_grids):
        np.testing.assert_array_equal(g.values(), EXERCISE["kernels"][k].values)
    tab.show_frame(tab.frame_count() - 1)   # the whole solution, as the class checks it
    for k, g in enumerate(tab.answer_grids):
        rows, cols = tab.state.out_shape
        np.testing.assert_allclose(g.values(), [[answer(k, r, c) for c in range(cols)] for r in range(rows)])
