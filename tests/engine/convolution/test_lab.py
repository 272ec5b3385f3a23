"""The Convolution lab's recompute (engine.lab) against an independent numpy reference (notes 2.2, 2.3)."""

from __future__ import annotations

import numpy as np
import pytest

from desktopnn.engine.convolution.explain import explain_conv
from desktopnn.engine.convolution.kernels import EXERCISE_IMAGE, EXERCISE_KERNELS, KERNEL_PRESETS, NOTES_308
from desktopnn.engine.convolution.lab import GRAYSCALE, REPLICATE, compute_feature_maps, fit_depth, recompute


def ref_conv(img, k, bias=0.0, pad=0):
    img = np.asarray(img, dtype=np.float64)
    img = img[:, :, None] if img.ndim == 2 else img
    k = np.asarray(k, dtype=np.float64)
    k = k[:, :, None] if k.ndim == 2 else k
    img = np.pad(img, ((pad, pad), (pad, pad), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(img, k.shape[:2], axis=(0, 1))
    return np.einsum("ijcab,abc->ij", win, k) + bias


def test_recompute_keeps_what_it_convolved_so_each_cell_can_be_explained():
    img, kern = NOTES_308["image"], NOTES_308["kernel"]
    res = recompute(img, [kern.values], [kern.bias], padding=1)
    assert res.image.shape == (5, 5, 3) and res.kernels[0].shape == (3, 3, 3)
    np.testing.assert_allclose(res.maps[0], ref_conv(img, kern.values, 1.0, pad=1))
    ex = explain_conv(res.image, res.kernels[0], res.biases[0], 0, 0, stride=res.stride, padding=res.padding)
    assert ex.total == res.maps[0][0, 0] == -25


def test_exercise_maps_with_their_biases():
    maps = compute_feature_maps(EXERCISE_IMAGE, [k.values for k in EXERCISE_KERNELS],
                                [k.bias for k in EXERCISE_KERNELS])
    for k, m in zip(EXERCISE_KERNELS, maps):
        np.testing.assert_allclose(m, ref_conv(EXERCISE_IMAGE, k.values, k.bias), atol=1e-9)


@pytest.mark.parametrize("policy", [GRAYSCALE, REPLICATE])
def test_one_channel_kernel_on_rgb(policy):
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, size=(9, 11, 3)).astype(np.float64)
    k = KERNEL_PRESETS["Laplacian"].values
    res = recompute(img, [k], [0.5], policy=policy)
    if policy == GRAYSCALE:
        gray = img @ np.array([0.299, 0.587, 0.114])
        assert res.image.shape[2] == 1
        np.testing.assert_allclose(res.maps[0], ref_conv(gray, k, 0.5), atol=1e-9)
    else:
        assert res.kernels[0].shape == (3, 3, 3)
        np.testing.assert_allclose(res.maps[0], sum(ref_conv(img[:, :, c], k) for c in range(3)) + 0.5, atol=1e-9)


def test_relu_and_mixed_depths():
    img = np.arange(30, dtype=np.float64).reshape(5, 6) - 15
    res = recompute(img, [KERNEL_PRESETS["Sobel x"].values, -KERNEL_PRESETS["Sobel x"].values], [0, 0], relu=True)
    assert all((m >= 0).all() for m in res.maps)
    rgb = np.stack([img] * 3, axis=-1)
    with pytest.raises(ValueError, match="depth"):
        fit_depth(rgb, [np.ones((2, 2)), np.ones((2, 2, 3))], GRAYSCALE)
    _, ks = fit_depth(rgb, [np.ones((2, 2)), np.ones((2, 2, 3))], REPLICATE)
    assert [k.shape for k in ks] == [(2, 2, 3), (2, 2, 3)]


def test_depth_three_kernel_on_grayscale_is_a_clear_error():
    with pytest.raises(ValueError, match="depth 3"):
        recompute(EXERCISE_IMAGE, [NOTES_308["kernel"].values], [1.0])
