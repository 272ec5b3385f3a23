"""Step lists (notes 2.5–2.7): coverage arithmetic, outputs against conv2d/pool2d, the size formula."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktopnn.engine import (axis_reads, conv2d, conv_steps, expected_reads, explain_conv, output_size, pool2d,
                              pool_steps, size_formula)

paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 2),
                     st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)))


@given(n=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), d=st.integers(1, 3),
       padding=st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 3),
                         st.tuples(st.integers(0, 3), st.integers(0, 3))))
def test_output_size_equals_the_real_output_shape(n, k, s, d, padding):
    """output_size on each axis is conv2d's real output shape, or conv2d refuses with a sentence."""
    expected = output_size(n, k, s, padding, d)
    pad2d = padding if not isinstance(padding, tuple) else (padding[0], padding[1], padding[0], padding[1])
    image, kernel = np.ones((n, 3)), np.ones((k, 1))
    if expected < 1:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d(image, kernel, stride=s, padding=pad2d, dilation=d)
        return
    out = conv2d(image, kernel, stride=(s, 1), padding=pad2d, dilation=(d, 1))
    assert out.shape[0] == expected
    assert conv_steps(image, kernel, stride=(s, 1), padding=pad2d, dilation=(d, 1)).out_shape[0] == expected
    assert size_formula(n, k, s, *_split(n, k, s, padding, d), d).endswith(f"= {expected}")


def _split(n, k, s, padding, d):
    from desktopnn.engine.convolution.padding import axis_padding

    return axis_padding(n, k, s, padding, d)


@given(h=st.integers(1, 9), w=st.integers(1, 9), c=st.integers(1, 3), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 3), sw=st.integers(1, 3), dh=st.integers(1, 2), dw=st.integers(1, 2), padding=paddings,
       bias=st.integers(-3, 3), seed=st.integers(0, 999))
def test_conv_steps_cover_and_equal_conv2d(h, w, c, kh, kw, sh, sw, dh, dw, padding, bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, size=(h, w, c)).astype(float)
    kern = rng.integers(-2, 3, size=(kh, kw, c)).astype(float)
    try:
        ref = conv2d(x, kern, bias, (sh, sw), padding, (dh, dw))
    except ValueError:
        with pytest.raises(ValueError):
            conv_steps(x, kern, bias, (sh, sw), padding, (dh, dw))
        return
    plan = conv_steps(x, kern, bias, (sh, sw), padding, (dh, dw))
    assert len(plan) == ref.shape[0] * ref.shape[1]
    np.testing.assert_allclose(plan.output[:, :, 0], ref, atol=1e-9)
    np.testing.assert_array_equal(plan.reads(), expected_reads(plan))
    # every window tap is a padding cell exactly when the padded input says so
    mask = plan.padding_mask()
    padded_img = plan.padded_image()
    for step in plan.steps:
        taps = step.taps.reshape(-1, 2)
        np.testing.assert_array_equal(mask[taps[:, 0], taps[:, 1]], step.padded.ravel())
        np.testing.assert_array_equal(padded_img[taps[:, 0], taps[:, 1]], step.window.reshape(-1, c))
        assert step.products.sum() + bias == pytest.approx(step.value[0])


@given(h=st.integers(1, 9), w=st.integers(1, 9), c=st.integers(1, 3), ph=st.integers(1, 4), pw=st.integers(1, 4),
       sh=st.integers(1, 4), sw=st.integers(1, 4), padding=st.sampled_from(["valid", "same"]),
       mode=st.sampled_from(["max", "avg"]), seed=st.integers(0, 999))
