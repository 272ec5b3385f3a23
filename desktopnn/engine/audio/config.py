"""Torch-free settings and containers of the audio lesson (notes 3.0.1), importable at start-up
without loading torch: the audio ring buffer the microphone writes into, the spectrogram settings."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace

import numpy as np

TOP_DB = 80.0            # the colour scale spans [-80, 0] dB
AUDIO_BOTTLENECKS = (2, 4, 8, 16)


class RingBuffer:
    """Mono float32 samples; the writer (an audio callback) only copies in, under a short lock.

    ``total`` counts every sample ever written, so a reader can ask for what is new since its last
    position; samples it missed because the buffer wrapped are counted in ``lost``.
    """

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError("a ring buffer needs room for at least one sample")
        self._buf = np.zeros(capacity, np.float32)
        self._lock = threading.Lock()
        self.total = 0
        self.lost = 0
        self.last_write_time = 0.0     # time.perf_counter() of the newest write

    @property
    def capacity(self) -> int:
        return len(self._buf)

    def write(self, block: np.ndarray) -> None:
        block = np.asarray(block, np.float32).reshape(-1)
        n0, cap = len(block), len(self._buf)
        skip = max(0, n0 - cap)                  # a block longer than the buffer keeps its end
        block = block[skip:]
        n = len(block)
        with self._lock:
            start = (self.total + skip) % cap
            first = min(n, cap - start)
            self._buf[start:start + first] = block[:first]
            self._buf[:n - first] = block[first:]
            self.total += n0
            self.last_write_time = time.perf_counter()

    def read_since(self, position: int) -> tuple[np.ndarray, int]:
        """(samples written after ``position``, new position). Too old a position loses the oldest."""
        with self._lock:
            total, cap = self.total, len(self._buf)
            if position > total:
                position = total
            if total - position > cap:
                self.lost += total - position - cap
                position = total - cap
            n = total - position
            start = position % cap
            first = min(n, cap - start)
            out = np.concatenate([self._buf[start:start + first], self._buf[:n - first]])
        return out, total

    def latest(self, n: int) -> np.ndarray:
        """The newest ``n`` samples (fewer if fewer were ever written)."""
        return self.read_since(max(0, self.total - min(n, len(self._buf))))[0]


@dataclass(frozen=True)
class SpectrogramConfig:
    sample_rate: int = 16000
    window_ms: float = 11.0
    hop_ms: float = 5.5
    n_mels: int = 40
    fmax: float = 8000.0

    def __post_init__(self):
        if self.sample_rate < 4000:
            raise ValueError(f"a sample rate of {self.sample_rate} Hz is too low (use 8000 Hz or more)")
        if not 2 <= self.window_ms <= 200:
            raise ValueError("the window must last between 2 and 200 ms")
        if not 0 < self.hop_ms <= self.window_ms:
            raise ValueError("the hop must be positive and no longer than the window")

    @property
    def win_length(self) -> int:
        return int(round(self.sample_rate * self.window_ms / 1000))

    @property
    def hop(self) -> int:
        return max(1, int(round(self.sample_rate * self.hop_ms / 1000)))

    @property
    def n_fft(self) -> int:
        return 1 << max(4, math.ceil(math.log2(self.win_length)))

    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1

    @property
    def frames_per_second(self) -> float:
        return self.sample_rate / self.hop

    def with_rate(self, sample_rate: int) -> "SpectrogramConfig":
        return replace(self, sample_rate=int(sample_rate))

    def bin_frequencies(self) -> np.ndarray:
        return np.arange(self.n_bins) * self.sample_rate / self.n_fft

    def mel_edges_hz(self) -> np.ndarray:
        """Centre frequencies of the mel bands (for the frequency axis)."""
        import librosa

        return librosa.mel_frequencies(self.n_mels + 2, fmin=0.0, fmax=self.top_hz)[1:-1]

    @property
    def top_hz(self) -> float:
        return min(self.fmax, self.sample_rate / 2)
