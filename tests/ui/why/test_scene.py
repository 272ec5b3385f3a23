"""Why convolution's scenes (issue 9, notes 2.4): nothing animated, so no steps and nothing to predict."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktopnn import scenes
from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.engine.convolution.shift import KERNEL_CHOICES, ParamCounts, source_names
from desktopnn.ui.why import WhyConvTab


@pytest.fixture
def make_tab(tab_factory):
    return lambda: tab_factory(WhyConvTab)


def settled(qtbot, tab):
    def done():
        r = tab.result
        return r is not None and (r.dx, r.dy) == tab.shift() and r.kernel_name == tab.kernel_combo.currentText()
    qtbot.waitUntil(done, timeout=30000)
    return tab.result


def test_round_trip(qtbot, make_tab):
    tab = make_tab()
    tab.source_combo.setCurrentText(source_names()[-1])
    tab.kernel_combo.setCurrentText(KERNEL_CHOICES[2])
    tab.set_shift(-8, 12)
    tab.k_spin.setValue(32)
    s = tab.scene_state()
    fresh = make_tab()
    fresh.apply_scene(json.loads(json.dumps(s)))
    assert fresh.scene_state() == s
    a, b = settled(qtbot, fresh), settled(qtbot, tab)
    np.testing.assert_array_equal(a.feature_map, b.feature_map)
    assert fresh.conv_label.text() == tab.conv_label.text()
    np.testing.assert_array_equal(fresh.kernel_grid.values(), KERNEL_PRESETS[KERNEL_CHOICES[2]].values)
    assert not fresh.step(1) and fresh.frame_count() == 0 and not fresh.supports_predict()


@pytest.mark.parametrize("change, words", [
    (lambda s: s.update(dx=999), "dx"), (lambda s: s.update(kernel="Blur"), "kernel"),
    (lambda s: s.update(source=3), "source"), (lambda s: s.update(kernels=0), "kernels")])
def test_a_bad_scene_changes_nothing(make_tab, refuse_scene, change, words):
    tab = make_tab()
    tab.set_shift(4, 4)
    text = tab.conv_label.text()
    refuse_scene(tab, change, words)
    assert tab.conv_label.text() == text


def test_lesson_2_4(qtbot, make_tab):
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text(encoding="utf-8"))
    entry = next(e for e in contents["entries"] if e["section"] == "2.4")
    scene = scenes.read(scenes.lessons_dir() / entry["scene"])
    assert scene.tab == "why" and scene.notes_section == "2.4"
    tab = make_tab()
    tab.apply_scene(scene.state)
    res = settled(qtbot, tab)
    assert (res.dx, res.dy) != (0, 0) and res.moved_by == (res.dx, res.dy)    # the map moved with the input
    kh, kw = KERNEL_PRESETS[tab.kernel_combo.currentText()].values.shape[:2]
    p = ParamCounts(kh, kw, 1, tab.k_spin.value(), 128, 128)
    assert tab.k_spin.value() == 16 and f"{p.conv:,}" in tab.conv_label.text()
