"""The Train tab driven through its real widgets (qtbot): data, model, training, results, inside views."""

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """One intra-op thread: on a shared 2-core machine, small models train faster than with two."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def tab(app_ctx, qtbot):
    from desktopnn.ui.train import TrainTab

    t = TrainTab(app_ctx)
    qtbot.addWidget(t)
    t.resize(1600, 900)
    t.show()
    t.activate()
    assert t.wait_idle(120)
    yield t
    t.shutdown()


def small(ds, n=160):
    return replace(ds, x_train=ds.x_train[:n], y_train=ds.y_train[:n], x_val=ds.x_val[:60], y_val=ds.y_val[:60],
                   x_test=ds.x_test[:60], y_test=ds.y_test[:60])


def test_opens_with_digits_grid_and_shipped_model(tab):
    st = tab.state
    assert st.dataset is not None and st.dataset.classes == 10
    assert tab.data_view.grid.count() == 25
    assert st.model is not None and st.model_origin.startswith("the shipped")
    assert tab.model_view.totals.text().startswith("Total params: 122,570")
    assert st.evaluation is not None and st.evaluation.accuracy > 0.9       # the Test view is filled at once
    assert tab.results_view.matrix._counts.sum() == len(st.dataset.x_test)
    # the softmax view already shows a prediction: rows add up to 1, top class highlighted
    steps = tab.softmax_view._steps
    assert steps is not None and steps.probs.sum() == pytest.approx(1.0)
    table = tab.softmax_view.table
    assert table.rowCount() == 10
    top = table.item(steps.top, 3)
    assert top.background().color().name() == tab.ctx.theme.accent.lower()
    assert float(top.text()) == pytest.approx(steps.probs.max(), abs=1e-4)


def test_train_live_curves_then_stop(tab, qtbot):
    tab.state.set_dataset(small(tab.state.dataset, 600))
    tv = tab.train_view
    tv.epochs.setValue(30)
    tv.batch.setValue(8)
    seen = []
    tab.runners["fit"].progressed.connect(lambda *_a: seen.append(1))
    qtbot.mouseClick(tv.train, Qt.MouseButton.LeftButton)
    assert not tv.train.isEnabled() and tv.stop.isEnabled()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=60000)
    tv.pause.click()
    assert tab.control.paused
    tv.pause.click()
    tv.stop.click()
    qtbot.waitUntil(lambda: tv.train.isEnabled(), timeout=60000)
    hist = tab.state.history
    assert hist.stopped and len(hist.loss) < 30
    assert len(tv.loss_curve.getData()[0]) > 0
    assert tab.state.evaluation is not None
    assert tab.results_view.accuracy.text().startswith("Test accuracy")
    assert "Stopped" in tab.banner.text()


def test_short_training_fills_results(tab, qtbot):
    tab.state.set_dataset(small(tab.state.dataset, 400))
    tab.train_view.epochs.setValue(2)
    tab.train_view.train.click()
    qtbot.waitUntil(lambda: tab.train_view.train.isEnabled(), timeout=90000)
    ev = tab.state.evaluation
    assert len(tab.state.history.val_accuracy) == 2 and ev.accuracy > 0.2
    assert len(tab.train_view.val_curve.getData()[0]) == 2
    rv = tab.results_view
    rv.show_cell(0, 0)
    assert rv.examples.count() == len(ev.examples.get((0, 0), []))
    assert "true 0, predicted 0" in rv.cell_title.text()


def test_model_editor_inserts_dropout_and_reports_mistakes(tab):
    mv = tab.model_view
    mv.table.selectRow(6)                  # dense (Dense)
    mv.kind.setCurrentText("Dropout")
    mv.rate.setValue(0.5)
    mv.insert.click()
    kinds = [layer.kind for layer in tab.state.layers]
    assert kinds[6] == "dropout" and mv.table.rowCount() == 9
    assert mv.totals.text().startswith("Total params: 122,570")   # dropout learns nothing
    mv.build.click()
    assert any(layer.kind == "dropout" for layer in tab.state.model.layers_spec)
    mv.table.selectRow(5)                  # remove Flatten: Dense then has no vector
    mv.remove.click()
    assert "Flatten" in mv.error.text() and not mv.build.isEnabled()


def test_save_load_and_a_corrupt_file(tab, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path = tmp_path / "mine.safetensors"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    tab.train_view.save.click()
    tab.wait_idle(30)
    assert path.is_file() and "Saved mine.safetensors" in tab.banner.text()
    before = tab.state.model
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    tab.load_model(str(bad))
    tab.wait_idle(30)
    assert tab.state.model is before and "current model stays" in tab.banner.text()
    tab.load_model(str(path))
    tab.wait_idle(30)
    assert tab.state.model is not before
    x = tab.state.dataset.x_test[:4]
    from desktopnn.engine.cnn.train import predict_logits

    assert np.allclose(predict_logits(tab.state.model, x), predict_logits(before, x), atol=1e-6)


def test_predict_opened_image_and_camera_frame(tab):
    from desktopnn.engine.images import sample_images

    path = next(iter(sample_images().values()))
    assert tab.accepts_images() and tab.open_image(str(path))
    tab.wait_idle(30)
    assert tab.views.currentWidget() is tab.softmax_view
    assert tab.softmax_view.caption.text() == path.name
    tab.softmax_view.camera.click()
    tab.wait_idle(30)
    assert tab.softmax_view.caption.text().startswith("camera frame")
    tab.open_image(str(path.with_name("missing.png")))
    tab.wait_idle(30)
    assert "no such file" in tab.softmax_view.error.text()


def test_camera_classes_become_a_dataset(tab):
    cap = tab.data_view.capture
    for name, subject in (("cat", "chelsea"), ("coffee", "coffee")):
        tab.camera.set_subject(subject)
        cap.name.setText(name)
        cap.count.setValue(6)
        cap.capture.click()
        for _ in range(6):
            tab.camera._on_tick()
    assert [len(v) for v in cap.captures.values()] == [6, 6]
    cap.use.click()
    tab.wait_idle(30)
    ds = tab.state.dataset
    assert ds.class_names == ["cat", "coffee"] and ds.input_shape == (32, 32, 3)
    assert tab.state.model.layers_spec[-1].size == 2           # the model follows the classes
    assert tab.data_view.grid.count() == len(ds.x_train)


def test_dropout_view_masks(tab):
    dv = tab.dropout_view
    masks = dv.mask_history()
    assert len({m.tobytes() for m in masks}) > 1
    dv.next_pass()
    assert "training mode" in dv.title.text()
    dv.inference.setChecked(True)
    assert all(m.all() for m in dv.mask_history()) and "0 of 12 units dropped" in dv.title.text()


def test_flatten_view_and_shuffle_experiment(tab, qtbot):
    fv = tab.flatten_view
    fv.side.setCurrentText("8×8 (64 numbers)")
    fv.select_pixel(2, 5)
    marks = fv.strip._marks
    assert marks["pixel"] == 21 and marks["up"] == 13 and marks["down"] == 29 and marks["right"] == 22
    tab.state.set_dataset(small(tab.state.dataset, 60))
    fv.epochs.setValue(1)
    fv.data.setCurrentIndex(1)
    fv.run.click()
    qtbot.waitUntil(lambda: fv.run.isEnabled(), timeout=90000)
    assert "dense network" in fv.results.text() and "CNN" in fv.results.text()


def test_presentation_mode_restyles_plots(tab):
    tab.ctx.themes.set_presentation(True)
    px = tab.ctx.theme.text_px
    assert px >= 27
    font = tab.train_view.acc_plot.getPlotItem().getAxis("left").style["tickFont"]
    assert font.pixelSize() >= round(px * 0.85) and font.pixelSize() > 20
    assert tab.dropout_view.picture._theme.presentation
    tab.ctx.themes.set_presentation(False)



def test_cifar_offline_gives_a_message_and_keeps_the_data(tab, monkeypatch, tmp_path):
    import desktopnn.engine.cnn.datasets as datasets
    from desktopnn.ui.train.state import CIFAR

    real = datasets.load_cifar10
    monkeypatch.setattr(datasets, "load_cifar10", lambda **kw: real(url=(tmp_path / "gone.tar.gz").as_uri(), **kw))
    before = tab.state.dataset
    tab.data_view.source.setCurrentText(CIFAR)
    tab.data_view.load.click()
    tab.wait_idle(30)
    assert tab.state.dataset is before
    assert "offline" in tab.banner.text() and "offline" in tab.data_view.error.text()
    assert tab.data_view.load.isEnabled() and not tab.data_view.progress.isVisible()
