"""Write the bundled lesson scenes of the live, train, autoencoder and RNN tabs (issue 9).

    python tools/lessons_sequence.py            # rewrites desktopnn/resources/lessons/<scene>.dnnscene

Each scene is the part of a tab's ``scene_state()`` that teaches its section of the course notes; the
tab fills in the rest with its defaults (and retrains, deterministically, what it needs), so the files
stay small and hold no trained weights. tests/ui/test_scenes_*.py open every one of them in its tab.
File names and titles come from desktopnn/resources/lessons/contents.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktopnn import scenes  # noqa: E402

VERSIONS = {"live": 1, "train": 1, "autoencoder": 1, "rnn": 1}

# ---- notes 4: the RNN tab ---------------------------------------------------------------------------
RNN = {
    "4": {"view": "types", "preset": "irregular", "types_playing": True},
    "4.1": {"view": "types", "preset": "irregular", "types_phase": 0, "types_playing": True},
    "4.2": {"view": "memory", "preset": "irregular", "hidden_size": 4, "activation": "tanh", "t": 0},
    "4.3": {"view": "memory", "preset": "regular", "hidden_size": 4, "activation": "tanh", "t": 0},
    "4.3.1": {"view": "cell", "preset": "dresses", "hidden_size": 4, "activation": "tanh", "t": 0},
    "4.3.2": {"view": "forecast", "preset": "dresses",
              "forecast": {"season": 24, "noise": 0.5, "window": 12}},
    "4.3.3": {"view": "unroll", "preset": "irregular", "highlight": "W_hh", "t": 1},
    "4.3.4": {"view": "cell", "preset": "dresses", "hidden_size": 4, "activation": "tanh", "t": 1},
    "4.3.5": {"view": "cell", "preset": "dresses", "hidden_size": 4, "activation": "tanh", "t": 2},
    "4.3.6": {"view": "unroll", "preset": "dresses", "activation": "tanh", "highlight": "W_hx", "t": 0},
    "4.3.7": {"view": "train", "preset": "irregular", "bptt": {"loss": "total", "w_hh_scale": 1.0, "window": 0}},
    "4.3.8": {"view": "train", "preset": "irregular", "bptt": {"loss": "total", "w_hh_scale": 1.0, "window": 0}},
    "4.3.9": {"view": "train", "preset": "irregular", "bptt": {"loss": "last", "w_hh_scale": 1.0, "window": 0}},
}

# ---- notes 1.1–1.2, 2.8–2.10, 2.13: the Train tab (the shipped model trained on the digits) ----------
N213, N28 = "Notes 2.13 (CIFAR-10 example)", "Notes 2.8 (Keras example)"
KERAS_FIT = {"epochs": 10, "batch_size": 32, "learning_rate": 0.001, "optimizer": "adam", "seed": 0, "resume": False}
TRAIN = {
    "1.1": {"view": "model", "dataset": "digits", "model": {"preset": N213}, "training": KERAS_FIT},
    "1.2": {"view": "flatten", "dataset": "digits", "model": {"preset": N213},
            "flatten": {"size": 8, "pixel": [3, 3], "experiment_data": "shapes", "epochs": 5}},
    "2.8": {"view": "model", "dataset": "digits", "model": {"preset": N28}, "training": KERAS_FIT},
    "2.9": {"view": "softmax", "dataset": "digits", "model": {"preset": N213}, "softmax": {"image": 0}},
    "2.10": {"view": "dropout", "dataset": "digits", "model": {"preset": N213},
             "dropout": {"mode": "training", "rate": 0.5, "units": 12, "speed": 2, "pass": 0, "playing": True}},
    "2.13": {"view": "data", "dataset": "digits", "model": {"preset": N213}, "training": KERAS_FIT},
}

# ---- notes 3 and 3.0.1: the Encoder & decoder tab -----------------------------------------------------
AUTOENCODER = {
    "3": {"view": "images", "images": {"bottleneck": 2, "digit": 3, "noise": "gaussian", "amount": 0.3}},
    "3.0.1": {"view": "audio", "audio": {"source": "demo", "mel": False, "window_ms": 11.0, "hop": 0.5,
                                         "bottleneck": 8, "denoise": False}},
}

# ---- notes 1: the live tab (the notes' CNN looking at the demo pictures, its first layer) ------------
LIVE = {"1": {"source": {"kind": "demo"}, "network": "notes_cnn", "layer": "conv1", "selected": 0,
              "size": [320, 240], "normalise": "map", "colormap": "viridis", "frozen": False}}

SCENES = {"live": LIVE, "rnn": RNN, "train": TRAIN, "autoencoder": AUTOENCODER}


def main() -> int:
    root = scenes.lessons_dir()
    contents = json.loads((root / "contents.json").read_text(encoding="utf-8"))
    written = 0
    for entry in contents["entries"]:
        states = SCENES.get(entry["tab"])
        if states is None or entry["section"] not in states:
            continue
        scene = scenes.Scene(tab=entry["tab"], state=states[entry["section"]], tab_version=VERSIONS[entry["tab"]],
                             title=entry["title"], notes_section=entry["section"])
        scenes.write(root / entry["scene"], scene)
        written += 1
    print(f"wrote {written} scenes to {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
