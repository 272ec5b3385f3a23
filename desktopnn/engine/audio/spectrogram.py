"""Audio as a frequency table (notes 3.0.1), and an autoencoder that hears it.

Short slices of audio (a ~11 ms window, hop configurable) become columns of a spectrogram with
``torch.stft``; new columns are computed incrementally as samples arrive. Frequencies are linear or mel
(librosa's mel filters, built lazily: librosa's first call is slow), magnitudes in dB. The spectrogram
autoencoder squeezes each mel column through a bottleneck; its output can be turned back into sound
with the input's phase or with Griffin-Lim.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
import torch

from desktopnn.engine.audio.config import AUDIO_BOTTLENECKS, TOP_DB, SpectrogramConfig
from desktopnn.engine.autoencoder.config import WEIGHTS_DIR
from desktopnn.engine.autoencoder.model import Autoencoder, History, model_from_weights

@functools.lru_cache(maxsize=8)
def _window(win_length: int, n_fft: int) -> torch.Tensor:
    w = torch.hann_window(win_length, periodic=True)
    left = (n_fft - win_length) // 2
    return torch.nn.functional.pad(w, (left, n_fft - win_length - left))   # (n_fft,)


def stft_magnitude(samples: np.ndarray, cfg: SpectrogramConfig) -> np.ndarray:
    """|STFT| of full frames only (no centring, so columns can be computed incrementally): (frames, bins).

    Scaled so that a full-scale sine peaks near 1 (0 dB)."""
    x = torch.as_tensor(np.asarray(samples, np.float32))
    if len(x) < cfg.n_fft:
        return np.zeros((0, cfg.n_bins), np.float32)
    win = _window(cfg.win_length, cfg.n_fft)
    spec = torch.stft(x, cfg.n_fft, hop_length=cfg.hop, window=win, center=False, return_complex=True)
    return (spec.abs() * (2.0 / win.sum())).T.contiguous().numpy()


def stft_magnitude_small(samples: np.ndarray, cfg: SpectrogramConfig) -> np.ndarray:
    """The same as :func:`stft_magnitude` with numpy, for the few columns of one live block.

    Measured here (2 cores, busy): 20 ms blocks cost torch.stft 154 ms of CPU per second of audio
    against 5 ms for numpy's rfft; torch's per-call overhead dominates tiny inputs."""
    x = np.asarray(samples, np.float32)
    if len(x) < cfg.n_fft:
        return np.zeros((0, cfg.n_bins), np.float32)
    win = _window_np(cfg.win_length, cfg.n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(x, cfg.n_fft)[::cfg.hop] * win
    return (np.abs(np.fft.rfft(frames, axis=1)) * (2.0 / win.sum())).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _window_np(win_length: int, n_fft: int) -> np.ndarray:
    return _window(win_length, n_fft).numpy().astype(np.float64)


class DenseForward:
    """An :class:`Autoencoder`'s forward pass in numpy (same weights, same maths) for a handful of
    columns at a time, where torch's per-call overhead outweighs the work (see stft_magnitude_small)."""

    def __init__(self, model: Autoencoder):
        def layers(seq):
            mods = list(seq)
            out = []
            for i, m in enumerate(mods):
                if isinstance(m, torch.nn.Linear):
                    nxt = mods[i + 1] if i + 1 < len(mods) else None
                    act = "relu" if isinstance(nxt, torch.nn.ReLU) else \
                          "sigmoid" if isinstance(nxt, torch.nn.Sigmoid) else None
                    out.append((m.weight.detach().cpu().numpy().T.copy(), m.bias.detach().cpu().numpy().copy(), act))
            return out
        self.model = model
        self.encoder, self.decoder = layers(model.encoder), layers(model.decoder)

    @staticmethod
    def _run(layers, x: np.ndarray) -> np.ndarray:
        for w, b, act in layers:
            x = x @ w + b
            if act == "relu":
                x = np.maximum(x, 0)
            elif act == "sigmoid":
                x = 1.0 / (1.0 + np.exp(-x))
        return x.astype(np.float32)

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        code = self._run(self.encoder, np.asarray(x, np.float32))
        return code, self._run(self.decoder, code)


