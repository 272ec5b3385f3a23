"""``desktopnn bench audio``: the live audio view on the demo audio, measured (issue 7).

Figures: spectrogram + autoencoder compute time per second of audio (live, in the worker, and as pure
compute on 20 ms blocks), audio-to-screen latency p50/p95 (from the moment a block lands in the ring
buffer to the moment its columns are in the images; no device buffer is involved with the demo
source), frames drawn per second, and overflows (samples the view failed to read in time).
"""

from __future__ import annotations

import os
import time

import numpy as np


def _pure_compute_ms_per_s(seconds: float = 10.0) -> float:
    from desktopnn.engine.audio.config import SpectrogramConfig
    from desktopnn.engine.audio.spectrogram import LiveProcessor, load_default_audio_model
    from desktopnn.engine.audio.files import demo_audio

    cfg = SpectrogramConfig()
    x = demo_audio(cfg.sample_rate)[: int(seconds * cfg.sample_rate)]
    proc = LiveProcessor(cfg, load_default_audio_model(8))
    block = int(0.02 * cfg.sample_rate)
    proc.process(x[:block])                        # warm-up (mel filters, first torch call)
    t = time.perf_counter()
    for i in range(0, len(x), block):
        proc.process(x[i:i + block])
    return (time.perf_counter() - t) * 1000 / (len(x) / cfg.sample_rate)


def run_audio_bench(seconds: float = 10.0) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from desktopnn.app import make_app
    from desktopnn.ui.autoencoder.audio_view import AudioView
    from desktopnn.ui.base import AppContext
    from desktopnn.ui.theme import ThemeManager

    app = make_app()
    themes = ThemeManager(app, presentation=False, screen_height=1080)
    themes.apply()
    view = AudioView(AppContext(themes=themes, demo=True))
    view.apply_theme(themes.theme)
    view.resize(1600, 900)
    view.show()
    view.activate()

    def run_for(s: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(s * 1000), loop.quit)
        loop.exec()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (view.model is None or view.frames_drawn < 10):
        run_for(0.1)
    if view.model is None or view.frames_drawn < 10:
        view.shutdown()
        raise RuntimeError("the audio view did not start streaming the demo audio within 2 minutes")
    src = view.controls.source
    lost0 = src.overflows + src.ring.lost
    view.latencies.clear()
    view.compute_s = view.audio_s = 0.0
    drawn0 = view.frames_drawn
    t0 = time.perf_counter()
    run_for(seconds)
    wall = time.perf_counter() - t0
    lat = np.array(view.latencies) * 1000
    result = {
        "audio_seconds": round(wall, 1),
        "audio_compute_ms_per_audio_s": round(view.compute_s * 1000 / max(view.audio_s, 1e-9), 2),
        "audio_latency_ms_p50": round(float(np.percentile(lat, 50)), 1) if len(lat) else None,
        "audio_latency_ms_p95": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
        "audio_frames_per_s": round((view.frames_drawn - drawn0) / wall, 1),
        "audio_overflows": int(src.overflows + src.ring.lost - lost0),
    }
    view.shutdown()
    view.deleteLater()
    result["audio_pure_compute_ms_per_audio_s"] = round(_pure_compute_ms_per_s(), 2)
    return result
