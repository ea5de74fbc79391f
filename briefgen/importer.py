"""An existing plain-text or Markdown brief → a content folder that loads and builds.

Briefs arrive as text pasted from web pages or word processors: section names alone on a line,
`- ` bullets whose structure lives in "group" lines, Markdown with any heading depth. The importer
maps that onto the content format (docs/content-format.md) without losing a word: every sentence
and list item of the input is written to `brief.md`. The only lines it drops are whole short
lines of web-page furniture matched by `FURNITURE_RULES`, and each of those is reported with its
line and rule, so an author can see exactly what was left out and why. What it cannot know (the
author, the real date) is written as a TODO rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import textwrap
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .citations import find_citations
from .content import load_brief, read_text
from .errors import BriefgenError
from .sections import MAX_LIST_DEPTH, section_key, top_level_items

# --------------------------------------------------------------------------------------------
# Page furniture
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FurnitureRule:
    """One kind of web-page furniture: a line that belongs to the page, not to the brief.

    `pattern` must match the *whole* line (after list markers, heading marks, emphasis and link
    syntax are stripped, and trailing `:`/`»`/`…` removed), and the line must be at most
    `MAX_FURNITURE_CHARS` long, so a sentence that merely mentions "print" or "cookies" is
    never dropped.
    """

    name: str
    pattern: re.Pattern[str]
    why: str
    plain_text_only: bool = False


def _rule(name: str, pattern: str, why: str, plain_text_only: bool = False) -> FurnitureRule:
    return FurnitureRule(name, re.compile(pattern, re.IGNORECASE), why, plain_text_only)


#: Longest line a furniture rule may drop: furniture is a button or a label, never a paragraph.
MAX_FURNITURE_CHARS = 120

FURNITURE_RULES: tuple[FurnitureRule, ...] = (
    _rule(
        "comment-form",
        r"leave a (reply|comment)|post a comment|cancel reply|\d+ (comments?|replies)"
        r"|no comments( yet)?|your email address will not be published\b.*"
        r"|required fields are marked\b.*",
        "A blog's comment form ('Leave a Reply', '3 comments') copied with the article; it ends "
        "the web page, not the brief.",
    ),
    _rule(
        "related-link",
        r"(read (also|more|next)|continue reading)\b(?!.*[.!?]$).*"
        r"|related (posts?|articles?|reading|stories)(\s*:.*)?|you (may|might) also like.*",
        "Links to other articles ('Read also: …', 'Read more', 'Related posts'); they name "
        "other pages and say nothing the brief says. A line ending in a full stop is a "
        "sentence ('Read more widely.') and is kept.",
    ),
    _rule(
        "view-counter",
        r"(read|viewed|views?:?)\s*\d[\d,. ]*( times)?|\d[\d,.]*\s+(views|reads)",
        "A page's view counter ('Read 6289 times').",
    ),
    _rule(
        "share-button",
        r"(share|tweet|email|print) this( (article|post|page|story))?"
        r"|share( (on|via) \w+)?|follow us( on \w+)?"
        r"|((facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|email|x)[\s,|/·•]*)+",
        "Social-media buttons ('Share this', 'Facebook Twitter LinkedIn'), which copy as text "
        "labels.",
    ),
    _rule(
        "shop-button",
        r"order now|buy now|order (a |an |your )?(custom |similar |original )?(essay|paper)"
        r"( now)?|get (a |your )?(free )?(price )?quote|place (an |your )?order"
        r"|hire (a |an )?writer",
        "Shop buttons of essay and report sellers ('Order Now', 'Get a quote').",
    ),
    _rule(
        "print-button",
        r"print|print[- ]friendly( version)?|download( as)? pdf|save as pdf",
        "Print and download buttons ('Print', 'Download PDF').",
    ),
    _rule(
        "cookie-notice",
        r".*\bcookies?\b.*\b(use|uses|using|accept|consent|agree|policy|settings|preferences"
        r"|continuing)\b.*|.*\b(use|uses|accept|reject|allow|manage)\b.*\bcookies?\b.*"
        r"|(accept|reject|decline|allow) all",
        "Cookie banners ('This site uses cookies…', 'Accept all').",
    ),
    _rule(
        "separator",
        r"([-=_*~#.•·])\1{2,}|([-=_*~]\s){2,}[-=_*~]",
        "Lines drawn with repeated characters ('-----', '* * *'). Plain text only: in Markdown "
        "such a line is a thematic break or a heading underline and is kept.",
        plain_text_only=True,
    ),
)
"""The rules by which the importer drops a line; every dropped line is reported with its rule."""

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FURNITURE_MARKS = re.compile(r"^\s*(#{1,6}\s+|>\s*|[-*+•]\s+|\d{1,3}[.)]\s+)")
_FURNITURE_TAIL = re.compile(r"[\s:»›→>…]+$|\.{3}$")


def _furniture_rule(line: str, markdown: bool) -> FurnitureRule | None:
    """The rule a whole line of furniture matches, if any (see `FurnitureRule`)."""
    text = line.strip()
    if not text or len(text) > MAX_FURNITURE_CHARS:
        return None
    if not re.fullmatch(r"[-=_*~#.•·\s]+", text):
        text = _FURNITURE_MARKS.sub("", text)
        text = _LINK.sub(r"\1", text).replace("**", "").replace("__", "").strip("*_ ")
        text = _FURNITURE_TAIL.sub("", text).strip()
    for rule in FURNITURE_RULES:
        if rule.plain_text_only and markdown:
            continue
        if text and rule.pattern.fullmatch(text):
            return rule
    return None


def _drop_furniture(
    lines: list[str], markdown: bool
) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Blank out furniture lines (keeping line numbers) and list them; code fences are kept."""
    kept: list[str] = []
    dropped: list[tuple[int, str, str]] = []
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        marker = re.match(r"^\s{0,3}(`{3,}|~{3,})", line) if markdown else None
        if marker and (fence is None or marker[1].startswith(fence)):
            fence = None if fence else marker[1][:3]
        rule = None if fence or marker else _furniture_rule(line, markdown)
        if rule:
            dropped.append((number, line.strip(), rule.name))
            kept.append("")
        else:
            kept.append(line)
    return kept, dropped


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, for the CLI to show: nothing is moved or dropped silently."""

    folder: Path  # the content folder written
    sections: list[tuple[str, str, int]] = field(default_factory=list)
    """(heading as found, field or "extra:<key>", line in the source)."""
    moved: list[str] = field(default_factory=list)
    """Human-readable notes on items moved or restructured, each starting with its line."""
    dropped: list[tuple[int, str, str]] = field(default_factory=list)
    """(line, text, name of the `FURNITURE_RULES` rule that dropped it)."""
    todo: list[str] = field(default_factory=list)
    """Fields written as a TODO placeholder: title, date, authors, executive_summary, sources."""


# --------------------------------------------------------------------------------------------
# Parsed input: blocks, list items, sections
# --------------------------------------------------------------------------------------------


@dataclass
class _Item:
    """A list item: its own first paragraph, further blocks, and the items nested in it."""

    text: str  # the whole item as Markdown, nested lists included
    line: int
    head: str  # its first paragraph, Markdown
    more: list[str] = field(default_factory=list)
    children: list[_Item] = field(default_factory=list)
    marker: str = "-"


@dataclass
class _Block:
    """A top-level piece of the input: heading, paragraph, list or anything else (kept raw)."""

    kind: str  # heading | para | list | other
    text: str  # Markdown; for a heading, its inline text
    line: int
    level: int = 0  # heading level; 0 for a bold line standing in for a section heading
    plain: str = ""  # heading or paragraph: its words without markup
    found: str = ""  # heading: as written in the input, for the report
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Section:
    """A section of the input and what it maps to, with the blocks under its heading."""

    found: str  # the heading as found
    title: str  # the heading written (Markdown)
    key: str | None  # None: an extra section
    line: int
    level: int
    blocks: list[_Block] = field(default_factory=list)


@dataclass
class _Part:
    """One `##` item of a finding, scenario or recommendation section, before it is written."""

    title: str | None
    line: int
    body: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    group: bool = False  # came from a plain-text group line, not a heading
    free: bool = False  # after a deeper heading: lists stay in the body with it


STRUCTURED = ("analysis", "implications", "assessments", "recommendations")
_META = {
    "assessments": {"likelihood": "Likelihood", "probability": "Probability"},
    "recommendations": {
        "priority": "Priority", "owner": "Owner", "lead": "Lead", "responsible": "Responsible",
        "timeframe": "Timeframe", "timeline": "Timeline",
    },
}
_MD = MarkdownIt("commonmark").enable("table")
_SENTENCE_END = re.compile(r"[.!?;…,][\"'”’)\]]*$")
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+•◦▪‣–—]|\d{1,3}[.)]|[a-z]\))[ \t]+(?P<text>\S.*)$"
)
_ANNEX = re.compile(
    r"^(annex|appendix|appendices|about|methodology|methods|sources|references|notes|endnotes"
    r"|acknowledg\w*|bibliography|glossary|further reading)\b",
    re.IGNORECASE,
)
_BOLD_LEAD = re.compile(
    r"^(\*\*|__)(?P<title>[^*_\n]+?)[:.]?(\*\*|__)[:.]?\s+(?P<text>\S.*)$", re.DOTALL
)
_PLAIN_LEAD = re.compile(r"^(?P<title>[A-Z0-9][^:.!?\n]{0,79}?):\s+(?P<text>\S.*)$", re.DOTALL)
_PSEUDO_HEADING = re.compile(r"^(\*\*|__)(?P<text>[^*_\n]+?):?(\*\*|__):?\s*$")
# Spaces and tabs only, and one run of them on each side of a marker: two `\s*` side by side
# backtracked over every split of a deep indent (seconds on a list of 1,500 levels).
_MARKDOWN_HINTS = re.compile(r"^ {0,3}#{1,6}\s+\S"
                             r"|^[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]*)?\*\*[^*\n]+\*\*", re.MULTILINE)

# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


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
    """
    text = _read_source(source)
    markdown = _is_markdown(source, text)
    lines, dropped = _drop_furniture(text.split("\n"), markdown)
    if not any(line.strip() for line in lines):
        raise BriefgenError("nothing to import: every line is page furniture", file=source)
    report = ImportReport(folder=Path(), dropped=dropped)
    try:
        title, sections, preamble = (_parse_markdown if markdown else _parse_plain)(lines, report)
    except _NestedTooDeep as deep:
        raise BriefgenError(
            f"this list is nested more than {MAX_LIST_DEPTH} levels deep", file=source,
            line=deep.line, hint=f"a brief's lists keep their text {MAX_LIST_DEPTH} levels deep "
            "at most: indent the deeper items less, or write them as paragraphs") from None
    subtitle = _place_preamble(preamble, sections, report)
    folder = (out_dir or Path("content")) / (slug or _slug(title, source))
    _check_folder(folder, slug)
    report.folder = folder
    report.todo = ["title"] * (title is None) + ["date", "authors"]
    body = _write_sections(sections, markdown, report)
    brief_md = _front_matter(source, title, subtitle, today or dt.date.today()) + body
    _write_folder(folder, brief_md, _sources_yaml(body, report))
    _record_sections(folder, sections, report)
    report.moved.sort(key=_note_line)
    return report


