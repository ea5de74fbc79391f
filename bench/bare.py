"""Bare WeasyPrint, the baseline of briefgen's overhead: the same HTML, stylesheets and fonts that
briefgen lays out, written as a tagged PDF (briefgen's PDFs are tagged) with nothing else.

    .venv/bin/python bench/bare.py SPEC.json OUT.pdf

SPEC.json is written by `save_spec` from briefgen's rendered HTML. This file imports only
WeasyPrint, so that run as a process it pays no briefgen import.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.render import Rendered


def save_spec(rendered: Rendered, folder: Path) -> Path:
    """Write a `briefgen.render.Rendered` as page.html + spec.json, for a process without
    briefgen to read."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_text(rendered.html, encoding="utf-8")
    sheets = [{"filename": str(sheet)} if isinstance(sheet, Path) else {"string": sheet}
              for sheet in rendered.stylesheets]  # files, and the @page rules of `page:`
    spec = {"html": str(folder / "page.html"), "base_url": f"{rendered.base_url}/",
            "stylesheets": sheets}
    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder / "spec.json"


def bare_pdf(spec_path: Path) -> bytes:
    """The PDF as plain WeasyPrint makes it, with the calls briefgen.pdf makes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    fonts = FontConfiguration()
    sheets = [CSS(**sheet, font_config=fonts) for sheet in spec["stylesheets"]]
    html = HTML(string=Path(spec["html"]).read_text(encoding="utf-8"), base_url=spec["base_url"])
    return html.write_pdf(stylesheets=sheets, font_config=fonts, pdf_tags=True)


if __name__ == "__main__":
    Path(sys.argv[2]).write_bytes(bare_pdf(Path(sys.argv[1])))
