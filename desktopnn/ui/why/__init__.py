"""Why convolution (notes 2.4): shift the input, the feature map shifts with it; few parameters."""

from desktopnn.ui.why.tab import WhyConvTab

__all__ = ["WhyConvTab"]
