"""The tensors lesson's state: the tensors made in the tab (notes 2.12: tensors are immutable, an
operation makes a new one), how a new tensor is built, and the limits and names a scene checks.

Qt-free so tests can drive it without pixels. Arrays are stored read-only: nothing can change a
tensor after it was made; a name can only be bound to a new tensor with a new id.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from desktopnn.engine.tensors.shapes import fmt_product, fmt_shape
from desktopnn.engine.tensors.expr import MAX_ELEMENTS, MAX_RANK, TensorExprError, evaluate  # noqa: F401 (MAX_ELEMENTS: the scene's too)

MAX_AXIS = 12
MAX_BUILD = 400         # elements the builder makes
# MAX_RANK (4 axes) and MAX_ELEMENTS (10000) are the engine's: what an expression may make, a scene may hold
FILLS = (("range", "range 0, 1, 2, …"), ("random", "random 0–9"), ("typed", "typed values"))
FILL_KEYS = tuple(key for key, _label in FILLS)
PAGES = ("index", "reshape", "broadcast", "notes")     # the pages on the right, in their order

# the notes' names for the axes of a tensor of each rank
AXIS_NAMES = {
    1: ("length",),
    2: ("width", "length"),
    3: ("amount of sub-arrays", "width of a sub-array", "length of a sub-array"),
    4: ("amount of sub-arrays", "width of a sub-array", "height of a sub-array", "length of a sub-array"),
}


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    array: np.ndarray
    source: str             # how it was made

    def label(self) -> str:
        return f"#{self.id}  {self.name} {fmt_shape(self.array.shape)}  ←  {self.source}"


class TensorStore:
    """Every tensor made, in order (``history``), and the newest one of each name (``bound``)."""

    def __init__(self):
        self.history: list[Entry] = []
        self.bound: dict[str, Entry] = {}
        self.results_named = 0          # how many result names r1, r2, … were handed out

    def add(self, name: str, array, source: str) -> Entry:
        arr = np.array(array)              # a copy the caller cannot reach
        arr.setflags(write=False)
        entry = Entry(len(self.history) + 1, name, arr, source)
        self.history.append(entry)
        self.bound[name] = entry
        return entry

    def env(self) -> dict[str, np.ndarray]:
        return {name: e.array for name, e in self.bound.items()}

    def fresh_name(self) -> str:
        """The next free result name: r1, r2, …"""
        while True:
            self.results_named += 1
            name = f"r{self.results_named}"
            if name not in self.bound:
                return name


def parse_shape(text: str) -> tuple[int, ...]:
    """``3, 2, 5`` or ``[3, 2, 5]`` (empty: rank 0) -> (3, 2, 5); ValueError in a student's words."""
    inner = text.strip().strip("[]()").strip()
    if not inner:
        return ()
    parts = [p for p in re.split(r"[,\s]+", inner) if p]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"the shape “{text.strip()}” should be whole numbers, like 3, 2, 5") from None
    if len(shape) > MAX_RANK:
        raise ValueError(f"rank {len(shape)} is more than this view draws: use at most {MAX_RANK} axes")
    if any(not 1 <= s <= MAX_AXIS for s in shape):
        raise ValueError(f"each axis length must be 1 … {MAX_AXIS}; got {fmt_shape(shape)}")
    if math.prod(shape) > MAX_BUILD:
        raise ValueError(f"{fmt_product(shape)} elements are too many to read; build at most {MAX_BUILD}")
    return shape


def build_values(shape: tuple[int, ...], fill: str, typed: str = "", rng=None) -> np.ndarray:
    """The values of a new tensor: ``range`` 0, 1, 2 …, ``random`` whole numbers 0–9, or ``typed``
    (a flat list filling ``shape`` in row-major order, or a nested list that brings its own shape)."""
    size = math.prod(shape)
    if fill == "range":
        return np.arange(size, dtype=np.int64).reshape(shape)
    if fill == "random":
        rng = rng or np.random.default_rng()
        return rng.integers(0, 10, size=shape, dtype=np.int64)
    text = typed.strip()
    if not text:
        raise ValueError("type the values, e.g. 1, 2, 3 or [[1, 2], [3, 4]]")
    if not text.startswith("["):
        text = f"[{text}]"
    text = re.sub(r"(?<=[0-9.])\s+(?=[-0-9.])", ", ", text)       # "1 2 3" works too
    try:
        arr = evaluate(text).value
    except TensorExprError as exc:
        raise ValueError(str(exc)) from None
    if arr.ndim > MAX_RANK:
        raise ValueError(f"rank {arr.ndim} is more than this view draws: use at most {MAX_RANK} axes")
    if arr.size > MAX_BUILD:
        raise ValueError(f"{arr.size} values are too many to read; build at most {MAX_BUILD}")
    if arr.ndim > 1:
        return arr                      # a nested list brings its own shape
    if not shape:
        return arr.reshape(()) if arr.size == 1 else arr
    if arr.size != size:
        raise ValueError(f"shape {fmt_shape(shape)} needs {fmt_product(shape)} values; you typed {arr.size}")
    return arr.reshape(shape)


def describe(name: str, arr: np.ndarray) -> list[str]:
    """Rank, axes, shape and size as the notes name them."""
    shape = arr.shape
    rank = len(shape)
    lines = [f"Rank {rank}: {rank} {'axis' if rank == 1 else 'axes'}" + (" (a scalar)" if rank == 0 else "")]
    for k, n in enumerate(shape):
        lines.append(f"axis {k}: {n}  ({AXIS_NAMES[min(rank, 4)][k] if rank <= 4 else ''})")
    lines.append(f"Shape {list(shape)}   Size {fmt_product(shape)}" +
                 ("" if rank > 1 else f" element{'s' if arr.size != 1 else ''}"))
    return lines
