"""The brief as data: pydantic models that templates receive, already validated.

Every section of a classic policy brief has a home here (see `SECTION_KEYS`). Text fields hold
Markdown; rendering it is `markdown.py`'s job. Cross-field checks (duplicate source ids, citations
that name no source) are field validators, so pydantic reports them together with every other
problem instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .citations import FIGURE_ID_PATTERN, SOURCE_ID_PATTERN, find_citations, find_figure_refs

#: A BCP 47 language tag, as far as briefgen reads one: `kk`, `ru-KZ`, `sr-Latn-RS`; at most
#: five subtags after the language (48 characters), so no tag costs more than a few lookups.
LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,5}$"

#: The sections a brief can hold, in their conventional reading order.
SECTION_KEYS: tuple[str, ...] = (
    "key_messages",
    "executive_summary",
    "introduction",
    "background",
    "analysis",
    "implications",
    "assessments",
    "recommendations",
    "conclusion",
)

#: The heading a section gets when the author did not write one of their own.
DEFAULT_HEADINGS: dict[str, str] = {
    "key_messages": "Key Messages",
    "executive_summary": "Executive Summary",
    "introduction": "Introduction",
    "background": "Background",
    "analysis": "Analysis",
    "implications": "Implications",
    "assessments": "Assessments",
    "recommendations": "Recommendations",
    "conclusion": "Conclusion",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SourceId = Annotated[str, StringConstraints(pattern=rf"^{SOURCE_ID_PATTERN}$")]
FigureId = Annotated[str, StringConstraints(pattern=rf"^{FIGURE_ID_PATTERN}$")]
#: One row of data: column name → value. Strict: YAML's `true` must not become a 1 in a chart.
Row = dict[str, StrictStr | StrictInt | StrictFloat | None]


#: Characters no text of a brief may hold, wherever it is read from. XML 1.0 cannot hold the C0
#: controls other than tab, newline and carriage return, nor U+FFFE, U+FFFF or half of a
#: surrogate pair: the Word edition would be ill-formed (Word refuses to open it) while the
#: build reports success. DEL and the C1 controls (U+0080–U+009F) XML can hold, but prose never
#: means them: they come invisibly with text pasted from Word, a PDF or a terminal, and print
#: as boxes, or as nothing, in the PDF and the web page.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The names of the ones that come most often, and where from.
_CHARACTER_NAMES = {
    0x00: "null", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
    0x1B: "escape", 0x7F: "delete", 0x85: "next line",
}
_CHARACTER_HINTS = {
    0x0B: "Word writes a line break (Shift+Enter) as this character: delete it, or start a "
          "new line",
    0x0C: "a PDF's text or Word writes a page break as this character: delete it, or leave "
          "an empty line",
    0x1B: "it starts a terminal's colour code, copied from a console: delete it and the "
          "code after it",
}
ILLEGAL_CHARACTER_HINT = ("delete it: it is invisible, and no edition can print it (such "
                          "characters come with text pasted from Word or a PDF)")


def illegal_characters(text: str) -> list[str]:
    """The characters of ILLEGAL_CHARACTERS in `text`, each once, in the order they come."""
    if ILLEGAL_CHARACTERS.search(text) is None:  # the common case: one scan, no list
        return []
    return list(dict.fromkeys(ILLEGAL_CHARACTERS.findall(text)))


def describe_character(char: str) -> str:
    """`U+000B (a control character, vertical tab)`: a character named so that a reader can find
    it in an editor (it shows as nothing, or a box)."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "half of a surrogate pair, alone"
    elif code in (0xFFFE, 0xFFFF):
        kind = "not a character"
    else:
        kind = "a control character"
    name = _CHARACTER_NAMES.get(code)
    return f"U+{code:04X} ({kind}{', ' + name if name else ''})"


def describe_characters(chars: list[str]) -> str:
    """The first three characters described, and how many more there are."""
    shown = " and ".join(describe_character(char) for char in chars[:3])
    return shown + (f" and {len(chars) - 3} more" if len(chars) > 3 else "")


def illegal_character_hint(chars: list[str]) -> str:
    """What to do about them: where the first one most likely came from, and to delete it."""
    return _CHARACTER_HINTS.get(ord(chars[0]), ILLEGAL_CHARACTER_HINT)


