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
