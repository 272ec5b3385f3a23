"""The torchvision ImageNet networks as live networks, with random weights (nothing is downloaded):
their layers, shapes, receptive fields, maps, classifier and first-layer arithmetic, against
torchvision's own models run directly; and the weights cache against a server on 127.0.0.1."""

import copy
import dataclasses
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
import torchvision.models as tvm

from desktopnn.engine.download import DownloadStopped
from desktopnn.engine.live.imagenet import load_imagenet
from desktopnn.engine.live.networks import NETWORK_TITLES, make_network
from desktopnn.engine.live.pipeline import run_frame
from desktopnn.engine.live.units import receptive_box
from desktopnn.engine.live.weights import CATALOGUE, WeightsFile, build_model, download_weights
from desktopnn.engine.live.weights import hub_dir, weights_status

KEYS = ["alexnet", "vgg16", "resnet18", "mobilenet_v3_small"]
CPU = torch.device("cpu")
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def frame(h=240, w=320, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8))


def keep(store, key, shape=False):
    """A forward hook that keeps a copy of a module's output (or its shape) and changes nothing (returns
    None); a copy, as ResNet's ``out += identity`` later changes bn2's output in place."""
    def hook(module, inputs, output):
        store.setdefault(key, tuple(output.shape[1:]) if shape else output.clone())
    return hook


def hooked(model, module_name, x):
    """The output of ``module_name`` when torchvision's model runs on ``x``: a reference independent of torch.fx."""
    out = {}
    handle = model.get_submodule(module_name).register_forward_hook(keep(out, "y"))
    with torch.no_grad():
        model(x)
    handle.remove()
    return out["y"]


def test_the_catalogue_is_torchvisions_published_weights():
    for key, spec in CATALOGUE.items():
        published = tvm.get_model_weights(key).IMAGENET1K_V1
        assert spec.url == published.url
        assert spec.file.rsplit("-", 1)[1] == spec.sha256[:8] + ".pth"        # torchvision's hash prefix
        assert abs(spec.size / 2 ** 20 - published.meta["_file_size"]) < 0.001   # MiB, 3 decimals
        assert len(spec.sha256) == 64 and NETWORK_TITLES[key].endswith("(ImageNet)")


def test_importing_the_registry_leaves_torchvision_unloaded():
    code = "import sys, desktopnn.engine.live.networks as n; n.NETWORK_TITLES; print('torchvision' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_layer_lists_name_every_convolution(imagenet):
    alex = [name for name, _c in imagenet("alexnet").layers()]
    assert alex == ["conv 1 · features.0", "conv 2 · features.3", "conv 3 · features.6", "conv 4 · features.8",
                    "conv 5 · features.10"]
    vgg = [name.split(" · ")[1] for name, _c in imagenet("vgg16").layers()]
    assert vgg == [f"features.{i}" for i in (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)]
    res = imagenet("resnet18")
    names = [name.split(" · ")[1] for name, _c in res.layers()]
    assert len(names) == 20 and names[0] == "conv1" and "layer2.0.downsample.0" in names
    assert [m for m, mod in res.model.named_modules() if isinstance(mod, nn.Conv2d)] == sorted(names, key=names.index)
    mob = imagenet("mobilenet_v3_small")
    convs = [m for m, mod in mob.model.named_modules() if isinstance(mod, nn.Conv2d)]
    listed = [name.split(" · ")[1] for name, _c in mob.layers()]
    assert len(convs) == 52 and len(listed) == 34            # 9 gates × 2 "fc" convolutions on 1×1 are left out
    assert set(convs) - set(listed) == {m for m in convs if ".fc" in m}
    for key in KEYS:
        net = imagenet(key)
        for name, channels in net.layers():
            assert channels == net.model.get_submodule(name.split(" · ")[1]).out_channels
        assert net.first_layer() == net.layers()[0][0] and len(net.class_names) == 1000


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("size", [(224, 224), (320, 240)])
def test_layer_shapes_match_the_model_run_directly(imagenet, key, size):
    net = imagenet(key)
    w, h = size
    x = torch.rand(1, 3, h, w)
    shapes = {}
    hooks = [net.model.get_submodule(name.split(" · ")[1]).register_forward_hook(keep(shapes, name, shape=True))
             for name, _c in net.layers()]
    with torch.no_grad():
        net.model(x)
    for handle in hooks:
        handle.remove()
    assert {name: net.layer_shape(name, size) for name, _c in net.layers()} == shapes


