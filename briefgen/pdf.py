"""HTML → PDF with WeasyPrint. The only module that imports WeasyPrint (it takes ~1 s to load).

WeasyPrint fetches every stylesheet, font and image through `GuardedFetcher`, which serves only
`data:` URIs, regular files inside the allowed folders (the brief's and the styles'), and — only
for hosts the user named with `--allow-remote` — http(s) resources from those hosts; anything
else (http elsewhere, ftp, a file elsewhere, a symlink out) is refused and reported as a warning.
PDF attachments (`rel="attachment"`) are never embedded: they would copy files into the PDF
where no reader sees them.

A PDF/UA-1 or PDF/A-3u variant is finished here where WeasyPrint 70 leaves it undone (see
docs/accessibility.md): the running headers and footers become artifacts, each link has one
annotation (on its `<a>`) described by its text, images are not interpolated in PDF/A, and a
PDF/UA document refuses images without alt text.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from xml.etree.ElementTree import Element

import pydyf
from weasyprint import CSS, HTML
from weasyprint import layout as weasyprint_layout
from weasyprint.document import Document
from weasyprint.html import element_has_link_type
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, url_join

from . import safety
from .errors import BriefgenError, Problem
from .layout import Rendered
from .limits import DEFAULT_MAX_PAGES
from .safety import (
    REMOTE_SCHEMES,
    RemoteRefused,
    fetch_remote,
    host_allowed,
    image_problem,
    media_type,
    parse_allowed_hosts,
    read_capped,
    resolve_inside,
    shorten_data_uris,
)

_page_limit: ContextVar[int | None] = ContextVar("briefgen_page_limit", default=None)
_make_all_pages = weasyprint_layout.make_all_pages


class _TooManyPages(Exception):
    """Raised from inside WeasyPrint's pagination as soon as a document passes the limit."""


def _make_pages_within_limit(*args: object, **kwargs: object) -> Iterator[object]:
    """WeasyPrint's page maker, stopped at the page limit instead of laying out every page of a
    runaway document (`@page { size: 1mm }` would otherwise run for minutes)."""
    limit = _page_limit.get()
    for count, page in enumerate(_make_all_pages(*args, **kwargs), start=1):
        if limit is not None and count > limit:
            raise _TooManyPages(count)
        yield page


# WeasyPrint 70 looks the page maker up in this module at every layout; if a later version moves
# it, the limit is still enforced after layout below.
if hasattr(weasyprint_layout, "make_all_pages"):
    weasyprint_layout.make_all_pages = _make_pages_within_limit


