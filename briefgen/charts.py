"""Charts for briefs: Vega-Lite specs drawn to standalone, inert SVG with vl-convert.

A spec may come from a brief (a figure's `vega_lite`), so it is hostile input. vl-convert
fetches whatever a spec names (`data.url`, an image mark's `url`, a lookup's data) from the
network by default, resolves a relative URL against a public data site, and silently draws
nothing for a `file:` URL. So every spec is checked before it is drawn (`sanitize`: no `url`
or `href` anywhere, data only inline, no interaction, expressions from a small allow-list,
bounded size and depth), is drawn with no base URL allowed (no network, no files), and the SVG
that comes out is checked again (`_check_inert`: no script, no external reference) before
anyone sees it.

Drawing is deterministic: the Vega-Lite version is pinned, the ids vl-convert numbers per
process are renumbered per chart, and the same spec and style give the same bytes in any
process. `draw` caches the SVG on disk by the hash of everything that decides it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vl_convert

from .atomic import write_atomically

#: The Vega-Lite version every chart is compiled with: a newer vl-convert must not change a
#: chart's look (or its cache key) unasked.
VEGA_LITE_VERSION = "6.4"
KINDS = ("bar", "grouped-bar", "stacked-bar", "line", "dot", "lollipop")
MAX_DEPTH = 50
MAX_ROWS = 10_000
MAX_NODES = 200_000
MAX_SPEC_BYTES = 5 * 1024 * 1024
MAX_SVG_BYTES = 5 * 1024 * 1024
MAX_EXPRESSION_CHARS = 500
_MAX_SAFE_INTEGER = 2**53  # beyond it JavaScript rounds

#: Keys that make Vega fetch, link or run handlers; refused wherever they appear.
FORBIDDEN_KEYS = {
    "url": "would fetch it",
    "href": "would make a link",
    "loader": "would configure fetching",
    "usermeta": "is passed to the embedding code",
    "params": "makes an interactive chart (a brief is printed)",
    "selection": "makes an interactive chart (a brief is printed)",
    "signals": "makes an interactive chart (a brief is printed)",
    "on": "makes an interactive chart (a brief is printed)",
    "bind": "makes an interactive chart (a brief is printed)",
}
#: What an inline data source may hold: rows, a name, how to parse them.
DATA_KEYS = {"values", "name", "format"}
#: Keys whose string value Vega reads as an expression.
EXPRESSION_KEYS = {"expr", "calculate", "filter", "test", "labelExpr", "signal", "update"}
#: Expression functions a printed chart needs. Not `pad` or `sequence` (a few characters can
#: ask for gigabytes), not `regexp`/`test`/`replace` (catastrophic backtracking), not data or
#: scale access.
EXPRESSION_FUNCTIONS = frozenset({
    "if", "isValid", "isNumber", "isString", "isDate", "isBoolean", "isNaN", "isFinite",
    "toNumber", "toString", "toBoolean", "toDate", "format", "timeFormat", "utcFormat",
    "timeParse", "utcParse", "abs", "round", "floor", "ceil", "min", "max", "sqrt", "log",
    "exp", "pow", "clamp", "year", "quarter", "month", "date", "day", "hours", "minutes",
    "datetime", "time", "upper", "lower", "trim", "substring", "length", "indexof",
})
#: Names that have been the way out of Vega's expression sandbox.
_SANDBOX_ESCAPES = re.compile(r"constructor|prototype|__proto__|__defineGetter__|globalThis")
_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_CALL = re.compile(r"([A-Za-z_$][\w$]*)\s*\(")
_FIELD_ACCESS = re.compile(r"datum\s*\[\s*''\s*\]")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FONT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,63}")
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


class ChartError(Exception):
    """A spec briefgen will not draw, or a drawing it will not hand on (message only)."""


@dataclass(frozen=True)
class ChartStyle:
    """How a style wants its charts to look. `font_dir` must be a trusted folder (briefgen's
    bundled fonts): its fonts are registered with vl-convert for the whole process."""

    palette: tuple[str, ...]
    font: str
    font_dir: Path
    width: int = 480
    height: int = 260
    ink: str = "#1d2329"
    muted: str = "#5a6672"
    #: The decimal mark and the thousands separator of the brief's language, for the axes'
    #: numbers: (".", ",") in English, (",", "\u00a0") in Russian and Kazakh.
    number_marks: tuple[str, str] = (".", ",")

    def __post_init__(self) -> None:
        """Colours and the font name end up in SVG attributes: hold them to a strict shape."""
        if not self.palette:
            raise ChartError("a chart palette needs at least one colour")
        for colour in (*self.palette, self.ink, self.muted):
            if not _HEX_COLOUR.fullmatch(colour):
                raise ChartError(f"chart colour {colour!r} is not a CSS hex colour like #0f4c75")
        if not _FONT_NAME.fullmatch(self.font):
            raise ChartError(f"chart font {self.font!r} is not a font family name")
        if not all(len(mark) == 1 and not mark.isalnum() for mark in self.number_marks):
            raise ChartError(f"number marks {self.number_marks!r} are not two single marks")
        if not (40 <= self.width <= 4000 and 40 <= self.height <= 4000):
            raise ChartError(f"chart size {self.width}×{self.height} px is out of range")


# --- specs for briefgen's chart types -----------------------------------------------------------


def chart_spec(kind: str, rows: list[dict[str, str | int | float]], *, x: str, y: str,
               series: str | None = None, x_title: str | None = None,
               y_title: str | None = None) -> dict:
    """A Vega-Lite spec (data inline) for one of briefgen's chart types.

    Bars, dots and lollipops are horizontal: category labels on the left read best, however
    long. `x` is the category (or time) column, `y` the numbers, `series` splits the data
    (required for grouped and stacked bars). Rows keep their order: the author decides it.
    The category axis has no title unless `x_title` gives one (its labels say what they are:
    "Full embassies", "2019"); the value axis defaults to the column's name."""
    if kind not in KINDS:
        raise ChartError(f"unknown chart type {kind!r}: use one of {', '.join(KINDS)}")
    if kind in ("grouped-bar", "stacked-bar") and not series:
        raise ChartError(f"a {kind} chart needs series: the column that splits it")
    _check_rows(rows, [x, y] + ([series] if series else []))
    category = {"field": _field(x), "type": "nominal", "sort": None, "title": x_title}
    value = {"field": _field(y), "type": "quantitative",
             "title": y_title if y_title is not None else y}
    colour = {"field": _field(series), "type": "nominal", "sort": None,
              "title": None} if series else None
    spec: dict[str, Any] = {"data": {"values": rows}}
    if kind == "line":
        spec.update(_line(rows, x, category, value, colour))
    elif kind == "lollipop":
        spec["encoding"] = {"y": category, "x": value}
        spec["layer"] = [{"mark": {"type": "rule"}, "encoding": {"x2": {"datum": 0}}},
                         {"mark": {"type": "circle", "opacity": 1, "size": 90}}]
    else:
        spec["encoding"] = {"y": category, "x": value}
        spec["mark"] = {"type": "circle", "opacity": 1, "size": 90} if kind == "dot" else "bar"
        if colour:
            spec["encoding"]["color"] = colour
        if kind == "grouped-bar":
            spec["encoding"]["yOffset"] = {"field": _field(series), "sort": None}
    return spec


