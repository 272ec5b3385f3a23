"""The Why-convolution tab (notes 2.4): shift equivariance checked with numpy; parameter counts vs torch."""

import numpy as np
import pytest
import torch
from numpy.lib.stride_tricks import sliding_window_view

from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.engine.convolution.shift import (CANVAS, KERNEL_CHOICES, MAX_SHIFT, SHAPES, ParamCounts, place, shift_demo,
                                    source_object)
from desktopnn.ui.why.state import STEP
from desktopnn.ui.why.tab import WhyConvTab
from desktopnn.workers import live_runner_threads


def correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation in plain numpy (independent of the engine's torch path)."""
    windows = sliding_window_view(image.astype(np.float64), kernel.shape)   # (H', W', kh, kw)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def argmax_rc(a: np.ndarray) -> tuple[int, int]:
    r, c = np.unravel_index(int(np.argmax(a)), a.shape)
    return int(r), int(c)


@pytest.fixture
def tab(qtbot, app_ctx):
    t = WhyConvTab(app_ctx)
    qtbot.addWidget(t)
    app_ctx.themes.theme_changed.connect(t.apply_theme)
    t.resize(1600, 900)
    t.show()
    qtbot.waitUntil(lambda: t.result is not None, timeout=30000)
    yield t
    t.shutdown()


def wait_for_shift(qtbot, tab, dx, dy, kernel=None):
    def done():
        r = tab.result
        return r is not None and (r.dx, r.dy) == (dx, dy) and (kernel is None or r.kernel_name == kernel)
    qtbot.waitUntil(done, timeout=20000)


@pytest.mark.parametrize("kernel", ["Sobel x", "Diagonal ↗ (negative surround)", "Laplacian"])
@pytest.mark.parametrize("dx,dy", [(7, -5), (-24, 24), (24, 0), (0, -13)])
def test_numpy_map_shifts_with_the_input(kernel, dx, dy):
    obj = source_object(SHAPES)
    k = KERNEL_PRESETS[kernel].values
    still = correlate(place(obj, 0, 0), k)
    moved = correlate(place(obj, dx, dy), k)
    h, w = still.shape
    # every value moved by (dx, dy)
    np.testing.assert_array_equal(moved[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)],
                                  still[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)])
    (r0, c0), (r1, c1) = argmax_rc(still), argmax_rc(moved)
    assert (c1 - c0, r1 - r0) == (dx, dy)
    # and the engine agrees with numpy
    res = shift_demo(SHAPES, kernel, dx, dy)
    np.testing.assert_allclose(res.feature_map, moved, atol=1e-3)
    assert res.peak == (r1, c1) and res.still_peak == (r0, c0)
    assert res.moved_by == (dx, dy) and res.error == 0


def test_every_source_and_detector_shifts_exactly():
    from desktopnn.engine.convolution.shift import source_names
    for source in source_names():
        for kernel in KERNEL_CHOICES:
            res = shift_demo(source, kernel, 9, -17)
            assert res.moved_by == (9, -17), (source, kernel)
            assert res.error == 0


def test_shifting_too_far_is_refused():
    with pytest.raises(ValueError, match="stay within"):
        place(source_object(SHAPES), MAX_SHIFT + 10, 0)
    with pytest.raises(ValueError, match="no sample image"):
        source_object("no such photo")


def test_tab_shifts_input_and_marks_the_feature(qtbot, tab):
    tab.kernel_combo.setCurrentText("Sobel y")
    tab.set_shift(10, -6)
    wait_for_shift(qtbot, tab, 10, -6, "Sobel y")
    res = tab.result
    assert tab.shift_label.text() == "input moved by (10, -6) → feature map moved by (10, -6)"
    assert tab.shift_label.property("role") == "good"
    # check with numpy what the tab shows
    k = KERNEL_PRESETS["Sobel y"].values
    np.testing.assert_array_equal(res.image, place(source_object(SHAPES), 10, -6))
    still = correlate(place(source_object(SHAPES), 0, 0), k)
    moved = correlate(res.image, k)
    (r0, c0), (r1, c1) = argmax_rc(still), argmax_rc(moved)
    assert (c1 - c0, r1 - r0) == (10, -6)
    # the rings sit on that location: map cell centre, and the window centre on the input
    xs, ys = tab.map_panel.marker.getData()
    assert (xs[0], ys[0]) == (c1 + 0.5, r1 + 0.5)
    xs, ys = tab.input_panel.marker.getData()
    assert (xs[0], ys[0]) == (c1 + 1.5, r1 + 1.5)
    xs, ys = tab.map_panel.ghost.getData()
    assert (xs[0], ys[0]) == (c0 + 0.5, r0 + 0.5)
    assert tab.input_panel.title.text() == f"Input {CANVAS}×{CANVAS}, moved by (10, -6)"


