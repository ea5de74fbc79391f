"""The worker pool stops what runs too long from outside, and a dying worker fails one output."""

from __future__ import annotations

import os
import signal
import time

import pytest

from briefgen import workers
from briefgen.errors import BriefgenError
from briefgen.workers import WorkerPool


def _prepare():
    def task(job: str) -> str:
        if job == "deaf":  # deaf to the alarm, like code stuck in C or catching everything
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        if job == "dies":
            os._exit(3)
        if job == "bug":
            raise ValueError("a bug")
        return f"built {job} in {os.getpid()}"

    return task


def _run(jobs: list[str], size: int = 1, timeout: float = 0.5) -> dict[str, object]:
    results: dict[str, object] = {}
    WorkerPool(size, _prepare, timeout).run(
        jobs, (), lambda job, result: results.setdefault(job, result),
        lambda job: BriefgenError(f"{job} took too long"))
    return results


def test_a_job_deaf_to_the_alarm_is_killed_from_outside(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(workers, "GRACE_SECONDS", 0.5)
    started = time.monotonic()
    results = _run(["deaf", "after"])
    assert time.monotonic() - started < 10
    assert str(results["deaf"]) == "deaf took too long"
    assert str(results["after"]).startswith("built after")  # a fresh worker took over


def test_a_dying_worker_fails_only_its_own_job():
    results = _run(["before", "dies", "after"], timeout=0)
    assert str(results["before"]).startswith("built before")
    assert isinstance(results["dies"], BriefgenError) and "exit code 3" in str(results["dies"])
    assert str(results["after"]).startswith("built after")


def test_a_bug_in_a_job_is_reported_and_the_worker_goes_on():
    results = _run(["bug", "next"], timeout=0)
    assert "ValueError" in str(results["bug"]) and "a bug" in str(results["bug"])
    pid_line = str(results["next"])
    assert pid_line.startswith("built next")


def test_jobs_run_in_parallel_and_the_workers_end():
    results = _run([f"job{i}" for i in range(6)], size=2, timeout=0)
    assert len({str(r).rpartition(" ")[2] for r in results.values()}) == 2
    assert not [c for c in __import__("multiprocessing").active_children()
                if c.name.startswith("Process")]
