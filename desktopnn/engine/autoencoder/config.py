"""Torch-free settings of the encoder/decoder lesson (notes 3), importable at start-up without
loading torch: where the shipped weights live, the noise kinds, the bottleneck sizes."""

from __future__ import annotations

from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "weights"
NOISE_KINDS = ("none", "gaussian", "salt_pepper", "masking")
NOISE_LABELS = {"none": "No noise", "gaussian": "Gaussian", "salt_pepper": "Salt and pepper", "masking": "Masking"}
BOTTLENECKS = (2, 4, 8, 16, 32)   # image code sizes with shipped default weights
