"""What a PDF/UA-1 or PDF/A-3u validator checks, read back from the PDF with pikepdf.

veraPDF, the reference validator, needs Java, which our package sources do not have; these are
the machine checks of its profiles that a PDF from WeasyPrint could fail, each a function that
takes an open `pikepdf.Pdf` and returns readable problems (an empty list when it passes).
`problems(path, variant)` runs every check that applies to the variant. Any test may use them:

    from pdfcheck import problems
    assert problems(path, "pdf/ua-1") == []
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from xml.etree import ElementTree

import pikepdf

Check = Callable[[pikepdf.Pdf], list[str]]

PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
#: Operators that put marks on the page: text, path painting, shadings, XObjects, inline images.
PAINTING = frozenset({"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*",
                      "sh", "Do", "INLINE IMAGE"})


def structure_elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every structure element reachable from the structure tree's root, in reading order.

    Elements that only the parent tree names (WeasyPrint makes such orphans for the page
    margins) are not part of the document's structure, and are not visited."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    seen: set[tuple[int, int]] = set()
    pending = list(reversed(_kids(root)))
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue  # a marked-content id or an object reference (an annotation)
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        yield element
        pending.extend(reversed(_kids(element)))


def _kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _attributes(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """An element's attribute dictionaries (/A holds one, or an array of them)."""
    attributes = element.get("/A")
    if attributes is None:
        return []
    items = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
    return [item for item in items if isinstance(item, pikepdf.Dictionary)]


def _text(value: pikepdf.Object | None) -> str:
    return str(value).strip() if value is not None else ""


def structure_tree(pdf: pikepdf.Pdf) -> list[str]:
    """Tagged PDF: a structure tree with a document element in it."""
    if "/StructTreeRoot" not in pdf.Root:
        return ["no /StructTreeRoot in the catalog: the PDF is not tagged"]
    if next(structure_elements(pdf), None) is None:
        return ["the structure tree has no elements"]
    return []


def marked(pdf: pikepdf.Pdf) -> list[str]:
    """/MarkInfo /Marked true: readers trust the tags only then."""
    info = pdf.Root.get("/MarkInfo")
    if info is None or info.get("/Marked") is not True:
        return ["the catalog's /MarkInfo does not say /Marked true"]
    if info.get("/Suspects") is True:
        return ["the catalog's /MarkInfo says /Suspects true"]
    return []


def language(pdf: pikepdf.Pdf) -> list[str]:
    """A non-empty /Lang in the catalog: the language a screen reader speaks."""
    return [] if _text(pdf.Root.get("/Lang")) else ["the catalog has no (or an empty) /Lang"]


def displays_title(pdf: pikepdf.Pdf) -> list[str]:
    """/ViewerPreferences /DisplayDocTitle true: the window shows the title, not a file name."""
    preferences = pdf.Root.get("/ViewerPreferences")
    if preferences is None or preferences.get("/DisplayDocTitle") is not True:
        return ["the catalog's /ViewerPreferences does not set /DisplayDocTitle true"]
    return []


def xmp_values(pdf: pikepdf.Pdf, namespace: str) -> dict[str, str]:
    """The XMP metadata's properties in `namespace` (attributes or elements of any
    rdf:Description), by local name."""
    if "/Metadata" not in pdf.Root:
        return {}
    tree = ElementTree.fromstring(pdf.Root.Metadata.read_bytes())
    values: dict[str, str] = {}
    for description in tree.iter(f"{{{RDF}}}Description"):
        for key, value in description.attrib.items():
            if key.startswith(f"{{{namespace}}}"):
                values[key.split("}")[1]] = value
        for child in description:
            if child.tag.startswith(f"{{{namespace}}}"):
                values[child.tag.split("}")[1]] = (child.text or "").strip()
    return values


