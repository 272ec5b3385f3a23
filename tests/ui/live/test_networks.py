"""The live view's real networks (issue 15) on a stand-in cache: the picker downloads weights from a
server on 127.0.0.1 with progress, switches once they are verified, and stays where it was when they
cannot come (no server, a wrong checksum, a cancel); the unit panel's strongest response, Grad-CAM,
saliency and ideal input. The weights are MobileNetV3-Small's architecture with seeded random weights,
saved in the test, and the catalogue is pointed at that file's size and SHA-256: nothing comes from
the internet."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import socket
import threading
import time

import numpy as np
import pytest
import torch

from desktopnn.engine.live import weights as W
from desktopnn.ui.live import LiveTab

KEY = "mobilenet_v3_small"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):         # slowly, so progress and cancel can be seen
        while chunk := source.read(1 << 18):
            outputfile.write(chunk)
            time.sleep(self.server.pause)


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """A state dict of the real architecture (random weights) and the spec that matches it."""
    folder = tmp_path_factory.mktemp("served")
    model = W.build_model(KEY, None, seed=3)
    path = folder / W.CATALOGUE[KEY].file
    torch.save(model.state_dict(), path)
    data = path.read_bytes()
    spec = dataclasses.replace(W.CATALOGUE[KEY], size=len(data), sha256=hashlib.sha256(data).hexdigest())
    return folder, spec


@pytest.fixture
def stand_in(weights_file, tmp_path, monkeypatch):
    """An empty weights cache, the catalogue pointed at the test's file, and a server serving it."""
    folder, spec = weights_file
    monkeypatch.setenv(W.WEIGHTS_ENV, str(tmp_path / "cache"))
    monkeypatch.setitem(W.CATALOGUE, KEY, spec)
    monkeypatch.setattr(W, "hub_dir", lambda: tmp_path / "no-hub")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    srv.daemon_threads, srv.pause = True, 0.02
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(W, "BASE_URL", f"http://127.0.0.1:{srv.server_address[1]}/")
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture
def tab(tab_factory):
    t = tab_factory(LiveTab)
    t.activate()
    return t


def _on(qtbot, tab, network, timeout=60_000):
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.network == network, timeout=timeout)
    return tab.result


def test_choosing_a_real_network_downloads_verifies_and_switches(qtbot, tab, stand_in, tmp_path):
    _on(qtbot, tab, "notes_cnn")
    seen = []
    tab.weights_runner.progressed.connect(lambda _j, f, text: seen.append((f, str(text))))
    tab.set_network(KEY)
    assert tab.download_bar.isVisible() and tab.is_preparing()
    assert tab.params.network == "notes_cnn"                        # the view stays on its network meanwhile
    lf = _on(qtbot, tab, KEY)
    assert not tab.download_bar.isVisible() and not tab.is_preparing()
    assert any(0 < f < 1 for f, _t in seen) and any("MB" in t for _f, t in seen)
    assert (tmp_path / "cache" / W.CATALOGUE[KEY].file).is_file()
    assert not list((tmp_path / "cache").glob("*.part")) and not list((tmp_path / "cache").glob("tmp*"))
    # every convolution in the picker, with its shape and receptive field; the top 5 with class names
    names = [tab.layer_box.itemData(i) for i in range(tab.layer_box.count())]
    net = tab.computer.network(KEY)
    assert names == [n for n, _c in net.layers()] and len(names) >= 30
    first = tab.layer_box.itemText(0)
    assert "16 maps of 160×120" in first and "sees 3×3 px" in first
    rows = tab.bars.rows()
    assert len(rows) == 5 and all(isinstance(name, str) and name for name, _p in rows)
    assert abs(sum(float(p) for p in lf.probs) - 1) < 1e-4 and lf.probs.shape == (1000,)
    assert tab.top_title.text().startswith("Top 5 of 1000 ImageNet")


def test_the_cache_is_used_without_a_server_next_time(qtbot, tab, stand_in, tab_factory):
    tab.set_network(KEY)
    _on(qtbot, tab, KEY)
    stand_in.shutdown()                                              # offline from now on
    stand_in.server_close()
    fresh = tab_factory(LiveTab)
    fresh.activate()
    fresh.set_network(KEY)
    _on(qtbot, fresh, KEY)
    assert not fresh.error.isVisible()


def test_offline_says_one_sentence_and_keeps_the_view(qtbot, tab, stand_in, monkeypatch):
    _on(qtbot, tab, "notes_cnn")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                                        # nothing listens there
    monkeypatch.setattr(W, "BASE_URL", f"http://127.0.0.1:{port}/")
    tab.set_network(KEY)
    qtbot.waitUntil(lambda: not tab.is_preparing(), timeout=30_000)
    assert tab.error.isVisible() and "offline" in tab.error.text().lower()
    assert tab.error.text().count(". ") <= 1
    assert tab.net_box.currentData() == "notes_cnn" and tab.params.network == "notes_cnn"
    n = tab.frames_drawn
    qtbot.waitUntil(lambda: tab.frames_drawn > n + 2, timeout=30_000)     # still streaming the notes' CNN
    assert tab.result.network == "notes_cnn"


