"""File ▸ Export ▸ Lesson as slides, and ``desktopnn --slides OUTDIR`` (issue 9).

Each scene of the navigator's lesson (the lecturer's folder, else the course notes' contents) is
applied to its tab through File ▸ Open scene's safe path, drawn by ``export.render_projector`` and
written as ``NN-name.png`` plus a page of ``slides.pdf``. Waiting never blocks the UI thread nor
runs a nested event loop: a QTimer polls ``LessonTab.is_busy()`` every 50 ms and renders after two
idle reads in a row (so a result just posted by a worker is delivered first), or after 30 s with a
warning. Scenes are read and PNGs written in a worker, one job at a time, into a hidden staging
folder; only at the end are the files moved into place, so a cancel, an error or a closed window
leaves the folder as it was. The PDF comes from QPdfWriter (16:9 page of 1920×1080 device pixels,
lossless image rendering: Flate, pixel-exact text; Pillow would store RGB pages as JPEG).
"""

from __future__ import annotations

import copy
import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QProgressBar, QProgressDialog

from desktopnn import scenes
from desktopnn.scenes import SceneError
from desktopnn.ui.export import progress_dialog, render_projector, save_png
from desktopnn.ui.slide_deck import (PDF_NAME, SlideItem, discard, finish, finish_job, lesson_items, make_staging,
                                     png_name, save_job)
from desktopnn.workers import LatestJobRunner

log = logging.getLogger(__name__)
POLL_MS = 50
SLIDE_TIMEOUT_S = 30.0
IDLE_POLLS = 2
TIP = ("Every scene of the lesson in the navigator (your lesson folder if one is open, else the course "
       "notes' lessons), in order, at projector scale: one 1920×1080 PNG per scene and slides.pdf with one "
       "page each, in a folder you choose. Your views are put back as they were afterwards.")


def _progress_dialog(window, steps: int) -> tuple[QProgressDialog, QProgressBar]:
    return progress_dialog(window, "Preparing the slides…", steps, "Export lesson as slides",
                           "Each scene is opened, drawn at projector scale and saved; your views come back after")


