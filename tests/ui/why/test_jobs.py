"""What the Why-convolution worker runs: the engine's shift demo for the choice on show."""

from __future__ import annotations

import numpy as np

from desktopnn.engine.convolution.shift import SHAPES, shift_demo
from desktopnn.ui.why.jobs import shift_job
from desktopnn.ui.why.state import WhyChoice


def test_shift_job_is_the_engines_demo_for_the_choice():
    res = shift_job(WhyChoice(SHAPES, "Sobel y", dx=8, dy=-4, kernels=16))
    ref = shift_demo(SHAPES, "Sobel y", 8, -4)
    assert (res.source, res.kernel_name, res.dx, res.dy) == (SHAPES, "Sobel y", 8, -4)
    assert res.moved_by == (8, -4)
    np.testing.assert_array_equal(res.feature_map, ref.feature_map)
