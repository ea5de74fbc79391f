"""The `briefgen` command: parses arguments, calls the library, prints. No rules live here.

Imports of the library happen inside commands so that `briefgen --help` and `validate` stay fast
(WeasyPrint alone takes about a second to import, and only PDF builds load it).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from . import limits
from .terminal import visible

app = typer.Typer(
    name="briefgen",
    help="Turn sourced policy-brief content into typeset PDF and HTML, in a style per audience.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class TerminalConsole(Console):
    """A rich console that shows the control characters of what it prints instead of sending
    them to the terminal (see `briefgen.terminal`).

    Every string rich prints — a message, a table cell, a line printed under the progress bar —
    becomes text in `render_str`, so neutralising there covers every call site, present and
    future. It runs on the markup before rich parses it: user text in it is already escaped,
    and briefgen's own tags hold no control characters. So print one line per call: a newline
    inside a printed string is shown as `\\n`, never taken as a line break.
    """

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text), **options)


out = TerminalConsole(highlight=False, soft_wrap=True, emoji=False)
err = TerminalConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)
_state = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])

TemplatesOption = Annotated[
    list[Path] | None,
    typer.Option("--templates", "-t", help="A folder of your own styles, searched before ours "
                 "(repeatable).", show_default=False),
]
BriefsArgument = Annotated[
    list[Path] | None,
    typer.Argument(help="Brief folders or files. Default: every brief under content/.",
                   show_default=False),
]
# The options `build` and `watch` share.
StylesOption = Annotated[list[str] | None, typer.Option(
    "--style", "-s", help="Style to build (repeatable). Default: the styles the brief's "
    "audiences name, else every built-in style.", show_default=False)]
AudiencesOption = Annotated[list[str] | None, typer.Option(
    "--audience", "-a", help="Build the edition for this audience of the brief "
    "(repeatable).", show_default=False)]
FormatsOption = Annotated[list[str] | None, typer.Option(
    "--format", "-f", help="pdf, html or docx (repeatable). Default: what each style "
    "makes.", show_default=False)]
PdfVariantOption = Annotated[str | None, typer.Option(
    "--pdf-variant", help="Write every PDF as pdf/ua-1 (accessible) or pdf/a-3u "
    "(archival). Default: the style's pdf_variant, else a tagged PDF.",
    show_default=False)]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="Output folder.")]
LanguagesOption = Annotated[list[str] | None, typer.Option(
    "--language", "-l", help="Only the editions in this language, e.g. ru or kk "
    "(repeatable). Default: every edition.", show_default=False)]
AllowRemoteOption = Annotated[list[str] | None, typer.Option(
    "--allow-remote", help="Let images and styles load from this host (host or host:port; "
    "repeatable). Nothing remote loads without it.", show_default=False)]
RenderTimeoutOption = Annotated[float, typer.Option(
    "--render-timeout", min=0, help="Seconds one output may take (0: no limit).")]
MaxPagesOption = Annotated[int, typer.Option(
    "--max-pages", min=1, help="Refuse any output longer than this.")]
JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, help="Worker processes. Default: the number of cores.",
    show_default=False)]


def reports_errors(command: F) -> F:
    """Print a BriefgenError as located messages and exit 1; a traceback only with --debug."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import BriefgenError

        try:
            return command(*args, **kwargs)
        except BriefgenError as error:
            if _state["debug"]:
                raise
            print_problems(error)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted; files already written are complete and kept")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.BadParameter):
            raise
        except Exception as error:  # a bug in briefgen, not the user's input
            if _state["debug"]:
                raise
            name = escape(type(error).__name__)
            err.print(f"[red]internal error[/] {name}: {escape(str(error))}")
            err.print("       [dim]this is a briefgen bug: run again with --debug and report "
                      "the traceback[/]")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def print_problems(error: Any) -> None:
    count = len(error.problems)
    for problem in error.problems:
        location = problem.location()
        prefix = f"[bold]{escape(location)}[/]: " if location else ""
        err.print(f"[red]error[/] {prefix}{escape(problem.message)}")
        if problem.hint:
            err.print(f"       [dim]hint: {escape(problem.hint)}[/]")
    if count > 1:
        err.print(f"[red]{count} problems[/]")


