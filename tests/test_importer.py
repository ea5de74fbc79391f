"""`import_brief`: existing plain-text and Markdown briefs become content folders that build,
with every sentence of the input kept and every change reported."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from briefgen.cli import main
from briefgen.content import load_brief
from briefgen.errors import BriefgenError
from briefgen.importer import FURNITURE_RULES, ImportReport, import_brief
from briefgen.markdown import plain_text
from briefgen.model import Brief
from briefgen.sections import MAX_LIST_DEPTH
from conftest import FIXTURES, ROOT, pdf_pages

IMPORTS = FIXTURES / "import"
PLAIN = IMPORTS / "marren-basin.txt"
MARKDOWN = IMPORTS / "harbour-resilience.md"
UNTITLED = IMPORTS / "tarrow-grid.txt"
CONTENT_FORMAT = IMPORTS / "content-format.md"
SECTION_FIELDS = {"key_messages", "executive_summary", "introduction", "background", "analysis",
                  "implications", "assessments", "recommendations", "conclusion", "extras",
                  "headings"}
TODAY = dt.date(2026, 3, 2)
DETAIL_LABELS = {"likelihood", "probability", "priority", "owner", "lead", "responsible",
                 "timeframe", "timeline"}


def squash(text: str) -> str:
    """Case, whitespace, hyphens and dashes removed and quotes made plain, so line breaks,
    hyphenation, small capitals and the typographer's quotes and dashes hide no phrase."""
    text = text.casefold()
    for fancy, plain in (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("…", "...")):
        text = text.replace(fancy, plain)
    return re.sub(r"[\s\u00ad\u2010\u2011\u2013\u2014-]", "", text)


def fragments(source: Path, dropped: list[tuple[int, str, str]]) -> list[str]:
    """Every sentence and list item of an input file, without list, heading and emphasis marks.

    Pieces are cut at sentence ends and at "Title:" leads, whose punctuation a style may change
    ("**Title:** text" prints as "Title. text"), and lose their final `.`, `:` or `;`. The label
    of a detail line ("Likelihood: likely") names a field, which styles show their own way, so
    only its value is a piece.
    """
    skip = {line for line, _, _ in dropped}
    pieces: list[str] = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"^\s*(#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+)", "", line)
        line = line.replace("*", "").strip()
        if number in skip or not line or re.fullmatch(r"[-=_\s]+", line):
            continue
        for piece in re.split(r"(?<=[.!?:])\s+", line):
            piece = piece.strip().rstrip(".:;")
            if piece and piece.lower() not in DETAIL_LABELS:
                pieces.append(piece)
    return pieces


def missing_from(text: str, pieces: list[str]) -> list[str]:
    haystack = squash(text)
    return [piece for piece in pieces if squash(piece) not in haystack]


def brief_text(brief: Brief) -> str:
    """Every word a loaded brief holds: front matter, headings and each section's text."""
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    data = brief.model_dump(exclude={"date", "sources", "version", "language"})
    return " ".join(plain_text(text) for text in strings(data))


def pdf_body(pdf: Path, title: str) -> str:
    """The PDF's text without the running footer, so a sentence crossing a page reads whole."""
    footer = re.compile(rf"({re.escape(title)} )?PUBLIC Page \d+ of \d+\s*$")
    return " ".join(footer.sub("", page).replace("•", " ") for page in pdf_pages(pdf))


def build_standard(folder: Path, out: Path) -> Path:
    assert main(["build", str(folder), "-s", "standard", "-f", "pdf", "-o", str(out)]) == 0
    return out / folder.name / "standard.pdf"


