"""The lesson navigator: the notes' contents, bundled scenes, the lecturer's folder, keys, settings."""

import sys
import types

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QSpinBox

from desktopnn import scenes
from desktopnn.app import build_window, dispose, make_app
from desktopnn.scenes import Scene, SceneError
from desktopnn.ui import tabs
from desktopnn.ui.base import LessonTab
from desktopnn.ui.navigator import natural_key

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


class CounterTab(LessonTab):
    """A fake view whose whole state is one number, with a number box to focus."""

    name, title = "counter", "Counter"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.box = QSpinBox(self)
        self.box.setRange(0, 1000)

    def scene_state(self):
        return {"n": self.box.value()}

    def apply_scene(self, state):
        n = state.get("n", 0)
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 1000:
            raise SceneError("n must be a whole number from 0 to 1000.")
        self.box.setValue(n)


class OtherTab(CounterTab):
    name, title = "other", "Other"


@pytest.fixture
def fake_tabs(monkeypatch):
    module = types.ModuleType("desktopnn_nav_fakes")
    module.CounterTab, module.OtherTab = CounterTab, OtherTab
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(tabs, "TAB_CLASSES", [(module.__name__, "CounterTab"), (module.__name__, "OtherTab")])


def _settings(tmp_path):
    return QSettings(str(tmp_path / "nav.ini"), QSettings.Format.IniFormat)


def _show(qtbot, w):
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)


def _key(qtbot, w, key, mods, signal):
    with qtbot.waitSignal(signal, timeout=10000):
        qtbot.keyClick(QApplication.focusWidget() or w, key, mods)


def test_tree_follows_the_contents(fake_tabs):
    app = make_app()
    w = build_window(app, settings=None)
    nav = w.navigator
    entries = scenes.load_contents()
    assert [i.text(0) for i in nav.course_items] == [f"{e.section} {e.title}" for e in entries]
    tops = [nav.tree.topLevelItem(i).text(0) for i in range(nav.tree.topLevelItemCount())]
    assert tops == ["1 CNN Convolutional Neural Networks", "2 Convolution", "3 Encoder and Decoder", "4 RNN"]
    item_431 = next(i for i in nav.course_items if i.text(0).startswith("4.3.1 "))
    assert item_431.parent().text(0) == "4.3 The Solution" and item_431.parent().parent().text(0) == "4 RNN"
    assert next(i for i in nav.course_items if i.text(0).startswith("3.0.1")).parent().text(0).startswith("3 ")
    assert not nav.isVisible()   # no settings (screenshots, tests): hidden, so views keep their width
    assert nav.act_toggle.shortcut().toString() == "F9"
    assert [k.toString() for k in nav.act_next.shortcuts()] == ["Ctrl+PgDown", "Alt+Right"]
    dispose(app, w)


def test_lesson_folder_walked_with_the_keys(qtbot, fake_tabs, tmp_path):
    folder = tmp_path / "monday"
    folder.mkdir()
    for name, tab, n in [("10-end", "counter", 10), ("01-intro", "counter", 1), ("02-other", "other", 2)]:
        scenes.write(folder / f"{name}.dnnscene", Scene(tab=tab, state={"n": n}))
    (folder / "notes.txt").write_text("not a scene")
    app = make_app()
    settings = _settings(tmp_path)
    w = build_window(app, settings=settings)
    nav, ctl = w.navigator, w.scenes
    _show(qtbot, w)
    assert nav.isVisible()   # first start with settings: shown
    nav.set_folder(folder)
    qtbot.waitUntil(lambda: len(nav.folder_items) == 3, timeout=10000)
    assert nav.folder_item.text(0) == "My lesson: monday"
    assert [i.text(0) for i in nav.folder_items] == ["01-intro", "02-other", "10-end"]
    counter = w.current_tab()
    counter.box.setFocus()   # a number box has focus: the keys still walk the lesson
    _key(qtbot, w, Qt.Key.Key_PageDown, CTRL, ctl.opened)
    assert nav.current is nav.folder_items[0] and counter.box.value() == 1
    _key(qtbot, w, Qt.Key.Key_Right, ALT, ctl.opened)
    assert w.current_tab().name == "other" and w.current_tab().box.value() == 2
    nav.tree.setFocus()       # the tree has focus: Ctrl+PageDown is still ours
    _key(qtbot, w, Qt.Key.Key_PageDown, CTRL, ctl.opened)
    assert nav.current is nav.folder_items[2] and counter.box.value() == 10 and w.current_tab() is counter
    assert not nav.go_relative(+1) and "last entry" in w.statusBar().currentMessage()
    _key(qtbot, w, Qt.Key.Key_PageUp, CTRL, ctl.opened)
    _key(qtbot, w, Qt.Key.Key_Left, ALT, ctl.opened)
    assert nav.current is nav.folder_items[0]
    assert nav.current.background(0).color().name() == w.ctx.theme.accent     # highlighted
    assert not nav.go_relative(-1)
    # the night before: Save scene… defaults to the folder, and the new scene joins the list
    counter.box.setValue(77)
    assert ctl.default_save_path().parent == folder
    with qtbot.waitSignal(ctl.saved, timeout=10000):
        ctl.save_scene(folder / "03-more.dnnscene")
    qtbot.waitUntil(lambda: len(nav.folder_items) == 4, timeout=10000)
    assert nav.current is nav.folder_items[0] and nav.folder_items[2].text(0) == "03-more"
    nav.act_toggle.trigger()
    assert not nav.isVisible()
    dispose(app, w)
    w2 = build_window(app, settings=settings)   # the folder and the hidden dock are remembered
    qtbot.waitUntil(lambda: len(w2.navigator.folder_items) == 4, timeout=10000)
    assert not w2.navigator.isVisible() and w2.scenes.lesson_folder == folder
    dispose(app, w2)