class _NestedTooDeep(Exception):
    """A list nested deeper than MAX_LIST_DEPTH, at `line` of the input. Refused while parsing,
    before its items are split (which recurses once per level): a build would print its deeper
    items empty, and thousands of levels would exhaust the stack."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _note_line(note: str) -> int:
    """The source line a `moved` note starts with, to list the notes in reading order."""
    match = re.match(r"line (\d+):", note)
    return int(match[1]) if match else 0


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


def _is_markdown(source: Path, text: str) -> bool:
    """Markdown by extension, or by content: `#` headings or bold leads at line starts."""
    if source.suffix.lower() in (".md", ".markdown", ".mdown", ".mkd"):
        return True
    return bool(_MARKDOWN_HINTS.search(text))


# --------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------


def _parse_plain(
    lines: list[str], report: ImportReport
) -> tuple[str | None, list[_Section], list[_Block]]:
    """Plain text: section names alone on a line, `- ` bullets, one paragraph per line."""
    title, start = _plain_title(lines)
    blocks = _plain_blocks(lines, start)
    preamble, sections = _split_sections(blocks, level=1, promote=False, moved=report.moved)
    return title, sections, preamble


def _plain_title(lines: list[str]) -> tuple[str | None, int]:
    """The first line, when it reads as a title (not a section name, bullet or sentence)."""
    numbers = [i for i, line in enumerate(lines) if line.strip()]
    if len(numbers) < 2:
        return None, 0
    first = lines[numbers[0]].strip()
    if _BULLET.match(lines[numbers[0]]) or section_key(_bare(first)) or not _is_title(first):
        return None, 0
    return first, numbers[0] + 1


def _is_title(text: str) -> bool:
    return len(text) <= 150 and not re.search(r"[.;,:][\"'”’)]*$", text)


def _bare(line: str) -> str:
    """A heading line's words: without surrounding emphasis or a trailing colon."""
    text = line.strip().strip("*_").strip()
    return text.rstrip(":").strip()


