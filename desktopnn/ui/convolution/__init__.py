"""The Convolution lab tab (notes 2.1–2.3): kernels, feature maps and the arithmetic of each value."""

from desktopnn.ui.convolution.tab import ConvLabTab

__all__ = ["ConvLabTab"]
