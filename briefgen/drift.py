"""Drift between editions of one brief: where a translation no longer says what its original says.

Words cannot be compared across languages, but a brief's structure, its citations and its
numbers can: a translation that is in step with its original has as many recommendations, cites
the same sources in the same places and states the same numbers there. So an edition
(`brief.ru.md`) is taken apart into the same pieces as the brief's main edition (`brief.md`):
each paragraph of a prose section, each item of a list, each key figure's value, each cell of a
figure's or table's data; and each piece is compared with its counterpart for the source ids it
cites and the numbers it states. "1,416" in English is "1 416" in Russian and "2.5" is "2,5":
numbers are compared as values, each read as its edition's language writes them.

Pieces are paired by position, so a list whose items differ in number cannot be paired item by
item: the difference is reported, and the list's citations and numbers are compared over the
whole list until the counts agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from .citations import CITATION_GROUP_RE, FIGURE_REF_RE, find_citations
from .content import LoadedBrief, dotted, read_text
from .exhibits import DECIMAL_COMMA_LANGUAGES, number, numbers_in
from .model import SECTION_KEYS, strings_in
from .sections import KeyPath
from .vocabulary import primary

Kind = Literal["count", "citation", "number", "stale"]
Where = tuple[Path, int | None]

#: Sections of prose, compared paragraph by paragraph.
_PROSE = frozenset({"executive_summary", "introduction", "background", "conclusion"})
#: The list sections, and the list each of their items holds (None: their items are text).
_LISTS: dict[str, str | None] = {"key_messages": None, "analysis": "points",
                                 "implications": "points", "assessments": "indicators",
                                 "recommendations": "actions"}
#: Text fields outside the sections that can state a number or cite a source.
_SINGLE_TEXTS = ("title", "subtitle", "decision")
#: Fields of a figure or table that name or place it rather than say anything.
_EXHIBIT_PLUMBING = frozenset({"id", "csv", "image", "chart", "data", "columns"})
#: An extra section's `key` and `after` are made from headings, so they are in its language;
#: its body is compared paragraph by paragraph.
_EXTRA_PLUMBING = frozenset({"key", "after", "body"})
#: A Markdown list item's number at the start of a line: "1." or "2)".
_LIST_NUMBER = re.compile(r"^[ \t]*\d{1,9}[.)](?=[ \t]|$)", re.MULTILINE)


@dataclass(frozen=True)
class Drift:
    """One way an edition has drifted from the brief's main edition, located in both."""

    #: The edition's file and line.
    file: str
    line: int | None
    #: The main edition's file and line: the counterpart.
    other_file: str
    other_line: int | None
    #: The piece that drifted, as fields are named in errors: `recommendations[2].actions[0]`,
    #: `background.paragraphs[1]` (counted from 0).
    path: str
    kind: Kind
    #: What differs, and what to do about it.
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def check_editions(loaded: list[LoadedBrief]) -> list[Drift]:
    """Every edition compared with the main edition of its brief; briefs without editions give
    nothing."""
    found: list[Drift] = []
    for editions in _by_brief(loaded).values():
        main = main_edition(editions)
        for edition in editions:
            if edition.files[0] != main.files[0]:
                found.extend(compare_editions(edition, main))
    return found


def main_edition(editions: list[LoadedBrief]) -> LoadedBrief:
    """The edition the others translate: the brief itself (`brief.md`), else the first."""
    return next((e for e in editions if e.edition is None), editions[0])


def compare_editions(edition: LoadedBrief, main: LoadedBrief) -> list[Drift]:
    """How `edition` differs from `main`: first whether it is older, then the counts that
    differ (they decide what can be paired), then the citations and numbers of each piece."""
    lines = _Lines()
    ours, theirs = _Reading(edition, lines), _Reading(main, lines)
    unequal = {at for at in ours.counts.keys() | theirs.counts.keys()
               if ours.count(at) != theirs.count(at)}
    reported = [at for at in (*theirs.counts, *ours.counts) if at in unequal
                and not any(at[:n] in unequal for n in range(len(at)))]
    return [
        *_staleness(edition, main),
        *(_count_drift(ours.counts[at], theirs.counts[at]) for at in dict.fromkeys(reported)),
        *(drift for mine, other in _paired(ours, theirs, unequal)
          for drift in _piece_drift(mine, other, lines, edition.brief.language,
                                    main.brief.language)),
    ]


