"""Sources given as BibTeX (`sources.bib`) or CSL-JSON (`sources.json`), as briefgen sources.

Reference managers (Zotero, JabRef, Mendeley) export these formats, so a brief's sources need
not be retyped. BibTeX is parsed by bibtexparser; CSL-JSON is plain JSON. Both map onto the
fields of `Source` (id, title, author, publisher, date, url, accessed, type), plus briefgen's
own `text` (a local text file for `briefgen check`) and `note` when the entry carries them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import BriefgenError, Problem
from .yamlfile import MAX_INT_DIGITS, JsonError, load_json

_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_BIB_TYPES = {"article": "article", "online": "webpage", "misc": "webpage", "www": "webpage",
              "techreport": "report", "report": "report", "book": "book", "inbook": "chapter",
              "incollection": "chapter"}
_WHOLE_NUMBER = re.compile(rf"-?[0-9]{{1,{MAX_INT_DIGITS}}}")
_ITEM_START = re.compile(r"[^\s,]")  # between JSON array items: only white space and a comma
_NAME_PARTS = ("literal", "given", "family")
_AUTHOR_HINT = 'write authors as [{"family": "Doe", "given": "Jane"}] or [{"literal": "UNDP"}]'
_DATE_HINT = 'write a date as {"date-parts": [[2020, 5, 1]]}; month and day may be left out'
_CSL_TYPES = {"article-journal": "article", "article-newspaper": "article",
              "article-magazine": "article", "article": "article", "webpage": "webpage",
              "post-weblog": "webpage", "report": "report", "book": "book", "chapter": "chapter"}


def read_bibtex(path: Path, text: str) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """Entries as source mappings, and the 1-based line where each entry starts."""
    import bibtexparser  # only briefs with a .bib file pay for the import

    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        raise BriefgenError(problems=[
            Problem(f"BibTeX syntax error: {type(block.error).__name__}", file=path,
                    line=block.start_line + 1, hint="check braces and commas in this entry")
            for block in library.failed_blocks
        ])
    sources, lines = [], {}
    for index, entry in enumerate(library.entries):
        fields = {k.lower(): _unbrace(str(f.value)) for k, f in entry.fields_dict.items()}
        source = {
            "id": entry.key,
            "title": fields.get("title", ""),
            "short_title": fields.get("shorttitle"),
            "author": _bib_authors(fields.get("author") or fields.get("editor")),
            "publisher": next((fields[k] for k in ("publisher", "journal", "institution",
                                                   "organization", "howpublished", "booktitle")
                               if fields.get(k)), None),
            "date": _bib_date(fields),
            "url": fields.get("url"),
            "accessed": fields.get("urldate"),
            "type": _BIB_TYPES.get(entry.entry_type.lower()),
            "text": fields.get("text"),
            "note": fields.get("note"),
        }
        sources.append({k: v for k, v in source.items() if v not in (None, "")})
        lines[index] = entry.start_line + 1
    return sources, lines


def read_csl_json(path: Path, text: str) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """CSL-JSON items as source mappings, and the 1-based line where each item starts.

    The fields briefgen converts (author, issued, accessed, type) are checked here: a value of
    the wrong shape is a problem naming its item's line and its CSL field, all of them reported
    together. Fields copied as they are (id, title, URL, note…) are checked with every source.
    """
    try:
        items = load_json(text)
    except JsonError as error:
        raise BriefgenError(error.message, file=path, line=error.line, hint=error.hint) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BriefgenError("CSL-JSON must be a list of items", file=path, line=1,
                            hint="export the sources as CSL JSON from your reference manager")
    lines = _item_lines(text, len(items))
    sources, problems = [], []
    for index, item in enumerate(items):
        converted: dict[str, Any] = {}
        for name, convert in _CSL_CONVERSIONS.items():
            try:
                converted[name] = convert(item.get(name))
            except _NotCsl as wrong:
                problems.append(Problem(f"'{name}' {wrong.problem}", file=path,
                                        line=lines[index], field=f"sources[{index}].{name}",
                                        hint=wrong.hint))
        source = {
            "id": item.get("id"),
            "title": item.get("title"),
            "short_title": item.get("title-short"),
            "author": converted.get("author"),
            "publisher": item.get("publisher") or item.get("container-title"),
            "date": converted.get("issued"),
            "url": item.get("URL"),
            "accessed": converted.get("accessed"),
            "type": converted.get("type"),
            "text": item.get("text"),
            "note": item.get("note"),
        }
        sources.append({k: v for k, v in source.items() if v not in (None, "")})
    if problems:
        raise BriefgenError(problems=problems)
    return sources, dict(enumerate(lines))


class _NotCsl(Exception):
    """A CSL field whose value has a shape briefgen cannot convert."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def _item_lines(text: str, count: int) -> list[int]:
    """The 1-based line on which each of the `count` items of a valid JSON array starts."""
    decoder = json.JSONDecoder()
    lines, line, index, counted = [], 1, text.index("[") + 1, 0
    for _ in range(count):
        index = _ITEM_START.search(text, index).start()  # type: ignore[union-attr]
        line += text.count("\n", counted, index)
        lines.append(line)
        counted = index
        _, index = decoder.raw_decode(text, index)
    return lines


