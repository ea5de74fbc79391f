"""Sources from reference managers: BibTeX and CSL-JSON load like sources.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.content import load_brief
from briefgen.errors import BriefgenError

BIBTEX = """\
@report{water-report,
  author = {Author, A.},
  title = {Water and Power in the {Syr Darya} Basin},
  publisher = {Example Press},
  year = {2020}, month = may, day = {1},
}
@online{basin-note,
  title = {Basin Note},
  organization = {Example Agency},
  year = 2021,
  url = {https://example.org/basin-note},
  urldate = {2026-11-01},
}
"""

CSL = [
    {"id": "water-report", "type": "report", "title": "Water and Power in the Syr Darya Basin",
     "author": [{"family": "Author", "given": "A."}], "publisher": "Example Press",
     "issued": {"date-parts": [[2020, 5, 1]]}},
    {"id": "basin-note", "type": "webpage", "title": "Basin Note",
     "container-title": "Example Agency", "issued": {"date-parts": [[2021]]},
     "URL": "https://example.org/basin-note", "accessed": {"date-parts": [[2026, 11, 1]]}},
]


def _with_sources(mini: Path, name: str, text: str) -> Path:
    (mini / "sources.yaml").unlink()
    (mini / name).write_text(text, encoding="utf-8")
    return mini


@pytest.mark.parametrize("name", ["sources.bib", "sources.json"])
def test_reference_manager_exports_load_as_sources(mini: Path, name: str):
    text = BIBTEX if name.endswith(".bib") else json.dumps(CSL)
    sources = load_brief(_with_sources(mini, name, text)).brief.sources
    report, note = sources
    assert (report.id, report.title, report.author, report.publisher, str(report.date)) == (
        "water-report", "Water and Power in the Syr Darya Basin", "A. Author", "Example Press",
        "2020-05-01")
    assert (note.publisher, note.date, note.url, str(note.accessed), note.type) == (
        "Example Agency", 2021, "https://example.org/basin-note", "2026-11-01", "webpage")


def test_bibtex_syntax_error_is_located(mini: Path):
    broken = BIBTEX.replace("@online{basin-note,", "@online{basin-note,\n  title = {Unclosed,")
    with pytest.raises(BriefgenError) as caught:
        load_brief(_with_sources(mini, "sources.bib", broken))
    assert any(p.file == mini / "sources.bib" and p.line for p in caught.value.problems)


def test_csl_json_that_is_not_a_list_is_reported(mini: Path):
    with pytest.raises(BriefgenError) as caught:
        load_brief(_with_sources(mini, "sources.json", '{"id": "x"}'))
    assert "CSL-JSON must be a list" in str(caught.value)


def test_unknown_citation_against_bibtex_sources_names_the_line(mini: Path):
    _with_sources(mini, "sources.bib", BIBTEX.replace("basin-note", "other-note"))
    with pytest.raises(BriefgenError) as caught:
        load_brief(mini)
    (problem,) = caught.value.problems
    lines = (mini / "brief.md").read_text(encoding="utf-8").split("\n")
    assert "@basin-note" in lines[problem.line - 1] and problem.field == "analysis"
