"""Command line and application start-up. Thin: parse, build the window, run."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

T_PROCESS = time.time()

EPILOG = """examples:
  desktopnn                          start on the first lesson
  desktopnn --tab convolution        start on a lesson (names: see --list-tabs)
  desktopnn lesson.dnnscene          open a saved scene (a view exactly as it was saved)
  desktopnn --screenshot shots/      render every lesson at 1920x1080 to PNG and exit
  desktopnn --slides out/ --lesson my-lesson/
                                     a lesson folder's scenes as slides (PNGs and slides.pdf)
  desktopnn bench --json             measure start-up and compute speed
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="desktopnn", description="Teach how neural networks see and remember: kernels, feature maps, "
        "pooling, tensors, autoencoders and RNNs, live and with the real numbers.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tab", metavar="NAME", help="lesson tab to open first")
    p.add_argument("--list-tabs", action="store_true", help="print the lesson names and exit")
    p.add_argument("--demo", action="store_true", help="use the built-in demo sources even when a camera or microphone exists")
    p.add_argument("--device", choices=["cpu", "cuda", "mps"], help="compute device (default: CUDA, then MPS, then CPU)")
    p.add_argument("--presentation", action="store_true", help="start in presentation mode (large text, high contrast)")
    p.add_argument("--screenshot", metavar="DIR", help="render every tab at 1920x1080, normal and presentation, to DIR/*.png and exit")
    p.add_argument("--slides", metavar="OUTDIR", help="export a lesson as slides at 1920x1080 (NN-name.png and "
                   "slides.pdf in OUTDIR), print the written paths and exit")
    p.add_argument("--lesson", metavar="FOLDER", help="with --slides: a folder of .dnnscene files (default: the "
                   "course notes' lessons)")
    p.add_argument("--smoke", action="store_true", help="start, show the window, process events briefly and quit (exit code 0)")
    p.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--scene", metavar="PATH", help="open a scene file (.dnnscene) saved with File ▸ Save scene…")
    p.add_argument("image", nargs="?", help="an image file to open in the Convolution lab, or a scene file")
    return p


def _ensure_display(args) -> None:
    """Headless runs (--screenshot, --smoke) work without a display; a normal start explains itself."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        if args.screenshot or args.smoke or args.slides:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        else:
            sys.exit("desktopnn: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                     "Start it from a desktop session, or try: desktopnn --screenshot shots/")


def make_app(argv: list[str] | None = None):
    """The QApplication with desktopnn's global settings (also used by the tests)."""
    from PySide6.QtWidgets import QApplication
    import pyqtgraph as pg

    app = QApplication.instance() or QApplication(argv or ["desktopnn"])
    app.setApplicationName("desktopnn")
    app.setOrganizationName("desktopnn")
    # the menu entry's id (packaging/linux): Wayland desktops match the window to it and its icon
    app.setDesktopFileName("io.github.desktopnn.DesktopNN")
    from PySide6.QtGui import QIcon

    icons = Path(__file__).resolve().parent / "resources" / "icons"
    icon = QIcon(str(icons / "desktopnn.svg"))
    icon.addFile(str(icons / "desktopnn-256.png"))
    app.setWindowIcon(icon)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    from desktopnn import workers
    from desktopnn.engine.memory import keep_large_buffers

    keep_large_buffers()      # live frames reuse their large buffers instead of page-faulting them in

    app.aboutToQuit.connect(workers.shutdown_all)
    collect_on_ui_thread()
    return app


_COLLECTOR: list = []


def collect_on_ui_thread(interval_s: float = 0.5) -> None:
    """Python's cyclic garbage collector runs on the UI thread only, from a timer (once per process).

    Left automatic, it runs on whichever thread happens to allocate: a worker that collected a cycle
    holding a widget ran that widget's C++ destructor on its own thread, holding a Qt lock and waiting for
    the GIL, while the UI thread held the GIL and waited for that lock (a deadlock seen in the test run:
    an audio worker's collection met the UI thread deleting a menu). pyqtgraph's GarbageCollector turns
    automatic collection off and collects from a QTimer; here it also waits while the engine has paused
    collection (``engine.memory.collection_paused``, around importing torch._dynamo).
    """
    if _COLLECTOR:
        return
    from pyqtgraph.util.garbage_collector import GarbageCollector

    from desktopnn.engine.memory import is_collection_paused

    class UiThreadCollector(GarbageCollector):
        def check(self) -> None:
            if not is_collection_paused():
                super().check()

    _COLLECTOR.append(UiThreadCollector(interval=interval_s))