def version_callback(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"briefgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Show the version.")] = False,
) -> None:
    _state["debug"] = debug


@app.command()
@reports_errors
def build(
    briefs: BriefsArgument = None,
    style: StylesOption = None,
    audience: AudiencesOption = None,
    format: FormatsOption = None,
    pdf_variant: PdfVariantOption = None,
    output: OutputOption = Path("output"),
    latest: Annotated[bool, typer.Option("--latest", help="Only the newest brief (by date, "
                                         "then version), with its editions.")] = False,
    language: LanguagesOption = None,
    templates: TemplatesOption = None,
    allow_overflow: Annotated[bool, typer.Option(
        "--allow-overflow", help="Build even when a style's page limit is exceeded.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild outputs whose inputs have not changed.")] = False,
    allow_remote: AllowRemoteOption = None,
    render_timeout: RenderTimeoutOption = limits.DEFAULT_TIMEOUT,
    max_pages: MaxPagesOption = limits.DEFAULT_MAX_PAGES,
    jobs: JobsOption = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="Build only the K-th of N equal parts of the outputs (K/N), for a CI "
        "matrix; join the parts with `briefgen merge`.", show_default=False)] = None,
) -> None:
    """Build briefs into PDF and HTML under OUTPUT/<brief>/<style>.<format> (an edition in
    another language: <style>.<language>.<format>)."""
    formats = _formats(format)
    workers = jobs or os.cpu_count() or 1
    # Before importing the rest of briefgen: the first layout worker imports WeasyPrint
    # while this process reads, checks and renders (see briefgen.layout).
    with _ended_like_ctrl_c(), _early_layout_worker(formats, workers, render_timeout) as layout:
        from . import build as builder
        from .config import load_project_config
        from .content import find_briefs, load_briefs
        from .safety import parse_allowed_hosts

        hosts = parse_allowed_hosts(allow_remote or [])
        project = load_project_config()
        library = _library(templates)
        loaded = load_briefs(find_briefs(briefs or []))
        if latest:
            loaded = builder.select_latest(loaded)
        if language:
            loaded = builder.editions_in(loaded, language)
        planned = builder.plan(loaded, library, style or [], audience or [], formats,
                               project.audiences)
        if shard is not None:
            from .shards import Shard, select_shard

            planned = select_shard(planned, Shard.parse(shard), output)

        def report_one(job: Any, result: Any) -> None:
            if isinstance(result, builder.Output):
                pages = (f", {result.pages} page{'s' * (result.pages != 1)}" if result.pages
                         else "")
                state = " [dim](unchanged)[/]" if result.cached else ""
                out.print(f"[green]✓[/] {escape(str(result.path))}{pages}{state}")
                for warning in result.warnings:
                    err.print(f"  [yellow]warning[/] {escape(warning)}")
            else:
                err.print(f"[red]✗[/] {escape(job.label())}")
                print_problems(result)

        with _progress(len(planned)) as advance:
            def on_done(job: Any, result: Any) -> None:
                report_one(job, result)
                advance()

            report = builder.run(planned, library, output, allow_overflow=allow_overflow,
                                 force=force, workers=workers,
                                 max_pages=max_pages, allowed_hosts=hosts,
                                 timeout=render_timeout,
                                 allow_scripts=project.allow_scripts,
                                 pdf_variant=_pdf_variant(pdf_variant),
                                 only_these=shard is not None, on_done=on_done, layout=layout)
        if latest:
            builder.publish_latest(report, loaded[0], output)
        written = len(report.built)
        unchanged = len(report.outputs) - written
        summary = (f"wrote {written} file{'s' * (written != 1)} for {_counted(loaded)} into "
                   f"{escape(str(output))}/"
                   + (f" ({unchanged} unchanged)" if unchanged else "")
                   + (f"; copied to {escape(str(output))}/latest/" if latest else ""))
        if report.failures:
            err.print(f"[red]{summary}; {len(report.failures)} failed[/]")
            raise typer.Exit(1)
        out.print(summary)


