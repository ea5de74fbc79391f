"""`briefgen watch`, end to end: a real process on a copy of the fixture brief, edited as a writer
would edit it, its printed lines and its PDFs checked after each save.

The machine is shared (two cores, other tests in parallel under xdist), so every wait polls the
printed lines with a generous deadline instead of sleeping a fixed time.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.watch import Settler
from conftest import pdf_text

#: Seconds to wait for the first build (workers importing WeasyPrint on a busy machine) and for
#: any line after it.
TIMEOUT = 180.0
PDF_ARGS = ["-s", "memo", "-s", "standard", "-f", "pdf"]
#: A key judgment: the memo shows it (it shows recommendations by their titles only).
JUDGMENT = "A shared data platform is the cheapest first step."


class Watch:
    """A running `briefgen watch` and every line it has printed (stdout and stderr)."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefgen", "watch", *args], cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, encoding="utf-8", env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def mark(self) -> int:
        """Where the lines printed from now on start."""
        return len(self.lines)

    def wait_for(self, pattern: str, after: int = 0) -> int:
        """The index of the first line from `after` on that matches `pattern`; fails if none
        comes in time, or if the process ends first."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = next((i for i in range(after, len(self.lines))
                          if re.search(pattern, self.lines[i])), None)
            if found is not None:
                return found
            if self.process.poll() is not None and not self._reader.is_alive():
                pytest.fail(f"watch ended (exit {self.process.returncode}) before printing "
                            f"{pattern!r}:\n" + "\n".join(self.lines))
            if time.monotonic() > deadline:
                pytest.fail(f"no line matching {pattern!r} in {TIMEOUT:g} s:\n"
                            + "\n".join(self.lines))
            time.sleep(0.05)

    def since(self, start: int) -> list[str]:
        return self.lines[start:]

    def workers(self) -> set[int]:
        """The process ids of its worker processes."""
        pid = self.process.pid
        children: set[int] = set()
        for task in os.listdir(f"/proc/{pid}/task"):
            children |= {int(c) for c in
                         Path(f"/proc/{pid}/task/{task}/children").read_text().split()}
        return children

    def ended(self) -> int:
        """Its exit code, once it has ended and every line it printed is read."""
        code = self.process.wait(TIMEOUT)
        self._reader.join(TIMEOUT)
        return code

    def stop(self) -> int:
        """End it the way a user does (Ctrl-C); its exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.ended()


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Callable[..., Watch]]:
    """Starts `briefgen watch ARGS` in tmp_path and waits for its first build (unless not
    `ready`); kills whatever is left running at the end."""
    started: list[Watch] = []

    def start(*args: str, ready: bool = True) -> Watch:
        watch = Watch(list(args), tmp_path)
        started.append(watch)
        if ready:
            watch.wait_for(r"^watching \d+ files")
        return watch

    yield start
    for watch in started:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait(TIMEOUT)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def line(output: str, status: str) -> str:
    """The pattern of a rebuilt output's line: `✓ mini/memo.pdf: 1/1 page, 312 ms`."""
    return rf"^[✓!] mini/{re.escape(output)}: {status}, \d+ ms$"


