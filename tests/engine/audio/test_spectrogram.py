"""Audio as a frequency table (notes 3.0.1) and the spectrogram autoencoder."""

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from desktopnn.engine.audio import spectrogram as A
from desktopnn.engine.audio.config import RingBuffer
from desktopnn.engine.audio.files import demo_audio_paths, read_audio


def numpy_stft_magnitude(x, cfg):
    """Independent reference: frame, window (periodic Hann, centred in n_fft), numpy rfft."""
    win = np.zeros(cfg.n_fft)
    left = (cfg.n_fft - cfg.win_length) // 2
    n = np.arange(cfg.win_length)
    win[left:left + cfg.win_length] = 0.5 - 0.5 * np.cos(2 * np.pi * n / cfg.win_length)
    count = 1 + (len(x) - cfg.n_fft) // cfg.hop
    frames = np.stack([x[i * cfg.hop:i * cfg.hop + cfg.n_fft] * win for i in range(count)])
    return np.abs(np.fft.rfft(frames, axis=1)) * 2 / win.sum()


@given(window_ms=st.sampled_from([6.0, 11.0, 23.0]), hop_frac=st.sampled_from([0.25, 0.5, 1.0]),
       rate=st.sampled_from([16000, 22050, 48000]), seed=st.integers(0, 1000))
def test_stft_matches_numpy(window_ms, hop_frac, rate, seed):
    cfg = A.SpectrogramConfig(sample_rate=rate, window_ms=window_ms, hop_ms=window_ms * hop_frac)
    x = np.random.default_rng(seed).standard_normal(rate // 10).astype(np.float32)
    got = A.stft_magnitude(x, cfg)
    ref = numpy_stft_magnitude(x.astype(np.float64), cfg)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=2e-5, rtol=1e-4)


def test_default_window_is_about_11_ms():
    cfg = A.SpectrogramConfig()
    assert cfg.win_length == 176 and cfg.n_fft == 256 and cfg.hop == 88
    with pytest.raises(ValueError):
        A.SpectrogramConfig(hop_ms=20.0)


def test_full_scale_sine_is_0_db_in_its_band():
    cfg = A.SpectrogramConfig()
    t = np.arange(16000) / 16000
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    db = A.to_db(A.stft_magnitude(x, cfg))
    peak_bin = int(np.argmax(db.mean(axis=0)))
    assert abs(cfg.bin_frequencies()[peak_bin] - 1000) <= 16000 / cfg.n_fft
    assert -1.5 < db[:, peak_bin].mean() <= 0.5
    mel = A.to_mel(A.stft_magnitude(x, cfg), cfg)
    centres = cfg.mel_edges_hz()
    assert abs(centres[int(np.argmax(mel.mean(axis=0)))] - 1000) < 150


def test_istft_inverts_stft():
    cfg = A.SpectrogramConfig()
    x = np.random.default_rng(0).standard_normal(8000).astype(np.float32) * 0.1
    y = A.istft(A.stft_complex(x, cfg), cfg, len(x))
    inner = slice(cfg.n_fft, len(x) - cfg.n_fft)
    np.testing.assert_allclose(y[inner], x[inner], atol=1e-5)


@given(capacity=st.integers(1, 50), sizes=st.lists(st.integers(0, 80), min_size=1, max_size=12),
       read_every=st.integers(1, 3))
def test_ring_buffer_wraps_around(capacity, sizes, read_every):
    ring = RingBuffer(capacity)
    stream = np.zeros(0, np.float32)
    pos, got, lost = 0, [], 0
    for i, n in enumerate(sizes):
        block = np.arange(len(stream), len(stream) + n, dtype=np.float32)
        stream = np.concatenate([stream, block])
        ring.write(block)
        if i % read_every == 0:
            before = ring.lost
            out, new_pos = ring.read_since(pos)
            lost += ring.lost - before
            got.append(out)
            pos = new_pos
    out, _ = ring.read_since(pos)
    got.append(out)
    everything = np.concatenate(got)
    assert ring.total == len(stream)
    assert len(everything) + ring.lost == len(stream)
    # what was read is the stream without the samples lost to wrap-around, in order
    assert np.all(np.diff(everything) > 0)
    if len(stream):
        assert everything[-1] == stream[-1] or len(everything) == 0
    np.testing.assert_array_equal(ring.latest(capacity), stream[-capacity:])


