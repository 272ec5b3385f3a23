"""Ten drawn shapes: the offline data set of the notes' CNN (2.13) and the demo camera's subjects.

The course notes train their CNN on CIFAR-10 (ten classes of 32×32 colour photos), which cannot be
downloaded here. Ten shapes drawn in random colours, sizes and angles on photo, gradient, noise or
plain backgrounds play the same role: 32×32 RGB inputs, ten classes, and something a class can hold
up to a camera. Everything is deterministic given a seed (numpy + Pillow, no Qt, no torch).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

CLASS_NAMES = ["circle", "square", "triangle", "diamond", "hexagon",
               "star", "cross", "ring", "arrow", "heart"]


def shape_polygon(kind: str, cx: float, cy: float, r: float, angle: float = 0.0) -> list[tuple[float, float]]:
    """Outline of ``kind`` centred at (cx, cy) with radius ``r``, turned by ``angle`` degrees.

    ``circle`` and ``ring`` come back as 48-gons (the ring's hole is drawn separately).
    """
    if kind in ("circle", "ring"):
        pts = [(math.cos(t), math.sin(t)) for t in np.linspace(0, 2 * math.pi, 48, endpoint=False)]
    elif kind == "square":
        s = 0.75
        pts = [(-s, -s), (s, -s), (s, s), (-s, s)]
    elif kind == "diamond":
        pts = [(0, -1), (0.72, 0), (0, 1), (-0.72, 0)]
    elif kind == "triangle":
        pts = [(0, -1), (0.92, 0.72), (-0.92, 0.72)]
    elif kind == "hexagon":
        pts = [(math.cos(t), math.sin(t)) for t in np.arange(6) * math.pi / 3]
    elif kind == "star":
        pts = []
        for i in range(10):
            rad = 1.0 if i % 2 == 0 else 0.42
            t = -math.pi / 2 + i * math.pi / 5
            pts.append((rad * math.cos(t), rad * math.sin(t)))
    elif kind == "cross":
        a, b = 0.3, 0.95
        pts = [(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a)]
    elif kind == "arrow":
        pts = [(-0.95, -0.25), (0.15, -0.25), (0.15, -0.7), (0.95, 0), (0.15, 0.7), (0.15, 0.25), (-0.95, 0.25)]
    elif kind == "heart":
        ts = np.linspace(0, 2 * math.pi, 40, endpoint=False)
        xs = 16 * np.sin(ts) ** 3
        ys = -(13 * np.cos(ts) - 5 * np.cos(2 * ts) - 2 * np.cos(3 * ts) - np.cos(4 * ts))
        pts = list(zip(xs / 17.0, (ys + 2.5) / 17.0))
    else:
        raise ValueError(f"unknown shape {kind!r}; choose one of: {', '.join(CLASS_NAMES)}")
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [(cx + r * (x * c - y * s), cy + r * (x * s + y * c)) for x, y in pts]


def draw_shape(draw, kind: str, cx: float, cy: float, r: float, angle: float, colour) -> None:
    """Draw one shape with a ``PIL.ImageDraw.Draw``; the ring is an outline a third of its radius wide."""
    if kind == "ring":
        width = max(1, round(r * 0.38))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=width)
    else:
        draw.polygon(shape_polygon(kind, cx, cy, r, angle), fill=colour)


@lru_cache(maxsize=1)
def _photos() -> tuple[np.ndarray, ...]:
    """The bundled sample photos at most 256 pixels on a side (backgrounds)."""
    from PIL import Image

    from desktopnn.engine.images import load_image, sample_images

    out = []
    for path in sample_images().values():
        img = Image.fromarray(load_image(path))
        img.thumbnail((256, 256), Image.Resampling.BILINEAR)
        out.append(np.asarray(img.convert("RGB")))
    return tuple(out)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    kind = rng.integers(0, 4)
    if kind == 0:  # plain
        return np.broadcast_to(rng.integers(0, 256, 3, dtype=np.uint8), (size, size, 3)).copy()
    if kind == 1:  # linear gradient between two colours
        a, b = rng.integers(0, 256, (2, 3)).astype(np.float32)
        t = np.linspace(0, 1, size, dtype=np.float32)
        ramp = t[None, :, None] if rng.random() < 0.5 else t[:, None, None]
        img = a + (b - a) * np.broadcast_to(ramp, (size, size, 1))
        return np.broadcast_to(img, (size, size, 3)).astype(np.uint8)
    if kind == 2:  # coloured noise around a base colour
        base = rng.integers(40, 216, 3)
        noise = rng.normal(0, 30, (size, size, 3))
        return np.clip(base + noise, 0, 255).astype(np.uint8)
    photos = _photos()
    photo = photos[rng.integers(0, len(photos))]
    side = int(rng.integers(size // 2, min(photo.shape[:2])))
    y = int(rng.integers(0, photo.shape[0] - side + 1))
    x = int(rng.integers(0, photo.shape[1] - side + 1))
    from PIL import Image

    crop = Image.fromarray(photo[y:y + side, x:x + side]).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(crop).copy()


def _contrasting(rng: np.random.Generator, background: np.ndarray) -> tuple[int, int, int]:
    """A random colour whose brightness differs clearly from the background's."""
    bg = float(background.reshape(-1, 3).mean(axis=0) @ np.array([0.299, 0.587, 0.114]))
    for _ in range(20):
        col = rng.integers(0, 256, 3)
        if abs(float(col @ np.array([0.299, 0.587, 0.114])) - bg) > 90:
            return tuple(int(v) for v in col)
    return (255, 255, 255) if bg < 128 else (0, 0, 0)


def render_sample(rng: np.random.Generator, label: int, size: int = 32) -> np.ndarray:
    """One ``(size, size, 3)`` uint8 picture of shape ``label``, drawn at 2× and reduced (smooth edges)."""
    from PIL import Image, ImageDraw

    big = size * 2
    bg = _background(rng, big)
    img = Image.fromarray(bg)
    draw = ImageDraw.Draw(img)
    if rng.random() < 0.35:  # a distracting line, as in real scenes
        pts = rng.uniform(0, big, 4)
        draw.line(list(pts), fill=tuple(int(v) for v in rng.integers(0, 256, 3)), width=int(rng.integers(1, 4)))
    r = big / 2 * rng.uniform(0.5, 0.88)
    cx = big / 2 + rng.uniform(-0.12, 0.12) * big
    cy = big / 2 + rng.uniform(-0.12, 0.12) * big
    draw_shape(draw, CLASS_NAMES[label], cx, cy, r, rng.uniform(-20, 20), _contrasting(rng, bg))
    return np.asarray(img.resize((size, size), Image.Resampling.BOX))


def make_dataset(count: int, seed: int, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """``count`` pictures ``(N, size, size, 3)`` uint8 and labels ``(N,)`` int64, balanced over classes."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % len(CLASS_NAMES)
    rng.shuffle(labels)
    images = np.empty((count, size, size, 3), np.uint8)
    for i, lab in enumerate(labels):
        images[i] = render_sample(rng, int(lab), size)
    return images, labels.astype(np.int64)


SHAPE_CLASSES = CLASS_NAMES
