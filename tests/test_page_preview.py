"""The page view of `briefgen preview`: a print style's PDF pages, built by the watch's warm
workers on every save, served as images on 127.0.0.1 (port 0) and driven over HTTP.

The machine is shared (other tests run in parallel under xdist), so every wait polls with a
generous deadline instead of sleeping a fixed time; a memo builds in about a second.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import test_preview as preview_tests

from briefgen import page_preview, preview
from briefgen.errors import BriefgenError
from conftest import FIXTURES, chromium

#: Seconds to wait for the first build (a worker importing WeasyPrint on a busy machine) and for
#: each rebuild after it.
TIMEOUT = 120.0
TITLE = "Water Sharing on the Syr Darya"
JUDGMENT = "- A shared data platform is the cheapest first step.\n"
#: Enough key judgments to push the memo onto a second page.
OVERFLOW = "".join(f"- Point {n}: upstream releases and downstream harvests depend on a shared, "
                   "trusted record of flows that all five states can read every day.\n"
                   for n in range(16))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Served:
    """A page view running in a thread, and the HTTP requests a test makes to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.port = int(url.rsplit(":", 1)[1].strip("/"))

    def get(self, path: str, host: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for `path` sent exactly as written (no normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.putrequest("GET", path, skip_host=True)
            connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return response.status, headers, response.read()
        finally:
            connection.close()

    def page(self) -> str:
        return self.get("/")[2].decode("utf-8")

    def version(self) -> str:
        return self.get("/__version")[2].decode("ascii")

    def wait_for_change(self, before: str, what: str) -> str:
        """Wait for the version to move from `before`; the page then."""
        wait_for(lambda: self.version() != before, what)
        return self.page()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    preview_tests.wait_for(condition, what, TIMEOUT)


@contextmanager
def running(brief: Path, out: Path, style: str = "memo",
            language: str | None = None) -> Iterator[Served]:
    """`serve_pages` in a thread for `brief` in `style`, its first build done; stopped after."""
    edition = preview.edition_to_preview(brief, language)
    with preview_tests.serving_in_a_thread(lambda stop, ready: page_preview.serve_pages(
            brief, edition, style, templates=[], out_dir=out, host="127.0.0.1", port=0,
            stop=stop, on_ready=ready), TIMEOUT) as url:
        served = Served(url)
        wait_for(lambda: "building…" not in served.page(), "the first build")
        yield served


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The output folder; the current folder is tmp_path, so no project settings apply."""
    monkeypatch.chdir(tmp_path)
    return tmp_path / "out"


def images(page: str) -> list[str]:
    """The alt text of each page image, in order."""
    return re.findall(r'<img src="/pages/\d+\.png\?v=[0-9a-f]+" alt="([^"]+)"', page)


def png_size(body: bytes) -> tuple[int, int]:
    assert body.startswith(PNG_SIGNATURE), body[:16]
    width, height = struct.unpack(">II", body[16:24])  # the IHDR chunk comes first
    return width, height


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_memo_shows_its_pages_against_the_budget_and_follows_every_save(
    mini: Path, out: Path
) -> None:
    brief = mini / "brief.md"
    original = brief.read_text(encoding="utf-8")
    with running(mini, out) as served:
        status, headers, body = served.get("/")
        page = body.decode("utf-8")
        assert status == 200
        assert TITLE in page and '<span class="budget ok">1/1 page</span>' in page
        assert re.search(r'<span class="time">\d+ ms</span>', page)
        assert images(page) == ["Page 1 of 1"]
        assert "over the" not in page
        # Written where `briefgen watch` writes it.
        assert (out / "mini" / "memo.pdf").read_bytes().startswith(b"%PDF")
        assert (out / "manifest.json").is_file()

        status, headers, body = served.get("/pages/1.png")
        assert status == 200 and headers["content-type"] == "image/png"
        assert headers["x-content-type-options"] == "nosniff"
        width, height = png_size(body)
        assert 1000 <= width <= page_preview.MAX_PAGE_PIXELS and 1.3 < height / width < 1.5
        assert 20_000 < len(body) < 2_000_000
        assert served.get("/pages/2.png")[0] == 404

        before = served.version()
        edit(brief, JUDGMENT, JUDGMENT + OVERFLOW)
        page = served.wait_for_change(before, "the memo to run over")
        assert '<span class="budget over">2/1 pages: 1 over</span>' in page
        assert "runs to 2 pages, 1 over the style&#x27;s limit of 1" in page  # the warning
        assert images(page) == ["Page 1 of 2", "Page 2 of 2"]
        assert page.count("over the 1-page budget") == 1
        assert re.search(r'<figure class="sheet over"><figcaption>Page 2 of 2', page)
        assert png_size(served.get("/pages/2.png")[2]) == (width, height)
        assert served.get("/pages/3.png")[0] == 404

        before = served.version()
        edit(brief, "the cheapest first step.", "the cheapest first step [@nosuch].")
        served.wait_for_change(before, "the unknown citation")
        status, _, body = served.get("/")
        page = body.decode("utf-8")
        assert status == 500
        assert re.search(r"mini/brief\.md:\d+ \(key_messages\)", page) and "@nosuch" in page
        assert "hint: add a source" in page
        assert "The pages below are the last good build" in page
        assert page.index("@nosuch") < page.index("<img")  # the problems come first
        assert images(page) == ["Page 1 of 2", "Page 2 of 2"]
        assert "last good: 2/1 pages: 1 over" in page
        assert served.get("/pages/2.png")[0] == 200

        before = served.version()
        brief.write_text(original.replace("language: en", "language: [en"), encoding="utf-8")
        page = served.wait_for_change(before, "the YAML error")
        assert re.search(r"mini/brief\.md:\d+", page) and "YAML syntax error" in page
        assert images(page) == ["Page 1 of 2", "Page 2 of 2"]

        before = served.version()
        brief.write_text(original, encoding="utf-8")
        page = served.wait_for_change(before, "the brief to come back")
        assert served.get("/")[0] == 200
        assert '<span class="budget ok">1/1 page</span>' in page
        assert images(page) == ["Page 1 of 1"]
        assert 'class="problems-box"' not in page and "last good" not in page
        assert served.get("/pages/2.png")[0] == 404


def test_only_the_pages_of_the_pdf_are_served_and_under_a_strict_policy(
    mini: Path, out: Path
) -> None:
    with running(mini, out) as served:
        for path in ("/pages/0.png", "/pages/99.png", "/pages/../x", "/pages/1.png.exe",
                     "/pages/01.png", "/pages/1.PNG", "/pages/1.png/", "/pages/10000.png",
                     "/pages/-1.png", "/pages/1.png%00", "/pages/%31.png", "/pages/",
                     "/pages/1.pdf", "/out/mini/memo.pdf", "/brief.md"):
            assert served.get(path)[0] == 404, path
        # The PDF was read when it was built: a later change to the file cannot reach the
        # pages of this build.
        (out / "mini" / "memo.pdf").write_bytes(b"not a PDF")
        status, _, body = served.get("/pages/1.png?v=anything")
        assert status == 200 and body.startswith(PNG_SIGNATURE)
        assert served.get("/", host="attacker.example")[0] == 403
        assert served.get("/pages/1.png", host="attacker.example")[0] == 403

        status, headers, body = served.get("/")
        nonce = re.search(r'<script nonce="([^"]+)">', body.decode("utf-8"))
        assert status == 200 and nonce
        policy = headers["content-security-policy"]
        assert policy.startswith("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
        assert f"script-src 'nonce-{nonce.group(1)}'" in policy
        assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_an_edition_in_another_language_is_shown_with_l(tmp_path: Path, out: Path) -> None:
    brief = tmp_path / "editions"
    brief.mkdir()
    for source in (FIXTURES / "editions").iterdir():
        (brief / source.name).write_bytes(source.read_bytes())
    assert preview.edition_to_preview(brief, None).brief.language == "en"
    with running(brief, out, language="ru") as served:
        page = served.page()
        assert "Раздел воды Сырдарьи" in page and '<span class="language">ru</span>' in page
        assert "editions/memo.ru.pdf" in page and images(page)
        assert (out / "editions" / "memo.ru.pdf").is_file()
        assert not (out / "editions" / "memo.pdf").exists()  # only the edition shown
    with pytest.raises(BriefgenError, match="no edition in de") as refused:
        preview.edition_to_preview(brief, "de")
    assert "editions there are: en, kk, ru" in str(refused.value)


def test_brief_derived_text_is_escaped(mini: Path, out: Path) -> None:
    edit(mini / "brief.md", f"title: {TITLE}", 'title: "Water <b>&</b> <script>x</script>"')
    with running(mini, out) as served:
        page = served.page()
        assert "Water &lt;b&gt;&amp;&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;" in page
        assert "<b>" not in page and "<script>x" not in page


# ---------- the command: which view, and bad input refused before any server starts

def invoke(*args: object) -> object:
    from typer.testing import CliRunner

    from briefgen.cli import app

    return CliRunner().invoke(app, ["preview", *map(str, args)])


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Which view the command starts, and for what, instead of starting it."""
    started: list[tuple[str, object]] = []

    def html(brief: Path, style: str, *args: object, **kwargs: object) -> None:
        started.append(("html", brief))

    def pages(brief: Path, edition: object, style: str, **kwargs: object) -> None:
        started.append(("pages", edition))

    monkeypatch.setattr(preview, "serve", html)
    monkeypatch.setattr(page_preview, "serve_pages", pages)
    return started


def test_print_styles_show_pages_and_the_web_style_its_html(
    mini: Path, tmp_path: Path, views: list[tuple[str, object]]
) -> None:
    editions = tmp_path / "editions"
    editions.mkdir()
    for source in (FIXTURES / "editions").iterdir():
        (editions / source.name).write_bytes(source.read_bytes())
    for style in ("memo", "standard", "analyst", "briefing-note"):
        assert invoke(mini, "-s", style).exit_code == 0
    assert [view for view, _ in views] == ["pages"] * 4
    views.clear()
    assert invoke(mini, "-s", "web").exit_code == 0
    assert invoke(mini, "-s", "memo", "--html").exit_code == 0
    assert views == [("html", mini), ("html", mini)]
    views.clear()
    assert invoke(editions, "-s", "web", "-l", "kk").exit_code == 0
    assert views == [("html", editions / "brief.kk.md")]
    views.clear()
    assert invoke(editions, "-s", "memo", "-l", "kk").exit_code == 0
    assert views[0][0] == "pages" and views[0][1].brief.language == "kk"  # type: ignore[union-attr]


@pytest.mark.parametrize(("args", "message"), [
    (["-s", "mem"], "unknown style 'mem'"),
    (["-s", "memo", "-l", "de"], "no edition in de"),
    (["-s", "web", "-l", "de"], "no edition in de"),
])
def test_bad_input_is_a_located_error_before_any_server_starts(
    mini: Path, views: list[tuple[str, object]], args: list[str], message: str
) -> None:
    result = invoke(mini, *args)
    assert result.exit_code == 1 and message in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output and not views  # type: ignore[attr-defined]


def test_a_missing_brief_is_a_located_error(tmp_path: Path,
                                             views: list[tuple[str, object]]) -> None:
    for style in ("memo", "web"):
        result = invoke(tmp_path / "nowhere", "-s", style)
        assert result.exit_code == 1 and "nowhere" in result.output  # type: ignore[attr-defined]
        assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert not views


def test_the_command_serves_pages_and_stops_cleanly_on_sigterm(mini: Path, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "preview", str(mini), "-s", "memo", "--port", "0",
         "-o", str(tmp_path / "out")], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, encoding="utf-8",
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r" at (http://127\.0\.0\.1:\d+/); writing into .*out/", line)
        assert found, line
        served = Served(found.group(1))
        wait_for(lambda: "1/1 page" in served.page(), "the first build")
        process.send_signal(signal.SIGTERM)  # as Ctrl-C: the build under way ends first
        assert process.wait(TIMEOUT) == 0
        assert "preview stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(TIMEOUT)


# ---------- in a real browser: the images load under the policy, and a reload keeps the place

def test_in_a_browser_the_pages_load_and_a_save_reloads_them_in_place(
    mini: Path, out: Path
) -> None:
    edit(mini / "brief.md", JUDGMENT, JUDGMENT + OVERFLOW)  # two pages, to scroll
    with running(mini, out) as served, chromium() as browser:
        page = browser.new_page(  # type: ignore[attr-defined]
            viewport={"width": 1200, "height": 800})
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(served.url)
        loaded = ("() => Array.from(document.images)"
                  ".every(i => i.complete && i.naturalWidth > 1000)")
        page.wait_for_function(loaded, timeout=TIMEOUT * 1000)
        assert page.evaluate("document.images.length") == 2
        page.evaluate("window.scrollTo(0, 900)")
        wait_for(lambda: page.evaluate("window.scrollY") == 900, "the scroll")
        before = served.version()
        edit(mini / "brief.md", "Point 3:", "Third point:")
        wait_for(lambda: served.version() != before, "the rebuild")
        wait_for(lambda: served.version() in page_text(page), "the browser to reload")
        page.wait_for_function(loaded, timeout=TIMEOUT * 1000)
        assert page.evaluate("window.scrollY") == 900
    assert not [m for m in messages if "Content Security Policy" in m], messages


def page_text(page: object) -> str:
    """The page's HTML (the reload script names its version), or "" between documents."""
    try:
        return page.content()  # type: ignore[attr-defined]
    except Exception:
        return ""