def illegal_character_error(chars: list[str], key: str | None = None) -> PydanticCustomError:
    """The error a string (or a mapping's `key`) holding `chars` is reported with."""
    where = "holds" if key is None else f"has a key, {key!r}, that holds"
    return PydanticCustomError(
        "illegal_character", f"{where} {{characters}}, which no edition can print",
        {"characters": describe_characters(chars), "hint": illegal_character_hint(chars),
         "in_key": key is not None})


def illegal_characters_in(data: Any) -> list[InitErrorDetails]:
    """An error for every string (value or key) in raw input data that holds one of
    ILLEGAL_CHARACTERS, located by its path in the data. Iterative: the data may nest as deep
    as a parser allows."""
    errors: list[InitErrorDetails] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            if chars := illegal_characters(value):
                errors.append(InitErrorDetails(type=illegal_character_error(chars), loc=at,
                                               input=value))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if isinstance(key, str) and (chars := illegal_characters(key)):
                    errors.append(InitErrorDetails(type=illegal_character_error(chars, key),
                                                   loc=at, input=key))
                    key = ILLEGAL_CHARACTERS.sub("", key)
                stack.append(((*at, key), item))
        elif isinstance(value, list | tuple):
            stack.extend(((*at, index), item) for index, item in reversed(list(enumerate(value))))
    return errors


#: Set while a model checks its input for ILLEGAL_CHARACTERS, so that the models inside it,
#: validated as part of it, do not check their parts again.
_characters_checked: ContextVar[bool] = ContextVar("_characters_checked", default=False)


