"""Work the Encoder & decoder views hand to their workers (no widgets here). Each function runs in a
:class:`~desktopnn.workers.LatestJobRunner` thread and imports torch there, off the start-up path.

- the images view (digits): load the shipped autoencoder, encode/decode, train, restore a scene's
  model, the transfer-learning comparison;
- the audio view: the live pipeline, loading sound, retraining, listening.
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.audio.config import RingBuffer, SpectrogramConfig


# ---- the images view (notes 3) -------------------------------------------------------------------
def load_image_model(code_size: int):
    """(model, codes of every digit, digits, shipped loss curves) for a bottleneck's default weights."""
    from desktopnn.engine.autoencoder import model as AE

    model = AE.load_default_image_model(code_size)
    d = AE.load_digits_data()
    hist = AE.weights_history(AE.default_image_weights(code_size))
    return model, AE.encode(model, d.flat), d, (hist.train, hist.val)


def infer_digit(model, clean: np.ndarray, noise: str, amount: float, seed: int):
    """(noisy input, code, reconstruction) of one digit with the chosen noise."""
    import torch

    from desktopnn.engine.autoencoder import model as AE

    g = torch.Generator().manual_seed(seed)
    noisy = AE.add_noise(torch.as_tensor(clean[None]), noise, amount, g).numpy()
    code, out = AE.reconstruct(model, noisy)
    return noisy[0], code[0], out[0]


def decode_point(model, x: float, y: float):
    """The image the decoder makes from one point (x, y) of the code plane."""
    from desktopnn.engine.autoencoder import model as AE

    return AE.decode(model, np.array([[x, y]], np.float32))[0]


def train_image_model(ctx, code_size: int, epochs: int, noise: str, amount: float):
    from desktopnn.engine.autoencoder import model as AE

    d = AE.load_digits_data()
    model = AE.Autoencoder(code_size=code_size)
    hist = AE.train_autoencoder(model, d.flat[d.train], epochs=epochs, noise=noise, noise_amount=amount,
                                val=d.flat[d.test], progress=lambda f, h: ctx.progress(f, (list(h.train), list(h.val))))
    return "trained", model, AE.encode(model, d.flat), hist


def restore_image_model(model, history):
    """A model from a scene (issue 9): the codes of every digit for the plane, off the UI thread."""
    from desktopnn.engine.autoencoder import model as AE

    d = AE.load_digits_data()
    return "restored", model, AE.encode(model, d.flat), d, history


def compare_transfer(ctx, model, per_class: int, epochs: int):
    from desktopnn.engine.autoencoder import model as AE

    return "transfer", AE.transfer_compare(model, labels_per_class=per_class, epochs=epochs,
                                           progress=lambda f, _p: ctx.progress(f))


# ---- the audio view (notes 3.0.1) ----------------------------------------------------------------

class Pipeline:
    """Reads what is new in a ring buffer and turns it into columns. Only one worker thread calls
    :meth:`step`; the view may set ``noise_level`` and ``model`` at any time (read at each step)."""

    def __init__(self, ident: int, ring: RingBuffer, cfg: SpectrogramConfig, model, mel_display: bool,
                 noise_level: float):
        self.ident = ident
        self.ring = ring
        self.cfg = cfg
        self.pos = ring.total
        self.model = model
        self.mel_display = mel_display
        self.noise_level = noise_level
        self.processor = None          # built in the worker: it needs torch

    def step(self) -> tuple:
        """(pipeline id, new columns, RMS level of the new samples)."""
        if self.processor is None:
            from desktopnn.engine.audio.spectrogram import LiveProcessor

            self.processor = LiveProcessor(self.cfg, self.model, self.mel_display)
        self.processor.model = self.model
        self.processor.noise_level = self.noise_level
        newest = self.ring.last_write_time
        new, self.pos = self.ring.read_since(self.pos)
        cols = self.processor.process(new, newest)
        rms = float(np.sqrt(np.mean(new * new))) if len(new) else 0.0
        return self.ident, cols, rms


def warm_up(cfg: SpectrogramConfig, code_size: int):
    """Load the default spectrogram autoencoder and librosa's mel filters (librosa's first call is slow)."""
    from desktopnn.engine.audio.spectrogram import load_default_audio_model, mel_filters

    model = load_default_audio_model(code_size)
    mel_filters(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmax)
    return "model", model, mel_band_ticks(cfg)


def mel_band_ticks(cfg: SpectrogramConfig) -> list[tuple[float, str]]:
    """Axis ticks in Hz for a mel band index axis."""
    freqs = cfg.mel_edges_hz()
    wanted = [100, 250, 500, 1000, 2000, 4000, 8000, 16000]
    ticks = []
    for f in wanted:
        if f <= freqs[-1]:
            band = float(np.interp(f, freqs, np.arange(len(freqs))))
            ticks.append((band + 0.5, f"{f // 1000}k" if f >= 1000 else str(f)))
    return ticks


def load_demo(sample_rate: int = 16000):
    from desktopnn.engine.audio.files import demo_audio

    return "demo", demo_audio(sample_rate), sample_rate


def load_file(path: str, sample_rate: int = 16000):
    from pathlib import Path

    from desktopnn.engine.audio.files import read_audio

    return "file", read_audio(path, sample_rate), sample_rate, Path(path).name


def retrain(ctx, signals: list[np.ndarray], cfg: SpectrogramConfig, code_size: int, epochs: int, what: str):
    from desktopnn.engine.audio.spectrogram import train_spectrogram_ae

    model, hist = train_spectrogram_ae(signals, cfg, code_size, epochs=epochs, denoising=True,
                                       progress=lambda f, h: ctx.progress(f, list(h.train)))
    return "retrained", model, hist.train, what


def listen(clip: np.ndarray, cfg: SpectrogramConfig, model, noise_level: float, method: str, which: str):
    """Play the original (with the noise the autoencoder hears) or the reconstruction."""
    from desktopnn.engine.audio.spectrogram import reconstruct_audio
    from desktopnn.sources.audio import play

    if which == "original":
        x = clip
        if noise_level > 0:
            from desktopnn.engine.audio.spectrogram import noise_block

            x = clip + noise_block(len(clip), noise_level, np.random.default_rng(0))
        y = np.clip(x, -1, 1)
    else:
        _x, y = reconstruct_audio(clip, cfg, model, noise_level, method)
    seconds = play(y, cfg.sample_rate)
    return "played", which, seconds