class GuardedFetcher(URLFetcher):
    """Serves `data:` URIs, files under `roots` and http(s) from `allowed_hosts`; refuses
    everything else, noting the URL and why."""

    def __init__(self, roots: list[Path], allowed_hosts: tuple[str, ...] = ()) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self.allowed_hosts = parse_allowed_hosts(allowed_hosts)
        self.refusals: dict[str, str] = {}  # URL → reason, in the order they were refused
        #: Every local file served: real path → sha256 (the output's inputs, for the cache).
        self.reads: dict[Path, str] = {}

    @property
    def refused(self) -> list[str]:
        return list(self.refusals)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        data, kind, reason = self._bytes(url, headers)
        if data is not None:
            reason = image_problem(data, kind)
            if reason is None:
                return URLFetcherResponse(url, body=data, headers={"Content-Type": kind})
        self.refusals.setdefault(url, reason or "refused")
        raise ValueError(f"briefgen refused to fetch {shorten_data_uris(url)}: {reason}")

    def _bytes(self, url: str, headers: dict | None) -> tuple[bytes | None, str, str | None]:
        """(bytes, media type, None), or (None, "", why it is refused)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            response = super().fetch(url, headers)
            return response.read(), response.headers.get_content_type(), None
        if scheme == "file":
            path = resolve_inside(Path(url2pathname(urlsplit(url).path)), self.roots)
            data = read_capped(path) if path else None
            if data is not None and path is not None:
                self.reads[path] = hashlib.sha256(data).hexdigest()
                return data, media_type(path), None
            return None, "", (f"larger than {safety.MAX_RESOURCE_BYTES:,} bytes" if path else
                              "not a file inside the brief's or the style's folders")
        if scheme in REMOTE_SCHEMES and host_allowed(url, self.allowed_hosts):
            try:
                fetched = fetch_remote(url, self.allowed_hosts)
            except RemoteRefused as error:
                return None, "", str(error)
            return fetched.data, fetched.media_type, None
        if scheme in REMOTE_SCHEMES:
            return None, "", ("remote resources are off; allow a host with --allow-remote HOST"
                              if not self.allowed_hosts
                              else "its host is not allowed (see --allow-remote)")
        return None, "", "only data: URIs, local files and allowed hosts are fetched"

    def messages(self) -> list[str]:
        return [f"refused to fetch {shorten_data_uris(url)}: {reason}"
                for url, reason in self.refusals.items()]


@dataclass
class LaidOut:
    """A laid-out document: pages are known before anything is written.

    `warnings` grows in place when `pdf_bytes()` runs: WeasyPrint fetches some resources (images
    nested in SVG) only while writing, and refusals then are reported too."""

    document: Document
    warnings: list[str] = field(default_factory=list)
    fetcher: GuardedFetcher | None = None
    #: Where the brief's Markdown shows an image without alt text (layout.Rendered's).
    unlabelled_images: list[Problem] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def pdf_bytes(self, variant: str | None = None) -> bytes:
        """The PDF: tagged always; PDF/UA-1 or PDF/A-3u when `variant` names one, finished
        where WeasyPrint leaves the variant undone. A PDF/UA document with an image a screen
        reader cannot describe is refused, where the image is written."""
        if variant == "pdf/ua-1" and self.unlabelled_images:
            raise BriefgenError(problems=self.unlabelled_images)
        links = _anchor_links_only(self.document) if variant else nullcontext()
        with _collecting() as collector, links:
            # Tagged PDF (structure for screen readers): WeasyPrint 70 takes the option here,
            # when writing; given only to render() it is silently dropped.
            data = self.document.write_pdf(pdf_tags=True, pdf_variant=variant,
                                           finisher=_finisher(variant) if variant else None)
        if self.fetcher is not None:
            self.warnings.extend(m for m in self.fetcher.messages() if m not in self.warnings)
        self.warnings.extend(m for m in dict.fromkeys(collector.messages)
                             if "refused to fetch" not in m and m not in self.warnings)
        return data


class _Collector(logging.Handler):
    """Gathers WeasyPrint's warnings so the caller can report them; the library never prints."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(shorten_data_uris(record.getMessage()))


class _collecting:
    """Collects WeasyPrint's log records while the block runs."""

    def __enter__(self) -> _Collector:
        self.collector = _Collector()
        self.logger = logging.getLogger("weasyprint")
        self.logger.addHandler(self.collector)
        # Not also to the caller's handlers while we collect; as it was afterwards, so a
        # notebook that uses briefgen keeps its own logging.
        self.propagated = self.logger.propagate
        self.logger.propagate = False
        return self.collector

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.collector)
        self.logger.propagate = self.propagated