def test_live_processor_matches_batch():
    cfg = A.SpectrogramConfig()
    x = read_audio(demo_audio_paths()[0])[:16000]
    proc = A.LiveProcessor(cfg, None, mel_display=False)
    cols, rng, i = [], np.random.default_rng(0), 0
    while i < len(x):
        n = int(rng.integers(1, 700))
        cols.append(proc.process(x[i:i + n]).spectrogram_db)
        i += n
    live = np.concatenate(cols)
    batch = A.to_db(A.stft_magnitude(x, cfg))
    assert live.shape == batch.shape
    np.testing.assert_allclose(live, batch, atol=1e-3)


def test_shipped_audio_model_denoises():
    cfg = A.SpectrogramConfig()
    x = read_audio(demo_audio_paths()[-1])            # vowels
    model = A.load_default_audio_model(8)
    proc = A.LiveProcessor(cfg, model)
    proc.noise_level = 0.01
    cols = proc.process(x)
    assert cols.code.shape == (len(cols.clean), 8)
    noisy_err = np.mean((cols.ae_input - cols.clean) ** 2)
    out_err = np.mean((cols.output - cols.clean) ** 2)
    assert out_err < noisy_err                         # noise in, cleaner out


@pytest.mark.parametrize("method", ["phase", "griffin_lim"])
def test_reconstruction_to_audio(method):
    cfg = A.SpectrogramConfig()
    x = read_audio(demo_audio_paths()[0])[:8000]
    model = A.load_default_audio_model(16)
    inp, out = A.reconstruct_audio(x, cfg, model, method=method)
    assert len(out) == len(x) and np.isfinite(out).all() and np.abs(out).max() <= 1
    if method == "phase":   # with the input's phase the waveform follows the original
        assert np.corrcoef(out, inp)[0, 1] > 0.5


def test_retraining_lowers_the_loss():
    cfg = A.SpectrogramConfig()
    x = read_audio(demo_audio_paths()[0])[:8000]
    seen = []
    model, hist = A.train_spectrogram_ae([x], cfg, 4, epochs=3, progress=lambda f, h: seen.append(f))
    assert hist.train[-1] < hist.train[0] and seen[-1] == 1.0 and model.code_size == 4
    with pytest.raises(ValueError, match="too short"):
        A.training_frames([x[:10]], cfg)


def test_read_audio_resamples_and_rejects_bad_files(tmp_path):
    wav = tmp_path / "tone.wav"
    sf.write(wav, np.zeros((22050, 2), np.float32), 22050)
    y = read_audio(wav, 16000)
    assert y.ndim == 1 and abs(len(y) - 16000) <= 1
    bad = tmp_path / "broken.flac"
    bad.write_bytes(b"fLaC" + bytes(200))
    with pytest.raises(ValueError, match="could not be read as audio"):
        read_audio(bad)
    with pytest.raises(ValueError, match="no file"):
        read_audio(tmp_path / "nothing.wav")
    assert [p.suffix for p in demo_audio_paths()] == [".flac"] * 5


def test_small_block_paths_match_torch():
    cfg = A.SpectrogramConfig(window_ms=23.0, hop_ms=5.75)
    x = np.random.default_rng(3).standard_normal(3000).astype(np.float32)
    np.testing.assert_allclose(A.stft_magnitude_small(x, cfg), A.stft_magnitude(x, cfg), atol=2e-5)
    import torch

    model = A.load_default_audio_model(4)
    v = np.random.default_rng(4).random((7, 40)).astype(np.float32)
    code, out = A.DenseForward(model)(v)
    with torch.inference_mode():
        np.testing.assert_allclose(code, model.encoder(torch.from_numpy(v)).numpy(), atol=1e-5)
        np.testing.assert_allclose(out, model(torch.from_numpy(v)).numpy(), atol=1e-5)
