"""Hostile input: a downloaded style or a brief trying to read files, reach the network, or put
live markup into the output.

Every fetch test runs a real HTTP server on 127.0.0.1 that counts the requests it gets, and puts
secret files (holding a unique token) beside the brief folder, never inside it. The secrets are
"potent": an SVG that would print the token, a stylesheet that would print it, so a leak shows up
in the PDF's text, and the PDF's compressed streams are searched too (an embedded file would be
compressed).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefgen import safety
from briefgen.cli import app
from briefgen.content import load_brief
from briefgen.errors import BriefgenError
from briefgen.markdown import MarkdownRenderer
from briefgen.render import render_html
from briefgen.styles import StyleLibrary
from conftest import MINI, pdf_text

runner = CliRunner()
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


# --- a counting HTTP server ---------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xcc\x22\x22")) + chunk(b"IEND", b""))


class CountingServer:
    """http.server on 127.0.0.1, port 0, in a thread; `requests` lists every path asked for."""

    BIG = 64 * 1024

    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append(self.path)
                path = self.path
                if path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "/landing.png")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path == "/big.png":
                    self._send(b"\x89PNG" + b"\x00" * self.BIG, "image/png")
                elif path == "/big-unsized.png":  # no Content-Length: read until the close
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.end_headers()
                    self.wfile.write(b"\x89PNG" + b"\x00" * self.BIG)
                elif path.endswith(".png"):
                    self._send(png_bytes(), "image/png")
                elif path.endswith(".css"):
                    self._send(b'body::after { content: "SERVED-CSS"; }', "text/css")
                elif path.endswith(".html"):
                    self._send(b"<p>a page</p>", "text/html")
                else:
                    self._send(b"SERVED", "text/plain")

            do_POST = do_HEAD = do_GET  # noqa: N815

            BIG = CountingServer.BIG

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutting the server down takes one interval.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingServer]:
    for name in PROXY_VARIABLES:  # a proxy would take the requests instead of our server
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    counting = CountingServer()
    yield counting
    counting.close()


# --- secrets, leaks, styles ---------------------------------------------------------------------


def potent(path: Path, token: str) -> Path:
    """A file outside the brief that would print `token` if it were ever used."""
    if path.suffix == ".svg":
        path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="30">'
                        f'<text x="2" y="20" font-size="14">{token}</text></svg>',
                        encoding="utf-8")
    elif path.suffix == ".css":
        path.write_text(f'body::before {{ content: "{token}"; }}', encoding="utf-8")
    else:
        path.write_text(f"{token}\n", encoding="utf-8")
    return path


def pdf_payload(path: Path) -> bytes:
    """The PDF's bytes plus every stream, decompressed: an embedded file cannot hide in Flate."""
    raw = path.read_bytes()
    parts = [raw]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.DOTALL):
        try:
            parts.append(zlib.decompress(match[1]))
        except zlib.error:
            parts.append(match[1])
    return b"\n".join(parts)


def assert_no_leak(pdf: Path | None, html: Path | None, token: str) -> None:
    if pdf is not None:
        assert token.encode() not in pdf_payload(pdf)
        assert token not in pdf_text(pdf)
        assert PdfReader(pdf).attachments == {}
        assert b"root:x:0" not in pdf_payload(pdf)
    if html is not None:
        text = html.read_text(encoding="utf-8")
        assert token not in text and "root:x:0" not in text


