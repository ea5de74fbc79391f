"""HTML → PDF with WeasyPrint. The only module that imports WeasyPrint (it takes ~1 s to load).

WeasyPrint fetches every stylesheet, font and image through `GuardedFetcher`, which serves only
`data:` URIs and regular files inside the allowed folders (the brief's and the styles'); anything
else — http, ftp, a file elsewhere, a symlink out — is refused and reported as a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import BriefgenError
from .render import Rendered
from .safety import media_type, read_capped, resolve_inside


class GuardedFetcher(URLFetcher):
    """Serves `data:` URIs and files under `roots`; refuses everything else, noting the URL."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = resolve_inside(Path(url2pathname(urlsplit(url).path)), self.roots)
            data = read_capped(path) if path else None
            if data is not None:
                return URLFetcherResponse(url, body=data,
                                          headers={"Content-Type": media_type(path)})
        self.refused.append(url)
        raise ValueError(f"briefgen refused to fetch {url}")


@dataclass
class LaidOut:
    """A laid-out document: pages are known before anything is written."""

    document: Document
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def pdf_bytes(self) -> bytes:
        return self.document.write_pdf()


class _Collector(logging.Handler):
    """Gathers WeasyPrint's warnings so the caller can report them; the library never prints."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def lay_out(rendered: Rendered, max_pages: int = 200) -> LaidOut:
    """Lay the HTML out into pages, refusing documents that run past `max_pages`."""
    fetcher = GuardedFetcher(rendered.roots)
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(p), url_fetcher=fetcher, font_config=fonts)
              for p in rendered.stylesheets]
    if rendered.page_css:  # style.yaml's page settings win over the stylesheets'
        sheets.append(CSS(string=rendered.page_css, font_config=fonts))
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    logger.propagate = False
    try:
        html = HTML(string=rendered.html, base_url=str(rendered.base_url) + "/",
                    url_fetcher=fetcher)
        document = html.render(font_config=fonts, stylesheets=sheets, pdf_tags=True)
    finally:
        logger.removeHandler(collector)
    if len(document.pages) > max_pages:
        raise BriefgenError(
            f"the document ran to {len(document.pages)} pages, over the limit of {max_pages}",
            hint="check the style's page size and margins, or raise the limit with --max-pages",
        )
    warnings = [*rendered.warnings,
                *(f"refused to fetch {url}" for url in dict.fromkeys(fetcher.refused)),
                *(m for m in collector.messages if "refused to fetch" not in m)]
    return LaidOut(document, warnings)
