"""Finding styles, reading their settings, and the sandboxed Jinja environment they render in.

A style is a folder holding `style.yaml`, optionally `brief.html.j2` and CSS. Style folders are
searched in order: the user's template directories first, then the built-in `templates/`. A style
may `extends:` another; it inherits every setting it does not set, its parent's template when it
has none of its own, and its CSS is added after its parent's.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import hashlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from jinja2 import (
    BaseLoader,
    FileSystemBytecodeCache,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from markupsafe import Markup, escape
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from . import __version__, css_values, safety
from .content import MAX_INPUT_BYTES, read_text
from .errors import BriefgenError, Problem
from .languages import Language, end_sentence, english, fill
from .limits import PdfVariant
from .model import LANGUAGE_TAG, SECTION_KEYS
from .references import CITATION_MODES, format_reference
from .safety import guarded_file, resolve_inside
from .sandbox import TemplateSandbox
from .yamlfile import YamlLimitError, load

#: The built-in styles, wherever briefgen is installed (the package `briefgen.templates`).
BUILTIN_DIR = Path(str(resources.files("briefgen.templates"))).resolve()
SHARED_DIR = BUILTIN_DIR / "_shared"
STYLE_FILE = "style.yaml"
TEMPLATE_FILE = "brief.html.j2"
Format = Literal["pdf", "html", "docx"]
ModelT = TypeVar("ModelT", bound=BaseModel)


class PageSettings(BaseModel):
    """Written into CSS by briefgen, so held to a strict grammar (`css_values`)."""

    model_config = ConfigDict(extra="forbid")
    size: Annotated[str, BeforeValidator(css_values.page_size)] | None = None
    margin: Annotated[str, BeforeValidator(css_values.page_margin)] | None = None

    def css(self) -> str:
        """The `@page` rule these settings make ("" for none)."""
        rules = [f"{name}: {value};" for name, value in (("size", self.size),
                                                         ("margin", self.margin)) if value]
        return f"@page {{ {' '.join(rules)} }}" if rules else ""


Colour = Annotated[str, BeforeValidator(css_values.colour)]
#: A label a style writes: plain text (it is escaped wherever it is printed), one line.
LabelText = Annotated[str, StringConstraints(max_length=300, pattern=r"^[^\n\r]*$")]


class ChartSettings(BaseModel):
    """How the style draws charts: its colours and its bundled font."""

    model_config = ConfigDict(extra="forbid")
    palette: list[Colour] = Field(default=["#0f4c75", "#9a3412", "#5a6672", "#7fa7c4",
                                           "#d9a26b"], min_length=1, max_length=12)
    font: Literal["sans", "serif"] = "sans"
    ink: Colour = "#1d2329"
    muted: Colour = "#5a6672"


class Budgets(BaseModel):
    """Length limits a style promises its readers."""

    model_config = ConfigDict(extra="forbid")
    max_pages: Annotated[int, Field(ge=1)] | None = None
    words: dict[str, Annotated[int, Field(ge=1)]] = {}


class StyleSettings(BaseModel):
    """`style.yaml`, after inheritance. Every field is optional in a child style."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    audience: str = ""
    extends: str | None = None
    page: PageSettings = PageSettings()
    sections: list[str] = list(SECTION_KEYS)
    show_extras: bool = True
    citations: str = "numbered"
    budgets: Budgets = Budgets()
    formats: list[Format] = ["pdf", "html"]
    pdf_variant: PdfVariant | None = Field(
        default=None, description="Write PDFs as PDF/UA-1 (accessible) or PDF/A-3u (archival); "
        "`build --pdf-variant` overrides it.")
    charts: ChartSettings = ChartSettings()
    show_figures: bool = Field(default=True, description="Draw the brief's figures and tables "
                               "(the one-page memo does not: its key figures say it).")
    labels: dict[Annotated[str, StringConstraints(pattern=LANGUAGE_TAG)],
                 dict[str, LabelText]] = Field(
        default={}, description="Labels over the catalogue's, per language: "
        "{ru: {memo_label: Служебная записка}} (see templates/_shared/labels/en.yaml).")
    options: dict[str, Any] = {}