def build_window(app, *, demo=False, device=None, presentation=False, settings=None, screen_height=None):
    from desktopnn.ui.base import AppContext
    from desktopnn.ui.main_window import MainWindow
    from desktopnn.ui.theme import ThemeManager

    themes = ThemeManager(app, presentation=presentation, screen_height=screen_height)
    themes.apply()
    ctx = AppContext(themes=themes, demo=demo)
    return MainWindow(ctx, settings=settings, device=device)


def dispose(app, window) -> None:
    """Stop the window's work and destroy its widgets while Python is still fully alive.

    Left to interpreter exit, PySide deletes the remaining widgets after Python has begun to shut
    down, and pyqtgraph's Python overrides called from those C++ destructors crash the process
    (seen here as a segfault after ``--screenshot`` had written every file).
    """
    from PySide6.QtCore import QEvent

    window.shutdown()
    window.hide()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def end_process(code: int) -> int:
    """End the process now that the app has shut itself down: workers joined, widgets disposed, settings
    synced. Python's own finalization would then spend about a second tearing down torch's modules
    (0.8 s measured here) and does nothing the app needs, so a closed window ends the process at once.
    Streams and log handlers are flushed first."""
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):    # closed or absent (pythonw)
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lesson and not args.slides:
        parser.error("--lesson goes with --slides OUTDIR")
    if args.list_tabs:
        from desktopnn.ui.tabs import tab_classes

        for cls in tab_classes():
            print(f"{cls.name:16} {cls.title}")
        return 0
    _ensure_display(args)
    if args.device:
        os.environ["DESKTOPNN_DEVICE"] = args.device  # every engine call, from any thread, honours it
    app = make_app([sys.argv[0]])
    from desktopnn.settings import qsettings

    headless = bool(args.screenshot or args.slides)
    settings = None if (headless or args.smoke) else qsettings()
    window = build_window(app, demo=args.demo, device=args.device, presentation=args.presentation,
                          settings=settings, screen_height=1080 if headless else None)
    if args.presentation:
        window.ctx.themes.set_presentation(True)
    if args.tab and not window.select_tab(args.tab):
        names = ", ".join(spec.name for spec in window.specs)
        print(f"desktopnn: no lesson called {args.tab!r}; choose one of: {names}", file=sys.stderr)
        dispose(app, window)
        return 2
    if args.slides:
        return _slides_from_cli(app, window, args)
    scene_ok = _open_from_cli(window, args)
    if args.screenshot:
        from desktopnn.ui.screenshots import render_all

        paths = render_all(app, window, Path(args.screenshot))
        for p in paths:
            print(p)
        dispose(app, window)
        return 0
    window.show()
    if args.report_startup:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: print(f"DESKTOPNN_SHOWN {time.time():.6f}", flush=True))
    if args.smoke:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(1500, window.close)
    code = app.exec()
    dispose(app, window)
    return code or (0 if scene_ok or not args.smoke else 1)


def _slides_from_cli(app, window, args) -> int:
    from desktopnn.scenes import SceneError
    from desktopnn.ui.slides import export_cli

    try:
        paths, problems = export_cli(app, window, Path(args.slides), Path(args.lesson) if args.lesson else None)
    except (SceneError, OSError) as exc:
        print(f"desktopnn: no slides written: {exc}", file=sys.stderr)
        dispose(app, window)
        return 2
    for p in paths:
        print(p)
    for problem in problems:
        print(f"desktopnn: {problem}", file=sys.stderr)
    dispose(app, window)
    return 0


def _open_from_cli(window, args) -> bool:
    """The positional file is a scene (.dnnscene, or JSON that says so) or an image; False if a scene failed."""
    from desktopnn.scenes import looks_like_scene

    scene = args.scene
    if args.image and not scene and looks_like_scene(args.image):
        scene, args.image = args.image, None
    if args.image:
        window.open_image(args.image)
    if scene and not window.scenes.open_scene_now(scene):
        print(f"desktopnn: {window.scenes.last_message}", file=sys.stderr)
        return False
    return True
