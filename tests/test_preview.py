"""The live preview: a real server on 127.0.0.1 (port 0), driven over HTTP, stopped via its Event.

Every wait is bounded: a test that cannot see the change it waits for fails after TIMEOUT seconds
instead of hanging.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from briefgen import preview, workers
from briefgen.errors import BriefgenError, Problem
from conftest import chromium

TIMEOUT = 10.0
TITLE = "Water Sharing on the Syr Darya"


@contextmanager
def running(brief: Path, **options: object) -> Iterator[str]:
    """Run `serve` in a thread; yield its URL; stop it and check it ended."""
    style = options.pop("style", "standard")
    with serving_in_a_thread(lambda stop, ready: preview.serve(
            brief, style=style, port=0, on_ready=ready, stop=stop,
            **options)) as url:  # type: ignore[arg-type]
        yield url


@contextmanager
def serving_in_a_thread(serve: Callable[[threading.Event, Callable[[str], None]], None],
                        timeout: float = TIMEOUT) -> Iterator[str]:
    """Run `serve(stop, on_ready)` in a thread; yield the URL it is ready at; stop it and
    check it ended, without an exception."""
    stop = threading.Event()
    ready: list[str] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            serve(stop, ready.append)
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        wait_for(lambda: bool(ready or failure), "the server to start", timeout)
        assert not failure, failure
        yield ready[0]
    finally:
        stop.set()
        thread.join(timeout)
    assert not thread.is_alive(), "the server did not return after stop was set"
    assert not failure, failure


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def get(url: str) -> tuple[int, str, list[str]]:
    """Status, body and Content-Security-Policy headers; error statuses are returned too."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            csp = response.headers.get_all("Content-Security-Policy") or []
            return response.status, response.read().decode("utf-8"), csp
    except urllib.error.HTTPError as error:
        csp = error.headers.get_all("Content-Security-Policy") or []
        return error.code, error.read().decode("utf-8"), csp


def version(url: str) -> str:
    return get(url + "__version")[1]


def page_shows(url: str, text: str) -> Callable[[], bool]:
    return lambda: text in get(url)[1]


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new), encoding="utf-8")


def test_serves_the_brief_with_the_reload_script(mini: Path) -> None:
    with running(mini) as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) and not url.endswith(":0/")
        status, body, csp = get(url)
        assert status == 200
        assert TITLE in body
        assert "/__version" in body and "location.reload()" in body
        nonce = re.search(r'<script nonce="([^"]+)">', body)
        assert nonce and body.index(nonce.group(0)) < body.rindex("</body>")
        assert csp and all(f"script-src 'nonce-{nonce.group(1)}'" in p for p in csp)
        assert version(url)


def test_the_built_html_has_no_reload_script(mini: Path) -> None:
    from briefgen.content import load_brief
    from briefgen.render import render_html
    from briefgen.styles import StyleLibrary

    library = StyleLibrary()
    built = render_html(load_brief(mini), library.get("standard"), library, "html").html
    assert "/__version" not in built and "<script" not in built


def test_an_edit_to_the_brief_reloads_the_page(mini: Path) -> None:
    with running(mini) as url:
        before = version(url)
        edit(mini / "brief.md", f"title: {TITLE}", "title: Rivers of Change")
        wait_for(lambda: version(url) != before, "/__version to change")
        status, body, _ = get(url)
        assert status == 200
        assert "Rivers of Change" in body and TITLE not in body


def test_an_unchanged_rendering_keeps_its_version(mini: Path) -> None:
    with running(mini) as url:
        before = version(url)
        (mini / "notes.txt").write_text("not part of the brief\n", encoding="utf-8")
        time.sleep(1.0)  # several polls
        assert version(url) == before