def _plain_blocks(lines: list[str], start: int) -> list[_Block]:
    """Group plain lines into headings, paragraphs and (nested) lists of items."""
    builder = _PlainBuilder()
    for index in range(start, len(lines)):
        builder.add(lines, index)
    builder.close_paragraph()
    for block in builder.blocks:
        for item in block.items:
            _finish_plain_item(item)
    return builder.blocks


class _PlainBuilder:
    """Reads plain lines one at a time; a section's kind decides what an unknown heading is."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.key: str | None = None
        self.paragraph: list[str] = []
        self.paragraph_line = 0
        self.words: list[str] = []
        self.current_list: _Block | None = None
        self.stack: list[tuple[int, _Item]] = []
        self.last_item: _Item | None = None

    def add(self, lines: list[str], index: int) -> None:
        line = lines[index]
        stripped = line.strip()
        bullet = _BULLET.match(line)
        if not stripped:
            self.close_paragraph()
            self.last_item = None
        elif self.last_item is not None and not bullet and line[:1].isspace():
            self.last_item.head += "\n" + _escape(stripped)
        elif _names_section(line, bullet) or not bullet and _looks_like_heading(lines, index):
            self.heading(stripped, index + 1)
        elif bullet:
            self.item(bullet, index + 1)
        else:
            self.prose(stripped, index + 1)

    def heading(self, text: str, number: int) -> None:
        self.close_paragraph()
        self.current_list = self.last_item = None
        bare = _bare(text)
        key = section_key(bare)
        level = 1 if key or self.key not in STRUCTURED or _ANNEX.match(bare) else 2
        if level == 1:
            self.key = key
        self.blocks.append(_Block("heading", _escape(bare), number, level, plain=bare,
                                  found=bare))

    def item(self, bullet: re.Match[str], number: int) -> None:
        self.close_paragraph()
        if self.current_list is None:
            self.current_list = _Block("list", "", number)
            self.blocks.append(self.current_list)
            self.stack = []
        marker = bullet["marker"] if bullet["marker"][0].isdigit() else "-"
        item = _Item("", number, _escape(bullet["text"].strip()), marker=marker)
        indent = len(bullet["indent"].expandtabs(4))
        while self.stack and self.stack[-1][0] >= indent:
            self.stack.pop()
        if len(self.stack) == MAX_LIST_DEPTH:
            raise _NestedTooDeep(number)
        (self.stack[-1][1].children if self.stack else self.current_list.items).append(item)
        self.stack.append((indent, item))
        self.last_item = item

    def prose(self, text: str, number: int) -> None:
        self.current_list = self.last_item = None
        if not self.paragraph:
            self.paragraph_line = number
        self.paragraph.append(_escape(text))
        self.words.append(text)
        if _SENTENCE_END.search(text):  # one paragraph per line of sentences, as pasted text has
            self.close_paragraph()

    def close_paragraph(self) -> None:
        if self.paragraph:
            self.blocks.append(_Block("para", "\n".join(self.paragraph), self.paragraph_line,
                                      plain=" ".join(self.words)))
        self.paragraph, self.words = [], []


def _names_section(line: str, bullet: re.Match[str] | None) -> bool:
    """A line naming a section: `Summary`, `Key Judgments:`, or numbered, `2. Analysis`."""
    if bullet and (bullet["indent"] or not bullet["marker"][0].isdigit()):
        return False
    return len(line.strip()) <= 80 and section_key(_bare(line)) is not None


def _looks_like_heading(lines: list[str], index: int) -> bool:
    """A short line without a sentence end, after a break, with text after it: a heading.

    A line ending in a colon is one only when short ("Key risks:", not "Our options are:"),
    and a line the next line continues in lower case is a hard-wrapped sentence.
    """
    text = lines[index].strip()
    if len(text) > 80 or len(text.split()) > 10 or _SENTENCE_END.search(text):
        return False
    if not (text[0].isupper() or text[0].isdigit()) or (
            text.endswith(":") and len(text.split()) > 4):
        return False
    before = lines[index - 1].strip() if index else ""
    after_break = not before or _BULLET.match(lines[index - 1]) or re.search(
        r"[.!?:][\"'”’)]*$", before)
    # Not `lines[index + 1:]`: copying the rest of the file for every line is quadratic.
    following = next((lines[i].strip() for i in range(index + 1, len(lines)) if lines[i].strip()),
                     "")
    wrapped = index + 1 < len(lines) and lines[index + 1].strip()[:1].islower()
    return bool(after_break and following and not wrapped)


def _finish_plain_item(item: _Item) -> None:
    """Give a plain item its full Markdown: its own text, then its nested items."""
    for child in item.children:
        _finish_plain_item(child)
    if not item.children:
        item.text = item.head
        return
    nested = "\n".join(_bullet(child.text, child.marker) for child in item.children)
    loose = item.children[0].marker[0].isdigit() and item.children[0].marker[:-1] != "1"
    item.text = item.head + ("\n\n" if loose else "\n") + nested


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<])")


def _escape(text: str) -> str:
    """Plain text made safe as Markdown: it reads the same and is never markup or a citation."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^([#>+=|~-])", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])(\s|$)", r"\1\\\2\3", text)


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------


