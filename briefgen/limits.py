"""The limits every output of a build is held to, with their defaults in one place.

Kept apart from `build` (which imports the renderer) so that the command line can show the
defaults without loading anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: No brief should be longer; a runaway layout (say `@page { size: 1mm }`) stops here.
DEFAULT_MAX_PAGES = 200
#: Seconds one output may take; a template that loops for ever stops here.
DEFAULT_TIMEOUT = 300.0
#: The PDF variants WeasyPrint writes that briefgen offers: accessible (PDF/UA-1) and archival
#: with Unicode text (PDF/A-3u).
PdfVariant = Literal["pdf/ua-1", "pdf/a-3u"]
PDF_VARIANTS: tuple[str, ...] = ("pdf/ua-1", "pdf/a-3u")


@dataclass(frozen=True)
class Limits:
    """What every output of one build is held to (and what changes its bytes); each worker
    gets a copy."""

    allow_overflow: bool = False
    max_pages: int = DEFAULT_MAX_PAGES
    allowed_hosts: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    #: The project allows script in the HTML edition (`allow_scripts` in briefgen.toml).
    allow_scripts: bool = False
    #: `--pdf-variant`: every PDF of the build in this variant, whatever its style says.
    pdf_variant: str | None = None
