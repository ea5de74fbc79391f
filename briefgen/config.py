"""Project settings: `briefgen.toml`, or `[tool.briefgen]` in `pyproject.toml`.

```toml
templates = ["house-styles"]          # style folders searched before the built-in ones
allow_scripts = false                 # true lets styles put script into the HTML edition
[audiences]
minister = "memo"
minister_kz = { style = "memo", language = "kk" }   # only the Kazakh edition (brief.kk.md)
analysts = { style = "analyst", options = { show_cover = true } }
```

Paths are relative to the file that names them. A brief's own `audiences` take precedence over
the project's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from .errors import BriefgenError, Problem
from .limits import PdfVariant
from .model import LANGUAGE_TAG

CONFIG_FILE = "briefgen.toml"


class AudienceEdition(BaseModel):
    """The style an audience gets, the language it reads (None: every edition), and options
    passed to that style's templates."""

    model_config = ConfigDict(extra="forbid")
    style: str
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_TAG)] | None = None
    #: PDFs for this audience as PDF/UA-1 or PDF/A-3u, whatever the style says.
    pdf_variant: PdfVariant | None = None
    options: dict[str, Any] = {}


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    templates: list[str] = []
    audiences: dict[str, str | AudienceEdition] = {}
    allow_scripts: bool = False


@dataclass(frozen=True)
class ProjectConfig:
    """What the project file says; empty when there is none."""

    file: Path | None = None
    templates: list[Path] = field(default_factory=list)
    audiences: dict[str, AudienceEdition] = field(default_factory=dict)
    #: Let styles put script, event handlers, script URLs, refresh and base into the HTML
    #: edition. Off: they are removed, with a warning. Only the project owner can turn it on.
    allow_scripts: bool = False


def load_project_config(folder: Path | None = None) -> ProjectConfig:
    """Read `briefgen.toml` from `folder` (default: the current one), else its pyproject.toml."""
    folder = folder or Path.cwd()
    own = folder / CONFIG_FILE
    if own.is_file():
        return _parse(own, _read_toml(own))
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("briefgen")
        if section is not None:
            return _parse(pyproject, section)
    return ProjectConfig()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)
        raise BriefgenError(f"TOML syntax error: {error}", file=path, line=line) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BriefgenError(f"cannot read: {error}", file=path) from None


def _parse(path: Path, data: Any) -> ProjectConfig:
    try:
        settings = _Settings.model_validate(data)
    except ValidationError as error:
        raise BriefgenError(problems=[
            Problem(e["msg"], file=path, field=".".join(str(p) for p in e["loc"]),
                    hint="briefgen settings are 'templates', 'audiences' and 'allow_scripts'")
            for e in error.errors()
        ]) from None
    audiences = {
        name: edition if isinstance(edition, AudienceEdition) else AudienceEdition(style=edition)
        for name, edition in settings.audiences.items()
    }
    return ProjectConfig(path, [path.parent / t for t in settings.templates], audiences,
                         settings.allow_scripts)
