"""How engine work runs off the UI thread (DESIGN rules 2–4).

:class:`LatestJobRunner` owns one background thread. ``submit()`` never blocks: if a job is already
running, the new one waits in a single slot that the next ``submit()`` overwrites (latest wins; work
is dropped, never queued). Results come back on the UI thread through Qt signals. A job may accept a
:class:`JobContext` to report progress and notice cancellation.

Every runner registers itself; :func:`shutdown_all` (connected to ``aboutToQuit``) stops them all and
waits for their threads, so no worker emits into a widget that Qt has already deleted.
"""

from __future__ import annotations

import inspect
import logging
import threading
import traceback
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)
_RUNNERS: "weakref.WeakSet[LatestJobRunner]" = weakref.WeakSet()


class Cancelled(Exception):
    """Raised inside a job by :meth:`JobContext.check` once the job has been cancelled."""


class JobContext:
    """Handed to jobs that take a ``ctx`` argument: progress reports and cancellation."""

    def __init__(self, runner: "LatestJobRunner", job_id: int):
        self._runner = runner
        self.job_id = job_id

    @property
    def cancelled(self) -> bool:
        return self._runner._is_cancelled(self.job_id)

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()

    def progress(self, fraction: float, payload: Any = None) -> None:
        """Report progress (0..1) with an optional payload (e.g. the latest loss curve)."""
        self.check()
        self._runner._emit(self._runner.progressed, self.job_id, float(fraction), payload)


@dataclass
class _Job:
    job_id: int
    fn: Callable
    args: tuple
    kwargs: dict
    wants_ctx: bool


class LatestJobRunner(QObject):
    """One worker thread; the newest submitted job wins."""

    finished = Signal(int, object)       # job id, result
    failed = Signal(int, str, object)    # job id, message for a person, the exception
    progressed = Signal(int, float, object)
    busy_changed = Signal(bool)

    def __init__(self, name: str = "worker", parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._cond = threading.Condition()
        self._pending: _Job | None = None
        self._running_id: int | None = None
        self._cancel_below = 0   # jobs with an id lower than this are cancelled
        self._next_id = 1
        self._stopping = False
        self._thread: threading.Thread | None = None
        _RUNNERS.add(self)

    # ---- UI-thread API -------------------------------------------------------------------
    def submit(self, fn: Callable, *args, **kwargs) -> int:
        """Run ``fn(*args, **kwargs)`` (or ``fn(ctx, *args, **kwargs)``) in the background."""
        wants_ctx = _wants_ctx(fn)
        with self._cond:
            if self._stopping:
                return -1
            job = _Job(self._next_id, fn, args, kwargs, wants_ctx)
            self._next_id += 1
            self._pending = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=f"desktopnn-{self.name}", daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return job.job_id

    def cancel(self) -> None:
        """Cancel the running job (at its next ``ctx.check()``) and drop the pending one."""
        with self._cond:
            self._cancel_below = self._next_id
            self._pending = None

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._running_id is not None or self._pending is not None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is running or pending (for tests, benchmarks and screenshots only)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._running_id is None and self._pending is None, timeout)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop accepting work, cancel, and wait for the thread to end."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cancel_below = self._next_id
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("worker %s did not stop within %.1f s", self.name, timeout)

    # ---- worker thread ---------------------------------------------------------------------
    def _is_cancelled(self, job_id: int) -> bool:
        with self._cond:
            return self._stopping or job_id < self._cancel_below

    def _emit(self, signal, *args) -> None:
        with self._cond:
            if self._stopping:
                return
        try:
            signal.emit(*args)
        except RuntimeError:  # the QObject is being destroyed
            pass

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._stopping)
                if self._stopping:
                    self._running_id = None
                    self._cond.notify_all()
                    return
                job, self._pending = self._pending, None
                self._running_id = job.job_id
            self._emit(self.busy_changed, True)
            try:
                if job.wants_ctx:
                    result = job.fn(JobContext(self, job.job_id), *job.args, **job.kwargs)
                else:
                    result = job.fn(*job.args, **job.kwargs)
            except Cancelled:
                pass
            except Exception as exc:  # reported to the view, which shows a message
                if not self._is_cancelled(job.job_id):
                    message = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
                    if not isinstance(exc, ValueError):
                        log.error("job in %s failed:\n%s", self.name, traceback.format_exc())
                    self._emit(self.failed, job.job_id, message, exc)
            else:
                if not self._is_cancelled(job.job_id):
                    self._emit(self.finished, job.job_id, result)
            with self._cond:
                self._running_id = None
                idle = self._pending is None
                self._cond.notify_all()
            if idle:
                self._emit(self.busy_changed, False)


def _wants_ctx(fn: Callable) -> bool:
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] == "ctx"


def shutdown_all(timeout: float = 2.0) -> None:
    """Stop every runner in the process (connected to ``QApplication.aboutToQuit``)."""
    for runner in list(_RUNNERS):
        runner.shutdown(timeout)


def live_runner_threads() -> list[threading.Thread]:
    """Worker threads still alive (tests assert this is empty after the app closes)."""
    return [t for t in threading.enumerate() if t.name.startswith("desktopnn-") and t.is_alive()]
