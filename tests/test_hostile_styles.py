"""The second hostile round: a downloaded style or an odd brief folder trying to get CSS that
fetches, live script into the HTML, files read from outside, or writes outside `-o`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from briefgen.pdf import lay_out
from briefgen.render import Rendered
from test_security import CountingServer, invoke, potent, server, write_style

__all__ = ["server"]  # the fixture, used by name below


def _page_style(root: Path, page_yaml: str) -> Path:
    styles = write_style(root)
    settings = styles / "hostile" / "style.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + page_yaml, encoding="utf-8")
    return styles


# --- hole 2: page settings that become CSS ------------------------------------------------------


@pytest.mark.parametrize("field", ["size", "margin"])
@pytest.mark.parametrize("payload", [
    "A4; } @font-face { font-family: x; src: url({http}/font.ttf) } @page { size: A4",
    "A4; } body { background: url({http}/bg.png) } @page {",
    "20mm; } @import url({http}/x.css); @page {",
    "url({http}/x.png)",
    "url(file:///dev/zero)",
    "A4 /* */",
    "A4;margin:0",
    "A4\n} body { background: url({http}/nl.png) }",
    "21O mm",
    "-5mm",
    "1e9mm",
    "calc(1mm)",
    "var(--x)",
    "A4 \\3b } body { color: red",
])
def test_page_settings_are_held_to_a_grammar(mini: Path, tmp_path: Path, server: CountingServer,
                                             field: str, payload: str):
    value = payload.replace("{http}", server.base)
    # A JSON string is a YAML double-quoted scalar: the value arrives exactly as written.
    styles = _page_style(tmp_path / "styles", f"page:\n  {field}: {json.dumps(value)}\n")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "style.yaml" in result.output and f"page.{field}" in result.output
    assert server.requests == []
    assert not (tmp_path / "out" / "mini" / "hostile.pdf").exists()


@pytest.mark.parametrize(("size", "margin"), [
    ("A5", "12mm"), ("a4 landscape", "20mm 15mm"), ("landscape letter", "1in 0.75in 1in"),
    ("148mm 210mm", "10mm 12mm 14mm 16mm"), ("auto", "0"),
])
def test_ordinary_page_settings_still_work(mini: Path, tmp_path: Path, size: str, margin: str):
    styles = _page_style(tmp_path / "styles", f"page:\n  size: {size}\n  margin: {margin}\n")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "pdf", "-j", "1")
    assert result.exit_code == 0, result.output


def test_the_page_stylesheet_is_parsed_under_the_guarded_fetcher(tmp_path: Path,
                                                                 server: CountingServer):
    """Second line of defence: even CSS briefgen writes itself cannot fetch."""
    secret = potent(tmp_path / "secret.css", f"SECRET-{uuid.uuid4().hex}")
    rendered = Rendered(
        html="<!doctype html><title>t</title><p>text</p>", base_url=tmp_path / "brief",
        stylesheets=[], roots=[tmp_path / "brief"],
        page_css=(f"@import url({server.url('/page.css')}); @import url(file://{secret}); "
                  f"@font-face {{ font-family: x; src: url({server.url('/f.ttf')}) }} "
                  "body { font-family: x; background: url(file:///dev/zero) }"))
    (tmp_path / "brief").mkdir()
    laid_out = lay_out(rendered)
    assert server.requests == []
    assert any("refused to fetch" in w and "/dev/zero" in w for w in laid_out.warnings)
