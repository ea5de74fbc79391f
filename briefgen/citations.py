"""The citation syntax shared by validation and rendering.

A citation group is `[@id]`, `[@id, p. 12]` or `[@a; @b, ch. 2]`, written right after the claim it
supports. Keeping the grammar in one place means the validator and the renderer can never disagree
about what counts as a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SOURCE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:-]*"
# Possessive quantifiers: a long unclosed locator must fail in linear time, not backtrack.
_ONE = rf"@{SOURCE_ID_PATTERN}(?:\s*+,[^;\]]*+)?"
CITATION_GROUP_RE = re.compile(rf"\[\s*({_ONE}(?:\s*;\s*{_ONE})*)\s*\]")
_ONE_RE = re.compile(rf"@({SOURCE_ID_PATTERN})(?:\s*,\s*([^;\]]*))?")


@dataclass(frozen=True)
class Citation:
    """One reference to a source, with an optional locator such as `p. 12`."""

    source_id: str
    locator: str | None = None


def parse_group(inner: str) -> list[Citation]:
    """The citations inside one `[...]` group, without the brackets."""
    return [
        Citation(match[1].rstrip(".:"), (match[2] or "").strip() or None)
        for match in _ONE_RE.finditer(inner)
    ]


def find_citations(text: str) -> list[Citation]:
    """Every citation in a piece of Markdown, in reading order."""
    return [c for group in CITATION_GROUP_RE.finditer(text) for c in parse_group(group[1])]


#: A figure or table id: lower-case letters, digits and hyphens.
FIGURE_ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"
#: `@fig:id` and `@tbl:id` in the text: "Figure 2" / "Table 1", linked to it. Bare, like
#: Quarto's `@fig-id` (a bracketed `[@fig:id]` would read as a citation).
FIGURE_REF_RE = re.compile(rf"(?<![\w@.])@(fig|tbl):({FIGURE_ID_PATTERN})(?![\w-])")


@dataclass(frozen=True)
class FigureRef:
    """A reference in the text to a figure (`fig`) or a table (`tbl`)."""

    kind: str
    id: str


def find_figure_refs(text: str) -> list[FigureRef]:
    """Every `@fig:id` and `@tbl:id` in a piece of Markdown, in reading order."""
    return [FigureRef(match[1], match[2]) for match in FIGURE_REF_RE.finditer(text)]
