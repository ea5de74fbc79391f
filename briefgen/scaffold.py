"""New briefs from a skeleton that validates and builds before a word is changed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import BriefgenError
from .styles import Style

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


STYLE_YAML = """\
# A house style: it inherits every setting of '{parent}' it does not set here.
name: {name}
description: {name} house style, based on {parent}.
audience: Our readers
extends: {parent}
# Added after the parent's CSS, so its rules win.
stylesheets: [{name}.css]
"""

STYLE_TEMPLATE = """\
{{#- Extends '{parent}' and overrides one block; override any other block the same way.
    The blocks and variables are listed in docs/templates.md. -#}}
{{% extends "{template}" %}}

{{% block colophon %}}
{{{{ super() }}}}
<p class="house-note">Published by {{{{ brief.organization or "our organisation" }}}}.</p>
{{% endblock %}}
"""

STYLE_CSS = """\
/* {name}: change the parent's look here. The built-in styles read these variables. */
:root {{
  --accent: #7a1f3d;
}}

.house-note {{ font-style: italic; }}
"""


def new_style(directory: Path, name: str, parent: Style) -> Path:
    """Write a minimal style extending `parent` into `directory/name`; never overwrite."""
    if not _SLUG.match(name):
        raise BriefgenError(f"'{name}' is not a usable style name", field="NAME",
                            hint="use lower-case letters, digits and hyphens, e.g. house")
    folder = directory / name
    if folder.exists():
        raise BriefgenError("already exists; briefgen style new never overwrites", file=folder,
                            hint="choose another name, or edit the existing style")
    folder.mkdir(parents=True)
    (folder / "style.yaml").write_text(
        STYLE_YAML.format(name=name, parent=parent.name), encoding="utf-8")
    (folder / "brief.html.j2").write_text(
        STYLE_TEMPLATE.format(parent=parent.name, template=parent.template_name()),
        encoding="utf-8")
    (folder / f"{name}.css").write_text(STYLE_CSS.format(name=name), encoding="utf-8")
    return folder
