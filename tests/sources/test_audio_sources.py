"""Audio sources: the microphone without PortAudio, without a device, or unplugged; the demo stream;
audio files that cannot be read."""

import sys
import types

import numpy as np
import pytest

from desktopnn.sources import audio as S


class FakeStatus:
    def __init__(self, overflow=False):
        self.input_overflow = overflow


class FakePortAudioError(Exception):
    pass


def fake_sounddevice(devices, stream_cls=None):
    """A stand-in for the sounddevice module (the real one depends on this machine's hardware)."""
    mod = types.ModuleType("sounddevice")
    mod.PortAudioError = FakePortAudioError
    mod.query_devices = lambda: devices

    class NoStream:
        def __init__(self, **kw):
            raise FakePortAudioError("Error querying device -1")

    mod.InputStream = stream_cls or NoStream
    mod.play = lambda *a, **k: (_ for _ in ()).throw(FakePortAudioError("no default output device"))
    mod.stop = lambda: None
    return mod


class WorkingStream:
    instances = []

    def __init__(self, callback, **kw):
        self.callback, self.kw = callback, kw
        self.active = False
        self.latency = 0.01
        WorkingStream.instances.append(self)

    def start(self):
        self.active = True

    def abort(self):
        self.active = False

    def close(self):
        pass


@pytest.fixture
def no_portaudio(monkeypatch):
    def refuse():
        raise OSError("PortAudio library not found")   # what `import sounddevice` raises without it
    monkeypatch.setattr(S, "_load_sounddevice", refuse)


def test_missing_portaudio_is_explained(no_portaudio, qtbot):
    with pytest.raises(ValueError, match="PortAudio"):
        S.input_devices()
    with pytest.raises(ValueError, match="libportaudio2"):
        S.play(np.zeros(10), 16000)
    mic = S.MicrophoneSource()
    with qtbot.waitSignal(mic.failed, timeout=5000) as blocker:
        mic.start()
    assert "PortAudio" in blocker.args[0] and "demo audio plays on" in blocker.args[0]
    assert not mic.running
    mic.shutdown()


def test_no_input_device_is_explained(monkeypatch, qtbot):
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([{"name": "HDMI", "max_input_channels": 0,
                                                                      "default_samplerate": 48000}]))
    with pytest.raises(ValueError, match="No microphone"):
        S.input_devices()
    mic = S.MicrophoneSource()
    with qtbot.waitSignal(mic.failed, timeout=5000) as blocker:
        mic.start()
    assert "No microphone" in blocker.args[0] and "plug one in" in blocker.args[0]
    with pytest.raises(ValueError, match="No sound output"):
        S.play(np.zeros(10), 16000)
    mic.shutdown()


def test_microphone_copies_counts_overflows_and_notices_unplugging(monkeypatch, qtbot):
    devices = [{"name": "USB mic", "max_input_channels": 1, "default_samplerate": 16000}]
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(devices, WorkingStream))
    assert S.input_devices() == [(0, "USB mic", 16000)]
    mic = S.MicrophoneSource(device=0, sample_rate=16000)
    with qtbot.waitSignal(mic.started, timeout=5000):
        mic.start()
    stream = WorkingStream.instances[-1]
    assert stream.kw["samplerate"] == 16000 and stream.kw["channels"] == 1
    block = np.arange(160, dtype=np.float32).reshape(-1, 1)
    stream.callback(block, 160, None, FakeStatus())
    stream.callback(block, 160, None, FakeStatus(overflow=True))
    assert mic.ring.total == 320 and mic.overflows == 1
    np.testing.assert_array_equal(mic.ring.latest(160), block[:, 0])
    stream.active = False                      # the device disappeared: PortAudio stops the stream
    stream.kw["finished_callback"]()           # and says so from its own thread
    with qtbot.waitSignal(mic.failed, timeout=1800) as blocker:     # sooner than a stall (STALL_S) would
        pass
    assert "unplugged" in blocker.args[0]
    assert not mic.running
    mic.shutdown()


def test_demo_stream_runs_in_real_time_and_loops(qtbot):
    sr = 16000
    src = S.ArrayAudioSource(np.arange(800, dtype=np.float32), sr, "test", loop=True)
    src.start()
    qtbot.wait(300)
    src.stop()
    pushed = src.ring.total
    assert 0.15 * sr < pushed < 0.6 * sr        # about 0.3 s of audio, whatever the timer's jitter
    assert src.ring.latest(1)[0] == (pushed - 1) % 800   # it looped over the 800 samples
    qtbot.wait(50)
    assert src.ring.total == pushed              # stopped means stopped
    with pytest.raises(ValueError, match="no sound"):
        S.ArrayAudioSource(np.zeros(0), sr, "empty")


def test_corrupt_audio_file_gives_a_clear_message(tmp_path):
    from desktopnn.engine.audio.files import read_audio

    bad = tmp_path / "song.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + bytes(100))
    with pytest.raises(ValueError) as err:
        read_audio(bad)
    assert "song.wav could not be read as audio" in str(err.value) and "WAV, FLAC, OGG or MP3" in str(err.value)


def test_exact_silence_after_sound_means_the_input_went_away(monkeypatch, qtbot):
    """Behind a sound server the stream survives its device: it goes on, from a silent monitor."""
    devices = [{"name": "USB mic", "max_input_channels": 1, "default_samplerate": 16000}]
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(devices, WorkingStream))
    monkeypatch.setattr(S, "SILENCE_S", 0.3)
    mic = S.MicrophoneSource(device=0, sample_rate=16000)
    failures = []
    mic.failed.connect(failures.append)
    with qtbot.waitSignal(mic.started, timeout=5000):
        mic.start()
    stream = WorkingStream.instances[-1]
    zeros = np.zeros((160, 1), np.float32)
    for _ in range(3):                                   # silent from the start (a muted mic): no verdict
        stream.callback(zeros, 160, None, FakeStatus())
        qtbot.wait(400)
    assert failures == [] and mic.running
    stream.callback(np.full((160, 1), 1e-4, np.float32), 160, None, FakeStatus())   # a quiet room's noise
    qtbot.wait(600)
    assert failures == []
    for _ in range(4):                                   # then nothing but exact zeros
        stream.callback(zeros, 160, None, FakeStatus())
        qtbot.wait(300)
    assert len(failures) == 1 and "only silence" in failures[0] and not mic.running
    mic.shutdown()
