"""The one place that chooses where tensors live: CUDA, then Apple MPS, then CPU (DESIGN rule 6)."""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable, TypeVar

import torch

log = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_device: torch.device | None = None
_notices: list[Callable[[str], None]] = []

VALID = ("cpu", "cuda", "mps")


def _auto() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _configure_threads() -> None:
    """Leave one core to the UI thread: torch's CPU pool gets ``cores - 1`` threads (at least 1).

    Measured on a 2-core machine: the Convolution lab's recompute took 19 ms with 1 torch thread
    and 49 ms with 2 while the UI thread was also busy, and small RNN/CNN training ran 3-9× faster.
    ``DESKTOPNN_THREADS`` or ``OMP_NUM_THREADS`` override it.
    """
    env = os.environ.get("DESKTOPNN_THREADS") or os.environ.get("OMP_NUM_THREADS")
    try:
        wanted = int(env) if env else max(1, (os.cpu_count() or 1) - 1)
    except ValueError:
        wanted = max(1, (os.cpu_count() or 1) - 1)
    torch.set_num_threads(max(1, wanted))


_configure_threads()


def set_device(name: str | None) -> torch.device:
    """Force a device ("cpu", "cuda", "mps") or pass None to choose automatically.

    Raises ValueError when the requested device does not exist on this machine.
    """
    global _device
    if name is None or name == "auto":
        dev = _auto()
    else:
        name = name.lower()
        if name not in VALID:
            raise ValueError(f"unknown device {name!r}: choose one of {', '.join(VALID)}")
        if name == "cuda" and not torch.cuda.is_available():
            raise ValueError("CUDA was requested but no CUDA GPU is available to torch on this machine")
        if name == "mps":
            mps = getattr(torch.backends, "mps", None)
            if mps is None or not mps.is_available():
                raise ValueError("MPS was requested but Apple's Metal backend is not available here")
        dev = torch.device(name)
    if dev.type == "cuda":
        # the app shows and explains the numbers: TF32 convolutions differ from the CPU's arithmetic
        # in the fourth digit (seen on an H100: 7e-4 on values near 1.8), so compute in full float32
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    with _lock:
        _device = dev
    return dev


def get_device() -> torch.device:
    """The engine's current device (chosen automatically on first use, or by DESKTOPNN_DEVICE)."""
    with _lock:
        dev = _device
    if dev is None:
        env = os.environ.get("DESKTOPNN_DEVICE")
        try:
            dev = set_device(env)
        except ValueError as exc:
            log.warning("%s; choosing automatically", exc)
            dev = set_device(None)
    return dev


def device_label(dev: torch.device | None = None) -> str:
    """Human text for the status bar: "CUDA · NVIDIA H100", "MPS · Apple GPU", "CPU · 2 threads"."""
    dev = dev or get_device()
    if dev.type == "cuda":
        return f"CUDA · {torch.cuda.get_device_name(dev)}"
    if dev.type == "mps":
        return "MPS · Apple GPU"
    n = torch.get_num_threads()
    return f"CPU · {n} thread{'s' if n != 1 else ''}"


def on_notice(callback: Callable[[str], None]) -> Callable[[], None]:
    """Register a callback for user-facing notices (e.g. an out-of-memory fallback).

    It may be called from a worker thread. Returns a function that unregisters it.
    """
    _notices.append(callback)

    def remove() -> None:
        if callback in _notices:
            _notices.remove(callback)

    return remove


def _notify(text: str) -> None:
    log.warning(text)
    for cb in list(_notices):
        try:
            cb(text)
        except Exception:  # a notice must never break a computation
            log.exception("notice callback failed")


def run_with_oom_fallback(fn: Callable[[torch.device], T]) -> T:
    """Run ``fn(device)``; if CUDA runs out of memory, switch the engine to CPU, say so, retry."""
    dev = get_device()
    try:
        return fn(dev)
    except torch.OutOfMemoryError:
        if dev.type != "cuda":
            raise
        torch.cuda.empty_cache()
        set_device("cpu")
        _notify("The GPU ran out of memory: desktopnn switched to the CPU.")
        return fn(torch.device("cpu"))


_optim_lock = threading.Lock()


def load_torch_dynamo() -> None:
    """Import torch._dynamo (~1.4 s, hundreds of modules, about 160 MB), once, with Python's cyclic
    garbage collector paused: an optimizer's first step imports it, and so does ``import torchvision``.

    Called before training and before building an ImageNet network, not at start-up: a session that only
    watches the notes' CNN live never pays for it.
    The collector pauses because two test runs segfaulted when the main thread collected while a worker
    was in the middle of this import.
    """
    import sys

    if "torch._dynamo" in sys.modules:
        return
    from desktopnn.engine.memory import collection_paused

    with _optim_lock, collection_paused():
        import torch._dynamo  # noqa: F401