def test_pool_steps_cover_and_equal_pool2d(h, w, c, ph, pw, sh, sw, padding, mode, seed):
    x = np.random.default_rng(seed).integers(0, 10, size=(h, w, c)).astype(float)
    try:
        ref = pool2d(x, (ph, pw), (sh, sw), padding, mode)
    except ValueError:
        with pytest.raises(ValueError):
            pool_steps(x, (ph, pw), (sh, sw), padding, mode)
        return
    plan = pool_steps(x, (ph, pw), (sh, sw), padding, mode)
    np.testing.assert_allclose(plan.output, ref, atol=1e-12)
    np.testing.assert_array_equal(plan.reads(), expected_reads(plan))
    for step in plan.steps:
        assert step.real_count == (~step.padded).sum() >= 1
        if mode == "max":
            for ch in range(c):
                r, col = step.max_cell(ch)
                assert x[r, col, ch] == step.value[ch]
                assert (r, col) in step.read_cells()


def test_steps_run_in_reading_order():
    plan = conv_steps(np.zeros((5, 5)), np.ones((3, 3)), stride=2)
    assert [(s.out_row, s.out_col) for s in plan.steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [s.index for s in plan.steps] == [0, 1, 2, 3]
    assert plan.steps[1].read_cells()[0] == (0, 2)


def test_reads_by_hand():
    """Stride 2 skips nothing with a 3-wide window on 5 cells: the middle column is read twice."""
    np.testing.assert_array_equal(axis_reads(5, 3, 2, 0, 2), [1, 1, 2, 1, 1])
    np.testing.assert_array_equal(axis_reads(7, 2, 2, 0, 3), [1, 1, 1, 1, 1, 1, 0])  # notes 2.7: last row unused
    np.testing.assert_array_equal(axis_reads(4, 3, 1, 1, 4), [2, 3, 3, 2])           # 'same' padding
    np.testing.assert_array_equal(axis_reads(5, 2, 1, 0, 3, d=2), [1, 1, 2, 1, 1])   # dilation 2


def test_conv_step_matches_explain_conv_and_the_notes():
    image = np.zeros((3, 3, 3))
    image[:, :, 0] = [[156, 155, 0], [153, 154, 0], [0, 0, 0]]
    kernel = np.zeros((3, 3, 3))
    kernel[:, :, 0] = [[-1, -1, 1], [0, 1, -1], [0, 1, 1]]
    plan = conv_steps(image, kernel, bias=1, padding=1)
    step = plan.steps[0]
    ref = explain_conv(image, kernel, 1, 0, 0, padding=1)
    assert step.lines() == ref.lines()
    assert step.lines()[0] == "R: 0*-1 + 0*-1 + 0*1 + 0*0 + 156*1 + 155*-1 + 0*0 + 153*1 + 154*1 = 308"
    assert step.value[0] == 309
    assert step.padded.sum() == 5


def test_pool_lines_say_which_value_and_where():
    x = np.array([[1, 3, 0], [2, 9, 4], [5, 6, 7]])
    plan = pool_steps(x, 2, 2, "same", "max")
    assert plan.steps[0].lines() == ["max(1, 3, 2, 9) = 9 at row 2, column 2"]
    assert plan.steps[3].lines() == ["max(7, pad, pad, pad) = 7 at row 3, column 3 (padding is ignored)"]
    avg = pool_steps(x, 2, 2, "same", "avg")
    assert avg.steps[1].lines() == ["(0 + 4) / 2 = 2 (2 padding cells are not counted)"]


def test_size_formula_text():
    assert size_formula(7, 2, 2, 0, 0) == "floor((7 + 0 − 1·(2−1) − 1) / 2) + 1 = floor(5 / 2) + 1 = 3"
    assert size_formula(6, 3, 2, 0, 1) == "floor((6 + 1 − 1·(3−1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3"
    assert "does not fit" in size_formula(2, 5, 1, 0, 0)
    plan = conv_steps(np.zeros((6, 4)), np.ones((3, 3)), stride=(2, 1), padding="same", dilation=1)
    assert plan.formula(0).endswith("= 3") and plan.formula(1).endswith("= 4")


def test_impossible_combination_is_a_sentence():
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_steps(np.zeros((3, 3)), np.ones((5, 5)))
    with pytest.raises(ValueError, match="spanning 5×5 with dilation"):
        conv_steps(np.zeros((4, 4)), np.ones((3, 3)), dilation=2)
