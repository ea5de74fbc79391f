"""Resource limits: a runaway layout stops at the page limit with a clear error."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from briefgen.cli import app
from conftest import MINI

runner = CliRunner()


def test_a_one_millimetre_page_stops_at_the_page_limit(tmp_path: Path):
    style = tmp_path / "styles" / "tiny"
    style.mkdir(parents=True)
    (style / "style.yaml").write_text(
        'extends: standard\npage:\n  size: 1mm\n  margin: "0"\n', encoding="utf-8")
    result = runner.invoke(app, ["build", str(MINI), "-s", "tiny", "-f", "pdf", "--templates",
                                 str(tmp_path / "styles"), "-o", str(tmp_path / "out"),
                                 "--max-pages", "50"])
    assert result.exit_code == 1
    assert "runs past the limit of 50 pages; layout was stopped" in result.output
    assert "--max-pages" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "mini" / "tiny.pdf").exists()


def test_the_page_limit_leaves_normal_documents_alone(tmp_path: Path):
    result = runner.invoke(app, ["build", str(MINI), "-s", "standard", "-f", "pdf", "-o",
                                 str(tmp_path), "--max-pages", "2"])
    assert result.exit_code == 0, result.output
    pages = len(PdfReader(tmp_path / "mini" / "standard.pdf").pages)
    assert pages == 2 and "2 pages" in result.output  # at the limit, and built


def test_a_template_that_loops_for_ever_is_stopped_by_the_render_timeout(tmp_path: Path):
    style = tmp_path / "styles" / "loop"
    style.mkdir(parents=True)
    (style / "style.yaml").write_text("extends: standard\n", encoding="utf-8")
    (style / "brief.html.j2").write_text(
        '{% extends "standard/brief.html.j2" %}{% block colophon %}'
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
        "{% endblock %}", encoding="utf-8")
    result = runner.invoke(app, ["build", str(MINI), "-s", "loop", "-s", "memo", "-f", "html",
                                 "--templates", str(tmp_path / "styles"), "-o",
                                 str(tmp_path / "out"), "-j", "1", "--render-timeout", "1"])
    assert result.exit_code == 1
    assert "mini/loop.html took longer than 1 s to render; stopped" in result.output
    assert (tmp_path / "out" / "mini" / "memo.html").is_file()  # the other output is built
