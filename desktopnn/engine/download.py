"""Downloading a file once into the cache: progress, cancel, SHA-256 checksum, nothing half-written.

The fetching and caching are pooch's (``pooch.retrieve``): it streams into a temporary file beside
the destination, checks the SHA-256 and only then moves the file into place, so an interrupted or
damaged download never looks like a finished one; a file already there with the right checksum is
used without touching the network. This module adds what the app needs around it: a progress
object (pooch calls ``update``/``reset``/``close`` on whatever it is given as ``progressbar``) that
reports ``progress(fraction, text)`` and raises :class:`DownloadStopped` when ``should_stop()``
says so, ``file://`` URLs (copied with the same guarantees; the tests use them), and one readable
sentence for every failure (offline, server error, broke off, wrong checksum) as a ValueError.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

CHUNK = 1 << 16          # bytes per read: pooch's default of 1 kB would call back 550,000 times for VGG-16
REPORT_EVERY_S = 0.1     # progress reports at most this often (a worker's signal per chunk floods the UI)


class DownloadStopped(Exception):
    """The person stopped the download; the partial file has been removed."""


def sha256_of(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


class _SourceMissing(OSError):
    """A ``file://`` source that cannot be read: the local counterpart of a server that does not answer."""


class _Progress:
    """pooch's ``progressbar`` protocol (total, update, reset, close) → ``progress`` and cancel."""

    def __init__(self, progress, should_stop):
        self.progress = progress
        self.should_stop = should_stop
        self.total = None          # pooch sets it once the server has answered (0: size unknown)
        self.done = 0
        self.last = 0.0

    @property
    def answered(self) -> bool:
        return self.total is not None

    def update(self, n: int) -> None:
        if self.should_stop is not None and self.should_stop():
            raise DownloadStopped()
        total = self.total or 0
        self.done = min(self.done + n, total) if total else self.done + n   # pooch counts whole chunks
        now = time.monotonic()
        if self.progress is None or (now - self.last < REPORT_EVERY_S and self.done < total):
            return
        self.last = now
        text = f"{_mb(self.done)} of {_mb(total)}" if total else _mb(self.done)
        self.progress(self.done / total if total else -1.0, text)

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        pass


class _Downloader:
    """A pooch downloader: http(s) and ftp through pooch's own, ``file://`` copied here."""

    def __init__(self, bar: _Progress, timeout: float):
        self.bar = bar
        self.timeout = timeout
        self.called = False
        self.finished = False

    def __call__(self, url: str, output_file, pooch_instance, check_only: bool = False):
        import pooch

        self.called = True
        if self.bar.should_stop is not None and self.bar.should_stop():
            raise DownloadStopped()
        scheme = urlparse(url).scheme
        if scheme == "file":
            self._copy(url, output_file)
        elif scheme in ("http", "https"):
            pooch.HTTPDownloader(progressbar=self.bar, chunk_size=CHUNK, timeout=self.timeout)(url, output_file, pooch_instance)
        else:                        # ftp, sftp, doi: pooch's choice (a ValueError for a scheme it lacks)
            pooch.choose_downloader(url, progressbar=self.bar)(url, output_file, pooch_instance)
        self.finished = True

    def _copy(self, url: str, output_file) -> None:
        source = Path(url2pathname(unquote(urlparse(url).path)))
        try:
            src = open(source, "rb")
        except OSError as exc:
            raise _SourceMissing(str(exc)) from None
        with src, open(output_file, "wb") as out:
            self.bar.total = source.stat().st_size
            for block in iter(lambda: src.read(CHUNK), b""):
                out.write(block)
                self.bar.update(len(block))


def fetch(url: str, dest, sha256: str, progress: Callable[[float, str], None] | None = None,
          should_stop: Callable[[], bool] | None = None, timeout: float = 30.0) -> Path:
    """Return ``dest``, downloading ``url`` there first unless a verified copy is already cached.

    ``progress(fraction, text)`` is called as bytes arrive (fraction -1 when the size is unknown) and
    with 1.0 at the end; ``should_stop()`` is asked between chunks and, when true, the download stops
    with :class:`DownloadStopped` and its temporary file is removed. ``timeout`` is in seconds, for
    connecting and for each wait on the server. Raises ValueError with one readable sentence.
    """
    import pooch
    import requests

    dest = Path(dest)
    name = dest.name
    bar = _Progress(progress, should_stop)
    downloader = _Downloader(bar, timeout)
    try:
        pooch.retrieve(url, known_hash=f"sha256:{sha256.lower()}", fname=name, path=dest.parent,
                       downloader=downloader)
    except DownloadStopped:
        raise
    except ValueError as exc:
        if downloader.finished:      # whole, then pooch compared the checksum and deleted the file
            raise ValueError(f"the downloaded {name} has the wrong SHA-256 checksum (expected {sha256[:12]}…): "
                             f"damaged or replaced on the way, so it was deleted; try again") from None
        raise ValueError(f"cannot download {name}: {exc}") from None
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "an error"
        raise ValueError(f"cannot download {name}: the server answered {status}; try again later") from None
    except (requests.exceptions.RequestException, _SourceMissing) as exc:
        if bar.answered:
            why = (f"the server stopped answering for {timeout:g} s" if "timed out" in str(exc).lower()
                   else "the connection was cut")
            got = f"{_mb(bar.done)} of {_mb(bar.total)}" if bar.total else _mb(bar.done)
            raise ValueError(f"the download of {name} broke off after {got} ({why}); try again") from None
        where = urlparse(url).hostname or url.rsplit("/", 1)[-1]
        raise ValueError(f"cannot download {name}: no answer from {where}. Are you offline?") from None
    except OSError as exc:           # the cache folder: not writable, full, or a file in the way
        raise ValueError(f"cannot save {name} in {dest.parent}: {exc.strerror or exc}") from None
    if progress is not None:
        size = dest.stat().st_size
        progress(1.0, f"{name}: {_mb(size)}, checksum verified" if downloader.called
                 else f"{name} is already in the cache")
    return dest
