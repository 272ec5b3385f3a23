"""Make the demo audio bundled in desktopnn/resources/audio/ (16 kHz mono FLAC, a few seconds each).

    python resources/audio/make_demo_audio.py            # needs espeak-ng and sox for the speech

The chirp, vowels and melody are synthesised here with numpy (deterministic). The speech is spoken by
espeak-ng and converted to 16 kHz by sox. Provenance and licences: resources/LICENSES-audio.md.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

SR = 16000
OUT = Path(__file__).resolve().parents[2] / "desktopnn" / "resources" / "audio"
SPEECH = {
    "speech-bottleneck": "Squeeze the data through a bottleneck. Keep the structure, lose the noise.",
    "speech-feature-vector": "The code in the middle is a feature vector.",
}


def _fade(x: np.ndarray, ms: float = 15) -> np.ndarray:
    n = int(SR * ms / 1000)
    ramp = np.linspace(0, 1, n)
    x[:n] *= ramp
    x[-n:] *= ramp[::-1]
    return x


def chirp(seconds: float = 3.0) -> np.ndarray:
    """A sine sweeping exponentially from 100 Hz to 7 kHz: one line climbing the spectrogram."""
    t = np.arange(int(SR * seconds)) / SR
    f0, f1 = 100.0, 7000.0
    k = np.log(f1 / f0) / seconds
    phase = 2 * np.pi * f0 * (np.exp(k * t) - 1) / k
    return _fade(0.5 * np.sin(phase))


def vowel(f0: float, formants: list[tuple[float, float]], seconds: float) -> np.ndarray:
    """Source-filter vowel: a glottal pulse train through formant resonators (centre, bandwidth)."""
    n = int(SR * seconds)
    t = np.arange(n) / SR
    vib = 1 + 0.01 * np.sin(2 * np.pi * 5 * t)
    phase = np.cumsum(f0 * vib / SR)
    src = np.diff(np.floor(phase), prepend=0.0)           # one impulse per glottal period
    y = src
    out = np.zeros(n)
    for fc, bw in formants:
        r = np.exp(-np.pi * bw / SR)
        a1, a2 = -2 * r * np.cos(2 * np.pi * fc / SR), r * r
        z = np.zeros(n)
        for i in range(n):                                 # second-order resonator
            z[i] = y[i] - a1 * (z[i - 1] if i > 0 else 0) - a2 * (z[i - 2] if i > 1 else 0)
        out += z / np.abs(z).max()
    out = np.diff(out, prepend=0.0)                        # lip radiation
    return _fade(0.5 * out / np.abs(out).max())


def vowels() -> np.ndarray:
    """/a/ /e/ /i/ /o/ /u/ at 120 Hz, 0.6 s each with short pauses."""
    table = {"a": [(730, 90), (1090, 110), (2440, 170)], "e": [(530, 60), (1840, 100), (2480, 120)],
             "i": [(270, 60), (2290, 100), (3010, 120)], "o": [(570, 70), (840, 80), (2410, 120)],
             "u": [(300, 60), (870, 80), (2240, 120)]}
    gap = np.zeros(int(SR * 0.15))
    return np.concatenate([np.concatenate([vowel(120, f, 0.6), gap]) for f in table.values()])


def melody() -> np.ndarray:
    """A short tune of harmonic notes (fundamental plus overtones): stacked lines in the spectrogram."""
    notes = [(60, 0.3), (62, 0.3), (64, 0.3), (65, 0.3), (67, 0.6), (67, 0.6), (69, 0.3), (69, 0.3),
             (69, 0.3), (69, 0.3), (67, 0.9)]
    parts = []
    for midi, dur in notes:
        f = 440.0 * 2 ** ((midi - 69) / 12)
        t = np.arange(int(SR * dur)) / SR
        env = np.exp(-3 * t)
        tone = sum(np.sin(2 * np.pi * f * k * t) / k for k in range(1, 6) if f * k < SR / 2)
        parts.append(_fade(0.35 * env * tone, 8))
    return np.concatenate(parts)


def speech(name: str, text: str) -> None:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        raise SystemExit("install espeak-ng and sox to make the speech (Debian: apt install espeak-ng sox)")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "140", "-w", str(raw), text], check=True)
        subprocess.run(["sox", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(OUT / f"{name}.flac"),
                        "norm", "-3"], check=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fn in [("chirp", chirp), ("vowels", vowels), ("melody", melody)]:
        sf.write(OUT / f"{name}.flac", fn().astype(np.float32), SR, subtype="PCM_16")
    for name, text in SPEECH.items():
        speech(name, text)
    for p in sorted(OUT.glob("*.flac")):
        info = sf.info(p)
        print(f"{p.name:28} {info.duration:5.2f} s  {p.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
