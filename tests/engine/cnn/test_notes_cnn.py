"""The notes' CNNs (2.13, 2.8), safe weight loading, the shipped weights, and the live pipeline's mosaic."""

import copy
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from desktopnn.engine.live.pipeline import KernelBankNetwork, NotesCNNNetwork, resize_frame, run_frame
from desktopnn.engine.live.mosaic import GAP, build_mosaic, colorize, lut_rgba, mosaic_layout, normalise
from desktopnn.engine.cnn.notes_cnn import (KerasExampleCNN, NotesCNN, center_crop, file_sha256, load_notes_cnn,
                                     shipped_weights, to_input)
from desktopnn.engine.cnn.shapes import CLASS_NAMES, make_dataset
from desktopnn.engine.cnn.train_notes_cnn import VAL_SEED, accuracy


def reference_features(model, x):
    """The 2.13 base written out with torch.nn.functional, independently of the model's code."""
    out = {}
    y = F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias))
    out["conv1"] = y
    y = F.max_pool2d(y, 2)
    out["pool1"] = y
    y = F.relu(F.conv2d(y, model.conv2.weight, model.conv2.bias))
    out["conv2"] = y
    y = F.max_pool2d(y, 2)
    out["pool2"] = y
    out["conv3"] = F.relu(F.conv2d(y, model.conv3.weight, model.conv3.bias))
    return out


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(3)
    return NotesCNN().eval()


def test_notes_cnn_layers_match_the_notes(model):
    assert model.layer_channels() == {"conv1": 32, "pool1": 32, "conv2": 64, "pool2": 64, "conv3": 64}
    assert model.flat_features == 4 * 4 * 64       # 32 → 30 → 15 → 13 → 6 → 4
    assert model.dense1.out_features == 64 and model.dense2.out_features == 10
    assert "conv1: Conv2D 32 filters 3×3, valid, relu" in model.summary()


def test_activations_on_a_frame_equal_direct_torch(model):
    frame = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    acts = model.activations(frame)
    x = torch.from_numpy(frame).permute(2, 0, 1)[None].float() / 255
    ref = reference_features(model, x)
    assert acts["conv1"].shape == (1, 32, 118, 158)     # valid 3×3: two pixels fewer
    assert acts["conv3"].shape == (1, 64, 26, 36)
    for name, want in ref.items():
        torch.testing.assert_close(acts[name], want, rtol=1e-4, atol=1e-5)
    assert list(model.activations(frame, until="conv2")) == ["conv1", "pool1", "conv2"]


def test_forward_flattens_channels_last_like_keras(model):
    x = torch.rand(2, 3, 32, 32)
    feats = reference_features(model, x)["conv3"]
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


# ---- the live pipeline ---------------------------------------------------------------------
@given(count=st.integers(1, 70), th=st.integers(1, 40), tw=st.integers(1, 40),
       aspect=st.floats(0.3, 4.0), gap=st.integers(0, 3))
def test_mosaic_layout_holds_every_map_once(count, th, tw, aspect, gap):
    lay = mosaic_layout(count, th, tw, gap, aspect)
    assert lay.rows * lay.cols >= count
    assert (lay.rows - 1) * lay.cols < count               # no empty row
    for i in range(count):
        y, x = lay.origin(i)
        assert y + th <= lay.height and x + tw <= lay.width
        assert lay.tile_at(y, x) == (i, 0, 0)
        assert lay.tile_at(y + th - 1, x + tw - 1) == (i, th - 1, tw - 1)


@pytest.mark.parametrize("count", [1, 3, 5, 7, 13, 31, 63])
def test_mosaic_for_odd_channel_counts(count):
    rng = np.random.default_rng(count)
    maps = torch.from_numpy(rng.normal(size=(count, 9, 12)).astype(np.float32))
    mosaic, lay, factor, lo, hi = build_mosaic(maps, "map", gap=2, aspect=1.5)
    assert factor == 1 and mosaic.shape == (lay.height, lay.width)
    assert lay.count == count and lay.rows * lay.cols - count < lay.cols
    for i in range(count):
        y, x = lay.origin(i)
        tile = mosaic[y:y + 9, x:x + 12]
        want = np.round((maps[i].numpy() - lo[i]) / (hi[i] - lo[i]) * 255)
        assert np.abs(tile.astype(int) - want).max() <= 1        # rounding of x.5 may differ by one
    if lay.rows * lay.cols > count:                        # the empty cells stay empty
        y, x = lay.origin(count)
        assert lay.tile_at(y, x) is None and mosaic[y, x] == GAP
    assert lay.tile_at(0, 12) is None if lay.cols > 1 else True   # a gap


