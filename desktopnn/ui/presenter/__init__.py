"""The presenter's tools (issue 9): clicker keys, blank screen, spotlight, zoom, predict-before-reveal.

An event filter on the focused widget (moved as focus moves) and on the window sees keys before
any widget or shortcut does. That matters: the lessons sit in QScrollAreas, which eat
PageUp/PageDown for scrolling, and some tabs have their own arrow shortcuts. Presenter keys are taken
on ``ShortcutOverride`` (so no window shortcut fires twice) and acted on at ``KeyPress``; keys the
focused widget needs (see :mod:`.keys`) are left to it.

=====================  ===============================================================
PageDown, Right        forward: reveal what is hidden (predict mode), else step +1; at the
                       end of the view, the next entry of the lesson navigator
PageUp, Left           back one step; at the start, the previous lesson entry
B or .  (W)            blank the screen black (white); any key or click brings it back
L  (Shift+L)           spotlight around the pointer (laser dot); [ ] or Ctrl+wheel: size
Z                      zoom lens 2×–4× following the pointer; + − or Ctrl+wheel: power
F6, R                  predict before reveal on/off; reveal now
Shift+F5, F5, Esc      start presenting; presentation mode on/off; leave (tools first)
=====================  ===============================================================
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from desktopnn.ui.presenter.keys import PASS, is_modifier, route
from desktopnn.ui.presenter.menus import ExportMenu, show_shortcuts
from desktopnn.ui.presenter.overlays import BlankOverlay, Spotlight, ZoomLens

_KEYS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)


def install(window) -> "Presenter":
    return Presenter(window)


class Presenter(QObject):
    """Owns the presenter actions, overlays and the key filter of one main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.predict_on = False
        theme = window.ctx.theme
        self.blank = BlankOverlay(window)
        self.blank.dismissed.connect(self.unblank)
        self.spotlight = Spotlight(window, self._view_area, theme)
        self.zoom = ZoomLens(window, self._view_area, theme, window.centralWidget)
        self._build_actions()
        self.export_menu = ExportMenu(window, self)
        self._tab_tooltips()
        window.ctx.themes.theme_changed.connect(self._on_theme_changed)
        window.tabs.currentChanged.connect(self._on_tab_changed)
        self._app = QApplication.instance()
        self._install_filters()
        self._on_tab_changed()

    # ---- actions -----------------------------------------------------------------------------
    def _menu(self, title: str):
        for act in self.window.menuBar().actions():
            if act.menu() is not None and act.text().replace("&", "") == title:
                return act.menu()
        return self.window.menuBar().addMenu(title)

    def _action(self, menu, text, keys, slot, tip, checkable=False) -> QAction:
        act = QAction(text, self.window)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.setCheckable(checkable)
        (act.toggled if checkable else act.triggered).connect(slot)
        menu.addAction(act)
        return act

    def _build_actions(self) -> None:
        view = self._menu("View")
        view.setToolTipsVisible(True)
        view.addSeparator()
        a = self._action
        self.act_start = a(view, "&Start presenting", ["Shift+F5"], self.start_presenting,
                           "Presentation mode on (the key many clickers send to start a slide show)")
        tools = view.addMenu("Presenter &tools")
        tools.setToolTipsVisible(True)
        tools.menuAction().setStatusTip("Clicker keys, blank screen, spotlight and zoom for teaching")
        tools.menuAction().setToolTip(tools.menuAction().statusTip())
        self.act_next = a(tools, "&Next step", ["PgDown", "Right"], self.forward,
                          "Clicker forward: reveal what the class predicted, else one step of the animation")
        self.act_prev = a(tools, "&Previous step", ["PgUp", "Left"], self.back, "Clicker back: one step back")
        self.act_blank = a(tools, "&Blank screen", ["B", "."], lambda: self.toggle_blank(False),
                           "Black out the window (any key or click brings it back)")
        self.act_white = a(tools, "&White screen", ["W"], lambda: self.toggle_blank(True),
                           "White out the window, e.g. to write on a whiteboard under the projector")
        self.act_spot = a(tools, "S&potlight", ["L"], self.set_spotlight,
                          "Dim everything except a circle around the pointer; [ ] or Ctrl+wheel resize it; "
                          "Esc or L turns it off. Clicks still reach the view.", checkable=True)
        self.act_laser = a(tools, "&Laser dot", ["Shift+L"], self.set_laser,
                           "A bright dot at the pointer, easy to follow from the back of the room", checkable=True)
        self.act_smaller = a(tools, "Spotlight smaller", ["["], lambda: self._resize_spot(1 / 1.2),
                             "Make the spotlight circle smaller")
        self.act_larger = a(tools, "Spotlight larger", ["]"], lambda: self._resize_spot(1.2),
                            "Make the spotlight circle larger")
        self.act_zoom = a(tools, "&Zoom lens", ["Z"], self.set_zoom,
                          "A magnifier (2×–4×) that follows the pointer over the live view; + − or Ctrl+wheel "
                          "change its power; Esc or Z turns it off. Clicks still reach the view.", checkable=True)
        self.act_zoom_in = a(tools, "Zoom in", ["+", "="], lambda: self._zoom_by(1), "More magnification (up to 4×)")
        self.act_zoom_out = a(tools, "Zoom out", ["-"], lambda: self._zoom_by(-1), "Less magnification (down to 2×)")
        view.addSeparator()
        self.act_predict = a(view, "Predict &before reveal", ["F6"], self.set_predict,
                             "Hide the value the class should guess (“?”) until you reveal it; the clicker's "
                             "forward key reveals first, then steps", checkable=True)
        self.act_reveal = a(view, "&Reveal", ["R"], self.reveal, "Show the hidden value(s) now")
        help_menu = self._menu("Help")
        help_menu.setToolTipsVisible(True)
        self.act_keys = a(help_menu, "&Keyboard shortcuts", ["F1"], lambda: show_shortcuts(self.window),
                          "Every key of the app, the clicker's included")

    def _tab_tooltips(self) -> None:
        for i, spec in enumerate(self.window.specs):
            if not self.window.tabs.tabToolTip(i):
                key = f" (Ctrl+{i + 1})" if i < 9 else ""
                self.window.tabs.setTabToolTip(i, f"{spec.title}{key}")

    # ---- commands ----------------------------------------------------------------------------
    def _tab(self):
        return self.window.current_tab()

    def _say(self, text: str) -> None:
        self.window.show_notice(text, 4000)

    def forward(self) -> None:
        tab = self._tab()
        if tab is None:
            return
        if self.predict_on and tab.supports_predict() and tab.reveal():
            return
        if not tab.step(+1) and not self._walk_lesson(+1):
            self._say(f"Nothing to step forward in “{tab.title}”")

    def back(self) -> None:
        tab = self._tab()
        if tab is not None and not tab.step(-1) and not self._walk_lesson(-1):
            self._say(f"Nothing to step back in “{tab.title}”")

    def _walk_lesson(self, delta: int) -> bool:
        """With a lesson entry open, the clicker goes on to the next (previous) entry when the view
        has no more steps, so a prepared lesson is presented with the clicker alone. True when the
        navigator took the key (it says so itself at the first or last entry)."""
        nav = getattr(self.window, "navigator", None)
        if nav is None or nav.current_entry() is None:
            return False
        nav.go_relative(delta)
        return True

    def start_presenting(self) -> None:
        self.window.act_present.setChecked(True)

    def toggle_blank(self, white: bool = False) -> None:
        if self.blank.isVisible():
            self.unblank()
        else:
            self.blank.blank(white)

    def unblank(self) -> None:
        self.blank.hide()

    @property
    def blanked(self) -> bool:
        return self.blank.isVisible()

    def _view_area(self) -> QRect:
        return self.window.centralWidget().geometry()

    def set_spotlight(self, on: bool) -> None:
        self._set_pointer_tool(on, laser=False)

    def set_laser(self, on: bool) -> None:
        self._set_pointer_tool(on, laser=True)

    def _set_pointer_tool(self, on: bool, laser: bool) -> None:
        for act, value in ((self.act_spot, on and not laser), (self.act_laser, on and laser)):
            act.blockSignals(True)
            act.setChecked(value)
            act.blockSignals(False)
        if on:
            self.set_zoom(False)
            self.spotlight.start(laser)
        else:
            self.spotlight.stop()
        self._watch_pointer(on)

    def set_zoom(self, on: bool) -> None:
        self.act_zoom.blockSignals(True)
        self.act_zoom.setChecked(on)
        self.act_zoom.blockSignals(False)
        if on:
            self._set_pointer_tool(False, False)
            self.zoom.start()
        else:
            self.zoom.stop()
        self._watch_pointer(on)

    def _resize_spot(self, factor: float) -> None:
        if self.spotlight.isVisible():
            self.spotlight.resize_by(factor)

    def _zoom_by(self, steps: int) -> None:
        if self.zoom.isVisible():
            self.zoom.change_factor(steps)

    def leave_tools(self) -> None:
        self._set_pointer_tool(False, False)
        self.set_zoom(False)

    def set_predict(self, on: bool) -> None:
        self.predict_on = on
        tab = self._tab()
        if tab is None:
            return
        if tab.supports_predict():
            tab.set_predict(on)
        elif on:
            self._say(f"“{tab.title}” has nothing to predict; views that do will hide their answers")
        self._update_reveal()

    def reveal(self) -> None:
        tab = self._tab()
        if tab is None:
            return
        if not tab.supports_predict():
            self._say(f"“{tab.title}” has nothing hidden to reveal")
        elif not self.predict_on:
            self._say("Predict before reveal is off (F6 turns it on)")
        elif not tab.reveal():
            self._say("Nothing is hidden right now: step forward for the next guess")

    def _update_reveal(self) -> None:
        tab = self._tab()
        ok = tab is not None and tab.supports_predict()
        self.act_reveal.setEnabled(ok and self.predict_on)
        tip = "Show the hidden value(s) now" if ok else "This view has nothing to predict"
        self.act_reveal.setToolTip(tip)
        self.act_predict.setToolTip(self.act_predict.statusTip() if ok else
                                    "This view has nothing to predict (the setting applies to views that do)")

    # ---- window events -----------------------------------------------------------------------
    def _on_tab_changed(self, _index: int = -1) -> None:
        if getattr(self.window, "_shut", False):
            return
        tab = self._tab()
        if tab is not None and tab.supports_predict():
            tab.set_predict(self.predict_on)
        self._update_reveal()
        # the Export menu asks frame_count() when it opens (aboutToShow), not here: a tab may need
        # its latest result to count frames, and a tab change must stay instant

    def _on_theme_changed(self, theme) -> None:
        self.spotlight.theme = self.zoom.theme = theme
        for w in (self.spotlight, self.zoom):
            if w.isVisible():
                w.sync_geometry()
                w.update()

    def _run(self, command: str) -> None:
        {"next": self.forward, "prev": self.back, "blank": lambda: self.toggle_blank(False),
         "white": lambda: self.toggle_blank(True), "spotlight": lambda: self.set_spotlight(not self.act_spot.isChecked()),
         "laser": lambda: self.set_laser(not self.act_laser.isChecked()),
         "zoom": lambda: self.set_zoom(not self.act_zoom.isChecked()), "reveal": self.reveal,
         "present": self.start_presenting, "leave_overlay": self.leave_tools,
         "smaller": lambda: self._resize_spot(1 / 1.2), "larger": lambda: self._resize_spot(1.2),
         "zoom_in": lambda: self._zoom_by(1), "zoom_out": lambda: self._zoom_by(-1)}[command]()

    # ---- event filters -----------------------------------------------------------------------
    # Not one application-wide filter: a Python filter on QApplication runs for every event of the
    # app (measured: ~7 µs each, 50 000 events while a lesson re-lays itself out). Key events go
    # through the focused widget first (ShortcutOverride, then KeyPress), so the filter sits on the
    # focused widget (moved on focusChanged), on the window (nothing focused, resizes) and, while the
    # spotlight or lens is on, on the window's QWindow (pointer moves, Ctrl+wheel).
    def _install_filters(self) -> None:
        self._watched: set = set()
        for obj in (self.window, self.window.centralWidget()):
            self._watch(obj)
        self._app.focusChanged.connect(self._on_focus_changed)
        self._on_focus_changed(None, QApplication.focusWidget())
        self._filtering = True

    def _watch(self, obj) -> None:
        if obj is not None and obj not in self._watched:
            obj.installEventFilter(self)
            self._watched.add(obj)

    def _unwatch(self, obj) -> None:
        if obj in self._watched and obj not in (self.window, self.window.centralWidget()):
            self._watched.discard(obj)
            try:
                obj.removeEventFilter(self)
            except RuntimeError:      # already deleted: Qt dropped the filter with it
                pass

    def _on_focus_changed(self, old, new) -> None:
        if old is not None:
            self._unwatch(old)
        if new is not None:
            self._watch(new)

    def _watch_pointer(self, on: bool) -> None:
        handle = self.window.windowHandle()
        if handle is None:
            return
        if on:
            self._watch(handle)
        elif not (self.spotlight.isVisible() or self.zoom.isVisible()):
            self._unwatch(handle)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        etype = event.type()
        win = self.window
        if etype == QEvent.Type.Resize:
            if obj is win or obj is win.centralWidget():
                if self.blank.isVisible():
                    self.blank.setGeometry(win.rect())
                for w in (self.spotlight, self.zoom):
                    if w.isVisible():
                        w.sync_geometry()
            return False
        if etype == QEvent.Type.MouseMove:
            for w in (self.spotlight, self.zoom):
                if w.isVisible():
                    w.move_to(w.mapFromGlobal(event.globalPosition().toPoint()))
            return False
        if etype == QEvent.Type.Wheel:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier and \
                    (self.spotlight.isVisible() or self.zoom.isVisible()):
                up = event.angleDelta().y() > 0
                self._resize_spot(1.15 if up else 1 / 1.15)
                self._zoom_by(1 if up else -1)
                return True
            return False
        if etype not in _KEYS or not isinstance(obj, QWidget) or obj.window() is not win:
            return False
        # keys: the focused widget's (or the window's, when nothing has focus); not the copies
        # that Qt propagates to parents after a widget ignored them
        focus = QApplication.focusWidget()
        if obj is not focus and obj is not win:
            return False
        if is_modifier(event):
            return False
        if self.blank.isVisible():          # any key ends the blank screen, and does nothing else
            if etype == QEvent.Type.ShortcutOverride:
                event.accept()
            elif not event.isAutoRepeat():
                self.unblank()
            return True
        command = route(event, focus if focus is not None and focus.window() is win else None,
                        spotlight=self.spotlight.isVisible(), zoom=self.zoom.isVisible(),
                        overlay=self.spotlight.isVisible() or self.zoom.isVisible())
        if command is None:
            return False
        if etype == QEvent.Type.ShortcutOverride:
            event.accept()                   # no window shortcut: the key comes as a KeyPress
            return True
        if command == PASS:
            return False
        self._run(command)
        return True

    # ---- shutdown ----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Remove the filter and stop timers and exports; safe to call more than once."""
        if self._filtering:
            self._filtering = False
            self._app.focusChanged.disconnect(self._on_focus_changed)
            for obj in list(self._watched):
                try:
                    obj.removeEventFilter(self)
                except RuntimeError:
                    pass
            self._watched.clear()
        self.spotlight.stop()
        self.zoom.stop()
        self.export_menu.shutdown()
