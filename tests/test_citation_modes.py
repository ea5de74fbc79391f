"""Each citation display mode, in a real PDF read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from conftest import MINI, pdf_text

runner = CliRunner()


def build_in_mode(tmp_path: Path, mode: str) -> str:
    style = tmp_path / "styles" / f"cite-{mode}"
    style.mkdir(parents=True)
    (style / "style.yaml").write_text(f"extends: standard\ncitations: {mode}\n", "utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(MINI), "-s", f"cite-{mode}", "-f", "pdf",
                                 "--templates", str(tmp_path / "styles"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return pdf_text(out / "mini" / f"cite-{mode}.pdf")


def test_numbered_mode_numbers_sources_in_order_of_first_citation(tmp_path: Path):
    text = build_in_mode(tmp_path, "numbered")
    assert "downstream harvests1." in text and "since 19921 (p. 4)." in text
    # (pypdf reads list numbers apart from their items, so the entry is matched without it.)
    assert "Author, A. Water and Power in the Syr Darya Basin. Example Press, 1 May 2020." in text


def test_author_date_mode_cites_in_parentheses(tmp_path: Path):
    text = build_in_mode(tmp_path, "author-date")
    assert "since 1992 (Author 2020, p. 4)." in text
    assert "(Author 2020; Example Agency 2021)" in text


def test_endnotes_mode_lists_short_notes_then_a_bibliography(tmp_path: Path):
    text = build_in_mode(tmp_path, "endnotes")
    assert "Notes" in text
    assert "Author, Water and Power in the Syr Darya Basin, p. 4." in text
    assert "Author, A. Water and Power in the Syr Darya Basin." in text


@pytest.mark.parametrize("mode", ["footnotes"])
def test_footnotes_mode_puts_notes_at_the_page_foot(tmp_path: Path, mode: str):
    text = build_in_mode(tmp_path, mode)
    # The note text appears once per citation, in the page's footnote area, not inline.
    assert text.count("Water and Power in the Syr Darya Basin, p. 4.") == 1
    assert "Example Agency, “Basin Note.”" in text