def lay_out(rendered: Rendered, max_pages: int = DEFAULT_MAX_PAGES,
            allowed_hosts: tuple[str, ...] = ()) -> LaidOut:
    """Lay the HTML out into pages, refusing documents that run past `max_pages`.

    The hosts named by `--allow-remote` (`allowed_hosts`, plus those `render_html` was given)
    are the only ones WeasyPrint may fetch from; with none, nothing remote is fetched."""
    fetcher = GuardedFetcher(rendered.roots, (*rendered.allowed_hosts, *allowed_hosts))
    fonts = FontConfiguration()
    with _collecting() as collector:
        sheets = [CSS(filename=str(sheet), url_fetcher=fetcher, font_config=fonts)
                  if isinstance(sheet, Path) else
                  CSS(string=sheet, url_fetcher=fetcher, font_config=fonts)
                  for sheet in rendered.stylesheets]
        html = HTML(string=rendered.html, base_url=str(rendered.base_url) + "/",
                    url_fetcher=fetcher)
        token = _page_limit.set(max_pages)
        try:
            document = html.render(font_config=fonts, stylesheets=sheets)
        except _TooManyPages:
            raise BriefgenError(
                f"the document runs past the limit of {max_pages} pages; layout was stopped",
                hint="check the style's page size and margins, or raise the limit with "
                "--max-pages") from None
        finally:
            _page_limit.reset(token)
    if len(document.pages) > max_pages:
        raise BriefgenError(
            f"the document ran to {len(document.pages)} pages, over the limit of {max_pages}",
            hint="check the style's page size and margins, or raise the limit with --max-pages",
        )
    dropped = _drop_attachments(html, document)
    warnings = [*rendered.warnings,
                *fetcher.messages(),
                *(f"refused to attach {url}: briefgen never embeds files in a PDF"
                  for url in dropped),
                *(m for m in dict.fromkeys(collector.messages) if "refused to fetch" not in m)]
    return LaidOut(document, warnings, fetcher, rendered.unlabelled_images)


def _drop_attachments(html: HTML, document: Document) -> list[str]:
    """Remove every `<link rel=attachment>` and `<a rel=attachment>` before the PDF is written
    (WeasyPrint would fetch and embed them then); returns their URLs."""
    urls: list[str] = []
    for element in html.etree_element.iter("link"):
        if element_has_link_type(element, "attachment") and element.get("href"):
            urls.append(url_join(html.base_url, element.get("href").strip(), True, "") or "")
    document.metadata.attachments = []
    for page in document.pages:
        kept = [link for link in page.links if link[0] != "attachment"]
        urls.extend(link[1] for link in page.links if link[0] == "attachment")
        page.links[:] = kept
    return list(dict.fromkeys(urls))


# --- Finishing a PDF/UA-1 or PDF/A-3u document -------------------------------------------------
# WeasyPrint hands the PDF's objects (pydyf's) to a finisher just before writing them; what it
# gets wrong for the variants is put right there, in the objects, before any byte is written.


@contextmanager
def _anchor_links_only(document: Document) -> Iterator[None]:
    """While the block runs, a link is annotated only on the box of its `<a>` element.

    WeasyPrint 70 also annotates every box inside the `<a>` (a span, an `::after` page number)
    and tags those annotations under the inner box's element (a Span), where PDF/UA wants a
    Link; the `<a>`'s own annotation already covers them. The document is left as it was."""
    kept = [list(page.links) for page in document.pages]
    for page in document.pages:
        for *_, box in page.links:
            if not box.link:  # the link is an ancestor's
                box.link_annotation = None  # none is left over from an earlier write
        page.links[:] = [link for link in page.links if link[-1].link]
    try:
        yield
    finally:
        for page, links in zip(document.pages, kept, strict=True):
            page.links[:] = links


def _finisher(variant: str) -> Callable[[Document, pydyf.PDF], None]:
    """What `variant` needs done to WeasyPrint's objects before they are written."""

    def finish(document: Document, pdf: pydyf.PDF) -> None:
        _margins_as_artifacts(pdf)
        _describe_links(document)
        if variant.startswith("pdf/a"):
            _no_interpolation(pdf)

    return finish


