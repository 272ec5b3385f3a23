"""Stride, padding and pooling in motion (notes 2.5–2.7): the animator tab.

state.py holds the parameters and presets, stage.py the grids, controls.py the side panel,
frames.py the off-thread frame renderer and exports, tab.py the tab that ties them together.
"""

from desktopnn.ui.animator.tab import AnimatorTab

__all__ = ["AnimatorTab"]
