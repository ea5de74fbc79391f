"""`briefgen watch`: build, then rebuild on every save, in worker processes kept warm.

A cold `briefgen build` spends about a second starting Python and importing WeasyPrint before
it lays out a single page; for the print styles the page is what the writer needs to see (the
memo's one-page limit, where pages break). The watch pays that once. It builds, then keeps its
workers (`build.Workers`: WeasyPrint imported, fonts loaded) alive across rebuilds, and on
every save runs the ordinary build (`build.run`: the same cache, atomic writes and manifest)
again, so only the outputs whose inputs changed are made again, and each costs little more than
its layout.

What is watched: the brief folders named (every brief under content/ if none), the style
folders in use (every file of each style's chain, and the user's style folders, so that a new
file counts), and the project settings (briefgen.toml, pyproject.toml). Watching is polling:
the modification time, size and inode of each file, every POLL_SECONDS. That is cheap for the
few dozen files a brief and its styles hold, needs no dependency, and works on every file
system. `preview` watches the same way, with `walk` and `file_states` from here.

A save is built once it has settled: two polls in a row agree, the second SETTLE_SECONDS after
the first that saw it. Editors save in steps (truncate then write; or write a copy, then rename
it over the file), and the brief in between (empty, or briefly missing) must not be what is
built.

An over-budget PDF (a memo on two pages) is written, as `build --allow-overflow` does, and its
line says how far over: the writer needs to see what spilled over to know what to cut.

Nothing here prints: every outcome is an event passed to the caller (the CLI prints them).
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .build import Job, Output, Workers, editions_in, plan, run
from .cache import display_name
from .config import CONFIG_FILE, ProjectConfig, load_project_config
from .content import find_briefs, load_briefs
from .early import claim_early_worker, may_lay_out
from .errors import BriefgenError
from .limits import DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT
from .styles import Format, StyleLibrary

#: Seconds between polls while nothing moves; stat-ing a brief's and its styles' files takes
#: well under a millisecond.
POLL_SECONDS = 0.05
#: Seconds until the poll that checks a change has settled: longer than an editor's save takes
#: (a few milliseconds), and short, since every save waits for it.
SETTLE_SECONDS = 0.02
MAX_WATCHED_FILES = 10_000
#: Folders under a brief's folder that never feed a rendering and may be large.
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})
#: Where content lives when no brief is named (as for `build`).
CONTENT_DIR = Path("content")

#: Path → (modification time in ns, size, inode); a missing file is simply absent.
FileStates = dict[str, tuple[int, int, int]]


#: Folders below a root that `walk` enters, at most: a brief's folders nest a few levels, and
#: each level holds a file descriptor open while it is walked.
MAX_WALK_DEPTH = 32
#: The real folder each root given to `walk` resolved to when it was first walked, by the
#: root's absolute path as given: kept for the life of the process (a watch's or a preview's
#: few roots).
_PINNED_ROOTS: dict[str, str] = {}
#: A folder opened from its parent's descriptor, refused if it is a symlink (ELOOP) or no folder.
_OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def walk(root: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Files under `root`, leaving out hidden and cache folders, the folders `skip` names (the
    output folder, if it is inside), and editors' swap, lock and backup files
    (`.brief.md.swp`, `#brief.md#`, `brief.md~`), which change as one types; spelled under
    `root` as given (as the loader spells a brief's files).

    Nothing outside the root is listed. A symlinked folder is never followed: each folder is
    opened from its parent's descriptor with O_NOFOLLOW, so one swapped for a link between
    being listed and being entered is refused too. A symlinked file is listed only when its
    target resolves inside the root. The root itself may be a link (a brief folder linked into
    a project): it is resolved the first time it is walked and that real folder is pinned; if
    it later resolves anywhere else (swapped mid-watch for a link to /etc or $HOME, or re-pointed),
    nothing is listed under it until it resolves back.

    The work is bounded: at most MAX_WATCHED_FILES entries are read (files, folders, whatever
    is skipped), and folders are entered at most MAX_WALK_DEPTH levels deep."""
    named = os.path.abspath(root)
    real = os.path.realpath(named)
    if _PINNED_ROOTS.setdefault(named, real) != real:
        return
    try:
        top = os.open(real, _OPEN_FOLDER)
    except OSError:  # not there, not a folder, or swapped for a link since it was resolved
        return
    skipped = {os.path.realpath(path) for path in skip}
    budget = [MAX_WATCHED_FILES]
    yield from _walk_folder(top, real, Path(root), real, skipped, budget, 0)


