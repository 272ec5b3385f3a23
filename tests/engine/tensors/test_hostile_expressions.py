"""Any text in the tensor language gives a result or one sentence, within a time and memory bound
(issue 16): token soup and well-formed expressions nested at random, against a realistic set of tensors."""

import os
import sys

import numpy as np
from hypothesis import example, given, settings

from desktopnn.engine.tensors.expr import (LIMITS, MAX_ELEMENTS, MAX_RANK, TensorExprError, describe_index, evaluate,
                                           format_value, selection)
from desktopnn.engine.tensors.parse import MAX_DEPTH, MAX_WHOLE

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
from hostile_inputs import ESCAPED_BEFORE, bounded, expressions  # noqa: E402


def env() -> dict:
    """The kind of tensors a student has made: t, a scalar, an empty one, a result holding nan and inf."""
    return {"t": np.arange(30).reshape(3, 2, 5), "s": np.array(7), "e": np.zeros((0, 3)),
            "r1": np.array([[np.nan, np.inf], [-np.inf, 1.5]])}


def check(text: str) -> None:
    tensors = env()
    before = {k: v.copy() for k, v in tensors.items()}
    with bounded(seconds=2.0, megabytes=64):
        try:
            res = evaluate(text, tensors)
        except TensorExprError as exc:
            assert exc.message and "\n" not in exc.message and len(exc.message) < 400, exc.message
            res = None
        if res is not None:
            assert res.value.ndim <= MAX_RANK and res.value.size <= MAX_ELEMENTS
            assert all(n <= MAX_ELEMENTS for n in res.value.shape)
            assert isinstance(format_value(res), str)
        for also in (selection, describe_index):      # the tab calls these on the same text
            try:
                also(text, tensors)
            except TensorExprError:
                pass
    for k, v in before.items():                      # tensors are never changed in place
        np.testing.assert_array_equal(tensors[k], v)


@settings(max_examples=400)
@given(expressions())
@example("range(1e999)").via("issue 16")
@example("9" * 25).via("issue 16")
@example("reshape(range(1), [" + ", ".join(["1"] * 65) + "])").via("issue 16")
@example("transpose(t, [1e999,0,1])").via("issue 16")
@example("(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5)).via("deepest nesting")
@example("-" * 300 + "1").via("deepest signs")
@example("+".join(["1"] * 200)).via("a chain as deep as it is long")
@example("*".join(["t"] * 130)).via("a chain of tensors")
def test_any_expression_gives_a_result_or_one_sentence(text):
    check(text)


def test_the_cases_that_escaped_before_now_say_why():
    said = {}
    for text in ESCAPED_BEFORE:
        try:
            evaluate(text, env())
        except TensorExprError as exc:
            said[text] = exc.message
    assert "range needs one whole number from 1 to 10000" in said["range(1e999)"]
    assert f"the largest is {MAX_WHOLE}" in said["9" * 25]
    assert "65 axes; a tensor here has at most 4" in said[ESCAPED_BEFORE[2]]
    assert "must be a list of whole numbers" in said["transpose(t, [1e999, 0, 1])"]
    assert "no axis here is longer than 10000" in said["reshape(e, [0, 100000000000])"]
    assert "5 axes" in said["reshape(range(32), [2, 2, 2, 2, 2])"]
    assert evaluate("+".join(["1"] * 200)).value == 200        # long chains are fine, not too deep


def test_the_limits_are_stated_in_words():
    assert LIMITS == ("a tensor has at most 4 axes and 10000 elements; brackets and signs nest at most 40 deep; "
                      "an expression is at most 400 characters")
    try:
        evaluate("(" * 41 + "1" + ")" * 41)
    except TensorExprError as exc:
        assert exc.message == "brackets and signs are nested more than 40 deep here; the Tensors tab reads at most 40 levels"
    else:
        raise AssertionError("41 levels were read")