def test_a_broken_edit_shows_the_problem_and_fixing_it_restores_the_brief(mini: Path) -> None:
    brief = mini / "brief.md"
    original = brief.read_text(encoding="utf-8")
    with running(mini) as url:
        edit(brief, "the cheapest first step.", "the cheapest first step [@nosuch].")
        wait_for(lambda: get(url)[0] == 500, "the error page")
        status, body, _ = get(url)
        assert "brief.md:19" in body and "(key_messages)" in body
        assert "@nosuch" in body and "hint: add a source" in body
        assert "location.reload()" in body and TITLE not in body

        brief.write_text(original.replace("language: en", "language: [en"), encoding="utf-8")
        wait_for(page_shows(url, "YAML syntax error"), "the YAML error")
        assert "brief.md:" in get(url)[1]

        brief.write_text(original, encoding="utf-8")
        wait_for(lambda: get(url)[0] == 200, "the brief to come back")
        assert TITLE in get(url)[1]


def make_style(root: Path, colophon: str) -> Path:
    folder = root / "custom"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "style.yaml").write_text("extends: standard\n", encoding="utf-8")
    (folder / "brief.html.j2").write_text(
        '{% extends "standard/brief.html.j2" %}\n'
        f'{{% block colophon %}}<footer class="colophon">{colophon}</footer>{{% endblock %}}\n',
        encoding="utf-8",
    )
    return folder


