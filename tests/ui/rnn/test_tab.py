"""The RNN tab driven through its real widgets (pytest-qt)."""

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from desktopnn.engine.rnn.memory import IRREGULAR, REGULAR
from desktopnn.workers import live_runner_threads

TRAIN_TIMEOUT = 120_000   # ms; training takes well under a second on an idle laptop


_TRAINED = {}


def cached_train_job(ctx, items, hidden_size, activation):
    """Training is seeded and deterministic, so tests share results instead of retraining."""
    from desktopnn.ui.rnn.jobs import train_job

    key = (tuple(items), hidden_size, activation)
    if key not in _TRAINED:
        _TRAINED[key] = train_job(ctx, items, hidden_size, activation)
    return _TRAINED[key]


@pytest.fixture
def tab(qtbot, app_ctx, monkeypatch):
    from desktopnn.ui.rnn import RnnTab

    monkeypatch.setattr("desktopnn.ui.rnn.tab.train_job", cached_train_job)

    before = torch.get_num_threads()
    torch.set_num_threads(1)       # tiny matrices: one thread is faster on a busy CI machine
    t = RnnTab(app_ctx)
    app_ctx.themes.theme_changed.connect(t.apply_theme)
    qtbot.addWidget(t)
    t.resize(1600, 900)
    t.show()
    t.forecast_view.epochs = 30
    qtbot.waitUntil(lambda: t.state.result is not None, timeout=TRAIN_TIMEOUT)
    yield t
    t.shutdown()
    torch.set_num_threads(before)


def wait_trained(qtbot, tab, items):
    qtbot.waitUntil(lambda: tab.state.result is not None and tab.state.result.items == list(items)
                    and not tab.runner.busy, timeout=TRAIN_TIMEOUT)


def grid_values(tab):
    return [g.values().copy() for g in tab.cell_view.grids]


def test_memory_view_shows_ffnn_failing_where_rnn_succeeds(qtbot, tab):
    wait_trained(qtbot, tab, IRREGULAR)
    res = tab.state.result
    assert res.rnn_acc == 1.0 and res.ffnn_acc < 1.0
    assert "100%" in tab.memory_view.rnn_label.text()
    assert "75%" in tab.memory_view.ffnn_label.text()
    assert "blue blouse" in tab.memory_view.why_label.text()
    assert len(tab.memory_view.strip._rows) == 4
    # switch to the regular sequence: the feed-forward net copes
    tab.preset.setCurrentIndex(tab.preset.findData("regular"))
    wait_trained(qtbot, tab, REGULAR)
    assert tab.state.result.ffnn_acc == 1.0
    assert "Regular" in tab.memory_view.why_label.text()


def test_typed_sequence_good_and_bad(qtbot, tab):
    before = list(tab.state.items)
    qtbot.keyClicks(tab.typed, "white shirt, blue")
    qtbot.keyClick(tab.typed, Qt.Key.Key_Return)
    assert tab.state.items == before
    assert tab.error.isVisibleTo(tab) and "at least 3 items" in tab.error.text()
    tab.typed.setText("red frock, tunica, red frock, green blouse, red frock, tunica")
    tab.use_button.click()
    assert tab.state.items[:2] == ["red frock", "tunica"]
    assert not tab.error.isVisibleTo(tab)
    wait_trained(qtbot, tab, tab.state.items)
    assert tab.preset.currentData() == "typed"


def test_stepping_back_and_forward_restores_h(qtbot, tab):
    tab.views.setCurrentWidget(tab.cell_view)
    wait_trained(qtbot, tab, IRREGULAR)
    tab.setFocus()
    seen = {}
    for t in range(4):
        assert tab.state.t == t
        seen[t] = grid_values(tab)
        assert tab.step(1)
    assert tab.step(-1)
    assert tab.step(-1)
    assert tab.state.t == 2
    for a, b in zip(grid_values(tab), seen[2]):
        np.testing.assert_array_equal(a, b)
    assert tab.step(1)
    for a, b in zip(grid_values(tab), seen[3]):
        np.testing.assert_array_equal(a, b)
    # the numbers on screen add up: W_hhᵀh + W_hxᵀx + b = a, and h = tanh(a)
    h_prev, rec, inp, b, a, h = tab.cell_view.terms(3)
    np.testing.assert_allclose(rec + inp + b, a, atol=1e-12)
    np.testing.assert_allclose(np.tanh(a), h, atol=1e-12)
    np.testing.assert_allclose(h_prev, tab.state.h[2])
    assert "t = 3" in tab.cell_view.step_bar.label.text()
    tab.cell_view.step_bar.back.click()
    assert tab.state.t == 2
    # the heat strip is h over time: hidden units by steps
    assert tab.cell_view.image.image.shape == (tab.state.hidden_size, len(IRREGULAR))


