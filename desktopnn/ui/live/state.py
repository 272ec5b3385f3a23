"""The live tab's state: the choices a scene saves (a frozen snapshot handed to the worker with each
frame), and the catalogue of networks, layers, sizes and colour maps it chooses from. No widgets."""

from __future__ import annotations

from dataclasses import dataclass, replace

COLORMAPS = ["viridis", "cividis", "magma", "inferno", "plasma", "grey"]
SIZES = [(160, 120), (320, 240), (640, 480)]
# key, title, what it is (the picker's tooltip)
NETWORKS = [("notes_cnn", "Notes CNN (2.13)", "The notes' CNN: Conv2D 32 → pool → Conv2D 64 → pool → Conv2D 64, "
             "trained on ten drawn shapes; it classifies the centre square"),
            ("kernels", "Convolution lab kernels", "The Convolution lab's 3×3 presets (blur, Sobel, Laplacian, …) "
             "on the grey picture: one feature map per kernel")]
LAYERS = {"notes_cnn": ["conv1", "pool1", "conv2", "pool2", "conv3"], "kernels": ["kernels"]}
DEFAULT_LAYER = {"kernels": "kernels", "notes_cnn": "conv1"}


def network_tip(key: str) -> str:
    return next(tip for k, _title, tip in NETWORKS if k == key)


@dataclass(frozen=True)
class LiveParams:
    """A snapshot of the view's choices, handed to the worker with each frame."""

    network: str = "notes_cnn"
    layer: str = "conv1"
    size: tuple[int, int] = (320, 240)
    normalise: str = "map"
    colormap: str = "viridis"
    selected: int = 0
    aspect: float = 1.5

    def but(self, **changes) -> "LiveParams":
        """A copy with ``changes`` applied."""
        return replace(self, **changes)
