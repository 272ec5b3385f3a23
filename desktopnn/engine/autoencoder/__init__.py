"""Encoder and decoder (notes 3): the image autoencoder with a bottleneck you choose, noise for
denoising, its settings, and the script that trains the shipped weights.
"""