@contextmanager
def _ended_like_ctrl_c() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, `timeout`) and SIGHUP (the terminal closed) end a build as
    Ctrl-C does: its workers stopped, what they half wrote removed, what was made recorded.
    Left to their defaults, they would end this process alone, and a worker laying out a PDF
    would go on to write it into a build that had ended."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # signals come to that one
        yield
        return
    previous = {number: signal.signal(number, interrupt)
                for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _early_layout_worker(formats: list[Any], workers: int, timeout: float) -> Iterator[Any]:
    """A layout pool with a worker started (by `briefgen.entry` if it could), if the build may
    make PDFs in workers (one worker and no time limit builds in this process); closed after
    the build."""
    from .early import claim_early_worker, close_early_worker, may_lay_out

    if not may_lay_out(formats) or (workers == 1 and timeout <= 0):
        close_early_worker()
        yield None
        return
    pool = claim_early_worker(workers)
    try:
        yield pool
    finally:
        pool.close()


@app.command()
@reports_errors
def watch(
    briefs: BriefsArgument = None,
    style: StylesOption = None,
    audience: AudiencesOption = None,
    format: FormatsOption = None,
    pdf_variant: PdfVariantOption = None,
    output: OutputOption = Path("output"),
    language: LanguagesOption = None,
    templates: TemplatesOption = None,
    allow_remote: AllowRemoteOption = None,
    render_timeout: RenderTimeoutOption = limits.DEFAULT_TIMEOUT,
    max_pages: MaxPagesOption = limits.DEFAULT_MAX_PAGES,
    jobs: JobsOption = None,
) -> None:
    """Build, then rebuild what changed on every save, until Ctrl-C; one line per output made,
    with its pages against the style's page budget (an over-budget PDF is written, and said
    to be over). See `briefgen help watch`."""
    from .safety import parse_allowed_hosts
    from .watch import Built, Changed, Failed, Waiting, WatchOptions, stopped_by_signals
    from .watch import watch as watch_briefs

    options = WatchOptions(
        briefs=briefs or [], styles=style or [], audiences=audience or [],
        formats=_formats(format), languages=language or [], templates=templates or [],
        out_dir=output, workers=jobs or os.cpu_count() or 1,
        pdf_variant=_pdf_variant(pdf_variant), allowed_hosts=parse_allowed_hosts(
            allow_remote or []), timeout=render_timeout, max_pages=max_pages)

    def report(event: Any) -> None:
        if isinstance(event, Changed):
            out.print(f"[dim]changed: {escape(', '.join(event.files))}[/]")
        elif isinstance(event, Built):
            budget, made = event.budget, event.output
            facts = [fact for fact in (budget.describe(), None if made.cached else
                                       f"{round(1000 * (made.seconds or 0))} ms") if fact]
            mark = "[yellow]![/]" if budget.over else "[green]✓[/]"
            state = " [dim](unchanged)[/]" if made.cached else ""
            out.print(f"{mark} {escape(event.job.label())}: {escape(', '.join(facts))}{state}")
            for warning in made.warnings:
                err.print(f"  [yellow]warning[/] {escape(warning)}")
        elif isinstance(event, Failed):
            if event.job is not None:
                err.print(f"[red]✗[/] {escape(event.job.label())}")
            print_problems(event.error)
        elif isinstance(event, Waiting) and event.first:
            out.print(f"watching {event.watched} files; writing into {escape(str(output))}/ "
                      "(Ctrl-C to stop)")
        elif isinstance(event, Waiting) and not event.reported:
            out.print("[dim]nothing to rebuild[/]")

    with stopped_by_signals() as stop:
        watch_briefs(options, report, stop)
    out.print("stopped watching")


def _counted(loaded: list[Any]) -> str:
    """"2 briefs", or "1 brief (3 editions)" when some are editions in other languages."""
    count = len({item.folder for item in loaded})
    editions = f" ({len(loaded)} editions)" if len(loaded) > count else ""
    return f"{count} brief{'s' * (count != 1)}{editions}"


@app.command()
@reports_errors
def validate(
    briefs: BriefsArgument = None,
    style: Annotated[list[str] | None, typer.Option(
        "--style", "-s", help="Also check this style's word budgets (repeatable).",
        show_default=False)] = None,
    templates: TemplatesOption = None,
) -> None:
    """Check briefs without building them; every problem is listed with its file and line."""
    from .budgets import todo_markers, unreferenced_exhibits, word_budget_problems
    from .content import find_briefs, load_briefs
    from .errors import BriefgenError, Problem

    loaded = load_briefs(find_briefs(briefs or []))
    problems: list[Problem] = []
    if style:
        library = _library(templates)
        for name in style:
            settings = library.get(name).settings
            for item in loaded:
                problems += [
                    Problem(p.message, file=item.files[0], line=None, field=p.field, hint=p.hint)
                    for p in word_budget_problems(item.brief, settings)
                ]
    if problems:
        raise BriefgenError(problems=problems)
    warnings = [*todo_markers([f for item in loaded for f in item.files]),
                *(p for item in loaded for p in unreferenced_exhibits(item))]
    for warning in warnings:
        err.print(f"[yellow]warning[/] [bold]{escape(warning.location())}[/]: "
                  f"{escape(warning.message)}")
    names = escape(", ".join(item.name for item in loaded))
    out.print(f"[green]✓[/] {_counted(loaded)} valid: {names}")


@app.command()
@reports_errors
def check(
    briefs: BriefsArgument = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Check provenance: every figure must be in the text of a source it cites; and that each
    edition in another language is in step with the brief it translates."""
    import json

    from .content import find_briefs, load_briefs
    from .drift import check_editions
    from .provenance import check_brief

    loaded = load_briefs(find_briefs(briefs or []))
    findings = [f for item in loaded for f in check_brief(item)]
    drift = check_editions(loaded)
    errors = [f for f in findings if f.level == "error" or strict]
    if as_json:
        sys.stdout.write(json.dumps({"briefs": [b.name for b in loaded], "strict": strict,
                                     "findings": [f.as_dict() for f in findings],
                                     "drift": [d.as_dict() for d in drift]}, indent=2)
                         + "\n")
    else:
        for finding in findings:
            where = f"{finding.file}:{finding.line}" if finding.line else finding.file
            colour = "red" if finding.level == "error" or strict else "yellow"
            err.print(f"[{colour}]{finding.level}[/] [bold]{escape(where)}[/]: "
                      f"{escape(finding.message)}")
            if finding.sentence:
                err.print(f"       [dim]{escape(finding.sentence)}[/]")
        for item in drift:
            where = f"{item.file}:{item.line}" if item.line else item.file
            other = f"{item.other_file}:{item.other_line}" if item.other_line else item.other_file
            err.print(f"[{'red' if strict else 'yellow'}]warning[/] [bold]{escape(where)}[/]: "
                      f"{escape(item.path)}: {escape(item.message)}")
            err.print(f"       [dim]counterpart: {escape(other)}[/]")
        failed = len([f for f in findings if f.level == "error"])
        warnings = len(findings) - failed + len(drift)
        out.print(f"checked {_counted(loaded)}: "
                  f"{failed} errors, {warnings} warnings"
                  + (f" ({len(drift)} of them: drift between editions)" if drift else ""))
    if errors or (strict and drift):
        raise typer.Exit(1)


@app.command()
@reports_errors
def styles(templates: TemplatesOption = None) -> None:
    """List every style found, with its audience and description."""
    from rich.table import Table

    library = _library(templates)
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("style", "audience", "description", "from"):
        table.add_column(column, overflow="fold")
    for name in library.names():
        found = library.get(name)
        origin = "built-in" if found.builtin else str(found.folder.parent)
        table.add_row(*map(escape, (name, found.settings.audience, found.settings.description,
                                    origin)))
    out.print(table)


@app.command()
@reports_errors
def new(
    slug: Annotated[str, typer.Argument(help="Folder name for the brief, e.g. energy-corridors.")],
    directory: Annotated[Path, typer.Option("--dir", "-d", help="Where to create it.")] = Path(
        "content"),
    title: Annotated[str | None, typer.Option(help="The brief's title.")] = None,
) -> None:
    """Create a skeleton brief that validates and builds as it is."""
    from .scaffold import new_brief

    folder = new_brief(directory, slug, title)
    out.print(f"[green]✓[/] created {escape(str(folder))}/brief.md and sources.yaml")
    out.print(f"  next: edit them, then run [bold]briefgen build {escape(str(folder))}[/]")


@app.command()
@reports_errors
def merge(
    folders: Annotated[list[Path], typer.Argument(help="The output folders of the shards.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The folder to merge into.")] = Path("output"),
) -> None:
    """Join the output folders of `build --shard K/N` into one, with one manifest and latest/."""
    from .shards import merge as merge_shards

    written = merge_shards(folders, output)
    out.print(f"[green]✓[/] merged {len(folders)} shard{'s' * (len(folders) != 1)} into "
              f"{escape(str(output))}/: {len(written)} files")


@app.command()
@reports_errors
def init(
    directory: Annotated[Path, typer.Argument(
        help="Where to start it (created if missing).")] = Path("."),
    slug: Annotated[str, typer.Option(help="Folder name of the first brief.")] = "first-brief",
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    action: Annotated[str | None, typer.Option(
        help="The GitHub Action the workflow uses (OWNER/REPO@REF).", show_default=False)] = None,
) -> None:
    """Start a briefs repository: settings, a first brief, a house style, CI, .gitignore."""
    from .scaffold import DEFAULT_ACTION, init_project

    written = init_project(directory, slug, force=force, action=action or DEFAULT_ACTION)
    out.print(f"[green]✓[/] started a briefs repository in {escape(str(directory))}/: "
              f"{len(written)} files")
    for path in written:
        out.print(f"  {escape(str(path))}")
    out.print(f"  next: [bold]cd {escape(str(directory))} && briefgen validate && "
              "briefgen build[/]")


@app.command("help")
def help_(
    topic: Annotated[str | None, typer.Argument(
        help="A guide's name; without one, the list (content-format, templates, languages, "
        "formats, accessibility, watch, security).", show_default=False)] = None,
) -> None:
    """Print one of briefgen's guides (or list them), as installed with briefgen."""
    from importlib import resources

    guides = resources.files("briefgen.docs")
    names = sorted(p.name.removesuffix(".md") for p in guides.iterdir() if p.name.endswith(".md"))
    if topic is None or topic not in names:
        if topic is not None:
            err.print(f"[red]error[/] no guide called {escape(topic)!r}")
        out.print("guides: " + ", ".join(names) + "  (briefgen help NAME prints one)")
        out.print(f"  they are in {escape(str(guides))}")
        raise typer.Exit(0 if topic is None else 2)
    sys.stdout.write((guides / f"{topic}.md").read_text(encoding="utf-8"))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the content format (brief.yaml / brief.json, front matter)."""
    import json

    from .model import Brief

    sys.stdout.write(json.dumps(Brief.model_json_schema(), indent=2) + "\n")


@app.command()
@reports_errors
def preview(
    brief: Annotated[Path | None, typer.Argument(
        help="The brief folder or file. Default: the newest brief under content/.",
        show_default=False)] = None,
    style: Annotated[str, typer.Option("--style", "-s", help="Style to preview.")] = "web",
    language: Annotated[str | None, typer.Option(
        "--language", "-l", help="The edition in this language, e.g. ru or kk. Default: the "
        "brief's own.", show_default=False)] = None,
    html: Annotated[bool, typer.Option(
        "--html", help="Show a print style's HTML instead of its PDF pages.")] = False,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Output folder the PDF pages are built into, as by watch.")
    ] = Path("output"),
    templates: TemplatesOption = None,
    render_timeout: RenderTimeoutOption = limits.DEFAULT_TIMEOUT,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 8000,
) -> None:
    """Serve the brief on localhost, reloading after every edit: a print style's PDF pages
    (built into OUTPUT as by `watch`), the web style's HTML. See `briefgen help watch`."""
    from . import build as builder
    from .config import load_project_config
    from .content import find_briefs, load_briefs
    from .preview import edition_to_preview, serve

    if brief is None:
        brief = builder.select_latest(load_briefs(find_briefs([])))[0].folder
    find_briefs([brief])
    dirs = [*(templates or []), *load_project_config().templates]
    prints = "pdf" in _library(templates).get(style).settings.formats
    try:
        if prints and not html:
            from .page_preview import serve_pages
            from .watch import stopped_by_signals

            edition = edition_to_preview(brief, language)
            shown = f"the {escape(edition.brief.language)} PDF pages of {escape(str(brief))}"
            with stopped_by_signals() as stop:
                serve_pages(brief, edition, style, templates=templates or [], out_dir=output,
                            host=host, port=port, stop=stop, timeout=render_timeout,
                            on_ready=lambda url: out.print(
                                f"previewing {shown} in style {escape(style)} at {url}; "
                                f"writing into {escape(str(output))}/ (Ctrl-C to stop)"))
        else:
            source = brief if language is None else edition_to_preview(brief, language).files[0]
            serve(source, style, dirs, host, port, timeout=render_timeout,
                  on_ready=lambda url: out.print(f"previewing {escape(str(source))} in style "
                                                 f"{escape(style)} at {url} (Ctrl-C to stop)"))
    except KeyboardInterrupt:
        pass
    out.print("preview stopped")


@app.command("import")
@reports_errors
def import_(
    file: Annotated[Path, typer.Argument(help="A plain-text or Markdown brief.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to create the brief "
                                         "in.")] = Path("content"),
    slug: Annotated[str | None, typer.Option(help="Folder name. Default: from the title.")] = None,
) -> None:
    """Turn an existing brief into a content folder that builds; prints what went where."""
    from .importer import import_brief

    report = import_brief(file, output, slug)
    out.print(f"  language: {escape(report.language)} ({escape(report.language_evidence)})")
    for heading, field, line in report.sections:
        out.print(f"  line {line}: {escape(heading)} → {escape(field)}")
    for note in report.moved:
        out.print(f"  moved: {escape(note)}")
    for line, text, rule in report.dropped:
        out.print(f"  dropped line {line} ({escape(rule)}): {escape(text)}")
    for field in report.todo:
        err.print(f"[yellow]to do[/] set '{escape(field)}' in {escape(str(report.folder))}")
    out.print(f"[green]✓[/] imported {escape(str(file))} into {escape(str(report.folder))}: "
              f"{len(report.sections)} sections, {len(report.dropped)} lines dropped")


style_app = typer.Typer(help="Work with styles.", no_args_is_help=True)
app.add_typer(style_app, name="style")


@style_app.command("new")
@reports_errors
def style_new(
    name: Annotated[str, typer.Argument(help="Name of the new style, e.g. house.")],
    parent: Annotated[str, typer.Option("--from", help="The style it extends.")] = "standard",
    directory: Annotated[Path, typer.Option("--dir", "-d", help="Folder of your styles.")] = Path(
        "styles"),
    templates: TemplatesOption = None,
) -> None:
    """Create a minimal custom style that extends another and builds at once."""
    from .scaffold import new_style

    library = _library([*(templates or []), directory] if directory.is_dir() else templates)
    folder = new_style(directory, name, library.get(parent))
    out.print(f"[green]✓[/] created style {escape(name)} in {escape(str(folder))}")
    out.print(f"  next: [bold]briefgen build -s {escape(name)} --templates "
              f"{escape(str(directory))}[/] (or list the folder under 'templates' in "
              "briefgen.toml)")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A live progress bar on a terminal; in CI logs, only the line printed per output."""
    if not out.is_terminal:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), console=out,
                  transient=True) as bar:
        task = bar.add_task("build", total=total)
        yield lambda: bar.advance(task)


def _library(templates: list[Path] | None) -> Any:
    """Styles from --templates first, then the project's `templates` setting, then ours."""
    from .config import load_project_config
    from .styles import StyleLibrary

    return StyleLibrary([*(templates or []), *load_project_config().templates])


def _formats(values: list[str] | None) -> list[Any]:
    allowed = ("pdf", "html", "docx")
    for value in values or []:
        if value not in allowed:
            raise typer.BadParameter(f"'{value}' is not a format; use pdf, html or docx",
                                     param_hint="--format")
    return list(dict.fromkeys(values or []))


def _pdf_variant(value: str | None) -> str | None:
    from .limits import PDF_VARIANTS

    if value is not None and value not in PDF_VARIANTS:
        raise typer.BadParameter(f"'{value}' is not a PDF variant; use "
                                 + " or ".join(PDF_VARIANTS), param_hint="--pdf-variant")
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and returns its exit code (tests call this directly)."""
    try:
        app(args=argv, prog_name="briefgen", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
