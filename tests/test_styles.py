"""Every built-in style is complete: settings that validate and the blocks users override."""

from __future__ import annotations

import pytest

from briefgen.styles import StyleLibrary

BLOCKS = {"head", "cover", "key_messages", "body", "recommendations", "references", "colophon"}
BUILTIN = ["analyst", "briefing-note", "memo", "standard", "web"]


def test_the_five_audience_styles_are_built_in():
    assert sorted(StyleLibrary().builtin_names()) == BUILTIN


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_template_exposes_every_common_block(name: str):
    library = StyleLibrary()
    style = library.get(name)
    assert style.settings.description and style.settings.audience
    if "pdf" in style.settings.formats:
        assert style.settings.page.size == "A4"
    template = library.environment(style).get_template(style.template_name())
    assert set(template.blocks) >= BLOCKS, BLOCKS - set(template.blocks)


@pytest.mark.parametrize(("value", "printed"), [
    ("2026-01-01", "1 January 2026"),  # a date in a style's options: YAML dates are text
    ("next spring", "next spring"),
])
def test_the_date_filter_prints_iso_text_as_a_date(value: str, printed: str):
    library = StyleLibrary([])
    template = library.environment(library.get("standard")).from_string("{{ value | date }}")
    assert template.render(value=value) == printed
