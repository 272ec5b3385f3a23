"""File ▸ Export (PNG at projector scale, GIF, MP4, the window-size screenshot) and Help ▸ Keyboard shortcuts."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHeaderView, QMenu,
                               QMessageBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from desktopnn.ui.export import MP4_MISSING, AnimationExport, mp4_encoder, render_projector, save_png
from desktopnn.ui.slide_deck import navigator_items
from desktopnn.ui.slides import TIP as SLIDES_TIP, SlidesExport
from desktopnn.workers import LatestJobRunner

FILTERS = {"png": "PNG image (*.png)", "gif": "Animated GIF (*.gif)", "mp4": "MP4 video (*.mp4)"}


class ExportMenu(QObject):
    """The File ▸ Export submenu and the exports it starts (one at a time)."""

    def __init__(self, window, presenter):
        super().__init__(window)
        self.window = window
        self.runner = LatestJobRunner("export", self)
        self.runner.finished.connect(self._on_png_saved)
        self.runner.failed.connect(self._on_png_failed)
        self.active: AnimationExport | None = None
        self._png_job = -1
        file_menu = presenter._menu("File")
        file_menu.setToolTipsVisible(True)
        menu = self.menu = QMenu("&Export", file_menu)
        menu.setToolTipsVisible(True)
        tip = "The current view as a picture or an animation, for slides and handouts"
        menu.menuAction().setToolTip(tip)
        menu.menuAction().setStatusTip(tip)
        quit_action = next((a for a in file_menu.actions() if a.text().replace("&", "") == "Quit"), None)
        if quit_action is not None:
            file_menu.insertMenu(quit_action, menu)
        else:
            file_menu.addMenu(menu)
        self.act_png = self._action("This view as &PNG (projector scale)…", "Ctrl+Shift+E", self.export_png_dialog,
                                    "The current view drawn as a 1080p projector shows it in presentation mode "
                                    "(1920×1080 PNG), whatever the window's size and theme")
        self.act_gif = self._action("Animation as &GIF…", None, lambda: self.export_animation_dialog("gif"), "")
        self.act_mp4 = self._action("Animation as &MP4…", None, lambda: self.export_animation_dialog("mp4"), "")
        self.slides: SlidesExport | None = None
        self.act_slides = self._action("&Lesson as slides (PDF and PNGs)…", None, self.export_slides_dialog, SLIDES_TIP)
        shot = getattr(window, "act_shot", None)
        if shot is not None:             # the window-size screenshot (Ctrl+Shift+S) joins its siblings here
            file_menu.removeAction(shot)
            menu.addSeparator()
            menu.addAction(shot)
        menu.aboutToShow.connect(self.refresh)

    def _action(self, text, key, slot, tip) -> QAction:
        act = QAction(text, self.window)
        if key:
            act.setShortcut(QKeySequence(key))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        self.menu.addAction(act)
        return act

    def refresh(self) -> None:
        """Enable the animation exports only where the view has frames; tooltips say why not."""
        tab = self.window._built.get(self.window.tabs.currentIndex())
        frames = tab.frame_count() if tab is not None else 0
        busy = self.active is not None and self.active.running
        for act, kind in ((self.act_gif, "GIF"), (self.act_mp4, "MP4")):
            if busy:
                tip = "An export is running"
            elif frames <= 0:
                tip = f"This view has no animation to export as {kind} (try the stride animator or the RNN)"
            else:
                tip = f"The view's {frames} frames at projector scale (1920×1080) as an animated {kind}"
                if kind == "MP4" and mp4_encoder() is None:
                    tip += ". Needs imageio-ffmpeg: pip install imageio-ffmpeg (or .[video])"
            act.setEnabled(frames > 0 and not busy)
            act.setToolTip(tip)
            act.setStatusTip(tip)

    # ---- PNG -------------------------------------------------------------------------------------
    def export_png_dialog(self) -> None:
        tab = self.window.current_tab()
        if tab is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export view as PNG", f"{tab.name}-1080p.png",
                                              FILTERS["png"])
        if path:
            self.export_png(path if path.lower().endswith(".png") else path + ".png")

    def export_png(self, path: str) -> bool:
        """Render the current view at projector scale now and write it in the background."""
        tab = self.window.current_tab()
        if tab is None:
            return False
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            self.window.show_notice(f"The folder {folder} does not exist")
            return False
        image = render_projector(self.window.ctx, tab)
        self._png_job = self.runner.submit(save_png, image, path)
        return True

    def _on_png_saved(self, job: int, message: str) -> None:
        if job == self._png_job:
            self.window.show_notice(message)

    def _on_png_failed(self, job: int, message: str, _exc) -> None:
        if job == self._png_job:
            self.window.show_notice(f"Export failed: {message}")

    # ---- GIF / MP4 -------------------------------------------------------------------------------
    def export_animation_dialog(self, kind: str) -> None:
        if kind == "mp4" and mp4_encoder() is None:
            self.window.show_notice(MP4_MISSING, 15000)
            QMessageBox.information(self.window, "MP4 export", MP4_MISSING)
            return
        tab = self.window.current_tab()
        if tab is None or tab.frame_count() <= 0:
            self.window.show_notice("This view has no animation to export")
            return
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export animation as {kind.upper()}", f"{tab.name}.{kind}",
                                              FILTERS[kind])
        if path:
            self.export_animation(kind, path if path.lower().endswith("." + kind) else f"{path}.{kind}")

    def export_animation(self, kind: str, path: str, writer_factory=None) -> AnimationExport | None:
        """Start exporting the current view's animation; None (and a notice) when it cannot start."""
        if self.active is not None and self.active.running:
            self.window.show_notice("An export is already running")
            return None
        tab = self.window.current_tab()
        if tab is None:
            return None
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            self.window.show_notice(f"The folder {folder} does not exist")
            return None
        export = AnimationExport(self.window, tab, kind, path, self._animation_runner(), writer_factory)
        export.done.connect(lambda msg: self.window.show_notice(msg, 10000))
        self.active = export
        return export if export.start() else None

    # ---- the lesson as slides ----------------------------------------------------------------------
    def export_slides_dialog(self) -> None:
        start = str(self.window.navigator.folder or "")
        folder = QFileDialog.getExistingDirectory(self.window, "Export the lesson as slides into a folder", start)
        if folder:
            self.export_slides(folder)

    def export_slides(self, folder, timeout_s: float | None = None) -> SlidesExport | None:
        """Start exporting the navigator's lesson into ``folder``; None (and a notice) when it cannot start."""
        if (self.slides is not None and self.slides.running) or (self.active is not None and self.active.running):
            self.window.show_notice("An export is already running")
            return None
        if not hasattr(self, "_slides_runner"):
            self._slides_runner = LatestJobRunner("export-slides", self)
        if self._slides_runner.busy:            # a cancelled export still removing its staging folder
            self.window.show_notice("The last slide export is still tidying up; try again in a moment")
            return None
        items, note = navigator_items(self.window)
        extra = {} if timeout_s is None else {"timeout_s": timeout_s}
        self.slides = SlidesExport(self.window, items, folder, self._slides_runner, note, **extra)
        self.slides.done.connect(self._on_slides_done)
        return self.slides if self.slides.start() else None

    def _on_slides_done(self, message: str) -> None:
        e = self.slides
        box = e is not None and not e.cancelled and bool(e.skipped or e.notes or not e.ok)
        self.window.scenes.tell(message, "Lesson as slides", box=box)

    def _animation_runner(self) -> LatestJobRunner:
        if not hasattr(self, "_anim_runner"):
            self._anim_runner = LatestJobRunner("export-animation", self)
        return self._anim_runner

    def shutdown(self) -> None:
        if self.active is not None:
            self.active.cancel()
        if self.slides is not None:
            self.slides.shutdown()
        if hasattr(self, "_slides_runner"):        # created before an export that then could not start
            self._slides_runner.shutdown(2.0)
        self.runner.shutdown(2.0)
        if hasattr(self, "_anim_runner"):
            self._anim_runner.shutdown(2.0)


