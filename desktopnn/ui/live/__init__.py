"""The "Live feature maps" lesson tab (notes 2.2, 2.13)."""

from desktopnn.ui.live.tab import LiveTab

__all__ = ["LiveTab"]
