"""What to build (briefs × styles × formats), building it, and recording what was built.

Everything is read and validated before anything is written. Each output is written atomically
(a temporary file in the same folder, then a rename), so an interrupted or failed build never
leaves a truncated file or replaces a good earlier output with a bad one. One failing output is
reported and the others are still built.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import partial_files, write_atomically
from .cache import BuildCache, FileHashes, display_name, input_hashes, output_key
from .config import AudienceEdition
from .content import LoadedBrief
from .errors import BriefgenError, Problem
from .layout import (
    MAX_DOCUMENT_CHARACTERS,
    LaidOutFile,
    LayoutRequest,
    lay_out_within_time,
    layout_pool,
    too_slow,
    within_time,
)
from .limits import DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT, Limits
from .render import render_html
from .styles import TEMPLATE_FILE, Format, Style, StyleLibrary
from .workers import WorkerPool, wait_for_any

MANIFEST = "manifest.json"


@dataclass(frozen=True, eq=False)  # identity: each planned output is its own job
class Job:
    """One output: a brief in a style, in a format."""

    brief: LoadedBrief
    style: Style
    format: Format

    def target(self, out_dir: Path) -> Path:
        """Where the output goes: always inside `out_dir` (slugs are checked when a brief
        loads; this is the last line of defence)."""
        target = out_dir / self.brief.slug / self.file_name()
        if not target.resolve().is_relative_to(out_dir.resolve()):
            raise BriefgenError(f"{target} would be outside the output folder {out_dir}",
                                file=self.brief.files[0],
                                hint="rename the brief's folder or the style")
        return target

    def file_name(self) -> str:
        """`standard.pdf`; `standard.ru.pdf` for an edition in another language."""
        edition = f".{self.brief.edition}" if self.brief.edition else ""
        return f"{self.style.name}{edition}.{self.format}"

    def label(self) -> str:
        return f"{self.brief.slug}/{self.file_name()}"


@dataclass
class Output:
    """A file that was written, or found up to date (`cached`)."""

    job: Job
    path: Path
    pages: int | None
    size: int
    sha256: str
    warnings: list[str] = field(default_factory=list)
    cached: bool = False
    #: Files the rendering read besides the declared inputs (images): real path → sha256.
    reads: dict[Path, str] = field(default_factory=dict)
    #: How long making it took (None when found up to date).
    seconds: float | None = None


@dataclass
class BuildReport:
    outputs: list[Output] = field(default_factory=list)
    failures: list[tuple[Job, BriefgenError]] = field(default_factory=list)

    @property
    def built(self) -> list[Output]:
        return [o for o in self.outputs if not o.cached]

    @property
    def ok(self) -> bool:
        return not self.failures


def select_latest(briefs: list[LoadedBrief]) -> list[LoadedBrief]:
    """The newest brief by date, then by version (ties go to the first slug alphabetically),
    with its editions in other languages."""
    # Each folder's own brief: brief.md, or its first edition when it has only editions.
    own = list({b.folder: b for b in reversed(briefs)
                if b.edition is None or not any(o.folder == b.folder and o.edition is None
                                                for o in briefs)}.values())
    newest = max(own, key=lambda b: (b.brief.date, b.brief.version, [-ord(c) for c in b.slug]))
    return [b for b in briefs if b.folder == newest.folder]


def in_languages(briefs: list[LoadedBrief], languages: list[str]) -> list[LoadedBrief]:
    """The editions in one of `languages` (`ru` picks `ru` and `ru-KZ`; `ru-KZ` only itself)."""
    return [b for b in briefs if any(language_matches(b.brief.language, tag)
                                     for tag in languages)]


def editions_in(briefs: list[LoadedBrief], languages: list[str]) -> list[LoadedBrief]:
    """The editions `--language` asks for; an error naming the languages there are if none."""
    chosen = in_languages(briefs, languages)
    if not chosen:
        there = sorted({item.brief.language for item in briefs})
        raise BriefgenError(f"no edition in {', '.join(languages)}",
                            file=briefs[0].folder if len(briefs) == 1 else None,
                            hint="editions there are: " + ", ".join(there))
    return chosen


def language_matches(language: str, wanted: str) -> bool:
    """Whether a brief in `language` is one `wanted` asks for: the same tag, or a wider one."""
    language, wanted = language.lower(), wanted.lower()
    return language == wanted or language.startswith(wanted + "-")


def styles_for(brief: LoadedBrief, library: StyleLibrary, requested: list[str],
               audiences: list[str],
               project_audiences: dict[str, AudienceEdition] | None = None) -> list[Style]:
    """The styles asked for, plus those of the audiences asked for; with neither, the styles
    every audience of the brief and the project names; with none named, every built-in one.
    An audience that names a language gets only the editions in it."""
    editions = {**(project_audiences or {}),
                **{name: AudienceEdition(style=style)
                   for name, style in brief.brief.audiences.items()}}
    chosen = [AudienceEdition(style=name) for name in requested]
    for audience in audiences:
        if audience not in editions:
            raise BriefgenError(
                f"no audience '{audience}' in the brief or the project settings",
                file=brief.files[0], field="audiences",
                hint="audiences named: " + (", ".join(editions) or "none"),
            )
        chosen.append(editions[audience])
    if not requested and not audiences:
        chosen = list(editions.values()) or [AudienceEdition(style=n)
                                             for n in library.builtin_names()]
    styles: dict[str, Style] = {}
    for edition in chosen:
        if edition.language and not language_matches(brief.brief.language, edition.language):
            continue
        if edition.style not in styles:
            styles[edition.style] = _for_audience(library.get(edition.style), edition)
    return list(styles.values())


def _for_audience(style: Style, edition: AudienceEdition) -> Style:
    """The style with what the audience's settings change: its options, its PDF variant."""
    update: dict[str, Any] = {}
    if edition.options:
        update["options"] = {**style.settings.options, **edition.options}
    if edition.pdf_variant:
        update["pdf_variant"] = edition.pdf_variant
    if not update:
        return style
    return replace(style, settings=style.settings.model_copy(update=update))