def _margins_as_artifacts(pdf: pydyf.PDF) -> None:
    """The running header and footer as pagination artifacts, as PDF/UA requires (ISO 14289-1,
    7.8): a screen reader must not read the title and page number on every page.

    WeasyPrint 70 tags the page margins' text as content, under structure elements that the
    structure tree never reaches (Kozea/WeasyPrint#1836); those elements' marked content becomes
    /Artifact, and the parent tree forgets them. Content drawn elsewhere than in the page's own
    stream (a margin box with opacity is a group of its own) is left as WeasyPrint wrote it."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    root = pdf.catalog["StructTreeRoot"]
    reachable = _reachable(pdf, root)
    orphans_on_page: dict[bytes, list[pydyf.Dictionary]] = defaultdict(list)
    for item in pdf.objects:
        if (isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem"
                and item.number not in reachable):
            orphans_on_page[item["Pg"]].append(item)
    forgotten: set[bytes] = set()
    for page, orphans in orphans_on_page.items():
        owned = {element.reference: {kid for kid in element["K"] if isinstance(kid, int)}
                 for element in orphans}
        converted = _as_artifacts(_resolve(pdf, _resolve(pdf, page)["Contents"]),
                                  set().union(*owned.values()))
        forgotten |= {element for element, ids in owned.items() if ids and ids <= converted}
    _forget(_resolve(pdf, _resolve(pdf, root)["ParentTree"]), forgotten)


def _resolve(pdf: pydyf.PDF, reference: bytes) -> pydyf.Object:
    """The object an indirect reference (b"12 0 R") names."""
    return pdf.objects[int(reference.split()[0])]


def _reachable(pdf: pydyf.PDF, root: bytes) -> set[int]:
    """The numbers of the structure tree's objects reachable from `root` through /K."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        reference = pending.pop()
        number = int(reference.split()[0])
        if number in seen:
            continue
        seen.add(number)
        node = pdf.objects[number]
        if isinstance(node, pydyf.Dictionary) and "K" in node:
            pending.extend(kid for kid in node["K"] if isinstance(kid, bytes))
    return seen


def _as_artifacts(stream: pydyf.Stream, marked: set[int]) -> set[int]:
    """Turns each `/Tag <</MCID n>> BDC` of `stream` whose n is in `marked` into
    `/Artifact <</Type /Pagination>> BDC` (pydyf keeps the three as consecutive items);
    returns the ids it found."""
    items = stream.stream
    converted: set[int] = set()
    for index, item in enumerate(items[1:-1], start=1):
        if (isinstance(item, pydyf.Dictionary) and item.get("MCID") in marked
                and items[index + 1] == b"BDC"):
            converted.add(item["MCID"])
            items[index - 1] = "/Artifact"
            items[index] = pydyf.Dictionary({"Type": "/Pagination"})
    return converted


def _forget(parent_tree: pydyf.Dictionary, references: set[bytes]) -> None:
    """Empties the parent tree's entries for `references` (null: no element owns the id)."""
    for entry in parent_tree["Nums"]:
        if isinstance(entry, pydyf.Array):
            entry[:] = [b"null" if kid in references else kid for kid in entry]


def _describe_links(document: Document) -> None:
    """Each link annotation's /Contents (its description for PDF/UA, 7.18.5) says what the
    link says; WeasyPrint 70 writes the target there (`ref-kazakh-brief`)."""
    for page in document.pages:
        for _, _, _, box in page.links:
            annotation = box.link_annotation
            description = _link_description(box.element)
            if annotation is not None and description:
                annotation["Contents"] = pydyf.String(description)


def _link_description(link: Element) -> str:
    """What a link says: its text; for a link around an image, the image's alt text (what a
    reader of the page sees is the image); else its aria-label or title."""
    described = ("".join(link.itertext()),
                 " ".join(image.get("alt") or "" for image in link.iter("img")),
                 link.get("aria-label") or "", link.get("title") or "")
    return next((" ".join(text.split()) for text in described if text.strip()), "")


def _no_interpolation(pdf: pydyf.PDF) -> None:
    """No image is interpolated: PDF/A forbids it (ISO 19005-3, 6.2.8), and WeasyPrint 70
    interpolates every image whose `image-rendering` is `auto`."""
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.extra.get("Subtype") == "/Image":
            item.extra["Interpolate"] = "false"
