"""Train the default weights shipped in desktopnn/resources/weights/ (reproducible, offline).

    python -m desktopnn.engine.autoencoder.train_autoencoders [--quick]

Image autoencoders: scikit-learn's digits (training split), one per bottleneck in ``BOTTLENECKS``,
trained as denoising autoencoders (random Gaussian, salt-and-pepper or masking noise).
Spectrogram autoencoders: mel columns of the bundled demo audio, clean and with white noise mixed in,
one per bottleneck in ``AUDIO_BOTTLENECKS``. Seeds are fixed; torch runs on the CPU with one thread so
the files come out the same on every machine of the same torch version.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from desktopnn.engine.audio import spectrogram as A
from desktopnn.engine.autoencoder import model as AE
from desktopnn.engine.audio.files import demo_audio_paths, read_audio

IMAGE_EPOCHS = 80
AUDIO_EPOCHS = 40


def _curve(values: list[float]) -> str:
    return json.dumps([round(v, 6) for v in values])


def train_images(epochs: int = IMAGE_EPOCHS) -> None:
    d = AE.load_digits_data()
    for k in AE.BOTTLENECKS:
        t = time.perf_counter()
        torch.manual_seed(k)
        model = AE.Autoencoder(code_size=k)
        hist = AE.train_autoencoder(model, d.flat[d.train], epochs=epochs, batch_size=64, noise="mixed",
                                    noise_amount=0.4, val=d.flat[d.test], seed=k)
        AE.save_weights(model, AE.default_image_weights(k), {"kind": "image", **model.meta(),
                                                              "data": "sklearn digits, train split",
                                                              "epochs": epochs, "noise": "mixed 0.4",
                                                              "train_loss": _curve(hist.train),
                                                              "val_loss": _curve(hist.val)})
        print(f"digits AE {k:2}: loss {hist.train[0]:.4f} -> {hist.train[-1]:.4f}, "
              f"held-out {hist.val[-1]:.4f} ({time.perf_counter() - t:.1f} s)")


def train_audio(epochs: int = AUDIO_EPOCHS) -> None:
    cfg = A.SpectrogramConfig()
    signals = [read_audio(p, cfg.sample_rate) for p in demo_audio_paths()]
    for k in A.AUDIO_BOTTLENECKS:
        t = time.perf_counter()
        model, hist = A.train_spectrogram_ae(signals, cfg, k, epochs=epochs, denoising=True, seed=k)
        A.save_audio_model(model, A.default_audio_weights(k), cfg)
        print(f"spectrogram AE {k:2}: loss {hist.train[0]:.4f} -> {hist.train[-1]:.4f} "
              f"({time.perf_counter() - t:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=["images", "audio"], help="train only these weights")
    p.add_argument("--quick", action="store_true", help="few epochs (a smoke test, not the shipped quality)")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    AE.WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "images"):
        train_images(5 if args.quick else IMAGE_EPOCHS)
    if args.only in (None, "audio"):
        train_audio(3 if args.quick else AUDIO_EPOCHS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
