"""What the live view needs from a network (notes 2.2, 2.13), apart from the networks themselves, so
that modules defining networks (networks.py, imagenet.py) and the registry can all import it.
"""

from __future__ import annotations

import numpy as np
import torch


class LiveNetwork:
    """What the live view needs from a network: its layers, their maps, maybe classes."""

    key = "network"
    title = "Network"
    about = ""
    class_names: list[str] | None = None

    def layers(self) -> list[tuple[str, int]]:
        raise NotImplementedError

    def layer_maps(self, frame: torch.Tensor, layer: str, dev: torch.device) -> torch.Tensor:
        """``(C, H', W')`` float32 activations of ``layer`` for an ``(H, W, 3)`` uint8 frame on ``dev``."""
        raise NotImplementedError

    def classify(self, frame: torch.Tensor, dev: torch.device) -> np.ndarray | None:
        """Class probabilities for the ``(H, W, 3)`` uint8 frame on ``dev``, or None (no classifier)."""
        return None

    def first_layer(self) -> str:
        return self.layers()[0][0]

    def explain(self, frame: np.ndarray, channel: int, row: int, col: int) -> tuple[list[str], float]:
        """The arithmetic of first-layer output ``(row, col)`` of ``channel`` (notes 2.3)."""
        raise NotImplementedError

    def map_title(self, layer: str, channel: int) -> str:
        return f"{layer} · map {channel + 1}"

    def receptive_field(self, layer: str) -> tuple[int, int, int]:
        """(jump, size, offset): output (r, c) of ``layer`` sees input rows ``r·jump + offset`` … ``+ size − 1``."""
        return 1, 1, 0

    def nonnegative(self, layer: str) -> bool:
        """Whether ``layer``'s values are never below zero (it ends in a ReLU): the mosaic then finds each
        map's low without reading it all again (see :func:`desktopnn.engine.live.mosaic.mosaic_tiles`)."""
        return False
