"""The `memo` and `briefing-note` styles, read back from real PDFs as a reader sees them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.cli import main
from briefgen.content import load_brief
from briefgen.styles import StyleLibrary
from conftest import EXAMPLE, pdf_pages, pdf_text


def squash(text: str) -> str:
    """Text with whitespace and hyphens removed and quotes made plain, so line breaks (and
    hyphenation at them) and typographic quotes do not hide a phrase from `in`."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"[\s\u00ad\u2010\u2011-]", "", text)


def positioned_text(page) -> list[tuple[float, float, str]]:
    """(y, x, text) of every text run on a PDF page; y grows upwards."""
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((y, x, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def edge_texts(page, tolerance: float = 6.0) -> tuple[list[str], list[str]]:
    """The text runs on the topmost line of a page and those on its bottom line."""
    runs = positioned_text(page)
    top = max(y for y, _, _ in runs)
    bottom = min(y for y, _, _ in runs)
    return ([t for y, _, t in runs if y >= top - tolerance],
            [t for y, _, t in runs if y <= bottom + tolerance])


@pytest.fixture(scope="module")
def brief():
    return load_brief(EXAMPLE).brief


@pytest.fixture(scope="module")
def note_without_charts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's briefing note with its key figures but without its charts. The tests that
    read where text sits on the page need it: a chart's labels are drawn in a form XObject whose
    matrix pypdf's text positions leave out, so they would land anywhere."""
    import shutil

    import yaml

    folder = tmp_path_factory.mktemp("no-charts") / EXAMPLE.name
    shutil.copytree(EXAMPLE, folder)
    figures = yaml.safe_load((folder / "figures.yaml").read_text(encoding="utf-8"))
    (folder / "figures.yaml").write_text(yaml.safe_dump({"key_figures": figures["key_figures"]}),
                                         encoding="utf-8")
    brief = folder / "brief.md"
    brief.write_text(re.sub(r" ?\(@fig:[a-z-]+\)", "", brief.read_text(encoding="utf-8")),
                     encoding="utf-8")
    out = folder.parent / "out"
    assert main(["build", str(folder), "-s", "briefing-note", "-f", "pdf", "-o", str(out)]) == 0
    return out / EXAMPLE.name / "briefing-note.pdf"


# ---------- Both styles ----------


@pytest.mark.parametrize("name", ["memo", "briefing-note"])
def test_html_edition_is_self_contained_and_marks_the_classification(example_build: Path,
                                                                     brief, name: str):
    html = (example_build / f"{name}.html").read_text(encoding="utf-8")
    assert "<style>" in html and "<script" not in html
    assert not re.search(r'<link[^>]+rel="?stylesheet', html)
    assert html.count(f'<p class="marking marking-top">{brief.classification}</p>') == 1
    assert html.count(f'<p class="marking marking-bottom">{brief.classification}</p>') == 1


# ---------- memo ----------


def test_memo_settings_promise_one_page_and_only_what_it_shows():
    settings = StyleLibrary().get("memo").settings
    assert settings.budgets.max_pages == 1
    assert settings.show_extras is False
    assert settings.sections == ["key_messages", "recommendations"]


def test_memo_is_one_page_with_decision_and_every_recommendation(example_build: Path, brief):
    pdf = example_build / "memo.pdf"
    assert len(PdfReader(pdf).pages) == 1
    text = pdf_text(pdf)
    flat = squash(text)
    assert "Decision memo".casefold() in text.casefold()
    assert squash(brief.title) in flat
    assert brief.decision and squash(brief.decision) in flat
    for group in brief.recommendations:
        assert squash(group.title) in flat, group.title
    for message in brief.key_messages:  # the bottom line, without its citation markers
        first_words = re.sub(r"\[@[^\]]*\]", "", message).split()[:8]
        assert squash(" ".join(first_words)) in flat, message


def test_memo_leaves_out_the_analysis_and_lists_its_sources_on_one_line(example_build: Path,
                                                                         brief):
    text = pdf_text(example_build / "memo.pdf")
    flat = squash(text)
    for topic in brief.analysis:
        assert squash(topic.title or "") not in flat
    assert squash(brief.executive_summary.split(".")[0]) not in flat
    assert "sources:" in text.casefold()
    # Only the sources the memo's own text cites are listed; the rest stay in the full brief.
    html = (example_build / "memo.html").read_text(encoding="utf-8")
    listed = re.findall(r'<span class="source" id="ref-([^"]+)">', html)
    cited_in_memo = {c for c in re.findall(r'href="#ref-([^"]+)"', html)}
    assert listed and set(listed) == cited_in_memo


def test_memo_carries_the_classification_at_top_and_bottom(example_build: Path, brief):
    page = PdfReader(example_build / "memo.pdf").pages[0]
    top, bottom = edge_texts(page)
    assert brief.classification in top
    assert brief.classification in bottom


def test_overflowing_memo_fails_and_names_the_longest_sections(mini: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture):
    source = mini / "brief.md"
    anchor = "- A shared data platform is the cheapest first step.\n"
    text = source.read_text(encoding="utf-8")
    assert anchor in text
    padding = "".join(
        f"- Message {n}: upstream reservoirs, downstream harvests and the politics of seasonal "
        "releases interact in ways that no single ministry can manage alone, so the basin needs "
        "shared rules, shared data and a standing forum that meets before every season.\n"
        for n in range(1, 41)
    )
    source.write_text(text.replace(anchor, anchor + padding), encoding="utf-8")

    code = main(["build", str(mini), "--style", "memo", "--format", "pdf",
                 "--output", str(tmp_path / "out")])

    assert code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "over the style's limit of 1" in err
    assert "the longest sections are key_messages (" in err
    assert not (tmp_path / "out" / "mini" / "memo.pdf").exists()


# ---------- briefing note ----------


def test_every_briefing_note_page_is_marked_at_top_and_bottom(note_without_charts: Path,
                                                             brief):
    pdf = note_without_charts
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    for number, (page, text) in enumerate(zip(reader.pages, pdf_pages(pdf), strict=True), 1):
        top, bottom = edge_texts(page)
        assert brief.classification in top, (number, top)
        assert brief.classification in bottom, (number, bottom)
        assert text.count(brief.classification) >= 2, number
        assert f"Page {number} of {len(reader.pages)}" in text


def test_briefing_note_paragraphs_are_numbered_through_the_document(note_without_charts: Path,
                                                                    brief):
    reader = PdfReader(note_without_charts)
    numbers: list[int] = []
    for page in reader.pages:
        runs = positioned_text(page)
        left = min(x for _, x, _ in runs)  # the numbers hang flush with the page's left edge
        labels = [(y, x, t) for y, x, t in runs if re.fullmatch(r"\d+\.", t) and x < left + 1]
        labels.sort(key=lambda run: -run[0])  # top to bottom
        numbers += [int(t[:-1]) for _, _, t in labels]
    # 1, 2, 3 ... with no gap or restart, at least one per key message and recommendation.
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= len(brief.key_messages) + len(brief.recommendations) + 10


def test_briefing_note_top_block_and_points_to_make_before_background(example_build: Path,
                                                                      brief):
    text = pdf_text(example_build / "briefing-note.pdf")
    folded = text.casefold()
    assert "briefing note" in folded
    for value in (brief.number, brief.department, brief.organization):
        assert value and value in text, value
    assert "20 November 2026" in text
    assert squash(brief.decision or "") in squash(text)  # the issue
    assert folded.index("points to make") < folded.index("background")

    html = (example_build / "briefing-note.html").read_text(encoding="utf-8")
    order = [html.index(f">{heading}</h2>")
             for heading in ("Issue", "Points to make", "Summary", "Background", "Analysis",
                             "Recommendations", "Conclusion")]
    assert order == sorted(order)
    assert "Key Messages</h2>" not in html  # relabelled, not duplicated
