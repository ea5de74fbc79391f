"""Markdown → blocks and sections, at any heading depth: the shallowest level that names a
section splits them, and a deeper heading naming a section not yet seen starts it too.

markdown-it reads the structure, so a `#` in a code fence is never a heading; lines it claims
for no block (link reference definitions) are kept as they are.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..sections import MAX_LIST_DEPTH, inline_words, item_markdown, section_key, top_level_items
from .outline import InputBlock, InputItem, InputSection, NestedTooDeep, is_title, split_sections

_MD = MarkdownIt("commonmark").enable("table")
_PSEUDO_HEADING = re.compile(r"^(\*\*|__)(?P<text>[^*_\n]+?):?(\*\*|__):?\s*$")
# Spaces and tabs only, and one run of them on each side of a marker: two `\s*` side by side
# backtracked over every split of a deep indent (seconds on a list of 1,500 levels).
_MARKDOWN_HINTS = re.compile(r"^ {0,3}#{1,6}\s+\S"
                             r"|^[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]*)?\*\*[^*\n]+\*\*", re.MULTILINE)
_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def looks_like_markdown(suffix: str, text: str) -> bool:
    """Markdown by extension, or by content: `#` headings or bold leads at line starts."""
    return suffix.lower() in _SUFFIXES or bool(_MARKDOWN_HINTS.search(text))


def parse_markdown(
    lines: list[str], moved: list[str], language: str
) -> tuple[str | None, list[InputSection], list[InputBlock]]:
    """Markdown: any heading depth; the shallowest level that names a section splits them.
    Headings name sections in `language` and in English."""
    blocks = _markdown_blocks(lines, 1, language)
    title = _markdown_title(blocks, language)
    if title is not None:
        blocks = blocks[1:]
    level = _section_level(blocks, language)
    preamble, sections = split_sections(blocks, level=level, promote=True, moved=moved,
                                        language=language)
    return title, sections, preamble


def _markdown_title(blocks: list[InputBlock], language: str) -> str | None:
    """A first heading with only deeper ones after it (or nothing under it), or a first short
    line followed by a heading, when it names no section."""
    if len(blocks) < 2:
        return None
    first, following = blocks[0], blocks[1]
    if first.kind == "heading" and first.level and not section_key(first.plain, language):
        deeper = all(b.level > first.level for b in blocks[1:] if b.kind == "heading"
                     and b.level)
        return first.plain if deeper or following.kind == "heading" else None
    if (first.kind == "para" and "\n" not in first.text and following.kind == "heading"
            and not section_key(first.plain, language) and is_title(first.plain)):
        return first.plain
    return None


def _section_level(blocks: list[InputBlock], language: str) -> int:
    """The heading level of sections: the shallowest that names one, else the shallowest."""
    headings = [b for b in blocks if b.kind == "heading" and b.level]
    named = [b.level for b in headings if section_key(b.plain, language)]
    return min(named or [b.level for b in headings] or [1])


def _markdown_blocks(lines: list[str], first_line: int, language: str) -> list[InputBlock]:
    """Top-level blocks as markdown-it sees them; lines it skips are kept as raw blocks."""
    tokens = _MD.parse("\n".join(lines))
    too_deep = _list_too_deep(tokens)
    if too_deep is not None:
        raise NestedTooDeep(first_line + too_deep)
    blocks: list[InputBlock] = []
    covered: set[int] = set()
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or not token.map:
            continue
        start, end = token.map
        covered.update(range(start, end))
        block = _markdown_block(tokens, index, lines, first_line, language)
        if block is not None:
            blocks.append(block)
    for start, end in _uncovered_runs(lines, covered):
        blocks.append(InputBlock("other", "\n".join(lines[start:end]), first_line + start))
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


def _markdown_block(
    tokens: list[Token], index: int, lines: list[str], first: int, language: str
) -> InputBlock | None:
    """The block opening at `tokens[index]`; a bold line naming a section is its heading."""
    token = tokens[index]
    start, end = token.map or (0, 0)
    kind = token.type.removesuffix("_open")
    source = "\n".join(lines[start:end]).strip("\n")
    if kind == "heading":
        inline = tokens[index + 1]
        plain = inline_words(inline)
        if not plain:
            return None
        return InputBlock("heading", inline.content.strip(), first + start, int(token.tag[1:]),
                          plain=plain, found=inline.content.strip())
    if kind in ("bullet_list", "ordered_list"):
        items = _markdown_items(tokens, index, lines, first, language)
        return InputBlock("list", source, first + start, items=items)
    if kind == "paragraph":
        inline = tokens[index + 1]
        pseudo = _PSEUDO_HEADING.match(source)
        if pseudo and section_key(pseudo["text"], language):
            text = pseudo["text"].strip()
            return InputBlock("heading", text, first + start, 0, plain=text, found=source)
        return InputBlock("para", source, first + start, plain=inline_words(inline))
    return InputBlock("other", source, first + start)


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


def _markdown_items(tokens: list[Token], list_index: int, lines: list[str], first: int,
                    language: str) -> list[InputItem]:
    """The top-level items of the list opening at `list_index`, each split into its parts."""
    items: list[InputItem] = []
    ordered = tokens[list_index].type == "ordered_list_open"
    for token in top_level_items(tokens, list_index):
        start, end = token.map
        text = item_markdown(lines[start:end])
        if text:
            marker = f"{token.info}{token.markup}" if ordered else "-"
            items.append(_split_item(text, first + start, marker, language))
    return items


def _split_item(text: str, line: int, marker: str, language: str) -> InputItem:
    """An item's first paragraph, its other blocks and its nested items."""
    blocks = _markdown_blocks(text.split("\n"), line, language)
    head = blocks[0].text if blocks and blocks[0].kind != "list" else ""
    more = [b.text for b in blocks[1:] if b.kind != "list"]
    children = [item for b in blocks if b.kind == "list" for item in b.items]
    return InputItem(text, line, head, more, children, marker)
