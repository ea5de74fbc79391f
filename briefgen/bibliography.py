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
from pathlib import Path
from typing import Any

from .errors import BriefgenError, Problem

_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_BIB_TYPES = {"article": "article", "online": "webpage", "misc": "webpage", "www": "webpage",
              "techreport": "report", "report": "report", "book": "book", "inbook": "chapter",
              "incollection": "chapter"}
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


def read_csl_json(path: Path, text: str) -> list[dict[str, Any]]:
    """CSL-JSON items as source mappings."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise BriefgenError(f"invalid JSON: {error.msg}", file=path, line=error.lineno) from None
    except RecursionError:
        raise BriefgenError("the JSON is nested too deeply to read", file=path, line=1,
                            hint="export the sources again: CSL-JSON needs only a few levels"
                            ) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BriefgenError("CSL-JSON must be a list of items", file=path, line=1,
                            hint="export the sources as CSL JSON from your reference manager")
    sources = []
    for item in items:
        source = {
            "id": item.get("id"),
            "title": item.get("title"),
            "short_title": item.get("title-short"),
            "author": _csl_authors(item.get("author")),
            "publisher": item.get("publisher") or item.get("container-title"),
            "date": _csl_date(item.get("issued")),
            "url": item.get("URL"),
            "accessed": _csl_date(item.get("accessed")),
            "type": _CSL_TYPES.get(str(item.get("type", "")).lower()),
            "text": item.get("text"),
            "note": item.get("note"),
        }
        sources.append({k: v for k, v in source.items() if v not in (None, "")})
    return sources


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
    year = fields.get("year", "")
    if not year.isdigit():
        return fields.get("date") or None
    month = _MONTHS.get(fields.get("month", "")[:3].lower()) or (
        int(fields["month"]) if fields.get("month", "").isdigit() else None)
    day = int(fields["day"]) if fields.get("day", "").isdigit() else None
    if month and day:
        return _iso(int(year), month, day)
    return int(year)


def _csl_authors(authors: Any) -> str | None:
    if not isinstance(authors, list):
        return None
    names = [
        a.get("literal") or " ".join(p for p in (a.get("given"), a.get("family")) if p)
        for a in authors if isinstance(a, dict)
    ]
    return " and ".join(n for n in names if n) or None


def _csl_date(value: Any) -> str | int | None:
    parts = value.get("date-parts") if isinstance(value, dict) else None
    if not parts or not isinstance(parts[0], list) or not parts[0]:
        return None
    numbers = [int(p) for p in parts[0][:3]]
    if len(numbers) == 3:
        return _iso(*numbers)
    return numbers[0]


def _iso(year: int, month: int, day: int) -> str:
    """The ISO date, or the parts as given so that validation reports an impossible date."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return f"{year}-{month:02d}-{day:02d}"
