"""A live preview: the brief's HTML rendering on a local web server, rebuilt on every save.

Writing a brief is a loop of edit, build, look. `serve` shortens it to edit, look: it renders the
brief in one style, serves the page at http://127.0.0.1:PORT/, watches every file the page
depends on (the brief's folder and sources, and every file of the style chain) by polling their
modification times, and rebuilds when one changes. The page itself polls `/__version` and reloads
when the rendering changed, so the browser follows the editor without any browser extension.

A broken edit must not end the loop: any problem (bad YAML, an unknown citation, a template error,
even a briefgen bug) becomes an error page listing each problem with its file and line, and the
next save that fixes it brings the brief back. The rendering itself runs in a worker process
forked for it (`render_apart`), held to the render time limit: a style's template that loops,
or that makes Jinja's compiler work out a huge constant, is stopped from outside and shown as a
problem, while the server goes on serving.

Only the preview response carries the reload script; built files never do. Styles may forbid
inline scripts with a `<meta http-equiv="Content-Security-Policy">` (the web style does), so the
preview moves each such policy into an HTTP header, unchanged except that scripts are allowed
only with a fresh per-response nonce (the reload script's) and `connect-src 'self'` lets it fetch
`/__version`. Pages without a policy get one that restricts nothing but scripts and connections
the same way, so the preview never runs any script but its own.

A client that connects and then sends nothing, or half a request, must not hold the server: each
connection gets one thread, at most MAX_CONNECTIONS at a time (more are closed at once, and the
page's next poll comes back), and is ended CONNECTION_TIMEOUT_SECONDS after it was accepted,
however slowly it trickles. No connection is meant to last longer: the page polls with short
requests, one per connection (HTTP/1.0), and nothing is held open for a push.

The server is generic: it serves whatever a `Source` holds as its current (version, Page), and
any other path an optional `AssetLookup` answers. This module's `Preview` is the HTML source;
`page_preview` serves a print style's PDF pages through the same server, its page images as
assets.

Standard library only: `http.server` for serving, a polling loop for watching (the file states
`briefgen watch` polls too: `watch.walk` and `watch.file_states`).
"""

from __future__ import annotations

import functools
import hashlib
import html
import ipaddress
import re
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from .build import editions_in
from .content import LoadedBrief, find_briefs, load_brief, load_briefs
from .errors import BriefgenError, Problem
from .layout import too_slow, within_time
from .limits import DEFAULT_TIMEOUT
from .render import render_html
from .styles import Style, StyleLibrary
from .watch import FileStates, file_states, walk
from .workers import WorkerPool

POLL_SECONDS = 0.3
# A request comes from this machine, so a few seconds is ample; a client taking longer is stalled.
CONNECTION_TIMEOUT_SECONDS = 5.0
# The open page needs one or two connections at a time; more is a client misbehaving.
MAX_CONNECTIONS = 16
VERSION_PATH = "/__version"

_CSP_META = re.compile(
    r"<meta\b[^>]*\bhttp-equiv\s*=\s*([\"']?)content-security-policy\1[^>]*>", re.IGNORECASE
)
_CONTENT_ATTR = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
_BODY_END = "</body>"
# Directives the preview replaces so that its own script, and nothing else, may run and poll.
_REPLACED_DIRECTIVES = frozenset({"script-src", "script-src-elem", "script-src-attr",
                                  "connect-src"})
_ERROR_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

# Polls often: each poll is a tiny local request, and the writer is waiting for the page. The
# browser keeps the reader's place across the reload by itself (the page view's images have
# their sizes before they load, so the page is as long as it was).
_RELOAD_SCRIPT = """<script nonce="{nonce}">
(function () {{
  var shown = "{version}";
  setInterval(function () {{
    fetch("{path}", {{cache: "no-store"}})
      .then(function (r) {{ return r.ok ? r.text() : shown; }})
      .then(function (v) {{ if (v && v !== shown) {{ location.reload(); }} }})
      .catch(function () {{}});
  }}, {interval});
}})();
</script>
"""
RELOAD_POLL_MILLISECONDS = 250

