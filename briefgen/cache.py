"""Incremental builds: an output whose inputs have not changed is not built again.

An output's key hashes everything it is made from: briefgen's version, the format, the style's
resolved settings, the build's limits, and the bytes of every input file (the brief, its
sources and their local texts, every template, stylesheet and font of the style chain). Files
found only while rendering (an image the brief embeds, a file a stylesheet points to) are
recorded with the output as the rendering read them, and checked again before it is reused. A
reused output reports the warnings its build gave. The cache lives in
`OUT/.briefgen-cache.json`; if it is missing or damaged the outputs are simply rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import write_atomically
from .safety import MAX_RESOURCE_BYTES

CACHE_FILE = ".briefgen-cache.json"


@dataclass
class FileHashes:
    """sha256 and display name of files, each worked out once per build however many outputs
    share the file (every style shares the fonts and the brief)."""

    _known: dict[Path, tuple[str, str]] = field(default_factory=dict)

    def named(self, path: Path) -> tuple[str, str]:
        if path not in self._known:
            self._known[path] = (display_name(path), hashlib.sha256(path.read_bytes()).hexdigest())
        return self._known[path]


def input_hashes(paths: list[Path], hashes: FileHashes) -> dict[str, str]:
    """Each input's display name (relative to the current folder where possible) → sha256."""
    return dict(hashes.named(path) for path in sorted(set(paths)))


def output_key(fmt: str, settings_json: str, inputs: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for part in (__version__, fmt, settings_json, *(f"{k}={v}" for k, v in inputs.items())):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


@dataclass
class BuildCache:
    """What each output was last built from, so unchanged outputs can be skipped."""

    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> BuildCache:
        path = out_dir / CACHE_FILE
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(entries, dict):
                raise ValueError("not a mapping")
        except (OSError, ValueError):
            entries = {}  # missing or damaged: it only costs a rebuild
        return cls(path, entries)

    def fresh(self, target: Path, key: str) -> dict[str, Any] | None:
        """The cached record of `target` if it was built from `key`, every file its rendering
        read (images found only while rendering) is unchanged, and it is still intact."""
        entry = self.entries.get(self._name(target))
        if not isinstance(entry, dict) or entry.get("key") != key or not target.is_file():
            return None
        reads = entry.get("reads")
        if not isinstance(reads, dict) or any(_sha256(Path(p)) != d for p, d in reads.items()):
            return None
        if _sha256(target) != entry.get("sha256"):
            return None
        return entry

    def record(self, target: Path, key: str, output: Any) -> None:
        """Remember an `Output`: what it was made from, and what its build reported."""
        self.entries[self._name(target)] = {
            "key": key, "sha256": output.sha256, "pages": output.pages,
            "warnings": list(output.warnings),
            "reads": {str(path): digest for path, digest in sorted(output.reads.items())},
        }

    @staticmethod
    def reads(entry: dict[str, Any]) -> dict[Path, str]:
        return {Path(path): digest for path, digest in entry.get("reads", {}).items()}

    def _name(self, target: Path) -> str:
        """Outputs are named relative to the output folder, however that folder was given."""
        return target.resolve().relative_to(self.path.parent.resolve()).as_posix()

    def save(self) -> None:
        data = json.dumps(self.entries, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(self.path, data)


def _sha256(path: Path) -> str | None:
    """The file's sha256; None if it is gone, or is not what a build would read (the cache
    file is data too: a name in it must not make us read a device or a huge file)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_RESOURCE_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def display_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
