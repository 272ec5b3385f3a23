"""Scenes in the main window (issue 9): File ▸ Save scene…, Open scene…, Recent scenes, drag and drop.

Files are read and written in a worker; the tab's ``migrate_scene``/``apply_scene`` run on the UI
thread. Whatever goes wrong, what is on screen stays as it was and a message says why.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktopnn import scenes
from desktopnn.scenes import Scene, SceneError
from desktopnn.workers import LatestJobRunner

log = logging.getLogger(__name__)

SCENE_FILTER = f"desktopnn scenes (*{scenes.SUFFIX});;JSON (*.json);;All files (*)"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
RECENT_KEY = "scenes/recent"
LAST_DIR_KEY = "scenes/last_dir"
MAX_RECENT = 8


@dataclass
class _Request:
    path: Path
    fallback_tab: str = ""   # the navigator: go to this tab even when its scene cannot be opened
    remember: bool = True    # add to File ▸ Recent scenes
    box: bool = True         # say a failure in a message box too (the navigator: status bar only)


def _read(path: Path) -> Scene:
    return scenes.read(path)


def _write(path: Path, text: str) -> Path:
    try:
        return scenes.write_text(path, text)
    except OSError as exc:
        raise SceneError(f"Could not save “{path.name}”: {exc.strerror or exc}.") from None


def slug(text: str) -> str:
    """A file name from a title: "2.5 Stride" -> "2.5-stride"."""
    s = re.sub(r"[^\w.]+", "-", text.strip().lower()).strip("-.")
    return s or "scene"


class SceneController(QObject):
    """Saves and opens scenes for a MainWindow; ``window.scenes`` once installed."""

    opened = Signal(str, str)       # path, tab name
    failed = Signal(str, str)       # path, message
    saved = Signal(str)             # path
    save_failed = Signal(str, str)  # path, message

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.last_message = ""
        self.lesson_folder: Path | None = None     # set by the navigator: Save scene… defaults there
        self.applied: dict[str, tuple[str, str]] = {}   # tab name -> (title, notes section) last opened
        self._box: QMessageBox | None = None
        self._requests: dict[int, _Request] = {}
        self._reader = LatestJobRunner("scene-reader", self)
        self._reader.finished.connect(self._on_read)
        self._reader.failed.connect(self._on_read_failed)
        self._writer = LatestJobRunner("scene-writer", self)
        self._writer.finished.connect(lambda _id, p: self._on_saved(Path(p)))
        self._writer.failed.connect(self._on_save_failed)
        self._save_paths: dict[int, Path] = {}
        self.navigator = None
        self._build_actions()
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # ---- menus ---------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        file_menu = next(o for o in w.act_shot.associatedObjects() if hasattr(o, "insertAction"))
        acts = file_menu.actions()
        i = acts.index(w.act_shot)
        before = acts[i + 1] if i + 1 < len(acts) else None
        self.act_save = self._action("&Save scene…", QKeySequence.StandardKey.Save, self.save_scene_dialog,
                                     "Save this view's full state (image, kernels, parameters, step) as a scene file")
        self.act_open_scene = self._action("Open s&cene…", "Ctrl+Shift+O", self.open_scene_dialog,
                                     "Open a scene file: its lesson view, exactly as it was saved")
        self.recent_menu = file_menu.__class__("&Recent scenes", file_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        tip = "The scenes opened or saved most recently"
        self.recent_menu.setToolTip(tip)
        self.recent_menu.menuAction().setToolTip(tip)
        self.recent_menu.menuAction().setStatusTip(tip)
        file_menu.insertSeparator(before)
        for act in (self.act_save, self.act_open_scene):
            file_menu.insertAction(before, act)
        file_menu.insertMenu(before, self.recent_menu)
        self.file_menu = file_menu

    def _action(self, text, shortcut, slot, tip) -> QAction:
        act = QAction(text, self.window)
        act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    # ---- saving --------------------------------------------------------------------------------
    def default_save_path(self) -> Path:
        tab = self.window.current_tab()
        title, _ = self.applied.get(tab.name, (tab.title, "")) if tab else ("scene", "")
        folder = self.lesson_folder or Path(str(self._setting(LAST_DIR_KEY, "") or Path.home()))
        return folder / (slug(title) + scenes.SUFFIX)

    def save_scene_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save scene", str(self.default_save_path()), SCENE_FILTER)
        if path:
            if not path.lower().endswith((scenes.SUFFIX, ".json")):
                path += scenes.SUFFIX
            self.save_scene(path)

    def make_scene(self) -> Scene:
        """The current tab's state as a Scene (UI thread: it reads widgets)."""
        tab = self.window.current_tab()
        if tab is None:
            raise SceneError("There is no lesson view to save.")
        state = tab.scene_state()
        if not isinstance(state, dict):
            raise SceneError(f"The {tab.title} view gave no state to save.")
        title, section = self.applied.get(tab.name, (tab.title, ""))
        return Scene(tab=tab.name, state=state, tab_version=int(tab.scene_version), title=title,
                     notes_section=section)

    def save_scene(self, path) -> bool:
        """Save the current view to ``path``; the file is written in a worker (signals saved/save_failed)."""
        path = Path(path)
        try:
            text = scenes.dumps(self.make_scene())
        except SceneError as exc:
            self._save_failed(path, str(exc))
            return False
        except Exception as exc:
            log.exception("scene_state failed")
            self._save_failed(path, f"The view could not be saved ({type(exc).__name__}: {exc}).")
            return False
        self._save_paths[self._writer.submit(_write, path, text)] = path
        return True

    def _on_saved(self, path: Path) -> None:
        self._set_setting(LAST_DIR_KEY, str(path.parent))
        self.remember(path)
        self.window.show_notice(f"Saved the scene {path}")
        self.saved.emit(str(path))

    def _on_save_failed(self, job_id: int, message: str, _exc) -> None:
        self._save_failed(self._save_paths.pop(job_id, Path("?")), message)

    def _save_failed(self, path: Path, message: str) -> None:
        self.tell(f"The scene was not saved. {message}", "Scene not saved")
        self.save_failed.emit(str(path), message)

    # ---- opening -------------------------------------------------------------------------------
    def open_scene_dialog(self) -> None:
        start = str(self.lesson_folder or self._setting(LAST_DIR_KEY, "") or "")
        path, _ = QFileDialog.getOpenFileName(self.window, "Open scene", start, SCENE_FILTER)
        if path:
            self.open_scene(path)

    def open_scene(self, path, fallback_tab: str = "", remember: bool = True, box: bool = True) -> int:
        """Read ``path`` in the worker, then apply it on the UI thread (signals opened/failed)."""
        req = _Request(Path(path), fallback_tab, remember, box)
        job = self._reader.submit(_read, req.path)
        self._requests = {job: req}   # latest wins: an older request still being read is dropped
        return job

    def open_scene_now(self, path, fallback_tab: str = "", remember: bool = True) -> bool:
        """Read and apply at once (start-up from the command line, where nothing is on screen yet)."""
        req = _Request(Path(path), fallback_tab, remember)
        try:
            scene = scenes.read(req.path)
        except SceneError as exc:
            return self._open_failed(req, str(exc))
        return self._finish(req, scene)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self._reader.wait_idle(timeout) and self._writer.wait_idle(timeout)

    def _on_read(self, job_id: int, scene: Scene) -> None:
        req = self._requests.pop(job_id, None)
        if req is not None:
            self._finish(req, scene)

    def _on_read_failed(self, job_id: int, message: str, _exc) -> None:
        req = self._requests.pop(job_id, None)
        if req is not None:
            self._open_failed(req, message)

    def _finish(self, req: _Request, scene: Scene) -> bool:
        try:
            tab = self.apply(scene, f"“{req.path.name}”")
        except SceneError as exc:
            return self._open_failed(req, str(exc))
        if req.remember:
            self.remember(req.path)
        self.window.show_notice(f"Opened the scene “{scene.title or req.path.stem}” in {tab.title}")
        self.opened.emit(str(req.path), tab.name)
        return True

    def _open_failed(self, req: _Request, message: str) -> bool:
        if req.fallback_tab and self.window.select_tab(req.fallback_tab):
            message = f"{message} Showing the {self.window.current_tab().title} view as it is."
        self.tell(message, "Scene not opened", box=req.box)
        self.failed.emit(str(req.path), message)
        return False

    def apply(self, scene: Scene, name: str = "The scene"):
        """Migrate and apply ``scene`` to its tab, then show that tab; SceneError leaves everything as it was."""
        w = self.window
        index = next((i for i, spec in enumerate(w.specs) if spec.name == scene.tab), None)
        if index is None:
            raise SceneError(f"{name} belongs to a lesson view called “{scene.tab}”, which this desktopnn does not have.")
        tab = w.tab_at(index)
        if scene.tab_version > tab.scene_version:
            raise SceneError(f"{name} was saved by a newer desktopnn ({scene.app_version or '?'}) with version "
                             f"{scene.tab_version} of the {tab.title} view; this one reads up to version "
                             f"{tab.scene_version}. Update desktopnn to open it.")
        snapshot = None
        try:
            state = copy.deepcopy(scene.state)
            if scene.tab_version < tab.scene_version:
                state = tab.migrate_scene(state, scene.tab_version)
                if not isinstance(state, dict):
                    raise SceneError(f"{name} could not be brought up to date for the {tab.title} view.")
            snapshot = tab.scene_state()
            tab.apply_scene(state)
        except SceneError as exc:
            self._restore(tab, snapshot)
            raise SceneError(f"{name} cannot be opened: {exc}") from None
        except Exception as exc:
            log.exception("applying scene %s failed", name)
            self._restore(tab, snapshot)
            raise SceneError(f"{name} seems damaged: the {tab.title} view could not use it "
                             f"({type(exc).__name__}: {exc}).") from None
        self.applied[tab.name] = (scene.title or tab.title, scene.notes_section)
        w.tabs.setCurrentIndex(index)
        return tab

    @staticmethod
    def _restore(tab, snapshot) -> None:
        """Put back the state a failed apply may have touched (tabs should raise before changing anything)."""
        if snapshot is None:
            return
        try:
            if tab.scene_state() != snapshot:
                log.warning("%s changed state before failing; restoring it", tab.name)
                tab.apply_scene(snapshot)
        except Exception:
            log.exception("could not restore %s", tab.name)

    def tell(self, message: str, title: str = "desktopnn", box: bool = True) -> None:
        """A message in the status bar and in one (reused, non-blocking) message box."""
        self.last_message = message
        log.info("%s: %s", title, message)
        self.window.show_notice(message, 15000)
        if not box:
            return
        if self._box is None:
            self._box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self.window)
        self._box.setWindowTitle(title)
        self._box.setText(message)
        self._box.open()

    # ---- recent scenes -------------------------------------------------------------------------
    def recent(self) -> list[str]:
        try:
            items = json.loads(str(self._setting(RECENT_KEY, "[]")))
        except ValueError:
            return []
        return [str(p) for p in items if isinstance(p, str)][:MAX_RECENT] if isinstance(items, list) else []

    def remember(self, path) -> None:
        p = str(Path(path).resolve())
        items = [p] + [q for q in self.recent() if q != p]
        self._set_setting(RECENT_KEY, json.dumps(items[:MAX_RECENT]))

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        items = self.recent()
        for i, p in enumerate(items):
            act = menu.addAction(f"&{i + 1}  " + Path(p).name.replace("&", "&&"))
            act.setToolTip(p)
            act.setStatusTip(p)
            act.triggered.connect(lambda _=False, p=p: self.open_scene(p))
        if not items:
            menu.addAction("(none yet)").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Clear recent scenes", lambda: self._set_setting(RECENT_KEY, "[]")).setEnabled(bool(items))

    def _setting(self, key: str, default=None):
        return self.settings.value(key, default) if self.settings is not None else default

    def _set_setting(self, key: str, value) -> None:
        if self.settings is not None:
            self.settings.setValue(key, value)

    # ---- drag and drop -------------------------------------------------------------------------
    @staticmethod
    def _dropped_file(event) -> Path | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                p = Path(url.toLocalFile())
                if p.suffix.lower() in IMAGE_SUFFIXES | {scenes.SUFFIX, ".json"}:
                    return p
        return None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if obj is self.window and kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            path = self._dropped_file(event)
            if path is None:
                return False
            event.acceptProposedAction()
            if kind == QEvent.Type.Drop:
                self.open_path(path)
            return True
        return False

    def open_path(self, path) -> None:
        """A scene opens as a scene; an image goes to the lesson that takes images."""
        if scenes.looks_like_scene(path):
            self.open_scene(path)
        elif not self.window.open_image(str(path)):
            self.tell(f"“{Path(path).name}” is neither a scene nor an image desktopnn can open.", "Not opened")

    def shutdown(self) -> None:
        self._reader.shutdown()
        self._writer.shutdown()
        if self.navigator is not None:
            self.navigator.shutdown()


def install(window):
    """Add scenes and the lesson navigator to ``window``; returns (controller, navigator)."""
    from desktopnn.ui.navigator import LessonNavigator

    controller = SceneController(window)
    controller.navigator = LessonNavigator(window, controller)
    return controller, controller.navigator