#: How `problem_list` looks; `page_preview` shows the same list above the last good pages.
PROBLEMS_CSS = """
ol.problems { padding-left: 1.5rem; }
ol.problems li { margin: 0 0 1rem; padding: .6rem .8rem; background: #fff4f4;
                 border-left: 4px solid #c33; }
ol.problems p { margin: 0; }
.where { font: 600 .9rem/1.4 ui-monospace, monospace; overflow-wrap: anywhere; }
.hint { margin: .3rem 0 0; color: #444; }
"""

_ERROR_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 50rem;
       padding: 0 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.4rem; color: #a00; margin-bottom: .25rem; }
.lead { color: #555; margin-top: 0; }
pre { white-space: pre-wrap; font-size: .8rem; background: #f4f4f4; padding: .6rem; }
""" + PROBLEMS_CSS


@dataclass(frozen=True)
class Page:
    """One rendering to serve: the HTML split where the reload script goes, and its policies."""

    before: str
    after: str
    policies: tuple[str, ...]
    ok: bool

    @classmethod
    def from_html(cls, document: str, *, ok: bool = True, policies: tuple[str, ...] = ()) -> Page:
        """A page from a rendered document; its CSP meta tags move to HTTP headers."""
        found = (_meta_policy(tag.group(0)) for tag in _CSP_META.finditer(document))
        document = _CSP_META.sub("", document)
        end = document.lower().rfind(_BODY_END)
        if end < 0:
            end = len(document)
        return cls(document[:end], document[end:], (*policies, *filter(None, found)), ok)

    def digest(self) -> str:
        """Changes exactly when what the browser would show changes."""
        text = "\0".join((self.before, self.after, *self.policies))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def response(self, version: str) -> tuple[str, list[str]]:
        """The HTML with the reload script for `version`, and its Content-Security-Policy
        header values, both carrying one fresh nonce."""
        nonce = secrets.token_urlsafe(18)
        script = _RELOAD_SCRIPT.format(nonce=nonce, version=version, path=VERSION_PATH,
                                       interval=RELOAD_POLL_MILLISECONDS)
        policies = self.policies or ("",)
        return self.before + script + self.after, [_allow_script(p, nonce) for p in policies]


def _meta_policy(tag: str) -> str:
    """The policy a CSP meta tag states, or "" if it holds anything but printable ASCII: it
    becomes an HTTP header, where a line break would end the headers and start the body."""
    match = _CONTENT_ATTR.search(tag)
    if not match:
        return ""
    policy = html.unescape(next(g for g in match.groups() if g is not None)).strip()
    return policy if all(" " <= c <= "~" for c in policy) else ""


def _allow_script(policy: str, nonce: str) -> str:
    """`policy` with scripts limited to `nonce` and fetches to this server."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    kept = [d for d in directives if d.split()[0].lower() not in _REPLACED_DIRECTIVES]
    return "; ".join([*kept, f"script-src 'nonce-{nonce}'", "connect-src 'self'"])


def error_page(error: BaseException) -> Page:
    """A readable page listing what is wrong: each located problem, or the unexpected error."""
    if isinstance(error, BriefgenError):
        problems = error.problems
        title = f"{len(problems)} problem{'s' * (len(problems) != 1)} in the brief or its style"
        lead = "Fix the files below and save: this page reloads by itself."
        listing = problem_list(problems)
        detail = ""
    else:
        title = "briefgen failed while rebuilding the preview"
        lead = ("This is a briefgen bug, not a problem in your brief; the preview keeps "
                "watching and retries on the next save.")
        message = f"{type(error).__name__}: {error}"
        listing = f'<ol class="problems"><li><p class="where">{html.escape(message)}</p></li></ol>'
        trace = "".join(traceback.format_exception(error))
        detail = f"<details><summary>Traceback</summary><pre>{html.escape(trace)}</pre></details>"
    document = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Preview: {html.escape(title)}</title>\n<style>{_ERROR_CSS}</style>\n"
        f'</head>\n<body>\n<h1>{html.escape(title)}</h1>\n<p class="lead">{html.escape(lead)}'
        f"</p>\n{listing}\n{detail}\n</body>\n</html>\n"
    )
    return Page.from_html(document, ok=False, policies=(_ERROR_POLICY,))


def problem_list(problems: list[Problem]) -> str:
    """Each problem with its location and hint, escaped, as an `<ol class="problems">` styled
    by PROBLEMS_CSS."""
    return f'<ol class="problems">{"".join(_problem_item(p) for p in problems)}</ol>'


def _problem_item(problem: Problem) -> str:
    where = problem.location()
    parts = [f'<p class="where">{html.escape(where)}</p>' if where else "",
             f"<p>{html.escape(problem.message)}</p>"]
    if problem.hint:
        parts.append(f'<p class="hint">hint: {html.escape(problem.hint)}</p>')
    return f"<li>{''.join(parts)}</li>"


def edition_to_preview(brief: Path, language: str | None) -> LoadedBrief:
    """The edition `--language` names, else the brief's own (brief.md; its first edition if it
    has only editions). Loading it is what checks, before any server starts, that the brief is
    there and reads and that it has an edition in that language."""
    loaded = load_briefs(find_briefs([brief]))
    if language is None:
        return next((item for item in loaded if item.edition is None), loaded[0])
    chosen = editions_in(loaded, [language])
    exact = [item for item in chosen if item.brief.language.lower() == language.lower()]
    if len(exact or chosen) > 1:  # "ru" for a brief with ru-KZ and ru-RU editions
        raise BriefgenError(f"{language} names {len(chosen)} editions", file=brief,
                            field="language", hint="name one: " + ", ".join(
                                item.brief.language for item in chosen))
    return (exact or chosen)[0]


class Preview:
    """The current rendering of one brief in one style, and what it was built from.

    `rebuild()` renders afresh; `changed()` says whether any watched file moved since the last
    call. Handler threads read `current` (one attribute, replaced whole) while the watcher
    rebuilds.
    """

    def __init__(self, brief_dir: Path, style: str, templates: list[Path] | None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.brief_dir = brief_dir
        self.style_name = style
        self.templates = list(templates or [])
        self.timeout = timeout
        self.token = secrets.token_hex(4)  # a restarted server's versions never match old ones
        self.builds = 0
        self.current: tuple[str, Page] = (f"{self.token}-0", error_page(RuntimeError("not built")))
        self._digest = ""
        self._loaded: LoadedBrief | None = None
        self._style: Style | None = None
        self._seen: FileStates | None = None

    @property
    def version(self) -> str:
        return self.current[0]

    def rebuild(self) -> Page:
        """Load, resolve and render again; any failure becomes an error page. The version moves
        only when the page differs from the one being served."""
        try:
            page = Page.from_html(self._render())
        except Exception as error:  # the preview must outlive any failure, bugs included
            page = error_page(error)
        digest = page.digest()
        if digest != self._digest:
            self._digest = digest
            self.builds += 1
            self.current = (f"{self.token}-{self.builds}", page)
        return page

    def _render(self) -> str:
        """Load and resolve here (what is watched depends on them), render in a worker."""
        library = StyleLibrary(self.templates)
        self._style = library.get(self.style_name)
        self._loaded = load_brief(self.brief_dir)
        return render_apart(self._loaded, self._style, self.templates, self.timeout)

    def changed(self) -> bool:
        """Whether any watched file appeared, vanished or changed since the last call."""
        seen = file_states(self.watched_files())
        changed = seen != self._seen
        self._seen = seen
        return changed

    def watched_files(self) -> list[Path]:
        """The brief's folder and the user's style folders (so new files count), the brief's
        inputs and the files of the last resolved style chain."""
        folder = self.brief_dir if self.brief_dir.is_dir() else self.brief_dir.parent
        files = [self.brief_dir, *walk(folder)]
        for root in self.templates:
            files.extend(walk(root))
        if self._loaded is not None:
            files.extend(self._loaded.input_files())
        if self._style is not None:
            files.extend(self._style.files())
        return files


#: How the preview names what it renders, in a problem about its time.
PREVIEW_LABEL = "the preview"


def render_apart(loaded: LoadedBrief, style: Style, templates: list[Path],
                 timeout: float) -> str:
    """The brief's HTML rendering, made in a worker process of its own, forked for it: a
    style's template may loop, or make Jinja's compiler work out a huge constant, and only a
    process stopped from outside stops either (`workers`); the preview itself stays free to
    serve the last good page, and to stop. Raises what the rendering raised."""
    results: list[str | BaseException] = []
    pool = WorkerPool(1, functools.partial(_prepare_renderer, templates, timeout), timeout)
    pool.run([(loaded, style)], (), lambda job, result: results.append(result),
             lambda job: too_slow(PREVIEW_LABEL, timeout))
    if isinstance(results[0], BaseException):
        raise results[0]
    return results[0]


def _prepare_renderer(templates: list[Path],
                      timeout: float) -> Callable[[tuple[LoadedBrief, Style]], str | BaseException]:
    """In the worker: a task rendering one (brief, style) within `timeout` seconds, returning
    the HTML or what went wrong (a bug with its traceback as a note, since a traceback does
    not cross processes)."""
    def render(job: tuple[LoadedBrief, Style]) -> str | BaseException:
        loaded, style = job
        try:
            return within_time(lambda: render_html(loaded, style, StyleLibrary(templates),
                                                   "html").html, timeout, PREVIEW_LABEL)
        except Exception as error:  # a bug: shown on the error page with where it happened
            error.add_note("".join(traceback.format_exception(error)))
            return error

    return render


class Source(Protocol):
    """What the server shows at `/`: a (version, Page) pair, read by each request and replaced
    whole by whoever rebuilds (one attribute, so a request never sees half of an update)."""

    current: tuple[str, Page]


@dataclass(frozen=True)
class Asset:
    """A response for a path besides the page's own (`/pages/2.png` in the page view)."""

    content_type: str
    body: bytes


#: The response for a path the server does not know itself, or None for 404. It must answer
#: only the exact paths it serves: whatever else a client asks for arrives here.
AssetLookup = Callable[[str], Asset | None]


class _Server(ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS at once, each ended at its deadline.

    The deadline counts from accepting the connection, not from its last byte, so a client that
    sends one byte a second cannot keep its thread. `service_actions`, which `serve_forever`
    calls between polls, hangs up the connections past their deadline; `server_close` hangs up
    the rest, so no handler thread outlives the server.
    """

    daemon_threads = True
    # The listen backlog (http.server's is 5): a burst of connections beyond it waits a second
    # or more for the client's retry, even though each is accepted (or refused) at once.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], source: Source, assets: AssetLookup | None,
                 family: int) -> None:
        self.address_family = family
        self.source = source
        self.assets = assets
        self._connection_timeout = CONNECTION_TIMEOUT_SECONDS
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._lock = threading.Lock()  # guards _deadlines, and every hang-up of a listed socket
        self._deadlines: dict[socket.socket, float] = {}
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:
        """Start the connection's thread if a slot is free; close the connection if not."""
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        with self._lock:
            self._deadlines[request] = time.monotonic() + self._connection_timeout
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: the caller closes the connection
            self._slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:
        """Handle the connection, close it, and free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown_request(self, request: socket.socket) -> None:
        """Forget the connection before closing it, so that no hang-up ever reaches a closed
        socket (whose descriptor may already belong to a new connection)."""
        with self._lock:
            self._deadlines.pop(request, None)
        super().shutdown_request(request)

    def service_actions(self) -> None:
        """Hang up every connection past its deadline."""
        now = time.monotonic()
        with self._lock:
            for connection in [c for c, due in self._deadlines.items() if due <= now]:
                del self._deadlines[connection]
                _hang_up(connection)

    def server_close(self) -> None:
        """Hang up the open connections too, then stop listening."""
        with self._lock:
            for connection in self._deadlines:
                _hang_up(connection)
            self._deadlines.clear()
        super().server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that closes a connection early is no error worth reporting."""


def _hang_up(connection: socket.socket) -> None:
    """End `connection` under its thread's feet: a blocked read returns end-of-file, a blocked
    write fails, and the thread closes the connection as usual."""
    with suppress(OSError):  # the client may have gone already
        connection.shutdown(socket.SHUT_RDWR)


_TEXT_HTML = "text/html; charset=utf-8"
_TEXT_PLAIN = "text/plain; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # the name http.server dispatches to
        if not _allowed_host(self.headers.get("Host", ""), self.server.server_address[0]):
            self._send(HTTPStatus.FORBIDDEN, _TEXT_PLAIN, b"unexpected Host header\n")
            return
        path = urlsplit(self.path).path
        version, page = self.server.source.current
        if path == "/":
            document, policies = page.response(version)
            status = HTTPStatus.OK if page.ok else HTTPStatus.INTERNAL_SERVER_ERROR
            self._send(status, _TEXT_HTML, document.encode("utf-8"), policies)
        elif path == VERSION_PATH:
            self._send(HTTPStatus.OK, _TEXT_PLAIN, version.encode("ascii"))
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, _TEXT_PLAIN, b"")
        elif (asset := self._asset(path)) is not None:
            self._send(HTTPStatus.OK, asset.content_type, asset.body)
        else:
            self._send(HTTPStatus.NOT_FOUND, _TEXT_PLAIN, b"not found\n")

    def _asset(self, path: str) -> Asset | None:
        lookup = self.server.assets
        return lookup(path) if lookup is not None else None

    def _send(self, status: HTTPStatus, kind: str, body: bytes,
              policies: list[str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for policy in policies or []:
            self.send_header("Content-Security-Policy", policy)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the library never prints."""


def _allowed_host(header: str, bound: str) -> bool:
    """On a loopback address, answer only requests addressed to it, so that a web page whose
    domain is re-pointed at 127.0.0.1 (DNS rebinding) cannot read the brief."""
    if not header or not _is_loopback(bound):
        return True
    name = urlsplit(f"//{header}").hostname or ""
    return name == "localhost" or _is_loopback(name)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _listen(host: str, port: int, source: Source, assets: AssetLookup | None) -> _Server:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return _Server((host, port), source, assets, family)
    except OSError as error:
        raise BriefgenError(
            f"cannot listen on {host}:{port}: {error.strerror or error}",
            field="port",
            hint="choose another port, or 0 for any free one",
        ) from None


def _url(server: _Server) -> str:
    host, port = server.server_address[:2]
    host = str(host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@contextmanager
def serving(source: Source, host: str, port: int,
            assets: AssetLookup | None = None) -> Iterator[str]:
    """Serve `source` (and `assets`) at http://host:port/ in a thread while the block runs;
    yields the URL, with the real port when `port` is 0. Raises `BriefgenError` if it cannot
    listen. On leaving, every connection is hung up and the thread has ended."""
    server = _listen(host, port, source, assets)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="briefgen-preview", daemon=True)
    try:
        thread.start()
        yield _url(server)
    finally:
        if thread.ident is not None:  # started: shutdown() would wait forever otherwise
            server.shutdown()
            thread.join()
        server.server_close()


def serve(
    brief_dir: Path,
    style: str = "web",
    templates: list[Path] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Serve the brief's HTML rendering at http://host:port/ until `stop` is set (or forever),
    rebuilding whenever the brief, its sources or any file of the style chain changes, and making
    the open page reload itself.

    Problems in the brief or style are shown on the page, never raised; only failing to listen
    raises (`BriefgenError`). `on_ready` receives the URL, with the real port when `port` is 0.
    KeyboardInterrupt propagates after the server is shut down.
    """
    stop = stop or threading.Event()
    preview = Preview(brief_dir, style, templates, timeout)
    preview.changed()
    preview.rebuild()
    with serving(preview, host, port) as url:
        if on_ready is not None:
            on_ready(url)
        while not stop.wait(POLL_SECONDS):
            if preview.changed():
                preview.rebuild()