def plan(briefs: list[LoadedBrief], library: StyleLibrary, styles: list[str],
         audiences: list[str], formats: list[Format],
         project_audiences: dict[str, AudienceEdition] | None = None) -> list[Job]:
    """Every output to build. Styles are resolved and templates compiled before any work."""
    jobs: list[Job] = []
    problems: list[Problem] = _audiences_without_editions(briefs, audiences,
                                                          project_audiences or {})
    for brief in briefs:
        try:
            chosen = styles_for(brief, library, styles, audiences, project_audiences)
            for style in chosen:
                library.check_template(style)
                style.files()  # every file of the style must pass the file rule, now
        except BriefgenError as error:
            problems.extend(error.problems)
            continue
        for style in chosen:
            # A style makes only the formats it is designed for (the web style makes no PDF).
            wanted = [f for f in formats or default_formats(style) if f in style.settings.formats]
            jobs.extend(Job(brief, style, fmt) for fmt in wanted)
    if problems:
        raise BriefgenError(problems=list(dict.fromkeys(problems)))
    return jobs


def _audiences_without_editions(briefs: list[LoadedBrief], audiences: list[str],
                                project_audiences: dict[str, AudienceEdition]) -> list[Problem]:
    """An audience asked for by name that reads a language no edition is in would build
    nothing, and say nothing: that is a mistake to report."""
    problems = []
    for name in audiences:
        wanted = project_audiences.get(name)
        if wanted and wanted.language and briefs and not any(
                language_matches(b.brief.language, wanted.language) for b in briefs):
            problems.append(Problem(
                f"audience '{name}' reads {wanted.language!r}, and no brief has an edition in "
                "it", field=f"audiences.{name}.language",
                hint="editions there are: " + ", ".join(sorted({b.brief.language
                                                                  for b in briefs}))))
    return problems


