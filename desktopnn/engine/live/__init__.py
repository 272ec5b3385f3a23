"""Live feature maps (notes 2.2, 2.13): a camera frame through a network up to one layer, tiled
into one coloured mosaic.
"""
