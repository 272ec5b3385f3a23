"""Convolution (notes 2.1–2.7, 2.11): conv2d, padding and output sizes, pooling, the worked
arithmetic of one cell, step lists for the animator, the lab's recompute, the 2.11 exercise, shift
equivariance, and the kernel presets with the notes' examples.
"""
