"""Plain text → blocks and sections: section names alone on a line, `- ` bullets whose
structure lives in "group" lines, one paragraph per line of sentences (as pasted text has).

Every line's text is escaped (`_escape`), so plain text never turns into Markdown markup or a
citation by accident.
"""

from __future__ import annotations

import re

from ..sections import MAX_LIST_DEPTH, section_key
from .outline import (
    CLOSERS,
    SENTENCE_END,
    InputBlock,
    InputItem,
    InputSection,
    NestedTooDeep,
    as_list_item,
    bare,
    is_title,
    split_sections,
)

#: Sections whose unknown headings are their items (a finding, a scenario), not new sections.
_STRUCTURED = ("analysis", "implications", "assessments", "recommendations")
#: A list item: a bullet, a number, or a lower-case letter of the Latin, Russian or Kazakh
#: alphabet with a bracket ("b)", "б)", "ә)").
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+•◦▪‣–—]|\d{1,3}[.)]|[a-zа-яёәғқңөұүһі]\))[ \t]+"
    r"(?P<text>\S.*)$"
)
#: Headings of back matter, in English, Russian and Kazakh: a section of its own even inside a
#: structured section, never one of its items.
_ANNEX = re.compile(
    r"^(annex|appendix|appendices|about|methodology|methods|sources|references|notes|endnotes"
    r"|acknowledg\w*|bibliography|glossary|further reading"
    r"|приложени\w*|методолог\w*|методика|источники|литература|список литературы"
    r"|примечани\w*|благодарност\w*|глоссарий|об автор\w*"
    r"|қосымша\w*|әдістеме\w*|дереккөздер\w*|әдебиеттер\w*|ескертпе\w*|алғыс\w*"
    r"|авторлар туралы)\b",
    re.IGNORECASE,
)


def parse_plain(
    lines: list[str], moved: list[str], language: str
) -> tuple[str | None, list[InputSection], list[InputBlock]]:
    """Plain text: section names alone on a line, `- ` bullets, one paragraph per line; section
    names are read in `language` and in English."""
    title, start = _plain_title(lines, language)
    blocks = _plain_blocks(lines, start, language)
    preamble, sections = split_sections(blocks, level=1, promote=False, moved=moved,
                                        language=language)
    return title, sections, preamble


def _plain_title(lines: list[str], language: str) -> tuple[str | None, int]:
    """The first line, when it reads as a title (not a section name, bullet or sentence)."""
    numbers = [i for i, line in enumerate(lines) if line.strip()]
    if len(numbers) < 2:
        return None, 0
    first = lines[numbers[0]].strip()
    if (_BULLET.match(lines[numbers[0]]) or section_key(bare(first), language)
            or not is_title(first)):
        return None, 0
    return first, numbers[0] + 1


def _plain_blocks(lines: list[str], start: int, language: str) -> list[InputBlock]:
    """Group plain lines into headings, paragraphs and (nested) lists of items."""
    builder = _PlainBuilder(language)
    for index in range(start, len(lines)):
        builder.add(lines, index)
    builder.close_paragraph()
    for block in builder.blocks:
        for item in block.items:
            _finish_plain_item(item)
    return builder.blocks