#: Made only when asked for (`-f docx`): Word needs the optional Pandoc (briefgen[docx]), and
#: an editor asks for a Word file; a reader is served by the PDF and the HTML.
ON_REQUEST_FORMATS = ("docx",)


def default_formats(style: Style) -> list[Format]:
    """What a build without `--format` makes of a style: its formats but Word."""
    return [f for f in style.settings.formats if f not in ON_REQUEST_FORMATS]


OnDone = Callable[[Job, "Output | BriefgenError"], None]


def run(jobs: list[Job], library: StyleLibrary, out_dir: Path, *, allow_overflow: bool = False,
        force: bool = False, workers: int = 1, max_pages: int = DEFAULT_MAX_PAGES,
        allowed_hosts: tuple[str, ...] = (), timeout: float = DEFAULT_TIMEOUT,
        allow_scripts: bool = False, only_these: bool = False,
        pdf_variant: str | None = None, on_done: OnDone | None = None,
        pool: Workers | None = None, layout: WorkerPool | None = None) -> BuildReport:
    """Build every job whose inputs changed (all of them with `force`), at most `workers` at
    a time, in worker processes (see `Workers`).

    `pool`, made with the same timeout, is used instead of starting workers for this build,
    and left open: `briefgen watch` keeps its workers warm across rebuilds. `layout`, from
    `layout.layout_pool` and started early by the caller, becomes this build's layout
    workers (closed with the build's).

    The manifest keeps the entries of outputs this build did not plan, unless `only_these`
    (a shard's folder must list exactly its own part, or a merge would see stale copies).

    Failures are collected, never allowed to stop the others; the cache and the manifest are
    written for whatever succeeded.
    """
    report = BuildReport()
    cache = BuildCache.load(out_dir)
    hashes = FileHashes()
    limits = Limits(allow_overflow, max_pages, allowed_hosts, timeout, allow_scripts,
                    pdf_variant)
    keys = {job: _key(job, hashes, limits) for job in jobs}
    pending: list[Job] = []
    for job in jobs:
        entry = None if force else cache.fresh(job.target(out_dir), keys[job][0])
        if entry is None:
            pending.append(job)
            continue
        target = job.target(out_dir)
        output = Output(job, target, entry.get("pages"), target.stat().st_size, entry["sha256"],
                        list(entry.get("warnings", [])), True, cache.reads(entry))
        report.outputs.append(output)
        if on_done:
            on_done(job, output)

    def finished(job: Job, result: Output | BriefgenError) -> None:
        if isinstance(result, Output):
            result.job = job  # a worker returns a copy; keep the planned job
            report.outputs.append(result)
            cache.record(result.path, keys[job][0], result)
        else:
            report.failures.append((job, result))
        if on_done:
            on_done(job, result)

    try:
        if pool is not None or limits.timeout > 0 or workers > 1:
            own = pool is None
            pool = pool or Workers(workers, limits.timeout, layout)
            try:
                if pending:
                    _build_in_workers(pending, library, out_dir, limits, pool, finished)
            finally:
                if own:
                    pool.close()
        else:  # no time limit, one process: built here, where --debug shows a traceback
            for job in pending:
                finished(job, _build_or_error(job, library, out_dir, limits))
    except BaseException:  # interrupted: the workers are stopped, what they half wrote goes
        _remove_partial_files(pending, out_dir)
        raise
    finally:  # interrupted or not, the outputs made so far are recorded
        if report.outputs:
            cache.save()
            write_manifest(out_dir, report.outputs,
                           {job.target(out_dir): keys[job][1] for job in jobs},
                           keep=not only_these)
    return report


def _remove_partial_files(jobs: list[Job], out_dir: Path) -> None:
    """Remove the temporary files a worker stopped in the middle of writing left beside its
    output; the outputs themselves are old or new, never half-written."""
    for job in jobs:
        with contextlib.suppress(BriefgenError, OSError):
            for partial in partial_files(job.target(out_dir)):
                partial.unlink(missing_ok=True)


