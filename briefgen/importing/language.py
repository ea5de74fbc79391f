"""The language a draft is written in, for the imported brief's `language`.

The language decides which words the loader reads as headings and detail lines
(`briefgen.vocabulary`), so the importer reads the draft in it too: what it writes is read by
the same rules. Headings are the first evidence, since they are what the loader must read.
English headings are read in every language, and a few headings are Russian and Kazakh alike
("Контекст"), so only headings one language alone has count. Without them the letters decide:
Cyrillic text is Kazakh when enough of its letters are ones Kazakh has and Russian has not,
so a Kazakh name in a Russian text does not make it Kazakh.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..sections import section_key
from ..vocabulary import HEADINGS

#: The letters of the Kazakh alphabet that the Russian one lacks.
KAZAKH_LETTERS = "әғқңөұүһі"
#: The share of a Cyrillic text's letters these must make for it to be Kazakh. Kazakh prose
#: has about one in seven, hardly a sentence under one in fifteen; a Russian text naming a
#: Kazakh person or place, one in a hundred, or three in a short paragraph.
KAZAKH_SHARE = 0.05
#: How many different ones it takes: Ukrainian and Belarusian have "і" too, and no other.
KAZAKH_VARIETY = 2

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KAZAKH = re.compile(f"[{KAZAKH_LETTERS}{KAZAKH_LETTERS.upper()}]")
#: Longer lines are sentences, not headings; the longest heading in the vocabulary is shorter.
_HEADING_CHARS = 80


@dataclass(frozen=True)
class DetectedLanguage:
    """A language tag (`en`, `ru`, `kk`) and the evidence for it, as the report says it."""

    code: str
    evidence: str


def detect_language(lines: list[str]) -> DetectedLanguage:
    """The draft's language: by its headings if they say, else by its letters."""
    russian, kazakh = _own_headings(lines)
    headings = f"its headings: {russian} Russian, {kazakh} Kazakh"
    if russian != kazakh:
        return DetectedLanguage("ru" if russian > kazakh else "kk", headings)
    code, letters = _by_letters("\n".join(lines))
    return DetectedLanguage(code, f"{headings}; {letters}")


def _own_headings(lines: list[str]) -> tuple[int, int]:
    """How many lines are headings only Russian has, and how many only Kazakh has."""
    named = (_only_language_naming(line) for line in lines
             if line.strip() and len(line.strip()) <= _HEADING_CHARS)
    votes = Counter(code for code in named if code)
    return votes["ru"], votes["kk"]


def _only_language_naming(line: str) -> str | None:
    """The one language other than English whose headings name a section with this line;
    None for English headings (read in every language) and for words languages share."""
    if section_key(line) is None or section_key(line, "en"):  # most lines name no section
        return None
    codes = [code for code in HEADINGS if code != "en" and section_key(line, code)]
    return codes[0] if len(codes) == 1 else None


def _by_letters(text: str) -> tuple[str, str]:
    """The language and the evidence for it: Cyrillic or Latin by which letters are more,
    Kazakh or Russian by how many of the Cyrillic ones are Kazakh's own."""
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    if cyrillic <= latin:
        return "en", f"{latin} Latin letters to {cyrillic} Cyrillic"
    kazakh = _KAZAKH.findall(text)
    share = len(kazakh) / cyrillic
    variety = len({letter.lower() for letter in kazakh})
    evidence = (f"{share:.1%} of its Cyrillic letters are Kazakh ones "
                f"({' '.join(KAZAKH_LETTERS)}), {variety} different")
    if share >= KAZAKH_SHARE and variety >= KAZAKH_VARIETY:
        return "kk", evidence
    return "ru", (f"{evidence}, where Kazakh has {KAZAKH_SHARE:.0%} or more, and "
                  f"{KAZAKH_VARIETY} or more different")
