"""Memory the app manages itself: large buffers kept by the C allocator between frames (Linux, glibc),
and pauses of Python's cyclic garbage collector.

A live frame allocates the same large tensors again and again (a 640×480 first layer of 32 maps is
39 MB of floats). glibc serves blocks over its mmap threshold (adapting up to 32 MB) with fresh
mmap'd pages and unmaps them on free, so every frame page-faulted its buffers back in: measured on
the 2-core machine, the notes CNN's first layer at 640×480 took 54 ms a frame, of which ~40 ms were
page faults; with the blocks kept in the heap it took 14 ms. :func:`keep_large_buffers` raises the
mmap and trim thresholds once per process so freed blocks are reused. Resident memory then stays at
its working size instead of dropping and climbing every frame. Elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import threading
from contextlib import contextmanager

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 << 20      # blocks up to 256 MB come from the heap and are reused
TRIM_THRESHOLD = 512 << 20      # free memory is returned to the system only past 512 MB

_done: bool | None = None


def keep_large_buffers() -> bool:
    """Ask glibc to keep large freed blocks for reuse; True when the setting took effect (once per process)."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):     # musl and other C libraries without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # one arena for every thread: a worker thread's arena is made of 64 MB heaps, so two 39 MB maps alive
    # at once (the frame on screen and the one being computed) sent each frame to fresh mmap'd heaps
    _done = (bool(mallopt(M_ARENA_MAX, 1)) and bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
             and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)))
    return _done


_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collection_paused():
    """No cyclic garbage collection inside (from any thread), nested and across threads; afterwards the
    automatic collector is as it was. The app's own collector on the UI thread asks
    :func:`is_collection_paused` and waits too (``gc.collect()`` itself ignores ``gc.disable()``)."""
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def is_collection_paused() -> bool:
    return _pauses > 0