def _walk_folder(fd: int, real: str, spelled: Path, real_root: str, skipped: set[str],
                 budget: list[int], depth: int) -> Iterator[Path]:
    """The files of the folder open as `fd` (closed when done), then its subfolders'; `budget`
    is how many more entries may be read."""
    try:
        with os.scandir(fd) as listing:
            entries = sorted(itertools.islice(listing, max(budget[0], 0)),
                             key=lambda entry: entry.name)
        budget[0] -= len(entries)
        folders = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if (not name.startswith(".") and name not in SKIPPED_DIRS
                            and os.path.join(real, name) not in skipped):
                        folders.append(name)
                elif name.startswith((".", "#")) or name.endswith("~"):
                    continue
                elif entry.is_file(follow_symlinks=False) or (
                        entry.is_symlink() and _file_inside(os.path.join(real, name), real_root)):
                    yield spelled / name
            except OSError:  # gone since it was listed
                continue
        if depth >= MAX_WALK_DEPTH:
            return
        for name in folders:
            if budget[0] <= 0:
                return
            try:
                child = os.open(name, _OPEN_FOLDER, dir_fd=fd)
            except OSError:  # gone, or swapped for a link since it was listed
                continue
            yield from _walk_folder(child, os.path.join(real, name), spelled / name, real_root,
                                    skipped, budget, depth + 1)
    finally:
        os.close(fd)


def _file_inside(link: str, real_root: str) -> bool:
    """Whether a symlink's target, followed to the end, is inside the root and no folder (a
    dangling link counts by where it points: the file may yet be saved there)."""
    target = Path(os.path.realpath(link))
    return target.is_relative_to(real_root) and not target.is_dir()


def file_states(paths: Iterable[Path]) -> FileStates:
    """The state of each file, by absolute path (so two spellings of one file are one)."""
    seen: FileStates = {}
    for path in paths:
        name = os.path.abspath(path)
        try:
            info = os.stat(name)
        except OSError:
            continue
        seen[name] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return seen


class Settler:
    """Turns polls into settled changes: a state is returned once it differs from the one last
    built (`baseline`) and two polls in a row agree on it, so a half-done save is skipped."""

    def __init__(self, baseline: FileStates) -> None:
        self.baseline = baseline
        self._last: FileStates | None = None

    @property
    def moving(self) -> bool:
        """Whether the last poll saw a change that has yet to settle."""
        return self._last is not None

    def poll(self, current: FileStates) -> FileStates | None:
        """The state to build now, or None: nothing changed, or the change is still moving."""
        if current == self.baseline:
            self._last = None
            return None
        if current == self._last:
            return current
        self._last = current
        return None


def changed_files(before: FileStates, after: FileStates) -> list[str]:
    """The files that appeared, vanished or changed, named as reports name inputs."""
    return [display_name(Path(name)) for name in sorted(before.keys() | after.keys())
            if before.get(name) != after.get(name)]


@dataclass(frozen=True)
class Budget:
    """An output's pages against its style's page budget (`budgets.max_pages`)."""

    pages: int | None
    limit: int | None

    @property
    def over(self) -> int:
        """Pages past the budget; 0 within it, or with no budget."""
        return max(0, (self.pages or 0) - self.limit) if self.limit else 0

    def describe(self) -> str | None:
        """"1/1 page", "2/1 pages: 1 over", "3/6 pages", "3 pages"; None for a file without
        pages (HTML, Word)."""
        if self.pages is None:
            return None
        if self.limit is None:
            return f"{self.pages} page{'s' * (self.pages != 1)}"
        plural = "s" * (self.pages != 1 or self.limit != 1)
        return f"{self.pages}/{self.limit} page{plural}" + (f": {self.over} over"
                                                             if self.over else "")


