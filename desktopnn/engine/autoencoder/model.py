"""Encoder and decoder (notes 3): squeeze images through a bottleneck, keep the structure, lose the noise.

The image autoencoder works on scikit-learn's 8×8 handwritten digits (offline, shipped with
scikit-learn). The code in the middle is a feature vector; :func:`transfer_compare` reuses the trained
encoder, frozen, as a classifier's feature extractor on few labels, next to the same classifier
trained from scratch (notes 3: transfer learning).

Weights are stored as safetensors (no pickle: a weights file cannot run code); a bad file raises
``ValueError`` with a sentence a student understands.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from desktopnn.engine.autoencoder.config import BOTTLENECKS, NOISE_KINDS, WEIGHTS_DIR
from desktopnn.engine.device import load_torch_dynamo

IMAGE_SIDE = 8


# ---- data ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Digits:
    images: np.ndarray      # (N, 8, 8) float32 in [0, 1]
    labels: np.ndarray      # (N,) int64
    train: np.ndarray       # indices used to train the autoencoder (no labels needed)
    test: np.ndarray        # indices held out to measure classifiers

    @property
    def flat(self) -> np.ndarray:
        return self.images.reshape(len(self.images), -1)


_DIGITS: Digits | None = None


def load_digits_data(seed: int = 0) -> Digits:
    """scikit-learn's 1797 handwritten digits scaled to [0, 1], with a fixed 80/20 split."""
    global _DIGITS
    if _DIGITS is None or seed != 0:
        from sklearn.datasets import load_digits

        d = load_digits()
        images = (d.images / 16.0).astype(np.float32)
        order = np.random.default_rng(seed).permutation(len(images))
        cut = int(0.8 * len(images))
        digits = Digits(images, d.target.astype(np.int64), np.sort(order[:cut]), np.sort(order[cut:]))
        if seed != 0:
            return digits
        _DIGITS = digits
    return _DIGITS


