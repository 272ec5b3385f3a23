"""Starts desktopnn as ``desktopnn --demo --tab TAB`` does (desktopnn.cli.main), sets some long work
going, and closes the window while it runs; prints ``CLOSING <wall clock>`` just before closing.

    python tests/close_driver.py train|audio|gif|slides|download

Used by tests/test_closing.py, which measures how long the process takes to end after that line.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer

from desktopnn.app import make_app
from desktopnn.cli import main

CASES = {"train": "train", "audio": "autoencoder", "gif": "animator", "slides": "animator", "download": "live"}
POLL_MS = 50
GIVE_UP_S = 90


def _window(app):
    return next(w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow")


def _train(w):
    tab = w.current_tab()
    if tab.state.dataset is None or tab.state.model is None:
        return None
    if not tab.runners["fit"].busy:
        tab.train_view.epochs.setValue(200)
        tab.train_view.train.click()
        return None
    return tab.train_view.progress.value() > 0 or None


def _audio(w):
    tab = w.current_tab()
    view = tab.audio
    if tab.views.currentWidget() is not view:
        tab.show_view("audio")
        return None
    controls = view.controls
    if view.frames_drawn < 3 or controls.demo is None:
        return None
    if not controls.trainer.busy:
        controls.retrain_epochs = 500
        controls.retrain(True)
        return None
    return controls.train_progress.value() > 0 or None


def _gif(w):
    menu = w.presenter.export_menu
    if menu.active is None:
        menu.export_animation("gif", os.path.join(os.environ["CLOSE_DRIVER_OUT"], "closed.gif"))
        return None
    return menu.active.next >= 2 or None


def _slides(w):
    menu = w.presenter.export_menu
    if menu.slides is None:
        menu.export_slides(os.environ["CLOSE_DRIVER_OUT"])
        return None
    return menu.slides.index >= 2 or None


def _serve_slow_weights() -> None:
    """MobileNetV3-Small's weights served slowly from 127.0.0.1 (64 MB of zeros, under their name and
    with their checksum faked to match): the download is still running when the window closes. The
    weights cache is a fresh folder, printed as ``CACHE <folder>`` for the test to look into."""
    import dataclasses
    import functools
    import hashlib
    import http.server
    import tempfile
    import threading

    from desktopnn.engine.live import weights as W

    class Slow(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def copyfile(self, source, outputfile):
            try:
                while chunk := source.read(1 << 16):
                    outputfile.write(chunk)
                    time.sleep(0.02)
            except (BrokenPipeError, ConnectionResetError):   # the app hung up: what closing it does
                pass

    served = tempfile.mkdtemp(prefix="desktopnn-served-")
    spec = W.CATALOGUE["mobilenet_v3_small"]
    data = bytes(64 << 20)
    with open(os.path.join(served, spec.file), "wb") as f:
        f.write(data)
    W.CATALOGUE[spec.key] = dataclasses.replace(spec, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    cache = tempfile.mkdtemp(prefix="desktopnn-weights-")
    os.environ[W.WEIGHTS_ENV] = cache
    W.hub_dir = lambda: __import__("pathlib").Path(cache) / "no-hub"
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Slow, directory=served))
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    W.BASE_URL = f"http://127.0.0.1:{srv.server_address[1]}/"
    print(f"CACHE {cache}", flush=True)


def _download(w):
    tab = w.current_tab()
    if tab.result is None:                       # the view is streaming the notes' CNN
        return None
    if not tab.weights_runner.busy:
        tab.set_network("mobilenet_v3_small")
        return None
    return tab.download_bar.bar.value() > 0 or None


def drive(case: str) -> None:
    app = make_app()
    if case == "download":
        _serve_slow_weights()
    step = {"train": _train, "audio": _audio, "gif": _gif, "slides": _slides, "download": _download}[case]
    t0 = time.monotonic()
    timer = QTimer()
    timer.setInterval(POLL_MS)

    def poll():
        w = _window(app)
        if not w.isVisible():
            return
        if time.monotonic() - t0 > GIVE_UP_S:
            print("GAVE UP: the work never got going", flush=True)
            timer.stop()
            w.close()
            return
        if not w.device_text:                # the engine (torch) is still loading: start-up, not work
            return
        if step(w):
            timer.stop()
            print(f"CLOSING {time.time():.6f}", flush=True)
            w.close()

    timer.timeout.connect(poll)
    timer.start()
    sys.exit(main(["--demo", "--tab", CASES[case]]))


if __name__ == "__main__":
    drive(sys.argv[1])
