"""Train a CNN (notes 1.1–1.2, 2.8–2.10, 2.13): data, model summary, live training, softmax, dropout, flattening."""

from desktopnn.ui.train.tab import TrainTab

__all__ = ["TrainTab"]
