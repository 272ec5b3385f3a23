"""Where the elements of a tensor go on the canvas: nested grids for rank 0–4 (notes 2.12).

A rank-3 tensor ``(a, r, c)`` is ``a`` grids of ``r×c`` side by side (or stacked); rank 4
``(a, b, r, c)`` is ``a`` rows of ``b`` such grids. Positions scale with the cell size ``s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QRectF


@dataclass
class Block:
    values: np.ndarray
    title: str = ""
    highlight: np.ndarray | None = None   # bool, values' shape: selected elements
    ghost: np.ndarray | None = None       # bool: repeated copies (broadcasting)
    hidden: np.ndarray | None = None      # bool: not there yet (a flow fills it)
    faded: np.ndarray | None = None       # bool: already taken by a flow
    label: str = ""                       # text drawn after the block (an operator, "=", "→")
    name: str = ""                        # prefix of slice labels: t[0], t[1, 2]
    # filled by layout: per element rect (n, 4) and the slice frames
    rects: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    frames: list = field(default_factory=list)
    origin: tuple[float, float] = (0.0, 0.0)
    size: tuple[float, float] = (0.0, 0.0)


def _grid_dims(shape) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    return shape[-2], shape[-1]


def block_geometry(shape, s: float, label_h: float, title_h: float, vertical: bool = False):
    """Element rects (n, 4) relative to the block, slice frames [(rect, prefix)], total size.
    ``vertical`` stacks the grids of a rank-3 tensor instead of putting them side by side."""
    shape = tuple(shape)
    rows, cols = _grid_dims(shape)
    g = max(6.0, s * 0.45)
    outer = shape[:-2] if len(shape) > 2 else ()
    if len(outer) == 1:
        a, b = (outer[0], 1) if vertical else (1, outer[0])
    else:               # rank 4 (a, b, r, c): a rows of b grids; a higher rank folds its outer axes into rows
        a, b = (int(np.prod(outer[:-1])), outer[-1]) if outer else (1, 1)
    top = title_h + (label_h if outer else 0)
    gw, gh = cols * s, rows * s
    pitch_x, pitch_y = gw + g, gh + g + (label_h if outer else 0)
    n = int(np.prod(shape)) if shape else 1
    rects = np.zeros((n, 4))
    k = np.arange(n)
    r, c = (k // cols) % rows, k % cols
    grid = k // (rows * cols)
    gi, gj = grid // b, grid % b
    rects[:, 0] = gj * pitch_x + c * s
    rects[:, 1] = top + gi * pitch_y + r * s
    rects[:, 2] = s
    rects[:, 3] = s
    frames = []
    if outer:
        for q, idx in enumerate(np.ndindex(*outer)):
            i, j = q // b, q % b
            frames.append((QRectF(j * pitch_x, top + i * pitch_y, gw, gh), idx))
    width = b * pitch_x - g if outer else gw
    height = top + (a * pitch_y - g - label_h if outer else gh)
    return rects, frames, (width, height)
