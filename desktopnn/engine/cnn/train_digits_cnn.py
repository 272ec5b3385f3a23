"""Train the notes' 2.13 CNN on the offline digits and write the weights the Train tab opens with.

    python -m desktopnn.engine.cnn.train_digits_cnn          # 15–95 s on a 2-core CPU (1 thread)

Reproducible: the split, the initial weights and the batch order come from fixed seeds, torch runs
deterministic algorithms on a fixed number of threads, so the same machine writes the same file.
It writes ``desktopnn/resources/weights/digits_cnn.safetensors`` and ``digits_cnn.json`` beside it
(class names, SHA-256 of the weights, test accuracy, the training settings and history).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from desktopnn.engine.cnn.layers import notes_2_13
from desktopnn.engine.cnn.train import DIGITS_WEIGHTS, TrainConfig, build_model, evaluate, fit, save_model
from desktopnn.engine.cnn.datasets import load_digits_dataset

CONFIG = TrainConfig(epochs=10, batch_size=32, learning_rate=1e-3, optimizer="adam", seed=0)


def default_output() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "weights" / DIGITS_WEIGHTS


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m desktopnn.engine.cnn.train_digits_cnn", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=default_output(), help="weights file to write (.safetensors)")
    p.add_argument("--epochs", type=int, default=CONFIG.epochs, help=f"passes over the data (default {CONFIG.epochs})")
    p.add_argument("--threads", type=int, default=1, help="CPU threads (fixed for reproducibility; default 1)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    data = load_digits_dataset(seed=0)
    cfg = TrainConfig(**{**vars(CONFIG), "epochs": args.epochs})
    model = build_model(notes_2_13(data.classes), data.input_shape, data.class_names, seed=cfg.seed)

    def log(frac, hist):
        if hist.val_accuracy and frac * cfg.epochs >= len(hist.val_accuracy) - 1e-9:
            print(f"epoch {len(hist.val_accuracy)}/{cfg.epochs}: loss {hist.loss[-1]:.3f}, "
                  f"val_accuracy {hist.val_accuracy[-1]:.3f}", flush=True)

    res = fit(model, data, cfg, report=log, report_every=1e9)
    ev = evaluate(res.model, data.x_test, data.y_test)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sha = save_model(res.model, args.out)
    args.out.chmod(0o644)                      # package data: readable by everyone
    card = {
        "network": "notes 2.13 CNN (desktopnn.engine.cnn.layers.notes_2_13)",
        "about": "trained on scikit-learn's digits upscaled to 32x32 by python -m desktopnn.engine.cnn.train_digits_cnn",
        "class_names": data.class_names,
        "input": "32x32 RGB, channels last, values 0..1",
        "train": {**vars(cfg), "split_seed": 0, "threads": args.threads, "torch": torch.__version__,
                  "train_images": len(data.x_train)},
        "history": {"loss": [round(v, 4) for v in res.history.loss],
                    "val_accuracy": [round(v, 4) for v in res.history.val_accuracy]},
        "test_accuracy": round(ev.accuracy, 4),
        "seconds": round(res.history.seconds, 1),
        "sha256": sha,
        "bytes": args.out.stat().st_size,
    }
    args.out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({card['bytes']} bytes, sha256 {sha}); test accuracy {ev.accuracy:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
