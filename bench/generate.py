"""Write N synthetic briefs, derived from the example brief, into a content folder.

    .venv/bin/python bench/generate.py N DEST            # DEST/content/<slug>/...
    .venv/bin/python bench/generate.py 50 /tmp/briefs --source content/kazakhstan-multi-vector

Each brief is the example with its own slug (folder name), title, date, version and number, and
its key messages rotated, so no two briefs are the same document. Titles keep the example's length
(the standard style allows 6 pages and the example uses all 6: a longer title could overflow).
The source texts are copied, so every brief is self-contained and builds on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "content" / "kazakhstan-multi-vector"

# Same length as the example's title ("Balancing Between Giants", 24 characters) or shorter.
_WORDS_A = ["Balancing", "Weighing", "Steering", "Hedging", "Bridging", "Anchoring", "Holding"]
_WORDS_B = ["Between Giants", "Among Powers", "Across Steppes", "Past Pipelines", "With Neighbours"]


def title_for(index: int) -> str:
    a = _WORDS_A[index % len(_WORDS_A)]
    b = _WORDS_B[(index // len(_WORDS_A)) % len(_WORDS_B)]
    return f"{a} {b}"[:24]


def slug_for(index: int) -> str:
    return f"bench-brief-{index:03d}"


def _set_field(front: str, key: str, value: str) -> str:
    pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
    if not pattern.search(front):
        raise ValueError(f"the example's front matter has no '{key}:' line")
    return pattern.sub(lambda _: f"{key}: {value}", front, count=1)


def _rotate_key_messages(body: str, by: int) -> str:
    """Rotate the bullets of '# Key Messages' so each brief's text differs a little."""
    match = re.search(r"(# Key Messages\n\n)((?:- .*\n)+)", body)
    if not match:
        return body
    bullets = match.group(2).splitlines(keepends=True)
    by %= len(bullets)
    rotated = bullets[by:] + bullets[:by]
    return body[: match.start(2)] + "".join(rotated) + body[match.end(2):]


def make_brief(source: Path, dest: Path, index: int) -> Path:
    """One brief folder `dest/<slug>`, derived from the brief folder `source`."""
    folder = dest / slug_for(index)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source, folder)
    text = (source / "brief.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    date = dt.date(2026, 11, 20) - dt.timedelta(days=index)
    front = _set_field(front, "title", title_for(index))
    front = _set_field(front, "date", date.isoformat())
    front = _set_field(front, "version", str(1 + index % 9))
    front = _set_field(front, "number", f'"SPL-PB-2026-{index % 100:02d}"')
    body = _rotate_key_messages(body, index)
    (folder / "brief.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return folder


def generate(n: int, dest: Path, source: Path = EXAMPLE) -> list[Path]:
    """Write `n` briefs into `dest/content/`; returns their folders. Replaces what was there."""
    content = dest / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    return [make_brief(source, content, i) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many briefs")
    parser.add_argument("dest", type=Path, help="project folder; briefs go in DEST/content/")
    parser.add_argument("--source", type=Path, default=EXAMPLE, help="the brief to derive from")
    args = parser.parse_args()
    folders = generate(args.n, args.dest, args.source)
    print(f"wrote {len(folders)} briefs into {args.dest / 'content'}")


if __name__ == "__main__":
    main()
