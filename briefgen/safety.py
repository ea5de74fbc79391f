"""What a build may read: regular files inside its allowed folders, and, only when the user names
a host with `--allow-remote HOST`, http(s) resources from exactly that host.

The Markdown image resolver, the stylesheet list and WeasyPrint's URL fetcher all ask here, so a
brief or a style cannot reach outside its folder by `..`, an absolute path, or a symlink that
points elsewhere, and cannot make a network request the user did not allow.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .errors import BriefgenError, Problem

if TYPE_CHECKING:
    from urllib.request import OpenerDirector

MAX_RESOURCE_BYTES = 20 * 1024 * 1024
#: Seconds before a request to an allowed host is abandoned (connect, and each read).
REMOTE_TIMEOUT = 10
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
#: A raster image may decode to at most this many pixels (a full A4 page at 600 dpi is about
#: 35 million): a few kilobytes of PNG can otherwise claim gigabytes when decoded.
MAX_IMAGE_PIXELS = 50_000_000
_RASTER_TYPES = IMAGE_TYPES - {"image/svg+xml"}
_DATA_URI = re.compile(r"(data:[\w.+/-]*(?:;[\w.+-]+=?[\w.+-]*)*,)([^\s'\"]{24})[^\s'\"]*")
REMOTE_SCHEMES = ("http", "https")


def resolve_inside(path: Path, roots: Iterable[Path]) -> Path | None:
    """The real path of `path` if it is a regular file under one of `roots`, else None."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_file():
        return None
    for root in roots:
        if real.is_relative_to(root.resolve()):
            return real
    return None


def guarded_file(path: Path, roots: Iterable[Path], *, limit: int, inside: str,
                 field: str | None = None, where: Path | None = None,
                 line: int | None = None) -> Path:
    """The real path of `path`, a regular file of at most `limit` bytes under one of `roots`
    (after resolving links), or a located error saying which of those it is not.

    The rule for every file a build reads on the say of a brief or a style (source texts,
    brief files, style files); `inside` names the roots for the message ("the brief's folder").
    `where`/`line` locate the setting that named it, when that is another file."""
    real, reason = _judge(path, roots, limit, inside)
    if reason:
        raise BriefgenError(reason, file=where or path, line=line, field=field,
                            hint=f"keep it as an ordinary file inside {inside}")
    return real


def _judge(path: Path, roots: Iterable[Path], limit: int, inside: str) -> tuple[Path, str]:
    """(real path, "") for a good file, else (path, why not). Where a path leads is judged
    before whether it exists, and neither where it leads nor whether something is there is
    said of a path outside: the message may end up in a public CI log."""
    try:
        leads_to = path.resolve()
        if not any(leads_to.is_relative_to(root.resolve()) for root in roots):
            return path, f"'{path}' leads outside {inside}"
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return path, f"'{path}' does not exist"
    except (OSError, RuntimeError):  # a link loop, a name too long, no permission
        return path, f"'{path}' cannot be read"
    if not real.is_file():
        return path, f"'{path}' is not a regular file"
    if real.stat().st_size > limit:
        return path, f"'{path}' is larger than the limit of {limit:,} bytes"
    return real, ""


def read_capped(path: Path, limit: int | None = None) -> bytes | None:
    """The file's bytes, or None if it is larger than `limit` (default MAX_RESOURCE_BYTES)."""
    limit = MAX_RESOURCE_BYTES if limit is None else limit
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def image_problem(data: bytes, kind: str) -> str | None:
    """Why a raster image must not be decoded (too many pixels, or unreadable), else None.
    Only the header is read: the pixels are never decoded here."""
    if kind not in _RASTER_TYPES:
        return None
    from PIL import Image, UnidentifiedImageError  # only builds with raster images pay

    try:
        with warnings.catch_warnings():  # Pillow warns of bombs itself, raw, on stderr
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return f"it claims more pixels than the limit of {MAX_IMAGE_PIXELS:,}"
    except (UnidentifiedImageError, OSError, ValueError):
        return f"it is not a readable {kind.removeprefix('image/').upper()} image"
    if width * height > MAX_IMAGE_PIXELS:
        return (f"it is {width:,} × {height:,} pixels, more than the limit of "
                f"{MAX_IMAGE_PIXELS:,}")
    return None


def image_data_uri(data: bytes, kind: str) -> tuple[str | None, str | None]:
    """(a `data:` URI embedding the image, None), or (None, why it is refused): the one rule
    for every image briefgen embeds itself (Markdown images, figures)."""
    problem = image_problem(data, kind)
    if problem:
        return None, problem
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}", None


