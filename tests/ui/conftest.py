"""Shared fixtures for the tab tests (a conftest, since the tests run with --import-mode=importlib)."""

from __future__ import annotations

import copy

import pytest


@pytest.fixture
def tab_factory(qtbot, app_ctx):
    """``tab_factory(TabClass)`` → a tab built with the test's AppContext, 1600×900 and shown.

    Every tab made is shut down at teardown. Tabs are left to qtbot (closed after the test) unless
    ``delete=True``: then they are closed and deleted at teardown, for tabs that hold big images.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    made = []

    def make(cls, *, delete: bool = False):
        t = cls(app_ctx)
        if not delete:
            qtbot.addWidget(t)
        t.resize(1600, 900)
        t.show()
        made.append((t, delete))
        return t

    yield make
    for t, _delete in made:
        t.shutdown()
    if any(delete for _t, delete in made):
        for t, delete in made:
            if delete:
                t.close()
                t.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def make_window(qtbot):
    """``make_window(width, height)`` → the real main window on demo sources, shown at that size;
    presentation mode off and the window disposed at teardown."""
    from desktopnn.app import build_window, dispose, make_app

    app, made = make_app(), []

    def make(width: int, height: int, activate: bool = False):
        w = build_window(app, demo=True, screen_height=1080)
        w.resize(width, height)
        w.show()
        if activate:
            w.activateWindow()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.ctx.themes.set_presentation(False)
        dispose(app, w)


@pytest.fixture
def one_torch_thread():
    """torch on one thread for the test (tiny matrices: faster on a busy CI machine), then as it was."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def refuse_scene():
    """``refuse_scene(tab, change, match=None)``: a corrupt variant of the tab's own scene is refused.

    ``change`` edits a deep copy of ``tab.scene_state()``; applying it must raise SceneError (matching
    ``match`` when given) and leave ``scene_state()`` as it was. Returns the SceneError.
    """
    from desktopnn.scenes import SceneError

    def refuse(tab, change, match: str | None = None) -> SceneError:
        before = tab.scene_state()
        bad = copy.deepcopy(before)
        change(bad)
        with pytest.raises(SceneError, match=match) as info:
            tab.apply_scene(bad)
        assert tab.scene_state() == before
        return info.value

    return refuse
