"""The import's report: the sections found, what was moved or dropped, what is left TODO."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportReport:
    """What an import did, for the CLI to show: nothing is moved or dropped silently."""

    folder: Path  # the content folder written
    sections: list[tuple[str, str, int]] = field(default_factory=list)
    """(heading as found, field or "extra:<key>", line in the source)."""
    moved: list[str] = field(default_factory=list)
    """Human-readable notes on items moved or restructured, each starting with its line."""
    dropped: list[tuple[int, str, str]] = field(default_factory=list)
    """(line, text, name of the `FURNITURE_RULES` rule that dropped it)."""
    todo: list[str] = field(default_factory=list)
    """Fields written as a TODO placeholder: title, date, authors, executive_summary, sources."""
    language: str = "en"
    """The language tag found for the brief (`briefgen.importing.language`): its `language`."""
    language_evidence: str = ""
    """Why that language, in words: the headings or letters that decided it."""

    def sort_moved(self) -> None:
        """List the `moved` notes in reading order: by the source line each starts with."""
        self.moved.sort(key=_note_line)


def _note_line(note: str) -> int:
    match = re.match(r"line (\d+):", note)
    return int(match[1]) if match else 0
