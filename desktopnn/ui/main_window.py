"""MainWindow: assembles the lesson tabs, the menus and the status bar. Nothing else."""

from __future__ import annotations

import logging
import platform

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox, QScrollArea,
                               QTabWidget)

import desktopnn
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.tabs import tab_specs
from desktopnn.workers import LatestJobRunner

log = logging.getLogger(__name__)

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"


def _load_engine(device: str | None) -> tuple[str, str]:
    """Import torch and pick the device (runs in a worker, off the start-up path)."""
    from desktopnn.engine import device as dev

    # (torch._dynamo, which an optimizer's first step needs, is imported before the first training:
    # desktopnn.engine.device.load_torch_dynamo; a session that only watches live maps never loads it)
    problem = ""
    try:
        dev.set_device(device)
    except ValueError as exc:
        problem = f"{exc}; using {dev.set_device(None).type.upper()} instead"
    return dev.device_label(), problem


class MainWindow(QMainWindow):
    device_ready = Signal(str)
    engine_notice = Signal(str)   # from any thread, e.g. "The GPU ran out of memory: … CPU."

    def __init__(self, ctx: AppContext, settings=None, device: str | None = None):
        super().__init__()
        try:
            self._build(ctx, settings, device)
        except BaseException:
            self._abandon()
            raise

    def _build(self, ctx: AppContext, settings, device: str | None) -> None:
        self.ctx = ctx
        self.settings = settings
        self.setWindowTitle("desktopnn — how neural networks see and remember")
        self.device_text = ""
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        # each lesson sits in a holder; the tab itself is built the first time it is shown
        self.specs = tab_specs()
        # a scroll area per lesson: on a small laptop screen, or at projector text sizes, a lesson
        # that needs more room scrolls instead of pushing the window past the screen
        self._holders: list[QScrollArea] = []
        self._built: dict[int, LessonTab] = {}
        for spec in self.specs:
            holder = QScrollArea()
            holder.setWidgetResizable(True)
            holder.setFrameShape(QFrame.Shape.NoFrame)
            self._holders.append(holder)
            self.tabs.addTab(holder, spec.title.replace("&", "&&"))  # '&' is not a shortcut here
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._build_menus()
        self._build_status_bar()
        ctx.themes.theme_changed.connect(self._on_theme_changed)
        ctx.bus.show_tab.connect(self.select_tab)
        self._on_theme_changed(ctx.theme)
        self._shut = False
        self._current: LessonTab | None = None
        self._restore_settings()
        self._on_tab_changed(self.tabs.currentIndex())
        # torch loads in the background once the window is up (start-up stays under 3 s)
        self._engine_loader = LatestJobRunner("engine-loader", self)
        self._engine_loader.finished.connect(self._on_engine_loaded)
        self._engine_loader.failed.connect(lambda _id, msg, _e: self.show_notice(f"The engine failed to load: {msg}"))
        self._device_request = device
        self._unregister_notice = None
        self.engine_notice.connect(self._on_engine_notice)
        QTimer.singleShot(0, lambda: self._engine_loader.submit(_load_engine, self._device_request))
        from desktopnn.ui.scenes_ui import install as install_scenes   # scenes and the lesson navigator

        self.scenes, self.navigator = install_scenes(self)
        from desktopnn.ui.presenter import install as install_presenter   # clicker, overlays, export (issue 9)

        self.presenter = install_presenter(self)

    def _abandon(self) -> None:
        """Construction failed part-way: stop what was started (the lesson built so far with its workers
        and sources, the engine loader, scenes, presenter), each on its own, so that the error reaches the
        caller with no thread left running into widgets that are about to go."""
        self._shut = True
        parts = [getattr(self, "scenes", None), getattr(self, "presenter", None),
                 getattr(self, "_engine_loader", None), *getattr(self, "_built", {}).values()]
        for part in parts:
            if part is None:
                continue
            try:
                part.shutdown()
            except Exception:         # noqa: BLE001 - the first error is the one to report; go on stopping
                log.exception("stopping %r after a failed start", part)

    # ---- building ------------------------------------------------------------------------
    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu("&File")
        self.act_open = self._action(file_menu, "&Open image…", QKeySequence.StandardKey.Open, self.open_image_dialog,
                                     "Open a photo to use in the current lesson")
        self.act_shot = self._action(file_menu, "&Save screenshot of this view…", "Ctrl+Shift+S",
                                     self.save_screenshot_dialog, "Save the current tab as a PNG image")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close, "Close desktopnn")
        view = mb.addMenu("&View")
        self.act_present = self._action(view, "&Presentation mode", "F5", None,
                                        "Large text and high contrast for a projector")
        self.act_present.setCheckable(True)
        self.act_present.toggled.connect(self.ctx.themes.set_presentation)
        self.act_full = self._action(view, "&Full screen", "F11", None, "Fill the whole screen")
        self.act_full.setCheckable(True)
        self.act_full.toggled.connect(self._on_full_screen_toggled)
        leave = QAction("Leave presentation", self)
        leave.setShortcut(Qt.Key.Key_Escape)
        leave.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        leave.triggered.connect(self._leave_presentation)
        self.addAction(leave)
        tabs_menu = view.addMenu("&Lessons")
        tabs_menu.menuAction().setStatusTip("Go to a lesson (Ctrl+1…9)")
        for i, spec in enumerate(self.specs):
            self._action(tabs_menu, spec.title.replace("&", "&&"), f"Ctrl+{i + 1}" if i < 9 else None,
                         lambda _=False, i=i: self.tabs.setCurrentIndex(i), f"Go to {spec.title}")
        help_menu = mb.addMenu("&Help")
        self._action(help_menu, "&About desktopnn", None, self.show_about, "Versions and compute device")

    def _action(self, menu, text, shortcut, slot, tip) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        if slot is not None:
            act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.fps_label = QLabel("")
        self.fps_label.setToolTip("Frames per second of the live view")
        self.device_label = QLabel("Compute: loading torch…")
        self.device_label.setToolTip("Where the engine computes: CUDA GPU, Apple MPS or CPU")
        sb.addPermanentWidget(self.fps_label)
        sb.addPermanentWidget(self.device_label)

    # ---- state ---------------------------------------------------------------------------
    def tab_at(self, index: int) -> LessonTab | None:
        """The lesson tab at ``index``, built now if it has not been shown before."""
        if not 0 <= index < len(self.specs):
            return None
        tab = self._built.get(index)
        if tab is None:
            tab = self.specs[index].load()(self.ctx)
            tab.notice.connect(self.show_notice)
            tab.fps_changed.connect(self._on_tab_fps_changed)
            tab.apply_theme(self.ctx.theme)
            self._holders[index].setWidget(tab)
            self._built[index] = tab
        return tab

    @property
    def lesson_tabs(self) -> list[LessonTab]:
        """Every lesson tab (building those not shown yet)."""
        return [self.tab_at(i) for i in range(len(self.specs))]

    def built_tabs(self) -> list[LessonTab]:
        return [self._built[i] for i in sorted(self._built)]

    def current_tab(self) -> LessonTab | None:
        return self.tab_at(self.tabs.currentIndex())

    def select_tab(self, name: str) -> bool:
        key = name.strip().lower()
        for i, spec in enumerate(self.specs):
            if key in (spec.name.lower(), spec.title.lower()):
                self.tabs.setCurrentIndex(i)
                return True
        return False

    def _on_tab_changed(self, index: int) -> None:
        if getattr(self, "_shut", False):
            return
        new = self.current_tab()
        if new is self._current:
            return
        if self._current is not None:
            self._current.deactivate()
        self._current = new
        self.fps_label.setVisible(bool(new and new.live))
        self.fps_label.setText("")
        if new is not None:
            new.activate()
            self.act_open.setEnabled(True)

    def _on_tab_fps_changed(self, fps: float) -> None:
        if self.sender() is self._built.get(self.tabs.currentIndex()):
            self.fps_label.setText(f"{fps:.0f} fps")

    def _on_theme_changed(self, theme) -> None:
        self.act_present.blockSignals(True)
        self.act_present.setChecked(theme.presentation)
        self.act_present.blockSignals(False)
        for tab in self.built_tabs():
            tab.apply_theme(theme)

    def _on_engine_loaded(self, _job: int, result) -> None:
        from desktopnn.engine import device as dev

        if self._unregister_notice is None and not self._shut:
            self._unregister_notice = dev.on_notice(self.engine_notice.emit)
        label, problem = result
        self.device_text = label
        self.device_label.setText(label)
        self.device_ready.emit(label)
        if problem:
            self.show_notice(problem)

    def _on_engine_notice(self, text: str) -> None:
        """A device change announced by the engine (a CUDA out-of-memory fallback): say it, show it."""
        from desktopnn.engine import device as dev

        self.device_text = dev.device_label()
        self.device_label.setText(self.device_text)
        self.show_notice(text, 15000)

    def _leave_presentation(self) -> None:
        if self.act_full.isChecked():
            self.act_full.setChecked(False)
        if self.act_present.isChecked():
            self.act_present.setChecked(False)

    def _on_full_screen_toggled(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def show_notice(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text, ms)

    # ---- menu actions --------------------------------------------------------------------
    def open_image_dialog(self) -> None:
        tab = self.current_tab()
        target = tab if tab is not None and tab.accepts_images() else self._image_tab()
        if target is None:
            self.show_notice("No lesson here takes an image")
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", IMAGE_FILTER)
        if path:
            self.open_image(path, target)

    def _image_tab(self) -> LessonTab | None:
        """The first lesson that takes an image (the Convolution lab)."""
        for i in range(len(self.specs)):
            tab = self.tab_at(i)
            if tab is not None and tab.accepts_images():
                return tab
        return None

    def open_image(self, path: str, target: LessonTab | None = None) -> bool:
        target = target or self._image_tab()
        if target is None:
            return False
        if target.open_image(path):
            self.tabs.setCurrentWidget(target)
            return True
        return False

    def save_screenshot_dialog(self) -> None:
        tab = self.current_tab()
        name = tab.name if tab else "desktopnn"
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", f"{name}.png", "PNG image (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            ok = self.grab_view().save(path, "PNG")
            self.show_notice(f"Saved {path}" if ok else f"Could not write {path}")

    def grab_view(self):
        tab = self.current_tab()
        return (tab or self).grab()

    def about_text(self) -> str:
        import numpy
        import PySide6
        from PySide6.QtCore import qVersion

        try:
            import torch
            torch_version = torch.__version__
        except Exception as exc:  # pragma: no cover - torch is a dependency
            torch_version = f"not available ({exc})"
        rows = [("desktopnn", desktopnn.__version__), ("Python", platform.python_version()),
                ("Qt", qVersion()), ("PySide6", PySide6.__version__), ("torch", torch_version),
                ("numpy", numpy.__version__), ("Compute device", self.device_text or "loading…"),
                ("System", f"{platform.system()} {platform.release()} ({platform.machine()})")]
        return "\n".join(f"{k}: {v}" for k, v in rows)

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About desktopnn")
        box.setText("<b>desktopnn</b> teaches how neural networks see and remember, with the real numbers.")
        box.setInformativeText(self.about_text())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()

    # ---- persistence and shutdown ----------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        if s is None:
            return
        geom = s.value("window/geometry")
        if isinstance(geom, QByteArray) and not geom.isEmpty():
            self.restoreGeometry(geom)
        else:
            self.resize(1280, 800)
        last = s.value("window/tab", "")
        if last:
            self.select_tab(str(last))
        present = str(s.value("window/presentation", "false")).lower() == "true"
        if present:
            self.ctx.themes.set_presentation(True)

    def save_settings(self) -> None:
        s = self.settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        tab = self.current_tab()
        if tab is not None:
            s.setValue("window/tab", tab.name)
        s.setValue("window/presentation", "true" if self.ctx.theme.presentation else "false")
        s.sync()

    def shutdown(self) -> None:
        """Stop every tab's work; safe to call more than once."""
        if self._shut:
            return
        self.save_settings()
        self._shut = True
        self.scenes.shutdown()
        self.presenter.shutdown()
        if self._unregister_notice is not None:
            self._unregister_notice()
            self._unregister_notice = None
        # torch may still be importing (a window closed straight after start): let that finish
        # first, so that the tabs' workers, which wait on the same import, can then stop promptly
        self._engine_loader.shutdown(timeout=15.0)
        for tab in self.built_tabs():
            tab.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
