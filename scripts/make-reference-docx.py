"""Make each built-in style's `reference.docx`: the Word template of its Word edition.

Pandoc takes a reference document's styles, numbering, page size and margins, header and footer
(never its text). Each one here starts from Pandoc's own default (`pandoc -o custom.docx
--print-default-data-file reference.docx`) and is given the style's look: its colours (read from
the `:root` custom properties of its style.css, so the Word and the print editions cannot drift
apart), its bundled fonts by name (Noto Serif for text, Noto Sans for headings and furniture), its
page and margins (style.yaml `page:`), and the Word styles briefgen's documents use (`Key
Messages`, `Recommendation`, `Scenario`, `Key Figure`, …; briefgen/docx.py names them).

The header and footer hold fields that briefgen fills in for each brief: `TITLE` and `DOCPROPERTY
classification` (the briefing note marks its classification at the top and the bottom of every
page), and `PAGE`.

The output is byte-stable: the same Pandoc and this script give the same bytes (entries sorted,
every timestamp 1980-01-01, fixed compression), so the committed files change only when this
script, a style's colours or Pandoc's default change.

    .venv/bin/python scripts/make-reference-docx.py            # write all four
    .venv/bin/python scripts/make-reference-docx.py --check    # exit 1 if any is out of date
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypandoc
import yaml
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
SERIF, SANS = "Noto Serif", "Noto Sans"
#: Page sizes a style.yaml may name, in twentieths of a point (twips).
PAGE_SIZES = {"A4": (11906, 16838), "A5": (8391, 11906), "letter": (12240, 15840)}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Look:
    """What differs between the styles' Word templates, besides colours and page."""

    body_pt: float
    title_pt: float
    title_font: str
    h1_pt: float
    h2_pt: float
    #: The CSS custom property headings are drawn in.
    heading_colour: str
    #: The CSS custom property of the key messages' and key figures' box.
    box_colour: str
    #: Headings in capitals with a rule under them (the memo's labels).
    label_headings: bool = False
    #: The classification at the top and the bottom of every page (the briefing note).
    marked: bool = False
    #: Paragraphs numbered 1., 2., 3. through the document (the briefing note).
    numbered_paragraphs: bool = False
    #: Half the space around headings and recommendations (the memo keeps to one page).
    tight: bool = False


LOOKS = {
    "memo": Look(9.5, 18, SERIF, 9, 10, "accent", "accent-soft", label_headings=True,
                 tight=True),
    "standard": Look(10.5, 24, SERIF, 13, 11, "accent", "accent-soft"),
    "analyst": Look(11, 28, SERIF, 15, 12, "navy", "soft"),
    "briefing-note": Look(11, 17, SERIF, 11.5, 11, "accent", "tint", marked=True,
                          numbered_paragraphs=True),
}

#: The numbering definition the briefing note's "Numbered Paragraph" style carries (far from
#: Pandoc's own ids, which start at 1000 and are added to this file's at every build).
PARAGRAPH_NUMBERING_ID = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("styles", nargs="*", help=f"of {', '.join(LOOKS)} (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="only compare with the committed files; exit 1 if one differs")
    args = parser.parse_args()
    unknown = sorted(set(args.styles) - set(LOOKS))
    if unknown:
        parser.error(f"no built-in Word style {', '.join(unknown)}")
    base = default_reference()
    stale = []
    for name in args.styles or list(LOOKS):
        data = reference_docx(name, base)
        target = TEMPLATES / name / "reference.docx"
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(str(target.relative_to(ROOT)))
        else:
            target.write_bytes(data)
            print(f"wrote {target.relative_to(ROOT)} ({len(data):,} bytes)")
    if stale:
        print("out of date (run scripts/make-reference-docx.py): " + ", ".join(stale))
        return 1
    return 0


def default_reference() -> dict[str, bytes]:
    """Pandoc's default reference.docx, entry by entry."""
    data = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file",
                           "reference.docx"], capture_output=True, check=True, timeout=60).stdout
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def reference_docx(name: str, base: dict[str, bytes]) -> bytes:
    """One style's reference.docx."""
    look = LOOKS[name]
    colours = css_colours(TEMPLATES / name / "style.css")
    width, height, margins = page_settings(TEMPLATES / name / "style.yaml")
    text_width = width - margins[1] - margins[3]
    parts = dict(base)
    parts["word/styles.xml"] = styles_xml(base["word/styles.xml"], look, colours, text_width)
    parts["word/numbering.xml"] = numbering_xml(base["word/numbering.xml"], look, colours)
    parts["word/theme/theme1.xml"] = theme_xml(base["word/theme/theme1.xml"])
    parts["word/header1.xml"] = header_xml(look)
    parts["word/footer1.xml"] = footer_xml(look)
    parts["word/document.xml"] = document_xml(style_defs(look, colours, text_width), width,
                                              height, margins)
    parts["word/_rels/document.xml.rels"] = document_rels(base["word/_rels/document.xml.rels"])
    parts["[Content_Types].xml"] = content_types(base["[Content_Types].xml"])
    parts["docProps/core.xml"] = core_xml(name)
    parts["docProps/custom.xml"] = custom_xml()
    return zipped(parts)


