"""The Convolution lab's state: defaults and limits the scene checks against, without any widget."""

from __future__ import annotations

from desktopnn.engine.convolution.kernels import KERNEL_PRESETS
from desktopnn.ui.convolution import state


def test_defaults():
    assert state.default_sample({"astronaut": 1, "chelsea": 2}) == "chelsea"
    assert state.default_sample({"coffee": 1, "rocket": 2}) == "coffee"
    assert [k.name for k in state.default_kernels()] == state.DEFAULT_KERNELS
    assert all(name in KERNEL_PRESETS for name in state.DEFAULT_KERNELS)


def test_grid_presets_fit_the_grid_editor():
    assert state.OWN_GRID not in state.GRID_PRESETS
    assert all(max(v.shape[:2]) <= state.MAX_GRID for v in state.GRID_PRESETS.values())
    assert set(state.PAD_MODES) < set(state.PADDINGS)
