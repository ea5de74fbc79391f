"""What a template may touch: an allow-list, not a deny-list.

Jinja's sandbox blocks `_` attributes and a few known-dangerous callables, but leaves every other
public attribute open. On a pydantic model that includes `parse_raw` (which unpickles),
`parse_file` (which reads any path) and dozens more, so a downloaded style could run code. Here
every attribute a template reads is decided by one rule:

- on briefgen's own objects (the brief, its parts, the style settings, the section views, the
  citer): their data fields, plus the few methods listed in `TEMPLATE_METHODS`;
- on plain values (text, numbers, dates, lists, mappings): the read-only methods listed in
  `VALUE_METHODS` and the date parts;
- on Jinja's own runtime objects (`loop`, macros, imported template modules, `namespace()`,
  `cycler`, `joiner`, `self`/`super`): what Jinja's immutable sandbox allows;
- on anything else: nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from typing import Any

from jinja2 import runtime, utils
from jinja2.environment import TemplateModule
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from pydantic import BaseModel

#: Methods (and properties) of briefgen's objects that templates may use, beyond their data
#: fields, by the class's full name (this module imports none of them: styles.py imports it).
TEMPLATE_METHODS: dict[str, frozenset[str]] = {
    "briefgen.model.Brief": frozenset({"heading", "source", "has_section", "cited_ids",
                                       "extras_after"}),
    "briefgen.model.Source": frozenset({"year"}),
    "briefgen.model.Author": frozenset(),
    "briefgen.model.Topic": frozenset(),
    "briefgen.model.Scenario": frozenset(),
    "briefgen.model.Action": frozenset(),
    "briefgen.model.RecommendationGroup": frozenset(),
    "briefgen.model.ExtraSection": frozenset(),
    "briefgen.styles.StyleSettings": frozenset(),
    "briefgen.styles.PageSettings": frozenset(),
    "briefgen.styles.Budgets": frozenset(),
    "briefgen.render.SectionView": frozenset({"anchor"}),
    "briefgen.references.Citer": frozenset({"number", "cited_sources", "bibliography"}),
    "briefgen.references.Note": frozenset(),
    "briefgen.model.KeyFigure": frozenset(),
    "briefgen.model.Figure": frozenset(),
    "briefgen.model.Table": frozenset(),
    "briefgen.model.Chart": frozenset(),
    "briefgen.model.Column": frozenset(),
    "briefgen.styles.ChartSettings": frozenset(),
    "briefgen.exhibit_html.Exhibits": frozenset({"unplaced", "place_pending"}),
    "briefgen.languages.Language": frozenset(),
}

_TEXT_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "endswith", "find", "format", "index",
    "isalnum", "isalpha", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper",
    "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace",
    "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "startswith", "strip", "swapcase", "title", "upper", "zfill",
})
_DATE_PARTS = frozenset({"year", "month", "day", "isoformat", "isoweekday", "weekday",
                         "strftime"})

#: Read-only methods of plain values, by type (subclasses included: Markup is a str).
VALUE_METHODS: dict[type, frozenset[str]] = {
    str: _TEXT_METHODS,
    Markup: _TEXT_METHODS | {"striptags", "unescape"},
    int: frozenset({"real", "imag", "numerator", "denominator"}),
    float: frozenset({"real", "imag", "is_integer"}),
    bool: frozenset(),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    dt.datetime: _DATE_PARTS | {"hour", "minute", "second", "date"},
    dt.date: _DATE_PARTS,
}

#: Jinja's own runtime objects: the immutable sandbox's rules apply to them unchanged.
_JINJA_TYPES: tuple[type, ...] = (
    runtime.LoopContext, runtime.Macro, runtime.TemplateReference, runtime.BlockReference,
    runtime.Undefined, utils.Namespace, utils.Cycler, utils.Joiner, TemplateModule,
)


def allowed_attributes(obj: Any) -> frozenset[str] | None:
    """The attributes a template may read on `obj`; None where Jinja's own sandbox decides."""
    if isinstance(obj, _JINJA_TYPES):
        return None
    kind = type(obj)
    methods = TEMPLATE_METHODS.get(f"{kind.__module__}.{kind.__qualname__}")
    if methods is not None:
        return _fields_of(kind) | methods
    for value_type in (Markup, bool, dt.datetime, *VALUE_METHODS):
        if isinstance(obj, value_type):
            return VALUE_METHODS[value_type]
    return frozenset()


def _fields_of(kind: type) -> frozenset[str]:
    if issubclass(kind, BaseModel):
        return frozenset(kind.model_fields)
    if dataclasses.is_dataclass(kind):
        return frozenset(f.name for f in dataclasses.fields(kind) if not f.name.startswith("_"))
    return frozenset()


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with every attribute decided by `allowed_attributes`.

    The allow-list is checked before the attribute is read, so a property outside it never runs
    (Jinja's own sandbox reads first and judges after)."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        allowed = allowed_attributes(obj)
        if allowed is not None and attr not in allowed:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        allowed = allowed_attributes(obj)
        if allowed is None or attribute in allowed:
            return super().getattr(obj, attribute)
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]  # `options.label`: a mapping's keys read as attributes
        if inspect.getattr_static(obj, attribute, _MISSING) is _MISSING:
            return self.undefined(obj=obj, name=attribute)  # a typo reads as a typo
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        try:
            return obj[argument]
        except (TypeError, LookupError):
            if isinstance(argument, str):
                return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)


_MISSING = object()