class _PlainBuilder:
    """Reads plain lines one at a time; a section's kind decides what an unknown heading is."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.blocks: list[InputBlock] = []
        self.key: str | None = None
        self.paragraph: list[str] = []
        self.paragraph_line = 0
        self.words: list[str] = []
        self.current_list: InputBlock | None = None
        self.stack: list[tuple[int, InputItem]] = []
        self.last_item: InputItem | None = None

    def add(self, lines: list[str], index: int) -> None:
        line = lines[index]
        stripped = line.strip()
        bullet = _BULLET.match(line)
        if not stripped:
            self.close_paragraph()
            self.last_item = None
        elif self.last_item is not None and not bullet and line[:1].isspace():
            self.last_item.head += "\n" + _escape(stripped)
        elif (_names_section(line, bullet, self.language)
              or not bullet and _looks_like_heading(lines, index)):
            self.heading(stripped, index + 1)
        elif bullet:
            self.item(bullet, index + 1)
        else:
            self.prose(stripped, index + 1)

    def heading(self, text: str, number: int) -> None:
        self.close_paragraph()
        self.current_list = self.last_item = None
        name = bare(text)
        key = section_key(name, self.language)
        level = 1 if key or self.key not in _STRUCTURED or _ANNEX.match(name) else 2
        if level == 1:
            self.key = key
        self.blocks.append(InputBlock("heading", _escape(name), number, level, plain=name,
                                       found=name))

    def item(self, bullet: re.Match[str], number: int) -> None:
        self.close_paragraph()
        if self.current_list is None:
            self.current_list = InputBlock("list", "", number)
            self.blocks.append(self.current_list)
            self.stack = []
        marker = bullet["marker"] if bullet["marker"][0].isdigit() else "-"
        item = InputItem("", number, _escape(bullet["text"].strip()), marker=marker)
        indent = len(bullet["indent"].expandtabs(4))
        while self.stack and self.stack[-1][0] >= indent:
            self.stack.pop()
        if len(self.stack) == MAX_LIST_DEPTH:
            raise NestedTooDeep(number)
        (self.stack[-1][1].children if self.stack else self.current_list.items).append(item)
        self.stack.append((indent, item))
        self.last_item = item

    def prose(self, text: str, number: int) -> None:
        self.current_list = self.last_item = None
        if not self.paragraph:
            self.paragraph_line = number
        self.paragraph.append(_escape(text))
        self.words.append(text)
        if SENTENCE_END.search(text):  # one paragraph per line of sentences, as pasted text has
            self.close_paragraph()

    def close_paragraph(self) -> None:
        if self.paragraph:
            self.blocks.append(InputBlock("para", "\n".join(self.paragraph), self.paragraph_line,
                                          plain=" ".join(self.words)))
        self.paragraph, self.words = [], []


def _names_section(line: str, bullet: re.Match[str] | None, language: str) -> bool:
    """A line naming a section: `Summary`, `Key Judgments:`, or numbered, `2. Analysis`."""
    if bullet and (bullet["indent"] or not bullet["marker"][0].isdigit()):
        return False
    return len(line.strip()) <= 80 and section_key(bare(line), language) is not None


def _looks_like_heading(lines: list[str], index: int) -> bool:
    """A short line without a sentence end, after a break, with text after it: a heading.

    A line ending in a colon is one only when short ("Key risks:", not "Our options are:"),
    and a line the next line continues in lower case is a hard-wrapped sentence.
    """
    text = lines[index].strip()
    if len(text) > 80 or len(text.split()) > 10 or SENTENCE_END.search(text):
        return False
    if not (text[0].isupper() or text[0].isdigit()) or (
            text.endswith(":") and len(text.split()) > 4):
        return False
    before = lines[index - 1].strip() if index else ""
    after_break = not before or _BULLET.match(lines[index - 1]) or re.search(
        rf"[.!?:][{CLOSERS}]*$", before)
    # Not `lines[index + 1:]`: copying the rest of the file for every line is quadratic.
    following = next((lines[i].strip() for i in range(index + 1, len(lines)) if lines[i].strip()),
                     "")
    wrapped = index + 1 < len(lines) and lines[index + 1].strip()[:1].islower()
    return bool(after_break and following and not wrapped)


def _finish_plain_item(item: InputItem) -> None:
    """Give a plain item its full Markdown: its own text, then its nested items."""
    for child in item.children:
        _finish_plain_item(child)
    if not item.children:
        item.text = item.head
        return
    nested = "\n".join(as_list_item(child.text, child.marker) for child in item.children)
    loose = item.children[0].marker[0].isdigit() and item.children[0].marker[:-1] != "1"
    item.text = item.head + ("\n\n" if loose else "\n") + nested


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<])")


def _escape(text: str) -> str:
    """Plain text made safe as Markdown: it reads the same and is never markup or a citation."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^([#>+=|~-])", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])(\s|$)", r"\1\\\2\3", text)