# ---- noise (the denoising autoencoder) ------------------------------------------------------------
def add_noise(x: torch.Tensor, kind: str, amount: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Noisy copy of ``x`` (values in [0, 1]).

    gaussian: add N(0, amount²); salt_pepper: a fraction ``amount`` of values set to 0 or 1;
    masking: a fraction ``amount`` of values set to 0.
    """
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise {kind!r}: choose one of {', '.join(NOISE_KINDS)}")
    if kind == "none" or amount <= 0:
        return x.clone()
    g = generator
    if kind == "gaussian":
        return (x + amount * torch.randn(x.shape, generator=g, dtype=x.dtype, device=x.device)).clamp(0, 1)
    hit = torch.rand(x.shape, generator=g, device=x.device) < amount
    if kind == "masking":
        return torch.where(hit, torch.zeros_like(x), x)
    salt = (torch.rand(x.shape, generator=g, device=x.device) < 0.5).to(x.dtype)
    return torch.where(hit, salt, x)


def add_mixed_noise(x: torch.Tensor, max_amount: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each sample gets a random kind of noise at a random amount up to ``max_amount`` (for training)."""
    out = x.clone()
    kinds = torch.randint(0, 4, (len(x),), generator=generator)
    amounts = torch.rand(len(x), generator=generator) * max_amount
    for i, kind in enumerate(NOISE_KINDS):
        sel = kinds == i
        if kind != "none" and sel.any():
            a = amounts[sel].unsqueeze(1)
            if kind == "gaussian":
                out[sel] = (x[sel] + a * torch.randn(x[sel].shape, generator=generator)).clamp(0, 1)
            else:
                hit = torch.rand(x[sel].shape, generator=generator) < a
                fill = (torch.rand(x[sel].shape, generator=generator) < 0.5).to(x.dtype) if kind == "salt_pepper" \
                    else torch.zeros_like(x[sel])
                out[sel] = torch.where(hit, fill, x[sel])
    return out


# ---- models --------------------------------------------------------------------------------------
class Autoencoder(nn.Module):
    """A dense encoder and decoder: n_in → hidden → hidden/2 → code → hidden/2 → hidden → n_in."""

    def __init__(self, n_in: int = IMAGE_SIDE * IMAGE_SIDE, code_size: int = 8, hidden: int = 96):
        super().__init__()
        if not 1 <= code_size <= n_in:
            raise ValueError(f"the bottleneck must hold between 1 and {n_in} numbers, not {code_size}")
        self.n_in, self.code_size, self.hidden = n_in, code_size, hidden
        h2 = hidden // 2
        self.encoder = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, h2), nn.ReLU(),
                                     nn.Linear(h2, code_size))
        self.decoder = nn.Sequential(nn.Linear(code_size, h2), nn.ReLU(), nn.Linear(h2, hidden), nn.ReLU(),
                                     nn.Linear(hidden, n_in), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:   # (N, n_in) -> (N, n_in)
        return self.decoder(self.encoder(x))

    def meta(self) -> dict:
        return {"n_in": self.n_in, "code_size": self.code_size, "hidden": self.hidden}


def encode(model: Autoencoder, x: np.ndarray) -> np.ndarray:
    """Codes (N, code_size) of flat inputs (N, n_in)."""
    with torch.inference_mode():
        return model.encoder(torch.as_tensor(np.asarray(x, np.float32))).numpy()


def decode(model: Autoencoder, codes: np.ndarray) -> np.ndarray:
    """Outputs (N, n_in) of codes (N, code_size)."""
    with torch.inference_mode():
        return model.decoder(torch.as_tensor(np.asarray(codes, np.float32))).numpy()


def reconstruct(model: Autoencoder, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, reconstructions) of flat inputs."""
    with torch.inference_mode():
        code = model.encoder(torch.as_tensor(np.asarray(x, np.float32)))
        return code.numpy(), model.decoder(code).numpy()


# ---- training ------------------------------------------------------------------------------------
@dataclass
class History:
    train: list[float] = field(default_factory=list)   # mean loss per epoch
    val: list[float] = field(default_factory=list)


def train_autoencoder(model: Autoencoder, data: np.ndarray, *, epochs: int = 60, batch_size: int = 64,
                      lr: float = 3e-3, noise: str = "none", noise_amount: float = 0.0,
                      val: np.ndarray | None = None, targets: np.ndarray | None = None, seed: int = 0,
                      progress: Callable[[float, History], None] | None = None) -> History:
    """Train to reproduce the clean input (MSE). ``noise`` != "none" trains a denoising autoencoder
    (noisy in, clean out); "mixed" picks a random kind per sample. ``targets`` (same shape as ``data``)
    trains ``data`` -> ``targets`` instead, e.g. noisy spectrogram columns to clean ones.
    ``progress(fraction, history)`` runs after every epoch and may raise to cancel (the worker's
    ``ctx.progress`` does)."""
    if noise not in NOISE_KINDS + ("mixed",):
        raise ValueError(f"unknown noise {noise!r}")
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(np.asarray(data, np.float32))
    if len(x) == 0:
        raise ValueError("there is nothing to train on (no samples)")
    y = x if targets is None else torch.as_tensor(np.asarray(targets, np.float32))
    if y.shape != x.shape:
        raise ValueError(f"targets {tuple(y.shape)} must match the inputs {tuple(x.shape)}")
    xv = None if val is None else torch.as_tensor(np.asarray(val, np.float32))
    load_torch_dynamo()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    hist = History()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total = 0.0
        for start in range(0, len(x), batch_size):
            idx = perm[start:start + batch_size]
            clean, target = x[idx], y[idx]
            if noise == "mixed":
                noisy = add_mixed_noise(clean, noise_amount, g)
            else:
                noisy = add_noise(clean, noise, noise_amount, g)
            loss = loss_fn(model(noisy), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(clean)
        hist.train.append(total / len(x))
        if xv is not None:
            model.eval()
            with torch.inference_mode():
                hist.val.append(loss_fn(model(xv), xv).item())
        if progress is not None:
            progress((epoch + 1) / epochs, hist)
    model.eval()
    return hist


# ---- transfer learning (notes 3) -----------------------------------------------------------------
class Classifier(nn.Module):
    """A feature extractor (an encoder) followed by a small head."""

    def __init__(self, features: nn.Module, n_features: int, n_classes: int = 10, frozen: bool = False):
        super().__init__()
        self.features, self.frozen = features, frozen
        for p in features.parameters():
            p.requires_grad_(not frozen)
        self.head = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.frozen:
            with torch.no_grad():
                f = self.features(x)
        else:
            f = self.features(x)
        return self.head(f)


@dataclass
class TransferResult:
    labels_per_class: int
    n_labels: int
    transfer_accuracy: float     # frozen pretrained encoder + head
    scratch_accuracy: float      # the same network trained from scratch on the same labels
    transfer_curve: list[float]
    scratch_curve: list[float]


def _fit_classifier(clf: Classifier, x, y, xt, yt, epochs, seed, tick) -> list[float]:
    torch.manual_seed(seed)
    load_torch_dynamo()
    opt = torch.optim.Adam([p for p in clf.parameters() if p.requires_grad], lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    curve = []
    for epoch in range(epochs):
        clf.train()
        loss = loss_fn(clf(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch % 10 == 9 or epoch == epochs - 1:
            clf.eval()
            with torch.inference_mode():
                curve.append(float((clf(xt).argmax(1) == yt).float().mean()))
            tick()
    return curve


def transfer_compare(model: Autoencoder, digits: Digits | None = None, labels_per_class: int = 5,
                     epochs: int = 200, seed: int = 0,
                     progress: Callable[[float, object], None] | None = None) -> TransferResult:
    """Accuracy on the held-out digits of (a) the trained encoder, frozen, plus a small head, and
    (b) the same encoder architecture plus head trained from scratch; both see only
    ``labels_per_class`` labelled images of each digit."""
    if labels_per_class < 1:
        raise ValueError("each digit needs at least one labelled example")
    d = digits or load_digits_data()
    rng = np.random.default_rng(seed)
    picked = np.concatenate([rng.choice(d.train[d.labels[d.train] == c], labels_per_class, replace=False)
                             for c in range(10)])
    x = torch.as_tensor(d.flat[picked])
    y = torch.as_tensor(d.labels[picked])
    xt, yt = torch.as_tensor(d.flat[d.test]), torch.as_tensor(d.labels[d.test])
    steps = [0]
    total = 2 * ((epochs + 9) // 10)

    def tick():
        steps[0] += 1
        if progress is not None:
            progress(steps[0] / total, None)

    frozen_enc = Autoencoder(model.n_in, model.code_size, model.hidden)
    frozen_enc.load_state_dict(model.state_dict())
    transfer = Classifier(frozen_enc.encoder, model.code_size, frozen=True)
    torch.manual_seed(seed + 1)
    fresh = Autoencoder(model.n_in, model.code_size, model.hidden)
    scratch = Classifier(fresh.encoder, model.code_size, frozen=False)
    torch.manual_seed(seed + 2)
    scratch.head.load_state_dict(transfer.head.state_dict())    # same starting head for both
    tc = _fit_classifier(transfer, x, y, xt, yt, epochs, seed, tick)
    sc = _fit_classifier(scratch, x, y, xt, yt, epochs, seed, tick)
    return TransferResult(labels_per_class, len(picked), tc[-1], sc[-1], tc, sc)


# ---- weights (safetensors: loading cannot run code) ----------------------------------------------
def save_weights(model: nn.Module, path: str | Path, meta: dict) -> None:
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(path), metadata={k: str(v) for k, v in meta.items()})
    os.chmod(path, 0o644)      # package data: readable by everyone


def load_weights(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """(tensors, metadata) of a safetensors file; ValueError that says what is wrong otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"no weights file at {p}")
    try:
        from safetensors import safe_open

        with safe_open(str(p), framework="pt") as f:
            meta = dict(f.metadata() or {})
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:  # safetensors raises its own error type for corrupt headers
        raise ValueError(f"{p.name} is not a valid weights file (safetensors): {exc}. "
                         "Retrain, or reinstall desktopnn to restore the default weights.") from None
    return tensors, meta


