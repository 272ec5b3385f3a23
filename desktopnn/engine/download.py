"""Downloading a data set once into the cache: progress, SHA-256 checksum, nothing half-written.

The file is streamed into ``<name>.part`` beside its destination while its SHA-256 is computed;
only a complete file with the right checksum is renamed into place (an atomic ``os.replace``), so
an interrupted or damaged download never looks like a finished one. A file already in the cache
with the right checksum is used without touching the network. ``file://`` URLs work too (tests).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

CHUNK = 1 << 16


class DownloadStopped(Exception):
    """The person stopped the download; the partial file has been removed."""


def sha256_of(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(url: str, dest, sha256: str, progress: Callable[[float, str], None] | None = None,
          should_stop: Callable[[], bool] | None = None, timeout: float = 30.0) -> Path:
    """Return ``dest``, downloading ``url`` there first unless a verified copy is already cached.

    ``progress(fraction, text)`` is called as bytes arrive (fraction -1 when the size is unknown).
    Raises ValueError with a readable reason: offline, server error, checksum mismatch.
    """
    dest = Path(dest)
    if dest.is_file() and sha256_of(dest) == sha256.lower():
        if progress:
            progress(1.0, f"{dest.name} is already in the cache")
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    h = hashlib.sha256()
    done = 0
    try:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)   # noqa: S310 (https or file URLs we chose)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ValueError(f"cannot download {url.rsplit('/', 1)[-1]}: {reason}. Are you offline? "
                             f"The offline data sets still work.") from None
        with response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            while True:
                if should_stop is not None and should_stop():
                    raise DownloadStopped()
                try:
                    block = response.read(CHUNK)
                except (OSError, urllib.error.URLError) as exc:
                    raise ValueError(f"the download of {dest.name} broke off ({exc}); try again") from None
                if not block:
                    break
                out.write(block)
                h.update(block)
                done += len(block)
                if progress:
                    mb = done / 1e6
                    text = f"{mb:.1f} of {total / 1e6:.1f} MB" if total else f"{mb:.1f} MB"
                    progress(done / total if total else -1.0, text)
            out.flush()
            os.fsync(out.fileno())
        got = h.hexdigest()
        if got != sha256.lower():
            raise ValueError(f"the downloaded {dest.name} has the wrong SHA-256 checksum ({got[:12]}…, expected "
                             f"{sha256[:12]}…): damaged or replaced on the way, so it was deleted. Try again.")
        os.replace(part, dest)
        return dest
    finally:
        part.unlink(missing_ok=True)
