"""The page view of `briefgen preview`: a print style's PDF as images of its pages, rebuilt on
every save by the warm workers of `briefgen watch`.

For a print style the HTML is the wrong picture: the memo's one-page limit, where the pages
break, whether the key figures fit, show only in the PDF. So for a style that makes PDFs,
`serve_pages` runs the watch's loop (`watch.watch`: the same warm workers, build cache, atomic
writes and manifest, into the normal output folder) for one brief, one style and one language,
and serves each PDF it makes as a page of images with a bar above them: the pages against the
style's page budget, the milliseconds the build took, its warnings.

Why images, rendered here with pypdfium2, rather than the PDF in the browser's own viewer:
headless and minimal browsers have no PDF viewer, an embedded viewer loses the reader's place on
every reload, and a page of `<img>` shows in every browser under a strict policy (no plugin, no
frame, no script but the reload script). pypdfium2's wheel carries PDFium itself, so no system
package is needed.

Each PDF is read into memory once, when the watch reports it: a later build may overwrite the
file while the browser is still asking for the pages of this one. A page is rendered when it is
first asked for, and kept until the next PDF replaces it. PDFium is not thread-safe and each
request has a thread of its own, so one lock serialises every call into it.

A broken save shows its located problems above the last good pages, which say that they are the
last good build; the save that fixes it brings the new pages.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium

from .build import Job
from .content import LoadedBrief
from .errors import BriefgenError, Problem
from .limits import DEFAULT_TIMEOUT
from .preview import PROBLEMS_CSS, Asset, Page, problem_list, serving
from .watch import Built, Event, Failed, Waiting, WatchOptions, watch

#: Pixels per PDF point: 2 is 144 dpi, sharp on an ordinary screen at the page's real size, and
#: a memo page renders and encodes in about 30 ms.
PAGE_SCALE = 2.0
#: Pixels across a page image at most, so that a poster-sized page stays a few hundred KB.
MAX_PAGE_PIXELS = 1800
#: Pixels in a page image at most (an A3 page at 2x has 4.0 million): a user stylesheet may make
#: a page of any height (`@page { size: 100mm 100000mm }`), whose image at 2x would need
#: gigabytes in this process.
MAX_PAGE_AREA = 1800 * 2600
#: CSS pixels per PDF point (96 / 72): pages are shown at their real size, as far as they fit.
CSS_PIXELS_PER_POINT = 96 / 72
#: The only asset paths: /pages/1.png to /pages/9999.png, no leading zero, nothing after.
_PAGE_PATH = re.compile(r"/pages/([1-9][0-9]{0,3})\.png")
#: The page's own policy; the server adds the reload script's nonce and `connect-src 'self'`.
PAGES_POLICY = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

#: PDFium may be called from one thread at a time.
_PDFIUM = threading.Lock()


@dataclass(frozen=True, eq=False)
class Document:
    """One built PDF held in memory, the watch's report of it, and its pages as PNGs so far
    (shared with a copy made for a later report of the same bytes)."""

    pdf: bytes
    sha256: str
    #: Each page's width and height in points.
    sizes: tuple[tuple[float, float], ...]
    built: Built
    #: The time of day it was built, to say how old the last good pages are.
    at: str
    _pngs: dict[int, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, built: Built) -> Document:
        """The PDF `built` reports, read now; a `BriefgenError` if it cannot be read."""
        path = built.output.path
        try:
            data = path.read_bytes()
            with _PDFIUM:
                pdf = pdfium.PdfDocument(data)
                try:
                    sizes = tuple(pdf.get_page_size(i) for i in range(len(pdf)))
                finally:
                    pdf.close()
        except (OSError, pdfium.PdfiumError) as error:
            raise BriefgenError(f"cannot read the PDF it built: {error}", file=path) from None
        return cls(data, hashlib.sha256(data).hexdigest(), sizes, built, time.strftime("%H:%M:%S"))

    @property
    def version(self) -> str:
        """Names the PDF in its page images' URLs, so that a browser's cache never serves an
        older PDF's page for a newer page. The server itself serves the current PDF whatever
        the URL says: a page loaded while a new PDF replaces the old one may be the new one's,
        and the reload that follows shows the new page whole."""
        return self.sha256[:16]

    def png(self, number: int) -> bytes:
        """Page `number` (from 1) as a PNG, rendered the first time it is asked for. The lock
        is held throughout, so that pages asked for at once are each rendered only once."""
        with _PDFIUM:
            if number not in self._pngs:
                self._pngs[number] = _render(self.pdf, number - 1)
            return self._pngs[number]


def _render(data: bytes, index: int) -> bytes:
    """Page `index` of the PDF `data` as a PNG; the caller holds the PDFium lock."""
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        try:
            width, height = max(page.get_width(), 1.0), max(page.get_height(), 1.0)
            scale = min(PAGE_SCALE, MAX_PAGE_PIXELS / width,
                        (MAX_PAGE_AREA / (width * height)) ** 0.5)
            # In RGB order, as PNG stores it (PDFium's own is BGR, which would cost a copy);
            # the least compression: as small as the most for these pages, and faster.
            bitmap = page.render(scale=scale, rev_byteorder=True)
            out = io.BytesIO()
            bitmap.to_pil().save(out, format="PNG", compress_level=1)
            return out.getvalue()
        finally:
            page.close()
    finally:
        pdf.close()


class PageView:
    """What the page view serves, kept up to date from the watch's events: the last good PDF,
    the problems of the build since, if it failed, and the page made of both.

    The watch's thread calls `report`; request threads read `current` (one attribute, replaced
    whole) and call `asset`. The version moves only when the page would look different.
    """

    def __init__(self, edition: LoadedBrief, style: str) -> None:
        self.edition = edition.edition
        self.title = edition.brief.title
        self.language = edition.brief.language
        self.style = style
        self.token = secrets.token_hex(4)  # a restarted server's versions never match old ones
        self.builds = 0
        self._document: Document | None = None
        self._problems: list[Problem] = []
        self._started = False
        self._digest = ""
        self.current: tuple[str, Page]  # set by _publish, now and whenever the page changes
        self._publish()

    def report(self, event: Event) -> None:
        """Take in one event of the watch: a PDF of this edition made or found up to date, a
        failure (of this edition's PDF, or of reading the briefs, styles or settings); at the
        end of each build, show the outcome."""
        if isinstance(event, Built) and self._shows(event.job):
            self._take(event)
        elif isinstance(event, Failed) and (event.job is None or self._shows(event.job)):
            self._problems = event.error.problems
        elif isinstance(event, Waiting):
            self._started = True
            self._publish()

    def _shows(self, job: Job) -> bool:
        """Whether a report is of the edition shown (asked for `ru`, the watch also makes
        `ru-KZ`, if there is one)."""
        return job.brief.edition == self.edition

    def _take(self, built: Built) -> None:
        previous = self._document
        try:
            if previous is not None and previous.sha256 == built.output.sha256:
                self._document = replace(previous, built=built)  # its pages, rendered already
            else:
                self._document = Document.read(built)
        except BriefgenError as error:
            self._problems = error.problems
            return
        self._problems = []
        brief = built.job.brief.brief
        self.title, self.language = brief.title, brief.language

    def asset(self, path: str) -> Asset | None:
        """A page image of the PDF shown: only /pages/N.png, N a page it has."""
        match = _PAGE_PATH.fullmatch(path)
        document = self._document
        if match is None or document is None or int(match[1]) > len(document.sizes):
            return None
        return Asset("image/png", document.png(int(match[1])))

    def _publish(self) -> None:
        page = Page.from_html(self._html(), ok=not self._problems, policies=(PAGES_POLICY,))
        digest = page.digest()
        if digest != self._digest:
            self._digest = digest
            self.builds += 1
            self.current = (f"{self.token}-{self.builds}", page)

    def _html(self) -> str:
        document, problems = self._document, self._problems
        body = [self._bar(document)]
        if problems:
            body.append(_problems(problems, document))
        if document is not None:
            if problems:
                body.append(f'<h2 class="stale">Last good build, {document.at}</h2>')
            body.append(_warnings(document.built.output.warnings))
            body.append(_sheets(document))
        elif not self._started:
            body.append('<p class="note">Building the PDF: the first build starts the workers '
                        "and takes a second or two. The pages appear here by themselves.</p>")
        budget = document.built.budget.describe() if document else None
        heading = " · ".join(filter(None, (budget, self.style, self.title)))
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(heading)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n"
        )

    def _bar(self, document: Document | None) -> str:
        """The brief, style and language; the pages against the budget, the build's time and
        warnings; or what is under way, or wrong."""
        facts = [f'<span class="style">{html.escape(self.style)}</span>',
                 f'<span class="language">{html.escape(self.language)}</span>']
        if document is not None:
            built = document.built
            budget = built.budget
            state = "over" if budget.over else "ok"
            last = "last good: " if self._problems else ""
            facts.append(f'<span class="budget {state}">{last}'
                         f'{html.escape(budget.describe() or "")}</span>')
            seconds = built.output.seconds
            facts.append('<span class="time">' + ("unchanged" if seconds is None else
                                                  f"{round(1000 * seconds)} ms") + "</span>")
            count = len(built.output.warnings)
            if count:
                facts.append(f'<span class="warned">{count} warning{"s" * (count != 1)}</span>')
        if self._problems:
            count = len(self._problems)
            facts.append(f'<span class="failed">build failed: {count} problem'
                         f'{"s" * (count != 1)}</span>')
        elif not self._started:
            facts.append('<span class="busy">building…</span>')
        title = (f'<span class="title"><span lang="{html.escape(self.language)}">'
                 f"{html.escape(self.title)}</span>")
        if document is not None:
            title += f' <span class="file">{html.escape(str(document.built.output.path))}</span>'
        return (f'<header class="bar">{title}</span>'
                f'<span class="facts">{"".join(facts)}</span></header>')


def _problems(problems: list[Problem], document: Document | None) -> str:
    count = len(problems)
    what = f"{count} problem{'s' * (count != 1)} in the brief or its style"
    shown = (f"The pages below are the last good build, from {document.at}."
             if document is not None else "There are no pages yet: nothing has built since the "
             "preview started.")
    return (f'<section class="problems-box"><h1>{html.escape(what)}</h1>'
            f'<p class="lead">Fix {"them" if count > 1 else "it"} and save: this page reloads '
            f"by itself. {html.escape(shown)}</p>{problem_list(problems)}</section>")


def _warnings(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(warning)}</li>" for warning in warnings)
    return f'<ul class="warnings">{items}</ul>'


def _sheets(document: Document) -> str:
    """Each page as an image at its real size, numbered; those past the budget marked."""
    limit = document.built.budget.limit
    total = len(document.sizes)
    sheets = []
    for number, (width, height) in enumerate(document.sizes, start=1):
        over = limit is not None and number > limit
        label = f"Page {number} of {total}"
        mark = f' <span class="over-mark">over the {limit}-page budget</span>' if over else ""
        sheets.append(
            f'<figure class="sheet{" over" * over}"><figcaption>{label}{mark}</figcaption>'
            f'<img src="/pages/{number}.png?v={document.version}" alt="{label}" '
            f'width="{round(width * CSS_PIXELS_PER_POINT)}" '
            f'height="{round(height * CSS_PIXELS_PER_POINT)}"></figure>')
    return f'<main class="sheets">{"".join(sheets)}</main>'


_CSS = """
* { box-sizing: border-box; }
html { background: #e6e7ea; }
body { margin: 0; color: #1d1d1f;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
.bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: center;
       gap: .5rem 1.5rem;
       padding: .6rem 1.25rem; background: #fff; border-bottom: 1px solid #d5d6da;
       box-shadow: 0 1px 4px rgba(0, 0, 0, .06); }
.title { flex: 1 1 16rem; min-width: 0; font-weight: 600; white-space: nowrap; overflow: hidden;
         text-overflow: ellipsis; }
.file { margin-left: .5rem; color: #80838a;
        font: 400 12px/1 ui-monospace, "DejaVu Sans Mono", monospace; }
.facts { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .9rem; color: #5f6168;
         font-variant-numeric: tabular-nums; white-space: nowrap; }
.style, .language { padding: .1rem .45rem; border-radius: 4px; background: #f0f1f3; }
.budget, .failed, .warned, .busy { padding: .15rem .6rem; border-radius: 999px;
                                   font-weight: 600; }
.budget.ok { background: #e2f3e7; color: #17612f; }
.budget.over, .failed { background: #c62828; color: #fff; }
.warned { background: #fff3d6; color: #7a4b00; }
.busy { background: #e4ecfb; color: #1f4f9c; }
.note, .problems-box, .warnings, .stale { width: min(52rem, calc(100% - 2rem));
                                          margin: 1.5rem auto 0; }
.note { color: #5f6168; text-align: center; }
.problems-box { padding: 1rem 1.25rem .25rem; background: #fff; border-radius: 6px;
                box-shadow: 0 1px 3px rgba(0, 0, 0, .12); }
.problems-box h1 { margin: 0 0 .25rem; font-size: 1.15rem; color: #a00; }
.lead { margin: 0 0 1rem; color: #555; }
.warnings { list-style: none; padding: 0; }
.warnings li { margin: 0 0 .5rem; padding: .5rem .8rem; background: #fff8e6;
               border-left: 4px solid #e0a100; border-radius: 0 4px 4px 0; }
.sheets { display: flex; flex-direction: column; align-items: center; gap: 1.75rem;
          padding: 1.75rem 1rem 4rem; }
.sheet { margin: 0; max-width: 100%; text-align: center; }
.sheet img { display: block; max-width: 100%; height: auto; background: #fff;
             box-shadow: 0 1px 3px rgba(0, 0, 0, .15), 0 6px 20px rgba(0, 0, 0, .12); }
.sheet figcaption { margin-bottom: .45rem; color: #5f6168; font-size: 12px; }
.stale { padding: .35rem 0; border-bottom: 1px solid #c9cacf; color: #3c3e44;
         font-size: 12px; font-weight: 600; letter-spacing: .05em; text-transform: uppercase; }
.sheet.over img { outline: 3px solid #c62828; }
.over-mark { margin-left: .4rem; padding: .05rem .45rem; border-radius: 999px;
             background: #c62828; color: #fff; font-weight: 600; }
""" + PROBLEMS_CSS


def serve_pages(brief: Path, edition: LoadedBrief, style: str, *, templates: list[Path],
                out_dir: Path, host: str, port: int, stop: threading.Event,
                on_ready: Callable[[str], None] | None = None,
                timeout: float = DEFAULT_TIMEOUT) -> None:
    """Serve the pages of `edition` of `brief` (a folder or file) in `style` at
    http://host:port/ until `stop` is set, building its PDF into `out_dir` as `briefgen watch`
    would, and again after every save.

    The caller has checked the style and chosen the edition (`preview.edition_to_preview`);
    problems after that are shown on the page, never raised. Only failing to listen raises
    (`BriefgenError`). `on_ready` receives the URL once the server listens (with the real port
    when `port` is 0), before the first build, which the page says is under way.
    KeyboardInterrupt stops the workers at once and propagates, after the server is shut down.
    """
    view = PageView(edition, style)
    options = WatchOptions(briefs=[brief], styles=[style], formats=["pdf"],
                           languages=[edition.brief.language], templates=list(templates),
                           out_dir=out_dir, timeout=timeout)
    with serving(view, host, port, view.asset) as url:
        if on_ready is not None:
            on_ready(url)
        watch(options, view.report, stop)