# --- the style's own settings -------------------------------------------------------------------


def css_colours(path: Path) -> dict[str, str]:
    """`--accent: #0f4c75;` → {"accent": "0F4C75"}: the hex colours of a stylesheet's :root."""
    text = path.read_text(encoding="utf-8")
    return {name: value.upper() for name, value in
            re.findall(r"--([a-z-]+):\s*#([0-9a-fA-F]{6})\s*;", text)}


def page_settings(path: Path) -> tuple[int, int, tuple[int, int, int, int]]:
    """(width, height, (top, right, bottom, left) margins) in twips, from style.yaml `page:`."""
    page = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("page", {})
    width, height = PAGE_SIZES[page.get("size", "A4")]
    values = [twips_of_mm(v) for v in page.get("margin", "20mm").split()]
    # CSS's shorthand: one value for all sides; top and bottom, then the sides; …
    top, right, bottom, left = {1: values * 4, 2: values * 2,
                                3: [*values, values[1]], 4: values}[len(values)]
    return width, height, (top, right, bottom, left)


def twips_of_mm(value: str) -> int:
    if not value.endswith("mm"):
        raise SystemExit(f"margins in mm only, not {value!r}")
    return round(float(value[:-2]) * 1440 / 25.4)


# --- styles.xml ----------------------------------------------------------------------------------


def fonts(family: str) -> str:
    return (f'<w:rFonts w:ascii="{family}" w:hAnsi="{family}" w:eastAsia="{family}" '
            f'w:cs="{family}"/>')


def size(points: float) -> str:
    half = round(points * 2)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def spacing(before: float = 0, after: float = 0, line: float | None = None) -> str:
    """Space in points; `line` a multiple of single spacing."""
    rule = f' w:line="{round(line * 240)}" w:lineRule="auto"' if line else ""
    return f'<w:spacing w:before="{round(before * 20)}" w:after="{round(after * 20)}"{rule}/>'


def border(side: str, colour: str, eighths: int = 4, space: int = 4) -> str:
    return f'<w:{side} w:val="single" w:sz="{eighths}" w:space="{space}" w:color="{colour}"/>'


def box(fill: str, rule: str) -> str:
    """A shaded paragraph with a rule down its left side: the key messages' box."""
    return (f'<w:pBdr>{border("left", rule, 18, 8)}</w:pBdr>'
            f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
            '<w:ind w:left="227" w:right="170"/>')


@dataclass(frozen=True)
class StyleDef:
    """One Word style: its id, its name, what it is based on, its paragraph and run
    properties (WordprocessingML), and what else its `<w:style>` holds."""

    style_id: str
    name: str
    based_on: str | None
    ppr: str = ""
    rpr: str = ""
    kind: str = "paragraph"
    next_style: str | None = None
    extra: str = ""


