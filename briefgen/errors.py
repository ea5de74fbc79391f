"""The one error type briefgen raises, and the problems it carries.

Every failure a user can cause (bad content, an unknown style, a broken template) is raised as a
`BriefgenError` holding one or more `Problem`s, each saying where (file, line, field) and what to
do. The CLI prints them and exits non-zero; the library never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as we can: file, then line, then field."""

    message: str
    file: Path | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def location(self) -> str:
        """`file:line (field)`, leaving out what is unknown."""
        where = str(self.file) if self.file else ""
        if self.file and self.line:
            where += f":{self.line}"
        if self.field:
            where += f" ({self.field})" if where else self.field
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}" if self.location() else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class BriefgenError(Exception):
    """A user-facing failure with at least one located problem."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems: list[Problem] = list(problems or [])
        if message is not None:
            self.problems.insert(0, Problem(message, file, line, field, hint))
        if not self.problems:
            raise ValueError("BriefgenError needs a message or problems")
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple:
        # Errors cross process boundaries in parallel builds; keep their problems whole.
        return (_rebuild, (type(self), self.problems))


def _rebuild(cls: type[BriefgenError], problems: list[Problem]) -> BriefgenError:
    return cls(problems=problems)
