"""The live pipeline (notes 2.2, 2.13): networks, one frame to a coloured mosaic, receptive fields."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from desktopnn.engine.live.mosaic import GAP, build_mosaic, colorize, lut_rgba, mosaic_layout, normalise
from desktopnn.engine.live.networks import KernelBankNetwork, NotesCNNNetwork
from desktopnn.engine.live.pipeline import resize_frame, run_frame


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


def test_run_frame_with_the_notes_cnn_equals_direct_torch(model, notes_reference):
    frame = np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    net = NotesCNNNetwork(copy.deepcopy(model))    # run_frame moves its model to the engine's device
    lf = run_frame(net, frame, "conv2", size=(160, 120), selected=5)
    assert lf.input.shape == (120, 160, 3)
    np.testing.assert_array_equal(lf.input, resize_frame(frame, (160, 120)))
    x = torch.from_numpy(lf.input).permute(2, 0, 1)[None].float() / 255
    torch.testing.assert_close(lf.maps.cpu(), notes_reference(model, x)["conv2"][0], rtol=1e-4, atol=1e-5)
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


def test_a_heavy_layer_runs_on_every_core_and_a_light_one_keeps_the_live_threads(monkeypatch):
    from desktopnn.engine.live import pipeline as P

    monkeypatch.delenv("DESKTOPNN_LIVE_THREADS", raising=False)
    monkeypatch.setattr(P.os, "cpu_count", lambda: 4)
    choice = P.FrameThreads(heavy_ms=20.0)
    heavy, light = ("notes_cnn", "conv3", (640, 480)), ("notes_cnn", "conv1", (320, 240))
    for i in range(P.FrameThreads.SAMPLES + 1):
        assert choice.threads(heavy) == 3 and choice.threads(light) == 3       # measured on the live threads
        choice.record(heavy, 300.0 if i == 0 else 45.0)
        choice.record(light, 300.0 if i == 0 else 3.0)                          # a slow first frame is left out
    assert choice.threads(heavy) == 4 and choice.threads(light) == 3
    choice.record(heavy, 1.0)                                                   # decided once: it does not flap
    assert choice.threads(heavy) == 4
    monkeypatch.setenv("DESKTOPNN_LIVE_THREADS", "2")                           # the override holds every frame
    fresh = P.FrameThreads(heavy_ms=20.0)
    for _ in range(P.FrameThreads.SAMPLES + 1):
        fresh.record(heavy, 45.0)
    assert fresh.threads(heavy) == 2


def test_a_frame_on_more_threads_gives_the_same_numbers_and_restores_the_thread_count(model):
    frame = np.random.default_rng(8).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    before = torch.get_num_threads()
    one = run_frame(NotesCNNNetwork(model), frame, "conv2", size=(320, 240), classify=False, frame_threads=1)
    two = run_frame(NotesCNNNetwork(model), frame, "conv2", size=(320, 240), classify=False, frame_threads=2)
    assert torch.get_num_threads() == before
    torch.testing.assert_close(two.maps.cpu(), one.maps.cpu(), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.abs(two.mosaic.astype(int) - one.mosaic.astype(int)) <= 1, True)
    np.testing.assert_allclose(two.highs, one.highs, atol=1e-5)