def style_defs(look: Look, c: dict[str, str], text_width: int) -> list[StyleDef]:
    """Every style the template defines or redefines."""
    ink, muted, rule = c["ink"], c["muted"], c["rule"]
    heading, fill = c[look.heading_colour], c[look.box_colour]
    label = "<w:caps/>" if look.label_headings else ""
    h1_rule = f"<w:pBdr>{border('bottom', rule, 4, 2)}</w:pBdr>" if look.label_headings else ""
    gap = 0.5 if look.tight else 1.0  # space around headings, as a share of the usual
    line = 1.05 if look.tight else 1.15  # the text's line spacing
    body = spacing(0, look.body_pt * 0.6 * gap, line)
    right_tab = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/></w:tabs>'
    # Pandoc's section numbers (the analyst edition) are followed by a tab: 1 cm, not 1.27.
    number_tab = '<w:tabs><w:tab w:val="left" w:pos="567"/></w:tabs>'
    return [
        StyleDef("Normal", "Normal", None, "", fonts(SERIF) + size(look.body_pt)
                 + f'<w:color w:val="{ink}"/>'),
        StyleDef("BodyText", "Body Text", "Normal", body),
        StyleDef("FirstParagraph", "First Paragraph", "BodyText", "", next_style="BodyText"),
        StyleDef("Compact", "Compact", "BodyText", spacing(0, 3, line)),
        StyleDef("Title", "Title", "Normal", spacing(0, 4, 1.0) + "<w:keepNext/>",
                 fonts(look.title_font) + size(look.title_pt) + "<w:b/>"
                 + f'<w:color w:val="{ink}"/>', next_style="BodyText"),
        StyleDef("Subtitle", "Subtitle", "Title", spacing(0, 10 * gap, 1.1),
                 fonts(look.title_font) + size(look.body_pt + 2) + "<w:b w:val=\"0\"/><w:i/>"
                 + f'<w:color w:val="{muted}"/>', next_style="BodyText"),
        StyleDef("Author", "Author", "Normal", spacing(0, 0, 1.1) + "<w:keepNext/>",
                 fonts(SANS) + size(look.body_pt - 1) + "<w:b/>"),
        StyleDef("Date", "Date", "Normal", spacing(2, 12 * gap, 1.1),
                 fonts(SANS) + size(look.body_pt - 1.5) + f'<w:color w:val="{muted}"/>'),
        StyleDef("Heading1", "heading 1", "Normal",
                 "<w:keepNext/><w:keepLines/>" + h1_rule + number_tab
                 + spacing(18 * gap, 6 * gap, 1.0)
                 + '<w:outlineLvl w:val="0"/>',
                 fonts(SANS) + size(look.h1_pt) + "<w:b/>" + label
                 + f'<w:color w:val="{heading}"/>', next_style="BodyText"),
        StyleDef("Heading2", "heading 2", "Normal",
                 "<w:keepNext/><w:keepLines/>" + number_tab + spacing(12, 4, 1.0)
                 + '<w:outlineLvl w:val="1"/>',
                 fonts(SANS) + size(look.h2_pt) + "<w:b/>" + f'<w:color w:val="{ink}"/>',
                 next_style="BodyText"),
        StyleDef("Heading3", "heading 3", "Normal",
                 "<w:keepNext/><w:keepLines/>" + spacing(10, 3, 1.0)
                 + '<w:outlineLvl w:val="2"/>',
                 fonts(SANS) + size(look.body_pt) + "<w:b/>" + f'<w:color w:val="{ink}"/>',
                 next_style="BodyText"),
        StyleDef("Heading4", "heading 4", "Heading3", '<w:outlineLvl w:val="3"/>',
                 "<w:b w:val=\"0\"/><w:i/>", next_style="BodyText"),
        StyleDef("TOCHeading", "TOC Heading", "Heading1", '<w:outlineLvl w:val="9"/>',
                 next_style="BodyText"),
        StyleDef("TOC1", "toc 1", "Normal", right_tab + spacing(6, 2, 1.0),
                 fonts(SANS) + "<w:b/>" + size(look.body_pt - 0.5)),
        StyleDef("TOC2", "toc 2", "Normal", right_tab + spacing(0, 2, 1.0)
                 + '<w:ind w:left="340"/>', fonts(SANS) + size(look.body_pt - 1)),
        StyleDef("FootnoteText", "Footnote Text", "Normal", spacing(0, 2, 1.0),
                 size(look.body_pt - 2)),
        StyleDef("Hyperlink", "Hyperlink", "DefaultParagraphFont", "",
                 f'<w:color w:val="{heading}"/>', kind="character"),
        StyleDef("Caption", "Caption", "Normal", spacing(2, 8, 1.1),
                 fonts(SANS) + size(look.body_pt - 2) + f'<w:color w:val="{muted}"/>'),
        StyleDef("Header", "header", "Normal",
                 f'<w:tabs><w:tab w:val="center" w:pos="{text_width // 2}"/>'
                 f'<w:tab w:val="right" w:pos="{text_width}"/></w:tabs>' + spacing(0, 0, 1.0),
                 fonts(SANS) + size(7.5) + f'<w:color w:val="{muted}"/>'),
        StyleDef("Footer", "footer", "Header"),
        StyleDef("Table", "Table", "TableNormal", kind="table", extra=table_style(look, c)),
        # briefgen's own: what each part of a brief is, so that an editor can restyle it.
        StyleDef("KeyMessages", "Key Messages", "BodyText",
                 box(fill, heading) + spacing(0, 0, line) + "<w:contextualSpacing/>"),
        StyleDef("BoxHeading", "Box Heading", "Normal", "<w:keepNext/>" + spacing(6 * gap, 3, 1.0),
                 fonts(SANS) + size(look.body_pt - 2) + "<w:b/><w:caps/>"
                 + f'<w:color w:val="{heading}"/>'),
        # The key figures stay together, as one box.
        StyleDef("KeyFigure", "Key Figure", "Normal",
                 box(fill, heading) + spacing(0, 0, 1.1) + "<w:keepNext/><w:keepLines/>",
                 fonts(SANS) + size(look.body_pt - 1)),
        StyleDef("KeyFigureValue", "Key Figure Value", "DefaultParagraphFont", "",
                 fonts(SANS) + size(look.body_pt + 5) + "<w:b/>"
                 + f'<w:color w:val="{heading}"/>', kind="character"),
        StyleDef("DocumentDetails", "Document Details", "Normal", spacing(0, 12 * gap, 1.1),
                 fonts(SANS) + size(look.body_pt - 1.5) + f'<w:color w:val="{muted}"/>'),
        StyleDef("DocumentField", "Document Field", "Normal",  # a block kept together
                 '<w:keepNext/><w:tabs><w:tab w:val="left" w:pos="2268"/></w:tabs>'
                 '<w:ind w:left="2268" w:hanging="2268"/>' + spacing(0, 2, 1.05),
                 fonts(SANS) + size(look.body_pt - 1)),
        StyleDef("FieldLabel", "Field Label", "DefaultParagraphFont", "",
                 "<w:b/><w:caps/>" + size(look.body_pt - 2.5) + f'<w:color w:val="{muted}"/>',
                 kind="character"),
        # A list item: Word puts its number at the list's own tab, not at the heading's.
        StyleDef("Recommendation", "Recommendation", "Heading2",
                 '<w:tabs><w:tab w:val="clear" w:pos="567"/></w:tabs>'
                 + spacing(12 * gap, 3 * gap, 1.05),
                 f'<w:color w:val="{heading}"/>', next_style="BodyText"),
        StyleDef("Details", "Details", "Normal", spacing(0, 4 * gap, 1.05),
                 fonts(SANS) + size(look.body_pt - 1.5) + f'<w:color w:val="{muted}"/>'),
        StyleDef("DetailLabel", "Detail Label", "DefaultParagraphFont", "",
                 "<w:b/>" + f'<w:color w:val="{ink}"/>', kind="character"),
        StyleDef("Action", "Action", "BodyText", spacing(0, 3, line)),
        StyleDef("Scenario", "Scenario", "Heading2", "", f'<w:color w:val="{heading}"/>',
                 next_style="BodyText"),
        StyleDef("IndicatorsLabel", "Indicators Label", "Normal", "<w:keepNext/>"
                 + spacing(2, 2, 1.0), fonts(SANS) + size(look.body_pt - 1.5) + "<w:b/>"
                 + f'<w:color w:val="{muted}"/>'),
        StyleDef("Decision", "Decision", "BodyText",
                 f'<w:pBdr>{border("top", heading, 8, 4)}{border("bottom", heading, 8, 4)}'
                 "</w:pBdr>" + spacing(4, 8 * gap, line), "<w:b/>"),
        StyleDef("DecisionOptions", "Decision Options", "Normal", spacing(0, 10 * gap, 1.0),
                 fonts(SANS) + size(look.body_pt - 1)),
        StyleDef("ExhibitTitle", "Exhibit Title", "Normal", "<w:keepNext/>" + spacing(10, 4, 1.1),
                 fonts(SANS) + size(look.body_pt - 1) + "<w:b/>"),
        StyleDef("ExhibitLabel", "Exhibit Label", "DefaultParagraphFont", "",
                 f'<w:color w:val="{heading}"/>', kind="character"),
        StyleDef("ExhibitCaption", "Exhibit Caption", "DefaultParagraphFont", "",
                 '<w:b w:val="0"/>' + f'<w:color w:val="{muted}"/>', kind="character"),
        StyleDef("Exhibit", "Exhibit", "Normal", "<w:keepNext/>" + spacing(0, 2, 1.0)),
        StyleDef("ExhibitSource", "Exhibit Source", "Caption", spacing(2, 10, 1.1)),
        StyleDef("Reference", "Reference", "Normal", spacing(0, 4, 1.1)
                 + '<w:ind w:left="340" w:hanging="340"/>', size(look.body_pt - 1)),
        StyleDef("Annotation", "Annotation", "Reference", '<w:ind w:left="340"/>'
                 + spacing(0, 6, 1.1), "<w:i/>" + f'<w:color w:val="{muted}"/>'),
        StyleDef("Colophon", "Colophon", "Normal", spacing(0, 4, 1.1),
                 fonts(SANS) + size(look.body_pt - 2) + f'<w:color w:val="{muted}"/>'),
        *([StyleDef("NumberedParagraph", "Numbered Paragraph", "BodyText",
                    f'<w:numPr><w:numId w:val="{PARAGRAPH_NUMBERING_ID}"/></w:numPr>')]
          if look.numbered_paragraphs else []),
    ]


