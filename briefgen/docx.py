"""The Word edition: a validated brief and a style → DOCX bytes, through Pandoc.

The document is built as Pandoc's JSON AST from the `Brief` model, never from the print HTML and
never by handing Pandoc Markdown to parse: each text field is parsed here with the same
markdown-it rules the other editions use (citations `[@id, p. 4]`, figure references `@fig:id`,
raw HTML kept as text), and only the nodes briefgen makes reach Pandoc. No node is raw HTML or
OpenXML, no image names a file (images are `data:` URIs of bytes read through `briefgen.safety`),
and Pandoc runs with `--sandbox`, reading only the JSON on its standard input and the style's
reference document.

Every part of the brief has a Word style of its own (`custom-style` divs and spans: Key Messages,
Recommendation, Scenario, Key Figure, …; the built-in styles' `reference.docx` defines them), so an
editor can restyle the document. Citations are real Word footnotes in note styles, author-date text
or numbered superscripts in the others; recommendations are a list Word numbers itself.

Pandoc's `--sandbox` keeps its clock at the epoch, so its output is the same on every run; the
few things it cannot know are written into the package afterwards (`_finish`): the brief's date as
the document's creation date, and the brief's values as the displayed results of the TITLE and
DOCPROPERTY fields of the template's header and footer (the briefing note's classification).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import html
import io
import json
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from . import __version__
from .citations import Citation, find_citations
from .content import LoadedBrief
from .errors import BriefgenError
from .exhibit_html import LABELS, cell_align, cell_text
from .languages import Language, end_sentence, fill, language_for
from .markdown import citation_rule, figure_ref_rule, plain_text
from .model import Action, Brief, Column, Figure, RecommendationGroup, Row, Scenario, Table, Topic
from .references import Citer, format_reference
from .render import SectionView, chart_drawer, ordered_sections
from .safety import (
    MAX_RESOURCE_BYTES,
    guarded_file,
    image_problem,
    media_type,
    read_capped,
    resolve_inside,
)
from .styles import SHARED_DIR, STYLE_FILE, Style

#: Seconds Pandoc may take: a brief converts in well under one; the build's own time limit
#: (`--render-timeout`) stops it sooner through the alarm.
PANDOC_TIMEOUT = 120
#: A Word edition larger than this is refused (its images are capped at 20 MB each already).
MAX_DOCX_BYTES = 100 * 1024 * 1024
PANDOC_API = [1, 23, 1, 1]
INSTALL_HINT = "pip install 'briefgen[docx]'"
#: The layouts the Word edition knows, by the built-in style they follow; a user style gets the
#: layout of the nearest style it extends that has one, else the standard one.
LAYOUTS = ("memo", "standard", "analyst", "briefing-note")
#: Images Word shows everywhere (it needs a PNG beside an SVG, and WebP not at all).
WORD_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif"}
#: Schemes a link in the Word edition may have; anything else is printed as its text.
LINK_SCHEMES = ("http://", "https://", "mailto:")

Inline = dict[str, Any]
Block = dict[str, Any]


@dataclass
class WordDocument:
    """The Word edition's bytes, what went wrong on the way, and the brief's files it read."""

    data: bytes
    warnings: list[str] = field(default_factory=list)
    #: Images embedded from the brief's folder: real path → sha256 (inputs, for the cache).
    reads: dict[Path, str] = field(default_factory=dict)


def write_docx(loaded: LoadedBrief, style: Style) -> WordDocument:
    """The brief in `style` as a Word document (needs the `briefgen[docx]` extra)."""
    pandoc = pandoc_path(loaded)
    reference = reference_docx(style)
    language = language_for(loaded.brief.language, style.settings.labels)
    writer = _Writer(loaded, style, language)
    document = writer.document()
    raw = _run_pandoc(pandoc, document, reference, _layout(style), loaded)
    data = _finish(raw, _field_values(loaded.brief), loaded.brief.date, writer.contents)
    if len(data) > MAX_DOCX_BYTES:
        raise BriefgenError(f"the Word edition would be {len(data):,} bytes, over the limit of "
                            f"{MAX_DOCX_BYTES:,}", file=loaded.files[0],
                            hint="use smaller images in the brief's figures")
    return WordDocument(data, list(dict.fromkeys(writer.warnings)), writer.reads)


# --- Pandoc -------------------------------------------------------------------------------------


def pandoc_path(loaded: LoadedBrief) -> str:
    """The Pandoc binary of `pypandoc-binary`; a located error naming the extra without it."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        raise BriefgenError(
            "the Word edition (-f docx) needs Pandoc, which briefgen installs as an extra",
            file=loaded.files[0], field="format",
            hint=f"install it with {INSTALL_HINT}") from None


@functools.cache
def pandoc_version() -> str | None:
    """Pandoc's version (it decides the Word edition's bytes, so the cache key holds it);
    None when the extra is not installed."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        return None


def reference_docx(style: Style) -> Path | None:
    """The Word template of the nearest style in the chain that names one (`reference_docx`
    in its style.yaml): an ordinary file inside that style's folder, or a located error."""
    for folder, own in zip(style.chain, style.own, strict=True):
        if own.reference_docx:
            path = guarded_file(folder / own.reference_docx, [folder], limit=MAX_RESOURCE_BYTES,
                                inside=f"the style folder {folder}", field="reference_docx",
                                where=folder / STYLE_FILE)
            if path.suffix.lower() != ".docx" or not zipfile.is_zipfile(path):
                raise BriefgenError(f"'{own.reference_docx}' is not a Word document (.docx)",
                                    file=folder / STYLE_FILE, field="reference_docx",
                                    hint="save the template from Word as a .docx file")
            problem = _template_problem(path)
            if problem:
                raise BriefgenError(f"'{own.reference_docx}' {problem}", file=folder / STYLE_FILE,
                                    field="reference_docx",
                                    hint="a Word template gives styles, page and header; save "
                                         "one without links, attached templates or INCLUDE "
                                         "fields")
            return path
    return None


#: What a template may unpack to: a bomb of 900 MB in 930 KB must not reach Pandoc.
MAX_TEMPLATE_UNPACKED = 50 * 1024 * 1024
#: What in a template would make Word fetch or read something when the document opens or its
#: fields update: a relationship to outside the file that is not a plain hyperlink (a remote
#: attached template, a linked image or object), or a field that includes a file or a URL.
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>", re.IGNORECASE)
_FIELD_TEXT = re.compile(rb'w:instr\s*=\s*(?:"([^"]*)"|\'([^\']*)\')|<w:instrText\b[^>]*>([^<]*)<',
                         re.IGNORECASE)
_REACHING_FIELD = re.compile(rb"\b(?:INCLUDETEXT|INCLUDEPICTURE|INCLUDE|DDEAUTO|DDE|LINK|"
                             rb"IMPORT)\b", re.IGNORECASE)