def test_arrow_buttons_and_sliders(qtbot, tab):
    tab.set_shift(0, 0)
    tab.nudge(STEP, 0)
    tab.nudge(0, -STEP)
    assert tab.shift() == (STEP, -STEP)
    assert tab.slider_labels["dx"].text() == f"dx = +{STEP}"
    wait_for_shift(qtbot, tab, STEP, -STEP)
    tab.sliders["dy"].setValue(MAX_SHIFT + 50)                  # the slider stops at the limit
    wait_for_shift(qtbot, tab, STEP, MAX_SHIFT)
    assert tab.result.moved_by == (STEP, MAX_SHIFT)
    tab.source_combo.setCurrentText("chelsea")
    qtbot.waitUntil(lambda: tab.result.source == "chelsea", timeout=20000)
    assert tab.result.moved_by == (STEP, MAX_SHIFT)


@pytest.mark.parametrize("kh,kw,c,k,h,w", [(3, 3, 1, 1, 128, 128), (2, 2, 1, 1, 128, 128),
                                           (3, 3, 3, 16, 32, 32), (5, 3, 2, 4, 20, 24)])
def test_parameter_counts_match_torch(kh, kw, c, k, h, w):
    p = ParamCounts(kh, kw, c, k, h, w)
    oh, ow = h - kh + 1, w - kw + 1
    assert p.conv == kh * kw * c * k + k
    assert p.dense == h * w * c * oh * ow * k + oh * ow * k
    conv = torch.nn.Conv2d(c, k, (kh, kw), device="meta")
    dense = torch.nn.Linear(h * w * c, oh * ow * k, device="meta")
    assert p.conv == sum(t.numel() for t in conv.parameters())
    assert p.dense == sum(t.numel() for t in dense.parameters())
    assert p.ratio == pytest.approx(p.dense / p.conv)


def test_tab_writes_out_the_parameter_arithmetic(tab):
    tab.kernel_combo.setCurrentText("Sobel x")
    tab.k_spin.setValue(8)
    assert tab.conv_label.text() == "conv: kh·kw·C·K + K = 3·3·1·8 + 8 = 80"
    dense = 128 * 128 * 126 * 126 * 8 + 126 * 126 * 8
    assert tab.dense_label.text().splitlines()[1:] == [
        "H·W·C·H'·W'·K + H'·W'·K", "= 128·128·1·126·126·8 + 126·126·8", f"= {dense:,}"]
    assert f"{dense / 80:,.0f}×" in tab.ratio_label.text()
    tab.kernel_combo.setCurrentText("Diagonal ↗ (zero surround)")   # a 2×2 kernel: H' = 127
    assert tab.conv_label.text() == "conv: kh·kw·C·K + K = 2·2·1·8 + 8 = 40"


def test_presentation_mode_scales_fonts(qtbot, tab, app_ctx):
    tab.shift_label.ensurePolished()
    small = tab.shift_label.font().pixelSize(), tab.kernel_grid.cell_size(), tab.map_panel.marker.opts["size"]
    app_ctx.themes.set_presentation(True)
    tab.shift_label.ensurePolished()
    tab.detail_label.ensurePolished()
    big = tab.shift_label.font().pixelSize(), tab.kernel_grid.cell_size(), tab.map_panel.marker.opts["size"]
    assert all(b > s for b, s in zip(big, small))
    assert tab.detail_label.font().pixelSize() >= 27
    assert tab.input_panel.view.backgroundBrush().color().name() == app_ctx.theme.background
    app_ctx.themes.set_presentation(False)


def test_shutdown_stops_the_worker(qtbot, app_ctx):
    t = WhyConvTab(app_ctx)
    qtbot.addWidget(t)
    assert t.wait_idle(30)
    t.shutdown()
    assert not [th for th in live_runner_threads() if th.name == "desktopnn-why-conv"]


def test_a_failed_job_shows_its_message(qtbot, tab):
    tab.runner.submit(shift_demo, "no such photo", "Sobel x", 0, 0)
    qtbot.waitUntil(lambda: "no sample image" in tab.shift_label.text(), timeout=20000)
    assert tab.shift_label.property("role") == "error"
