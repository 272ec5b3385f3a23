"""RNNs (notes 4): the memory cell written out by hand with backpropagation through time, the
clothing sequences (why memory), and forecasting a series.
"""
