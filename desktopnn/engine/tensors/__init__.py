"""Tensors (notes 2.12): our own small expression language (parse, evaluate, never ``eval``), the
shape rules of reshape, transpose and broadcasting, and the notes' printouts as presets.
"""
