"""The live pipeline's fast paths (issue 14) give what the plain ones give: the same maps and numbers
(bit-equal, or within 1e-5 where float sums are reordered) at every layer, size and normalisation.

The references here are written plainly, one map at a time, with torch.nn.functional and numpy."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from desktopnn.engine.cnn.notes_cnn import _conv_relu, _max_pool2, to_input
from desktopnn.engine.live import mosaic as M
from desktopnn.engine.live.networks import KernelBankNetwork, NotesCNNNetwork
from desktopnn.engine.live.pipeline import packed_lut, resize_frame, run_frame

SIZES = [(160, 120), (224, 224), (320, 240), (640, 480)]
LAYERS = ["conv1", "pool1", "conv2", "pool2", "conv3"]


def plain_resize(frame, size):
    x = torch.from_numpy(frame).permute(2, 0, 1)[None].float()
    y = F.interpolate(x, size=(size[1], size[0]), mode="area")
    return y[0].permute(1, 2, 0).round_().clamp_(0, 255).to(torch.uint8).numpy()


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 40), w=st.integers(1, 40), f=st.integers(2, 16), seed=st.integers(0, 2**16))
def test_whole_number_shrinks_are_bit_equal_to_area_interpolation(h, w, f, seed):
    frame = np.random.default_rng(seed).integers(0, 256, (h * f, w * f, 3), dtype=np.uint8)
    np.testing.assert_array_equal(resize_frame(frame, (w, h)), plain_resize(frame, (w, h)))


def test_rounding_ties_go_to_even_as_the_float_path():
    frame = np.zeros((2, 4, 3), np.uint8)
    frame[:, :2, 0] = [[0, 1], [1, 0]]            # mean 0.5 → 0
    frame[:, 2:, 0] = [[1, 2], [2, 1]]            # mean 1.5 → 2
    frame[:, :2, 1] = [[3, 2], [2, 3]]            # mean 2.5 → 2
    np.testing.assert_array_equal(resize_frame(frame, (2, 1)), plain_resize(frame, (2, 1)))
    assert resize_frame(frame, (2, 1))[0, :, 0].tolist() == [0, 2]


def plain_tiles(maps, mode, budget=M.MOSAIC_BUDGET):
    """Per map: its low and high, f×f block means (a partial block dropped), scaled to 0..255."""
    c, h, w = maps.shape
    f = max(1, int(np.ceil(np.sqrt(c * h * w / budget))))
    m = maps.double().numpy()
    lo, hi = m.min(axis=(1, 2)), m.max(axis=(1, 2))
    if mode == "layer":
        lo, hi = np.full(c, lo.min()), np.full(c, hi.max())
    th, tw = h // f, w // f
    blocks = m[:, :th * f, :tw * f].reshape(c, th, f, tw, f).mean(axis=(2, 4))
    span = np.where(hi > lo, hi - lo, 1.0)
    return (blocks - lo[:, None, None]) * (255.0 / span)[:, None, None], f, lo, hi


@pytest.mark.parametrize("mode", ["map", "layer"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("layer", LAYERS)
def test_mosaic_tiles_match_the_plain_per_map_computation(model, layer, size, mode):
    frame = torch.from_numpy(np.random.default_rng(5).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    net = NotesCNNNetwork(model)
    with torch.inference_mode():
        maps = net.layer_maps(frame, layer, torch.device("cpu"))
        for nonneg in (False, True):
            u8, f, lo, hi = M.mosaic_tiles(maps, mode, nonnegative=nonneg)
            want, wf, wlo, whi = plain_tiles(maps, mode)
            assert f == wf and u8.shape == want.shape
            np.testing.assert_allclose(lo, wlo, rtol=0, atol=1e-5)      # the lows and highs of the full maps
            np.testing.assert_allclose(hi, whi, rtol=0, atol=1e-5)
            diff = np.abs(u8.astype(int) - np.clip(np.round(want), 0, 255))
            assert diff.max() <= 1                                      # only where float order met a .5
            near_half = np.abs((want % 1) - 0.5) < 1e-3
            assert np.all(near_half[diff > 0])


def test_the_nonnegative_shortcut_finds_the_exact_low_with_and_without_zero_blocks():
    maps = torch.rand(4, 40, 60) + 0.25                      # no zeros at all: the full read is needed
    maps[1, :8, :8] = 0                                      # a zero block
    maps[2, 5, 5] = 0                                        # a lone zero inside a positive block
    lo = M.mosaic_tiles(maps, "map", budget=1500, nonnegative=True)[2]
    np.testing.assert_array_equal(lo, maps.amin(dim=(1, 2)).numpy())


def test_the_coloured_mosaic_is_the_index_mosaic_through_the_table(model):
    frame = torch.from_numpy(np.random.default_rng(2).integers(0, 256, (240, 320, 3), dtype=np.uint8))
    lut = np.stack([np.arange(256), 255 - np.arange(256), np.arange(256) // 2], 1).astype(np.uint8)
    words = M.lut_argb32(lut)
    with torch.inference_mode():
        maps = NotesCNNNetwork(model).layer_maps(frame, "conv2", torch.device("cpu"))
    index, layout, f, lo, hi = M.build_mosaic(maps, "map")
    rgba, layout2, f2, lo2, hi2 = M.colour_mosaic(maps, words, "map")
    assert layout2 == layout and f2 == f
    np.testing.assert_array_equal(rgba, M.colorize(index, words))
    argb = rgba.view(np.uint32)[..., 0]                                 # native 0xAARRGGBB words
    on = index < M.GAP
    np.testing.assert_array_equal((argb[on] >> 16) & 255, lut[index[on], 0])
    assert np.all(argb[~on] == 0)                                       # the gaps are transparent


@pytest.mark.parametrize("mode", ["map", "layer"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("layer", LAYERS)
def test_run_frame_numbers_equal_the_plain_network(model, notes_reference, layer, size, mode):
    frame = np.random.default_rng(9).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    lf = run_frame(NotesCNNNetwork(model), frame, layer, size=size, mode=mode, selected=3, classify=False)
    x = torch.from_numpy(frame).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        want = notes_reference(model, x)[layer][0]
    torch.testing.assert_close(lf.maps.cpu(), want, rtol=1e-5, atol=1e-5)
    _lo, _hi = want.amin(dim=(1, 2)), want.amax(dim=(1, 2))
    if mode == "layer":
        _lo, _hi = _lo.min().expand_as(_lo), _hi.max().expand_as(_hi)
    np.testing.assert_allclose(lf.lows, _lo.numpy(), atol=1e-5)
    np.testing.assert_allclose(lf.highs, _hi.numpy(), atol=1e-5)
    one = want[3]
    row, col, value = lf.peak
    assert value == pytest.approx(float(one.max()), abs=1e-5) and float(one[row, col]) == pytest.approx(value, abs=1e-5)
    scaled = ((one - _lo[3]) / max(float(_hi[3] - _lo[3]), 1e-30) * 255).numpy()
    large = (lf.large.view(np.uint32)[..., 0] & 255).astype(int)      # grey table: blue byte = the level
    assert np.abs(large - np.clip(np.round(scaled), 0, 255)).max() <= 1


def test_the_kernel_bank_keeps_its_whole_number_arithmetic():
    frame = np.random.default_rng(4).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    net = KernelBankNetwork()
    lf = run_frame(net, frame, "kernels", size=(160, 120), classify=False)
    for i in (0, len(net.kernels) - 1):
        _lines, value = net.explain(frame, i, 30, 40)
        assert float(lf.maps[i, 30, 40]) == pytest.approx(value, abs=1e-3)
    assert not net.nonnegative("kernels")          # signed maps: their lows are always read in full


def test_fused_convolution_and_relu_are_bit_equal_to_the_two_steps(model):
    x = to_input(np.random.default_rng(1).integers(0, 256, (97, 131, 3), dtype=np.uint8))
    model = copy.deepcopy(model).cpu()       # oneDNN's fused op is the CPU's; the engine may have moved it
    with torch.inference_mode():
        for conv in (model.conv1,):
            torch.testing.assert_close(_conv_relu(conv, x), F.conv2d(x, conv.weight, conv.bias).relu(), rtol=0, atol=0)


@settings(max_examples=40, deadline=None)
@given(b=st.integers(1, 2), c=st.integers(1, 40), h=st.integers(2, 41), w=st.integers(2, 41),
       nan=st.booleans(), seed=st.integers(0, 2**16))
def test_max_pooling_by_strided_maxima_is_bit_equal_to_max_pool2d(b, c, h, w, nan, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(b, c, h, w, generator=gen).contiguous(memory_format=torch.channels_last)
    if nan:
        x[0, c - 1, h // 2, w // 2] = float("nan")       # a NaN wins its window in both
    with torch.inference_mode():
        got, want = _max_pool2(x), F.max_pool2d(x, 2)
    assert got.shape == want.shape and got.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(got, want, rtol=0, atol=0, equal_nan=True)


def test_max_pooling_keeps_max_pool2d_for_gradients_and_its_error_for_a_tiny_map():
    x = torch.ones(1, 3, 6, 6).contiguous(memory_format=torch.channels_last).requires_grad_(True)
    _max_pool2(x).sum().backward()                    # every window a four-way tie
    assert int((x.grad != 0).sum()) == 27 and float(x.grad.max()) == 1.0   # one input per window, as max_pool2d
    with torch.inference_mode(), pytest.raises(RuntimeError, match="too small"):
        _max_pool2(torch.randn(1, 2, 1, 5).contiguous(memory_format=torch.channels_last))


def test_one_pass_input_scaling_is_bit_equal():
    u8 = np.random.default_rng(3).integers(0, 256, (50, 70, 3), dtype=np.uint8)
    want = torch.from_numpy(u8).permute(2, 0, 1)[None].float() / 255.0
    torch.testing.assert_close(to_input(u8), want, rtol=0, atol=0)


def test_the_packed_table_is_cached_per_colour_map():
    grey = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    assert packed_lut(grey) is packed_lut(grey.copy())
    assert packed_lut(grey)[M.GAP] == 0 and packed_lut(grey)[255] == 0xFFFFFFFF


@settings(max_examples=30, deadline=None)
@given(c=st.integers(1, 12), h=st.integers(2, 60), w=st.integers(2, 60), budget=st.integers(50, 4000),
       band_bytes=st.integers(1, 20_000), keep=st.integers(0, 11), seed=st.integers(0, 2**16))
def test_reading_a_layer_in_bands_gives_what_reading_it_whole_gives(c, h, w, budget, band_bytes, keep, seed):
    gen = torch.Generator().manual_seed(seed)
    maps = torch.relu(torch.randn(1, c, h, w, generator=gen)).contiguous(memory_format=torch.channels_last)[0]
    keep = min(keep, c - 1)
    results = []
    for bands in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(M, "BAND_BYTES", band_bytes)
            mp.setattr(M, "BANDS_FROM", 0 if bands else 1 << 62)
            one = torch.full((h, w), -1.0)
            factor = max(1, min(int(np.ceil(np.sqrt(c * h * w / budget))), h, w))
            assert M._in_bands(maps, factor) == (bands and factor > 1)
            u8, f, lo, hi = M.mosaic_tiles(maps, "map", budget, nonnegative=True, keep=(keep, one))
            results.append((u8, f, lo, hi, one))
            torch.testing.assert_close(one, maps[keep], rtol=0, atol=0)       # the whole map, every band
    (u8, f, lo, hi, _), (u8w, fw, low, hiw, _) = results
    assert f == fw
    np.testing.assert_array_equal(u8, u8w)
    np.testing.assert_array_equal(lo, low)
    np.testing.assert_array_equal(hi, hiw)


@settings(max_examples=40, deadline=None)
@given(c=st.integers(1, 70), h=st.integers(1, 50), w=st.integers(1, 50), budget=st.integers(1, 6000),
       mode=st.sampled_from(["map", "layer"]), relu=st.booleans(), flat=st.booleans(), keep=st.integers(0, 69),
       aspect=st.floats(0.5, 3.0), seed=st.integers(0, 2**16))
def test_the_compiled_mosaic_is_bit_equal_to_the_torch_steps(c, h, w, budget, mode, relu, flat, keep, aspect, seed):
    gen = torch.Generator().manual_seed(seed)
    maps = torch.randn(1, c, h, w, generator=gen) * 7
    maps = (maps.relu() if relu else maps).contiguous(memory_format=torch.channels_last)[0]
    if flat:
        maps[c // 2] = 1.5                                   # a flat map: its range falls back to 1
    keep = min(keep, c - 1)
    lut = M.lut_argb32(np.random.default_rng(seed).integers(0, 256, (256, 3), dtype=np.uint8))
    assert M._fusable(maps)
    results = []
    for compiled in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(M, "_fusable", lambda m, on=compiled: on)
            one = torch.full((h, w), -1.0)
            results.append((*M.colour_mosaic(maps, lut, mode, aspect=aspect, budget=budget, nonnegative=relu,
                                             keep=(keep, one)), one))
    (rgba, layout, f, lo, hi, one), (rgba_t, layout_t, f_t, lo_t, hi_t, one_t) = results
    assert layout == layout_t and f == f_t
    np.testing.assert_array_equal(rgba, rgba_t)
    np.testing.assert_array_equal(lo, lo_t)
    np.testing.assert_array_equal(hi, hi_t)
    torch.testing.assert_close(one, one_t, rtol=0, atol=0)


def test_the_compiled_mosaic_serves_the_live_pipeline_on_the_cpu(model):
    net = NotesCNNNetwork(model)
    with torch.inference_mode():
        maps = net.layer_maps(torch.zeros(48, 64, 3, dtype=torch.uint8), "conv1", torch.device("cpu"))
    assert M._fusable(maps)                                  # channels_last float32: the compiled loops
    assert not M._fusable(maps.contiguous())                 # plain order: the torch steps
    assert not M._fusable(maps.double())
    bank = KernelBankNetwork().layer_maps(torch.zeros(48, 64, 3, dtype=torch.uint8), "kernels", torch.device("cpu"))
    assert M._fusable(bank)                                  # the lab's kernels too


@settings(max_examples=60, deadline=None)
@given(h=st.integers(1, 60), w=st.integers(1, 60), relu=st.booleans(), flat=st.booleans(),
       widen=st.floats(0.0, 3.0), seed=st.integers(0, 2**16))
def test_the_selected_maps_compiled_colouring_is_bit_equal_to_the_torch_steps(h, w, relu, flat, widen, seed):
    from desktopnn.engine.live import fused
    from desktopnn.engine.live import pipeline as P

    gen = torch.Generator().manual_seed(seed)
    one = torch.randn(h, w, generator=gen) * 7
    one = one.relu() if relu else one
    if flat:
        one.fill_(1.5)                                        # a flat map: its range falls back to 1
    lo, hi = float(one.min()) - widen, float(one.max()) + widen   # per map, or a whole layer's wider range
    lut = M.lut_argb32(np.random.default_rng(seed).integers(0, 256, (256, 3), dtype=np.uint8))
    got = P._colour_one(one, lo, hi, lut)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fused, "available", lambda: False)
        want = P._colour_one(one, lo, hi, lut)
    assert got.shape == want.shape == (h, w, 4)
    np.testing.assert_array_equal(got, want)


@settings(max_examples=30, deadline=None)
@given(h=st.integers(3, 40), w=st.integers(3, 40), layer=st.sampled_from(LAYERS), band_bytes=st.integers(1, 60_000),
       seed=st.integers(0, 2**16))
def test_a_layer_computed_with_its_first_layer_in_bands_is_bit_equal(model, h, w, layer, band_bytes, seed):
    from desktopnn.engine.cnn import notes_cnn

    frame = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    model = model.cpu()
    try:
        want = model.activations(frame, until=layer)[layer]
    except RuntimeError:                    # too small a frame for this layer: the same error either way
        with pytest.raises(RuntimeError):
            model.layer_output(frame, layer)
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(notes_cnn, "BAND_BYTES", band_bytes)          # from one row per band to the whole map
        got = model.layer_output(frame, layer)
    assert got.shape == want.shape
    assert torch.equal(got, want)
    assert got.is_contiguous(memory_format=torch.channels_last)


def test_the_first_layer_runs_in_bands_only_where_it_is_large_and_not_shown(model, monkeypatch):
    from desktopnn.engine.cnn import notes_cnn

    model = model.cpu()
    calls = []
    real = notes_cnn._conv_relu
    monkeypatch.setattr(notes_cnn, "_conv_relu", lambda conv, x: calls.append(x.shape[-2]) or real(conv, x))
    frame = np.zeros((480, 640, 3), np.uint8)
    model.layer_output(frame, "conv2")
    assert calls[0] < 478 and len(calls) > 2        # conv1 in bands of rows, then conv2 whole
    calls.clear()
    model.layer_output(frame, "conv1")
    assert calls == [480]                            # the layer shown: whole
    calls.clear()
    model.layer_output(frame[:120, :160], "conv2")
    assert calls == [120, 59]                        # small enough to run at once
    with pytest.raises(ValueError, match="no layer"):
        model.layer_output(frame, "conv9")