def test_hand_computed_shapes(imagenet):
    assert imagenet("alexnet").layer_shape("conv 1 · features.0", (224, 224)) == (64, 55, 55)
    assert imagenet("vgg16").layer_shape("conv 13 · features.28", (224, 224)) == (512, 14, 14)
    assert imagenet("resnet18").layer_shape("conv 20 · layer4.1.conv2", (320, 240)) == (512, 8, 10)


def test_hand_computed_receptive_fields(imagenet):
    alex, vgg, res, mob = (imagenet(k) for k in KEYS)
    assert alex.receptive_field("conv 1 · features.0") == (4, 11, -2)     # 11×11, stride 4, padding 2
    assert alex.receptive_field("conv 2 · features.3") == (8, 51, -18)    # 11 + 2·4 (pool) + 4·8
    assert alex.receptive_field("conv 5 · features.10") == (16, 163, -66)
    assert vgg.receptive_field("conv 1 · features.0") == (1, 3, -1)
    assert vgg.receptive_field("conv 2 · features.2") == (1, 5, -2)       # two 3×3: 5×5
    assert vgg.receptive_field("conv 13 · features.28") == (16, 196, -90)
    assert res.receptive_field("conv 1 · conv1") == (2, 7, -3)
    assert res.receptive_field("conv 20 · layer4.1.conv2") == (32, 435, -217)
    assert mob.receptive_field("conv 2 · features.1.block.0.0") == (4, 7, -3)
    info = mob.layer_info("conv 2 · features.1.block.0.0")
    assert info.groups == 16 and "depthwise" in info.describe() and not info.gated
    assert mob.layer_info("conv 3 · features.1.block.2.0").gated       # after the first squeeze-and-excitation


def linearised(model):
    """The same geometry without ReLU, batch norm or max (average pooling), all weights positive:
    an output unit's gradient is then non-zero exactly on the input pixels it sees."""
    m = copy.deepcopy(model)
    for mod in list(m.modules()):
        for name, child in list(mod.named_children()):
            if isinstance(child, (nn.ReLU, nn.BatchNorm2d)):
                setattr(mod, name, nn.Identity())
            elif isinstance(child, nn.MaxPool2d):
                setattr(mod, name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding, child.ceil_mode))
    for p in m.parameters():
        p.data = p.data.abs() + 0.01
    return m


@pytest.mark.parametrize("key, index, side", [("alexnet", 0, 64), ("alexnet", 4, 227), ("vgg16", 6, 64),
                                              ("resnet18", 7, 160), ("resnet18", 8, 160), ("resnet18", 12, 160)])
def test_receptive_fields_are_where_the_gradient_reaches(imagenet, key, index, side):
    """Measured through the branches: ResNet's shortcut (conv 8 is the downsampling one) and the add after it."""
    net = imagenet(key)
    name = net.layers()[index][0]
    lin = linearised(net.model)
    x = torch.ones(1, 3, side, side, requires_grad=True)
    out = {}
    handle = lin.get_submodule(name.split(" · ")[1]).register_forward_hook(keep(out, "y"))
    lin(x)
    handle.remove()
    y = out["y"]
    r, c = y.shape[2] // 2, y.shape[3] // 2
    (grad,) = torch.autograd.grad(y[0, 0, r, c], x)
    seen = grad[0].abs().sum(0) > 0
    rows, cols = seen.any(1).nonzero()[:, 0], seen.any(0).nonzero()[:, 0]
    assert (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1) == receptive_box(net, name, r, c, (side, side))


@pytest.mark.parametrize("key, index, module", [("alexnet", 1, "features.4"), ("vgg16", 0, "features.1"),
                                                ("resnet18", 2, "layer1.0.bn2"), ("resnet18", 1, "layer1.0.relu"),
                                                ("mobilenet_v3_small", 0, "features.0.2")])