def _reaches_outside(xml: bytes) -> bool:
    external = any(b"External" in rel and b"/hyperlink" not in rel
                   for rel in _RELATIONSHIP.findall(xml))
    # A field's instruction may be split over runs ("INCLUDEPIC", "TURE"): joined as Word does.
    fields = b"".join(b"".join(pieces) for pieces in _FIELD_TEXT.findall(xml))
    return external or b"attachedTemplate" in xml or bool(_REACHING_FIELD.search(fields))


def _template_problem(path: Path) -> str | None:
    """Why a style's Word template cannot be used, or None. Pandoc copies its settings,
    header and footer into every Word edition, so they are held to what a brief is."""
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
        if sum(part.file_size for part in parts) > MAX_TEMPLATE_UNPACKED:
            return f"unpacks to more than {MAX_TEMPLATE_UNPACKED // 2**20} MB"
        for part in parts:
            if part.filename.endswith((".xml", ".rels")) and _reaches_outside(
                    archive.read(part)):
                return (f"reaches outside itself ({part.filename} has an external link, an "
                        "attached template or an INCLUDE field)")
    return None


def _layout(style: Style) -> str:
    return next((folder.name for folder in style.chain if folder.name in LAYOUTS), "standard")


def _run_pandoc(pandoc: str, document: dict[str, Any], reference: Path | None, layout: str,
                loaded: LoadedBrief) -> bytes:
    """Pandoc's DOCX for the AST. Its stderr becomes a located error; it is stopped after
    PANDOC_TIMEOUT seconds, or sooner by the build's alarm (subprocess kills it then too)."""
    command = [pandoc, "--sandbox", "--from", "json", "--to", "docx", "--output", "-"]
    if reference is not None:
        command.append(f"--reference-doc={reference}")
    if layout == "analyst":  # the long edition: a contents field, numbered sections
        command += ["--toc", "--toc-depth=2", "--number-sections"]
    # Reproducible as PDFs are: the brief's date, for a Pandoc that reads it in its sandbox
    # (3.9 keeps its clock at the epoch there; `_finish` writes the date either way).
    epoch = dt.datetime.combine(loaded.brief.date, dt.time(), dt.UTC).timestamp()
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(epoch))}
    try:
        result = subprocess.run(command, input=json.dumps(document).encode("utf-8"),
                                capture_output=True, timeout=PANDOC_TIMEOUT, env=env,
                                check=False)
    except subprocess.TimeoutExpired:
        raise BriefgenError(f"Pandoc took longer than {PANDOC_TIMEOUT} s on the Word edition; "
                            "stopped", file=loaded.files[0], field="format") from None
    except OSError as error:
        raise BriefgenError(f"Pandoc could not be started: {error.strerror}",
                            file=loaded.files[0], field="format",
                            hint=f"reinstall the extra: {INSTALL_HINT}") from None
    if result.returncode != 0:
        reason = " ".join(result.stderr.decode("utf-8", "replace").split())[:500]
        raise BriefgenError(f"Pandoc could not write the Word edition: {reason or 'no reason'}",
                            file=reference or loaded.files[0], field="format",
                            hint="if the style names a reference_docx, check that Word opens "
                                 "it; else report this as a briefgen bug")
    return result.stdout


def _field_values(brief: Brief) -> dict[str, str]:
    """What the template's header and footer fields show: `TITLE`, and `DOCPROPERTY name` for
    each custom property the edition writes (Pandoc writes them from the same metadata). Keys
    in lower case: Word reads field names without case."""
    return {"title": brief.title,
            **{f"docproperty {name}": value for name, value in _properties(brief).items()}}


def _properties(brief: Brief) -> dict[str, str]:
    """The custom document properties: what a records system files a brief by."""
    found = {"classification": brief.classification, "series": brief.series,
             "number": brief.number, "version": str(brief.version),
             "organization": brief.organization, "department": brief.department}
    return {name: value for name, value in found.items() if value}


#: What a field is made of in WordprocessingML: a simple field (its instruction an attribute),
#: or a complex one (begin, instruction text, separate, its displayed result, end); and the
#: text runs that show a result.
_FIELD_PARTS = re.compile(
    r'<w:fldSimple\b[^>]*?\bw:instr="([^"]*)"[^>]*?(/?)>'
    r"|</w:fldSimple>"
    r'|<w:fldChar\b[^>]*?\bw:fldCharType="(begin|separate|end)"[^>]*/>'
    r"|<w:instrText\b[^>]*>([^<]*)</w:instrText>"
    r"|(<w:t(?:\s[^>]*)?>)[^<]*(</w:t>)")
_DATA_DESCRIPTION = re.compile(r'(<pic:cNvPr\b[^>]*\bdescr=")data:[^"]*(")')
_CREATED = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")
#: Pandoc's contents field: one paragraph whose run begins, names and ends an empty field.
_TOC_FIELD = re.compile(r'<w:p><w:r>(<w:fldChar w:fldCharType="begin"[^>]*/>'
                        r'<w:instrText[^>]*>TOC [^<]*</w:instrText>'
                        r'<w:fldChar w:fldCharType="separate" ?/>)'
                        r'(<w:fldChar w:fldCharType="end" ?/>)</w:r></w:p>')


def _finish(docx: bytes, fields: dict[str, str], date: dt.date,
            contents: list[tuple[int, str, str]]) -> bytes:
    """Pandoc's package with what its sandbox cannot know: the brief's date as created and
    modified, the fields' displayed values, the contents field's entries (Word updates the
    field when the document opens; other readers show what it holds), and no image bytes
    repeated as a picture's description (Pandoc writes the `data:` URI there)."""
    stamp = f"{date.isoformat()}T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = [(info, package.read(info)) for info in package.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            name = info.filename
            if name == "docProps/core.xml":
                data = _CREATED.sub(rf"\g<1>{stamp}\g<2>", data.decode("utf-8")).encode("utf-8")
            elif re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                data = _fill_fields(data.decode("utf-8"), fields).encode("utf-8")
            elif name == "word/document.xml":
                xml = _DATA_DESCRIPTION.sub(r"\g<1>\g<2>", data.decode("utf-8"))
                data = _TOC_FIELD.sub(lambda m: _toc_result(m, contents), xml).encode("utf-8")
            entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            out.writestr(entry, data)
    return buffer.getvalue()


def _toc_result(match: re.Match[str], contents: list[tuple[int, str, str]]) -> str:
    """The contents field with an entry per heading as its result: a paragraph in the
    "toc 1" or "toc 2" style linking to the heading. Without page numbers: only a layout
    knows them, and Word, which has one, updates the whole field when the document opens
    (Pandoc marks it dirty); a reader that does not (LibreOffice) shows these entries."""
    if not contents:
        return match[0]
    begin, end = match[1], match[2]
    paragraphs = []
    for index, (level, words, bookmark) in enumerate(contents):
        entry = (f'<w:hyperlink w:anchor="{xml_escape(bookmark)}" w:history="1"><w:r><w:t '
                 f'xml:space="preserve">{xml_escape(words)}</w:t></w:r></w:hyperlink>')
        opening = f"<w:r>{begin}</w:r>" if index == 0 else ""
        closing = f"<w:r>{end}</w:r>" if index == len(contents) - 1 else ""
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{opening}'
                          f"{entry}{closing}</w:p>")
    return "".join(paragraphs)


