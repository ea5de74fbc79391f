"""The Markdown body of `brief.md` → the brief's section fields, with the line of every item.

Level-1 headings name sections. Headings are matched by meaning, not spelling ("Strategic
Analysis", "Key Judgments", "Policy Recommendations" all find their field); a heading that names
no field becomes an extra section in its place, so nothing the author wrote is dropped. Inside a
section, `##` headings make findings, scenarios or recommendation groups; list items become their
points, indicators or actions; and `Key: value` paragraphs (Likelihood, Priority, Owner,
Timeframe) fill their metadata.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import Problem
from .vocabulary import HEADINGS, QUALIFIERS, detail_keys, heading_languages

#: Where a value sits in the brief's data: field names and list indexes, e.g.
#: `("recommendations", 0, "actions", 1)`. Problems and line numbers are keyed by it.
KeyPath = tuple[str | int, ...]

#: The English headings of each section field (every language's: `vocabulary.HEADINGS`).
HEADING_ALIASES: dict[str, tuple[str, ...]] = HEADINGS["en"]
_ALIAS_TO_KEY = {
    code: {alias: key for key, aliases in by_key.items() for alias in aliases}
    for code, by_key in HEADINGS.items()
}
# One to three words of letters in any script ("Priority", "Ведущее ведомство").
# The value is taken whole and stripped after: a lazy `(.+?)\s*$` backtracks over every run of
# spaces, which a hostile line of 150,000 of them turns into minutes.
_META_LINE = re.compile(r"^\s*([^\W\d_]+(?:[ -][^\W\d_]+){0,2})[ \t]*:(.*)$")
_LIST_MARKER = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)")
# Strong emphasis either way CommonMark writes it, closed by the mark that opened it.
_BOLD_LEAD = re.compile(
    r"^(?:\*\*(?P<star>[^*]+?)[:.]?\*\*|__(?P<under>[^_]+?)[:.]?__)[:.]?\s+(?P<text>\S.*)$",
    re.DOTALL,
)
# "2.", "IV.", "a)" and the Cyrillic "а)", "б)" Russian and Kazakh outlines letter with.
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[ivxlcdm]+[.)]|[a-zа-яәғқңөұүһі][.)])\s+",
                        re.IGNORECASE)

# Splitting needs only the block structure and its line map: skipping the inline pass halves
# the cost of the several parses a body gets (the body, then each section, then its parts).
_blocks_md = MarkdownIt("commonmark").enable("table").disable("inline")
_inline_md = MarkdownIt("commonmark")

#: How deep lists may nest and keep their text. markdown-it, here and in `markdown.py`, stops
#: parsing at its nesting limit (the "commonmark" preset's 20 levels), which is what keeps a
#: hostile brief from recursing without end; each list level takes two of those (the list and
#: the item) and the item's text one more, so items nested deeper come out empty.
MAX_LIST_DEPTH = (_blocks_md.options["maxNesting"] - 1) // 2


def section_key(heading: str, language: str | None = None) -> str | None:
    """The field a level-1 heading names in a brief in `language` (its own words or English;
    any language's when None), or None when it names none."""
    return next((key for code in heading_languages(language)
                 if (key := _key_in(normalise_heading(heading), code))), None)


def heading_language(heading: str) -> str | None:
    """The language whose vocabulary names this heading's field, English last (a Russian and
    a Kazakh list share some words, such as "контекст"; the first listed wins)."""
    name = normalise_heading(heading)
    return next((code for code in (*[c for c in HEADINGS if c != "en"], "en")
                 if _key_in(name, code)), None)


def _key_in(name: str, code: str) -> str | None:
    aliases = _ALIAS_TO_KEY[code]
    if name in aliases:
        return aliases[name]
    for qualifier in QUALIFIERS.get(code, ()):
        if name.startswith(qualifier + " ") and name[len(qualifier) + 1 :] in aliases:
            return aliases[name[len(qualifier) + 1 :]]
    return None


def normalise_heading(heading: str) -> str:
    """Lower case, without numbering ("2.", "IV."), emphasis or trailing punctuation."""
    text = heading.replace("*", "").replace("_", " ").strip()
    text = _NUMBERING.sub("", text)
    text = text.replace("&", " and ").lower().replace("ё", "е")
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


@dataclass
class Block:
    """A top-level Markdown block: its kind, its source lines, and list items if it is a list."""

    kind: str
    start: int  # 0-based, into the section's lines
    end: int
    items: list[tuple[int, str]] = field(default_factory=list)  # (line, item Markdown)


@dataclass
class ParsedBody:
    """What the body gave: field values, where each came from, and what went wrong."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: The language detail lines are read in (see `vocabulary.detail_keys`).
    language: str | None = "en"


def parse_body(text: str, first_line: int, language: str | None = "en") -> ParsedBody:
    """Split a Markdown body into section fields. `first_line` is its 1-based line in the file;
    headings and detail lines are read in `language` and in English."""
    result = ParsedBody(language=language)
    lines = text.split("\n")
    sections = _split_on_headings(lines, level=1)
    preamble = sections.pop(0)
    if "".join(preamble.lines).strip():
        result.problems.append(
            Problem(
                "text before the first section heading belongs to no section",
                line=first_line + _first_text_line(preamble.lines),
                hint="start the body with a heading such as '# Executive Summary'",
            )
        )
    previous: str | None = None
    seen: dict[str, int] = {}
    extra_keys: dict[str, int] = {}
    for section in sections:
        line = first_line + section.heading_line
        key = section_key(section.title, language)
        if key is None:
            previous = _add_extra(result, section, line, previous, extra_keys, first_line)
            continue
        if key in seen:
            result.problems.append(
                Problem(
                    f"a second '{section.title}' section: '{key}' already began on line "
                    f"{seen[key]}",
                    line=line,
                    field=key,
                    hint="merge the two sections, or rename one to keep it as an extra section",
                )
            )
            continue
        seen[key] = line
        result.data.setdefault("headings", {})[key] = section.title
        result.lines[(key,)] = line
        _PARSERS[key](result, key, section.lines, first_line + section.heading_line + 1)
        previous = key
    return result


@dataclass
class _Section:
    title: str
    heading_line: int  # 0-based line of the heading within the text split
    lines: list[str]


def _split_on_headings(lines: list[str], level: int) -> list[_Section]:
    """Sections under ATX headings of `level`; the first entry is whatever precedes them.

    markdown-it finds the headings, so a `#` inside a code fence is never mistaken for one.
    """
    env: dict[str, Any] = {}  # the link definitions, so `# [Background]` reads "Background"
    tokens = _blocks_md.parse("\n".join(lines), env)
    starts = [
        (token.map[0], _heading_title(tokens[i + 1].content, env))
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == f"h{level}" and token.level == 0
        and token.map
    ]
    result = [_Section("", 0, lines[: starts[0][0]] if starts else lines)]
    for index, (start, title) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        # A setext heading spans two lines; its body starts after the underline.
        body_start = start + 1
        if body_start < end and re.fullmatch(r"\s*(=+|-+)\s*", lines[body_start] or "x"):
            body_start += 1
        result.append(_Section(title, start, lines[body_start:end]))
    return result


def _heading_title(source: str, env: dict[str, Any]) -> str:
    """A heading's words without Markdown emphasis: `# **Key Judgments**` → `Key Judgments`."""
    return inline_words(_inline_md.parseInline(source, env)[0]) or source.strip()


def inline_words(inline: Token) -> str:
    """An inline token's words without emphasis or link syntax, line breaks read as spaces.

    The importer names sections by these words too, so a heading maps to the same field when a
    brief is imported as when it is loaded.
    """
    text = "".join(
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    )
    return " ".join(text.split())


def _first_text_line(lines: list[str]) -> int:
    return next((i for i, text in enumerate(lines) if text.strip()), 0)


def _blocks(lines: list[str]) -> list[Block]:
    """Top-level blocks of a section, with each list item's Markdown dedented."""
    tokens = _blocks_md.parse("\n".join(lines))
    blocks: list[Block] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or not token.map or token.nesting == -1:
            continue
        kind = token.type.removesuffix("_open")
        block = Block(kind, token.map[0], token.map[1])
        if kind in ("bullet_list", "ordered_list"):
            block.items = _list_items(tokens, index, lines)
        blocks.append(block)
    return blocks


def top_level_items(tokens: list[Token], list_index: int) -> Iterator[Token]:
    """The `list_item_open` tokens of the list opening at `list_index`, not of nested lists."""
    depth = 0
    for token in tokens[list_index + 1 :]:
        if token.type.endswith("_list_open"):
            depth += 1
        elif token.type.endswith("_list_close"):
            if depth == 0:
                return
            depth -= 1
        elif token.type == "list_item_open" and depth == 0 and token.map:
            yield token


def _list_items(tokens: list[Token], list_index: int, lines: list[str]) -> list[tuple[int, str]]:
    return [
        (token.map[0], item_markdown(lines[token.map[0] : token.map[1]]))
        for token in top_level_items(tokens, list_index)
    ]


def item_markdown(item_lines: list[str]) -> str:
    """A list item's Markdown without its marker, its continuation lines dedented to match.

    What the loader stores as a point or an action is what the importer writes for one.
    """
    first = item_lines[0]
    marker = _LIST_MARKER.match(first)
    width = len(marker[0]) if marker else 0
    rest = [line[width:] if line[:width].strip() == "" else line for line in item_lines[1:]]
    return textwrap.dedent("\n".join([first[width:], *rest])).strip()


def _source(lines: list[str], block: Block) -> str:
    return "\n".join(lines[block.start : block.end]).strip()


def _prose(lines: list[str], blocks: list[Block]) -> str:
    return "\n\n".join(_source(lines, b) for b in blocks)


def _parse_prose(result: ParsedBody, key: str, lines: list[str], offset: int) -> None:
    result.data[key] = "\n".join(lines).strip()


def _parse_messages(result: ParsedBody, key: str, lines: list[str], offset: int) -> None:
    """Each list item is a message; a paragraph outside a list is one message too."""
    messages: list[str] = []
    for block in _blocks(lines):
        entries = block.items or [(block.start, _source(lines, block))]
        for line, text in entries:
            result.lines[(key, len(messages))] = offset + line
            messages.append(text)
    result.data[key] = messages


def _parse_topics(result: ParsedBody, key: str, lines: list[str], offset: int) -> None:
    """`##` parts, each prose then points; text before the first `##` is an untitled part."""
    topics: list[dict[str, Any]] = []
    for part in _split_on_headings(lines, level=2):
        blocks = _blocks(part.lines)
        if part.title == "" and not blocks:
            continue
        base = offset + part.heading_line + (1 if part.title else 0)
        path = (key, len(topics))
        result.lines[path] = offset + part.heading_line if part.title else base
        lists = [b for b in blocks if b.items]
        points = [text for b in lists for _, text in b.items]
        for index, (line, _) in enumerate(item for b in lists for item in b.items):
            result.lines[(*path, "points", index)] = base + line
        topic = {"body": _prose(part.lines, [b for b in blocks if not b.items]), "points": points}
        if part.title:
            topic["title"] = part.title
        topics.append(topic)
    result.data[key] = topics


def _parse_scenarios(result: ParsedBody, key: str, lines: list[str], offset: int) -> None:
    """`##` scenarios with a `Likelihood:` line; list items are the indicators to watch."""
    scenarios: list[dict[str, Any]] = []
    for part in _split_on_headings(lines, level=2)[1:]:
        path = (key, len(scenarios))
        result.lines[path] = offset + part.heading_line
        scenario = {"title": part.title, **_grouped(part, key, "indicators", result, path, offset)}
        scenario["indicators"] = scenario.pop("items")
        scenarios.append(scenario)
    _require_subheadings(result, key, lines, offset, scenarios, "## Continued balancing")
    result.data[key] = scenarios


def _parse_recommendations(result: ParsedBody, key: str, lines: list[str], offset: int) -> None:
    """`##` groups with Priority/Owner/Timeframe lines and `**Title:** text` actions.

    A section written as one numbered list instead ("1. **Do this.** Because...") makes one
    group per item, which is how many briefs write short recommendations.
    """
    parts = _split_on_headings(lines, level=2)
    groups: list[dict[str, Any]] = []
    if len(parts) == 1:
        for block in _blocks(lines):
            if not block.items:
                _report_stray(result, key, offset + block.start, "outside the numbered list")
            for line, text in block.items:
                title, rest = split_lead(text)
                result.lines[(key, len(groups))] = offset + line
                groups.append({"title": title or text, "rationale": rest if title else ""})
    for part in parts[1:]:
        path = (key, len(groups))
        result.lines[path] = offset + part.heading_line
        group = {"title": part.title, **_grouped(part, key, "actions", result, path, offset)}
        group["rationale"] = group.pop("body")
        group["actions"] = [
            {"title": title, "text": rest} if title else {"text": text}
            for text in group.pop("items")
            for title, rest in [split_lead(text)]
        ]
        groups.append(group)
    _require_subheadings(result, key, lines, offset, groups, "## Diversify export routes")
    result.data[key] = groups


def _grouped(
    part: _Section, key: str, items_name: str, result: ParsedBody, path: KeyPath, offset: int
) -> dict[str, Any]:
    """Split a `##` part into metadata lines, prose body and list items."""
    blocks = _blocks(part.lines)
    base = offset + part.heading_line + 1
    values: dict[str, Any] = {}
    prose: list[Block] = []
    items: list[str] = []
    for block in blocks:
        meta = (None if block.items else
                _metadata(_source(part.lines, block), detail_keys(key, result.language)))
        if meta:
            for name in meta:
                result.lines[(*path, name)] = base + block.start
            values.update(meta)
        elif block.items:
            for line, text in block.items:
                result.lines[(*path, items_name, len(items))] = base + line
                items.append(text)
        else:
            prose.append(block)
    return {**values, "body": _prose(part.lines, prose), "items": items}


def _metadata(paragraph: str, known: dict[str, str]) -> dict[str, str] | None:
    """`Key: value` lines, if every line of the paragraph is one with a known key."""
    found: dict[str, str] = {}
    for line in paragraph.replace("**", "").replace("__", "").split("\n"):
        match = _META_LINE.match(line)
        if not match or match[1].lower() not in known or not match[2].strip():
            return None
        found[known[match[1].lower()]] = match[2].strip()
    return found


def split_lead(text: str) -> tuple[str | None, str]:
    """`**Title:** rest` or `__Title:__ rest` → (Title, rest); anything else → (None, text).

    The importer reads a list item's title with this too, so it never writes an action whose
    title a build would lose, nor sees a title a build would not.
    """
    match = _BOLD_LEAD.match(text)
    if match is None:
        return None, text
    return (match["star"] or match["under"]).strip(), match["text"].strip()


def _report_stray(result: ParsedBody, key: str, line: int, where: str) -> None:
    result.problems.append(
        Problem(
            f"text {where} in the {key} section belongs to no item and would be lost",
            line=line,
            field=key,
            hint="move it under an item's '##' heading, or into a section of its own",
        )
    )


def _require_subheadings(
    result: ParsedBody, key: str, lines: list[str], offset: int, found: list, example: str
) -> None:
    """Each item needs a `##` heading; text before the first one would have no home."""
    text_line = _first_text_line(lines)
    parts = _split_on_headings(lines, level=2)
    preamble = parts[0].lines
    if len(parts) > 1 and "".join(preamble).strip():
        _report_stray(result, key, offset + _first_text_line(preamble),
                      "before the first '##' heading")
    if not found and "".join(lines).strip():
        result.problems.append(
            Problem(
                f"the {key} section has text but no '##' heading for its first item",
                line=offset + text_line,
                field=key,
                hint=f"give each item its own level-2 heading, e.g. '{example}'",
            )
        )


def _add_extra(
    result: ParsedBody,
    section: _Section,
    line: int,
    previous: str | None,
    taken: dict[str, int],
    first_line: int,
) -> str:
    # Letters of any script: a Russian "Приложение" is keyed `приложение`, not `section`.
    base = re.sub(r"[\W_]+", "-", normalise_heading(section.title)).strip("-") or "section"
    key = _unique_key(base, taken)
    extras = result.data.setdefault("extras", [])
    result.lines[("extras", len(extras))] = line
    extras.append(
        {"key": key, "title": section.title, "body": "\n".join(section.lines).strip(),
         "after": previous}
    )
    return key


def _unique_key(base: str, taken: dict[str, int]) -> str:
    """`base`, else `base-2`, `base-3`…: `taken` holds every key given, each with the next
    number to try after it, so a heading repeated n times costs n steps, not n²."""
    number = taken.get(base, 1)
    key = base if number == 1 else f"{base}-{number}"
    while key in taken:  # a numbered key another heading already has as its own
        number += 1
        key = f"{base}-{number}"
    taken[base] = number + 1
    taken.setdefault(key, 1)
    return key


_PARSERS = {
    "key_messages": _parse_messages,
    "executive_summary": _parse_prose,
    "introduction": _parse_prose,
    "background": _parse_prose,
    "analysis": _parse_topics,
    "implications": _parse_topics,
    "assessments": _parse_scenarios,
    "recommendations": _parse_recommendations,
    "conclusion": _parse_prose,
}
