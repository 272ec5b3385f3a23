"""conv2d and explain_conv against independent references: torch.nn.functional and the course notes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from desktopnn.engine import EXERCISE, NOTES_308, conv2d, explain_conv, output_shape, resolve_padding
from desktopnn.engine.convolution.conv import feature_maps


def reference(image, kernels, bias, stride, pads, dilation=1):
    """torch reference in NCHW with explicit padding (top, bottom, left, right)."""
    x = torch.tensor(image, dtype=torch.float64).permute(2, 0, 1)[None]
    w = torch.tensor(kernels, dtype=torch.float64).permute(3, 2, 0, 1)
    top, bottom, left, right = pads
    x = F.pad(x, (left, right, top, bottom))
    y = F.conv2d(x, w, torch.tensor(bias, dtype=torch.float64), stride=stride, dilation=dilation)
    return y[0].permute(1, 2, 0).numpy()


def keras_same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


@st.composite
def conv_cases(draw):
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    c = draw(st.sampled_from([1, 2, 3]))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k = draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 2),
                             st.tuples(*[st.integers(0, 2)] * 4)))
    seed = draw(st.integers(0, 2**16))
    return h, w, c, kh, kw, k, (sh, sw), padding, seed


@given(conv_cases())
def test_conv2d_matches_torch(case):
    h, w, c, kh, kw, k, stride, padding, seed = case
    rng = np.random.default_rng(seed)
    image = rng.integers(-5, 6, size=(h, w, c)).astype(np.float64)
    kernels = rng.integers(-3, 4, size=(kh, kw, c, k)).astype(np.float64)
    bias = rng.integers(-2, 3, size=k).astype(np.float64)
    # independent padding arithmetic, not the engine's
    if padding == "valid":
        pads = (0, 0, 0, 0)
    elif padding == "same":
        pads = (*keras_same_pads(h, kh, stride[0]), *keras_same_pads(w, kw, stride[1]))
    elif padding == "full":
        pads = (kh - 1, kh - 1, kw - 1, kw - 1)
    elif isinstance(padding, int):
        pads = (padding,) * 4
    else:
        pads = padding
    if kh > h + pads[0] + pads[1] or kw > w + pads[2] + pads[3]:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d(image, kernels, bias, stride, padding)
        return
    got = conv2d(image, kernels, bias, stride, padding)
    want = reference(image, kernels, bias, stride, pads)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-9)
    # the engine's own output_shape agrees with what was computed
    assert output_shape((h, w), (kh, kw), stride, padding) == got.shape[:2]


def test_same_padding_puts_extra_at_bottom_right_like_keras():
    # n=4, k=2, s=1: one padding row needed -> Keras puts it at the bottom
    assert resolve_padding("same", (4, 4), (2, 2)) == (0, 1, 0, 1)
    # n=5, k=4, s=1: three rows -> 1 top, 2 bottom
    assert resolve_padding("same", (5, 5), (4, 4)) == (1, 2, 1, 2)
    # with stride 2 on n=5, k=3: out=3, total=(3-1)*2+3-5=2 -> 1, 1
    assert resolve_padding("same", (5, 5), (3, 3), stride=2) == (1, 1, 1, 1)
    img = np.arange(16, dtype=float).reshape(4, 4)
    out = conv2d(img, np.ones((2, 2)), padding="same")
    assert out.shape == (4, 4)
    assert out[3, 3] == img[3, 3]  # bottom-right window sees only the last pixel and padding
    assert out[0, 0] == img[0:2, 0:2].sum()


def test_output_shapes_for_2d_3d_and_4d_kernels():
    img = np.ones((6, 7, 3))
    assert conv2d(img, np.ones((3, 3, 3))).shape == (4, 5)
    assert conv2d(img, np.ones((3, 3, 3, 1))).shape == (4, 5, 1)
    assert conv2d(img, np.ones((3, 3, 3, 4)), bias=np.arange(4)).shape == (4, 5, 4)
    assert conv2d(np.ones((6, 7)), np.ones((3, 3))).shape == (4, 5)


def test_torch_inputs_and_dilation():
    rng = np.random.default_rng(1)
    img = rng.normal(size=(9, 9, 2))
    ker = rng.normal(size=(3, 3, 2, 2))
    got = conv2d(torch.tensor(img), torch.tensor(ker), dilation=2)
    want = reference(img, ker, np.zeros(2), 1, (0, 0, 0, 0), dilation=2)
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_uint8_photo_is_computed_in_float32_close_to_float64():
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
    ker = rng.normal(size=(3, 3, 3, 2))
    got = conv2d(img, ker, padding="same")
    assert got.dtype == np.float32
    want = reference(img.astype(float), ker, np.zeros(2), 1, (1, 1, 1, 1))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(np.ones((5, 5, 3)), np.ones((3, 3))), "kernel depth 1 must equal the image's 3 channels"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3, 2))), "kernel depth 2 must equal the image's 1 channel"),
    (lambda: conv2d(np.ones((2, 2)), np.ones((3, 3))), "larger than the padded input"),
    (lambda: conv2d(np.ones((4, 4)), np.ones((3, 3)), stride=0), "stride must be at least 1"),
    (lambda: conv2d(np.array([[1.0, np.nan], [0, 1]]), np.ones((1, 1))), "not a finite number"),
    (lambda: conv2d(np.ones((4, 4)), np.array([[1, np.inf]])), "not a finite number"),
    (lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding="middle"), "padding must be"),
    (lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=-1), "cannot be negative"),
    (lambda: conv2d(np.ones((4, 4)), np.ones((2, 2, 1, 3)), bias=[1, 2]), "one per kernel"),
    (lambda: conv2d([[1, 2], [3]], np.ones((1, 1))), "rectangular grid of numbers"),
    (lambda: conv2d(np.ones((4, 4)), [["a", "b"]]), "only numbers"),
])
def test_bad_arguments_give_sentences(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_notes_308_line_exactly():
    img, kern = NOTES_308["image"], NOTES_308["kernel"]
    red = explain_conv(img[:, :, 0], kern.values[:, :, 0], None, 0, 0, padding=1)
    assert str(red) == "0*-1 + 0*-1 + 0*1 + 0*0 + 156*1 + 155*-1 + 0*0 + 153*1 + 154*1 = 308"
    full = explain_conv(img, kern.values, kern.bias, 0, 0, padding=NOTES_308["padding"])
    assert full.lines()[0] == "R: " + str(red)
    assert list(full.channel_sums) == [308, -498, 164]
    assert full.total == -25
    assert full.lines()[-1] == "308 + -498 + 164 + 1 (bias) = -25"
    assert full.padded[0].all() and full.padded[:, 0].all() and not full.padded[1:, 1:].any()
    # and the torch path agrees with the arithmetic
    assert conv2d(img, kern.values, kern.bias, padding=1)[0, 0] == -25


def exercise_by_hand(image, kernel, bias):
    """Notes 2.11 with plain loops: valid padding, stride 1."""
    kh, kw = len(kernel), len(kernel[0])
    rows, cols = len(image) - kh + 1, len(image[0]) - kw + 1
    out = [[0.0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            s = bias
            for i in range(kh):
                for j in range(kw):
                    s += image[r + i][c + j] * kernel[i][j]
            out[r][c] = s
    return out


def test_exercise_answers():
    image = [[23, 255, 40, 12, 4], [21, 34, 200, 43, 200], [160, 180, 17, 190, 80], [210, 190, 40, 3, 240]]
    by_hand = {
        "Exercise kernel 1": ([[1, 0], [0, 1]], 0),
        "Exercise kernel 2": ([[0, 1], [1, 0]], -1),
        "Exercise kernel 3": ([[0.9, 1.1], [-2.8, 0.8]], 0.15),
        "Exercise kernel 4": ([[0.9, 1.1], [0, 0.8]], -1.6),
    }
    assert EXERCISE["image"].tolist() == image
    for kern in EXERCISE["kernels"]:
        k, b = by_hand[kern.name]
        assert kern.values.tolist() == k and kern.bias == b
        got = conv2d(EXERCISE["image"], kern.values, kern.bias)
        np.testing.assert_allclose(got, exercise_by_hand(image, k, b), atol=1e-9)
        for r in range(3):
            for c in range(4):
                assert explain_conv(EXERCISE["image"], kern.values, kern.bias, r, c).total == pytest.approx(got[r, c])
    # one value worked out in the open: kernel 1 at (0, 0) is 23*1 + 255*0 + 21*0 + 34*1 = 57
    assert conv2d(EXERCISE["image"], [[1, 0], [0, 1]])[0, 0] == 57
    assert str(explain_conv(EXERCISE["image"], [[1, 0], [0, 1]], 0, 0, 0)) == "23*1 + 255*0 + 21*0 + 34*1 = 57"


def test_explain_with_stride_padding_and_bias():
    img = np.arange(25, dtype=float).reshape(5, 5)
    e = explain_conv(img, np.ones((3, 3)), 0.5, 1, 1, stride=2, padding="same")
    assert e.total == pytest.approx(conv2d(img, np.ones((3, 3)), 0.5, 2, "same")[1, 1])
    assert "+ 0.5 (bias) = " in e.lines()[-1]
    with pytest.raises(ValueError, match="outside the 3×3 feature map"):
        explain_conv(img, np.ones((3, 3)), 0, 3, 0, stride=2, padding="same")


def test_feature_maps_groups_kernels_of_different_sizes():
    rng = np.random.default_rng(3)
    img = rng.normal(size=(10, 12, 3))
    ks = [rng.normal(size=(3, 3, 3)), rng.normal(size=(2, 2, 3)), rng.normal(size=(3, 3, 3))]
    maps = feature_maps(img, ks, [0.5, -1, 0], padding="same", relu=True)
    for k, b, m in zip(ks, [0.5, -1, 0], maps):
        np.testing.assert_allclose(m, np.maximum(conv2d(img, k, b, padding="same"), 0), atol=1e-9)
