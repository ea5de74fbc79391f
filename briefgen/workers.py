"""Worker processes that build outputs, and that the build can stop from outside.

A time limit enforced only inside the process that runs the code can be caught by that code:
WeasyPrint catches every exception (BaseException too) while drawing an SVG, so an alarm raised
there became a warning and the output "succeeded" minutes later. So each output is built in a
worker process:

- inside it, an alarm raises `OutOfTime`, a `BaseException` that `except Exception` does not
  catch, and records that it went off, so an output whose code caught even that is still
  failed, never written;
- outside it, the parent waits with a deadline a little later; past it, the worker is killed
  (whatever it was doing, in Python or in C) and a fresh one takes the next output.

A worker that dies fails only its own output. Workers are forked, so they start with what the
parent has imported and set up (unless forking is unsafe: `start_method`), and each pays for
importing WeasyPrint once at most. A worker outlives no parent: one killed (SIGKILL, or a
terminal closed under it) cannot say goodbye, and its workers, each holding copies of the
others' pipes, would never see the end of their input; so on Linux the kernel kills each worker
when its parent ends (`_end_with_parent`), and everywhere each checks every
PARENT_CHECK_SECONDS while it waits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from .errors import BriefgenError

#: Seconds a worker gets after its alarm to stop by itself, before it is killed.
GRACE_SECONDS = 3.0
#: Seconds between a waiting worker's checks that its parent is still there.
PARENT_CHECK_SECONDS = 1.0

#: Builds one job in a worker: (job, *args) → a result that can be pickled back.
Task = Callable[..., Any]


class OutOfTime(BaseException):
    """Raised by the alarm. A BaseException, so the `except Exception` of libraries in
    between (WeasyPrint's SVG drawing) cannot turn it into a warning."""


@dataclass
class Timer:
    """Whether the alarm has gone off: code in between may have caught OutOfTime (WeasyPrint
    catches even BaseException around each SVG), so the caller asks afterwards too."""

    expired: bool = False


@contextmanager
def alarm(seconds: float) -> Iterator[Timer]:
    """Raise OutOfTime in the main thread after `seconds`, and again every second after (none
    for 0, or off the main thread, where signals do not arrive)."""
    timer = Timer()
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield timer
        return

    def expire(signum: int, frame: object) -> None:
        timer.expired = True
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield timer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    job: Any = None
    deadline: float = float("inf")
    #: Whether it has finished a job, and so is known to be past `prepare`.
    ready: bool = False


def _serve(connection: Connection, prepare: Callable[[], Task]) -> None:
    """A worker's life: prepare once (import WeasyPrint, load styles), then build each job
    sent until the parent says it is done, closes the pipe or is gone."""
    # Ctrl-C and a closed terminal reach every process of the terminal: the parent's to handle
    # (`briefgen watch` finishes the build under way, then stops its workers).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the handler a forked worker inherits
    parent = os.getppid()
    task = prepare()
    _end_with_parent(parent)
    while True:
        try:
            while not connection.poll(PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:  # the parent is done
            return
        try:
            result = task(*message)
        except Exception as error:  # a bug: report it against this output, keep serving
            result = BriefgenError(f"building it failed ({type(error).__name__}): {error}")
        connection.send(result)


#: prctl(2): the signal the kernel sends a process when its parent ends.
_PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this worker the moment its parent ends (Linux): a parent killed
    with SIGKILL, or stopped by a signal it does not handle, cannot say goodbye, and a worker
    busy with a job would otherwise run on and write its output into a build that has ended.
    Elsewhere only the checks while it waits apply."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # loaded already: WeasyPrint's libraries bring it

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)


def start_method() -> str:
    """How to start workers: forked, which is fast and keeps what the parent set up; but a
    process that has loaded vl-convert's JavaScript engine (a notebook that drew a chart, a
    test run) cannot be forked safely: its threads are not copied, and the first chart a forked
    worker draws waits for ever. Such a parent forks its workers from a fork server instead: a
    fresh interpreter, started once, that has imported briefgen and WeasyPrint but never drawn."""
    return "forkserver" if "vl_convert" in sys.modules else "fork"


def _context(method: str) -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["briefgen.build", "briefgen.pdf"])
    return context


