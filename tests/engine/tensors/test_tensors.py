"""Tensor expressions (notes 2.12): the notes' outputs, agreement with torch, refusals that explain."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from desktopnn.engine.tensors.presets import TENSOR_PRESETS, run_lines, run_preset
from desktopnn.engine.tensors.shapes import (BroadcastError, ReshapeError, aligned_table, broadcast_plan,
                                            broadcast_stages, infer_shape, reshape_flow, transpose_order)
from desktopnn.engine.tensors.expr import (TensorExprError, describe_index, evaluate, format_numpy, format_tensor,
                                      selection)

# the notes' printed outputs, copied from course-notes.md section 2.12
NOTES_OUTPUT = {
    "fibonacci": ["[0 1 1 2 3 5 8 13 21 34]", "First: 0", "Second: 1", "Last: 34"],
    "reshape": ["(3, 1)", "(1, 3)"],
    "broadcast": ["tf.Tensor([2 4 6], shape=(3,), dtype=int32)"] * 3,
    "rank3": ["A 3-axis tensor, shape: [3, 2, 5]"],
    "rank4": ["A rank-4 tensor, shape: [3, 2, 4, 5]"],
}


@pytest.mark.parametrize("key", sorted(NOTES_OUTPUT))
def test_preset_prints_the_notes_output(key):
    assert run_preset(key).output == NOTES_OUTPUT[key]


def test_every_preset_is_checked_and_makes_its_tensors():
    assert {p.key for p in TENSOR_PRESETS} == set(NOTES_OUTPUT)
    run = run_preset("reshape")
    assert run.env["x"].shape == (3, 1) and run.env["reshaped"].shape == (1, 3)
    assert run.env["reshaped"].tolist() == [[1, 2, 3]]
    assert run_preset("rank4").env["rank_4_tensor"].shape == (3, 2, 4, 5)
    assert run_preset("broadcast").env["y"].shape == ()


def test_preset_lines_are_the_notes_code_run_by_our_language():
    out = run_lines(["x = tf.constant([1, 2, 3])", "print(x * 2)", 'print("Last:", x[-1].numpy())']).output
    assert out == ["tf.Tensor([2 4 6], shape=(3,), dtype=int32)", "Last: 3"]


# ---- agreement with torch -----------------------------------------------------------------
def _lit(arr: np.ndarray) -> str:
    return str(arr.tolist()) if arr.ndim else str(arr.item())


@st.composite
def expression_cases(draw):
    """(expression text, env, torch result): a random tensor through a random chain of operations."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    values = np.array(draw(st.lists(st.integers(-9, 9), min_size=math.prod(shape), max_size=math.prod(shape))))
    t_np = values.reshape(shape)
    text, ref = "t", torch.tensor(t_np)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["reshape", "index", "transpose", "broadcast", "method"]))
        if kind in ("reshape", "method"):
            size = ref.numel()
            dims = []
            rest = size
            for _ in range(draw(st.integers(0, 2))):
                d = draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
                dims.append(d)
                rest //= d
            dims.append(rest)
            dims = draw(st.permutations(dims))
            spec = list(dims)
            if draw(st.booleans()):
                spec[draw(st.integers(0, len(spec) - 1))] = -1
            text = f"reshape({text}, {spec})" if kind == "reshape" else f"({text}).reshape({spec})"
            ref = ref.reshape(spec)
        elif kind == "index" and ref.dim() > 0:
            items, key = [], []
            for axis in range(draw(st.integers(1, ref.dim()))):
                n = ref.shape[axis]
                if draw(st.booleans()) or ref.dim() == 1:
                    lo = draw(st.integers(-n, n - 1))
                    hi = draw(st.one_of(st.none(), st.integers(-n, n)))
                    step = draw(st.one_of(st.none(), st.integers(1, 3)))
                    items.append(f"{lo}:{'' if hi is None else hi}" + ("" if step is None else f":{step}"))
                    key.append(slice(lo, hi, step))
                else:
                    i = draw(st.integers(-n, n - 1))
                    items.append(str(i))
                    key.append(i)
            sliced = ref[tuple(key)]
            if sliced.numel() == 0:
                continue
            text, ref = f"{text}[{', '.join(items)}]", sliced
        elif kind == "transpose" and ref.dim() > 0:
            perm = draw(st.permutations(list(range(ref.dim()))))
            text, ref = f"transpose({text}, {list(perm)})", ref.permute(*perm).contiguous()
        elif kind == "broadcast":
            other_shape = [draw(st.sampled_from([1, n])) for n in ref.shape][draw(st.integers(0, ref.dim())):]
            other = np.array(draw(st.lists(st.integers(1, 5), min_size=math.prod(other_shape),
                                           max_size=math.prod(other_shape)))).reshape(other_shape)
            op = draw(st.sampled_from("+-*/"))
            o = torch.tensor(other)
            if draw(st.booleans()):
                text, ref = f"({text}) {op} {_lit(other)}", _torch_op(op, ref, o)
            else:
                text, ref = f"{_lit(other)} {op} ({text})", _torch_op(op, o, ref)
    if draw(st.booleans()):
        text, ref = f"-({text})", -ref
    return text, {"t": t_np}, ref


