"""How citations and reference entries read: the Chicago-style details readers notice."""

from __future__ import annotations

import datetime as dt

from briefgen.citations import Citation, find_citations
from briefgen.markdown import MarkdownRenderer, plain_text
from briefgen.model import Brief, Source
from briefgen.references import Citer, format_reference

SOURCES = [
    Source(id="caci", title="Kazakhstan Adopts New Foreign Policy Concept",
           author="Georgiy Voloshin", publisher="CACI Analyst", date=dt.date(2014, 2, 5),
           type="article"),
    Source(id="profile", title="Kazakhstan - Foreign Relations", date=2015, type="webpage"),
    Source(id="anon", title="Untitled overview of Kazakh foreign policy since independence"),
]
BRIEF = Brief(title="T", date=dt.date(2026, 1, 1), executive_summary="S", sources=SOURCES)


def test_citation_forms_parse_with_locators():
    assert find_citations("a [@caci] b [@caci, p. 12] c [@caci; @profile, ch. 2].") == [
        Citation("caci"), Citation("caci", "p. 12"), Citation("caci"),
        Citation("profile", "ch. 2"),
    ]
    assert find_citations("an email a@b.org and [not @a citation]") == []


def test_reference_entry_inverts_the_author_and_quotes_article_titles():
    assert str(format_reference(SOURCES[0])) == (
        "Voloshin, Georgiy. “Kazakhstan Adopts New Foreign Policy Concept.” "
        "CACI Analyst, 5 February 2014."
    )
    assert str(format_reference(SOURCES[1])) == "“Kazakhstan - Foreign Relations.” 2015."


def test_bibliography_sorts_by_surname_then_title():
    assert [s.id for s in Citer(BRIEF).bibliography()] == ["profile", "anon", "caci"]


def test_endnotes_use_surnames_and_put_the_full_stop_inside_quotes():
    citer = Citer(BRIEF, "endnotes")
    citer([Citation("caci", "p. 3")])
    citer([Citation("caci"), Citation("anon")])
    assert [str(n.text) for n in citer.notes] == [
        "Voloshin, “Kazakhstan Adopts New Foreign Policy Concept,” p. 3.",
        "Voloshin, “Kazakhstan Adopts New Foreign Policy Concept”; "
        "<cite>Untitled overview of Kazakh foreign policy since independence</cite>.",
    ]


def test_author_date_without_author_uses_a_short_title():
    citer = Citer(BRIEF, "author-date")
    html = citer([Citation("anon"), Citation("caci", "p. 2")])
    assert "“Untitled overview of Kazakh…” n.d." in html and "Voloshin 2014</a>, p. 2" in html


def test_numbered_citations_hug_their_word_and_author_date_keeps_its_space():
    numbered = MarkdownRenderer(Citer(BRIEF), lambda s: None)
    assert str(numbered.inline("a claim [@caci].")).startswith("a claim<sup")
    author_date = MarkdownRenderer(Citer(BRIEF, "author-date"), lambda s: None,
                                   hug_citations=False)
    assert str(author_date.inline("a claim [@caci].")).startswith('a claim <span class="cite">')


def test_plain_text_drops_citations_without_leaving_a_gap():
    assert plain_text("none dominate [@caci]. It has **paid** off") == (
        "none dominate. It has paid off"
    )


def test_author_date_prefers_a_short_title_when_there_is_no_author():
    source = SOURCES[2].model_copy(update={"short_title": "Policy overview"})
    brief = BRIEF.model_copy(update={"sources": [source]})
    assert "“Policy overview” n.d." in Citer(brief, "author-date")([Citation("anon")])
