"""An existing plain-text or Markdown brief → a content folder that loads and builds.

Briefs arrive as text pasted from web pages or word processors: section names alone on a line,
`- ` bullets whose structure lives in "group" lines, Markdown with any heading depth. The importer
maps that onto the content format (docs/content-format.md) without losing a word: every sentence
and list item of the input is written to `brief.md`. The only lines it drops are whole short
lines of web-page furniture matched by `FURNITURE_RULES`, and each of those is reported with its
line and rule, so an author can see exactly what was left out and why. What it cannot know (the
author, the real date) is written as a TODO rather than guessed. Drafts may be in English,
Russian or Kazakh: the brief's `language` is found from the headings, else the letters, and
the draft's headings and detail lines are read in it.

This module is the entry point; `briefgen.importing` holds its parts, one job each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .content import read_text
from .errors import BriefgenError
from .importing.body import write_body
from .importing.folder import (
    check_folder,
    folder_name,
    front_matter,
    record_sections,
    sources_yaml,
    write_folder,
)
from .importing.furniture import FURNITURE_RULES, drop_furniture
from .importing.language import detect_language
from .importing.markdown import looks_like_markdown, parse_markdown
from .importing.outline import NestedTooDeep, place_preamble
from .importing.plain import parse_plain
from .importing.report import ImportReport
from .model import ILLEGAL_CHARACTERS, describe_character
from .sections import MAX_LIST_DEPTH

__all__ = ["FURNITURE_RULES", "ImportReport", "import_brief"]


def import_brief(
    source: Path,
    out_dir: Path | None = None,
    slug: str | None = None,
    *,
    today: dt.date | None = None,
) -> ImportReport:
    """Turn an existing plain-text or Markdown brief into a content folder that builds.

    The folder is `out_dir/<slug>` (`out_dir` defaults to `content/`; the slug to one made from
    the title, else from the file name). An existing folder is never overwritten. The result is
    loaded with `load_brief` before returning, so a folder that would not build is an error.
    The brief's language is found first (English, Russian or Kazakh), and its headings and
    detail lines are read in it, as the loader will read them.
    """
    text, taken_out = _without_illegal_characters(_read_source(source))
    markdown = looks_like_markdown(source.suffix, text)
    lines, dropped = drop_furniture(text.split("\n"), markdown)
    if not any(line.strip() for line in lines):
        raise BriefgenError("nothing to import: every line is page furniture", file=source)
    language = detect_language(lines)
    report = ImportReport(folder=Path(), dropped=dropped, language=language.code,
                          language_evidence=language.evidence, moved=taken_out)
    try:
        title, sections, preamble = (parse_markdown if markdown else parse_plain)(
            lines, report.moved, language.code)
    except NestedTooDeep as deep:
        raise BriefgenError(
            f"this list is nested more than {MAX_LIST_DEPTH} levels deep", file=source,
            line=deep.line, hint=f"a brief's lists keep their text {MAX_LIST_DEPTH} levels deep "
            "at most: indent the deeper items less, or write them as paragraphs") from None
    subtitle = place_preamble(preamble, sections, report)
    folder = (out_dir or Path("content")) / (slug or folder_name(title, source))
    check_folder(folder, slug)
    report.folder = folder
    report.todo = ["title"] * (title is None) + ["date", "authors"]
    body = write_body(sections, markdown, report)
    brief_md = front_matter(source, title, subtitle, today or dt.date.today(), language) + body
    write_folder(folder, brief_md, sources_yaml(body, report))
    record_sections(folder, sections, report)
    report.sort_moved()
    return report


#: Characters that stand between words, so that taking them out must leave a space: Word's line
#: break (vertical tab), a page break (form feed) and the C1 "next line".
_BETWEEN_WORDS = {"\x0b": " ", "\x0c": " ", "\x85": " "}


def _without_illegal_characters(text: str) -> tuple[str, list[str]]:
    """The draft without the characters no brief may hold (`model.ILLEGAL_CHARACTERS`), and a
    note for each kind taken out: its first line, and on how many more. They are taken out, not
    refused: a draft pasted from Word or a PDF carries them by the hundred (a form feed on every
    page), invisibly, and the loader would refuse every one of them in the brief written."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        for char in dict.fromkeys(ILLEGAL_CHARACTERS.findall(line)):
            lines.setdefault(char, []).append(number)
    notes = [f"line {found[0]}: took out {describe_character(char)}, which no edition can print"
             + (f" (and on {len(found) - 1} more line{'s' * (len(found) > 2)})"
                if len(found) > 1 else "")
             for char, found in lines.items()]
    cleaned = ILLEGAL_CHARACTERS.sub(lambda m: _BETWEEN_WORDS.get(m[0], ""), text)
    return cleaned, notes


def _read_source(source: Path) -> str:
    """The input's text; a missing, binary, non-UTF-8 or empty file is an error naming it."""
    if not source.exists():
        raise BriefgenError("no such file", file=source, hint="check the path")
    if source.is_dir():
        raise BriefgenError("this is a folder; give the brief's text file", file=source)
    text = read_text(source)
    if not text.strip():
        raise BriefgenError("the file is empty", file=source)
    return text