class FolderSettings(BaseModel):
    """What one style folder's own `style.yaml` says about its own files. Read per folder, not
    inherited: names are relative to that folder, and a parent's sheets stay under a child's."""

    model_config = ConfigDict(extra="ignore")  # the rest is StyleSettings'
    page: PageSettings = PageSettings()
    stylesheets: list[str] = ["style.css"]
    html_stylesheets: list[str] = Field(
        default=[], description="Added after `stylesheets` in HTML output only (screen rules)."
    )
    reference_docx: str | None = Field(
        default=None, description="The Word template (a .docx in this style's folder) whose "
        "styles the Word edition uses; the nearest style's wins.")


#: Keys of `style.yaml` that FolderSettings reads and inheritance leaves alone.
_FOLDER_KEYS = ("stylesheets", "html_stylesheets", "reference_docx")


@dataclass(frozen=True)
class Style:
    """A resolved style: its settings, its folder, and its ancestors' folders."""

    settings: StyleSettings
    folder: Path
    chain: tuple[Path, ...]  # this folder first, then each ancestor's
    builtin: bool
    own: tuple[FolderSettings, ...] = ()  # each chain folder's own, in the same order
    #: The `_shared/` folder `_shared/…` templates come from: a user folder's, else ours.
    shared: Path = SHARED_DIR

    @property
    def name(self) -> str:
        return self.settings.name

    def template_name(self) -> str:
        """The Jinja name of the nearest `brief.html.j2` up the chain."""
        for folder in self.chain:
            if (folder / TEMPLATE_FILE).is_file():
                return f"{folder.name}/{TEMPLATE_FILE}"
        raise BriefgenError(
            f"style '{self.name}' has no {TEMPLATE_FILE} and extends no style that has one",
            file=self.folder / STYLE_FILE,
            hint="add 'extends: standard' to style.yaml",
        )

    def stylesheets(self, target: Format = "pdf") -> list[Path | str]:
        """The CSS of an edition in cascade order, ancestors first so that a child's rules win.

        For PDF each style of the chain adds the `@page` rule of its own `page:` settings and
        then its own sheets: a style's CSS overrides its own `page:`, and its `page:` overrides
        its parents' CSS, so the nearest setting wins. HTML adds every `html_stylesheets`."""
        layers: list[Path | str] = []
        for folder, own in zip(reversed(self.chain), reversed(self.own), strict=True):
            if target == "pdf" and own.page.css():
                layers.append(own.page.css())
            layers.extend(folder / name for name in own.stylesheets)
        if target == "html":
            for folder, own in zip(reversed(self.chain), reversed(self.own), strict=True):
                layers.extend(folder / name for name in own.html_stylesheets)
        found = [layer for layer in layers if isinstance(layer, str) or layer.is_file()]
        return list(dict.fromkeys(found))

    def files(self) -> list[Path]:
        """Every file the style's output depends on: settings, templates, CSS, fonts.

        Each must be an ordinary file inside its folder: a link in a downloaded style that
        leads elsewhere (or to a device, or to a 6 GB file) is a located error, not read."""
        found: list[Path] = []
        for folder in dict.fromkeys((*self.chain, self.shared, SHARED_DIR)):
            for path in _entries(folder):
                found.append(guarded_file(path, [folder], limit=safety.MAX_RESOURCE_BYTES,
                                          inside=f"the style folder {folder}"))
        return found


