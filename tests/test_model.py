"""The pydantic model: what a valid brief is, and how every invalid one is reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from briefgen.model import (
    DEFAULT_HEADINGS,
    SECTION_KEYS,
    Action,
    Author,
    Brief,
    RecommendationGroup,
    Scenario,
    Source,
    Topic,
)


def minimal(**changes: Any) -> dict[str, Any]:
    """The smallest valid brief as raw data, with `changes` applied (None removes a field)."""
    data: dict[str, Any] = {
        "title": "Water Sharing",
        "date": "2026-01-15",
        "executive_summary": "Releases set the terms [@report].",
        "sources": [{"id": "report", "title": "Water and Power"}],
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def errors_of(data: dict[str, Any]) -> set[tuple[tuple[Any, ...], str]]:
    """Every (location, type) pydantic reports for `data`; fails if `data` is valid."""
    with pytest.raises(ValidationError) as caught:
        Brief.model_validate(data)
    return {(tuple(e["loc"]), e["type"]) for e in caught.value.errors()}


# --- valid briefs ---------------------------------------------------------------------------


def test_minimal_brief_is_valid_and_gets_defaults():
    brief = Brief.model_validate(minimal())
    assert brief.title == "Water Sharing"
    assert brief.date == dt.date(2026, 1, 15)
    assert brief.version == 1
    assert brief.classification == "PUBLIC"
    assert brief.language == "en"
    assert brief.key_messages == [] and brief.analysis == [] and brief.recommendations == []
    assert brief.extras == [] and brief.headings == {}
    assert brief.source("report") is not None and brief.source("missing") is None


def test_text_is_stripped_of_surrounding_whitespace():
    brief = Brief.model_validate(minimal(title="  Water Sharing \n", key_messages=[" One. "]))
    assert brief.title == "Water Sharing"
    assert brief.key_messages == ["One."]


def test_a_brief_citing_nothing_needs_no_sources():
    brief = Brief.model_validate(minimal(sources=None, executive_summary="No citations here."))
    assert brief.sources == [] and brief.cited_ids() == []


# --- required fields and dates --------------------------------------------------------------


@pytest.mark.parametrize("missing", ["title", "executive_summary", "date"])
def test_missing_required_field_is_reported_as_missing(missing: str):
    assert errors_of(minimal(**{missing: None})) == {((missing,), "missing")}


def test_missing_title_and_executive_summary_are_reported_together():
    assert errors_of(minimal(title=None, executive_summary=None)) == {
        (("title",), "missing"),
        (("executive_summary",), "missing"),
    }


@pytest.mark.parametrize("field", ["title", "executive_summary"])
def test_blank_required_text_is_rejected(field: str):
    assert errors_of(minimal(**{field: "   "})) == {((field,), "string_too_short")}


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "2026-02-30", "15/01/2026"])
def test_a_date_that_is_not_a_date_is_rejected(value: str):
    errors = errors_of(minimal(date=value))
    assert len(errors) == 1
    ((loc, kind),) = errors
    assert loc == ("date",)
    assert kind.startswith("date_")


def test_version_must_be_positive():
    assert errors_of(minimal(version=0)) == {(("version",), "greater_than_equal")}


# --- sources ---------------------------------------------------------------------------------


def test_duplicate_source_ids_are_rejected_naming_the_id():
    sources = [
        {"id": "report", "title": "A"},
        {"id": "note", "title": "B"},
        {"id": "report", "title": "C"},
    ]
    with pytest.raises(ValidationError) as caught:
        Brief.model_validate(minimal(sources=sources))
    (error,) = caught.value.errors()
    assert error["loc"] == ("sources",)
    assert error["type"] == "duplicate_source_id"
    assert error["ctx"]["ids"] == "report"


@pytest.mark.parametrize(
    ("date", "expected", "year"),
    [
        ("2020-05-01", dt.date(2020, 5, 1), 2020),
        (2021, 2021, 2021),
        ("2021", 2021, 2021),
        (None, None, None),
    ],
)
def test_source_date_is_a_full_date_or_a_year(date: Any, expected: Any, year: int | None):
    source = Source(id="s", title="T", date=date)
    assert source.date == expected
    assert type(source.date) is type(expected)
    assert source.year == year


@pytest.mark.parametrize("date", [999, 10000, "May 2020", "2020-02-30"])
def test_source_date_that_is_neither_a_date_nor_a_year_is_rejected(date: Any):
    with pytest.raises(ValidationError) as caught:
        Source(id="s", title="T", date=date)
    assert {e["loc"][0] for e in caught.value.errors()} == {"date"}


@pytest.mark.parametrize("source_id", ["has space", "-leading-dash", "", "semi;colon"])
def test_source_id_must_be_citable(source_id: str):
    with pytest.raises(ValidationError) as caught:
        Source(id=source_id, title="T")
    assert [e["loc"] for e in caught.value.errors()] == [("id",)]


# --- citations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key_messages", ["Known [@report].", "Unknown [@ghost]."]),
        (
            "analysis",
            [{"title": "A finding", "body": "Fine [@report].", "points": ["x", "y [@ghost]"]}],
        ),
        (
            "recommendations",
            [{"title": "Act", "actions": [{"title": "Fund", "text": "twenty [@ghost, p. 3]."}]}],
        ),
        ("assessments", [{"title": "S", "indicators": ["signal [@report; @ghost]"]}]),
        ("conclusion", "Ends [@ghost]."),
        ("decision", "Decide [@ghost]."),
        ("extras", [{"key": "annex", "title": "Annex", "body": "See [@ghost]."}]),
    ],
)
def test_citation_to_unknown_id_is_reported_on_its_field(field: str, value: Any):
    with pytest.raises(ValidationError) as caught:
        Brief.model_validate(minimal(**{field: value}))
    (error,) = caught.value.errors()
    assert error["loc"] == (field,)
    assert error["type"] == "unknown_citation"
    assert error["ctx"]["unknown"] == ["ghost"]
    assert "@ghost" in error["msg"]


def test_every_unknown_id_in_a_field_is_named_once():
    value = ["[@zeta] and [@alpha]", "[@zeta; @report]"]
    with pytest.raises(ValidationError) as caught:
        Brief.model_validate(minimal(key_messages=value))
    (error,) = caught.value.errors()
    assert error["ctx"]["unknown"] == ["alpha", "zeta"]


@pytest.mark.parametrize(
    "text",
    ["[@report]", "[@report, p. 12]", "[@report; @note, ch. 2]", "[ @report ]", "end [@report]."],
)
def test_citations_to_known_ids_are_accepted(text: str):
    sources = [{"id": "report", "title": "A"}, {"id": "note", "title": "B"}]
    brief = Brief.model_validate(minimal(sources=sources, key_messages=[text]))
    assert brief.key_messages == [text]


def test_email_address_and_unbracketed_at_are_not_citations():
    brief = Brief.model_validate(minimal(conclusion="Write to a@b.org or @someone."))
    assert brief.cited_ids() == ["report"]


# --- everything at once ----------------------------------------------------------------------


def test_every_problem_is_reported_in_a_single_validation_error():
    data = minimal(
        title=None,
        executive_summary=None,
        date="2026-13-01",
        key_messages=["Fine [@report].", "Unknown [@ghost-a]."],
        analysis=[{"title": "Finding", "points": ["Deep [@ghost-b]."]}],
        recommendations=[{"title": "Act", "actions": [{"text": "Do [@ghost-c]."}]}],
        authors=[{"name": "A", "affil": "B"}],
        colour="blue",
    )
    assert errors_of(data) == {
        (("title",), "missing"),
        (("executive_summary",), "missing"),
        (("date",), "date_from_datetime_parsing"),
        (("key_messages",), "unknown_citation"),
        (("analysis",), "unknown_citation"),
        (("recommendations",), "unknown_citation"),
        (("authors", 0, "affil"), "extra_forbidden"),
        (("colour",), "extra_forbidden"),
    }


def test_duplicate_source_ids_are_reported_with_the_other_problems():
    sources = [{"id": "report", "title": "A"}, {"id": "report", "title": "B"}]
    data = minimal(sources=sources, title=None, executive_summary=None, date="yesterday")
    assert errors_of(data) == {
        (("sources",), "duplicate_source_id"),
        (("title",), "missing"),
        (("executive_summary",), "missing"),
        (("date",), "date_from_datetime_parsing"),
    }


def test_duplicate_source_ids_do_not_hide_unknown_citations():
    sources = [{"id": "report", "title": "A"}, {"id": "report", "title": "B"}]
    data = minimal(
        sources=sources,
        key_messages=["Unknown [@ghost-a]."],
        recommendations=[{"title": "Act", "actions": [{"text": "Do [@ghost-c]."}]}],
    )
    assert errors_of(data) == {
        (("sources",), "duplicate_source_id"),
        (("key_messages",), "unknown_citation"),
        (("recommendations",), "unknown_citation"),
    }


# --- unknown fields --------------------------------------------------------------------------


def test_unknown_top_level_field_is_rejected():
    assert errors_of(minimal(subtitel="A typo")) == {(("subtitel",), "extra_forbidden")}


@pytest.mark.parametrize(
    ("field", "value", "loc"),
    [
        ("authors", [{"name": "A", "emial": "a@b.org"}], ("authors", 0, "emial")),
        ("sources", [{"id": "report", "title": "T", "publsher": "P"}], ("sources", 0, "publsher")),
        ("analysis", [{"title": "T", "bullets": ["x"]}], ("analysis", 0, "bullets")),
        ("assessments", [{"title": "T", "likelyhood": "high"}], ("assessments", 0, "likelyhood")),
        (
            "recommendations",
            [{"title": "T", "actions": [{"text": "x", "due": "May"}]}],
            ("recommendations", 0, "actions", 0, "due"),
        ),
        ("extras", [{"key": "k", "title": "K", "place": "end"}], ("extras", 0, "place")),
    ],
)
def test_unknown_nested_field_is_rejected(field: str, value: Any, loc: tuple[Any, ...]):
    assert (loc, "extra_forbidden") in errors_of(minimal(**{field: value}))


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Author, {"name": "A", "role": "lead"}),
        (Source, {"id": "s", "title": "T", "pages": 3}),
        (Topic, {"title": "T", "summary": "x"}),
        (Scenario, {"title": "T", "odds": "1:3"}),
        (Action, {"text": "x", "owner": "Ministry"}),
        (RecommendationGroup, {"title": "T", "cost": "high"}),
    ],
)
def test_every_model_forbids_extra_fields(model: type, data: dict[str, Any]):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    assert [e["type"] for e in caught.value.errors()] == ["extra_forbidden"]


def test_a_validated_brief_is_frozen():
    brief = Brief.model_validate(minimal())
    with pytest.raises(ValidationError):
        brief.title = "Changed"


# --- cited_ids and headings -------------------------------------------------------------------


def test_cited_ids_follow_reading_order_of_first_citation():
    sources = [{"id": name, "title": name.upper()} for name in "abcdefgh"]
    brief = Brief.model_validate(
        minimal(
            sources=sources,
            # Declared in a different order from how a reader meets them:
            decision="Decide [@h].",
            conclusion="Close [@g; @a].",
            extras=[{"key": "annex", "title": "Annex", "body": "[@f]"}],
            recommendations=[{"title": "R", "actions": [{"text": "do [@e, p. 2]"}]}],
            analysis=[{"title": "F", "body": "[@d]", "points": ["[@c; @b]"]}],
            executive_summary="Summary [@b] then [@a].",
            key_messages=["First [@c].", "Again [@c]."],
        )
    )
    assert brief.cited_ids() == ["c", "b", "a", "d", "e", "g", "f", "h"]


def test_heading_is_the_conventional_one_unless_the_author_wrote_their_own():
    brief = Brief.model_validate(minimal(headings={"analysis": "Strategic Analysis"}))
    assert brief.heading("analysis") == "Strategic Analysis"
    assert brief.heading("key_messages") == "Key Messages"
    assert brief.heading("executive_summary") == "Executive Summary"
    assert brief.heading("annex_tables") == "Annex Tables"
    assert set(DEFAULT_HEADINGS) == set(SECTION_KEYS)


def test_headings_must_name_known_sections():
    errors = errors_of(minimal(headings={"analysis": "Findings", "annex": "Annex"}))
    assert errors == {(("headings",), "value_error")}


def test_has_section_and_extras_after():
    brief = Brief.model_validate(
        minimal(
            conclusion="Done.",
            extras=[
                {"key": "foreword", "title": "Foreword", "after": None},
                {"key": "annex", "title": "Annex", "after": "conclusion"},
            ],
        )
    )
    assert brief.has_section("conclusion") and not brief.has_section("background")
    assert [e.key for e in brief.extras_after(None)] == ["foreword"]
    assert [e.key for e in brief.extras_after("conclusion")] == ["annex"]
    assert brief.extras_after("analysis") == []
