"""Forecasting "tomorrow" (notes 4.3.2): a many-to-one RNN reads the last days and predicts the next.

The series is either generated (a seasonal, temperature-like curve with trend and noise, seeded) or
read from a CSV file the user opens.  :func:`load_series_csv` refuses bad files with a sentence a
student understands.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from desktopnn.engine.device import load_torch_dynamo

from desktopnn.engine.rnn.cell import SimpleRNN

MIN_VALUES = 24
MAX_VALUES = 100_000


def seasonal_series(n: int = 240, period: int = 24, trend: float = 0.01, noise: float = 0.3,
                    seed: int = 0, level: float = 15.0, amplitude: float = 6.0) -> np.ndarray:
    """A temperature-like series: level + trend·t + amplitude·sin(2πt/period) + noise (seeded)."""
    if n < MIN_VALUES:
        raise ValueError(f"a series needs at least {MIN_VALUES} values")
    if period < 2:
        raise ValueError("the season must last at least 2 steps")
    t = np.arange(n, dtype=np.float64)
    rng = np.random.default_rng(seed)
    return level + trend * t + amplitude * np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


def _number(text: str) -> float | None:
    s = text.strip().replace("\u2212", "-")
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        try:
            v = float(s.replace(",", "."))
        except ValueError:
            return None
    return v


def parse_series_csv(text: str, source: str = "the file") -> tuple[np.ndarray, str]:
    """Numbers from CSV text: the last column that holds numbers; an optional header row is its name."""
    if not text.strip():
        raise ValueError(f"{source} is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{source} has no rows")
    header = None
    first_numeric = [_number(c) is not None for c in rows[0]]
    if not any(first_numeric):
        header, rows = rows[0], rows[1:]
    if not rows:
        raise ValueError(f"{source} has a header but no data rows")
    width = max(len(r) for r in rows)
    col = None
    for c in range(width - 1, -1, -1):
        if _number(rows[0][c] if c < len(rows[0]) else "") is not None:
            col = c
            break
    if col is None:
        raise ValueError(f"{source} has no column of numbers (first data row: {', '.join(rows[0])[:60]})")
    line0 = 2 if header is not None else 1
    name = header[col].strip() if header is not None and col < len(header) and header[col].strip() else f"column {col + 1}"
    values = []
    for i, r in enumerate(rows):
        cell = r[col] if col < len(r) else ""
        v = _number(cell)
        if v is None:
            shown = cell.strip() or "an empty cell"
            raise ValueError(f"line {line0 + i}: {shown!r} in column “{name}” is not a number" if cell.strip()
                             else f"line {line0 + i}: column “{name}” is empty")
        if not math.isfinite(v):
            raise ValueError(f"line {line0 + i}: {cell.strip()!r} in column “{name}” is not a finite number")
        values.append(v)
    if len(values) < MIN_VALUES:
        raise ValueError(f"{source} has only {len(values)} values in column “{name}”; "
                         f"a forecast needs at least {MIN_VALUES}")
    if len(values) > MAX_VALUES:
        raise ValueError(f"{source} has {len(values)} values; at most {MAX_VALUES} are supported")
    arr = np.asarray(values, np.float64)
    if float(arr.std()) == 0.0:
        raise ValueError(f"every value in column “{name}” is {values[0]:g}: there is nothing to forecast")
    return arr, name


def load_series_csv(path) -> tuple[np.ndarray, str]:
    """Read a time series from a CSV file; ValueError with a clear message for a bad file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"could not read {p.name}: {exc.strerror or exc}") from None
    if b"\0" in raw[:4096]:
        raise ValueError(f"{p.name} is not a text (CSV) file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_series_csv(text, p.name)


def make_windows(series: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (N, window) of consecutive values and targets (N,): the value right after each window."""
    s = np.asarray(series, np.float64)
    if window < 1 or window >= len(s):
        raise ValueError(f"the window must be between 1 and {len(s) - 1} steps")
    idx = np.arange(window)[None, :] + np.arange(len(s) - window)[:, None]
    return s[idx], s[window:]


@dataclass
class ForecastResult:
    series: np.ndarray          # (n,) the data
    window: int
    fitted: np.ndarray          # (n,) one-step-ahead predictions, NaN for the first ``window`` steps
    split: int                  # index of the first value not used for training
    tomorrow: float             # the prediction for the step after the last value
    train_rmse: float
    test_rmse: float
    naive_rmse: float           # "tomorrow = today" on the test part, for comparison
    history: list[float] = field(default_factory=list)


def train_forecaster(series, window: int = 12, hidden_size: int = 16, epochs: int = 250, seed: int = 0,
                     test_fraction: float = 0.2, progress: Callable[[float], None] | None = None) -> ForecastResult:
    """Many-to-one: read ``window`` values, the last h_t goes through a linear layer to give the next."""
    s = np.asarray(series, np.float64)
    if len(s) < max(MIN_VALUES, window + 8):
        raise ValueError(f"need at least {max(MIN_VALUES, window + 8)} values for a window of {window}")
    X, y = make_windows(s, window)
    n_train = max(4, int(round(len(X) * (1 - test_fraction))))
    mu, sd = float(s[: n_train + window].mean()), float(s[: n_train + window].std()) or 1.0
    Xt = torch.as_tensor((X - mu) / sd)[..., None]              # (N, window, 1)
    yt = torch.as_tensor((y - mu) / sd)
    model = SimpleRNN.init(1, hidden_size, 1, "tanh", seed=seed).requires_grad_(True)
    load_torch_dynamo()
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    history = []
    for epoch in range(epochs):
        opt.zero_grad()
        pred = model.forward(Xt[:n_train]).logits[:, -1, 0]     # many-to-one: only the last output
        loss = torch.mean((pred - yt[:n_train]) ** 2)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        history.append(float(loss.detach()))
        if progress is not None and epoch % 25 == 0:
            progress(epoch / epochs)
    net = model.detached()
    with torch.no_grad():
        all_pred = net.forward(Xt).logits[:, -1, 0].numpy() * sd + mu
        last = torch.as_tensor((s[-window:] - mu) / sd)[None, :, None]
        tomorrow = float(net.forward(last).logits[0, -1, 0]) * sd + mu
    fitted = np.full(len(s), np.nan)
    fitted[window:] = all_pred
    err = all_pred - y

    def rmse(e):
        return float(np.sqrt(np.mean(e ** 2))) if len(e) else float("nan")

    naive = s[window - 1:-1] - y
    return ForecastResult(s, window, fitted, window + n_train, tomorrow, rmse(err[:n_train]),
                          rmse(err[n_train:]), rmse(naive[n_train:]), history)
