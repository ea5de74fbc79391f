"""The installed `briefgen` command: a layout worker started before the command line is parsed,
claimed by the build, and a process that ends at once with all of its output printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen import cli, early, layout
from briefgen.entry import _may_lay_out


@pytest.mark.parametrize(("argv", "expected"), [
    (["build"], True),
    (["build", "content/x", "-s", "memo", "-f", "pdf"], True),
    (["--debug", "build", "-f", "html", "-f", "pdf"], True),
    (["watch", "-s", "standard"], True),
    (["build", "-f", "html"], False),
    (["build", "--format=docx"], False),
    (["build", "--format=pdf"], True),
    (["build", "--help"], False),
    (["validate", "content/x"], False),
    (["preview", "content/x"], False),
    (["preview", "content/x", "-s", "web"], False),
    (["preview", "content/x", "-s", "memo"], True),
    (["preview", "content/x", "--style=analyst"], True),
    (["preview", "content/x", "-s", "memo", "--html"], False),
    ([], False),
])
def test_the_entry_point_guesses_which_commands_lay_out_pdfs(argv: list[str], expected: bool):
    assert _may_lay_out(argv) is expected


def test_a_piped_build_prints_everything_before_the_process_ends(mini: Path, tmp_path: Path):
    """The process ends with os._exit, which runs no clean-up: what the command printed into
    a pipe, and the files it wrote, must be complete by then."""
    command = [sys.executable, "-c", "from briefgen.entry import main; main()",
               "build", str(mini), "-s", "memo", "-f", "pdf", "-f", "html",
               "-o", str(tmp_path / "out")]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "wrote 2 files for 1 brief" in finished.stdout
    assert (tmp_path / "out" / "mini" / "memo.pdf").read_bytes().startswith(b"%PDF-")


def test_a_failing_build_keeps_its_exit_code_and_its_message(tmp_path: Path):
    command = [sys.executable, "-c", "from briefgen.entry import main; main()",
               "build", str(tmp_path / "nowhere"), "-f", "pdf"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60,
                              cwd=tmp_path)
    assert finished.returncode == 1
    assert "nowhere" in finished.stderr and "Traceback" not in finished.stderr




class _RecordingPrepare:
    """A layout worker's preparation that notes which process laid out each document. An
    object of this module, not a closure: a worker started by a fork server (a test process
    that has drawn a chart) receives it pickled."""

    def __init__(self, record: Path) -> None:
        self.record = record

    def __call__(self):
        task = layout.prepare_layout_worker()

        def lay_out(request):
            with self.record.open("a", encoding="utf-8") as notes:
                notes.write(f"{os.getpid()}\n")
            return task(request)

        return lay_out


def test_the_build_lays_out_in_the_worker_started_before_it(
        mini: Path, tmp_path: Path):
    record = tmp_path / "laid-out-by"
    early.start_early_worker(_RecordingPrepare(record))
    started = early._early[0]._workers[0].process.pid
    try:
        code = cli.main(["build", str(mini), "-s", "memo", "-f", "pdf", "-j", "1",
                         "-o", str(tmp_path / "out")])
    finally:
        early.close_early_worker()
    assert code == 0
    assert record.read_text(encoding="utf-8").split() == [str(started)]
    assert not early._early  # claimed, and closed by the build
