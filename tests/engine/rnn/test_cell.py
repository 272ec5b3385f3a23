"""The RNN engine (notes 4): our cell against torch.nn.RNN, BPTT against autograd, FFNN vs RNN, forecasting."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from desktopnn.engine.rnn.cell import SimpleRNN, autograd_dh, bptt, step_losses
from desktopnn.engine.rnn.forecast import (load_series_csv, make_windows, parse_series_csv, seasonal_series,
                                           train_forecaster)
from desktopnn.engine.rnn.memory import (CLOTHES, IRREGULAR, REGULAR, ambiguous_items, best_memoryless_accuracy,
                                         one_hot, parse_sequence, successors, train_memory, vocabulary)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny matrices: one thread is faster and keeps this module quick on a busy CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_cell_matches_torch_rnn_outputs_and_gradients(act):
    torch.manual_seed(1)
    ref = torch.nn.RNN(5, 4, nonlinearity=act, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(4, 3, dtype=torch.float64)
    ours = SimpleRNN.from_torch(ref, head).requires_grad_(True)
    xs = torch.randn(2, 6, 5, dtype=torch.float64)
    targets = torch.tensor([[0, 2, 1, 1, 0, 2], [1, 1, 0, 2, 2, 0]])

    out_ref, h_last = ref(xs)
    run = ours.forward(xs)
    torch.testing.assert_close(run.h, out_ref)
    torch.testing.assert_close(run.h[:, -1], h_last[0])

    loss_ref = torch.nn.functional.cross_entropy(head(out_ref).reshape(-1, 3), targets.reshape(-1), reduction="sum")
    loss_ours = step_losses(run.logits.reshape(-1, 3), targets.reshape(-1)).sum()
    torch.testing.assert_close(loss_ours, loss_ref)
    loss_ref.backward()
    loss_ours.backward()
    torch.testing.assert_close(ours.W_hx.grad, ref.weight_ih_l0.grad.T)
    torch.testing.assert_close(ours.W_hh.grad, ref.weight_hh_l0.grad.T)
    torch.testing.assert_close(ours.b_h.grad, ref.bias_ih_l0.grad)
    torch.testing.assert_close(ours.b_h.grad, ref.bias_hh_l0.grad)
    torch.testing.assert_close(ours.W_hy.grad, head.weight.grad.T)
    torch.testing.assert_close(ours.b_y.grad, head.bias.grad)


def test_to_torch_round_trip_and_single_step():
    m = SimpleRNN.init(3, 5, 2, "tanh", seed=4)
    rnn, lin = m.to_torch()
    xs = torch.randn(7, 3, dtype=torch.float64)
    out, _ = rnn(xs[None])
    run = m.forward(xs)
    torch.testing.assert_close(run.h, out[0])
    torch.testing.assert_close(run.logits, lin(out[0]))
    # the notes' formula written out for step 0: h_0 = tanh(W_hhᵀ h_{-1} + W_hxᵀ x_0 + b_h)
    expected = torch.tanh(m.W_hh.T @ torch.zeros(5, dtype=torch.float64) + m.W_hx.T @ xs[0] + m.b_h)
    torch.testing.assert_close(run.h[0], expected)


def test_step_losses_ignore_missing_targets():
    logits = torch.randn(4, 3, dtype=torch.float64)
    losses = step_losses(logits, [2, 0, 1, -1])
    torch.testing.assert_close(losses[:3], torch.nn.functional.cross_entropy(logits[:3], torch.tensor([2, 0, 1]),
                                                                             reduction="none"))
    assert losses[3] == 0


@pytest.mark.parametrize("act", ["tanh", "relu"])
@pytest.mark.parametrize("loss", ["total", "last"])
def test_bptt_gradient_norms_match_autograd(act, loss):
    m = SimpleRNN.init(4, 6, 4, act, seed=2)
    xs = torch.eye(4, dtype=torch.float64)[[0, 1, 2, 1, 3, 2, 1, 0]]
    targets = [1, 2, 1, 3, 2, 1, 0, -1]
    r = bptt(m, xs, targets, loss=loss)
    ref = autograd_dh(m, xs, targets, loss=loss)
    torch.testing.assert_close(r.dh, ref)
    torch.testing.assert_close(r.grad_norms, ref.norm(dim=1))
    assert r.order == list(range(7, -1, -1))
    if loss == "total":     # weight gradients as autograd finds them
        g = m.detached().requires_grad_(True)
        step_losses(g.forward(xs).logits, targets).sum().backward()
        torch.testing.assert_close(r.grad_W_hh, g.W_hh.grad)
        torch.testing.assert_close(r.grad_W_hx, g.W_hx.grad)
        torch.testing.assert_close(r.grad_b_h, g.b_h.grad)
        assert r.total_loss == pytest.approx(float(step_losses(g.forward(xs).logits, targets).sum().detach()))


@pytest.mark.parametrize("window", [1, 2, 3])
def test_truncated_bptt_matches_autograd_with_detached_state(window):
    m = SimpleRNN.init(3, 4, 3, "tanh", seed=5)
    xs = torch.eye(3, dtype=torch.float64)[[0, 1, 2, 0, 2, 1]]
    targets = [1, 2, 0, 2, 1, -1]
    r = bptt(m, xs, targets, loss="total", window=window)
    expected = torch.zeros(6, 4, dtype=torch.float64)
    for t in range(5):        # each loss on its own, its history cut `window` steps back
        g = m.detached().requires_grad_(True)
        kept = []

        def keep(s, h, t=t):
            if s == t - window:
                h = h.detach()
            h.retain_grad() if h.requires_grad else None
            kept.append(h)
            return h

        run = g.forward(xs, keep=keep)
        step_losses(run.logits, targets)[t].backward()
        expected += torch.stack([h.grad if h.grad is not None else torch.zeros(4, dtype=torch.float64) for h in kept])
    torch.testing.assert_close(r.dh, expected)
    last = bptt(m, xs, targets, loss="last", window=window)
    first = 4 - window + 1       # the last loss is at step 4; it reaches `window` steps: first … 4
    assert (last.grad_norms[:first] == 0).all() and (last.grad_norms[first:5] > 0).all() and last.grad_norms[5] == 0


def test_scaling_w_hh_makes_gradients_vanish_or_explode():
    m = SimpleRNN.init(3, 8, 3, "relu", seed=0)
    xs = torch.eye(3, dtype=torch.float64)[[0, 1, 2] * 4]
    targets = [1, 2, 0] * 4
    targets[-1] = -1
    small = bptt(m.detached(W_hh_scale=0.2), xs, targets, loss="last").grad_norms
    big = bptt(m.detached(W_hh_scale=8.0), xs, targets, loss="last").grad_norms
    assert small[0] < 1e-3 * small[10]         # vanishing
    assert big[0] > 1e3 * big[10]              # exploding


def test_sequences_and_one_hot():
    assert REGULAR[:4] == ("white shirt", "blue blouse", "red shirt", "green saree")
    assert IRREGULAR[3] == "blue blouse" and len(IRREGULAR) == 9
    vocab = vocabulary(REGULAR)
    assert vocab[:7] == list(CLOTHES)
    x = one_hot(REGULAR, vocab)
    assert x.shape == (9, 7) and (x.sum(axis=1) == 1).all() and x[0, 0] == 1
    items = parse_sequence("White shirt,  red frock;\nyellow hat, …")
    assert items == ["white shirt", "red frock", "yellow hat"]
    assert vocabulary(items)[-1] == "yellow hat"
    for bad in ("", "a, b", ", , ,", "x" * 30 + ", b, c"):
        with pytest.raises(ValueError):
            parse_sequence(bad)


def test_irregular_sequence_is_not_solvable_from_today_alone():
    # the same item is followed by different next items: no function of x_t can always be right
    amb = ambiguous_items(IRREGULAR)
    assert "blue blouse" in amb and len(set(successors(IRREGULAR)["blue blouse"])) == 3
    assert best_memoryless_accuracy(IRREGULAR) == pytest.approx(6 / 8)
    assert ambiguous_items(REGULAR) == {} and best_memoryless_accuracy(REGULAR) == 1.0


def test_ffnn_copes_with_regular_and_fails_on_irregular_where_rnn_succeeds():
    reg = train_memory(REGULAR, hidden_size=4, activation="tanh", seed=0)
    assert reg.ffnn_acc == 1.0 and reg.rnn_acc == 1.0
    irr = train_memory(IRREGULAR, hidden_size=4, activation="tanh", seed=0)
    assert irr.ffnn_acc <= irr.best_memoryless < 1.0
    assert irr.rnn_acc == 1.0 > irr.ffnn_acc
    # the per-step predictions behind the numbers: the RNN is right at every known step
    assert irr.rnn_pred[:-1] == irr.targets[:-1]
    assert irr.rnn_history[-1] < irr.rnn_history[0]


def test_seasonal_series_and_windows():
    a, b = seasonal_series(seed=3), seasonal_series(seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (240,)
    X, y = make_windows(np.arange(10.0), 3)
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    assert y[0] == 3 and len(X) == len(y) == 7
    with pytest.raises(ValueError):
        make_windows(np.arange(5.0), 5)


def test_csv_reading_and_clear_errors(tmp_path):
    rows = "\n".join(f"2024-01-{i + 1:02d},{10 + i % 7}" for i in range(30))
    values, name = parse_series_csv("date,temperature\n" + rows)
    assert name == "temperature" and len(values) == 30 and values[1] == 11
    values, name = parse_series_csv("\n".join(str(v) for v in range(30)))
    assert name == "column 1" and values[-1] == 29
    cases = {
        "": "empty",
        "date,temp\n": "no data rows",
        "a,b\nx,y\n": "no column of numbers",
        "t\n" + "1\n" * 10 + "abc\n" + "2\n" * 20: "line 12",
        "t\n" + "\n".join(str(i) for i in range(5)): "at least",
        "t\n" + "5\n" * 30: "nothing to forecast",
    }
    for text, words in cases.items():
        with pytest.raises(ValueError, match=words):
            parse_series_csv(text)
    good = tmp_path / "temps.csv"
    good.write_text("day;value\n" + "\n".join(f"{i};{i % 5},5" for i in range(40)))
    values, name = load_series_csv(good)
    assert name == "value" and values[1] == 1.5
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\0\0\0")
    with pytest.raises(ValueError, match="not a text"):
        load_series_csv(binary)
    with pytest.raises(ValueError, match="could not read"):
        load_series_csv(tmp_path / "missing.csv")


def test_forecaster_predicts_tomorrow():
    s = seasonal_series(n=96, period=12, noise=0.1)
    r = train_forecaster(s, window=6, hidden_size=8, epochs=80)
    assert r.fitted.shape == s.shape and np.isnan(r.fitted[:6]).all() and np.isfinite(r.fitted[6:]).all()
    assert np.isfinite(r.tomorrow) and s.min() - 5 < r.tomorrow < s.max() + 5
    assert r.history[-1] < 0.5 * r.history[0]
    assert 6 < r.split < len(s)


def test_rnn_engine_imports_no_qt():
    code = ("import desktopnn.engine.rnn.cell, desktopnn.engine.rnn.memory, desktopnn.engine.rnn.forecast, sys;"
            "assert not any(m.startswith('PySide6') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
