"""Shape rules of tensors (notes 2.12): reshape with ``-1`` inferred, broadcasting, index tuples.

Every refusal explains itself with the arithmetic or the rule that failed, in words a student reads
on a projector: "3·2·5 = 30 elements cannot fill 4·8 = 32". The helpers here also precompute what
the tensors tab animates: the row-major flow of a reshape and the steps of a broadcast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


class ShapeError(ValueError):
    """A shape rule was broken; the message says which and why."""


class ReshapeError(ShapeError):
    pass


class BroadcastError(ShapeError):
    pass


def fmt_shape(shape) -> str:
    """``(3, 1)``, ``(3,)`` and ``()`` as TensorFlow and numpy print shapes."""
    shape = tuple(int(s) for s in shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(s) for s in shape) + ")"


def fmt_product(shape) -> str:
    """``3·2·5 = 30``; a single axis is just its length, a scalar is ``1``."""
    shape = tuple(int(s) for s in shape)
    if not shape:
        return "1"
    if len(shape) == 1:
        return str(shape[0])
    return "·".join(str(s) for s in shape) + f" = {math.prod(shape)}"


def infer_shape(old_shape, spec) -> tuple[int, ...]:
    """The new shape for the elements of ``old_shape``, with at most one ``-1`` filled in (as
    ``tf.reshape``). Refusals carry the arithmetic: "3·2·5 = 30 elements cannot fill 4·8 = 32"."""
    old_shape = tuple(int(s) for s in old_shape)
    size = math.prod(old_shape)
    spec = tuple(int(s) for s in spec)
    unknown = [i for i, s in enumerate(spec) if s == -1]
    if len(unknown) > 1:
        raise ReshapeError(f"only one axis can be -1 (inferred); {fmt_shape(spec)} has {len(unknown)}")
    bad = [s for s in spec if s < -1]
    if bad:
        raise ReshapeError(f"an axis length cannot be {bad[0]}; use a positive length, or -1 to infer one axis")
    have = f"{fmt_product(old_shape)} {'element' if size == 1 else 'elements'}"
    if not unknown:
        if math.prod(spec) != size:
            raise ReshapeError(f"{have} cannot fill {fmt_product(spec)}")
        return spec
    known = tuple(s for s in spec if s != -1)
    rest = math.prod(known)
    if rest == 0 or size % rest:
        shown = fmt_product(known) if len(known) > 1 else str(rest)
        raise ReshapeError(f"{have} cannot fill {fmt_shape(spec)}: {size} is not a multiple of "
                           f"{shown}, so -1 has no whole length")
    out = list(spec)
    out[unknown[0]] = size // rest
    return tuple(out)


# ---- reshape flow ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReshapeFlow:
    """Where each element goes: read in row-major order from the old layout, written in the same
    order into the new one. ``moves[k] = (k, old_index, new_index)``."""

    old_shape: tuple[int, ...]
    new_shape: tuple[int, ...]
    moves: tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]


def reshape_flow(old_shape, spec) -> ReshapeFlow:
    old_shape = tuple(int(s) for s in old_shape)
    new_shape = infer_shape(old_shape, spec)
    size = math.prod(old_shape)
    moves = tuple((k, tuple(int(i) for i in np.unravel_index(k, old_shape)) if old_shape else (),
                   tuple(int(i) for i in np.unravel_index(k, new_shape)) if new_shape else ())
                  for k in range(size))
    return ReshapeFlow(old_shape, new_shape, moves)


def transpose_order(shape, perm=None) -> tuple[int, ...]:
    """Row-major reading order of ``transpose(t, perm)`` as flat positions in ``t``."""
    shape = tuple(int(s) for s in shape)
    pos = np.arange(math.prod(shape)).reshape(shape)
    return tuple(int(v) for v in np.transpose(pos, perm).ravel())


# ---- broadcasting ----------------------------------------------------------------------------
@dataclass(frozen=True)
class BroadcastAxis:
    axis: int                 # axis of the result
    a: int                    # length in a (1 where a had no such axis: it was padded)
    b: int
    a_padded: bool            # a had fewer axes: a 1 was put in front
    b_padded: bool
    result: int
    stretched: str            # "", "a", "b" or "ab": whose length-1 axis is repeated

    def describe(self) -> str:
        who = {"": "equal, nothing to stretch", "a": f"A's 1 is stretched to {self.result}",
               "b": f"B's 1 is stretched to {self.result}", "ab": "both are 1"}[self.stretched]
        return f"axis {self.axis}: {self.a} vs {self.b} → {self.result} ({who})"


@dataclass(frozen=True)
class BroadcastPlan:
    a_shape: tuple[int, ...]
    b_shape: tuple[int, ...]
    a_aligned: tuple[int, ...]
    b_aligned: tuple[int, ...]
    axes: tuple[BroadcastAxis, ...]
    result_shape: tuple[int, ...]
    steps: tuple[str, ...] = field(default=())


def _aligned_text(a, b) -> str:
    return f"{fmt_shape(a)} and {fmt_shape(b)}"


def broadcast_plan(a_shape, b_shape) -> BroadcastPlan:
    """Align two shapes from the right, pad the shorter with 1s, stretch length-1 axes.
    Raises :class:`BroadcastError` naming the axis and lengths where neither is 1."""
    a_shape = tuple(int(s) for s in a_shape)
    b_shape = tuple(int(s) for s in b_shape)
    n = max(len(a_shape), len(b_shape))
    a_al = (1,) * (n - len(a_shape)) + a_shape
    b_al = (1,) * (n - len(b_shape)) + b_shape
    axes = []
    for k in range(n):
        x, y = a_al[k], b_al[k]
        if x != y and x != 1 and y != 1:
            last = " (the last)" if k == n - 1 else ""
            raise BroadcastError(
                f"cannot broadcast {_aligned_text(a_shape, b_shape)}: shapes are aligned from the right; "
                f"axis {k}{last}: {x} vs {y}, neither is 1 and they differ. Each axis must match or be 1.")
        stretched = ("a" if x == 1 and y != 1 else "") + ("b" if y == 1 and x != 1 else "")
        if x == 1 and y == 1:
            stretched = ""
        axes.append(BroadcastAxis(k, x, y, k < n - len(a_shape), k < n - len(b_shape), max(x, y), stretched))
    result = tuple(ax.result for ax in axes)
    steps = [f"Shapes A {fmt_shape(a_shape)} and B {fmt_shape(b_shape)}."]
    if a_al != a_shape or b_al != b_shape:
        steps.append(f"Align from the right and put 1s in front: A {fmt_shape(a_al)}, B {fmt_shape(b_al)}.")
    else:
        steps.append("Align from the right: both have the same number of axes.")
    for ax in axes:
        if ax.stretched:
            steps.append(ax.describe() + " — the ghosts are repeats, not new data.")
    steps.append(f"Result shape {fmt_shape(result)}: element by element.")
    return BroadcastPlan(a_shape, b_shape, a_al, b_al, tuple(axes), result, tuple(steps))


def broadcast_shape(a_shape, b_shape) -> tuple[int, ...]:
    return broadcast_plan(a_shape, b_shape).result_shape


def aligned_table(a_shape, b_shape) -> list[str]:
    """The two shapes written right-aligned, one column per axis, each axis marked ✓ or ✗:

    ``["A     3  2  5", "B           3", "axis  0  1  2", "      ✓  ✓  ✗"]``"""
    a_shape, b_shape = tuple(int(s) for s in a_shape), tuple(int(s) for s in b_shape)
    n = max(len(a_shape), len(b_shape))
    a_al = (None,) * (n - len(a_shape)) + a_shape
    b_al = (None,) * (n - len(b_shape)) + b_shape
    w = max([len(str(v)) for v in a_shape + b_shape] + [len(str(n - 1)), 1]) + 2
    col = lambda v: ("" if v is None else str(v)).rjust(w)     # noqa: E731
    ok = ["✓" if x is None or y is None or x == y or 1 in (x, y) else "✗" for x, y in zip(a_al, b_al)]
    return ["A   " + "".join(col(v) for v in a_al), "B   " + "".join(col(v) for v in b_al),
            "axis" + "".join(col(k) for k in range(n)), "    " + "".join(m.rjust(w) for m in ok)]


@dataclass(frozen=True)
class BroadcastStage:
    caption: str
    a: np.ndarray             # A as drawn at this stage
    b: np.ndarray
    a_ghost: np.ndarray       # bool, same shape as ``a``: repeated copies (drawn faded)
    b_ghost: np.ndarray
    result: np.ndarray | None  # only in the last stage


def broadcast_stages(a, b, op: str = "*") -> list[BroadcastStage]:
    """The stages the broadcasting view steps through: originals, aligned, one per stretched axis,
    result. Arrays are numpy; ``op`` is one of ``+ - * /``."""
    a = np.asarray(a)
    b = np.asarray(b)
    plan = broadcast_plan(a.shape, b.shape)
    none_a, none_b = np.zeros(a.shape, bool), np.zeros(b.shape, bool)
    stages = [BroadcastStage(plan.steps[0], a, b, none_a, none_b, None)]
    cur_a, cur_b = a.reshape(plan.a_aligned), b.reshape(plan.b_aligned)
    src_a = _origin(plan.a_aligned)
    src_b = _origin(plan.b_aligned)
    stages.append(BroadcastStage(plan.steps[1], cur_a, cur_b, np.zeros(cur_a.shape, bool),
                                 np.zeros(cur_b.shape, bool), None))
    step_i = 2
    for ax in plan.axes:
        if not ax.stretched:
            continue
        if "a" in ax.stretched:
            cur_a, src_a = _stretch(cur_a, src_a, ax.axis, ax.result)
        if "b" in ax.stretched:
            cur_b, src_b = _stretch(cur_b, src_b, ax.axis, ax.result)
        stages.append(BroadcastStage(plan.steps[step_i], cur_a, cur_b, ~src_a, ~src_b, None))
        step_i += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        result = apply_op(op, a, b)
    stages.append(BroadcastStage(plan.steps[-1], cur_a, cur_b, ~src_a, ~src_b, result))
    return stages


def _origin(shape) -> np.ndarray:
    return np.ones(shape, bool)


def _stretch(arr, origin, axis, length):
    reps = [1] * arr.ndim
    reps[axis] = length
    grown = np.tile(arr, reps)
    org = np.zeros(grown.shape, bool)
    sl = [slice(None)] * arr.ndim
    sl[axis] = slice(0, 1)
    org[tuple(sl)] = origin
    return grown, org


def apply_op(op: str, a, b) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return np.true_divide(a, b)
    raise ValueError(f"unknown operation {op!r}; use + - * or /")