class WorkerPool:
    """Up to `size` forked workers, each running `prepare()` once and then the task it
    returns for each job; every job is stopped `timeout` seconds after it started (or after
    the time given to `start`).

    `run` builds a list of jobs; `start`, `waitables` and `collect` let a caller drive several
    pools at once (a build's render and layout stages, see `wait_for_any`)."""

    def __init__(self, size: int, prepare: Callable[[], Task], timeout: float) -> None:
        self.size = size
        self.prepare = prepare
        self.timeout = timeout
        self._context = _context(start_method())
        self._workers: list[_Worker] = []

    def start_now(self, count: int | None = None) -> None:
        """Start `count` workers (all `size`) at once, so that each prepares (imports
        WeasyPrint) while the caller goes on with other work; `start` then finds them ready or
        nearly. The others start when a job needs them."""
        while len(self._workers) < min(self.size, self.size if count is None else count):
            self._spawn()

    def run(self, jobs: list[Any], args: tuple[Any, ...],
            finished: Callable[[Any, Any], None],
            expired: Callable[[Any], BriefgenError], keep_open: bool = False) -> None:
        """Build `jobs` in order with this pool alone, calling `finished(job, result)` as each
        ends; a job past its time gets `expired(job)` as its result, and a job whose worker
        died an error. (A build drives its two pools with `start` and `collect` instead.)

        With `keep_open` the workers stay alive, prepared, for the next `run`; the caller
        closes the pool. An interrupted run always closes it: its workers may be in the middle
        of a job."""
        queue = list(jobs)
        try:
            while queue or self.busy():
                while queue and self.has_room():
                    self.start(queue.pop(0), args)
                self.collect(wait_for_any([self]), finished, expired)
        except BaseException:
            self.close()
            raise
        if not keep_open:
            self.close()

    def close(self) -> None:
        """End every worker: those waiting for a job at once; one still preparing (started
        early by `start_now` for a build that then had nothing to lay out) is killed rather
        than waited for, since nothing it would make is wanted."""
        # An explicit goodbye: forked siblings hold copies of each pipe, so closing ours
        # would not reach the worker as the end of its input.
        for worker in self._workers:
            with contextlib.suppress(OSError):  # a worker that died has no pipe to say it to
                worker.connection.send(None)
            worker.connection.close()
        for worker in self._workers:
            worker.process.join(timeout=0 if not worker.ready else 1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._workers.clear()

    def busy(self) -> list[_Worker]:
        return [w for w in self._workers if w.job is not None]

    def has_room(self) -> bool:
        """Whether a job started now would run at once (in an idle worker or a new one)."""
        return len(self.busy()) < self.size

    def start(self, job: Any, args: tuple[Any, ...], timeout: float | None = None) -> None:
        """Send `job` to an idle worker (a new one if none is), to be stopped after `timeout`
        seconds (the pool's if None); the caller has checked `has_room`."""
        seconds = self.timeout if timeout is None else timeout
        worker = next((w for w in self._workers if w.job is None), None) or self._spawn()
        worker.job = job
        # The alarm inside fires at `seconds`; the kill from outside waits a little longer.
        worker.deadline = (time.monotonic() + seconds + GRACE_SECONDS
                           if seconds > 0 else float("inf"))
        # A worker that died while idle (killed, or its `prepare` failed: WeasyPrint without
        # Pango) has no pipe to send to. The job stays its job: `collect` finds the worker
        # dead and fails that job alone, as it fails the job of a worker that dies building.
        with contextlib.suppress(OSError):
            worker.connection.send((job, *args))

    def waitables(self) -> list[Any]:
        """What `multiprocessing.connection.wait` should watch: each busy worker's pipe (its
        result) and process sentinel (its death)."""
        return [handle for w in self.busy() for handle in (w.connection, w.process.sentinel)]

    def soonest_deadline(self) -> float:
        return min((w.deadline for w in self.busy()), default=float("inf"))

    def collect(self, ready: set[Any], finished: Callable[[Any, Any], None],
                expired: Callable[[Any], BriefgenError]) -> None:
        """Finish every busy worker that is in `ready` (from `wait_for_any`) or past its
        deadline (killed, its job given `expired(job)`)."""
        for worker in self.busy():
            if worker.connection in ready or worker.process.sentinel in ready:
                self._receive(worker, finished)
            elif time.monotonic() >= worker.deadline:
                job = worker.job
                self._retire(worker)
                finished(job, expired(job))

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child_end, self.prepare),
                                        daemon=True)
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.append(worker)
        return worker

    def _receive(self, worker: _Worker, finished: Callable[[Any, Any], None]) -> None:
        job = worker.job
        try:
            result = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=1)
            result = BriefgenError(
                f"the worker building it stopped (exit code {worker.process.exitcode})")
            self._retire(worker)
        else:
            worker.job, worker.deadline, worker.ready = None, float("inf"), True
        finished(job, result)

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.connection.close()
        self._workers.remove(worker)


def wait_for_any(pools: list[WorkerPool]) -> set[Any]:
    """Wait until a busy worker of any of `pools` has a result or has died, or the soonest
    deadline among them has passed; returns what is ready, for each pool's `collect`."""
    soonest = min(pool.soonest_deadline() for pool in pools)
    waiting = max(0.0, soonest - time.monotonic()) if soonest != float("inf") else None
    return set(wait([handle for pool in pools for handle in pool.waitables()],
                    timeout=waiting))
