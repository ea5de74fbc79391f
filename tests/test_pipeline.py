"""The two-stage build (render workers, layout workers, the early worker) and preview's page
view under attack: a worker that died while idle, a page image with no limit on its height, a
build ended by a signal, a template whose constant the compiler would compute for ever, a
document too long to hand on."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from test_hostile_styles import _use_bomb

from briefgen import build, page_preview
from briefgen.content import find_briefs, load_briefs
from briefgen.errors import BriefgenError
from briefgen.styles import StyleLibrary
from briefgen.workers import WorkerPool
from test_security import add_markdown

# --- a worker that died while idle fails the job sent to it, not the whole build --------------


def _prepare():
    def task(job: str) -> str:
        return f"built {job} in {os.getpid()}"

    return task


def _cannot_prepare():
    """A layout worker whose WeasyPrint cannot load (a missing Pango: the commonest broken
    install): it dies before it serves anything."""
    raise OSError("cannot load library 'libpango-1.0-0'")


def test_a_worker_killed_while_idle_fails_the_next_job_sent_to_it_and_no_more():
    """An idle worker may die (the OOM killer picks the biggest process: a layout worker with
    WeasyPrint loaded). The job sent to it next must fail alone, as a job whose worker died
    does, not raise BrokenPipeError out of the pool (in a build: every output lost, an
    'internal error'; in `briefgen watch`: 'cannot read it: Broken pipe' for the whole
    rebuild)."""
    pool = WorkerPool(1, _prepare, timeout=0)
    results: dict[str, object] = {}

    def finished(job: str, result: object) -> None:
        results[job] = result

    def expired(job: str) -> BriefgenError:
        return BriefgenError(f"{job} took too long")

    try:
        pool.run(["before"], (), finished, expired, keep_open=True)
        assert str(results["before"]).startswith("built before")
        worker = pool._workers[0].process
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(10)
        pool.run(["sent to the dead one"], (), finished, expired, keep_open=True)
        failed = results["sent to the dead one"]
        assert isinstance(failed, BriefgenError) and "stopped" in str(failed), failed
        pool.run(["after"], (), finished, expired, keep_open=True)
        assert str(results["after"]).startswith("built after")  # a fresh worker took over
    finally:
        pool.close()


def test_a_layout_worker_that_cannot_start_fails_the_pdfs_and_the_html_is_still_built(
        mini: Path, tmp_path: Path):
    library = StyleLibrary([])
    jobs = build.plan(load_briefs(find_briefs([mini])), library, ["memo"], [], ["pdf", "html"])
    layout = WorkerPool(1, _cannot_prepare, timeout=0)
    layout.start_now()  # as the installed command starts it, before anything is loaded
    layout._workers[0].process.join(30)  # dead before the first PDF is sent to it
    report = build.run(jobs, library, tmp_path / "out", workers=1, timeout=60, layout=layout)
    assert [output.path.name for output in report.outputs] == ["memo.html"]
    (job, error), = report.failures
    assert job.format == "pdf" and "stopped" in str(error), error


# --- a page image is held to a number of pixels, however tall the page ------------------------


def _one_page_pdf(width: float, height: float) -> bytes:
    document = pdfium.PdfDocument.new()
    document.new_page(width, height)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def test_a_tall_page_is_rendered_within_a_pixel_budget():
    """A user stylesheet may set any page size (`@page { size: 100mm 100000mm }` makes a PDF
    WeasyPrint writes happily); MAX_PAGE_PIXELS capped only the width, so such a page rendered
    at 2x: 567 × 566,929 pixels, 2.2 GB of memory in the preview process, and a taller one
    tens of gigabytes. Here a 100 mm × 10 m page: at 2x, 32 million pixels."""
    data = _one_page_pdf(283.46, 28346.46)
    with page_preview._PDFIUM:
        png = page_preview._render(data, 0)
    width, height = Image.open(io.BytesIO(png)).size
    assert width * height <= 5_000_000, (width, height)  # an A3 page at 2x is 4.0 M
    assert 20 < height / width < 200  # the page's shape is kept


def test_ordinary_pages_keep_their_resolution():
    for width, height in ((595.28, 841.89), (612, 792), (841.89, 1190.55), (841.89, 595.28)):
        with page_preview._PDFIUM:
            png = page_preview._render(_one_page_pdf(width, height), 0)
        shown = Image.open(io.BytesIO(png)).size
        assert abs(shown[0] - 2 * width) <= 2 and abs(shown[1] - 2 * height) <= 2, shown


# --- the processes a build leaves behind ----------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for a parent that may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize(("stop", "exit_code"), [(signal.SIGTERM, 130), (signal.SIGKILL, -9)])
def test_a_build_ended_by_a_signal_leaves_no_worker_running(mini: Path, tmp_path: Path,
                                                           stop: int, exit_code: int):
    """SIGTERM (a CI job cancelled, `timeout`, systemd) ends the build as Ctrl-C does; SIGKILL
    ends the parent alone, and the kernel then ends its workers. A worker checked for its
    parent only while it waited, so one laying out a slow PDF ran on, for up to
    --render-timeout (for ever with 0), and then wrote the PDF into the output folder of a
    build that was stopped, with no manifest entry."""
    (mini / "bomb.svg").write_text(_use_bomb(levels=5), encoding="utf-8")  # ~20 s to draw
    add_markdown(mini, "![a map](bomb.svg)")
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from briefgen.entry import main; main()", "build",
               str(mini), "-s", "standard", "-f", "pdf", "-j", "1", "-o", str(out)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (len(_children(process.pid)) >= 2 or time.monotonic() > deadline):
            time.sleep(0.2)  # the early layout worker and the render worker
        time.sleep(3)  # the document is rendered and being laid out
        workers = _children(process.pid)
        process.send_signal(stop)
        assert process.wait(30) == exit_code
        time.sleep(2)  # a worker waiting for a job notices within PARENT_CHECK_SECONDS
        left = [pid for pid in workers if _running(pid)]
        assert left == [], f"workers still running after the build ended: {left}"
    finally:
        for pid in _children(process.pid) if process.poll() is None else []:
            os.kill(pid, signal.SIGKILL)
        for pid in workers if "workers" in locals() else []:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        process.kill()
    assert not (out / "mini" / "standard.pdf").exists()


def test_a_build_ended_by_sigterm_records_what_it_made_and_leaves_nothing_half_written(
        mini: Path, tmp_path: Path):
    """The memo's HTML is made while the standard PDF (a drawing that takes long) is laid out;
    SIGTERM then: the HTML is in the manifest, the PDF and its temporary file are not there."""
    (mini / "bomb.svg").write_text(_use_bomb(levels=5), encoding="utf-8")
    add_markdown(mini, "![a map](bomb.svg)")
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from briefgen.entry import main; main()", "build",
               str(mini), "-s", "standard", "-s", "memo", "-f", "pdf", "-f", "html", "-j", "2",
               "-o", str(out)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not ((out / "mini" / "memo.html").exists() or time.monotonic() > deadline):
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 130
    finally:
        process.kill()
    listed = [entry["path"] for entry in json.loads((out / "manifest.json").read_text())
              ["outputs"]]
    assert "mini/memo.html" in listed and "mini/standard.pdf" not in listed
    assert not (out / "mini" / "standard.pdf").exists()
    assert not list((out / "mini").glob(".*.tmp"))


# --- the parent only parses templates: what Jinja folds while compiling, a worker does ------


def _build_in_style_whose_colophon_is(mini: Path, tmp_path: Path, expression: str,
                                     *options: str) -> list[str]:
    """The installed command building the fixture in a style of the standard's whose
    colophon prints `expression`."""
    style = tmp_path / "styles" / "hostile"
    style.mkdir(parents=True)
    (style / "style.yaml").write_text("extends: standard\n", encoding="utf-8")
    (style / "brief.html.j2").write_text(
        '{% extends "standard/brief.html.j2" %}{% block colophon %}' + expression
        + "{% endblock %}", encoding="utf-8")
    return [sys.executable, "-c", "from briefgen.entry import main; main()", "build",
            str(mini), "-s", "hostile", "-t", str(tmp_path / "styles"),
            "-o", str(tmp_path / "out"), *options]


def test_a_template_whose_constant_takes_for_ever_is_held_to_the_time_limit(
        mini: Path, tmp_path: Path):
    """`{{ 7 ** (9 ** 10) }}` is a constant to Jinja's compiler, which computed it while
    `plan` checked the template, in the briefgen process itself: --render-timeout never
    applied, and the build hung (and `'x' * 10 ** 10` allocated there, not in a worker).
    The build only parses the template now; a render worker compiles it."""
    command = _build_in_style_whose_colophon_is(mini, tmp_path, "{{ 7 ** (9 ** 10) }}",
                                                "-f", "html", "-j", "2",
                                                "--render-timeout", "1")
    try:
        finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                                  timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the build was still compiling the template after 20 s "
                    "(--render-timeout 1)")
    assert finished.returncode == 1
    assert "took longer than 1 s to render" in finished.stderr, finished.stderr


def test_a_document_too_long_to_hand_on_is_refused_in_its_render_worker(
        mini: Path, tmp_path: Path):
    """What a render worker makes for layout passes through the build's own process: a
    template that writes hundreds of megabytes must fail its output there, not fill it."""
    command = _build_in_style_whose_colophon_is(mini, tmp_path, '{{ "x" * 30000000 }}',
                                                "-f", "pdf")
    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
    assert finished.returncode == 1
    assert "characters of HTML, over the limit of 20,000,000" in finished.stderr, (
        finished.stderr)
    assert "hostile/brief.html.j2" in finished.stderr