def stft_complex(samples: np.ndarray, cfg: SpectrogramConfig) -> np.ndarray:
    x = torch.as_tensor(np.asarray(samples, np.float32))
    win = _window(cfg.win_length, cfg.n_fft)
    return torch.stft(x, cfg.n_fft, hop_length=cfg.hop, window=win, center=False, return_complex=True).T.numpy()


def istft(spec: np.ndarray, cfg: SpectrogramConfig, length: int | None = None) -> np.ndarray:
    """Inverse of :func:`stft_complex` by weighted overlap-add (works for any hop, even hop = window)."""
    win = _window(cfg.win_length, cfg.n_fft).numpy()
    frames = np.fft.irfft(spec, n=cfg.n_fft, axis=1) * win               # (frames, n_fft)
    n = cfg.hop * (len(frames) - 1) + cfg.n_fft
    out, wsum = np.zeros(n), np.zeros(n)
    for i, f in enumerate(frames):
        s = i * cfg.hop
        out[s:s + cfg.n_fft] += f
        wsum[s:s + cfg.n_fft] += win * win
    out = np.where(wsum > 1e-3, out / np.maximum(wsum, 1e-3), 0.0)
    if length:
        out = np.pad(out, (0, max(0, length - n)))[:length]
    return out.astype(np.float32)


@functools.lru_cache(maxsize=16)
def mel_filters(sample_rate: int, n_fft: int, n_mels: int, fmax: float) -> np.ndarray:
    """librosa's (Slaney) mel filter bank (n_mels, n_fft // 2 + 1), computed on first use."""
    import librosa

    return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=0.0,
                               fmax=min(fmax, sample_rate / 2)).astype(np.float32)


def to_mel(mag: np.ndarray, cfg: SpectrogramConfig) -> np.ndarray:
    """Magnitude columns (frames, bins) to mel magnitudes (frames, n_mels), summing power."""
    fb = mel_filters(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmax)
    fb = fb / np.maximum(fb.sum(axis=1, keepdims=True), 1e-12)          # each band averages its bins
    return np.sqrt(np.maximum((mag * mag) @ fb.T, 0.0))


def from_mel(mel: np.ndarray, cfg: SpectrogramConfig) -> np.ndarray:
    """Mel magnitudes back to linear magnitudes (non-negative least squares, via librosa)."""
    import librosa

    fb = mel_filters(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmax)
    fb = fb / np.maximum(fb.sum(axis=1, keepdims=True), 1e-12)
    power = librosa.util.nnls(fb, (mel.T ** 2).astype(np.float32))       # (bins, frames)
    return np.sqrt(np.maximum(power, 0.0)).T


def to_db(mag: np.ndarray) -> np.ndarray:
    return 20.0 * np.log10(np.maximum(mag, 10 ** (-TOP_DB / 20)))


def db_to_unit(db: np.ndarray) -> np.ndarray:
    """[-80, 0] dB to [0, 1], what the autoencoder sees."""
    return np.clip((db + TOP_DB) / TOP_DB, 0.0, 1.0).astype(np.float32)


def unit_to_mag(u: np.ndarray) -> np.ndarray:
    return 10 ** ((np.asarray(u, np.float64) * TOP_DB - TOP_DB) / 20)


def mel_frames(samples: np.ndarray, cfg: SpectrogramConfig) -> np.ndarray:
    """The autoencoder's input for a whole signal: mel dB in [0, 1], (frames, n_mels)."""
    return db_to_unit(to_db(to_mel(stft_magnitude(samples, cfg), cfg)))


def noise_block(n: int, level: float, rng: np.random.Generator) -> np.ndarray:
    """White noise with RMS ``level`` (full scale = 1)."""
    return (rng.standard_normal(n) * level).astype(np.float32)


