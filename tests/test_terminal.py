"""`visible`: the characters a terminal would act on are shown in Python's escape notation."""

from __future__ import annotations

import unicodedata

import pytest

from briefgen.terminal import visible

BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                 0x200E, 0x200F, 0x061C, 0x2028, 0x2029]  # marks, line and paragraph separators


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]52;c;SGVsbG8=\x07", r"\x1b]52;c;SGVsbG8=\x07"),
    ("\x1b[2J", r"\x1b[2J"),
    ("a\nb\rc\td", r"a\nb\rc\td"),
    ("\x00\x7f", r"\x00\x7f"),
    ("\x9b31m\x85", r"\x9b31m\x85"),
    ("abc\u202edef\u2066", r"abc\u202edef\u2066"),
    ("a\u200fb\u2028c", r"a\u200fb\u2028c"),
])
def test_control_characters_are_shown_in_escape_notation(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_every_c0_c1_del_and_bidi_control_is_neutralised() -> None:
    controls = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS]
    shown = visible("".join(map(chr, controls)))
    assert shown.isascii() and shown.isprintable()
    assert shown.count("\\") == len(controls)


def test_printable_text_is_unchanged() -> None:
    text = "Қазақ тілі, кириллица, العربية, “quotes” — [bold]markup[/] C:\\path ✓ é\u00a0€"
    assert visible(text) == text


def test_no_other_character_is_touched() -> None:
    """Only C0, DEL, C1, the bidi controls and marks and the line and paragraph separators: the
    rest of the BMP,
    format characters included, passes through, so names and prose print as written."""
    neutralised = {*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS}
    kept = "".join(chr(c) for c in range(0x10000)
                   if c not in neutralised and unicodedata.category(chr(c)) != "Cs")
    assert visible(kept) == kept