def test_a_save_rebuilds_each_pdf_in_the_same_warm_workers(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    watch = watching(str(mini), *PDF_ARGS, "-o", str(out))
    first = "\n".join(watch.lines)
    assert re.search(line("memo.pdf", "1/1 page"), first, re.MULTILINE), first
    assert re.search(line("standard.pdf", r"\d/6 pages"), first, re.MULTILINE), first
    memo, standard = digest(out / "mini" / "memo.pdf"), digest(out / "mini" / "standard.pdf")
    workers = watch.workers()
    assert workers, "no worker process is kept"

    time.sleep(0.5)  # time enough for the polls to see a change if the first build left one
    assert not [x for x in watch.lines if x.startswith("changed")], "a change nobody made"
    start = watch.mark()
    edit(mini / "brief.md", JUDGMENT, "Shared data, audited every year, is the cheapest step.")
    watch.wait_for(r"^changed: mini/brief\.md$", start)
    watch.wait_for(line("memo.pdf", "1/1 page"), start)
    watch.wait_for(line("standard.pdf", r"\d/6 pages"), start)

    assert digest(out / "mini" / "memo.pdf") != memo
    assert digest(out / "mini" / "standard.pdf") != standard
    assert "audited every year" in pdf_text(out / "mini" / "memo.pdf")
    assert watch.workers() == workers, "the rebuild did not use the warm workers"
    assert watch.stop() == 0


def test_an_overflowing_memo_is_written_reported_and_the_watch_goes_on(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    watch = watching(str(mini), *PDF_ARGS, "-o", str(out))
    brief = mini / "brief.md"
    original = brief.read_text(encoding="utf-8")

    start = watch.mark()
    padding = "".join(f"- Judgment {n}: upstream releases and downstream harvests move together "
                      "in every season the record covers, and the data says so.\n"
                      for n in range(40))
    edit(brief, "- A shared data platform", padding + "- A shared data platform")
    over = watch.lines[watch.wait_for(line("memo.pdf", r"[2-9]/1 pages: \d over"), start)]
    pages = int(over.split(": ")[1][0])
    assert over.startswith("!") and f"{pages}/1 pages: {pages - 1} over" in over
    assert len(PdfReader(out / "mini" / "memo.pdf").pages) == pages  # written, as documented
    watch.wait_for(line("standard.pdf", r"\d/6 pages"), start)

    start = watch.mark()
    brief.write_text(original.replace(JUDGMENT, "Shared numbers help all."),
                     encoding="utf-8")
    back = watch.wait_for(line("memo.pdf", "1/1 page"), start)
    assert watch.lines[back].startswith("✓")
    assert len(PdfReader(out / "mini" / "memo.pdf").pages) == 1
    assert watch.stop() == 0


def test_broken_edits_print_located_errors_and_fixing_them_rebuilds(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    watch = watching(str(mini), *PDF_ARGS, "-o", str(out))
    brief = mini / "brief.md"
    memo = digest(out / "mini" / "memo.pdf")

    start = watch.mark()
    edit(brief, "title: Water Sharing", "title: [Water Sharing")
    watch.wait_for(r"^error .*mini/brief\.md:\d+: YAML syntax error", start)
    assert digest(out / "mini" / "memo.pdf") == memo, "the last good PDF was replaced"

    start = watch.mark()
    edit(brief, "title: [Water Sharing", "title: Water Shared")
    watch.wait_for(line("memo.pdf", "1/1 page"), start)

    start = watch.mark()
    edit(brief, "[@water-report]", "[@no-such-report]")
    watch.wait_for(r"^error .*mini/brief\.md:\d+ \(key_messages\): cites @no-such-report",
                   start)

    start = watch.mark()
    edit(brief, "[@no-such-report]", "[@basin-note]")
    watch.wait_for(line("memo.pdf", "1/1 page"), start)
    assert watch.process.poll() is None
    assert watch.stop() == 0


def test_a_style_edit_rebuilds_only_that_styles_output_and_a_template_error_is_located(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path) -> None:
    house = tmp_path / "styles" / "house"
    house.mkdir(parents=True)
    (house / "style.yaml").write_text("name: house\nextends: standard\nstylesheets: "
                                      "[house.css]\n", encoding="utf-8")
    (house / "house.css").write_text("h1 { color: #0f4c75; }\n", encoding="utf-8")
    out = tmp_path / "out"
    watch = watching(str(mini), "-s", "memo", "-s", "house", "-f", "pdf", "-o", str(out),
                     "--templates", str(tmp_path / "styles"))
    memo = digest(out / "mini" / "memo.pdf")

    start = watch.mark()
    (house / "house.css").write_text("h1 { color: #9a3412; }\n", encoding="utf-8")
    watch.wait_for(line("house.pdf", r"\d/6 pages"), start)
    # Then a save that rebuilds both: its "changed" line comes once the first rebuild is over.
    edit(mini / "brief.md", JUDGMENT, "The same numbers serve everyone.")
    second = watch.wait_for(r"^changed: .*brief\.md", start)
    watch.wait_for(line("memo.pdf", "1/1 page"), second)
    assert not [x for x in watch.lines[start:second] if "memo.pdf" in x], watch.lines[start:]
    assert digest(out / "mini" / "memo.pdf") != memo

    start = watch.mark()
    (house / "brief.html.j2").write_text('{% extends "standard/brief.html.j2" %}\n'
                                         "{% block title %}{{ brief.title }\n",
                                         encoding="utf-8")
    watch.wait_for(r"^error .*styles/house/brief\.html\.j2:\d+", start)

    start = watch.mark()
    (house / "brief.html.j2").unlink()
    watch.wait_for(r"^✓ mini/house\.pdf: \d/6 pages", start)
    assert watch.stop() == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_during_a_rebuild_lets_it_finish_then_stops_cleanly(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path, signum: int) -> None:
    out = tmp_path / "out"
    watch = watching(str(mini), *PDF_ARGS, "-o", str(out))
    workers = watch.workers()

    start = watch.mark()
    edit(mini / "brief.md", JUDGMENT, "Numbers everyone trusts come first.")
    watch.wait_for(r"^changed: ", start)
    watch.process.send_signal(signum)

    assert watch.ended() == 0, "\n".join(watch.lines)
    assert watch.lines[-1] == "stopped watching", watch.lines
    assert "Numbers everyone trusts come first" in pdf_text(out / "mini" / "memo.pdf")
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert digest(out / "mini" / "memo.pdf") in manifest, "the manifest misses the rebuild"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not [pid for pid in workers if _alive(pid)], "a worker outlived the watch"


def test_the_workers_of_a_killed_watch_end_by_themselves(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path) -> None:
    watch = watching(str(mini), *PDF_ARGS, "-o", str(tmp_path / "out"))
    workers = watch.workers()
    watch.process.kill()  # no handler runs: the workers are never told
    watch.ended()
    deadline = time.monotonic() + TIMEOUT
    while [pid for pid in workers if _alive(pid)]:
        if time.monotonic() > deadline:
            pytest.fail("the workers of a killed watch kept running")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie has ended; only its parent has yet to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_file_missing_for_a_moment_during_a_save_is_rebuilt_without_an_error(
        watching: Callable[..., Watch], mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    watch = watching(str(mini), "-s", "memo", "-f", "pdf", "-o", str(out))
    brief = mini / "brief.md"
    text = brief.read_text(encoding="utf-8").replace(JUDGMENT, "Numbers first.")

    start = watch.mark()
    brief.unlink()  # as an editor that deletes, then writes the file anew
    time.sleep(0.002)
    brief.write_text(text, encoding="utf-8")
    watch.wait_for(line("memo.pdf", "1/1 page"), start)
    assert not [x for x in watch.since(start) if x.startswith("error")], watch.since(start)
    assert watch.stop() == 0


def test_a_brief_folder_that_is_not_there_is_an_error_not_a_wait(
        watching: Callable[..., Watch], tmp_path: Path) -> None:
    watch = watching(str(tmp_path / "no-such-brief"), "-o", str(tmp_path / "out"), ready=False)
    assert watch.ended() == 1
    assert any("no-such-brief" in x and x.startswith("error") for x in watch.lines), watch.lines


def test_a_change_is_built_only_once_two_polls_agree_on_it() -> None:
    saved, empty, written = {"b": (1, 10, 7)}, {"b": (2, 0, 7)}, {"b": (3, 12, 7)}
    settler = Settler(saved)
    assert settler.poll(saved) is None and not settler.moving
    assert settler.poll(empty) is None and settler.moving  # the editor is half-way
    assert settler.poll(written) is None  # it moved again: not settled yet
    assert settler.poll(written) == written
    # A change that goes back to what was built is no change.
    settler = Settler(saved)
    assert settler.poll({}) is None
    assert settler.poll(saved) is None and not settler.moving
    assert settler.poll(saved) is None