def numbers_stated(text: str, language: str) -> dict[float, str]:
    """The numbers a piece of Markdown states, each value as first written; not the locators
    of its citations (`p. 4`), its references to figures (`@fig:chart-2`) or the numbers of its
    lists."""
    plain = _LIST_NUMBER.sub(" ", FIGURE_REF_RE.sub(" ", CITATION_GROUP_RE.sub(" ", text)))
    stated: dict[float, str] = {}
    for written, value in numbers_in(plain, language):
        stated.setdefault(value, written)
    return stated


@dataclass(frozen=True)
class _Count:
    """How many items a list holds (a figure's data: rows and columns), and where."""

    size: tuple[int, ...]
    label: str
    where: Where

    def text(self) -> str:
        if len(self.size) == 1:
            return str(self.size[0])
        rows, columns = self.size
        return f"{rows} row{'s' * (rows != 1)} of {columns} column{'s' * (columns != 1)}"


@dataclass(frozen=True)
class _Piece:
    """A paragraph, an item or a value of one edition: what it cites and states, and where."""

    label: str
    where: Where
    text: str = ""
    numbers: dict[float, str] = field(default_factory=dict)
    citations: frozenset[str] = frozenset()

    @classmethod
    def whole(cls, label: str, where: Where, pieces: list[_Piece]) -> _Piece:
        """The pieces of a list read as one: what any of them cites or states."""
        numbers: dict[float, str] = {}
        for piece in pieces:
            numbers.update((v, w) for v, w in piece.numbers.items() if v not in numbers)
        return cls(label, where, "\n\n".join(p.text for p in pieces), numbers,
                   frozenset().union(*(p.citations for p in pieces)))


