"""The animator's scenes, clicker steps, export frames and predict-before-reveal (issue 9, notes 2.5–2.7)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from desktopnn import scenes
from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.animator import AnimatorTab


@pytest.fixture
def make_tab(tab_factory):
    return lambda: tab_factory(AnimatorTab)


def configure(tab):
    """A non-default animator through its side panel: RGB input, a bias, stride, explicit padding."""
    p = tab.panel
    p.op.setCurrentIndex(p.op.findData("conv"))
    p.channels.setValue(3)
    p.rows.setValue(6)
    p.cols.setValue(5)
    tab.state.randomize_input(seed=4)
    p.kernel.edit_text(0, 1, "-2")
    p.bias.setValue(1.5)
    p.stride_c.setValue(2)
    p.pad_mode.setCurrentIndex(p.pad_mode.findData("explicit"))
    p.pads[0].setValue(1)
    p.pads[3].setValue(2)
    p.show_channel.setCurrentIndex(2)
    tab.set_speed(3.0)
    tab.set_position(4)
    assert tab.plan is not None and tab.position == 4, tab.error


def shown(tab):
    g = tab.grids
    return g.input.values(), g.output.values(), g.output._hidden.copy(), tab.arithmetic.text()


def test_round_trip(make_tab):
    tab = make_tab()
    configure(tab)
    s = tab.scene_state()
    fresh = make_tab()
    fresh.apply_scene(json.loads(json.dumps(s)))
    assert fresh.scene_state() == s
    assert fresh.position == 4 and fresh.channel == 2 and fresh.panel.show_channel.currentIndex() == 2
    for a, b in zip(shown(fresh), shown(tab)):
        np.testing.assert_array_equal(a, b) if isinstance(a, np.ndarray) else None
    assert shown(fresh)[3] == shown(tab)[3]
    np.testing.assert_array_equal(fresh.plan.output, tab.plan.output)


@pytest.mark.parametrize("change, words", [
    (lambda s: s.update(stride=[0, 1]), "stride"),
    (lambda s: s.update(op="min"), "op"),
    (lambda s: s.update(position=999), "position"),
    (lambda s: s.update(channel=3), "channel"),
    (lambda s: s.update(padding="lots"), "padding"),
    (lambda s: s.update(image=np.ones((20, 20)).tolist()), "input"),
    (lambda s: s.update(kernel=np.ones((3, 3, 2)).tolist()), "kernel"),
    (lambda s: s.update(bias=float("nan")), "bias"),
    (lambda s: s.update(preset="no such preset"), "preset"),
])
def test_a_bad_scene_changes_nothing(make_tab, refuse_scene, change, words):
    tab = make_tab()
    configure(tab)
    view = shown(tab)
    refuse_scene(tab, change, words)
    after = shown(tab)
    for a, b in zip(after[:3], view[:3]):
        np.testing.assert_array_equal(a, b)
    assert after[3] == view[3]


def test_a_hand_written_scene_starts_from_a_preset(make_tab):
    tab = make_tab()
    tab.apply_scene({"preset": "Stride 1 (notes 2.5)", "stride": [2, 2], "position": 3})
    assert tab.state.stride == (2, 2) and tab.position == 3 and tab.state.op == "conv"
    assert tab.plan.out_shape == (3, 3)


def test_step_and_frames_are_the_positions(make_tab):
    tab = make_tab()
    tab.state.apply_preset(0)
    n = tab.steps_total
    assert tab.frame_count() == n + 1 and tab.current_frame() == 0
    assert not tab.step(-1)
    for i in range(1, n + 1):
        assert tab.step(1) and tab.current_frame() == i == tab.position
        assert tab.grids.output._hidden.sum() == n - i
    assert not tab.step(1)
    tab.show_frame(3)
    assert tab.position == 3 and tab.step_heading.text().startswith(f"Step 3 of {n}")


def test_predict_hides_the_pooled_maximum(make_tab):
    tab = make_tab()
    tab.state.apply_preset(0)          # notes 2.7: max pooling
    tab.set_predict(True)
    assert tab.predict_hint.isVisibleTo(tab)
    assert not tab.reveal()            # nothing computed yet
    tab.step(1)
    assert tab.grids.output._hidden[0, 0] and tab.arithmetic.text().endswith("= ?")
    assert tab.grids.input._highlights and len(tab.grids.input._highlights) >= 1
    assert tab.reveal() and not tab.reveal()
    expected = tab.state.image[0:2, 0:2, 0].max()
    assert not tab.grids.output._hidden[0, 0]
    assert f"= {fmt_num(expected)} at row" in tab.arithmetic.text()
    tab.step(1)
    hidden = tab.grids.output._hidden
    assert hidden[0, 1] and not hidden[0, 0]        # the earlier value stays, the new one is "?"
    tab.set_predict(False)
    assert not tab.grids.output._hidden[0, 1] and not tab.predict_hint.isVisibleTo(tab)


def test_predict_hides_a_convolution_sum(make_tab):
    tab = make_tab()
    tab.state.apply_preset(8)          # three channels and a bias
    tab.set_predict(True)
    tab.step(1)
    lines = tab.arithmetic.text().split("<br>")
    assert all(ln.endswith("= ?") for ln in lines)
    assert "R + G + B + 1 (bias) = ?" in lines[-1]
    tab.reveal()
    assert tab.arithmetic.text().split("<br>")[-1].endswith(f"= {fmt_num(tab.plan.output[0, 0, 0])}")


def lesson(section: str) -> scenes.Scene:
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text(encoding="utf-8"))
    entry = next(e for e in contents["entries"] if e["section"] == section)
    scene = scenes.read(scenes.lessons_dir() / entry["scene"])
    assert scene.tab == "animator" and scene.notes_section == section and scene.title == entry["title"]
    return scene


def windows(img, k, s):
    return sliding_window_view(img, (k, k))[::s, ::s]


def test_lesson_2_5_stride_2(make_tab):
    tab = make_tab()
    tab.apply_scene(lesson("2.5").state)
    img, kern = tab.state.image[:, :, 0], tab.state.kernel[:, :, 0]
    assert tab.state.stride == (2, 2) and tab.state.op == "conv" and tab.position > 0
    expected = np.einsum("ijab,ab->ij", windows(img, 3, 2), kern)
    assert tab.plan.out_shape == expected.shape == ((img.shape[0] - 3) // 2 + 1,) * 2
    np.testing.assert_allclose(tab.plan.output[:, :, 0], expected)


def test_lesson_2_6_padding(make_tab):
    tab = make_tab()
    tab.apply_scene(lesson("2.6").state)
    img, kern = tab.state.image[:, :, 0], tab.state.kernel[:, :, 0]
    assert tab.state.padding == "same" and tab.plan.out_shape == img.shape
    expected = np.einsum("ijab,ab->ij", windows(np.pad(img, 1), 3, 1), kern)
    np.testing.assert_allclose(tab.plan.output[:, :, 0], expected)
    assert tab.grids.input._padding.sum() == (img.shape[0] + 2) ** 2 - img.size


def test_lesson_2_7_max_pooling_7x7_to_3x3(make_tab):
    tab = make_tab()
    tab.apply_scene(lesson("2.7").state)
    img = tab.state.image[:, :, 0]
    assert img.shape == (7, 7) and tab.state.op == "max" and tab.position >= 1
    expected = windows(img, 2, 2).max(axis=(2, 3))[:3, :3]
    assert expected.shape == (3, 3)
    np.testing.assert_array_equal(tab.plan.output[:, :, 0], expected)
    tab.show_frame(tab.frame_count() - 1)
    np.testing.assert_array_equal(tab.grids.output.values(), expected)
