"""What a unit looks for: strongest response, saliency, Grad-CAM and ideal inputs, for the kernel bank,
the notes' CNN and the ImageNet architectures (random weights), against torch.autograd run directly."""

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from desktopnn.engine.live.base import LiveNetwork
from desktopnn.engine.live.gradients import differentiable
from desktopnn.engine.live.ideal import ideal_input, ideal_input_layers, ideal_size
from desktopnn.engine.live.imagenet import random_imagenet
from desktopnn.engine.live.networks import GRAY, KernelBankNetwork, NotesCNNNetwork
from desktopnn.engine.live.units import cam_overlay, grad_cam, receptive_box, saliency, saliency_image, strongest_response

CPU = torch.device("cpu")
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def frame(h=48, w=64, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def as_x(f, grad=False):
    return (torch.from_numpy(f).permute(2, 0, 1)[None].float() / 255).requires_grad_(grad)


class GuidedRef(torch.autograd.Function):
    """Guided backpropagation's ReLU, written here independently of the engine."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.relu(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return torch.where((x > 0) & (g > 0), g, torch.zeros_like(g))


# ---- strongest response -------------------------------------------------------------------------------
def test_strongest_response_and_its_receptive_field(imagenet, model):
    alex = imagenet("alexnet")
    maps = torch.zeros(64, 55, 55)
    maps[5, 10, 20] = 3.0
    maps[4, 0, 0] = 2.0
    r = strongest_response(alex, "conv 1 · features.0", maps, 5, (224, 224))
    assert (r.channel, r.row, r.col, r.value) == (5, 10, 20, 3.0)
    assert r.box == (38, 78, 49, 89)                        # 10·4 − 2 … + 11: an 11×11 window
    assert strongest_response(alex, "conv 1 · features.0", maps, 4, (224, 224)).box == (0, 0, 9, 9)   # clipped
    assert receptive_box(NotesCNNNetwork(model), "conv3", 2, 3, (100, 100)) == (8, 12, 26, 30)     # 18×18, jump 4


# ---- saliency -----------------------------------------------------------------------------------------
def test_saliency_of_the_linear_kernel_bank_is_its_weights():
    net = KernelBankNetwork()
    f = frame(20, 24, seed=1)
    k, row, col = [kk.name for kk in net.kernels].index("Sobel x"), 7, 9
    kernel = torch.as_tensor(net.kernels[k].values, dtype=torch.float32)
    want = torch.zeros(20, 24, 3)
    want[row - 1:row + 2, col - 1:col + 2] = kernel[:, :, None] * (255 * GRAY)       # d unit / d pixel (0..1)
    for method in ("gradient", "guided"):                    # no ReLU: guiding changes nothing
        got = saliency(net, f, "kernels", k, position=(row, col), method=method, dev=CPU)
        torch.testing.assert_close(torch.from_numpy(got), want)
    gxi = saliency(net, f, "kernels", k, position=(row, col), method="gradient_x_input", dev=CPU)
    torch.testing.assert_close(torch.from_numpy(gxi), want * torch.from_numpy(f).float() / 255)
    gray = (torch.from_numpy(f).float() @ GRAY)[None, None]
    value = F.conv2d(gray, kernel[None, None], padding=1)[0, 0, row, col]            # the unit without bias
    assert gxi.sum() == pytest.approx(float(value), rel=1e-4)


@pytest.mark.parametrize("position", [None, (3, 5)])
def test_saliency_equals_autograd_on_torchvisions_model(imagenet, position):
    net = imagenet("resnet18")
    net._to(CPU)                   # shared with tests that ran it on the engine's device (a GPU, when lent)
    f = frame(64, 80, seed=2)
    layer = "conv 9 · layer2.1.conv1"
    x = as_x(f, grad=True)
    out = {}

    def keep(module, inputs, output):         # the module runs twice (before and after the add): the first
        out.setdefault("a", output)

    handle = net.model.get_submodule("layer2.1.relu").register_forward_hook(keep)
    try:
        net.model((x - MEAN) / STD)
    finally:
        handle.remove()
    unit = out["a"][0, 4].sum() if position is None else out["a"][0, 4][position]
    (want,) = torch.autograd.grad(unit, x)
    got = saliency(net, f, layer, 4, position=position, method="gradient", dev=CPU)
    torch.testing.assert_close(torch.from_numpy(got), want[0].permute(1, 2, 0), rtol=1e-4, atol=1e-6)
    gxi = saliency(net, f, layer, 4, position=position, method="gradient_x_input", dev=CPU)
    torch.testing.assert_close(torch.from_numpy(gxi), (want * x)[0].permute(1, 2, 0).detach(), rtol=1e-4, atol=1e-6)


def test_guided_backprop_equals_a_hand_written_reference(imagenet, model):
    alex = imagenet("alexnet")
    f = frame(96, 96, seed=3)
    x = as_x(f, grad=True)
    y = (x - MEAN) / STD
    for mod in list(alex.model.features)[:8]:               # up to conv 3's ReLU (features.7)
        y = GuidedRef.apply(y) if isinstance(mod, nn.ReLU) else mod(y)
    (want,) = torch.autograd.grad(y[0, 11].sum(), x)
    got = saliency(alex, f, "conv 3 · features.6", 11, method="guided", dev=CPU)
    torch.testing.assert_close(torch.from_numpy(got), want[0].permute(1, 2, 0), rtol=1e-4, atol=1e-7)
    assert not np.allclose(got, saliency(alex, f, "conv 3 · features.6", 11, method="gradient", dev=CPU))

    notes = NotesCNNNetwork(model)
    x = as_x(f, grad=True)
    y = F.max_pool2d(GuidedRef.apply(model.conv1(x)), 2)
    y = GuidedRef.apply(model.conv2(y))
    (want,) = torch.autograd.grad(y[0, 6, 5, 7], x)
    got = saliency(notes, f, "conv2", 6, position=(5, 7), method="guided", dev=CPU)
    torch.testing.assert_close(torch.from_numpy(got), want[0].permute(1, 2, 0), rtol=1e-4, atol=1e-7)


def test_saliency_images_and_bad_requests():
    sal = np.zeros((2, 2, 3), np.float32)
    sal[0, 0] = [1.0, -1.0, 0.5]
    img = saliency_image(sal)
    assert img.dtype == np.uint8 and img[0, 0].tolist() == [255, 0, 191] and img[1, 1].tolist() == [128, 128, 128]
    assert saliency_image(sal, signed=False)[0, 0].tolist() == [255, 255, 255]
    net = KernelBankNetwork()
    with pytest.raises(ValueError, match="unknown saliency method 'deconv'"):
        saliency(net, frame(), "kernels", 0, method="deconv", dev=CPU)
    with pytest.raises(ValueError, match="map 99 does not exist"):
        saliency(net, frame(), "kernels", 98, dev=CPU)
    with pytest.raises(ValueError, match="cannot compute gradients"):
        differentiable(LiveNetwork())


# ---- Grad-CAM -----------------------------------------------------------------------------------------
def test_grad_cam_equals_autograd_with_hooks(imagenet):
    net = imagenet("resnet18")
    net._to(CPU)
    f = frame(96, 128, seed=4)
    x = as_x(f, grad=True)
    kept = {}

    def hook(module, inputs, output):            # bn2's own output (ResNet then adds to a copy in place)
        output.retain_grad()
        kept["a"] = output
        return output.clone()

    handle = net.model.get_submodule("layer4.1.bn2").register_forward_hook(hook)
    try:
        logits = net.model((x - MEAN) / STD)
    finally:
        handle.remove()
    top = int(logits[0].argmax())
    logits[0, top].backward()
    a = kept["a"]
    want = F.relu((a.grad.mean((2, 3), keepdim=True) * a).sum(1, keepdim=True))
    want = F.interpolate(want, size=(96, 128), mode="bilinear", align_corners=False)[0, 0].detach()
    got = grad_cam(net, f, "conv 20 · layer4.1.conv2", dev=CPU)
    assert got.class_index == top and got.target == f"class '{net.class_names[top]}'"
    assert got.score == pytest.approx(float(logits[0, top].detach()), rel=1e-4)
    torch.testing.assert_close(torch.from_numpy(got.cam), want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("key", ["alexnet", "vgg16", "resnet18", "mobilenet_v3_small"])
def test_grad_cam_has_the_pictures_shape_and_is_never_negative(imagenet, key):
    net = imagenet(key)
    f = frame(120, 160, seed=5)
    layers = [name for name, _c in net.layers()]
    for layer in (layers[0], layers[len(layers) // 2], layers[-1]):
        gc = grad_cam(net, f, layer, dev=CPU)
        assert gc.cam.shape == (120, 160) and gc.cam.dtype == np.float32 and gc.cam.min() >= 0
        assert 0 <= gc.class_index < 1000


def test_grad_cam_of_a_unit_that_does_not_fire_is_zero():
    net = random_imagenet("alexnet", seed=2)
    net.model.features[3].bias.data[7] = -1e4               # conv 2's map 8 can never be positive: ReLU gives 0
    f = frame(96, 96, seed=6)
    conv1, conv2 = "conv 1 · features.0", "conv 2 · features.3"
    for layer in (conv1, conv2):
        dead = grad_cam(net, f, layer, target=(conv2, 7), dev=CPU)
        assert dead.cam.shape == (96, 96) and not dead.cam.any() and dead.score == 0.0
    live = grad_cam(net, f, conv1, target=(conv2, 8), dev=CPU)
    assert live.cam.max() > 0 and live.target == "conv 2 · map 9"
    with pytest.raises(ValueError, match="does not depend on conv 2"):
        grad_cam(net, f, conv2, target=(conv1, 0), dev=CPU)


def test_grad_cam_for_the_notes_cnn_and_the_kernel_bank(model):
    notes = NotesCNNNetwork(model)
    f = frame(48, 64, seed=7)
    gc = grad_cam(notes, f, "conv2", dev=CPU)
    assert gc.cam.shape == (48, 64) and gc.cam.min() >= 0 and gc.target.startswith("class '")
    assert not gc.cam[:, :8].any() and not gc.cam[:, 56:].any()           # it classifies the centre square only
    probs = notes.classify(torch.from_numpy(f), CPU)
    assert gc.class_index == int(np.argmax(probs))
    bank = KernelBankNetwork()
    with pytest.raises(ValueError, match="has no classes"):
        grad_cam(bank, f, "kernels", dev=CPU)
    k = 2
    gc = grad_cam(bank, f, "kernels", target=("kernels", k), dev=CPU)     # alpha is one-hot: the map through ReLU
    with torch.inference_mode():
        maps = differentiable(bank).forward(as_x(f), ["kernels"])[0]["kernels"]
    torch.testing.assert_close(torch.from_numpy(gc.cam), F.relu(maps[0, k]))


def test_cam_overlay_colours_only_where_there_is_evidence():
    f = frame(4, 4, seed=8)
    lut = np.zeros((256, 3), np.uint8)
    lut[:, 0] = 255
    assert np.array_equal(cam_overlay(f, np.zeros((4, 4), np.float32), lut), f)
    cam = np.zeros((4, 4), np.float32)
    cam[1, 2] = 5.0
    out = cam_overlay(f, cam, lut, opacity=0.5)
    assert np.array_equal(np.delete(out.reshape(16, 3), 6, 0), np.delete(f.reshape(16, 3), 6, 0))
    assert out[1, 2].tolist() == np.round(f[1, 2] * 0.5 + np.array([255, 0, 0]) * 0.5).astype(int).tolist()


# ---- ideal input --------------------------------------------------------------------------------------
class Stop(Exception):
    pass


@pytest.mark.parametrize("which, layer, channel", [("notes", "conv2", 3), ("alexnet", "conv 1 · features.0", 5),
                                                   ("kernels", "kernels", 1),
                                                   ("mobilenet_v3_small", "conv 2 · features.1.block.0.0", 2)])
def test_ideal_input_raises_the_units_value(imagenet, model, which, layer, channel):
    net = {"notes": lambda: NotesCNNNetwork(model), "kernels": KernelBankNetwork}.get(which, lambda: imagenet(which))()
    seen = []
    result = ideal_input(net, layer, channel, steps=60, every=20, progress=lambda f, img: seen.append((f, img)), dev=CPU)
    side = ideal_size(net, layer)
    assert result.image.shape == (side, side, 3) and result.image.dtype == np.uint8
    assert result.value > result.start + 0.5 * abs(result.start) + 1e-3
    assert [f for f, _img in seen] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert np.array_equal(seen[-1][1], result.image)
    top, left, bottom, right = result.box
    assert 0 <= top < bottom <= side and 0 <= left < right <= side


def test_ideal_input_is_seeded_and_cancellable(model):
    net = NotesCNNNetwork(model)
    a = ideal_input(net, "conv1", 0, steps=20, seed=3, dev=CPU)
    assert np.array_equal(a.image, ideal_input(net, "conv1", 0, steps=20, seed=3, dev=CPU).image)
    assert not np.array_equal(a.image, ideal_input(net, "conv1", 0, steps=20, seed=4, dev=CPU).image)
    calls = []

    def progress(fraction, image):
        calls.append(fraction)
        if len(calls) == 2:
            raise Stop()

    with pytest.raises(Stop):
        ideal_input(net, "conv3", 1, steps=300, every=10, progress=progress, dev=CPU)
    assert calls == pytest.approx([10 / 300, 20 / 300])


def test_ideal_input_refuses_layers_too_wide_for_the_cpu(imagenet):
    alex, res = imagenet("alexnet"), imagenet("resnet18")
    assert ideal_input_layers(alex) == ["conv 1 · features.0", "conv 2 · features.3"]
    with pytest.raises(ValueError, match=r"conv 20 · layer4.1.conv2 sees 435 pixels at once, .* choose conv \d+ · "):
        ideal_input(res, "conv 20 · layer4.1.conv2", 0, dev=CPU)


def test_gradients_work_after_live_frames_and_inside_inference_mode(imagenet):
    """The live worker runs under inference_mode; tensors it leaves behind must not poison autograd."""
    net = imagenet("mobilenet_v3_small")
    f = frame(64, 64, seed=9)
    with torch.inference_mode():
        net.layer_maps(torch.from_numpy(f), net.first_layer(), CPU)
        net.classify(torch.from_numpy(f), CPU)
        inside = saliency(net, f, net.first_layer(), 0, method="gradient", dev=CPU)
        assert grad_cam(net, f, net.layers()[-1][0], dev=CPU).cam.shape == (64, 64)
    assert np.array_equal(inside, saliency(net, f, net.first_layer(), 0, method="gradient", dev=CPU))
    assert np.abs(inside).max() > 0
