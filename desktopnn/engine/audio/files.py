"""Audio files and the bundled demo audio, as mono float32 numpy arrays (no Qt).

The demo audio (desktopnn/resources/audio/*.flac, 16 kHz mono) is made by
``resources/audio/make_demo_audio.py``; provenance and licences: resources/LICENSES-audio.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DEMO_DIR = Path(__file__).resolve().parents[2] / "resources" / "audio"
AUDIO_FILTER = "Audio (*.wav *.flac *.ogg *.oga *.mp3 *.aiff *.aif);;All files (*)"


def demo_audio_paths() -> list:
    """The bundled demo recordings (speech, vowels, a chirp, a melody), in a fixed order."""
    return sorted(DEMO_DIR.glob("*.flac"))


MAX_SAMPLES = 60_000_000     # 10 minutes of stereo at 48 kHz is 57.6 million samples (230 MB as float32)


def read_audio(path, sample_rate: int = 16000, max_seconds: float = 600.0) -> np.ndarray:
    """A file as mono float32 at ``sample_rate``; ValueError with a clear message for a bad file."""
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise ValueError(f"there is no file at {p}")
    try:
        info = sf.info(str(p))
        if info.duration > max_seconds:
            raise ValueError(f"{p.name} lasts {info.duration / 60:.0f} minutes; open one under "
                             f"{max_seconds / 60:.0f} minutes")
        if info.frames * max(info.channels, 1) > MAX_SAMPLES:     # many channels at a high rate: GBs in memory
            raise ValueError(f"{p.name} holds {info.channels} channels at {info.samplerate} Hz: too much sound to "
                             "open at once; open a mono or stereo file")
        data, sr = sf.read(str(p), dtype="float32", always_2d=True)
    except ValueError:
        raise
    except Exception as exc:   # soundfile.LibsndfileError, RuntimeError, OSError
        kind = p.suffix.lower().lstrip(".") or "this"
        extra = (" This system's libsndfile cannot decode MP3; convert it to WAV or FLAC."
                 if kind == "mp3" and "MP3" not in sf.available_formats() else "")
        raise ValueError(f"{p.name} could not be read as audio ({exc}). Open a WAV, FLAC, OGG or MP3 "
                         f"file.{extra}") from None
    if data.size == 0:
        raise ValueError(f"{p.name} contains no sound")
    if not np.all(np.isfinite(data)):
        raise ValueError(f"{p.name} is damaged: some of its samples are not numbers (NaN or infinite)")
    mono = data.mean(axis=1)
    if sr != sample_rate:
        import librosa

        mono = librosa.resample(mono, orig_sr=sr, target_sr=sample_rate)
    return np.ascontiguousarray(mono, dtype=np.float32)


def demo_audio(sample_rate: int = 16000, gap_s: float = 0.4) -> np.ndarray:
    """All demo files one after another, with short silences between them."""
    gap = np.zeros(int(gap_s * sample_rate), np.float32)
    return np.concatenate([np.concatenate([read_audio(p, sample_rate), gap]) for p in demo_audio_paths()])
