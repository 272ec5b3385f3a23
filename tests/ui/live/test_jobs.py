"""The live worker's job without widgets: the classifier's slower cadence keeps the same numbers."""

import numpy as np
import pytest

from desktopnn.ui.live.jobs import LiveComputer
from desktopnn.ui.live.state import LiveParams


class Ctx:
    cancelled = False

    def check(self):
        pass


def test_the_classifier_runs_on_its_cadence_and_frames_between_carry_its_numbers(monkeypatch):
    computer = LiveComputer()
    clock = [100.0]
    monkeypatch.setattr("desktopnn.ui.live.jobs.time.perf_counter", lambda: clock[0])
    frames = [np.random.default_rng(i).integers(0, 256, (120, 160, 3), dtype=np.uint8) for i in range(3)]
    params = LiveParams(size=(160, 120))
    first = computer.run(Ctx(), frames[0], 0.0, params)
    assert first.extra["classified"] and first.probs is not None
    clock[0] += computer.classify_every_s / 2
    between = computer.run(Ctx(), frames[1], 0.0, params)
    assert not between.extra["classified"] and between.probs is first.probs
    clock[0] += computer.classify_every_s
    later = computer.run(Ctx(), frames[2], 0.0, params)
    assert later.extra["classified"]
    net = computer.network("notes_cnn")
    from desktopnn.engine.cnn.notes_cnn import center_crop

    np.testing.assert_allclose(later.probs, net.model.classify(center_crop(frames[2], 32))[0], atol=1e-6)
    fresh = computer.run(Ctx(), frames[0], 0.0, params, fresh=True)     # a frozen frame: classified anew
    assert fresh.extra["classified"]
    np.testing.assert_allclose(fresh.probs, first.probs, atol=1e-6)


def test_a_network_without_classes_never_classifies():
    computer = LiveComputer()
    lf = computer.run(Ctx(), np.zeros((60, 80, 3), np.uint8), 0.0, LiveParams(network="kernels", layer="kernels",
                                                                            size=(160, 120)))
    assert lf.probs is None and not lf.extra["classified"]
    assert lf.extra["strongest"].box[2] <= 120


@pytest.mark.parametrize("key", ["notes_cnn", "kernels"])
def test_the_layer_picker_says_how_much_each_unit_sees(key):
    computer = LiveComputer()
    net = computer._get(key)
    labels = dict(computer.layer_labels(net, (320, 240)))
    first = labels[net.first_layer()]
    assert "maps" in first and "sees 3×3 px" in first


def test_the_worker_measures_each_layer_and_gives_a_heavy_one_every_core(monkeypatch):
    from desktopnn.engine.live import pipeline as P

    monkeypatch.delenv("DESKTOPNN_LIVE_THREADS", raising=False)
    monkeypatch.setattr(P, "HEAVY_NETWORK_MS", -1.0)          # any layer counts as heavy here
    monkeypatch.setattr(P.os, "cpu_count", lambda: 2)
    used = []
    real = P.run_frame
    monkeypatch.setattr(P, "run_frame", lambda *a, **k: used.append(k["frame_threads"]) or real(*a, **k))
    computer = LiveComputer()
    frame = np.zeros((120, 160, 3), np.uint8)
    params = LiveParams(size=(160, 120), layer="conv2")
    for _ in range(P.FrameThreads.SAMPLES + 2):
        computer.run(Ctx(), frame, 0.0, params)
    assert used == [1] * (P.FrameThreads.SAMPLES + 1) + [2]
    computer.run(Ctx(), frame, 0.0, params.but(layer="conv1"))     # another layer is measured afresh
    assert used[-1] == 1


def test_a_slow_classifier_waits_longer_so_the_frames_keep_coming(monkeypatch):
    from desktopnn.engine.live import pipeline as P
    from desktopnn.ui.live import jobs

    computer = LiveComputer()
    clock = [100.0]
    monkeypatch.setattr("desktopnn.ui.live.jobs.time.perf_counter", lambda: clock[0])
    real = P.run_frame

    def slow(*a, **k):                         # a classification that took 0.4 s (VGG-16 on a slow CPU)
        lf = real(*a, **k)
        if k["classify"]:
            lf.stages["classify_ms"] = 400.0
        return lf
    monkeypatch.setattr(P, "run_frame", slow)
    frame = np.zeros((120, 160, 3), np.uint8)
    params = LiveParams(size=(160, 120))
    assert computer.run(Ctx(), frame, 0.0, params).extra["classified"]
    wait = 0.4 * (1 - jobs.CLASSIFY_SHARE) / jobs.CLASSIFY_SHARE
    assert computer.classify_interval() == pytest.approx(wait) and wait > computer.classify_every_s
    clock[0] += wait * 0.9
    assert not computer.run(Ctx(), frame, 0.0, params).extra["classified"]     # still waiting
    clock[0] += wait * 0.2
    assert computer.run(Ctx(), frame, 0.0, params).extra["classified"]
