"""Markdown → safe HTML, with citation groups handed to whoever formats them.

Raw HTML in Markdown is never passed through (markdown-it escapes it), and links with dangerous
schemes (`javascript:`, `vbscript:`, `file:`, non-image `data:`) are left as plain text by
markdown-it's link validation. Images go through a resolver so the caller decides which files a
brief may embed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from .citations import CITATION_GROUP_RE, FIGURE_REF_RE, Citation, parse_group

#: Formats one citation group as HTML; it may count notes, so it is called in reading order.
CiteFunction = Callable[[list[Citation]], str]
#: Maps an image `src` to the URL to embed, or None to refuse it.
ImageResolver = Callable[[str], str | None]


class ExhibitPlacer(Protocol):
    """Figures and tables as the text refers to them (`exhibit_html.Exhibits`)."""

    def reference(self, kind: str, exhibit_id: str) -> Markup:
        """The link for a reference; the exhibit waits to be placed."""

    def place_pending(self) -> Markup:
        """The exhibits referred to since the last call, not drawn before."""


def figure_ref_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "@":
        return False
    match = FIGURE_REF_RE.match(state.src, state.pos)
    if not match or (state.pos and (state.src[state.pos - 1].isalnum()
                                    or state.src[state.pos - 1] in "@._")):
        return False
    if not silent:
        # Inside a link's text, a second link cannot nest: the reference stays text there.
        token = state.push("figure_ref" if not state.linkLevel else "text", "", 0)
        token.meta = {"kind": match[1], "id": match[2]}
        token.content = match[0]
    state.pos = match.end()
    return True


def citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = CITATION_GROUP_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        if state.env.get("hug_citations"):
            # A note number sits against its word ("wants¹"), never alone at a line start.
            state.pending = state.pending.rstrip(" \t")
        token = state.push("citation", "", 0)
        token.meta = {"citations": parse_group(match[1])}
        token.content = match[0]
    state.pos = match.end()
    return True


class MarkdownRenderer:
    """Renders brief Markdown for one document; citations are formatted by `cite`."""

    def __init__(
        self,
        cite: CiteFunction,
        resolve_image: ImageResolver,
        quotes: str = "“”‘’",
        hug_citations: bool = True,
        exhibits: ExhibitPlacer | None = None,
    ) -> None:
        self._cite = cite
        self.exhibits = exhibits
        self._env = {"hug_citations": hug_citations}
        self._resolve_image = resolve_image
        #: The `src` of every image rendered without alt text, which PDF/UA refuses.
        self.images_without_alt: list[str] = []
        self._md = MarkdownIt(
            "commonmark",
            {"html": False, "typographer": True, "quotes": quotes},
        ).enable(["table", "strikethrough", "replacements", "smartquotes"])
        self._md.inline.ruler.before("link", "citation", citation_rule)
        self._md.inline.ruler.before("link", "figure_ref", figure_ref_rule)
        # markdown-it binds render rules to its renderer, so set them as plain attributes.
        rules = self._md.renderer.rules
        rules["citation"] = self._render_citation
        rules["figure_ref"] = self._render_figure_ref
        rules["image"] = self._render_image
        rules["heading_open"] = self._render_heading_open
        rules["heading_close"] = self._render_heading_close
        self._heading_shift = 0

    def block(self, text: str | None, heading_shift: int = 1) -> Markup:
        """Paragraph-level Markdown; `#` headings inside it move down by `heading_shift`: by
        one, the author's levels sit under the page's (the title is the page's `<h1>`, a
        section, `#` to its author, an `<h2>`, so a `##` inside it an `<h3>`)."""
        if not text:
            return Markup("")
        self._heading_shift = heading_shift
        env = dict(self._env)
        tokens = self._md.parse(text, env)
        if self.exhibits is None:
            return Markup(self._md.renderer.render(tokens, self._md.options, env))
        # Block by block, so that a figure follows the paragraph (or list) that first refers
        # to it; one referred to in text rendered inline (a list item, a title) comes before
        # the next block.
        parts = [self.exhibits.place_pending()]
        for block in _top_level_blocks(tokens):
            parts.append(self._md.renderer.render(block, self._md.options, env))
            parts.append(self.exhibits.place_pending())
        return Markup("".join(parts))

    def inline(self, text: str | None) -> Markup:
        """One line or list item, without a wrapping paragraph."""
        if not text:
            return Markup("")
        html = self._md.render(text, dict(self._env)).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def _render_citation(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self._cite(tokens[idx].meta["citations"])

    def _render_figure_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        meta = tokens[idx].meta
        if self.exhibits is None:
            return str(Markup("{}").format(tokens[idx].content))
        return str(self.exhibits.reference(meta["kind"], meta["id"]))

    def _render_image(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        alt = "".join(child.content for child in token.children or [])
        src = self._resolve_image(str(token.attrGet("src") or ""))
        if src is not None and not alt.strip():
            self.images_without_alt.append(str(token.attrGet("src") or ""))
        if src is None:
            return str(Markup('<span class="missing-image">[image not included: {}]</span>')
                       .format(alt or "untitled"))
        title = token.attrGet("title") or ""
        return str(Markup('<img src="{}" alt="{}" title="{}">').format(src, alt, title))

    def _render_heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f"<{self._shifted(tokens[idx].tag)}>"

    def _render_heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f"</{self._shifted(tokens[idx].tag)}>\n"

    def _shifted(self, tag: str) -> str:
        return f"h{min(6, int(tag[1]) + self._heading_shift)}"


def _top_level_blocks(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each top-level block (a paragraph, a list, a heading…), in order."""
    blocks: list[list[Token]] = [[]]
    for token in tokens:
        blocks[-1].append(token)
        if token.level == 0 and token.nesting <= 0:
            blocks.append([])
    return [block for block in blocks if block]


def plain_text(markdown: str) -> str:
    """Markdown with its markup and citations removed: for counting words and PDF metadata."""
    tokens = _PLAIN.parse(_SPACED_CITATION_RE.sub("", markdown))
    words = (
        child.content
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type in ("text", "code_inline")
    )
    return " ".join(" ".join(words).split())


_PLAIN = MarkdownIt("commonmark")
_SPACED_CITATION_RE = re.compile(rf"[ \t]*{CITATION_GROUP_RE.pattern}")
