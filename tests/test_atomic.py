"""A build killed at any moment leaves the previous output or the new one, never half a file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, ROOT


@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4, 3.2])
def test_a_build_killed_mid_render_never_leaves_a_truncated_pdf(tmp_path: Path, delay: float):
    out = tmp_path / "out"
    target = out / EXAMPLE.name / "analyst.pdf"
    target.parent.mkdir(parents=True)
    previous = b"%PDF-1.7 previous good output\n%%EOF\n"
    target.write_bytes(previous)
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen.cli", "build", str(EXAMPLE), "-s", "analyst",
         "-f", "pdf", "-o", str(out), "-j", "1", "--force"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    data = target.read_bytes()
    if data != previous:  # the build got as far as renaming: then the new file is whole
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        assert len(PdfReader(target).pages) > 1