@dataclass(frozen=True)
class Changed:
    """A save settled: these files differ from the last build."""

    files: list[str]


@dataclass(frozen=True)
class Built:
    """An output written, or found up to date (`output.cached`): those are reported by the
    first build, and by the one after a failed build, to show that all is well again."""

    job: Job
    output: Output

    @property
    def budget(self) -> Budget:
        return Budget(self.output.pages, self.job.style.settings.budgets.max_pages)


@dataclass(frozen=True)
class Failed:
    """An output that could not be made (`job`), or, with no job, the briefs, styles or
    settings could not be read: nothing was built. The last good files are kept."""

    job: Job | None
    error: BriefgenError


@dataclass(frozen=True)
class Waiting:
    """A build ended (`reported`: how many `Built` and `Failed` it reported); the watch now
    waits for a save to any of `watched` files."""

    first: bool
    reported: int
    watched: int


Event = Changed | Built | Failed | Waiting


@dataclass(frozen=True)
class WatchOptions:
    """What to build: the options of `briefgen build` that make sense in a loop."""

    briefs: list[Path] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    formats: list[Format] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    out_dir: Path = Path("output")
    workers: int = 1
    pdf_variant: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    max_pages: int = DEFAULT_MAX_PAGES


def watch(options: WatchOptions, report: Callable[[Event], None],
          stop: threading.Event) -> None:
    """Build, then rebuild after every settled save until `stop` is set; the rebuild under way
    when it is set is finished first. Problems in the briefs, styles or settings are reported
    (`Failed`), never raised: the next save that fixes them rebuilds. Only a brief folder that
    is not there (nothing to watch) is raised, before anything starts. An interruption
    (KeyboardInterrupt) stops the workers at once and removes what they left half-written."""
    find_briefs(options.briefs)
    session = _Session(options)
    try:
        session.start_layout()
        before = session.states()
        baseline = session.build(before, report, first=True)
        settler = Settler(baseline)
        while not stop.is_set():
            time.sleep(SETTLE_SECONDS if settler.moving else POLL_SECONDS)
            settled = settler.poll(session.states())
            if settled is not None:
                report(Changed(changed_files(settler.baseline, settled)))
                settler = Settler(session.build(settled, report, first=False))
    except BaseException:
        session.abandon()
        raise
    finally:
        session.close()


