"""Tensors (notes 2.12): rank, axes, indexing, reshape and broadcasting, drawn.

state.py holds the tensors made and how a new one is built, builder.py the builder's fields,
canvas.py and layout.py draw tensors as nested grids, panels.py and flow.py the pages (index,
broadcast, notes; reshape), presenter.py the clicker steps, scene.py what a scene saves, tab.py the
tab that ties them together.
"""

from desktopnn.ui.tensors.tab import TensorsTab

__all__ = ["TensorsTab"]
