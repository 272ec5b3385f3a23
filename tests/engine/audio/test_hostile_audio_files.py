"""Audio files a person may open (issue 16): any damage to a WAV (integer or float), FLAC or OGG file
gives finite samples or one sentence, within a time and memory bound."""

import io
import os
import sys

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from desktopnn.engine.audio.files import read_audio

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
from hostile_inputs import bounded, damaged  # noqa: E402

KINDS = (("wav", "WAV", "PCM_16"), ("wav", "WAV", "FLOAT"), ("flac", "FLAC", "PCM_16"), ("ogg", "OGG", "VORBIS"))


def encoded(fmt: str, subtype: str) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.sin(np.arange(8000) / 5).astype(np.float32) * 0.5, 8000, format=fmt, subtype=subtype)
    return buf.getvalue()


ORIGINALS = {kind: encoded(kind[1], kind[2]) for kind in KINDS}


@pytest.fixture(scope="module", autouse=True)
def resampler_warmed(tmp_path_factory):
    """librosa's first resampling imports and compiles for seconds: not the
    files' time, so it runs once here, outside the bound."""
    path = tmp_path_factory.mktemp("warm") / "song.wav"
    path.write_bytes(ORIGINALS[KINDS[0]])
    read_audio(path, 16000)


def opened(folder, data: bytes, suffix: str):
    path = folder / f"song.{suffix}"
    path.write_bytes(data)
    with bounded(seconds=10.0, megabytes=300):
        try:
            sound = read_audio(path, 16000)
        except ValueError as exc:
            assert "song." in str(exc)
            return None
    assert sound.dtype == np.float32 and sound.ndim == 1 and np.all(np.isfinite(sound))
    return sound


@settings(max_examples=120)
@given(st.sampled_from(KINDS).flatmap(lambda kind: st.tuples(st.just(kind), damaged(ORIGINALS[kind]))))
def test_a_damaged_audio_file_is_read_or_refused_in_one_sentence(tmp_path_factory, case):
    kind, data = case
    opened(tmp_path_factory.mktemp("audio"), data, kind[0])


def test_samples_that_are_not_numbers_are_damage(tmp_path):
    x = np.zeros(800, np.float32)
    x[100] = np.nan
    sf.write(tmp_path / "song.wav", x, 8000, subtype="FLOAT")
    with pytest.raises(ValueError, match="song.wav is damaged: some of its samples are not numbers"):
        read_audio(tmp_path / "song.wav")


@pytest.mark.parametrize("kind", KINDS)
def test_the_undamaged_originals_open(tmp_path, kind):
    assert len(opened(tmp_path, ORIGINALS[kind], kind[0])) == 16000
