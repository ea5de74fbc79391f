"""Writing files so that a reader, or a killed build, never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: The temporary file is `.NAME.<random>.tmp` beside the target.
_PARTIAL_SUFFIX = ".tmp"


def partial_files(target: Path) -> list[Path]:
    """The temporary files `write_atomically` left beside `target` when the process writing
    them was killed before it could remove them."""
    return sorted(target.parent.glob(f".{target.name}.*{_PARTIAL_SUFFIX}"))


def write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target, then rename: readers see the old file or the new, never half.

    The file gets the mode an ordinary write would give (0644 under the usual umask 022), not
    the temporary file's 0600: published PDFs must be readable by a web server or a colleague."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_PARTIAL_SUFFIX,
                                         dir=target.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(current)
    return current
