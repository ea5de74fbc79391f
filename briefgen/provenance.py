"""The provenance check: does every figure in the brief trace to the source it cites?

A claim is a sentence. When a claim carries a figure — a percentage, a sum of money, a count, a
year — and cites sources, at least one cited source with a local text (`text:` in sources.yaml)
must contain that figure, in any common form: `80%` = `80 percent`, `$50 billion` = `50 bn USD`,
`1,416` = `1416`. Claims with a figure and no citation, sources never cited, and cited sources
without a local text to check against are reported as warnings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from .citations import CITATION_GROUP_RE, find_citations
from .content import LoadedBrief, read_text
from .exhibits import DECIMAL_COMMA_LANGUAGES, FIGURES_FILE, numbers_in
from .exhibits import number as number_in
from .model import SECTION_KEYS, Row, strings_in
from .vocabulary import primary

Level = Literal["error", "warning"]

_SCALE = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "trillion": 1e12, "tn": 1e12}
_FIGURE_RE = re.compile(
    r"(?P<currency>[$€£]|US\$|USD\s?)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?"
    r"(?:\s?(?P<percent>%|percent\b|per cent\b))?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|mn|bn|tn)\b)?"
    r"(?:\s?(?P<currency_after>USD|dollars|euros?)\b)?",
    re.IGNORECASE,
)
#: The same, as Russian and Kazakh write them (and the other languages of DECIMAL_COMMA_
#: LANGUAGES): "1 416", "2,5 %", "50 млрд долларов", "300 млн", "12 мың", "7 пайыз".
_COMMA_FIGURE_RE = re.compile(
    r"(?P<currency>[$€£₸]|US\$)?"
    r"(?P<number>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+)(?P<decimals>,\d+)?"
    r"(?:\s?(?P<percent>%|процент\w*|пайыз\w*))?"
    r"(?:\s?(?P<scale>тыс\.|тысяч\w*|мың|млн|миллион\w*|млрд|миллиард\w*|трлн|триллион\w*)"
    r"(?!\w))?"
    r"(?:\s?(?P<currency_after>\$|€|₸|долл\w*|евро|тенге|теңге|рубл\w*)(?!\w))?",
    re.IGNORECASE,
)
_COMMA_SCALE = {"тыс": 1e3, "мың": 1e3, "млн": 1e6, "мил": 1e6, "млр": 1e9, "трл": 1e12}
# A sentence ends at . ! or ? before a capital or a digit, but not after the abbreviations of
# a locator ("[@report, p. 4]", "ch. 2", "no. 3"; Russian "с. 4", Kazakh "4-б.") or of a year
# ("в 1994 г. Назарбаев", "2014 ж.").
_SENTENCE_END_RE = re.compile(
    r"(?<!\bp\.)(?<!\bpp\.)(?<!\bch\.)(?<!\bno\.)(?<!\bvol\.)(?<!\bsec\.)"
    r"(?<!\bс\.)(?<!\bб\.)(?<!\bг\.)(?<!\bгг\.)(?<!\bж\.)(?<!\bт\.)(?<!\bсм\.)(?<!\bтыс\.)"
    r"(?<=[.!?])\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9“«\"'(\[*_])")
_ORDINAL_TAIL_RE = re.compile(r"^(st|nd|rd|th)\b")


#: Planning metadata ("Timeframe: 12–24 months") states intentions, not facts to source.
_NOT_CLAIMS = frozenset({"timeframe", "owner", "priority", "likelihood", "key", "after"})


@dataclass(frozen=True)
class Figure:
    """A number as the check compares it: its value and what kind of quantity it is."""

    text: str
    value: float
    kind: Literal["percent", "money", "number"]

    def found_in(self, figures: set[tuple[float, str]]) -> bool:
        if (self.value, self.kind) in figures:
            return True
        # A plain count or year in the brief matches the same number of any kind in the source.
        return self.kind == "number" and any(value == self.value for value, _ in figures)


@dataclass(frozen=True)
class Finding:
    """One result of the check, located in the brief."""

    level: Level
    code: str
    message: str
    file: str
    line: int | None = None
    sentence: str | None = None
    source_id: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def figures_in(text: str, language: str | None = None) -> list[Figure]:
    """Every figure in a piece of text, normalised so that equivalent forms compare equal;
    read as `language` writes numbers ("1 416" and "2,5" in Russian, "1,416" and "2.5" in
    English), so a Russian claim is checked against an English source as values."""
    comma = primary(language) in DECIMAL_COMMA_LANGUAGES
    found: list[Figure] = []
    for match in (_COMMA_FIGURE_RE if comma else _FIGURE_RE).finditer(text):
        if _inside_word(text, match):
            continue
        digits = re.sub(r"[ ,\u00a0\u202f]", "", match["number"])
        decimals = (match["decimals"] or "").replace(",", ".")
        value = float(digits + decimals)
        if match["scale"]:
            scale = match["scale"].lower()
            value *= _COMMA_SCALE[scale[:3]] if comma else _SCALE[scale]
        money = bool(match["currency"] or match["currency_after"])
        kind = "percent" if match["percent"] else "money" if money else "number"
        found.append(Figure(match[0].strip(), value, kind))  # type: ignore[arg-type]
    return found


def _inside_word(text: str, match: re.Match[str]) -> bool:
    """Digits glued to letters (`G20`, `A4`) are names, not figures; `168th` is a figure."""
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end():match.end() + 3]  # a slice, not a copy of the rest of the text
    return before.isalpha() or (bool(after[:1].isalpha()) and not _ORDINAL_TAIL_RE.match(after))


def claims(markdown: str) -> list[str]:
    """Sentences of a Markdown text; a citation written after the full stop joins its sentence."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", markdown):
        for sentence in _SENTENCE_END_RE.split(" ".join(paragraph.split())):
            if sentences and not CITATION_GROUP_RE.sub("", sentence).strip(" .;"):
                sentences[-1] += " " + sentence
            elif sentence.strip():
                sentences.append(sentence.strip())
    return sentences


