"""Pre-started worker processes that grade under a time limit and a memory limit.

Workers are started with the ``forkserver`` context (``spawn`` where unavailable), so the pool
is safe inside a threaded web server. Each call goes to an idle worker over a pipe; if the
answer does not come back within the time limit, or the worker dies (e.g. it hit its
``RLIMIT_AS`` memory limit), the worker is killed and replaced and the caller gets an error
result. ``get_pool()`` returns one process-wide pool, closed at exit.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from . import messages as M
from .types import DEFAULT_SETTINGS, GradeResult, PartSettings, Rule, Validation

DEFAULT_SIZE = 2
DEFAULT_TIMEOUT = 2.0
DEFAULT_MEMORY = 1 << 30


class LimitHit(Exception):
    """A call ran over the time or memory limit (its worker was replaced)."""


class PoolBusy(Exception):
    """No worker was free within the wait the caller allowed (nothing was run)."""


def _run_target(target: str, *args: Any) -> Any:
    """Call ``module:function`` of this package (e.g. drawing an author's parameters)."""
    module_name, _, function = target.partition(":")
    if not module_name.startswith("exam_engine.") or not function or function.startswith("__"):
        raise ValueError(f"not a function of exam_engine: {target!r}")
    module = importlib.import_module(module_name)
    return getattr(module, function)(*args)


def _worker_main(conn: Connection, memory_bytes: int) -> None:
    """The loop of one worker process: receive a call, run it, send the result back."""
    try:
        import resource

        if memory_bytes > 0:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ImportError, ValueError, OSError):
        pass
    from . import grader, validation

    functions: dict[str, Callable[..., Any]] = {
        "_run": _run_target,
        "grade": grader.grade,
        "grade_part": grader.grade_part,
        "validate": validation.validate,
        # diagnostics, to check that the limits work: sleep, and allocate memory
        "_sleep": lambda seconds: time.sleep(float(seconds)),
        "_allocate": lambda size: len(bytearray(int(size))),
    }
    try:
        grader.grade("x^2-1", "(x-1)*(x+1)")  # warm up SymPy's caches
    except Exception:  # noqa: BLE001 - a failed warm-up must not kill the worker
        pass
    try:
        conn.send(("ready", None))
    except (OSError, ValueError):
        return
    while True:
        try:
            name, args, kwargs = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            result: Any = ("ok", functions[name](*args, **kwargs))
        except MemoryError:
            result = ("limit", None)
        except RecursionError:
            result = ("limit", None)
        except Exception as exc:  # noqa: BLE001 - report, never crash the worker
            result = ("error", f"{type(exc).__name__}: {str(exc)[:200]}")
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False

    def wait_ready(self, seconds: float = 120.0) -> None:
        """Wait for the worker's start-up (imports and warm-up) to finish.

        :param seconds: how long to wait at most.
        :raises LimitHit: when the worker did not become ready.
        """
        if self.ready:
            return
        if not self.conn.poll(seconds):
            raise LimitHit
        status, _ = self.conn.recv()
        self.ready = status == "ready"
        if not self.ready:
            raise LimitHit


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class GradingPool:
    """A pool of pre-started grading workers with per-call time and memory limits.

    :param size: number of worker processes.
    :param timeout: seconds allowed per call.
    :param memory_bytes: address-space limit of each worker (``RLIMIT_AS``); 0 for none.
    """

    def __init__(
        self,
        size: int = DEFAULT_SIZE,
        timeout: float = DEFAULT_TIMEOUT,
        memory_bytes: int = DEFAULT_MEMORY,
    ):
        self.size = max(1, int(size))
        self.timeout = float(timeout)
        self.memory_bytes = int(memory_bytes)
        self._ctx = _context()
        if self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(["exam_engine.grading"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_worker_main,
            args=(child, self.memory_bytes),
            daemon=True,
            name="exam-engine-grader",
        )
        proc.start()
        child.close()
        worker = _Worker(proc, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        try:
            worker.process.kill()
            worker.process.join(timeout=2)
        except (OSError, ValueError, AttributeError):
            pass
        try:
            worker.conn.close()
        except OSError:
            pass
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``name`` (grade, grade_part, validate) in a worker under the limits.

        :param name: the function's name.
        :returns: its return value.
        :raises LimitHit: when the time or memory limit was hit.
        :raises RuntimeError: when the pool is closed or the call failed in the worker.
        """
        return self._call(self.timeout, name, args, kwargs)

    def run(self, target: str, *args: Any, timeout: float | None = None) -> Any:
        """Run another function of this application in a worker, under the memory limit and
        ``timeout`` seconds (the pool's own by default): for work on authors' input, such as
        drawing parameters or running author tests, that must not hang a web process.

        :param target: ``"exam_engine.module:function"``.
        :returns: its return value (it must be picklable).
        :raises LimitHit: when the time or memory limit was hit.
        :raises RuntimeError: when the call raised in the worker (the message names the error).
        """
        return self._call(self.timeout if timeout is None else timeout, "_run", (target, *args), {})

    def _call(
        self,
        timeout: float,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        wait: float | None = None,
    ) -> Any:
        worker = self._checkout(wait)
        healthy = False
        try:
            worker.wait_ready()
            worker.conn.send((name, args, kwargs))
            if not worker.conn.poll(timeout):
                raise LimitHit
            status, value = worker.conn.recv()
            healthy = status != "limit"  # a worker that ran out of memory is replaced
        except (EOFError, OSError, BrokenPipeError):
            raise LimitHit from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._discard(worker)
                if not self._closed:
                    self._idle.put(self._start())
        if status == "limit":
            raise LimitHit
        if status == "error":
            raise RuntimeError(value)
        return value

    def _checkout(self, wait: float | None = None) -> _Worker:
        """An idle, living worker (a worker found dead while idle is replaced first).

        :param wait: seconds to wait for one at most; None waits as long as it takes.
        :raises PoolBusy: when none was free within ``wait``.
        """
        give_up = None if wait is None else time.monotonic() + wait
        while True:
            if self._closed:
                raise RuntimeError("grading pool is closed")
            left = 0.5 if give_up is None else min(0.5, give_up - time.monotonic())
            try:
                worker = self._idle.get(timeout=max(0.0, left))
            except queue.Empty:
                if give_up is not None and time.monotonic() >= give_up:
                    raise PoolBusy from None
                continue
            if worker.process.is_alive():
                return worker
            self._discard(worker)
            if not self._closed:
                self._idle.put(self._start())

    def grade(
        self,
        student: str,
        teacher: str,
        test: str = "AlgEquiv",
        options: str | None = None,
        settings: PartSettings | None = None,
    ) -> GradeResult:
        """:func:`~.grader.grade` in a worker; a limit hit gives an error result.

        :param student: the candidate's answer.
        :param teacher: the answer key.
        :param test: the answer test.
        :param options: the test's options.
        :param settings: the part's settings.
        :returns: the result (``note="LIMIT"`` with ``error`` set when a limit was hit).
        """
        try:
            result: GradeResult = self.call("grade", student, teacher, test, options, settings)
            return result
        except LimitHit:
            return GradeResult(False, 0.0, M.LIMIT, "LIMIT", "", "")
        except RuntimeError:
            return GradeResult(False, 0.0, M.INTERNAL, "INTERNAL", "", "")

    def grade_part(
        self, response: str, rules: Sequence[Rule], settings: PartSettings
    ) -> GradeResult:
        """:func:`~.grader.grade_part` in a worker; a limit hit gives an error result.

        :param response: the candidate's answer.
        :param rules: the part's rules.
        :param settings: the part's settings.
        :returns: the result (``note="LIMIT"`` with ``error`` set when a limit was hit).
        """
        try:
            result: GradeResult = self.call("grade_part", response, list(rules), settings)
            return result
        except LimitHit:
            return GradeResult(False, 0.0, M.LIMIT, "LIMIT", "", "")
        except RuntimeError:
            return GradeResult(False, 0.0, M.INTERNAL, "INTERNAL", "", "")

    def validate(
        self, text: str, settings: PartSettings = DEFAULT_SETTINGS, wait: float | None = None
    ) -> Validation:
        """:func:`~.validation.validate` in a worker; a limit hit gives ``code="limit"``.

        :param text: the candidate's answer.
        :param settings: the part's settings.
        :param wait: seconds to wait for a free worker at most (None: as long as it takes).
        :returns: the validation.
        :raises PoolBusy: when no worker was free within ``wait``.
        """
        try:
            result: Validation = self._call(
                self.timeout, "validate", (text, settings), {}, wait=wait
            )
            return result
        except (LimitHit, RuntimeError):
            return Validation(False, "", M.LIMIT, {}, "limit")

    def pids(self) -> list[int]:
        """Process ids of the current workers (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker; the pool cannot be used afterwards."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w.conn.close()
            except OSError:
                pass
            w.process.terminate()
        for w in workers:
            w.process.join(timeout=2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=2)
        with self._lock:
            self._all.clear()

    def __enter__(self) -> GradingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_POOL: GradingPool | None = None
_POOL_LOCK = threading.Lock()


_SETTINGS: dict[str, Any] = {
    "size": DEFAULT_SIZE,
    "timeout": DEFAULT_TIMEOUT,
    "memory_bytes": DEFAULT_MEMORY,
}


def configure(
    size: int | None = None, timeout: float | None = None, memory_mb: int | None = None
) -> None:
    """Set the size and limits of the process-wide pool made by the next :func:`get_pool`.

    The app passes its configuration (``GRADER_WORKERS``, ``GRADER_TIMEOUT``,
    ``GRADER_MEMORY_MB``) here; nothing in this package reads the environment.
    """
    with _POOL_LOCK:
        if size is not None:
            _SETTINGS["size"] = int(size)
        if timeout is not None:
            _SETTINGS["timeout"] = float(timeout)
        if memory_mb is not None:
            _SETTINGS["memory_bytes"] = int(memory_mb) << 20


def get_pool() -> GradingPool:
    """The process-wide pool (created on first use, thread-safe, closed at exit), with the
    size and limits given to :func:`configure`.

    :returns: the pool.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL._closed:
            _POOL = GradingPool(**_SETTINGS)
        return _POOL


def close_pool() -> None:
    """Close the process-wide pool if it exists."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.close()
            _POOL = None


atexit.register(close_pool)