class StyleLibrary:
    """The styles visible from a list of user template folders plus the built-in ones."""

    def __init__(self, user_dirs: list[Path] | None = None) -> None:
        self.user_dirs = [d.resolve() for d in user_dirs or []]
        missing = [d for d in self.user_dirs if not d.is_dir()]
        if missing:
            raise BriefgenError(
                problems=[
                    Problem("template folder does not exist", file=d, hint="check --templates")
                    for d in missing
                ]
            )
        self.search_path = [*self.user_dirs, BUILTIN_DIR]
        self._envs: dict[tuple[Path, ...], TemplateSandbox] = {}

    def folders(self) -> dict[str, Path]:
        """Style name → folder; the first found wins, so user styles shadow built-in ones."""
        found: dict[str, Path] = {}
        for root in self.search_path:
            for folder in sorted(p for p in root.iterdir() if (p / STYLE_FILE).is_file()):
                found.setdefault(folder.name, folder)
        return found

    def names(self) -> list[str]:
        return list(self.folders())

    def builtin_names(self) -> list[str]:
        return [n for n, f in self.folders().items() if f.parent == BUILTIN_DIR]

    def get(self, name: str) -> Style:
        folders = self.folders()
        if name not in folders:
            close = difflib.get_close_matches(name, list(folders), n=1)
            raise BriefgenError(
                f"unknown style '{name}'",
                field="style",
                hint=(f"did you mean '{close[0]}'? " if close else "")
                + "known styles: " + ", ".join(folders),
            )
        chain = self._chain(name, folders)
        own = tuple(_validated(FolderSettings, _own_settings(f), f / STYLE_FILE) for f in chain)
        merged: dict[str, Any] = {}
        for folder in reversed(chain):
            merged = _merge(merged, _own_settings(folder))
        for key in _FOLDER_KEYS:
            merged.pop(key, None)
        merged["name"] = name
        settings = _validated(StyleSettings, merged, chain[0] / STYLE_FILE)
        _check_settings(settings, chain[0] / STYLE_FILE)
        return Style(settings, chain[0], tuple(chain), chain[0].parent == BUILTIN_DIR, own,
                     self._shared())

    def _chain(self, name: str, folders: dict[str, Path]) -> list[Path]:
        chain: list[Path] = []
        current: str | None = name
        while current is not None:
            if current not in folders:
                raise BriefgenError(
                    f"extends unknown style '{current}'",
                    file=chain[-1] / STYLE_FILE, field="extends",
                    hint="known styles: " + ", ".join(folders),
                )
            folder = folders[current]
            if folder in chain:
                raise BriefgenError(
                    "styles extend each other in a loop: "
                    + " → ".join(f.name for f in [*chain, folder]),
                    file=chain[0] / STYLE_FILE, field="extends",
                )
            chain.append(folder)
            current = _own_settings(folder).get("extends")
        return chain

    def environment(self, style: Style) -> TemplateSandbox:
        """The sandboxed, autoescaping environment `style` renders in.

        Its templates can load only from the style's own folder and its ancestors' (by folder
        name), `_shared/`, and the built-in styles (`builtin/NAME/…`): not from a file elsewhere
        in a templates folder, and not from another user style it does not extend. One
        environment per chain, since Jinja caches templates by name."""
        env = self._envs.get(style.chain)
        if env is None:
            env = self._envs[style.chain] = _new_environment(self._loader(style))
        return env

    def _shared(self) -> Path:
        return next((root / SHARED_DIR.name for root in self.search_path
                     if (root / SHARED_DIR.name).is_dir()), SHARED_DIR)

    def _loader(self, style: Style) -> _StyleLoader:
        folders: dict[str, Path] = {}
        for folder in style.chain:
            folders.setdefault(folder.name, folder)
        folders.setdefault(SHARED_DIR.name, style.shared)
        builtin = {p.name: p for p in BUILTIN_DIR.iterdir()
                   if (p / STYLE_FILE).is_file() or p == SHARED_DIR}
        return _StyleLoader(folders, builtin)

    def check_template(self, style: Style) -> None:
        """Parse the style's template now, so syntax errors surface before any work.

        Parsed, not compiled: Jinja's compiler works out constant expressions as it compiles
        (`{{ 7 ** (9 ** 10) }}`, `{{ "x" | center(10 ** 9) }}`), in the process that compiles,
        and this is the build's own, where no time limit holds. The render workers compile
        it, within the output's time limit."""
        env = self.environment(style)
        name = style.template_name()
        try:
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            if not _compiled_before(env, name, filename, source):
                env.parse(source, name, filename)
        except TemplateSyntaxError as error:
            raise template_error(error) from None
        except (RecursionError, MemoryError):  # brackets nested thousands deep
            raise BriefgenError("the template nests expressions too deeply to compile",
                                file=style.folder / TEMPLATE_FILE,
                                hint="simplify the template") from None


