"""New briefs, styles and briefs repositories, from skeletons that validate, pass `check
--strict` and build before a word is changed."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

from .atomic import write_atomically
from .errors import BriefgenError, Problem
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
What the evidence shows, and why it matters: about 40% of the total [@example-source].

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
# Each source the brief cites: [@id] in brief.md refers to an id here. `text` names a copy of
# the source's text in this folder: `briefgen check` finds every figure the brief cites in it.
- id: example-source
  title: Title of the report or article
  author: Author Name
  publisher: Publisher
  date: {date}
  url: https://example.org/report
  text: sources/example-source.txt
"""

SOURCE_TEXT_SKELETON = """\
Paste the source's text here (or the passages the brief relies on). Every figure the brief
cites from this source must appear in it: for example, about 40% of the total.
"""


def new_brief(directory: Path, slug: str, title: str | None = None,
              today: dt.date | None = None) -> Path:
    """Write a skeleton brief into `directory/slug`; refuse to touch an existing folder."""
    _check_name(slug, "SLUG", "folder name", "energy-corridors")
    folder = directory / slug
    if folder.exists():
        raise BriefgenError("already exists; briefgen new never overwrites", file=folder,
                            hint="choose another name, or edit the existing brief")
    for name, text in brief_files(slug, title, today).items():
        _write(folder / name, text)
    return folder


def brief_files(slug: str, title: str | None = None,
                today: dt.date | None = None) -> dict[str, str]:
    """The skeleton brief's files, by their path in its folder."""
    date = (today or dt.date.today()).isoformat()
    title = title or slug.replace("-", " ").capitalize()
    return {"brief.md": BRIEF_SKELETON.format(title=_yaml_string(title), date=date),
            "sources.yaml": SOURCES_SKELETON.format(date=date),
            "sources/example-source.txt": SOURCE_TEXT_SKELETON}


def _check_name(name: str, field: str, what: str, example: str) -> None:
    if not _SLUG.match(name):
        raise BriefgenError(f"'{name}' is not a usable {what}", field=field,
                            hint=f"use lower-case letters, digits and hyphens, e.g. {example}")


def _write(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))


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
    The blocks and variables: `briefgen help templates`. -#}}
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
    _check_name(name, "NAME", "style name", "house")
    folder = directory / name
    if folder.exists():
        raise BriefgenError("already exists; briefgen style new never overwrites", file=folder,
                            hint="choose another name, or edit the existing style")
    _write(folder / "style.yaml", STYLE_YAML.format(name=name, parent=parent.name))
    _write(folder / "brief.html.j2",
           STYLE_TEMPLATE.format(parent=parent.name, template=parent.template_name()))
    _write(folder / f"{name}.css", STYLE_CSS.format(name=name))
    return folder


# --- a briefs repository ------------------------------------------------------------------------

#: The action the starter workflow uses; `init --action` names another (a fork, a pinned tag).
DEFAULT_ACTION = "briefgen/briefgen@v0"
_STARTER = "starter"


def init_project(directory: Path, slug: str = "first-brief", *, force: bool = False,
                 action: str = DEFAULT_ACTION, today: dt.date | None = None) -> list[Path]:
    """Start a briefs repository in `directory`: settings, a skeleton brief, a house style, a
    CI workflow, .gitignore and a README. Refuses, naming them, to overwrite existing files
    unless `force`. Returns the files written."""
    _check_name(slug, "--slug", "folder name", "energy-corridors")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[\w./-]+", action):
        raise BriefgenError(f"'{action}' is not an action reference", field="--action",
                            hint="write OWNER/REPOSITORY@REF, e.g. briefgen/briefgen@v0")
    files = {**_starter_files(action),
             **{f"content/{slug}/{name}": text
                for name, text in brief_files(slug, today=today).items()}}
    existing = [directory / name for name in files if (directory / name).exists()]
    if existing and not force:
        raise BriefgenError(problems=[
            Problem("already exists; briefgen init never overwrites", file=path,
                    hint="move it away, or pass --force to overwrite")
            for path in existing])
    for name, text in files.items():
        _write(directory / name, text)
    return [directory / name for name in files]


def _starter_files(action: str) -> dict[str, str]:
    """The repository's own files, as shipped in the package (briefgen/starter/)."""
    root = resources.files("briefgen") / _STARTER
    found: dict[str, str] = {}
    for name in STARTER_FILES:
        text = (root / name).read_text(encoding="utf-8")
        found[name] = text.replace(DEFAULT_ACTION, action)
    return found


#: Every file of briefgen/starter/, by its path in the new repository.
STARTER_FILES = (
    "briefgen.toml",
    ".gitignore",
    "README.md",
    ".github/workflows/briefs.yml",
    "styles/house/style.yaml",
    "styles/house/brief.html.j2",
    "styles/house/house.css",
    "styles/house/logo.svg",
)
