"""ImageNet weights for the live view: which files, where they are cached, downloading and loading.

The four networks' published weights (torchvision's ``IMAGENET1K_V1``) are downloaded once, with
progress and cancel, through :func:`desktopnn.engine.download.fetch` (pooch: temporary name, SHA-256,
atomic move) into ``<cache>/weights``. ``DESKTOPNN_WEIGHTS_DIR`` points that folder elsewhere, so a
lecturer can copy the ``.pth`` files onto a classroom machine without internet. A verified copy in
torch.hub's own checkpoint folder (``torch.hub.get_dir()/checkpoints``, where
``torchvision.models.alexnet(weights=...)`` keeps them) is used as it is.

A copy is trusted only when its SHA-256 matches the published one (checked once per process and
file); a damaged one is reported, never loaded. Loading reads tensors only
(``torch.load(weights_only=True)``) into ``torchvision.models.<name>(weights=None)`` built on the
meta device, so no time is spent on a random initialisation that would be overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from desktopnn.engine.download import fetch, sha256_of

WEIGHTS_ENV = "DESKTOPNN_WEIGHTS_DIR"
BASE_URL = "https://download.pytorch.org/models/"


@dataclass(frozen=True)
class WeightsFile:
    """One published weights file; ``key`` is also the ``torchvision.models`` builder's name."""

    key: str
    title: str
    file: str
    size: int                  # bytes
    sha256: str
    about: str = ""

    @property
    def url(self) -> str:
        return BASE_URL + self.file

    @property
    def megabytes(self) -> str:
        return f"{self.size / 1e6:.0f} MB"


CATALOGUE = {w.key: w for w in [
    WeightsFile("alexnet", "AlexNet", "alexnet-owt-7be5be79.pth", 244408911,
                "7be5be791159472b1fbf3c69796f7cb30dca7ad8466c2df70058c37116cdee02",
                "Krizhevsky, Sutskever & Hinton 2012: five convolutions, 11×11 then 5×5 then 3×3"),
    WeightsFile("vgg16", "VGG-16", "vgg16-397923af.pth", 553433881,
                "397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0",
                "Simonyan & Zisserman 2014: thirteen 3×3 convolutions in five stages"),
    WeightsFile("resnet18", "ResNet-18", "resnet18-f37072fd.pth", 46830571,
                "f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec",
                "He et al. 2015: 3×3 convolutions in blocks that add their input back (shortcuts)"),
    WeightsFile("mobilenet_v3_small", "MobileNetV3-Small", "mobilenet_v3_small-047dcff4.pth", 10306551,
                "047dcff4addef86ea5bc2eff13c9614dc11f47ab1160d0a71a25e7db994f4e1f",
                "Howard et al. 2019: depthwise convolutions and channel gates, built for phones"),
]}

_verified: dict[tuple[str, int, int], bool] = {}     # (path, size, mtime_ns) → checksum right


def spec_of(key: str | WeightsFile) -> WeightsFile:
    if isinstance(key, WeightsFile):
        return key
    if key not in CATALOGUE:
        raise ValueError(f"unknown ImageNet network {key!r}; choose one of {', '.join(CATALOGUE)}")
    return CATALOGUE[key]


def weights_dir() -> Path:
    """Where downloaded weights go: ``$DESKTOPNN_WEIGHTS_DIR`` or the per-user cache's ``weights``."""
    env = os.environ.get(WEIGHTS_ENV)
    if env:
        return Path(env).expanduser()
    from desktopnn.settings import cache_dir

    return cache_dir() / "weights"


def hub_dir() -> Path:
    """torch.hub's checkpoint folder (``$TORCH_HOME/hub/checkpoints``), where torchvision keeps weights."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


def is_verified(path: Path, spec: WeightsFile) -> bool:
    """True when ``path`` has the published size and SHA-256 (hashed once per process and file version)."""
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_size != spec.size:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        _verified[key] = sha256_of(path) == spec.sha256
    return _verified[key]


@dataclass(frozen=True)
class WeightsStatus:
    """Where a network's weights are: a verified copy, damaged copies, where a download would go."""

    spec: WeightsFile
    target: Path
    path: Path | None = None
    damaged: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def ready(self) -> bool:
        return self.path is not None

    def sentence(self) -> str:
        s = self.spec
        if self.ready:
            return f"{s.title}'s weights are in {self.path.parent}"
        if self.damaged:
            return (f"the copy of {s.file} in {self.damaged[0].parent} is damaged (its size or SHA-256 checksum is "
                    f"wrong), so it is not used; download it again")
        return (f"{s.title}'s weights ({s.megabytes}) are not downloaded yet: download them once, or copy {s.file} "
                f"into {self.target.parent} (or the folder {WEIGHTS_ENV} names)")