def table_style(look: Look, c: dict[str, str]) -> str:
    """Data tables: sans, a rule under the header row and at the foot, light rules between."""
    rule, ink = c["rule"], c["ink"]
    return (
        "<w:rPr>" + fonts(SANS) + size(look.body_pt - 1.5) + "</w:rPr>"
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>'
        f'{border("bottom", ink, 6, 0)}{border("insideH", rule, 4, 0)}</w:tblBorders>'
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr>"
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr><w:tcPr><w:tcBorders>'
        f'{border("bottom", ink, 8, 0)}</w:tcBorders><w:vAlign w:val="bottom"/></w:tcPr>'
        "</w:tblStylePr>"
    )


def styles_xml(original: bytes, look: Look, colours: dict[str, str], text_width: int) -> bytes:
    root = etree.fromstring(original)
    for definition in style_defs(look, colours, text_width):
        replace_style(root, definition)
    return serialise(root)


def replace_style(root: etree._Element, d: StyleDef) -> None:
    """Put the style in place of the one with its id (or add it), still the default of its
    kind if it was (Normal, Table)."""
    old = root.find(f"w:style[@w:styleId='{d.style_id}']", NS)
    custom = "" if d.style_id in BUILTIN_IDS else ' w:customStyle="1"'
    default = ' w:default="1"' if old is not None and old.get(f"{{{W}}}default") else ""
    xml = (f'<w:style xmlns:w="{W}" w:type="{d.kind}"{default}{custom} '
           f'w:styleId="{d.style_id}">'
           f'<w:name w:val="{d.name}"/>'
           + (f'<w:basedOn w:val="{d.based_on}"/>' if d.based_on else "")
           + (f'<w:next w:val="{d.next_style}"/>' if d.next_style else "")
           + "<w:qFormat/>"
           + (f"<w:pPr>{d.ppr}</w:pPr>" if d.ppr else "")
           + (f"<w:rPr>{d.rpr}</w:rPr>" if d.rpr else "")
           + d.extra + "</w:style>")
    new = etree.fromstring(xml)
    if old is not None:
        old.addprevious(new)
        root.remove(old)
    else:
        root.append(new)


