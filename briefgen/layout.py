"""The layout stage of a PDF: a rendered HTML document in, a PDF file written, in a worker that
imported WeasyPrint before the document was ready.

Making a PDF is two stages: rendering (the brief and the style's templates → HTML) and layout
(WeasyPrint → pages → PDF). Importing WeasyPrint takes a third of a second, about as long as
starting briefgen, loading the briefs and rendering one. Done one after the other, as a single
worker did them, a one-PDF build cost 1.3× bare WeasyPrint; done side by side, the user waits
for WeasyPrint alone. So layout runs in workers of its own, the first forked before the command
line is even parsed (`briefgen.early`), while rendering runs in render workers forked once the
briefs are loaded (see `build`). Both kinds are worker processes, so each stage stays inside
its time limit whatever the code in it catches.

A layout worker imports this module and WeasyPrint (`briefgen.pdf`), nothing more: `Rendered`,
what passes from one stage to the next, lives here so that it never imports the renderer
(Jinja, Markdown, the models).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .atomic import write_atomically
from .errors import BriefgenError, Problem
from .workers import OutOfTime, WorkerPool, alarm

T = TypeVar("T")

#: The longest HTML document a render worker hands on for layout: it passes through the build's
#: own process, which a template must not be able to fill (the example brief's is 70,000; its
#: images are fetched by WeasyPrint, not written into it).
MAX_DOCUMENT_CHARACTERS = 20_000_000

#: The garbage collector's thresholds in a layout worker (Python's: 700, 10, 10): a young
#: generation of 50,000 objects, collected a few times a page, not a thousand.
LAYOUT_GC_THRESHOLDS = (50_000, 20, 20)


@dataclass
class Rendered:
    """An HTML document and what WeasyPrint needs to lay it out."""

    html: str
    base_url: Path
    #: CSS files and the `@page` rules of `page:` settings, in cascade order.
    stylesheets: list[Path | str]
    roots: list[Path]
    warnings: list[str] = field(default_factory=list)
    #: Files of the brief's folder that rendering read (embedded images): real path → sha256.
    #: They belong to the output's inputs as much as the brief does.
    reads: dict[Path, str] = field(default_factory=dict)
    #: Hosts the build may fetch from (`--allow-remote`); pass the same to `pdf.lay_out`.
    allowed_hosts: tuple[str, ...] = ()
    #: Where the brief's Markdown shows an image without alt text: a PDF/UA document refuses
    #: them, any other output shows them.
    unlabelled_images: list[Problem] = field(default_factory=list)


@dataclass
class LayoutRequest:
    """One PDF to lay out and write: the rendered document, where it goes, and the limits it
    is held to."""

    rendered: Rendered
    target: Path
    #: How reports name the output (`slug/standard.pdf`).
    label: str
    max_pages: int
    variant: str | None
    #: The style's page budget; a PDF over it is written only with `write_over_budget`.
    page_budget: int | None
    write_over_budget: bool
    #: The output's time limit (`--render-timeout`), as problems name it.
    time_limit: float
    #: Seconds the layout may take: what is left of the output's time limit after rendering.
    timeout: float
    #: Seconds rendering took, counted in the output's time.
    rendered_in: float = 0.0


@dataclass
class LaidOutFile:
    """What the layout stage made: a PDF written to the request's target, or, over budget
    and not to be written (`written` False), only its page count."""

    pages: int
    written: bool
    size: int = 0
    sha256: str = ""
    warnings: list[str] = field(default_factory=list)
    #: Files WeasyPrint read (images, fonts, stylesheets): real path → sha256.
    reads: dict[Path, str] = field(default_factory=dict)
    seconds: float = 0.0


def lay_out_within_time(request: LayoutRequest) -> LaidOutFile | BriefgenError:
    """Lay the document out under the request's time limit and, within its page budget (or
    allowed over it), write the PDF; every problem returned, never raised: what a layout
    worker sends back. Nothing is written past the time limit, even when the code that ran
    over caught the alarm."""
    started = time.perf_counter()
    made = within_time(lambda: _lay_out(request), request.timeout, request.label,
                       request.time_limit)
    if isinstance(made, BriefgenError):
        return made
    pages, data, warnings, reads = made
    if data is None:
        return LaidOutFile(pages, written=False, seconds=time.perf_counter() - started)
    write_atomically(request.target, data)
    return LaidOutFile(pages, True, len(data), hashlib.sha256(data).hexdigest(), warnings,
                       reads, time.perf_counter() - started)


def _lay_out(request: LayoutRequest) -> tuple[int, bytes | None, list[str], dict[Path, str]]:
    """(pages, the PDF or None over budget, warnings, files read)."""
    from .pdf import lay_out  # WeasyPrint: imported once per layout worker, when it starts

    laid_out = lay_out(request.rendered, request.max_pages)
    pages = laid_out.page_count
    over = request.page_budget is not None and pages > request.page_budget
    if over and not request.write_over_budget:  # the PDF would be refused: not made at all
        return pages, None, [], {}
    data = laid_out.pdf_bytes(request.variant)
    # Read after writing: some refusals (attachments, images inside SVG) happen only then.
    reads = {**request.rendered.reads, **(laid_out.fetcher.reads if laid_out.fetcher else {})}
    return pages, data, laid_out.warnings, reads


def within_time(work: Callable[[], T], seconds: float, label: str,
                time_limit: float | None = None) -> T | BriefgenError:
    """`work()` stopped after `seconds` (none for 0), every problem returned, never raised:
    its BriefgenError, or one saying that `label` took longer than `time_limit` (the output's
    whole limit; `seconds` if not given). Past the time, its result is dropped even when the
    code that ran over caught the alarm (WeasyPrint catches it around each SVG)."""
    try:
        with alarm(seconds) as timer:
            result = work()
    except BriefgenError as error:
        return error
    except OutOfTime:
        return too_slow(label, seconds if time_limit is None else time_limit)
    if timer.expired:
        return too_slow(label, seconds if time_limit is None else time_limit)
    return result


def too_slow(label: str, seconds: float) -> BriefgenError:
    return BriefgenError(f"{label} took longer than {seconds:g} s to render; stopped",
                         field="render time",
                         hint="look for a loop in the style's template or a very complex "
                              "image, or raise --render-timeout")


def prepare_layout_worker() -> Callable[[LayoutRequest], LaidOutFile | BriefgenError]:
    """Runs once in each layout worker: WeasyPrint and its fonts are loaded before the first
    document arrives.

    Then what is loaded is set aside from the garbage collector (`gc.freeze`), and it runs
    less often: a layout makes and drops hundreds of thousands of objects, and each full
    collection would walk every module WeasyPrint brought along as well. The analyst
    edition lays out a tenth faster in a warm process, a few per cent in a cold worker."""
    from . import pdf  # noqa: F401

    gc.freeze()
    gc.set_threshold(*LAYOUT_GC_THRESHOLDS)
    return lay_out_within_time


def layout_pool(size: int) -> WorkerPool:
    """Up to `size` layout workers; a job is a `LayoutRequest`, and its time limit (what is
    left of the output's) is given to `WorkerPool.start` with it."""
    return WorkerPool(size, prepare_layout_worker, timeout=0)
