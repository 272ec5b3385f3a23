"""Encoder & decoder (notes 3): images through a bottleneck, live audio through an autoencoder."""

from desktopnn.ui.autoencoder.tab import AutoencoderTab

__all__ = ["AutoencoderTab"]