def check_brief(loaded: LoadedBrief) -> list[Finding]:
    """Every provenance problem of one brief, errors and warnings, in reading order."""
    brief = loaded.brief
    main = loaded.files[0]
    lines = read_text(main).split("\n") if main.suffix == ".md" else []
    texts = _source_figures(loaded)
    findings: list[Finding] = []
    for sentence in _all_claims(loaded):
        findings.extend(_check_claim(sentence, texts, main, lines, brief.language))
    findings.extend(_key_figure_findings(loaded, texts))
    findings.extend(_exhibit_findings(loaded, texts))
    cited = set(brief.cited_ids())
    sources_file = next((f for f in loaded.files if f.name.startswith("sources.")), main)
    for source in brief.sources:
        if source.id not in cited:
            findings.append(Finding(
                "warning", "unused-source", f"source '{source.id}' is never cited",
                str(sources_file), source_id=source.id))
        elif source.id not in texts:
            findings.append(Finding(
                "warning", "no-source-text",
                f"source '{source.id}' has no local text, so its figures cannot be checked",
                str(sources_file), source_id=source.id))
    return findings


def _all_claims(loaded: LoadedBrief) -> list[str]:
    brief = loaded.brief
    found: list[str] = []
    for key in (*SECTION_KEYS, "extras", "decision"):
        for text in strings_in(getattr(brief, key), _NOT_CLAIMS):
            found.extend(claims(text))
    return found


def _key_figure_findings(loaded: LoadedBrief,
                         texts: dict[str, set[tuple[float, str]]]) -> list[Finding]:
    """A key figure is a claim like any sentence: its value (and any number in its label) must
    be in the text of what it cites."""
    where = _exhibits_file(loaded)
    findings: list[Finding] = []
    for number, figure in enumerate(loaded.brief.key_figures, start=1):
        claim = " ".join(filter(None, (figure.value, figure.label, figure.detail,
                                       figure.cite)))
        for finding in _check_claim(claim, texts, where, [], loaded.brief.language):
            findings.append(replace(finding, sentence=f"key figure {number}: "
                                                      f"{finding.sentence}"))
    return findings


def _exhibit_findings(loaded: LoadedBrief,
                      texts: dict[str, set[tuple[float, str]]]) -> list[Finding]:
    """Every number in a chart's or a table's data must be in the text of what it cites; data
    that cites nothing is a warning (an error under --strict)."""
    where = str(_exhibits_file(loaded))
    findings: list[Finding] = []
    for kind, exhibits in (("figure", loaded.brief.figures), ("table", loaded.brief.tables)):
        for exhibit in exhibits:
            rows = loaded.exhibits.rows.get(exhibit.id, [])
            cited = [c.source_id for c in find_citations(exhibit.cite or "")]
            if rows and not cited:
                findings.append(Finding("warning", "uncited-data",
                                        f"{kind} '{exhibit.id}' shows data but cites no source",
                                        where, sentence=exhibit.title))
                continue
            checkable = [texts[i] for i in cited if i in texts]
            if checkable:
                findings.extend(_unsupported_cells(kind, exhibit.id, rows, _measures(exhibit),
                                                   checkable, cited, where,
                                                   loaded.brief.language))
    return findings