def _fill_fields(xml: str, values: dict[str, str]) -> str:
    """Each field whose instruction names a known value (`TITLE`, `DOCPROPERTY name`) shows
    it: its result's first text gets the value (escaped), the others are emptied. Simple and
    complex fields both (Word writes a field inserted by hand as a complex one), nested ones
    too: only the innermost field's result is its own."""
    fields: list[dict[str, Any]] = []  # the fields open here, innermost last

    def visit(match: re.Match[str]) -> str:
        token = match[0]
        if token.startswith("<w:fldSimple"):
            if not match[2]:  # <w:fldSimple .../> has no result to fill
                fields.append({"instruction": html.unescape(match[1]), "result": True})
        elif token == "</w:fldSimple>" or match[3] == "end":
            if fields:
                fields.pop()
        elif match[3] == "begin":
            fields.append({"instruction": "", "result": False})
        elif match[3] == "separate" and fields:
            fields[-1]["result"] = True
        elif match[4] is not None and fields and not fields[-1]["result"]:
            fields[-1]["instruction"] += html.unescape(match[4])
        elif match[5] and fields and fields[-1]["result"]:
            field = fields[-1]
            value = values.get(_field_name(field["instruction"]))
            if value is not None:
                shown = "" if field.get("filled") else xml_escape(value)
                field["filled"] = True
                return f"{match[5]}{shown}{match[6]}"
        return token

    return _FIELD_PARTS.sub(visit, xml)


def _field_name(instruction: str) -> str:
    """`DOCPROPERTY  classification \\* MERGEFORMAT` → "docproperty classification": the
    instruction without its switches, in lower case (Word reads field names so)."""
    return " ".join(instruction.split("\\")[0].split()).lower()


# --- Pandoc's AST -------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\n\r]+")


def _attr(identifier: str = "", classes: tuple[str, ...] = (), style: str | None = None
          ) -> list[Any]:
    return [identifier, list(classes), [["custom-style", style]] if style else []]


def text(value: str) -> list[Inline]:
    """Plain text as Pandoc words and spaces (a no-break space stays inside its word)."""
    inlines: list[Inline] = []
    for index, piece in enumerate(_SPACES.split(value)):
        if index:
            inlines.append({"t": "Space"})
        if piece:
            inlines.append({"t": "Str", "c": piece})
    return inlines


def para(inlines: list[Inline], style: str | None = None) -> Block:
    block = {"t": "Para", "c": inlines}
    return div([block], style) if style else block


def div(blocks: list[Block], style: str | None = None, identifier: str = "") -> Block:
    return {"t": "Div", "c": [_attr(identifier, style=style), blocks]}


def span(inlines: list[Inline], style: str | None = None, identifier: str = "") -> Inline:
    return {"t": "Span", "c": [_attr(identifier, style=style), inlines]}


def header(level: int, inlines: list[Inline], identifier: str = "",
           numbered: bool = True) -> Block:
    classes = () if numbered else ("unnumbered",)
    return {"t": "Header", "c": [level, _attr(identifier, classes), inlines]}


def link(inlines: list[Inline], target: str) -> Inline:
    return {"t": "Link", "c": [_attr(), inlines, [target, ""]]}


def wrapped(kind: str, inlines: list[Inline]) -> Inline:
    """Emph, Strong, Strikeout, Superscript, Subscript."""
    return {"t": kind, "c": inlines}


def bullets(items: list[list[Block]]) -> Block:
    return {"t": "BulletList", "c": items}


def numbered(items: list[list[Block]], start: int = 1, style: str = "Decimal",
             delimiter: str = "Period") -> Block:
    return {"t": "OrderedList", "c": [[start, {"t": style}, {"t": delimiter}], items]}


def image(alt: str, data: bytes, kind: str, width: str | None = None) -> Inline:
    uri = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
    return {"t": "Image", "c": [["", [], [["width", width]] if width else []], text(alt),
                                [uri, ""]]}


def _unbroken(value: str) -> list[Inline]:
    """A key figure's value on one line ("$50 billion", "50 млрд")."""
    return text(value.replace(" ", "\u00a0"))


def joined(parts: list[list[Inline]], separator: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for index, part in enumerate(parts):
        out += (separator if index else []) + part
    return out


# --- Markdown → AST ------------------------------------------------------------------------------


class _HtmlInlines(HTMLParser):
    """briefgen's own inline HTML (a formatted reference, a note, an author-date citation: user
    text in it is escaped already) as Pandoc inlines. Only what those hold is kept: italics,
    bold, superscripts, links within the document or to the web; any other tag is dropped and
    its text kept."""

    _KINDS = {"cite": "Emph", "em": "Emph", "i": "Emph", "strong": "Strong", "b": "Strong",
              "sup": "Superscript", "sub": "Subscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, list[Inline]]] = [("", None, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        target = href if tag == "a" and (href.startswith("#") or href.startswith(
            LINK_SCHEMES)) else None
        self.stack.append((tag, target, []))

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) < 2 or self.stack[-1][0] != tag:
            return
        name, target, inlines = self.stack.pop()
        if target is not None:
            inlines = [link(inlines, target)]
        elif name in self._KINDS:
            inlines = [wrapped(self._KINDS[name], inlines)]
        self.stack[-1][2].extend(inlines)

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].extend(text(data))

    @classmethod
    def convert(cls, markup: str) -> list[Inline]:
        parser = cls()
        parser.feed(markup)
        parser.close()
        while len(parser.stack) > 1:  # an unclosed tag: keep its text
            parser.handle_endtag(parser.stack[-1][0])
        return _merge_spaces(parser.stack[0][2])


def _merge_spaces(inlines: list[Inline]) -> list[Inline]:
    """No two spaces in a row, none at either end (text split at tags leaves them)."""
    out: list[Inline] = []
    for inline in inlines:
        if inline["t"] == "Space" and (not out or out[-1]["t"] == "Space"):
            continue
        out.append(inline)
    while out and out[-1]["t"] == "Space":
        out.pop()
    return out


def markup_inlines(markup: Markup | str) -> list[Inline]:
    return _HtmlInlines.convert(str(markup))


