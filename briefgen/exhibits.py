"""The data behind a brief's figures and tables: CSV files and images in the brief's folder.

Figures and tables are declared in the brief (front matter, or `figures.yaml` beside it); their
rows come inline or from a CSV file, and a figure may be an image file instead of a chart. Every
file is read through the one rule for files a build reads (`safety.guarded_file`: inside the
brief's folder, a regular file, under the size cap), so a CSV that points elsewhere is a located
error, as a source text would be.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefgenError, Problem
from .model import Brief, Row, describe_characters, illegal_character_hint, illegal_characters
from .safety import IMAGE_TYPES, MAX_RESOURCE_BYTES, guarded_file, media_type
from .vocabulary import primary

FIGURES_FILE = "figures.yaml"
#: The brief's fields `figures.yaml` may hold.
EXHIBIT_KEYS = ("key_figures", "figures", "tables")
MAX_ROWS = 10_000
MAX_COLUMNS = 50
#: More points than this no chart in a brief can show legibly, and drawing them takes seconds.
MAX_CHART_ROWS = 1_000
_MAX_CSV_BYTES = 5 * 1024 * 1024

#: (file, line) of a field of the brief, e.g. ("figures", 0, "csv").
Locate = Callable[[tuple], tuple[Path | None, int | None]]


@dataclass(frozen=True)
class ExhibitData:
    """Rows by figure or table id, image files by figure id, and every file read."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    images: dict[str, Path] = field(default_factory=dict)
    files: tuple[Path, ...] = ()


def read_exhibit_data(brief: Brief, folder: Path, locate: Locate) -> ExhibitData:
    """Read every CSV and image the brief's figures and tables name; all problems together."""
    rows: dict[str, list[Row]] = {}
    images: dict[str, Path] = {}
    files: list[Path] = []
    problems: list[Problem] = []
    for kind, exhibits in (("figures", brief.figures), ("tables", brief.tables)):
        for index, exhibit in enumerate(exhibits):
            try:
                at = (kind, index, "csv" if exhibit.csv else "data")
                if exhibit.csv:
                    path = _guarded(folder, exhibit.csv, locate, at,
                                    f"{kind}.{exhibit.id}.csv", _MAX_CSV_BYTES)
                    rows[exhibit.id] = read_csv(path, locate(at))
                    files.append(path)
                elif exhibit.data is not None:
                    rows[exhibit.id] = _checked_rows(exhibit.data, locate(at),
                                                     f"{kind}.{exhibit.id}.data")
                if exhibit.id in rows:
                    _check_columns(exhibit, rows[exhibit.id], locate(at),
                                   f"{kind}.{exhibit.id}", brief.language)
                image = getattr(exhibit, "image", None)
                if image:
                    images[exhibit.id] = _image(folder, image, locate, index, exhibit.id)
                    files.append(images[exhibit.id])
            except BriefgenError as error:
                problems.extend(error.problems)
    if problems:
        raise BriefgenError(problems=problems)
    return ExhibitData(rows, images, tuple(files))


def _guarded(folder: Path, name: str, locate: Locate, at: tuple, field_name: str,
             limit: int) -> Path:
    where, line = locate(at)
    return guarded_file(folder / name, [folder], limit=limit, where=where, line=line,
                        inside="the brief's folder", field=field_name)


def _image(folder: Path, name: str, locate: Locate, index: int, figure_id: str) -> Path:
    path = _guarded(folder, name, locate, ("figures", index, "image"),
                    f"figures.{figure_id}.image", MAX_RESOURCE_BYTES)
    if media_type(path) not in IMAGE_TYPES:
        where, line = locate(("figures", index, "image"))
        raise BriefgenError(f"'{name}' is not an image", file=where, line=line,
                            field=f"figures.{figure_id}.image",
                            hint="a png, jpeg, gif, webp or svg file in the brief's folder")
    return path


def read_csv(path: Path, named_at: tuple[Path | None, int | None] = (None, None)) -> list[Row]:
    """A CSV file's rows as mappings from its header; cells as written (text)."""
    from .content import read_text  # content imports this module

    text = read_text(path)
    try:
        reader = csv.DictReader(io.StringIO(text), strict=True)
        header = reader.fieldnames or []
        if len(set(header)) != len(header):
            raise BriefgenError("the header repeats a column name", file=path, line=1,
                                hint="give every column its own name")
        rows: list[Row] = []
        stray = _stray_in_header(header, path)
        for number, record in enumerate(reader, start=2):
            if None in record or None in record.values() or len(record) != len(header):
                raise BriefgenError("this row has more or fewer cells than the header",
                                    file=path, line=number, hint="check the commas and quotes")
            stray += _stray_in_cells(record, path, number)
            rows.append({key: value.strip() for key, value in record.items()})
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        raise BriefgenError(f"not a readable CSV file: {error}", file=path,
                            line=reader.line_num or None) from None
    problems = [*stray[:20], *_shape_problems(header, rows, path)]
    if problems:
        raise BriefgenError(problems=problems)
    return rows


def _stray_in_header(header: list[str], path: Path) -> list[Problem]:
    """A column name holding one of the model's ILLEGAL_CHARACTERS (a cell's are below)."""
    return [Problem(f"the column name {name!r} holds {describe_characters(chars)}, which no "
                    "edition can print", file=path, line=1, hint=illegal_character_hint(chars))
            for name in header if (chars := illegal_characters(name))]


