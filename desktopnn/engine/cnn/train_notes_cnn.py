"""Train the notes' 2.13 CNN on the ten drawn shapes and write the weights shipped in the package.

    python -m desktopnn.engine.cnn.train_notes_cnn            # ~2 minutes on a 2-core laptop CPU

Reproducible: the data come from fixed seeds (:mod:`desktopnn.engine.cnn.shapes`), torch is seeded,
deterministic algorithms are required and the thread count is fixed, so the same machine writes
the same file (floating-point sums may differ on another CPU). It writes
``desktopnn/resources/weights/notes_cnn.safetensors`` and ``notes_cnn.json`` beside it: the class
names, the SHA-256 of the weights file and the held-out validation accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.cnn.notes_cnn import NOTES_CNN_FILE, NotesCNN, file_sha256, to_input
from desktopnn.engine.cnn.shapes import CLASS_NAMES, make_dataset
from desktopnn.engine.device import load_torch_dynamo

TRAIN_SEED = 2024
VAL_SEED = 7013          # the held-out validation set: another seed, never trained on
TRAIN_COUNT = 12_000
VAL_COUNT = 2_000
EPOCHS = 6
BATCH = 128
LEARNING_RATE = 2e-3


def default_output() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "weights" / NOTES_CNN_FILE


def accuracy(model: NotesCNN, images: np.ndarray, labels: np.ndarray, batch: int = 500) -> float:
    model.eval()
    right = 0
    with torch.inference_mode():
        for i in range(0, len(images), batch):
            logits = model(to_input(images[i:i + batch]))
            right += int((logits.argmax(1).numpy() == labels[i:i + batch]).sum())
    return right / len(images)


def train(epochs: int = EPOCHS, train_count: int = TRAIN_COUNT, threads: int = 2, log=print) -> tuple[NotesCNN, dict]:
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    x_train, y_train = make_dataset(train_count, TRAIN_SEED)
    x_val, y_val = make_dataset(VAL_COUNT, VAL_SEED)
    log(f"data: {len(x_train)} training and {len(x_val)} validation pictures in {time.perf_counter() - t0:.1f} s")
    model = NotesCNN(CLASS_NAMES).to(memory_format=torch.channels_last)
    load_torch_dynamo()
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = epochs * ((len(x_train) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LEARNING_RATE, total_steps=steps)
    gen = torch.Generator().manual_seed(1)
    x_all = to_input(x_train)                      # (N, 3, 32, 32) in 0..1
    y_all = torch.from_numpy(y_train)
    history = []
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x_all), generator=gen)
        total = 0.0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            xb = x_all[idx]
            flip = torch.rand(len(idx), generator=gen) < 0.5    # mirror half: shapes stay shapes
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb).contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(model(xb), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        val = accuracy(model, x_val, y_val)
        history.append({"epoch": epoch + 1, "loss": round(total / len(order), 4), "val_accuracy": round(val, 4)})
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(order):.3f}, validation accuracy {val:.3f} "
            f"({time.perf_counter() - t0:.0f} s)")
    model.eval()
    card = {
        "network": model.kind,
        "about": "notes 2.13 CNN trained on ten drawn shapes (desktopnn.engine.cnn.shapes), "
                 "python -m desktopnn.engine.cnn.train_notes_cnn",
        "class_names": list(CLASS_NAMES),
        "input": "32x32 RGB, channels last, values 0..1",
        "train": {"seed": TRAIN_SEED, "count": train_count, "epochs": epochs, "batch": BATCH,
                  "learning_rate": LEARNING_RATE, "threads": threads, "torch": torch.__version__},
        "validation": {"seed": VAL_SEED, "count": VAL_COUNT, "accuracy": round(history[-1]["val_accuracy"], 4)},
        "history": history,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return model, card


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m desktopnn.engine.cnn.train_notes_cnn", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=default_output(), help="weights file to write (.safetensors)")
    p.add_argument("--epochs", type=int, default=EPOCHS, help=f"passes over the data (default {EPOCHS})")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (fixed for reproducibility; default 2)")
    args = p.parse_args(argv)
    model, card = train(args.epochs, threads=args.threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    model.save_weights(tmp)
    tmp.replace(args.out)
    args.out.chmod(0o644)                     # package data: readable by everyone once installed
    card["sha256"] = file_sha256(args.out)
    card["bytes"] = args.out.stat().st_size
    args.out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({card['bytes']} bytes, sha256 {card['sha256']}); "
          f"validation accuracy {card['validation']['accuracy']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