def _parse_markdown(
    lines: list[str], report: ImportReport
) -> tuple[str | None, list[_Section], list[_Block]]:
    """Markdown: any heading depth; the shallowest level that names a section splits them."""
    blocks = _markdown_blocks(lines, first_line=1)
    title = _markdown_title(blocks)
    if title is not None:
        blocks = blocks[1:]
    level = _section_level(blocks)
    preamble, sections = _split_sections(blocks, level=level, promote=True, moved=report.moved)
    return title, sections, preamble


def _markdown_title(blocks: list[_Block]) -> str | None:
    """A first heading with only deeper ones after it (or nothing under it), or a first short
    line followed by a heading, when it names no section."""
    if len(blocks) < 2:
        return None
    first, following = blocks[0], blocks[1]
    if first.kind == "heading" and first.level and not section_key(first.plain):
        deeper = all(b.level > first.level for b in blocks[1:] if b.kind == "heading"
                     and b.level)
        return first.plain if deeper or following.kind == "heading" else None
    if (first.kind == "para" and "\n" not in first.text and following.kind == "heading"
            and not section_key(first.plain) and _is_title(first.plain)):
        return first.plain
    return None


def _section_level(blocks: list[_Block]) -> int:
    """The heading level of sections: the shallowest that names one, else the shallowest."""
    headings = [b for b in blocks if b.kind == "heading" and b.level]
    named = [b.level for b in headings if section_key(b.plain)]
    return min(named or [b.level for b in headings] or [1])


