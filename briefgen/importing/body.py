"""The sections of the input → the Markdown body of brief.md, in the content format.

Prose sections are written as they came. Findings, scenarios and recommendations need a `##`
heading per item: headings found in the input, plain-text group lines ("Urban Growth" above its
bullets) or loose list items become those headings, and every such change is a `moved` note.
Leads and detail lines are written in the grammar `briefgen.sections` reads them with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sections import split_lead
from ..vocabulary import detail_keys
from .outline import (
    SENTENCE_END,
    SUMMARY_HEADINGS,
    InputBlock,
    InputItem,
    InputSection,
    as_list_item,
    bare,
)
from .report import ImportReport

# A letter of any script or a digit first: "Priority: high", "Приоритет: высокий".
_PLAIN_LEAD = re.compile(r"^(?P<title>[^\W_][^:.!?\n]{0,79}?):\s+(?P<text>\S.*)$", re.DOTALL)
_TODO_SUMMARY = "TODO: summarise the brief in two or three short paragraphs."


@dataclass
class _Subsection:
    """One `##` item of a finding, scenario or recommendation section, before it is written."""

    title: str | None
    line: int
    body: list[str] = field(default_factory=list)
    items: list[InputItem] = field(default_factory=list)
    group: bool = False  # came from a plain-text group line, not a heading
    free: bool = False  # after a deeper heading: lists stay in the body with it


def write_body(sections: list[InputSection], markdown: bool, report: ImportReport) -> str:
    """The Markdown body of brief.md, one `#` section after another; detail lines and an added
    summary's heading in the brief's language."""
    chunks: list[str] = []
    has_summary = False
    for section in sections:
        content = _render(section, not markdown, report.moved, report.language)
        if section.key == "executive_summary":
            has_summary = True
            if not content:
                content = [_TODO_SUMMARY]
                report.todo.append("executive_summary")
        chunks.append("\n\n".join([f"# {section.title}", *content]))
    if not has_summary:
        chunks.append(f"# {SUMMARY_HEADINGS[report.language]}\n\n{_TODO_SUMMARY}")
        report.todo.append("executive_summary")
    return "\n\n".join(chunks) + "\n"


def _render(section: InputSection, plain: bool, moved: list[str], language: str) -> list[str]:
    if section.key == "key_messages":
        return _render_messages(section, plain, moved)
    if section.key in ("analysis", "implications"):
        return _render_topics(_parts(section, plain), moved)
    if section.key == "assessments":
        return _render_scenarios(section, _parts(section, plain), plain, moved, language)
    if section.key == "recommendations":
        return _render_recommendations(section, _parts(section, plain), plain, moved, language)
    return _render_prose(section, plain)


def _sub_levels(section: InputSection) -> int:
    """The level of the shallowest heading inside a section (its items' headings)."""
    levels = [b.level for b in section.blocks if b.kind == "heading"]
    deeper = [level for level in levels if level > section.level]
    return min(deeper or levels or [section.level + 1])


def _shift(block: InputBlock, top: int) -> str:
    """A heading inside a section, re-levelled so the shallowest one is `##`."""
    return "#" * min(6, 2 + max(0, block.level - top)) + " " + block.text


def _block_text(block: InputBlock, plain: bool) -> str:
    """A block as written; a plain-text list is rewritten as Markdown items."""
    if plain and block.kind == "list":
        return "\n".join(as_list_item(item.text, item.marker) for item in block.items)
    return block.text


def _render_prose(section: InputSection, plain: bool) -> list[str]:
    """Prose and extra sections: everything, in order; inner headings start at `##`."""
    top = _sub_levels(section)
    return [_shift(b, top) if b.kind == "heading" else _block_text(b, plain)
            for b in section.blocks]


def _render_messages(section: InputSection, plain: bool, moved: list[str]) -> list[str]:
    """Key messages: lists and paragraphs stay as written; a heading becomes a message."""
    out: list[str] = []
    for block in section.blocks:
        if block.kind == "heading":
            moved.append(f"line {block.line}: the heading '{block.plain}' among the key "
                         "messages became a message")
            out.append(block.text)
        else:
            out.append(_block_text(block, plain))
    return out


def _parts(section: InputSection, plain: bool) -> list[_Subsection]:
    """The section cut into items: at its shallowest headings, or at plain-text group lines.
    The first part has no title: it holds what came before the first item."""
    top = _sub_levels(section)
    parts = [_Subsection(None, section.line)]
    atoms: list[InputBlock | InputItem] = [
        atom for b in section.blocks for atom in (b.items if b.kind == "list" and plain else [b])
    ]
    for index, atom in enumerate(atoms):
        current = parts[-1]
        if isinstance(atom, InputItem):
            if atom.children:
                parts.append(_Subsection(_group_title(atom), atom.line, items=atom.children,
                                         group=True))
            elif _is_group(atoms, index):
                parts.append(_Subsection(_group_title(atom), atom.line, group=True))
            else:
                current.items.append(atom)
        elif atom.kind == "heading" and atom.level <= top:
            parts.append(_Subsection(atom.text, atom.line))
        elif atom.kind == "heading":
            current.body.append(_shift(atom, top))
            current.free = True
        elif atom.kind == "list" and not current.free:
            current.items.extend(atom.items)
        else:
            current.body.append(atom.text)
    return parts


def _is_group(atoms: list[InputBlock | InputItem], index: int) -> bool:
    """A plain item is a group line if it reads as a label and plain items or text follow."""
    if not _is_label(atoms[index]):
        return False
    following = atoms[index + 1] if index + 1 < len(atoms) else None
    if isinstance(following, InputItem):
        return not following.children and not _is_label(following)
    return isinstance(following, InputBlock) and following.kind == "para"


def _is_label(atom: InputBlock | InputItem) -> bool:
    """Short, one line, no sentence end, and not `Title: detail`."""
    if not isinstance(atom, InputItem) or "\n" in atom.head:
        return False
    text = atom.head.rstrip(":").strip()
    return (bool(text) and len(text) <= 100 and len(text.split()) <= 12
            and not SENTENCE_END.search(text) and not _lead(atom.head, plain=True))


def _group_title(item: InputItem) -> str:
    return item.head.replace("\n", " ").rstrip(":").strip()


def _lead(text: str, plain: bool) -> tuple[str, str] | None:
    """(title, rest) of a Markdown `**Title:** rest`, read as the loader reads an action's
    title; else of `Title: rest` with at most 8 words in the title, the lead plain text has."""
    if not plain:
        title, rest = split_lead(text)
        if title is not None:
            return " ".join(title.split()), rest  # a heading's title is one line
    match = _PLAIN_LEAD.match(text)
    if match is None or len(match["title"].split()) > 8 or not _starts_like_a_title(match["title"]):
        return None
    return match["title"].strip(), match["text"].strip()


def _starts_like_a_title(title: str) -> bool:
    """A capital or a digit first, as a plain-text title starts ("Survey", "Обследование",
    "2027"), not a sentence's "in short: …"; `str.isupper` knows every script's capitals."""
    return title[0].isupper() or title[0].isdigit()


def _render_topics(parts: list[_Subsection], moved: list[str]) -> list[str]:
    """Findings: `## title`, text, then the points; untitled text first."""
    out: list[str] = []
    for part in parts:
        if part.title is None and not part.body and not part.items:
            continue
        out += _subsection(part.title, [], part.body, [as_list_item(i.text) for i in part.items])
        if part.group:
            moved.append(f"line {part.line}: the group line '{part.title}' became the finding "
                         f"'## {part.title}' with {len(part.items)} point(s)")
    return out


def _titled_parts(section: InputSection, parts: list[_Subsection], plain: bool, kind: str,
                  moved: list[str]) -> list[_Subsection]:
    """Scenarios and recommendations need a heading each: loose items become items of their
    own, and text before the first one joins the first one's text."""
    lead, titled = parts[0], parts[1:]
    own = [_item_part(item, plain) for item in lead.items]
    for item, part in zip(lead.items, own, strict=True):
        moved.append(f"line {item.line}: the list item became the {kind} '{part.title}'")
    titled = own + titled
    if lead.body and titled:
        titled[0].body = lead.body + titled[0].body
        moved.append(f"line {section.line}: the text under '{bare(section.title)}' before its "
                     f"first {kind} was moved into '{titled[0].title}' (a section "
                     "introduction has no place of its own)")
    elif lead.body:
        titled = [_Subsection(bare(section.title), section.line, lead.body)]
        moved.append(f"line {section.line}: the section has no items, so its text became the "
                     f"one {kind} '{titled[0].title}'")
    return titled


def _item_part(item: InputItem, plain: bool) -> _Subsection:
    """A loose list item as a `##` item: its lead (or its whole text) is the title."""
    lead = _lead(item.head, plain) if item.head else None
    if lead:
        title, body = lead[0], [lead[1], *item.more]
    else:
        title, body = (item.head or item.text).replace("\n", " "), list(item.more)
    return _Subsection(title, item.line, body, list(item.children))


def _details(part: _Subsection, kind: str, plain: bool,
             language: str) -> tuple[list[str], list[InputItem]]:
    """A part's items split into its detail lines (`Likelihood: likely`) and the other items."""
    found = [(item, _detail_line(item, kind, plain, language)) for item in part.items]
    return [line for _, line in found if line], [item for item, line in found if not line]


def _detail_line(item: InputItem, kind: str, plain: bool, language: str) -> str | None:
    """`Likelihood: …` / `Приоритет: …` written as a list item in plain text: a detail line,
    with a key the loader reads in the brief's language (`vocabulary.detail_keys`)."""
    lead = _lead(item.head, plain=True) if plain and "\n" not in item.text else None
    if lead and lead[0].lower() in detail_keys(kind, language):
        return f"{lead[0].capitalize()}: {lead[1]}"
    return None


def _render_scenarios(section: InputSection, parts: list[_Subsection], plain: bool,
                      moved: list[str], language: str) -> list[str]:
    """Scenarios: `## title`, a Likelihood line if one was written, the description, then the
    indicators. Under a plain-text group line the items are the description."""
    out: list[str] = []
    for part in _titled_parts(section, parts, plain, "scenario", moved):
        meta, items = _details(part, "assessments", plain, language)
        body = list(part.body)
        if part.group:
            body += [item.text for item in items]
            moved.append(f"line {part.line}: the group line '{part.title}' became the scenario "
                         f"'## {part.title}'; its {len(items)} item(s) became its description"
                         + ("" if meta else " (no likelihood was given)"))
            items = []
        out += _subsection(part.title, meta, body, [as_list_item(i.text) for i in items])
    return out


def _render_recommendations(section: InputSection, parts: list[_Subsection], plain: bool,
                            moved: list[str], language: str) -> list[str]:
    """Recommendations: `## title`, detail lines, rationale, then `- **Title:** text` actions."""
    out: list[str] = []
    for part in _titled_parts(section, parts, plain, "recommendation", moved):
        meta, items = _details(part, "recommendations", plain, language)
        actions = [_action(item, plain) for item in items]
        if part.group:
            moved.append(f"line {part.line}: the group line '{part.title}' became the "
                         f"recommendation '## {part.title}' with {len(actions)} action(s)")
        out += _subsection(part.title, meta, part.body, actions)
    return out


def _subsection(title: str | None, details: list[str], body: list[str],
                items: list[str]) -> list[str]:
    """The blocks of one `##` item: heading, detail lines, text, then its list, each if any."""
    heading = [f"## {title}"] if title is not None else []
    return [*heading, *(["\n".join(details)] if details else []), *body,
            *(["\n".join(items)] if items else [])]


def _action(item: InputItem, plain: bool) -> str:
    """A plain `Title: detail` item becomes `- **Title:** detail`; Markdown stays as written."""
    lead = _lead(item.head, plain=True) if plain else None
    if lead is None:
        return as_list_item(item.text)
    rest = item.text[len(item.head):]
    return as_list_item(f"**{lead[0]}:** {lead[1]}{rest}")

