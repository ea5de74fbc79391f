"""The second hostile round: a downloaded style or an odd brief folder trying to get CSS that
fetches, live script into the HTML, files read from outside, or writes outside `-o`."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from briefgen.layout import Rendered
from briefgen.pdf import lay_out
from conftest import MINI
from test_security import CountingServer, add_markdown, invoke, potent, server, write_style

__all__ = ["server"]  # the fixture, used by name below


def _page_style(root: Path, page_yaml: str) -> Path:
    styles = write_style(root)
    settings = styles / "hostile" / "style.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + page_yaml, encoding="utf-8")
    return styles


# --- hole 2: page settings that become CSS ------------------------------------------------------


@pytest.mark.parametrize("field", ["size", "margin"])
@pytest.mark.parametrize("payload", [
    "A4; } @font-face { font-family: x; src: url({http}/font.ttf) } @page { size: A4",
    "A4; } body { background: url({http}/bg.png) } @page {",
    "20mm; } @import url({http}/x.css); @page {",
    "url({http}/x.png)",
    "url(file:///dev/zero)",
    "A4 /* */",
    "A4;margin:0",
    "A4\n} body { background: url({http}/nl.png) }",
    "21O mm",
    "-5mm",
    "1e9mm",
    "calc(1mm)",
    "var(--x)",
    "A4 \\3b } body { color: red",
])
def test_page_settings_are_held_to_a_grammar(mini: Path, tmp_path: Path, server: CountingServer,
                                             field: str, payload: str):
    value = payload.replace("{http}", server.base)
    # A JSON string is a YAML double-quoted scalar: the value arrives exactly as written.
    styles = _page_style(tmp_path / "styles", f"page:\n  {field}: {json.dumps(value)}\n")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "style.yaml" in result.output and f"page.{field}" in result.output
    assert server.requests == []
    assert not (tmp_path / "out" / "mini" / "hostile.pdf").exists()


@pytest.mark.parametrize(("size", "margin"), [
    ("A5", "12mm"), ("a4 landscape", "20mm 15mm"), ("landscape letter", "1in 0.75in 1in"),
    ("148mm 210mm", "10mm 12mm 14mm 16mm"), ("auto", "0"),
])
def test_ordinary_page_settings_still_work(mini: Path, tmp_path: Path, size: str, margin: str):
    styles = _page_style(tmp_path / "styles", f"page:\n  size: {size}\n  margin: {margin}\n")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf", "-j", "1")
    assert result.exit_code == 0, result.output


def test_the_page_stylesheet_is_parsed_under_the_guarded_fetcher(tmp_path: Path,
                                                                 server: CountingServer):
    """Second line of defence: even CSS briefgen writes itself cannot fetch."""
    secret = potent(tmp_path / "secret.css", f"SECRET-{uuid.uuid4().hex}")
    page_rule = (f"@import url({server.url('/page.css')}); @import url(file://{secret}); "
                 f"@font-face {{ font-family: x; src: url({server.url('/f.ttf')}) }} "
                 "body { font-family: x; background: url(file:///dev/zero) }")
    rendered = Rendered(html="<!doctype html><title>t</title><p>text</p>",
                        base_url=tmp_path / "brief", stylesheets=[page_rule],
                        roots=[tmp_path / "brief"])
    (tmp_path / "brief").mkdir()
    laid_out = lay_out(rendered)
    assert server.requests == []
    assert any("refused to fetch" in w and "/dev/zero" in w for w in laid_out.warnings)


# --- hole 3: live script in a style's HTML --------------------------------------------------------

HOSTILE_HEAD = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<meta http-equiv="Refresh " content="0">',
    '<meta http-equiv="set-cookie" content="a=b">',
    '<base href="https://evil.example/">',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
]
HOSTILE_BODY = [
    "<img src=x onerror=alert(1)>",
    '<div ONCLICK="alert(1)">x</div>',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="  JaVa&#x09;ScRiPt:alert(1)">b</a>',
    '<a href="&#x6a;avascript:alert(1)">c</a>',
    '<a href="vbscript:msgbox(1)">d</a>',
    '<a href="data:text/html,<script>alert(1)</script>">e</a>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">f</button></form>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>g</text></a></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
    '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    '<details open ontoggle="alert(1)">h</details>',
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<img src="x" /onerror="alert(1)">',
]


def _live_parts(html: str) -> list[str]:
    """What a browser would run, judged on the document as a browser parses it."""
    import io

    import tinyhtml5

    found = []
    for element in tinyhtml5.parse(io.StringIO(html)).iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rpartition("}")[2].lower()
        if name in {"script", "iframe", "object", "embed", "base", "noscript"}:
            found.append(f"<{name}>")
        if name == "meta" and (element.get("http-equiv") or "").strip().lower() in (
                "refresh", "set-cookie"):
            found.append("<meta http-equiv>")
        if name in ("set", "animate") and element.get("attributeName", "").startswith("on"):
            found.append(f"<{name}> of a handler")
        if element.find(".//{http://www.w3.org/1999/xhtml}style") is not None and (
                name in ("svg", "math")):
            found.append(f"an HTML <style> inside <{name}>")  # browsers disagree about it
        if name in ("svg", "math") and "</" in "".join(
                v for e in element.iter() for v in e.attrib.values()) and "&lt;" not in html:
            # Markup hidden in an attribute is live only where the bytes are a browser's to
            # parse as written; written again from the tree, '<' is escaped ("&lt;").
            found.append(f"markup hidden in an attribute inside <{name}>")
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2].lower()
            cleaned = "".join(value.split()).lower()
            if local.startswith("on") or cleaned.startswith(("javascript:", "vbscript:",
                                                             "data:text/html")):
                found.append(f"<{name} {local}>")
    return found


def _build_html(mini: Path, tmp_path: Path, head: str, body: str):
    styles = write_style(tmp_path / "styles", head=head, colophon=body)
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    return result, tmp_path / "out" / "mini" / "hostile.html"


def test_a_styles_live_script_never_reaches_the_html(mini: Path, tmp_path: Path):
    result, html = _build_html(mini, tmp_path, "\n".join(HOSTILE_HEAD), "\n".join(HOSTILE_BODY))
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert _live_parts(text) == []
    assert "Hostile colophon." in text and "Cooperation starts with data." in text
    for named in ("<script>", "onerror", "javascript:", "refresh", "<base>", "set-cookie"):
        assert named in result.output, named
    # The page is still the page: the head's CSS and the sections survive re-serialising.
    assert "<style>" in text and 'id="executive-summary"' in text


@pytest.mark.parametrize("markup", HOSTILE_HEAD + HOSTILE_BODY)
def test_each_live_vector_is_removed_with_a_warning(mini: Path, tmp_path: Path, markup: str):
    from briefgen.active_content import remove_active_content

    page = ("<!DOCTYPE html><html><head><title>t</title></head><body><p>before</p>"
            f"{markup}<p>after</p></body></html>")
    assert _live_parts(page), "the vector is live as written"
    cleaned, removed = remove_active_content(page)
    assert _live_parts(cleaned) == [] and removed
    assert "before" in cleaned  # what follows may sit inside the removed element
    assert remove_active_content(cleaned) == (cleaned, [])  # stable when parsed again


def test_a_clean_document_keeps_its_content_and_is_stable():
    from briefgen.active_content import remove_active_content

    page = ("<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
            "<style>p>a{color:red}</style></head><body><p title='a&amp;b'>x &lt; y"
            '<a href="https://example.org/?a=1&amp;b=2">l</a><svg viewBox="0 0 1 1">'
            '<a href="#top"><text>t</text></a></svg><pre>\ncode</pre></body></html>\n')
    cleaned, removed = remove_active_content(page)
    assert removed == []
    for kept in ("<style>p>a{color:red}</style>", 'title="a&amp;b"', "x &lt; y",
                 'href="https://example.org/?a=1&amp;b=2"', 'viewBox="0 0 1 1"',
                 "default-src 'none'", "<pre>code</pre>"):
        assert kept in cleaned, kept
    assert remove_active_content(cleaned) == (cleaned, [])


#: Markup tinyhtml5 and a current browser read differently: tinyhtml5 sees nothing live.
DIFFERENTIAL = [
    "<select><img src=x onerror=\"document.title='PWNED'\"></select>",
    "<select><svg onload=\"document.title='PWNED'\"></svg></select>",
    "<select><div><img src=x onerror=\"document.title='PWNED'\"></div></select>",
    "<select><option><img src=x onerror=\"document.title='PWNED'\"></option></select>",
    "<select><iframe srcdoc=\"<script>parent.document.title='PWNED'</script>\"></iframe>"
    "</select>",
    # ISO-2022-JP: ESC $ B swallows the quote that ends alt=, ESC ( B switches back.
    '<meta charset="iso-2022-jp"><img alt="\x1b$B">\x1b(B" src=x '
    "onerror=\"document.title='PWNED'\" y=\"\">",
]


@pytest.mark.parametrize("markup", DIFFERENTIAL)
def test_markup_a_browser_reads_differently_is_not_passed_through(markup: str):
    from briefgen.active_content import remove_active_content

    page = ("<!DOCTYPE html><html><head><title>clean</title></head><body><p>before</p>"
            f"{markup}<p>after</p></body></html>")
    cleaned, _ = remove_active_content(page)
    assert _live_parts(cleaned) == [] and "\x1b" not in cleaned and "iso-2022" not in cleaned


def test_in_chromium_no_vector_runs(tmp_path: Path):
    from briefgen.active_content import remove_active_content
    from conftest import chromium

    pages = []
    for number, markup in enumerate(HOSTILE_HEAD + HOSTILE_BODY + DIFFERENTIAL):
        charset = "" if "charset" in markup else '<meta charset="utf-8">'
        live = markup.replace("alert(1)", "document.title='PWNED'")
        page = (f"<!DOCTYPE html><html><head>{charset}<title>clean</title></head><body>"
                f"{live}</body></html>")
        cleaned, _ = remove_active_content(page)
        path = tmp_path / f"page{number}.html"
        path.write_bytes(cleaned.encode("utf-8"))
        pages.append((markup, path))
    with chromium() as browser:
        context = browser.new_context(java_script_enabled=True)
        tab = context.new_page()
        tab.route("**/*", lambda route: route.abort()
                  if not route.request.url.startswith("file:") else route.continue_())
        dialogs: list[str] = []
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for markup, path in pages:
            tab.goto(path.as_uri())
            tab.wait_for_timeout(50)
            assert tab.title() == "clean", markup
        assert dialogs == []


def test_the_project_may_allow_scripts(mini: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "briefgen.toml").write_text("allow_scripts = true\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result, html = _build_html(mini, tmp_path, "<script>window.ok = 1</script>", "")
    assert result.exit_code == 0, result.output
    assert "<script>window.ok = 1</script>" in html.read_text(encoding="utf-8")
    assert "removed" not in result.output


# --- hole 5: files read wherever they point ------------------------------------------------------


def _with_text(brief: Path, text: str) -> None:
    sources = brief / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "  type: report\n", f"  type: report\n  text: {json.dumps(text)}\n", 1), encoding="utf-8")


def _text_vectors(brief: Path, outside: Path) -> dict[str, str]:
    """Name → the `text:` value; each aims at something a build must not read."""
    os.mkfifo(brief / "pipe.txt")
    (brief / "link.txt").symlink_to(outside)
    (brief / "zero.txt").symlink_to("/dev/zero")
    (brief / "folder").mkdir()
    with (brief / "sparse.txt").open("wb") as handle:
        handle.truncate(6 * 2**30)  # 6 GB that take no disk
    (brief / "loop.txt").symlink_to(brief / "loop.txt")
    return {"absolute": str(outside), "dotdot": "../secret.txt", "link-out": "link.txt",
            "device": "zero.txt", "proc": "/proc/self/pagemap", "folder": "folder",
            "sparse": "sparse.txt", "fifo": "pipe.txt", "missing": "nothere.txt",
            "link-loop": "loop.txt", "dotdot-inside": "folder/../../secret.txt"}


VECTOR_NAMES = ["absolute", "dotdot", "link-out", "device", "proc", "folder", "sparse", "fifo",
                "missing", "link-loop", "dotdot-inside"]


@pytest.mark.parametrize("vector", VECTOR_NAMES)
@pytest.mark.parametrize("command", ["validate", "build", "check"])
def test_a_source_text_is_read_only_from_inside_the_brief(mini: Path, tmp_path: Path,
                                                           vector: str, command: str):
    import hashlib
    import time

    outside = potent(tmp_path / "secret.txt", f"SECRET-{uuid.uuid4().hex}")
    _with_text(mini, _text_vectors(mini, outside)[vector])
    args = ["-o", tmp_path / "out", "-f", "html"] if command == "build" else []
    started = time.monotonic()
    result = invoke(command, mini, *args)
    assert time.monotonic() - started < 20  # never a read of 6 GB or of a device
    assert result.exit_code == 1, result.output
    assert "sources.yaml:7" in result.output and "sources.water-report.text" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert hashlib.sha256(outside.read_bytes()).hexdigest() not in result.output


def test_a_source_text_inside_the_brief_is_hashed_into_the_manifest(mini: Path, tmp_path: Path):
    (mini / "texts").mkdir()
    (mini / "texts" / "water.txt").write_text("Water use rose by 12% in 2020.", encoding="utf-8")
    _with_text(mini, "texts/water.txt")
    result = invoke("build", mini, "-o", tmp_path / "out", "-f", "html", "-s", "memo")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert any("water.txt" in name for name in manifest["outputs"][0]["inputs"])


@pytest.mark.parametrize("target", ["outside", "/dev/zero", "sparse"])
def test_a_link_in_a_style_folder_is_a_located_error(mini: Path, tmp_path: Path, target: str):
    import hashlib

    outside = potent(tmp_path / "secret.svg", f"SECRET-{uuid.uuid4().hex}")
    styles = write_style(tmp_path / "styles")
    link = styles / "hostile" / "logo.svg"
    if target == "sparse":
        with link.open("wb") as handle:
            handle.truncate(6 * 2**30)
    else:
        link.symlink_to(outside if target == "outside" else target)
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "logo.svg" in result.output and "internal error" not in result.output
    assert hashlib.sha256(outside.read_bytes()).hexdigest() not in result.output
    assert not (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.parametrize("name", ["brief.md", "sources.yaml"])
def test_brief_files_that_link_outside_are_refused(mini: Path, tmp_path: Path, name: str):
    outside = tmp_path / f"outside-{name}"
    (mini / name).rename(outside)
    (mini / name).symlink_to(outside)
    result = invoke("validate", mini)
    assert result.exit_code == 1, result.output
    assert "leads outside the brief's folder" in result.output


# --- hole 6: writes outside the output folder -----------------------------------------------------


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", ["...md", "..md", ".md", ".hidden.md", " .md", "x\n.md",
                                  "-.md", "😀.md", "a" * 120 + ".md"])
@pytest.mark.parametrize("force", [False, True])
def test_an_odd_brief_file_name_writes_nothing(mini: Path, tmp_path: Path, name: str,
                                               force: bool):
    brief = mini / name
    (mini / "brief.md").rename(brief)
    before = _files_under(tmp_path)
    result = invoke("build", brief, "-o", tmp_path / "out", "-f", "html",
                    *(["--force"] if force else []))
    assert result.exit_code == 1, result.output
    assert "cannot name the brief's output folder" in result.output
    assert "internal error" not in result.output
    assert _files_under(tmp_path) == before


@pytest.mark.parametrize("spelling", ["..", "../", "../.", "../sub/..", "."])
def test_a_brief_folder_named_by_dots_builds_inside_the_output(
        mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str):
    (mini / "sub").mkdir()
    monkeypatch.chdir(mini if spelling == "." else mini / "sub")
    out = tmp_path / "out"
    before = _files_under(tmp_path)
    result = invoke("build", spelling, "-o", out, "-f", "html", "-s", "memo", "--force")
    assert result.exit_code == 0, result.output
    assert _files_under(tmp_path) - before == {out / "mini" / "memo.html",
                                               out / "manifest.json", out / ".briefgen-cache.json"}


def test_unicode_brief_names_are_fine(mini: Path, tmp_path: Path):
    folder = mini.rename(tmp_path / "внешняя политика")
    result = invoke("build", folder, "-o", tmp_path / "out", "-f", "html", "-s", "memo")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "внешняя политика" / "memo.html").is_file()


# --- hole 7: the render time limit holds whatever the code in between catches --------------------


def _use_bomb(levels: int = 8, fan: int = 10) -> str:
    """An SVG of `levels` nested groups of `fan` <use>s: fan**levels shapes to draw."""
    groups = ['<g id="g0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#g{level - 1}"/>' for _ in range(fan))
        groups.append(f'<g id="g{level}">{uses}</g>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><defs>'
            + "".join(groups) + f'</defs><use href="#g{levels}"/></svg>')


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_time_limit_stops_an_svg_that_weasyprint_would_draw_for_minutes(
        mini: Path, tmp_path: Path, jobs: str):
    import time

    (mini / "bomb.svg").write_text(_use_bomb(), encoding="utf-8")
    add_markdown(mini, "![a map](bomb.svg)")
    started = time.monotonic()
    result = invoke("build", mini, "-s", "standard", "-s", "memo", "-f", "pdf", "-f", "html",
                    "-o", tmp_path / "out", "-j", jobs, "--render-timeout", "2")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert "mini/standard.pdf took longer than 2 s to render; stopped" in result.output
    assert elapsed < 30, elapsed  # the alarm at 2 s, the kill from outside by 5 s
    out = tmp_path / "out" / "mini"
    assert not (out / "standard.pdf").exists()
    assert (out / "standard.html").is_file() and (out / "memo.html").is_file()
    assert not list(out.glob(".*.tmp"))  # no half-written file left behind


def test_an_svg_image_in_the_brief_survives_in_the_html(mini: Path, tmp_path: Path):
    (mini / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="20" '
                                    'height="20"><rect width="9" height="9"/></svg>',
                                    encoding="utf-8")
    add_markdown(mini, "![a chart](chart.svg)")
    result = invoke("build", mini, "-s", "web", "-o", tmp_path / "out")
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    html = (tmp_path / "out" / "mini" / "web.html").read_text(encoding="utf-8")
    assert 'src="data:image/svg+xml;base64,' in html


# --- images that decode to gigabytes, and warnings that print kilobytes ---------------------------


def _png_claiming(width: int, height: int) -> bytes:
    """A small PNG file (grey, all black) that decodes to width × height pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_an_image_that_decodes_to_gigabytes_is_refused_with_a_located_warning(
        mini: Path, tmp_path: Path, fmt: str):
    (mini / "bomb.png").write_bytes(_png_claiming(10_000, 10_000))
    add_markdown(mini, "![a bomb](bomb.png)")
    styles = write_style(tmp_path / "styles", colophon='<div class="bg"></div>',
                         css=".bg { width: 5mm; height: 5mm; background: url(bomb.png); }")
    (styles / "hostile" / "bomb.png").write_bytes((mini / "bomb.png").read_bytes())
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", fmt)
    assert result.exit_code == 0, result.output
    assert "image 'bomb.png' refused: it is 10,000 × 10,000 pixels" in result.output
    assert "DecompressionBomb" not in result.output and "site-packages" not in result.output
    if fmt == "pdf":
        assert "bomb.png: it is 10,000 × 10,000 pixels" in result.output  # the style's too