class _Reading:
    """One edition taken apart into the pieces compared with its counterpart's, in reading
    order, and the counts of its lists."""

    def __init__(self, loaded: LoadedBrief, lines: _Lines) -> None:
        self.loaded = loaded
        self.language = loaded.brief.language
        self.counts: dict[KeyPath, _Count] = {}
        self.pieces: dict[KeyPath, _Piece] = {}
        self._lines = lines
        self._read()

    def count(self, at: KeyPath) -> tuple[int, ...]:
        found = self.counts.get(at)
        return found.size if found else (0,)

    def pooled(self, unequal: set[KeyPath]) -> dict[KeyPath, _Piece]:
        """The pieces, those inside a list whose count differs joined into one for the list."""
        homes: dict[KeyPath, list[_Piece]] = {}
        for at, piece in self.pieces.items():
            home = next((at[:n] for n in range(len(at)) if at[:n] in unequal), at)
            homes.setdefault(home, []).append(piece)
        return {home: pieces[0] if home in self.pieces else
                _Piece.whole(self.counts[home].label, self.counts[home].where, pieces)
                for home, pieces in homes.items()}

    def stand_in(self, at: KeyPath, unequal: set[KeyPath], counterpart: _Piece) -> _Piece:
        """An empty piece for one this edition lacks (a list's items that have no counterpart,
        a cell of a shorter row), where the list or the row is."""
        home = self.counts.get(at) if at in unequal else None
        return _Piece(counterpart.label, home.where if home else self._where(at))

    def _read(self) -> None:
        brief = self.loaded.brief
        for key in _SINGLE_TEXTS:
            self._piece((key,), [getattr(brief, key) or ""])
        self._key_figures()
        for key in SECTION_KEYS:
            if key in _PROSE:
                self._paragraphs((key,), getattr(brief, key))
            else:
                self._list(key, getattr(brief, key), _LISTS[key])
        self._extras()
        for kind in ("figures", "tables"):
            self._exhibits(kind)

    def _list(self, key: str, items: list, nested: str | None) -> None:
        self._count((key,), len(items))
        for index, item in enumerate(items):
            self._piece((key, index), strings_in(item, frozenset({nested} if nested else ())))
            if nested:
                inner = getattr(item, nested)
                self._count((key, index, nested), len(inner))
                for position, entry in enumerate(inner):
                    self._piece((key, index, nested, position), strings_in(entry))

    def _key_figures(self) -> None:
        figures = self.loaded.brief.key_figures
        self._count(("key_figures",), len(figures))
        for index, figure in enumerate(figures):
            at = ("key_figures", index, "value")
            self._cell(at, figure.value, self._where(at), dotted(at))
            self._piece(("key_figures", index), strings_in(figure, frozenset({"value"})))

    def _extras(self) -> None:
        extras = self.loaded.brief.extras
        self._count(("extras",), len(extras))
        for index, extra in enumerate(extras):
            self._piece(("extras", index), strings_in(extra, _EXTRA_PLUMBING))
            self._paragraphs(("extras", index), extra.body)

    def _exhibits(self, kind: str) -> None:
        exhibits = getattr(self.loaded.brief, kind)
        self._count((kind,), len(exhibits))
        for index, exhibit in enumerate(exhibits):
            self._piece((kind, index), strings_in(exhibit, _EXHIBIT_PLUMBING))
            rows = self.loaded.exhibits.rows.get(exhibit.id, [])
            at = (kind, index, "data")
            self._count(at, len(rows), max((len(row) for row in rows), default=0))
            for row_index, row in enumerate(rows):
                where = self._row_where(at, row_index, exhibit.csv)
                for column, (name, cell) in enumerate(row.items()):
                    self._cell((*at, row_index, column), cell, where,
                               f"{dotted(at)}[{row_index}].{name}")

    def _paragraphs(self, at: KeyPath, text: str) -> None:
        paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
        self._count((*at, "paragraphs"), len(paragraphs))
        file, line = self._where(at)
        for index, paragraph in enumerate(paragraphs):
            # Each paragraph is looked for after the one before: they are in order in the file.
            line = self._lines.first(file, line, paragraph)
            self._piece((*at, "paragraphs", index), [paragraph], (file, line))

    def _count(self, at: KeyPath, *size: int) -> None:
        self.counts[at] = _Count(size, dotted(at), self._where(at))

    def _piece(self, at: KeyPath, texts: Iterable[str], where: Where | None = None) -> None:
        text = "\n\n".join(texts)
        self.pieces[at] = _Piece(dotted(at), where or self._where(at), text,
                                 numbers_stated(text, self.language),
                                 frozenset(c.source_id for c in find_citations(text)))

    def _cell(self, at: KeyPath, cell: object, where: Where, label: str) -> None:
        """A cell is one number however it is written ("1 416", "80%"), with its sign; a cell
        of text may still state one ("$300 million")."""
        text = "" if cell is None else str(cell)
        value = number(cell, self.language)
        numbers = {value: text} if value is not None else numbers_stated(text, self.language)
        self.pieces[at] = _Piece(label, where, text, numbers)

    def _row_where(self, at: KeyPath, row: int, csv: str | None) -> Where:
        """A row's line: in its CSV file (one line per row after the header), or in the YAML
        that lists it."""
        if csv:
            return self.loaded.folder / csv, row + 2
        return self._where((*at, row))

    def _where(self, at: KeyPath) -> Where:
        """The file and line of a value; no line when the edition lacks the whole section (the
        nearest known value would be its front matter, which says nothing about it)."""
        file, line = self.loaded.locate(at)
        return (file, line) if at[:1] in self.loaded.where else (file, None)


def _by_brief(loaded: list[LoadedBrief]) -> dict[tuple[Path, str], list[LoadedBrief]]:
    """Editions grouped by the brief they belong to: its folder and its name."""
    groups: dict[tuple[Path, str], list[LoadedBrief]] = {}
    for item in loaded:
        groups.setdefault((item.folder, item.slug), []).append(item)
    return groups




def _name(where: Where) -> str:
    return where[0].name