def test_hidden_size_and_activation_retrain(qtbot, tab):
    tab.hidden.setValue(6)
    tab.activation.setCurrentText("relu")
    qtbot.waitUntil(lambda: tab.state.result.hidden_size == 6 and tab.state.result.activation == "relu",
                    timeout=TRAIN_TIMEOUT)
    assert tab.state.h.shape == (len(IRREGULAR), 6)
    assert "relu" in tab.cell_view.equation.text()
    assert tab.cell_view.grids[0].values().shape == (1, 6)


def test_unrolling_highlights_the_shared_weights(qtbot, tab):
    tab.views.setCurrentWidget(tab.unroll_view)
    wait_trained(qtbot, tab, IRREGULAR)
    m = tab.state.result.rnn
    np.testing.assert_allclose(tab.unroll_view.grids["W_hh"].values(), np.round(m.W_hh.numpy(), 2))
    button = next(b for b in tab.unroll_view.buttons.buttons() if b.text() == "W_hx")
    button.click()
    assert tab.unroll_view.diagram.highlight == "W_hx"
    assert tab.unroll_view.grids["W_hx"]._highlights and not tab.unroll_view.grids["W_hh"]._highlights
    assert tab.step(1)
    assert tab.state.t == 1
    tab.unroll_view.diagram.grab()      # paints without error


def test_training_view_bptt_scale_and_window(qtbot, tab):
    tab.views.setCurrentWidget(tab.train_view)
    view = tab.train_view
    qtbot.waitUntil(lambda: view.result is not None, timeout=TRAIN_TIMEOUT)
    full = view.result
    assert full.window is None and len(full.grad_norms) == len(IRREGULAR)
    assert "total L" in view.loss_title.text()
    view.step(100)
    assert view.revealed == len(IRREGULAR) and "multiplied" in view.verdict.text()
    # stepping the backward pass by hand
    view.restart_animation()
    start = view.revealed
    assert start == 2          # the last item has no next item: the backward pass starts one step earlier
    assert tab.step(1)
    assert view.revealed == start + 1 and np.isnan(view.shown_norms()[0])
    view.loss_mode.setCurrentIndex(view.loss_mode.findData("last"))
    view.scale.setValue(-70)           # W_hh × 0.2
    qtbot.waitUntil(lambda: not tab.bptt_runner.busy and abs(view.w_hh_scale() - 0.2) < 0.01, timeout=10_000)
    qtbot.wait(50)
    view.step(100)
    assert "vanishing" in view.verdict.text()
    assert "0.20" in view.scale_label.text()
    view.window.setValue(2)
    qtbot.waitUntil(lambda: view.result is not None and view.result.window == 2, timeout=10_000)
    norms = view.result.grad_norms.numpy()
    last = view.result.loss_steps[-1]
    assert (norms[: last - 1] == 0).all() and norms[last] > 0


def test_forecasting_generated_and_csv(qtbot, tab, tmp_path):
    tab.views.setCurrentWidget(tab.forecast_view)
    view = tab.forecast_view
    qtbot.waitUntil(lambda: view.result is not None, timeout=TRAIN_TIMEOUT)
    assert "Tomorrow" in view.answer.text()
    kept = view.series.copy()
    bad = tmp_path / "bad.csv"
    bad.write_text("day,temp\n1,20\n2,warm\n")
    view.open_csv(str(bad))
    qtbot.waitUntil(lambda: "not loaded" in view.error.text(), timeout=10_000)
    assert "line 3" in view.error.text()
    np.testing.assert_array_equal(view.series, kept)      # nothing lost
    good = tmp_path / "temps.csv"
    good.write_text("day,temp\n" + "\n".join(f"{i},{10 + (i % 7)}" for i in range(60)))
    view.open_csv(str(good))
    qtbot.waitUntil(lambda: view.series is not None and len(view.series) == 60, timeout=10_000)
    qtbot.waitUntil(lambda: view.result is not None and len(view.result.series) == 60, timeout=TRAIN_TIMEOUT)
    assert "temp" in view.source and view.error.text() == ""


def test_sequence_types_animate_and_step(qtbot, tab):
    tab.views.setCurrentWidget(tab.types_view)
    assert tab.types_view.timer.isActive()
    phase = tab.types_view.diagram.phase
    assert tab.step(1)
    assert tab.types_view.diagram.phase == phase + 1
    tab.types_view.play_button.click()
    assert not tab.types_view.timer.isActive()
    tab.types_view.diagram.grab()


def test_presentation_mode_and_shutdown(qtbot, tab, app_ctx):
    app_ctx.themes.set_presentation(True)
    px = app_ctx.theme.text_px
    assert px >= 27
    tick = tab.train_view.grad_plot.getAxis("bottom").style["tickFont"]
    assert tick.pixelSize() >= px
    for view in (tab.memory_view, tab.cell_view, tab.unroll_view, tab.train_view):
        tab.views.setCurrentWidget(view)
        view.grab()
    app_ctx.themes.set_presentation(False)
    tab.shutdown()
    assert not [t for t in live_runner_threads() if t.name.startswith("desktopnn-rnn")]
    assert not tab.types_view.timer.isActive() and not tab.train_view.timer.isActive()
