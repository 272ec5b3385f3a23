"""The sound-server tests' own rule (issue 16): without PulseAudio they skip with the reason, except
under CI=1, where `packaging/setup.sh test` should have installed it: there they fail."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TEST = Path(__file__).parent / "ui" / "autoencoder" / "test_microphone_pulse.py"


@pytest.mark.parametrize("ci, outcome", [("1", "error"), ("", "skipped")])
def test_missing_pulseaudio_fails_under_ci_and_skips_elsewhere(tmp_path, ci, outcome):
    env = {**os.environ, "PATH": str(tmp_path), "CI": ci, "QT_QPA_PLATFORM": "offscreen"}   # no pulseaudio on PATH
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(TEST)],
                         capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent, timeout=300)
    assert f"2 {outcome}" in out.stdout, out.stdout[-2000:]
    assert "pulseaudio, pactl, parecord not installed" in out.stdout
