"""The lesson navigator (issue 9): the course notes' contents, and the lecturer's own lesson folder.

A dock on the left. Clicking an entry (or Enter) opens the view that teaches it in its prepared
state (the bundled scene). Next/previous lesson walk the list from the keyboard or a clicker:
Ctrl+PageDown / Ctrl+PageUp, or Alt+Right / Alt+Left (plain PageDown/arrows step a view's animation).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QTreeWidget, QTreeWidgetItem

from desktopnn import scenes
from desktopnn.scenes import LessonEntry, SceneError
from desktopnn.workers import LatestJobRunner

ROLE = Qt.ItemDataRole.UserRole
VISIBLE_KEY = "lessons/navigator"
FOLDER_KEY = "lessons/folder"
NEXT_KEYS = ("Ctrl+PgDown", "Alt+Right")
PREV_KEYS = ("Ctrl+PgUp", "Alt+Left")


def natural_key(name: str):
    """"2-x" before "10-x": numbers compare as numbers."""
    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", name)]


def list_folder(folder: Path) -> list[Path]:
    """The scenes in a lesson folder, in name order (runs in a worker: folders may be on a network)."""
    if not folder.is_dir():
        raise SceneError(f"The lesson folder {folder} does not exist.")
    return sorted((p for p in folder.iterdir() if p.suffix.lower() == scenes.SUFFIX and p.is_file()),
                  key=lambda p: natural_key(p.name))


class LessonNavigator(QDockWidget):
    """The contents as a tree; ``window.navigator`` once installed."""

    def __init__(self, window, controller):
        super().__init__("Lessons", window)
        self.main_window = window
        self.controller = controller
        self.setObjectName("lesson-navigator")
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setToolTip("Click an entry, or select it and press Enter, to open its lesson")
        self.setWidget(self.tree)
        self.current: QTreeWidgetItem | None = None
        self.folder: Path | None = None
        self.course_items: list[QTreeWidgetItem] = []
        self.folder_items: list[QTreeWidgetItem] = []
        self.folder_item: QTreeWidgetItem | None = None
        self._last_go = (None, 0.0)
        try:
            self.entries = scenes.load_contents()
        except SceneError as exc:
            self.entries = []
            window.show_notice(str(exc), 15000)
        self._fill_course()
        self.tree.itemClicked.connect(self._on_item)
        self.tree.itemActivated.connect(self._on_item)
        self._lister = LatestJobRunner("lesson-folder", self)
        self._lister.finished.connect(lambda _id, files: self._fill_folder(files))
        self._lister.failed.connect(lambda _id, msg, _e: self._fill_folder([], msg))
        controller.saved.connect(self._on_saved)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self)
        self._build_actions()
        s = window.settings
        show = s is not None and str(s.value(VISIBLE_KEY, "true")).lower() == "true"
        self.setVisible(show)
        self.visibilityChanged.connect(self._remember_visible)
        folder = s.value(FOLDER_KEY, "") if s is not None else ""
        if isinstance(folder, str) and folder.strip() and "\0" not in folder:   # a hand-edited file may hold anything
            self.set_folder(folder)
        window.ctx.themes.theme_changed.connect(self.apply_theme)
        self.apply_theme(window.ctx.theme)

    # ---- building ------------------------------------------------------------------------------
    def _fill_course(self) -> None:
        parents: dict[int, QTreeWidgetItem] = {}
        for entry in self.entries:
            parent = next((parents[lv] for lv in range(entry.level - 1, 0, -1) if lv in parents), None)
            item = QTreeWidgetItem([entry.label])
            item.setData(0, ROLE, entry)
            item.setToolTip(0, f"{entry.label}\nopens: {self._tab_title(entry.tab)}")
            (parent.addChild(item) if parent is not None else self.tree.addTopLevelItem(item))
            parents[entry.level] = item
            for lv in [lv for lv in parents if lv > entry.level]:
                del parents[lv]
            self.course_items.append(item)
        self.tree.expandAll()

    def _tab_title(self, name: str) -> str:
        return next((s.title for s in self.main_window.specs if s.name == name), f"(no view called “{name}”)")

    def _build_actions(self) -> None:
        w = self.main_window
        view_menu = next(o for o in w.act_present.associatedObjects() if hasattr(o, "addAction"))
        view_menu.addSeparator()
        self.act_toggle = self.toggleViewAction()
        self.act_toggle.setText("Lesson &navigator")
        self.act_toggle.setShortcut(QKeySequence("F9"))
        self.act_toggle.setStatusTip("Show or hide the course contents (the lessons and your own lesson folder)")
        view_menu.addAction(self.act_toggle)
        self.act_next = self._action(view_menu, "Ne&xt lesson entry", NEXT_KEYS, lambda: self.go_relative(+1),
                                     "Open the next entry of the lesson navigator")
        self.act_prev = self._action(view_menu, "Pre&vious lesson entry", PREV_KEYS, lambda: self.go_relative(-1),
                                     "Open the previous entry of the lesson navigator")
        file_menu = self.controller.file_menu
        self.act_folder = QAction("Open &lesson folder…", w)
        self.act_folder.setStatusTip("List a folder of your own scenes in the lesson navigator, to walk in class")
        self.act_folder.triggered.connect(self.open_folder_dialog)
        file_menu.insertAction(self.controller.recent_menu.menuAction(), self.act_folder)

    def _action(self, menu, text, keys, slot, tip) -> QAction:
        act = QAction(text, self.main_window)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    # ---- the lecturer's folder -----------------------------------------------------------------
    def open_folder_dialog(self) -> None:
        start = str(self.folder or "")
        folder = QFileDialog.getExistingDirectory(self.main_window, "Open lesson folder", start)
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder) -> None:
        """List ``folder``'s scenes under "My lesson" (in a worker); Save scene… defaults there."""
        self.folder = Path(folder)
        self.controller.lesson_folder = self.folder
        if self.main_window.settings is not None:
            self.main_window.settings.setValue(FOLDER_KEY, str(self.folder))
        self.refresh_folder()
        self.show()

    def refresh_folder(self) -> None:
        if self.folder is not None:
            self._lister.submit(list_folder, self.folder)

    def _on_saved(self, path: str) -> None:
        """A scene saved into the lesson folder (the night before) joins the list."""
        if self.folder is not None and Path(path).resolve().parent == self.folder.resolve():
            self.refresh_folder()

    def _fill_folder(self, files: list[Path], problem: str = "") -> None:
        if self.folder_item is None:
            self.folder_item = QTreeWidgetItem()
            self.tree.addTopLevelItem(self.folder_item)
        head = self.folder_item
        was = self.current.data(0, ROLE) if self.current in self.folder_items else None
        if self.current in self.folder_items:
            self.current = None
        head.takeChildren()
        head.setText(0, f"My lesson: {self.folder.name}" + (" (not found)" if problem else ""))
        head.setToolTip(0, problem or f"{self.folder}\n{len(files)} scene(s)")
        self.folder_items = []
        for p in files:
            item = QTreeWidgetItem([p.stem])
            item.setData(0, ROLE, p)
            item.setToolTip(0, str(p))
            head.addChild(item)
            self.folder_items.append(item)
            if p == was:
                self.current = item
        head.setExpanded(True)
        self._highlight()

    # ---- walking -------------------------------------------------------------------------------
    def _on_item(self, item: QTreeWidgetItem) -> None:
        last, when = self._last_go
        if item is last and time.monotonic() - when < QApplication.doubleClickInterval() / 1000:
            return   # a double-click is a click and an activation: open once
        self.go(item)

    def go(self, item: QTreeWidgetItem) -> None:
        """Open an entry: its tab with its bundled scene, or one of the lecturer's scenes."""
        target = item.data(0, ROLE)
        if target is None:   # the "My lesson" heading
            item.setExpanded(True)
            return
        self._last_go = (item, time.monotonic())
        self.current = item
        self._highlight()
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        if isinstance(target, LessonEntry):
            self.controller.open_scene(scenes.lessons_dir() / target.scene, fallback_tab=target.tab,
                                       remember=False, box=False)
        else:   # a message box would stop the walk (the next key would only close it)
            self.controller.open_scene(target, remember=False, box=False)

    def go_relative(self, delta: int) -> bool:
        """The next (+1) or previous (-1) entry of the current group (the course, or My lesson)."""
        if self.current in self.folder_items:
            group, name = self.folder_items, "your lesson"
        elif self.current in self.course_items:
            group, name = self.course_items, "the course"
        else:
            group, name = (self.folder_items, "your lesson") if self.folder_items else (self.course_items, "the course")
        if not group:
            self.main_window.show_notice("The lesson navigator has no entries")
            return False
        index = group.index(self.current) + delta if self.current in group else 0
        if not 0 <= index < len(group):
            self.main_window.show_notice(f"This is the {'last' if delta > 0 else 'first'} entry of {name}")
            return False
        self.go(group[index])
        return True

    def current_entry(self):
        """The LessonEntry or scene Path now highlighted (None when none is)."""
        return self.current.data(0, ROLE) if self.current is not None else None

    # ---- looks ---------------------------------------------------------------------------------
    def _highlight(self) -> None:
        theme = self.main_window.ctx.theme
        for item in self.course_items + self.folder_items:
            on = item is self.current
            font = theme.font(bold=on or item.parent() is None)
            item.setFont(0, font)
            item.setBackground(0, QBrush(QColor(theme.accent)) if on else QBrush())
            item.setForeground(0, QBrush(QColor(theme.background if on else theme.text)))
        if self.folder_item is not None:
            self.folder_item.setFont(0, theme.font(bold=True))
            self.folder_item.setForeground(0, QBrush(QColor(theme.accent2)))

    def apply_theme(self, theme) -> None:
        self.tree.setFont(theme.font())
        self.tree.setIndentation(round(theme.text_px * (0.8 if theme.presentation else 1.1)))
        # the entry being taught: the theme's accent (yellow on black when presenting), selected or not
        self.tree.setStyleSheet(f"QTreeWidget::item:selected {{ background: {theme.accent}; color: {theme.background}; }}"
                                f"QTreeWidget {{ background: {theme.background}; }}")
        self._highlight()
        width = round(theme.text_px * (18 if theme.presentation else 22))
        self.main_window.resizeDocks([self], [width], Qt.Orientation.Horizontal)

    def _remember_visible(self, visible: bool) -> None:
        s = self.main_window.settings
        if s is not None and not getattr(self.main_window, "_shut", False):
            s.setValue(VISIBLE_KEY, "true" if visible else "false")

    def shutdown(self) -> None:
        self._lister.shutdown()
