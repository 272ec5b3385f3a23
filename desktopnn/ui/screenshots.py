"""--screenshot: every tab at 1920×1080, in normal and presentation mode, as PNG files."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication


def settle(app: QApplication, tab, timeout: float = 20.0) -> None:
    """Let queued results arrive and be drawn."""
    deadline = time.monotonic() + timeout
    for _ in range(3):
        app.processEvents()
        tab.wait_idle(max(0.1, deadline - time.monotonic()))
        app.processEvents()


def render_all(app: QApplication, window, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    window.resize(1920, 1080)
    window.show()
    window._engine_loader.wait_idle(30)
    from desktopnn.engine.device import load_torch_dynamo

    # the lessons that train import it on their first job (1.4 s); loaded before any of them, every
    # lesson is drawn at the same moment of its animations, run after run
    load_torch_dynamo()
    app.processEvents()
    written = []
    themes = window.ctx.themes
    was = themes.theme.presentation
    for presentation in (False, True):
        themes.set_presentation(presentation)
        for i in range(len(window.specs)):
            window.tabs.setCurrentIndex(i)
            tab = window.tab_at(i)
            window.resize(1920, 1080)
            settle(app, tab)
            path = out_dir / (f"{tab.name}-presentation.png" if presentation else f"{tab.name}.png")
            if not window.grab().save(str(path), "PNG"):
                raise OSError(f"could not write {path}")
            written.append(path)
    themes.set_presentation(was)
    return written
