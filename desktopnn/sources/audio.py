"""Audio sources: the microphone (sounddevice/PortAudio), the bundled demo audio and audio files.

Every source writes mono float32 samples into a :class:`~desktopnn.engine.audio.config.RingBuffer`; the view
reads what is new. The microphone's callback runs on PortAudio's thread and only copies into the ring
(and counts overflows). Every other PortAudio call (start-up, listing, opening, playing, closing) runs
on one thread of its own, one call at a time: PortAudio is not thread-safe, and a sound server that
stops answering then wedges that thread only, never the window (callers wait a bounded time and say
so). Anything that goes wrong (no PortAudio library, no input device, a device that disappears)
becomes ``failed(message)`` with what to do; the view then goes on with the demo audio.
"""

from __future__ import annotations

import importlib
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktopnn.engine.audio.config import RingBuffer
from desktopnn.workers import LatestJobRunner

RING_SECONDS = 30          # what a retrain on "the last seconds" can use
SAMPLE_RATES = (16000, 22050, 44100, 48000)
NO_PORTAUDIO = ("Sound input and output need the PortAudio library, which is not installed here "
                "(Debian/Ubuntu: sudo apt install libportaudio2; macOS: brew install portaudio). "
                "The demo audio plays on.")
NO_DEVICE = ("No microphone was found: plug one in (or allow desktopnn to use it in the system's privacy "
             "settings), then pick it under Input. The demo audio plays on.")
NO_OUTPUT = "No sound output could be opened ({}): plug in speakers or headphones and try again."
STALLED = ("The microphone stopped sending sound (was it unplugged?). Plug it back in and pick it under Input. "
           "The demo audio plays on.")
SILENT = ("The microphone has sent only silence for {:.0f} seconds (unplugged, muted, or the system switched to "
          "another input?). Pick it under Input when it is back. The demo audio plays on.")
NO_ANSWER = ("The sound system did not answer within {:.0f} s (is the sound server stuck? restarting it, or "
             "the computer, helps). The demo audio plays on.")
STALL_S = 2.0      # no sound at all from the device for this long: it went away
SILENCE_S = 2.0    # exact zeros after real sound for this long: the sound server moved the stream to a silent input


class _PortAudioThread:
    """One daemon thread that makes every PortAudio call, in the order they were asked for. It lives as
    long as the process, like PortAudio itself (idle, it waits on its queue), so it is not named as the
    windows' workers are ("desktopnn-…", which must all be gone once a window closes)."""

    def __init__(self):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="portaudio-calls", daemon=True)
                self._thread.start()
        self._jobs.put((future, fn, args))
        return future

    def _run(self) -> None:
        while True:
            future, fn, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:   # handed to the caller, who says it in words
                future.set_exception(exc)


_PORTAUDIO = _PortAudioThread()


class NoAnswer(ValueError):
    """The sound system did not answer in time (the message says so in words)."""


def call_portaudio(fn, *args, timeout: float = 10.0):
    """``fn(*args)`` on the PortAudio thread; its result or exception. :class:`NoAnswer` when the sound
    system has not answered within ``timeout`` seconds (the call may still finish later)."""
    try:
        return _PORTAUDIO.submit(fn, *args).result(timeout)
    except FutureTimeout:
        raise NoAnswer(NO_ANSWER.format(timeout)) from None


def _call_quietly_later(*calls) -> None:
    """Make ``calls`` one after the other on the PortAudio thread, without waiting; the first that fails
    ends them (a device already gone, nothing playing: nothing left to do)."""
    def run():
        try:
            for call in calls:
                call()
        except Exception:
            pass

    _PORTAUDIO.submit(run)


def _load_sounddevice():
    """Imported on first use only: ``import sounddevice`` raises OSError when PortAudio is missing."""
    return importlib.import_module("sounddevice")


def import_sounddevice():
    """The sounddevice module, or ValueError with how to install PortAudio."""
    try:
        return _load_sounddevice()
    except (OSError, ImportError):
        raise ValueError(NO_PORTAUDIO) from None


