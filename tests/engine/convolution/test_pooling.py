"""pool2d against torch.nn.functional pooling and hand-made Keras 'same' cases (notes 2.7)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from desktopnn.engine import conv2d, output_size, pool2d
from desktopnn.engine.convolution.padding import axis_padding


def torch_pool(x: np.ndarray, pool, strides, padding: str, mode: str) -> np.ndarray:
    """Reference: explicit F.pad with Keras's 'same' split, then torch pooling without padding."""
    (ph, pw), (sh, sw) = pool, strides
    h, w, _ = x.shape
    if padding == "same":
        top, bottom = axis_padding(h, ph, sh, "same")
        left, right = axis_padding(w, pw, sw, "same")
    else:
        top = bottom = left = right = 0
    t = torch.from_numpy(x).permute(2, 0, 1).unsqueeze(0).double()  # (1, C, H, W)
    pads = (left, right, top, bottom)
    if mode == "max":
        y = F.max_pool2d(F.pad(t, pads, value=-float("inf")), (ph, pw), (sh, sw))
    else:  # Keras ignores padded cells: sum of real cells / number of real cells
        sums = F.avg_pool2d(F.pad(t, pads), (ph, pw), (sh, sw)) * (ph * pw)
        counts = F.avg_pool2d(F.pad(torch.ones_like(t), pads), (ph, pw), (sh, sw)) * (ph * pw)
        y = sums / counts
    return y[0].permute(1, 2, 0).numpy()


@given(h=st.integers(1, 9), w=st.integers(1, 9), c=st.integers(1, 3), ph=st.integers(1, 4), pw=st.integers(1, 4),
       sh=st.integers(1, 4), sw=st.integers(1, 4), padding=st.sampled_from(["valid", "same"]),
       mode=st.sampled_from(["max", "avg"]), seed=st.integers(0, 2**16))
def test_pool2d_matches_torch(h, w, c, ph, pw, sh, sw, padding, mode, seed):
    assume(padding == "same" or (ph <= h and pw <= w))
    x = np.random.default_rng(seed).integers(-9, 10, size=(h, w, c)).astype(np.float64)
    ours = pool2d(x, (ph, pw), (sh, sw), padding, mode)
    ref = torch_pool(x, (ph, pw), (sh, sw), padding, mode)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert ours.shape[:2] == (output_size(h, ph, sh, padding), output_size(w, pw, sw, padding))


@given(h=st.integers(2, 8), w=st.integers(2, 8), k=st.integers(2, 4), s=st.integers(1, 3), seed=st.integers(0, 999))
def test_symmetric_padding_average_matches_count_include_pad_false(h, w, k, s, seed):
    """Where Keras's 'same' padding happens to be symmetric, torch's count_include_pad=False agrees."""
    top, bottom = axis_padding(h, k, s, "same")
    left, right = axis_padding(w, k, s, "same")
    assume(top == bottom and left == right and 2 * top <= k and 2 * left <= k)
    x = np.random.default_rng(seed).normal(size=(h, w))
    ref = F.avg_pool2d(torch.from_numpy(x)[None, None], k, s, padding=(top, left), count_include_pad=False)[0, 0]
    np.testing.assert_allclose(pool2d(x, k, s, "same", "avg"), ref.numpy(), rtol=1e-12)
    with_pad = F.avg_pool2d(torch.from_numpy(x)[None, None], k, s, padding=(top, left), count_include_pad=True)[0, 0]
    if top or left:  # counting padding as zeros would give a different answer
        assert not np.allclose(pool2d(x, k, s, "same", "avg"), with_pad.numpy())


def test_keras_same_hand_made_square():
    x = np.arange(1, 10).reshape(3, 3)  # 1..9; 'same', pool 2, stride 2: one padding row/column at the bottom/right
    np.testing.assert_array_equal(pool2d(x, 2, None, "same", "max"), [[5, 6], [8, 9]])
    np.testing.assert_array_equal(pool2d(x, 2, None, "same", "avg"), [[3, 4.5], [7.5, 9]])


def test_keras_same_puts_the_extra_column_on_the_right():
    x = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
    np.testing.assert_array_equal(pool2d(x, (1, 2), (1, 2), "same", "max"), [[2, 4, 5], [7, 9, 10]])
    np.testing.assert_array_equal(pool2d(x, (1, 2), (1, 2), "same", "avg"), [[1.5, 3.5, 5], [6.5, 8.5, 10]])


def test_notes_7x7_to_3x3_with_keras_defaults():
    x = np.random.default_rng(3).integers(0, 10, size=(7, 7))
    out = pool2d(x)  # MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")
    assert out.shape == (3, 3)
    assert out[0, 0] == x[:2, :2].max() and out[2, 2] == x[4:6, 4:6].max()


def test_channels_are_pooled_separately_and_dtypes():
    x = np.stack([np.eye(4), -np.eye(4), np.full((4, 4), 2.0)], axis=-1)
    out = pool2d(x, 2)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out[:, :, 0], [[1, 0], [0, 1]])
    np.testing.assert_array_equal(out[:, :, 1], [[0, 0], [0, 0]])
    assert pool2d(np.ones((4, 4), np.uint8)).dtype == np.float32
    assert pool2d(np.ones((4, 4), np.float32)).dtype == np.float32
    assert pool2d([[1, 2], [3, 4]]).dtype == np.float64


def test_max_pooling_equals_a_dilated_view_of_conv_shapes():
    """Pooling and convolution share the output-size arithmetic."""
    x = np.ones((7, 5))
    assert pool2d(x, 3, 2).shape == conv2d(x, np.ones((3, 3)), stride=2).shape


@pytest.mark.parametrize("kwargs, words", [
    (dict(pool_size=4), "larger than the padded input"),
    (dict(pool_size=0), "at least 1×1"),
    (dict(pool_size=2, strides=0), "stride must be at least 1"),
    (dict(pool_size=2, mode="median"), "'max' or 'avg'"),
    (dict(pool_size=2, padding=(2, 0, 0, 0)), "only padding cells"),
    (dict(pool_size=2, padding="sideways"), "padding must be"),
])
def test_errors_are_sentences(kwargs, words):
    with pytest.raises(ValueError, match=words):
        pool2d(np.ones((3, 3)), **kwargs)


def test_full_and_explicit_padding_ignore_padded_cells():
    x = np.array([[-1.0, -2.0], [-3.0, -4.0]])
    out = pool2d(x, 2, 1, "full", "max")  # corner windows hold one real cell and three padding cells
    np.testing.assert_array_equal(out, [[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]])
    np.testing.assert_array_equal(pool2d(x, 2, 1, (1, 0, 1, 0), "avg"), [[-1, -1.5], [-2, -2.5]])
