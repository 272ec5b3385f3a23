"""Tensors (notes 2.12): rank, axes, indexing, reshape and broadcasting, drawn."""

from desktopnn.ui.tensors.tab import TensorsTab

__all__ = ["TensorsTab"]
