"""Downloads against a real HTTP server on 127.0.0.1 serving a file made here; nothing reaches the internet.

Each failure a classroom meets has its case: the right file, a wrong checksum, a transfer cut short
(the server promised more bytes than it sent), the server gone mid-transfer (connection reset), no
server at all, a server that stalls, a 404, a cancel mid-way, and a verified copy reused offline.
"""

import hashlib
import http.server
import socket
import struct
import threading
import time

import numpy as np
import pytest

from desktopnn.engine.download import DownloadStopped, fetch, sha256_of

PAYLOAD = np.random.default_rng(7).integers(0, 256, 1 << 20, dtype=np.uint8).tobytes()   # 1 MiB, 16 chunks
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):       # keep the test output clean
        pass

    def _head(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        half = len(PAYLOAD) // 2
        if self.path == "/good.bin":
            self._head(len(PAYLOAD))
            self.wfile.write(PAYLOAD)
        elif self.path == "/slow.bin":                 # chunk by chunk, so a cancel lands mid-way
            self._head(len(PAYLOAD))
            for i in range(0, len(PAYLOAD), 1 << 16):
                try:
                    self.wfile.write(PAYLOAD[i:i + (1 << 16)])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.01)
        elif self.path == "/truncated.bin":            # promises 1 MiB, sends half, closes cleanly
            self._head(len(PAYLOAD))
            self.wfile.write(PAYLOAD[:half])
            self.wfile.flush()
        elif self.path == "/reset.bin":                # sends half, then the connection is torn down
            self._head(len(PAYLOAD))
            self.wfile.write(PAYLOAD[:half])
            self.wfile.flush()
            time.sleep(0.3)                            # the client reads the headers and this half first
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()                    # linger 0: a reset, as when a server process dies
            self.server.gone.set()
        elif self.path == "/stall.bin":                # sends half, then says nothing for too long
            self._head(len(PAYLOAD))
            self.wfile.write(PAYLOAD[:half])
            self.wfile.flush()
            self.server.release.wait(10)
        else:
            self.send_error(404)


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.gone, srv.release = threading.Event(), threading.Event()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                        # nothing listens there now: the connection is refused
    return port


def only_file(folder, name):
    """What a finished or failed download leaves: the file itself or nothing (no temporary files)."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_right_file_arrives_verified_with_progress(server, tmp_path):
    dest = tmp_path / "cache" / "w.bin"
    reports = []
    got = fetch(f"{server.url}/good.bin", dest, SHA, progress=lambda f, t: reports.append((f, t)))
    assert got == dest and dest.read_bytes() == PAYLOAD and sha256_of(dest) == SHA
    assert only_file(dest.parent, "w.bin") == ["w.bin"]
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(0 < f <= 1 for f in fractions)
    assert "checksum verified" in reports[-1][1]


def test_a_verified_copy_is_used_without_a_server(server, tmp_path):
    dest = tmp_path / "w.bin"
    fetch(f"{server.url}/good.bin", dest, SHA)
    reports = []
    got = fetch(f"http://127.0.0.1:{closed_port()}/good.bin", dest, SHA, progress=lambda f, t: reports.append((f, t)))
    assert got == dest and dest.read_bytes() == PAYLOAD
    assert reports == [(1.0, "w.bin is already in the cache")]


def test_a_damaged_cached_copy_is_downloaded_again(server, tmp_path):
    dest = tmp_path / "w.bin"
    dest.write_bytes(PAYLOAD[:1000])
    fetch(f"{server.url}/good.bin", dest, SHA)
    assert dest.read_bytes() == PAYLOAD


def test_a_wrong_checksum_leaves_nothing(server, tmp_path):
    dest = tmp_path / "cache" / "w.bin"
    with pytest.raises(ValueError, match=r"wrong SHA-256 checksum \(expected 000000000000…\)"):
        fetch(f"{server.url}/good.bin", dest, "0" * 64)
    assert only_file(dest.parent, "w.bin") == []


@pytest.mark.parametrize("path", ["truncated.bin", "reset.bin"])
def test_a_transfer_cut_short_broke_off_and_leaves_nothing(server, tmp_path, path):
    dest = tmp_path / "cache" / "w.bin"
    with pytest.raises(ValueError, match=r"^the download of w.bin broke off after 0\.\d MB of 1\.0 MB \(the connection was cut\); try again$"):
        fetch(f"{server.url}/{path}", dest, SHA)
    assert only_file(dest.parent, "w.bin") == []
    if path == "reset.bin":                 # the server is gone for good: the next try finds no one
        assert server.gone.is_set()
        server.shutdown()
        server.server_close()
        with pytest.raises(ValueError, match="Are you offline"):
            fetch(f"{server.url}/good.bin", dest, SHA, timeout=5)


def test_a_stalled_server_times_out(server, tmp_path):
    dest = tmp_path / "w.bin"
    t0 = time.monotonic()
    with pytest.raises(ValueError, match=r"broke off after 0\.5 MB of 1\.0 MB \(the server stopped answering for 0\.5 s\)"):
        fetch(f"{server.url}/stall.bin", dest, SHA, timeout=0.5)
    assert time.monotonic() - t0 < 5 and only_file(tmp_path, "w.bin") == []


def test_no_server_at_all_says_offline(tmp_path):
    dest = tmp_path / "cache" / "w.bin"
    with pytest.raises(ValueError, match=r"^cannot download w.bin: no answer from 127.0.0.1. Are you offline\?$"):
        fetch(f"http://127.0.0.1:{closed_port()}/good.bin", dest, SHA, timeout=5)
    assert only_file(dest.parent, "w.bin") == []


def test_a_missing_file_says_what_the_server_answered(server, tmp_path):
    with pytest.raises(ValueError, match="the server answered 404"):
        fetch(f"{server.url}/nothing.bin", tmp_path / "w.bin", SHA)
    assert only_file(tmp_path, "w.bin") == []


def test_cancel_mid_way_removes_the_partial_file(server, tmp_path):
    dest = tmp_path / "cache" / "w.bin"
    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) > 4             # after four chunks of sixteen

    with pytest.raises(DownloadStopped):
        fetch(f"{server.url}/slow.bin", dest, SHA, should_stop=should_stop)
    assert len(asked) == 5 and only_file(dest.parent, "w.bin") == []
    fetch(f"{server.url}/slow.bin", dest, SHA)                # and the next try completes
    assert dest.read_bytes() == PAYLOAD


def test_file_urls_keep_the_same_guarantees(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    dest = tmp_path / "cache" / "w.bin"
    with pytest.raises(DownloadStopped):
        fetch(src.as_uri(), dest, SHA, should_stop=lambda: True)
    assert only_file(dest.parent, "w.bin") == []
    assert fetch(src.as_uri(), dest, SHA).read_bytes() == PAYLOAD


def test_a_cache_folder_that_cannot_be_written_says_so(server, tmp_path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    with pytest.raises(ValueError, match=r"^cannot save w.bin in .*cache: "):
        fetch(f"{server.url}/good.bin", tmp_path / "cache" / "w.bin", SHA)
