"""Test set-up: headless Qt, settings and caches in a temporary folder, shared fixtures."""

import os
import tempfile

# before any Qt import (DESIGN: tests never need a display and never touch the user's files)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_tmp = tempfile.mkdtemp(prefix="desktopnn-tests-")
os.environ["DESKTOPNN_CONFIG_DIR"] = os.path.join(_tmp, "config")
os.environ["DESKTOPNN_CACHE_DIR"] = os.path.join(_tmp, "cache")
os.environ.setdefault("DESKTOPNN_DEVICE", "cpu")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# torch and torch._dynamo (which an optimizer's first step imports) load here, on the main thread,
# once: two runs under heavy load segfaulted when the garbage collector ran on the main thread while
# a training worker was importing torch._dynamo (the app imports it in its engine loader, see
# desktopnn.ui.main_window._load_engine)
import torch._dynamo  # noqa: E402,F401

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


@pytest.fixture
def app_ctx(qapp):
    """An AppContext with a fresh theme manager (normal mode), as the main window would give a tab."""
    from desktopnn.app import make_app
    from desktopnn.ui.base import AppContext
    from desktopnn.ui.theme import ThemeManager

    make_app()
    themes = ThemeManager(qapp, presentation=False, screen_height=1080)
    themes.apply()
    ctx = AppContext(themes=themes, demo=True)
    yield ctx
    themes.set_presentation(False)
    themes.deleteLater()


@pytest.fixture
def sample_rgb():
    """A small deterministic RGB uint8 image."""
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


def pytest_sessionfinish(session, exitstatus):
    """Destroy widgets left alive by tests before the interpreter exits (see desktopnn.app.dispose)."""
    try:
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QApplication
    except ImportError:   # engine tests alone, e.g. on a GPU machine without Qt
        return

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.hide()
        widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


@pytest.fixture(scope="session")
def sound_server():
    """A private PulseAudio server (tests/sound_server.py) for the session's microphone tests: a 440 Hz
    sine as the default source and a null sink as the speaker. Skipped, with the reason, where it cannot
    run (not Linux; pulseaudio not installed); under CI=1 a missing tool fails, since
    ``packaging/setup.sh test`` installs it."""
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    import sound_server as pulse

    if not sys.platform.startswith("linux"):
        pytest.skip(f"the sound-server tests need PulseAudio, which runs on Linux only (this is {sys.platform})")
    missing = pulse.missing_tools()
    try:
        import sounddevice  # noqa: F401  (raises OSError without the PortAudio library)
    except OSError:
        missing.append("libportaudio2")
    if missing:
        why = (f"{', '.join(missing)} not installed (apt install pulseaudio pulseaudio-utils libasound2-plugins "
               "libportaudio2; bash packaging/setup.sh test does this)")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)

    server = pulse.PulseServer()
    server.start()
    before = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = server.address
    pulse.reinit_portaudio()
    yield server
    if before is None:
        os.environ.pop("PULSE_SERVER", None)
    else:
        os.environ["PULSE_SERVER"] = before
    server.stop()
    pulse.reinit_portaudio()


@pytest.fixture
def sine_mic(sound_server):
    """The session's sound server with its 440 Hz sine loaded as the default source (a test that
    unloaded it leaves it back)."""
    if sound_server.sine_module() is None:
        sound_server.load_sine()
    assert sound_server.default_source() == "sinemic"
    return sound_server


# ---- a test stuck in native code ends the run -----------------------------------------------------
# pytest-timeout (300 s, pyproject) interrupts a test with a signal, which a thread wedged in C never
# sees (a CI run once waited 90 minutes on a sound-server deadlock). Past this many seconds, every
# thread's stack is printed and the run ends, failed, instead of waiting for CI's own limit.
WEDGED_S = float(os.environ.get("DESKTOPNN_TEST_WEDGED_S", "420"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    import faulthandler
    import sys
    import threading

    def give_up():
        capture = item.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:          # the test's output is captured: the stacks must reach the log
            capture.suspend_global_capture(in_=True)
        sys.stderr.write(f"\n{item.nodeid} is still running after {WEDGED_S} s, past its timeout: stuck in "
                         "native code. Every thread's stack follows; the run ends here.\n")
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        sys.stderr.flush()
        os._exit(3)

    timer = threading.Timer(WEDGED_S, give_up)
    timer.daemon = True
    timer.start()
    # a thread that waits forever while holding the GIL (a deadlock between Qt and Python: one CI run)
    # stops every Python thread, this timer too; faulthandler's own C thread still prints and exits
    faulthandler.dump_traceback_later(WEDGED_S + NATIVE_GRACE_S, exit=True, file=_log_fd(item.config))
    try:
        yield
    finally:
        timer.cancel()
        faulthandler.cancel_dump_traceback_later()


NATIVE_GRACE_S = 20


def _log_fd(config) -> int:
    """The run's real stderr: while a test runs, pytest has pointed descriptor 2 at a capture file."""
    capman = config.pluginmanager.getplugin("capturemanager")
    saved = getattr(getattr(getattr(capman, "_global_capturing", None), "err", None), "targetfd_save", None)
    return saved if isinstance(saved, int) else 2