def input_devices() -> list[tuple[int, str, int]]:
    """[(index, name, default sample rate)] of devices with input channels; ValueError if none."""
    sd = call_portaudio(import_sounddevice)
    try:
        devices = call_portaudio(sd.query_devices)
    except NoAnswer:
        raise
    except Exception as exc:  # PortAudioError while the sound server is restarting
        raise ValueError(f"The sound devices could not be listed ({exc}). The demo audio plays on.") from None
    found = [(i, str(d["name"]), int(d["default_samplerate"])) for i, d in enumerate(devices)
             if d.get("max_input_channels", 0) > 0]
    if not found:
        raise ValueError(NO_DEVICE)
    return found


class AudioSource(QObject):
    """Base: ``ring`` receives samples at ``sample_rate`` while started."""

    failed = Signal(str)      # the source stopped; a message a person understands
    started = Signal()

    name = "audio"

    def __init__(self, sample_rate: int, parent: QObject | None = None):
        super().__init__(parent)
        self.sample_rate = int(sample_rate)
        self.ring = RingBuffer(self.sample_rate * RING_SECONDS)
        self.overflows = 0
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._running = False

    def shutdown(self) -> None:
        self.stop()


class ArrayAudioSource(AudioSource):
    """Streams samples in real time from a main-thread QTimer (the demo audio, an opened file).

    The amount pushed follows the clock, not the timer's ticks, so a late tick never slows the sound.
    """

    def __init__(self, samples: np.ndarray, sample_rate: int, name: str = "demo audio", loop: bool = True,
                 tick_ms: int = 10, parent: QObject | None = None):
        super().__init__(sample_rate, parent)
        samples = np.asarray(samples, np.float32).reshape(-1)
        if len(samples) == 0:
            raise ValueError(f"{name} contains no sound")
        self.samples = samples
        self.name = name
        self.loop = loop
        self.position = 0              # next sample to push
        self._t0 = 0.0
        self._pushed = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.pump)

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._t0 = time.perf_counter()
        self._pushed = 0
        self._timer.start()
        self.started.emit()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def pump(self) -> int:
        """Push the samples due by now; returns how many."""
        if not self._running:
            return 0
        due = int((time.perf_counter() - self._t0) * self.sample_rate) - self._pushed
        due = min(due, self.sample_rate)          # after a long stall, skip ahead instead of flooding
        if due <= 0:
            return 0
        out = []
        left = due
        while left > 0:
            if self.position >= len(self.samples):
                if not self.loop:
                    self.stop()
                    break
                self.position = 0
            take = min(left, len(self.samples) - self.position)
            out.append(self.samples[self.position:self.position + take])
            self.position += take
            left -= take
        if out:
            self.ring.write(np.concatenate(out))
        self._pushed += due
        return due - left


