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
        proc = subprocess.run([sys.executable, "-m", "desktopnn", "--smoke", "--report-startup"],
                              capture_output=True, text=True, env=env, timeout=120)
        shown = [line for line in proc.stdout.splitlines() if line.startswith("DESKTOPNN_SHOWN ")]
        if proc.returncode != 0 or not shown:
            raise RuntimeError(f"the app did not start (exit {proc.returncode}): {proc.stderr[-2000:]}")
        values.append(float(shown[0].split()[1]) - t0)
    return {"startup_s": round(statistics.median(values), 3), "startup_s_runs": [round(v, 3) for v in values]}


def bench_conv_lab() -> dict:
    """A 640×480 RGB image through 8 kernels, as the Convolution lab recomputes after a kernel edit."""
    from desktopnn.engine.lab import bench_case

    run = bench_case()
    return {"conv_lab_recompute_ms": round(_median_ms(run), 2)}


SECTIONS: dict[str, Callable[[], dict]] = {
    "startup": bench_startup,
    "conv_lab": bench_conv_lab,
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
