"""Patches of numbers the lab hands to the animator tab: at most 12×12 around the explained cell.

Plain numpy on the lab's last result; no widgets.
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.convolution.explain import explain_conv
from desktopnn.engine.convolution.lab import LabResult

PATCH_SIDE = 12


def patch_around(arr: np.ndarray, r: int, c: int, size: int = PATCH_SIDE) -> tuple[np.ndarray, int, int]:
    """A copy of up to ``size``×``size`` cells of ``arr`` centred on (r, c), shifted to stay inside; and its
    top-left corner (r0, c0)."""
    h, w = arr.shape[:2]
    r0 = int(min(max(r - size // 2, 0), max(h - size, 0)))
    c0 = int(min(max(c - size // 2, 0), max(w - size, 0)))
    return np.array(arr[r0:r0 + size, c0:c0 + size], copy=True), r0, c0


def input_patch(res: LabResult, k: int, r: int, c: int) -> tuple[np.ndarray, int, int]:
    """The input numbers around the window of kernel ``k`` that makes output cell (r, c); 2-D for one channel."""
    ex = explain_conv(res.image, res.kernels[k], res.biases[k], r, c, stride=res.stride, padding=res.padding)
    centre_r, centre_c = (int(np.clip(ex.cells[..., i].mean(), 0, res.image.shape[i] - 1)) for i in (0, 1))
    patch, r0, c0 = patch_around(res.image, centre_r, centre_c)
    return (patch[:, :, 0] if patch.shape[2] == 1 else patch), r0, c0


def map_patch(res: LabResult, k: int, r: int, c: int) -> tuple[np.ndarray, int, int]:
    """Feature map ``k``'s values around its cell (r, c)."""
    return patch_around(res.maps[k], r, c)