def _line(rows: list[dict], x: str, category: dict, value: dict, colour: dict | None) -> dict:
    """Lines over time: ISO dates are a time axis, anything else (years, quarters) ordinal."""
    temporal = all(isinstance(row[x], str) and _ISO_DATE.fullmatch(row[x]) for row in rows)
    along = {**category, "type": "temporal" if temporal else "ordinal"}
    if not temporal:
        along["axis"] = {"labelAngle": 0}
    encoding = {"x": along, "y": value}
    if colour:
        encoding["color"] = colour
    return {"mark": {"type": "line", "point": True}, "encoding": encoding}


def _check_rows(rows: list[dict], columns: list[str]) -> None:
    """Every row must give every plotted column: a missing one would silently drop a bar."""
    if not isinstance(rows, list) or not rows:
        raise ChartError("a chart needs at least one row")
    if len(rows) > MAX_ROWS:
        raise ChartError(f"a chart may plot at most {MAX_ROWS:,} rows, not {len(rows):,}")
    for number, row in enumerate(rows):
        missing = [column for column in columns if column not in row]
        if missing:
            raise ChartError(f"row {number + 1} has no column {missing[0]!r}")


def _field(name: str) -> str:
    """A column name as a Vega-Lite field: '.' and brackets would mean nested access."""
    return re.sub(r"([.\[\]\\])", r"\\\1", name)