def titled(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/UA wants the title in the XMP metadata (dc:title), the one DisplayDocTitle shows."""
    if "/Metadata" not in pdf.Root:
        return ["there is no XMP metadata, so no dc:title"]
    tree = ElementTree.fromstring(pdf.Root.Metadata.read_bytes())
    titles = [item.text for item in tree.iter(f"{{{DC}}}title") for item in item.iter()
              if (item.text or "").strip()]
    return [] if titles else ["the XMP metadata has no dc:title"]


def ua_identification(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/UA-1 says so in its XMP metadata: pdfuaid:part 1."""
    part = xmp_values(pdf, PDFUAID).get("part")
    return [] if part == "1" else [f"the XMP metadata's pdfuaid:part is {part!r}, not '1'"]


def a3u_identification(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/A-3u says so in its XMP metadata: pdfaid:part 3, pdfaid:conformance U."""
    values = xmp_values(pdf, PDFAID)
    found = (values.get("part"), values.get("conformance"))
    return [] if found == ("3", "U") else [
        f"the XMP metadata's pdfaid:part and conformance are {found}, not ('3', 'U')"]


def fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every font dictionary in the file, a Type0 font's descendant fonts included."""
    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/Font":
            yield item
            if item.get("/Subtype") == "/Type0":
                yield from (font for font in item.get("/DescendantFonts", [])
                            if not font.is_indirect)  # indirect ones are in pdf.objects


def fonts_embedded(pdf: pikepdf.Pdf) -> list[str]:
    """Every font's program is in the file (a Type0 font's is in its descendant; a Type3
    font's glyphs are content streams)."""
    problems = []
    for font in fonts(pdf):
        if font.get("/Subtype") in ("/Type0", "/Type3"):
            continue
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or not any(key in descriptor for key in FONT_FILES):
            problems.append(f"font {_text(font.get('/BaseFont'))!r} is not embedded")
    return problems


def fonts_map_to_unicode(pdf: pikepdf.Pdf) -> list[str]:
    """Every font says which characters its glyphs are (/ToUnicode), so text can be read aloud,
    searched and copied (PDF/UA 7.21.7, PDF/A-3u 6.2.11.7)."""
    return [f"font {_text(font.get('/BaseFont'))!r} has no /ToUnicode map"
            for font in fonts(pdf)
            if font.get("/Subtype") in ("/Type0", "/TrueType", "/Type1", "/Type3")
            and "/ToUnicode" not in font]


def figures_have_alt(pdf: pikepdf.Pdf) -> list[str]:
    """Every /Figure element has alternate text (/Alt, or /ActualText)."""
    return [f"figure {number} of the structure tree has no /Alt"
            for number, element in enumerate(
                (e for e in structure_elements(pdf) if e.S == "/Figure"), start=1)
            if not (_text(element.get("/Alt")) or _text(element.get("/ActualText")))]


def table_headers(pdf: pikepdf.Pdf) -> list[str]:
    """Every header cell (/TH) says what it heads: a /Scope, or a data cell naming it in its
    /Headers."""
    elements = list(structure_elements(pdf))
    named = {_text(header) for element in elements for attributes in _attributes(element)
             for header in attributes.get("/Headers", [])}
    problems = []
    headers = (e for e in elements if e.S == "/TH")
    for number, header in enumerate(headers, start=1):
        scoped = any("/Scope" in attributes for attributes in _attributes(header))
        if not scoped and _text(header.get("/ID")) not in named - {""}:
            problems.append(f"table header cell {number} has no /Scope and no cell names it "
                            "in /Headers")
    return problems


def tab_order(pdf: pikepdf.Pdf) -> list[str]:
    """/Tabs /S on every page: keyboard focus moves through links in structure order."""
    return [f"page {number} has /Tabs {page.obj.get('/Tabs')}, not /S"
            for number, page in enumerate(pdf.pages, start=1)
            if page.obj.get("/Tabs") != "/S"]


def links_described(pdf: pikepdf.Pdf) -> list[str]:
    """Every link annotation has a description (/Contents) and sits in a /Link element of the
    structure tree (its /StructParent, through the parent tree)."""
    parents = _parent_tree(pdf)
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            where = f"page {number}: link to {_link_target(annotation)!r}"
            if not _text(annotation.get("/Contents")):
                problems.append(f"{where} has no /Contents")
            key = annotation.get("/StructParent")
            parent = parents.get(int(key)) if key is not None else None
            if not isinstance(parent, pikepdf.Dictionary) or parent.get("/S") != "/Link":
                problems.append(f"{where} has no /StructParent naming a /Link element")
    return problems


def parent_tree_in_structure(pdf: pikepdf.Pdf) -> list[str]:
    """Every structure element that owns content (through the parent tree) is in the structure
    tree: content owned by an element outside it is tagged, yet in no reading order."""
    reachable = {element.objgen for element in structure_elements(pdf)}
    owners = {number: owner for number, owner in _parent_tree(pdf).items()}
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        owned = owners.get(int(key)) if key is not None else None
        stray = [element for element in (owned if isinstance(owned, pikepdf.Array) else [])
                 if isinstance(element, pikepdf.Dictionary)
                 and element.objgen not in reachable]
        if stray:
            problems.append(f"page {number}: {len(stray)} pieces of content belong to "
                            "structure elements outside the structure tree")
    return problems


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return {}
    return dict(pikepdf.NumberTree(root.ParentTree).items())


def _link_target(annotation: pikepdf.Dictionary) -> str:
    if "/A" in annotation:
        return _text(annotation.A.get("/URI"))
    return _text(annotation.get("/Dest"))


def content_marked(pdf: pikepdf.Pdf) -> list[str]:
    """All that is painted is either an artifact or tagged content (marked content with an
    /MCID), never both nested, never neither: veraPDF's first PDF/UA rules."""
    problems: list[str] = []
    for number, page in enumerate(pdf.pages, start=1):
        found = _marking_problems(page.obj, page.obj.get("/Resources"), [], set())
        problems.extend(f"page {number}: {problem}" for problem in sorted(found))
    return problems


def _marking_problems(stream: pikepdf.Object, resources: pikepdf.Object | None,
                      stack: list[str], seen: set[tuple[int, int]]) -> set[str]:
    """Marking problems of a content stream (a page, or a form XObject painted where `stack`
    is the enclosing marked content)."""
    problems: set[str] = set()
    stack = list(stack)
    for operands, operator in pikepdf.parse_content_stream(stream):
        name = str(operator)
        if name in ("BMC", "BDC"):
            kind = _marked_kind(operands)
            if kind == "artifact" and "tagged" in stack:
                problems.add("an artifact inside tagged content")
            if kind == "tagged" and "artifact" in stack:
                problems.add("tagged content inside an artifact")
            stack.append(kind)
        elif name == "EMC" and stack:
            stack.pop()
        elif name in PAINTING:
            if not {"artifact", "tagged"} & set(stack):
                problems.add(f"{name} paints content that is neither an artifact nor tagged")
            if name == "Do" and resources is not None:
                problems |= _form_problems(operands[0], resources, stack, seen)
    return problems


def _form_problems(name: pikepdf.Object, resources: pikepdf.Object, stack: list[str],
                   seen: set[tuple[int, int]]) -> set[str]:
    xobject = resources.get("/XObject", {}).get(name)
    if xobject is None or xobject.get("/Subtype") != "/Form" or xobject.objgen in seen:
        return set()
    seen.add(xobject.objgen)
    return _marking_problems(xobject, xobject.get("/Resources", resources), stack, seen)


def _marked_kind(operands: list[pikepdf.Object]) -> str:
    if operands and operands[0] == "/Artifact":
        return "artifact"
    properties = operands[1] if len(operands) > 1 else None
    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
        return "tagged"
    return "other"


def output_intent(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/A says what its colours mean: a /GTS_PDFA1 output intent with an ICC profile."""
    intents = [intent for intent in pdf.Root.get("/OutputIntents", [])
               if intent.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in intent]
    return [] if intents else ["no /GTS_PDFA1 output intent with a /DestOutputProfile"]


def file_identifier(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/A files carry an /ID in their trailer."""
    return [] if "/ID" in pdf.trailer else ["the trailer has no /ID"]


def no_interpolation(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/A forbids image interpolation (a viewer would smooth images differently)."""
    count = sum(1 for item in pdf.objects if isinstance(item, pikepdf.Stream)
                and item.get("/Subtype") == "/Image" and item.get("/Interpolate") is True)
    return [f"{count} images have /Interpolate true"] if count else []


def annotations_printable(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/A annotations are printed, as they are shown (the /F flags' print bit, 4)."""
    return [f"page {number}: a {_text(annotation.get('/Subtype'))} annotation is not printed"
            for number, page in enumerate(pdf.pages, start=1)
            for annotation in page.obj.get("/Annots", [])
            if not int(annotation.get("/F", 0)) & 4]


def headings_in_order(pdf: pikepdf.Pdf) -> list[str]:
    """Headings start at H1 and never skip a level on the way down (H2 → H4)."""
    levels = [int(str(e.S)[2]) for e in structure_elements(pdf)
              if re.fullmatch(r"/H[1-6]", str(e.S))]
    problems = [] if not levels or levels[0] == 1 else [f"the first heading is H{levels[0]}"]
    problems += [f"heading {number}: H{before} is followed by H{after}"
                 for number, (before, after) in enumerate(pairwise(levels), start=2)
                 if after > before + 1]
    return problems


#: What a tagged PDF needs for a screen reader: every PDF/UA document, and every PDF briefgen
#: writes (it tags them all).
TAGGED: tuple[Check, ...] = (structure_tree, marked, language, displays_title, figures_have_alt,
                             table_headers, tab_order, links_described, content_marked,
                             parent_tree_in_structure, headings_in_order)
FONTS: tuple[Check, ...] = (fonts_embedded, fonts_map_to_unicode)
#: What a validator of each variant checks (of what these checks look for).
CHECKS: dict[str, tuple[Check, ...]] = {
    "pdf/ua-1": (*TAGGED, *FONTS, ua_identification, titled),
    "pdf/a-3u": (*FONTS, a3u_identification, output_intent, file_identifier, no_interpolation,
                 annotations_printable),
}


def problems(path: Path, variant: str, *, tagged: bool = True) -> list[str]:
    """Every problem a validator of `variant` (pdf/ua-1 or pdf/a-3u) would find that these
    checks look for, and with `tagged` those of a tagged PDF too (PDF/A-3u does not ask for
    tags; briefgen writes them all the same). Each is prefixed with the check that found it."""
    checks = dict.fromkeys((*CHECKS[variant], *(TAGGED if tagged else ())))
    with pikepdf.open(path) as pdf:
        return [f"{check.__name__}: {problem}" for check in checks for problem in check(pdf)]
