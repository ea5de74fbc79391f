"""Finding briefs and reading them into validated `Brief`s, with errors that point at a line.

A brief is a folder holding `brief.md` (YAML front matter + Markdown sections) and
`sources.yaml`, or a single `brief.yaml` / `brief.json` of the same schema (sources inline). Every
problem found while reading a brief is collected and raised together, each naming its file, line
and field.

A folder may also hold editions in other languages: `brief.ru.md`, `brief.kk.yaml`, …, named by
a BCP 47 tag. Each is a brief of its own (validated on its own, built to `standard.ru.pdf`),
sharing the folder's sources, source texts and data; `figures.ru.yaml`, if there is one, holds
that edition's figures (their titles and labels translated) instead of `figures.yaml`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .bibliography import read_bibtex, read_csl_json
from .errors import BriefgenError, Problem
from .exhibits import EXHIBIT_KEYS, FIGURES_FILE, ExhibitData, read_exhibit_data
from .model import (
    ILLEGAL_CHARACTERS,
    Brief,
    describe_characters,
    illegal_character_hint,
    illegal_characters,
)
from .safety import guarded_file
from .sections import KeyPath, parse_body
from .vocabulary import primary
from .yamlfile import JsonError, YamlLimitError, compose, construct, load_json

MARKDOWN_NAMES = ("brief.md",)
DATA_NAMES = ("brief.yaml", "brief.yml", "brief.json")
SOURCES_NAMES = ("sources.yaml", "sources.yml", "sources.bib", "sources.json")
MAX_INPUT_BYTES = 5 * 1024 * 1024
#: Problems reported for ILLEGAL_CHARACTERS, at most, the rest counted: text pasted from a PDF
#: can carry a form feed on every page.
MAX_CHARACTER_PROBLEMS = 20
#: `brief.<tag>.<ext>`: an edition in the language `tag` names.
_EDITION_NAME = re.compile(
    r"brief\.(?P<tag>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,5})\.(?P<ext>md|yaml|yml|json)")


@dataclass(frozen=True)
class LoadedBrief:
    """A validated brief and where it came from."""

    brief: Brief
    slug: str
    folder: Path
    files: tuple[Path, ...]
    #: Source id → the real path of its local text, checked by `guarded_file` when loading.
    texts: dict[str, Path] = field(default_factory=dict)
    #: The rows and images of its figures and tables.
    exhibits: ExhibitData = field(default_factory=ExhibitData)
    #: The language tag of an edition file (`brief.ru.md` → "ru"); None for the brief itself.
    edition: str | None = None
    #: The editions the folder holds besides this one, as (language, edition) pairs: the web
    #: edition links its translations.
    siblings: tuple[tuple[str, str | None], ...] = ()
    #: The file and line of each value (see `locate`).
    where: dict[KeyPath, tuple[Path, int]] = field(default_factory=dict, repr=False,
                                                   compare=False)

    @property
    def name(self) -> str:
        """How outputs and reports name it: the slug, with an edition's language after."""
        return f"{self.slug}.{self.edition}" if self.edition else self.slug

    def locate(self, path: KeyPath) -> tuple[Path, int | None]:
        """The file and line of the longest known prefix of `path` (its main file if none)."""
        return _locate(self.where, path) or (self.files[0], None)

    def input_files(self) -> list[Path]:
        """Every file the brief was built from: its own files, its sources' local texts, and
        the data and images of its figures and tables."""
        return [*self.files, *self.texts.values(), *self.exhibits.files]


