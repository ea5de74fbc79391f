"""Keeping live script out of the HTML edition, decided on the parsed document.

A style's template may add `<script>`, an `onload=` attribute, a `javascript:` link, a
`<meta http-equiv="refresh">` or a `<base>` to its HTML. The built-in templates never do; a
downloaded one might. The document is parsed with tinyhtml5 (the WHATWG HTML parser WeasyPrint
itself uses), so it is judged as a browser would read it, not by patterns in the text, and
what is written is always that tree serialised again (the HTML serialisation algorithm), never
the template's own bytes: where tinyhtml5 and a browser would read the same bytes differently
(Chromium's newer `<select>` parsing keeps tags tinyhtml5 drops; a `<meta charset>` that
switches a browser to ISO-2022-JP turns text into attributes), the browser gets markup that
means one thing. What was removed is named.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import tinyhtml5

_HTML = "http://www.w3.org/1999/xhtml"
_ATTRIBUTE_PREFIXES = {"http://www.w3.org/1999/xlink": "xlink:",
                       "http://www.w3.org/XML/1998/namespace": "xml:",
                       "http://www.w3.org/2000/xmlns/": "xmlns:"}

#: Elements that run or embed active content, or change where the page's links lead. `noscript`
#: too: a browser with scripting on reads its content as raw text, a parser without reads it as
#: markup, and that difference is a classic way to smuggle markup past a sanitiser.
_ACTIVE_ELEMENTS = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed",
                    "applet", "base", "portal", "handler", "listener"}
#: `<meta http-equiv>` values that only describe the document; any other (refresh, set-cookie)
#: makes the browser act.
_INERT_HTTP_EQUIV = {"content-type", "content-security-policy", "content-language",
                     "x-ua-compatible", "default-style"}
#: URL schemes that run code or load a document when followed (after the browser strips
#: whitespace and control characters from the URL). `data:image/svg+xml` is not among them:
#: an SVG shown by <img> runs no script, and Markdown images are embedded that way.
_ACTIVE_URL = re.compile(r"(?:java|vb)script:|data:(?:text/html|application/xhtml)",
                         re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
#: Characters HTML text has no use for, and ESC starts the escape sequences of ISO-2022 codes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
#: SVG animations may rewrite a link or a handler after the page has loaded.
_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform"}

_VOID = {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
         "input", "keygen", "link", "meta", "param", "source", "track", "wbr"}
_RAW_TEXT = {"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"}


def remove_active_content(html: str) -> tuple[str, list[str]]:
    """`html` without script, event handlers, script URLs, refresh, base, control characters
    or a character set other than UTF-8, as parsed and serialised again; and what was removed.
    """
    removed = []
    if _CONTROL.search(html):
        removed.append("control characters")
        html = _CONTROL.sub("", html)
    # A file object: tinyhtml5 would read a short string that names a file as that file.
    root = tinyhtml5.parse(io.StringIO(html))
    removed.extend(_clean(root))
    _trim_end_of_body(root)
    return "<!DOCTYPE html>\n" + _serialise(root) + "\n", list(dict.fromkeys(removed))


def _trim_end_of_body(root: ET.Element) -> None:
    """Whitespace at the end of the body goes: the file's final newline comes after </html>,
    and a parser moves it into the body, so keeping both would grow the body at each pass."""
    body = root.find(f"{{{_HTML}}}body")
    if body is None:
        return
    if len(body):
        body[-1].tail = (body[-1].tail or "").rstrip() or None
    else:
        body.text = (body.text or "").rstrip() or None


def _clean(parent: ET.Element, foreign: bool = False) -> list[str]:
    """Remove what is active under `parent`; `foreign` once inside <svg> or <math>."""
    removed: list[str] = []
    for child in list(parent):
        if not isinstance(child.tag, str):  # a comment
            if foreign:
                removed.append("a comment inside SVG or MathML")
                parent.remove(child)
            continue
        name = _local(child.tag)
        is_html = child.tag.startswith("{" + _HTML + "}")
        inside_foreign = foreign or not is_html
        why = _why_active(name, child, inside_foreign)
        if why is None and is_html and _is_foreign_parent(parent):
            # tinyhtml5 keeps <svg><p> as a p inside svg; a browser (and tinyhtml5 reading
            # our serialisation) ends the svg there: the two trees would differ.
            why = f"an HTML <{name}> directly inside <{_local(parent.tag)}>"
        if why:
            removed.append(why)
            _remove_keeping_tail(parent, child)
            continue
        for attribute, value in list(child.attrib.items()):
            why = _why_active_attribute(_attribute_name(attribute), value)
            if why:
                removed.append(f"{why} on <{name}>")
                del child.attrib[attribute]
        removed.extend(_clean(child, inside_foreign))
    return removed


#: Where SVG and MathML may hold HTML elements.
_INTEGRATION_POINTS = {"foreignObject", "desc", "title", "mi", "mo", "mn", "ms", "mtext",
                       "annotation-xml"}


def _is_foreign_parent(parent: ET.Element) -> bool:
    return (isinstance(parent.tag, str) and not parent.tag.startswith("{" + _HTML + "}")
            and _local(parent.tag) not in _INTEGRATION_POINTS)


def _why_active(name: str, element: ET.Element, foreign: bool) -> str | None:
    lowered = name.lower()
    if lowered in _ACTIVE_ELEMENTS:
        return f"a <{name}> element"
    if lowered == "meta":
        return _why_active_meta(element)
    target = (element.get("attributeName") or "").strip().lower()
    if lowered in _ANIMATIONS and (target.startswith("on") or target.endswith("href")):
        return f'an <{name}> that changes {target}'
    if foreign and lowered in _RAW_TEXT and element.text and "<" in element.text:
        # A style (or another element whose text is raw) inside SVG or MathML is where HTML
        # parsers disagree: is its text text, or tags? (Ordinary text is escaped when written,
        # and reads back as text in every parser: "<5 km" in a chart label stays.)
        return f"a <{name}> holding markup-like text inside SVG or MathML"
    return None


def _why_active_meta(element: ET.Element) -> str | None:
    equiv = (element.get("http-equiv") or "").strip().lower()
    if equiv and equiv not in _INERT_HTTP_EQUIV:
        return f'a <meta http-equiv="{_short(equiv)}"> element'
    charset = _declared_charset(element, equiv)
    if charset is not None and charset.strip().lower() not in ("utf-8", "utf8"):
        return f"a <meta> declaring the character set {_short(charset)} (the file is UTF-8)"
    return None


def _declared_charset(element: ET.Element, equiv: str) -> str | None:
    if element.get("charset") is not None:
        return element.get("charset")
    if equiv == "content-type":
        match = _CHARSET.search(element.get("content") or "")
        return match[1] if match else ""
    return None


def _why_active_attribute(name: str, value: str) -> str | None:
    lowered = name.lower()
    if lowered.startswith("on"):
        return f"the {name} event handler"
    if lowered == "srcdoc" or _ACTIVE_URL.match(_URL_NOISE.sub("", value)):
        return f"the {name}={_short(value)} attribute"
    return None


def _remove_keeping_tail(parent: ET.Element, child: ET.Element) -> None:
    """Remove `child`; the text after it stays where it was."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute_name(name: str) -> str:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        prefix = _ATTRIBUTE_PREFIXES.get(namespace, "")
        return "xmlns" if prefix == "xmlns:" and local == "xmlns" else prefix + local
    return name


def _serialise(element: ET.Element) -> str:
    parts: list[str] = []
    _write(element, parts)
    return "".join(parts)


def _write(element: ET.Element, parts: list[str]) -> None:
    if not isinstance(element.tag, str):
        parts.append(f"<!--{element.text or ''}-->")
        return
    name = _local(element.tag)
    is_html = element.tag.startswith("{" + _HTML + "}")
    attributes = "".join(f' {_attribute_name(k)}="{_escape_attribute(v)}"'
                         for k, v in element.attrib.items())
    parts.append(f"<{name}{attributes}>")
    if is_html and name in _VOID:
        return
    text = element.text or ""
    if is_html and name in ("pre", "textarea", "listing") and text.startswith("\n"):
        text = "\n" + text  # the parser drops one newline straight after the start tag
    parts.append(text if is_html and name in _RAW_TEXT else _escape_text(text))
    for child in element:
        _write(child, parts)
        parts.append(_escape_text(child.tail or ""))
    parts.append(f"</{name}>")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace(
        "<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    # < and > too (the algorithm does not ask it): a reader that looks for tags with a pattern,
    # such as the preview's policy mover, can then never end a tag inside a value.
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace('"', "&quot;").replace(
        "<", "&lt;").replace(">", "&gt;")
