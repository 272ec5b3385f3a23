"""The exercise's state (notes 2.11): the engine's checker holds the answers typed and revealed; the tab
adds which kernel is on show, the selected cell and the clicker's walk. No widgets.
"""

from __future__ import annotations

from desktopnn.engine.convolution.exercise import ExerciseState

ALL = 99  # the "all four kernels" choice (a QButtonGroup id, so not -1)
SCENE_ALL = "all"   # how a scene names that choice

__all__ = ["ALL", "SCENE_ALL", "ExerciseState"]
