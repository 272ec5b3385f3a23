"""Data sets for training the notes' CNN (notes 2.13): offline digits, a folder, camera captures, CIFAR-10.

Every data set is 32×32 RGB uint8, channels last, as CIFAR-10 in the notes, so every model preset
fits every data set. The offline default is scikit-learn's handwritten digits (8×8, shipped inside
scikit-learn) upscaled to 32×32; it trains to over 90 % in well under a minute on a laptop CPU.
CIFAR-10 is downloaded on request by :mod:`desktopnn.engine.download`.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

SIZE = 32
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR_SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
CIFAR_BYTES = 170_052_171


@dataclass
class Dataset:
    """Images ``(N, 32, 32, 3)`` uint8 with integer labels, split into train, validation and test."""

    name: str
    class_names: list[str]
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    skipped: list[str] = field(default_factory=list)   # files that could not be read, with the reason
    about: str = ""

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def classes(self) -> int:
        return len(self.class_names)

    def grid(self, count: int = 25) -> tuple[np.ndarray, list[str]]:
        """The first ``count`` training images and their class names (the notes' 5×5 grid)."""
        n = min(count, len(self.x_train))
        return self.x_train[:n], [self.class_names[int(k)] for k in self.y_train[:n]]

    def describe(self) -> str:
        return (f"{self.name}: {len(self.x_train)} training, {len(self.x_val)} validation and "
                f"{len(self.x_test)} test images of {self.input_shape[0]}×{self.input_shape[1]}×"
                f"{self.input_shape[2]}, {self.classes} classes")


def resize_rgb(image: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Any ``(H, W)`` or ``(H, W, 3)`` uint8 image → ``(size, size, 3)`` uint8 (squashed, as Keras resizes)."""
    from PIL import Image

    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"expected an image (H, W) or (H, W, 3), got shape {arr.shape}")
    im = Image.fromarray(np.ascontiguousarray(arr[:, :, :3]).astype(np.uint8))
    return np.asarray(im.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8).copy()


def split(x: np.ndarray, y: np.ndarray, seed: int = 0, val: float = 0.15, test: float = 0.15):
    """Shuffle with a fixed seed, then cut into train/validation/test, every class in every part if possible."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    n_val, n_test = max(1, round(len(x) * val)), max(1, round(len(x) * test))
    if len(x) < 3:
        return x, y, x, y, x, y
    te, va = slice(0, n_test), slice(n_test, n_test + n_val)
    tr = slice(n_test + n_val, None)
    return x[tr], y[tr], x[va], y[va], x[te], y[te]


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    d = load_digits()
    small = torch.from_numpy(d.images.astype(np.float32) / 16.0)[:, None]          # (N, 1, 8, 8)
    big = F.interpolate(small, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
    gray = (big[:, 0].clamp(0, 1) * 255).round().to(torch.uint8).numpy()          # (N, 32, 32)
    return np.repeat(gray[..., None], 3, axis=3), d.target.astype(np.int64)


def load_digits_dataset(seed: int = 0) -> Dataset:
    """scikit-learn's 1,797 handwritten digits (0–9), 8×8 upscaled to 32×32, grey as RGB. Offline."""
    x, y = _digits_arrays()
    parts = split(x, y, seed)
    return Dataset("Handwritten digits (offline)", [str(i) for i in range(10)], *parts,
                   about="scikit-learn's digits: 8×8 scans upscaled to 32×32 so the notes' CNN fits")


@lru_cache(maxsize=1)
def load_shapes_dataset(count: int = 3000, seed: int = 11) -> Dataset:
    """Ten drawn shapes on photos and patterns (:mod:`desktopnn.engine.cnn.shapes`), generated offline."""
    from desktopnn.engine.cnn.shapes import CLASS_NAMES, make_dataset

    x, y = make_dataset(count, seed)
    parts = split(np.asarray(x, np.uint8), np.asarray(y, np.int64), seed)
    return Dataset("Ten drawn shapes (offline)", list(CLASS_NAMES), *parts,
                   about="shapes drawn in random colours, sizes and angles (the camera demo's subjects)")


def load_folder(root, seed: int = 0, progress=None) -> Dataset:
    """A folder with one sub-folder per class, as Keras's ``image_dataset_from_directory``.

    Files that cannot be read are listed in ``Dataset.skipped`` with the reason and left out.
    ValueError when there are fewer than two classes with readable images.
    """
    from desktopnn.engine.images import load_image

    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root.name or root}: not a folder")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    files = [(k, f) for k, c in enumerate(classes) for f in sorted((root / c).iterdir())
             if f.is_file() and not f.name.startswith(".")]
    xs, ys, skipped = [], [], []
    for i, (k, f) in enumerate(files):
        if f.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append(f"{f.parent.name}/{f.name}: not an image file type")
            continue
        try:
            xs.append(resize_rgb(load_image(f, max_side=512)))
            ys.append(k)
        except ValueError as exc:
            skipped.append(f"{f.parent.name}/{f.name}: {exc}")
        if progress is not None and i % 20 == 0:
            progress((i + 1) / len(files))
    present = sorted(set(ys))
    if len(present) < 2:
        raise ValueError(f"{root.name} needs at least two sub-folders (one per class) with readable images; "
                         f"found {len(present)} class(es) among {len(classes)} sub-folder(s)")
    remap = {old: new for new, old in enumerate(present)}
    x = np.stack(xs)
    y = np.array([remap[k] for k in ys], np.int64)
    ds = Dataset(f"Folder {root.name}", [classes[k] for k in present], *split(x, y, seed), skipped=skipped,
                 about=f"{len(xs)} images from {root}")
    return ds


def from_captures(captures: dict[str, list[np.ndarray]], seed: int = 0) -> Dataset:
    """Classes captured from the camera: ``{class name: [frames (H, W, 3) uint8]}``; at least two classes."""
    named = [(name, frames) for name, frames in captures.items() if frames]
    if len(named) < 2:
        raise ValueError("capture at least two classes (give each a name and capture some frames)")
    xs, ys = [], []
    for k, (_name, frames) in enumerate(named):
        for f in frames:
            xs.append(resize_rgb(f))
            ys.append(k)
    return Dataset("Camera classes", [n for n, _ in named], *split(np.stack(xs), np.array(ys, np.int64), seed),
                   about=f"{len(xs)} frames captured from the camera")


def _read_cifar_batch(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    rec = np.frombuffer(data, np.uint8)
    if rec.size % 3073:
        raise ValueError("a CIFAR-10 batch has the wrong length; the download looks damaged")
    rec = rec.reshape(-1, 3073)
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)    # (N, 32, 32, 3) channels last
    return np.ascontiguousarray(images), rec[:, 0].astype(np.int64)


def cifar_from_archive(archive, cache_npz=None) -> Dataset:
    """CIFAR-10 from the binary archive (raw bytes, no pickle); a cached ``.npz`` is written atomically."""
    archive = Path(archive)
    if cache_npz is not None and Path(cache_npz).is_file():
        try:
            with np.load(cache_npz) as z:
                arrays = {k: z[k] for k in ("x_train", "y_train", "x_test", "y_test")}
            return _cifar_dataset(**arrays)
        except (OSError, KeyError, ValueError):
            Path(cache_npz).unlink(missing_ok=True)
    train_x, train_y, test = [], [], None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = Path(member.name).name
                if not member.isfile() or not name.endswith(".bin") or "batch" not in name:
                    continue
                data = tar.extractfile(member).read()   # type: ignore[union-attr]
                if name == "test_batch.bin":
                    test = _read_cifar_batch(data)
                else:
                    xb, yb = _read_cifar_batch(data)
                    train_x.append(xb)
                    train_y.append(yb)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValueError(f"{archive.name} is not a readable CIFAR-10 archive ({exc})") from None
    if test is None or not train_x:
        raise ValueError(f"{archive.name} does not contain the CIFAR-10 batches")
    arrays = dict(x_train=np.concatenate(train_x), y_train=np.concatenate(train_y), x_test=test[0], y_test=test[1])
    if cache_npz is not None:
        tmp = Path(cache_npz).with_suffix(".part.npz")
        np.savez(tmp, **arrays)
        tmp.replace(cache_npz)
    return _cifar_dataset(**arrays)


def _cifar_dataset(x_train, y_train, x_test, y_test) -> Dataset:
    # as in the notes, validation_data is the test set
    return Dataset("CIFAR-10", list(CIFAR_CLASSES), x_train, y_train, x_test, y_test, x_test, y_test,
                   about="60,000 32×32 colour photos in 10 classes (Krizhevsky, 2009)")


def load_cifar10(progress=None, should_stop=None, url: str = CIFAR_URL, sha256: str = CIFAR_SHA256) -> Dataset:
    """Download CIFAR-10 once into the cache folder (checksum verified), then read it. ValueError offline."""
    from desktopnn.settings import cache_dir

    from desktopnn.engine.download import fetch

    folder = cache_dir() / "datasets"
    archive = fetch(url, folder / "cifar-10-binary.tar.gz", sha256, progress=progress, should_stop=should_stop)
    return cifar_from_archive(archive, folder / "cifar-10.npz")