def test_a_template_change_shows_up(mini: Path, tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    template = make_style(styles, "First colophon") / "brief.html.j2"
    with running(mini, style="custom", templates=[styles]) as url:
        status, body, _ = get(url)
        assert status == 200 and "First colophon" in body and TITLE in body

        edit(template, "First colophon", "Second, longer colophon")
        wait_for(page_shows(url, "Second, longer colophon"), "the new colophon")

        edit(template, "{% endblock %}", "")  # a syntax error: the block is never closed
        wait_for(lambda: get(url)[0] == 500, "the template error page")
        assert "brief.html.j2" in get(url)[1]

        edit(template, "</footer>", "</footer>{% endblock %}")
        wait_for(lambda: get(url)[0] == 200, "the fixed template")
        assert "Second, longer colophon" in get(url)[1]


def test_a_change_to_the_style_settings_rebuilds(mini: Path, tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    make_style(styles, "Colophon")
    with running(mini, style="custom", templates=[styles]) as url:
        before = version(url)
        assert 'href="#ref-water-report">1</a>' in get(url)[1]  # numbered citations
        (styles / "custom" / "style.yaml").write_text(
            "extends: standard\ncitations: author-date\n", encoding="utf-8")
        wait_for(lambda: version(url) != before, "the style settings to apply")
        status, body, _ = get(url)
        assert status == 200 and TITLE in body
        assert 'href="#ref-water-report">Author 2020</a>' in body
        assert 'href="#ref-water-report">1</a>' not in body


def test_an_unexpected_failure_shows_an_error_page(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer <exploded>")

    # Each rendering is forked, so it sees the patch; forked even where this test process
    # has drawn a chart (the fixture has none to draw).
    monkeypatch.setattr(workers, "start_method", lambda: "fork")

    with running(mini) as url:
        monkeypatch.setattr(preview, "render_html", broken)
        (mini / "brief.md").touch()
        wait_for(lambda: get(url)[0] == 500, "the error page")
        body = get(url)[1]
        assert "RuntimeError: renderer &lt;exploded&gt;" in body
        monkeypatch.undo()
        edit(mini / "brief.md", "Approve a joint", "Approve a shared")
        wait_for(lambda: get(url)[0] == 200, "the brief to come back")


def test_a_style_that_renders_for_ever_is_stopped_and_the_preview_goes_on(
    mini: Path, tmp_path: Path
) -> None:
    """A template Jinja would compute for ever ({{ 7 ** (9 ** 10) }} is a constant to its
    compiler): the rendering runs in a worker the preview stops at its time limit, the page
    says so, and fixing the style brings the brief back."""
    style = tmp_path / "styles" / "looping"
    style.mkdir(parents=True)
    (style / "style.yaml").write_text("extends: standard\n", encoding="utf-8")
    template = style / "brief.html.j2"
    template.write_text('{% extends "standard/brief.html.j2" %}{% block colophon %}'
                        "{{ 7 ** (9 ** 10) }}{% endblock %}", encoding="utf-8")
    with running(mini, style="looping", templates=[tmp_path / "styles"], timeout=1) as url:
        status, body, _ = get(url)
        assert status == 500
        assert "the preview took longer than 1 s to render" in body
        template.write_text('{% extends "standard/brief.html.j2" %}', encoding="utf-8")
        wait_for(lambda: get(url)[0] == 200, "the brief to come back")
        assert TITLE in get(url)[1]


# ---------- stalled clients: every connection has a deadline, and threads are capped

STALLED = 300
HALF_A_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].strip("/"))


def open_stalled(port: int, count: int) -> list[socket.socket]:
    """`count` connections that send nothing, or half a request, and then wait; all opened
    within TIMEOUT seconds (a connection beyond the listen backlog waits for its retry)."""
    connections: list[socket.socket] = []
    deadline = time.monotonic() + TIMEOUT
    for number in range(count):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only {len(connections)} of {count} connections opened in time"
        connection = socket.create_connection(("127.0.0.1", port), timeout=remaining)
        connections.append(connection)
        if number % 2:
            with suppress(OSError):  # the server refused this one already
                connection.sendall(HALF_A_REQUEST)
    return connections


def most_threads_during(seconds: float) -> int:
    deadline, most = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        most = max(most, threading.active_count())
        time.sleep(0.01)
    return most


def closed_by_server(connection: socket.socket, deadline: float) -> bool:
    """Whether the server ends `connection` before `deadline` (it then reads as closed)."""
    connection.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:  # refused while every slot is taken (http.client's errors are OSErrors)
        return False


def test_stalled_connections_take_few_threads_and_are_closed_after_the_timeout(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "CONNECTION_TIMEOUT_SECONDS", 1.0)
    with running(mini) as url:
        baseline = threading.active_count()
        connections = open_stalled(port_of(url), STALLED)
        try:
            opened = time.monotonic()
            assert most_threads_during(0.5) <= baseline + preview.MAX_CONNECTIONS
            deadline = opened + preview.CONNECTION_TIMEOUT_SECONDS + 3.0
            still_open = [c for c in connections if not closed_by_server(c, deadline)]
            assert not still_open, f"{len(still_open)} of {STALLED} stalled connections open"
        finally:
            for connection in connections:
                connection.close()
        # The client closed its ends; the server frees each slot when it notices (at the latest
        # at the deadline), and until then a new connection may be refused: so ask again.
        wait_for(lambda: answers(url), "the server to answer again")
        started = time.monotonic()
        assert get(url)[0] == 200
        assert time.monotonic() - started < 1.0
        wait_for(lambda: threading.active_count() <= baseline, "the handler threads to end")


def test_a_request_sent_a_byte_at_a_time_is_cut_off_at_the_timeout(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each byte arriving in time does not extend the deadline: it holds for the connection."""
    monkeypatch.setattr(preview, "CONNECTION_TIMEOUT_SECONDS", 1.0)
    with running(mini) as url:
        connection = socket.create_connection(("127.0.0.1", port_of(url)), timeout=TIMEOUT)
        with connection:
            started = time.monotonic()
            closed = False
            for byte in HALF_A_REQUEST + b"X-Slow: " + b"a" * 40:  # 83 bytes, 0.1 s apart
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                if select.select([connection], [], [], 0.1)[0]:
                    closed = closed_by_server(connection, time.monotonic() + 0.1)
                    break
            assert closed, "the server kept reading a trickling request"
            assert time.monotonic() - started < preview.CONNECTION_TIMEOUT_SECONDS + 1.0
        assert get(url)[0] == 200


def test_only_the_preview_paths_are_served(mini: Path) -> None:
    with running(mini) as url:
        for path in ("brief.md", "sources.yaml", "__version/x", "../etc/passwd", "index.html"):
            assert get(url + path)[0] == 404, path
        assert get(url + "favicon.ico")[0] == 204
        assert get(url + "?reload=1")[0] == 200


def test_other_host_names_are_refused(mini: Path) -> None:
    with running(mini) as url:
        request = urllib.request.Request(url, headers={"Host": "attacker.example:8000"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=TIMEOUT)
        assert refused.value.code == 403
        localhost = urllib.request.Request(url, headers={"Host": "localhost"})
        with urllib.request.urlopen(localhost, timeout=TIMEOUT) as response:
            assert response.status == 200


def test_a_busy_port_is_a_briefgen_error(mini: Path) -> None:
    with running(mini) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(BriefgenError, match="cannot listen"):
            preview.serve(mini, style="standard", port=port, stop=threading.Event())


def test_a_style_policy_moves_to_a_header_that_allows_only_the_preview_script() -> None:
    document = (
        "<html><head><meta charset='utf-8'>"
        '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; '
        "script-src 'none'; img-src data:\">"
        "</head><body><p>text</p></BODY></html>"
    )
    page = preview.Page.from_html(document)
    html, policies = page.response("v1")
    assert "Content-Security-Policy" not in html
    nonce = re.search(r'<script nonce="([^"]+)">', html).group(1)  # type: ignore[union-attr]
    assert html.index("<script") > html.index("<p>text</p>") and html.endswith("</BODY></html>")
    assert policies == [
        f"default-src 'none'; img-src data:; script-src 'nonce-{nonce}'; connect-src 'self'"
    ]
    assert preview.Page.from_html(document).response("v1")[1] != policies  # a fresh nonce


def test_error_pages_escape_every_problem() -> None:
    error = BriefgenError(problems=[
        Problem("bad <b>value</b>", file=Path("x/brief.md"), line=3, field="title",
                hint="use <plain> text"),
        Problem("second"),
    ])
    html, policies = preview.error_page(error).response("v")
    assert "2 problems" in html
    assert "x/brief.md:3 (title)" in html
    assert "bad &lt;b&gt;value&lt;/b&gt;" in html and "hint: use &lt;plain&gt; text" in html
    assert "<b>" not in html and "location.reload()" in html
    assert policies[0].startswith("default-src 'none'")


# ---------- in a real browser: the script runs under a strict policy and reloads the page

STRICT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "base-uri 'none'; form-action 'none'")


def test_the_page_reloads_itself_in_a_browser_despite_a_strict_policy(
    mini: Path, tmp_path: Path
) -> None:
    """A style whose page forbids scripts (as the web style's does) still reloads in preview."""
    styles = tmp_path / "styles"
    folder = make_style(styles, "Colophon")
    template = folder / "brief.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8")
        + "{% block head %}\n"
        f'<meta http-equiv="Content-Security-Policy" content="{STRICT_POLICY}">\n'
        "{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    with running(mini, style="custom", templates=[styles]) as url, chromium_page() as page:
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(url)
        assert TITLE in page.title()
        edit(mini / "brief.md", f"title: {TITLE}", "title: Rivers of Change")
        wait_for(lambda: "Rivers of Change" in title_of(page), "the browser to reload")
    assert not [m for m in messages if "Content Security Policy" in m], messages


def title_of(page: object) -> str:
    try:
        return page.title()  # type: ignore[attr-defined]
    except Exception:  # the page is between documents while it reloads
        return ""


@contextmanager
def chromium_page() -> Iterator[object]:
    with chromium() as browser:
        yield browser.new_page()


def test_a_policy_in_a_styles_meta_cannot_inject_headers(mini: Path, tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    folder = make_style(styles, "colophon")
    (folder / "brief.html.j2").write_text(
        '{% extends "standard/brief.html.j2" %}{% block head %}'
        '<meta http-equiv="Content-Security-Policy" content="img-src data:&#13;&#10;X-Injected:'
        ' yes&#13;&#10;&#13;&#10;&lt;script&gt;document.title=1&lt;/script&gt;">'
        "{{ super() }}{% endblock %}", encoding="utf-8")
    with (running(mini, style="custom", templates=[styles]) as url,
          urllib.request.urlopen(url, timeout=TIMEOUT) as response):
        assert response.headers.get("X-Injected") is None
        body = response.read().decode("utf-8")
        policies = response.headers.get_all("Content-Security-Policy") or []
    assert TITLE in body and not body.startswith("<script")
    assert policies and all("\r" not in p and "\n" not in p and "X-Injected" not in p
                            for p in policies)
