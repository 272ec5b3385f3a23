"""Audio through an autoencoder, live (notes 3.0.1): a scrolling spectrogram, then the spectrogram
autoencoder's input, code, reconstruction and error. Sources and controls: audio_controls.py."""

from __future__ import annotations

import collections
import time

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktopnn.engine.audio.config import SpectrogramConfig
from desktopnn.ui.autoencoder import jobs
from desktopnn.ui.autoencoder.audio_controls import AudioControls
from desktopnn.ui.autoencoder.widgets import Heatmap, stop_runners
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner

SPECTROGRAM_SECONDS = 5.0
AE_SECONDS = 3.0


class AudioView(QWidget):
    """The audio sub-view. ``activate``/``deactivate`` start and stop streaming."""

    notice = Signal(str)
    fps_changed = Signal(float)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.cfg = SpectrogramConfig()
        self._text_px = 14
        self.model = None
        self.mel_ticks: list = []
        self.pipeline: jobs.Pipeline | None = None
        self._next_id = 1
        self.latencies: collections.deque = collections.deque(maxlen=20000)
        self.compute_s = 0.0           # processing time, summed
        self.audio_s = 0.0             # audio processed, seconds
        self.frames_drawn = 0
        self._fps_count, self._fps_t = 0, time.perf_counter()
        self._live = LatestJobRunner("audio-live", self)
        self._live.finished.connect(self._on_columns)
        self._live.failed.connect(lambda _i, m, _e: self.notice.emit(m))
        self._model_jobs = LatestJobRunner("audio-model", self)
        self._model_jobs.finished.connect(self._on_model_job)
        self._model_jobs.failed.connect(lambda _i, m, _e: self.notice.emit(m))
        self.controls = AudioControls(ctx, self)
        self.controls.notice.connect(self.notice)
        self.controls.source_changed.connect(self.restart_pipeline)
        self.controls.settings_changed.connect(self._on_settings_changed)
        self.controls.model_trained.connect(self._set_model)
        self._tick = QTimer(self)
        self._tick.setInterval(15)
        self._tick.timeout.connect(self._on_tick)
        self._build()
        self._reset_buffers()
        self._warmed = False

    def _build(self) -> None:
        self.spectrogram = Heatmap("Spectrogram (live)", "viridis", (-80.0, 0.0), legend="loudness (dB)",
                                   tooltip="Each column is the frequency table of one short window of sound "
                                           "(notes 3.0.1); newest on the right. Colour: loudness in decibels.")
        self.spectrogram.set_axis_labels("frequency (Hz)", "time (s)")
        tip = " Mel bands; colour 0 = −80 dB, 1 = 0 dB."
        self.ae_in = Heatmap("Autoencoder input", "viridis", (0, 1),
                             tooltip="The mel spectrogram columns going into the encoder (noisy in denoising mode)." + tip)
        self.ae_code = Heatmap("Code", "CET-D1", (-3, 3),
                               tooltip="The bottleneck over time: one row per code number, one column per window")
        self.ae_out = Heatmap("Reconstruction", "viridis", (0, 1),
                              tooltip="What the decoder rebuilds from the code alone." + tip)
        self.ae_err = Heatmap("Error", "inferno", (0, 0.4), legend="|out − clean|",
                              tooltip="How far the reconstruction is from the clean input, per band and window")
        for h in (self.ae_in, self.ae_out, self.ae_err):
            h.set_axis_labels("Hz", "time (s)")
        self.ae_code.set_axis_labels("code no.", "time (s)")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(self.ae_in, 0, 0)
        grid.addWidget(self.ae_code, 0, 1)
        grid.addWidget(self.ae_out, 1, 0)
        grid.addWidget(self.ae_err, 1, 1)
        right = QVBoxLayout()
        right.addWidget(self.spectrogram, 4)
        right.addLayout(grid, 6)
        right.addWidget(self.status)
        lay = QHBoxLayout(self)
        lay.addWidget(self.controls)
        lay.addLayout(right, 1)

    # ---- pipeline ------------------------------------------------------------------------
    def _reset_buffers(self) -> None:
        cfg = self.cfg
        fps = cfg.frames_per_second
        rows = cfg.n_mels if self.controls.mel() else cfg.n_bins
        self._spec = np.full((rows, int(SPECTROGRAM_SECONDS * fps)), -80.0, np.float32)
        w = int(AE_SECONDS * fps)
        self._in = np.zeros((cfg.n_mels, w), np.float32)
        self._out = np.zeros_like(self._in)
        self._err = np.zeros_like(self._in)
        k = self.model.code_size if self.model is not None else 1
        self._code = np.zeros((k, w), np.float32)
        self._set_axes()

    def _set_axes(self) -> None:
        cfg = self.cfg
        mel = self.controls.mel()
        rows = self._spec.shape[0]
        if mel:
            ticks = _spread(self.mel_ticks, rows, self.spectrogram.plot.height(), self._text_px)
            self.spectrogram.plot.getPlotItem().getAxis("left").setTicks([ticks] if ticks else None)
            self._spec_rect = (-SPECTROGRAM_SECONDS, 0, SPECTROGRAM_SECONDS, rows)
        else:
            self.spectrogram.plot.getPlotItem().getAxis("left").setTicks(None)
            self._spec_rect = (-SPECTROGRAM_SECONDS, 0, SPECTROGRAM_SECONDS, cfg.sample_rate / 2)
        for h in (self.ae_in, self.ae_out, self.ae_err):
            ticks = _spread(self.mel_ticks, cfg.n_mels, h.plot.height(), self._text_px)
            h.plot.getPlotItem().getAxis("left").setTicks([ticks] if ticks else None)
        k = self._code.shape[0]
        step = 1 if k <= 8 else 4
        self.ae_code.plot.getPlotItem().getAxis("left").setTicks([[(i + 0.5, str(i + 1)) for i in range(0, k, step)]])

    def restart_pipeline(self) -> None:
        """A new source or new analysis settings: start a fresh pipeline on the source's ring."""
        src = self.controls.source
        if src is None:
            self.pipeline = None
            return
        self.cfg = self.controls.config(src.sample_rate)
        if self.cfg.sample_rate != 16000 or not self.mel_ticks:
            self._model_jobs.submit(lambda c=self.cfg: ("ticks", jobs.mel_band_ticks(c)))
        self.pipeline = jobs.Pipeline(self._next_id, src.ring, self.cfg, self.model, self.controls.mel(),
                                   self.controls.noise_level())
        self._next_id += 1
        self._reset_buffers()

    def _on_settings_changed(self, what: str) -> None:
        p = self.pipeline
        if what == "noise" and p is not None:
            p.noise_level = self.controls.noise_level()
        elif what == "bottleneck":
            self._model_jobs.submit(jobs.warm_up, self.cfg, self.controls.code_size())
        else:   # window, hop, frequency scale, sample rate
            self.restart_pipeline()

    def _set_model(self, model) -> None:
        self.model = model
        self.controls.model = model
        if self.pipeline is not None:
            self.pipeline.model = model
        self._reset_buffers()

    def _on_model_job(self, _job: int, result) -> None:
        if result[0] == "model":
            self.mel_ticks = result[2]
            self._set_model(result[1])
        elif result[0] == "ticks":
            self.mel_ticks = result[1]
            self._set_axes()

    def _on_tick(self) -> None:
        p = self.pipeline
        src = self.controls.source
        if p is None or src is None or not src.running or p.ring.total == p.pos or self._live.busy:
            return
        self._live.submit(p.step)

    def _on_columns(self, _job: int, result) -> None:
        ident, cols, rms = result
        if self.pipeline is None or ident != self.pipeline.ident:
            return
        n = len(cols.ae_input)
        self.controls.show_level(rms, self.controls.source)
        if n == 0:
            return
        if cols.spectrogram_db.shape[1] != self._spec.shape[0]:
            return          # computed before the settings changed
        self._spec = _scroll(self._spec, cols.spectrogram_db.T)
        self._in = _scroll(self._in, cols.ae_input.T)
        self._out = _scroll(self._out, cols.output.T)
        self._err = _scroll(self._err, np.abs(cols.output - cols.clean).T)
        if cols.code.shape[1] == self._code.shape[0]:     # else: computed by the previous model
            self._code = _scroll(self._code, cols.code.T)
        ae_rect = (-AE_SECONDS, 0, AE_SECONDS, self.cfg.n_mels)
        self.spectrogram.set_image(self._spec, self._spec_rect)
        self.ae_in.set_image(self._in, ae_rect)
        self.ae_out.set_image(self._out, ae_rect)
        self.ae_err.set_image(self._err, ae_rect)
        self.ae_code.set_image(self._code, (-AE_SECONDS, 0, AE_SECONDS, self._code.shape[0]))
        now = time.perf_counter()
        if cols.newest_time:
            self.latencies.append(now - cols.newest_time)
        self.compute_s += cols.compute_s
        self.audio_s += n * self.cfg.hop / self.cfg.sample_rate
        self.frames_drawn += 1
        self._fps_count += 1
        if now - self._fps_t >= 1.0:
            self.fps_changed.emit(self._fps_count / (now - self._fps_t))
            self._fps_count, self._fps_t = 0, now
            err = float(np.mean(self._err[:, -int(self.cfg.frames_per_second):]))
            self.status.setText(f"Bottleneck {self._code.shape[0]} numbers for {self.cfg.n_mels} mel bands · "
                                f"mean error (last second) {err:.3f} · window {self.cfg.window_ms:g} ms, "
                                f"hop {self.cfg.hop_ms:g} ms · {self.cfg.sample_rate} Hz")

    # ---- lifecycle -----------------------------------------------------------------------
    def activate(self) -> None:
        if not self._warmed:            # the model and librosa's mel filters, on first show only
            self._warmed = True
            self._model_jobs.submit(jobs.warm_up, self.cfg, self.controls.code_size())
        self.controls.start()
        self._tick.start()

    def deactivate(self) -> None:
        self._tick.stop()
        self.controls.stop()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override): tick spacing follows plot height
        super().resizeEvent(event)
        self._set_axes()

    def apply_theme(self, theme: Theme) -> None:
        self._text_px = theme.text_px
        for h in (self.spectrogram, self.ae_in, self.ae_code, self.ae_out, self.ae_err):
            h.apply_theme(theme)
        self.controls.apply_theme(theme)
        self._set_axes()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        runners = (self._model_jobs, self._live, self.controls.loader, self.controls.trainer)
        return all([r.wait_idle(timeout) for r in runners])

    def is_busy(self) -> bool:
        """Loading, training or warming a model (the live stream itself never ends, so it does not count)."""
        return any(r.busy for r in (self._model_jobs, self.controls.loader, self.controls.trainer))

    def shutdown(self) -> None:
        self._tick.stop()
        self.controls.shutdown()
        stop_runners((self._live, self._model_jobs), 0.2)


def _spread(ticks: list, rows: int, height_px: int, text_px: int) -> list:
    """Keep ticks at least one line of text apart on a plot ``height_px`` high showing ``rows`` rows."""
    gap = rows * 1.4 * text_px / max(height_px - 2 * text_px, 40)
    kept: list = []
    for t in sorted(ticks, key=lambda t: (0 if t[1] in ("1k", "4k") else 1, t[0])):
        if all(abs(t[0] - k[0]) >= gap for k in kept):
            kept.append(t)
    return sorted(kept)


def _scroll(buf: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Append columns on the right, dropping the oldest on the left."""
    n = new.shape[1]
    if n >= buf.shape[1]:
        return np.ascontiguousarray(new[:, -buf.shape[1]:], np.float32)
    out = np.empty_like(buf)
    out[:, :-n] = buf[:, n:]
    out[:, -n:] = new
    return out