def test_a_wrong_checksum_is_refused_and_nothing_is_kept(qtbot, tab, stand_in, monkeypatch, tmp_path):
    monkeypatch.setitem(W.CATALOGUE, KEY, dataclasses.replace(W.CATALOGUE[KEY], sha256="0" * 64))
    tab.set_network(KEY)
    qtbot.waitUntil(lambda: not tab.is_preparing(), timeout=60_000)
    assert "checksum" in tab.error.text().lower()
    assert tab.params.network == "notes_cnn"
    cache = tmp_path / "cache"
    assert not cache.exists() or not list(cache.iterdir())


def test_cancel_stops_the_download_and_goes_back(qtbot, tab, stand_in, tmp_path):
    stand_in.pause = 0.2                                              # ~8 s for the whole file
    tab.set_network(KEY)
    qtbot.waitUntil(lambda: tab.download_bar.bar.value() > 0, timeout=30_000)
    tab.download_bar.cancel.click()
    assert not tab.download_bar.isVisible() and tab.net_box.currentData() == "notes_cnn"
    assert "stopped" in tab.error.text()
    qtbot.waitUntil(lambda: not tab.weights_runner.busy, timeout=10_000)
    assert not (tmp_path / "cache" / W.CATALOGUE[KEY].file).exists()


def test_closing_during_a_download_stops_within_two_seconds(qtbot, tab, stand_in):
    from desktopnn import workers

    stand_in.pause = 0.2
    tab.set_network(KEY)
    qtbot.waitUntil(lambda: tab.download_bar.bar.value() > 0, timeout=30_000)
    t0 = time.perf_counter()
    tab.shutdown()
    assert time.perf_counter() - t0 < 2.0
    qtbot.waitUntil(lambda: not [t for t in workers.live_runner_threads() if "live" in t.name], timeout=2000)


def test_the_unit_panel_strongest_response_gradcam_saliency_and_ideal_input(qtbot, tab):
    lf = _on(qtbot, tab, "notes_cnn")
    tab.select_map(3)
    qtbot.waitUntil(lambda: tab.result.selected == 3, timeout=30_000)
    lf = tab.result
    s = lf.extra["strongest"]
    assert float(lf.maps[3, s.row, s.col]) == pytest.approx(float(lf.maps[3].max()))
    assert f"row {s.row}, column {s.col}" in tab.unit_panel.strongest.text()
    assert tab.input_panel.canvas.markers["unit"].isVisible()
    # Grad-CAM over the live picture
    tab.unit_panel.gradcam.setChecked(True)
    qtbot.waitUntil(lambda: "overlay" in tab.result.extra, timeout=30_000)
    lf = tab.result
    assert lf.extra["cam"].cam.min() >= 0 and lf.extra["overlay"].shape == lf.input.shape
    assert tab.input_panel.canvas.pixels() is lf.extra["overlay"]
    # saliency of the frozen frame, shown in place of the large map
    tab.unit_panel.saliency_button.click()
    assert tab.frozen
    qtbot.waitUntil(lambda: tab.large_shows_unit and not tab.unit_runner.busy, timeout=30_000)
    sal = tab.large_panel.canvas.pixels()
    assert sal.shape == tab.result.input.shape and sal.std() > 0
    assert tab.large_panel.title.text().startswith("Saliency")
    # an ideal input, with progress, that raises the unit's value; then one cancelled; then the map again
    tab.unit_panel.ideal_button.click()
    assert tab.unit_panel.cancel.isVisible()
    qtbot.waitUntil(lambda: not tab.unit_runner.busy and not tab.unit_panel.cancel.isVisible(), timeout=60_000)
    caption = tab.large_panel.title.text()
    assert caption.startswith("Ideal input of") and " steps" in caption
    start, end = (float(v) for v in caption.split(": ")[1].split(" in ")[0].split(" → "))
    assert end > start
    assert tab.large_panel.canvas.markers["unit"].isVisible()
    tab.unit_panel.ideal_button.click()
    qtbot.waitUntil(lambda: tab.unit_panel.progress.value() > 0, timeout=30_000)
    tab.unit_panel.cancel.click()
    assert "stopped" in tab.large_panel.title.text() and tab.unit_panel.ideal_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.unit_runner.busy, timeout=10_000)
    assert np.asarray(tab.large_panel.canvas.pixels()).ndim == 3
    tab.unit_panel.map_button.click()
    assert not tab.large_shows_unit and tab.large_panel.canvas.pixels() is tab.result.large
