"""Stride, padding and pooling in motion (notes 2.5–2.7): the animator tab.

state.py holds the parameters, presets and speeds, stage.py the grids, controls.py the side panel,
frames.py paints the frames that jobs.py exports off the UI thread, presenter.py the clicker steps and
predict-before-reveal, scene.py what a scene saves, tab.py the tab that ties them together.
"""

from desktopnn.ui.animator.tab import AnimatorTab

__all__ = ["AnimatorTab"]