def _stray_in_cells(record: dict[str, str], path: Path, line: int) -> list[Problem]:
    """Each cell of a row that holds one of ILLEGAL_CHARACTERS, named by its column."""
    return [Problem(f"holds {describe_characters(chars)}, which no edition can print",
                    file=path, line=line, field=f"column {name!r}",
                    hint=illegal_character_hint(chars))
            for name, value in record.items() if (chars := illegal_characters(value))]


def _shape_problems(header: list[str], rows: list[Row], path: Path) -> list[Problem]:
    if not header or not rows:
        return [Problem("the CSV file has no header row or no rows", file=path, line=1,
                        hint="first line: the column names; then one line per row")]
    problems = []
    if len(header) > MAX_COLUMNS or len(rows) > MAX_ROWS:
        problems.append(Problem(f"more than {MAX_COLUMNS} columns or {MAX_ROWS:,} rows",
                                file=path, hint="a brief's figure needs a summary, not a dump"))
    if len(set(header)) != len(header) or any(not name.strip() for name in header):
        problems.append(Problem("the header has an empty or a repeated column name",
                                file=path, line=1))
    return problems


def _checked_rows(rows: list[Row], where: tuple[Path | None, int | None],
                  field_name: str) -> list[Row]:
    if not rows or len(rows) > MAX_ROWS or any(len(row) > MAX_COLUMNS for row in rows):
        raise BriefgenError(f"give between 1 and {MAX_ROWS:,} rows of at most {MAX_COLUMNS} "
                            "columns", file=where[0], line=where[1], field=field_name)
    for row in rows:
        for name, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise BriefgenError(
                    f"column '{name}' holds {value!r}, which is not a number or a text",
                    file=where[0], line=where[1], field=field_name,
                    hint="write the number, or leave the cell empty")
    return rows


def _check_columns(exhibit: object, rows: list[Row], where: tuple[Path | None, int | None],
                   field_name: str, language: str | None = None) -> None:
    """Every column a chart plots or a table names is in every row, a chart's numbers are
    numbers (as the brief's language writes them: "2,5" in Russian), and a chart has no more
    rows than a reader can take in."""
    chart = getattr(exhibit, "chart", None)
    plotted = [c for c in (chart.x, chart.y, chart.series) if c] if chart and chart.type else []
    named = [column.name for column in getattr(exhibit, "columns", [])]
    problems = [f"column '{name}' is missing from row {index}"
                for index, row in enumerate(rows, start=1)
                for name in dict.fromkeys([*plotted, *named]) if name not in row]
    if chart and chart.type and chart.y and not problems:
        problems += [f"row {index}: '{row[chart.y]}' in column '{chart.y}' is not a number"
                     for index, row in enumerate(rows, start=1)
                     if row[chart.y] not in (None, "")
                     and number(row[chart.y], language) is None]
    if chart and len(rows) > MAX_CHART_ROWS:
        problems.append(f"a chart of {len(rows):,} rows: at most {MAX_CHART_ROWS:,} "
                        "(summarize the data, or show it as a table)")
    if problems:
        raise BriefgenError(problems=[Problem(p, file=where[0], line=where[1], field=field_name)
                                      for p in problems[:20]])


class _Numerals:
    """How a language writes a number's digits: the marks between groups of three (1,416 or
    1 416) and the decimal mark (2.5 or 2,5). One grammar reads a data cell and running text, so
    a table and the prose around it can never disagree about what a number is."""

    def __init__(self, groups: str, decimals: str) -> None:
        digits = rf"(?:\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)(?:[{decimals}]\d+)?"
        self.cell = re.compile(rf"[-+\u2212]?{digits}")
        # Not inside a run of digits, nor glued to a word before it: G20 and A4 are names.
        self.in_text = re.compile(rf"(?<!\w){digits}(?!\d)")
        self._plain = str.maketrans({**dict.fromkeys(groups), **dict.fromkeys(decimals, "."),
                                     "\u2212": "-"})

    def value(self, written: str) -> float:
        return float(written.translate(self._plain))


_SPACES = "\u00a0\u202f "
#: 1,416.5 and 1 416.5 (spaces: no-break, narrow no-break, plain).
_DECIMAL_POINT = _Numerals("," + _SPACES, ".")
#: 1 416,5, as Russian and Kazakh write numbers (2.5 too, as Russian texts also write it).
_DECIMAL_COMMA = _Numerals(_SPACES, ",.")
#: Languages whose numbers group thousands with spaces and mark decimals with a comma (CLDR).
DECIMAL_COMMA_LANGUAGES = frozenset({"ru", "kk", "ky", "uz", "tg", "uk", "be"})


def _numerals(language: str | None) -> _Numerals:
    return _DECIMAL_COMMA if primary(language) in DECIMAL_COMMA_LANGUAGES else _DECIMAL_POINT


def number(value: object, language: str | None = None) -> float | None:
    """A cell as a number, if it is one as people write them: 1416, 1,416, 1 416, −3.5, 80%
    (in a language with a decimal comma, such as ru or kk: 1 416, 2,5); None for text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        amount = float(value)
    else:
        numerals = _numerals(language)
        text = str(value).strip().removesuffix("%").strip()
        if not numerals.cell.fullmatch(text):
            return None
        amount = numerals.value(text)
    return amount if math.isfinite(amount) else None


def numbers_in(text: str, language: str | None = None) -> list[tuple[str, float]]:
    """Every number in running text, as written and as its value, read as `language` writes
    numbers (see `number`). Signs are left out: in prose a dash before a number is a range or
    a hyphen more often than a minus."""
    numerals = _numerals(language)
    found = []
    for match in numerals.in_text.finditer(text):
        amount = numerals.value(match[0])
        if math.isfinite(amount):
            found.append((match[0], amount))
    return found