def _markdown_blocks(lines: list[str], first_line: int) -> list[_Block]:
    """Top-level blocks as markdown-it sees them; lines it skips are kept as raw blocks."""
    tokens = _MD.parse("\n".join(lines))
    too_deep = _list_too_deep(tokens)
    if too_deep is not None:
        raise _NestedTooDeep(first_line + too_deep)
    blocks: list[_Block] = []
    covered: set[int] = set()
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or not token.map:
            continue
        start, end = token.map
        covered.update(range(start, end))
        block = _markdown_block(tokens, index, lines, first_line)
        if block is not None:
            blocks.append(block)
    for start, end in _uncovered_runs(lines, covered):
        blocks.append(_Block("other", "\n".join(lines[start:end]), first_line + start))
    return sorted(blocks, key=lambda b: b.line)


def _list_too_deep(tokens: list[Token]) -> int | None:
    """The 0-based line of the first list nested deeper than MAX_LIST_DEPTH, if any. The parse
    shows it even in a list of thousands of levels: markdown-it stops only a level deeper."""
    depth = 0
    for token in tokens:
        if token.type.endswith("_list_open"):
            depth += 1
            if depth > MAX_LIST_DEPTH and token.map:
                return token.map[0]
        elif token.type.endswith("_list_close"):
            depth -= 1
    return None


def _markdown_block(tokens: list[Token], index: int, lines: list[str], first: int) -> _Block | None:
    token = tokens[index]
    start, end = token.map or (0, 0)
    kind = token.type.removesuffix("_open")
    source = "\n".join(lines[start:end]).strip("\n")
    if kind == "heading":
        inline = tokens[index + 1]
        plain = _inline_plain(inline)
        if not plain:
            return None
        return _Block("heading", inline.content.strip(), first + start, int(token.tag[1:]),
                      plain=plain, found=inline.content.strip())
    if kind in ("bullet_list", "ordered_list"):
        return _Block("list", source, first + start, items=_markdown_items(tokens, index, lines,
                                                                            first))
    if kind == "paragraph":
        inline = tokens[index + 1]
        pseudo = _PSEUDO_HEADING.match(source)
        if pseudo and section_key(pseudo["text"]):
            text = pseudo["text"].strip()
            return _Block("heading", text, first + start, 0, plain=text, found=source)
        return _Block("para", source, first + start, plain=_inline_plain(inline))
    return _Block("other", source, first + start)


def _uncovered_runs(lines: list[str], covered: set[int]) -> list[tuple[int, int]]:
    """Runs of non-blank lines no block claimed (link reference definitions, say)."""
    runs: list[tuple[int, int]] = []
    for number, line in enumerate(lines):
        if number in covered or not line.strip():
            continue
        if runs and runs[-1][1] == number:
            runs[-1] = (runs[-1][0], number + 1)
        else:
            runs.append((number, number + 1))
    return runs


def _inline_plain(inline: Token) -> str:
    """An inline token's words, without emphasis or link syntax."""
    children = inline.children or []
    text = "".join(
        " " if c.type in ("softbreak", "hardbreak") else c.content
        for c in children
        if c.type in ("text", "code_inline", "softbreak", "hardbreak")
    )
    return " ".join(text.split())


def _markdown_items(tokens: list[Token], list_index: int, lines: list[str],
                    first: int) -> list[_Item]:
    """The top-level items of the list opening at `list_index`, each split into its parts."""
    items: list[_Item] = []
    ordered = tokens[list_index].type == "ordered_list_open"
    for token in top_level_items(tokens, list_index):
        start, end = token.map
        text = _dedent_item(lines[start:end])
        if text:
            marker = f"{token.info}{token.markup}" if ordered else "-"
            items.append(_split_item(text, first + start, marker))
    return items


def _dedent_item(item_lines: list[str]) -> str:
    """A list item's Markdown without its marker, continuation lines dedented to match."""
    marker = re.match(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)", item_lines[0])
    width = len(marker[0]) if marker else 0
    rest = [line[width:] if line[:width].strip() == "" else line for line in item_lines[1:]]
    return textwrap.dedent("\n".join([item_lines[0][width:], *rest])).strip()


