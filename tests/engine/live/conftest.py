"""Shared by the live engine tests: the ImageNet architectures with seeded random weights (built once;
nothing is downloaded) and a static HTTP server on 127.0.0.1 for the weights download."""

import functools
import http.server
import threading

import pytest


@pytest.fixture(scope="session")
def imagenet():
    """``imagenet(key)``: that torchvision architecture as a live network, random weights, built once."""
    from desktopnn.engine.live.imagenet import random_imagenet

    return functools.lru_cache(maxsize=None)(lambda key: random_imagenet(key, seed=1))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(tmp_path):
    """Serves ``tmp_path / "served"`` at ``server.url``; ``server.stop()`` takes it away."""
    root = tmp_path / "served"
    root.mkdir()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.url, srv.root = f"http://127.0.0.1:{srv.server_address[1]}", root
    stopped = []

    def stop():
        if not stopped:
            srv.shutdown()
            srv.server_close()
            stopped.append(True)

    srv.stop = stop
    yield srv
    stop()
    thread.join(5)
