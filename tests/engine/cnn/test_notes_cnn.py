"""The notes' CNNs (2.13, 2.8), safe weight loading and the shipped weights."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from desktopnn.engine.cnn.notes_cnn import (KerasExampleCNN, NotesCNN, center_crop, file_sha256, load_notes_cnn,
                                     shipped_weights, to_input)
from desktopnn.engine.cnn.shapes import CLASS_NAMES, make_dataset
from desktopnn.engine.cnn.train_notes_cnn import VAL_SEED, accuracy


def test_notes_cnn_layers_match_the_notes(model):
    assert model.layer_channels() == {"conv1": 32, "pool1": 32, "conv2": 64, "pool2": 64, "conv3": 64}
    assert model.flat_features == 4 * 4 * 64       # 32 → 30 → 15 → 13 → 6 → 4
    assert model.dense1.out_features == 64 and model.dense2.out_features == 10
    assert "conv1: Conv2D 32 filters 3×3, valid, relu" in model.summary()


def test_activations_on_a_frame_equal_direct_torch(model, notes_reference):
    frame = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    acts = model.activations(frame)
    x = torch.from_numpy(frame).permute(2, 0, 1)[None].float() / 255
    ref = notes_reference(model, x)
    assert acts["conv1"].shape == (1, 32, 118, 158)     # valid 3×3: two pixels fewer
    assert acts["conv3"].shape == (1, 64, 26, 36)
    for name, want in ref.items():
        torch.testing.assert_close(acts[name], want, rtol=1e-4, atol=1e-5)
    assert list(model.activations(frame, until="conv2")) == ["conv1", "pool1", "conv2"]


def test_forward_flattens_channels_last_like_keras(model, notes_reference):
    x = torch.rand(2, 3, 32, 32)
    feats = notes_reference(model, x)["conv3"]
    flat = feats.permute(0, 2, 3, 1).reshape(2, -1)
    want = F.linear(F.relu(F.linear(flat, model.dense1.weight, model.dense1.bias)), model.dense2.weight, model.dense2.bias)
    torch.testing.assert_close(model(x), want)
    probs = model.classify((x.permute(0, 2, 3, 1).numpy()))
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="32×32"):
        model.classify(np.zeros((40, 40, 3), np.uint8))


def test_notes_2_8_model_shapes():
    m = KerasExampleCNN(["a", "b", "c"])
    assert m(torch.rand(1, 3, 32, 32)).shape == (1, 3)
    assert m.layer_channels() == {"conv1": 16, "pool1": 16, "conv2": 32, "pool2": 32, "conv3": 64, "pool3": 64}
    assert m.flat_features == 4 * 4 * 64


def test_to_input_is_channels_last_and_scaled():
    img = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    x = to_input(img)
    assert x.shape == (1, 3, 2, 3) and x.is_contiguous(memory_format=torch.channels_last)
    assert float(x[0, 2, 1, 2]) == pytest.approx(img[1, 2, 2] / 255)
    with pytest.raises(ValueError, match="RGB"):
        to_input(np.zeros((4, 4), np.uint8))


def test_save_and_load_round_trip(tmp_path, model):
    path = tmp_path / "w.safetensors"
    digest = model.save_weights(path)
    assert digest == file_sha256(path)
    other = NotesCNN()
    other.load_weights(path, sha256=digest)
    x = torch.rand(1, 3, 32, 32)
    torch.testing.assert_close(other(x), model(x))
    assert other.class_names == model.class_names


def test_checksum_mismatch_keeps_the_current_weights(tmp_path, model):
    path = tmp_path / "w.safetensors"
    model.save_weights(path)
    other = NotesCNN()
    before = {k: v.clone() for k, v in other.state_dict().items()}
    with pytest.raises(ValueError, match="SHA-256 checksum"):
        other.load_weights(path, sha256="0" * 64)
    for k, v in other.state_dict().items():
        assert torch.equal(v, before[k])


@pytest.mark.parametrize("content", [b"", b"garbage" * 50, None])
def test_corrupt_file_is_a_clear_error(tmp_path, model, content):
    path = tmp_path / "bad.safetensors"
    if content is None:               # a real file cut short
        model.save_weights(path)
        content = path.read_bytes()[:-100]
    path.write_bytes(content)
    other = NotesCNN()
    before = other.conv1.weight.detach().clone()
    with pytest.raises(ValueError, match="damaged"):
        other.load_weights(path)
    assert torch.equal(other.conv1.weight, before)


def test_weights_of_another_network_are_refused(tmp_path):
    path = tmp_path / "keras28.safetensors"
    KerasExampleCNN().save_weights(path)
    with pytest.raises(ValueError, match="shape|different network"):
        NotesCNN().load_weights(path)
    with pytest.raises(ValueError, match="no such weights file"):
        NotesCNN().load_weights(tmp_path / "missing.safetensors")


def test_torch_checkpoints_load_with_weights_only(tmp_path, model):
    good = tmp_path / "w.pt"
    torch.save(model.state_dict(), good)
    other = NotesCNN()
    other.load_weights(good)
    torch.testing.assert_close(other.conv2.weight, model.conv2.weight)
    evil = tmp_path / "evil.pt"
    torch.save({"conv1.weight": model.conv1.weight, "hook": print}, evil)   # arbitrary object: refused
    with pytest.raises(ValueError, match="safely|plain dictionary"):
        NotesCNN().load_weights(evil)


def test_shipped_weights_are_verified_and_classify_held_out_data():
    path, card = shipped_weights()
    assert file_sha256(path) == card["sha256"]
    assert path.stat().st_size < 1_000_000
    assert card["class_names"] == CLASS_NAMES
    net = load_notes_cnn()
    images, labels = make_dataset(400, VAL_SEED + 1)       # never seen in training
    acc = accuracy(net, images, labels)
    assert acc > 0.7, acc                                  # chance is 0.1
    assert card["validation"]["accuracy"] > 0.7


def test_shipped_card_checksum_mismatch_is_refused(tmp_path, monkeypatch):
    import desktopnn.engine.cnn.notes_cnn as models

    path, card = shipped_weights()
    fake = tmp_path / "notes_cnn.safetensors"
    fake.write_bytes(path.read_bytes())
    (tmp_path / "notes_cnn.json").write_text(json.dumps({**card, "sha256": "f" * 64}))
    monkeypatch.setattr(models, "shipped_weights", lambda: (fake, {**card, "sha256": "f" * 64}))
    with pytest.raises(ValueError, match="checksum"):
        models.load_notes_cnn()


def test_center_crop():
    img = np.zeros((240, 320, 3), np.uint8)
    img[:, 40:280] = 200                                   # exactly the centre 240×240 square
    crop = center_crop(img, 32)
    assert crop.shape == (32, 32, 3) and crop.min() == 200


def test_new_engine_modules_import_no_qt():
    code = ("import sys, desktopnn.engine.live.pipeline, desktopnn.engine.cnn.notes_cnn, desktopnn.engine.cnn.shapes, "
            "desktopnn.engine.cnn.train_notes_cnn;"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('PySide6','shiboken6','pyqtgraph')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