def _staleness(edition: LoadedBrief, main: LoadedBrief) -> list[Drift]:
    """An edition with a lower version than the main one, or the same version and an earlier
    date, was translated from an older text."""
    ours, theirs = edition.brief, main.brief
    if ours.version < theirs.version:
        at, was, now = "version", f"version {ours.version}", f"version {theirs.version}"
        todo = f"then give it version {theirs.version}"
    elif ours.version == theirs.version and ours.date < theirs.date:
        at, was, now = "date", f"dated {ours.date}", f"dated {theirs.date}"
        todo = f"then give it the date {theirs.date}"
    else:
        return []
    mine, other = edition.locate((at,)), main.locate((at,))
    message = (f"{_name(mine)} is {was}, {_name(other)} is {now}: the translation is older "
               f"than its original; bring it up to date with {_name(other)}, {todo}")
    return [_drift("stale", at, message, mine, other)]


def _count_drift(ours: _Count, theirs: _Count) -> Drift:
    """A list with more or fewer items than its counterpart: its items cannot be paired."""
    fewer = ours.size < theirs.size
    advice = (f"add what {_name(ours.where)} lacks" if fewer else
              f"remove from {_name(ours.where)} what {_name(theirs.where)} does not have, or "
              f"add it there")
    message = (f"{theirs.text()} in {_name(theirs.where)}, {ours.text()} in "
               f"{_name(ours.where)}: {advice}; until the counts agree, the citations and "
               f"numbers of {theirs.label} are compared as a whole")
    return _drift("count", theirs.label, message, ours.where, theirs.where)


def _paired(ours: _Reading, theirs: _Reading,
            unequal: set[KeyPath]) -> Iterator[tuple[_Piece, _Piece]]:
    """Each piece of the edition with its counterpart, in reading order (the main edition's);
    a piece one of them lacks is paired with an empty one."""
    mine, other = ours.pooled(unequal), theirs.pooled(unequal)
    for at in dict.fromkeys([*other, *mine]):
        if at in mine and at in other:
            yield mine[at], other[at]
        elif at in mine:
            yield mine[at], theirs.stand_in(at, unequal, mine[at])
        else:
            yield ours.stand_in(at, unequal, other[at]), other[at]


def _piece_drift(ours: _Piece, theirs: _Piece, lines: _Lines, language: str,
                 main_language: str) -> Iterator[Drift]:
    if ours.where[0] == theirs.where[0] and ours.text == theirs.text:
        return  # shared (the figures of figures.yaml): the same text read twice
    yield from _citation_drift(ours, theirs, lines)
    number_drift = _number_drift(ours, theirs, lines, language, main_language)
    if number_drift:
        yield number_drift


def _citation_drift(ours: _Piece, theirs: _Piece, lines: _Lines) -> Iterator[Drift]:
    """Source ids one piece cites and its counterpart does not, each way: each drift on the
    line that cites the first of them."""
    mine, other = _name(ours.where), _name(theirs.where)
    lacking = sorted(theirs.citations - ours.citations)
    if lacking:
        groups = " ".join(f"[@{i}]" for i in lacking)
        yield _drift("citation", theirs.label,
                     f"{other} cites {_ids(lacking)} here and {mine} does not: add {groups} "
                     f"to {mine}", ours.where, lines.find(theirs.where, _cited(lacking[0]).search))
    extra = sorted(ours.citations - theirs.citations)
    if extra:
        yield _drift("citation", theirs.label,
                     f"{mine} cites {_ids(extra)} here and {other} does not: remove it from "
                     f"{mine}, or add it to {other} if it belongs there",
                     lines.find(ours.where, _cited(extra[0]).search), theirs.where)


