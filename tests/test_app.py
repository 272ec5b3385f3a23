"""End to end: the whole app opens, every tab is visited, and closing leaves nothing running."""

import json
import os
import subprocess
import sys
import threading

import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktopnn import workers
from desktopnn.app import build_window, dispose, make_app
from desktopnn.ui.tabs import tab_classes, tab_specs

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_every_tab_visited_then_closed_cleanly(qtbot, tmp_path):
    app = make_app()
    baseline = {t.ident for t in threading.enumerate()}
    from desktopnn.settings import qsettings

    window = build_window(app, demo=True, settings=qsettings())
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: bool(window.device_text), timeout=60000)
    assert window.device_label.text().startswith(("CPU ·", "CUDA ·", "MPS ·"))
    assert [s.name for s in window.specs] == [c.name for c in tab_classes()]
    assert len(window.built_tabs()) == 1  # the others are built when first shown
    for i, tab in enumerate(window.lesson_tabs):
        window.tabs.setCurrentIndex(i)
        qtbot.wait(50)
        assert tab.wait_idle(30)
        app.processEvents()
    window.act_present.trigger()
    assert window.ctx.theme.presentation and window.ctx.theme.text_px >= 27
    for tab in window.lesson_tabs:
        window.tabs.setCurrentWidget(tab)
        qtbot.wait(20)
    window.act_present.trigger()
    assert not window.ctx.theme.presentation
    assert "torch" in window.about_text() and "Compute device: " in window.about_text()
    timers = window.findChildren(QTimer)
    window.close()
    window.deleteLater()
    qtbot.wait(100)
    assert not workers.live_runner_threads()
    assert not [t for t in timers if _alive(t) and t.isActive()]
    leftover = [t for t in threading.enumerate() if t.ident not in baseline and t.is_alive()
                and not t.name.startswith(("pydevd", "QDBus"))]
    assert not [t for t in leftover if t.name.startswith("desktopnn-")]
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def _alive(obj) -> bool:
    try:
        obj.objectName()
        return True
    except RuntimeError:
        return False


def test_settings_persist_tab_and_presentation(qtbot):
    app = make_app()
    from desktopnn.settings import qsettings

    w1 = build_window(app, settings=qsettings())
    last = w1.lesson_tabs[-1]
    w1.tabs.setCurrentWidget(last)
    w1.ctx.themes.set_presentation(True)
    dispose(app, w1)
    w2 = build_window(app, settings=qsettings())
    assert w2.current_tab().name == last.name
    assert w2.ctx.theme.presentation
    w2.ctx.themes.set_presentation(False)
    dispose(app, w2)


def test_bad_image_from_open_menu_keeps_window_usable(qtbot, tmp_path):
    app = make_app()
    window = build_window(app, settings=None)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"definitely not a png")
    assert window.open_image(str(bad)) is False
    good = tmp_path / "good.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(good)
    assert window.open_image(str(good)) is True
    dispose(app, window)


def run_cli(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "desktopnn", *args], capture_output=True, text=True,
                          env=ENV, timeout=timeout)


def test_cli_help_and_unknown_tab():
    out = run_cli("--help")
    assert out.returncode == 0 and "--screenshot" in out.stdout and "--device" in out.stdout
    bad = run_cli("--tab", "nonsense", "--smoke")
    assert bad.returncode == 2 and "no lesson called 'nonsense'" in bad.stderr


def test_cli_smoke_exits_zero():
    out = run_cli("--smoke", "--demo")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr


def test_cli_screenshot_renders_every_tab_both_modes(tmp_path):
    out = run_cli("--screenshot", str(tmp_path), timeout=400)
    assert out.returncode == 0, out.stderr[-3000:]
    for cls in tab_specs():
        for suffix in ("", "-presentation"):
            path = tmp_path / f"{cls.name}{suffix}.png"
            assert path.exists(), path
            with Image.open(path) as im:
                assert im.size == (1920, 1080)
                # not a blank image: some spread of colours
                assert len(im.convert("RGB").getcolors(1 << 20) or []) > 20


def test_bench_json_prints_figures():
    out = subprocess.run([sys.executable, "-m", "desktopnn", "bench", "conv_lab", "--json"],
                         capture_output=True, text=True, env=ENV, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["conv_lab_recompute_ms"] > 0
    assert "device" in data["machine"]


def test_engine_notice_reaches_the_status_bar(qtbot):
    """A CUDA out-of-memory fallback announced from a worker thread shows in the window."""
    import threading

    from desktopnn.engine import device

    app = make_app()
    window = build_window(app, settings=None)
    qtbot.waitUntil(lambda: bool(window.device_text), timeout=60000)
    worker = threading.Thread(target=device._notify, args=("The GPU ran out of memory: desktopnn switched to the CPU.",))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "ran out of memory" in window.statusBar().currentMessage(), timeout=5000)
    assert window.device_label.text().startswith("CPU ·")
    dispose(app, window)
    assert not device._notices  # the window unregistered itself


def test_a_window_that_fails_to_start_leaves_no_work_running(qtbot, tmp_path, monkeypatch):
    """A start that fails part-way (here the presenter, built last) stops what it had started — the live
    lesson chosen last time, with its demo camera and workers — and the error reaches the caller."""
    from PySide6.QtCore import QSettings

    import desktopnn.ui.presenter as presenter

    app = make_app()
    settings = QSettings(str(tmp_path / "start.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/tab", "live")
    before = {t.ident for t in threading.enumerate()}

    def broken(window):
        assert window.current_tab().name == "live" and window.current_tab().input.active   # it was running
        raise RuntimeError("the presenter could not start")

    monkeypatch.setattr(presenter, "install", broken)
    with pytest.raises(RuntimeError, match="presenter could not start"):
        build_window(app, demo=True, settings=settings, screen_height=1080)
    qtbot.waitUntil(lambda: not [t for t in threading.enumerate() if t.ident not in before and t.is_alive()
                                 and t.name.startswith("desktopnn-")], timeout=3000)
    assert settings.value("window/tab") == "live"          # a failed start writes nothing back


def test_cyclic_garbage_is_collected_on_the_ui_thread_only(qtbot):
    """A worker that allocates a lot never runs the collector (it would run Qt destructors there); the
    UI thread's timer collects the cycle, unless the engine has paused collection."""
    import gc
    import weakref

    from desktopnn.engine.memory import collection_paused

    make_app()
    assert not gc.isenabled()

    class Node:
        pass

    where = []

    def garbage():
        a, b = Node(), Node()
        a.other, b.other = b, a                        # a cycle: only the cyclic collector frees it
        weakref.finalize(a, lambda: where.append(threading.current_thread().name))

    garbage()

    kept = []

    def allocate():                                    # far past the youngest generation's threshold
        kept.extend([] for _ in range(20_000))
    worker = threading.Thread(target=allocate, name="allocating-worker")
    worker.start()
    worker.join()
    assert where == []                                 # the worker did not collect
    with collection_paused():
        qtbot.wait(1200)                               # two timer ticks, paused: nothing collected
        assert where == []
    qtbot.waitUntil(lambda: where == [threading.main_thread().name], timeout=3000)
    assert kept
