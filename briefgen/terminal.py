"""Text from briefs, styles and file names, made safe to show on a terminal.

Such text is untrusted, and a terminal acts on some characters instead of showing them:
`ESC ] 52 …` writes the clipboard, `ESC [ 2J` clears the screen, U+009B is the one-character
form of `ESC [`, a newline or carriage return starts a line that looks like briefgen's own
("✓ 1 brief valid"), and the bidi embeddings, overrides and isolates make text read in an order
other than the one it has. `visible` replaces each of them with its escape in Python's notation
(`\\x1b`, `\\n`, `\\u202e`), so the reader sees that it is there and the terminal does nothing.

Backslashes are left as they are: a literal `\\x1b` in the text looks the same as a neutralised
ESC, which misleads nobody into harm, and Windows paths and rich's markup escapes stay intact.
"""

from __future__ import annotations

_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_C0_AND_DEL = [*range(0x00, 0x20), 0x7F]
_C1 = range(0x80, 0xA0)
_BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # LRE…RLO, LRI…PDI
# The bidi marks (LRM, RLM, ALM) reorder neighbouring text too; the line and paragraph
# separators break a line as a newline does.
_MARKS_AND_SEPARATORS = [0x200E, 0x200F, 0x061C, 0x2028, 0x2029]


def _escape(code: int) -> str:
    char = chr(code)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_VISIBLE = {code: _escape(code)
            for code in (*_C0_AND_DEL, *_C1, *_BIDI_CONTROLS, *_MARKS_AND_SEPARATORS)}


def visible(text: str) -> str:
    """`text` with every C0 and C1 control character, DEL and bidi control shown as its escape."""
    return text.translate(_VISIBLE)