def _measures(exhibit: object) -> set[str] | None:
    """The columns whose numbers are claims: a chart's y (its x holds labels, such as years);
    every column of a table or of a full Vega-Lite chart (None)."""
    chart = getattr(exhibit, "chart", None)
    return {chart.y} if chart is not None and chart.type is not None and chart.y else None


def _unsupported_cells(kind: str, exhibit_id: str, rows: list[Row], measures: set[str] | None,
                       checkable: list[set[tuple[float, str]]], cited: list[str],
                       where: str, language: str) -> list[Finding]:
    findings = []
    for number, row in enumerate(rows, start=1):
        for column, cell in row.items():
            if measures is not None and column not in measures:
                continue
            figures = _cell_figures(cell, language)
            if figures and not any(f.found_in(found) for f in figures for found in checkable):
                findings.append(Finding(
                    "error", "unsupported-figure",
                    f"{kind} '{exhibit_id}', row {number}, column '{column}': '{cell}' is not "
                    f"in the text of {', '.join('@' + i for i in cited)}",
                    where, sentence=f"{kind} '{exhibit_id}' row {number}",
                    source_id=", ".join(cited)))
    return findings


def _cell_figures(cell: object, language: str | None = None) -> list[Figure]:
    """The figures in a data cell, read as the source texts are read ("$50 bn", "77 percent",
    "−7" as 7: the texts' figures carry no sign either); a bare number as a count."""
    if isinstance(cell, int | float):
        return [] if number_in(cell) is None else [Figure(str(cell), abs(float(cell)), "number")]
    text = str(cell or "")
    return figures_in(text, language) or ([Figure(text, abs(v), "number")]
                                          if (v := number_in(text, language)) is not None
                                          else [])


def _exhibits_file(loaded: LoadedBrief) -> Path:
    """Where figures are declared: figures.yaml if the brief has one, else its main file."""
    return next((f for f in loaded.files if f.name == FIGURES_FILE), loaded.files[0])


def _source_figures(loaded: LoadedBrief) -> dict[str, set[tuple[float, str]]]:
    """For each source with a local text (checked when the brief was loaded): its figures.
    A scaled figure counts as written too ("180 million" holds 180), so data given in a unit
    ("million cubic meters") matches the text it comes from."""
    found: dict[str, set[tuple[float, str]]] = {}
    for source_id, path in loaded.texts.items():
        text = read_text(path)
        language = _text_language(text)
        figures = set()
        for figure in figures_in(text, language):
            figures.add((figure.value, figure.kind))
            unscaled = [value for _, value in numbers_in(figure.text, language)]
            figures.add((unscaled[0] if unscaled else figure.value, "number"))
        found[source_id] = figures
    return found


def _text_language(text: str) -> str:
    """How a source text writes numbers: as Russian does when most of its letters are
    Cyrillic (a source need not be in the brief's language), else as English does."""
    cyrillic = len(re.findall(r"[\u0400-\u04ff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "ru" if cyrillic > latin else "en"


def _check_claim(sentence: str, texts: dict[str, set[tuple[float, str]]], main: Path,
                 lines: list[str], language: str | None = None) -> list[Finding]:
    figures = figures_in(CITATION_GROUP_RE.sub("", sentence), language)
    if not figures:
        return []
    cited = list(dict.fromkeys(c.source_id for c in find_citations(sentence)))
    line = _line_of(sentence, lines)
    shown = " ".join(CITATION_GROUP_RE.sub("", sentence).split())
    if not cited:
        listed = ", ".join(f.text for f in figures)
        return [Finding("warning", "uncited-figure",
                        f"a claim with a figure ({listed}) cites no source",
                        str(main), line, shown)]
    checkable = [texts[i] for i in cited if i in texts]
    if not checkable:
        return []  # reported once per source as no-source-text
    return [
        Finding("error", "unsupported-figure",
                f"'{figure.text}' is not in the text of {', '.join('@' + i for i in cited)}",
                str(main), line, shown, ", ".join(cited))
        for figure in figures
        if not any(figure.found_in(found) for found in checkable)
    ]


def _line_of(sentence: str, lines: list[str]) -> int | None:
    """The brief.md line where a sentence starts (its first words, ignoring list markers)."""
    probe = " ".join(sentence.split()[:5])
    for number, line in enumerate(lines, start=1):
        if probe and probe in " ".join(line.split()):
            return number
    probe = " ".join(sentence.split()[:2])
    return next((n for n, line in enumerate(lines, 1) if probe and probe in line), None)