def _number_drift(ours: _Piece, theirs: _Piece, lines: _Lines, language: str,
                  main_language: str) -> Drift | None:
    """One drift for the numbers a piece and its counterpart do not share, saying which
    stand where; on the lines of the first of them."""
    lacking = {v: w for v, w in theirs.numbers.items() if v not in ours.numbers}
    extra = {v: w for v, w in ours.numbers.items() if v not in theirs.numbers}
    if not lacking and not extra:
        return None
    mine, other = _name(ours.where), _name(theirs.where)
    # The lines to point at: where the first differing number is written, before any
    # misreading below is taken out of the two.
    first_extra = next(iter(extra.values()), None)
    first_lacking = next(iter(lacking.values()), None)
    sentences = [_misread(written, read, meant, mine, language)
                 for written, read, meant in _comma_misreadings(extra, lacking, language,
                                                                main_language)]
    if lacking and extra:
        sentences.append(f"{other} has {_listed([*lacking.values()])} where {mine} has "
                         f"{_listed([*extra.values()])}: make {mine} agree with {other}")
    elif lacking:
        sentences.append(f"{other} has {_listed([*lacking.values()])} here and {mine} does "
                         f"not: add it to {mine}, or check that the translation kept it")
    elif extra:
        sentences.append(f"{mine} has {_listed([*extra.values()])} here and {other} does not: "
                         f"check it against {other}")
    return _drift("number", theirs.label, "; ".join(sentences),
                  _where_stated(lines, ours.where, first_extra),
                  _where_stated(lines, theirs.where, first_lacking))


def _where_stated(lines: _Lines, where: Where, written: str | None) -> Where:
    """The line of a piece where a number is written; the piece's own if there is none."""
    return lines.find(where, _stated(written).search) if written else where


def _comma_misreadings(extra: dict[float, str], lacking: dict[float, str], language: str,
                       main_language: str) -> list[tuple[str, float, float]]:
    """The edition's numbers that differ only because it is in a language with a decimal
    comma and writes a thousands comma ("1,416" is 1.416 in Russian), as (written, read,
    meant); taken out of `extra` and `lacking`, which then hold only true differences."""
    if primary(language) not in DECIMAL_COMMA_LANGUAGES:
        return []
    found = []
    for read, written in list(extra.items()):
        meant = number(written, main_language)
        if meant is not None and meant != read and meant in lacking:
            found.append((written, read, meant))
            del extra[read], lacking[meant]
    return found


def _misread(written: str, read: float, meant: float, mine: str, language: str) -> str:
    grouped = f"{int(meant):,}" if meant.is_integer() else f"{meant:,}"
    return (f"{mine} writes {written}, which reads as {read:g} in {language}, where a comma "
            f"marks decimals: write {grouped.translate(_COMMA_STYLE)}")


#: 1,416.5 → 1 416,5.
_COMMA_STYLE = str.maketrans({",": "\u00a0", ".": ","})


def _cited(source_id: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(source_id)}(?![\w:-]|\.\w)")


def _stated(written: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(' '.join(written.split()))}(?!\d)")


#: How far past a piece's first line its text or a number in it is looked for: a text that
#: cannot be found as written (a YAML string with escapes) must not make every search read to
#: the end of a long file.
_LOOK_AHEAD = 1000


class _Lines:
    """The lines of the files compared, read once, each with its spaces made plain and single
    (as `str.split` sees them: no-break spaces too), for finding a piece or a number."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def first(self, file: Path, start: int | None, text: str) -> int | None:
        """The first line at or after `start` that holds `text`'s first line; else `start`."""
        probe = " ".join(text.split("\n")[0].split())
        return self.find((file, start), lambda line: probe in line)[1]

    def find(self, where: Where, holds: Callable[[str], object]) -> Where:
        """The first line at or after `where`, within `_LOOK_AHEAD` lines, that `holds`
        is true of; else `where`. Nothing is looked for where the line is not known: the piece
        is missing there."""
        file, start = where
        if start is None:
            return where
        lines = self._lines(file)
        found = next((n for n in range(start, min(start + _LOOK_AHEAD, len(lines) + 1))
                      if holds(lines[n - 1])), None)
        return file, found or start

    def _lines(self, file: Path) -> list[str]:
        if file not in self._files:
            self._files[file] = [" ".join(line.split()) for line in read_text(file).split("\n")]
        return self._files[file]


def _drift(kind: Kind, path: str, message: str, ours: Where, theirs: Where) -> Drift:
    return Drift(str(ours[0]), ours[1], str(theirs[0]), theirs[1], path, kind, message)


def _ids(ids: list[str]) -> str:
    return _listed([f"@{i}" for i in ids])


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