def test_the_clicker_walks_on_to_the_next_entry_when_a_view_has_no_steps(qtbot, fake_tabs, tmp_path):
    folder = tmp_path / "tuesday"
    folder.mkdir()
    for name, tab, n in [("01-a", "counter", 1), ("02-b", "other", 2)]:
        scenes.write(folder / f"{name}.dnnscene", Scene(tab=tab, state={"n": n}))
    app = make_app()
    w = build_window(app, settings=_settings(tmp_path))
    nav, ctl = w.navigator, w.scenes
    _show(qtbot, w)
    w.presenter.forward()                 # no lesson entry open yet: the clicker only steps the view
    assert nav.current is None and "Nothing to step forward" in w.statusBar().currentMessage()
    nav.set_folder(folder)
    qtbot.waitUntil(lambda: len(nav.folder_items) == 2, timeout=10000)
    with qtbot.waitSignal(ctl.opened, timeout=10000):
        nav.go(nav.folder_items[0])
    w.current_tab().box.setFocus()        # a number box keeps its arrows, but PageDown is the clicker's
    _key(qtbot, w, Qt.Key.Key_PageDown, Qt.KeyboardModifier.NoModifier, ctl.opened)
    assert nav.current is nav.folder_items[1] and w.current_tab().name == "other"
    assert w.current_tab().box.value() == 2
    _key(qtbot, w, Qt.Key.Key_PageUp, Qt.KeyboardModifier.NoModifier, ctl.opened)
    assert nav.current is nav.folder_items[0] and w.current_tab().name == "counter"
    w.presenter.back()                    # the first entry: nowhere further back, and it says so
    assert nav.current is nav.folder_items[0] and "first entry" in w.statusBar().currentMessage()
    dispose(app, w)


def test_broken_scene_in_folder_and_missing_folder(qtbot, fake_tabs, tmp_path):
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "01-broken.dnnscene").write_text("{ broken")
    app = make_app()
    w = build_window(app, settings=None)
    nav = w.navigator
    counter = w.current_tab()
    counter.box.setValue(5)
    nav.set_folder(folder)
    qtbot.waitUntil(lambda: len(nav.folder_items) == 1, timeout=10000)
    with qtbot.waitSignal(w.scenes.failed, timeout=10000):
        nav.go_relative(+1)
    assert counter.box.value() == 5 and "01-broken" in w.statusBar().currentMessage()
    assert w.scenes._box is None   # the walk is not interrupted by a message box
    nav.set_folder(tmp_path / "gone")
    qtbot.waitUntil(lambda: "(not found)" in nav.folder_item.text(0), timeout=10000)
    assert nav.folder_items == []
    dispose(app, w)


def test_click_and_enter_open_an_entry(qtbot, fake_tabs, tmp_path):
    folder = tmp_path / "l"
    folder.mkdir()
    scenes.write(folder / "a.dnnscene", Scene(tab="counter", state={"n": 3}))
    scenes.write(folder / "b.dnnscene", Scene(tab="counter", state={"n": 4}))
    app = make_app()
    w = build_window(app, settings=None)
    nav = w.navigator
    _show(qtbot, w)
    nav.show()
    nav.set_folder(folder)
    qtbot.waitUntil(lambda: len(nav.folder_items) == 2, timeout=10000)
    rect = nav.tree.visualItemRect(nav.folder_items[0])
    with qtbot.waitSignal(w.scenes.opened, timeout=10000):
        qtbot.mouseClick(nav.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.current_tab().box.value() == 3
    nav.tree.setFocus()
    nav.tree.setCurrentItem(nav.folder_items[1])
    with qtbot.waitSignal(w.scenes.opened, timeout=10000):
        qtbot.keyClick(nav.tree, Qt.Key.Key_Return)
    assert w.current_tab().box.value() == 4 and nav.current is nav.folder_items[1]
    dispose(app, w)


def test_presentation_mode_uses_theme_fonts(fake_tabs):
    app = make_app()
    w = build_window(app, settings=None)
    nav = w.navigator
    w.ctx.themes.set_presentation(True)
    try:
        px = w.ctx.theme.text_px
        assert px >= 27
        assert nav.tree.font().pixelSize() == px
        assert all(i.font(0).pixelSize() == px for i in nav.course_items)
    finally:
        w.ctx.themes.set_presentation(False)
    assert nav.course_items[0].font(0).pixelSize() == w.ctx.theme.text_px
    dispose(app, w)


def test_natural_order():
    names = ["10-end", "2-b", "01-intro", "Apple", "apple2"]
    assert sorted(names, key=natural_key) == ["01-intro", "2-b", "10-end", "Apple", "apple2"]


def test_every_entry_opens_its_view_through_the_navigator(qtbot):
    """The real tabs: every contents entry lands on its tab; every bundled scene opens without error."""
    app = make_app()
    w = build_window(app, demo=True, settings=None)
    nav, ctl = w.navigator, w.scenes
    names = [s.name for s in w.specs]
    failures, results = [], []
    ctl.opened.connect(lambda _path, _tab: results.append(None))
    ctl.failed.connect(lambda _path, message: results.append(message))
    for item in nav.course_items:
        entry = item.data(0, Qt.ItemDataRole.UserRole)
        assert entry.tab in names
        assert (scenes.lessons_dir() / entry.scene).exists(), entry.scene
        n = len(results)
        nav.go(item)
        qtbot.waitUntil(lambda: len(results) > n, timeout=60000)
        if results[-1] is not None:
            failures.append((entry.section, results[-1]))
        assert w.current_tab().name == entry.tab, entry
        assert nav.current is item
        w.current_tab().wait_idle(30)
    assert not failures
    dispose(app, w)