# ---- Help ▸ Keyboard shortcuts -------------------------------------------------------------------
EXTRA_ROWS = [("Ctrl+mouse wheel", "Spotlight size, or zoom lens power, while one is on", "View ▸ Presenter tools"),
              ("Any key or click", "Bring the picture back after Blank screen", "View ▸ Presenter tools")]


def _keys(act: QAction) -> str:
    return " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in act.shortcuts() if not s.isEmpty())


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(keys, what they do, where in the menus) for every action with a shortcut, read from the menus."""
    rows, seen = [], set()

    def walk(menu, path):
        for act in menu.actions():
            if act.menu() is not None:
                walk(act.menu(), path + [act.text().replace("&", "").replace("&&", "&")])
            elif not act.isSeparator() and act.shortcuts() and id(act) not in seen:
                seen.add(id(act))
                what = act.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
                tip = act.statusTip() or act.toolTip()
                rows.append((_keys(act), f"{what}: {tip}" if tip and tip != what else what, " ▸ ".join(path)))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), [top.text().replace("&", "")])
    for act in window.actions():                     # window-wide actions outside the menus (Esc)
        if act.shortcuts() and id(act) not in seen:
            rows.append((_keys(act), act.text(), "anywhere"))
    return rows + EXTRA_ROWS


def show_shortcuts(window) -> QDialog:
    dlg = QDialog(window)
    dlg.setWindowTitle("Keyboard shortcuts")
    rows = shortcut_rows(window)
    table = QTableWidget(len(rows), 3, dlg)
    table.setHorizontalHeaderLabels(["Keys", "What it does", "Menu"])
    table.setToolTip("Every shortcut of desktopnn, read from its menus; clicker keys are under View ▸ Presenter tools")
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    head = table.horizontalHeader()
    head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
    table.resizeRowsToContents()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.reject)
    buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this list (Esc)")
    lay = QVBoxLayout(dlg)
    lay.addWidget(table)
    lay.addWidget(buttons)
    dlg.resize(min(1400, window.width()), min(900, window.height()))
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    window.shortcuts_dialog = dlg
    return dlg