def test_a_warning_names_a_data_uri_without_printing_all_of_it(mini: Path, tmp_path: Path):
    import base64

    broken = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"x" * 5000).decode()
    styles = write_style(tmp_path / "styles",
                         colophon=f'<img alt="" src="data:image/svg+xml;base64,{broken}">')
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "data:image/svg+xml" in line]
    assert lines and all(len(line) < 200 and "…" in line for line in lines), lines


# --- the re-attack's findings ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["styles", "build", "validate"])
def test_a_style_yaml_that_links_outside_is_never_read(mini: Path, tmp_path: Path,
                                                        command: str):
    token = f"SECRET-{uuid.uuid4().hex}"
    (tmp_path / "outside.yaml").write_text(f"description: {token}\n", encoding="utf-8")
    styles = tmp_path / "styles"
    (styles / "leak").mkdir(parents=True)
    (styles / "leak" / "style.yaml").symlink_to(tmp_path / "outside.yaml")
    args = {"styles": [],
            "build": [mini, "-s", "leak", "-o", tmp_path / "out", "-f", "html"],
            "validate": [mini, "-s", "leak"]}[command]
    result = invoke(command, *args, "-t", styles)
    assert token not in result.output
    assert result.exit_code == 1 and "leads outside the style folder" in result.output