class _Markdown:
    """Brief Markdown → Pandoc blocks and inlines, by markdown-it's tokens with the other
    editions' rules: raw HTML is text, links only to the web or mail, citations and figure
    references handed to the writer, images only as the writer embeds them."""

    def __init__(self, writer: _Writer, quotes: str, hug_citations: bool) -> None:
        self.writer = writer
        self.env = {"hug_citations": hug_citations}
        self.md = MarkdownIt("commonmark", {"html": False, "typographer": True,
                                            "quotes": quotes}).enable(
            ["table", "strikethrough", "replacements", "smartquotes"])
        self.md.inline.ruler.before("link", "citation", citation_rule)
        self.md.inline.ruler.before("link", "figure_ref", figure_ref_rule)

    def blocks(self, source: str | None, shift: int = 0) -> list[Block]:
        """Paragraph-level Markdown, `#` headings moved down by `shift`. Each figure or table
        follows the block that first refers to it."""
        if not source:
            return []
        tokens = self.md.parse(source, dict(self.env))
        out = self.writer.exhibits.place_pending()
        position = 0
        while position < len(tokens):
            block, position = self._block(tokens, position, shift)
            out += [*block, *self.writer.exhibits.place_pending()]
        return out

    def inlines(self, source: str | None) -> list[Inline]:
        """One line of Markdown (a list item, a title) as inlines."""
        if not source:
            return []
        tokens = self.md.parseInline(source, dict(self.env))
        return self._inlines(tokens[0].children or [])

    def _block(self, tokens: list[Token], at: int, shift: int) -> tuple[list[Block], int]:
        """The block starting at `tokens[at]` and the position after it."""
        token = tokens[at]
        kind = token.type
        if kind == "paragraph_open":
            inlines = self._inlines(tokens[at + 1].children or [])
            return [{"t": "Plain" if token.hidden else "Para", "c": inlines}], at + 3
        if kind == "heading_open":
            level = min(6, int(token.tag[1]) + shift)
            return [header(level, self._inlines(tokens[at + 1].children or []))], at + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            items, end = self._items(tokens, at + 1, shift)
            if kind == "bullet_list_open":
                return [bullets(items)], end
            return [numbered(items, int(token.attrGet("start") or 1))], end
        if kind == "blockquote_open":
            inner, end = self._until(tokens, at + 1, "blockquote_close", shift)
            return [{"t": "BlockQuote", "c": inner}], end
        if kind in ("fence", "code_block"):
            return [{"t": "CodeBlock", "c": [_attr(), token.content.rstrip("\n")]}], at + 1
        if kind == "hr":
            return [{"t": "HorizontalRule"}], at + 1
        if kind == "table_open":
            return self._table(tokens, at)
        # Anything else (html_block is off): its text, never markup.
        return ([para(text(token.content))] if token.content.strip() else []), at + 1

    def _until(self, tokens: list[Token], at: int, closing: str,
               shift: int) -> tuple[list[Block], int]:
        blocks: list[Block] = []
        while tokens[at].type != closing:
            block, at = self._block(tokens, at, shift)
            blocks += block
        return blocks, at + 1

    def _items(self, tokens: list[Token], at: int,
               shift: int) -> tuple[list[list[Block]], int]:
        items: list[list[Block]] = []
        while tokens[at].type == "list_item_open":
            item, at = self._until(tokens, at + 1, "list_item_close", shift)
            items.append(item)
        return items, at + 1  # past the list's closing token

    def _table(self, tokens: list[Token], at: int) -> tuple[list[Block], int]:
        """A Markdown table: its header row, its body rows, each column's alignment."""
        head: list[list[list[Inline]]] = []
        body: list[list[list[Inline]]] = []
        aligns: list[str] = []
        rows = head
        while tokens[at].type != "table_close":
            token = tokens[at]
            if token.type == "tbody_open":
                rows = body
            elif token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                if rows is head:
                    aligns.append(str(token.attrGet("style") or "").removeprefix("text-align:"))
                rows[-1].append(self._inlines(tokens[at + 1].children or []))
            at += 1
        return [table_block(aligns, head, body)], at + 1

    def _inlines(self, children: list[Token]) -> list[Inline]:
        stack: list[tuple[str, str | None, list[Inline]]] = [("", None, [])]
        for token in children:
            kind = token.type
            current = stack[-1][2]
            if kind == "text":
                current += text(token.content)
            elif kind == "softbreak":
                current.append({"t": "Space"})
            elif kind == "hardbreak":
                current.append({"t": "LineBreak"})
            elif kind == "code_inline":
                current.append({"t": "Code", "c": [_attr(), token.content]})
            elif kind == "citation":
                current += self.writer.cite(token.meta["citations"])
            elif kind == "figure_ref":
                current += self.writer.exhibits.reference(token.meta["kind"], token.meta["id"])
            elif kind == "image":
                alt = "".join(child.content for child in token.children or [])
                current += self.writer.markdown_image(str(token.attrGet("src") or ""), alt)
            elif kind.endswith("_open"):
                href = str(token.attrGet("href") or "")
                stack.append((kind.removesuffix("_open"), href, []))
            elif kind.endswith("_close") and len(stack) > 1:
                name, href, inlines = stack.pop()
                stack[-1][2].extend(_closed(name, href, inlines))
            else:  # html_inline is off; anything else unexpected: its text
                current += text(token.content)
        while len(stack) > 1:
            name, href, inlines = stack.pop()
            stack[-1][2].extend(_closed(name, href, inlines))
        return stack[0][2]


_WRAPPERS = {"em": "Emph", "strong": "Strong", "s": "Strikeout"}


def _closed(name: str, href: str | None, inlines: list[Inline]) -> list[Inline]:
    """What an opening token and its contents become once closed."""
    if name == "link":
        return [link(inlines, href)] if href and href.startswith(LINK_SCHEMES) else inlines
    if name in _WRAPPERS:
        return [wrapped(_WRAPPERS[name], inlines)]
    return inlines


_ALIGNMENTS = {"left": "AlignLeft", "right": "AlignRight", "center": "AlignCenter"}


def table_block(aligns: list[str], head: list[list[list[Inline]]],
                body: list[list[list[Inline]]]) -> Block:
    """A Pandoc table: `aligns` per column (left, right, center or ""), rows of cells."""

    def row(cells: list[list[Inline]]) -> list[Any]:
        return [_attr(), [[_attr(), {"t": "AlignDefault"}, 1, 1,
                           [{"t": "Plain", "c": cell}]] for cell in cells]]

    specs = [[{"t": _ALIGNMENTS.get(align, "AlignDefault")}, {"t": "ColWidthDefault"}]
             for align in aligns]
    return {"t": "Table", "c": [_attr(), [None, []], specs, [_attr(), [row(r) for r in head]],
                                [[_attr(), 0, [], [row(r) for r in body]]], [_attr(), []]]}


# --- figures and tables --------------------------------------------------------------------------


