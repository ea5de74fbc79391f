"""Incremental builds: an output whose inputs have not changed is not built again.

An output's key hashes everything it is made from: briefgen's version, the format, the style's
resolved settings, and the bytes of every input file (the brief, its sources and their local
texts, every template, stylesheet and font of the style chain). The cache lives in
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

CACHE_FILE = ".briefgen-cache.json"


@dataclass
class FileHashes:
    """sha256 and display name of files, each worked out once per build however many outputs
    share the file (every style shares the fonts and the brief)."""

    _known: dict[Path, tuple[str, str]] = field(default_factory=dict)

    def named(self, path: Path) -> tuple[str, str]:
        if path not in self._known:
            self._known[path] = (_display(path), hashlib.sha256(path.read_bytes()).hexdigest())
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
        """The cached record of `target` if it was built from `key` and is still intact."""
        entry = self.entries.get(self._name(target))
        if not isinstance(entry, dict) or entry.get("key") != key or not target.is_file():
            return None
        if hashlib.sha256(target.read_bytes()).hexdigest() != entry.get("sha256"):
            return None
        return entry

    def record(self, target: Path, key: str, sha256: str, pages: int | None) -> None:
        self.entries[self._name(target)] = {"key": key, "sha256": sha256, "pages": pages}

    def _name(self, target: Path) -> str:
        """Outputs are named relative to the output folder, however that folder was given."""
        return target.resolve().relative_to(self.path.parent.resolve()).as_posix()

    def save(self) -> None:
        data = json.dumps(self.entries, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(self.path, data)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
