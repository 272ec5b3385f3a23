"""The audio view's side panel: input (demo, microphone, file), analysis settings, the autoencoder's
bottleneck and denoising mode, retraining, and listening. Owns the audio sources."""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QSlider, QVBoxLayout, QWidget)

from desktopnn.engine.audio.config import AUDIO_BOTTLENECKS, SpectrogramConfig
from desktopnn.engine.audio.files import AUDIO_FILTER
from desktopnn.sources.audio import SAMPLE_RATES, ArrayAudioSource, AudioSource, MicrophoneSource, stop_playback
from desktopnn.ui.autoencoder import jobs
from desktopnn.ui.autoencoder.state import DEMO, FILE, HOP_CHOICES, MIC, PHASES, RECORD_SECONDS, WINDOWS
from desktopnn.ui.autoencoder.widgets import stop_runners
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner


class AudioControls(QWidget):
    notice = Signal(str)
    source_changed = Signal()
    settings_changed = Signal(str)      # "noise", "bottleneck", "analysis"
    model_trained = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = None
        self.source: AudioSource | None = None
        self.demo: ArrayAudioSource | None = None
        self._file_source: ArrayAudioSource | None = None
        self._active = False
        self._tried_mic = False
        self.file_path = ""
        self.retrain_epochs = 25
        self.loader = LatestJobRunner("audio-load", self)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.device_lister = LatestJobRunner("audio-devices", self)   # its own runner: never drops a file load
        self.device_lister.finished.connect(self._on_loaded)
        self.trainer = LatestJobRunner("audio-train", self)
        self.trainer.finished.connect(self._on_trained)
        self.trainer.failed.connect(lambda _i, m, _e: self.notice.emit(m))
        self.trainer.progressed.connect(lambda _i, f, _p: self.train_progress.setValue(round(f * 100)))
        self.trainer.busy_changed.connect(self._on_train_busy)
        self.player = LatestJobRunner("audio-play", self)
        self.player.finished.connect(lambda _i, r: self._say(f"Playing the {r[1]} ({r[2]:.1f} s)."))
        self.player.failed.connect(lambda _i, m, _e: self._say(m))
        self._build()
        self.setMaximumWidth(560)

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for box in (self._build_input_box(), self._build_spectrogram_box(), self._build_autoencoder_box(),
                    self._build_listen_box()):
            lay.addWidget(box)
        lay.addStretch(1)
        self._update_mic_widgets()

    def _build_input_box(self) -> QGroupBox:
        """Where the sound comes from: source, microphone, sample rate; its level and overflows."""
        box = QGroupBox("Input")
        f = QFormLayout(box)
        self.input = QComboBox()
        self.input.addItem("Demo audio", DEMO)
        self.input.addItem("Microphone", MIC)
        self.input.addItem("Audio file", FILE)
        self.input.setToolTip("Where the sound comes from: the bundled demo (speech, vowels, a chirp, a melody), "
                              "a microphone, or a file you open")
        self.input.activated.connect(self._on_input_chosen)
        f.addRow("Source", self.input)
        self.device = QComboBox()
        self.device.setToolTip("Which microphone to listen to")
        self.device.addItem("default input", None)
        self.device.activated.connect(lambda _i: self._restart_mic())
        f.addRow("Device", self.device)
        self.rate = QComboBox()
        for r in SAMPLE_RATES:
            self.rate.addItem(f"{r} Hz", r)
        self.rate.setToolTip("Samples per second the microphone delivers")
        self.rate.activated.connect(lambda _i: self._restart_mic())
        f.addRow("Sample rate", self.rate)
        self.level = QProgressBar()
        self.level.setRange(0, 60)
        self.level.setFormat("%v dB")
        self.level.setToolTip("Input level: how loud the newest sound is (0 to 60 dB above −60 dBFS)")
        f.addRow("Level", self.level)
        self.overflow_label = QLabel("0")
        self.overflow_label.setToolTip("Times the input had more sound than could be read in time (lost audio)")
        f.addRow("Overflows", self.overflow_label)
        return box

    def _build_spectrogram_box(self) -> QGroupBox:
        """The analysis: linear or mel frequency, window length, hop."""
        box = QGroupBox("Spectrogram")
        f = QFormLayout(box)
        self.scale = QComboBox()
        self.scale.addItem("Linear (Hz)", False)
        self.scale.addItem("Mel (like the ear)", True)
        self.scale.setToolTip("Linear: every frequency band equally wide. Mel: narrow bands at low pitches, wide at "
                              "high ones, as our ears hear")
        self.scale.activated.connect(lambda _i: self.settings_changed.emit("analysis"))
        f.addRow("Frequency", self.scale)
        self.window = QComboBox()
        for ms in WINDOWS:
            self.window.addItem(f"{ms:g} ms", ms)
        self.window.setCurrentIndex(1)
        self.window.setToolTip("How long each slice of sound is (notes 3.0.1: about 11 ms). Longer: sharper in "
                               "frequency, blurrier in time")
        self.window.activated.connect(lambda _i: self.settings_changed.emit("analysis"))
        f.addRow("Window", self.window)
        self.hop = QComboBox()
        for label, frac in HOP_CHOICES:
            self.hop.addItem(label, frac)
        self.hop.setToolTip("How far the window moves between columns")
        self.hop.activated.connect(lambda _i: self.settings_changed.emit("analysis"))
        f.addRow("Hop", self.hop)
        return box

    def _build_autoencoder_box(self) -> QGroupBox:
        """The bottleneck, denoising and its hiss, retraining on the demo or on the input."""
        box = QGroupBox("Autoencoder")
        f = QFormLayout(box)
        self.bottleneck = QComboBox()
        for k in AUDIO_BOTTLENECKS:
            self.bottleneck.addItem(f"{k} numbers", k)
        self.bottleneck.setCurrentIndex(2)
        self.bottleneck.setToolTip("How many numbers each 40-band column is squeezed into")
        self.bottleneck.activated.connect(lambda _i: self.settings_changed.emit("bottleneck"))
        f.addRow("Bottleneck", self.bottleneck)
        self.denoise = QCheckBox("Denoising: mix noise in")
        self.denoise.setToolTip("Add hiss to the input; the autoencoder (trained on noisy→clean) gives a cleaner output")
        self.denoise.toggled.connect(lambda _on: self.settings_changed.emit("noise"))
        f.addRow(self.denoise)
        self.noise = QSlider(Qt.Orientation.Horizontal)
        self.noise.setRange(1, 50)
        self.noise.setValue(10)
        self.noise.setToolTip("Loudness of the hiss mixed in (RMS, in thousandths of full scale)")
        self.noise.valueChanged.connect(lambda _v: self.settings_changed.emit("noise"))
        f.addRow("Noise", self.noise)
        row = QHBoxLayout()
        self.retrain_demo = QPushButton("Retrain: demo")
        self.retrain_demo.setToolTip("Train this bottleneck again on the bundled demo audio")
        self.retrain_demo.clicked.connect(lambda: self.retrain(True))
        self.retrain_rec = QPushButton(f"Retrain: last {RECORD_SECONDS} s")
        self.retrain_rec.setToolTip(f"Train on the last {RECORD_SECONDS} seconds of the input (e.g. your voice)")
        self.retrain_rec.clicked.connect(lambda: self.retrain(False))
        row.addWidget(self.retrain_demo)
        row.addWidget(self.retrain_rec)
        f.addRow(row)
        self.train_progress = QProgressBar()
        self.train_progress.setToolTip("Retraining progress")
        f.addRow(self.train_progress)
        return box

    def _build_listen_box(self) -> QGroupBox:
        """Play the last 4 s as heard, or rebuilt from the code (with the phase from the input or Griffin-Lim)."""
        box = QGroupBox("Listen (last 4 s)")
        f = QFormLayout(box)
        self.method = QComboBox()
        for label, key in PHASES:
            self.method.addItem(label, key)
        self.method.setToolTip("A spectrogram has no phase: borrow it from the input, or estimate it (Griffin-Lim)")
        f.addRow("Phase", self.method)
        row = QHBoxLayout()
        self.play_in = QPushButton("▶ Original")
        self.play_in.setToolTip("Play the last 4 seconds as the autoencoder heard them")
        self.play_in.clicked.connect(lambda: self.listen("original"))
        self.play_out = QPushButton("▶ Reconstruction")
        self.play_out.setToolTip("Play the last 4 seconds rebuilt from the code")
        self.play_out.clicked.connect(lambda: self.listen("reconstruction"))
        row.addWidget(self.play_in)
        row.addWidget(self.play_out)
        f.addRow(row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error")
        f.addRow(self.message)
        return box

    # ---- settings ------------------------------------------------------------------------
    def mel(self) -> bool:
        return bool(self.scale.currentData())

    def code_size(self) -> int:
        return int(self.bottleneck.currentData())

    def noise_level(self) -> float:
        return self.noise.value() / 1000 if self.denoise.isChecked() else 0.0

    def config(self, sample_rate: int) -> SpectrogramConfig:
        w = float(self.window.currentData())
        return SpectrogramConfig(sample_rate=sample_rate, window_ms=w, hop_ms=w * float(self.hop.currentData()))

    def show_level(self, rms: float, source) -> None:
        db = 20 * math.log10(max(rms, 1e-6))
        self.level.setValue(int(max(0, min(60, db + 60))))
        if source is not None:
            self.overflow_label.setText(str(source.overflows + source.ring.lost))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.notice.emit(text)

    # ---- sources -------------------------------------------------------------------------
    def start(self) -> None:
        self._active = True
        if self.source is None:
            if not self.ctx.demo and not self._tried_mic:
                self.choose_mic()
            else:
                self._use_demo()
        else:
            self.source.start()

    def stop(self) -> None:
        self._active = False
        if self.source is not None:
            self.source.stop()

    def choose_mic(self) -> None:
        """Listen to the chosen microphone (chosen, so starting no longer tries one by itself); a missing
        microphone falls back to the demo audio with a notice."""
        self._tried_mic = True
        self.input.setCurrentIndex(self.input.findData(MIC))
        self._use_mic()

    def choose_demo(self) -> None:
        """Play the demo audio (chosen, so starting no longer tries the microphone)."""
        self._tried_mic = True
        self._use_demo()

    def source_kind(self) -> str:
        """DEMO, MIC or FILE: what is playing, or what the picker shows while nothing plays yet."""
        return self._kind_of(self.source) if self.source is not None else self.input.currentData()

    def _switch(self, src: AudioSource | None) -> None:
        old = self.source
        if old is not None and old is not src:
            old.stop()
            if isinstance(old, MicrophoneSource):
                old.shutdown()
                old.deleteLater()
        self.source = src
        self._update_mic_widgets()
        if src is not None and self._active:
            src.start()
        self.source_changed.emit()

    def _use_demo(self) -> None:
        self.input.setCurrentIndex(self.input.findData(DEMO))
        if self.demo is None:
            self.loader.submit(jobs.load_demo)
        else:
            self._switch(self.demo)

    def _use_mic(self) -> None:
        dev = self.device.currentData()
        mic = MicrophoneSource(dev if isinstance(dev, int) else None, int(self.rate.currentData()), parent=self)
        mic.failed.connect(self._on_mic_failed)
        self._switch(mic)
        if self.device.count() <= 1:
            self._refresh_devices()           # opened only while the tab is visible (see start)

    def _restart_mic(self) -> None:
        if self.input.currentData() == MIC:
            self._use_mic()

    def _refresh_devices(self) -> None:
        def job():
            from desktopnn.sources.audio import input_devices

            try:
                return "devices", input_devices()
            except ValueError:        # the microphone source itself reports what is wrong
                return "devices", []
        self.device_lister.submit(job)

    def _on_mic_failed(self, message: str) -> None:
        self._say(message)
        if self.sender() is self.source:
            self._use_demo()

    def _on_input_chosen(self, _index: int) -> None:
        kind = self.input.currentData()
        if kind == DEMO:
            self._use_demo()
        elif kind == MIC:
            self._use_mic()
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Open audio", "", AUDIO_FILTER)
            if path:
                self.open_file(path)
            else:
                self.input.setCurrentIndex(self.input.findData(self._kind_of(self.source)))

    def open_file(self, path: str) -> None:
        self.file_path = str(path)           # for scenes (issue 9)
        self.loader.submit(jobs.load_file, path)

    def _kind_of(self, src) -> str:
        if isinstance(src, MicrophoneSource):
            return MIC
        return FILE if src is not None and src is self._file_source else DEMO

    def _on_loaded(self, _job: int, result) -> None:
        if result[0] == "demo":
            self.demo = ArrayAudioSource(result[1], result[2], "demo audio", parent=self)
            if self.input.currentData() == DEMO:
                self._switch(self.demo)
        elif result[0] == "file":
            if self._file_source is not None:
                self._file_source.stop()
                self._file_source.deleteLater()
            self._file_source = ArrayAudioSource(result[1], result[2], result[3], parent=self)
            self.input.setCurrentIndex(self.input.findData(FILE))
            self._switch(self._file_source)
            self._say(f"Playing {result[3]} in a loop.")
        elif result[0] == "devices":
            chosen = self.device.currentData()
            self.device.clear()
            self.device.addItem("default input", None)
            for index, name, _rate in result[1]:
                self.device.addItem(name, index)
            self.device.setCurrentIndex(max(0, self.device.findData(chosen)))

    def _on_load_failed(self, _job: int, message: str, _exc) -> None:
        self._say(message)
        self.input.setCurrentIndex(self.input.findData(self._kind_of(self.source)))

    def _update_mic_widgets(self) -> None:
        mic = isinstance(self.source, MicrophoneSource)
        self.device.setEnabled(mic)
        self.rate.setEnabled(mic)

    # ---- training and listening ----------------------------------------------------------
    def retrain(self, demo: bool) -> None:
        src = self.source
        if demo:
            if self.demo is None:
                self._say("The demo audio is still loading; try again in a moment.")
                return
            signals, rate, what = [self.demo.samples], self.demo.sample_rate, "the demo audio"
        else:
            if src is None or src.ring.total < src.sample_rate:
                self._say("Record or play at least a second of sound first.")
                return
            signals, rate = [src.ring.latest(RECORD_SECONDS * src.sample_rate)], src.sample_rate
            what = f"the last {len(signals[0]) / rate:.0f} s of {src.name}"
        self.trainer.submit(jobs.retrain, signals, self.config(rate), self.code_size(), self.retrain_epochs, what)
        self._say(f"Retraining the {self.code_size()}-number autoencoder on {what}…")

    def _on_trained(self, _job: int, result) -> None:
        _kind, model, losses, what = result
        self.model_trained.emit(model)
        self._say(f"Retrained on {what}: loss {losses[0]:.4f} → {losses[-1]:.4f}.")

    def _on_train_busy(self, busy: bool) -> None:
        self.retrain_demo.setEnabled(not busy)
        self.retrain_rec.setEnabled(not busy)
        if not busy:
            self.train_progress.setValue(0)

    def listen(self, which: str) -> None:
        src = self.source
        if src is None or self.model is None or src.ring.total == 0:
            self._say("Nothing to play yet: wait for the sound to start.")
            return
        clip = src.ring.latest(4 * src.sample_rate)
        self.player.submit(jobs.listen, clip, self.config(src.sample_rate), self.model, self.noise_level(),
                           self.method.currentData(), which)

    # ---- lifecycle -----------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.level.setMinimumHeight(round(theme.text_px * 1.4))

    def shutdown(self) -> None:
        for src in (self.source, self.demo, self._file_source):
            if src is not None:
                src.shutdown()
        stop_runners((self.loader, self.device_lister, self.trainer, self.player), 0.2)
        if "sounddevice" in sys.modules:     # something may be playing
            stop_playback()
