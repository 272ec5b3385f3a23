"""The one place that picks the device (DESIGN rule 6)."""

import pytest
import torch

from desktopnn.engine import device


@pytest.fixture
def restore_device():
    before = device.get_device()
    yield
    device.set_device(before.type)


def test_cpu_label_and_unknown_device(restore_device):
    dev = device.set_device("cpu")
    assert dev.type == "cpu"
    assert device.device_label(dev).startswith("CPU · ")
    with pytest.raises(ValueError, match="unknown device"):
        device.set_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            device.set_device("cuda")


def test_cuda_out_of_memory_falls_back_to_cpu_with_a_notice(restore_device, monkeypatch):
    notices = []
    unregister = device.on_notice(notices.append)
    monkeypatch.setattr(device, "_device", torch.device("cuda"))  # pretend the engine is on a GPU
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    calls = []

    def work(dev):
        calls.append(dev.type)
        if dev.type == "cuda":
            raise torch.OutOfMemoryError("CUDA out of memory")
        return "done on " + dev.type

    assert device.run_with_oom_fallback(work) == "done on cpu"
    assert calls == ["cuda", "cpu"]
    assert device.get_device().type == "cpu"
    assert notices and "switched to the CPU" in notices[-1]
    unregister()
    assert notices.append not in device._notices


def test_cpu_errors_are_not_swallowed(restore_device):
    device.set_device("cpu")

    def work(dev):
        raise torch.OutOfMemoryError("host out of memory")

    with pytest.raises(torch.OutOfMemoryError):
        device.run_with_oom_fallback(work)
