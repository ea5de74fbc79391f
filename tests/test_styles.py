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
    template = library.environment().get_template(style.template_name())
    assert set(template.blocks) >= BLOCKS, BLOCKS - set(template.blocks)
