"""The tensors tab's scenes and clicker steps (issue 9, notes 2.12)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktopnn import scenes
from desktopnn.engine.tensors.presets import run_preset
from desktopnn.ui.tensors import TensorsTab


@pytest.fixture
def make_tab(tab_factory):
    return lambda: tab_factory(TensorsTab, delete=True)


def configure(tab):
    tab.builder.shape_edit.setText("2, 3, 4")
    tab.build_tensor()
    tab.run_expression("y = t * 2")
    tab.run_expression("t[1, :, 2]")
    tab.run_expression("transpose(t, [2, 0, 1])")
    tab.flow.step()
    tab.flow.step()
    tab.run_expression("([[1], [2]]) + ([10, 20, 30])")
    tab.broadcast.set_stage(1)
    tab.notes.select("reshape")
    tab.pages.setCurrentWidget(tab.flow)


def view(tab):
    return ([b.values.tolist() for b in tab.canvas.blocks], [b.values.tolist() for b in tab.flow.canvas.blocks],
            tab.flow.canvas.flow_progress, [b.values.tolist() for b in tab.broadcast.canvas.blocks],
            tab.history.count(), tab.output_label.text())


def test_round_trip(make_tab):
    tab = make_tab()
    configure(tab)
    s = tab.scene_state()
    fresh = make_tab()
    fresh.apply_scene(json.loads(json.dumps(s)))
    assert fresh.scene_state() == s
    assert view(fresh) == view(tab)
    t = fresh.store.bound["t"].array
    np.testing.assert_array_equal(fresh.store.bound["y"].array, t * 2)
    np.testing.assert_array_equal(fresh.flow.canvas.blocks[1].values, np.transpose(t, [2, 0, 1]))


@pytest.mark.parametrize("change, words", [
    (lambda s: s.update(tensors=[]), "no tensors"),
    (lambda s: s["tensors"][0].update(name="1x"), "name"),
    (lambda s: s.update(page="plots"), "page"),
    (lambda s: s["flow"].update(perm=[0, 0, 1]), "transpose"),
    (lambda s: s["broadcast"].update(b={"shape": [3, 2], "data": [1, 2, 3, 4, 5, 6]}), "broadcast"),
    (lambda s: s.update(shown=99), "shown"),
    (lambda s: s["notes"].update(example="nothing"), "example"),
])
def test_a_bad_scene_changes_nothing(make_tab, refuse_scene, change, words):
    tab = make_tab()
    configure(tab)
    seen = view(tab)
    refuse_scene(tab, change, words)
    assert view(tab) == seen


def test_step_follows_the_page_on_show(make_tab):
    tab = make_tab()
    tab.pages.setCurrentWidget(tab.index_page)
    assert not tab.step(1) and tab.frame_count() == 0
    tab.run_expression("reshape(t, [6, 5])")
    tab.flow.pause()
    tab.show_frame(0)
    n = tab.frame_count()
    assert n == int(np.ceil(tab.flow.canvas.flow_length())) + 1
    assert tab.step(1) and tab.current_frame() == 1 and tab.flow.canvas.flow_progress == 1
    assert tab.step(-1) and tab.current_frame() == 0
    assert not tab.step(-1)
    tab.show_frame(n - 1)
    assert tab.flow.is_finished() and not tab.step(1)
    tab.run_expression("([[0], [10], [20]]) * ([1, 2, 3])")
    assert tab.frame_count() == len(tab.broadcast.stages)
    tab.show_frame(0)
    assert tab.step(1) and tab.broadcast.stage == 1
    tab.show_frame(tab.frame_count() - 1)
    np.testing.assert_array_equal(tab.broadcast.canvas.blocks[-1].values,
                                  np.array([[0], [10], [20]]) * np.array([1, 2, 3]))
    assert not tab.supports_predict()


def test_lesson_2_12_prints_the_notes_output(make_tab):
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text(encoding="utf-8"))
    entry = next(e for e in contents["entries"] if e["section"] == "2.12")
    scene = scenes.read(scenes.lessons_dir() / entry["scene"])
    assert scene.tab == "tensors" and scene.notes_section == "2.12"
    tab = make_tab()
    tab.apply_scene(scene.state)
    assert tab.pages.currentWidget() is tab.notes
    fib = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    out = tab.notes.output.toPlainText().splitlines()
    assert out == run_preset("fibonacci").output
    assert f"First: {fib[0]}" in out and f"Second: {fib[1]}" in out and f"Last: {fib[-1]}" in out
    assert tab.canvas.blocks[0].values.tolist() == fib
    assert tab.store.bound["t"].array.shape == (3, 2, 5)     # the notes' rank-3 tensor is in the list
