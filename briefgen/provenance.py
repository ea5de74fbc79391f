"""The provenance check: does every figure in the brief trace to the source it cites?

A claim is a sentence. When a claim carries a figure — a percentage, a sum of money, a count, a
year — and cites sources, at least one cited source with a local text (`text:` in sources.yaml)
must contain that figure, in any common form: `80%` = `80 percent`, `$50 billion` = `50 bn USD`,
`1,416` = `1416`. Claims with a figure and no citation, sources never cited, and cited sources
without a local text to check against are reported as warnings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from .citations import CITATION_GROUP_RE, find_citations
from .content import LoadedBrief, read_text
from .model import SECTION_KEYS, strings_in

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
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(\[*_])")
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


def figures_in(text: str) -> list[Figure]:
    """Every figure in a piece of text, normalised so that equivalent forms compare equal."""
    found: list[Figure] = []
    for match in _FIGURE_RE.finditer(text):
        if _inside_word(text, match):
            continue
        value = float(match["number"].replace(",", "") + (match["decimals"] or ""))
        if match["scale"]:
            value *= _SCALE[match["scale"].lower()]
        money = bool(match["currency"] or match["currency_after"])
        kind = "percent" if match["percent"] else "money" if money else "number"
        found.append(Figure(match[0].strip(), value, kind))  # type: ignore[arg-type]
    return found


def _inside_word(text: str, match: re.Match[str]) -> bool:
    """Digits glued to letters (`G20`, `A4`) are names, not figures; `168th` is a figure."""
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end():]
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
        findings.extend(_check_claim(sentence, texts, main, lines))
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


def _source_figures(loaded: LoadedBrief) -> dict[str, set[tuple[float, str]]]:
    """For each source with a local text (checked when the brief was loaded): its figures."""
    return {source_id: {(f.value, f.kind) for f in figures_in(read_text(path))}
            for source_id, path in loaded.texts.items()}


def _check_claim(sentence: str, texts: dict[str, set[tuple[float, str]]], main: Path,
                 lines: list[str]) -> list[Finding]:
    figures = figures_in(CITATION_GROUP_RE.sub("", sentence))
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
