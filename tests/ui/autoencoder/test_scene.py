"""Encoder & decoder tab (issue 9): scenes round-trip (with an in-session model's weights), bad scenes
change nothing, a missing audio file falls back to the demo, no clicker steps, the bundled lessons."""

import json
import time

import numpy as np
import pytest
import torch

from desktopnn import scenes


@pytest.fixture
def make_tab(tab_factory):
    from desktopnn.ui.autoencoder import AutoencoderTab

    return lambda: tab_factory(AutoencoderTab)


def settle(qtbot, tab, until, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        qtbot.wait(30)
        tab.wait_idle(1.0)
        qtbot.wait(30)
        if until():
            return
    raise AssertionError("the view did not get there in time")


def test_round_trip_with_a_session_model(qtbot, make_tab):
    from desktopnn.engine.autoencoder import model as AE

    tab = make_tab()
    tab.activate()
    v = tab.images
    settle(qtbot, tab, lambda: v.model is not None and v.output_view.image.image is not None)
    # a model "trained here": the shipped one with other weights, through the view's own result path
    model = AE.load_default_image_model(2)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(0.8)
    v._on_job_finished(0, ("trained", model, AE.encode(model, v.digits.flat), AE.History([0.5, 0.2], [0.6, 0.3])))
    v.history = ([0.5, 0.2], [0.6, 0.3])
    v.sample.setValue(17)
    v.noise.setCurrentIndex(v.noise.findData("gaussian"))
    v.amount.setValue(45)
    tab.audio.controls.denoise.setChecked(True)
    tab.audio.controls.window.setCurrentIndex(2)
    settle(qtbot, tab, lambda: True)
    s = tab.scene_state()
    json.dumps(s)
    assert s["images"]["digit"] == 17 and s["images"]["noise"] == "gaussian" and "trained_model" in s["images"]
    assert s["audio"]["window_ms"] == 23.0 and s["audio"]["denoise"] is True

    fresh = make_tab()
    fresh.apply_scene(s)
    fresh.activate()
    fv = fresh.images
    settle(qtbot, fresh, lambda: fv.model is not None and fv.trained_in_session and fv.codes is not None)
    assert fresh.scene_state() == s
    for k, w in model.state_dict().items():
        torch.testing.assert_close(fv.model.state_dict()[k], w)
    np.testing.assert_allclose(fv.codes, AE.encode(model, fv.digits.flat), atol=1e-6)
    assert not fresh.step(1) and fresh.frame_count() == 0 and not fresh.supports_predict()


def test_bad_scenes_change_nothing_and_missing_file_falls_back(qtbot, make_tab, refuse_scene):
    tab = make_tab()
    for section, key, value in [(None, "view", "video"), ("images", "bottleneck", 3), ("images", "digit", -1),
                                ("images", "amount", 1.5), ("audio", "window_ms", 7.0), ("audio", "source", "radio"),
                                ("images", "trained_model", {"shape": {"n_in": 64, "code_size": 2, "hidden": 96},
                                                             "weights": {"x": [1]}})]:
        refuse_scene(tab, lambda s: (s if section is None else s[section]).update({key: value}))
    notices = []
    tab.notice.connect(notices.append)
    tab.apply_scene({"view": "audio", "audio": {"source": "file", "file": "/no/such/lecture.wav"}})
    assert any("not there" in n for n in notices)
    assert tab.views.currentWidget() is tab.audio
    assert tab.scene_state()["audio"]["source"] == "demo"


def test_bundled_lesson_scenes(qtbot, make_tab):
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text())
    entries = [e for e in contents["entries"] if e["tab"] == "autoencoder"]
    assert {e["section"] for e in entries} == {"3", "3.0.1"}
    tab = make_tab()
    tab.activate()
    for e in entries:
        sc = scenes.read(scenes.lessons_dir() / e["scene"])
        tab.apply_scene(sc.state)
        if e["section"] == "3":
            v = tab.images
            assert tab.views.currentWidget() is v
            settle(qtbot, tab, lambda: v.model is not None and v.model.code_size == 2)
            assert v.noise.currentData() != "none"          # the noisy picture loses its noise
        else:
            assert tab.views.currentWidget() is tab.audio
            assert tab.audio.controls.window.currentData() == 11.0    # notes 3.0.1: about 11 ms
    tab.deactivate()
