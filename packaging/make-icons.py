"""Render the app icon (resources/icons/desktopnn.svg) to every file the installers use.

    python packaging/make-icons.py      # any venv with desktopnn's dependencies (PySide6, Pillow)

Writes (and commits are expected to hold) the outputs, so that builds need no SVG renderer:
  packaging/linux/icons/hicolor/NxN/apps/APP_ID.png   freedesktop icon theme sizes
  packaging/linux/icons/hicolor/scalable/apps/APP_ID.svg
  packaging/icons/desktopnn.ico                       Windows (EXE icon), 16-256 px
  packaging/icons/desktopnn.icns                      macOS (BUNDLE icon), 32-1024 px
  desktopnn/resources/icons/desktopnn.svg, desktopnn-256.png   the window icon at run time
Each size is rendered from the SVG (not scaled down from a big PNG) so small sizes stay crisp.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # no display needed

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.desktopnn.DesktopNN"
SVG = ROOT / "resources" / "icons" / "desktopnn.svg"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    img = QImage(size, size, QImage.Format.Format_RGBA8888)   # straight (not premultiplied) alpha
    img.fill(Qt.GlobalColor.transparent)
    painter = QPainter(img)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return Image.frombuffer("RGBA", (size, size), bytes(img.constBits()), "raw", "RGBA", img.bytesPerLine(), 1).copy()


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])   # QtSvg's renderer wants one
    renderer = QSvgRenderer(str(SVG), app)
    if not renderer.isValid():
        sys.exit(f"{SVG}: not a valid SVG")
    images = {s: render(renderer, s) for s in sorted(set(HICOLOR_SIZES + ICO_SIZES + ICNS_SIZES))}

    hicolor = ROOT / "packaging" / "linux" / "icons" / "hicolor"
    for s in HICOLOR_SIZES:
        out = hicolor / f"{s}x{s}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        images[s].save(out, optimize=True)
    (hicolor / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, hicolor / "scalable" / "apps" / f"{APP_ID}.svg")

    icons = ROOT / "packaging" / "icons"
    icons.mkdir(exist_ok=True)
    big = images[max(ICO_SIZES)]
    big.save(icons / "desktopnn.ico", sizes=[(s, s) for s in ICO_SIZES],
             append_images=[images[s] for s in ICO_SIZES if s != big.width])
    images[1024].save(icons / "desktopnn.icns", append_images=[images[s] for s in ICNS_SIZES])

    runtime = ROOT / "desktopnn" / "resources" / "icons"
    runtime.mkdir(exist_ok=True)
    shutil.copyfile(SVG, runtime / "desktopnn.svg")
    images[256].save(runtime / "desktopnn-256.png", optimize=True)
    print(f"icons written from {SVG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