def _compiled_before(env: TemplateSandbox, name: str, filename: str | None,
                     source: str) -> bool:
    """Whether this very source was compiled before (by a render worker: its code is in the
    bytecode cache), so it parses: a no-op rebuild need not parse every style again."""
    cache = env.bytecode_cache
    return cache is not None and cache.get_bucket(env, name, filename, source).code is not None


def _bytecode_cache(env: TemplateSandbox) -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (Jinja checks each against its source), so a
    no-op rebuild does not compile every style again; none where the cache cannot be written.

    Compiled code depends on the filters too (Jinja decides at compile time which receive the
    context), so the folder is named by them: code compiled for another briefgen's filters is
    never loaded."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    filters = sorted((name, repr(getattr(f, "jinja_pass_arg", None)))
                     for name, f in env.filters.items())
    digest = hashlib.sha256(repr((__version__, filters)).encode()).hexdigest()[:16]
    folder = base / "briefgen" / f"jinja-{digest}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


def _entries(folder: Path) -> list[Path]:
    """Files and links under `folder`, sorted, without following linked folders."""
    entries: list[Path] = []
    for parent, folders, files in os.walk(folder):
        base = Path(parent)
        entries.extend(base / name for name in files)
        entries.extend(base / name for name in folders if (base / name).is_symlink())
    return sorted(entries)


def _new_environment(loader: BaseLoader) -> TemplateSandbox:
    env = TemplateSandbox(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        markdown=_markdown_filter,
        inline=_inline_filter,
        date=_date_filter,
        number=_number_filter,
        fill=_fill_filter,
        stop=_stop_filter,
        reference=_reference_filter,
    )
    env.bytecode_cache = _bytecode_cache(env)
    return env


class _StyleLoader(BaseLoader):
    """Loads `NAME/FILE` from the folder `folders[NAME]` and `builtin/NAME/FILE` from
    `builtin[NAME]`; only regular files really inside that folder (after resolving symlinks),
    read like every other input (size-capped UTF-8)."""

    def __init__(self, folders: dict[str, Path], builtin: dict[str, Path]) -> None:
        self.folders = folders
        self.builtin = builtin

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)  # refuses '..' and empty parts
        table = self.folders
        if pieces[:1] == ["builtin"]:
            table, pieces = self.builtin, pieces[1:]
        root = table.get(pieces[0]) if len(pieces) > 1 else None
        if root is None:
            raise TemplateNotFound(template, "templates load only from the style's own folder, "
                                   "its parents' (extends:), _shared/ and builtin/NAME/")
        path = root.joinpath(*pieces[1:])
        real = resolve_inside(path, [root])
        if real is None:
            raise TemplateNotFound(template, "not a file inside the style's folders")
        source = read_text(real)
        mtime = real.stat().st_mtime_ns

        def uptodate() -> bool:
            try:
                return real.stat().st_mtime_ns == mtime
            except OSError:
                return False

        return source, str(path), uptodate


def template_error(error: TemplateSyntaxError) -> BriefgenError:
    return BriefgenError(
        f"template error: {error.message}",
        file=Path(error.filename) if error.filename else None,
        line=error.lineno,
        hint="fix the template; `briefgen help templates` lists the blocks and variables",
    )


def _validated(model: type[ModelT], data: dict[str, Any], path: Path) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BriefgenError(problems=[
            Problem(e["msg"], file=path, field=".".join(str(p) for p in e["loc"]))
            for e in error.errors()
        ]) from None