def shorten_data_uris(text: str) -> str:
    """A message with each long `data:` URI cut to its first characters: warnings name the
    image without printing kilobytes of base64."""
    return _DATA_URI.sub(lambda m: f"{m[1]}{m[2]}…", text)


def media_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


# --- remote resources: only from hosts the user named -------------------------------------------


def parse_allowed_hosts(values: Iterable[str]) -> tuple[str, ...]:
    """`--allow-remote` values as normalised `host` or `host:port` entries.

    A bare host allows any port on it; `host:port` only that port. No schemes, paths, users or
    wildcards: `example.org` never allows `cdn.example.org`.
    """
    hosts: list[str] = []
    problems: list[Problem] = []
    for value in values:
        host = _normalise_host(value)
        if host is None:
            problems.append(Problem(
                f"'{value}' is not a host name", field="--allow-remote",
                hint="give a bare host such as 'images.example.org' or 'example.org:8443', "
                "without http:// or a path"))
        elif host not in hosts:
            hosts.append(host)
    if problems:
        raise BriefgenError(problems=problems)
    return tuple(hosts)


def _normalise_host(value: str) -> str | None:
    text = value.strip().lower().rstrip(".")
    if not text or any(c in text for c in "/\\@?#*% \t") or text.startswith(":"):
        return None
    try:
        parts = urlsplit(f"//{text}")
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not hostname or parts.netloc != text:
        return None
    shown = f"[{hostname}]" if ":" in hostname else hostname
    return f"{shown}:{port}" if port is not None else shown


def host_allowed(url: str, allowed_hosts: Iterable[str]) -> bool:
    """Whether `url` is an http(s) URL on one of the allowed hosts (and port, if one is named)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in REMOTE_SCHEMES or not parts.hostname:
        return False
    if "@" in parts.netloc or "\\" in url or any(c.isspace() for c in url):
        return False  # userinfo and backslashes are where URL parsers disagree
    hostname = parts.hostname.rstrip(".")
    shown = f"[{hostname}]" if ":" in hostname else hostname
    default = 443 if parts.scheme.lower() == "https" else 80
    for entry in allowed_hosts:
        entry = _normalise_host(entry) or ""
        if entry == shown or entry == f"{shown}:{port if port is not None else default}":
            return True
    return False


@dataclass(frozen=True)
class Fetched:
    """A remote resource's bytes and its media type (from Content-Type)."""

    data: bytes
    media_type: str


class RemoteRefused(Exception):
    """A remote fetch that was not made, or not accepted; the message says why."""


def fetch_remote(url: str, allowed_hosts: Iterable[str]) -> Fetched:
    """GET `url` if its host is allowed: one request, no redirects, no content encoding, at most
    MAX_RESOURCE_BYTES, a timeout of REMOTE_TIMEOUT seconds. Raises RemoteRefused otherwise."""
    if not host_allowed(url, allowed_hosts):
        raise RemoteRefused("its host is not allowed (see --allow-remote)")
    # Imported here: urllib, http.client and ssl cost ~10 ms at start-up, and only builds given
    # --allow-remote fetch (PDF builds load them with WeasyPrint anyway; validate and HTML-only
    # builds need not).
    from http.client import HTTPException
    from urllib import request

    req = request.Request(url, headers={
        "User-Agent": "briefgen", "Accept": "*/*", "Accept-Encoding": "identity"})
    try:
        with _opener().open(req, timeout=REMOTE_TIMEOUT) as response:
            if response.geturl() != req.full_url:
                raise RemoteRefused("it was redirected")
            encoding = (response.headers.get("Content-Encoding") or "identity").lower()
            if encoding != "identity":
                raise RemoteRefused(f"it came with Content-Encoding {encoding}")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_RESOURCE_BYTES:
                raise RemoteRefused(f"it is larger than {MAX_RESOURCE_BYTES:,} bytes")
            data = response.read(MAX_RESOURCE_BYTES + 1)
            kind = response.headers.get_content_type()
    except RemoteRefused:
        raise
    except (OSError, ValueError, HTTPException) as error:  # HTTPError (3xx too) is an OSError
        raise RemoteRefused(f"the request failed: {error}") from None
    if len(data) > MAX_RESOURCE_BYTES:
        raise RemoteRefused(f"it is larger than {MAX_RESOURCE_BYTES:,} bytes")
    return Fetched(data, kind)


def _opener() -> OpenerDirector:
    """urllib without its redirect, file, ftp and data handlers: http(s) only, never followed.
    Proxies come from the environment (http_proxy, no_proxy…), read at each request."""
    from urllib import request

    opener = request.OpenerDirector()
    for handler in (request.ProxyHandler(), request.HTTPHandler(), request.HTTPSHandler(),
                    request.HTTPDefaultErrorHandler(), request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener
