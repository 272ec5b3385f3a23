"""RNN tab (issue 9): scenes round-trip with the trained weights, bad scenes change nothing, the clicker
steps time, predict-before-reveal hides the new h_t, and the bundled lesson scenes for notes 4."""

import copy
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktopnn import scenes
from desktopnn.engine.rnn.memory import DRESSES, IRREGULAR

TRAIN_TIMEOUT = 120_000
_TRAINED = {}


def cached_train_job(ctx, items, hidden_size, activation):
    from desktopnn.ui.rnn.jobs import train_job

    key = (tuple(items), hidden_size, activation)
    if key not in _TRAINED:
        _TRAINED[key] = train_job(ctx, items, hidden_size, activation)
    return _TRAINED[key]


@pytest.fixture
def make_tab(monkeypatch, one_torch_thread, tab_factory, qtbot):     # set up in this order, torn down in reverse
    from desktopnn.ui.rnn import RnnTab

    monkeypatch.setattr("desktopnn.ui.rnn.tab.train_job", cached_train_job)

    def make():
        t = tab_factory(RnnTab)
        t.forecast_view.epochs = 30
        settle(qtbot, t)
        return t

    return make


def settle(qtbot, tab):
    qtbot.waitUntil(lambda: tab.state.result is not None and tab.state.result.items == tab.state.items
                    and tab.state.result.hidden_size == tab.state.hidden_size and not tab.runner.busy
                    and tab._scene_weights is None, timeout=TRAIN_TIMEOUT)
    assert tab.wait_idle(30)
    qtbot.wait(20)


def test_round_trip_with_weights_and_numbers(qtbot, make_tab):
    tab = make_tab()
    tab.preset.setCurrentIndex(tab.preset.findData("regular"))
    tab.hidden.setValue(5)
    tab.views.setCurrentWidget(tab.cell_view)
    settle(qtbot, tab)
    assert tab.step(1) and tab.step(1)
    tab.train_view.window.setValue(3)
    s = tab.scene_state()
    json.dumps(s)
    assert s["view"] == "cell" and s["t"] == 2 and s["hidden_size"] == 5 and s["preset"] == "regular"
    w_hh = scenes.decode_array(s["weights"]["W_hh"])
    np.testing.assert_array_equal(w_hh, tab.state.result.rnn.W_hh.numpy())

    # change the weights in the scene: the fresh tab must show the scene's numbers, not a retraining
    s2 = copy.deepcopy(s)
    w_hh2 = w_hh * 0.5
    s2["weights"]["W_hh"] = scenes.encode_array(w_hh2)
    fresh = make_tab()
    fresh.apply_scene(s2)
    settle(qtbot, fresh)
    assert fresh.views.currentWidget() is fresh.cell_view
    assert fresh.state.t == 2 and fresh.hidden.value() == 5 and fresh.preset.currentData() == "regular"
    np.testing.assert_array_equal(fresh.state.result.rnn.W_hh.numpy(), w_hh2)
    # the cell's numbers are the recurrence computed from the scene's weights
    m = fresh.state.result.rnn
    xs = fresh.state.result.xs().numpy()
    h = np.zeros(5)
    for t in range(3):
        h_prev, h = h, np.tanh(h @ m.W_hh.numpy() + xs[t] @ m.W_hx.numpy() + m.b_h.numpy())
    terms = fresh.cell_view.terms(2)
    np.testing.assert_allclose(terms[0], h_prev, atol=1e-12)
    np.testing.assert_allclose(terms[-1], h, atol=1e-12)
    np.testing.assert_allclose(fresh.cell_view.grids[-1].values()[0], np.round(h, 2))

    # the unchanged scene gives an equal scene_state
    other = make_tab()
    other.apply_scene(s)
    settle(qtbot, other)
    assert other.scene_state() == s
    for a, b in zip(other.cell_view.terms(2), tab.cell_view.terms(2)):
        np.testing.assert_array_equal(a, b)


def test_bad_scenes_change_nothing(qtbot, make_tab, refuse_scene):
    tab = make_tab()
    tab.views.setCurrentWidget(tab.unroll_view)
    tab.step(1)
    changes = [lambda s, k=key, v=value: s.update({k: v})
               for key, value in [("hidden_size", 99), ("activation", "sigmoid"), ("view", "nowhere"), ("t", 40),
                                  ("sequence", ["a", 3]), ("sequence", ["x"]), ("bptt", {"w_hh_scale": 50})]]
    changes.append(lambda s: s["weights"].update(W_hh=scenes.encode_array(np.zeros((2, 2)))))
    changes.append(lambda s: s["weights"].update(W_hx={"shape": [3], "data": [1, 2]}))
    for change in changes:
        assert str(refuse_scene(tab, change)).startswith("The scene")


def test_partial_scene_defaults_and_unknown_keys(qtbot, make_tab):
    tab = make_tab()
    tab.apply_scene({"view": "memory", "preset": "dresses", "something_new": 1})
    settle(qtbot, tab)
    assert tab.views.currentWidget() is tab.memory_view
    assert tab.state.items == list(DRESSES) and tab.state.hidden_size == 4 and tab.state.t == 0


