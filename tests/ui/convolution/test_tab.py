"""The Convolution lab tab, driven through its real widgets (notes 2.1–2.3)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktopnn.engine.convolution.explain import explain_conv
from desktopnn.engine.images import load_image, sample_images, to_grayscale
from desktopnn.engine.convolution.kernels import EXERCISE_IMAGE, EXERCISE_KERNELS, KERNEL_PRESETS, NOTES_308
from desktopnn.engine.convolution.lab import GRAYSCALE, REPLICATE

LINE_308 = "0*-1 + 0*-1 + 0*1 + 0*0 + 156*1 + 155*-1 + 0*0 + 153*1 + 154*1 = 308"


def ref_conv(image, kernel, bias=0.0, stride=1, pad=(0, 0, 0, 0)) -> np.ndarray:
    """Cross-correlation written out with numpy windows, independent of the engine and of torch."""
    img = np.asarray(image, dtype=np.float64)
    img = img[:, :, None] if img.ndim == 2 else img
    k = np.asarray(kernel, dtype=np.float64)
    k = k[:, :, None] if k.ndim == 2 else k
    top, bottom, left, right = pad
    img = np.pad(img, ((top, bottom), (left, right), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(img, k.shape[:2], axis=(0, 1))  # (H', W', C, kh, kw)
    out = np.einsum("ijcab,abc->ij", win, k) + bias
    return out[::stride, ::stride]


@pytest.fixture(scope="module", autouse=True)
def engine_loaded():
    """Import torch once, before the first tab, so no test waits on a worker importing it."""
    from desktopnn.engine.convolution.conv import conv2d

    conv2d(np.ones((3, 3)), np.ones((2, 2)))


@pytest.fixture
def tab(qtbot, app_ctx):
    from PySide6.QtCore import QCoreApplication, QEvent

    from desktopnn.ui.convolution import ConvLabTab

    t = ConvLabTab(app_ctx)
    t.resize(1600, 900)
    t.show()
    yield t
    t.shutdown()
    t.close()
    t.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def settle(tab, qtbot=None):
    assert tab.wait_idle(60), "the recompute did not finish"
    if qtbot is not None:
        qtbot.wait(10)   # let layouts settle before pointing at pixels


def use_grid(tab, image, kernels):
    tab.inputs.set_grid_image(image, "Numbers: exercise 2.11 (4×5)")
    tab.bank.set_kernels(kernels)
    settle(tab)


def shown(tab, k=0) -> np.ndarray:
    return tab.maps.views[k].data.astype(np.float64)


def test_default_photo_maps_match_reference(tab):
    settle(tab)
    img = tab.inputs.image
    assert img.ndim == 3 and img.dtype == np.uint8
    assert len(tab.maps.views) == len(tab.bank.cards) == 4
    gray = to_grayscale(img).astype(np.float64)
    for k, card in enumerate(tab.bank.cards):
        np.testing.assert_allclose(shown(tab, k), ref_conv(gray, card.values()), atol=1e-2)


def test_editing_a_kernel_cell_recomputes_the_map(tab):
    use_grid(tab, EXERCISE_IMAGE, EXERCISE_KERNELS[:2])
    np.testing.assert_allclose(shown(tab, 1), ref_conv(EXERCISE_IMAGE, EXERCISE_KERNELS[1].values, -1))
    card = tab.bank.cards[0]
    assert card.set_cell(0, 0, 1, "-0.5")
    settle(tab)
    kernel = np.array([[1, -0.5], [0, 1]])
    np.testing.assert_allclose(shown(tab, 0), ref_conv(EXERCISE_IMAGE, kernel))


def test_typing_into_a_kernel_grid_with_keys(tab, qtbot):
    use_grid(tab, EXERCISE_IMAGE, [EXERCISE_KERNELS[0]])
    grid = tab.bank.cards[0].grids[0]
    grid.setFocus()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(1, 0).center())
    qtbot.keyClicks(grid, "3")            # starting to type opens the cell's editor
    assert grid._editor is not None
    qtbot.keyClicks(grid._editor, ".5")
    qtbot.keyClick(grid._editor, Qt.Key.Key_Return)
    assert grid.values()[1, 0] == 3.5
    settle(tab)
    np.testing.assert_allclose(shown(tab, 0), ref_conv(EXERCISE_IMAGE, [[1, 0], [3.5, 1]]))


def test_a_non_number_is_refused_and_the_old_value_stays(tab):
    use_grid(tab, EXERCISE_IMAGE, [EXERCISE_KERNELS[2]])
    before = shown(tab, 0).copy()
    card = tab.bank.cards[0]
    assert not card.set_cell(0, 1, 0, "abc")
    assert tab.explain.error.isVisible()
    assert "“abc” is not a number" in tab.explain.error.text()
    assert "keeps -2.8" in tab.explain.error.text()
    assert card.values()[1, 0] == -2.8
    assert not card.set_bias_text("lots")
    assert card.bias() == 0.15 and card.bias_edit.text() == "0.15"
    settle(tab)
    np.testing.assert_array_equal(shown(tab, 0), before)


def test_bias_edit_and_image_cell_edit_recompute(tab):
    use_grid(tab, EXERCISE_IMAGE, [EXERCISE_KERNELS[3]])
    assert tab.bank.cards[0].set_bias_text("2")
    assert tab.inputs.set_cell(0, 0, 0, "100")
    settle(tab)
    img = EXERCISE_IMAGE.copy()
    img[0, 0] = 100
    np.testing.assert_allclose(shown(tab, 0), ref_conv(img, EXERCISE_KERNELS[3].values, 2.0))


def test_hovering_an_output_cell_explains_it(tab, qtbot):
    use_grid(tab, EXERCISE_IMAGE, EXERCISE_KERNELS)
    k, r, c = 2, 1, 3
    settle(tab, qtbot)
    view = tab.maps.canvas
    qtbot.mouseMove(view.viewport(), view.mapFromScene(tab.maps.scene_pos_of(k, r, c)))
    qtbot.waitUntil(lambda: tab.current_cell() == (k, r, c), timeout=3000)
    kern = EXERCISE_KERNELS[k]
    expected = explain_conv(EXERCISE_IMAGE, kern.values, kern.bias, r, c)
    assert tab.explain.text.text() == str(expected)
    assert tab.inputs.highlighted_cells() == {(1, 3), (1, 4), (2, 3), (2, 4)}
    assert "= " + tab.explain.text.text().rsplit("= ", 1)[1] in tab.explain.where.text()
    assert tab.bank.cards[k]._selected


def test_clicking_pins_a_cell_with_stride_and_padding(tab, qtbot):
    use_grid(tab, EXERCISE_IMAGE, [KERNEL_PRESETS["Sobel x"]])
    tab.stride.setValue(2)
    tab.set_padding("same")
    settle(tab)
    assert shown(tab, 0).shape == (2, 3)
    np.testing.assert_allclose(shown(tab, 0), ref_conv(EXERCISE_IMAGE, KERNEL_PRESETS["Sobel x"].values,
                                                       stride=2, pad=(0, 1, 1, 1)))   # Keras: extra at the bottom
    tab.maps.cell_clicked.emit(0, 1, 2)
    tab.maps.cell_hovered.emit(-1, -1, -1)
    expected = explain_conv(EXERCISE_IMAGE, KERNEL_PRESETS["Sobel x"].values, 0, 1, 2, stride=2, padding="same")
    assert tab.explain.text.text() == str(expected)
    rows, cols = expected.cells[..., 0].ravel(), expected.cells[..., 1].ravel()
    assert tab.inputs.highlighted_cells() == set(zip(rows.tolist(), cols.tolist()))
    assert (4, 5) in tab.inputs.highlighted_cells()   # a padding tap below-right of the 4×5 image


def test_notes_308_preset(tab, qtbot):
    qtbot.mouseClick(tab.btn_308, Qt.MouseButton.LeftButton)
    settle(tab)
    lines = tab.explain.text.text().splitlines()
    assert lines[0] == "R: " + LINE_308
    assert lines[-1] == "308 + -498 + 164 + 1 (bias) = -25"
    assert tab.explain.where.text().endswith("= -25")
    assert shown(tab, 0)[0, 0] == -25
    np.testing.assert_allclose(shown(tab, 0), ref_conv(NOTES_308["image"], NOTES_308["kernel"].values, 1.0,
                                                       pad=(1, 1, 1, 1)))
    assert tab.inputs.highlighted_cells() == {(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1)}
    assert tab.inputs.grids[0].shape == (7, 7)   # the padding ring is drawn around the 5×5 image
    assert not tab.policy_box.isVisible()        # a depth-3 kernel needs no choice


@pytest.mark.parametrize("policy", [GRAYSCALE, REPLICATE])
def test_one_channel_kernel_on_an_rgb_photo(tab, policy):
    assert tab.inputs.load_source("Photo: coffee")
    tab.bank.set_kernels([KERNEL_PRESETS["Sobel y"]])
    assert tab.policy_box.isVisible()
    tab.set_policy(policy)
    settle(tab)
    img = load_image(sample_images()["coffee"], max_side=640)
    k = KERNEL_PRESETS["Sobel y"].values
    if policy == GRAYSCALE:
        expected = ref_conv(to_grayscale(img), k)
    else:
        expected = ref_conv(img, np.repeat(k[:, :, None], 3, axis=2))
    np.testing.assert_allclose(shown(tab, 0), expected, atol=0.05)
    tab.select_cell(0, 10, 20)
    lines = tab.explain.text.text().splitlines()
    assert len(lines) == (1 if policy == GRAYSCALE else 4)
    assert tab.explain.note.isVisible() == (policy == GRAYSCALE)


def test_depth_mismatch_is_a_message_not_a_crash(tab):
    tab.inputs.set_grid_image(EXERCISE_IMAGE)
    tab.bank.set_kernels([NOTES_308["kernel"]])     # depth 3 on a grayscale grid
    settle(tab)
    assert tab.explain.error.isVisible()
    assert "depth 3" in tab.explain.error.text()
    tab.bank.cards[0].depth.setCurrentText("1")
    settle(tab)
    assert not tab.explain.error.isVisible()
    np.testing.assert_allclose(shown(tab, 0), ref_conv(EXERCISE_IMAGE, NOTES_308["kernel"].values[:, :, 0], 1.0))


def test_opening_a_corrupt_file_keeps_the_image(tab, tmp_path):
    before, source = tab.inputs.image.copy(), tab.inputs.source
    bad = tmp_path / "x.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    assert tab.accepts_images()
    assert tab.open_image(str(bad)) is False
    assert tab.explain.error.isVisible() and "x.png" in tab.explain.error.text()
    np.testing.assert_array_equal(tab.inputs.image, before)
    assert tab.inputs.source == source
    good = tmp_path / "tiny.png"
    from PIL import Image

    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(good)
    assert tab.open_image(str(good)) is True
    settle(tab)
    assert tab.inputs.image.shape == (8, 8)
    assert tab.inputs.combo.currentText() == "File: tiny.png"
    assert tab.inputs.load_source("Photo: rocket") and tab.inputs.image.shape[2] == 3
    assert tab.inputs.load_source("File: tiny.png") and tab.inputs.image.shape == (8, 8)


def test_grid_size_and_channels(tab):
    tab.inputs.load_source("Numbers: exercise 2.11 (4×5)")
    tab.bank.set_kernels([EXERCISE_KERNELS[0]])
    tab.inputs.rows.setValue(6)
    tab.inputs.channels.setCurrentText("RGB")
    settle(tab)
    img = tab.inputs.image
    assert img.shape == (6, 5, 3) and (img[4:] == 0).all()
    np.testing.assert_array_equal(img[:4, :, 1], EXERCISE_IMAGE)
    assert tab.inputs.combo.currentText() == "Numbers: your own grid"
    assert len(tab.inputs.grids) == 3 and tab.policy_box.isVisible()
    tab.set_policy(REPLICATE)
    settle(tab)
    np.testing.assert_allclose(shown(tab, 0), 3 * ref_conv(img[:, :, 0], EXERCISE_KERNELS[0].values))
    assert not tab.inputs.set_cell(0, 0, 0, "x")       # refused, with a message
    assert "not a number" in tab.explain.error.text()


def test_zoomed_in_pixels_show_their_values(tab):
    assert tab.inputs.load_source("Photo: astronaut")
    vb = tab.inputs.vb
    vb.setRange(xRange=(10, 14), yRange=(20, 24), padding=0)
    tab.inputs.values.refresh()
    assert 0 < tab.inputs.values.visible_count() <= 400
    vb.autoRange()
    tab.inputs.values.refresh()
    assert tab.inputs.values.visible_count() == 0
    tab.bank.set_kernels([KERNEL_PRESETS["Sharpen"]])
    settle(tab)
    tab.select_cell(0, 100, 200)
    assert tab.inputs.btn_zoom.isEnabled()
    tab.inputs.btn_zoom.click()
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 <= 200 and x1 >= 203 and y0 <= 100 and y1 >= 103 and x1 - x0 < 12
    tab.inputs.values.refresh()
    assert tab.inputs.values.visible_count() > 0   # the window's pixel values are written on it
    labels = {item.textItem.toPlainText() for item in tab.inputs.values._pool if item.isVisible()}
    window = tab.explain.explanation.window[:, :, 0]   # grayscale policy: the numbers the kernel saw
    assert {str(int(v)) for v in window.ravel()} <= labels


def test_send_to_animator(tab, qtbot, app_ctx):
    use_grid(tab, np.arange(14 * 14, dtype=float).reshape(14, 14), [KERNEL_PRESETS["Box blur"]])
    tab.select_cell(0, 5, 6)
    shown_tabs = []
    app_ctx.bus.show_tab.connect(shown_tabs.append)
    with qtbot.waitSignal(app_ctx.bus.patch_for_animator, timeout=2000) as sig:
        qtbot.mouseClick(tab.explain.send_input, Qt.MouseButton.LeftButton)
    patch, text = sig.args
    assert patch.shape == (12, 12)
    r0, c0 = int(patch[0, 0]) // 14, int(patch[0, 0]) % 14
    np.testing.assert_array_equal(patch, np.arange(196.0).reshape(14, 14)[r0:r0 + 12, c0:c0 + 12])
    assert r0 <= 6 <= r0 + 11 and c0 <= 7 <= c0 + 11 and "input" in text
    with qtbot.waitSignal(app_ctx.bus.patch_for_animator, timeout=2000) as sig:
        qtbot.mouseClick(tab.explain.send_map, Qt.MouseButton.LeftButton)
    patch, text = sig.args
    assert patch.shape == (12, 12) and "feature map" in text
    np.testing.assert_allclose(patch, shown(tab, 0)[:12, :12])
    assert shown_tabs == ["animator", "animator"]


def test_bank_add_duplicate_remove(tab):
    n = len(tab.bank.cards)
    tab.bank.preset.setCurrentText("Emboss")
    tab.bank.btn_add.click()
    tab.bank.cards[0].btn_dup.click()
    assert len(tab.bank.cards) == n + 2
    assert tab.bank.cards[1].name.endswith("(copy)")
    tab.bank.cards[1].btn_remove.click()
    tab.bank.cards[0].rows.setValue(5)
    settle(tab)
    assert len(tab.maps.views) == n + 1
    assert tab.bank.cards[0].values().shape == (5, 3)
    assert tab.maps.views[-1].data.shape == tab.maps.views[1].data.shape


def test_relu_and_colour_map(tab):
    use_grid(tab, EXERCISE_IMAGE, [EXERCISE_KERNELS[2]])
    tab.relu.setChecked(True)
    settle(tab)
    np.testing.assert_allclose(shown(tab, 0), np.maximum(ref_conv(EXERCISE_IMAGE, EXERCISE_KERNELS[2].values, 0.15), 0))
    tab.select_cell(0, 0, 0)
    assert tab.explain.relu_line.isVisible() and tab.explain.relu_line.text().startswith("ReLU: max(0, ")
    tab.cmap.setCurrentText("blue–white–red (signed)")
    lo, hi = tab.maps.views[0].bar.levels()
    assert lo == -hi


def test_presentation_mode_scales_everything(tab, app_ctx):
    app_ctx.themes.set_presentation(True)
    theme = app_ctx.theme
    assert theme.presentation and theme.text_px >= 27
    assert tab.explain.text.font().pixelSize() >= 27
    grid = tab.bank.cards[0].grids[0]
    assert grid.cell_size() == round(theme.cell_px * 0.85)
    assert tab.cmap.currentText() == "cividis"
    settle(tab)
    app_ctx.themes.set_presentation(False)
    assert tab.explain.text.font().pixelSize() < 27
    assert tab.cmap.currentText() == "viridis"


def test_shutdown_stops_the_worker(tab):
    tab.schedule()
    tab.shutdown()
    assert not tab._timer.isActive()
    thread = tab.runner._thread
    assert thread is None or not thread.is_alive()
