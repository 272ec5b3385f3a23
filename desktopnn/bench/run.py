"""``desktopnn bench``: measured figures, printed (never asserted by tests).

Each section is a function returning a dict of figures; later lessons add their own sections to
``SECTIONS``. ``--json`` prints one JSON object; otherwise a readable table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Callable


def _median_ms(fn: Callable[[], object], repeat: int = 20, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_startup(runs: int = 3) -> dict:
    """Process start to first window shown, in a fresh interpreter each time."""
    env = dict(os.environ)
    if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    values = []
    for _ in range(runs):
        t0 = time.time()
        # in the PyInstaller bundle sys.executable is desktopnn itself
        cmd = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "desktopnn"]
        proc = subprocess.run([*cmd, "--smoke", "--report-startup"],
                              capture_output=True, text=True, env=env, timeout=120)
        shown = [line for line in proc.stdout.splitlines() if line.startswith("DESKTOPNN_SHOWN ")]
        if proc.returncode != 0 or not shown:
            raise RuntimeError(f"the app did not start (exit {proc.returncode}): {proc.stderr[-2000:]}")
        values.append(float(shown[0].split()[1]) - t0)
    return {"startup_s": round(statistics.median(values), 3), "startup_s_runs": [round(v, 3) for v in values]}


def bench_conv_lab() -> dict:
    """A 640×480 RGB image through 8 kernels, as the Convolution lab recomputes after a kernel edit."""
    from desktopnn.engine.convolution.lab import bench_case

    run = bench_case()
    return {"conv_lab_recompute_ms": round(_median_ms(run), 2)}


def bench_live(uncapped: bool = False, real: bool = False) -> dict:
    """The live tab on the demo source per network, layer and resolution: fps, latency p50/p95, the p50 of
    every stage, resident memory (see desktopnn.bench.live). ``DESKTOPNN_BENCH_LIVE_SECONDS`` sets the
    seconds per row (default 10; 600 for the ten-minute memory check)."""
    from desktopnn.bench.live import bench_live as run

    return run(uncapped=uncapped, real=real)


def bench_train(epochs: int = 2) -> dict:
    """The notes' 2.13 CNN on the offline digits: training samples per second and seconds per epoch
    (validation included, as Keras reports an epoch), on the engine's device. With CIFAR-10 already in
    the cache (downloaded from the Train tab), also 10 epochs of CIFAR-10 and the test accuracy reached."""
    from dataclasses import replace

    from desktopnn.engine.cnn.layers import notes_2_13
    from desktopnn.engine.cnn.train import TrainConfig, build_model, evaluate, fit
    from desktopnn.engine.cnn.datasets import cifar_from_archive, load_digits_dataset
    from desktopnn.engine.device import device_label, get_device
    from desktopnn.settings import cache_dir

    dev = get_device()
    data = load_digits_dataset()
    model = build_model(notes_2_13(), data.input_shape, data.class_names)
    fit(model, replace(data, x_train=data.x_train[:256], y_train=data.y_train[:256]), TrainConfig(epochs=1), device=dev)
    res = fit(model, data, TrainConfig(epochs=epochs, batch_size=32), device=dev)
    out = {"train": {"device": device_label(dev), "dataset": data.name, "train_images": len(data.x_train),
                     "batch_size": 32, "samples_per_s": round(res.history.samples / res.history.seconds, 1),
                     "s_per_epoch": round(res.history.seconds / epochs, 2),
                     "val_accuracy": round(res.history.val_accuracy[-1], 4)}}
    archive = cache_dir() / "datasets" / "cifar-10-binary.tar.gz"
    if archive.is_file():
        cifar = cifar_from_archive(archive, cache_dir() / "datasets" / "cifar-10.npz")
        model = build_model(notes_2_13(), cifar.input_shape, cifar.class_names)
        res = fit(model, cifar, TrainConfig(epochs=10, batch_size=32), device=dev)
        out["train"]["cifar10_10_epochs_s"] = round(res.history.seconds, 1)
        out["train"]["cifar10_test_accuracy"] = round(evaluate(res.model, cifar.x_test, cifar.y_test).accuracy, 4)
    else:
        out["train"]["cifar10"] = "not in the cache (download it from the Train tab first)"
    return out


def bench_audio() -> dict:
    """The live audio view on the demo audio: compute per second of audio, latency, overflows (issue 7).

    Runs 10 s by default; DESKTOPNN_BENCH_AUDIO_SECONDS=120 gives the 2-minute overflow check."""
    from desktopnn.bench.audio import run_audio_bench

    return {"audio": run_audio_bench(float(os.environ.get("DESKTOPNN_BENCH_AUDIO_SECONDS", "10")))}


def bench_notebook() -> dict:
    """A matplotlib notebook loop doing the live view's job, for the side-by-side comparison (issue 14)."""
    from desktopnn.bench.notebook import bench_notebook as run

    return run()


SECTIONS: dict[str, Callable[[], dict]] = {
    "startup": bench_startup,
    "conv_lab": bench_conv_lab,
    "live": bench_live,
    "notebook": bench_notebook,
    "train": bench_train,
    "audio": bench_audio,
}


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpu_count": os.cpu_count()}
    try:
        import torch

        from desktopnn.engine.device import device_label, get_device

        info["torch"] = torch.__version__
        info["device"] = device_label(get_device())
    except Exception as exc:  # report, do not fail the whole benchmark
        info["device"] = f"unavailable: {exc}"
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="desktopnn bench", description="Measure start-up and compute speed.")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("sections", nargs="*", metavar="SECTION",
                   help=f"run only these sections (default: all): {', '.join(SECTIONS)}")
    p.add_argument("--device", choices=["cpu", "cuda", "mps"], help="compute device for the engine figures")
    p.add_argument("--uncapped", action="store_true",
                   help="live: also rows with a source that offers frames as fast as they are taken")
    p.add_argument("--real-networks", action="store_true",
                   help="live: also the ImageNet networks at 224×224 and 320×240 (random weights when not downloaded)")
    args = p.parse_args(argv)
    if args.device:
        os.environ["DESKTOPNN_DEVICE"] = args.device
    result: dict = {}
    errors = {}
    unknown = [n for n in args.sections if n not in SECTIONS]
    if unknown:
        p.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    for name in args.sections or list(SECTIONS):
        try:
            if name == "live":
                result.update(bench_live(uncapped=args.uncapped, real=args.real_networks))
            else:
                result.update(SECTIONS[name]())
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
    result["machine"] = machine()
    if errors:
        result["errors"] = errors
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:28} {v}")
    return 1 if errors else 0
