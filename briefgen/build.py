"""What to build (briefs × styles × formats), building it, and recording what was built.

Everything is read and validated before anything is written. Each output is written atomically
(a temporary file in the same folder, then a rename), so an interrupted or failed build never
leaves a truncated file or replaces a good earlier output with a bad one. One failing output is
reported and the others are still built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .config import AudienceEdition
from .content import LoadedBrief
from .errors import BriefgenError, Problem
from .render import render_html
from .styles import Format, Style, StyleLibrary

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Job:
    """One output: a brief in a style, in a format."""

    brief: LoadedBrief
    style: Style
    format: Format

    def target(self, out_dir: Path) -> Path:
        return out_dir / self.brief.slug / f"{self.style.name}.{self.format}"

    def label(self) -> str:
        return f"{self.brief.slug}/{self.style.name}.{self.format}"


@dataclass
class Output:
    """A file that was written."""

    job: Job
    path: Path
    pages: int | None
    size: int
    sha256: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    outputs: list[Output] = field(default_factory=list)
    failures: list[tuple[Job, BriefgenError]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def select_latest(briefs: list[LoadedBrief]) -> LoadedBrief:
    """The newest brief by date, then by version; ties go to the first slug alphabetically."""
    return max(briefs, key=lambda b: (b.brief.date, b.brief.version, [-ord(c) for c in b.slug]))


def styles_for(brief: LoadedBrief, library: StyleLibrary, requested: list[str],
               audiences: list[str],
               project_audiences: dict[str, AudienceEdition] | None = None) -> list[Style]:
    """The styles asked for, plus those of the audiences asked for; with neither, the styles
    every audience of the brief and the project names; with none named, every built-in one."""
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
        if edition.style not in styles:
            styles[edition.style] = _with_options(library.get(edition.style), edition.options)
    return list(styles.values())


def _with_options(style: Style, options: dict) -> Style:
    if not options:
        return style
    merged = {**style.settings.options, **options}
    return replace(style, settings=style.settings.model_copy(update={"options": merged}))


def plan(briefs: list[LoadedBrief], library: StyleLibrary, styles: list[str],
         audiences: list[str], formats: list[Format],
         project_audiences: dict[str, AudienceEdition] | None = None) -> list[Job]:
    """Every output to build. Styles are resolved and templates compiled before any work."""
    jobs: list[Job] = []
    problems: list[Problem] = []
    for brief in briefs:
        try:
            chosen = styles_for(brief, library, styles, audiences, project_audiences)
            for style in chosen:
                library.check_template(style)
        except BriefgenError as error:
            problems.extend(error.problems)
            continue
        for style in chosen:
            # A style makes only the formats it is designed for (the web style makes no PDF).
            wanted = [f for f in formats or style.settings.formats if f in style.settings.formats]
            jobs.extend(Job(brief, style, fmt) for fmt in wanted)
    if problems:
        raise BriefgenError(problems=list(dict.fromkeys(problems)))
    return jobs


def run(jobs: list[Job], library: StyleLibrary, out_dir: Path, *, allow_overflow: bool = False,
        on_done: Callable[[Job, Output | BriefgenError], None] | None = None) -> BuildReport:
    """Build every job; failures are collected, never allowed to stop the others."""
    report = BuildReport()
    for job in jobs:
        try:
            output = build_one(job, library, out_dir, allow_overflow=allow_overflow)
            report.outputs.append(output)
            result: Output | BriefgenError = output
        except BriefgenError as error:
            report.failures.append((job, error))
            result = error
        if on_done:
            on_done(job, result)
    if report.outputs:
        write_manifest(out_dir, report.outputs)
    return report


def build_one(job: Job, library: StyleLibrary, out_dir: Path, *,
              allow_overflow: bool = False) -> Output:
    rendered = render_html(job.brief, job.style, library, job.format)
    if job.format == "html":
        data = rendered.html.encode("utf-8")
        pages = None
        warnings = rendered.warnings
    else:
        from .pdf import lay_out  # WeasyPrint loads slowly: only builds that make PDFs pay

        laid_out = lay_out(rendered)
        warnings = laid_out.warnings
        pages = laid_out.page_count
        limit = job.style.settings.budgets.max_pages
        if limit and pages > limit:
            overflow = overflow_message(job, pages, limit)
            if not allow_overflow:
                raise BriefgenError(overflow, file=job.brief.files[0], field="style budget",
                                    hint="shorten those sections, or pass --allow-overflow")
            warnings = [*warnings, overflow]
        with _source_date(job.brief.brief.date):
            data = laid_out.pdf_bytes()
    target = job.target(out_dir)
    write_atomically(target, data)
    return Output(job, target, pages, len(data), hashlib.sha256(data).hexdigest(), warnings)


def overflow_message(job: Job, pages: int, limit: int) -> str:
    from .check import section_word_counts

    longest = sorted(section_word_counts(job.brief.brief, job.style.settings).items(),
                     key=lambda item: -item[1])[:3]
    listed = ", ".join(f"{key} ({words} words)" for key, words in longest)
    return (f"{job.label()} runs to {pages} pages, {pages - limit} over the style's limit of "
            f"{limit}; the longest sections are {listed}")


class _source_date:
    """Sets SOURCE_DATE_EPOCH from the brief's date (unless already set) while writing."""

    def __init__(self, date: dt.date) -> None:
        self.epoch = str(int(dt.datetime(date.year, date.month, date.day,
                                         tzinfo=dt.UTC).timestamp()))
        self.previous: str | None = None

    def __enter__(self) -> None:
        self.previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ.setdefault("SOURCE_DATE_EPOCH", self.epoch)

    def __exit__(self, *exc: object) -> None:
        if self.previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target, then rename: readers see the old file or the new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_manifest(out_dir: Path, outputs: list[Output]) -> Path:
    """Record every output; entries for outputs not rebuilt this time are kept."""
    path = out_dir / MANIFEST
    entries: dict[str, dict] = {}
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["path"]: e for e in previous.get("outputs", []) if "path" in e}
    except (OSError, ValueError, AttributeError, TypeError):
        pass  # a missing or damaged manifest is simply rebuilt
    for output in outputs:
        relative = output.path.relative_to(out_dir).as_posix()
        entries[relative] = {
            "path": relative,
            "brief": output.job.brief.slug,
            "style": output.job.style.name,
            "format": output.job.format,
            "sha256": output.sha256,
            "pages": output.pages,
            "size": output.size,
            "inputs": {
                _display(p): _hash_file(p)
                for p in [*output.job.brief.input_files(), *output.job.style.files()]
            },
        }
    manifest = {
        "briefgen": __version__,
        "python": platform.python_version(),
        "weasyprint": _weasyprint_version(),
        "outputs": [entries[key] for key in sorted(entries)],
    }
    write_atomically(path, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    return path


def _hash_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _weasyprint_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:
        return None
