"""The grammar of every value from `style.yaml` that briefgen writes into CSS or a chart.

A style's own CSS files are parsed by WeasyPrint under the guarded fetcher; but a value that
briefgen pastes into a rule (`@page { size: …; margin: … }`) could close the declaration and add
rules of its own (`A4; } @font-face { src: url(http://…) }`). So such values are accepted only
when they match a strict grammar: page size names, lengths, keywords; nothing else.
"""

from __future__ import annotations

import re

_LENGTH = r"(?:0|\d{1,4}(?:\.\d{1,4})?(?:mm|cm|in|pt|pc|px|q|em|rem))"
_PAGE_NAMES = r"(?:a[3-6]|b[4-5]|jis-b[4-5]|letter|legal|ledger)"
_ORIENTATION = r"(?:portrait|landscape)"
_PAGE_SIZE = re.compile(
    rf"auto|{_LENGTH}(?: {_LENGTH})?|{_PAGE_NAMES}(?: {_ORIENTATION})?"
    rf"|{_ORIENTATION}(?: {_PAGE_NAMES})?",
    re.IGNORECASE,
)
_MARGIN = re.compile(rf"(?:{_LENGTH}|auto)(?: (?:{_LENGTH}|auto)){{0,3}}", re.IGNORECASE)

PAGE_SIZE_HINT = ("a page size name (A3–A6, B4, B5, JIS-B4, JIS-B5, letter, legal, ledger), "
                  "optionally with portrait or landscape, or a width and height such as "
                  "'210mm 297mm'")
MARGIN_HINT = "one to four lengths such as '20mm' or '25mm 20mm 22mm 20mm' (mm, cm, in, pt, px)"


_COLOUR = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})", re.IGNORECASE)


def colour(value: object) -> str:
    """`value` as a hex colour (#rgb or #rrggbb), or ValueError: nothing else reaches CSS or a
    chart."""
    if not isinstance(value, str) or not _COLOUR.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a colour: write #rrggbb, e.g. #0f4c75")
    return value.strip().lower()


def _normal(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # `margin: 0` in YAML is a number; `20` without a unit still fails
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return " ".join(value.split())


def page_size(value: object) -> str:
    """`value` as a CSS page size, or ValueError."""
    text = _normal(value)
    if not _PAGE_SIZE.fullmatch(text):
        raise ValueError(f"{value!r} is not a page size: write {PAGE_SIZE_HINT}")
    return text


def page_margin(value: object) -> str:
    """`value` as a CSS margin shorthand, or ValueError."""
    text = _normal(value)
    if not _MARGIN.fullmatch(text):
        raise ValueError(f"{value!r} is not a margin: write {MARGIN_HINT}")
    return text
