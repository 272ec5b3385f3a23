"""Live feature maps (issue 9): scenes round-trip, bad scenes change nothing, a missing camera falls back
to the demo with a notice, nothing to step or guess, and the bundled lesson scene for notes 1."""

import json

import pytest
import torch
import torch.nn.functional as F

from desktopnn import scenes
from desktopnn.ui.live import LiveTab


@pytest.fixture
def make_tab(tab_factory):
    return lambda: tab_factory(LiveTab)


def wait_result(qtbot, tab, **want):
    def ok():
        lf = tab.result
        return lf is not None and all(getattr(lf, k) == v for k, v in want.items())
    qtbot.waitUntil(ok, timeout=60_000)
    return tab.result


def test_round_trip_and_same_maps(qtbot, make_tab):
    tab = make_tab()
    tab.activate()
    tab.set_size((160, 120))
    tab.norm_box.setCurrentIndex(tab.norm_box.findData("layer"))
    tab.cmap_box.setCurrentIndex(tab.cmap_box.findData("magma"))
    wait_result(qtbot, tab, layer="conv1")
    tab.layer_box.setCurrentIndex(tab.layer_box.findData("conv2"))
    tab.select_map(5)
    wait_result(qtbot, tab, layer="conv2", selected=5)
    tab.set_frozen(True)
    s = tab.scene_state()
    json.dumps(s)
    assert s == {"source": {"kind": "demo"}, "network": "notes_cnn", "layer": "conv2", "selected": 5,
                 "size": [160, 120], "normalise": "layer", "colormap": "magma", "gradcam": False, "frozen": True}
    fresh = make_tab()
    fresh.apply_scene(s)
    assert fresh.scene_state() == s
    fresh.set_frozen(False)
    fresh.activate()
    lf = wait_result(qtbot, fresh, layer="conv2", selected=5)
    assert lf.input.shape == (120, 160, 3)
    net = fresh.computer.network("notes_cnn").model
    x = torch.from_numpy(lf.input).permute(2, 0, 1)[None].float() / 255
    c1 = F.max_pool2d(F.relu(F.conv2d(x, net.conv1.weight, net.conv1.bias)), 2)
    want = F.relu(F.conv2d(c1, net.conv2.weight, net.conv2.bias))[0]
    torch.testing.assert_close(lf.maps, want, rtol=1e-4, atol=1e-4)
    assert not fresh.step(1) and fresh.frame_count() == 0 and not fresh.supports_predict()


def test_bad_scenes_change_nothing_and_missing_camera_falls_back(qtbot, make_tab, refuse_scene):
    tab = make_tab()
    for key, value in [("network", "resnet"), ("layer", "conv9"), ("size", [100, 100]), ("colormap", "rainbow"),
                       ("selected", -1), ("frozen", "yes"), ("source", {"kind": "satellite"}),
                       ("source", {"kind": "video"})]:
        refuse_scene(tab, lambda s: s.update({key: value}))
    notices = []
    tab.notice.connect(notices.append)
    tab.apply_scene({"source": {"kind": "camera", "camera": "Lecture hall camera"}, "network": "kernels"})
    assert any("not connected" in n for n in notices)
    assert tab.input.on_demo() and tab.scene_state()["network"] == "kernels"
    tab.apply_scene({"source": {"kind": "video", "path": "/no/such/clip.mp4"}})
    assert any("not there" in n for n in notices) and tab.input.on_demo()


def test_bundled_lesson_scene(qtbot, make_tab):
    contents = json.loads((scenes.lessons_dir() / "contents.json").read_text())
    entries = [e for e in contents["entries"] if e["tab"] == "live"]
    assert [e["section"] for e in entries] == ["1"]
    sc = scenes.read(scenes.lessons_dir() / entries[0]["scene"])
    tab = make_tab()
    tab.apply_scene(sc.state)
    tab.activate()
    lf = wait_result(qtbot, tab, network="notes_cnn", layer="conv1")
    assert lf.layout.count == 32 and tab.input.on_demo()
