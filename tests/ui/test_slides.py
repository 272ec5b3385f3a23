"""File ▸ Export ▸ Lesson as slides and ``desktopnn --slides`` (issue 9)."""

import os
import subprocess
import sys

import pytest
from PIL import Image
from PySide6.QtWidgets import QPushButton

from desktopnn import scenes
from desktopnn.scenes import Scene


def _pages(pdf) -> int:
    data = pdf.read_bytes()
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


@pytest.fixture
def window(make_window):
    return make_window(1100, 700)


def _save(folder, name, tab):
    return scenes.write(folder / f"{name}{scenes.SUFFIX}",
                        Scene(tab=tab.name, state=tab.scene_state(), tab_version=tab.scene_version, title=name))


@pytest.fixture
def lesson(window, tmp_path):
    """Three scenes saved from real tabs: the animator at two positions and the exercise."""
    folder = tmp_path / "lesson"
    folder.mkdir()
    anim = window.tab_at(next(i for i, s in enumerate(window.specs) if s.name == "animator"))
    anim.show_frame(1)
    _save(folder, "1-start", anim)
    anim.show_frame(min(5, anim.frame_count() - 1))
    _save(folder, "2-later", anim)
    anim.show_frame(0)
    ex = window.tab_at(next(i for i, s in enumerate(window.specs) if s.name == "exercise"))
    _save(folder, "3-exercise", ex)
    return folder


def _open_lesson(qtbot, window, folder):
    window.navigator.set_folder(folder)
    qtbot.waitUntil(lambda: len(window.navigator.folder_items) == len(list(folder.glob("*" + scenes.SUFFIX))),
                    timeout=5000)


def _states(window):
    return {t.name: t.scene_state() for t in window.built_tabs()}


def test_menu_export_writes_pngs_and_a_pdf_and_puts_everything_back(qtbot, window, lesson, tmp_path):
    _open_lesson(qtbot, window, lesson)
    window.select_tab("convolution")
    qtbot.waitUntil(lambda: window.current_tab().result is not None and not window.current_tab().is_busy(),
                    timeout=20000)
    before, index = _states(window), window.tabs.currentIndex()
    out = tmp_path / "out"
    out.mkdir()
    menu = window.presenter.export_menu
    assert menu.act_slides.toolTip()
    export = menu.export_slides(str(out))
    assert export is not None
    qtbot.waitUntil(lambda: not export.running, timeout=60000)
    assert sorted(os.listdir(out)) == ["01-1-start.png", "02-2-later.png", "03-3-exercise.png", "slides.pdf"], \
        export.message
    for name in ("01-1-start.png", "02-2-later.png", "03-3-exercise.png"):
        with Image.open(out / name) as im:
            assert im.size == (1920, 1080)
    assert _pages(out / "slides.pdf") == 3
    assert "Wrote 3 slides" in export.message
    qtbot.waitUntil(lambda: not any(t.is_busy() for t in window.built_tabs()), timeout=20000)
    assert _states(window) == before
    assert window.tabs.currentIndex() == index
    with Image.open(out / "01-1-start.png") as a, Image.open(out / "02-2-later.png") as b:
        assert a.tobytes() != b.tobytes()          # the two animator positions differ on the slides


def test_cancel_after_the_first_slide_leaves_nothing(qtbot, window, lesson, tmp_path):
    _open_lesson(qtbot, window, lesson)
    out = tmp_path / "out"
    out.mkdir()
    export = window.presenter.export_menu.export_slides(str(out))
    qtbot.waitUntil(lambda: export.index >= 1, timeout=30000)
    export.progress.findChild(QPushButton).click()  # the dialog's Cancel button
    assert not export.running and "cancelled" in export.message
    qtbot.waitUntil(lambda: os.listdir(out) == [], timeout=10000)


def test_a_corrupt_scene_is_skipped_and_reported(qtbot, window, lesson, tmp_path):
    (lesson / "2b-broken.dnnscene").write_text('{"format": "desktopnn-scene", "tab": ', encoding="utf-8")
    _open_lesson(qtbot, window, lesson)
    out = tmp_path / "out"
    out.mkdir()
    export = window.presenter.export_menu.export_slides(str(out))
    qtbot.waitUntil(lambda: not export.running, timeout=60000)
    assert "Wrote 3 slides" in export.message and "2b-broken" in export.message
    assert len(export.skipped) == 1
    assert _pages(out / "slides.pdf") == 3
    assert sorted(p for p in os.listdir(out) if p.endswith(".png")) == \
        ["01-1-start.png", "02-2-later.png", "04-3-exercise.png"]


def test_closing_the_window_mid_export_stops_it_cleanly(qtbot, window, lesson, tmp_path):
    _open_lesson(qtbot, window, lesson)
    out = tmp_path / "out"
    out.mkdir()
    export = window.presenter.export_menu.export_slides(str(out))
    qtbot.waitUntil(lambda: export.index >= 1, timeout=30000)
    window.close()
    assert not export.running
    assert os.listdir(out) == []


def test_closing_after_a_cancelled_export_ends_its_thread_and_tidies_up(qtbot, window, lesson, tmp_path):
    """The export's worker thread outlived the export: closing the window left it running (issue 16),
    and a staging folder the worker had not yet removed stayed behind."""
    from desktopnn import workers

    _open_lesson(qtbot, window, lesson)
    out = tmp_path / "out"
    out.mkdir()
    export = window.presenter.export_menu.export_slides(str(out))
    qtbot.waitUntil(lambda: export.index >= 1, timeout=30000)
    export.cancel()
    window.close()                               # at once: the discard may not have run yet
    assert os.listdir(out) == []
    assert not [t for t in workers.live_runner_threads() if "export-slides" in t.name]


def test_conv_lab_is_busy_until_its_worker_has_finished(qtbot, window):
    window.select_tab("convolution")
    tab = window.current_tab()
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=20000)
    tab.stride.setValue(tab.stride.value() % 3 + 1)
    assert tab.is_busy()                            # the edit is coalesced, then computed in the worker
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=20000)
    assert not tab.runner.busy


def test_cli_writes_the_lesson_folder_as_slides(window, lesson, tmp_path):
    out = tmp_path / "cli"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([sys.executable, "-m", "desktopnn", "--slides", str(out), "--lesson", str(lesson)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    printed = res.stdout.split()
    assert printed[-1].endswith("slides.pdf") and len(printed) == 4
    assert _pages(out / "slides.pdf") == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    res = subprocess.run([sys.executable, "-m", "desktopnn", "--slides", str(out), "--lesson", str(empty)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 2 and "no .dnnscene scenes" in res.stderr
