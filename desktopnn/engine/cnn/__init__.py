"""The notes' CNN (notes 1.1–1.2, 2.8–2.13): the Keras-style layer list and summary, the 2.13 network
with its shipped weights, training (``fit``), softmax/dropout/flatten from inside, the data sets,
and the scripts that train the shipped weights.
"""