# ---- the live pipeline ---------------------------------------------------------------------------
@dataclass
class LiveColumns:
    """New spectrogram columns for the view. Arrays are (frames, ·) float32."""

    spectrogram_db: np.ndarray     # linear or mel, in dB, for the big scrolling picture
    ae_input: np.ndarray           # mel in [0, 1] as the autoencoder sees it (noisy in denoising mode)
    clean: np.ndarray              # mel in [0, 1] of the clean signal
    code: np.ndarray               # (frames, code_size)
    output: np.ndarray             # reconstruction, mel in [0, 1]
    newest_time: float             # perf_counter() of the newest sample that went in
    compute_s: float


class LiveProcessor:
    """Turns newly arrived samples into spectrogram and autoencoder columns. Lives in one worker thread."""

    def __init__(self, cfg: SpectrogramConfig, model: Autoencoder | None = None, mel_display: bool = False):
        self.cfg = cfg
        self.model = model
        self.mel_display = mel_display
        self.noise_level = 0.0
        self._tail = np.zeros(0, np.float32)
        self._rng = np.random.default_rng(0)
        self._forward: DenseForward | None = None

    def reset(self) -> None:
        self._tail = np.zeros(0, np.float32)

    def process(self, new: np.ndarray, newest_time: float = 0.0) -> LiveColumns:
        t0 = time.perf_counter()
        cfg = self.cfg
        x = np.concatenate([self._tail, np.asarray(new, np.float32)])
        mag = stft_magnitude_small(x, cfg)
        used = len(mag) * cfg.hop
        self._tail = x[used:] if len(mag) else x
        if len(self._tail) > 4 * cfg.sample_rate:               # never keep more than a few seconds
            self._tail = self._tail[-cfg.n_fft:]
        clean_mel = db_to_unit(to_db(to_mel(mag, cfg)))
        if self.noise_level > 0 and len(mag):
            seg = x[:used + cfg.n_fft - cfg.hop]
            noisy = seg + noise_block(len(seg), self.noise_level, self._rng)
            mag_in = stft_magnitude_small(noisy, cfg)[:len(mag)]
        else:
            mag_in = mag
        mel_in = clean_mel if mag_in is mag else db_to_unit(to_db(to_mel(mag_in, cfg)))
        shown = to_db(to_mel(mag_in, cfg) if self.mel_display else mag_in).astype(np.float32)
        k = self.model.code_size if self.model is not None else 0
        if self.model is not None and len(mel_in):
            if self._forward is None or self._forward.model is not self.model:
                self._forward = DenseForward(self.model)
            code, out = self._forward(mel_in)
        else:
            code, out = np.zeros((len(mel_in), k), np.float32), mel_in.copy()
        return LiveColumns(shown, mel_in, clean_mel, code, out, newest_time, time.perf_counter() - t0)


# ---- listening: reconstruction to audio ----------------------------------------------------------
def griffin_lim(mag: np.ndarray, cfg: SpectrogramConfig, n_iter: int = 32, length: int | None = None,
                seed: int = 0) -> np.ndarray:
    """Estimate a phase for magnitudes (frames, bins) by alternating projections (Griffin and Lim 1984)."""
    rng = np.random.default_rng(seed)
    angles = np.exp(2j * np.pi * rng.random(mag.shape))
    n = length or cfg.hop * (len(mag) - 1) + cfg.n_fft
    for _ in range(n_iter):
        y = istft(mag * angles, cfg, n)
        spec = stft_complex(np.pad(y, (0, max(0, cfg.hop * (len(mag) - 1) + cfg.n_fft - len(y)))), cfg)[:len(mag)]
        angles = np.exp(1j * np.angle(spec))
    return istft(mag * angles, cfg, n)


