"""Loading briefs from disk: every heading and file form, and errors that point at a line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.citations import find_citations
from briefgen.content import find_briefs, load_brief, load_briefs
from briefgen.errors import BriefgenError, Problem
from briefgen.model import SECTION_KEYS, Brief
from briefgen.sections import HEADING_ALIASES, section_key
from conftest import EXAMPLE, MINI

# --- helpers ---------------------------------------------------------------------------------


def problems_of(path: Path) -> list[Problem]:
    """The problems loading `path` reports; fails if it loads."""
    with pytest.raises(BriefgenError) as caught:
        load_brief(path)
    return caught.value.problems


def edit(path: Path, old: str, new: str) -> str:
    """Replace `old` (which must be there exactly once) by `new` in a file; return the result."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture changed: {old!r} not found once in {path.name}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found"
    return hits[occurrence - 1]


def strings(value: Any) -> list[str]:
    """Every string in a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def write_brief(folder: Path, body: str, front: str = "", sources: str = "[]\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.md").write_text(
        f"---\ntitle: T\ndate: 2026-01-01\n{front}---\n{body}", encoding="utf-8"
    )
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def mini_brief() -> Brief:
    return load_brief(MINI).brief


# --- the example and the fixture --------------------------------------------------------------


def test_example_brief_loads_with_every_part():
    loaded = load_brief(EXAMPLE)
    brief = loaded.brief
    assert loaded.slug == "kazakhstan-multi-vector"
    assert loaded.files == (EXAMPLE / "brief.md", EXAMPLE / "sources.yaml",
                            EXAMPLE / "figures.yaml")
    assert len(brief.key_figures) >= 3 and len(brief.figures) >= 2
    assert len(brief.analysis) >= 4
    assert all(topic.title and topic.body for topic in brief.analysis)
    assert len(brief.assessments) == 3
    assert all(s.likelihood and s.indicators for s in brief.assessments)
    assert len(brief.recommendations) == 4
    for group in brief.recommendations:
        assert group.priority and group.owner and group.timeframe and group.rationale
        assert len(group.actions) >= 3
        assert all(action.title and action.text for action in group.actions)
    for key in SECTION_KEYS:
        assert brief.has_section(key), key


def test_example_brief_cites_all_five_sources_at_least_ten_times():
    brief = load_brief(EXAMPLE).brief
    dump = brief.model_dump(mode="json")
    texts = strings({key: dump[key] for key in (*SECTION_KEYS, "extras", "decision")})
    citations = [c for text in texts for c in find_citations(text)]
    source_ids = {source.id for source in brief.sources}
    assert len(source_ids) == 5
    assert len(citations) >= 10
    assert {c.source_id for c in citations} == source_ids
    assert set(brief.cited_ids()) == source_ids


def test_example_source_texts_exist():
    loaded = load_brief(EXAMPLE)
    texts = [s.text for s in loaded.brief.sources if s.text]
    assert len(texts) == 5
    assert len(loaded.input_files()) == 3 + 5


def test_mini_fixture_fills_fields_from_sections(mini_brief: Brief):
    brief = mini_brief
    assert brief.key_messages == [
        "Upstream releases decide downstream harvests [@water-report].",
        "A shared data platform is the cheapest first step.",
    ]
    assert brief.executive_summary.startswith("Seasonal releases")
    assert [t.title for t in brief.analysis] == ["Releases follow power demand", "Data is scarce"]
    assert brief.analysis[0].body == "Winter releases serve upstream electricity needs."
    assert brief.analysis[0].points == [
        "Summer shortfalls hit cotton and wheat [@water-report; @basin-note]."
    ]
    (scenario,) = brief.assessments
    assert (scenario.title, scenario.likelihood) == ("Managed cooperation", "likely")
    assert scenario.body == "Ministers keep meeting."
    assert scenario.indicators == ["A signed data protocol"]
    (group,) = brief.recommendations
    assert group.title == "Build a shared data platform"
    assert (group.priority, group.owner, group.timeframe) == (
        "high", "Ministry of Water", "12 months",
    )
    assert group.rationale == "Everyone gains from the same numbers."
    assert [(a.title, a.text) for a in group.actions] == [
        ("Fund gauges", "install twenty new stations."),
        ("Publish daily", "release flows every day."),
    ]
    assert brief.conclusion == "Cooperation starts with data."
    assert brief.heading("analysis") == "Strategic Analysis"
    assert brief.heading("introduction") == "Introduction"
    assert brief.sources[1].date == 2021


# --- headings ----------------------------------------------------------------------------------

_BODIES = {
    "key_messages": "- A message.\n",
    "executive_summary": "Summary prose.\n",
    "introduction": "Some prose.\n",
    "background": "Some prose.\n",
    "analysis": "## A finding\nText.\n",
    "implications": "## An implication\nText.\n",
    "assessments": "## A scenario\nLikelihood: likely\n",
    "recommendations": "## A recommendation\n- **Act:** now.\n",
    "conclusion": "Some prose.\n",
}

_VARIANTS = [
    *((alias.title(), key) for key, aliases in HEADING_ALIASES.items() for alias in aliases),
    *((alias.upper(), key) for key, aliases in HEADING_ALIASES.items() for alias in aliases[:1]),
    ("2. Strategic Analysis", "analysis"),
    ("IV. Policy Recommendations", "recommendations"),
    ("**Key Judgments**", "key_messages"),
    ("1) Executive Summary", "executive_summary"),
    ("3.1 Background", "background"),
    ("ii) Implications", "implications"),
    ("A. Introduction", "introduction"),
    ("Main Findings", "analysis"),
    ("Our Assessment", "assessments"),
    ("Strategic Outlook", "assessments"),
    ("Political Context", "background"),
    ("Background & Context", "background"),
    ("_Conclusions_", "conclusion"),
    ("Summary:", "executive_summary"),
]


@pytest.mark.parametrize(("heading", "key"), _VARIANTS)
def test_heading_variant_fills_its_field(tmp_path: Path, heading: str, key: str):
    body = f"# {heading}\n{_BODIES[key]}"
    if key != "executive_summary":
        body = f"# Executive Summary\nSummary prose.\n\n{body}"
    brief = load_brief(write_brief(tmp_path / "b", body)).brief
    assert section_key(heading) == key
    assert brief.has_section(key)
    # The heading is kept as written, less any Markdown emphasis around it.
    assert brief.headings[key] == heading.strip("*_")
    assert brief.extras == []


def test_every_alias_is_listed_once():
    aliases = [alias for group in HEADING_ALIASES.values() for alias in group]
    assert len(aliases) == len(set(aliases))
    assert set(HEADING_ALIASES) == set(SECTION_KEYS)


@pytest.mark.parametrize(
    "heading", ["Annex", "Water Politics", "Strategic Annex", "Analysis of Costs", "Methodology"]
)
def test_heading_that_names_no_section_maps_to_none(heading: str):
    assert section_key(heading) is None


def test_a_heading_written_as_a_reference_link_prints_its_words(mini: Path):
    edit(mini / "brief.md", "# Background", "# [Background]")
    text = (mini / "brief.md").read_text(encoding="utf-8")
    (mini / "brief.md").write_text(text + "\n[background]: https://example.org/bg\n",
                                   encoding="utf-8")
    assert load_brief(mini).brief.heading("background") == "Background"


def test_emphasis_around_a_heading_is_not_kept_in_the_printed_heading(mini: Path):
    edit(mini / "brief.md", "# Key Judgments", "# **Key Judgments**")
    assert load_brief(mini).brief.heading("key_messages") == "Key Judgments"


def test_unknown_headings_become_extra_sections_in_place(mini: Path, mini_brief: Brief):
    edit(mini / "brief.md", "---\n# Key Judgments", "---\n# Foreword\nBy the director.\n\n"
         "# Key Judgments")
    edit(mini / "brief.md", "# Background", "# Water Politics\nPolitics *matter*.\n\n"
         "# Background")
    text = (mini / "brief.md").read_text(encoding="utf-8")
    (mini / "brief.md").write_text(text + "\n# Annex A\nTables.\n\n# Annex B\nMaps.\n",
                                   encoding="utf-8")
    brief = load_brief(mini).brief
    assert [(e.key, e.title, e.body, e.after) for e in brief.extras] == [
        ("foreword", "Foreword", "By the director.", None),
        ("water-politics", "Water Politics", "Politics *matter*.", "executive_summary"),
        ("annex-a", "Annex A", "Tables.", "conclusion"),
        ("annex-b", "Annex B", "Maps.", "annex-a"),
    ]
    # Every known section is just as it was.
    assert brief.model_dump(exclude={"extras"}) == mini_brief.model_dump(exclude={"extras"})


def test_two_extra_sections_with_the_same_heading_get_distinct_keys(tmp_path: Path):
    body = "# Summary\nS.\n\n# Annex\nOne.\n\n# Annex\nTwo.\n"
    brief = load_brief(write_brief(tmp_path / "b", body)).brief
    assert [(e.key, e.body) for e in brief.extras] == [("annex", "One."), ("annex-2", "Two.")]


def test_numbered_list_of_recommendations_makes_one_group_per_item(tmp_path: Path):
    body = (
        "# Summary\nS.\n\n# Recommendations\n"
        "1. **Fund gauges.** Data decides everything.\n"
        "2. **Publish daily:** flows, every day.\n"
        "3. Review the treaty.\n"
    )
    brief = load_brief(write_brief(tmp_path / "b", body)).brief
    assert [(g.title, g.rationale, g.actions) for g in brief.recommendations] == [
        ("Fund gauges", "Data decides everything.", []),
        ("Publish daily", "flows, every day.", []),
        ("Review the treaty.", "", []),
    ]


def test_text_before_the_first_finding_is_an_untitled_finding(tmp_path: Path):
    body = "# Summary\nS.\n\n# Analysis\nOpening words.\n\n- A point.\n\n## Titled\nMore.\n"
    brief = load_brief(write_brief(tmp_path / "b", body)).brief
    assert [(t.title, t.body, t.points) for t in brief.analysis] == [
        (None, "Opening words.", ["A point."]),
        ("Titled", "More.", []),
    ]


@pytest.mark.parametrize(
    "section",
    [
        "# Recommendations\nWe recommend two steps.\n\n## Fund gauges\n- Install them.\n",
        "# Recommendations\nWe recommend two steps.\n\n1. **Fund gauges.** Now.\n2. Publish.\n",
        "# Outlook\nWe see one future.\n\n## Cooperation\nLikelihood: likely\n",
    ],
    ids=["recommendation-groups", "numbered-recommendations", "assessments"],
)
def test_text_before_the_first_item_is_kept_or_reported(tmp_path: Path, section: str):
    folder = write_brief(tmp_path / "b", f"# Summary\nS.\n\n{section}")
    try:
        brief = load_brief(folder).brief
    except BriefgenError as error:
        text = (folder / "brief.md").read_text(encoding="utf-8")
        assert any(p.line == line_of(text, "We ") for p in error.problems)
    else:
        assert any("We " in s for s in strings(brief.model_dump(mode="json")))


def test_sections_without_subheadings_are_reported(tmp_path: Path):
    body = "# Summary\nS.\n\n# Outlook\nJust prose, no scenario.\n"
    (problem,) = problems_of(write_brief(tmp_path / "b", body))
    assert problem.field == "assessments"
    assert problem.line == 9
    assert "'##'" in problem.message


# --- other file forms ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["brief.yaml", "brief.yml", "brief.json"])
def test_single_file_brief_loads_equal_to_markdown(tmp_path: Path, mini_brief: Brief, name: str):
    data = mini_brief.model_dump(mode="json")
    folder = tmp_path / "water"
    folder.mkdir()
    path = folder / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    for target in (folder, path):
        loaded = load_brief(target)
        assert loaded.brief == mini_brief
        assert loaded.files == (path,)
        assert loaded.slug == "water"


def test_a_long_sources_list_without_aliases_is_not_mistaken_for_an_alias_bomb(
        mini: Path, monkeypatch: pytest.MonkeyPatch):
    from briefgen import yamlfile

    # With the limit at 1,000: 300 sources of 5 fields are some 3,300 YAML values, all written
    # out (no aliases), so only what aliases add may count.
    monkeypatch.setattr(yamlfile, "MAX_ALIASED_VALUES", 1_000)
    extra = "".join(f"- id: s{i}\n  title: Source {i}\n  publisher: P\n  date: 2020\n"
                    f"  type: report\n" for i in range(300))
    with (mini / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(extra)
    assert len(load_brief(mini).brief.sources) == 300 + 2


def test_single_file_brief_reports_problems_with_their_line(tmp_path: Path, mini_brief: Brief):
    data = mini_brief.model_dump(mode="json", exclude_none=True)
    data["subtitel"] = data.pop("subtitle")
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.file == path
    assert problem.line == line_of(path.read_text(encoding="utf-8"), "subtitel:")
    assert problem.field == "subtitel"
    assert problem.hint == "did you mean 'subtitle'?"


def test_sources_may_be_given_in_the_front_matter_instead_of_sources_yaml(mini: Path):
    (mini / "sources.yaml").unlink()
    edit(mini / "brief.md", "decision:", "sources:\n  - {id: water-report, title: W}\n"
         "  - {id: basin-note, title: B}\ndecision:")
    loaded = load_brief(mini)
    assert [s.id for s in loaded.brief.sources] == ["water-report", "basin-note"]
    assert loaded.files == (mini / "brief.md",)


def test_sources_yaml_may_be_a_mapping_with_a_sources_key(mini: Path, mini_brief: Brief):
    text = (mini / "sources.yaml").read_text(encoding="utf-8")
    indented = "".join(f"  {line}\n" for line in text.splitlines())
    (mini / "sources.yaml").write_text("sources:\n" + indented, encoding="utf-8")
    assert load_brief(mini).brief == mini_brief


def test_bom_and_crlf_copy_loads_exactly_equal(mini: Path, mini_brief: Brief):
    for name in ("brief.md", "sources.yaml"):
        path = mini / name
        raw = path.read_bytes()
        assert b"\r" not in raw
        path.write_bytes(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"))
    assert load_brief(mini).brief == mini_brief


def test_crlf_copy_reports_the_same_line_numbers(mini: Path):
    edit(mini / "brief.md", "subtitle:", "subtitel:")
    path = mini / "brief.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    (problem,) = problems_of(mini)
    assert (problem.line, problem.field) == (3, "subtitel")


# --- located errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("series: Test Brief", "series: Test: Brief", "series:"),
        ("  - name: Dana", "\t- name: Dana", "name: Dana"),
        ("keywords: [water, Central Asia]", "keywords: [water, Central Asia", "keywords:"),
    ],
    ids=["colon-in-value", "tab-indent", "unclosed-bracket"],
)
def test_yaml_syntax_error_in_front_matter_gives_its_line(
    mini: Path, old: str, new: str, needle: str
):
    text = edit(mini / "brief.md", old, new)
    problems = problems_of(mini)
    syntax = [p for p in problems if p.message.startswith("YAML syntax error")]
    assert len(syntax) == 1
    assert syntax[0].file == mini / "brief.md"
    expected = line_of(text, needle)
    if needle == "keywords:":  # PyYAML notices an unclosed flow list on the next line
        expected += 1
    assert syntax[0].line == expected


def test_yaml_syntax_error_does_not_also_report_present_fields_as_missing(mini: Path):
    edit(mini / "brief.md", "series: Test Brief", "series: Test: Brief")
    problems = problems_of(mini)
    assert [p.field for p in problems if "required but missing" in p.message] == []


@pytest.mark.parametrize(
    ("old", "new", "field", "hint"),
    [
        ("subtitle:", "subtitel:", "subtitel", "did you mean 'subtitle'?"),
        ("classification:", "clasification:", "clasification", "did you mean 'classification'?"),
        ("    affiliation:", "    affilation:", "authors[0].affilation",
         "did you mean 'affiliation'?"),
    ],
)
def test_unknown_front_matter_field_is_located_with_a_hint(
    mini: Path, old: str, new: str, field: str, hint: str
):
    text = edit(mini / "brief.md", old, new)
    (problem,) = problems_of(mini)
    assert problem.file == mini / "brief.md"
    assert problem.line == line_of(text, new.strip())
    assert problem.field == field
    assert problem.hint == hint
    assert "unknown field" in problem.message


def test_unknown_field_without_a_near_name_lists_the_known_fields(mini: Path):
    edit(mini / "brief.md", "series: Test Brief", "zzz: 1")
    (problem,) = problems_of(mini)
    assert problem.field == "zzz"
    assert problem.hint.startswith("known fields: ")
    assert "subtitle" in problem.hint


def test_unknown_field_in_sources_yaml_is_located_there(mini: Path):
    text = edit(mini / "sources.yaml", "  publisher: Example Agency", "  publsher: Example Agency")
    (problem,) = problems_of(mini)
    assert problem.file == mini / "sources.yaml"
    assert problem.line == line_of(text, "publsher")
    assert problem.field == "sources[1].publsher"
    assert problem.hint == "did you mean 'publisher'?"


def test_bad_date_is_located(mini: Path):
    text = edit(mini / "brief.md", "date: 2026-01-15", "date: 2026-13-01")
    (problem,) = problems_of(mini)
    assert (problem.line, problem.field) == (line_of(text, "date: 2026-13-01"), "date")
    assert "2026-13-01" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "field", "needle", "hint"),
    [
        ("cheapest first step.", "cheapest first step [@ghost].", "key_messages", "[@ghost]",
         None),
        ("@basin-note]", "@basin-notes]", "analysis", "@basin-notes", "did you mean @basin-note?"),
        ("release flows every day.", "release flows every day [@ghost, p. 2].",
         "recommendations", "[@ghost", None),
        ("Ministers keep meeting.", "Ministers keep meeting [@ghost].", "assessments", "@ghost",
         None),
        ("Cooperation starts with data.", "Cooperation starts with data [@ghost].", "conclusion",
         "@ghost", None),
        ("decision: Approve a joint monitoring pilot.",
         "decision: \"Approve a joint monitoring pilot [@ghost].\"", "decision", "@ghost", None),
    ],
    ids=["key-message", "analysis-point", "recommendation-action", "scenario", "conclusion",
         "front-matter"],
)
def test_unknown_citation_is_reported_on_the_line_where_it_is_written(
    mini: Path, old: str, new: str, field: str, needle: str, hint: str | None
):
    text = edit(mini / "brief.md", old, new)
    (problem,) = problems_of(mini)
    assert problem.file == mini / "brief.md"
    assert problem.line == line_of(text, needle)
    assert problem.field == field
    assert "which no source has as its id" in problem.message
    if hint:
        assert problem.hint == hint


def test_unknown_citation_that_prefixes_a_known_id_gets_its_own_line(mini: Path):
    text = edit(mini / "brief.md", "cheapest first step.", "cheapest first step [@water].")
    (problem,) = problems_of(mini)
    assert problem.line == line_of(text, "[@water]")


def test_two_unknown_citations_are_both_reported(mini: Path):
    text = edit(mini / "brief.md", "cheapest first step.", "cheapest first step [@ghost].")
    text = edit(mini / "brief.md", "Gauging stations are too few.",
                "Gauging stations are too few [@phantom].")
    problems = problems_of(mini)
    assert {(p.field, p.line) for p in problems} == {
        ("key_messages", line_of(text, "@ghost")),
        ("analysis", line_of(text, "@phantom")),
    }


def test_missing_sources_yaml_is_reported_with_its_path(mini: Path):
    (mini / "sources.yaml").unlink()
    problems = problems_of(mini)
    missing = [p for p in problems if "no sources.yaml" in p.message]
    assert len(missing) == 1
    assert missing[0].file == mini / "sources.yaml"
    assert "[]" in missing[0].hint


def test_brief_citing_nothing_still_needs_sources_yaml(tmp_path: Path):
    folder = write_brief(tmp_path / "b", "# Summary\nS.\n")
    assert load_brief(folder).brief.sources == []
    (folder / "sources.yaml").unlink()
    (problem,) = problems_of(folder)
    assert problem.file == folder / "sources.yaml"


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n", b"\xef\xbb\xbf\r\n"])
def test_empty_brief_md_is_reported(mini: Path, content: bytes):
    (mini / "brief.md").write_bytes(content)
    problems = problems_of(mini)
    empty = [p for p in problems if p.message == "the file is empty"]
    assert len(empty) == 1
    assert empty[0].file == mini / "brief.md"


def test_binary_file_is_reported(mini: Path):
    (mini / "brief.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    problems = problems_of(mini)
    binary = [p for p in problems if "binary" in p.message]
    assert len(binary) == 1
    assert binary[0].file == mini / "brief.md"


def test_invalid_utf8_is_reported_with_its_line(mini: Path):
    path = mini / "brief.md"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode().replace(b"starts with", b"starts \xff with"))
    problems = problems_of(mini)
    bad = [p for p in problems if "UTF-8" in p.message]
    assert len(bad) == 1
    assert bad[0].file == path
    assert bad[0].line == line_of(text, "starts with")
    assert "0xff" in bad[0].message


def test_invalid_utf8_is_the_only_problem_reported(mini: Path):
    path = mini / "brief.md"
    path.write_bytes(path.read_bytes().replace(b"starts with", b"starts \xff with"))
    problems = problems_of(mini)
    assert [p.message for p in problems if "UTF-8" not in p.message] == []


def test_invalid_utf8_in_sources_yaml_is_located(mini: Path):
    path = mini / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode().replace(b"Basin Note", b"Basin \xfe Note"))
    problems = problems_of(mini)
    bad = [p for p in problems if "UTF-8" in p.message]
    assert [(p.file, p.line) for p in bad] == [(path, line_of(text, "Basin Note"))]


def test_duplicate_section_is_reported_on_its_heading(mini: Path):
    path = mini / "brief.md"
    text = path.read_text(encoding="utf-8") + "\n# Context\nMore background.\n"
    path.write_text(text, encoding="utf-8")
    (problem,) = problems_of(mini)
    assert problem.file == path
    assert problem.line == line_of(text, "# Context")
    assert problem.field == "background"
    assert f"line {line_of(text, '# Background')}" in problem.message


def test_section_also_given_in_front_matter_is_reported(mini: Path):
    text = edit(mini / "brief.md", "decision:", "conclusion: Front matter ending.\ndecision:")
    (problem,) = problems_of(mini)
    assert problem.field == "conclusion"
    assert problem.line == line_of(text, "# Conclusions")
    assert "twice" in problem.message


def test_duplicate_yaml_key_is_reported_on_the_second_one(mini: Path):
    text = edit(mini / "brief.md", "version: 2", "version: 2\nversion: 3")
    (problem,) = problems_of(mini)
    assert problem.file == mini / "brief.md"
    assert problem.line == line_of(text, "version: 3")
    assert problem.field == "version"
    assert "twice" in problem.message


def test_duplicate_yaml_key_in_sources_yaml_is_reported(mini: Path):
    text = edit(mini / "sources.yaml", "  title: Basin Note", "  title: Basin Note\n  title: X")
    (problem,) = problems_of(mini)
    assert problem.file == mini / "sources.yaml"
    assert problem.line == line_of(text, "title: X")
    assert problem.field == "sources[1].title"


def test_text_before_the_first_heading_is_reported(mini: Path):
    text = edit(mini / "brief.md", "---\n# Key Judgments", "---\n\nStray words.\n\n# Key Judgments")
    (problem,) = problems_of(mini)
    assert problem.file == mini / "brief.md"
    assert problem.line == line_of(text, "Stray words.")
    assert "before the first section heading" in problem.message


def test_unclosed_front_matter_is_reported_on_line_one(mini: Path):
    edit(mini / "brief.md", "---\n# Key Judgments", "# Key Judgments")
    problems = problems_of(mini)
    assert any(p.line == 1 and "never closed" in p.message for p in problems)


def test_nonexistent_folder_is_reported(tmp_path: Path):
    missing = tmp_path / "no-such-brief"
    (problem,) = problems_of(missing)
    assert problem.file == missing
    assert "no such file or folder" in problem.message


def test_folder_without_a_brief_is_reported(tmp_path: Path):
    (problem,) = problems_of(tmp_path)
    assert problem.file == tmp_path
    assert "no brief.md" in problem.message


def test_several_broken_briefs_report_all_problems_together(tmp_path: Path):
    typo = tmp_path / "typo"
    shutil.copytree(MINI, typo)
    typo_text = edit(typo / "brief.md", "subtitle:", "subtitel:")
    dup = tmp_path / "dup"
    shutil.copytree(MINI, dup)
    dup_text = (dup / "brief.md").read_text(encoding="utf-8") + "\n# Background\nAgain.\n"
    (dup / "brief.md").write_text(dup_text, encoding="utf-8")
    cite = tmp_path / "cite"
    shutil.copytree(MINI, cite)
    cite_text = edit(cite / "brief.md", "[@water-report, p. 4]", "[@water-reprot, p. 4]")
    missing = tmp_path / "missing"

    with pytest.raises(BriefgenError) as caught:
        load_briefs([typo, MINI, dup, missing, cite])
    located = {(p.file, p.line, p.field) for p in caught.value.problems}
    assert located == {
        (typo / "brief.md", line_of(typo_text, "subtitel:"), "subtitel"),
        (dup / "brief.md", line_of(dup_text, "# Background", 2), "background"),
        (missing, None, None),
        (cite / "brief.md", line_of(cite_text, "@water-reprot"), "background"),
    }
    assert len(caught.value.problems) == 4
    assert len(str(caught.value).splitlines()) >= 4


def test_load_briefs_returns_all_when_all_are_valid(tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(MINI, copy)
    loaded = load_briefs([MINI, copy])
    assert [b.slug for b in loaded] == ["mini", "copy"]
    assert loaded[0].brief == loaded[1].brief


def test_find_briefs_lists_brief_folders_under_content(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content / "b-brief")
    shutil.copytree(MINI, content / "a-brief")
    (content / "not-a-brief").mkdir()
    assert find_briefs([], content) == [content / "a-brief", content / "b-brief"]
    with pytest.raises(BriefgenError):
        find_briefs([], tmp_path / "nowhere")
    with pytest.raises(BriefgenError) as caught:
        find_briefs([content / "a-brief", content / "nope"])
    assert [p.file for p in caught.value.problems] == [content / "nope"]