def write_style(root: Path, *, colophon: str = "", head: str = "", css: str = "",
                name: str = "hostile") -> Path:
    """A "downloaded" style: extends standard, puts `colophon` (and `head`) markup into those
    blocks, and adds `css` as its stylesheet. Returns the folder to pass as --templates."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "style.yaml").write_text(
        "extends: standard\nstylesheets: [hostile.css]\n", encoding="utf-8")
    template = '{% extends "standard/brief.html.j2" %}\n'
    if head:
        template += "{% block head %}{{ super() }}\n" + head + "\n{% endblock %}\n"
    template += ('{% block colophon %}<footer class="colophon"><p>Hostile colophon.</p>\n'
                 + colophon + "\n</footer>{% endblock %}\n")
    (folder / "brief.html.j2").write_text(template, encoding="utf-8")
    (folder / "hostile.css").write_text(css, encoding="utf-8")
    return root


def add_markdown(brief: Path, markdown: str) -> None:
    path = brief / "brief.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Cooperation starts with data.", f"Cooperation starts with data.\n\n{markdown}\n"),
        encoding="utf-8")


def svg_data_uri(inner: str) -> str:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="60" height="60">{inner}</svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# --- every fetch vector, in one hostile build ---------------------------------------------------


@dataclass(frozen=True)
class Vector:
    """One way a style or a brief could make WeasyPrint (or the renderer) fetch something."""

    id: str
    colophon: str = ""
    head: str = ""
    css: str = ""
    markdown: str = ""
    warning: str | None = None  # what the build's warnings must name
    path: str | None = None  # the server path it would request


def vectors(http: str, tmp: Path, brief: Path, styles: Path, token: str) -> list[Vector]:
    """The vectors; the secrets they aim at are made here, one per vector, outside the brief."""

    def secret(name: str) -> str:
        return potent(tmp / name, token).as_uri()

    symlink_css = brief / "css-link.svg"
    symlink_css.symlink_to(potent(tmp / "secret-symlink-css.svg", token))
    (brief / "md-link.svg").symlink_to(potent(tmp / "secret-symlink-md.svg", token))
    (tmp / "secret-dir").mkdir()
    potent(tmp / "secret-dir" / "inside.svg", token)
    (brief / "md-dir").symlink_to(tmp / "secret-dir", target_is_directory=True)
    secret_txt = (tmp / "secret.txt").as_uri()
    (brief / "xxe.svg").write_text(  # inside the brief folder, so it is embedded and parsed
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY leak SYSTEM "{secret_txt}">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="30">'
        '<text x="2" y="20">&leak;</text></svg>', encoding="utf-8")
    return [
        Vector("link-attachment-secret", colophon=f'<link rel="attachment" href="{secret_txt}">',
               warning=secret_txt),
        Vector("link-attachment-passwd", colophon='<link rel="attachment" href="/etc/passwd">',
               warning="file:///etc/passwd"),
        Vector("link-attachment-http",
               colophon=f'<link rel="attachment" href="{http}/link-attachment.txt">',
               warning=f"{http}/link-attachment.txt", path="/link-attachment.txt"),
        Vector("a-attachment",
               colophon='<p><a rel="attachment" href="../secret-a-attachment.txt">notes</a></p>',
               warning=secret("secret-a-attachment.txt")),
        Vector("img-file", colophon=f'<img src="{secret("secret-img.svg")}" alt="">',
               warning=(tmp / "secret-img.svg").as_uri()),
        Vector("img-http", colophon=f'<img src="{http}/img.png" alt="">',
               warning=f"{http}/img.png", path="/img.png"),
        Vector("img-redirect", colophon=f'<img src="{http}/redirect-img" alt="">',
               warning=f"{http}/redirect-img", path="/redirect-img"),
        Vector("object", colophon='<object data="../secret-object.svg" type="image/svg+xml">'
               "</object>", warning=secret("secret-object.svg")),
        Vector("object-http", colophon=f'<object data="{http}/object.svg" '
               'type="image/svg+xml"></object>', warning=f"{http}/object.svg",
               path="/object.svg"),
        Vector("embed", colophon=f'<embed src="{http}/embed.svg" type="image/svg+xml">',
               warning=f"{http}/embed.svg", path="/embed.svg"),
        Vector("dotdot", colophon='<img src="../secret-dotdot.svg" alt="">',
               warning=secret("secret-dotdot.svg")),
        Vector("style-attribute-url", colophon='<div style="width: 20mm; height: 5mm; '
               f"background: url('{http}/style-attribute.png')\"></div>",
               warning=f"{http}/style-attribute.png", path="/style-attribute.png"),
        Vector("data-svg-image-file", colophon='<img alt="" src="'
               + svg_data_uri(f'<image href="{secret("secret-data-svg.svg")}" '
                              'width="60" height="60"/>') + '">',
               warning=(tmp / "secret-data-svg.svg").as_uri()),
        Vector("data-svg-image-http", colophon='<img alt="" src="'
               + svg_data_uri(f'<image xlink:href="{http}/data-svg.png" width="9" height="9"/>')
               + '">', warning=f"{http}/data-svg.png", path="/data-svg.png"),
        Vector("inline-svg-image", colophon='<svg width="40" height="40">'
               f'<image href="{http}/inline-svg.png" width="40" height="40"/></svg>',
               warning=f"{http}/inline-svg.png", path="/inline-svg.png"),
        Vector("style-element-import",
               head=f'<style>@import url("{secret("secret-style-import.css")}");</style>',
               warning=(tmp / "secret-style-import.css").as_uri()),
        Vector("style-element-import-http",
               head=f'<style>@import url("{http}/style-import.css");</style>',
               warning=f"{http}/style-import.css", path="/style-import.css"),
        Vector("link-stylesheet", head=f'<link rel="stylesheet" href="{http}/link.css">',
               warning=f"{http}/link.css", path="/link.css"),
        Vector("css-import-http", css=f'@import url("{http}/import.css");',
               warning=f"{http}/import.css", path="/import.css"),
        Vector("css-import-file", css=f'@import url("{secret("secret-css-import.css")}");',
               warning=(tmp / "secret-css-import.css").as_uri()),
        Vector("css-import-relative", css='@import "../../secret-css-relative.css";',
               warning=secret("secret-css-relative.css")),
        Vector("font-face-http", css='@font-face { font-family: EvilHttp; '
               f'src: url("{http}/font.woff"); }} .colophon p {{ font-family: EvilHttp; }}',
               warning=f"{http}/font.woff", path="/font.woff"),
        Vector("font-face-file", css='@font-face { font-family: EvilFile; '
               f'src: url("{secret("secret-font.woff")}"); }} '
               ".colophon { font-family: EvilFile, serif; }",
               warning=(tmp / "secret-font.woff").as_uri()),
        Vector("css-background", css=f'.colophon {{ background: url("{http}/background.png"); }}',
               warning=f"{http}/background.png", path="/background.png"),
        Vector("css-list-style-image", colophon='<ul class="evil-list"><li>item</li></ul>',
               css=f'.evil-list {{ list-style-image: url("{http}/list.png"); }}',
               warning=f"{http}/list.png", path="/list.png"),
        Vector("css-content-url",
               css=f'.colophon::after {{ content: url("{secret("secret-content.svg")}"); }}',
               warning=(tmp / "secret-content.svg").as_uri()),
        Vector("symlink-in-brief-as-css-url",
               css=f'.colophon::before {{ content: url("{symlink_css.as_uri()}"); }}',
               warning=symlink_css.as_uri()),
        Vector("markdown-symlink", markdown="![symlinked](md-link.svg)",
               warning="image 'md-link.svg' refused"),
        Vector("markdown-symlinked-folder", markdown="![in a linked folder](md-dir/inside.svg)",
               warning="image 'md-dir/inside.svg' refused"),
        Vector("markdown-dotdot", markdown="![up](../secret-markdown-dotdot.svg)",
               warning="image '../secret-markdown-dotdot.svg' refused"),
        Vector("markdown-absolute",
               markdown=f"![absolute]({potent(tmp / 'secret-md-abs.svg', token)})",
               warning=f"image '{tmp / 'secret-md-abs.svg'}' refused"),
        Vector("markdown-http", markdown=f"![remote]({http}/markdown.png)",
               warning=f"image '{http}/markdown.png' refused", path="/markdown.png"),
        Vector("markdown-redirect", markdown=f"![redirected]({http}/redirect-markdown)",
               warning=f"image '{http}/redirect-markdown' refused", path="/redirect-markdown"),
        # An external XML entity in an SVG the brief may embed: the XML parser never reads it.
        Vector("svg-external-entity", markdown="![entity](xxe.svg)"),
        # markdown-it does not even make an image of a file: URL; it stays text.
        Vector("markdown-file-scheme",
               markdown=f"![file]({potent(tmp / 'secret-md-file.svg', token).as_uri()})"),
    ]


VECTOR_IDS = [
    "link-attachment-secret", "link-attachment-passwd", "link-attachment-http", "a-attachment",
    "img-file", "img-http", "img-redirect", "object", "object-http", "embed", "dotdot",
    "style-attribute-url", "data-svg-image-file", "data-svg-image-http", "inline-svg-image",
    "style-element-import", "style-element-import-http", "link-stylesheet", "css-import-http",
    "css-import-file", "css-import-relative", "font-face-http", "font-face-file",
    "css-background", "css-list-style-image", "css-content-url", "symlink-in-brief-as-css-url",
    "markdown-symlink", "markdown-symlinked-folder", "markdown-dotdot",
    "markdown-absolute", "markdown-http", "markdown-redirect", "svg-external-entity",
    "markdown-file-scheme",
]


@dataclass
class HostileBuild:
    out: Path
    output: str
    exit_code: int
    requests: list[str]
    token: str
    control: str
    vectors: dict[str, Vector]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileBuild]:
    """The fixture brief built (PDF and HTML) in a style carrying every vector at once, plus a
    control: an SVG inside the brief folder that must show up, so the leak checks can see."""
    tmp = tmp_path_factory.mktemp("hostile")
    token, control = f"SECRET-{uuid.uuid4().hex}", f"CONTROL-{uuid.uuid4().hex}"
    potent(tmp / "secret.txt", token)
    brief = tmp / "brief"
    shutil.copytree(MINI, brief)
    potent(brief / "control.svg", control)
    styles = tmp / "styles"
    with pytest.MonkeyPatch.context() as patch:
        for name in PROXY_VARIABLES:
            patch.delenv(name, raising=False)
            patch.delenv(name.upper(), raising=False)
        counting = CountingServer()
        try:
            found = vectors(counting.base, tmp, brief, styles, token)
            css = [v.css for v in found if v.css.startswith("@import")]
            css += [v.css for v in found if v.css and not v.css.startswith("@import")]
            write_style(styles, colophon="\n".join(v.colophon for v in found if v.colophon)
                        + '\n<img src="control.svg" alt="">',
                        head="\n".join(v.head for v in found if v.head), css="\n".join(css))
            add_markdown(brief, "\n\n".join(v.markdown for v in found if v.markdown))
            result = invoke("build", brief, "-s", "hostile", "-t", styles, "-o", tmp / "out",
                            "-f", "pdf", "-f", "html", "-j", "1")
            yield HostileBuild(tmp / "out" / "brief", result.output, result.exit_code,
                               list(counting.requests), token, control,
                               {v.id: v for v in found})
        finally:
            counting.close()


def test_hostile_build_succeeds_and_the_control_image_shows(hostile_build: HostileBuild):
    assert hostile_build.exit_code == 0, hostile_build.output
    assert "Traceback" not in hostile_build.output
    assert sorted(hostile_build.vectors) == sorted(VECTOR_IDS)
    # The leak detector works: a file inside the brief folder does reach the PDF's text.
    assert hostile_build.control in pdf_text(hostile_build.out / "hostile.pdf")


def test_hostile_build_sends_the_server_no_request(hostile_build: HostileBuild):
    assert hostile_build.requests == []


def test_hostile_build_leaks_no_secret(hostile_build: HostileBuild):
    assert_no_leak(hostile_build.out / "hostile.pdf", hostile_build.out / "hostile.html",
                   hostile_build.token)


@pytest.mark.parametrize("vector_id", VECTOR_IDS)
def test_each_vector_is_refused_by_name(hostile_build: HostileBuild, vector_id: str):
    vector = hostile_build.vectors[vector_id]
    if vector.warning is not None:
        assert vector.warning in hostile_build.output, hostile_build.output
    if vector.path is not None:
        assert vector.path not in hostile_build.requests


def test_attachments_are_never_embedded_even_from_inside_the_brief(mini: Path, tmp_path: Path):
    """A style could copy the author's drafts or source texts into the PDF, where no reader
    sees them: briefgen drops every rel=attachment, wherever it points."""
    token = f"SECRET-{uuid.uuid4().hex}"
    potent(mini / "draft-notes.txt", token)
    styles = write_style(tmp_path / "styles", colophon=(
        '<link rel="attachment" href="draft-notes.txt">'
        '<p><a rel="attachment" href="sources.yaml" download="x.yaml">sources</a></p>'))
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf", "-j", "1")
    assert result.exit_code == 0, result.output
    assert_no_leak(tmp_path / "out" / "mini" / "hostile.pdf", None, token)
    assert b"id: water-report" not in pdf_payload(tmp_path / "out" / "mini" / "hostile.pdf")
    for name in ("draft-notes.txt", "sources.yaml"):
        assert f"refused to attach {(mini / name).as_uri()}" in result.output


def test_leak_detector_finds_an_embedded_attachment(tmp_path: Path):
    """Plain WeasyPrint (no guard) embeds a rel=attachment file, and the checks above see it."""
    from weasyprint import HTML

    token = f"SECRET-{uuid.uuid4().hex}"
    potent(tmp_path / "secret.txt", token)
    pdf = tmp_path / "plain.pdf"
    HTML(string='<link rel="attachment" href="secret.txt"><p>x</p>',
         base_url=str(tmp_path) + "/").write_pdf(pdf)
    assert token.encode() in pdf_payload(pdf)


def test_base_element_cannot_send_relative_urls_to_a_server(
    mini: Path, tmp_path: Path, server: CountingServer
):
    styles = write_style(tmp_path / "styles", head=f'<base href="{server.url("/base/")}">',
                         colophon='<img src="relative.png" alt="">'
                                  '<link rel="attachment" href="notes.txt">')
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf", "-j", "1")
    assert result.exit_code == 0, result.output
    assert server.requests == []
    assert server.url("/base/relative.png") in result.output


# --- the fetcher itself ---------------------------------------------------------------------------


@pytest.fixture
def guarded(tmp_path: Path):
    from briefgen.pdf import GuardedFetcher

    inside = tmp_path / "brief"
    inside.mkdir()
    (inside / "ok.svg").write_text("<svg/>", encoding="utf-8")
    potent(tmp_path / "secret.txt", "SECRET")
    (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
    return GuardedFetcher([inside]), inside


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "file://localhost/etc/passwd", "{tmp}/secret.txt", "{brief}/link.txt",
    "{brief}/../secret.txt", "{brief}/%2e%2e/secret.txt", "{brief}/", "file:///dev/zero",
    "http://127.0.0.1:9/x.png", "https://example.org/x.png", "ftp://example.org/x",
    "gopher://example.org/", "jar:file:///x!/y", "about:blank",
])
def test_fetcher_refuses_everything_outside_the_roots(guarded, tmp_path: Path, url: str):
    fetcher, inside = guarded
    url = url.format(tmp=tmp_path.as_uri(), brief=inside.as_uri())
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert url in fetcher.refused


def test_fetcher_serves_data_and_files_inside(guarded):
    fetcher, inside = guarded
    assert fetcher.fetch((inside / "ok.svg").as_uri()).read() == b"<svg/>"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.refused == []


def test_fetcher_refuses_a_file_over_the_size_cap(guarded, monkeypatch: pytest.MonkeyPatch):
    fetcher, inside = guarded
    monkeypatch.setattr(safety, "MAX_RESOURCE_BYTES", 3)
    with pytest.raises(ValueError):
        fetcher.fetch((inside / "ok.svg").as_uri())
    assert "larger than" in fetcher.messages()[0]


# --- --allow-remote: only the named hosts, http(s) only, no redirects, capped -------------------


@pytest.mark.parametrize(("url", "hosts", "allowed"), [
    ("http://img.example.org/a.png", ("img.example.org",), True),
    ("https://IMG.example.org:8443/a.png", ("img.example.org",), True),
    ("https://img.example.org/a.png", ("img.example.org:443",), True),
    ("http://img.example.org/a.png", ("img.example.org:443",), False),
    ("http://img.example.org:8080/a.png", ("img.example.org:8081",), False),
    ("http://cdn.img.example.org/a.png", ("img.example.org",), False),
    ("http://img.example.org.evil.net/a.png", ("img.example.org",), False),
    ("http://img.example.org@evil.net/a.png", ("img.example.org",), False),
    ("http://evil.net\\@img.example.org/a.png", ("img.example.org",), False),
    ("http://evil.net#@img.example.org/a.png", ("img.example.org",), False),
    ("ftp://img.example.org/a.png", ("img.example.org",), False),
    ("file://img.example.org/etc/passwd", ("img.example.org",), False),
    ("http://img.example.org/a.png", (), False),
    ("http://[::1]:8000/a.png", ("[::1]",), True),
])
def test_host_allowed(url: str, hosts: tuple[str, ...], allowed: bool):
    assert safety.host_allowed(url, hosts) is allowed


@pytest.mark.parametrize("value", ["http://example.org", "example.org/images", "*.example.org",
                                   "", "user@example.org", "example.org:http", ":80", "::1"])
def test_allow_remote_rejects_anything_but_a_host(value: str):
    with pytest.raises(BriefgenError) as error:
        safety.parse_allowed_hosts([value])
    assert error.value.problems[0].field == "--allow-remote"


def test_allow_remote_normalises_hosts():
    assert safety.parse_allowed_hosts(["Img.Example.org.", "img.example.org", "x.org:8080"]) == (
        "img.example.org", "x.org:8080")


def _remote_brief(mini: Path, markdown: str) -> tuple:
    add_markdown(mini, markdown)
    library = StyleLibrary()
    return load_brief(mini), library.get("standard"), library


def _pdf(loaded, style, library, hosts: tuple[str, ...], out: Path):
    from briefgen.pdf import lay_out

    rendered = render_html(loaded, style, library, "pdf", allowed_hosts=hosts)
    laid_out = lay_out(rendered, allowed_hosts=hosts)
    out.write_bytes(laid_out.pdf_bytes())
    return rendered, laid_out


def test_image_on_an_allowed_host_is_fetched_once_for_the_pdf(
    mini: Path, tmp_path: Path, server: CountingServer
):
    url = server.url("/pixel.png")
    loaded, style, library = _remote_brief(mini, f"![a pixel]({url})")
    rendered, laid_out = _pdf(loaded, style, library, ("127.0.0.1",), tmp_path / "x.pdf")
    assert f'src="{url}"' in rendered.html  # kept as a URL, for WeasyPrint to fetch
    assert server.requests == ["/pixel.png"]
    assert not [w for w in laid_out.warnings if "refused" in w], laid_out.warnings
    assert any(page.images for page in PdfReader(tmp_path / "x.pdf").pages)


def test_image_on_an_allowed_host_is_embedded_in_html(mini: Path, server: CountingServer):
    url = server.url("/pixel.png")
    loaded, style, library = _remote_brief(mini, f"![a pixel]({url})")
    rendered = render_html(loaded, style, library, "html", allowed_hosts=("127.0.0.1",))
    assert server.requests == ["/pixel.png"]
    assert url not in rendered.html  # the HTML edition itself still makes no request
    assert "data:image/png;base64," + base64.b64encode(png_bytes()).decode() in rendered.html


@pytest.mark.parametrize("hosts", [(), ("images.example.org",), ("127.0.0.1:1",), ("localhost",)])
def test_image_on_another_host_is_never_requested(
    mini: Path, tmp_path: Path, server: CountingServer, hosts: tuple[str, ...]
):
    url = server.url("/pixel.png")
    loaded, style, library = _remote_brief(mini, f"![a pixel]({url})")
    html = render_html(loaded, style, library, "html", allowed_hosts=hosts)
    rendered, laid_out = _pdf(loaded, style, library, hosts, tmp_path / "x.pdf")
    assert server.requests == []
    assert any(url in w and "refused" in w for w in html.warnings)
    assert any(url in w and "refused" in w for w in laid_out.warnings)


def test_redirect_from_an_allowed_host_is_not_followed(
    mini: Path, tmp_path: Path, server: CountingServer
):
    url = server.url("/redirect-me")
    loaded, style, library = _remote_brief(mini, f"![moved]({url})")
    rendered, laid_out = _pdf(loaded, style, library, ("127.0.0.1",), tmp_path / "x.pdf")
    html = render_html(loaded, style, library, "html", allowed_hosts=("127.0.0.1",))
    assert server.requests == ["/redirect-me", "/redirect-me"]  # once per edition, never /landing
    assert any(url in w for w in laid_out.warnings)
    assert any(url in w and "302" in w for w in html.warnings)


@pytest.mark.parametrize("path", ["/big.png", "/big-unsized.png"])
def test_remote_resources_over_the_size_cap_are_refused(
    mini: Path, tmp_path: Path, server: CountingServer, monkeypatch: pytest.MonkeyPatch, path: str
):
    monkeypatch.setattr(safety, "MAX_RESOURCE_BYTES", 1024)
    url = server.url(path)
    loaded, style, library = _remote_brief(mini, f"![big]({url})")
    html = render_html(loaded, style, library, "html", allowed_hosts=("127.0.0.1",))
    rendered, laid_out = _pdf(loaded, style, library, ("127.0.0.1",), tmp_path / "x.pdf")
    assert server.requests == [path, path]
    assert any(url in w and "larger than 1,024 bytes" in w for w in html.warnings)
    assert any(url in w and "larger than 1,024 bytes" in w for w in laid_out.warnings)


def test_a_page_from_an_allowed_host_is_not_embedded_as_an_image(
    mini: Path, server: CountingServer
):
    url = server.url("/page.html")
    loaded, style, library = _remote_brief(mini, f"![not an image]({url})")
    rendered = render_html(loaded, style, library, "html", allowed_hosts=("127.0.0.1",))
    assert "<p>a page</p>" not in rendered.html and url not in rendered.html
    assert any(url in w and "text/html" in w for w in rendered.warnings)


def test_style_resources_from_an_allowed_host_are_fetched_exactly_once(
    mini: Path, tmp_path: Path, server: CountingServer
):
    from briefgen.pdf import lay_out

    styles = write_style(
        tmp_path / "styles", colophon=f'<img src="{server.url("/logo.png")}" alt="logo">',
        css=f'@import url("{server.url("/extra.css")}");\n'
            f'.colophon {{ background: url("{server.url("/bg.png")}"); }}\n'
            f'.colophon p {{ list-style-image: url("http://other.invalid/x.png"); }}')
    library = StyleLibrary([styles])
    rendered = render_html(load_brief(mini), library.get("hostile"), library, "pdf",
                           allowed_hosts=("127.0.0.1",))
    laid_out = lay_out(rendered, allowed_hosts=("127.0.0.1",))
    (tmp_path / "x.pdf").write_bytes(laid_out.pdf_bytes())
    assert sorted(server.requests) == ["/bg.png", "/extra.css", "/logo.png"]
    assert "SERVED-CSS" in pdf_text(tmp_path / "x.pdf")  # the imported sheet took effect
    refused = [w for w in laid_out.warnings if "refused" in w]
    assert refused == [] or all("other.invalid" in w for w in refused)


def test_cli_allow_remote_fetches_only_from_the_named_host(
    mini: Path, tmp_path: Path, server: CountingServer
):
    add_markdown(mini, f"![a pixel]({server.url('/pixel.png')})\n\n"
                       "![elsewhere](http://localhost:1/x.png)")
    result = invoke("build", mini, "-s", "standard", "-o", tmp_path / "out", "-j", "1",
                    "--allow-remote", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert server.requests == ["/pixel.png", "/pixel.png"]  # the PDF and the HTML edition
    assert "http://localhost:1/x.png" in result.output
    html = (tmp_path / "out" / "mini" / "standard.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and server.url("/pixel.png") not in html
    bad = invoke("build", mini, "-o", tmp_path / "out", "--allow-remote", "http://x.org/")
    assert bad.exit_code == 1 and "'http://x.org/' is not a host name" in bad.output
    assert "Traceback" not in bad.output


# --- stylesheets and templates may not read outside the style folders -----------------------------


def test_stylesheets_outside_the_style_folders_are_never_read(mini: Path, tmp_path: Path):
    token = f"SECRET-{uuid.uuid4().hex}"
    potent(tmp_path / "secret.css", token)
    styles = write_style(tmp_path / "styles")
    # (A link in the style folder is refused before this: test_hostile_styles.)
    (styles / "hostile" / "style.yaml").write_text(
        "extends: standard\nstylesheets: [hostile.css, ../../secret.css, /etc/passwd]\n"
        "html_stylesheets: [../../secret.css, /etc/passwd]\n", encoding="utf-8")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-j", "1")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "mini"
    assert_no_leak(out / "hostile.pdf", out / "hostile.html", token)
    assert "stylesheet '/etc/passwd' refused" in result.output
    assert "secret.css' refused" in result.output


def test_a_stylesheet_that_is_not_utf8_fails_cleanly(mini: Path, tmp_path: Path):
    styles = write_style(tmp_path / "styles")
    (styles / "hostile" / "hostile.css").write_bytes(b"p { color: red; }\n\xff\xfe")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 1
    assert "hostile.css" in result.output and "UTF-8" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


@pytest.mark.parametrize("expression", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ brief.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ brief.sources.append(1) }}",
    "{{ brief.keywords.clear() }}",
    "{{ style.options.update({'x': 1}) }}",
    "{{ range(10 ** 9) | list | length }}",
    "{{ '%s' % brief.__dict__ }}",
    "{{ 'a'.format.__self__ }}",
    "{{ ''.__class__ | attr('__mro__') }}",
])
def test_template_injection_is_a_clean_error_naming_the_template(
    mini: Path, tmp_path: Path, expression: str
):
    styles = write_style(tmp_path / "styles", colophon=expression)
    library = StyleLibrary([styles])
    with pytest.raises(BriefgenError) as error:
        render_html(load_brief(mini), library.get("hostile"), library, "html")
    (problem,) = error.value.problems
    assert problem.file == styles / "hostile" / "brief.html.j2"
    assert problem.line is not None and "template failed" in problem.message


@pytest.mark.parametrize("name", ["../../secret.txt", "/etc/passwd", "hostile/../../secret.txt",
                                  "builtin/../../secret.txt"])
def test_include_cannot_leave_the_style_folders(mini: Path, tmp_path: Path, name: str):
    potent(tmp_path / "secret.txt", "SECRET-INCLUDE")
    styles = write_style(tmp_path / "styles", colophon=f'{{% include "{name}" %}}')
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 1
    assert "TemplateNotFound" in result.output and "Traceback" not in result.output


def test_a_symlinked_template_cannot_read_outside_the_style_folders(mini: Path, tmp_path: Path):
    token = f"SECRET-{uuid.uuid4().hex}"
    potent(tmp_path / "secret.txt", token)
    styles = write_style(tmp_path / "styles", colophon='{% include "hostile/notes.j2" %}')
    (styles / "hostile" / "notes.j2").symlink_to(tmp_path / "secret.txt")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    html = tmp_path / "out" / "mini" / "hostile.html"
    assert not html.exists() or token not in html.read_text(encoding="utf-8"), result.output


# --- Markdown and brief text never become live markup ---------------------------------------------


class _Tags(HTMLParser):
    """Collects start tags and their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


