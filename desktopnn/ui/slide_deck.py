"""The slides of a lesson and their files (issue 9): which scenes, in which order, under which names,
and the PNGs and ``slides.pdf`` written into a hidden staging folder, moved into place only when all
is written. The Qt-driven walk through the scenes is :mod:`desktopnn.ui.slides`."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from desktopnn import scenes
from desktopnn.ui.export import PROJECTOR_SIZE, save_png
from desktopnn.ui.scenes_ui import slug

PDF_NAME = "slides.pdf"


@dataclass(frozen=True)
class SlideItem:
    path: Path
    label: str     # shown in the progress dialog: "2.5 Stride", or the file's name
    stem: str      # in the PNG's name
    tab: str = ""  # the view it opens, where known before reading it (the course's contents say)


def course_items(entries=None) -> list[SlideItem]:
    entries = scenes.load_contents() if entries is None else entries
    base = scenes.lessons_dir()
    return [SlideItem(base / e.scene, e.label, slug(Path(e.scene).stem)[:48], e.tab) for e in entries]


def folder_items(paths) -> list[SlideItem]:
    return [SlideItem(Path(p), Path(p).stem, slug(Path(p).stem)[:48]) for p in paths]


def lesson_items(folder=None) -> list[SlideItem]:
    """A lesson folder's scenes in name order (SceneError if it does not exist), else the course's."""
    if folder is None:
        return course_items()
    from desktopnn.ui.navigator import list_folder

    return folder_items(list_folder(Path(folder)))


def navigator_items(window) -> tuple[list[SlideItem], str]:
    """The lesson now in the navigator, and a note when a lesson folder without scenes was passed over."""
    nav = window.navigator
    if nav.folder is not None:
        paths = [it.data(0, Qt.ItemDataRole.UserRole) for it in nav.folder_items]
        if paths:
            return folder_items(paths), ""
        note = f"Your lesson folder {nav.folder} has no scenes, so the course's lessons were exported."
        return course_items(nav.entries), note
    return course_items(nav.entries), ""


def png_name(number: int, count: int, item: SlideItem) -> str:
    return f"{number:0{max(2, len(str(count)))}d}-{item.stem}.png"


# ---- files (worker thread, or the CLI) ----------------------------------------------------------
def make_staging(folder: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix=".slides-", suffix=".part", dir=folder))


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def write_pdf(pngs: list[Path], path: Path, check=lambda: None) -> None:
    """One 16:9 page per PNG, the image filling the page, stored losslessly."""
    w, h = PROJECTOR_SIZE
    writer = QPdfWriter(str(path))
    writer.setResolution(96)                      # 1920 px at 96 dpi = 20 in = 1440 pt: one device pixel per pixel
    size = QPageSize(QSizeF(w * 72 / 96, h * 72 / 96), QPageSize.Unit.Point, "Slide 16:9",
                     QPageSize.SizeMatchPolicy.ExactMatch)
    writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle("desktopnn slides")
    writer.setCreator("desktopnn")
    painter = QPainter()
    if not painter.begin(writer):
        raise ValueError(f"could not write {path}: check that the folder can be written to")
    try:
        for i, png in enumerate(pngs):
            check()
            if i:
                writer.newPage()
            image = QImage(str(png))
            if image.isNull():
                raise ValueError(f"could not read back {png.name}")
            painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
            painter.drawImage(QRect(0, 0, writer.width(), writer.height()), image)
    finally:
        painter.end()


def finish(staging: Path, folder: Path, names: list[str], check=lambda: None) -> list[Path]:
    """Write the PDF in the staging folder, then move everything into ``folder``; returns the paths."""
    part = staging / (PDF_NAME + ".part")
    write_pdf([staging / n for n in names], part, check)
    check()
    written = []
    for n in names:
        os.replace(staging / n, folder / n)
        written.append(folder / n)
    os.replace(part, folder / PDF_NAME)
    discard(staging)
    return written + [folder / PDF_NAME]


def finish_job(ctx, staging, folder, names):
    return finish(staging, folder, names, ctx.check)


def save_job(ctx, image, path):
    ctx.check()
    return save_png(image, str(path))