def import_text(tmp_path: Path, name: str, text: str) -> tuple[ImportReport, Brief]:
    """Import `text`, written to `tmp_path/name`: the report and the brief loaded from it."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    report = import_brief(source, tmp_path / "content", today=TODAY)
    return report, load_brief(report.folder).brief


@pytest.fixture
def plain_import(tmp_path: Path) -> ImportReport:
    return import_brief(PLAIN, tmp_path / "content", today=TODAY)


@pytest.fixture
def markdown_import(tmp_path: Path) -> ImportReport:
    return import_brief(MARKDOWN, tmp_path / "content", today=TODAY)


# --- every sentence kept ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "least"), [(PLAIN, 40), (MARKDOWN, 30)])
def test_the_import_builds_and_every_sentence_reaches_brief_md_and_the_pdf(
        source: Path, least: int, tmp_path: Path):
    report = import_brief(source, tmp_path / "content", today=TODAY)
    brief = load_brief(report.folder).brief
    pdf = build_standard(report.folder, tmp_path / "out")
    pieces = fragments(source, report.dropped)
    assert len(pieces) > least
    assert missing_from(pdf_body(pdf, brief.title), pieces) == []
    assert missing_from((report.folder / "brief.md").read_text(encoding="utf-8"), pieces) == []


# --- plain text with group lines ----------------------------------------------------------------


def test_plain_text_groups_become_findings_scenarios_and_recommendations(plain_import):
    brief = load_brief(plain_import.folder).brief
    assert plain_import.folder.name == "groundwater-allocation-in-the-marren-basin"
    assert brief.title == "Groundwater Allocation in the Marren Basin"
    assert [t.title for t in brief.analysis] == [
        "Agricultural Demand", "Urban Growth", "Industrial Claims"]
    assert brief.analysis[0].points[1].startswith("Drip irrigation has spread slowly")
    assert [t.title for t in brief.implications] == ["Rising Pumping Costs", "Legal Exposure"]
    crisis = brief.assessments[1]
    assert (crisis.title, crisis.likelihood, crisis.indicators) == ("Crisis Rationing", None, [])
    assert crisis.body.startswith("A drought year forces emergency cuts")
    meter, reissue = brief.recommendations
    assert meter.title == "Meter and Measure"
    assert [(a.title, a.text[:20]) for a in reissue.actions] == [
        ("Phased Cuts", "Reduce every permit "), ("Hardship Fund", "Help small farms con")]
    assert brief.headings["analysis"] == "Strategic Analysis"


def test_plain_text_report_lists_sections_moves_drops_and_todos(plain_import):
    assert plain_import.sections == [
        ("Executive Summary", "executive_summary", 2), ("Introduction", "introduction", 4),
        ("Background", "background", 6), ("Strategic Analysis", "analysis", 8),
        ("Strategic Implications", "implications", 16),
        ("Strategic Assessments", "assessments", 21), ("Recommendations", "recommendations", 26),
        ("Conclusion", "conclusion", 33),
    ]
    assert plain_import.dropped == [
        (35, "Share this", "share-button"),
        (36, "Read also: Ten facts about aquifers", "related-link"),
        (37, "Leave a Reply", "comment-form"),
    ]
    moved = "\n".join(plain_import.moved)
    assert "line 9: the group line 'Agricultural Demand' became the finding" in moved
    assert "line 24: the group line 'Crisis Rationing' became the scenario" in moved
    assert "no likelihood was given" in moved
    assert "line 30: the group line 'Reissue the Permits' became the recommendation" in moved
    assert plain_import.todo == ["date", "authors"]


def test_unknown_metadata_is_written_as_todo_not_guessed(plain_import):
    text = (plain_import.folder / "brief.md").read_text(encoding="utf-8")
    assert "date: 2026-03-02  # TODO: set the brief's real date" in text
    assert 'name: "TODO: author"' in text
    brief = load_brief(plain_import.folder).brief
    assert brief.date == TODAY and brief.authors[0].name == "TODO: author"
    assert brief.sources == []
    assert "[]" in (plain_import.folder / "sources.yaml").read_text(encoding="utf-8")


# --- Markdown with non-standard headings --------------------------------------------------------


def test_markdown_headings_of_any_depth_find_their_sections(markdown_import):
    brief = load_brief(markdown_import.folder).brief
    assert brief.title == "Harbour Resilience after the Storm Season"
    assert brief.subtitle == "A fictional brief for testing the importer"
    assert brief.headings["key_messages"] == "1. Bottom Line"
    assert len(brief.key_messages) == 2
    assert [t.title for t in brief.analysis] == ["Freight has not come back"]
    assert "### Why the rival port gained" in brief.analysis[0].body
    assert [t.title for t in brief.implications] == ["Insurance costs will rise",
                                                     "Jobs move inland"]
    recovery = brief.assessments[0]
    assert (recovery.likelihood, len(recovery.indicators)) == ("likely", 2)
    titles = [g.title for g in brief.recommendations]
    assert titles[:2] == ["Harden the two exposed berths", "Create a dredging reserve"]
    assert titles[2].startswith("Review the harbour authority's charter")
    assert brief.recommendations[0].rationale.startswith("Raising the quay walls")
    assert brief.recommendations[1].actions[0].title == "Set a trigger"
    assert [(e.title, e.after) for e in brief.extras] == [("Annex: Methodology",
                                                           "recommendations")]


def test_markdown_report_names_promoted_and_extra_sections(markdown_import):
    sections = markdown_import.sections
    assert ("1. Bottom Line", "key_messages", 5) in sections
    assert ("Strategic Implications", "implications", 29) in sections
    assert ("Policy Recommendations", "recommendations", 56) in sections
    assert sections[-1] == ("Annex: Methodology", "extra:annex-methodology", 63)
    moved = markdown_import.moved
    assert moved[0] == "line 3: the line under the title became the subtitle"
    assert any(m.startswith("line 29: the level-3 heading 'Strategic Implications'")
               for m in moved)
    assert any(m.startswith("line 58: the list item became the recommendation 'Harden")
               for m in moved)
    assert [(line, rule) for line, _, rule in markdown_import.dropped] == [
        (69, "share-button"), (71, "related-link")]


# --- plain text without a title line, numbered groups and page furniture ------------------------


def test_untitled_plain_text_imports_with_every_sentence_in_the_loaded_brief(tmp_path: Path):
    report = import_brief(UNTITLED, tmp_path, today=TODAY)
    brief = load_brief(report.folder).brief
    pieces = fragments(UNTITLED, report.dropped)
    assert len(pieces) > 60
    assert missing_from(brief_text(brief), pieces) == []
    assert report.dropped == [(51, "Read 2,417 times", "view-counter"),
                              (52, "Share this", "share-button"),
                              (53, "Leave a Reply", "comment-form")]
    assert report.todo == ["title", "date", "authors"]  # its first line is a section name
    assert brief.title == "TODO: title of the brief"
    assert [k for _, k, _ in report.sections] == [
        "executive_summary", "introduction", "background", "analysis", "implications",
        "assessments", "recommendations", "conclusion"]
    assert len(brief.analysis) == 4 and len(brief.recommendations) == 4
    assert brief.recommendations[0].title == "Build Local Generation"  # not "1. Build…"
    assert all(len(group.actions) == 3 and all(a.title for a in group.actions)
               for group in brief.recommendations)
    assert all(s.likelihood is None and s.body for s in brief.assessments)


# --- one grammar: what the importer writes, the loader reads the same way -----------------------


def test_an_underscore_bold_action_keeps_its_title(tmp_path: Path):
    _, brief = import_text(tmp_path, "meters.md",
                           "# Summary\n\nThe wells are not metered.\n\n# Recommendations\n\n"
                           "## Meter the wells\n\n- __Install:__ meters\n")
    action = brief.recommendations[0].actions[0]
    assert (action.title, action.text) == ("Install", "meters")


@pytest.mark.parametrize(
    ("lead", "title", "text"),
    [
        ("**Install:** meters", "Install", "meters"),
        ("__Install:__ meters", "Install", "meters"),
        ("**Install.** meters", "Install", "meters"),
        ("__Install__: meters", "Install", "meters"),
        ("**Fit e_meters:** now", "Fit e_meters", "now"),
    ],
)
def test_a_lead_is_read_the_same_by_the_importer_and_the_loader(tmp_path: Path, lead: str,
                                                                 title: str, text: str):
    """The loader reads the lead of an action under a `##` group; the importer reads the lead
    of a loose item, which it makes a recommendation of its own. Both find the same title."""
    grouped = tmp_path / "grouped.md"
    grouped.write_text(f"# Summary\n\nS.\n\n# Recommendations\n\n## Wells\n\n- {lead}\n",
                       encoding="utf-8")
    loose = tmp_path / "loose.md"
    loose.write_text(f"# Summary\n\nS.\n\n# Recommendations\n\n- {lead}\n", encoding="utf-8")
    action = load_brief(import_brief(grouped, tmp_path / "a", today=TODAY).folder).brief
    group = load_brief(import_brief(loose, tmp_path / "b", today=TODAY).folder).brief
    assert (action.recommendations[0].actions[0].title,
            action.recommendations[0].actions[0].text) == (title, text)
    assert (group.recommendations[0].title, group.recommendations[0].rationale) == (title, text)


def test_a_brief_already_in_the_content_format_imports_to_the_same_structure(tmp_path: Path):
    """Loaded as it is, and imported then loaded, the same body gives the same sections."""
    body = CONTENT_FORMAT.read_text(encoding="utf-8")
    as_is = tmp_path / "as-is"
    as_is.mkdir()
    (as_is / "brief.md").write_text('---\ntitle: "Ferries"\ndate: 2026-03-02\nauthors:\n'
                                    '  - name: "A. Author"\n---\n' + body, encoding="utf-8")
    (as_is / "sources.yaml").write_text("[]\n", encoding="utf-8")
    loaded = load_brief(as_is).brief
    imported = load_brief(import_brief(CONTENT_FORMAT, tmp_path / "content",
                                       today=TODAY).folder).brief
    assert [g.title for g in loaded.recommendations][:3] == [
        "Retime the sailings", "Replace the engines", "Merge the quiet routes"]
    assert imported.model_dump(include=SECTION_FIELDS) == loaded.model_dump(
        include=SECTION_FIELDS)


# --- safety: never overwrite, clear errors ------------------------------------------------------


def test_refuses_to_overwrite_an_existing_folder(plain_import, tmp_path: Path):
    before = (plain_import.folder / "brief.md").read_bytes()
    with pytest.raises(BriefgenError) as error:
        import_brief(PLAIN, tmp_path / "content", today=TODAY)
    assert error.value.problems[0].file == plain_import.folder
    assert "never overwrites" in str(error.value)
    assert (plain_import.folder / "brief.md").read_bytes() == before


def test_default_folder_is_content_slug_and_a_slug_can_be_given(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert import_brief(PLAIN, today=TODAY).folder == Path("content") / (
        "groundwater-allocation-in-the-marren-basin")
    assert import_brief(PLAIN, slug="marren", today=TODAY).folder == Path("content/marren")
    with pytest.raises(BriefgenError, match="not a usable folder name"):
        import_brief(PLAIN, slug="Marren Basin")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"  \n\n\t\n", "the file is empty"),
        (b"%PDF-1.7\n\x00\x01\x02binary", "binary"),
        (b"Title\n\xff\xfe caf\xe9\n", "not valid UTF-8"),
        (b"Leave a Reply\nShare this\n", "every line is page furniture"),
    ],
)
def test_bad_input_is_an_error_naming_the_file(tmp_path: Path, content: bytes | None,
                                               message: str):
    source = tmp_path / "input.txt"
    if content is not None:
        source.write_bytes(content)
    with pytest.raises(BriefgenError, match=message) as error:
        import_brief(source, tmp_path / "content")
    assert error.value.problems[0].file == source
    assert not (tmp_path / "content").exists()


def test_a_folder_is_not_an_input(tmp_path: Path):
    with pytest.raises(BriefgenError, match="folder") as error:
        import_brief(tmp_path, tmp_path / "content")
    assert error.value.problems[0].file == tmp_path


def test_byte_order_mark_and_windows_line_endings_are_read(tmp_path: Path):
    source = tmp_path / "crlf.txt"
    text = "Wells and Pumps\nSummary\nThe wells run dry in August.\nLeave a Reply\n"
    source.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    report = import_brief(source, tmp_path / "content", today=TODAY)
    brief = load_brief(report.folder).brief
    assert (brief.title, brief.executive_summary) == ("Wells and Pumps",
                                                      "The wells run dry in August.")
    assert report.dropped == [(4, "Leave a Reply", "comment-form")]


# --- page furniture -----------------------------------------------------------------------------


def test_every_furniture_rule_is_named_and_explained():
    names = [rule.name for rule in FURNITURE_RULES]
    assert len(names) == len(set(names))
    assert all(len(rule.why) > 20 for rule in FURNITURE_RULES)


def test_furniture_is_dropped_only_as_a_whole_short_line(tmp_path: Path):
    kept = [
        "Ministers should print this page of figures and share it with every district office.",
        "The council will leave a reply to each objection on its website.",
        "We use cookies as an example of a product whose packaging the levy would cover, "
        "because bakeries are among the largest users of single-use trays in the basin.",
    ]
    source = tmp_path / "furniture.txt"
    source.write_text("Packaging Levy\nSummary\n" + "\n".join(kept)
                      + "\nPrint\n* * *\nWe use cookies to improve your experience.\n"
                      "Accept all\nOrder Now\n", encoding="utf-8")
    report = import_brief(source, tmp_path / "content", today=TODAY)
    assert [(line, rule) for line, _, rule in report.dropped] == [
        (6, "print-button"), (7, "separator"), (8, "cookie-notice"), (9, "cookie-notice"),
        (10, "shop-button")]
    summary = load_brief(report.folder).brief.executive_summary
    assert all(sentence in summary for sentence in kept)


# --- restructuring edge cases -------------------------------------------------------------------


def test_plain_text_markup_characters_stay_text(tmp_path: Path):
    lines = [
        "Levies and Marks",
        "Summary",
        "The levy [@not-a-citation] applies to *all* trays_and_lids at 2 <3 cents.",
        "1990. That year the first levy was proposed.",
        "> This line began with a greater-than sign, + and = and | came later.",
        "#hashtags are not headings.",
    ]
    report, brief = import_text(tmp_path, "marks.txt", "\n".join(lines) + "\n")
    assert brief.sources == [] and "sources" not in report.todo
    text = brief_text(brief)
    for line in lines[2:]:
        assert line in text


def test_markdown_citations_get_todo_sources(tmp_path: Path):
    report, brief = import_text(
        tmp_path, "cited.md",
        "# Summary\nTolls doubled in 2024 [@toll-report, p. 3].\n")
    assert [(s.id, s.title) for s in brief.sources] == [
        ("toll-report", "TODO: the source cited as @toll-report")]
    assert report.todo == ["title", "date", "authors", "sources"]


def test_text_before_any_summary_becomes_the_summary(tmp_path: Path):
    report, brief = import_text(
        tmp_path, "lede.md",
        "# Ferry Subsidies\n\nThe island ferries lose money on every winter "
        "crossing.\n\n## Recommendations\n\n- **Merge routes:** run one "
        "ferry in winter.\n")
    assert brief.executive_summary.startswith("The island ferries lose money")
    assert brief.recommendations[0].title == "Merge routes"
    assert brief.recommendations[0].rationale == "run one ferry in winter."
    assert any("became the Executive Summary" in note for note in report.moved)


def test_a_brief_without_summary_gets_a_todo_summary(tmp_path: Path):
    report, brief = import_text(
        tmp_path, "nosummary.txt",
        "Bridge Tolls\nBackground\nThe bridge opened in 1988.\n")
    assert brief.executive_summary.startswith("TODO:")
    assert report.todo == ["date", "authors", "executive_summary"]


def test_a_second_section_of_the_same_kind_is_kept_as_an_extra(tmp_path: Path):
    report, brief = import_text(
        tmp_path, "twice.md",
        "# Summary\nFirst summary.\n\n# Overview\nSecond overview.\n")
    assert brief.executive_summary == "First summary."
    assert [(e.title, e.body) for e in brief.extras] == [("Overview (continued)",
                                                          "Second overview.")]
    assert report.sections[1] == ("Overview", "extra:overview-continued", 4)


def test_plain_text_subheadings_wrapped_lines_and_detail_items(tmp_path: Path):
    _, brief = import_text(
        tmp_path, "bridges.txt",
        "Bridges of the North\nSummary\nThe bridges are old. They need work.\n"
        "Strategic Analysis\nSalt and weight wear the bridges down.\nCorrosion\n"
        "Nobody has painted the steel since 1990.\nThe worst spans rust\n"
        "where the spray reaches them.\nTraffic\n"
        "- Lorries are heavier than the design load,\n  and they cross at speed.\n"
        "- Cars are more numerous.\nOutlook\n- Steady Repair\n- Likelihood: likely\n"
        "- The council keeps painting.\nRecommendations\n- Paint the Steel\n"
        "  - Priority: high\n  - Lead: the council\n  - Survey: Inspect every span.\n")
    untitled, corrosion, traffic = brief.analysis
    assert untitled.title is None and untitled.body == "Salt and weight wear the bridges down."
    assert corrosion.title == "Corrosion"  # a short line after a sentence, with text after it
    assert corrosion.body.endswith("The worst spans rust\nwhere the spray reaches them.")
    assert traffic.points[0] == ("Lorries are heavier than the design load,\n"
                                 "and they cross at speed.")
    steady = brief.assessments[0]
    assert (steady.likelihood, steady.body) == ("likely", "The council keeps painting.")
    paint = brief.recommendations[0]
    assert (paint.title, paint.priority, paint.owner) == ("Paint the Steel", "high",
                                                          "the council")
    assert [(a.title, a.text) for a in paint.actions] == [("Survey", "Inspect every span.")]


def test_markdown_bold_section_names_and_sections_without_item_headings(tmp_path: Path):
    report, brief = import_text(
        tmp_path, "ferries.md",
        "Ferry Subsidies\n\n**Key Messages**\n\n- Winter crossings lose money.\n\n"
        "## A heading among the messages\n\n**Summary**\n\n"
        "The ferries lose money; see the [annual report][report].\n\n"
        "[report]: https://example.org/report\n\n```\nShare this\n```\n\n"
        "# Outlook\n\nNothing is certain about next winter.\n\n"
        "# Recommendations\n\nSubsidies should follow passengers.\n\n## Merge routes\n\n"
        "Run one ferry in winter.\n")
    assert brief.title == "Ferry Subsidies" and report.dropped == []
    assert brief.key_messages == ["Winter crossings lose money.", "A heading among the messages"]
    assert brief.executive_summary.endswith(
        "[report]: https://example.org/report\n\n```\nShare this\n```")
    assert [(s.title, s.body) for s in brief.assessments] == [
        ("Outlook", "Nothing is certain about next winter.")]
    merge = brief.recommendations[0]
    assert merge.rationale == "Subsidies should follow passengers.\n\nRun one ferry in winter."
    assert [key for _, key, _ in report.sections] == [
        "key_messages", "executive_summary", "assessments", "recommendations"]
    assert report.moved == [
        "line 7: the heading 'A heading among the messages' among the key messages became a "
        "message",
        "line 19: the section has no items, so its text became the one scenario 'Outlook'",
        "line 23: the text under 'Recommendations' before its first recommendation was moved "
        "into 'Merge routes' (a section introduction has no place of its own)",
    ]


def test_a_lede_beside_a_summary_is_kept_as_a_preamble(tmp_path: Path):
    report, brief = import_text(
        tmp_path, "lede.md",
        "# Ferry Subsidies\n\nThe first paragraph of the lede.\n\n"
        "The second paragraph.\n\n## Summary\n\n## Background\n\n"
        "The ferries began in 1962.\n")
    assert [(e.title, e.after) for e in brief.extras] == [("Preamble", None)]
    assert brief.extras[0].body.startswith("The first paragraph of the lede.")
    assert brief.executive_summary.startswith("TODO:")
    assert report.todo == ["date", "authors", "executive_summary"]


def test_a_long_title_makes_a_slug_cut_at_a_word(tmp_path: Path):
    title = "The Allocation of Groundwater Between Farms, Towns and Industry in the Marren Basin"
    report, _ = import_text(tmp_path, "long.txt", f"{title}\nSummary\nThe aquifer is falling.\n")
    assert report.folder.name == "the-allocation-of-groundwater-between-farms-towns-and"


# --- hostile input ----------------------------------------------------------------------------


def _nested_list(source: Path, levels: int, indent: str) -> Path:
    """A brief whose summary is one list nested `levels` deep; its items start on line 3."""
    heading = "# Summary" if source.suffix == ".md" else "Summary"
    items = "\n".join(indent * level + f"- point {level + 1}" for level in range(levels))
    source.write_text(f"{heading}\n\n{items}\n", encoding="utf-8")
    return source


@pytest.mark.parametrize("levels", [500, 1500])
@pytest.mark.parametrize(("name", "indent"), [("deep.md", "  "), ("deep.txt", "   ")])
def test_a_list_nested_thousands_deep_is_a_located_error_at_once(tmp_path: Path, levels: int,
                                                                  name: str, indent: str):
    source = _nested_list(tmp_path / name, levels, indent)
    started = time.monotonic()
    # A process of its own, as a user runs it: 1,500 levels once took 79 s and 1.5 GB.
    result = subprocess.run(
        [sys.executable, "-m", "briefgen.cli", "import", str(source), "-o",
         str(tmp_path / "content")], cwd=ROOT, capture_output=True, text=True, timeout=20)
    elapsed = time.monotonic() - started
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1, output
    assert (f"{source}:{3 + MAX_LIST_DEPTH}: this list is nested more than {MAX_LIST_DEPTH} "
            "levels deep") in output, output
    assert "hint:" in output and "internal error" not in output, output
    assert elapsed < 5, elapsed  # well under a second of work, plus the interpreter's start
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize(("name", "indent"), [("deep.md", "  "), ("deep.txt", "\t")])
def test_lists_import_as_deep_as_a_build_prints_them_and_no_deeper(tmp_path: Path, name: str,
                                                                   indent: str):
    deepest = _nested_list(tmp_path / name, MAX_LIST_DEPTH, indent)
    brief = load_brief(import_brief(deepest, tmp_path / "content", today=TODAY).folder).brief
    assert f"point {MAX_LIST_DEPTH}" in brief.executive_summary
    too_deep = _nested_list(tmp_path / f"too-{name}", MAX_LIST_DEPTH + 1, indent)
    with pytest.raises(BriefgenError, match="nested more than") as error:
        import_brief(too_deep, tmp_path / "content", today=TODAY)
    problem = error.value.problems[0]
    assert (problem.file, problem.line) == (too_deep, 3 + MAX_LIST_DEPTH)
