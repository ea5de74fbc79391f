"""`build --shard K/N` splits one build across machines; `merge` joins it back, byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.build import plan
from briefgen.cli import app
from briefgen.content import load_brief
from briefgen.errors import BriefgenError
from briefgen.shards import Shard, select_shard
from briefgen.styles import StyleLibrary
from conftest import EXAMPLE, MINI

runner = CliRunner()
STYLES = ["-s", "memo", "-s", "standard", "-s", "web"]


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def briefs(tmp_path: Path) -> list[Path]:
    """The example and two briefs made from the fixture, each with a title of its own."""
    folders = [tmp_path / "content" / EXAMPLE.name]
    shutil.copytree(EXAMPLE, folders[0])
    for number in (1, 2):
        folder = tmp_path / "content" / f"basin-{number}"
        shutil.copytree(MINI, folder)
        brief = folder / "brief.md"
        brief.write_text(brief.read_text("utf-8").replace(
            "Water Sharing", f"Water Sharing, part {number}"), "utf-8")
        folders.append(folder)
    return folders


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in ("manifest.json", ".briefgen-cache.json")}


def _manifest_without_times(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for entry in manifest["outputs"]:
        entry.pop("seconds")
    return manifest


@pytest.mark.parametrize("spec", ["0/3", "4/3", "3", "1/0", "a/b", "-1/2"])
def test_a_shard_is_k_of_n(spec: str):
    with pytest.raises(BriefgenError, match="is not a shard"):
        Shard.parse(spec)


def test_the_shards_cover_every_output_once_and_are_balanced(briefs: list[Path], tmp_path: Path):
    library = StyleLibrary()
    jobs = plan([load_brief(b) for b in briefs], library, ["memo", "standard", "analyst"], [],
                ["pdf", "html"])
    parts = [select_shard(jobs, Shard(k, 3), tmp_path / "none") for k in (1, 2, 3)]
    labels = [[f"{j.label()}" for j in part] for part in parts]
    flat = [label for part in labels for label in part]
    assert sorted(flat) == sorted(j.label() for j in jobs) and len(set(flat)) == len(flat)
    assert all(parts) and max(map(len, parts)) - min(map(len, parts)) <= 2
    again = [select_shard(jobs, Shard(k, 3), tmp_path / "none") for k in (1, 2, 3)]
    assert [[j.label() for j in part] for part in again] == labels  # the same on every machine


def test_three_shards_merged_are_the_single_build_byte_for_byte(briefs: list[Path],
                                                                 tmp_path: Path):
    single = invoke("build", *briefs, *STYLES, "-o", tmp_path / "single")
    assert single.exit_code == 0, single.output
    shards = []
    for k in (1, 2, 3):
        folder = tmp_path / f"shard-{k}"
        result = invoke("build", *briefs, *STYLES, "-o", folder, "--shard", f"{k}/3")
        assert result.exit_code == 0, result.output
        shards.append(folder)
    assert all(_files(folder) for folder in shards)  # each shard built a part
    merged = invoke("merge", *shards, "-o", tmp_path / "merged")
    assert merged.exit_code == 0, merged.output
    assert _files(tmp_path / "merged") == _files(tmp_path / "single")
    assert _manifest_without_times(tmp_path / "merged") == _manifest_without_times(
        tmp_path / "single")


def test_latest_survives_sharding(briefs: list[Path], tmp_path: Path):
    invoke("build", *briefs, "--latest", *STYLES, "-f", "html", "-o", tmp_path / "single")
    shards = [tmp_path / f"shard-{k}" for k in (1, 2)]
    for k, folder in enumerate(shards, 1):
        result = invoke("build", *briefs, "--latest", *STYLES, "-f", "html", "-o", folder,
                        "--shard", f"{k}/2")
        assert result.exit_code == 0, result.output
    assert invoke("merge", *shards, "-o", tmp_path / "merged").exit_code == 0
    assert _files(tmp_path / "merged" / "latest") == _files(tmp_path / "single" / "latest")
    # The example's three editions keep a name per language.
    assert sorted(_files(tmp_path / "merged" / "latest")) == [
        f"{style}{edition}.html" for style in ("memo", "standard", "web")
        for edition in ("", ".kk", ".ru")]


def test_a_recorded_build_time_balances_the_next_split(briefs: list[Path], tmp_path: Path):
    out = tmp_path / "out"
    assert invoke("build", briefs[1], *STYLES, "-f", "html", "-o", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert all(entry["seconds"] > 0 for entry in manifest["outputs"])
    # Say the memo took a minute: it gets a shard of its own, the rest goes to the other.
    for entry in manifest["outputs"]:
        entry["seconds"] = 60.0 if entry["style"] == "memo" else 0.1
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    jobs = plan([load_brief(briefs[1])], StyleLibrary(), ["memo", "standard", "web"], [],
                ["html"])
    first = select_shard(jobs, Shard(1, 2), out)
    assert [job.style.name for job in first] == ["memo"]


def test_merge_refuses_what_it_cannot_trust(briefs: list[Path], tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        assert invoke("build", briefs[1], "-s", "memo", "-f", "html", "-o", folder).exit_code == 0
    (two / "basin-1" / "memo.html").write_text("tampered", "utf-8")
    result = invoke("merge", one, two, tmp_path / "nothing-here", "-o", tmp_path / "merged")
    assert result.exit_code == 1, result.output
    assert "is missing or not what the manifest recorded" in result.output
    assert "nothing-here/manifest.json" in result.output
    assert not (tmp_path / "merged").exists()


def test_a_shard_folder_lists_only_its_own_part(briefs: list[Path], tmp_path: Path):
    """A cached shard folder whose part changed must not offer its old outputs to merge."""
    folder = tmp_path / "shard"
    assert invoke("build", briefs[1], briefs[2], *STYLES, "-f", "html", "-o", folder).exit_code == 0
    assert invoke("build", briefs[1], briefs[2], *STYLES, "-f", "html", "-o", folder,
                  "--shard", "1/2").exit_code == 0
    listed = json.loads((folder / "manifest.json").read_text("utf-8"))["outputs"]
    assert 0 < len(listed) < 6


def test_latest_holds_only_this_builds_editions(briefs: list[Path], tmp_path: Path):
    out = tmp_path / "out"
    invoke("build", briefs[1], "--latest", "-s", "memo", "-s", "web", "-f", "html", "-o", out)
    invoke("build", briefs[1], "--latest", "-s", "memo", "-f", "html", "-o", out)
    assert sorted(p.name for p in (out / "latest").iterdir()) == ["memo.html"]