#: Word's own styles (not marked as custom).
BUILTIN_IDS = {"Normal", "BodyText", "Title", "Subtitle", "Date", "Heading1", "Heading2",
               "Heading3", "Heading4", "TOCHeading", "TOC1", "TOC2", "FootnoteText",
               "Hyperlink", "Caption", "Header", "Footer", "Table"}


# --- numbering, theme, header, footer, document -------------------------------------------------


def numbering_xml(original: bytes, look: Look, c: dict[str, str]) -> bytes:
    """Pandoc's numbering, plus the briefing note's numbered paragraphs (1. 2. 3. hung in the
    margin column, as the print edition numbers them)."""
    root = etree.fromstring(original)
    if look.numbered_paragraphs:
        n = PARAGRAPH_NUMBERING_ID
        definition = etree.fromstring(
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{n}">'
            '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr>'
            f"<w:rPr>{fonts(SANS)}<w:b/>{size(look.body_pt - 1.5)}"
            f'<w:color w:val="{c[look.heading_colour]}"/></w:rPr></w:lvl></w:abstractNum>')
        root.insert(0, definition)
        root.append(etree.fromstring(
            f'<w:num xmlns:w="{W}" w:numId="{n}"><w:abstractNumId w:val="{n}"/></w:num>'))
    return serialise(root)


def theme_xml(original: bytes) -> bytes:
    """Noto Sans and Noto Serif for anything that asks the theme for its fonts."""
    text = original.decode("utf-8")
    text = re.sub(r'(<a:majorFont>\s*<a:latin typeface=")[^"]*"( panose="[^"]*")?',
                  rf'\g<1>{SANS}"', text)
    text = re.sub(r'(<a:minorFont>\s*<a:latin typeface=")[^"]*"( panose="[^"]*")?',
                  rf'\g<1>{SERIF}"', text)
    return text.encode("utf-8")


