"""Keeping live script out of the HTML edition, decided on the parsed document.

A style's template may add `<script>`, an `onload=` attribute, a `javascript:` link, a
`<meta http-equiv="refresh">` or a `<base>` to its HTML. The built-in templates never do; a
downloaded one might. The document is parsed with tinyhtml5 (the WHATWG HTML parser WeasyPrint
itself uses), so it is judged as a browser would read it, not by patterns in the text. A
document with nothing to remove is returned byte for byte; otherwise the cleaned tree is
serialised again, following the HTML serialisation algorithm, and what was removed is named.
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
#: SVG animations may rewrite a link or a handler after the page has loaded.
_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform"}

_VOID = {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
         "input", "keygen", "link", "meta", "param", "source", "track", "wbr"}
_RAW_TEXT = {"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"}


def remove_active_content(html: str) -> tuple[str, list[str]]:
    """`html` without script, event handlers, script URLs, refresh or base; and what was removed.

    Unchanged (the same string) when there is nothing to remove."""
    # A file object: tinyhtml5 would read a short string that names a file as that file.
    root = tinyhtml5.parse(io.StringIO(html))
    removed = _clean(root)
    if not removed:
        return html, []
    return "<!DOCTYPE html>\n" + _serialise(root) + "\n", list(dict.fromkeys(removed))


def _clean(parent: ET.Element, foreign: bool = False) -> list[str]:
    """Remove what is active under `parent`; `foreign` once inside <svg> or <math>."""
    removed: list[str] = []
    for child in list(parent):
        if foreign and child.tail and "<" in child.tail:
            removed.append(f"markup-like text inside <{_local(parent.tag)}>")
            child.tail = None
        if not isinstance(child.tag, str):  # a comment
            if foreign:
                removed.append("a comment inside SVG or MathML")
                parent.remove(child)
            continue
        name = _local(child.tag)
        inside_foreign = foreign or not child.tag.startswith("{" + _HTML + "}")
        why = _why_active(name, child, inside_foreign)
        if why:
            removed.append(why)
            _remove_keeping_tail(parent, child)
            continue
        for attribute, value in list(child.attrib.items()):
            why = _why_active_attribute(_attribute_name(attribute), value, inside_foreign)
            if why:
                removed.append(f"{why} on <{name}>")
                del child.attrib[attribute]
        removed.extend(_clean(child, inside_foreign))
    return removed


def _why_active(name: str, element: ET.Element, foreign: bool) -> str | None:
    lowered = name.lower()
    if lowered in _ACTIVE_ELEMENTS:
        return f"a <{name}> element"
    equiv = (element.get("http-equiv") or "").strip().lower()
    if lowered == "meta" and equiv and equiv not in _INERT_HTTP_EQUIV:
        return f'a <meta http-equiv="{_short(equiv)}"> element'
    target = (element.get("attributeName") or "").strip().lower()
    if lowered in _ANIMATIONS and (target.startswith("on") or target.endswith("href")):
        return f'an <{name}> that changes {target}'
    if foreign and element.text and "<" in element.text:
        # Markup-like text inside SVG or MathML is where HTML parsers (and a parse after a
        # serialisation) disagree about what is text and what is a tag.
        return f"a <{name}> holding markup-like text inside SVG or MathML"
    return None


def _why_active_attribute(name: str, value: str, foreign: bool) -> str | None:
    lowered = name.lower()
    if lowered.startswith("on"):
        return f"the {name} event handler"
    if lowered == "srcdoc" or _ACTIVE_URL.match(_URL_NOISE.sub("", value)):
        return f"the {name}={_short(value)} attribute"
    if foreign and "<" in value:
        return f"the {name} attribute holding markup inside SVG or MathML"
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
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace('"', "&quot;")
