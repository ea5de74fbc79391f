"""Checks a reader cares about that validation alone cannot make: length budgets per
section, values still marked to-do, and figures the text never refers to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem
from .markdown import plain_text
from .model import Brief, strings_in

if TYPE_CHECKING:  # styles pulls in Jinja, which `briefgen validate` does not otherwise need
    from .content import LoadedBrief
    from .styles import StyleSettings


def section_word_counts(brief: Brief, settings: StyleSettings) -> dict[str, int]:
    """Words of running text in each section the style shows, citations and markup excluded."""
    return {
        key: sum(len(plain_text(text).split()) for text in strings_in(getattr(brief, key)))
        for key in settings.sections
        if brief.has_section(key)
    }


def word_budget_problems(brief: Brief, settings: StyleSettings) -> list[Problem]:
    """One problem per section over the style's word budget, saying by how much."""
    counts = section_word_counts(brief, settings)
    return [
        Problem(
            f"{brief.heading(key)} has {counts[key]} words, {counts[key] - limit} over the "
            f"'{settings.name}' style's budget of {limit}",
            field=key,
            hint="tighten the section, or build a style with a longer budget",
        )
        for key, limit in settings.budgets.words.items()
        if counts.get(key, 0) > limit
    ]


def todo_markers(files: list[Path]) -> list[Problem]:
    """Lines still marked to-do (as `briefgen import` marks what it could not know)."""
    return [
        Problem(f"still marked to-do: {line.strip()}", file=path, line=number,
                hint="fill in the real value and remove the TODO")
        for path in files if path.suffix in (".md", ".yaml", ".yml", ".json", ".bib")
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1)
        if "TODO" in line
    ]


def unreferenced_exhibits(loaded: LoadedBrief) -> list[Problem]:
    """Figures and tables the text never refers to: drawn after the last section, where the
    reader may miss them."""
    label = {"fig": "figure", "tbl": "table"}
    where = next((f for f in loaded.files if f.name == "figures.yaml"), loaded.files[0])
    return [Problem(f"{label[kind]} '{name}' is never referred to in the text: write "
                    f"@{kind}:{name} where the text needs it", file=where)
            for kind, name in loaded.brief.unreferenced_exhibits()]
