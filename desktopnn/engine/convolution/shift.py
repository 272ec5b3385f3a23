"""Why convolution (notes 2.4): a shifted input gives a shifted feature map, with very few parameters.

Pure numpy/torch (no Qt). The Why-convolution tab runs :func:`shift_demo` in a worker; the tests use
it directly.

The demo places an object (synthetic shapes or a small grayscale photo) on a constant background,
far enough from the border that it never leaves the canvas. Convolving that canvas, shifted by
``(dx, dy)``, gives exactly the unshifted feature map moved by ``(dx, dy)``: the kernel slides over
the same numbers, only in other places.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from desktopnn.engine.images import load_image, sample_images, to_grayscale
from desktopnn.engine.convolution.kernels import KERNEL_PRESETS

CANVAS = 128      # the input is CANVAS × CANVAS pixels, one channel
OBJECT = 72       # the object's largest side
MAX_SHIFT = 24    # (CANVAS - OBJECT) / 2 - MAX_SHIFT leaves a 4-pixel margin: the object never leaves
SHAPES = "Shapes (synthetic)"

# integer kernels only: their sums are exact in float32, so the shift is exact too
KERNEL_CHOICES = ["Sobel x", "Sobel y", "Laplacian", "Diagonal ↗ (zero surround)",
                  "Diagonal ↗ (negative surround)", "Diagonal ↘ 3×3 (negative surround)", "Prewitt x", "Emboss"]


def source_names() -> list[str]:
    return [SHAPES, *sample_images()]


def shapes_object() -> np.ndarray:
    """A 72×72 picture: a bright square, a ↗ diagonal stroke and a ring on black (float32 0..255)."""
    n = OBJECT
    obj = np.zeros((n, n), np.float32)
    obj[6:30, 6:30] = 200.0                                   # filled square, top left
    for i in range(28):                                       # ↗ diagonal, bottom left, 2 px thick
        r, c = 66 - i, 8 + i
        obj[r, c] = obj[r, min(c + 1, n - 1)] = 255.0
    yy, xx = np.mgrid[0:n, 0:n]
    dist = np.hypot(yy - 20, xx - 52)
    obj[(dist >= 10) & (dist <= 14)] = 160.0                  # ring, top right
    obj[44:64, 44:48] = 230.0                                 # vertical bar, bottom right
    return obj


@lru_cache(maxsize=8)
def source_object(name: str) -> np.ndarray:
    """The object to move: the synthetic shapes or a bundled photo as grayscale, at most 72×72."""
    if name == SHAPES:
        return shapes_object()
    photos = sample_images()
    if name not in photos:
        raise ValueError(f"there is no sample image called {name!r}; choose one of: {', '.join(source_names())}")
    photo = to_grayscale(load_image(photos[name], max_side=OBJECT)).astype(np.float64)
    return fade_edges(photo)


def fade_edges(photo: np.ndarray, ramp: int = 10) -> np.ndarray:
    """Blend the photo's border into its mean grey, so that the edge of the photo is no "feature".

    Whole numbers, so that integer kernels give exact sums; the corner value is the background.
    """
    h, w = photo.shape
    mean = float(np.rint(photo.mean()))

    def profile(n: int) -> np.ndarray:
        d = np.minimum(np.arange(n), np.arange(n)[::-1]).astype(np.float64)
        return 0.5 - 0.5 * np.cos(np.pi * np.clip(d / ramp, 0, 1))

    window = profile(h)[:, None] * profile(w)[None, :]
    return np.rint(mean + (photo - mean) * window).astype(np.float32)


def place(obj: np.ndarray, dx: int, dy: int, size: int = CANVAS, background: float = 0.0) -> np.ndarray:
    """The object on a ``size``×``size`` canvas, centred and then moved ``dx`` right and ``dy`` down."""
    h, w = obj.shape
    top, left = (size - h) // 2 + dy, (size - w) // 2 + dx
    if top < 0 or left < 0 or top + h > size or left + w > size:
        raise ValueError(f"a shift of ({dx}, {dy}) would push the picture off the {size}×{size} input; "
                         f"stay within ±{MAX_SHIFT}")
    canvas = np.full((size, size), background, np.float32)
    canvas[top:top + h, left:left + w] = obj
    return canvas


def peak(feature_map: np.ndarray) -> tuple[int, int]:
    """(row, col) of the strongest response; ties go to the first in reading order."""
    rounded = np.round(np.asarray(feature_map, np.float64), 6)
    r, c = np.unravel_index(int(np.argmax(rounded)), rounded.shape)
    return int(r), int(c)


def map_shift_error(moved: np.ndarray, still: np.ndarray, dx: int, dy: int) -> float:
    """Largest |moved[y, x] - still[y - dy, x - dx]| over the cells both maps have."""
    h, w = still.shape
    a = moved[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)]
    b = still[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return float(np.max(np.abs(a.astype(np.float64) - b))) if a.size else 0.0


@dataclass(frozen=True)
class ShiftResult:
    source: str
    kernel_name: str
    kernel: np.ndarray       # (kh, kw)
    dx: int
    dy: int
    image: np.ndarray        # (H, W) the shifted input
    feature_map: np.ndarray  # (H', W') its feature map (valid padding, stride 1)
    still_map: np.ndarray    # (H', W') the feature map of the unshifted input
    peak: tuple[int, int]        # (row, col) in the map of the shifted input
    still_peak: tuple[int, int]  # (row, col) in the map of the unshifted input
    error: float             # map_shift_error(feature_map, still_map, dx, dy)

    @property
    def moved_by(self) -> tuple[int, int]:
        """How far the strongest response moved, as (dx, dy)."""
        return self.peak[1] - self.still_peak[1], self.peak[0] - self.still_peak[0]


@lru_cache(maxsize=16)
def _still(source: str, kernel_name: str) -> np.ndarray:
    from desktopnn.engine.convolution.conv import conv2d

    obj = source_object(source)
    out = conv2d(place(obj, 0, 0, background=float(obj[0, 0])), KERNEL_PRESETS[kernel_name].values)
    out.setflags(write=False)
    return out


def shift_demo(source: str, kernel_name: str, dx: int, dy: int) -> ShiftResult:
    """Feature maps of the input before and after moving it by ``(dx, dy)`` (notes 2.4)."""
    from desktopnn.engine.convolution.conv import conv2d

    if kernel_name not in KERNEL_PRESETS:
        raise ValueError(f"there is no kernel called {kernel_name!r}")
    dx, dy = int(dx), int(dy)
    obj = source_object(source)
    image = place(obj, dx, dy, background=float(obj[0, 0]))
    kernel = KERNEL_PRESETS[kernel_name].values
    moved = conv2d(image, kernel)
    still = _still(source, kernel_name)
    return ShiftResult(source, kernel_name, kernel, dx, dy, image, moved, still, peak(moved), peak(still),
                       map_shift_error(moved, still, dx, dy))


@dataclass(frozen=True)
class ParamCounts:
    """Parameters of a conv layer and of a dense layer with the same input and output sizes."""

    kh: int
    kw: int
    c: int
    k: int
    h: int
    w: int

    @property
    def out_h(self) -> int:
        return self.h - self.kh + 1

    @property
    def out_w(self) -> int:
        return self.w - self.kw + 1

    @property
    def conv(self) -> int:
        return self.kh * self.kw * self.c * self.k + self.k

    @property
    def dense(self) -> int:
        outputs = self.out_h * self.out_w * self.k
        return self.h * self.w * self.c * outputs + outputs

    @property
    def ratio(self) -> float:
        return self.dense / self.conv

    def conv_lines(self) -> list[str]:
        return ["kh·kw·C·K + K",
                f"= {self.kh}·{self.kw}·{self.c}·{self.k} + {self.k}",
                f"= {self.conv:,}"]

    def dense_lines(self) -> list[str]:
        hw, k = f"{self.out_h}·{self.out_w}", self.k
        return ["H·W·C·H'·W'·K + H'·W'·K",
                f"= {self.h}·{self.w}·{self.c}·{hw}·{k} + {hw}·{k}",
                f"= {self.dense:,}"]