# --- checking a spec ------------------------------------------------------------------------


def sanitize(spec: dict) -> tuple[dict, list[str]]:
    """The spec with image marks removed, and a warning for each; ChartError (naming the JSON
    path) for anything that could fetch, link, run handlers or blow up, or is not JSON."""
    if not isinstance(spec, dict):
        raise ChartError("a Vega-Lite spec must be a mapping")
    warnings: list[str] = []
    clean = _strip_images(spec, "", warnings)
    if clean is None:
        raise ChartError("the spec draws nothing but images, which briefgen does not fetch")
    _check_tree(clean)
    if _count_rows(clean) > MAX_ROWS:
        raise ChartError(f"a chart may plot at most {MAX_ROWS:,} rows")
    if len(_canonical(clean)) > MAX_SPEC_BYTES:
        raise ChartError(f"the spec is larger than {MAX_SPEC_BYTES // 1024 // 1024} MB")
    return clean, warnings


def _strip_images(node: Any, path: str, warnings: list[str], depth: int = 0) -> Any:
    """A copy without image marks (they fetch their url): None if `node` is one."""
    if depth > MAX_DEPTH:
        raise ChartError(f"the spec is nested more than {MAX_DEPTH} levels deep at {path}")
    if isinstance(node, dict):
        if _is_image_mark(node.get("mark")):
            warnings.append(f"removed an image mark at {path or 'the top'}: briefgen does not "
                            "fetch images for charts")
            return None
        copy = {}
        for key, value in node.items():
            if key in ("values", "datasets"):  # rows are data, whatever their columns say
                copy[key] = _rows_copy(value, _join(path, key), depth + 1)
                continue
            kept = _strip_images(value, _join(path, key), warnings, depth + 1)
            if kept is not None or value is None:
                copy[key] = kept
        return copy
    if isinstance(node, list):
        items = (_strip_images(item, f"{path}[{index}]", warnings, depth + 1)
                 for index, item in enumerate(node))
        return [item for item, original in zip(items, node, strict=True)
                if item is not None or original is None]
    return _xml_text(node) if isinstance(node, str) else node


def _rows_copy(node: Any, path: str, depth: int) -> Any:
    """Data rows copied as they are (their text made XML-safe), within the same depth bound."""
    if depth > MAX_DEPTH:
        raise ChartError(f"the spec is nested more than {MAX_DEPTH} levels deep at {path}")
    if isinstance(node, dict):
        return {key: _rows_copy(value, _join(path, key), depth + 1)
                for key, value in node.items()}
    if isinstance(node, list):
        return [_rows_copy(item, f"{path}[{index}]", depth + 1)
                for index, item in enumerate(node)]
    return _xml_text(node) if isinstance(node, str) else node


def _xml_text(text: str) -> str:
    """Text with every character XML 1.0 forbids (NUL, most control characters) replaced:
    vl-convert writes labels as they are, and one such character makes the SVG unreadable."""
    return _XML_FORBIDDEN.sub("\ufffd", text)


