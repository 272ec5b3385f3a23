"""The animator tab (notes 2.5–2.7): presets, stepping by buttons, keys and timer, errors on screen,
edits, the Convolution lab's patches, exports."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from desktopnn.engine import pool2d
from desktopnn.ui.animator import AnimatorTab
from desktopnn.ui.animator import tab as tab_module
from desktopnn.ui.animator.state import PRESETS
from desktopnn.workers import live_runner_threads


@pytest.fixture
def tab(qtbot, app_ctx):
    t = AnimatorTab(app_ctx)
    qtbot.addWidget(t)
    t.resize(1600, 900)
    t.show()
    qtbot.waitExposed(t)
    yield t
    t.shutdown()


def small_pooling(tab):
    tab.state.set_input(np.arange(9).reshape(3, 3), "a 3×3 test grid")
    tab.state.update(op="max", pool=(2, 2), stride=(1, 1), padding="valid")


def test_every_preset_animates(tab):
    expected = {0: (3, 3), 1: (5, 5), 2: (3, 3), 3: (3, 3), 4: (5, 5), 5: (3, 3), 6: (3, 3), 7: (3, 3), 8: (3, 3)}
    assert len(PRESETS) == len(expected)
    for i, shape in expected.items():
        tab.state.apply_preset(i)
        assert tab.plan is not None, tab.error
        assert tab.plan.out_shape == shape
        assert tab.steps_total == shape[0] * shape[1]
        assert tab.panel.preset.currentIndex() == i + 1
    tab.state.apply_preset(0)  # the notes' 7×7 → 3×3 is Keras's MaxPooling2D with its defaults
    np.testing.assert_array_equal(tab.plan.output[:, :, 0], pool2d(tab.state.image[:, :, 0]))


def test_buttons_step_through_and_fill_the_output(tab, qtbot):
    tab.state.apply_preset(0)
    assert tab.position == 0 and "Press Play" in tab.arithmetic.text()
    qtbot.mouseClick(tab.step_btn, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.step_btn, Qt.MouseButton.LeftButton)
    assert tab.position == 2
    assert tab.step_heading.text() == "Step 2 of 9: output row 1, column 2"
    assert tab.arithmetic.text().startswith("max(2, 0, 1, 6) = 6 at row 2, column 4")
    hidden = tab.grids.output._hidden
    assert hidden.sum() == 7 and not hidden[0, 0] and not hidden[0, 1]
    qtbot.mouseClick(tab.back_btn, Qt.MouseButton.LeftButton)
    assert tab.position == 1
    qtbot.mouseClick(tab.end_btn, Qt.MouseButton.LeftButton)
    assert tab.position == 9 and not tab.grids.output._hidden.any()
    np.testing.assert_array_equal(tab.grids.output.values(), tab.plan.output[:, :, 0])
    qtbot.mouseClick(tab.start_btn, Qt.MouseButton.LeftButton)
    assert tab.position == 0 and tab.grids.output._hidden.all()
    assert tab.position_label.text() == "0 / 9"


def test_keys_drive_it_like_a_clicker(tab, qtbot):
    tab.state.apply_preset(0)
    tab.activateWindow()
    qtbot.waitUntil(lambda: tab.isActiveWindow(), timeout=3000)
    tab.grids.input.setFocus()
    target = tab.grids.input
    for key, pos in [(Qt.Key.Key_Right, 1), (Qt.Key.Key_PageDown, 2), (Qt.Key.Key_Right, 3),
                     (Qt.Key.Key_PageUp, 2), (Qt.Key.Key_Left, 1), (Qt.Key.Key_End, 9), (Qt.Key.Key_Home, 0)]:
        qtbot.keyClick(target, key)
        assert tab.position == pos, key
    qtbot.keyClick(target, Qt.Key.Key_Space)
    assert tab.playing and tab.play_btn.text().endswith("Pause")
    qtbot.keyClick(target, Qt.Key.Key_Space)
    assert not tab.playing and tab.play_btn.text().endswith("Play")


def test_play_runs_to_the_end_and_stops(tab, qtbot):
    small_pooling(tab)
    tab.set_speed(8)
    assert tab.timer.interval() == 125 and tab.speed_label.text() == "8 steps/s"
    qtbot.mouseClick(tab.play_btn, Qt.MouseButton.LeftButton)
    assert tab.playing
    qtbot.waitUntil(lambda: tab.position == 4 and not tab.playing, timeout=5000)
    tab.speed.setValue(0)
    assert tab.speed_per_s == 0.25 and tab.timer.interval() == 4000
    tab.play()  # from the end, Play starts again at the beginning
    assert tab.playing and tab.position == 0
    tab.deactivate()
    assert not tab.playing


def test_formula_is_on_screen_with_the_numbers(tab):
    tab.state.apply_preset(0)
    text = tab.formula.text()
    assert "floor((n + p_total − d·(k−1) − 1) / s) + 1" in text
    assert "rows:     floor((7 + 0 − 1·(2−1) − 1) / 2) + 1 = floor(5 / 2) + 1 = 3" in text
    tab.state.apply_preset(5)  # 'same' with stride 2: one padding row at the bottom
    assert "floor((6 + 1 − 1·(3−1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3" in tab.formula.text()
    mask = tab.grids.input._padding
    assert mask[-1].all() and mask[:, -1].all() and not mask[:-1, :-1].any()


def test_impossible_combinations_are_explained_not_crashes(tab):
    small_pooling(tab)
    tab.set_position(2)
    tab.panel.win_rows.setValue(5)
    assert tab.plan is None and tab.position == 0
    assert tab.error_label.isVisibleTo(tab)
    assert "cannot work" in tab.error_label.text() and "larger than the padded input" in tab.error_label.text()
    assert "does not fit" in tab.formula.text()
    assert not tab.step_btn.isEnabled()
    tab.step_forward()  # keys do nothing harmful either
    assert tab.position == 0
    tab.panel.win_rows.setValue(2)
    assert tab.plan is not None and not tab.error_label.isVisibleTo(tab) and tab.step_btn.isEnabled()
    tab.panel.pad_mode.setCurrentIndex(3)  # explicit
    tab.panel.pads[0].setValue(2)          # two rows of padding on a 2-row pool: windows of padding only
    assert tab.plan is None and "only padding cells" in tab.error_label.text()


def test_controls_set_the_state(tab):
    tab.state.apply_preset(1)
    p = tab.panel
    p.stride_r.setValue(2)
    assert tab.state.stride == (2, 1) and tab.plan.out_shape == (3, 5)
    assert p.preset.currentIndex() == 0  # no longer the preset
    p.dil_c.setValue(2)
    assert tab.plan.out_shape == (3, 3)
    p.pad_mode.setCurrentIndex(1)  # same
    assert tab.plan.out_shape == (4, 7) and tab.state.padding == "same"
    p.op.setCurrentIndex(1)  # max pooling: no kernel, no dilation
    assert tab.state.op == "max" and not tab.grids.show_kernel and not p.dil_r.isEnabled()
    assert p.kernel.isHidden()
    p.channels.setValue(3)
    assert tab.state.image.shape == (7, 7, 3) and p.show_channel.isEnabled()
    p.show_channel.setCurrentIndex(2)
    assert tab.channel == 2 and "channel B" in tab.grids.captions[0].text()


def test_editing_cells(tab, qtbot):
    tab.state.apply_preset(4)  # 'same': one ring of padding
    before = tab.plan.output.copy()
    assert tab.grids.input.edit_text(1, 1, "10")  # padded (1, 1) is input (0, 0)
    assert tab.state.image[0, 0, 0] == 10
    assert not np.array_equal(before, tab.plan.output)
    with qtbot.waitSignal(tab.notice) as blocker:
        tab.grids.input.edit_text(0, 0, "5")  # a padding cell
    assert "padding cell" in blocker.args[0]
    assert tab.grids.input.values()[0, 0] == 0
    with qtbot.waitSignal(tab.notice) as blocker:
        tab.grids.input.edit_text(2, 2, "seven")
    assert "not a number" in blocker.args[0]
    tab.panel.kernel.edit_text(1, 1, "-2")
    assert tab.state.kernel[1, 1, 0] == -2


def test_patch_from_the_convolution_lab(tab, qtbot, app_ctx):
    patch = np.arange(12, dtype=float).reshape(3, 4) / 3
    with qtbot.waitSignal(app_ctx.bus.show_tab) as blocker:
        app_ctx.bus.patch_for_animator.emit(patch, "feature map 2, rows 10–12")
    assert blocker.args == ["animator"]
    assert tab.state.image.shape == (3, 4, 1)
    np.testing.assert_allclose(tab.state.image[:, :, 0], np.round(patch, 2))
    assert "Convolution lab" in tab.source.text()
    app_ctx.bus.patch_for_animator.emit(np.zeros((20, 20, 3)), "big")
    assert tab.state.image.shape == (16, 16, 3)


def test_a_patch_sent_before_the_tab_existed_is_loaded(qtbot, app_ctx):
    app_ctx.bus.patch_for_animator.emit(np.ones((4, 6)), "sent early")
    t = AnimatorTab(app_ctx)
    qtbot.addWidget(t)
    assert t.state.image.shape == (4, 6, 1) and "sent early" in t.source.text()
    t.shutdown()


def test_gif_export_has_every_frame(tab, tmp_path):
    small_pooling(tab)
    path = tmp_path / "pool.gif"
    assert tab.export("gif", str(path))
    assert tab.wait_idle(60)
    with Image.open(path) as gif:
        assert gif.size == (1280, 720)
        assert gif.n_frames == tab.steps_total + 1 == 5
        gif.seek(2)
        frame = np.asarray(gif.convert("RGB"))
    assert frame.std() > 10  # numbers and grids, not a blank frame


def test_png_export_in_presentation_mode(tab, tmp_path, qtbot, app_ctx):
    app_ctx.themes.set_presentation(True)
    tab.apply_theme(app_ctx.theme)
    small_pooling(tab)
    tab.set_position(3)
    path = tmp_path / "frame.png"
    with qtbot.waitSignal(tab.notice, timeout=10000) as blocker:
        tab.export("png", str(path))
    assert "Saved" in blocker.args[0]
    with Image.open(path) as png:
        assert png.size == (1920, 1080)
        rgb = np.asarray(png.convert("RGB"))
    assert (rgb[5, 5] == [0, 0, 0]).all()  # presentation background
    assert tab.arithmetic.font().pixelSize() >= 27


def test_mp4_without_an_encoder_says_so(tab, monkeypatch, tmp_path):
    monkeypatch.setattr(tab_module, "mp4_encoder", lambda: None)
    assert not tab.export("mp4", str(tmp_path / "a.mp4"))
    assert "imageio-ffmpeg" in tab.panel.export_status.text()
    assert not (tmp_path / "a.mp4").exists()
    tab._on_export_requested("mp4")  # the button says the same, without a file dialog
    assert "GIF export works without it" in tab.panel.export_status.text()


def test_export_errors_are_reported(tab, tmp_path):
    assert not tab.export("gif", str(tmp_path / "missing" / "a.gif"))
    assert "does not exist" in tab.panel.export_status.text()


def test_shutdown_stops_timer_and_worker(qtbot, app_ctx, tmp_path):
    t = AnimatorTab(app_ctx)
    qtbot.addWidget(t)
    t.play()
    t.export("png", str(tmp_path / "x.png"))
    t.shutdown()
    assert not t.timer.isActive()
    assert not [th for th in live_runner_threads() if th.name.endswith("animator-export")]


def test_activating_the_tab_gives_it_the_keys(tab, qtbot):
    tab.activateWindow()
    qtbot.waitUntil(lambda: tab.isActiveWindow(), timeout=3000)
    tab.panel.preset.setFocus()
    tab.activate()  # focus stays inside the tab
    assert tab.isAncestorOf(tab.focusWidget())
    tab.state.apply_preset(0)
    qtbot.keyClick(tab.focusWidget(), Qt.Key.Key_PageDown)
    assert tab.position == 1