SAFE_LINK_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background", "srcset"}
LIVE_TAGS = {"script", "iframe", "object", "embed", "form", "base", "frame", "frameset",
             "applet", "meta", "link", "style", "svg", "math", "template", "noscript"}


def dangerous_markup(html: str, allowed_tags: set[str] = frozenset()) -> list[str]:
    """Live tags, event handlers and URLs with a scheme other than http(s)/mailto/data:image."""
    found = []
    for tag, attrs in tags_of(html):
        if tag in LIVE_TAGS - allowed_tags:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{tag} {name}")
            if name in URL_ATTRIBUTES and value is not None:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = urlsplit(cleaned).scheme
                ok = scheme in SAFE_LINK_SCHEMES or cleaned == "data:," or (
                    scheme == "data" and name == "src" and cleaned.startswith("data:image/"))
                if not ok:
                    found.append(f"{tag} {name}={value}")
    return found


HOSTILE_MARKDOWN = [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](  javascript:alert(1) )",
    "[x](java\tscript:alert(1))", "[x](javascript&#58;alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](%6Aavascript:alert(1))", "[x](vbscript:msgbox(1))", "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)", "[x](file:///etc/passwd)",
    "[x](FILE:///etc/passwd)", "<javascript:alert(1)>", "<vbscript:msgbox(1)>",
    "<file:///etc/passwd>", "[x][r]\n\n[r]: javascript:alert(1)", "[x][r]\n\n[r]: file:///etc/passwd",
    "![x](javascript:alert(1))", "![x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)", "![x](file:///etc/passwd)",
    "![x][r]\n\n[r]: vbscript:msgbox(1)", '[x](http://ok.example "a" onmouseover="alert(1)")',
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<iframe src=//evil.example></iframe>",
    "<svg/onload=alert(1)>", "<style>body{display:none}</style>", "<!-- <script> -->",
    "<base href=//evil.example/>", '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "`<script>alert(1)</script>`", "```html\n<script>alert(1)</script>\n```",
    "<div>\n<script>alert(1)</script>\n</div>", "*<script>*alert(1)", "[<script>](http://x.org)",
    "[x](http://x.org/\"onmouseover=\"alert(1))", "![x\" onerror=\"alert(1)](pic.png)",
]


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_markdown_never_emits_live_markup_or_dangerous_urls(markdown: str):
    # The worst resolver: it passes any image through, so only markdown-it's checks stand.
    renderer = MarkdownRenderer(cite=lambda citations: "", resolve_image=lambda src: src)
    for html in (renderer.block(markdown), renderer.inline(markdown)):
        assert dangerous_markup(str(html)) == [], html
        assert "<script" not in html.lower()


