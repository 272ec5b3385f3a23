"""File ▸ Save scene… / Open scene…, migration, refusals, recent scenes, drag and drop, the CLI."""

import json
import subprocess
import sys
import types

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktopnn import scenes
from desktopnn.app import build_window, dispose, make_app
from desktopnn.scenes import Scene, SceneError, decode_array, encode_array
from desktopnn.ui import tabs
from desktopnn.ui.base import LessonTab


class FakeTab(LessonTab):
    """A view with a number and an image; validates everything before changing anything."""

    name, title = "fake", "Fake view"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.value = 0
        self.image = np.zeros((2, 2), np.uint8)
        self.applied = 0

    def scene_state(self):
        return {"value": self.value, "image": encode_array(self.image)}

    def apply_scene(self, state):
        value = state.get("value", 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise SceneError(f"The value {value!r} is not a whole number from 0 to 100.")
        image = decode_array(state["image"], "image") if "image" in state else np.zeros((2, 2), np.uint8)
        self.value, self.image = value, image
        self.applied += 1


class FakeTabV2(FakeTab):
    """Version 2 renamed "value" to "amount" (in tenths): version 1 states are migrated."""

    name, title, scene_version = "fake2", "Fake view 2", 2

    def scene_state(self):
        return {"amount": self.value * 10, "image": encode_array(self.image)}

    def migrate_scene(self, state, version):
        if version == 1:
            return {"amount": state["value"] * 10, **{k: v for k, v in state.items() if k != "value"}}
        return super().migrate_scene(state, version)

    def apply_scene(self, state):
        super().apply_scene({**state, "value": state.get("amount", 0) // 10})


class NoMigrationTab(FakeTab):
    """Version 3 that cannot read older states (the base class's migrate_scene refuses)."""

    name, title, scene_version = "fake3", "Fake view 3", 3
    migrate_scene = LessonTab.migrate_scene


class SloppyTab(FakeTab):
    """Breaks the contract: changes its state, then fails with an unexpected error."""

    name, title = "sloppy", "Sloppy view"

    def apply_scene(self, state):
        if state.get("value") == 6:    # this file's value trips a bug half way through
            self.value = 99
            raise RuntimeError("boom")
        super().apply_scene(state)


FAKES = [FakeTab, FakeTabV2, NoMigrationTab, SloppyTab]


@pytest.fixture
def window(qtbot, monkeypatch):
    module = types.ModuleType("desktopnn_fake_tabs")
    for cls in FAKES:
        setattr(module, cls.__name__, cls)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(tabs, "TAB_CLASSES", [(module.__name__, cls.__name__) for cls in FAKES])
    app = make_app()
    w = build_window(app, settings=None)
    w.resize(1000, 700)
    w.show()
    yield w
    dispose(app, w)


def _tab(window, name):
    window.select_tab(name)
    return window.current_tab()


def _open(qtbot, window, path, ok=True):
    sig = window.scenes.opened if ok else window.scenes.failed
    with qtbot.waitSignal(sig, timeout=10000):
        window.scenes.open_scene(path)


def _save(qtbot, window, path):
    with qtbot.waitSignal(window.scenes.saved, timeout=10000):
        assert window.scenes.save_scene(path)


def test_save_then_open_round_trip(qtbot, window, tmp_path):
    tab = _tab(window, "fake")
    tab.value, tab.image = 42, np.arange(6, dtype=np.uint8).reshape(2, 3)
    path = tmp_path / "one.dnnscene"
    _save(qtbot, window, path)
    data = json.loads(path.read_text())
    assert data["tab"] == "fake" and data["tab_version"] == 1 and data["title"] == "Fake view"
    tab.value, tab.image = 1, np.zeros((1, 1), np.uint8)
    _tab(window, "sloppy")
    _open(qtbot, window, path)
    assert window.current_tab() is tab          # switched to the scene's tab
    assert tab.value == 42 and tab.image.shape == (2, 3)
    assert "Opened the scene" in window.statusBar().currentMessage()


@pytest.mark.parametrize("content", [
    b"{ not json", b"\x00\x01\x02garbage\xff", b'{"format": "desktopnn-scene", "format_version": 1, "tab": "fa',
    json.dumps({"format": "desktopnn-scene", "format_version": 1, "tab": "fake",
                "state": {"value": 7, "image": {"shape": [2, 2], "data": [1, 2, 3]}}}).encode(),
    json.dumps({"format": "desktopnn-scene", "format_version": 1, "tab": "fake", "state": {"value": 1000}}).encode(),
    json.dumps({"format": "desktopnn-scene", "format_version": 1, "tab": "nonexistent", "state": {}}).encode(),
    json.dumps({"format": "desktopnn-scene", "format_version": 9, "tab": "fake", "state": {}}).encode(),
])
def test_corrupt_file_changes_nothing(qtbot, window, tmp_path, content):
    tab = _tab(window, "fake")
    tab.value, tab.image = 33, np.full((3, 3), 5, np.uint8)
    before = tab.scene_state()
    other = _tab(window, "fake2")
    path = tmp_path / "bad.dnnscene"
    path.write_bytes(content)
    _open(qtbot, window, path, ok=False)
    assert tab.scene_state() == before and tab.applied == 0
    assert window.current_tab() is other            # still on the tab it was on
    assert "bad.dnnscene" in window.scenes.last_message
    assert window.scenes._box.isVisible() and window.scenes._box.text() == window.scenes.last_message
    assert window.scenes.recent() == []


def test_unknown_tab_and_newer_tab_version_messages(qtbot, window, tmp_path):
    path = scenes.write(tmp_path / "u.dnnscene", Scene(tab="hologram", state={}))
    _open(qtbot, window, path, ok=False)
    assert "“hologram”" in window.scenes.last_message and "does not have" in window.scenes.last_message
    path = scenes.write(tmp_path / "n.dnnscene", Scene(tab="fake", state={}, tab_version=5))
    _open(qtbot, window, path, ok=False)
    assert "newer desktopnn" in window.scenes.last_message and "Update desktopnn" in window.scenes.last_message


def test_old_version_is_migrated_then_applied(qtbot, window, tmp_path):
    path = scenes.write(tmp_path / "v1.dnnscene", Scene(tab="fake2", tab_version=1,
                                                          state={"value": 4, "image": encode_array(np.ones((2, 2)))}))
    _open(qtbot, window, path)
    tab = window.current_tab()
    assert tab.name == "fake2" and tab.value == 4 and tab.scene_state()["amount"] == 40


def test_refused_migration_changes_nothing(qtbot, window, tmp_path):
    tab = _tab(window, "fake3")
    tab.value = 12
    before = tab.scene_state()
    _tab(window, "fake")
    path = scenes.write(tmp_path / "old.dnnscene", Scene(tab="fake3", tab_version=1, state={"value": 50}))
    _open(qtbot, window, path, ok=False)
    assert "version 1 of the Fake view 3 view" in window.scenes.last_message
    assert tab.scene_state() == before and window.current_tab().name == "fake"


def test_unexpected_error_is_reported_as_damaged_and_rolled_back(qtbot, window, tmp_path):
    tab = _tab(window, "sloppy")
    tab.value = 5
    _tab(window, "fake")
    path = scenes.write(tmp_path / "s.dnnscene", Scene(tab="sloppy", state={"value": 6}))
    _open(qtbot, window, path, ok=False)
    assert "seems damaged" in window.scenes.last_message and "boom" in window.scenes.last_message
    assert tab.value == 5 and window.current_tab().name == "fake"


def test_save_failures_are_reported(qtbot, window, tmp_path):
    tab = _tab(window, "fake")
    with qtbot.waitSignal(window.scenes.save_failed, timeout=10000):
        window.scenes.save_scene(tmp_path / "no" / "such" / "folder" / "x.dnnscene")
    assert "was not saved" in window.scenes.last_message
    tab.image = np.array([np.nan, 1.0])   # encode_array keeps it, the file format refuses it
    with qtbot.waitSignal(window.scenes.save_failed, timeout=10000):
        window.scenes.save_scene(tmp_path / "nan.dnnscene")
    assert not (tmp_path / "nan.dnnscene").exists()


def test_recent_scenes(qtbot, monkeypatch, tmp_path):
    from PySide6.QtCore import QSettings

    module = types.ModuleType("desktopnn_fake_tabs")
    module.FakeTab = FakeTab
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(tabs, "TAB_CLASSES", [(module.__name__, "FakeTab")])
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    app = make_app()
    w = build_window(app, settings=settings)
    try:
        paths = []
        for i in range(10):
            paths.append(tmp_path / f"{i:02d}-scene.dnnscene")
            _save(qtbot, w, paths[-1])
        recent = w.scenes.recent()
        assert len(recent) == 8 and recent[0] == str(paths[-1].resolve())
        w.scenes._fill_recent()
        acts = [a for a in w.scenes.recent_menu.actions() if a.text().startswith("&1")]
        _tab(w, "fake").value = 3
        with qtbot.waitSignal(w.scenes.opened, timeout=10000):
            acts[0].trigger()
        assert w.current_tab().value == 0
        assert w.scenes.default_save_path().parent == tmp_path   # the folder last saved to
    finally:
        dispose(app, w)
    w2 = build_window(app, settings=settings)
    assert w2.scenes.recent() == recent
    dispose(app, w2)


def test_drop_a_scene_on_the_window(qtbot, window, tmp_path):
    path = scenes.write(tmp_path / "drop.dnnscene", Scene(tab="fake", state={"value": 9}))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.scenes.opened, timeout=10000):
        assert window.scenes.eventFilter(window, event)
    assert event.isAccepted() and window.current_tab().value == 9
    text = QMimeData()
    text.setText("hello")
    assert not window.scenes.eventFilter(window, QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, text,
                                                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def test_menu_and_shortcuts(window):
    texts = [a.text() for a in window.scenes.file_menu.actions()]
    assert texts.index("&Open image…") < texts.index("&Save scene…") < texts.index("Open s&cene…") < texts.index("&Quit")
    assert window.scenes.act_save.shortcut().toString() == "Ctrl+S"
    assert window.scenes.act_open_scene.shortcut().toString() == "Ctrl+Shift+O"
    assert window.act_open.shortcut().toString() == "Ctrl+O"


def run_cli(*args, timeout=180):
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "desktopnn", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_cli_opens_a_scene_or_says_why(tmp_path):
    rnn = scenes.lessons_dir() / "4.3.6-forward.dnnscene"
    good = rnn if rnn.exists() else scenes.write(tmp_path / "empty.dnnscene", Scene(tab="convolution", state={}))
    out = run_cli("--smoke", "--demo", str(good))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    bad = tmp_path / "bad.dnnscene"
    bad.write_text("{ nope")
    out = run_cli("--smoke", "--demo", "--scene", str(bad))
    assert out.returncode == 1 and "bad.dnnscene" in out.stderr and "not valid JSON" in out.stderr


def _settle(qtbot, tab):
    """Let the tab's workers finish and their results arrive on the UI thread."""
    for _ in range(3):
        assert tab.wait_idle(30)
        qtbot.wait(150)


@pytest.mark.parametrize("section", ["2.3", "2.5", "2.12", "4.3.6"])
def test_real_tab_save_then_open_round_trip(qtbot, tmp_path, section):
    """A bundled lesson scene, saved again and reopened, gives the same state (real tabs)."""
    entry = next(e for e in scenes.load_contents() if e.section == section)
    app = make_app()
    w = build_window(app, demo=True, settings=None)
    try:
        with qtbot.waitSignal(w.scenes.opened, timeout=60000):
            w.scenes.open_scene(scenes.lessons_dir() / entry.scene)
        tab = w.current_tab()
        assert tab.name == entry.tab
        _settle(qtbot, tab)
        saved = tmp_path / "again.dnnscene"
        _save(qtbot, w, saved)
        data = json.loads(saved.read_text())
        assert data["tab"] == entry.tab and data["tab_version"] == tab.scene_version
        assert data["notes_section"] == section      # the section travels with the scene
        w.select_tab("convolution" if entry.tab != "convolution" else "rnn")
        with qtbot.waitSignal(w.scenes.opened, timeout=60000):
            w.scenes.open_scene(saved)
        assert w.current_tab() is tab
        _settle(qtbot, tab)
        assert json.loads(json.dumps(tab.scene_state())) == data["state"]
    finally:
        dispose(app, w)
