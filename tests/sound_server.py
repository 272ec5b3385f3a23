"""A private PulseAudio server for the microphone tests: no sound hardware needed (issue 16).

    pulseaudio -n --load=module-native-protocol-unix --load="module-null-sink sink_name=speaker"
               --load="module-sine-source source_name=sinemic frequency=440"

runs in a temporary folder (its own XDG_RUNTIME_DIR and socket, so a person's own sound server is never
touched), in the foreground as this process's child (its pid is ours to stop; it dies with us too).
The tests' clients reach it through PULSE_SERVER: sounddevice → PortAudio → ALSA's pulse plugin →
this server, so "the microphone" is a 440 Hz sine and what the app plays lands in the null sink,
heard back from ``speaker.monitor``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

TOOLS = ("pulseaudio", "pactl", "parecord")
SINE_HZ = 440
SINE = f"module-sine-source source_name=sinemic frequency={SINE_HZ}"


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def _die_with_parent() -> None:      # runs in the child before exec (Linux only, as the server itself)
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)    # PR_SET_PDEATHSIG


class PulseServer:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="desktopnn-pulse-"))
        self.socket = self.folder / "native"
        self.address = f"unix:{self.socket}"
        self.proc: subprocess.Popen | None = None
        self.log = self.folder / "pulseaudio.log"

    # ---- life ------------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> None:
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.folder), "HOME": str(self.folder)}
        env.pop("PULSE_SERVER", None)
        args = ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--use-pid-file=no",
                f"--log-target=file:{self.log}",
                f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
                "--load=module-null-sink sink_name=speaker", f"--load={SINE}"]
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited at once ({self.proc.returncode}): {self._log_tail()}")
            if self.socket.exists() and self.pactl("info", check=False).returncode == 0:
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pulseaudio did not answer within {timeout:.0f} s: {self._log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-1500:]
        except OSError:
            return "(no log)"

    # ---- control -------------------------------------------------------------------------------
    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["pactl", f"--server={self.address}", *args], capture_output=True, text=True,
                              timeout=10, check=check)

    def sine_module(self) -> str | None:
        for line in self.pactl("list", "short", "modules").stdout.splitlines():
            if "module-sine-source" in line:
                return line.split()[0]
        return None

    def unload_sine(self) -> None:
        self.pactl("unload-module", self.sine_module())

    def load_sine(self) -> None:
        self.pactl("load-module", *SINE.split())

    def default_source(self) -> str:
        info = self.pactl("info").stdout
        return next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Default Source"))

    def record(self, source: str, rate: int = 16000) -> "Recording":
        """Start recording ``source`` (mono float32 at ``rate``) until the recording is stopped."""
        return Recording(self.address, source, rate)


class Recording:
    """parecord of one source, read as it arrives by a thread (parecord buffers its output and loses
    the buffer when it is killed, so a recording cut by a timer came back short or empty)."""

    def __init__(self, address: str, source: str, rate: int):
        self.rate = rate
        self._proc = subprocess.Popen(["parecord", f"--server={address}", "--raw", f"--device={source}",
                                       "--format=float32le", f"--rate={rate}", "--channels=1", "--latency-msec=20"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, name="parecord-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while chunk := self._proc.stdout.read1(65536):
            self._chunks.append(chunk)

    def samples(self) -> np.ndarray:
        data = b"".join(list(self._chunks))
        return np.frombuffer(data[: len(data) // 4 * 4], np.float32)

    def stop(self) -> np.ndarray:
        self._proc.terminate()
        self._proc.wait(10)
        self._reader.join(10)
        return self.samples()


def strongest_hz(x: np.ndarray, rate: int = 16000) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


def reinit_portaudio() -> None:
    """PortAudio lists devices once, when it starts: start it again so it sees (or forgets) the server."""
    from desktopnn.sources.audio import call_portaudio

    sd = sys.modules.get("sounddevice")
    if sd is not None and hasattr(sd, "_terminate"):
        call_portaudio(sd._terminate, timeout=30)     # where the app makes its PortAudio calls, after them
        call_portaudio(sd._initialize, timeout=30)