def test_colorize_makes_gaps_transparent_in_the_background_colour():
    lut = np.stack([np.arange(256), 255 - np.arange(256), np.zeros(256)], 1).astype(np.uint8)
    idx = np.array([[0, 255, GAP]], np.uint16)
    rgba = colorize(idx, lut_rgba(lut, fill=(9, 8, 7)))
    assert rgba.shape == (1, 3, 4)
    assert rgba[0].tolist() == [[0, 255, 0, 255], [255, 0, 0, 255], [9, 8, 7, 0]]   # the view's background shows


def test_seven_maps_fill_two_rows():
    lay = mosaic_layout(7, 30, 40, 2, aspect=2.0)
    assert (lay.rows, lay.cols) == (2, 4)


def test_normalise_per_map_and_per_layer():
    maps = torch.tensor([[[0.0, 2.0]], [[1.0, 5.0]]])
    per_map, lo, hi = normalise(maps, "map")
    torch.testing.assert_close(per_map, torch.tensor([[[0.0, 1.0]], [[0.0, 1.0]]]))
    per_layer, lo, hi = normalise(maps, "layer")
    torch.testing.assert_close(per_layer, torch.tensor([[[0.0, 0.4]], [[0.2, 1.0]]]))
    flat, _, _ = normalise(torch.ones(1, 2, 2), "map")     # a dead map stays 0, no division by zero
    assert float(flat.abs().max()) == 0.0
    with pytest.raises(ValueError):
        normalise(maps, "image")


def test_run_frame_with_the_notes_cnn_equals_direct_torch(model):
    frame = np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    net = NotesCNNNetwork(copy.deepcopy(model))    # run_frame moves its model to the engine's device
    lf = run_frame(net, frame, "conv2", size=(160, 120), selected=5)
    assert lf.input.shape == (120, 160, 3)
    np.testing.assert_array_equal(lf.input, resize_frame(frame, (160, 120)))
    x = torch.from_numpy(lf.input).permute(2, 0, 1)[None].float() / 255
    torch.testing.assert_close(lf.maps.cpu(), reference_features(model, x)["conv2"][0], rtol=1e-4, atol=1e-5)
    assert lf.mosaic.shape == (lf.layout.height, lf.layout.width, 4) and lf.large.shape == (57, 77, 4)
    assert lf.probs is not None and len(lf.top(5)) == 5


def test_kernel_bank_equals_direct_torch_and_explains_itself():
    frame = np.random.default_rng(2).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    net = KernelBankNetwork()
    lf = run_frame(net, frame, "kernels", size=(80, 60), classify=True)
    assert lf.probs is None
    gray = (torch.from_numpy(frame).float() @ torch.tensor([0.299, 0.587, 0.114])).round()   # as the lab
    sobel = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])[None, None]
    i = [k.name for k in net.kernels].index("Sobel x")
    want = F.conv2d(gray[None, None], sobel, padding=1)[0, 0]
    torch.testing.assert_close(lf.maps[i].cpu(), want, rtol=1e-5, atol=1e-3)
    lines, value = net.explain(lf.input, i, 10, 20)
    assert value == pytest.approx(float(lf.maps[i, 10, 20]), abs=1e-3)
    assert lines[0].startswith("Sobel x") and "×" in lines[1]


def test_receptive_fields(model):
    net = NotesCNNNetwork(model)
    assert net.receptive_field("conv1") == (1, 3, 0)
    assert net.receptive_field("pool1") == (2, 4, 0)
    assert net.receptive_field("conv2") == (2, 8, 0)
    assert net.receptive_field("conv3") == (4, 18, 0)
    assert KernelBankNetwork().receptive_field("kernels") == (1, 3, -1)


def test_notes_cnn_first_layer_arithmetic_matches_the_map(model):
    frame = np.random.default_rng(4).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    net = NotesCNNNetwork(model)
    lf = run_frame(net, frame, "conv1", size=(64, 48))
    lines, value = net.explain(lf.input, 3, 7, 9)
    assert value == pytest.approx(float(lf.maps[3, 7, 9]), abs=1e-5)
    assert lines[1].startswith("R: ") and "(bias)" in lines[-1] and "ReLU" in lines[-1]


def test_new_engine_modules_import_no_qt():
    code = ("import sys, desktopnn.engine.live.pipeline, desktopnn.engine.cnn.notes_cnn, desktopnn.engine.cnn.shapes, "
            "desktopnn.engine.cnn.train_notes_cnn;"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('PySide6','shiboken6','pyqtgraph')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
