"""Which local files a build may read: only regular files inside its allowed folders.

Both the Markdown image resolver and WeasyPrint's URL fetcher ask here, so a brief cannot reach
outside its folder by `..`, an absolute path, or a symlink that points elsewhere.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

MAX_RESOURCE_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}


def resolve_inside(path: Path, roots: list[Path]) -> Path | None:
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


def read_capped(path: Path, limit: int = MAX_RESOURCE_BYTES) -> bytes | None:
    """The file's bytes, or None if it is larger than `limit`."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def media_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