class _Exhibits:
    """The brief's figures and tables as Word blocks, placed after the block that first
    refers to them (as the other editions place them), each numbered in the brief's words."""

    def __init__(self, writer: _Writer, show: bool) -> None:
        self.writer = writer
        self.show = show
        self.numbers = writer.brief.exhibit_numbers()
        self.placed: set[tuple[str, str]] = set()
        self.pending: list[tuple[str, str]] = []

    def reference(self, kind: str, exhibit_id: str) -> list[Inline]:
        number = self.numbers.get((kind, exhibit_id))
        if number is None:
            return text(f"@{kind}:{exhibit_id}")
        label = text(f"{self.writer.labels[LABELS[kind]]}\u00a0{number}")
        if not self.show:
            return label
        if (kind, exhibit_id) not in self.placed:
            self.pending.append((kind, exhibit_id))
        return [link(label, f"#{kind}-{exhibit_id}")]

    def place_pending(self) -> list[Block]:
        pending, self.pending = self.pending, []
        return [block for kind, name in pending for block in self._place(kind, name)]

    def unplaced(self) -> list[Block]:
        return [block for kind, name in self.numbers for block in self._place(kind, name)]

    def _place(self, kind: str, exhibit_id: str) -> list[Block]:
        if (kind, exhibit_id) in self.placed or not self.show:
            return []
        self.placed.add((kind, exhibit_id))
        brief = self.writer.brief
        if kind == "fig":
            figure = next(f for f in brief.figures if f.id == exhibit_id)
            return [self._frame(kind, figure, self._figure_body(figure))]
        table = next(t for t in brief.tables if t.id == exhibit_id)
        rows = self.writer.loaded.exhibits.rows.get(exhibit_id, [])
        return [self._frame(kind, table, [data_table(rows, table.columns,
                                                     self.writer.language)])]

    def _figure_body(self, figure: Figure) -> list[Block]:
        if figure.chart is not None:
            picture = self.writer.chart_png(figure)
            body = [image(figure.alt, picture, "image/png", "100%")] if picture else []
        else:
            body = self.writer.figure_image(figure)
        return [para(body, "Exhibit")] if body else []

    def _frame(self, kind: str, exhibit: Figure | Table, body: list[Block]) -> Block:
        """Its title line ("Figure 2. Title. Caption"), the figure or table, its source and
        notes; a bookmark named as the text's references link to it."""
        writer = self.writer
        number = self.numbers[(kind, exhibit.id)]
        title = [span(text(f"{writer.labels[LABELS[kind]]}\u00a0{number}."), "Exhibit Label"),
                 {"t": "Space"}, *writer.inline(exhibit.title)]
        if exhibit.caption:
            title += [{"t": "LineBreak"}, span(writer.inline(exhibit.caption), "Exhibit Caption")]
        foot: list[Block] = []
        if exhibit.cite:
            foot.append(para([*text(f"{writer.labels['source']}:"), {"t": "Space"},
                              *writer.exhibit_sources(exhibit.cite)], "Exhibit Source"))
        if exhibit.notes:
            foot.append(para([*text(f"{writer.labels['note']}:"), {"t": "Space"},
                              *writer.inline(exhibit.notes)], "Exhibit Source"))
        return div([para(title, "Exhibit Title"), *body, *foot],
                   identifier=f"{kind}-{exhibit.id}")


def data_table(rows: list[Row], columns: list[Column], language: Language) -> Block:
    """Rows as a Word table: a header row, numbers aligned and formatted as the HTML edition
    does (its `cell_align` and `cell_text`, so both print a number alike)."""
    shown = columns or [Column(name=name) for name in (rows[0] if rows else {})]
    aligns = [cell_align(column, rows, language).removeprefix("align-") for column in shown]
    head = [[text(column.title or column.name) for column in shown]]
    body = [[text(cell_text(row.get(column.name), column, language)) for column in shown]
            for row in rows]
    return table_block(aligns, head, body)


# --- the document --------------------------------------------------------------------------------