def test_hostile_text_is_escaped_in_every_builtin_style(mini: Path, tmp_path: Path):
    script = '<script>alert("x")</script>'
    path = mini / "brief.md"
    text = path.read_text(encoding="utf-8")
    quoted = json.dumps  # a JSON string is a YAML double-quoted scalar
    for old, new in [
        ("title: Water Sharing on the Syr Darya", f"title: {quoted(script + ' & <b>bold</b>')}"),
        ("subtitle: A small fixture brief for briefgen's tests",
         f"subtitle: {quoted('<img src=x onerror=alert(1)> A small')}"),
        ("  - name: Dana Seitkali", f"  - name: {quoted('</title>' + script)}"),
        ("organization: Fixture Institute",
         f"organization: {quoted(chr(34) + '><svg onload=alert(1)>')}"),
        ("series: Test Brief", f"series: {quoted(script)}"),
        ("number: TB-01", f"number: {quoted('<iframe src=//evil.example>')}"),
        ("keywords: [water, Central Asia]",
         f"keywords: [{quoted(chr(34) + '><script>alert(3)</script>')}]"),
        ("decision: Approve a joint monitoring pilot.", f"decision: {quoted(script + ' Approve')}"),
        ("- A shared data platform", f"- {script} [click](javascript:alert(1)) A shared data"),
        ("Gauging stations are too few.", f"Gauging stations are too few. {script}"),
        ("## Data is scarce", f"## {script} Data is scarce"),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    sources = mini / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "title: Basin Note", f"title: {quoted(script)}"), encoding="utf-8")
    styles = [arg for name in StyleLibrary().builtin_names() for arg in ("-s", name)]
    result = invoke("build", mini, *styles, "-f", "html", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    built = sorted((tmp_path / "out" / "mini").glob("*.html"))
    assert len(built) == len(styles) // 2
    for html_file in built:
        html = html_file.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), html_file.name
        assert "&lt;script&gt;" in html, html_file.name
        # The templates' own <meta>, <style>, <svg> and <link rel=icon href="data:,"> are fine;
        # brief text adds none.
        own = {"meta", "style", "svg", "link"}
        assert dangerous_markup(html, allowed_tags=own) == [], html_file.name
        title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
        assert title and "<" not in title[1], html_file.name


