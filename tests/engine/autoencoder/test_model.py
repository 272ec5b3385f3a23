"""The image autoencoder (notes 3): noise, training, codes, transfer learning, weights files."""

import numpy as np
import pytest
import torch

from desktopnn.engine.autoencoder import model as AE


@pytest.fixture(scope="module")
def digits():
    return AE.load_digits_data()


def test_digits_are_scaled_and_split(digits):
    assert digits.images.shape == (1797, 8, 8)
    assert 0.0 <= digits.images.min() and digits.images.max() == 1.0
    assert len(np.intersect1d(digits.train, digits.test)) == 0
    assert len(digits.train) + len(digits.test) == 1797


def test_noise_kinds():
    g = torch.Generator().manual_seed(0)
    x = torch.full((200, 64), 0.5)
    assert torch.equal(AE.add_noise(x, "none", 0.5, g), x)
    gauss = AE.add_noise(x, "gaussian", 0.2, g)
    assert 0.15 < float((gauss - x).std()) < 0.25 and gauss.min() >= 0 and gauss.max() <= 1
    masked = AE.add_noise(x, "masking", 0.3, g)
    frac = float((masked == 0).float().mean())
    assert 0.25 < frac < 0.35 and set(masked.unique().tolist()) <= {0.0, 0.5}
    sp = AE.add_noise(x, "salt_pepper", 0.3, g)
    hit = sp != 0.5
    assert 0.25 < float(hit.float().mean()) < 0.35
    assert set(sp[hit].unique().tolist()) == {0.0, 1.0}
    with pytest.raises(ValueError, match="unknown noise"):
        AE.add_noise(x, "static", 0.1)


def test_mixed_noise_keeps_range():
    x = torch.rand(100, 64)
    y = AE.add_mixed_noise(x, 0.5, torch.Generator().manual_seed(1))
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1 and not torch.equal(x, y)


def test_bottleneck_must_fit():
    with pytest.raises(ValueError, match="bottleneck"):
        AE.Autoencoder(code_size=0)


def test_training_lowers_the_loss(digits):
    torch.manual_seed(0)
    model = AE.Autoencoder(code_size=4)
    seen = []
    hist = AE.train_autoencoder(model, digits.flat[digits.train[:400]], epochs=5, batch_size=100, lr=1e-2,
                                val=digits.flat[digits.test], noise="gaussian", noise_amount=0.2,
                                progress=lambda f, h: seen.append(f))
    assert len(hist.train) == len(hist.val) == 5
    assert hist.train[-1] < 0.7 * hist.train[0]
    assert hist.val[-1] < hist.val[0]
    assert seen[-1] == 1.0


def test_training_can_be_cancelled(digits):
    class Stop(Exception):
        pass

    def progress(fraction, _hist):
        if fraction > 0.3:
            raise Stop()

    with pytest.raises(Stop):
        AE.train_autoencoder(AE.Autoencoder(code_size=2), digits.flat[:100], epochs=10, progress=progress)


def test_bottleneck_2_gives_one_point_per_sample(digits):
    model = AE.load_default_image_model(2)
    codes = AE.encode(model, digits.flat)
    assert codes.shape == (1797, 2) and np.isfinite(codes).all()
    img = AE.decode(model, codes[:1])
    assert img.shape == (1, 64) and 0 <= img.min() and img.max() <= 1


@pytest.mark.parametrize("k", AE.BOTTLENECKS)
def test_shipped_weights_reconstruct_and_denoise(digits, k):
    model = AE.load_default_image_model(k)
    assert model.code_size == k
    x = digits.flat[digits.test]
    _code, out = AE.reconstruct(model, x)
    mse = float(np.mean((out - x) ** 2))
    assert mse < 0.05
    noisy = AE.add_noise(torch.as_tensor(x), "salt_pepper", 0.2, torch.Generator().manual_seed(0)).numpy()
    _c, cleaned = AE.reconstruct(model, noisy)
    assert np.mean((cleaned - x) ** 2) < np.mean((noisy - x) ** 2)   # noisy in, cleaner out
    hist = AE.weights_history(AE.default_image_weights(k))
    assert len(hist.train) > 10 and hist.train[-1] < hist.train[0]


def test_weights_round_trip_and_bad_files(tmp_path):
    model = AE.Autoencoder(code_size=3)
    path = tmp_path / "w.safetensors"
    AE.save_weights(model, path, {"kind": "image", **model.meta()})
    again = AE.model_from_weights(path)
    x = torch.rand(5, 64)
    assert torch.allclose(again(x), model.eval()(x))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00\x01 this is not safetensors")
    with pytest.raises(ValueError, match="not a valid weights file"):
        AE.model_from_weights(bad)
    with pytest.raises(ValueError, match="no weights file"):
        AE.model_from_weights(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="audio autoencoder"):
        AE.save_weights(model, path, {"kind": "audio", **model.meta()})
        AE.model_from_weights(path, "image")
    with pytest.raises(ValueError, match="default weights"):
        AE.load_default_image_model(5)


def test_transfer_learning_compares_two_classifiers(digits):
    model = AE.load_default_image_model(16)
    ticks = []
    r = AE.transfer_compare(model, digits, labels_per_class=3, epochs=30, progress=lambda f, _p: ticks.append(f))
    assert r.n_labels == 30
    assert 0.0 <= r.scratch_accuracy <= 1.0 and r.transfer_accuracy > 0.3   # far above chance (0.1)
    assert len(r.transfer_curve) == len(r.scratch_curve) == 3 and ticks[-1] == 1.0
    before = {k: v.clone() for k, v in model.state_dict().items()}
    AE.transfer_compare(model, digits, labels_per_class=1, epochs=10)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())   # the encoder stays frozen
    with pytest.raises(ValueError):
        AE.transfer_compare(model, digits, labels_per_class=0)
