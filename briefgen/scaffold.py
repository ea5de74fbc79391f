"""New briefs from a skeleton that validates and builds before a word is changed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import BriefgenError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

BRIEF_SKELETON = """\
---
title: {title}
subtitle: One line on the question this brief answers
date: {date}
version: 1
series: Policy Brief
authors:
  - name: Your Name
    affiliation: Your Organisation
organization: Your Organisation
classification: PUBLIC
language: en
decision: The decision you are asking the reader to take, in one sentence.
---
# Key Messages
- The single most important thing the reader must take away [@example-source].
- The second message, stated as a finding rather than a topic.

# Executive Summary
Two or three short paragraphs a busy reader can stop after.

# Background
What the reader needs to know to follow the analysis.

# Analysis
## First finding
What the evidence shows, and why it matters [@example-source].

- A supporting point.

# Recommendations
## First recommendation
Priority: high
Timeframe: 6 months

Why this is the right course.

- **First action:** who does what, by when.

# Conclusion
The bottom line, restated.
"""

SOURCES_SKELETON = """\
# Each source the brief cites: [@id] in brief.md refers to an id here.
- id: example-source
  title: Title of the report or article
  author: Author Name
  publisher: Publisher
  date: {date}
  url: https://example.org/report
"""


def new_brief(directory: Path, slug: str, title: str | None = None,
              today: dt.date | None = None) -> Path:
    """Write `directory/slug/brief.md` and `sources.yaml`; refuse to touch an existing folder."""
    if not _SLUG.match(slug):
        raise BriefgenError(
            f"'{slug}' is not a usable folder name",
            field="SLUG",
            hint="use lower-case letters, digits and hyphens, e.g. energy-corridors",
        )
    folder = directory / slug
    if folder.exists():
        raise BriefgenError("already exists; briefgen new never overwrites", file=folder,
                            hint="choose another name, or edit the existing brief")
    date = (today or dt.date.today()).isoformat()
    folder.mkdir(parents=True)
    title = title or slug.replace("-", " ").capitalize()
    (folder / "brief.md").write_text(
        BRIEF_SKELETON.format(title=_yaml_string(title), date=date), encoding="utf-8")
    (folder / "sources.yaml").write_text(SOURCES_SKELETON.format(date=date), encoding="utf-8")
    return folder


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
