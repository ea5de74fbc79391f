"""The brief's language → the fixed words, dates, numbers and quotation marks of the page.

Labels come from one catalogue per language (`templates/_shared/labels/<language>.yaml`), then
from the style's `labels:` for that language, nearest style first. A language with no
catalogue, or one missing labels, falls back to English for what is missing, and the build
warns once, naming them. Dates and numbers are CLDR's, through Babel.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyphen
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol
from markupsafe import Markup

from .errors import BriefgenError
from .model import LANGUAGE_TAG
from .vocabulary import primary
from .yamlfile import load

#: The built-in catalogues, wherever briefgen is installed (`styles.SHARED_DIR / "labels"`).
CATALOGUE_DIR = Path(str(resources.files("briefgen.templates"))).resolve() / "_shared" / "labels"
FALLBACK = "en"
#: A `{name}` slot in a label, filled by `fill`; nothing else in a label is read as a field.
_SLOT = re.compile(r"\{([a-z_]+)\}")
#: Characters a CSS string may hold as they are; everything else is written as an escape.
_CSS_PLAIN = re.compile(r"[\w .,:;!?()\-–—/№«»“”„‘’]", re.UNICODE)

Label = str


@dataclass(frozen=True)
class Language:
    """The words and formats of one brief's language."""

    tag: str
    labels: Mapping[str, Label]
    #: Labels taken from English because neither the catalogue nor the style had them.
    missing: tuple[str, ...] = ()
    quotes: str = "“”‘’"
    date_format: str = "long"
    likelihood_scale: Mapping[str, int] = field(default_factory=dict)
    #: Priority words → high, medium or low: the styles mark a high priority ("высокий").
    priority_levels: Mapping[str, str] = field(default_factory=dict)

    @property
    def locale(self) -> Locale:
        return _locale(self.tag)

    @property
    def hyphenates(self) -> bool:
        """Whether WeasyPrint can hyphenate it (pyphen has a dictionary: ru yes, kk no)."""
        return pyphen.language_fallback(self.tag.replace("-", "_")) is not None

    def date(self, value: dt.date | int | None) -> str:
        """`20 November 2026`, `20 ноября 2026 г.`, `2026 ж. 20 қараша`; a lone year as is."""
        if value is None:
            return ""
        if isinstance(value, int):
            return str(value)
        return format_date(value, self.date_format, locale=self.locale)

    def number(self, value: float, decimals: int | None = None) -> str:
        """`1,416.5` in English, `1 416,5` in Russian and Kazakh."""
        if decimals is None:
            return format_decimal(value, locale=self.locale)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, decimals: int = 0) -> str:
        """`57%` in English, `57 %` in Russian and Kazakh (the value is in percent already)."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
        return format_percent(value / 100, format=pattern, locale=self.locale)

    @property
    def number_marks(self) -> tuple[str, str]:
        """The decimal mark and the thousands separator: (".", ",") or (",", "\u00a0")."""
        return (get_decimal_symbol(self.locale), get_group_symbol(self.locale))

    def page_css(self) -> str:
        """CSS custom properties the styles' `@page` rules print: `content: var(--page-of)`."""
        return f":root {{ --page-of: {css_content(str(self.labels['page_of']))}; }}\n"


def fill(label: str, **values: object) -> str:
    """A label with its `{name}` slots filled. Only named slots are read: a label written by a
    style is never a format string that could reach an attribute (`{0.__class__}`)."""
    return _SLOT.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], label)


def end_sentence(text: Markup) -> Markup:
    """A full stop after `text`, unless it ends a sentence already ("г.", "?", "!")."""
    return text if text.rstrip().endswith((".", "?", "!", "…")) else text + Markup(".")


def css_content(label: str) -> str:
    """A label with `{page}` and `{pages}` slots as a CSS `content` value of strings and
    counters; every character outside a plain set is escaped, so a label cannot end the
    string or the declaration."""
    parts: list[str] = []
    for index, piece in enumerate(re.split(r"\{(page|pages)\}", label)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append('"' + "".join(c if _CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} "
                                       for c in piece) + '"')
    return " ".join(parts) or '""'


def language_for(tag: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Language:
    """The language of a brief tagged `tag`, with a style's `labels:` over the catalogue:
    for `ru-KZ`, ru.yaml, then ru-KZ.yaml, then the style's `ru`, then its `ru-KZ`."""
    english = _catalogue(FALLBACK)
    layers = [_catalogue(code) for code in _subtags(tag)]
    # Tags compare without case (BCP 47): a style's `RU` is Russian too.
    style = {code.casefold(): labels for code, labels in (overrides or {}).items()}
    own: dict[str, Any] = {}
    for layer in layers:
        own.update(layer.get("labels", {}))
    for code in _subtags(tag):
        own.update(style.get(code.casefold(), {}) or {})
    labels = {**english["labels"], **own}
    # A language without a catalogue keeps English quotes and yardstick words, but dates are
    # its own: CLDR knows far more languages than the catalogues do.
    settings = {**english, "date_format": "long",
                **{k: v for layer in layers for k, v in layer.items() if k != "labels"}}
    missing = () if primary(tag) == FALLBACK else tuple(
        key for key in english["labels"] if key not in own)
    return Language(tag=tag, labels=labels, missing=missing, quotes=settings["quotes"],
                    date_format=settings["date_format"],
                    likelihood_scale=settings.get("likelihood_scale", {}),
                    priority_levels=settings.get("priority_levels", {}))


@functools.cache
def english() -> Language:
    """English, as the catalogue has it: what a caller that names no language gets."""
    return language_for(FALLBACK)


def _subtags(tag: str) -> list[str]:
    """`ru-KZ` → ["ru", "ru-KZ"]: the catalogues a tag reads, widest first."""
    parts = tag.split("-")
    return [primary(tag), *("-".join(parts[: n + 1]) for n in range(1, len(parts)))]


@functools.cache
def _catalogue(code: str) -> dict[str, Any]:
    """A built-in catalogue (empty when there is none for the language)."""
    path = CATALOGUE_DIR / f"{code}.yaml"
    if not re.fullmatch(LANGUAGE_TAG, code) or not path.is_file():
        return {}
    data = load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("labels", {}), dict):
        raise BriefgenError("a label catalogue must map 'labels' to label: text pairs",
                            file=path, hint="see templates/_shared/labels/en.yaml")
    return data


@functools.cache
def _locale(tag: str) -> Locale:
    """Babel's locale for a tag, else its language's, else English (dates stay readable)."""
    for candidate in (tag, primary(tag)):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(FALLBACK)


def autonym(tag: str) -> str:
    """A language's name in itself, as a language switcher shows it: English, Русский, Қазақ
    тілі; the tag itself for a language CLDR does not know (never "English" for `tlh`)."""
    locale = _locale(tag)
    if locale.language != primary(tag):
        return tag
    name = locale.get_display_name(locale) or tag
    return name[:1].upper() + name[1:]
