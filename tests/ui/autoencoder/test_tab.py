"""The Encoder & decoder tab driven through its widgets, on the demo sources."""

import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktopnn.ui.autoencoder import AutoencoderTab


@pytest.fixture
def tab(app_ctx, qtbot):
    t = AutoencoderTab(app_ctx)
    qtbot.addWidget(t)
    t.resize(1600, 900)
    t.show()
    yield t
    t.shutdown()


def settle(qtbot, tab, until, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        qtbot.wait(30)
        tab.wait_idle(1.0)
        qtbot.wait(30)
        if until():
            return
    raise AssertionError("the view did not get there in time")


def test_images_view_bottleneck_noise_plane_and_training(tab, qtbot):
    v = tab.images
    assert v.model is None                  # nothing loads before the tab is shown
    tab.activate()
    settle(qtbot, tab, lambda: v.model is not None and v.decoded_view.image.image is not None)
    assert v.code_size == 2
    assert len(v.scatter.data) == 1797                       # one point per digit
    assert len(v.loss.lines[0].getData()[0]) > 10           # the shipped training curve
    clean = v.digits.flat[v.sample.value()].reshape(8, 8)
    v.noise.setCurrentIndex(v.noise.findData("salt_pepper"))
    v.amount.setValue(40)
    settle(qtbot, tab, lambda: not np.allclose(v.input_view.image.image, clean))
    noisy = v.input_view.image.image
    out = v.output_view.image.image
    assert np.mean((out - clean) ** 2) < np.mean((noisy - clean) ** 2)   # noisy in, cleaner out
    before = v.decoded_view.image.image.copy()
    v.decode_point(5.0, -5.0)
    settle(qtbot, tab, lambda: not np.array_equal(v.decoded_view.image.image, before))
    v.bottleneck.setCurrentIndex(v.bottleneck.findData(8))
    settle(qtbot, tab, lambda: v.model.code_size == 8)
    assert len(v.scatter.data) == 0 and "2-number" in v.scatter_note.text()
    assert len(v.code_bars.bars.opts["height"]) == 8
    v.epochs.setValue(2)
    qtbot.mouseClick(v.train_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, tab, lambda: len(v.history[0]) == 2 and v.train_btn.isEnabled())
    assert len(v.loss.lines[0].getData()[0]) == 2 and len(v.loss.lines[1].getData()[0]) == 2
    v.transfer_epochs = 20
    qtbot.mouseClick(v.transfer_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, tab, lambda: v.transfer_result is not None)
    assert "From scratch" in v.transfer_label.text() or "from scratch" in v.transfer_label.text()
    assert "%" in v.transfer_label.text()


def test_audio_view_streams_only_while_visible(tab, qtbot):
    a = tab.audio
    tab.activate()                      # the images view is showing: no audio yet
    qtbot.wait(100)
    assert a.frames_drawn == 0 and not a._tick.isActive()
    tab.show_view("audio")
    settle(qtbot, tab, lambda: a.model is not None and a.frames_drawn > 3)
    assert a.controls.source is not None and a.controls.source.name == "demo audio"
    assert a._code.shape[0] == a.model.code_size == 8
    assert a._spec.shape[0] == a.cfg.n_bins                 # linear frequency by default
    assert np.isfinite(a._spec).all() and a._spec.max() > -80
    # mel frequency, a longer window
    a.controls.scale.setCurrentIndex(1)
    a.controls.scale.activated.emit(1)
    a.controls.window.setCurrentIndex(2)
    a.controls.window.activated.emit(2)
    drawn = a.frames_drawn
    settle(qtbot, tab, lambda: a.frames_drawn > drawn + 3)
    assert a._spec.shape[0] == a.cfg.n_mels and a.cfg.window_ms == 23.0
    # denoising mode: noise goes into the autoencoder's input
    a.controls.denoise.setChecked(True)
    assert a.pipeline.noise_level == pytest.approx(0.01)
    # a smaller bottleneck
    a.controls.bottleneck.setCurrentIndex(0)
    a.controls.bottleneck.activated.emit(0)
    settle(qtbot, tab, lambda: a.model.code_size == 2 and a._code.shape[0] == 2 and a.frames_drawn > drawn + 6)
    # retrain on the demo audio
    a.controls.retrain_epochs = 1
    old = a.model
    qtbot.mouseClick(a.controls.retrain_demo, Qt.MouseButton.LeftButton)
    settle(qtbot, tab, lambda: a.model is not old)
    assert "Retrained on the demo audio" in a.controls.message.text()
    # leaving the tab stops the stream
    tab.deactivate()
    qtbot.wait(50)
    total = a.controls.source.ring.total
    qtbot.wait(150)
    assert a.controls.source.ring.total == total and not a._tick.isActive()


def test_listening_and_a_missing_microphone_become_notices(tab, qtbot, monkeypatch):
    from desktopnn.sources import audio as S

    def refuse():
        raise OSError("PortAudio library not found")   # what `import sounddevice` raises without it
    monkeypatch.setattr(S, "_load_sounddevice", refuse)
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    notices = []
    tab.notice.connect(notices.append)
    a = tab.audio
    tab.show_view("audio")
    tab.activate()
    settle(qtbot, tab, lambda: a.model is not None and a.frames_drawn > 2)
    qtbot.mouseClick(a.controls.play_out, Qt.MouseButton.LeftButton)
    settle(qtbot, tab, lambda: "PortAudio" in a.controls.message.text())
    a.controls.input.setCurrentIndex(1)
    a.controls.input.activated.emit(1)           # the microphone
    settle(qtbot, tab, lambda: a.controls.source is a.controls.demo and a.controls.source.running)
    assert any("libportaudio2" in n for n in notices)
    assert a.controls.input.currentData() == "demo"    # the demo audio plays on


def test_a_bad_audio_file_keeps_the_demo_playing(tab, qtbot, tmp_path):
    a = tab.audio
    tab.show_view("audio")
    tab.activate()
    settle(qtbot, tab, lambda: a.controls.source is not None and a.controls.source.running)
    bad = tmp_path / "noise.ogg"
    bad.write_bytes(b"OggS" + bytes(64))
    a.controls.open_file(str(bad))
    settle(qtbot, tab, lambda: "could not be read" in a.controls.message.text())
    assert a.controls.source is a.controls.demo and a.controls.source.running


def test_shutdown_is_quick(app_ctx, qtbot):
    t = AutoencoderTab(app_ctx)
    qtbot.addWidget(t)
    t.show_view("audio")
    t.activate()
    qtbot.wait(200)
    start = time.monotonic()
    t.shutdown()
    assert time.monotonic() - start < 1.5


def test_a_microphone_streams_into_the_view(tab, qtbot, monkeypatch):
    import types

    class Stream:
        def __init__(self, callback, **kw):
            self.callback, self.active, self.latency = callback, False, 0.01
            Stream.last = self

        def start(self):
            self.active = True

        def abort(self):
            self.active = False

        def close(self):
            pass

    sd = types.ModuleType("sounddevice")
    sd.query_devices = lambda: [{"name": "Lecture mic", "max_input_channels": 1, "default_samplerate": 48000}]
    sd.InputStream = Stream
    sd.stop = lambda: None
    monkeypatch.setitem(sys.modules, "sounddevice", sd)

    class Status:
        input_overflow = False

    a = tab.audio
    tab.show_view("audio")
    tab.activate()
    settle(qtbot, tab, lambda: a.model is not None and a.frames_drawn > 2)
    a.controls.input.setCurrentIndex(1)
    a.controls.input.activated.emit(1)
    settle(qtbot, tab, lambda: a.controls.device.count() == 2 and getattr(Stream, "last", None) is not None)
    assert a.controls.device.itemText(1) == "Lecture mic"
    drawn = a.frames_drawn
    t = np.arange(1600) / 16000
    for _ in range(5):                                  # PortAudio's thread delivering 100 ms blocks
        Stream.last.callback(np.sin(2 * np.pi * 440 * t).astype(np.float32)[:, None], 1600, None, Status())
        qtbot.wait(60)
    settle(qtbot, tab, lambda: a.frames_drawn > drawn + 2)
    assert a.controls.source.name == "microphone" and a.controls.level.value() > 40
    peak = np.argmax(a._spec[:, -5:].mean(axis=1)) * a.cfg.sample_rate / a.cfg.n_fft
    assert abs(peak - 440) < 70                          # the tone shows up at 440 Hz
