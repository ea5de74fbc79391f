"""End to end: real PDFs and HTML built from content, read back as a reader would see them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.build import plan, run, select_latest
from briefgen.content import load_brief
from briefgen.styles import StyleLibrary
from conftest import EXAMPLE, MINI, pdf_text

GOLDEN = Path(__file__).resolve().parent / "golden"


def test_example_standard_pdf_holds_title_every_heading_and_recommendation(example_build: Path):
    brief = load_brief(EXAMPLE).brief
    text = pdf_text(example_build / "standard.pdf")
    assert brief.title in text
    for key in ("key_messages", "executive_summary", "introduction", "background", "analysis",
                "implications", "assessments", "recommendations", "conclusion"):
        # Small-caps labels (text-transform: uppercase) come back upper-cased.
        assert brief.heading(key).casefold() in text.casefold(), key
    for group in brief.recommendations:
        assert " ".join(group.title.split()) in text, group.title
    assert "Sources" in text


def test_standard_pdf_is_four_to_six_pages_with_page_x_of_y_footer(example_build: Path):
    reader = PdfReader(example_build / "standard.pdf")
    pages = len(reader.pages)
    assert 4 <= pages <= 6
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"Page {pages} of {pages}" in last
    second = " ".join(reader.pages[1].extract_text().split())
    assert "Balancing Between Giants" in second  # the running header


def test_pdf_metadata_comes_from_the_brief(example_build: Path):
    brief = load_brief(EXAMPLE).brief
    reader = PdfReader(example_build / "standard.pdf")
    info = reader.metadata
    assert info.title.startswith(brief.title)
    assert brief.authors[0].name in info.author
    assert info.creation_date.date() == brief.date
    assert reader.trailer["/Root"]["/Lang"] == brief.language


def test_kazakh_and_cyrillic_letters_are_embedded_with_real_glyphs(tmp_path: Path):
    out = tmp_path / "out"
    report = _build(MINI, out, styles=["standard"], formats=["pdf"])
    assert report.ok
    text = pdf_text(out / "mini" / "standard.pdf")
    assert "Қазақ тілі" in text and "кириллица" in text
    # Every font in the PDF is one of the bundled faces (Noto, named "Brief Serif/Sans" in the
    # styles), so no glyph fell back to a system font or a missing-glyph box.
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(out / "mini" / "standard.pdf").pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(name.startswith("Brief-") for name in fonts), fonts


def test_html_output_is_one_self_contained_file(example_build: Path):
    html = (example_build / "standard.html").read_text(encoding="utf-8")
    assert "<style>" in html
    assert not re.search(r'<link[^>]+rel="?stylesheet', html)
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://', 'href="X'))
    assert "<script" not in html


def test_golden_html_for_the_fixture_brief(tmp_path: Path):
    """The fixture brief renders to exactly the stored HTML (update: BRIEFGEN_UPDATE_GOLDEN=1)."""
    out = tmp_path / "out"
    assert _build(MINI, out, styles=["standard"], formats=["html"]).ok
    produced = (out / "mini" / "standard.html").read_text(encoding="utf-8")
    # The inlined stylesheet is the style's business, not the golden file's.
    produced = re.sub(r"<style>.*?</style>", "<style>…</style>", produced, flags=re.DOTALL)
    golden = GOLDEN / "mini-standard.html"
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


def test_markdown_image_pointing_outside_the_brief_never_reaches_the_pdf(
    mini: Path, tmp_path: Path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-4711", encoding="utf-8")
    brief = mini / "brief.md"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "Cooperation starts with data.",
            f"Cooperation starts with data.\n\n![secret]({secret})\n\n![passwd](/etc/passwd)\n\n"
            "![up](../secret.txt)\n\n![remote](http://127.0.0.1:9/x.png)",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = _build(mini, out, styles=["standard"], formats=["pdf", "html"])
    assert report.ok
    pdf = (out / "mini" / "standard.pdf").read_bytes()
    html = (out / "mini" / "standard.html").read_text(encoding="utf-8")
    assert b"TOP-SECRET" not in pdf and "TOP-SECRET" not in html
    assert b"root:x:0" not in pdf and "root:x:0" not in html
    assert "image not included" in pdf_text(out / "mini" / "standard.pdf")
    warnings = " ".join(w for output in report.outputs for w in output.warnings)
    assert "/etc/passwd" in warnings and "127.0.0.1" in warnings


def test_css_url_outside_the_allowed_folders_is_refused_with_a_warning(
    mini: Path, tmp_path: Path
):
    from briefgen.content import load_brief
    from briefgen.pdf import lay_out
    from briefgen.render import render_html

    library = StyleLibrary()
    rendered = render_html(load_brief(mini), library.get("standard"), library, "pdf")
    rendered.html = rendered.html.replace(
        "</head>", '<link rel="stylesheet" href="file:///etc/passwd"></head>'
    )
    laid_out = lay_out(rendered)
    assert any("/etc/passwd" in w for w in laid_out.warnings)
    assert b"root:x:0" not in laid_out.pdf_bytes()


def test_manifest_records_every_output_with_hash_and_pages(example_build: Path):
    manifest = json.loads((example_build.parent / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["path"]: e for e in manifest["outputs"]}
    entry = entries[f"{EXAMPLE.name}/standard.pdf"]
    assert entry["pages"] >= 4 and len(entry["sha256"]) == 64
    assert any(p.endswith("brief.md") for p in entry["inputs"])
    assert manifest["weasyprint"]


def test_latest_is_newest_by_date_then_version(tmp_path: Path, mini: Path):
    import shutil

    older = tmp_path / "older"
    shutil.copytree(mini, older)
    newer_version = tmp_path / "newer-version"
    shutil.copytree(mini, newer_version)
    path = newer_version / "brief.md"
    path.write_text(path.read_text().replace("version: 2", "version: 3"))
    path = older / "brief.md"
    path.write_text(path.read_text().replace("date: 2026-01-15", "date: 2025-12-31"))
    loaded = [load_brief(p) for p in (older, mini, newer_version)]
    assert [b.slug for b in select_latest(loaded)] == ["newer-version"]


def test_one_failing_output_does_not_stop_the_others(mini: Path, tmp_path: Path):
    out = tmp_path / "out"
    (out / "mini").mkdir(parents=True)
    # A house style whose one-page limit the PDF overflows, while its HTML is fine.
    (tmp_path / "styles" / "tight").mkdir(parents=True)
    (tmp_path / "styles" / "tight" / "style.yaml").write_text(
        "extends: standard\nbudgets:\n  max_pages: 1\n", encoding="utf-8")
    (out / "mini" / "tight.pdf").write_bytes(b"%PDF-earlier-good-output")
    library = StyleLibrary([tmp_path / "styles"])
    jobs = plan([load_brief(mini)], library, ["tight"], [], ["html", "pdf"])
    report = run(jobs, library, out)
    assert [o.job.format for o in report.outputs] == ["html"]
    assert len(report.failures) == 1 and "over the style's limit of 1" in str(report.failures[0][1])
    assert (out / "mini" / "tight.html").is_file()
    assert (out / "mini" / "tight.pdf").read_bytes() == b"%PDF-earlier-good-output"


def _build(brief_dir: Path, out: Path, styles: list[str], formats: list[str]):
    library = StyleLibrary()
    jobs = plan([load_brief(brief_dir)], library, styles, [], formats)  # type: ignore[arg-type]
    return run(jobs, library, out)


@pytest.fixture(autouse=True)
def _in_project_root(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


def test_pdfs_are_tagged_for_screen_readers(example_build: Path):
    root = PdfReader(example_build / "standard.pdf").trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]


def test_a_build_leaves_the_process_as_it_found_it(tmp_path: Path):
    """A notebook that builds a brief keeps its environment and its logging as they were."""
    import logging

    logger = logging.getLogger("weasyprint")
    environment, propagate = dict(os.environ), logger.propagate
    library = StyleLibrary()
    jobs = plan([load_brief(MINI)], library, ["memo"], [], ["pdf"])
    report = run(jobs, library, tmp_path, timeout=0)  # in this process
    assert report.ok and (tmp_path / "mini" / "memo.pdf").is_file()
    assert dict(os.environ) == environment and logger.propagate == propagate