def reconstruct_audio(samples: np.ndarray, cfg: SpectrogramConfig, model: Autoencoder,
                      noise_level: float = 0.0, method: str = "phase", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(what went in, what came out) as audio: the autoencoder's mel output becomes linear magnitudes
    (NNLS) with the input's phase, or a phase found by Griffin-Lim."""
    if method not in ("phase", "griffin_lim"):
        raise ValueError("method must be 'phase' or 'griffin_lim'")
    x = np.asarray(samples, np.float32)
    if noise_level > 0:
        x = x + noise_block(len(x), noise_level, np.random.default_rng(seed))
    spec = stft_complex(x, cfg)                                           # (frames, bins)
    mel_in = db_to_unit(to_db(to_mel(np.abs(spec) * (2.0 / _window(cfg.win_length, cfg.n_fft).sum().item()), cfg)))
    with torch.inference_mode():
        out = model(torch.from_numpy(mel_in)).numpy()
    mag = from_mel(unit_to_mag(out), cfg) / (2.0 / _window(cfg.win_length, cfg.n_fft).sum().item())
    if method == "phase":
        y = istft(mag * np.exp(1j * np.angle(spec)), cfg, len(x))
    else:
        y = griffin_lim(mag, cfg, length=len(x), seed=seed)
    return x, np.clip(y, -1.0, 1.0).astype(np.float32)


# ---- the spectrogram autoencoder's weights -------------------------------------------------------
def default_audio_weights(code_size: int):
    return WEIGHTS_DIR / f"spectrogram-ae-{code_size}.safetensors"


def load_default_audio_model(code_size: int) -> Autoencoder:
    if code_size not in AUDIO_BOTTLENECKS:
        raise ValueError(f"default weights exist for bottlenecks {', '.join(map(str, AUDIO_BOTTLENECKS))}")
    return model_from_weights(default_audio_weights(code_size), "audio")


def new_audio_model(code_size: int, n_mels: int = 40) -> Autoencoder:
    return Autoencoder(n_in=n_mels, code_size=code_size, hidden=64)


NOISE_LEVELS = (0.003, 0.01, 0.03)     # white-noise RMS used when training the denoising mode


def training_frames(signals: list[np.ndarray], cfg: SpectrogramConfig, denoising: bool = True,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) mel columns in [0, 1]: clean -> clean, plus noisy -> clean when denoising."""
    rng = np.random.default_rng(seed)
    ins, outs = [], []
    for x in signals:
        x = np.asarray(x, np.float32)
        if len(x) < cfg.n_fft:
            continue
        clean = mel_frames(x, cfg)
        ins.append(clean)
        outs.append(clean)
        for level in (NOISE_LEVELS if denoising else ()):
            ins.append(mel_frames(x + noise_block(len(x), level, rng), cfg))
            outs.append(clean)
    if not ins:
        raise ValueError("the audio is too short to train on: record or open at least a second of sound")
    return np.concatenate(ins), np.concatenate(outs)


def train_spectrogram_ae(signals: list[np.ndarray], cfg: SpectrogramConfig, code_size: int, epochs: int = 40,
                         denoising: bool = True, seed: int = 0, progress=None) -> tuple[Autoencoder, History]:
    """Train the spectrogram autoencoder on mel columns of ``signals`` (mono, at ``cfg.sample_rate``)."""
    from desktopnn.engine.autoencoder.model import train_autoencoder

    x, y = training_frames(signals, cfg, denoising, seed)
    torch.manual_seed(seed)
    model = new_audio_model(code_size, cfg.n_mels)
    hist = train_autoencoder(model, x, targets=y, epochs=epochs, batch_size=128, lr=3e-3, seed=seed,
                             progress=progress)
    return model, hist


def save_audio_model(model: Autoencoder, path, cfg: SpectrogramConfig) -> None:
    from desktopnn.engine.autoencoder.model import save_weights

    save_weights(model, path, {"kind": "audio", **model.meta(), "n_mels": cfg.n_mels, "fmax": cfg.fmax})