def _key(job: Job, hashes: FileHashes, limits: Limits) -> tuple[str, dict[str, str]]:
    inputs = input_hashes([*job.brief.input_files(), *job.style.files()], hashes)
    # Every limit that changes what an output contains, or whether it is made at all, is part
    # of what it is made from: a cache hit must report what a fresh build would.
    settings = "|".join((job.style.settings.model_dump_json(), ",".join(limits.allowed_hosts),
                         f"scripts={limits.allow_scripts}", f"overflow={limits.allow_overflow}",
                         f"pages={limits.max_pages}", f"variant={limits.pdf_variant}",
                         # The other editions: the web edition links each of them.
                         f"editions={job.brief.siblings}"))
    if job.format == "docx":  # Pandoc writes the Word edition: another Pandoc, other bytes
        from .docx import pandoc_version

        settings += f"|pandoc={pandoc_version()}"
    return output_key(job.format, settings, inputs), inputs


def _build_or_error(job: Job, library: StyleLibrary, out_dir: Path,
                    limits: Limits) -> Output | BriefgenError:
    """Both stages in this process, one after the other."""
    made = _render_or_error(job, library, out_dir, limits)
    if not isinstance(made, LayoutRequest):
        return made
    return _laid_out_output(job, made, lay_out_within_time(made))


def _render_or_error(job: Job, library: StyleLibrary, out_dir: Path,
                     limits: Limits) -> Output | LayoutRequest | BriefgenError:
    """The render stage, within the output's time limit: an HTML or Word file is written and
    done; a PDF leaves it as the request for its layout, with the time that is left."""
    started = time.perf_counter()
    made = within_time(lambda: _render(job, library, out_dir, limits), limits.timeout,
                       job.label())
    if isinstance(made, BriefgenError):
        return made
    seconds = time.perf_counter() - started
    if isinstance(made, LayoutRequest):
        made.rendered_in = seconds
        # 0 is no limit: what is left must not become it.
        made.timeout = max(limits.timeout - seconds, 0.001) if limits.timeout > 0 else 0.0
        return made
    output = _write(job, out_dir, made)
    output.seconds = seconds
    return output


def _prepare_render_worker(user_dirs: list[Path]) -> Callable[..., Any]:
    """Runs once in each render worker: the user's styles, looked up once."""
    library = StyleLibrary(user_dirs)

    def render(job: Job, out_dir: Path, limits: Limits) -> Output | LayoutRequest | BriefgenError:
        return _render_or_error(job, library, out_dir, limits)

    return render


class Workers:
    """The worker processes a build makes its outputs in, at most `size` outputs at a time
    whichever stage they are in.

    Render workers are forked once the briefs are loaded (they have the renderer imported,
    and the user's styles looked up: a new pool when those folders change). Layout workers
    import WeasyPrint when they start, which may be long before (see `briefgen.layout`): a
    PDF's rendering and the import of what lays it out then overlap. `briefgen watch` keeps
    one `Workers` across rebuilds; a build closes its own."""

    def __init__(self, size: int, timeout: float, layout: WorkerPool | None = None) -> None:
        self.size = size
        self.timeout = timeout
        self._layout = layout
        self._render: WorkerPool | None = None
        self._render_dirs: list[Path] = []

    def layout_pool(self) -> WorkerPool:
        if self._layout is None:
            self._layout = layout_pool(self.size)
        return self._layout

    def render_pool(self, library: StyleLibrary) -> WorkerPool:
        if self._render is None or library.user_dirs != self._render_dirs:
            if self._render is not None:
                self._render.close()
            self._render = WorkerPool(self.size, functools.partial(
                _prepare_render_worker, library.user_dirs), self.timeout)
            self._render_dirs = library.user_dirs
        return self._render

    def close(self) -> None:
        for pool in (self._render, self._layout):
            if pool is not None:
                pool.close()
        self._render = self._layout = None