@dataclass
class _Located:
    """Raw data merged from the brief's files, and the file and line of each value."""

    data: dict[str, Any] = field(default_factory=dict)
    where: dict[KeyPath, tuple[Path, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Set when a file could not be read or parsed: its fields are then unknown, not missing.
    unreadable: bool = False
    # Likewise for the sources: an id cited in the brief may be in the part that failed.
    sources_unreadable: bool = False
    # ILLEGAL_CHARACTERS taken out of a file's text before it was parsed: (file, line, them).
    stray: list[tuple[Path, int, list[str]]] = field(default_factory=list)

    def locate(self, path: KeyPath) -> tuple[Path | None, int | None]:
        """The file and line of the longest known prefix of `path`."""
        return _locate(self.where, path) or (None, None)


def _locate(where: dict[KeyPath, tuple[Path, int]], path: KeyPath) -> tuple[Path, int] | None:
    return next((where[path[:n]] for n in range(len(path), -1, -1) if path[:n] in where), None)


def find_briefs(paths: list[Path], content_dir: Path = Path("content")) -> list[Path]:
    """The brief folders or files named, or every brief under `content_dir` if none are."""
    if not paths:
        if not content_dir.is_dir():
            raise BriefgenError(
                f"no brief given and no '{content_dir}' folder here",
                hint="run briefgen from your project folder, name a brief folder, "
                "or create one with 'briefgen new SLUG'",
            )
        found = sorted(p for p in content_dir.iterdir() if p.is_dir() and brief_files(p))
        if not found:
            raise BriefgenError(
                f"no briefs under '{content_dir}'",
                hint="each brief is a folder holding brief.md and sources.yaml",
            )
        return found
    problems = [_missing_brief(p) for p in paths if not (p.is_file() or brief_files(p))]
    if problems:
        raise BriefgenError(problems=problems)
    return list(paths)


def load_briefs(paths: list[Path]) -> list[LoadedBrief]:
    """Load every brief and every edition of it, reporting the problems of all of them
    together. A brief file named on its own is loaded alone."""
    loaded: list[LoadedBrief] = []
    problems: list[Problem] = []
    for path in paths:
        for file in [path] if path.is_file() else brief_files(path) or [path]:
            try:
                loaded.append(load_brief(file))
            except BriefgenError as error:
                problems.extend(error.problems)
    problems += _same_language_twice(loaded)
    if problems:
        raise BriefgenError(problems=problems)
    return _with_siblings(loaded)


def _same_language_twice(loaded: list[LoadedBrief]) -> list[Problem]:
    """Two files of one folder in the same language would build to the same output names
    (`brief.ru.md` and `brief.ru.json`; `brief.RU.md` on a file system that ignores case)."""
    seen: dict[tuple[Path, str], LoadedBrief] = {}
    problems = []
    for item in loaded:
        key = (item.folder, (item.edition or "").casefold())
        if key in seen:
            problems.append(Problem(
                f"{seen[key].files[0].name} and {item.files[0].name} are both the "
                f"{'brief itself' if item.edition is None else repr(item.edition) + ' edition'}",
                file=item.files[0], hint="keep one of the two files"))
        seen.setdefault(key, item)
    return problems


def brief_files(folder: Path) -> list[Path]:
    """The brief's own file, then its editions' files, by language tag."""
    main = _brief_file(folder)
    editions = sorted((p for p in folder.iterdir() if edition_tag(p) and p.is_file()),
                      key=lambda p: p.name) if folder.is_dir() else []
    return [*([main] if main else []), *editions]


def edition_tag(path: Path) -> str | None:
    """The language tag an edition's file name carries (`brief.ru.md` → "ru"), else None."""
    match = _EDITION_NAME.fullmatch(path.name)
    return match["tag"] if match else None


def _with_siblings(loaded: list[LoadedBrief]) -> list[LoadedBrief]:
    """Each brief with the languages of the other editions in its folder."""
    by_folder: dict[Path, list[LoadedBrief]] = {}
    for item in loaded:
        by_folder.setdefault(item.folder, []).append(item)
    return [
        dataclasses.replace(item, siblings=tuple(
            (other.brief.language, other.edition) for other in by_folder[item.folder]
            if other is not item))
        for item in loaded
    ]


def load_brief(path: Path) -> LoadedBrief:
    """Read and validate one brief, given as its folder or as a single file."""
    main = path if path.is_file() else _brief_file(path)
    if main is None:
        raise BriefgenError(problems=[_missing_brief(path)])
    folder = main.parent
    slug = brief_slug(main)
    _guard(main, folder)
    edition = edition_tag(main)
    located = _Located()
    files = [main]
    if main.suffix == ".md":
        _read_markdown_brief(main, located, edition)
    else:
        _read_data_brief(main, located)
    # A Markdown brief, and any edition, lists its sources beside it (an edition shares them).
    if (main.suffix == ".md" or edition) and "sources" not in located.data:
        files.extend(_read_sources_beside(folder, located))
    if edition:
        _check_edition_language(main, edition, located)
    figures_file = _figures_file(folder, edition)
    if figures_file.exists() or figures_file.is_symlink():
        _guard(figures_file, folder)
        files.append(figures_file)
        _read_figures_file(figures_file, located)
    brief = _validate(located, main)
    texts = _source_texts(brief, folder, located)
    exhibits = read_exhibit_data(brief, folder, located.locate)
    return LoadedBrief(brief, slug, folder, tuple(files), texts, exhibits, edition,
                       where=dict(located.where))


def _read_sources_beside(folder: Path, located: _Located) -> list[Path]:
    """The folder's sources file, read into `located`: the files read ([] when it has none,
    which is a problem)."""
    sources_file = _sources_file(folder)
    if sources_file is None:
        located.problems.append(Problem(
            "the brief has no sources.yaml beside it", file=folder / SOURCES_NAMES[0],
            hint="create sources.yaml listing the sources the brief cites (write [] if it "
                 "cites none)"))
        return []
    _guard(sources_file, folder)
    _read_sources(sources_file, located)
    return [sources_file]


def _figures_file(folder: Path, edition: str | None) -> Path:
    """An edition's own `figures.<tag>.yaml` if it has one (whatever it is: a folder or a
    link there is refused when it is read, not silently passed over), else `figures.yaml`."""
    own = folder / f"{Path(FIGURES_FILE).stem}.{edition}.yaml" if edition else None
    if own is not None and (own.exists() or own.is_symlink()):
        return own
    return folder / FIGURES_FILE


def _check_edition_language(main: Path, tag: str, located: _Located) -> None:
    """An edition's language is the one its file name says: taken from the name when the
    brief does not give one; a problem when it gives another."""
    given = located.data.get("language")
    if given is None:
        located.data["language"] = tag
    elif not isinstance(given, str) or primary(given) != primary(tag):
        located.problems.append(Problem(
            f"the file name says this edition is in '{tag}', but 'language' says {given!r}",
            file=main, line=located.locate(("language",))[1], field="language",
            hint=f"write 'language: {tag}', or rename the file to brief.<language>{main.suffix}"))


def _read_figures_file(path: Path, located: _Located) -> None:
    """`figures.yaml`: the brief's key figures, figures and tables, kept beside it."""
    try:
        text = _read_content(path, located)
    except BriefgenError as error:
        located.problems.extend(error.problems)
        return
    staged = _Located()
    data, readable = _load_yaml(text, path, 1, staged, ())
    located.problems.extend(staged.problems)
    if not readable or data is None:
        return
    if not isinstance(data, dict) or set(data) - set(EXHIBIT_KEYS):
        located.problems.append(Problem(
            "figures.yaml holds only key_figures, figures and tables", file=path, line=1,
            hint="move anything else to the brief's front matter"))
        return
    for key, value in data.items():
        if key in located.data:
            located.problems.append(Problem(
                f"'{key}' is given twice: in the brief and in figures.yaml", file=path,
                line=staged.where.get((key,), (path, 1))[1], field=key,
                hint="keep one of the two"))
        else:
            located.data[key] = value
    located.where.update({at: where for at, where in staged.where.items() if at})


#: What an output folder may be called: a letter or digit, then also '.', '-', '_' and spaces.
_SLUG = re.compile(r"[^\W_][\w .-]{0,99}")
#: Names the output folder already uses for itself (compared without case: some file systems
#: do not tell them apart).
_RESERVED_SLUGS = frozenset({"latest", "manifest.json"})


def brief_slug(main: Path) -> str:
    """The name of the brief's output folder: its folder's name (its file's, for a lone
    `name.yaml`); a located error if that name could reach outside the output folder."""
    own_file = main.stem == "brief" or edition_tag(main) is not None
    name = main.parent.resolve().name if own_file else main.stem
    if (not _SLUG.fullmatch(name) or name.endswith((".", " "))
            or name.casefold() in _RESERVED_SLUGS):
        raise BriefgenError(
            f"{name!r} cannot name the brief's output folder", file=main,
            hint="rename the brief's folder (or file) to letters, digits, '-', '_' and '.', "
            "starting with a letter or digit, e.g. 'energy-corridors'")
    return name


def _guard(path: Path, folder: Path) -> None:
    """Brief files are read only when they really are files in the brief's folder."""
    guarded_file(path, [folder], limit=MAX_INPUT_BYTES, inside="the brief's folder")


def _source_texts(brief: Brief, folder: Path, located: _Located) -> dict[str, Path]:
    """Each source's local text, held to the one rule for files a build reads."""
    texts: dict[str, Path] = {}
    problems: list[Problem] = []
    for index, source in enumerate(brief.sources):
        if not source.text:
            continue
        where, line = located.locate(("sources", index, "text"))
        try:
            texts[source.id] = guarded_file(
                folder / source.text, [folder], limit=MAX_INPUT_BYTES, where=where, line=line,
                inside="the brief's folder", field=f"sources.{source.id}.text")
        except BriefgenError as error:
            problems.extend(error.problems)
    if problems:
        raise BriefgenError(problems=problems)
    return texts


def _brief_file(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    candidates = (folder / name for name in (*MARKDOWN_NAMES, *DATA_NAMES))
    return next((path for path in candidates if path.is_file()), None)


def _sources_file(folder: Path) -> Path | None:
    return next((folder / n for n in SOURCES_NAMES if (folder / n).is_file()), None)


def _missing_brief(path: Path) -> Problem:
    if not path.exists():
        return Problem("no such file or folder", file=path, hint="check the path")
    return Problem(
        "no brief.md, brief.yaml or brief.json in this folder",
        file=path,
        hint="a brief folder holds brief.md and sources.yaml; 'briefgen new SLUG' makes one",
    )


def read_text(path: Path) -> str:
    """A text file as str: UTF-8 (a byte-order mark is fine), newlines normalised to \\n."""
    try:
        with path.open("rb") as handle:  # never more than the limit into memory
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise BriefgenError(f"cannot read: {error.strerror}", file=path) from None
    if len(raw) > MAX_INPUT_BYTES:
        raise BriefgenError(
            f"file is larger than the limit of {MAX_INPUT_BYTES:,} bytes",
            file=path,
            hint="split the material, or keep long source texts out of the brief",
        )
    if b"\x00" in raw:
        raise BriefgenError("this is a binary file, not text", file=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BriefgenError(
            f"not valid UTF-8 (byte {raw[error.start]:#04x})",
            file=path,
            line=line,
            hint="save the file as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_content(path: Path, located: _Located) -> str:
    """A file of the brief itself (its text, front matter, sources, figures) as `read_text`
    reads it, without ILLEGAL_CHARACTERS: those are noted in `located` by line, to be reported
    with the field each is in once the file is parsed (YAML and JSON parsers would refuse them
    with a message that names neither). Escapes that make them (YAML's "\\v", JSON's
    "\\u000b") are left for the model to refuse."""
    text = read_text(path)
    if ILLEGAL_CHARACTERS.search(text) is None:
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if chars := illegal_characters(line):
            located.stray.append((path, number, chars))
    return "\n".join(ILLEGAL_CHARACTERS.sub("", line) for line in lines)


def _stray_problems(located: _Located) -> list[Problem]:
    """The characters `_read_content` took out, each line's as a problem in its field (one
    more than MAX_CHARACTER_PROBLEMS at most: that there are more is enough)."""
    return [Problem(f"holds {describe_characters(chars)}, which no edition can print",
                    file=path, line=line, field=_field_at(located, path, line),
                    hint=illegal_character_hint(chars))
            for path, line, chars in located.stray[:MAX_CHARACTER_PROBLEMS + 1]]


def _field_at(located: _Located, path: Path, line: int) -> str | None:
    """The field whose value `line` of `path` is part of: the one that starts nearest above it,
    or on it. Of several starting on one line, the innermost when the others hold it (`- value:
    80%`: the value, not the list item), else what they share (`keywords: [a, b]`: keywords)."""
    starts = [(at_line, at) for at, (file, at_line) in located.where.items()
              if file == path and at_line <= line and at]
    if not starts:
        return None
    nearest = max(at_line for at_line, _ in starts)
    fields = [at for at_line, at in starts if at_line == nearest]
    innermost = max(fields, key=len)
    if all(innermost[:len(at)] == at for at in fields):
        return dotted(innermost)
    return dotted(_common_prefix(fields)) or None


def _fewer_character_problems(problems: list[Problem]) -> list[Problem]:
    """At most MAX_CHARACTER_PROBLEMS of those naming ILLEGAL_CHARACTERS, then how many more."""
    named = [p for p in problems if _CHARACTER_PROBLEM in p.message]
    if len(named) <= MAX_CHARACTER_PROBLEMS:
        return problems
    dropped = set(map(id, named[MAX_CHARACTER_PROBLEMS:]))
    last = named[MAX_CHARACTER_PROBLEMS - 1]
    return [*(p for p in problems if id(p) not in dropped), Problem(
        f"more values than these {MAX_CHARACTER_PROBLEMS} hold characters no edition can print",
        file=last.file, hint="delete them all: an editor's search and replace finds them (a "
        "regular expression such as [\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f] for most)")]


#: What every problem naming ILLEGAL_CHARACTERS says (`model.illegal_character_error`).
_CHARACTER_PROBLEM = "which no edition can print"


def _read_markdown_brief(path: Path, located: _Located, edition: str | None = None) -> None:
    try:
        text = _read_content(path, located)
    except BriefgenError as error:
        located.problems.extend(error.problems)
        located.unreadable = True
        return
    if not text.strip():
        located.problems.append(
            Problem("the file is empty", file=path, hint="'briefgen new SLUG' writes a skeleton")
        )
        return
    front, body, body_line = _split_front_matter(text, path, located)
    if front is not None:
        data, readable = _load_yaml(front, path, 2, located, ())
        located.unreadable = located.unreadable or not readable
        if data is not None and not isinstance(data, dict):
            located.problems.append(
                Problem(
                    "the front matter must be 'field: value' lines",
                    file=path,
                    line=2,
                    hint="start it with e.g. 'title: My brief'",
                )
            )
        elif data:
            located.data.update(data)
    language = located.data.get("language", edition or "en")
    parsed = parse_body(body, body_line, language if isinstance(language, str) else "en")
    for key, value in parsed.data.items():
        if key in located.data and key != "extras":
            line = parsed.lines.get((key,))
            located.problems.append(
                Problem(
                    f"'{key}' is given twice: in the front matter and as a section",
                    file=path,
                    line=line,
                    field=key,
                    hint="keep one of the two",
                )
            )
        else:
            located.data[key] = value
    located.where.update({p: (path, line) for p, line in parsed.lines.items()})
    located.problems.extend(
        Problem(p.message, file=path, line=p.line, field=p.field, hint=p.hint)
        for p in parsed.problems
    )


def _split_front_matter(
    text: str, path: Path, located: _Located
) -> tuple[str | None, str, int]:
    """(front matter or None, body, 1-based line where the body starts)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text, 1
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    located.problems.append(
        Problem(
            "the front matter that starts on line 1 is never closed",
            file=path,
            line=1,
            hint="end it with a line holding only '---'",
        )
    )
    return None, "", len(lines)


def _read_sources(path: Path, located: _Located) -> None:
    try:
        text = _read_content(path, located)
        if path.suffix in (".bib", ".json"):
            read = read_bibtex if path.suffix == ".bib" else read_csl_json
            data, lines = read(path, text)
            located.where.update({("sources", i): (path, line) for i, line in lines.items()})
        else:
            data, readable = _load_yaml(text, path, 1, located, ("sources",))
            located.sources_unreadable = not readable
    except BriefgenError as error:
        located.problems.extend(error.problems)
        located.sources_unreadable = True
        return
    if isinstance(data, dict) and set(data) == {"sources"}:
        data = data["sources"]
        located.where = {
            (p[:1] + p[2:] if p[:2] == ("sources", "sources") else p): w
            for p, w in located.where.items()
        }
    if data is None:
        data = []
    if not isinstance(data, list):
        located.problems.append(
            Problem(
                "sources.yaml must be a list of sources",
                file=path,
                line=1,
                hint="start each source with '- id: ...'",
            )
        )
        return
    located.data["sources"] = data
    located.where.setdefault(("sources",), (path, 1))


def _read_data_brief(path: Path, located: _Located) -> None:
    try:
        text = _read_content(path, located)
    except BriefgenError as error:
        located.problems.extend(error.problems)
        located.unreadable = True
        return
    if path.suffix == ".json":
        # JSON is YAML, so the YAML node tree gives the lines; first, to name a refused value.
        with contextlib.suppress(yaml.YAMLError, RecursionError):
            _record_lines(compose(text), path, 1, located, ())
        try:
            data = load_json(text)
        except JsonError as error:
            located.problems.append(
                Problem(error.message, file=path, line=error.line,
                        field=_field_on_line(located, path, error.line), hint=error.hint))
            return
    else:
        data, readable = _load_yaml(text, path, 1, located, ())
        if not readable:
            located.unreadable = True
            return
    if not isinstance(data, dict):
        located.problems.append(
            Problem("the brief must be a mapping of fields", file=path, line=1,
                    hint="see 'briefgen schema' for the fields")
        )
        return
    located.data.update(data)
    located.where.setdefault((), (path, 1))


def _load_yaml(text: str, path: Path, first_line: int, located: _Located,
               root: KeyPath) -> tuple[Any, bool]:
    """Parse YAML, recording the line of every value: (data, True); or, when the text cannot be
    read, (None, False) with the reason among the problems."""
    try:
        node = compose(text)
        # Lines before values, so that a value `construct` refuses (a number too long to be
        # one) is named by its field. Both come from one node tree: the text is parsed once.
        _record_lines(node, path, first_line, located, root)
        data = construct(node, check_text=False)  # the model checks, with all else
    except RecursionError:
        located.problems.append(Problem(
            "the YAML is nested too deeply to read", file=path, line=first_line,
            hint="flatten the structure: briefs need only a few levels"))
        return None, False
    except YamlLimitError as error:
        line = first_line + error.problem_mark.line
        located.problems.append(Problem(str(error.problem), file=path, line=line,
                                        field=_field_on_line(located, path, line),
                                        hint=error.hint))
        return None, False
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        located.problems.append(
            Problem(
                f"YAML syntax error: {reason}",
                file=path,
                line=first_line + mark.line if mark else None,
                hint="check indentation, and quote values that contain ': ' or start with '@'",
            )
        )
        return None, False
    return data, True


def _field_on_line(located: _Located, path: Path, line: int) -> str | None:
    """The field that holds every value on `line` of `path` (so also a value refused there):
    `keywords` for `keywords: [a, b]`, none for a line that holds several fields."""
    fields = [at for at, where in located.where.items() if where == (path, line) and at]
    if not fields:
        return None
    return dotted(_common_prefix(fields)) or None


def _common_prefix(paths: list[KeyPath]) -> KeyPath:
    first, shortest = paths[0], min(len(at) for at in paths)
    for index in range(shortest):
        if any(at[index] != first[index] for at in paths):
            return first[:index]
    return first[:shortest]


def _record_lines(node: yaml.Node | None, path: Path, first_line: int, located: _Located,
                  root: KeyPath) -> None:
    """Walk the YAML node tree to learn which line each value sits on."""
    located.where[root] = (path, first_line)

    visited: set[int] = set()

    def walk(node: yaml.Node, at: KeyPath) -> None:
        # An alias reuses a node: walking it once is enough, and walking it again for every
        # reference would let a "billion laughs" file run for hours.
        if id(node) in visited:
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                line = first_line + key_node.start_mark.line
                if key in seen:
                    located.problems.append(
                        Problem(f"'{key}' is given twice", file=path, line=line,
                                field=dotted((*at, key)), hint="keep one of them")
                    )
                seen.add(key)
                located.where[(*at, key)] = (path, line)
                walk(value_node, (*at, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                located.where[(*at, index)] = (path, first_line + item.start_mark.line)
                walk(item, (*at, index))

    if node is not None:
        walk(node, root)


def _validate(located: _Located, main: Path) -> Brief:
    brief: Brief | None = None
    problems = [*located.problems, *_stray_problems(located)]
    if not problems or located.data:
        try:
            brief = Brief.model_validate(located.data)
        except ValidationError as error:
            problems.extend(_problems_from(error, located, main))
    if problems:
        ordered = _fewer_character_problems(
            sorted(_unique(problems), key=lambda p: (str(p.file or ""), p.line or 0)))
        raise BriefgenError(problems=ordered)
    assert brief is not None
    return brief


def _problems_from(error: ValidationError, located: _Located, main: Path) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        file, line = located.locate(loc)
        file = file or main
        kind = item["type"]
        if kind == "unknown_citation" and located.sources_unreadable:
            continue  # the id may well be in the part of the sources we could not read
        if kind == "unknown_citation":
            problems.extend(_citation_problems(item, loc, located, file))
        elif kind == "illegal_character":
            problems.append(Problem(_message(item), file=file, line=line, field=dotted(loc),
                                    hint=item["ctx"]["hint"]))
        elif kind == "missing" and located.unreadable:
            continue  # the field may well be in the part of the file we could not read
        elif kind == "missing":
            problems.append(
                Problem(f"'{loc[-1]}' is required but missing", file=file, line=line,
                        field=dotted(loc), hint=_missing_hint(loc))
            )
        elif kind == "extra_forbidden":
            problems.append(
                Problem(f"unknown field '{loc[-1]}'", file=file, line=line, field=dotted(loc),
                        hint=_did_you_mean(loc))
            )
        else:
            problems.append(Problem(_message(item), file=file, line=line, field=dotted(loc)))
    return problems


def _citation_problems(item: dict, loc: KeyPath, located: _Located, file: Path) -> list[Problem]:
    """One problem per unknown id, on the line where it is cited."""
    problems = []
    text = read_text(file) if file.is_file() else ""
    for source_id in item["ctx"]["unknown"]:
        _, section_line = located.locate(loc)
        pattern = re.compile(rf"@{re.escape(source_id)}(?![A-Za-z0-9_:-]|\.[A-Za-z0-9])")
        line = _line_of(text, pattern, after=section_line or 1)
        problems.append(
            Problem(
                f"cites @{source_id}, which no source has as its id",
                file=file,
                line=line or section_line,
                field=dotted(loc),
                hint=_id_hint(source_id, [s.get("id") for s in _raw_sources(located)]),
            )
        )
    return problems


def _raw_sources(located: _Located) -> list[dict]:
    sources = located.data.get("sources")
    return [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []


def _id_hint(source_id: str, known: list[Any]) -> str:
    close = difflib.get_close_matches(source_id, [k for k in known if isinstance(k, str)], n=1)
    if close:
        return f"did you mean @{close[0]}?"
    return "add a source with this id to sources.yaml, or fix the citation"


def _line_of(text: str, pattern: re.Pattern[str], after: int) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if number >= after and pattern.search(line):
            return number
    return None


def _missing_hint(loc: KeyPath) -> str:
    if loc == ("executive_summary",):
        return "add a '# Executive Summary' section"
    if len(loc) == 1:
        return f"add '{loc[0]}: ...' to the front matter"
    return f"add '{loc[-1]}' to this entry"


def _did_you_mean(loc: KeyPath) -> str:
    fields = list(_model_at(loc[:-1]).model_fields)
    close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "known fields: " + ", ".join(fields)


def _model_at(loc: KeyPath) -> type[BaseModel]:
    """The model class that validates the value at `loc` inside a Brief."""
    model: Any = Brief
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = _first_model(annotation) or model
    return model


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, (_first_model(a) for a in typing.get_args(annotation))), None)


def _message(item: dict) -> str:
    message = item["msg"].removeprefix("Value error, ")
    given = item.get("input")
    if isinstance(given, str | int | float) and len(str(given)) < 60:
        message += f" (got {given!r})"
    return message


def dotted(loc: KeyPath) -> str:
    """`("recommendations", 2, "actions", 0)` → `recommendations[2].actions[0]`: a field as
    problems and reports name it."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
