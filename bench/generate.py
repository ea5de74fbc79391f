"""Write N briefs derived from the example into DEST/content/, for measuring many briefs.

    .venv/bin/python bench/generate.py N DEST

Each is the example with its own slug, title, date, version and number and its key messages
rotated, so no two are the same document; each keeps a copy of the sources and builds alone.
Titles are no longer than the example's: the standard style's 6 pages are full, and a longer
title could overflow them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "content" / "kazakhstan-multi-vector"
_WORDS_A = ["Balancing", "Weighing", "Steering", "Hedging", "Bridging", "Anchoring", "Holding"]
_WORDS_B = ["Between Giants", "Among Powers", "Across Steppes", "Past Pipelines", "With Neighbours"]


def title_for(index: int) -> str:
    """At most 24 characters, the length of the example's 'Balancing Between Giants'."""
    a, b = _WORDS_A[index % len(_WORDS_A)], _WORDS_B[(index // len(_WORDS_A)) % len(_WORDS_B)]
    return f"{a} {b}"[:24]


def _set_field(front: str, key: str, value: str) -> str:
    """Replace one front-matter line; fails loudly if the example's format has changed."""
    front, found = re.subn(rf"^{key}:.*$", lambda _: f"{key}: {value}", front, count=1,
                           flags=re.MULTILINE)
    if not found:
        raise ValueError(f"the example's front matter has no '{key}:' line")
    return front


def _rotate_key_messages(body: str, by: int) -> str:
    match = re.search(r"(# Key Messages\n\n)((?:- .*\n)+)", body)
    if not match:
        return body
    bullets = match.group(2).splitlines(keepends=True)
    by %= len(bullets)
    return body[: match.start(2)] + "".join(bullets[by:] + bullets[:by]) + body[match.end(2):]


def make_brief(content: Path, index: int) -> Path:
    folder = content / f"bench-brief-{index:03d}"
    shutil.copytree(EXAMPLE, folder)
    _, front, body = (EXAMPLE / "brief.md").read_text(encoding="utf-8").split("---\n", 2)
    for key, value in (("title", title_for(index)),
                       ("date", (dt.date(2026, 11, 20) - dt.timedelta(days=index)).isoformat()),
                       ("version", str(1 + index % 9)),
                       ("number", f'"SPL-PB-2026-{index % 100:02d}"')):
        front = _set_field(front, key, value)
    body = _rotate_key_messages(body, index)
    (folder / "brief.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return folder


def generate(n: int, dest: Path) -> list[Path]:
    """Write `n` briefs into `dest/content/`, replacing what was there."""
    content = dest / "content"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    return [make_brief(content, i) for i in range(n)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many briefs")
    parser.add_argument("dest", type=Path, help="project folder; briefs go in DEST/content/")
    args = parser.parse_args()
    print(f"wrote {len(generate(args.n, args.dest))} briefs into {args.dest / 'content'}")