def test_a_template_nested_too_deeply_to_compile_is_a_located_error(mini: Path, tmp_path: Path):
    styles = write_style(tmp_path / "styles", colophon="{{ " + "[" * 400 + "1" + "]" * 400 + " }}")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html")
    assert result.exit_code == 1, result.output
    assert "nests expressions too deeply" in result.output and "brief.html.j2" in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize("name", ["latest", "LATEST", "manifest.json"])
def test_a_brief_cannot_be_named_like_the_output_folders_own_files(tmp_path: Path, name: str):
    folder = tmp_path / name
    shutil.copytree(MINI, folder)
    result = invoke("build", folder, "-o", tmp_path / "out", "-f", "html", "-s", "memo")
    assert result.exit_code == 1 and "cannot name the brief's output folder" in result.output
    assert not (tmp_path / "out").exists()


def test_an_edit_to_a_users_shared_macros_rebuilds(mini: Path, tmp_path: Path):
    from conftest import ROOT

    styles = write_style(tmp_path / "styles")
    shared = styles / "_shared"
    shared.mkdir()
    macros = (ROOT / "templates" / "_shared" / "macros.html.j2").read_text(encoding="utf-8")
    (shared / "macros.html.j2").write_text(macros, encoding="utf-8")
    args = ("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out", "-f", "html")
    assert invoke(*args).exit_code == 0
    (shared / "macros.html.j2").write_text(macros + "{# changed #}\n", encoding="utf-8")
    assert "wrote 1 file " in invoke(*args).output
