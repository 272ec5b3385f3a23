"""The Live feature maps tab driven through its real widgets on the demo source."""

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PySide6.QtCore import QTimer, Qt

from desktopnn import workers
from desktopnn.sources import FrameSource
from desktopnn.ui.live import LiveTab


class DyingSource(FrameSource):
    name = "USB camera"

    def __init__(self):
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self.count = 0

    def start(self):
        self.timer.start()
        self._set_running(True)

    def stop(self):
        self.timer.stop()
        self._set_running(False)

    def _tick(self):
        self.count += 1
        if self.count > 3:
            self._fail("USB camera was unplugged. Showing the demo pictures.")
        else:
            self._emit_frame(np.full((120, 160, 3), 90, np.uint8))


@pytest.fixture
def tab(qtbot, app_ctx):
    t = LiveTab(app_ctx)
    qtbot.addWidget(t)
    t.resize(1600, 900)
    t.show()
    t.set_size((160, 120))
    yield t
    t.shutdown()


def wait_frames(qtbot, tab, n=2, timeout=60000):
    start = tab.frames_drawn
    qtbot.waitUntil(lambda: tab.frames_drawn >= start + n, timeout=timeout)
    return tab.result


def test_notes_cnn_maps_on_the_demo_equal_direct_torch(qtbot, tab):
    notices = []
    tab.notice.connect(notices.append)
    tab.activate()
    assert tab.input.on_demo() and tab.input.demo.running
    lf = wait_frames(qtbot, tab)
    assert lf.network == "notes_cnn" and lf.layer == "conv1"
    assert lf.input.shape == (120, 160, 3)
    model = tab.computer.network("notes_cnn").model
    x = torch.from_numpy(lf.input).permute(2, 0, 1)[None].float() / 255
    want = F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias))[0]
    torch.testing.assert_close(lf.maps, want, rtol=1e-4, atol=1e-5)
    assert lf.layout.count == 32
    assert tab.mosaic_panel.canvas.pixels().shape == lf.mosaic.shape
    rows = tab.bars.rows()
    assert len(rows) == 5 and 0 < sum(p for _n, p in rows) <= 1.0001
    assert rows[0][1] >= rows[-1][1]
    assert [tab.layer_box.itemData(i) for i in range(tab.layer_box.count())] == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    assert notices == []                                # --demo: no "no camera" notice


def test_layer_click_hover_and_arithmetic(qtbot, tab):
    tab.activate()
    wait_frames(qtbot, tab)
    tab.layer_box.setCurrentIndex(tab.layer_box.findData("conv2"))
    qtbot.waitUntil(lambda: tab.result.layer == "conv2", timeout=30000)
    assert tab.result.maps.shape[0] == 64 and tab.result.layout.count == 64
    lf = tab.result
    y, x = lf.layout.origin(10)
    tab._on_mosaic_clicked(x + 1, y + 1)
    qtbot.waitUntil(lambda: tab.result.selected == 10, timeout=30000)
    lf = tab.result
    np.testing.assert_array_equal(lf.large.shape[:2], lf.maps.shape[1:])
    y, x = lf.layout.origin(10)
    tab._on_mosaic_hovered(x + 2, y + 3)
    f = lf.factor
    want = float(lf.maps[10, 3 * f + f // 2, 2 * f + f // 2])
    assert f"value {want:.4g}" in tab.info.text()
    # the first layer explains its arithmetic (notes 2.3)
    tab.layer_box.setCurrentIndex(tab.layer_box.findData("conv1"))
    qtbot.waitUntil(lambda: tab.result.layer == "conv1", timeout=30000)
    tab._on_large_hovered(5, 4)
    text = tab.info.text()
    assert "R: " in text and "(bias)" in text and "ReLU" in text


def test_kernel_network_normalise_colours_and_freeze(qtbot, tab):
    tab.activate()
    tab.set_network("kernels")
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.network == "kernels", timeout=60000)
    assert not tab.bars.isVisible()
    lf = tab.result
    names = [tab.computer.network("kernels").map_title("kernels", i) for i in range(lf.maps.shape[0])]
    assert "Sobel x" in names
    tab.norm_box.setCurrentIndex(tab.norm_box.findData("layer"))
    tab.cmap_box.setCurrentIndex(tab.cmap_box.findData("grey"))
    qtbot.waitUntil(lambda: tab.result.extra["params"].colormap == "grey", timeout=30000)
    lf = tab.result
    assert lf.extra["params"].normalise == "layer"
    assert np.all(lf.lows == lf.lows[0]) and np.all(lf.highs == lf.highs[0])
    big = lf.large
    assert np.array_equal(big[..., 0], big[..., 1])     # grey: R = G = B
    qtbot.keyClick(tab, Qt.Key.Key_Space)
    assert tab.frozen and tab.freeze_button.isChecked()
    tab.wait_idle(30)
    qtbot.wait(50)
    frozen_input = tab.result.input.copy()
    n = tab.frames_drawn
    qtbot.wait(300)
    assert tab.frames_drawn == n                        # frozen: no new frames drawn
    tab.cmap_box.setCurrentIndex(tab.cmap_box.findData("magma"))   # settings still apply to the frozen frame
    qtbot.waitUntil(lambda: tab.frames_drawn > n, timeout=30000)
    np.testing.assert_array_equal(tab.result.input, frozen_input)
    qtbot.keyClick(tab, Qt.Key.Key_Space)
    assert not tab.frozen


def test_source_failing_mid_stream_continues_on_demo(qtbot, tab):
    notices = []
    tab.notice.connect(notices.append)
    tab.activate()
    tab.input.use(DyingSource())
    qtbot.waitUntil(lambda: bool(notices), timeout=10000)
    assert "unplugged" in notices[0]
    assert tab.input.on_demo() and tab.source_box.currentIndex() == 0
    n = tab.frames_drawn
    wait_frames(qtbot, tab, 2)
    assert tab.frames_drawn >= n + 2


def test_a_network_that_cannot_load_keeps_the_lesson_going(qtbot, tab, monkeypatch):
    import desktopnn.engine.live.networks as live

    def broken(key):
        if key == "notes_cnn":
            raise ValueError("notes_cnn.safetensors is not a readable safetensors weights file; it looks damaged")
        return live.KernelBankNetwork()

    monkeypatch.setattr(live, "make_network", broken)
    notices = []
    tab.notice.connect(notices.append)
    tab.activate()
    qtbot.waitUntil(lambda: bool(notices), timeout=30000)
    assert "damaged" in notices[0] and "damaged" in tab.error.text()
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.network == "kernels", timeout=30000)
    assert not tab.error.isVisible()


def test_missing_camera_without_demo_flag(qtbot, app_ctx):
    app_ctx.demo = False
    t = LiveTab(app_ctx)
    qtbot.addWidget(t)
    notices = []
    t.notice.connect(notices.append)
    t.activate()
    assert t.input.on_demo()
    assert any("No camera found" in n for n in notices)
    t.shutdown()


def test_deactivate_pauses_and_shutdown_stops_everything_within_a_second(qtbot, tab):
    tab.activate()
    wait_frames(qtbot, tab, 1)
    tab.deactivate()
    assert not tab.input.demo.running
    tab.activate()
    wait_frames(qtbot, tab, 1)
    t0 = time.perf_counter()
    tab.shutdown()
    assert time.perf_counter() - t0 < 1.0
    assert not tab.input.demo.running
    assert not [t for t in workers.live_runner_threads() if t.name == "desktopnn-live"]
    n = tab.frames_drawn
    qtbot.wait(150)
    assert tab.frames_drawn == n