def _split_item(text: str, line: int, marker: str) -> _Item:
    """An item's first paragraph, its other blocks and its nested items."""
    blocks = _markdown_blocks(text.split("\n"), first_line=line)
    head = blocks[0].text if blocks and blocks[0].kind != "list" else ""
    more = [b.text for b in blocks[1:] if b.kind != "list"]
    children = [item for b in blocks if b.kind == "list" for item in b.items]
    return _Item(text, line, head, more, children, marker)


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def _split_sections(
    blocks: list[_Block], level: int, promote: bool, moved: list[str]
) -> tuple[list[_Block], list[_Section]]:
    """Blocks before the first section heading, and the sections.

    A heading starts a section at the section level (or a bold line naming one), or — in
    Markdown — deeper, when it names a section not yet seen (`### Strategic Implications`
    inside the analysis). A second heading for a section already seen becomes an extra
    section "… (continued)", since a brief has each section once.
    """
    preamble: list[_Block] = []
    sections: list[_Section] = []
    seen: set[str] = set()
    for block in blocks:
        key = section_key(block.plain) if block.kind == "heading" else None
        promoted = promote and block.level > level and key is not None and key not in seen
        if block.kind == "heading" and (block.level <= level or promoted):
            sections.append(_new_section(block, key, seen, promoted, moved))
        elif sections:
            sections[-1].blocks.append(block)
        else:
            preamble.append(block)
    return preamble, sections


def _new_section(
    block: _Block, key: str | None, seen: set[str], promoted: bool, moved: list[str]
) -> _Section:
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
    return _Section(found, title, key, block.line, block.level)


def _place_preamble(
    preamble: list[_Block], sections: list[_Section], report: ImportReport
) -> str | None:
    """Text before the first section: a one-line subtitle, else the executive summary if the
    brief has none, else an extra section 'Preamble' at the start. Returns the subtitle."""
    if not preamble:
        return None
    first = preamble[0]
    if (len(preamble) == 1 and first.kind == "para" and "\n" not in first.text
            and len(first.plain) <= 150 and not re.search(r"[.;,:][\"'”’)]*$", first.plain)):
        report.moved.append(f"line {first.line}: the line under the title became the subtitle")
        return first.plain
    if not any(s.key == "executive_summary" for s in sections):
        summary = _Section("", "Executive Summary", "executive_summary", first.line, 1, preamble)
        sections.insert(0, summary)
        report.moved.append(f"line {first.line}: the text before the first section became the "
                            "Executive Summary (the brief had none)")
        return None
    sections.insert(0, _Section("", "Preamble", None, first.line, 1, preamble))
    report.moved.append(f"line {first.line}: the text before the first section is kept as an "
                        "extra section 'Preamble' at the start")
    return None


# --------------------------------------------------------------------------------------------
# Writing sections
# --------------------------------------------------------------------------------------------


def _write_sections(sections: list[_Section], markdown: bool, report: ImportReport) -> str:
    """The Markdown body of brief.md, one `#` section after another."""
    chunks: list[str] = []
    has_summary = False
    for section in sections:
        content = _render(section, not markdown, report.moved)
        if section.key == "executive_summary":
            has_summary = True
            if not content:
                content = ["TODO: summarise the brief in two or three short paragraphs."]
                report.todo.append("executive_summary")
        chunks.append("\n\n".join([f"# {section.title}", *content]))
    if not has_summary:
        chunks.append("# Executive Summary\n\n"
                      "TODO: summarise the brief in two or three short paragraphs.")
        report.todo.append("executive_summary")
    return "\n\n".join(chunks) + "\n"


def _render(section: _Section, plain: bool, moved: list[str]) -> list[str]:
    if section.key == "key_messages":
        return _render_messages(section, plain, moved)
    if section.key in ("analysis", "implications"):
        return _render_topics(section, _parts(section, plain), moved)
    if section.key == "assessments":
        return _render_scenarios(section, _parts(section, plain), plain, moved)
    if section.key == "recommendations":
        return _render_recommendations(section, _parts(section, plain), plain, moved)
    return _render_prose(section, plain)


def _sub_levels(section: _Section) -> int:
    """The level of the shallowest heading inside a section (its items' headings)."""
    levels = [b.level for b in section.blocks if b.kind == "heading"]
    deeper = [level for level in levels if level > section.level]
    return min(deeper or levels or [section.level + 1])


def _shift(block: _Block, top: int) -> str:
    """A heading inside a section, re-levelled so the shallowest one is `##`."""
    return "#" * min(6, 2 + max(0, block.level - top)) + " " + block.text


def _bullet(text: str, marker: str = "-") -> str:
    """A list item: the marker, then the text with continuation lines indented under it."""
    pad = " " * (len(marker) + 1)
    lines = text.split("\n")
    return "\n".join([f"{marker} {lines[0]}", *(pad + line if line else "" for line in lines[1:])])


