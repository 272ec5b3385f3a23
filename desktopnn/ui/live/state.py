"""The live tab's state: the choices a scene saves (a frozen snapshot handed to the worker with each
frame), and the catalogue of networks, layers, sizes and colour maps it chooses from. No widgets."""

from __future__ import annotations

from dataclasses import dataclass, replace

from desktopnn.engine.live.weights import CATALOGUE, WEIGHTS_ENV

COLORMAPS = ["viridis", "cividis", "magma", "inferno", "plasma", "grey"]
SIZES = [(160, 120), (224, 224), (320, 240), (640, 480)]
REAL_NETWORKS = ["mobilenet_v3_small", "resnet18", "alexnet", "vgg16"]     # smallest download first


def _real_tip(key: str) -> str:
    spec = CATALOGUE[key]
    return (f"{spec.title}, trained on 1.28 million ImageNet photos in 1000 classes: {spec.about}. "
            f"Its weights ({spec.megabytes}) are downloaded the first time, then kept in the cache "
            f"(or the folder {WEIGHTS_ENV} names)")


# key, title, what it is (the picker's tooltip)
NETWORKS = [("notes_cnn", "Notes CNN (2.13)", "The notes' CNN: Conv2D 32 → pool → Conv2D 64 → pool → Conv2D 64, "
             "trained on ten drawn shapes; it classifies the centre square"),
            ("kernels", "Convolution lab kernels", "The Convolution lab's 3×3 presets (blur, Sobel, Laplacian, …) "
             "on the grey picture: one feature map per kernel")] + \
           [(key, f"{CATALOGUE[key].title} (ImageNet, {CATALOGUE[key].megabytes})", _real_tip(key))
            for key in REAL_NETWORKS]
LAYERS = {"notes_cnn": ["conv1", "pool1", "conv2", "pool2", "conv3"], "kernels": ["kernels"]}
DEFAULT_LAYER = {"kernels": "kernels", "notes_cnn": "conv1"}       # real networks: their first convolution
TOP5_TITLES = {"notes_cnn": ("Top 5 (centre square)",
                             "The dense head classifies the square marked on the input, shrunk to 32×32")}
REAL_TOP5 = ("Top 5 of 1000 ImageNet classes",
             "The network classifies the marked centre of the picture, as it was trained: shorter side "
             "scaled to 256 pixels, centre 224×224")
CAM_EVERY_S = 0.3        # Grad-CAM's cadence in the live view: a backward pass costs a forward's worth or two
MAX_LAYER_NAME = 200


def is_real(key: str) -> bool:
    """An ImageNet network whose weights come from the cache (or a download)."""
    return key in CATALOGUE


def network_title(key: str) -> str:
    return next(title for k, title, _tip in NETWORKS if k == key)


def network_tip(key: str) -> str:
    return next(tip for k, _title, tip in NETWORKS if k == key)


def top5_title(key: str) -> tuple[str, str]:
    """The heading over the top-5 bars and its tooltip."""
    return REAL_TOP5 if is_real(key) else TOP5_TITLES.get(key, ("", ""))


def classifies(key: str) -> bool:
    return is_real(key) or key in TOP5_TITLES


@dataclass(frozen=True)
class LiveParams:
    """A snapshot of the view's choices, handed to the worker with each frame.

    ``layer`` "" means the network's first layer (a real network's names are known once it is built).
    """

    network: str = "notes_cnn"
    layer: str = "conv1"
    size: tuple[int, int] = (320, 240)
    normalise: str = "map"
    colormap: str = "viridis"
    selected: int = 0
    aspect: float = 1.5
    gradcam: bool = False

    def but(self, **changes) -> "LiveParams":
        """A copy with ``changes`` applied."""
        return replace(self, **changes)