def test_clicker_steps_time_and_keys_are_not_handled_twice(qtbot, make_tab):
    tab = make_tab()
    tab.views.setCurrentWidget(tab.cell_view)
    tab.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_Right)        # the main window routes keys now: the tab itself ignores them
    assert tab.state.t == 0
    assert tab.frame_count() == len(IRREGULAR) and tab.current_frame() == 0
    assert not tab.step(-1)
    assert tab.step(1) and tab.current_frame() == 1
    tab.show_frame(len(IRREGULAR) - 1)
    assert tab.state.t == len(IRREGULAR) - 1 and not tab.step(1)
    assert f"t = {len(IRREGULAR) - 1}" in tab.cell_view.step_bar.label.text()
    tab.views.setCurrentWidget(tab.forecast_view)
    assert not tab.step(1) and tab.frame_count() == 0 and not tab.supports_predict()
    tab.views.setCurrentWidget(tab.types_view)
    n = tab.frame_count()
    assert n == 7
    tab.show_frame(3)
    assert tab.current_frame() == 3 and not tab.types_view.timer.isActive()
    tab.views.setCurrentWidget(tab.train_view)
    qtbot.waitUntil(lambda: tab.train_view.result is not None, timeout=30_000)
    assert tab.frame_count() == len(IRREGULAR)
    tab.show_frame(0)
    assert tab.train_view.revealed == 1 and tab.step(1) and tab.train_view.revealed == 2


def test_predict_hides_the_new_h_until_revealed(qtbot, make_tab):
    tab = make_tab()
    tab.views.setCurrentWidget(tab.cell_view)
    assert tab.supports_predict()
    tab.set_predict(True)
    assert tab.predict_hint.isVisible()
    cv = tab.cell_view
    assert not cv.grids[-1]._hidden.any()           # what was on screen stays
    assert not tab.reveal()
    assert tab.step(1)
    assert cv.grids[-1]._hidden.all() and cv.grids[4]._hidden.all()   # a_t and h_t are "?"
    assert not cv.grids[0]._hidden.any() and not cv.grids[2]._hidden.any()   # h_{t-1} and W_hxᵀx stay
    assert cv.row_labels[-1].text().endswith("= ?")
    assert "<b>?</b>" in cv.prediction.text()
    assert np.isnan(cv.image.image[:, 1]).all() and not np.isnan(cv.image.image[:, 0]).any()
    assert tab.reveal()
    assert not cv.grids[-1]._hidden.any() and not tab.reveal()
    np.testing.assert_allclose(cv.grids[-1].values()[0], np.round(tab.state.h[1], 2))
    tab.step(-1)
    assert not cv.grids[-1]._hidden.any()            # earlier steps stay visible
    tab.step(1)
    assert not cv.grids[-1]._hidden.any()
    tab.step(1)
    assert cv.grids[-1]._hidden.all()
    tab.set_predict(False)
    assert not cv.grids[-1]._hidden.any() and not tab.predict_hint.isVisible()


LESSONS = {"4": "types", "4.1": "types", "4.2": "memory", "4.3": "memory", "4.3.1": "cell", "4.3.2": "forecast",
           "4.3.3": "unroll", "4.3.4": "cell", "4.3.5": "cell", "4.3.6": "unroll", "4.3.7": "train",
           "4.3.8": "train", "4.3.9": "train"}


def test_bundled_lesson_scenes(qtbot, make_tab):
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text())
    entries = [e for e in contents["entries"] if e["tab"] == "rnn"]
    assert {e["section"] for e in entries} == set(LESSONS)
    tab = make_tab()
    for e in entries:
        sc = scenes.read(scenes.lessons_dir() / e["scene"])
        assert sc.tab == "rnn" and sc.notes_section == e["section"]
        tab.apply_scene(sc.state)
        settle(qtbot, tab)
        view = {"types": tab.types_view, "memory": tab.memory_view, "cell": tab.cell_view,
                "unroll": tab.unroll_view, "train": tab.train_view, "forecast": tab.forecast_view}
        assert tab.views.currentWidget() is view[LESSONS[e["section"]]], e["section"]
        if e["section"] == "4.2":
            assert tab.state.items == list(IRREGULAR)
            assert tab.state.result.rnn_acc > tab.state.result.ffnn_acc
        if e["section"] in ("4.3.1", "4.3.4", "4.3.5", "4.3.6"):
            assert tab.state.items == list(DRESSES)          # Dress(0..2) = tunica, green blouse, red frock
            assert tab.state.activation == "tanh"            # g = tanh in notes 4.3.5
        if e["section"] == "4.3.5":
            m = tab.state.result.rnn
            h_prev, rec, inp, b, a, h = tab.cell_view.terms(tab.state.t)
            np.testing.assert_allclose(h, np.tanh(h_prev @ m.W_hh.numpy() + inp + m.b_h.numpy()), atol=1e-12)
        if e["section"] == "4.3.9":
            assert tab.train_view.loss_mode.currentData() == "last"
