"""The presenter's clicker keys, blank screen, spotlight, zoom lens and predict-before-reveal (issue 9)."""

import os
import sys

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QTableWidget

from desktopnn.app import build_window, dispose, make_app
from desktopnn.ui.presenter.menus import shortcut_rows

sys.path.insert(0, os.path.dirname(__file__))     # pytest runs with --import-mode=importlib
from lesson_fakes import FakeTab, add_fake_tab  # noqa: E402

K = Qt.Key


@pytest.fixture
def window(make_window):
    return make_window(1280, 800, activate=True)


@pytest.fixture
def fake(window):
    tab = FakeTab(window.ctx)
    add_fake_tab(window, tab)
    tab.button.setFocus()
    QApplication.processEvents()
    return tab


def press(qtbot, window, key, mod=Qt.KeyboardModifier.NoModifier):
    """A key as the keyboard sends it: to the focused widget (or the window when nothing has focus)."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, mod)


def steps(tab):
    return [c[1] for c in tab.calls if c[0] == "step"]


def test_clicker_steps_whatever_has_focus_and_beats_the_scroll_area(qtbot, window, fake):
    holder = window._holders[window.tabs.currentIndex()]
    assert holder.verticalScrollBar().maximum() > 0          # PageDown would scroll it
    for focus in (fake.button, fake.label, None):
        if focus is None:
            window.tabs.currentWidget().setFocus()
        elif focus is fake.label:
            QApplication.focusWidget().clearFocus()
        else:
            focus.setFocus()
        fake.calls.clear()
        for key in (K.Key_PageDown, K.Key_PageDown, K.Key_PageUp, K.Key_Right, K.Key_Left):
            press(qtbot, window, key)
        assert steps(fake) == [1, 1, -1, 1, -1]
    assert holder.verticalScrollBar().value() == 0
    assert fake.current_frame() == 3


def test_arrows_stay_with_widgets_that_need_them(qtbot, window, fake):
    fake.edit.setFocus()
    fake.edit.setCursorPosition(0)
    press(qtbot, window, K.Key_Right)
    assert fake.edit.cursorPosition() == 1 and steps(fake) == []
    press(qtbot, window, K.Key_PageDown)                         # a one-line field: PageDown is the clicker's
    assert steps(fake) == [1]
    fake.spin.setFocus()
    for key in (K.Key_Left, K.Key_Right):
        press(qtbot, window, key)
    fake.slider.setFocus()
    press(qtbot, window, K.Key_Right)
    assert fake.slider.value() == 1
    fake.custom.setFocus()
    press(qtbot, window, K.Key_Left)
    assert steps(fake) == [1]
    # letters are typing there, not commands
    fake.edit.setFocus()
    press(qtbot, window, K.Key_B)
    press(qtbot, window, K.Key_Period)
    assert not window.presenter.blanked and "b." in fake.edit.text()


def test_nothing_to_step_is_said(qtbot, window):
    tab = FakeTab(window.ctx, frames=0, predict=False)
    add_fake_tab(window, tab)
    tab.button.setFocus()
    press(qtbot, window, K.Key_PageDown)
    assert steps(tab) == [1]
    assert "Nothing to step" in window.statusBar().currentMessage()


def test_blank_screen_covers_everything_and_any_key_or_click_ends_it(qtbot, window, fake):
    p = window.presenter
    press(qtbot, window, K.Key_B)
    assert p.blanked and p.blank.geometry() == window.rect()
    assert p.blank.cursor().shape() == Qt.CursorShape.BlankCursor
    img = window.grab().toImage()
    assert img.pixelColor(5, 5).name() == "#000000"                 # the menu bar is covered too
    assert img.pixelColor(img.width() // 2, img.height() // 2).name() == "#000000"
    press(qtbot, window, K.Key_PageDown)                               # un-blanks only
    assert not p.blanked and steps(fake) == []
    press(qtbot, window, K.Key_Period)
    assert p.blanked
    qtbot.mouseClick(p.blank, Qt.MouseButton.LeftButton)
    assert not p.blanked
    press(qtbot, window, K.Key_W)
    assert p.blanked and window.grab().toImage().pixelColor(5, 5).name() == "#ffffff"
    press(qtbot, window, K.Key_B)
    assert not p.blanked


def test_presentation_keys_still_work(qtbot, window, fake):
    press(qtbot, window, K.Key_F5)
    assert window.ctx.theme.presentation
    press(qtbot, window, K.Key_Escape)
    assert not window.ctx.theme.presentation
    press(qtbot, window, K.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert window.ctx.theme.presentation
    press(qtbot, window, K.Key_F5, Qt.KeyboardModifier.ShiftModifier)   # "start" never toggles off
    assert window.ctx.theme.presentation


def test_spotlight_follows_the_pointer_lets_clicks_through_and_esc_leaves_it_first(qtbot, window, fake, tmp_path):
    p = window.presenter
    window.ctx.themes.set_presentation(True)
    window.resize(1920, 1080)
    QApplication.processEvents()
    press(qtbot, window, K.Key_L)
    s = p.spotlight
    assert s.isVisible() and p.act_spot.isChecked()
    assert s.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert s.geometry() == window.centralWidget().geometry()
    QCursor.setPos(s.mapToGlobal(QPoint(600, 400)))
    qtbot.waitUntil(lambda: s.centre == QPoint(600, 400), timeout=2000)
    r0 = s.radius
    press(qtbot, window, K.Key_BracketRight)
    assert s.radius > r0
    press(qtbot, window, K.Key_BracketLeft)
    press(qtbot, window, K.Key_BracketLeft)
    assert s.radius < r0
    s.resize_by(1.2)
    QApplication.processEvents()
    img = window.grab()
    img.save(str(tmp_path / "spotlight.png"))
    img.save("/tmp/desktopnn-spotlight.png")
    im = img.toImage()
    dpr = img.devicePixelRatio()
    off = s.mapTo(window, QPoint(600, 400))
    inside = im.pixelColor(round(off.x() * dpr), round(off.y() * dpr))
    corner = s.mapTo(window, QPoint(s.width() - 5, s.height() - 5))
    outside = im.pixelColor(round(corner.x() * dpr), round(corner.y() * dpr))
    assert outside.lightness() <= inside.lightness()
    # a click goes to the view under the spotlight
    with qtbot.waitSignal(fake.button.clicked, timeout=1000):
        qtbot.mouseClick(fake.button, Qt.MouseButton.LeftButton)
    fake.button.setFocus()
    press(qtbot, window, K.Key_Escape)
    assert not s.isVisible() and window.ctx.theme.presentation   # Esc left the spotlight only
    press(qtbot, window, K.Key_L, Qt.KeyboardModifier.ShiftModifier)
    assert s.isVisible() and s.laser and p.act_laser.isChecked()
    QCursor.setPos(s.mapToGlobal(QPoint(300, 300)))
    qtbot.waitUntil(lambda: s.centre == QPoint(300, 300), timeout=2000)
    window.grab().save("/tmp/desktopnn-laser.png")
    press(qtbot, window, K.Key_L, Qt.KeyboardModifier.ShiftModifier)
    assert not s.isVisible()


def test_zoom_lens_magnifies_and_refreshes(qtbot, window, fake, tmp_path):
    p = window.presenter
    window.ctx.themes.set_presentation(True)
    window.resize(1920, 1080)
    QApplication.processEvents()
    press(qtbot, window, K.Key_Z)
    z = p.zoom
    assert z.isVisible() and not z.pixmap.isNull()
    assert z.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    centre = fake.label.mapTo(window.centralWidget(), fake.label.rect().center())
    QCursor.setPos(z.mapToGlobal(centre))
    qtbot.waitUntil(lambda: z.centre == centre, timeout=2000)
    assert z.factor == 2.0
    press(qtbot, window, K.Key_Plus)
    assert z.factor == 2.5
    press(qtbot, window, K.Key_Minus)
    press(qtbot, window, K.Key_Minus)
    assert z.factor == 2.0
    first = z.pixmap.cacheKey()
    fake.show_frame(3)                              # the view changes: the lens follows within ~0.1 s
    qtbot.waitUntil(lambda: z.pixmap.cacheKey() != first, timeout=2000)
    z.change_factor(2)
    QApplication.processEvents()
    window.grab().save("/tmp/desktopnn-zoom.png")
    press(qtbot, window, K.Key_Z)
    assert not z.isVisible() and not p.act_zoom.isChecked()


def test_single_letter_tools_do_not_fire_while_typing(qtbot, window, fake):
    fake.edit.setFocus()
    fake.edit.clear()
    for key in (K.Key_L, K.Key_Z, K.Key_R, K.Key_W):
        press(qtbot, window, key)
    p = window.presenter
    assert not (p.spotlight.isVisible() or p.zoom.isVisible() or p.blanked)
    assert fake.edit.text().lower() == "lzrw"


def test_predict_before_reveal(qtbot, window, fake):
    p = window.presenter
    press(qtbot, window, K.Key_F6)
    assert p.predict_on and ("set_predict", True) in fake.calls and fake.hidden
    fake.calls.clear()
    press(qtbot, window, K.Key_PageDown)       # the first forward reveals
    assert fake.calls == [("reveal",)] and not fake.hidden
    press(qtbot, window, K.Key_PageDown)       # then it steps (and the tab hides the next answer)
    assert steps(fake) == [1] and fake.hidden
    press(qtbot, window, K.Key_R)
    assert not fake.hidden
    # a tab shown later gets the window's setting
    other = FakeTab(window.ctx)
    add_fake_tab(window, other)
    assert ("set_predict", True) in other.calls
    press(qtbot, window, K.Key_F6)
    assert not p.predict_on and ("set_predict", False) in other.calls
    # a view without prediction says so
    plain = FakeTab(window.ctx, predict=False)
    add_fake_tab(window, plain)
    plain.button.setFocus()
    press(qtbot, window, K.Key_F6)
    assert "nothing to predict" in window.statusBar().currentMessage()
    assert not p.act_reveal.isEnabled()


@pytest.mark.parametrize("name", ["animator", "rnn"])
def test_real_tabs_step_with_the_clicker(qtbot, window, name):
    window.select_tab(name)
    tab = window.current_tab()
    qtbot.waitUntil(lambda: tab.wait_idle(0.1), timeout=60000)
    QApplication.processEvents()
    if tab.frame_count() == 0:
        pytest.skip(f"the {name} tab does not implement frame_count()/step() yet")
    tab.show_frame(0)
    window.tabs.setFocus()
    press(qtbot, window, K.Key_PageDown)
    press(qtbot, window, K.Key_PageDown)
    assert tab.current_frame() == 2
    press(qtbot, window, K.Key_Left)
    assert tab.current_frame() == 1


def test_shortcut_list_is_generated_from_the_actions(qtbot, window):
    rows = shortcut_rows(window)
    keys = " | ".join(r[0] for r in rows)
    for expected in ("PgDown", "PgUp", "B or .", "Shift+F5", "F5", "Esc", "L", "Z", "F6", "R", "F1", "Ctrl+Shift+E"):
        assert expected in keys, expected
    window.presenter.act_keys.trigger()
    dlg = window.shortcuts_dialog
    table = dlg.findChild(QTableWidget)
    assert dlg.isVisible() and table.rowCount() == len(rows)
    assert any(table.item(r, 0).text() == "PgDown or Right" for r in range(table.rowCount()))
    dlg.close()


def test_filter_removed_at_shutdown(qtbot):
    app = make_app()
    w = build_window(app, demo=True)
    p = w.presenter
    assert p._filtering
    dispose(app, w)
    assert not p._filtering if _alive(p) else True


def _alive(obj) -> bool:
    try:
        obj.objectName()
        return True
    except RuntimeError:
        return False