def _list_text(block: _Block, plain: bool) -> str:
    if not plain:
        return block.text
    return "\n".join(_bullet(item.text, item.marker) for item in block.items)


def _render_prose(section: _Section, plain: bool) -> list[str]:
    """Prose and extra sections: everything, in order; inner headings start at `##`."""
    top = _sub_levels(section)
    return [
        _shift(b, top) if b.kind == "heading" else _list_text(b, plain) if b.kind == "list"
        else b.text
        for b in section.blocks
    ]


def _render_messages(section: _Section, plain: bool, moved: list[str]) -> list[str]:
    """Key messages: lists and paragraphs stay as written; a heading becomes a message."""
    out: list[str] = []
    for block in section.blocks:
        if block.kind == "heading":
            moved.append(f"line {block.line}: the heading '{block.plain}' among the key "
                         "messages became a message")
            out.append(block.text)
        else:
            out.append(_list_text(block, plain) if block.kind == "list" else block.text)
    return out


def _parts(section: _Section, plain: bool) -> list[_Part]:
    """The section cut into items: at its shallowest headings, or at plain-text group lines.
    The first part has no title: it holds what came before the first item."""
    top = _sub_levels(section)
    parts = [_Part(None, section.line)]
    atoms: list[_Block | _Item] = [
        atom for b in section.blocks for atom in (b.items if b.kind == "list" and plain else [b])
    ]
    for index, atom in enumerate(atoms):
        current = parts[-1]
        if isinstance(atom, _Item):
            if atom.children:
                parts.append(_Part(_group_title(atom), atom.line, items=atom.children,
                                   group=True))
            elif _is_group(atoms, index):
                parts.append(_Part(_group_title(atom), atom.line, group=True))
            else:
                current.items.append(atom)
        elif atom.kind == "heading" and atom.level <= top:
            parts.append(_Part(atom.text, atom.line))
        elif atom.kind == "heading":
            current.body.append(_shift(atom, top))
            current.free = True
        elif atom.kind == "list" and not current.free:
            current.items.extend(atom.items)
        else:
            current.body.append(atom.text)
    return parts


def _is_group(atoms: list[_Block | _Item], index: int) -> bool:
    """A plain item is a group line if it reads as a label and plain items or text follow."""
    if not _is_label(atoms[index]):
        return False
    following = atoms[index + 1] if index + 1 < len(atoms) else None
    if isinstance(following, _Item):
        return not following.children and not _is_label(following)
    return isinstance(following, _Block) and following.kind == "para"


def _is_label(atom: _Block | _Item) -> bool:
    """Short, one line, no sentence end, and not `Title: detail`."""
    if not isinstance(atom, _Item) or "\n" in atom.head:
        return False
    text = atom.head.rstrip(":").strip()
    return (bool(text) and len(text) <= 100 and len(text.split()) <= 12
            and not _SENTENCE_END.search(text) and not _lead(atom.head, plain=True))


def _group_title(item: _Item) -> str:
    return item.head.replace("\n", " ").rstrip(":").strip()


def _lead(text: str, plain: bool) -> tuple[str, str] | None:
    """(title, rest) of `**Title:** rest`, or in plain text of `Title: rest` (≤ 8 words)."""
    match = _BOLD_LEAD.match(text) if not plain else None
    if match is None:
        match = _PLAIN_LEAD.match(text)
        if match is None or len(match["title"].split()) > 8:
            return None
    return match["title"].strip(), match["text"].strip()


def _render_topics(section: _Section, parts: list[_Part], moved: list[str]) -> list[str]:
    """Findings: `## title`, text, then the points; untitled text first."""
    out: list[str] = []
    for part in parts:
        if part.title is None and not part.body and not part.items:
            continue
        if part.title is not None:
            out.append(f"## {part.title}")
        out.extend(part.body)
        if part.items:
            out.append("\n".join(_bullet(item.text) for item in part.items))
        if part.group:
            moved.append(f"line {part.line}: the group line '{part.title}' became the finding "
                         f"'## {part.title}' with {len(part.items)} point(s)")
    return out


def _titled_parts(section: _Section, parts: list[_Part], plain: bool, kind: str,
                  moved: list[str]) -> list[_Part]:
    """Scenarios and recommendations need a heading each: loose items become items of their
    own, and text before the first one joins the first one's text."""
    lead, titled = parts[0], parts[1:]
    own = [_item_part(item, plain) for item in lead.items]
    for item, part in zip(lead.items, own, strict=True):
        moved.append(f"line {item.line}: the list item became the {kind} '{part.title}'")
    titled = own + titled
    if lead.body and titled:
        titled[0].body = lead.body + titled[0].body
        moved.append(f"line {section.line}: the text under '{_bare(section.title)}' before its "
                     f"first {kind} was moved into '{titled[0].title}' (a section "
                     "introduction has no place of its own)")
    elif lead.body:
        titled = [_Part(_bare(section.title), section.line, lead.body)]
        moved.append(f"line {section.line}: the section has no items, so its text became the "
                     f"one {kind} '{titled[0].title}'")
    return titled