def field(instruction: str, shown: str, bold: bool = False) -> str:
    """A simple field: Word and LibreOffice show `shown` until they update it; briefgen
    writes the brief's value there at every build (see briefgen/docx.py)."""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return (f'<w:fldSimple w:instr=" {instruction} \\* MERGEFORMAT "><w:r>{rpr}'
            f"<w:t>{shown}</w:t></w:r></w:fldSimple>")


def tab() -> str:
    return "<w:r><w:tab/></w:r>"


def paragraph_part(tag: str, content: str) -> bytes:
    """A header or footer of one paragraph, in the Header or Footer style (whose tab stops
    put text in the middle and at the right margin)."""
    style = "Header" if tag == "hdr" else "Footer"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:{tag} xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="{style}"/>'
            f"</w:pPr>{content}</w:p></w:{tag}>").encode()


def header_xml(look: Look) -> bytes:
    """The briefing note's classification, centred; the other styles' running title."""
    if look.marked:
        return paragraph_part("hdr", tab() + classification())
    return paragraph_part("hdr", field("TITLE", "Title"))


def footer_xml(look: Look) -> bytes:
    """The classification (centred in the briefing note, at the left elsewhere) and the
    page number at the right."""
    page = field("PAGE", "1")
    if look.marked:
        return paragraph_part("ftr", tab() + classification() + tab() + page)
    return paragraph_part("ftr", classification() + tab() + tab() + page)


def classification() -> str:
    return field("DOCPROPERTY classification", "CLASSIFICATION", bold=True)


def document_xml(styles: list[StyleDef], width: int, height: int,
                 margins: tuple[int, int, int, int]) -> bytes:
    """A specimen of every briefgen style (Pandoc ignores the text; a person restyling the
    template sees what each style is for), and the page: size, margins, header, footer."""
    top, right, bottom, left = margins
    specimen = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{d.style_id}"/></w:pPr><w:r><w:t>{d.name}</w:t></w:r>'
        "</w:p>" for d in styles
        if d.kind == "paragraph" and d.style_id not in ("Header", "Footer", "TOC1", "TOC2"))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{specimen}'
            '<w:sectPr><w:headerReference w:type="default" r:id="rIdBriefgenHeader"/>'
            '<w:footerReference w:type="default" r:id="rIdBriefgenFooter"/>'
            '<w:footnotePr><w:numRestart w:val="continuous"/></w:footnotePr>'
            f'<w:pgSz w:w="{width}" w:h="{height}"/>'
            f'<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" '
            'w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>'
            ).encode()


def document_rels(original: bytes) -> bytes:
    root = etree.fromstring(original)
    namespace = root.nsmap[None]
    for rel_id, kind, target in (("rIdBriefgenHeader", "header", "header1.xml"),
                                 ("rIdBriefgenFooter", "footer", "footer1.xml")):
        etree.SubElement(root, f"{{{namespace}}}Relationship", Id=rel_id, Target=target,
                         Type=f"{R}/{kind}")
    return serialise(root)


def content_types(original: bytes) -> bytes:
    root = etree.fromstring(original)
    namespace = root.nsmap[None]
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    for name, what in (("header1", "header"), ("footer1", "footer")):
        etree.SubElement(root, f"{{{namespace}}}Override", PartName=f"/word/{name}.xml",
                         ContentType=f"{kind}.{what}+xml")
    return serialise(root)


def core_xml(name: str) -> bytes:
    """The template's own properties: named after its style, dated never (1980)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>briefgen {name} reference</dc:title><dc:creator>briefgen</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>").encode()


#: The custom properties briefgen writes for each brief (briefgen/docx.py `_properties`):
#: present in the template too, so that Word lists them when a field is inserted by hand.
PROPERTIES = ("classification", "series", "number", "version", "organization", "department")


def custom_xml() -> bytes:
    entries = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f'name="{name}"><vt:lpwstr>{name.upper()}</vt:lpwstr></property>'
        for pid, name in enumerate(PROPERTIES, start=2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/docPropsVTypes">{entries}</Properties>').encode()


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def zipped(parts: dict[str, bytes]) -> bytes:
    """The package, byte-stable: entries sorted, one timestamp, the same compression."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, parts[name], compresslevel=9)
    return buffer.getvalue()


if __name__ == "__main__":
    sys.exit(main())
