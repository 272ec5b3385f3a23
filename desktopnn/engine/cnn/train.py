"""Training the notes' CNN (notes 2.13): ``model.fit`` with live history, pause/stop, evaluation, saving.

:func:`fit` is Keras's ``model.fit(train, epochs, validation_data)`` in torch with a fixed seed, so
a lesson repeats: the same seed, data and settings give the same curves on the same machine. It
reports progress through a callback (the UI's worker forwards it as a signal) and honours a
:class:`TrainControl`, a thread-safe pause/stop switch. Stopping ends after the current batch and
keeps what was learnt so far. :func:`evaluate` gives the test accuracy, the confusion matrix with
example images per cell and the per-class accuracy.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.cnn.layers import Layer, SequentialCNN
from desktopnn.engine.cnn.notes_cnn import check_state, file_sha256, read_checkpoint, to_input
from desktopnn.engine.device import load_torch_dynamo

OPTIMIZERS = ("adam", "sgd", "rmsprop")
DIGITS_WEIGHTS = "digits_cnn.safetensors"
META_KEY = "desktopnn_model"


@dataclass
class TrainConfig:
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    seed: int = 0

    def validate(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch size must be at least 1")
        if not 0 < self.learning_rate < 10:
            raise ValueError(f"a learning rate between 0 and 10, please (got {self.learning_rate:g})")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")


class TrainControl:
    """Pause, resume and stop a running :func:`fit` from another thread."""

    def __init__(self):
        self._run = threading.Event()
        self._run.set()
        self._stop = threading.Event()

    def pause(self) -> None:
        self._run.clear()

    def resume(self) -> None:
        self._run.set()

    def stop(self) -> None:
        self._stop.set()
        self._run.set()

    @property
    def paused(self) -> bool:
        return not self._run.is_set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait(self, alive: Callable[[], None] | None = None) -> None:
        """Block while paused; ``alive()`` is called every 0.1 s (it may raise to cancel)."""
        while not self._run.wait(0.1):
            if alive is not None:
                alive()


@dataclass
class History:
    """Per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` (Keras's ``history.history``),
    and live points ``(epoch + fraction, loss, accuracy)``: moving averages over recent batches that run
    on across epochs, so the live curves do not jump where an epoch's average starts afresh."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    live: list[tuple[float, float, float]] = field(default_factory=list)
    stopped: bool = False
    seconds: float = 0.0
    samples: int = 0

    def copy(self) -> "History":
        return copy.deepcopy(self)


@dataclass
class FitResult:
    model: SequentialCNN
    history: History


def build_model(layers: list[Layer], input_shape, class_names, seed: int = 0) -> SequentialCNN:
    """The network with its initial weights drawn from ``seed`` (the same seed, the same start)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SequentialCNN(layers, tuple(input_shape), list(class_names))


def _batches(x: torch.Tensor, batch: int):
    for i in range(0, len(x), batch):
        yield slice(i, i + batch)


def predict_logits(model, images: np.ndarray, batch: int = 500, device=None) -> np.ndarray:
    """``(N, classes)`` logits for channels-last uint8 images, in inference mode (no dropout)."""
    dev = device or next(model.parameters()).device
    was = model.training
    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(images), batch):
            out.append(model(to_input(images[i:i + batch], dev)).float().cpu())
    model.train(was)
    return torch.cat(out).numpy() if out else np.zeros((0, len(model.class_names)), np.float32)


def _loss_acc(model, x: np.ndarray, y: np.ndarray, device) -> tuple[float, float]:
    logits = torch.from_numpy(predict_logits(model, x, device=device))
    target = torch.from_numpy(np.asarray(y, np.int64))
    return float(F.cross_entropy(logits, target)), float((logits.argmax(1) == target).float().mean())


def make_optimizer(name: str, params, lr: float):
    load_torch_dynamo()
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.Adam(params, lr=lr)


# Keras's fit as one seeded loop read top to bottom (batches, running averages, validation): split up,
# long: the order in which the seeded random numbers are drawn would be hard to follow
def fit(model: SequentialCNN, data, config: TrainConfig, control: TrainControl | None = None,
        report: Callable[[float, History], None] | None = None, device=None, report_every: float = 0.2,
        alive: Callable[[], None] | None = None) -> FitResult:
    """Train a copy of ``model`` on ``data`` (a :class:`~desktopnn.engine.cnn.datasets.Dataset`); the original
    is untouched. ``report(fraction_done, history)`` runs at most every ``report_every`` seconds and at
    each epoch's end; ``alive()`` is called at each batch (it may raise to cancel the job)."""
    config.validate()
    control = control or TrainControl()
    dev = torch.device(device) if device is not None else torch.device("cpu")
    net = copy.deepcopy(model).to(dev)
    x_all = torch.from_numpy(np.ascontiguousarray(data.x_train)).to(dev)   # (N, H, W, C) uint8: 4× smaller than floats
    y_all = torch.from_numpy(np.asarray(data.y_train, np.int64)).to(dev)
    gen = torch.Generator().manual_seed(config.seed)
    opt = make_optimizer(config.optimizer, net.parameters(), config.learning_rate)
    hist = History()
    n = len(x_all)
    steps = (n + config.batch_size - 1) // config.batch_size
    t0 = last = time.perf_counter()
    ema_loss = ema_acc = None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed + 1)               # dropout masks repeat with the seed
        for epoch in range(config.epochs):
            net.train()
            order = torch.randperm(n, generator=gen).to(dev)
            run_loss = run_right = seen = 0.0
            for step, sl in enumerate(_batches(order, config.batch_size)):
                control.wait(alive)
                if control.stopped:
                    break
                if alive is not None:
                    alive()
                idx = order[sl]
                logits = net(to_input(x_all[idx]))              # (B, C, H, W) floats in 0..1
                loss = F.cross_entropy(logits, y_all[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                k = len(idx)
                batch_loss = float(loss.detach())
                batch_right = float((logits.detach().argmax(1) == y_all[idx]).sum())
                run_loss += batch_loss * k
                run_right += batch_right
                a = min(1.0, 2.0 / (1 + min(steps, 20)))        # about the last 20 batches
                ema_loss = batch_loss if ema_loss is None else ema_loss + a * (batch_loss - ema_loss)
                ema_acc = batch_right / k if ema_acc is None else ema_acc + a * (batch_right / k - ema_acc)
                seen += k
                hist.samples += k
                now = time.perf_counter()
                if report is not None and now - last >= report_every:
                    last = now
                    hist.live.append((epoch + (step + 1) / steps, ema_loss, ema_acc))
                    report((epoch + (step + 1) / steps) / config.epochs, hist)
            if seen == 0:
                break
            hist.loss.append(run_loss / seen)
            hist.accuracy.append(run_right / seen)
            hist.live.append((epoch + seen / n, ema_loss, ema_acc))
            if len(data.x_val):
                vl, va = _loss_acc(net, data.x_val, data.y_val, dev)
                hist.val_loss.append(vl)
                hist.val_accuracy.append(va)
            if report is not None:
                last = time.perf_counter()
                report((epoch + seen / n) / config.epochs, hist)
            if control.stopped:
                break
    hist.stopped = control.stopped
    hist.seconds = time.perf_counter() - t0
    net.eval()
    return FitResult(net.cpu(), hist)


@dataclass
class Evaluation:
    """Test accuracy, confusion matrix ``[true, predicted]`` and example test images per cell."""

    accuracy: float
    confusion: np.ndarray                   # (classes, classes) counts
    per_class: np.ndarray                   # (classes,) accuracy of each true class (nan when absent)
    predictions: np.ndarray                 # (N,) predicted class per test image
    examples: dict[tuple[int, int], list[int]]   # (true, predicted) -> up to 8 test-image indices
    class_names: list[str]


def evaluate(model, images: np.ndarray, labels: np.ndarray, per_cell: int = 8) -> Evaluation:
    """Keras's ``model.evaluate`` plus the confusion matrix and per-class accuracy."""
    names = list(model.class_names)
    k = len(names)
    labels = np.asarray(labels, np.int64)
    pred = predict_logits(model, images).argmax(1) if len(images) else np.zeros(0, np.int64)
    conf = np.zeros((k, k), np.int64)
    np.add.at(conf, (labels, pred), 1)
    totals = conf.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(totals > 0, np.diag(conf) / np.maximum(totals, 1), np.nan)
    examples: dict[tuple[int, int], list[int]] = {}
    for i, (t, p) in enumerate(zip(labels, pred)):
        cell = examples.setdefault((int(t), int(p)), [])
        if len(cell) < per_cell:
            cell.append(i)
    acc = float((pred == labels).mean()) if len(labels) else 0.0
    return Evaluation(acc, conf, per_class, pred, examples, names)


# ---- saving and loading ------------------------------------------------------------------------
def save_model(model: SequentialCNN, path) -> str:
    """Weights and the layer list in one safetensors file (no code inside); returns its SHA-256.

    The description is one metadata entry of sorted JSON: safetensors writes several entries in a
    random order, and the same model should give the same bytes (the shipped weights are reproducible).
    """
    from safetensors.torch import save_file

    path = Path(path)
    about = {"network": model.kind, "class_names": model.class_names, "input_shape": list(model.input_shape),
             "layers": [vars(layer) for layer in model.layers_spec]}
    meta = {META_KEY: json.dumps(about, sort_keys=True)}
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    tmp = path.with_name(path.name + ".part")
    save_file(state, str(tmp), metadata=meta)
    tmp.replace(path)
    return file_sha256(path)


def load_model(path, sha256: str | None = None) -> SequentialCNN:
    """A model saved by :func:`save_model` (or the notes' 2.13 weights from ``models.py``).

    Raises ValueError with the reason (damaged, not a weights file, another network); the caller's
    current model is untouched because a new one is built.
    """
    state, meta = read_checkpoint(path, sha256)
    label = Path(path).name
    try:
        if META_KEY in meta:
            meta = json.loads(meta[META_KEY])
        names = meta.get("class_names")
        shape = meta.get("input_shape") or [32, 32, 3]
        if "layers" in meta:
            layers = [Layer(**d) for d in meta["layers"]]
        elif meta.get("network") == "notes_cnn":
            from desktopnn.engine.cnn.layers import notes_2_13

            layers = notes_2_13(len(names or []) or 10)
        else:
            raise ValueError(f"{label} does not say which network its weights belong to")
        if not names:
            names = [str(i) for i in range(layers[-1].size)]
        model = SequentialCNN(layers, tuple(int(s) for s in shape), [str(n) for n in names])
    except (TypeError, KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{label} has a damaged description of its network ({exc})") from None
    check_state(model, state, label)
    model.load_state_dict({k: state[k].to(v.dtype) for k, v in model.state_dict().items()}, strict=True)
    model.eval()
    return model


def shipped_digits_model() -> tuple[SequentialCNN, dict]:
    """The notes' 2.13 CNN trained on the offline digits, shipped in the package (checksum verified)."""
    from importlib import resources

    root = resources.files("desktopnn").joinpath("resources/weights")
    path = Path(str(root.joinpath(DIGITS_WEIGHTS)))
    card_path = path.with_suffix(".json")
    if not card_path.is_file():
        raise ValueError(f"the trained weights' description {card_path.name} is missing; reinstall desktopnn")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    return load_model(path, card.get("sha256")), card