def _is_image_mark(mark: Any) -> bool:
    return mark == "image" or (isinstance(mark, dict) and mark.get("type") == "image")


def _check_tree(spec: dict) -> None:
    """Walk every key and value: forbidden keys, non-inline data, unsafe expressions, types."""
    for count, (path, key, value, in_rows) in enumerate(_walk(spec, "", False)):
        if count > MAX_NODES:
            raise ChartError(f"the spec has more than {MAX_NODES:,} parts")
        if key is None:
            _check_scalar(value, path)
            continue
        if not isinstance(key, str):
            raise ChartError(f"{path}: keys must be text")
        if key in FORBIDDEN_KEYS and not (in_rows and key not in ("url", "href")):
            raise ChartError(f"{path}: '{key}' is not allowed in a chart ({FORBIDDEN_KEYS[key]})")
        if in_rows:
            continue
        if key in ("data", "datasets"):
            _check_data(key, value, path)
        elif key in EXPRESSION_KEYS:
            for expression in _expressions(value, key):
                _check_expression(expression, path)


def _expressions(value: Any, key: str) -> Iterator[str]:
    """The expression strings under `key`: a filter or test may compose them with and/or/not."""
    if isinstance(value, str):
        yield value
    elif key in ("filter", "test") and isinstance(value, list):
        for item in value:
            yield from _expressions(item, key)
    elif key in ("filter", "test") and isinstance(value, dict):
        for operator in ("and", "or", "not"):
            if operator in value:
                yield from _expressions(value[operator], key)


def _walk(node: Any, path: str,
          in_rows: bool) -> Iterator[tuple[str, str | None, Any, bool]]:
    """(path, key, value, inside data rows) for every mapping entry, (path, None, value, …)
    for every scalar. Only for specs `_strip_images` has copied: their depth is bounded."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = _join(path, key)
            yield child, key, value, in_rows
            if key == "datasets" and isinstance(value, dict) and not in_rows:
                for name, rows in value.items():
                    yield _join(child, name), name, rows, True
                    yield from _walk(rows, _join(child, name), True)
            else:
                yield from _walk(value, child, in_rows or key == "values")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]", in_rows)
    else:
        yield path, None, node, in_rows


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _check_scalar(value: Any, path: str) -> None:
    """Only what JSON and JavaScript read the same way: no NaN, no integers JS would round."""
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise ChartError(f"{path}: the number {str(value)[:20]}… is too large for a chart")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ChartError(f"{path}: {value} is not a number a chart can plot")
    else:
        raise ChartError(f"{path}: a {type(value).__name__} is not allowed in a chart spec "
                         "(text, numbers, true/false, lists and mappings only)")


def _check_data(key: str, value: Any, path: str) -> None:
    """Data only as inline rows: a named source, a generator or a URL would come from
    elsewhere (and `sequence` can ask for any number of rows)."""
    sources = value.items() if key == "datasets" and isinstance(value, dict) else [(None, value)]
    for name, source in sources:
        where = f"{path}.{name}" if name is not None else path
        if key == "datasets":
            if not isinstance(source, list):
                raise ChartError(f"{where}: a dataset must be a list of inline rows")
        elif source is not None and not (
                isinstance(source, dict) and set(source) <= DATA_KEYS
                and isinstance(source.get("values"), list)):
            extra = sorted(set(source) - DATA_KEYS) if isinstance(source, dict) else []
            if extra:
                where = f"{where}.{extra[0]}"
            raise ChartError(f"{where}: chart data must be inline 'values' rows"
                             + (f", not '{extra[0]}'" if extra else ""))


def _check_expression(expression: str, path: str) -> None:
    """Only calls to EXPRESSION_FUNCTIONS, field access only as datum['name'], nothing that
    has been a way out of the expression sandbox."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ChartError(f"{path}: an expression may be at most {MAX_EXPRESSION_CHARS} characters")
    if _SANDBOX_ESCAPES.search(expression):
        raise ChartError(f"{path}: the expression names something charts may not use")
    code = _FIELD_ACCESS.sub("datum.field", _STRING_LITERAL.sub("''", expression))
    if "[" in code or "]" in code:
        raise ChartError(f"{path}: brackets in an expression only as datum['column']")
    for name in _CALL.findall(code):
        if name not in EXPRESSION_FUNCTIONS:
            raise ChartError(f"{path}: the expression calls {name}(), which charts may not use")