# ---- the menu's export ---------------------------------------------------------------------------
class SlidesExport(QObject):
    """Walks the lesson's scenes on the UI thread, one timer tick at a time; files go through ``runner``."""

    done = Signal(str)

    def __init__(self, window, items: list[SlideItem], folder, runner: LatestJobRunner, note: str = "",
                 timeout_s: float = SLIDE_TIMEOUT_S):
        super().__init__(window)
        self.window, self.items, self.folder, self.runner = window, items, Path(folder), runner
        self.timeout_s, self.notes = timeout_s, ([note] if note else [])
        self.skipped: list[str] = []      # "label: why", in the final message
        self.names: list[str] = []        # PNGs staged so far
        self.written: list[Path] = []
        self.message, self.running, self.phase, self.job = "", False, "", -1
        self.ok = self.cancelled = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.progress: QProgressDialog | None = None
        self.staging: Path | None = None

    # ---- start and the walk ------------------------------------------------------------------
    def start(self) -> bool:
        if not self.items:
            self.done.emit("This lesson has no scenes to export")
            return False
        if not self.folder.is_dir():
            self.done.emit(f"The folder {self.folder} does not exist")
            return False
        try:
            self.staging = make_staging(self.folder)
        except OSError as exc:
            self.done.emit(f"Cannot write into {self.folder}: {exc.strerror or exc}")
            return False
        w = self.window
        self.saved: dict[str, tuple[object, dict]] = {}
        self.saved_index, self.saved_applied, self.saved_nav = w.tabs.currentIndex(), dict(w.scenes.applied), \
            w.navigator.current
        for name in dict.fromkeys(item.tab for item in self.items if item.tab):
            self._remember(name)     # the rest (a lecturer's files name their view inside) as they are read
        for sig, slot in ((self.runner.finished, self._on_finished), (self.runner.failed, self._on_failed)):
            sig.connect(slot)
        self.progress, self.bar = _progress_dialog(w, len(self.items) + 1)
        self.progress.canceled.connect(self.cancel)
        self.running, self.index = True, -1
        self._next()
        return True

    def _remember(self, name: str) -> bool:
        """Keep a tab's state before the export first touches it (False: it cannot be kept)."""
        if name not in self.saved:
            w = self.window
            index = next((i for i, spec in enumerate(w.specs) if spec.name == name), None)
            if index is None:
                return True                  # apply() will refuse the scene with a clear message
            try:
                tab = w.tab_at(index)
                self.saved[name] = (tab, copy.deepcopy(tab.scene_state()))
            except Exception:
                log.exception("scene_state of %s failed", name)
                self.saved[name] = (None, {})
        return self.saved[name][0] is not None

    def _next(self) -> None:
        self.index += 1
        if self.index >= len(self.items):
            self._finish()
            return
        item = self.items[self.index]
        self.tab = None
        self.phase = "read"
        self._show(f"Slide {self.index + 1} of {len(self.items)}: {item.label}")
        self.job = self.runner.submit(scenes.read, item.path)

    def _show(self, text: str) -> None:
        if self.progress is not None:
            self.progress.setLabelText(text)
            self.bar.setValue(self.index)

    def _skip(self, why: str) -> None:
        self.skipped.append(f"{self.items[self.index].label}: {why}")
        self._next()

    def _apply(self, scene) -> None:
        item = self.items[self.index]
        if not self._remember(scene.tab):
            self._skip(f"the {scene.tab} view's own state could not be kept, so it was left alone")
            return
        try:
            self.tab = self.window.scenes.apply(scene, f"“{item.path.name}”")
        except SceneError as exc:
            self._skip(str(exc))
            return
        self.phase, self.idle, self.since = "wait", 0, time.monotonic()
        self.timer.start()

    def _poll(self) -> None:
        """Render once the tab has been idle for IDLE_POLLS ticks in a row, or after the timeout."""
        if not self.running or self.phase != "wait":
            return
        try:
            busy = self.tab.is_busy()
        except Exception:
            busy = False
        self.idle = 0 if busy else self.idle + 1
        late = time.monotonic() - self.since > self.timeout_s
        if self.idle < IDLE_POLLS and not late:
            return
        self.timer.stop()
        item = self.items[self.index]
        if late:
            self.notes.append(f"{item.label} was still computing after {self.timeout_s:.0f} s; drawn as it was")
        try:
            image = render_projector(self.window.ctx, self.tab)
        except Exception as exc:
            log.exception("rendering %s failed", item.label)
            self._skip(f"could not be drawn ({type(exc).__name__}: {exc})")
            return
        name = png_name(self.index + 1, len(self.items), item)
        self.names.append(name)
        self.phase = "write"
        self.job = self.runner.submit(save_job, image, self.staging / name)

    def _finish(self) -> None:
        if not self.names:
            self._end("No slides were written: none of the scenes could be opened.", False)
            return
        self.phase = "finish"
        if self.progress is not None:
            self.progress.setCancelButton(None)      # moving files into place: quick, and not half-done
            self.progress.setLabelText(f"Writing {PDF_NAME} ({len(self.names)} pages)…")
            self.bar.setValue(len(self.items))
        self.job = self.runner.submit(finish_job, self.staging, self.folder, list(self.names))

    # ---- worker results ------------------------------------------------------------------------
    def _on_finished(self, job: int, result) -> None:
        if job != self.job or not self.running:
            return
        if self.phase == "read":
            self._apply(result)
        elif self.phase == "write":
            self._next()
        elif self.phase == "finish":
            self.written = result
            pngs = len(result) - 1
            self._end(f"Wrote {pngs} slide{'s' if pngs != 1 else ''} to {self.folder / PDF_NAME} and "
                      f"{pngs} PNG{'s' if pngs != 1 else ''} beside it.", True)

    def _on_failed(self, job: int, message: str, _exc) -> None:
        if job != self.job or not self.running:
            return
        if self.phase == "read":
            self._skip(message)
        else:
            self._end(f"Slide export failed: {message}. Nothing was written.", False)

    def _problems(self) -> str:
        text = ""
        if self.skipped:
            text += f" Skipped {len(self.skipped)}: " + "; ".join(self.skipped) + "."
        if self.notes:
            text += " Note: " + "; ".join(self.notes) + "."
        return text

    # ---- the end, however it comes -------------------------------------------------------------
    def _end(self, head: str, ok: bool) -> None:
        self.running, self.ok = False, ok
        self.timer.stop()
        if not ok:
            self.runner.cancel()
            self.runner.submit(discard, self.staging)   # after the running job has stopped
        self._restore()
        self._disconnect()
        self._close_progress()
        self.message = head + self._problems()
        self.done.emit(self.message)

    def cancel(self) -> None:
        if self.running and self.phase != "finish":
            self.cancelled = True
            self._end("Slide export cancelled; no files were written.", False)

    def _restore(self) -> None:
        """Put back every touched tab's state, the current tab and the navigator's place."""
        w = self.window
        for name, (tab, state) in self.saved.items():
            if tab is None:
                continue
            try:
                if tab.scene_state() != state:
                    tab.apply_scene(copy.deepcopy(state))
            except Exception:
                log.exception("could not put back the %s view", name)
                self.notes.append(f"the {name} view could not be put back as it was")
        w.scenes.applied = self.saved_applied
        w.tabs.setCurrentIndex(self.saved_index)
        nav = w.navigator
        if self.saved_nav is None or self.saved_nav in nav.course_items + nav.folder_items:
            nav.current = self.saved_nav
            nav._highlight()

    def _disconnect(self) -> None:
        for sig, slot in ((self.runner.finished, self._on_finished), (self.runner.failed, self._on_failed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def shutdown(self) -> None:
        """The window is closing: stop at once, end the worker's thread and leave nothing behind (the tabs
        are being shut down). Also after the export has ended: its thread lives on, perhaps still
        removing the staging folder of a cancelled export, and a discard it had not begun is done here."""
        self.running = False
        self.timer.stop()
        self._disconnect()
        self.runner.shutdown(2.0)
        if self.staging is not None and not self.ok:
            discard(self.staging)
        self._close_progress()


# ---- the command line ------------------------------------------------------------------------------
def export_cli(app, window, out_dir: Path, lesson=None) -> tuple[list[Path], list[str]]:
    """``desktopnn --slides``: no event handler is running, so waiting with wait_idle is fine here.

    Raises SceneError when the lesson has no scenes (or none could be opened)."""
    from desktopnn.ui.screenshots import settle

    items = lesson_items(lesson)
    if not items:
        raise SceneError(f"The lesson folder {lesson} has no {scenes.SUFFIX} scenes.")
    out_dir.mkdir(parents=True, exist_ok=True)
    window.resize(1920, 1080)
    window.show()
    window._engine_loader.wait_idle(30)
    app.processEvents()
    problems, names = [], []
    staging = make_staging(out_dir)
    try:
        for number, item in enumerate(items, 1):
            try:
                tab = window.scenes.apply(scenes.read(item.path), f"“{item.path.name}”")
            except SceneError as exc:
                problems.append(f"skipped {item.label}: {exc}")
                continue
            settle(app, tab, SLIDE_TIMEOUT_S)
            name = png_name(number, len(items), item)
            save_png(render_projector(window.ctx, tab), str(staging / name))
            names.append(name)
        if not names:
            raise SceneError("None of the lesson's scenes could be opened: " + "; ".join(problems))
        return finish(staging, out_dir, names), problems
    finally:
        discard(staging)