def _own_settings(folder: Path) -> dict[str, Any]:
    """The settings a style's own `style.yaml` gives, before its parents' are merged in."""
    path = folder / STYLE_FILE
    # An ordinary file in the style's folder (a link out is a located error), capped in size;
    # binary or non-UTF-8 files are located errors.
    text = read_text(guarded_file(path, [folder], limit=MAX_INPUT_BYTES,
                                  inside=f"the style folder {folder}"))
    # A build asks for each file several times (every chain it is in, every stylesheet list):
    # parsed once per text, so an edit (a live preview) is still seen at once.
    return copy.deepcopy(_parse_settings(path, text))


@functools.lru_cache(maxsize=64)
def _parse_settings(path: Path, text: str) -> dict[str, Any]:
    try:
        data = load(text) or {}
    except RecursionError:
        raise BriefgenError("the YAML is nested too deeply to read", file=path, line=1,
                            hint="style settings need only a few levels") from None
    except YamlLimitError as error:
        raise BriefgenError(str(error.problem), file=path, line=error.problem_mark.line + 1,
                            hint=error.hint) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BriefgenError(
            f"YAML syntax error: {getattr(error, 'problem', error)}",
            file=path, line=mark.line + 1 if mark else None,
        ) from None
    if not isinstance(data, dict):
        raise BriefgenError("style.yaml must be a mapping of settings", file=path, line=1)
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Child settings over parent ones; nested mappings merge, lists are replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_settings(settings: StyleSettings, path: Path) -> None:
    problems = [
        Problem(f"unknown section '{key}'", file=path, field="sections",
                hint="sections are: " + ", ".join(SECTION_KEYS))
        for key in settings.sections if key not in SECTION_KEYS
    ]
    problems += [
        Problem(f"unknown section '{key}'", file=path, field="budgets.words",
                hint="sections are: " + ", ".join(SECTION_KEYS))
        for key in settings.budgets.words if key not in SECTION_KEYS
    ]
    if settings.citations not in CITATION_MODES:
        problems.append(Problem(f"unknown citation mode '{settings.citations}'", file=path,
                                field="citations", hint="one of: " + ", ".join(CITATION_MODES)))
    if problems:
        raise BriefgenError(problems=problems)


@pass_context
def _markdown_filter(context: Context, text: str | None, shift: int = 1) -> Markup:
    return context["markdown_renderer"].block(text, heading_shift=shift)


@pass_context
def _inline_filter(context: Context, text: str | None) -> Markup:
    return context["markdown_renderer"].inline(text)


@pass_context
def _date_filter(context: Context, value: dt.date | int | str | None) -> str:
    """A date in the brief's language. Dates from the brief are dates already; one written in
    a style's `options` is ISO text (YAML dates are read as text everywhere), and is printed
    as a date too."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return _language(context).date(value)


@pass_context
def _number_filter(context: Context, value: float | int, decimals: int | None = None) -> str:
    """A number as the brief's language writes it: 1,416.5 or 1 416,5."""
    return _language(context).number(value, decimals)


def _fill_filter(label: str, **values: object) -> Markup:
    """`{{ labels.page_of | fill(page=1, pages=6) }}`: a label's `{name}` slots filled. The
    label and the values are escaped first, markup made by the template (a `<time>`) kept."""
    return Markup(fill(escape(label), **{name: escape(value) for name, value in values.items()}))


def _stop_filter(text: str) -> Markup:
    """`{{ sentence | stop }}`: a full stop after it, unless it ends with one already (a
    Russian date does: 20 ноября 2026 г.)."""
    return end_sentence(escape(text))


@pass_context
def _reference_filter(context: Context, source: Any) -> Markup:
    """A reference-list entry in the brief's language."""
    return format_reference(source, _language(context))


def _language(context: Context) -> Language:
    """The rendering's language; English for a template rendered outside a brief's build."""
    found = context.get("language")
    return found if isinstance(found, Language) else english()