def _build_in_workers(jobs: list[Job], library: StyleLibrary, out_dir: Path, limits: Limits,
                      workers: Workers,
                      finished: Callable[[Job, Output | BriefgenError], None]) -> None:
    """Render every job, then lay out the PDFs, never more than `workers.size` at a time.

    A rendered PDF is laid out before another job is rendered, so the layout workers (the
    longest stage) are never left idle while there is a document for them. An interruption
    closes the workers: they may be in the middle of a job."""
    # Longest first (PDFs, the longest styles by page budget), so the pool is not left waiting
    # on one big document at the end.
    queue = sorted(jobs, key=lambda job: (job.format != "pdf",
                                          -(job.style.settings.budgets.max_pages or 0)))
    render = workers.render_pool(library)
    layout = workers.layout_pool() if any(job.format == "pdf" for job in jobs) else None
    pools = [pool for pool in (render, layout) if pool is not None]
    waiting: list[LayoutRequest] = []  # rendered PDFs, in the order they came
    job_of: dict[int, Job] = {}  # a layout worker is sent the request alone, not the job

    def rendered(job: Job, result: Output | LayoutRequest | BriefgenError) -> None:
        if isinstance(result, LayoutRequest):
            job_of[id(result)] = job
            waiting.append(result)
        else:
            finished(job, result)

    def laid_out(request: LayoutRequest, result: LaidOutFile | BriefgenError) -> None:
        job = job_of.pop(id(request))
        finished(job, _laid_out_output(job, request, result))

    def busy() -> int:
        return sum(len(pool.busy()) for pool in pools)

    try:
        while queue or waiting or busy():
            while busy() < workers.size and (waiting or queue):
                if waiting and layout is not None:
                    request = waiting.pop(0)
                    layout.start(request, (), request.timeout)
                else:
                    render.start(queue.pop(0), (out_dir, limits))
            ready = wait_for_any(pools)
            render.collect(ready, rendered, lambda job: too_slow(job.label(), limits.timeout))
            if layout is not None:
                layout.collect(ready, laid_out,
                               lambda request: too_slow(request.label, limits.timeout))
    except BaseException:
        workers.close()
        raise


def _laid_out_output(job: Job, request: LayoutRequest,
                     result: LaidOutFile | BriefgenError) -> Output | BriefgenError:
    """The output the layout stage made, held to the style's page budget: over it, an error
    (nothing was written) or, with --allow-overflow, a warning naming what to cut."""
    if isinstance(result, BriefgenError):
        return result
    limit = job.style.settings.budgets.max_pages
    overflow = (overflow_message(job, result.pages, limit)
                if limit and result.pages > limit else None)
    if not result.written:
        return BriefgenError(overflow or f"{job.label()} was not written",
                             file=job.brief.files[0], field="style budget",
                             hint="shorten those sections, or pass --allow-overflow")
    return Output(job, request.target, result.pages, result.size, result.sha256,
                  [*result.warnings, *([overflow] if overflow else [])], reads=result.reads,
                  seconds=request.rendered_in + result.seconds)


@dataclass
class _Made:
    """An HTML or Word file's bytes, made but not yet written."""

    data: bytes
    warnings: list[str]
    reads: dict[Path, str]


def _render(job: Job, library: StyleLibrary, out_dir: Path,
            limits: Limits) -> _Made | LayoutRequest:
    if job.format == "docx":
        from .docx import write_docx  # Pandoc (briefgen[docx]) only for builds that make Word

        made = write_docx(job.brief, job.style)
        return _Made(made.data, made.warnings, made.reads)
    rendered = render_html(job.brief, job.style, library, job.format, limits.allowed_hosts,
                           limits.allow_scripts)
    if job.format == "html":
        return _Made(rendered.html.encode("utf-8"), rendered.warnings, rendered.reads)
    if len(rendered.html) > MAX_DOCUMENT_CHARACTERS:
        raise _document_too_long(job, len(rendered.html))
    return LayoutRequest(rendered, job.target(out_dir), job.label(), limits.max_pages,
                         limits.pdf_variant or job.style.settings.pdf_variant,
                         job.style.settings.budgets.max_pages, limits.allow_overflow,
                         limits.timeout, limits.timeout)


