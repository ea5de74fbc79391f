"""CI-grade builds: reproducible to the byte, incremental, parallel, with a stable `latest/`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from briefgen.cli import app
from conftest import MINI, ROOT

runner = CliRunner()


def build(*args: str | Path):
    result = runner.invoke(app, ["build", *(str(a) for a in args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_two_builds_in_separate_processes_and_folders_are_byte_identical(tmp_path: Path):
    outputs = []
    for name in ("clone-a", "clone-b"):
        brief = tmp_path / name / "mini"
        shutil.copytree(MINI, brief)
        out = tmp_path / name / "out"
        subprocess.run([sys.executable, "-m", "briefgen.cli", "build", str(brief), "-s",
                        "standard", "-s", "memo", "-o", str(out), "-j", "1"],
                       cwd=ROOT, check=True, capture_output=True)
        outputs.append(out / "mini")
    names = sorted(p.name for p in outputs[0].iterdir())
    assert names == ["memo.html", "memo.pdf", "standard.html", "standard.pdf"]
    for name in names:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_unchanged_outputs_are_not_rebuilt_and_force_rebuilds(tmp_path: Path):
    out = tmp_path / "out"  # HTML proves the cache as well as a PDF would, in a tenth the time
    build(MINI, "-s", "standard", "-s", "memo", "-f", "html", "-o", out, "-j", "1")
    again = build(MINI, "-s", "standard", "-s", "memo", "-f", "html", "-o", out, "-j", "1")
    assert "wrote 0 files" in again and "(2 unchanged)" in again
    forced = build(MINI, "-s", "standard", "-s", "memo", "-f", "html", "-o", out, "-j", "1",
                   "--force")
    assert "wrote 2 files" in forced


def test_a_template_change_rebuilds_only_the_styles_that_use_it(tmp_path: Path):
    styles = tmp_path / "styles"
    for name in ("alpha", "beta"):
        (styles / name).mkdir(parents=True)
        (styles / name / "style.yaml").write_text(
            "extends: standard\nformats: [html]\nstylesheets: [extra.css]\n", "utf-8")
        (styles / name / "extra.css").write_text(f"/* {name} */\n", "utf-8")
    out = tmp_path / "out"
    args = (MINI, "-s", "alpha", "-s", "beta", "--templates", styles, "-o", out, "-j", "1")
    build(*args)
    (styles / "beta" / "extra.css").write_text("/* beta, changed */\n", "utf-8")
    output = build(*args)
    assert "alpha.html (unchanged)" in output
    assert "beta.html\n" in output and "wrote 1 file " in output


def test_a_brief_change_or_a_damaged_cache_costs_only_a_rebuild(mini: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(mini, "-s", "standard", "-f", "html", "-o", out)
    (out / ".briefgen-cache.json").write_text("{not json", "utf-8")
    assert "wrote 1 file " in build(mini, "-s", "standard", "-f", "html", "-o", out)
    brief = mini / "brief.md"
    brief.write_text(brief.read_text("utf-8").replace("Water Sharing", "River Sharing"), "utf-8")
    assert "wrote 1 file " in build(mini, "-s", "standard", "-f", "html", "-o", out)
    assert "River Sharing" in (out / "mini" / "standard.html").read_text("utf-8")


def test_a_deleted_or_tampered_output_is_rebuilt(tmp_path: Path):
    out = tmp_path / "out"
    build(MINI, "-s", "standard", "-f", "html", "-o", out)
    (out / "mini" / "standard.html").write_text("tampered", "utf-8")
    assert "wrote 1 file " in build(MINI, "-s", "standard", "-f", "html", "-o", out)
    assert "tampered" not in (out / "mini" / "standard.html").read_text("utf-8")


def test_parallel_build_matches_the_sequential_one(tmp_path: Path):
    build(MINI, "-s", "standard", "-s", "memo", "-o", tmp_path / "seq", "-j", "1")
    build(MINI, "-s", "standard", "-s", "memo", "-o", tmp_path / "par", "-j", "2")
    for path in (tmp_path / "seq" / "mini").iterdir():
        assert path.read_bytes() == (tmp_path / "par" / "mini" / path.name).read_bytes()


def test_parallel_failure_is_reported_and_other_outputs_survive(tmp_path: Path):
    styles = tmp_path / "styles"
    (styles / "tight").mkdir(parents=True)
    (styles / "tight" / "style.yaml").write_text(
        "extends: standard\nbudgets:\n  max_pages: 1\n", "utf-8")
    result = runner.invoke(app, ["build", str(MINI), "-s", "tight", "-s", "memo", "--templates",
                                 str(styles), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 1
    assert "tight.pdf runs to 2 pages, 1 over the style's limit of 1" in result.output
    written = sorted(p.name for p in (tmp_path / "out" / "mini").iterdir())
    assert written == ["memo.html", "memo.pdf", "tight.html"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert sorted(e["path"] for e in manifest["outputs"]) == [
        "mini/memo.html", "mini/memo.pdf", "mini/tight.html"]


def test_latest_is_copied_under_stable_names(tmp_path: Path):
    content = tmp_path / "content"
    for name, date in (("spring", "2026-03-01"), ("autumn", "2026-10-01")):
        shutil.copytree(MINI, content / name)
        brief = content / name / "brief.md"
        brief.write_text(brief.read_text("utf-8").replace("2026-01-15", date), "utf-8")
    out = tmp_path / "out"
    output = build(content / "spring", content / "autumn", "--latest", "-s", "memo", "-s", "web",
                   "-f", "html", "-o", out)
    assert "copied to" in output
    assert sorted(p.name for p in (out / "latest").iterdir()) == ["memo.html", "web.html"]
    assert (out / "latest" / "memo.html").read_bytes() == (
        out / "autumn" / "memo.html").read_bytes()


def test_manifest_lists_the_hash_of_every_input(tmp_path: Path):
    build(MINI, "-s", "standard", "-f", "html", "-o", tmp_path)
    (entry,) = json.loads((tmp_path / "manifest.json").read_text("utf-8"))["outputs"]
    inputs = entry["inputs"]
    assert any(name.endswith("mini/brief.md") for name in inputs)
    assert any(name.endswith("mini/sources.yaml") for name in inputs)
    assert any(name.endswith("standard/style.css") for name in inputs)
    assert any(name.endswith("NotoSerif-Regular.ttf") for name in inputs)
    assert all(len(digest) == 64 for digest in inputs.values())


def test_an_edited_image_the_brief_embeds_is_rebuilt(mini: Path, tmp_path: Path):
    from test_security import add_markdown

    (mini / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" '
                                    'height="9"><text y="8">OLD</text></svg>', "utf-8")
    add_markdown(mini, "![a chart](chart.svg)")
    out = tmp_path / "out"
    build(mini, "-s", "standard", "-f", "html", "-o", out)
    (mini / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" '
                                    'height="9"><text y="8">NEW</text></svg>', "utf-8")
    again = build(mini, "-s", "standard", "-f", "html", "-o", out)
    assert "wrote 1 file " in again and "unchanged" not in again
    entry = json.loads((out / "manifest.json").read_text("utf-8"))["outputs"][0]
    assert any(name.endswith("chart.svg") for name in entry["inputs"])


def test_a_file_a_style_fetches_from_the_brief_folder_is_an_input(mini: Path, tmp_path: Path):
    from test_security import write_style

    styles = write_style(tmp_path / "styles", colophon='<img src="logo.svg" alt="">')
    (mini / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" '
                                   'height="9"/>', "utf-8")
    out = tmp_path / "out"
    args = (mini, "-s", "hostile", "-t", styles, "-f", "pdf", "-o", out)
    build(*args)
    (mini / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="19" '
                                   'height="9"/>', "utf-8")
    assert "wrote 1 file " in build(*args)


def test_a_cache_hit_reports_what_a_fresh_build_would(tmp_path: Path):
    styles = tmp_path / "styles"
    (styles / "tight").mkdir(parents=True)
    (styles / "tight" / "style.yaml").write_text(
        "extends: standard\nformats: [pdf]\nbudgets:\n  max_pages: 1\n", "utf-8")
    args = [str(MINI), "-s", "tight", "--templates", str(styles), "-o", str(tmp_path / "out")]
    first = runner.invoke(app, ["build", *args, "--allow-overflow"])
    assert first.exit_code == 0 and "over the style's limit" in first.output, first.output
    # The same build again: a cache hit, and the same warning.
    hit = runner.invoke(app, ["build", *args, "--allow-overflow"])
    assert hit.exit_code == 0 and "unchanged" in hit.output, hit.output
    assert "over the style's limit" in hit.output
    # Without --allow-overflow a fresh build fails, so the cached file must not pass.
    plain = runner.invoke(app, ["build", *args])
    assert plain.exit_code == 1, plain.output
    assert "runs to 2 pages, 1 over the style's limit of 1" in plain.output
    # --max-pages changes whether an output may be made at all.
    capped = runner.invoke(app, ["build", *args, "--allow-overflow", "--max-pages", "1"])
    assert capped.exit_code == 1 and "limit of 1 pages" in capped.output, capped.output
