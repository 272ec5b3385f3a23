"""Train tab (issue 9): scenes with the model trained in the session, bad scenes change nothing, the
clicker steps dropout passes and softmax images, predict hides the probabilities, bundled lessons."""

import copy
import json

import numpy as np
import pytest
import torch

from desktopnn import scenes


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def make_tab(tab_factory):
    from desktopnn.ui.train import TrainTab

    def make():
        t = tab_factory(TrainTab)
        assert t.wait_idle(120)
        return t

    return make


def softmax_of(model, image):
    from desktopnn.engine.cnn.notes_cnn import to_input

    with torch.inference_mode():
        logits = model(to_input(image[None], torch.device("cpu")))[0].double()
    return torch.softmax(logits, 0).numpy()


def test_round_trip_with_the_session_model(qtbot, make_tab):
    tab = make_tab()
    st = tab.state
    trained = copy.deepcopy(st.model)
    with torch.no_grad():
        for p in trained.parameters():
            p.mul_(0.9)
    st.set_model(trained, "trained 1 epoch(s) on Handwritten digits (offline)")   # as _on_trained does
    tab.views.setCurrentWidget(tab.dropout_view)
    dv = tab.dropout_view
    dv.play.setChecked(True)                 # paused
    dv.rate.setValue(0.3)
    dv.units.setValue(8)
    assert tab.step(1) and tab.step(1)
    tab.train_view.epochs.setValue(3)
    tab.train_view.lr.setValue(0.005)
    tab.softmax_view.index.setValue(4)
    tab.flatten_view.side.setCurrentText("16×16 (256 numbers)")
    tab.flatten_view.select_pixel(5, 6)
    assert tab.wait_idle(60)
    s = tab.scene_state()
    json.dumps(s)
    assert s["view"] == "dropout" and s["dropout"]["pass"] == 2 and s["dropout"]["units"] == 8
    assert s["training"]["epochs"] == 3 and s["softmax"]["image"] == 4 and s["flatten"]["pixel"] == [5, 6]
    assert s["dataset"] == "digits" and "trained_model" in s

    fresh = make_tab()
    assert fresh.state.model_origin.startswith("the shipped")
    fresh.apply_scene(s)
    assert fresh.wait_idle(60)
    qtbot.wait(20)
    assert fresh.scene_state() == s
    for k, v in trained.state_dict().items():
        torch.testing.assert_close(fresh.state.model.state_dict()[k], v)
    # the same computed numbers: this model's softmax of test image 4
    image = fresh.state.dataset.x_test[4]
    steps = fresh.softmax_view._steps
    np.testing.assert_allclose(steps.probs, softmax_of(trained, image), atol=1e-6)
    np.testing.assert_allclose(steps.probs, tab.softmax_view._steps.probs, atol=1e-12)
    assert fresh.dropout_view.picture._pass is not None
    np.testing.assert_array_equal(fresh.dropout_view._passes[2].mask, dv._passes[2].mask)


def test_bad_scenes_change_nothing(qtbot, make_tab, refuse_scene):
    tab = make_tab()
    for path, value in [(("view",), "nowhere"), (("dataset",), "mnist"), (("training", "learning_rate"), 5.0),
                        (("training", "epochs"), "ten"), (("dropout", "rate"), 2), (("flatten", "pixel"), [40, 1]),
                        (("model", "layers"), [{"kind": "conv", "size": 8}]),        # no final Dense
                        (("model", "layers"), [{"kind": "lstm"}]),
                        (("trained_model",), {"layers": [{"kind": "flatten"}, {"kind": "dense", "size": 10}],
                                              "input_shape": [32, 32, 3], "class_names": list("0123456789"),
                                              "weights": {}})]:
        def change(s):
            for k in path[:-1]:
                s = s.setdefault(k, {})
            s[path[-1]] = value
        refuse_scene(tab, change)


def test_clicker_dropout_passes_and_softmax_predict(qtbot, make_tab):
    tab = make_tab()
    tab.views.setCurrentWidget(tab.data_view)
    assert not tab.step(1) and tab.frame_count() == 0 and not tab.supports_predict()
    tab.views.setCurrentWidget(tab.dropout_view)
    dv = tab.dropout_view
    n = tab.frame_count()
    assert n == dv.pass_count() > 1
    tab.show_frame(0)
    assert dv.play.isChecked() and tab.current_frame() == 0
    assert not tab.step(-1)
    assert tab.step(1) and tab.current_frame() == 1
    assert "Pass 2 " in dv.title.text()
    tab.show_frame(n - 1)
    assert not tab.step(1)
    # softmax: the clicker walks the test images; predict hides the probabilities, not the logits
    tab.views.setCurrentWidget(tab.softmax_view)
    sv = tab.softmax_view
    assert tab.supports_predict()
    tab.set_predict(True)
    assert tab.predict_hint.isVisible()
    assert not tab.reveal()
    assert tab.step(1)
    assert tab.wait_idle(30)
    qtbot.waitUntil(lambda: sv.caption.text().startswith("test image 1"), timeout=10_000)
    assert sv.table.item(0, 3).text() == "?" and sv.table.item(0, 1).text() != "?"
    assert "?" in sv.answer.text()
    assert tab.reveal() and not tab.reveal()
    probs = softmax_of(tab.state.model, tab.state.dataset.x_test[1])
    assert float(sv.table.item(0, 3).text()) == pytest.approx(probs[0], abs=1e-4)
    tab.set_predict(False)
    assert not tab.predict_hint.isVisible()


LESSONS = {"1.1": "model", "1.2": "flatten", "2.8": "model", "2.9": "softmax", "2.10": "dropout", "2.13": "data"}


def test_bundled_lesson_scenes(qtbot, make_tab):
    from desktopnn.engine.cnn.layers import notes_2_8, notes_2_13

    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text())
    entries = [e for e in contents["entries"] if e["tab"] == "train"]
    assert {e["section"] for e in entries} == set(LESSONS)
    tab = make_tab()
    for e in entries:
        sc = scenes.read(scenes.lessons_dir() / e["scene"])
        assert sc.tab == "train" and sc.notes_section == e["section"]
        tab.apply_scene(sc.state)
        assert tab.wait_idle(60)
        assert tab.views.currentWidget() is getattr(tab, f"{LESSONS[e['section']]}_view"), e["section"]
        if e["section"] == "2.8":
            assert tab.state.layers == notes_2_8(10)
            assert tab.model_view.table.rowCount() == len(notes_2_8(10))
        if e["section"] in ("1.1", "2.13"):
            assert tab.state.layers == notes_2_13(10)
            assert tab.train_view.epochs.value() == 10 and tab.train_view.optimizer.currentText() == "adam"
        if e["section"] == "2.9":
            steps = tab.softmax_view._steps
            assert steps is not None and steps.probs.sum() == pytest.approx(1.0)
            assert tab.state.model_origin.startswith("the shipped")     # the trained model, even after 2.8
            np.testing.assert_allclose(steps.probs, softmax_of(tab.state.model, tab.state.dataset.x_test[0]),
                                       atol=1e-6)
        if e["section"] == "2.10":
            assert tab.dropout_view.training.isChecked() and tab.dropout_view.rate.value() == pytest.approx(0.5)