class MicrophoneSource(AudioSource):
    """A sounddevice input stream; the callback copies into the ring and counts overflows."""

    def __init__(self, device: int | None = None, sample_rate: int = 16000, block_ms: float = 10.0,
                 parent: QObject | None = None):
        super().__init__(sample_rate, parent)
        self.device = device
        self.name = "microphone"
        self.blocksize = max(16, int(sample_rate * block_ms / 1000))
        self._stream = None
        self._ended = threading.Event()
        self._opener = LatestJobRunner("microphone", self)
        self._opener.finished.connect(self._on_opened)
        self._opener.failed.connect(self._on_open_failed)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(500)
        self._watchdog.timeout.connect(self._check_alive)
        self._seen = 0                        # ring position the watchdog has looked at
        self._heard = False                   # a sample that was not exactly 0 has arrived
        self._silent_since: float | None = None

    @property
    def latency_s(self) -> float:
        """The device buffer's latency (what the audio-to-screen latency is measured beyond)."""
        return float(getattr(self._stream, "latency", 0.0) or 0.0)

    def _callback(self, indata, frames, time_info, status) -> None:   # PortAudio's thread
        if status.input_overflow:
            self.overflows += 1
        self.ring.write(indata[:, 0])

    def _open(self):
        return call_portaudio(self._open_now)

    def _open_now(self):
        sd = import_sounddevice()
        ended = threading.Event()            # set by PortAudio when the stream stops, whatever stopped it
        try:
            stream = sd.InputStream(device=self.device, channels=1, samplerate=self.sample_rate, dtype="float32",
                                    blocksize=self.blocksize, callback=self._callback, finished_callback=ended.set)
            stream.start()
        except Exception as exc:     # sd.PortAudioError, or ValueError for an impossible setting
            try:
                has_input = any(d.get("max_input_channels", 0) > 0 for d in sd.query_devices())
            except Exception:
                has_input = False
            if not has_input:
                raise ValueError(NO_DEVICE) from None
            raise ValueError(f"The microphone could not be opened at {self.sample_rate} Hz ({exc}): pick another "
                             "device or sample rate under Input. The demo audio plays on.") from None
        return stream, ended

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._opener.submit(self._open)

    def _on_opened(self, _job: int, opened) -> None:
        stream, self._ended = opened
        if not self._running:           # stopped while opening
            _close(stream)
            return
        self._stream = stream
        self.ring.last_write_time = time.perf_counter()
        self._seen, self._heard, self._silent_since = self.ring.total, False, None
        self._watchdog.start()
        self.started.emit()

    def _on_open_failed(self, _job: int, message: str, _exc) -> None:
        self._running = False
        self.failed.emit(message)

    def _check_alive(self) -> None:
        """Every half second: has the device gone (no samples, or only exact zeros after real sound)?

        A device that disappears either stops the stream or, behind a sound server (PulseAudio's ALSA
        plugin reconnects), keeps it running on another input: the monitor of an idle output sends
        zeros. A real microphone in a quiet room never does: its noise is never exactly 0. No PortAudio
        call here (they all run on one thread of their own): PortAudio's finished callback says it ended."""
        s = self._stream
        if s is None:
            return
        now = time.perf_counter()
        if self._ended.is_set() or now - self.ring.last_write_time > STALL_S:
            message = STALLED
        elif self._went_silent(now):
            message = SILENT.format(SILENCE_S)
        else:
            return
        self.stop()
        self.failed.emit(message)

    def _went_silent(self, now: float) -> bool:
        total = self.ring.total
        new = self.ring.latest(min(total - self._seen, self.sample_rate))
        self._seen = total
        if len(new) and np.any(new):
            self._heard, self._silent_since = True, None
        elif len(new) and self._heard and self._silent_since is None:
            self._silent_since = now
        return self._silent_since is not None and now - self._silent_since >= SILENCE_S

    def stop(self) -> None:
        self._running = False
        self._watchdog.stop()
        stream, self._stream = self._stream, None
        if stream is not None:
            _close(stream)

    def shutdown(self) -> None:
        self.stop()
        self._opener.cancel()
        self._opener.shutdown(0.1)


def _close(stream) -> None:
    """Close ``stream`` on the PortAudio thread, without waiting. stop(), not abort(): PortAudio's ALSA
    abort cancels the callback thread (pthread_cancel), which can leave the sound server plugin's lock
    held, and the next PortAudio call then waits forever; stop() lets the thread finish its block."""
    _call_quietly_later(lambda: stream.stop(), lambda: stream.close())


def play(samples: np.ndarray, sample_rate: int) -> float:
    """Play through the default output (call from a worker: opening a device may take a moment).
    Returns the duration in seconds; ValueError with what to do when there is no output."""
    sd = call_portaudio(import_sounddevice)
    try:
        call_portaudio(sd.play, np.asarray(samples, np.float32), sample_rate)
    except NoAnswer:
        raise
    except Exception as exc:
        raise ValueError(NO_OUTPUT.format(exc)) from None
    return len(samples) / sample_rate


def stop_playback() -> None:
    """Stop what plays (on the PortAudio thread, without waiting)."""
    _call_quietly_later(lambda: import_sounddevice().stop())