def _document_too_long(job: Job, characters: int) -> BriefgenError:
    return BriefgenError(
        f"{job.label()}: the template made {characters:,} characters of HTML, over the "
        f"limit of {MAX_DOCUMENT_CHARACTERS:,}", file=job.style.folder / TEMPLATE_FILE,
        field="render size", hint="look for a loop or a repeated string in the template")


def _write(job: Job, out_dir: Path, made: _Made) -> Output:
    target = job.target(out_dir)
    write_atomically(target, made.data)
    return Output(job, target, None, len(made.data),
                  hashlib.sha256(made.data).hexdigest(), made.warnings, reads=made.reads)


def publish_latest(report: BuildReport, brief: LoadedBrief, out_dir: Path) -> list[Path]:
    """Copy the latest brief's outputs to `OUT/latest/<style>.<format>`: links that never
    change. Whatever else `latest/` held (an older brief's editions, a style no longer built)
    is removed, so `latest/` is exactly this build's."""
    copied = []
    for output in report.outputs:
        if output.job.brief.slug == brief.slug and output.path.is_file():
            target = out_dir / "latest" / output.path.name
            write_atomically(target, output.path.read_bytes())
            copied.append(target)
    latest = out_dir / "latest"
    for stale in sorted(latest.iterdir()) if latest.is_dir() else []:
        if stale not in copied and (stale.is_file() or stale.is_symlink()):
            stale.unlink()
    return copied


def overflow_message(job: Job, pages: int, limit: int) -> str:
    from .budgets import section_word_counts

    longest = sorted(section_word_counts(job.brief.brief, job.style.settings).items(),
                     key=lambda item: -item[1])[:3]
    listed = ", ".join(f"{key} ({words} words)" for key, words in longest)
    return (f"{job.label()} runs to {pages} pages, {pages - limit} over the style's limit of "
            f"{limit}; the longest sections are {listed}")


def write_manifest(out_dir: Path, outputs: list[Output],
                   inputs: dict[Path, dict[str, str]], keep: bool = True) -> Path:
    """Record every output; entries for outputs not built this time are kept (with `keep`),
    and so is the build time of an output found up to date (`--shard` balances by it)."""
    previous = read_manifest(out_dir)
    entries = dict(previous) if keep else {}
    for output in outputs:
        relative = output.path.relative_to(out_dir).as_posix()
        seconds = (previous.get(relative, {}).get("seconds") if output.cached
                   else round(output.seconds, 3) if output.seconds is not None else None)
        entries[relative] = {
            "path": relative,
            "brief": output.job.brief.slug,
            "language": output.job.brief.brief.language,
            "style": output.job.style.name,
            "format": output.job.format,
            "sha256": output.sha256,
            "pages": output.pages,
            "size": output.size,
            "seconds": seconds,
            "inputs": dict(sorted({
                **inputs.get(output.path, {}),
                **{display_name(read): digest for read, digest in output.reads.items()},
            }.items())),
        }
    return save_manifest(out_dir, entries)


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest's entries by path; none when it is missing or damaged (it is rebuilt)."""
    try:
        previous = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {e["path"]: e for e in previous.get("outputs", [])
                if isinstance(e, dict) and isinstance(e.get("path"), str)}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def save_manifest(out_dir: Path, entries: dict[str, dict[str, Any]]) -> Path:
    path = out_dir / MANIFEST
    manifest = {
        "briefgen": __version__,
        "python": platform.python_version(),
        "weasyprint": _weasyprint_version(),
        "outputs": [entries[key] for key in sorted(entries)],
    }
    write_atomically(path, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    return path


def _weasyprint_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:
        return None
