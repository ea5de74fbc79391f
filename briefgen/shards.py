"""One build split across machines (`build --shard K/N`), and joined back (`briefgen merge`).

A back catalogue restyled (a thousand briefs in five styles at about a second each) takes over an
hour on one two-core runner; a CI matrix of N runners takes an N-th of it. Each runner computes
the same split from the same plan, so no coordination is needed: outputs are ordered by cost
(heaviest first, the label breaking ties) and each goes to the part with the least cost so far.
The cost of an output is the time the previous manifest recorded for it, when the manifest
records one for every output; otherwise its size as an estimate, for all of them alike (two
runners that saw different manifests would otherwise split differently).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomically
from .build import MANIFEST, Job, read_manifest, save_manifest
from .errors import BriefgenError, Problem

_SPEC = re.compile(r"(\d{1,6})/(\d{1,6})")
LATEST = "latest"


@dataclass(frozen=True)
class Shard:
    """The K-th of N parts (1-based)."""

    index: int
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        match = _SPEC.fullmatch(spec.strip())
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise BriefgenError(f"'{spec}' is not a shard", field="--shard",
                                hint="write K/N with 1 ≤ K ≤ N, e.g. 2/3 for the second of three")
        return cls(int(match[1]), int(match[2]))


def select_shard(jobs: list[Job], shard: Shard, out_dir: Path) -> list[Job]:
    """The jobs of `shard`, in their planned order."""
    costs = _costs(jobs, out_dir)
    loads = [0.0] * shard.count
    mine: set[int] = set()
    for job in sorted(jobs, key=lambda j: (-costs[id(j)], j.label(), j.format)):
        part = min(range(shard.count), key=lambda p: (loads[p], p))
        loads[part] += costs[id(job)]
        if part == shard.index - 1:
            mine.add(id(job))
    return [job for job in jobs if id(job) in mine]


def _costs(jobs: list[Job], out_dir: Path) -> dict[int, float]:
    recorded = read_manifest(out_dir)
    seconds = {id(job): recorded.get(job.label(), {}).get("seconds") for job in jobs}
    if all(isinstance(value, int | float) and value >= 0 for value in seconds.values()):
        return {key: float(value) for key, value in seconds.items()}  # type: ignore[arg-type]
    return {id(job): _estimate(job) for job in jobs}


def _estimate(job: Job) -> float:
    """Seconds, roughly: the brief's size, five times over for a PDF (layout dominates)."""
    size = sum(path.stat().st_size for path in job.brief.files if path.is_file())
    return size / 10_000 * (5 if job.format == "pdf" else 1)


# --- merge ------------------------------------------------------------------------------------


def merge(folders: list[Path], out_dir: Path) -> list[Path]:
    """Copy the outputs of shard folders into `out_dir`, with one manifest and one `latest/`.

    Every file is checked against the sha256 its shard's manifest recorded, and two shards that
    made the same output differently are an error: nothing is written until all is checked."""
    entries: dict[str, dict] = {}
    sources: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        found = read_manifest(folder)
        if not found:
            problems.append(Problem("no manifest.json, or one that cannot be read",
                                    file=folder / MANIFEST,
                                    hint="name the output folders of `briefgen build --shard`"))
        for name, entry in sorted(found.items()):
            problems.extend(_take(folder, name, entry, entries, sources))
        problems.extend(_take_latest(folder, sources))
    if problems:
        raise BriefgenError(problems=problems)
    written = []
    for name, source in sorted(sources.items()):
        target = _inside(out_dir, name)
        write_atomically(target, source.read_bytes())
        written.append(target)
    save_manifest(out_dir, {**read_manifest(out_dir), **entries})
    return written


def _take(folder: Path, name: str, entry: dict, entries: dict[str, dict],
          sources: dict[str, Path]) -> list[Problem]:
    try:
        source = _inside(folder, name)
    except BriefgenError as error:
        return error.problems
    if not source.is_file() or _sha256(source) != entry.get("sha256"):
        return [Problem(f"'{name}' is missing or not what the manifest recorded", file=source,
                        hint="build that shard again")]
    if name in entries and entries[name].get("sha256") != entry.get("sha256"):
        return [Problem(f"two shards made '{name}' differently", file=source,
                        hint="shards of one build must come from the same commit")]
    entries[name], sources[name] = entry, source
    return []


def _take_latest(folder: Path, sources: dict[str, Path]) -> list[Problem]:
    latest = folder / LATEST
    problems = []
    for path in sorted(latest.iterdir()) if latest.is_dir() else []:
        name = f"{LATEST}/{path.name}"
        if not path.is_file() or path.is_symlink():
            continue
        if name in sources and _sha256(sources[name]) != _sha256(path):
            problems.append(Problem(f"two shards hold different '{name}'", file=path,
                                    hint="shards of one build must come from the same commit"))
        sources[name] = path
    return problems


def _inside(folder: Path, name: str) -> Path:
    """`folder/name`, refusing a manifest path that would lead out of `folder`."""
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()) or Path(name).is_absolute():
        raise BriefgenError(f"'{name}' leads outside {folder}", file=folder / MANIFEST,
                            hint="the manifest has been altered; build that shard again")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