class _Writer:
    """One brief in one style as Pandoc's AST: the metadata, then the layout's blocks."""

    def __init__(self, loaded: LoadedBrief, style: Style, language: Language) -> None:
        self.loaded = loaded
        self.brief = loaded.brief
        self.style = style
        self.settings = style.settings
        self.options = style.settings.options
        self.language = language
        self.labels = language.labels
        self.layout = _layout(style)
        self.warnings: list[str] = []
        self.reads: dict[Path, str] = {}
        #: The headings the contents list: (level, numbered words, bookmark).
        self.contents: list[tuple[int, str, str]] = []
        #: The analyst edition's number of the section being written ("" for none).
        self.section_number = ""
        mode = self.settings.citations
        # Note styles: every citation group is one note, numbered by Word as a footnote.
        self.notes = mode in ("endnotes", "footnotes")
        self.citer = Citer(self.brief, "endnotes" if self.notes else mode,  # type: ignore[arg-type]
                           language)
        self.markdown = _Markdown(self, language.quotes, hug_citations=mode != "author-date")
        self.exhibits = _Exhibits(self, self.settings.show_figures)
        self._draw = chart_drawer(loaded, self.settings, language)
        if language.missing:
            self.warnings.append(
                f"no {self.brief.language!r} words for {len(language.missing)} labels of the "
                f"style, printed in English: {', '.join(language.missing)}")

    # --- what the Markdown converter calls back -------------------------------------------

    def inline(self, source: str | None) -> list[Inline]:
        return self.markdown.inlines(source)

    def blocks(self, source: str | None) -> list[Block]:
        """A section's or a part's Markdown: Word's heading levels are the author's (a
        section, `#`, is Heading 1; a `##` inside it Heading 2)."""
        return self.markdown.blocks(source, shift=0)

    def cite(self, citations: list[Citation]) -> list[Inline]:
        """A citation group as the style cites: a footnote, a superscript number linked to the
        reference list, or author-date text."""
        html = self.citer(citations)
        if self.notes:
            return [{"t": "Note", "c": [para(markup_inlines(self.citer.notes[-1].text))]}]
        if self.settings.citations == "author-date":
            return markup_inlines(html)
        numbers = []
        for citation in citations:
            label = str(self.citer.number(citation.source_id))
            if citation.locator:
                label += f"\u2009({citation.locator})"
            numbers.append([link(text(label), f"#ref-{citation.source_id}")])
        return [wrapped("Superscript", joined(numbers, [{"t": "Str", "c": ","}]))]

    def markdown_image(self, src: str, alt: str) -> list[Inline]:
        """An image the brief's Markdown names: a PNG, JPEG or GIF file inside its folder,
        read through the one rule; anything else is refused and its alt text printed."""
        parts = urlsplit(src)
        folder = self.loaded.folder
        path = (None if parts.scheme or parts.netloc or not parts.path
                else resolve_inside(folder / unquote(parts.path), [folder]))
        if path is None:
            self.warnings.append(f"image {src!r} refused: only image files inside the brief's "
                                 "folder are embedded")
            return self._missing(alt)
        picture = self._read_image(path, src)
        return [image(alt, *picture)] if picture else self._missing(alt)

    def figure_image(self, figure: Figure) -> list[Inline]:
        path = self.loaded.exhibits.images[figure.id]
        picture = self._read_image(path, str(figure.image))
        return [image(figure.alt, *picture, "100%")] if picture else self._missing(figure.alt)

    def _read_image(self, path: Path, name: str) -> tuple[bytes, str] | None:
        kind = media_type(path)
        if kind not in WORD_IMAGE_TYPES:
            self.warnings.append(f"image {name!r} refused: the Word edition embeds PNG, JPEG "
                                 "and GIF images" + (" (convert it to PNG)"
                                                     if kind.startswith("image/") else ""))
            return None
        data = read_capped(path)
        problem = (f"larger than {MAX_RESOURCE_BYTES:,} bytes" if data is None
                   else image_problem(data, kind))
        if data is None or problem:
            self.warnings.append(f"image {name!r} refused: {problem}")
            return None
        self.reads[path] = hashlib.sha256(data).hexdigest()
        return data, kind

    def _missing(self, alt: str) -> list[Inline]:
        return text(f"[{fill(str(self.labels['image_not_included']), alt=alt or '…')}]")

    def chart_png(self, figure: Figure) -> bytes | None:
        """The figure's chart, drawn as for the other editions (checked inert SVG), as a PNG
        at twice its size: Word shows PNG everywhere, SVG only in recent versions."""
        import vl_convert

        from .charts import register_fonts

        rows = self.loaded.exhibits.rows.get(figure.id, [])
        svg, warnings = self._draw(figure, rows)
        self.warnings.extend(warnings)
        # A chart from the cache was not drawn in this process, so its fonts may not be
        # registered yet: without them the PNG would have no text.
        register_fonts(SHARED_DIR / "fonts")
        return vl_convert.svg_to_png(svg, scale=2.0)

    def exhibit_sources(self, cite: str) -> list[Inline]:
        """A "Source:" line: the sources' short names, then the citation as the style cites
        (in author-date styles the citation names them already)."""
        cited = self.inline(cite)
        if self.settings.citations == "author-date":
            return cited
        ids = list(dict.fromkeys(c.source_id for c in find_citations(cite)))
        names = [s.short_title or s.title for s in map(self.brief.source, ids) if s]
        return [*text("; ".join(names)), *cited]

    # --- the document ----------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        layout = {"memo": self._memo, "analyst": self._analyst,
                  "briefing-note": self._briefing_note}.get(self.layout, self._standard)
        blocks = layout()
        return {"pandoc-api-version": PANDOC_API, "meta": self._meta(), "blocks": blocks}

    def _meta(self) -> dict[str, Any]:
        """The title block and the document's properties (Pandoc writes both from these)."""
        brief = self.brief

        def inlines(value: str) -> dict[str, Any]:
            return {"t": "MetaInlines", "c": text(value)}

        authors = [a.name for a in brief.authors] or ([brief.organization]
                                                      if brief.organization else [])
        meta: dict[str, Any] = {
            "title": inlines(brief.title),
            "author": {"t": "MetaList", "c": [inlines(name) for name in authors]},
            "date": inlines(self.language.date(brief.date)),
            "lang": {"t": "MetaString", "c": brief.language},
            "description": inlines(plain_text(brief.executive_summary)[:300]),
            **{name: {"t": "MetaString", "c": value}
               for name, value in _properties(brief).items()},
        }
        if brief.subtitle:
            meta["subtitle"] = inlines(brief.subtitle)
        if brief.keywords:
            meta["keywords"] = {"t": "MetaList", "c": [inlines(k) for k in brief.keywords]}
        if self.layout == "analyst":
            meta["toc-title"] = inlines(str(self.labels["contents"]))
        return meta

    # --- the layouts -------------------------------------------------------------------------

    def _standard(self) -> list[Block]:
        blocks = [*self._details(), *self._key_figures()]
        for section in self._sections():
            blocks += self._section(section)
        return [*blocks, *self.exhibits.unplaced(), *self._references(self.labels["sources"]),
                *self._colophon()]

    def _analyst(self) -> list[Block]:
        """The long edition: a contents field (Pandoc's --toc), numbered sections after the
        front matter, footnotes, an annotated bibliography, "About this publication"."""
        unnumbered = set(self.options.get("unnumbered", []))
        blocks = self._key_figures()
        count = 0
        for section in self._sections():
            counted = section.key not in unnumbered
            count += counted
            # Pandoc numbers the headings (--number-sections); the contents say the same.
            self.section_number = str(count) if counted else ""
            blocks += self._section(section, counted=counted)
        self.section_number = ""
        return [*blocks, *self.exhibits.unplaced(),
                *self._references(self.labels["bibliography"], in_order=False),
                *self._about()]

    def _memo(self) -> list[Block]:
        """The decision memo: who it is for, the bottom line, the decision asked, the
        recommendations one line each, the sources it cites."""
        headings = self.options.get("headings", {})
        blocks = [*self._details(str(self.labels["memo_label"])),
                  *self._fields(self._memo_fields()), *self._key_figures(compact=True)]
        shown = {section.key: section for section in self._sections()}
        if "key_messages" in shown:
            blocks += [self._heading(shown["key_messages"], headings.get("key_messages")),
                       *self._key_messages()]
        if self.brief.decision:
            blocks += [header(1, text(str(self.labels["decision_required"])), "decision"),
                       para(self.inline(self.brief.decision), "Decision"),
                       *self._decision_options()]
        if "recommendations" in shown:
            blocks += [self._heading(shown["recommendations"], headings.get("recommendations")),
                       self._recommendations(full=False)]
        return [*blocks, *self._memo_sources(), *self._memo_colophon()]

    def _briefing_note(self) -> list[Block]:
        """The briefing note: its reference fields, the issue, key facts, then the sections in
        numbered paragraphs (the classification is in the template's header and footer)."""
        headings = self.options.get("headings", {})
        blocks = [*self._details(str(self.labels["note_label"])),
                  *self._fields(self._note_fields())]
        if self.brief.decision:
            blocks += [header(1, text(str(self.labels["issue"])), "issue"),
                       para(self.inline(self.brief.decision), "Decision")]
        if self.brief.key_figures:
            blocks += [header(1, text(str(self.labels["key_facts"])), "key-figures"),
                       self._numbered_paragraph(self._key_facts())]
        for section in self._sections():
            label = headings.get(section.key) if not section.extra else None
            blocks += self._section(section, label=label, numbered_paragraphs=True)
        blocks += [*self.exhibits.unplaced(), *self._references(self.labels["annex_sources"])]
        return [*blocks, *self._contact(), *self._colophon()]

    # --- sections ------------------------------------------------------------------------------

    def _sections(self) -> list[SectionView]:
        return ordered_sections(self.brief, self.settings, self.language)

    def _heading(self, section: SectionView, label: str | None = None,
                 counted: bool = True) -> Block:
        words = str(self.labels[label]) if label and label in self.labels else section.heading
        self._listed(1, self.section_number, words, section.anchor)
        return header(1, text(words), section.anchor, counted)

    def _back_heading(self, words: str, identifier: str) -> Block:
        """An unnumbered heading of the back matter (sources, about this publication)."""
        self._listed(1, "", words, identifier)
        return header(1, text(words), identifier, numbered=False)

    def _listed(self, level: int, number: str, words: str, identifier: str) -> None:
        """Note a heading for the contents (see `_toc_result`): its level, its number as
        Pandoc or Word prints it, its words, its bookmark."""
        self.contents.append((level, f"{number} {words}".strip(), identifier))

    def _section(self, section: SectionView, counted: bool = True, label: str | None = None,
                 numbered_paragraphs: bool = False) -> list[Block]:
        heading = self._heading(section, label, counted)  # first: the contents list it first
        content = self._section_content(section, numbered_paragraphs)
        if numbered_paragraphs and section.key not in ("recommendations", "assessments"):
            content = [self._numbered_paragraph(b["c"]) if b["t"] == "Para" else b
                       for b in content]
        return [heading, *content]

    def _section_content(self, section: SectionView, numbered_paragraphs: bool) -> list[Block]:
        brief = self.brief
        if section.extra:
            return self.blocks(section.extra.body)
        if section.key == "key_messages":
            return self._key_messages(as_paragraphs=numbered_paragraphs)
        if section.key in ("analysis", "implications"):
            return self._topics(section, getattr(brief, section.key), numbered_paragraphs)
        if section.key == "assessments":
            return [b for index, scenario in enumerate(brief.assessments, start=1)
                    for b in self._scenario(section, index, scenario, numbered_paragraphs)]
        if section.key == "recommendations":
            return [self._recommendations(full=True, lettered=numbered_paragraphs)]
        return self.blocks(getattr(brief, section.key))

    @staticmethod
    def _numbered_paragraph(inlines: list[Inline]) -> Block:
        """A paragraph the briefing note numbers 1., 2., 3. (its template's style does)."""
        return para(inlines, "Numbered Paragraph")

    def _key_messages(self, as_paragraphs: bool = False) -> list[Block]:
        """The key messages: a shaded box of points (in the briefing note, numbered
        paragraphs like the rest of it)."""
        items = [self.inline(message) for message in self.brief.key_messages]
        if as_paragraphs:
            return [para(item) for item in items]
        return [bullets([[para(item, "Key Messages")] for item in items])]

    def _topics(self, section: SectionView, topics: list[Topic],
                points_as_paragraphs: bool) -> list[Block]:
        blocks: list[Block] = []
        titled = 0
        for topic in topics:
            if topic.title:
                titled += 1
                identifier = f"{section.anchor}-{titled}"
                number = f"{self.section_number}.{titled}" if self.section_number else ""
                self._listed(2, number, plain_text(topic.title), identifier)
                blocks.append(header(2, self.inline(topic.title), identifier))
            blocks += self.blocks(topic.body)
            points = [self.inline(point) for point in topic.points]
            if points_as_paragraphs:
                blocks += [para(point) for point in points]
            elif points:
                blocks.append(bullets([[{"t": "Plain", "c": point}] for point in points]))
            blocks += self.exhibits.place_pending()
        return blocks

    def _scenario(self, section: SectionView, index: int, scenario: Scenario,
                  lettered: bool) -> list[Block]:
        identifier = f"{section.anchor}-{index}"
        self._listed(2, "", plain_text(scenario.title), identifier)
        blocks = [div([para(self.inline(scenario.title), "Scenario")], identifier=identifier)]
        if scenario.likelihood:
            blocks.append(para(self._detail("likelihood", scenario.likelihood), "Details"))
        blocks += self.blocks(scenario.body)
        if scenario.indicators:
            blocks.append(para(text(str(self.labels["indicators_to_watch"])),
                               "Indicators Label"))
            blocks.append(self._list([[{"t": "Plain", "c": self.inline(i)}]
                                      for i in scenario.indicators], lettered))
        return blocks

    def _list(self, items: list[list[Block]], lettered: bool) -> Block:
        """Points under a paragraph: (a), (b), (c) in the briefing note, bullets elsewhere."""
        return numbered(items, 1, "LowerAlpha", "TwoParens") if lettered else bullets(items)

    def _recommendations(self, full: bool, lettered: bool = False) -> Block:
        """The recommendations as a list Word numbers: each title, its priority, lead and
        timeframe, then (`full`) its rationale and actions."""
        items = []
        for index, group in enumerate(self.brief.recommendations, start=1):
            identifier = f"recommendation-{index}"
            self._listed(2, f"{index}.", plain_text(group.title), identifier)
            item = [div([para(self.inline(group.title), "Recommendation")],
                        identifier=identifier), *self._rec_details(group)]
            if full:
                item += self.blocks(group.rationale)
                if group.actions:
                    item.append(self._list([[para(self._action(a), "Action")]
                                            for a in group.actions], lettered))
            items.append(item)
        return numbered(items)

    def _rec_details(self, group: RecommendationGroup) -> list[Block]:
        parts = [self._detail(key, value) for key, value in (
            ("priority", group.priority), ("lead", group.owner),
            ("timeframe", group.timeframe)) if value]
        return [para(joined(parts, text("  ·  ")), "Details")] if parts else []

    def _detail(self, label: str, value: str) -> list[Inline]:
        return [span(text(str(self.labels[label])), "Detail Label"), {"t": "Space"},
                *text(value)]

    def _action(self, action: Action) -> list[Inline]:
        """`**Title:** what to do`: the lead-in keeps the author's punctuation, else a colon
        before lower case, else a full stop (as the other editions write it)."""
        if not action.title:
            return self.inline(action.text)
        ends = action.title[-1:]
        mark = "" if ends in ".:?!" else (":" if action.text[:1].islower() else ".")
        title = [*self.inline(action.title), *text(mark)]
        return [wrapped("Strong", title), {"t": "Space"}, *self.inline(action.text)]

    # --- furniture -------------------------------------------------------------------------

    def _details(self, label: str | None = None) -> list[Block]:
        """One line under the title: the edition's name, series and number, organization and
        department."""
        brief = self.brief
        parts = [label or " ".join(p for p in (brief.series, brief.number) if p),
                 ", ".join(p for p in (brief.organization, brief.department) if p)]
        shown = [text(part) for part in parts if part]
        return [para(joined(shown, text(" · ")), "Document Details")] if shown else []

    def _fields(self, fields: list[tuple[str, str]]) -> list[Block]:
        """Label–value lines under the title (the memo's and the briefing note's top block)."""
        return [para([span(text(label), "Field Label"), {"t": "Str", "c": "\t"}, *text(value)],
                     "Document Field") for label, value in fields if value]

    def _audience(self) -> str:
        """The name of the brief's first audience (by name) served by this style, in words."""
        names = sorted(name for name, style in self.brief.audiences.items()
                       if style == self.style.name)
        if not names:
            return ""
        return str(self.labels.get(f"audience_{names[0]}")
                   or names[0].replace("-", " ").replace("_", " ").capitalize())

    def _memo_fields(self) -> list[tuple[str, str]]:
        brief, labels = self.brief, self.labels
        reference = brief.number or ""
        if reference and brief.version > 1:
            reference += " " + fill(str(labels["version_in_brackets"]), version=brief.version)
        return [(str(labels["for"]), self._audience()),
                (str(labels["reference"]), reference),
                (str(labels["classification"]), brief.classification)]

    def _note_fields(self) -> list[tuple[str, str]]:
        brief, labels = self.brief, self.labels
        reference = brief.number or "—"
        if brief.version > 1:
            reference += " " + fill(str(labels["version_in_brackets"]), version=brief.version)
        audience = self._audience()
        return [(str(labels["reference"]), reference),
                (str(labels["purpose"]), str(labels["for_decision" if brief.decision
                                                    else "for_information"])),
                (str(labels["for"]) if audience else str(labels["security"]),
                 audience or brief.classification)]

    def _key_figures(self, compact: bool = False) -> list[Block]:
        """The numbers to carry away: a box, the value large above its label (beside it in
        the one-page memo)."""
        if not self.brief.key_figures:
            return []
        author_date = self.settings.citations == "author-date"
        blocks = [para(text(str(self.labels["key_figures"])), "Box Heading")]
        for figure in self.brief.key_figures:
            cite = self.inline(figure.cite) if figure.cite else []
            value = [*_unbroken(figure.value), *([] if author_date else cite)]
            line = [span(value, "Key Figure Value"), {"t": "Space" if compact else "LineBreak"},
                    *self.inline(figure.label)]
            if figure.detail:
                line += [*text(" — "), *self.inline(figure.detail)]
            if author_date:
                line += cite
            blocks.append(para(line, "Key Figure"))
        return blocks

    def _key_facts(self) -> list[Inline]:
        """The key figures as one sentence of facts (the briefing note's)."""
        facts = []
        for figure in self.brief.key_figures:
            fact = [wrapped("Strong", _unbroken(figure.value)), {"t": "Space"},
                    *self.inline(figure.label)]
            if figure.detail:
                fact += [*text(" ("), *self.inline(figure.detail), *text(")")]
            facts.append(fact + (self.inline(figure.cite) if figure.cite else []))
        return [*joined(facts, text("; ")), *text(".")]

    def _decision_options(self) -> list[Block]:
        """Boxes to tick under the decision: each a label's name (agree) or the words."""
        choices = self.options.get("decision_options") or []
        if not choices:
            return []
        words = [text(f"\u2610 {self.labels.get(c, c)}") for c in choices]
        return [para(joined(words, [{"t": "Str", "c": "\u2003\u2003"}]), "Decision Options")]

    def _references(self, heading: Any, in_order: bool | None = None) -> list[Block]:
        """The reference list: numbered in citation order for numbered citations, else a
        bibliography by author; each entry a bookmark the citations link to."""
        if in_order is None:
            in_order = self.settings.citations == "numbered"
        sources = self.citer.cited_sources() if in_order else self.citer.bibliography()
        if not sources:
            return []
        annotate = self.layout == "analyst" and self.options.get("annotate_bibliography", True)
        entries = []
        for source in sources:
            entry = [div([para(markup_inlines(format_reference(source, self.language)))],
                         "Reference", f"ref-{source.id}")]
            if annotate and source.note:
                entry.append(para(text(source.note), "Annotation"))
            entries.append(entry)
        listed = [numbered(entries)] if in_order else [b for e in entries for b in e]
        return [self._back_heading(str(heading), "references"), *listed]

    def _memo_sources(self) -> list[Block]:
        """Only the sources the memo cites, in one paragraph as its print edition has them:
        each short entry after the number its superscripts carry."""
        cited = [s for s in self.citer.cited_sources() if self.citer.number(s.id)]
        entries = []
        for source in cited:
            who = source.author or source.publisher
            words = [*(text(f"{who},") + [{"t": "Space"}] if who else []),
                     wrapped("Emph", text(source.title))]
            if source.author and source.publisher:
                words += text(f", {source.publisher}")
            if source.year:
                words += text(f", {source.year}")
            number = wrapped("Superscript", text(str(self.citer.number(source.id))))
            entries.append([span([number, *words], identifier=f"ref-{source.id}")])
        if not entries:
            return []
        listed = joined(entries, text("; "))
        return [para([span(text(f"{self.labels['sources']}:"), "Field Label"), {"t": "Space"},
                      *listed, *text(".")], "Reference")]

    def _colophon(self) -> list[Block]:
        brief, labels = self.brief, self.labels
        imprint = ""
        if brief.organization:
            imprint = brief.organization + (f", {brief.department}" if brief.department else "")
            imprint = str(end_sentence(Markup("{}").format(imprint))) + " "
        series = (f"{brief.series}{' ' + brief.number if brief.number else ''}, "
                  if brief.series else "")
        version = end_sentence(Markup("{}").format(fill(
            str(labels["version_on"]), version=brief.version, date=self.language.date(
                brief.date))))
        lines = [f"{imprint}{series}{version} {labels['classification']}: "
                 f"{brief.classification}.",
                 fill(str(labels["typeset_with"]), generator=f"briefgen {__version__}") + "."]
        return [para(text(line), "Colophon") for line in lines]

    def _memo_colophon(self) -> list[Block]:
        brief, labels = self.brief, self.labels
        date = self.language.date(brief.date)
        if brief.series or brief.number:
            source = " ".join(p for p in (brief.series or str(labels["the_brief"]),
                                          brief.number) if p)
            words = fill(str(labels["drawn_from"]), source=source, version=brief.version,
                         date=date)
        else:
            words = fill(str(labels["version_of"]), version=brief.version, date=date)
        return [para(text(str(end_sentence(Markup("{}").format(words)))), "Colophon")]

    def _contact(self) -> list[Block]:
        """Who to ask (the briefing note's): names, and their addresses as mail links."""
        people = []
        for author in self.brief.authors:
            person = text(author.name)
            if author.email:
                person += [{"t": "Space"}, *text("("),
                           link(text(author.email), f"mailto:{author.email}"), *text(")")]
            people.append(person)
        if not people:
            return []
        return [para([span(text(str(self.labels["contact"])), "Field Label"), {"t": "Space"},
                      *joined(people, text("; "))], "Colophon")]

    def _about(self) -> list[Block]:
        """The analyst edition's "About this publication": its facts, a suggested citation."""
        brief, labels = self.brief, self.labels
        date = self.language.date(brief.date)
        series = " ".join(p for p in (brief.series, brief.number) if p)
        fields = [
            (str(labels["published_by"]), ", ".join(
                p for p in (brief.organization, brief.department) if p)),
            (str(labels["authors"]), "; ".join(
                a.name + (f" ({a.email})" if a.email else "") for a in brief.authors)),
            (str(labels["series"]), series),
            (str(labels["version"]), f"{brief.version}, {date}"),
            (str(labels["classification"]), brief.classification),
            (str(labels["keywords"]), ", ".join(brief.keywords))]
        opening, closing = self.language.quotes[:2]
        names = [a.name for a in brief.authors]
        who = (", ".join(names[:-1]) + f" {labels['and']} " + names[-1] if len(names) > 1
               else "".join(names))
        title = brief.title + (f": {brief.subtitle}" if brief.subtitle else "")
        quoted = f"{opening}{title}.{closing}" if closing == "”" else f"{opening}{title}{closing}."
        where = f"{series}, " if series else ""
        version = end_sentence(Markup("{}").format(fill(str(labels["version_on"]),
                                                        version=brief.version, date=date)))
        citation = " ".join(p for p in (f"{who}." if who else "", quoted, f"{where}{version}",
                                        f"{brief.organization}." if brief.organization else "")
                            if p)
        return [self._back_heading(str(labels["about_publication"]), "about"),
                *self._fields(fields),
                para([span(text(str(labels["suggested_citation"])), "Field Label"),
                      {"t": "Space"}, *text(citation)], "Colophon"),
                para(text(fill(str(labels["typeset_with"]),
                               generator=f"briefgen {__version__}") + "."), "Colophon")]