class Strict(BaseModel):
    """Unknown fields are errors: a typo in a field name must not silently drop content. No
    string anywhere in the input holds one of ILLEGAL_CHARACTERS: every model checks its whole
    input once, whatever its fields, so a new field cannot forget to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _no_illegal_characters(cls, data: Any, handler: Any) -> Any:
        """Refuse ILLEGAL_CHARACTERS in the input, with every other problem it has, but for
        those of a string the characters are reported for (an id that holds one does not also
        fail its pattern). A key that holds one may also be an unknown field: both are said."""
        if _characters_checked.get():
            return handler(data)
        token = _characters_checked.set(True)
        try:
            found = illegal_characters_in(data)
            if not found:
                return handler(data)
            refused = {tuple(error["loc"]) for error in found
                       if not error["type"].context["in_key"]}
            try:
                handler(data)
                others: list[InitErrorDetails] = []
            except ValidationError as error:
                others = [_reraisable(e) for e in error.errors()
                          if tuple(e["loc"]) not in refused]
        finally:
            _characters_checked.reset(token)
        raise ValidationError.from_exception_data(cls.__name__, [*found, *others])


class Author(Strict):
    name: RequiredText
    affiliation: Text | None = None
    email: Text | None = None


class Source(Strict):
    """A work the brief rests on. `date` may be a full date or just a year."""

    id: SourceId
    title: RequiredText
    short_title: Text | None = Field(
        default=None, description="A few words that name the source in author-date citations "
        "when it has no author, e.g. 'Kazakh brief'.")
    author: Text | None = None
    publisher: Text | None = None
    date: dt.date | Annotated[int, Field(ge=1000, le=9999)] | None = None
    url: Text | None = None
    accessed: dt.date | None = None
    type: Text | None = None
    text: Text | None = Field(
        default=None, description="A local file, relative to the brief, with the source's text."
    )
    note: Text | None = None

    @property
    def year(self) -> int | None:
        return self.date.year if isinstance(self.date, dt.date) else self.date


class Topic(Strict):
    """A titled part of a section (an analysis finding, an implication): prose, then points."""

    title: Text | None = None
    body: Text = ""
    points: list[RequiredText] = []


class Scenario(Strict):
    """An assessment: what could happen, how likely it is, and what would signal it."""

    title: RequiredText
    likelihood: Text | None = None
    body: Text = ""
    indicators: list[RequiredText] = []


class Action(Strict):
    """One concrete step, optionally led by a short title (`**Title:** what to do`)."""

    title: Text | None = None
    text: RequiredText


class RecommendationGroup(Strict):
    """A numbered recommendation: why, then the actions that carry it out."""

    title: RequiredText
    rationale: Text = ""
    actions: list[Action] = []
    owner: Text | None = None
    timeframe: Text | None = None
    priority: Text | None = None


class ExtraSection(Strict):
    """A section whose heading maps to no known field; kept, and placed after `after`."""

    key: RequiredText
    title: RequiredText
    body: Text = ""
    after: str | None = Field(
        default=None, description="The section it followed in the source; null for the start."
    )


class KeyFigure(Strict):
    """A number the reader should carry away: as written, what it measures, where it is from."""

    value: RequiredText = Field(description="As it should be printed: '80%', '$50 bn', '1,416'.")
    label: RequiredText = Field(description="What it measures, in a few words.")
    detail: Text | None = Field(default=None,
                                description="A comparison or a date, e.g. 'in 2023'.")
    cite: Text | None = Field(default=None, description="Its citation: '[@source, p. 3]'.")


class Column(Strict):
    """How one column of a table is shown."""

    name: RequiredText = Field(description="The column's name in the CSV header or the rows.")
    title: Text | None = Field(default=None, description="The heading to print, if not `name`.")
    align: Literal["left", "right", "center"] | None = Field(
        default=None, description="Default: right for numbers, left for text.")
    format: Literal["text", "integer", "number", "percent"] | None = Field(
        default=None, description="integer: 1,416; number: 1,416.5 (see decimals); percent: 80%.")
    decimals: Annotated[int, Field(ge=0, le=6)] | None = None


class Chart(Strict):
    """What a chart shows: one of briefgen's chart types with its encodings, or a full
    Vega-Lite spec (its data always comes from the figure's `data` or `csv`)."""

    type: Literal["bar", "grouped-bar", "stacked-bar", "line", "dot", "lollipop"] | None = None
    x: Text | None = Field(default=None, description="The column on the category/time axis.")
    y: Text | None = Field(default=None, description="The column with the numbers.")
    series: Text | None = Field(default=None, description="The column that splits the data "
                                "into series (grouped-bar, stacked-bar, line).")
    x_title: Text | None = None
    y_title: Text | None = None
    vega_lite: dict[str, Any] | None = Field(default=None, description="A full Vega-Lite spec "
                                             "instead of type/x/y (no 'url' anywhere).")

    @model_validator(mode="after")
    def _type_or_spec(self) -> Chart:
        if (self.type is None) == (self.vega_lite is None):
            raise ValueError("give either a chart type (with x and y) or a vega_lite spec")
        if self.type is not None and not (self.x and self.y):
            raise ValueError(f"a {self.type} chart needs x and y: the columns it plots")
        if self.type in ("grouped-bar", "stacked-bar") and not self.series:
            raise ValueError(f"a {self.type} chart needs series: the column that splits it")
        return self


class _Exhibit(Strict):
    """What figures and tables share: an id to refer to, a title, the sources, notes."""

    id: FigureId
    title: RequiredText
    caption: Text = ""
    cite: Text | None = Field(default=None, description="Its sources: '[@a; @b, p. 4]'.")
    notes: Text | None = None
    data: list[Row] | None = Field(default=None, description="The rows, inline.")
    csv: Text | None = Field(default=None, description="A CSV file in the brief's folder.")


class Figure(_Exhibit):
    """A chart drawn from data, or an image from the brief's folder."""

    alt: RequiredText = Field(description="What the figure shows, for readers who cannot see "
                              "it: required.")
    chart: Chart | None = None
    image: Text | None = Field(default=None, description="An image file in the brief's folder.")

    @model_validator(mode="after")
    def _chart_or_image(self) -> Figure:
        if (self.chart is None) == (self.image is None):
            raise ValueError("give either a chart or an image")
        if self.chart is not None and (self.data is None) == (self.csv is None):
            raise ValueError("a chart needs its data: inline rows under data, or a csv file")
        return self


class Table(_Exhibit):
    """A table from data: inline rows or a CSV file, with its columns' alignment and format."""

    columns: list[Column] = Field(default=[], description="Default: every column, as written.")

    @model_validator(mode="after")
    def _has_data(self) -> Table:
        if (self.data is None) == (self.csv is None):
            raise ValueError("a table needs its rows: inline under data, or a csv file")
        return self


class Brief(Strict):
    """One policy brief: its metadata, its sections and the sources its claims rest on."""

    # Sources come first so that the citation checks below can see them (pydantic validates
    # fields in declaration order and hands earlier results to later validators).
    sources: list[Source] = []

    title: RequiredText
    subtitle: Text | None = None
    date: dt.date
    version: Annotated[int, Field(ge=1)] = 1
    series: Text | None = None
    number: Text | None = None
    authors: list[Author] = []
    organization: Text | None = None
    department: Text | None = None
    classification: Text = "PUBLIC"
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_TAG)] = Field(
        default="en", description="A BCP 47 tag (en, ru, kk, en-GB): the labels, dates, "
        "quotation marks and hyphenation of the page follow it.")
    keywords: list[RequiredText] = []
    audiences: dict[str, RequiredText] = Field(
        default={}, description="Audience name to the style that serves it, e.g. minister: memo."
    )
    decision: Text | None = Field(default=None, description="The decision asked of the reader.")
    key_figures: list[KeyFigure] = Field(default=[], description="The numbers to remember.")
    figures: list[Figure] = []
    tables: list[Table] = []

    key_messages: list[RequiredText] = []
    executive_summary: RequiredText
    introduction: Text = ""
    background: Text = ""
    analysis: list[Topic] = []
    implications: list[Topic] = []
    assessments: list[Scenario] = []
    recommendations: list[RecommendationGroup] = []
    conclusion: Text = ""
    extras: list[ExtraSection] = []
    headings: dict[str, RequiredText] = Field(
        default={}, description="Section key to the heading the author wrote for it."
    )

    @field_validator("sources")
    @classmethod
    def _source_ids_are_unique(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        duplicates = [s.id for s in sources if s.id in seen or seen.add(s.id)]
        if duplicates:
            raise PydanticCustomError(
                "duplicate_source_id",
                "source id {ids} is used more than once; every source needs its own id",
                {"ids": ", ".join(sorted(set(duplicates)))},
            )
        return sources

    @field_validator(*SECTION_KEYS, "extras", "decision", "key_figures", "figures", "tables")
    @classmethod
    def _citations_resolve(cls, value: Any, info: ValidationInfo) -> Any:
        if "sources" not in info.data:  # the sources are broken: that error is reported instead
            return value
        known = {source.id for source in info.data["sources"]}
        unknown = sorted(
            {c.source_id for text in strings_in(value) for c in find_citations(text)} - known
        )
        if unknown:
            raise PydanticCustomError(
                "unknown_citation",
                "cites {ids}, which no source has as its id",
                {"ids": ", ".join(f"@{i}" for i in unknown), "unknown": unknown},
            )
        return value

    @model_validator(mode="after")
    def _exhibits_are_consistent(self) -> Brief:
        """Ids unique across figures and tables; every @fig:/@tbl: in their own text and in the
        key figures names one (the sections are checked field by field, with their lines)."""
        seen: set[str] = set()
        ids = [f.id for f in self.figures] + [t.id for t in self.tables]
        duplicates = sorted({i for i in ids if i in seen or seen.add(i)})
        if duplicates:
            raise PydanticCustomError(
                "duplicate_figure_id", "figure or table id {ids} is used more than once",
                {"ids": ", ".join(duplicates)})
        known = {("fig", f.id) for f in self.figures} | {("tbl", t.id) for t in self.tables}
        unknown = sorted({(r.kind, r.id) for key in ("key_figures", "figures", "tables")
                          for text in strings_in(getattr(self, key))
                          for r in find_figure_refs(text)} - known)
        if unknown:
            raise PydanticCustomError(
                "unknown_figure", "a key figure, figure or table refers to {refs}, which no "
                "figure or table has as its id",
                {"refs": ", ".join(f"@{kind}:{name}" for kind, name in unknown)})
        return self

    @field_validator(*SECTION_KEYS, "extras", "decision")
    @classmethod
    def _figure_refs_resolve(cls, value: Any, info: ValidationInfo) -> Any:
        if "figures" not in info.data or "tables" not in info.data:
            return value  # those are broken: that error is reported instead
        known = {("fig", f.id) for f in info.data["figures"]} | {
            ("tbl", t.id) for t in info.data["tables"]}
        unknown = sorted({(r.kind, r.id) for text in strings_in(value)
                          for r in find_figure_refs(text)} - known)
        if unknown:
            raise PydanticCustomError(
                "unknown_figure", "refers to {refs}, which no figure or table has as its id",
                {"refs": ", ".join(f"@{kind}:{name}" for kind, name in unknown)})
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _citations_checked_even_when_sources_fail(cls, data: Any, handler: Any) -> Brief:
        """When the sources are invalid the field validators cannot check citations; check them
        against the raw source ids instead, so the user sees every problem in one pass."""
        try:
            return handler(data)
        except ValidationError as error:
            if not isinstance(data, dict) or not any(e["loc"][:1] == ("sources",)
                                                     for e in error.errors()):
                raise
            # Those the field validators did check (the sources were refused only for their
            # characters, say) are not reported twice.
            checked = {tuple(e["loc"]) for e in error.errors() if e["type"] == "unknown_citation"}
            extra = [e for e in _raw_citation_errors(data) if tuple(e["loc"]) not in checked]
            if not extra:
                raise
            raise ValidationError.from_exception_data(
                error.title, [*map(_reraisable, error.errors()), *extra]
            ) from None

    @field_validator("headings")
    @classmethod
    def _headings_name_sections(cls, headings: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(headings) - set(SECTION_KEYS))
        if unknown:
            raise ValueError(f"no section is called {', '.join(unknown)}")
        return headings

    def heading(self, key: str) -> str:
        """The heading to print for a section: the author's own, else the conventional one."""
        return self.headings.get(key) or DEFAULT_HEADINGS.get(key, key.replace("_", " ").title())

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def has_section(self, key: str) -> bool:
        return bool(getattr(self, key, None))

    def cited_ids(self) -> list[str]:
        """Source ids in order of first citation, over every section in reading order."""
        ordered: dict[str, None] = {}
        for key in (*SECTION_KEYS, "extras", "decision", "key_figures", "figures", "tables"):
            for text in strings_in(getattr(self, key)):
                ordered.update((c.source_id, None) for c in find_citations(text))
        return list(ordered)

    def extras_after(self, key: str | None) -> list[ExtraSection]:
        return [extra for extra in self.extras if extra.after == key]

    def exhibit_numbers(self) -> dict[tuple[str, str], int]:
        """("fig"|"tbl", id) → its number: figures and tables each counted 1, 2, 3… in the
        order the text first refers to them (sections in reading order), then those never
        referred to, in the order they are declared."""
        order: dict[tuple[str, str], None] = {}
        for key in ("decision", *SECTION_KEYS, "extras"):
            for text in strings_in(getattr(self, key)):
                order.update(((ref.kind, ref.id), None) for ref in find_figure_refs(text))
        order.update((("fig", f.id), None) for f in self.figures)
        order.update((("tbl", t.id), None) for t in self.tables)
        numbers: dict[tuple[str, str], int] = {}
        for kind, name in order:
            numbers[(kind, name)] = sum(1 for k, _ in numbers if k == kind) + 1
        return numbers

    def unreferenced_exhibits(self) -> list[tuple[str, str]]:
        """Figures and tables the text never refers to (a warning: the reader may miss them)."""
        referred = {(r.kind, r.id) for key in ("decision", *SECTION_KEYS, "extras")
                    for text in strings_in(getattr(self, key)) for r in find_figure_refs(text)}
        return [(kind, name) for kind, name in self.exhibit_numbers() if (kind, name)
                not in referred]


def _raw_citation_errors(data: dict[str, Any]) -> list[InitErrorDetails]:
    sources = data.get("sources")
    entries = sources if isinstance(sources, list) else []
    known = {s["id"] for s in entries if isinstance(s, dict) and isinstance(s.get("id"), str)}
    errors: list[InitErrorDetails] = []
    for key in (*SECTION_KEYS, "extras", "decision"):
        unknown = sorted(
            {c.source_id for text in strings_in(data.get(key)) for c in find_citations(text)}
            - known
        )
        if unknown:
            ids = ", ".join(f"@{i}" for i in unknown)
            errors.append(InitErrorDetails(
                type=PydanticCustomError("unknown_citation",
                                         "cites {ids}, which no source has as its id",
                                         {"ids": ids, "unknown": unknown}),
                loc=(key,), input=data.get(key)))
    return errors


def _reraisable(error: Any) -> InitErrorDetails:
    """An error pydantic reported, in the form that builds a new ValidationError."""
    context = {**error.get("ctx", {}), "message": error["msg"]}
    return InitErrorDetails(
        type=PydanticCustomError(error["type"], "{message}", context),
        loc=error["loc"], input=error.get("input"))


def strings_in(value: Any, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string inside a field value, however deeply nested in models, lists and mappings;
    model fields named in `skip` are left out."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in skip:
                yield from strings_in(getattr(value, name), skip)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item, skip)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item, skip)