class _Session:
    """The state the loop keeps between builds: the warm pool, and the files the last build
    read (known only once it has loaded the briefs and resolved the styles)."""

    def __init__(self, options: WatchOptions) -> None:
        self.options = options
        self._warm: Workers | None = None
        self._project = ProjectConfig()
        self._inputs: list[Path] = []
        self._failed = False

    def states(self) -> FileStates:
        return file_states(self.watched())

    def watched(self) -> list[Path]:
        """The brief folders and the user's style folders, walked (a new file counts), the
        project settings, and every input the last build read (style chains, sources' texts,
        images)."""
        out = [self.options.out_dir]
        files = [path for root in self._roots() for path in walk(root, skip=out)]
        files += [Path(CONFIG_FILE), Path("pyproject.toml"), *self._inputs]
        return files

    def _roots(self) -> list[Path]:
        briefs = [p if p.is_dir() else p.parent for p in self.options.briefs or [CONTENT_DIR]]
        return [*briefs, *self.options.templates, *self._project.templates]

    def build(self, settled: FileStates, report: Callable[[Event], None],
              first: bool) -> FileStates:
        """Build what changed; return the state it was built from, for the next comparison:
        `settled` for the files watched before, so that a save made while it built is seen;
        for the inputs it newly found (a style chain's files), their state when it found
        them; nothing for a file that appeared meanwhile, which it may not have seen."""
        events: list[Event] = []

        def tell(event: Event) -> None:
            events.append(event)
            report(event)

        found = self._rebuild(tell, show_cached=first or self._failed)
        self._failed = any(isinstance(event, Failed) for event in events)
        listed = {os.path.abspath(path) for path in self.watched()}
        report(Waiting(first, len(events), len(file_states(listed))))
        return {name: state for name, state in {**found, **settled}.items() if name in listed}

    def _rebuild(self, tell: Callable[[Event], None], show_cached: bool) -> FileStates:
        """Plan and run the build, telling each output made (and, with `show_cached`, each
        found up to date) and each failure; remember the files it read, and return their
        states as it found them (none if it could not plan)."""
        outputs: list[Output] = []

        def done(job: Job, result: Output | BriefgenError) -> None:
            if isinstance(result, BriefgenError):
                tell(Failed(job, result))
                return
            outputs.append(result)
            if show_cached or not result.cached:
                tell(Built(job, result))

        options = self.options
        try:
            jobs, library = self._plan()
            inputs = _inputs_of(jobs)
            found = file_states(inputs)
            run(jobs, library, options.out_dir, allow_overflow=True, workers=options.workers,
                max_pages=options.max_pages, allowed_hosts=options.allowed_hosts,
                timeout=options.timeout, allow_scripts=self._project.allow_scripts,
                pdf_variant=options.pdf_variant, on_done=done, pool=self._warm_pool())
        except BriefgenError as error:
            tell(Failed(None, error))
            return {}
        except OSError as error:  # a file went away between listing it and reading it
            tell(Failed(None, _unreadable(error)))
            return {}
        # Files the renderings read besides (images) are known only now: as they are now.
        read = [path for output in outputs for path in output.reads]
        self._inputs = [*inputs, *read]
        return {**file_states(read), **found}

    def _plan(self) -> tuple[list[Job], StyleLibrary]:
        """Read the settings, the briefs and the styles afresh, as `briefgen build` would."""
        options = self.options
        self._project = load_project_config()
        library = StyleLibrary([*options.templates, *self._project.templates])
        loaded = load_briefs(find_briefs(options.briefs))
        if options.languages:
            loaded = editions_in(loaded, options.languages)
        jobs = plan(loaded, library, options.styles, options.audiences, options.formats,
                    self._project.audiences)
        return jobs, library

    def _warm_pool(self) -> Workers:
        """The workers kept between builds (a new render pool when the user's style folders
        change: `Workers.render_pool`)."""
        if self._warm is None:
            self._warm = Workers(self.options.workers, self.options.timeout)
        return self._warm

    def start_layout(self) -> None:
        """Have a layout worker start now (or take the one `briefgen.entry` started), if PDFs
        may be made: WeasyPrint is imported while the first build reads the briefs."""
        if may_lay_out(self.options.formats) and self._warm is None:
            self._warm = Workers(self.options.workers, self.options.timeout,
                                 claim_early_worker(self.options.workers))

    def close(self) -> None:
        if self._warm is not None:
            self._warm.close()
            self._warm = None

    def abandon(self) -> None:
        """Stop the workers now: an interruption reaches them in the middle of a job (the
        build they were in has removed what they half wrote: `build.run`)."""
        self.close()


def _inputs_of(jobs: list[Job]) -> list[Path]:
    """The files the jobs are made from: the briefs' inputs and their styles' files."""
    styles = {id(job.style): job.style for job in jobs}.values()
    return [*(path for job in jobs for path in job.brief.input_files()),
            *(path for style in styles for path in style.files())]


def _unreadable(error: OSError) -> BriefgenError:
    """A file that vanished or could not be read while building, as a located problem: most
    often an editor's save caught half-way; the next poll sees it settled."""
    file = Path(error.filename) if error.filename else None
    return BriefgenError(f"cannot read it: {error.strerror or error}", file=file,
                         hint="if it was being saved, the next save rebuilds")


#: Signals that stop the watch: Ctrl-C, `kill`, and the terminal closing.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stopped_by_signals() -> Iterator[threading.Event]:
    """An event the first of STOP_SIGNALS sets, so that the rebuild under way ends with its
    files, the cache and the manifest written before the watch stops; a second one raises
    KeyboardInterrupt, to stop at once. The previous handlers come back afterwards."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
