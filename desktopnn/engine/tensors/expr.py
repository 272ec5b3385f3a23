"""Tensor expressions (notes 2.12): evaluate our own small language on numpy — never ``eval``.

>>> env = {"t": np.arange(30).reshape(3, 2, 5)}
>>> evaluate("t[1, :, -1]", env).value.tolist()
[14, 19]

The grammar is in :mod:`desktopnn.engine.tensors.parse`; shape rules (reshape's ``-1``,
broadcasting) in :mod:`desktopnn.engine.tensors.shapes`. Tensors are immutable as in the notes: every
operation returns a new array and never writes into the tensors of ``env``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.engine.tensors.parse import (_BINARY, MAX_DEPTH, MAX_LENGTH, Assign, BinOp, Call, Index, ListLit, Name,
                                           Neg, Node, Num, Shape, Slice, TensorExprError, parse)
from desktopnn.engine.tensors.shapes import ShapeError, apply_op, broadcast_plan, fmt_shape, infer_shape

MAX_ELEMENTS = 10_000      # a result must stay small enough to draw (also the longest axis of an empty one)
MAX_RANK = 4               # axes a tensor may have: the Tensors tab draws rank 0 to 4 as nested grids

__all__ = ["TensorExprError", "EvalResult", "Selection", "parse", "evaluate", "selection", "describe_index",
           "format_numpy",
           "format_tensor", "format_value", "tf_dtype", "MAX_ELEMENTS", "MAX_RANK", "LIMITS"]

# the limits a student meets, in their words (the Tensors tab lists them in its tooltip)
LIMITS = (f"a tensor has at most {MAX_RANK} axes and {MAX_ELEMENTS} elements; "
          f"brackets and signs nest at most {MAX_DEPTH} deep; an expression is at most {MAX_LENGTH} characters")


@dataclass
class EvalResult:
    value: np.ndarray
    kind: str = "tensor"             # "tensor", "numpy" (.numpy()), "shape" (.shape), "list" (.as_list())
    target: str | None = None        # the name assigned with ``name = …``
    operation: str = "value"         # index, reshape, transpose, broadcast, negate, value
    operands: tuple = ()             # the top operation's input arrays
    op: str = ""                     # + - * / for broadcast
    params: dict = field(default_factory=dict)   # new_shape, perm, …


@dataclass
class _Val:
    arr: np.ndarray
    kind: str = "tensor"


class _Evaluator:
    def __init__(self, text: str, env: dict):
        self.text = text.replace("−", "-")
        self.env = env

    def fail(self, node: Node, message: str) -> TensorExprError:
        return TensorExprError(message, self.text, node.start, node.end)

    def tensor(self, node: Node) -> np.ndarray:
        val = self.eval(node)
        if val.kind in ("shape", "list"):
            raise self.fail(node, "this is a shape, not a tensor; use it inside reshape(…)")
        return val.arr

    def done(self, node: Node, arr: np.ndarray, kind: str = "tensor") -> _Val:
        self.check_shape(node, arr.shape)
        if arr.size > MAX_ELEMENTS:
            raise self.fail(node, f"the result {fmt_shape(arr.shape)} has {arr.size} elements; "
                                  f"at most {MAX_ELEMENTS} can be drawn")
        return _Val(np.require(arr, requirements="C"), kind)

    def check_shape(self, node: Node, shape: tuple) -> None:
        """A shape the tab can draw: at most MAX_RANK axes, none longer than MAX_ELEMENTS (an empty
        tensor has no elements, but an axis of a billion would still be a billion cells wide)."""
        if len(shape) > MAX_RANK:
            raise self.fail(node, f"the result would have {len(shape)} axes; a tensor here has at most {MAX_RANK} "
                                  f"(rank 0 to {MAX_RANK})")
        if any(n > MAX_ELEMENTS for n in shape):
            raise self.fail(node, f"the result {fmt_shape(shape)} has an axis longer than {MAX_ELEMENTS}, "
                                  "the most the Tensors tab draws")

    def eval(self, node: Node) -> _Val:
        method = getattr(self, "ev_" + type(node).__name__)
        return method(node)

    def ev_Num(self, node: Num) -> _Val:
        return _Val(np.array(node.value, dtype=np.int64 if isinstance(node.value, int) else np.float64))

    def ev_Name(self, node: Name) -> _Val:
        if node.id not in self.env:
            have = ", ".join(sorted(self.env)) or "none yet"
            raise self.fail(node, f"unknown name “{node.id}”; tensors you have: {have}")
        return _Val(np.asarray(self.env[node.id]))

    def ev_ListLit(self, node: ListLit) -> _Val:
        if not node.items:
            raise self.fail(node, "an empty list makes no tensor; put numbers in it")
        arrs = [self.tensor(item) for item in node.items]
        for item, arr in zip(node.items[1:], arrs[1:]):
            if arr.shape != arrs[0].shape:
                raise self.fail(item, f"every item of a list needs the same shape: this one is {fmt_shape(arr.shape)}, "
                                      f"the first is {fmt_shape(arrs[0].shape)}")
        return self.done(node, np.stack(arrs))

    def ev_Neg(self, node: Neg) -> _Val:
        return self.done(node, -self.tensor(node.operand))

    def ev_BinOp(self, node: BinOp) -> _Val:
        """``1 + 2 + … + 200`` is a chain as deep as it is long: walk it without recursion."""
        chain = [node]
        while isinstance(chain[-1].left, BinOp):
            chain.append(chain[-1].left)
        acc = self.tensor(chain[-1].left)
        for link in reversed(chain):
            acc = self.done(link, self.binary(link, link.op, acc, self.tensor(link.right))).arr
        return _Val(acc)

    def binary(self, node: Node, op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            broadcast_plan(a.shape, b.shape)
        except ShapeError as exc:
            err = self.fail(node, str(exc))
            err.details["shapes"] = (a.shape, b.shape)
            raise err from None
        if math.prod(np.broadcast_shapes(a.shape, b.shape)) > MAX_ELEMENTS:
            raise self.fail(node, f"the result would have more than {MAX_ELEMENTS} elements")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return apply_op(op, a, b)

    def ev_Shape(self, node: Shape) -> _Val:
        return _Val(np.array(self.tensor(node.obj).shape, dtype=np.int64), "shape")

    def ev_Index(self, node: Index) -> _Val:
        arr = self.tensor(node.obj)
        if len(node.items) > arr.ndim:
            raise self.fail(node, f"{len(node.items)} indices for a tensor with {arr.ndim} "
                                  f"{'axis' if arr.ndim == 1 else 'axes'} {fmt_shape(arr.shape)}")
        key = []
        for axis, item in enumerate(node.items):
            if isinstance(item, Slice):
                key.append(slice(item.lo, item.hi, item.step))
                continue
            value, start, end = item
            n = arr.shape[axis]
            if not -n <= value < n:
                raise TensorExprError(f"index {value} is out of range for axis {axis} of length {n} "
                                      f"(use 0 … {n - 1}, or -{n} … -1 from the end)", self.text, start, end)
            key.append(value)
        return self.done(node, arr[tuple(key)].copy())

    def ev_Call(self, node: Call) -> _Val:
        args = ([node.obj] if node.obj is not None else []) + list(node.args)
        f = node.func
        if f == "numpy":
            if len(args) != 1:
                raise self.fail(node, ".numpy() takes no arguments")
            return _Val(self.tensor(args[0]), "numpy")
        if f == "constant":
            self.arity(node, args, 1, 1, "tf.constant(value)")
            return self.done(node, self.tensor(args[0]).copy())
        if f in _BINARY:
            self.arity(node, args, 2, 2, f"tf.{f}(x, y)")
            return self.done(node, self.binary(node, _BINARY[f], self.tensor(args[0]), self.tensor(args[1])))
        if f == "as_list":
            val = self.eval(args[0])
            if val.kind != "shape" or len(args) != 1:
                raise self.fail(node, ".as_list() belongs to a shape: t.shape.as_list()")
            return _Val(val.arr, "list")
        if f in ("rank", "size"):
            self.arity(node, args, 1, 1, f"tf.{f}(t)")
            arr = self.tensor(args[0])
            return _Val(np.array(arr.ndim if f == "rank" else arr.size, dtype=np.int64))
        if f == "range":
            self.arity(node, args, 1, 1, "tf.range(n): the numbers 0, 1, …, n-1")
            try:
                n = self.int_list(args[0], "n")
            except TensorExprError:
                n = ()
            if len(n) != 1 or not 1 <= n[0] <= MAX_ELEMENTS:
                raise self.fail(args[0], f"range needs one whole number from 1 to {MAX_ELEMENTS}")
            return _Val(np.arange(n[0], dtype=np.int64))
        if f == "reshape":
            return self.done(node, self.reshape(node, args))
        if f == "transpose":
            return self.done(node, self.transpose(node, args))
        raise self.fail(node, f"unknown function “{f}”")

    def arity(self, node: Node, args: list, lo: int, hi: int, usage: str) -> None:
        if not lo <= len(args) <= hi:
            raise self.fail(node, f"wrong number of arguments: use {usage}")

    def int_list(self, node: Node, what: str) -> tuple[int, ...]:
        if isinstance(node, ListLit) and not node.items:
            return ()
        val = self.eval(node)
        arr = val.arr
        if arr.ndim == 0:
            arr = arr.reshape(1)
        whole = arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and bool(np.all(np.isfinite(arr)))
                                          and bool(np.all(arr == np.round(arr))))
        if arr.ndim != 1 or (arr.size and not whole):
            raise self.fail(node, f"{what} must be a list of whole numbers, like [2, -1]")
        if arr.size and np.max(np.abs(arr)) > MAX_ELEMENTS:
            raise self.fail(node, f"{what} holds {fmt_num(float(np.max(np.abs(arr))))}; no axis here is longer "
                                  f"than {MAX_ELEMENTS}")
        return tuple(int(v) for v in arr)

    def reshape(self, node: Call, args: list) -> np.ndarray:
        usage = "reshape(t, [2, -1]) or t.reshape([2, -1])"
        if len(args) < 2:
            raise self.fail(node, f"reshape needs a new shape: {usage}")
        arr = self.tensor(args[0])
        if len(args) == 2:
            spec = self.int_list(args[1], "the new shape")
        elif node.obj is not None:        # t.reshape(2, -1) as in numpy and torch
            spec = tuple(v for a in args[1:] for v in self.int_list(a, "each length"))
        else:
            raise self.fail(node, f"too many arguments: {usage}")
        try:
            new_shape = infer_shape(arr.shape, spec)
        except ShapeError as exc:
            raise self.fail(node, f"reshape refused: {exc}") from None
        self.check_shape(node, new_shape)
        return arr.reshape(new_shape).copy()

    def transpose(self, node: Call, args: list) -> np.ndarray:
        self.arity(node, args, 1, 2, "transpose(t) or transpose(t, [1, 0])")
        arr = self.tensor(args[0])
        perm = None
        if len(args) == 2:
            perm = self.int_list(args[1], "the new order of the axes")
            if sorted(perm) != list(range(arr.ndim)):
                raise self.fail(args[1], f"the order {list(perm)} must list each axis 0 … {arr.ndim - 1} "
                                         f"of {fmt_shape(arr.shape)} exactly once")
        return np.transpose(arr, perm).copy()

    def ev_Assign(self, node: Assign) -> _Val:
        return self.eval(node.value)


def _describe(node: Node, ev: _Evaluator, res: EvalResult) -> None:
    """Fill in which operation the top of the expression is, and its inputs (for the views)."""
    if isinstance(node, Index):
        res.operation, res.operands = "index", (ev.tensor(node.obj),)
    elif isinstance(node, BinOp) or (isinstance(node, Call) and node.func in _BINARY):
        left, right = (node.left, node.right) if isinstance(node, BinOp) else node.args
        res.operation, res.op = "broadcast", node.op if isinstance(node, BinOp) else _BINARY[node.func]
        res.operands = (ev.tensor(left), ev.tensor(right))
    elif isinstance(node, Call) and node.func in ("reshape", "transpose"):
        first = node.obj if node.obj is not None else node.args[0]
        res.operation, res.operands = node.func, (ev.tensor(first),)
        if node.func == "reshape":
            res.params["new_shape"] = tuple(res.value.shape)
        else:
            src = res.operands[0]
            res.params["perm"] = tuple(range(src.ndim))[::-1] if len(node.args) == (0 if node.obj is not None else 1) \
                else ev.int_list(node.args[-1], "perm")
    elif isinstance(node, Neg):
        res.operation, res.operands = "negate", (ev.tensor(node.operand),)


def evaluate(text: str, env: dict | None = None) -> EvalResult:
    """Evaluate one statement (``expr`` or ``name = expr``) against ``env`` (name -> array)."""
    env = {} if env is None else env
    tree = parse(text)
    ev = _Evaluator(text, env)
    val = ev.eval(tree)
    res = EvalResult(val.arr, val.kind, tree.target if isinstance(tree, Assign) else None)
    _describe(tree.value if isinstance(tree, Assign) else tree, ev, res)
    return res


# ---- which elements an expression reads -----------------------------------------------------
@dataclass(frozen=True)
class Selection:
    name: str                    # the tensor the elements come from
    mask: np.ndarray             # bool, that tensor's shape: selected elements
    positions: np.ndarray        # int, the result's shape: flat position in the source of each element
    result_shape: tuple[int, ...]


def selection(text: str, env: dict) -> Selection | None:
    """For ``t[1, :, -1]`` (or reshapes/transposes of one named tensor), which elements of ``t`` the
    result is made of; None when the expression combines values (arithmetic, literals)."""
    tree = parse(text)
    node = tree.value if isinstance(tree, Assign) else tree
    base = node
    while True:
        if isinstance(base, Index):
            base = base.obj
        elif isinstance(base, Call) and base.func in ("reshape", "transpose", "numpy", "constant"):
            if base.obj is not None:
                base = base.obj
            elif base.args:
                base = base.args[0]
            else:
                return None
        else:
            break
    if not isinstance(base, Name) or base.id not in env:
        return None
    source = np.asarray(env[base.id])
    try:   # the same expression over the positions 0, 1, 2, … tells where each element came from
        positions = evaluate(text, {base.id: np.arange(source.size).reshape(source.shape)}).value
    except TensorExprError:
        return None
    mask = np.zeros(source.shape, bool)
    mask.reshape(-1)[np.asarray(positions).reshape(-1)] = True
    return Selection(base.id, mask, np.asarray(positions), tuple(np.shape(positions)))


def describe_index(text: str, env: dict) -> list[str]:
    """What each index of ``t[…]`` does to each axis, one line per axis (empty if ``text`` is not an
    index of a named tensor): "axis 2: index -1 = 4, counted from the end (the last) → …"."""
    tree = parse(text)
    node = tree.value if isinstance(tree, Assign) else tree
    if not isinstance(node, Index) or not isinstance(node.obj, Name) or node.obj.id not in env:
        return []
    shape = np.shape(env[node.obj.id])
    lines = []
    for axis, n in enumerate(shape):
        item = node.items[axis] if axis < len(node.items) else None
        if item is None:
            lines.append(f"axis {axis}: not indexed → all {n} kept")
        elif isinstance(item, Slice):
            kept = len(range(*slice(item.lo, item.hi, item.step).indices(n)))
            written = text.replace("−", "-")[item.start:item.end]
            lines.append(f"axis {axis}: slice {written} → keeps " + (f"all {n}" if kept == n else f"{kept} of {n}"))
        else:
            i = item[0]
            where = f"index {i} = {i % n}, counted from the end" if i < 0 else f"index {i}"
            last = " (the last)" if i % n == n - 1 else " (the first)" if i % n == 0 else ""
            lines.append(f"axis {axis}: {where}{last} → one element; the axis is dropped")
    return lines


# ---- printing as the notes do ---------------------------------------------------------------
def tf_dtype(arr: np.ndarray) -> str:
    """The dtype TensorFlow gives Python numbers: int32 for whole numbers, float32 otherwise."""
    return "int32" if np.asarray(arr).dtype.kind in "iub" else "float32"


def format_numpy(arr) -> str:
    """``[2 4 6]``, ``[[1 2]\\n [3 4]]``, ``34``: numbers as a student writes them."""
    arr = np.asarray(arr)
    if arr.ndim == 0:
        return fmt_num(arr.item())
    texts = np.vectorize(lambda v: fmt_num(v), otypes=[object])(arr) if arr.size else arr.astype(object)
    width = max((len(t) for t in texts.reshape(-1)), default=1) if arr.ndim > 1 else 0

    def rec(a, depth: int) -> str:
        if a.ndim == 1:
            return "[" + " ".join(t.rjust(width) for t in a) + "]"
        sep = "\n" * (a.ndim - 1) + " " * (depth + 1)
        return "[" + sep.join(rec(sub, depth + 1) for sub in a) + "]"

    return rec(texts, 0)


def format_tensor(arr) -> str:
    """``tf.Tensor([2 4 6], shape=(3,), dtype=int32)`` as the notes print a tensor."""
    arr = np.asarray(arr)
    return f"tf.Tensor({format_numpy(arr)}, shape={fmt_shape(arr.shape)}, dtype={tf_dtype(arr)})"


def format_value(result: EvalResult) -> str:
    if result.kind == "shape":
        return fmt_shape(result.value.tolist())
    if result.kind == "list":
        return "[" + ", ".join(str(int(v)) for v in result.value) + "]"
    if result.kind == "numpy":
        return format_numpy(result.value)
    return format_tensor(result.value)


# names under which desktopnn.engine exports these (``evaluate`` alone would be ambiguous there)
evaluate_tensor_expr = evaluate
parse_tensor_expr = parse
tensor_selection = selection
