"""Writing the imported brief: its folder name, front matter, brief.md and sources.yaml.

What the input cannot give (the author, the real date, a cited source's details) is written as
a TODO, never guessed. The folder appears whole or not at all, is never written over, and is
loaded back before the import reports success: a brief that would not build is an error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

from ..citations import find_citations
from ..content import load_brief
from ..errors import BriefgenError
from .language import DetectedLanguage
from .outline import InputSection
from .report import ImportReport

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Russian and Kazakh letters in Latin ones, for folder names: a plain scheme that reads well
#: ("Питьевая вода" → "pitevaia-voda"), not a standard to round-trip.
_CYRILLIC_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
})


def folder_name(title: str | None, source: Path) -> str:
    """Lower-case ASCII words joined by hyphens, at most 60 characters, from the title (or the
    file name when the title is unknown, or has no such letters). Russian and Kazakh letters
    are written in Latin ones, so a Cyrillic title names its folder too."""
    for text in (title, source.stem):
        latin = (text or "").lower().translate(_CYRILLIC_TO_LATIN)
        ascii_text = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
        if len(slug) > 60:
            slug = slug[:61].rsplit("-", 1)[0] if "-" in slug[:61] else slug[:60]
        if slug:
            return slug.strip("-")
    return "imported-brief"


def check_folder(folder: Path, slug: str | None) -> None:
    """Refuse a slug `briefgen new` would refuse too, and a folder that exists already."""
    if slug is not None and not _SLUG.match(slug):
        raise BriefgenError(f"'{slug}' is not a usable folder name", field="slug",
                            hint="use lower-case letters, digits and hyphens")
    if folder.exists():
        raise BriefgenError("already exists; briefgen import never overwrites", file=folder,
                            hint="choose another name with --slug or --output, or remove it")


def front_matter(source: Path, title: str | None, subtitle: str | None, today: dt.date,
                 language: DetectedLanguage) -> str:
    """Front matter with the fields the input cannot give written as TODOs, and the language
    found with the evidence for it, for the author to check."""
    name = " ".join(source.name.split())
    lines = [
        "---",
        f"# Imported from {name} by 'briefgen import' on {today.isoformat()}: "
        "check every TODO.",
        f"title: {_yaml_string(title or 'TODO: title of the brief')}",
    ]
    if subtitle:
        lines.append(f"subtitle: {_yaml_string(subtitle)}")
    lines += [
        f"date: {today.isoformat()}  # TODO: set the brief's real date",
        "authors:",
        '  - name: "TODO: author"',
        f"language: {language.code}  # found by 'briefgen import': {language.evidence}",
        "---",
    ]
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def sources_yaml(body: str, report: ImportReport) -> str:
    """`[]`, or a TODO entry for each id the input already cites as `[@id]`."""
    ids = list(dict.fromkeys(c.source_id for c in find_citations(body)))
    header = ("# The sources this brief cites; cite one as [@id] in brief.md.\n"
              "# See docs/content-format.md, 'sources.yaml'.\n")
    if not ids:
        return header + "[]\n"
    report.todo.append("sources")
    entries = [f"- id: {_yaml_string(i)}\n"
               f"  title: {_yaml_string(f'TODO: the source cited as @{i}')}" for i in ids]
    return header + "\n".join(entries) + "\n"


def write_folder(folder: Path, brief_md: str, sources: str) -> None:
    """Write both files into a temporary folder beside the target, then move it into place,
    so an interrupted import never leaves half a brief."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_folder(folder)
    try:
        (temporary / "brief.md").write_text(brief_md, encoding="utf-8")
        (temporary / "sources.yaml").write_text(sources, encoding="utf-8")
        if folder.exists():
            raise BriefgenError("already exists; briefgen import never overwrites", file=folder)
        temporary.rename(folder)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)


def _temporary_folder(folder: Path) -> Path:
    """A new hidden folder beside `folder`, made with `mkdir` so the user's umask applies
    (tempfile.mkdtemp would make it private, and the rename would keep that)."""
    for attempt in range(100):
        candidate = folder.with_name(f".{folder.name}.importing-{os.getpid()}-{attempt}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise BriefgenError("cannot create a temporary folder beside it", file=folder)


def record_sections(folder: Path, sections: list[InputSection], report: ImportReport) -> None:
    """Load the written brief (so a brief that would not build is an error, not a surprise)
    and list each section found with the field or extra key it became."""
    try:
        loaded = load_brief(folder)
    except BriefgenError as error:
        raise BriefgenError(
            f"the imported brief does not load; it was kept in {folder} for you to fix",
            file=folder,
            hint="this is a bug in briefgen import: please report it with the input file",
            problems=error.problems,
        ) from None
    extras = iter(loaded.brief.extras)
    for section in sections:
        field_name = section.key or f"extra:{next(extras).key}"
        if section.found:
            report.sections.append((section.found, field_name, section.line))
