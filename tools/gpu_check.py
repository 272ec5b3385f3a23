"""GPU check for a machine with CUDA but without Qt (the lent device machine): engine only.

Prints, as JSON lines: the live pipeline (engine.live.run_frame, the compute half of the Live tab)
on CUDA and CPU at three frame sizes, and the ImageNet networks (random weights) at two; the notes' CNN training speed (bench_train) on CUDA; and
whether CUDA's numbers agree with the CPU's for the lab's convolution and the live network.

    python tools/gpu_check.py            # needs torch with CUDA, numpy, Pillow, scikit-learn
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def frame(w: int, h: int) -> np.ndarray:
    from PIL import Image

    img = Image.open(ROOT / "desktopnn" / "resources" / "samples" / "astronaut.jpg").convert("RGB")
    return np.asarray(img.resize((w, h)), dtype=np.uint8).copy()


def time_live(dev_name: str, key: str, size: tuple[int, int], n: int = 60) -> dict:
    from desktopnn.engine import device
    from desktopnn.engine.live.pipeline import run_frame

    device.set_device(dev_name)
    if key in REAL:
        from desktopnn.engine.live.imagenet import random_imagenet

        net = random_imagenet(key)          # the trained network's arithmetic and speed, no download
    else:
        from desktopnn.engine.live.networks import make_network

        net = make_network(key)
    f = frame(*size)
    layer = net.first_layer()
    for _ in range(5):
        run_frame(net, f, layer, size=size)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        run_frame(net, f, layer, size=size)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"live": key, "device": dev_name, "size": f"{size[0]}x{size[1]}",
            "p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (n - 1))], 2),
            "fps_compute": round(1000 / statistics.mean(times), 1)}


REAL = ("mobilenet_v3_small", "alexnet", "resnet18", "vgg16")


def agreement() -> dict:
    import torch

    from desktopnn.engine.convolution.conv import conv2d
    from desktopnn.engine.live.networks import make_network

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 64, 80)).astype(np.float32)
    k = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    from desktopnn.engine import device

    x = x.transpose(1, 2, 0).copy()            # (H, W, C)
    k = k.transpose(2, 3, 1, 0).copy()         # (kh, kw, C, K)
    device.set_device("cpu")
    cpu = conv2d(x, k, padding="same", stride=2)
    device.set_device("cuda")
    gpu = conv2d(x, k, padding="same", stride=2)
    out = {"conv2d_max_abs_diff": float(np.abs(cpu - gpu).max()), "conv2d_max_abs": float(np.abs(cpu).max())}
    net = make_network("notes_cnn")
    f = frame(320, 240)
    a = net.layer_maps(f, net.first_layer(), torch.device("cpu")).float().cpu()
    b = net.layer_maps(f, net.first_layer(), torch.device("cuda")).float().cpu()
    out["notes_cnn_first_layer_max_abs_diff"] = float((a - b).abs().max())
    out["notes_cnn_first_layer_max_abs"] = float(a.abs().max())
    # after the live pipeline (inference mode) moved the model to CUDA, gradients must still work
    from desktopnn.engine.live.pipeline import run_frame

    device.set_device("cuda")
    run_frame(net, f, net.first_layer(), size=(64, 48))
    x = torch.rand(1, 3, 32, 32, device="cuda")
    net.model(x).sum().backward()
    out["grad_after_live_ok"] = next(net.model.parameters()).grad is not None
    return out


def main() -> int:
    import torch

    print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available(),
                      "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                      "cpu_threads": torch.get_num_threads()}), flush=True)
    print(json.dumps(agreement()), flush=True)
    for key in ("notes_cnn", "kernels"):
        for size in ((320, 240), (640, 480), (1280, 720)):
            for dev in ("cuda", "cpu"):
                print(json.dumps(time_live(dev, key, size)), flush=True)
    for key in REAL:                         # issue 15: the real networks at 224x224 and 320x240
        for size in ((224, 224), (320, 240)):
            for dev in ("cuda", "cpu"):
                try:
                    print(json.dumps(time_live(dev, key, size, n=30)), flush=True)
                except Exception as exc:     # torchvision missing or too old there: say so, go on
                    print(json.dumps({"live": key, "device": dev, "error": repr(exc)[:300]}), flush=True)
    from desktopnn.bench.run import bench_train
    from desktopnn.engine import device

    device.set_device("cuda")

    print(json.dumps(bench_train(epochs=3)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