def _count_rows(spec: dict) -> int:
    """Rows in every inline data source, wherever it sits."""
    total = 0
    for _path, key, value, in_rows in _walk(spec, "", False):
        if in_rows or not isinstance(value, (dict, list)):
            continue
        if key == "data" and isinstance(value, dict):
            total += len(value.get("values", []))
        elif key == "datasets" and isinstance(value, dict):
            total += sum(len(rows) for rows in value.values())
    return total


def _canonical(value: Any) -> str:
    """One JSON text for one value: the cache key and the size bound both use it."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


# --- styling -------------------------------------------------------------------------------------


def style_config(style: ChartStyle) -> dict:
    """A quiet Vega-Lite config for print: the style's palette, font and inks, no background,
    no frame, a light grid, no ticks on category axes, the legend on top."""
    text = {"font": style.font, "color": style.ink}
    axis_text = {"labelFont": style.font, "titleFont": style.font, "labelColor": style.muted,
                 "titleColor": style.muted, "labelFontSize": 11, "titleFontSize": 11,
                 "titleFontWeight": "normal", "labelLimit": 200, "titlePadding": 8}
    return {
        "background": None,
        "padding": 4,
        "font": style.font,
        "view": {"stroke": None},
        "title": {**text, "fontSize": 14, "fontWeight": "bold", "anchor": "start",
                  "subtitleFont": style.font, "subtitleColor": style.muted, "offset": 10},
        "axis": {**axis_text, "domainColor": style.muted, "tickColor": style.muted,
                 "gridColor": "#e3e6e9", "gridWidth": 0.8, "tickSize": 4},
        "axisDiscrete": {"domain": False, "ticks": False, "grid": False, "labelPadding": 6,
                     "labelColor": style.ink},
        "axisQuantitative": {"domain": False, "ticks": False, "tickCount": 5},
        "legend": {"labelFont": style.font, "titleFont": style.font, "labelColor": style.ink,
                   "titleColor": style.muted, "labelFontSize": 11, "titleFontSize": 11,
                   "orient": "top", "symbolType": "square", "symbolSize": 110,
                   "columnPadding": 14, "padding": 0, "offset": 10},
        "text": {**text, "fontSize": 11},
        "range": {"category": list(style.palette)},
        "mark": {"color": style.palette[0]},
        "bar": {"color": style.palette[0], "cornerRadiusEnd": 1},
        "line": {"color": style.palette[0], "strokeWidth": 2.2},
        "point": {"color": style.palette[0], "filled": True, "size": 36},
        "rule": {"color": style.muted, "strokeWidth": 1.5},
        "scale": {"bandPaddingInner": 0.25, "bandPaddingOuter": 0.1},
    }


def _sized(spec: dict, style: ChartStyle) -> dict:
    """A single or layered view is fitted to the style's size, axes and legend included, so
    the brief's layout can rely on it; a composed view keeps its own sizes."""
    if any(key in spec for key in ("facet", "repeat", "concat", "hconcat", "vconcat")):
        return spec
    return {**spec, "width": style.width, "height": style.height,
            "autosize": {"type": "fit", "contains": "padding"}}


_fonts_registered: set[Path] = set()
_fonts_lock = threading.Lock()


