"""Reading images for the lessons: bundled samples and the user's own files (Pillow, no Qt)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

SAMPLE_DIR = "resources/samples"
MAX_PIXELS = 40_000_000


def sample_images() -> dict[str, Path]:
    """Bundled public-domain/CC0 sample photos by name (see resources/LICENSES.md)."""
    root = resources.files("desktopnn").joinpath(SAMPLE_DIR)
    out = {}
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.lower().endswith((".png", ".jpg", ".jpeg")):
            out[Path(entry.name).stem] = Path(str(entry))
    return out


def load_image(path, max_side: int | None = None) -> np.ndarray:
    """Read an image as uint8: ``(H, W, 3)`` for colour, ``(H, W)`` for grayscale files.

    Raises ValueError with a readable reason (missing, not an image, damaged, too large).
    ``max_side`` shrinks large photos (keeping the aspect ratio) so that lessons stay responsive.
    """
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    if not p.exists():
        raise ValueError(f"{p.name}: no such file")
    if p.is_dir():
        raise ValueError(f"{p.name} is a folder, not an image")
    try:
        with Image.open(p) as im:
            if im.width * im.height > MAX_PIXELS:
                raise ValueError(f"{p.name} is {im.width}×{im.height}: too large to teach with "
                                 f"(at most {MAX_PIXELS // 1_000_000} megapixels)")
            im.load()
            if im.mode in ("L", "I", "I;16", "F", "1"):
                im = im.convert("L")
            elif im.mode in ("RGBA", "LA", "P", "PA"):
                rgba = im.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                im = Image.alpha_composite(white, rgba).convert("RGB")
            else:
                im = im.convert("RGB")
            if max_side and max(im.size) > max_side:
                im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return np.asarray(im, dtype=np.uint8).copy()
    except UnidentifiedImageError:
        raise ValueError(f"{p.name} is not an image this app can read (PNG, JPEG, BMP, GIF, TIFF, WebP)") from None
    except Image.DecompressionBombError:
        raise ValueError(f"{p.name} is far too large to teach with (at most {MAX_PIXELS // 1_000_000} megapixels)") from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"{p.name} could not be read; the file looks damaged ({exc})") from None


def to_grayscale(image) -> np.ndarray:
    """ITU-R 601 luma, as Pillow's "L" mode: 0.299 R + 0.587 G + 0.114 B; keeps the input's dtype kind."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        return arr
    if arr.ndim == 3 and arr.shape[2] == 1:
        return arr[:, :, 0]
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"expected an RGB image (H, W, 3), got shape {arr.shape}")
    gray = arr[:, :, 0] * 0.299 + arr[:, :, 1] * 0.587 + arr[:, :, 2] * 0.114
    if arr.dtype == np.uint8:
        return np.clip(np.rint(gray), 0, 255).astype(np.uint8)
    return gray.astype(arr.dtype if arr.dtype.kind == "f" else np.float64)
