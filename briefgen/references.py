"""How citations show in the text, and how the list of sources is written.

A style picks one citation mode in its `style.yaml`:

- `numbered`: a superscript number per source, in order of first citation; the sources list is
  numbered the same way (the usual policy-brief convention);
- `endnotes`: a new superscript number per citation, each note listed at the end with its
  locator, followed by a bibliography;
- `footnotes`: the note text floats to the foot of the page (WeasyPrint's `float: footnote`);
- `author-date`: "(Voloshin 2014, p. 3)" in the running text.

References follow the Chicago notes–bibliography pattern: author, title, publisher, date, URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup

from .citations import Citation
from .languages import Language, end_sentence, english, fill
from .model import Brief, Source

CitationMode = Literal["numbered", "endnotes", "footnotes", "author-date"]
CITATION_MODES: tuple[str, ...] = ("numbered", "endnotes", "footnotes", "author-date")
_QUOTED_TYPES = {"article", "webpage", "essay", "chapter", "report-section", "brief"}


@dataclass
class Note:
    """An endnote: its number and what it says."""

    number: int
    text: Markup


@dataclass
class Citer:
    """Formats citation groups for one rendering and remembers the order they came in."""

    brief: Brief
    mode: CitationMode = "numbered"
    #: The words and quotation marks of the brief's language ("n.d.", “…” or «…»).
    language: Language = field(default_factory=english)
    _order: dict[str, int] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def __call__(self, citations: list[Citation]) -> str:
        for citation in citations:
            self._order.setdefault(citation.source_id, len(self._order) + 1)
        if self.mode == "author-date":
            return str(Markup('<span class="cite">({})</span>').format(
                Markup("; ").join(self._author_date(c) for c in citations)
            ))
        if self.mode == "numbered":
            labels = Markup(", ").join(self._numbered(c) for c in citations)
            return str(Markup('<sup class="cite">{}</sup>').format(labels))
        text = _end_sentence(Markup("; ").join(self.short_note(c) for c in citations),
                             self.language)
        if self.mode == "footnotes":
            return str(Markup('<span class="footnote">{}</span>').format(text))
        self.notes.append(Note(len(self.notes) + 1, text))  # already ends with its full stop
        number = len(self.notes)
        return str(Markup('<sup class="cite" id="noteref-{0}"><a href="#note-{0}">{0}</a></sup>')
                   .format(number))

    def number(self, source_id: str) -> int | None:
        """The number a source got in `numbered` mode (None if it has not been cited yet)."""
        return self._order.get(source_id)

    def cited_sources(self) -> list[Source]:
        """Sources in order of first citation, then those never cited, in file order."""
        by_id = {s.id: s for s in self.brief.sources}
        cited = [by_id[i] for i in self._order if i in by_id]
        return cited + [s for s in self.brief.sources if s.id not in self._order]

    def bibliography(self) -> list[Source]:
        """Sources alphabetically by author's surname (or title), as a bibliography lists them."""
        return sorted(self.brief.sources,
                      key=lambda s: (_surname(s.author) if s.author else s.title).casefold())

    def short_note(self, citation: Citation) -> Markup:
        """A Chicago short note, without its final full stop: Voloshin, “Title,” p. 3."""
        source = self.brief.source(citation.source_id)
        if source is None:
            return Markup("{}").format(citation.source_id)
        who = _surname(source.author) if source.author else source.publisher
        title = _title(source, self.language, closing="," if citation.locator else "")
        note = Markup("{}, {}").format(who, title) if who else title
        return note + Markup(" {}").format(citation.locator) if citation.locator else note

    def _numbered(self, citation: Citation) -> Markup:
        number = self._order[citation.source_id]
        label = Markup('<a href="#ref-{}">{}</a>').format(citation.source_id, number)
        if citation.locator:
            label += Markup("\u2009({})").format(citation.locator)
        return label

    def _author_date(self, citation: Citation) -> Markup:
        source = self.brief.source(citation.source_id)
        if source is None:
            return Markup("{}").format(citation.source_id)
        opening, closing = self.language.quotes[:2]
        who = _surname(source.author) if source.author else (
            source.publisher or Markup("{}{}{}").format(
                opening, source.short_title or _short_title(source.title), closing))
        when = str(source.year) if source.year else self.language.labels["no_date"]
        text = Markup('<a href="#ref-{}">{} {}</a>').format(source.id, who, when)
        return text + Markup(", {}").format(citation.locator) if citation.locator else text


def format_reference(source: Source, language: Language | None = None) -> Markup:
    """One bibliography entry: Author. “Title.” Publisher, 5 February 2014. URL. (In the
    brief's language: its quotation marks, its dates, its "Accessed".)"""
    language = language or english()
    parts: list[Markup] = []
    if source.author:
        parts.append(Markup("{}.").format(_inverted(source.author, language).rstrip(".")))
    parts.append(_title(source, language, closing="."))
    imprint = ", ".join(x for x in (source.publisher, language.date(source.date)) if x)
    if imprint:
        parts.append(end_sentence(Markup("{}").format(imprint)))
    if source.url and source.url.lower().startswith(("https://", "http://")):
        parts.append(Markup('<a class="url" href="{0}">{0}</a>.').format(source.url))
    elif source.url:  # never a live link for javascript:, data: or file: addresses
        parts.append(Markup("{}.").format(source.url))
    if source.accessed:
        accessed = fill(str(language.labels["accessed"]), date=language.date(source.accessed))
        parts.append(end_sentence(Markup("{}").format(accessed)))
    return Markup(" ").join(parts)


def _title(source: Source, language: Language, closing: str = "") -> Markup:
    """An article's title in quotation marks, a book's or report's in italics. English puts
    the comma or full stop inside the closing mark; Russian and Kazakh put it after «…»."""
    if (source.type or "").lower() not in _QUOTED_TYPES:
        return Markup("<cite>{}</cite>{}").format(source.title, closing)
    opening, closing_mark = language.quotes[:2]
    if closing_mark == "”":
        return Markup("{}{}{}{}").format(opening, source.title.rstrip("."), closing,
                                         closing_mark)
    return Markup("{}{}{}{}").format(opening, source.title.rstrip("."), closing_mark, closing)


def _end_sentence(text: Markup, language: Language) -> Markup:
    """A final full stop: inside a closing ” as American usage puts it, else after the text."""
    if text.endswith("”") and language.quotes[1] == "”":
        return Markup(text[:-1]) + Markup(".”")
    return end_sentence(text)


def _short_title(title: str, words: int = 4) -> str:
    parts = title.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _inverted(author: str, language: Language) -> str:
    """`Georgiy Voloshin` → `Voloshin, Georgiy`, as a bibliography lists the first author."""
    first, _, rest = author.partition(" and ")
    if "," in first or len(first.split()) < 2:
        return author
    *given, surname = first.split()
    inverted = f"{surname}, {' '.join(given)}"
    return f"{inverted} {language.labels['and']} {rest}" if rest else inverted


def _surname(author: str) -> str:
    first = author.split(" and ")[0].split(";")[0].split(",")[0].strip()
    return first.split()[-1] if first else author