def register_fonts(folder: Path) -> None:
    """Register a font folder with vl-convert once per process, so text is measured with the
    font it is drawn in (a title measured in a fallback font gets clipped)."""
    folder = Path(folder).resolve()
    with _fonts_lock:
        if folder not in _fonts_registered:
            vl_convert.register_font_directory(str(folder))
            _fonts_registered.add(folder)


# --- drawing ---------------------------------------------------------------------------------


def draw_svg(spec: dict, style: ChartStyle, *, title: str,
             description: str) -> tuple[str, list[str]]:
    """(svg, warnings): the chart as a standalone, accessible, inert SVG. See `sanitize` for
    what is refused; the drawing itself is checked again before it is returned."""
    clean, warnings = sanitize(spec)
    return _render(clean, style, title, description, _chart_key(clean, style, title,
                                                                description)), warnings


def _render(clean: dict, style: ChartStyle, title: str, description: str, key: str) -> str:
    register_fonts(style.font_dir)
    try:
        raw = vl_convert.vegalite_to_svg(_sized(clean, style), vl_version=VEGA_LITE_VERSION,
                                         config=style_config(style), allowed_base_urls=[],
                                         format_locale=_number_locale(style))
    except ValueError as error:
        raise ChartError(f"the chart could not be drawn: {_first_line(error)}") from None
    if len(raw.encode("utf-8")) > MAX_SVG_BYTES:
        raise ChartError(f"the chart's SVG is larger than {MAX_SVG_BYTES // 1024 // 1024} MB")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as error:
        raise ChartError(f"vl-convert drew an unreadable SVG ({error})") from None
    _check_inert(root)
    _renumber_ids(root, f"chart-{key[:12]}")
    _label(root, f"chart-{key[:12]}", title, description)
    svg = _serialise(root)
    _check_text(svg)
    return svg


def _first_line(error: Exception) -> str:
    """vl-convert's message without its JavaScript stack."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    message = next((line for line in lines if line.startswith("Error:")), lines[-1] if lines
                   else "no reason given")
    return message.removeprefix("Error:").strip()[:300]


_FOREIGN = {"script", "foreignObject", "style", "image", "a", "iframe", "object", "embed",
            "use", "feImage"}


def _check_inert(root: ET.Element) -> None:
    """The second line of defence, on the parsed drawing: no element that runs or fetches,
    no handler, no reference that is not a '#fragment' inside this SVG."""
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in _FOREIGN:
            raise ChartError(f"the drawn chart holds a <{name}> element")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                raise ChartError(f"the drawn chart holds an event handler ({local})")
            if local == "href" and not value.startswith("#"):
                raise ChartError("the drawn chart links outside itself")
            for reference in re.findall(r"url\(\s*['\"]?([^)'\"]*)", value, re.IGNORECASE):
                if not reference.startswith("#"):
                    raise ChartError(f"the drawn chart refers to url({reference[:60]})")


def _check_text(svg: str) -> None:
    """The same promise checked on the bytes handed on, as a browser would scan them."""
    lowered = svg.lower()
    if "<script" in lowered:
        raise ChartError("the drawn chart holds a script")
    if any(re.search(r"href\s*=\s*(?!['\"]#)", tag) for tag in re.findall(r"<[^>]*>", lowered)):
        raise ChartError("the drawn chart links outside itself")


def _renumber_ids(root: ET.Element, prefix: str) -> None:
    """vl-convert numbers clip paths per process (clip1, clip2…), so the same chart drawn
    second would differ, and two charts inlined in one HTML page would share ids. Give each
    id a per-chart prefix and a number in document order, and follow every reference."""
    renamed: dict[str, str] = {}
    for element in root.iter():
        if "id" in element.attrib:
            renamed[element.attrib["id"]] = f"{prefix}-{len(renamed) + 1}"
            element.set("id", renamed[element.attrib["id"]])

    def follow(match: re.Match) -> str:
        return f"url(#{renamed.get(match[1], match[1])})"

    for element in root.iter():
        for attribute, value in element.attrib.items():
            if "url(#" in value:
                element.set(attribute, re.sub(r"url\(#([^)]*)\)", follow, value))
            elif attribute.endswith("href") and value[1:] in renamed:
                element.set(attribute, "#" + renamed[value[1:]])


def _serialise(root: ET.Element) -> str:
    """The SVG with its namespaces written as SVG authors write them (xmlns, xlink:), done
    here rather than through ElementTree's process-wide prefix registry."""
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
        for attribute in [name for name in element.attrib if name.startswith(f"{{{XLINK_NS}}}")]:
            element.set(attribute.replace(f"{{{XLINK_NS}}}", "xlink:"),
                        element.attrib.pop(attribute))
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode")