def weights_status(key: str | WeightsFile, verify: bool = True) -> WeightsStatus:
    """Look for the weights in the cache, then in torch.hub's folder; no network.

    ``verify=False`` only compares sizes (instant, to label a menu); ``True`` also the SHA-256 (about
    a second per 500 MB the first time in a process, so call it from a worker).
    """
    spec = spec_of(key)
    target = weights_dir() / spec.file
    damaged = []
    for path in (target, hub_dir() / spec.file):
        if not path.is_file():
            continue
        ok = is_verified(path, spec) if verify else path.stat().st_size == spec.size
        if ok:
            return WeightsStatus(spec, target, path, tuple(damaged))
        damaged.append(path)
    return WeightsStatus(spec, target, None, tuple(damaged))


def download_weights(key: str | WeightsFile, progress=None, should_stop=None, url: str | None = None,
                     timeout: float = 30.0) -> Path:
    """The verified weights file, downloaded first when no verified copy is found (from a worker).

    ``progress(fraction, text)`` and ``should_stop()`` as in :func:`desktopnn.engine.download.fetch`
    (:class:`~desktopnn.engine.download.DownloadStopped` on cancel). ValueError, one sentence, when
    offline or the checksum is wrong; the cache then holds nothing new.
    """
    spec = spec_of(key)
    status = weights_status(spec)
    if status.ready:
        if progress is not None:
            progress(1.0, f"{spec.title}: already downloaded")
        return status.path

    def report(fraction, text):
        if progress is not None:
            progress(fraction, f"{spec.title}: {text}")

    try:
        path = fetch(url or spec.url, status.target, spec.sha256, progress=report, should_stop=should_stop,
                     timeout=timeout)
    except ValueError as exc:
        raise ValueError(f"{spec.title}'s weights: {exc}") from None
    _verified[(str(path), path.stat().st_size, path.stat().st_mtime_ns)] = True   # fetch has just checked it
    return path


def read_weights(key: str | WeightsFile, path: Path | None = None) -> dict:
    """The state dict of a verified copy (tensors only, no code); ValueError when missing or damaged."""
    import torch

    spec = spec_of(key)
    if path is None:
        status = weights_status(spec)
        if not status.ready:
            raise ValueError(status.sentence())
        path = status.path
    elif not is_verified(Path(path), spec):
        raise ValueError(f"{Path(path).name} is not {spec.title}'s published weights file (its size or SHA-256 "
                         f"checksum differs), so it is not used")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:            # noqa: BLE001 - pickle, zip and torch errors alike: one sentence
        raise ValueError(f"cannot read {Path(path).name}: {exc}") from None
    if not isinstance(state, dict):
        raise ValueError(f"{Path(path).name} holds no weights (a {type(state).__name__})")
    return state


def build_model(key: str | WeightsFile, state: dict | None = None, seed: int = 0):
    """``torchvision.models.<key>`` in eval mode: with ``state`` loaded, or with seeded random weights."""
    import torch
    from desktopnn.engine.device import load_torch_dynamo

    load_torch_dynamo()          # torchvision imports it: with the garbage collector paused
    import torchvision.models

    spec = spec_of(key)
    builder = getattr(torchvision.models, spec.key)
    if state is None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return builder(weights=None).eval()
    with torch.device("meta"):
        model = builder(weights=None)
    try:
        model.load_state_dict(state, strict=True, assign=True)
    except (RuntimeError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise ValueError(f"these are not {spec.title}'s weights ({first})") from None
    return model.eval()


def categories(key: str | WeightsFile) -> list[str]:
    """The 1000 ImageNet class names, from the weights' own metadata in torchvision."""
    from desktopnn.engine.device import load_torch_dynamo

    load_torch_dynamo()          # torchvision imports it: with the garbage collector paused
    import torchvision.models

    return list(torchvision.models.get_model_weights(spec_of(key).key).IMAGENET1K_V1.meta["categories"])
