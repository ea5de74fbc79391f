"""The input as both readers (plain.py, markdown.py) leave it: blocks, list items and sections.

Each reader turns its lines into `InputBlock`s; `split_sections` cuts them at section headings
into `InputSection`s, each knowing the field its heading names, and `place_preamble` finds a
home for the text before the first heading. body.py writes the sections out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sections import section_key
from .report import ImportReport

#: Closing quotes and brackets a sentence may end inside: English, Russian and Kazakh ones
#: («…», „…“).
CLOSERS = "\"'”’“»)\\]"
#: A line ending like this is a sentence (or a list of them), not a heading, title or label.
SENTENCE_END = re.compile(rf"[.!?;…,][{CLOSERS}]*$")
#: The heading of an executive summary the importer adds, in the brief's language.
SUMMARY_HEADINGS = {"en": "Executive Summary", "ru": "Резюме", "kk": "Түйіндеме"}
#: The title of the extra section for text before the first section: a word that names no
#: section in its language, so the loader keeps it as an extra section too.
PREAMBLE_TITLES = {"en": "Preamble", "ru": "Преамбула", "kk": "Алғы сөз"}


@dataclass
class InputItem:
    """A list item: its own first paragraph, further blocks, and the items nested in it."""

    text: str  # the whole item as Markdown, nested lists included
    line: int
    head: str  # its first paragraph, Markdown
    more: list[str] = field(default_factory=list)
    children: list[InputItem] = field(default_factory=list)
    marker: str = "-"


@dataclass
class InputBlock:
    """A top-level piece of the input: heading, paragraph, list or anything else (kept raw)."""

    kind: str  # heading | para | list | other
    text: str  # Markdown; for a heading, its inline text
    line: int
    level: int = 0  # heading level; 0 for a bold line standing in for a section heading
    plain: str = ""  # heading or paragraph: its words without markup
    found: str = ""  # heading: as written in the input, for the report
    items: list[InputItem] = field(default_factory=list)


@dataclass
class InputSection:
    """A section of the input and the field it maps to, with the blocks under its heading."""

    found: str  # the heading as found
    title: str  # the heading written (Markdown)
    key: str | None  # None: an extra section
    line: int
    level: int
    blocks: list[InputBlock] = field(default_factory=list)


class NestedTooDeep(Exception):
    """A list nested deeper than MAX_LIST_DEPTH, at `line` of the input. Refused while parsing,
    before its items are split (which recurses once per level): a build would print its deeper
    items empty, and thousands of levels would exhaust the stack."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def is_title(text: str) -> bool:
    """Short enough for a title, and not ending like a sentence or a lead-in."""
    return len(text) <= 150 and not re.search(rf"[.;,:][{CLOSERS}]*$", text)


def bare(line: str) -> str:
    """A heading line's words: without surrounding emphasis or a trailing colon."""
    text = line.strip().strip("*_").strip()
    return text.rstrip(":").strip()

def as_list_item(text: str, marker: str = "-") -> str:
    """A list item: the marker, then the text with continuation lines indented under it."""
    pad = " " * (len(marker) + 1)
    lines = text.split("\n")
    return "\n".join([f"{marker} {lines[0]}", *(pad + line if line else "" for line in lines[1:])])


def split_sections(
    blocks: list[InputBlock], level: int, promote: bool, moved: list[str], language: str
) -> tuple[list[InputBlock], list[InputSection]]:
    """Blocks before the first section heading, and the sections.

    A heading starts a section at the section level (or a bold line naming one), or — in
    Markdown — deeper, when it names a section not yet seen (`### Strategic Implications`
    inside the analysis). A second heading for a section already seen becomes an extra
    section "… (continued)", since a brief has each section once. Headings are read in
    `language` and in English, as the loader reads them.
    """
    preamble: list[InputBlock] = []
    sections: list[InputSection] = []
    seen: set[str] = set()
    for block in blocks:
        key = section_key(block.plain, language) if block.kind == "heading" else None
        promoted = promote and block.level > level and key is not None and key not in seen
        if block.kind == "heading" and (block.level <= level or promoted):
            sections.append(_new_section(block, key, seen, promoted, moved))
        elif sections:
            sections[-1].blocks.append(block)
        else:
            preamble.append(block)
    return preamble, sections


def _new_section(
    block: InputBlock, key: str | None, seen: set[str], promoted: bool, moved: list[str]
) -> InputSection:
    found, title = block.found, block.text
    if promoted:
        moved.append(f"line {block.line}: the level-{block.level} heading '{block.plain}' names "
                     f"the {key} section, so it starts that section")
    if key in seen:
        title = f"{title} (continued)"
        moved.append(f"line {block.line}: '{block.plain}' is a second {key} section; it is kept "
                     f"as the extra section '{block.plain} (continued)'")
        key = None
    if key:
        seen.add(key)
    return InputSection(found, title, key, block.line, block.level)


def place_preamble(
    preamble: list[InputBlock], sections: list[InputSection], report: ImportReport
) -> str | None:
    """Text before the first section: a one-line subtitle, else the executive summary if the
    brief has none, else an extra section 'Preamble' at the start (both named in the brief's
    language). Returns the subtitle."""
    if not preamble:
        return None
    first = preamble[0]
    if len(preamble) == 1 and first.kind == "para" and "\n" not in first.text and is_title(
            first.plain):
        report.moved.append(f"line {first.line}: the line under the title became the subtitle")
        return first.plain
    if not any(s.key == "executive_summary" for s in sections):
        summary = InputSection("", SUMMARY_HEADINGS[report.language], "executive_summary",
                               first.line, 1, preamble)
        sections.insert(0, summary)
        report.moved.append(f"line {first.line}: the text before the first section became the "
                            "Executive Summary (the brief had none)")
        return None
    title = PREAMBLE_TITLES[report.language]
    sections.insert(0, InputSection("", title, None, first.line, 1, preamble))
    report.moved.append(f"line {first.line}: the text before the first section is kept as an "
                        f"extra section '{title}' at the start")
    return None