def test_source_url_with_a_script_scheme_is_not_a_link(mini: Path, tmp_path: Path):
    sources = mini / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "url: https://example.org/basin-note", "url: 'javascript:alert(document.domain)'"),
        encoding="utf-8")
    result = invoke("build", mini, "-s", "standard", "-f", "html", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "mini" / "standard.html").read_text(encoding="utf-8")
    assert "Basin Note" in html  # the source is listed, as text
    assert dangerous_markup(html, allowed_tags={"meta", "style", "svg", "link"}) == []


def test_web_style_has_a_restrictive_csp_and_no_script(mini: Path, tmp_path: Path):
    result = invoke("build", mini, "-s", "web", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out" / "mini" / "web.pdf").exists()
    html = (tmp_path / "out" / "mini" / "web.html").read_text(encoding="utf-8")
    tags = tags_of(html)
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "base")]
    # Its one <link> is the empty favicon, so the browser asks for no /favicon.ico either.
    assert [dict(a) for t, a in tags if t == "link"] == [{"rel": "icon", "href": "data:,"}]
    csp_tags = [dict(attrs) for tag, attrs in tags if tag == "meta"
                and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(csp_tags) == 1
    policy = {part.split()[0]: part.split()[1:]
              for part in (csp_tags[0]["content"] or "").split(";") if part.strip()}
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert "script-src" not in policy  # so default-src 'none' forbids every script
    assert not any("unsafe-eval" in v or "*" in v for values in policy.values() for v in values)
    # The policy must come before anything it governs.
    assert html.index("Content-Security-Policy") < html.index("<style")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html.split("</head>")[0])
