"""`briefgen check`: figures must trace to the sources they cite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.provenance import figures_in
from conftest import EXAMPLE

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(("claim", "source"), [
    ("80%", "about 80 percent of exports"),
    ("80 per cent", "80%"),
    ("$50 billion", "some 50 bn USD"),
    ("1,416 warheads", "1416 warheads"),
    ("US$300 million", "$300 million"),
    ("the 168th member", "168th"),
])
def test_equivalent_forms_of_a_figure_match(claim: str, source: str):
    found = {(f.value, f.kind) for f in figures_in(source)}
    claimed = figures_in(claim)
    assert claimed and found  # both sides hold a figure, so the check below checks something
    assert all(f.found_in(found) for f in claimed)


def test_different_figures_and_kinds_do_not_match():
    found = {(f.value, f.kind) for f in figures_in("80 percent, $50 million")}
    assert not figures_in("50 billion dollars")[0].found_in(found)
    assert not figures_in("81%")[0].found_in(found)
    assert figures_in("G20 and A4 paper") == []


@pytest.fixture
def sourced(tmp_path: Path) -> Path:
    folder = tmp_path / "sourced"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "report.txt").write_text(
        "Notes: 80 percent of oil crosses Russia; a $50 billion plan; 1416 warheads.\n",
        encoding="utf-8")
    (folder / "sources.yaml").write_text(
        "- id: report\n  title: Report\n  text: sources/report.txt\n"
        "- id: idle\n  title: Never cited\n", encoding="utf-8")
    (folder / "brief.md").write_text(
        "---\ntitle: T\ndate: 2026-01-01\n---\n"
        "# Executive Summary\n"
        "About 80% of oil crosses Russia [@report]. A $50 bn USD plan exists [@report].\n"
        "\n"
        "Kazakhstan gave up 1,416 warheads [@report]. It joined in 1992 with 57% support "
        "[@report].\n"
        "\n"
        "# Background\n"
        "Trade grew by 40% last year.\n",
        encoding="utf-8")
    return folder


def test_check_reports_unsupported_and_uncited_figures_and_unused_sources(sourced: Path):
    result = invoke("check", sourced)
    assert result.exit_code == 1
    output = result.output
    brief = sourced / "brief.md"
    assert f"error {brief}:8: '1992' is not in the text of @report" in output
    assert f"error {brief}:8: '57%' is not in the text of @report" in output
    assert f"warning {brief}:11: a claim with a figure (40%) cites no source" in output
    assert "source 'idle' is never cited" in output
    assert "80%" not in output and "1,416" not in output  # those trace to the text
    assert "2 errors, 2 warnings" in output


def test_warnings_alone_pass_unless_strict(sourced: Path):
    brief = sourced / "brief.md"
    brief.write_text(brief.read_text().replace(" It joined in 1992 with 57% support [@report].",
                                               ""), encoding="utf-8")
    assert invoke("check", sourced).exit_code == 0
    assert invoke("check", sourced, "--strict").exit_code == 1


def test_json_output_lists_every_finding(sourced: Path):
    result = invoke("check", sourced, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    codes = sorted(f["code"] for f in data["findings"])
    assert codes == ["uncited-figure", "unsupported-figure", "unsupported-figure",
                     "unused-source"]
    unsupported = next(f for f in data["findings"] if f["code"] == "unsupported-figure")
    assert unsupported["source_id"] == "report" and unsupported["line"] == 8
    assert "57%" in unsupported["sentence"]


def test_unknown_citation_fails_the_check_with_its_line(sourced: Path):
    brief = sourced / "brief.md"
    brief.write_text(brief.read_text().replace("[@report]. A $50", "[@ghost]. A $50"),
                     encoding="utf-8")
    result = invoke("check", sourced)
    assert result.exit_code == 1 and f"{brief}:6 (executive_summary)" in result.output


def test_the_example_brief_passes_strictly():
    result = invoke("check", EXAMPLE, "--strict")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
