"""The Convolution lab's scenes, clicker steps, export frames and predict-before-reveal (issue 9)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktopnn import scenes
from desktopnn.engine.convolution.explain import explain_conv, fmt_num
from desktopnn.engine.images import load_image, sample_images
from desktopnn.engine.convolution.kernels import EXERCISE_IMAGE, EXERCISE_KERNELS, KERNEL_PRESETS, NOTES_308

from .test_tab import ref_conv


@pytest.fixture(scope="module", autouse=True)
def engine_loaded():
    from desktopnn.engine.convolution.conv import conv2d

    conv2d(np.ones((3, 3)), np.ones((2, 2)))


@pytest.fixture
def make_tab(tab_factory):
    from desktopnn.ui.convolution import ConvLabTab

    def make():
        t = tab_factory(ConvLabTab, delete=True)
        assert t.wait_idle(60)
        return t

    return make


def numbers(tab) -> list[np.ndarray]:
    assert tab.wait_idle(60)
    return [v.data.astype(np.float64) for v in tab.maps.views]


def configure_grid(tab):
    """A non-default lab, through its controls: the exercise grid, two kernels, one edited."""
    tab.inputs.load_source("Numbers: exercise 2.11 (4×5)")
    tab.bank.set_kernels([EXERCISE_KERNELS[2], KERNEL_PRESETS["Sobel x"]])
    tab.bank.cards[0].set_cell(0, 0, 1, "1/4")
    tab.bank.cards[0].set_bias_text("2.5")
    tab.stride.setValue(2)
    tab.set_padding(1)
    tab.relu.setChecked(True)
    tab.cmap.setCurrentText("magma")
    assert tab.wait_idle(60)
    tab.select_cell(1, 1, 2)


def test_round_trip_of_a_grid_lab(make_tab):
    tab = make_tab()
    configure_grid(tab)
    s = tab.scene_state()
    text = json.dumps(s)
    fresh = make_tab()
    fresh.apply_scene(json.loads(text))
    assert fresh.scene_state() == s
    for a, b in zip(numbers(fresh), numbers(tab)):
        np.testing.assert_array_equal(a, b)
    assert fresh.explain.where.text() == tab.explain.where.text()
    assert fresh.explain.text.text() == tab.explain.text.text()
    kern = np.array(EXERCISE_KERNELS[2].values, float)
    kern[0, 1] = 0.25
    pad = (1, 1, 1, 1)
    np.testing.assert_allclose(numbers(fresh)[0], np.maximum(ref_conv(EXERCISE_IMAGE, kern, 2.5, 2, pad), 0))


def test_round_trip_of_a_persons_own_photo(make_tab, tmp_path, sample_rgb):
    from PIL import Image

    path = tmp_path / "mine.png"
    Image.fromarray(sample_rgb).save(path)
    tab = make_tab()
    assert tab.open_image(str(path))
    tab.set_policy("replicate")
    assert tab.wait_idle(60)
    s = tab.scene_state()
    assert s["image"]["source"] == "File: mine.png" and "array" in s["image"]
    path.unlink()                                # the scene keeps the pixels, not the path
    fresh = make_tab()
    fresh.apply_scene(json.loads(json.dumps(s)))
    assert fresh.wait_idle(60)
    np.testing.assert_array_equal(fresh.inputs.image, sample_rgb)
    assert fresh.scene_state() == s
    for a, b in zip(numbers(fresh), numbers(tab)):
        np.testing.assert_array_equal(a, b)


def test_a_bundled_photo_is_stored_by_name(make_tab):
    tab = make_tab()
    s = tab.scene_state()
    name = s["image"]["sample"]
    assert "array" not in s["image"] and name in sample_images()
    fresh = make_tab()
    fresh.apply_scene({"image": {"sample": name}, "kernels": [{"values": [[0, 1], [1, 0]]}]})
    np.testing.assert_array_equal(fresh.inputs.image, load_image(str(sample_images()[name]), max_side=640))
    assert len(fresh.bank.cards) == 1 and fresh.stride.value() == 1 and fresh.padding_spec() == "valid"


@pytest.mark.parametrize("change, words", [
    (lambda s: s.update(stride=0), "stride"),
    (lambda s: s.update(padding="huge"), "padding"),
    (lambda s: s["kernels"][0].update(values=[[1, 2], [3]]), "kernel 1"),
    (lambda s: s["kernels"][0].update(values=np.ones((9, 9)).tolist()), "kernel 1"),
    (lambda s: s["kernels"][0].update(bias="lots"), "bias"),
    (lambda s: s.update(kernels=[]), "kernels"),
    (lambda s: s.update(cell=[0, 40, 0]), "outside"),
    (lambda s: s.update(cell=[5, 0, 0]), "explained cell"),
    (lambda s: s["image"].update(array={"shape": [20, 20], "data": [1] * 400}), "grid"),
    (lambda s: s["image"].update(array={"shape": [2, 2], "data": [1, 2]}), "damaged"),
    (lambda s: s["kernels"][0].update(values=np.ones((3, 3, 3)).tolist()), "depth"),
    (lambda s: s.update(colormap="rainbow"), "colormap"),
])
def test_a_bad_scene_changes_nothing(make_tab, refuse_scene, change, words):
    tab = make_tab()
    configure_grid(tab)
    shown, where = numbers(tab), tab.explain.where.text()
    refuse_scene(tab, change, words)
    for a, b in zip(numbers(tab), shown):
        np.testing.assert_array_equal(a, b)
    assert tab.explain.where.text() == where


def test_clicker_walks_the_window_across_the_map_and_export_frames_match(make_tab):
    tab = make_tab()
    tab.inputs.load_source("Numbers: exercise 2.11 (4×5)")
    tab.bank.set_kernels([EXERCISE_KERNELS[1]])
    assert tab.wait_idle(60)
    tab.select_cell(0, 0, 0)
    rows, cols = tab.result.maps[0].shape
    assert tab.frame_count() == rows * cols and tab.current_frame() == 0
    assert not tab.step(-1)
    for i in range(1, rows * cols):
        assert tab.step(1)
        r, c = divmod(i, cols)
        assert tab.current_cell() == (0, r, c) and tab.current_frame() == i
        ex = explain_conv(EXERCISE_IMAGE, EXERCISE_KERNELS[1].values, -1, r, c)
        assert tab.explain.where.text().endswith(f"(row {r}, col {c}) = {fmt_num(ex.total)}")
        assert tab.inputs.highlighted_cells() == {(int(a), int(b)) for a, b in ex.cells.reshape(-1, 2)}
    assert not tab.step(1)
    tab.show_frame(5)
    assert tab.current_cell() == (0, *divmod(5, cols))
    tab.step(-2)
    assert tab.current_frame() == 3


def test_stepping_never_waits_for_a_pending_recompute(make_tab):
    """Steps run in slots (keys, the Export menu): they use the numbers shown and never start a
    nested event loop (which crashed the app); the cell chosen survives the recompute."""
    tab = make_tab()
    assert tab.wait_idle(60)
    tab.load_notes_308()                          # a recompute is scheduled, not yet done
    before = tab.result
    tab.show_frame(0)
    assert tab.result is before                   # nothing was delivered inside show_frame
    assert tab.wait_idle(60)
    assert tab.result.maps[0].shape == (5, 5)
    tab.show_frame(0)
    assert tab.explain.text.text().splitlines()[0].endswith("= 308")


def test_predict_hides_the_value_until_revealed(make_tab):
    tab = make_tab()
    tab.load_notes_308()
    assert tab.wait_idle(60)
    assert tab.supports_predict() and not tab.predict_hint.isVisibleTo(tab)
    tab.set_predict(True)
    assert tab.predict_hint.isVisibleTo(tab)
    assert tab.explain.where.text().endswith("= ?")
    assert all(line.endswith("= ?") for line in tab.explain.text.text().splitlines())
    assert "308" not in tab.explain.text.text()
    assert tab.maps.hidden_cell == (0, 0, 0) and tab.maps.views[0].question.isVisible()
    assert tab.reveal()
    assert not tab.reveal()
    total = explain_conv(NOTES_308["image"], NOTES_308["kernel"].values, 1, 0, 0, padding=1).total
    assert tab.explain.where.text().endswith(f"= {fmt_num(total)}")
    assert tab.maps.hidden_cell is None
    assert tab.step(1)                            # the next cell is hidden again
    assert tab.explain.where.text().endswith("= ?") and tab.maps.hidden_cell == (0, 0, 1)
    assert tab.step(-1)                           # the one revealed before stays revealed
    assert tab.explain.where.text().endswith(f"= {fmt_num(total)}")
    tab.step(1)
    tab.set_predict(False)
    assert not tab.explain.where.text().endswith("?") and tab.maps.hidden_cell is None
    assert not tab.predict_hint.isVisibleTo(tab)


def lesson(section: str) -> scenes.Scene:
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text(encoding="utf-8"))
    entry = next(e for e in contents["entries"] if e["section"] == section)
    scene = scenes.read(scenes.lessons_dir() / entry["scene"])
    assert scene.tab == entry["tab"] and scene.notes_section == section and scene.title == entry["title"]
    return scene


def test_lesson_2_3_shows_the_notes_308(make_tab):
    tab = make_tab()
    scene = lesson("2.3")
    assert scene.tab == tab.name and scene.tab_version == tab.scene_version
    tab.apply_scene(scene.state)
    assert tab.wait_idle(60)
    img, kern = NOTES_308["image"], NOTES_308["kernel"]
    np.testing.assert_array_equal(tab.inputs.image, img)
    red = explain_conv(img[:, :, :1], kern.values[:, :, :1], 0, 0, 0, padding=NOTES_308["padding"])
    first = tab.explain.text.text().splitlines()[0]
    assert first == "R: " + red.channel_line(0) and first.endswith(f"= {fmt_num(red.total)}")
    assert red.total == 308                       # the notes' own number, computed here by the engine
    pad = (NOTES_308["padding"],) * 4
    np.testing.assert_allclose(tab.result.maps[0], ref_conv(img, kern.values, kern.bias, 1, pad))
    assert tab.current_cell() == (0, *NOTES_308["cell"])


@pytest.mark.parametrize("section", ["2", "2.1", "2.2"])
def test_photo_lessons_open(make_tab, section):
    tab = make_tab()
    tab.apply_scene(lesson(section).state)
    assert tab.wait_idle(60)
    img = tab.inputs.image
    assert img.ndim == 3 and tab.inputs.source.startswith("Photo: ")
    if section == "2.2":      # one 3×3×3 kernel on the three channels: one feature map (notes 2.2)
        k = tab.bank.cards[0].values()
        assert k.shape == (3, 3, 3) and len(tab.result.maps) == 1
        np.testing.assert_allclose(tab.result.maps[0], ref_conv(img, k), atol=1e-2)
        assert [ln[:2] for ln in tab.explain.text.text().splitlines()[:3]] == ["R:", "G:", "B:"]
    if section == "2.1":
        assert [c.name for c in tab.bank.cards][:2] == ["Sobel y", "Sobel x"]
    assert tab.current_cell() is not None
