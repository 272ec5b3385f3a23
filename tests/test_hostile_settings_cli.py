"""The settings file and the command line as a hostile user leaves them (issue 16).

Settings: any text for any key of desktopnn.ini (the window's geometry, lesson, presentation mode, the
recent scenes, the last folder and the lesson folder), written by hand or by another version, starts the window and lets it
save again. Command line: damaged scenes, a folder where a file belongs, a lesson name that does not
exist and a missing file each give one line on stderr, an exit code, and no traceback.
"""

import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings

from desktopnn.app import build_window, dispose, make_app

sys.path.insert(0, os.path.dirname(__file__))
from hostile_inputs import dumps  # noqa: E402

KEYS = ("window/geometry", "window/tab", "window/presentation", "scenes/recent", "scenes/last_dir", "lessons/folder")
RAW = st.one_of(st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t),
                st.sampled_from(("@ByteArray(\\x1\\x2garbage)", "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x1)", "@Invalid()",
                                 "@Rect(0 0 -5 99999999999)", "@Size(0 0)", "true", "tensors", "a, b", '"[1, 2, {}]"',
                                 '"[\\"/nonexistent.dnnscene\\", 5, null]"', "9" * 400, "/dev/null", "\\0")))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(KEYS), RAW, min_size=1))
def test_any_settings_file_starts_the_window(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("config")
    ini = folder / "desktopnn.ini"
    groups: dict = {}
    for key, raw in values.items():
        group, name = key.split("/")
        groups.setdefault(group, []).append(f"{name}={raw}")
    ini.write_text("".join(f"[{g}]\n" + "\n".join(lines) + "\n" for g, lines in groups.items()), encoding="utf-8")
    app = make_app()
    qs = QSettings(str(ini), QSettings.Format.IniFormat)
    window = build_window(app, demo=True, settings=qs, screen_height=1080)
    try:
        window.show()
        app.processEvents()
        assert all(isinstance(p, str) for p in window.scenes.recent())
        window.scenes.default_save_path()
        window.scenes.recent_menu.aboutToShow.emit()
        window.grab()
    finally:
        dispose(app, window)          # saves the settings back
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("window/tab") in {s.name for s in window.specs}


# ---- the command line ------------------------------------------------------------------------------
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "desktopnn", *args], capture_output=True, text=True, env=ENV,
                          timeout=180, cwd=cwd)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "long.dnnscene").write_text(dumps({"format": "desktopnn-scene", "format_version": 7 * 10 ** 4999,
                                                   "tab": "animator", "state": {}}))
    (tmp_path / "nan.dnnscene").write_text('{"format": "desktopnn-scene", "format_version": 1, "tab": "animator", '
                                           '"state": {"speed": NaN}}')
    (tmp_path / "deep.dnnscene").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "lesson").mkdir()
    (tmp_path / "lesson" / "01.dnnscene").write_text(json.dumps({"format": "desktopnn-scene", "format_version": 1,
                                                                 "tab": "animator", "state": {"stride": "x"}}))
    return tmp_path


@pytest.mark.parametrize("args, code, said", [
    (("--smoke", "long.dnnscene"), 1, "a whole number 5000 digits long"),
    (("--smoke", "nan.dnnscene"), 1, "holds NaN, which is not a finite number"),
    (("--smoke", "deep.dnnscene"), 1, "nested too deeply to be a scene"),
    (("--smoke", "--scene", "lesson"), 1, "Could not read “lesson”"),
    (("--smoke", "--scene", "missing.dnnscene"), 1, "“missing.dnnscene” does not exist"),
    (("--smoke", "--tab", "💥"), 2, "no lesson called '💥'"),
    (("--slides", "out", "--lesson", "lesson"), 2, "no slides written"),
])
def test_hostile_command_lines_say_why_in_one_line(files, args, code, said):
    out = run_cli(*args, cwd=files)
    assert out.returncode == code, out.stderr[-2000:]
    assert said in out.stderr and "Traceback" not in out.stderr
    assert len([line for line in out.stderr.splitlines() if line.startswith("desktopnn:")]) == 1
