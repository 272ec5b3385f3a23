"""Why convolution's state: the choice a scene saves and the parameter count it makes."""

from __future__ import annotations

from dataclasses import asdict

from desktopnn.engine.convolution.shift import CANVAS, ParamCounts
from desktopnn.ui.why.state import KERNEL_CHOICES, WhyChoice, param_counts


def test_choice_defaults_and_keys():
    c = WhyChoice("Shapes (synthetic)", KERNEL_CHOICES[0])
    assert asdict(c) == {"source": "Shapes (synthetic)", "kernel": KERNEL_CHOICES[0], "dx": 0, "dy": 0, "kernels": 1}


def test_param_counts_follow_the_kernels_shape():
    assert param_counts("Sobel x", 16) == ParamCounts(3, 3, 1, 16, CANVAS, CANVAS)
    p = param_counts("Sobel x", 16)
    assert p.conv == 16 * (3 * 3 + 1)
