"""The RNN lesson tab (notes 4), split into one module per view."""

from desktopnn.ui.rnn.tab import RnnTab

__all__ = ["RnnTab"]