def _label(root: ET.Element, prefix: str, title: str, description: str) -> None:
    """<title> and <desc> as the root's first children, named by aria-labelledby, so a
    screen reader announces the chart as one image with its alt text (ElementTree escapes)."""
    heading = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}-title"})
    heading.text = _xml_text(title)
    desc = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{prefix}-desc"})
    desc.text = _xml_text(description)
    root.insert(0, desc)
    root.insert(0, heading)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")


# --- the cache -----------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where drawn charts are kept: $XDG_CACHE_HOME/briefgen/charts, else ~/.cache/…"""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefgen" / "charts"


def draw(spec: dict, style: ChartStyle, *, title: str,
         description: str) -> tuple[str, list[str]]:
    """(svg, warnings) like `draw_svg`, drawn once: an unchanged chart comes from the cache.
    The spec is always checked (cheap, and it gives the warnings); a cache entry that cannot
    be read, or fails the checks a fresh drawing gets, is drawn again."""
    clean, warnings = sanitize(spec)
    key = _chart_key(clean, style, title, description)
    entry = cache_dir() / f"{key}.svg"
    cached = _read_cached(entry)
    if cached is not None:
        return cached, warnings
    svg = _render(clean, style, title, description, key)
    with contextlib.suppress(OSError):  # a read-only or full cache costs a redraw, no more
        write_atomically(entry, svg.encode("utf-8"))
    return svg, warnings


def _number_locale(style: ChartStyle) -> dict:
    """d3-format's locale for the axes: the language's marks, grouping by thousands."""
    decimal, thousands = style.number_marks
    return {"decimal": decimal, "thousands": thousands, "grouping": [3], "currency": ["", ""]}


def _chart_key(clean: dict, style: ChartStyle, title: str, description: str) -> str:
    """sha256 of everything that decides the drawing: the spec, the style (with its font
    files' names, sizes and times), the labels, and the vl-convert and Vega-Lite versions."""
    fonts = sorted((path.name, path.stat().st_size, path.stat().st_mtime_ns)
                   for path in Path(style.font_dir).glob("*.[ot]tf"))
    material = {"spec": clean, "title": title, "description": description, "fonts": fonts,
                "style": {"palette": list(style.palette), "font": style.font,
                          "font_dir": str(Path(style.font_dir).resolve()),
                          "width": style.width, "height": style.height,
                          "ink": style.ink, "muted": style.muted,
                          "number_marks": list(style.number_marks)},
                "vl_convert": vl_convert.__version__, "vega_lite": VEGA_LITE_VERSION}
    return hashlib.sha256(_canonical(material).encode("utf-8")).hexdigest()


def _read_cached(entry: Path) -> str | None:
    """The cached SVG, or None if it is missing, unreadable, too large or not inert."""
    try:
        with entry.open("rb") as stream:
            data = stream.read(MAX_SVG_BYTES + 1)
        if len(data) > MAX_SVG_BYTES:
            return None
        svg = data.decode("utf-8")
        _check_inert(ET.fromstring(svg))
        _check_text(svg)
    except (OSError, UnicodeDecodeError, ET.ParseError, ChartError):
        return None
    return svg