def _item_part(item: _Item, plain: bool) -> _Part:
    """A loose list item as a `##` item: its lead (or its whole text) is the title."""
    lead = _lead(item.head, plain) if item.head else None
    if lead:
        title, body = lead[0], [lead[1], *item.more]
    else:
        title, body = (item.head or item.text).replace("\n", " "), list(item.more)
    return _Part(title, item.line, body, list(item.children))


def _meta_line(item: _Item, kind: str, plain: bool) -> str | None:
    """`Likelihood: …` / `Priority: …` written as a list item in plain text: a detail line."""
    lead = _lead(item.head, plain=True) if plain and "\n" not in item.text else None
    if lead and lead[0].lower() in _META[kind]:
        return f"{_META[kind][lead[0].lower()]}: {lead[1]}"
    return None


def _render_scenarios(section: _Section, parts: list[_Part], plain: bool,
                      moved: list[str]) -> list[str]:
    """Scenarios: `## title`, a Likelihood line if one was written, the description, then the
    indicators. Under a plain-text group line the items are the description."""
    out: list[str] = []
    for part in _titled_parts(section, parts, plain, "scenario", moved):
        meta = [m for m in (_meta_line(i, "assessments", plain) for i in part.items) if m]
        items = [i for i in part.items if not _meta_line(i, "assessments", plain)]
        body = list(part.body)
        if part.group:
            body += [item.text for item in items]
            moved.append(f"line {part.line}: the group line '{part.title}' became the scenario "
                         f"'## {part.title}'; its {len(items)} item(s) became its description"
                         + ("" if meta else " (no likelihood was given)"))
            items = []
        out.append(f"## {part.title}")
        out.extend(["\n".join(meta)] if meta else [])
        out.extend(body)
        if items:
            out.append("\n".join(_bullet(item.text) for item in items))
    return out


def _render_recommendations(section: _Section, parts: list[_Part], plain: bool,
                            moved: list[str]) -> list[str]:
    """Recommendations: `## title`, detail lines, rationale, then `- **Title:** text` actions."""
    out: list[str] = []
    for part in _titled_parts(section, parts, plain, "recommendation", moved):
        meta = [m for m in (_meta_line(i, "recommendations", plain) for i in part.items) if m]
        actions = [_action(i, plain) for i in part.items
                   if not _meta_line(i, "recommendations", plain)]
        if part.group:
            moved.append(f"line {part.line}: the group line '{part.title}' became the "
                         f"recommendation '## {part.title}' with {len(actions)} action(s)")
        out.append(f"## {part.title}")
        out.extend(["\n".join(meta)] if meta else [])
        out.extend(part.body)
        if actions:
            out.append("\n".join(actions))
    return out


def _action(item: _Item, plain: bool) -> str:
    """A plain `Title: detail` item becomes `- **Title:** detail`; Markdown stays as written."""
    lead = _lead(item.head, plain=True) if plain else None
    if lead is None:
        return _bullet(item.text)
    rest = item.text[len(item.head):]
    return _bullet(f"**{lead[0]}:** {lead[1]}{rest}")


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _slug(title: str | None, source: Path) -> str:
    """Lower-case ASCII words joined by hyphens, at most 60 characters, from the title (or the
    file name when the title is unknown)."""
    for text in (title, source.stem, "imported-brief"):
        ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
        if len(slug) > 60:
            slug = slug[:61].rsplit("-", 1)[0] if "-" in slug[:61] else slug[:60]
        if slug:
            return slug.strip("-")
    return "imported-brief"


def _check_folder(folder: Path, slug: str | None) -> None:
    if slug is not None and not _SLUG.match(slug):
        raise BriefgenError(f"'{slug}' is not a usable folder name", field="slug",
                            hint="use lower-case letters, digits and hyphens")
    if folder.exists():
        raise BriefgenError("already exists; briefgen import never overwrites", file=folder,
                            hint="choose another name with --slug or --output, or remove it")


def _front_matter(source: Path, title: str | None, subtitle: str | None, today: dt.date) -> str:
    """Front matter with the fields the input cannot give written as TODOs."""
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
        "---",
    ]
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _sources_yaml(body: str, report: ImportReport) -> str:
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


def _write_folder(folder: Path, brief_md: str, sources_yaml: str) -> None:
    """Write both files into a temporary folder beside the target, then move it into place,
    so an interrupted import never leaves half a brief."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_folder(folder)
    try:
        (temporary / "brief.md").write_text(brief_md, encoding="utf-8")
        (temporary / "sources.yaml").write_text(sources_yaml, encoding="utf-8")
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


def _record_sections(folder: Path, sections: list[_Section], report: ImportReport) -> None:
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
