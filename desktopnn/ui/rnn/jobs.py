"""Work the RNN tab hands to its workers (no widgets here): training the two networks, back-propagating
through time, training the forecaster and reading a CSV. Each runs in a
:class:`~desktopnn.workers.LatestJobRunner` thread and imports torch there."""

from __future__ import annotations


def train_job(ctx, items, hidden_size, activation):
    """Runs in the worker: train the FFNN and the RNN, then unroll the RNN once for the views."""
    import torch

    from desktopnn.engine.rnn.memory import train_memory

    result = train_memory(items, hidden_size, activation, progress=lambda f: ctx.progress(f))
    with torch.no_grad():
        run = result.rnn.forward(result.xs())
    return result, run.a.numpy().copy(), run.h.numpy().copy()


def bptt_job(model, xs, targets, loss: str, window: int | None, scale: float):
    """Back-propagate through the (W_hh-scaled) network."""
    from desktopnn.engine.rnn.cell import bptt

    return bptt(model.detached(W_hh_scale=scale), xs, targets, loss=loss, window=window)


def forecast_job(ctx, series, window, epochs):
    """Train the many-to-one forecaster on ``series``, reading ``window`` past values."""
    from desktopnn.engine.rnn.forecast import train_forecaster

    return train_forecaster(series, window=window, epochs=epochs, progress=lambda f: ctx.progress(f))


def load_job(path):
    """(values, name) of a time series read from a CSV file."""
    from desktopnn.engine.rnn.forecast import load_series_csv

    return load_series_csv(path)
