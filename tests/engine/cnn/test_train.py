"""The Train tab's engine: Keras parameter counts, training, stopping, saving, data sets, softmax, dropout."""

import hashlib
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch

from desktopnn.engine.cnn.inside import (dropout_passes, neighbour_indices, pixel_permutation, predict_steps,
                                         shuffle_pixels, softmax_steps)
from desktopnn.engine.cnn.layers import Layer, notes_2_8, notes_2_13, plan, summary_text, with_classes
from desktopnn.engine.cnn.train import (TrainConfig, TrainControl, build_model, evaluate, fit, load_model,
                                        save_model)
from desktopnn.engine.cnn.datasets import Dataset, cifar_from_archive, load_digits_dataset, load_folder
from desktopnn.engine.download import fetch


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """One intra-op thread: on a shared 2-core machine, small models train faster than with two."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def digits():
    return load_digits_dataset()


def small(ds: Dataset, n: int = 400) -> Dataset:
    return replace(ds, x_train=ds.x_train[:n], y_train=ds.y_train[:n], x_val=ds.x_val[:100], y_val=ds.y_val[:100])


# a small CNN that trains in a second: Conv2D 8 → MaxPooling2D → Flatten → Dense 10
TINY = [Layer("conv", 8), Layer("pool", 4), Layer("flatten"), Layer("dense", 10, relu=False)]


# ---- summary: hand-computed Keras numbers ------------------------------------------------------
def test_summary_2_13_matches_keras():
    rows = plan(notes_2_13(), (32, 32, 3))
    # (3·3·3+1)·32, (3·3·32+1)·64, (3·3·64+1)·64, (4·4·64+1)·64, (64+1)·10
    assert [r.params for r in rows] == [896, 0, 18496, 0, 36928, 0, 65600, 650]
    assert [r.shape for r in rows] == [(30, 30, 32), (15, 15, 32), (13, 13, 64), (6, 6, 64), (4, 4, 64),
                                       (1024,), (64,), (10,)]
    assert sum(r.params for r in rows) == 122_570
    assert [r.name for r in rows][:3] == ["conv2d", "max_pooling2d", "conv2d_1"]
    assert "Total params: 122,570" in summary_text(rows)


def test_summary_2_8_matches_keras_tutorial():
    # the TensorFlow tutorial's flowers model: 180×180×3, 5 classes, total 3,989,285
    rows = plan(notes_2_8(5), (180, 180, 3))
    assert [r.params for r in rows if r.params] == [448, 4640, 18496, 3965056, 645]
    assert rows[7].shape == (22 * 22 * 64,)
    assert sum(r.params for r in rows) == 3_989_285


def test_torch_model_has_the_keras_parameter_count():
    model = build_model(notes_2_13(), (32, 32, 3), [str(i) for i in range(10)])
    assert model.param_count == 122_570
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_editable_layers_and_mistakes():
    layers = with_classes(notes_2_13(), 4)
    layers.insert(6, Layer("dropout", rate=0.5))
    rows = plan(layers, (32, 32, 3))
    assert rows[6].shape == (1024,) and rows[-1].shape == (4,)
    with pytest.raises(ValueError, match="Flatten"):
        plan([Layer("conv", 8), Layer("dense", 3)], (32, 32, 3))
    with pytest.raises(ValueError, match="shrunk"):
        plan([Layer("conv", 8, kernel=40), Layer("flatten"), Layer("dense", 3)], (32, 32, 3))


# ---- training ------------------------------------------------------------------------------------
def test_short_training_beats_chance(digits):
    data = small(digits)
    model = build_model(TINY, data.input_shape, data.class_names, seed=0)
    before = evaluate(model, data.x_test, data.y_test).accuracy
    res = fit(model, data, TrainConfig(epochs=3, batch_size=16, learning_rate=3e-3))
    ev = evaluate(res.model, data.x_test, data.y_test)
    assert len(res.history.loss) == 3 and len(res.history.val_accuracy) == 3
    assert ev.accuracy > 0.4 > before + 0.1            # chance is 0.1
    assert ev.confusion.sum() == len(data.x_test) and np.trace(ev.confusion) == round(ev.accuracy * len(data.x_test))
    assert all(t == p for (t, p) in ev.examples if t == p) and ev.per_class.shape == (10,)
    # fit trains a copy: the original model is untouched
    assert evaluate(model, data.x_test, data.y_test).accuracy == before


def test_same_seed_same_training(digits):
    data = small(digits, 96)
    model = build_model(TINY, data.input_shape, data.class_names, seed=3)
    a = fit(model, data, TrainConfig(epochs=1, seed=5)).history.loss
    b = fit(model, data, TrainConfig(epochs=1, seed=5)).history.loss
    assert a == b


def test_stop_mid_epoch_keeps_what_was_learnt(digits):
    data = small(digits)
    model = build_model(notes_2_13(), data.input_shape, data.class_names)
    control = TrainControl()
    seen = []

    def report(frac, hist):
        seen.append(frac)
        control.stop()

    res = fit(model, data, TrainConfig(epochs=5, batch_size=16), control=control, report=report, report_every=0)
    assert res.history.stopped
    assert seen[0] < 0.2 and len(res.history.loss) == 1        # the first epoch was cut short
    assert res.history.samples < len(data.x_train)
    assert not torch.equal(res.model.conv1.weight, model.conv1.weight)


def test_pause_blocks_until_resumed(digits):
    data = small(digits, 64)
    model = build_model(notes_2_13(), data.input_shape, data.class_names)
    control = TrainControl()
    control.pause()
    done = []
    t = threading.Thread(target=lambda: done.append(fit(model, data, TrainConfig(epochs=1), control=control)))
    t.start()
    t.join(0.4)
    assert not done and control.paused
    control.resume()
    t.join(30)
    assert done and done[0].history.samples == 64


# ---- saving ----------------------------------------------------------------------------------------
def test_save_load_round_trip_and_bad_files(tmp_path, digits):
    layers = with_classes(notes_2_8(), 10)
    layers.insert(-1, Layer("dropout", rate=0.25))
    model = build_model(layers, (32, 32, 3), list("abcdefghij"), seed=1)
    path = tmp_path / "m.safetensors"
    save_model(model, path)
    back = load_model(path)
    assert back.layers_spec == model.layers_spec and back.class_names == model.class_names
    x = torch.rand(2, 3, 32, 32)
    model.eval()
    assert torch.equal(back(x), model(x))
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ValueError, match="damaged"):
        load_model(corrupt)
    text = tmp_path / "notes.safetensors"
    text.write_text("not weights at all")
    with pytest.raises(ValueError):
        load_model(text)


def test_shipped_weights_classify_digits(digits):
    from desktopnn.engine.cnn.train import shipped_digits_model

    model, card = shipped_digits_model()
    assert card["test_accuracy"] > 0.9
    assert evaluate(model, digits.x_test, digits.y_test).accuracy > 0.9


# ---- data sets --------------------------------------------------------------------------------------
def test_folder_dataset_lists_and_skips_broken_images(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(4):
            Image.fromarray(rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "dogs" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (tmp_path / "cats" / "notes.txt").write_text("hello")
    ds = load_folder(tmp_path)
    assert ds.class_names == ["cats", "dogs"]
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 8
    assert ds.x_train.shape[1:] == (32, 32, 3)
    assert any("broken.jpg" in s for s in ds.skipped) and any("notes.txt" in s for s in ds.skipped)
    with pytest.raises(ValueError, match="two sub-folders"):
        load_folder(tmp_path / "cats")


def _fake_cifar(tmp_path):
    import io
    import tarfile

    rng = np.random.default_rng(1)
    archive = tmp_path / "cifar.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, n in (("data_batch_1.bin", 6), ("test_batch.bin", 4)):
            rec = np.concatenate([rng.integers(0, 10, (n, 1)), rng.integers(0, 256, (n, 3072))], 1).astype(np.uint8)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = rec.nbytes
            tar.addfile(info, io.BytesIO(rec.tobytes()))
    return archive, rec


def test_download_good_and_bad_checksum(tmp_path):
    archive, test_rec = _fake_cifar(tmp_path)
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    dest = tmp_path / "cache" / "cifar.tar.gz"
    fractions = []
    with pytest.raises(ValueError, match="checksum"):
        fetch(archive.as_uri(), dest, "0" * 64, progress=lambda f, t: fractions.append(f))
    assert not dest.exists() and not list(dest.parent.iterdir())      # nothing half-written stays
    got = fetch(archive.as_uri(), dest, sha, progress=lambda f, t: fractions.append(f))
    assert got == dest and dest.read_bytes() == archive.read_bytes() and fractions[-1] == 1.0
    ds = cifar_from_archive(dest, tmp_path / "cache" / "c.npz")
    assert ds.x_train.shape == (6, 32, 32, 3) and ds.x_test.shape == (4, 32, 32, 3)
    # channels last: the first test image's red plane is the first 1024 bytes after its label
    assert np.array_equal(ds.x_test[-1][:, :, 0].ravel(), test_rec[-1, 1:1025])
    assert cifar_from_archive(dest, tmp_path / "cache" / "c.npz").x_train.shape == (6, 32, 32, 3)
    with pytest.raises(ValueError, match="offline"):
        fetch((tmp_path / "missing.tar.gz").as_uri(), tmp_path / "x", sha)


# ---- seeing inside -----------------------------------------------------------------------------------
@pytest.mark.parametrize("logits", [[2.0, 1.0, 0.1], [-3.0, 0.0, 7.5, 7.4], [300.0, 299.0, -5.0]])
def test_softmax_steps_match_torch(logits):
    s = softmax_steps(logits)
    assert s.probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(s.probs, torch.softmax(torch.tensor(logits, dtype=torch.float64), 0).numpy())
    assert np.allclose(s.exps / s.total, s.probs) and s.top == int(np.argmax(logits))


def test_predict_steps_on_a_photo():
    model = build_model(notes_2_13(), (32, 32, 3), [str(i) for i in range(10)])
    s = predict_steps(model, np.zeros((50, 70, 3), np.uint8))
    assert s.probs.shape == (10,) and s.probs.sum() == pytest.approx(1.0)


def test_dropout_masks_differ_in_training_and_vanish_in_inference():
    x = np.linspace(-1, 1, 16)
    train = dropout_passes(x, units=32, rate=0.5, passes=6, training=True)
    masks = [p.mask for p in train]
    assert len({m.tobytes() for m in masks}) == 6                  # a different set each pass
    p = train[0]
    assert np.allclose(p.after[p.mask], p.before[p.mask] * 2) and np.all(p.after[~p.mask] == 0)
    infer = dropout_passes(x, units=32, rate=0.5, passes=3, training=False)
    assert all(q.mask.all() and np.array_equal(q.after, q.before) for q in infer)


def test_flatten_neighbours_and_pixel_shuffle():
    n = neighbour_indices(5, 7, (32, 32, 3))
    assert n["pixel"] == (5 * 32 + 7) * 3
    assert n["right"] - n["pixel"] == 3 and n["pixel"] - n["up"] == 96 and n["down"] - n["pixel"] == 96
    assert set(neighbour_indices(0, 0, (4, 4, 1))) == {"pixel", "down", "right"}
    perm = pixel_permutation(4, 4, seed=2)
    imgs = np.arange(2 * 4 * 4 * 3).reshape(2, 4, 4, 3)
    out = shuffle_pixels(imgs, perm)
    assert np.array_equal(out.reshape(2, 16, 3), imgs.reshape(2, 16, 3)[:, perm])   # same shuffle for all
    assert sorted(out[0].reshape(-1).tolist()) == sorted(imgs[0].reshape(-1).tolist())


def test_train_engine_imports_no_qt():
    import subprocess
    import sys

    code = ("import sys, desktopnn.engine.cnn.train, desktopnn.engine.cnn.inside, desktopnn.engine.cnn.datasets, "
            "desktopnn.engine.download, desktopnn.engine.cnn.train_digits_cnn; "
            "print([m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
