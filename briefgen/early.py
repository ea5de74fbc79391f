"""The layout worker started before anything else: forked by the installed command
(`briefgen.entry`) before the command line is parsed, and claimed by the command that lays out
PDFs (`build`, `watch`, a print style's `preview`).

Kept apart from `briefgen.layout` so that forking it costs only the worker machinery
(`briefgen.workers`): every millisecond before the fork is one the user waits, since the
worker's import of WeasyPrint is what a one-PDF build waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .workers import WorkerPool

#: The pool of the early worker, until a command claims it.
_early: list[WorkerPool] = []


def may_lay_out(formats: list[str]) -> bool:
    """Whether a build asked for `formats` (none: each style's own) may make a PDF, so that
    starting a layout worker early can pay off."""
    return not formats or "pdf" in formats


def _prepare_layout_worker() -> Callable[..., Any]:
    """In the worker: what a layout worker does to prepare (importing WeasyPrint)."""
    from . import layout

    return layout.prepare_layout_worker()


def start_early_worker(prepare: Callable[[], Callable[..., Any]] = _prepare_layout_worker,
                       ) -> None:
    """Fork one layout worker now; `prepare` runs in it (tests give one that takes notes)."""
    pool = WorkerPool(1, prepare, timeout=0)
    pool.start_now()
    _early.append(pool)


def claim_early_worker(size: int) -> WorkerPool:
    """The early worker's pool, grown to `size` workers, or a new layout pool of `size` with
    one worker started now: the caller closes it."""
    if _early:
        pool = _early.pop()
        pool.size = size
    else:
        from .layout import layout_pool

        pool = layout_pool(size)
    pool.start_now(1)
    return pool


def close_early_worker() -> None:
    """End an early worker no command claimed (`--help`, an error before the build)."""
    while _early:
        _early.pop().close()
