"""The patches the Convolution lab hands to the animator: where they sit and what they hold."""

from __future__ import annotations

import numpy as np

from desktopnn.engine.convolution.lab import recompute
from desktopnn.ui.convolution.patches import PATCH_SIDE, input_patch, map_patch, patch_around


def test_patch_around_stays_inside_and_copies():
    arr = np.arange(20 * 30).reshape(20, 30)
    patch, r0, c0 = patch_around(arr, 0, 29)
    assert (r0, c0) == (0, 30 - PATCH_SIDE)
    np.testing.assert_array_equal(patch, arr[:PATCH_SIDE, -PATCH_SIDE:])
    patch[0, 0] = -1
    assert arr[0, 30 - PATCH_SIDE] != -1
    small, r0, c0 = patch_around(np.ones((3, 4)), 2, 2)
    assert small.shape == (3, 4) and (r0, c0) == (0, 0)


def test_input_patch_is_centred_on_the_window():
    img = np.arange(30 * 30, dtype=np.float64).reshape(30, 30)
    res = recompute(img, [np.ones((3, 3))], [0.0], stride=1, padding="valid")
    patch, r0, c0 = input_patch(res, 0, 15, 15)        # window rows/cols 15..17, centre 16
    assert patch.ndim == 2 and patch.shape == (PATCH_SIDE, PATCH_SIDE)
    assert (r0, c0) == (16 - PATCH_SIDE // 2, 16 - PATCH_SIDE // 2)
    np.testing.assert_array_equal(patch, img[r0:r0 + PATCH_SIDE, c0:c0 + PATCH_SIDE])


def test_map_patch_comes_from_the_kernels_map():
    img = np.random.default_rng(0).random((20, 20))
    res = recompute(img, [np.ones((2, 2)), -np.ones((3, 3))], [0.0, 1.0])
    patch, r0, c0 = map_patch(res, 1, 5, 5)
    np.testing.assert_array_equal(patch, res.maps[1][r0:r0 + patch.shape[0], c0:c0 + patch.shape[1]])