def _torch_op(op, a, b):
    if op == "/":   # torch divides whole numbers in float32; ours (numpy) in float64
        return torch.true_divide(a.double(), b.double())
    return {"+": torch.add, "-": torch.sub, "*": torch.mul}[op](a, b)


@given(expression_cases())
def test_expressions_agree_with_torch(case):
    text, env, ref = case
    got = evaluate(text, env).value
    assert got.shape == tuple(ref.shape), text
    np.testing.assert_allclose(got, ref.double().numpy(), rtol=1e-12, atol=0, err_msg=text)


@given(st.lists(st.integers(1, 5), min_size=0, max_size=4), st.lists(st.integers(1, 5), min_size=0, max_size=4))
def test_broadcast_rule_agrees_with_numpy(a, b):
    try:
        expected = tuple(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        with pytest.raises(BroadcastError, match="aligned from the right"):
            broadcast_plan(a, b)
        return
    assert broadcast_plan(a, b).result_shape == expected


def test_expression_never_changes_its_inputs():
    t = np.arange(6).reshape(2, 3)
    env = {"t": t}
    for text in ["t * 2", "reshape(t, [3, 2])", "transpose(t)", "t[0]", "-t", "tf.constant(t)"]:
        res = evaluate(text, env)
        assert not np.shares_memory(res.value, t), text
    assert t.tolist() == [[0, 1, 2], [3, 4, 5]]


# ---- refusals -------------------------------------------------------------------------------
ESCAPES = [
    "__import__('os')", "t.__class__", "().__class__.__bases__", "open('x')", "lambda: 1", "lambda x: x",
    "'abc'", '"t"', "t.__dict__", "__builtins__", "t._secret", "eval('1')", "exec('x=1')", "getattr(t, 'shape')",
    "t.numpy().__class__", "[x for x in t]", "t if t else t", "import os", "t; 1", "t @ t", "t ** 2", "t == t",
    "{}", "t.T", "t.reshape", "t.tolist()", "tf.io.read_file('x')", "globals()", "reshape", "t.shape.__len__()",
    "t[::0]", "t[1.5]", "", "   ",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_everything_outside_the_grammar_is_refused(text):
    env = {"t": np.arange(6).reshape(2, 3)}
    with pytest.raises(TensorExprError) as info:
        evaluate(text, env)
    err = info.value
    assert 0 <= err.start < max(len(text), 1) + 1 and err.end > err.start
    assert err.pointer().strip().startswith("^")


def test_error_points_at_the_offending_part():
    text = "t + t.__class__"
    with pytest.raises(TensorExprError) as info:
        evaluate(text, {"t": np.zeros(3)})
    err = info.value
    assert text[err.start:err.end] == ".__class__"
    lines = str(err).splitlines()
    assert lines[1].strip() == text and lines[2].index("^") - 2 == text.index(".__class__")
    with pytest.raises(TensorExprError) as info:
        evaluate("open('x')", {})
    assert info.value.start == 0 and info.value.end == 4 and "unknown function" in info.value.message
    with pytest.raises(TensorExprError, match="strings are not part"):
        evaluate("t['a']", {"t": np.zeros(3)})
    with pytest.raises(TensorExprError, match="unknown name “u”; tensors you have: t"):
        evaluate("t + u", {"t": np.zeros(3)})


def test_reshape_refusals_carry_the_arithmetic():
    env = {"t": np.arange(30).reshape(3, 2, 5)}
    with pytest.raises(TensorExprError, match="3·2·5 = 30 elements cannot fill 4·8 = 32"):
        evaluate("reshape(t, [4, 8])", env)
    with pytest.raises(TensorExprError, match=r"30 elements cannot fill \(4, -1\): 30 is not a multiple of 4"):
        evaluate("t.reshape(4, -1)", env)
    with pytest.raises(ReshapeError, match="only one axis can be -1"):
        infer_shape((3, 2, 5), (-1, -1))
    assert infer_shape((3, 2, 5), (5, -1)) == (5, 6)
    assert infer_shape((3, 1), (1, 3)) == (1, 3)
    assert infer_shape((), ()) == ()


def test_broadcast_refusals_name_the_rule():
    env = {"a": np.zeros((2, 3)), "b": np.zeros(4)}
    with pytest.raises(TensorExprError) as info:
        evaluate("a * b", env)
    msg = info.value.message
    assert "aligned from the right" in msg and "axis 1 (the last): 3 vs 4, neither is 1" in msg
    assert info.value.details["shapes"] == ((2, 3), (4,))
    with pytest.raises(BroadcastError, match="axis 0: 2 vs 3, neither is 1"):
        broadcast_plan((2, 1), (3, 5))
    assert aligned_table((2, 3), (4,)) == ["A     2  3", "B        4", "axis  0  1", "      ✓  ✗"]


def test_index_refusals():
    env = {"t": np.arange(30).reshape(3, 2, 5)}
    with pytest.raises(TensorExprError, match="index 3 is out of range for axis 0 of length 3"):
        evaluate("t[3]", env)
    with pytest.raises(TensorExprError, match="4 indices for a tensor with 3 axes"):
        evaluate("t[0, 0, 0, 0]", env)
    with pytest.raises(TensorExprError, match="must list each axis"):
        evaluate("transpose(t, [0, 0, 1])", env)


# ---- helpers for the views ------------------------------------------------------------------
def test_reshape_flow_is_row_major():
    flow = reshape_flow((3, 2, 5), [5, -1])
    assert flow.new_shape == (5, 6)
    assert flow.moves[7] == (7, (0, 1, 2), (1, 1))
    assert [m[0] for m in flow.moves] == list(range(30))
    assert transpose_order((2, 3)) == (0, 3, 1, 4, 2, 5)


def test_broadcast_stages_stretch_with_ghosts():
    stages = broadcast_stages(np.array([1, 2, 3]), np.array(2), "*")
    assert stages[-1].result.tolist() == [2, 4, 6]
    assert stages[-1].b.tolist() == [2, 2, 2]
    assert stages[-1].b_ghost.tolist() == [False, True, True]
    assert not stages[-1].a_ghost.any()
    plan = broadcast_plan((3, 1), (4,))
    assert plan.b_aligned == (1, 4) and plan.result_shape == (3, 4)
    assert [ax.stretched for ax in plan.axes] == ["b", "a"]


def test_selection_mask_and_index_steps():
    env = {"t": np.arange(30).reshape(3, 2, 5)}
    sel = selection("t[1, :, -1]", env)
    assert sel.name == "t" and sel.result_shape == (2,)
    assert sorted(np.flatnonzero(sel.mask)) == [14, 19]
    assert selection("t * 2", env) is None
    steps = describe_index("t[1, :, -1]", env)
    assert steps[1] == "axis 1: slice : → keeps all 2"
    assert describe_index("t[::2]", env)[0] == "axis 0: slice ::2 → keeps 2 of 3"
    assert "counted from the end (the last)" in steps[2]


def test_printing_as_the_notes():
    assert format_numpy(np.array([0, 1, 1, 2, 3, 5, 8, 13, 21, 34])) == "[0 1 1 2 3 5 8 13 21 34]"
    assert format_numpy(np.array(34)) == "34"
    assert format_numpy(np.array([[1, 20], [3, 4]])) == "[[ 1 20]\n [ 3  4]]"
    assert format_tensor(np.array([2.5, 4.0])) == "tf.Tensor([2.5 4], shape=(2,), dtype=float32)"
    assert format_tensor(np.array(7)) == "tf.Tensor(7, shape=(), dtype=int32)"