def _unbrace(value: str) -> str:
    """BibTeX's case-protecting braces are markup, not text."""
    return " ".join(value.replace("{", "").replace("}", "").split())


def _bib_authors(value: str | None) -> str | None:
    """`Voloshin, Georgiy and Doe, J.` → `Georgiy Voloshin and J. Doe`."""
    if not value:
        return None
    names = []
    for name in re.split(r"\s+and\s+", value):
        family, _, given = name.partition(",")
        names.append(f"{given.strip()} {family.strip()}".strip() if given else name.strip())
    return " and ".join(names)


def _bib_date(fields: dict[str, str]) -> str | int | None:
    year = _whole_number(fields.get("year", ""))
    if year is None:  # "n.d.", "forthcoming": no year briefgen can use
        return fields.get("date") or None
    month = _MONTHS.get(fields.get("month", "")[:3].lower()) or _whole_number(
        fields.get("month", ""))
    day = _whole_number(fields.get("day", ""))
    if month and day:
        return _iso(year, month, day)
    return year


def _whole_number(text: str) -> int | None:
    """Text of ASCII digits as a number, or None. Not str.isdigit, which accepts "²" (int does
    not), and no longer than numbers in YAML and JSON may be."""
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def _csl_authors(authors: Any) -> str | None:
    """`[{"given": "A.", "family": "Author"}, {"literal": "UNDP"}]` → `A. Author and UNDP`."""
    if authors is None:
        return None
    if not isinstance(authors, list) or not all(isinstance(a, dict) for a in authors):
        raise _NotCsl("must be a list of names, each a mapping", _AUTHOR_HINT)
    if any(not isinstance(a.get(part), str | None) for a in authors for part in _NAME_PARTS):
        raise _NotCsl(f"names must be text in {', '.join(_NAME_PARTS)}", _AUTHOR_HINT)
    names = [
        a.get("literal") or " ".join(p for p in (a.get("given"), a.get("family")) if p)
        for a in authors
    ]
    return " and ".join(n for n in names if n) or None


def _csl_date(value: Any) -> str | int | None:
    """A CSL date as an ISO date, or a year when it has no day (a month alone may stand for a
    season). Dates written in CSL's other forms (literal, raw) are not read."""
    if value is None or isinstance(value, dict) and "date-parts" not in value:
        return None
    if isinstance(value, str):  # an EDTF/ISO date, e.g. "2020-05-01": validated as any date
        return value
    parts = value.get("date-parts") if isinstance(value, dict) else None
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list)
            and 1 <= len(parts[0]) <= 3):
        raise _NotCsl("must hold date-parts: a list of [year, month, day]", _DATE_HINT)
    numbers = [_date_part(part) for part in parts[0]]
    year, month, day = numbers if len(numbers) == 3 else (numbers[0], 1, 1)
    try:
        date = dt.date(year, month, day)
    except (ValueError, OverflowError):  # OverflowError: a year past what C's int holds
        raise _NotCsl(f"is not a date: date-parts {numbers}", _DATE_HINT) from None
    return date.isoformat() if len(numbers) == 3 else year


def _date_part(part: Any) -> int:
    """A year, month or day: a whole number, or text of digits as some exporters write."""
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    number = _whole_number(part.strip()) if isinstance(part, str) else None
    if number is None:
        shown = f" (got {part!r})" if isinstance(part, str | float) and len(str(part)) < 40 else ""
        raise _NotCsl(f"date-parts must be whole numbers{shown}", _DATE_HINT)
    return number


def _csl_type(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _NotCsl("must be text", 'write a CSL type such as "report" or "webpage"')
    return _CSL_TYPES.get(value.lower())


_CSL_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "author": _csl_authors, "issued": _csl_date, "accessed": _csl_date, "type": _csl_type,
}


def _iso(year: int, month: int, day: int) -> str:
    """The ISO date, or the parts as given so that validation reports an impossible date."""
    try:
        return dt.date(year, month, day).isoformat()
    except (ValueError, OverflowError):  # OverflowError: a year past what C's int holds
        return f"{year}-{month:02d}-{day:02d}"