def model_from_weights(path: str | Path, kind: str = "image") -> Autoencoder:
    """An :class:`Autoencoder` built from a weights file written by :func:`save_weights`."""
    tensors, meta = load_weights(path)
    if meta.get("kind", kind) != kind:
        raise ValueError(f"{Path(path).name} holds a {meta.get('kind')} autoencoder, not an {kind} one")
    try:
        model = Autoencoder(int(meta["n_in"]), int(meta["code_size"]), int(meta["hidden"]))
        model.load_state_dict(tensors)
    except (KeyError, ValueError, RuntimeError) as exc:
        raise ValueError(f"{Path(path).name} does not match the autoencoder's layers ({exc})") from None
    model.eval()
    return model


def weights_history(path: str | Path) -> History:
    """The loss curves stored with shipped weights (empty when the file has none)."""
    _tensors, meta = load_weights(path)
    try:
        return History(json.loads(meta.get("train_loss", "[]")), json.loads(meta.get("val_loss", "[]")))
    except ValueError:
        return History()


def default_image_weights(code_size: int) -> Path:
    return WEIGHTS_DIR / f"digits-ae-{code_size}.safetensors"


def load_default_image_model(code_size: int) -> Autoencoder:
    """The shipped model for ``code_size`` (see ``python -m desktopnn.engine.autoencoder.train_autoencoders``)."""
    if code_size not in BOTTLENECKS:
        raise ValueError(f"default weights exist for bottlenecks {', '.join(map(str, BOTTLENECKS))}; "
                         f"train to get one with {code_size}")
    return model_from_weights(default_image_weights(code_size), "image")
