"""Bare WeasyPrint, the baseline of briefgen's overhead: the HTML, stylesheets and fonts briefgen
lays out (saved by run.py as SPEC.json), made into a tagged PDF as briefgen's are, and nothing
else. Imports only WeasyPrint, so that as a process it pays no briefgen import.

    .venv/bin/python bench/bare.py SPEC.json OUT.pdf
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def bare_pdf(spec_path: Path) -> bytes:
    """The PDF as plain WeasyPrint makes it, with the calls briefgen.pdf makes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    fonts = FontConfiguration()
    sheets = [CSS(**sheet, font_config=fonts) for sheet in spec["stylesheets"]]
    html = HTML(string=spec["html"], base_url=spec["base_url"])
    return html.write_pdf(stylesheets=sheets, font_config=fonts, pdf_tags=True)


if __name__ == "__main__":
    Path(sys.argv[2]).write_bytes(bare_pdf(Path(sys.argv[1])))