def test_maps_equal_torchvisions_model_run_directly(imagenet, key, index, module):
    net = imagenet(key)
    f = frame(120, 160, seed=index)
    name = net.layers()[index][0]
    with torch.inference_mode():
        maps = net.layer_maps(f, name, CPU)
    x = (f.permute(2, 0, 1)[None].float() / 255 - MEAN) / STD
    want = hooked(net.model, module, x)[0]
    assert maps.shape == want.shape and maps.dtype == torch.float32
    torch.testing.assert_close(maps, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("key", ["resnet18", "mobilenet_v3_small"])
def test_classify_uses_torchvisions_evaluation_transform(imagenet, key):
    net = imagenet(key)
    f = frame(240, 320, seed=3)
    x = tvm.get_model_weights(key).IMAGENET1K_V1.transforms()(f.permute(2, 0, 1))     # (3, 224, 224)
    with torch.no_grad():
        want = torch.softmax(net.model(x[None]), 1)[0].numpy()
    probs = net.classify(f, CPU)
    assert probs.shape == (1000,) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(probs, want, atol=1e-4)     # resizing may round a pixel to the other grey level
    assert int(np.argmax(probs)) == int(np.argmax(want))


@pytest.mark.parametrize("key", KEYS)
def test_first_layer_arithmetic_matches_the_map(imagenet, key):
    net = imagenet(key)
    f = frame(60, 80, seed=5)
    with torch.inference_mode():
        maps = net.layer_maps(f, net.first_layer(), CPU)
    shown = 0
    for channel in range(maps.shape[0]):       # one unit that fires and one that does not, where there are both
        for row, col in [(3, 4), (maps.shape[1] - 1, maps.shape[2] - 1), (0, 0)]:
            lines, value = net.explain(f.numpy(), channel, row, col)
            assert value == pytest.approx(float(maps[channel, row, col]), rel=1e-4, abs=1e-4)
            shown += 1
        if shown >= 12:
            break
    assert lines[0].startswith(f"{net.first_layer()} map") and lines[1].startswith("R: ") and "products" in lines[1]
    assert ("bias" in lines[4]) == (key in ("alexnet", "vgg16"))
    assert any(line.startswith("batch norm") for line in lines) == (key in ("resnet18", "mobilenet_v3_small"))


@pytest.mark.parametrize("key, index", [("resnet18", -1), ("mobilenet_v3_small", 4)])
def test_the_live_pipeline_runs_them(imagenet, key, index):
    net = imagenet(key)
    layer = net.layers()[index][0]
    lf = run_frame(net, frame(480, 640, seed=9).numpy(), layer, size=(320, 240))
    assert tuple(lf.maps.shape) == net.layer_shape(layer, (320, 240))
    assert lf.probs.shape == (1000,) and [name for name, _p in lf.top(5)][0] == net.class_names[int(np.argmax(lf.probs))]


def test_unknown_layers_and_networks_say_so(imagenet):
    with pytest.raises(ValueError, match="has no layer 'conv9'"):
        imagenet("alexnet").layer_maps(frame(), "conv9", CPU)
    with pytest.raises(ValueError, match="unknown network 'googlenet'; choose one of kernels, notes_cnn, alexnet"):
        make_network("googlenet")


# ---- weights: cache, download, torch.hub's folder ----------------------------------------------------
@pytest.fixture
def weights_env(tmp_path, monkeypatch):
    """Weights folder and torch.hub's folder in tmp_path; a small real checkpoint made here."""
    monkeypatch.setenv("DESKTOPNN_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    model = build_model("mobilenet_v3_small", None, seed=4)
    source = tmp_path / "mnv3-test.pth"
    torch.save(model.state_dict(), source)
    spec = WeightsFile("mobilenet_v3_small", "MobileNetV3-Small", source.name, source.stat().st_size,
                       hashlib.sha256(source.read_bytes()).hexdigest())
    return spec, source, model


def closed_port_url(name):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/{name}"


def same_weights(net, model):
    return all(torch.equal(a, b) for a, b in zip(net.model.state_dict().values(), model.state_dict().values()))


def test_download_once_then_load_without_network(weights_env, file_server, tmp_path):
    spec, source, model = weights_env
    status = weights_status(spec)
    assert not status.ready and status.target == tmp_path / "weights" / spec.file
    assert status.sentence().startswith("MobileNetV3-Small's weights (10 MB) are not downloaded yet")
    with pytest.raises(ValueError, match="not downloaded yet"):
        load_imagenet(spec)
    shutil.copy(source, file_server.root / spec.file)
    reports = []
    path = download_weights(spec, progress=lambda f, t: reports.append((f, t)), url=f"{file_server.url}/{spec.file}")
    assert path == status.target and reports[-1][0] == 1.0 and "checksum verified" in reports[-1][1]
    assert all(t.startswith("MobileNetV3-Small: ") for _f, t in reports)
    assert sorted(p.name for p in path.parent.iterdir()) == [spec.file]       # no temporary file left
    file_server.stop()
    net = load_imagenet(spec)
    assert net.trained and same_weights(net, model)
    assert not any(p.is_meta for p in net.model.parameters()) and not any(b.is_meta for b in net.model.buffers())
    with torch.inference_mode():
        assert net.layer_maps(frame(60, 80), net.first_layer(), CPU).shape == (16, 30, 40)
    assert download_weights(spec, url=f"{file_server.url}/{spec.file}") == path      # cached: no server needed


def test_a_verified_copy_in_torch_hubs_folder_is_used(weights_env):
    spec, source, model = weights_env
    hub = hub_dir()
    assert str(hub).startswith(os.environ["TORCH_HOME"])
    hub.mkdir(parents=True)
    shutil.copy(source, hub / spec.file)
    assert weights_status(spec).path == hub / spec.file
    assert download_weights(spec, url=closed_port_url(spec.file)) == hub / spec.file
    assert same_weights(load_imagenet(spec), model)


def test_a_damaged_cache_file_is_not_trusted(weights_env, file_server):
    spec, source, model = weights_env
    target = weights_status(spec).target
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    assert weights_status(spec).ready
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0xFF                          # one flipped byte, same size
    target.write_bytes(bytes(data))
    status = weights_status(spec)
    assert not status.ready and status.damaged == (target,)
    assert weights_status(spec, verify=False).ready       # the quick look only compares sizes
    with pytest.raises(ValueError, match=r"^the copy of mnv3-test.pth in .* is damaged .* so it is not used; download it again$"):
        load_imagenet(spec)
    with pytest.raises(ValueError, match="is not MobileNetV3-Small's published weights file"):
        load_imagenet(spec, path=target)
    shutil.copy(source, file_server.root / spec.file)
    download_weights(spec, url=f"{file_server.url}/{spec.file}")             # replaces it
    assert same_weights(load_imagenet(spec), model)


def test_offline_a_wrong_checksum_or_a_cancel_leave_the_cache_empty(weights_env, file_server):
    spec, source, _model = weights_env
    folder = weights_status(spec).target.parent
    with pytest.raises(ValueError, match=r"^MobileNetV3-Small's weights: cannot download mnv3-test.pth: no answer "
                                         r"from 127.0.0.1. Are you offline\?$"):
        download_weights(spec, url=closed_port_url(spec.file), timeout=5)
    shutil.copy(source, file_server.root / spec.file)
    wrong = dataclasses.replace(spec, sha256="f" * 64)
    with pytest.raises(ValueError, match="wrong SHA-256 checksum"):
        download_weights(wrong, url=f"{file_server.url}/{spec.file}")
    with pytest.raises(DownloadStopped):
        download_weights(spec, url=f"{file_server.url}/{spec.file}", should_stop=lambda: True)
    assert not folder.exists() or not list(folder.iterdir())


def test_files_that_are_not_the_networks_weights_are_refused(weights_env, tmp_path):
    spec, source, _model = weights_env
    as_resnet = dataclasses.replace(spec, key="resnet18", title="ResNet-18")          # right checksum, wrong network
    with pytest.raises(ValueError, match=r"^these are not ResNet-18's weights \("):
        load_imagenet(as_resnet, path=source)
    text = tmp_path / "notes.pth"
    text.write_text("not a checkpoint")
    as_text = dataclasses.replace(spec, file=text.name, size=text.stat().st_size,
                                  sha256=hashlib.sha256(text.read_bytes()).hexdigest())
    with pytest.raises(ValueError, match="^cannot read notes.pth: "):
        load_imagenet(as_text, path=text)


def test_make_network_says_where_to_put_the_weights(weights_env, tmp_path):
    with pytest.raises(ValueError, match=r"AlexNet's weights \(244 MB\) are not downloaded yet: download them once, "
                                         r"or copy alexnet-owt-7be5be79.pth into " + re.escape(str(tmp_path / "weights"))):
        make_network("alexnet")
