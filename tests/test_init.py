"""`briefgen init` starts a briefs repository that works on the first push, and never
overwrites a file it did not write."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from briefgen.cli import app

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    result = invoke("init", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "demo")
    return tmp_path / "demo"


def test_init_writes_the_repository(demo: Path):
    for name in ("briefgen.toml", ".gitignore", "README.md", ".github/workflows/briefs.yml",
                 "content/first-brief/brief.md", "content/first-brief/sources.yaml",
                 "content/first-brief/sources/example-source.txt", "styles/house/style.yaml",
                 "styles/house/brief.html.j2", "styles/house/house.css",
                 "styles/house/logo.svg"):
        assert (demo / name).is_file(), name
    assert "output/" in (demo / ".gitignore").read_text("utf-8").split()
    workflow = yaml.safe_load((demo / ".github/workflows/briefs.yml").read_text("utf-8"))
    assert any("briefgen/briefgen@v0" in str(step.get("uses", ""))
               for job in workflow["jobs"].values() for step in job.get("steps", []))


def test_new_and_style_new_work_inside_it(demo: Path):
    assert invoke("new", "second").exit_code == 0
    assert invoke("style", "new", "minutes", "--from", "house").exit_code == 0
    result = invoke("build", "content/second", "-s", "minutes", "-s", "house", "-f", "html")
    assert result.exit_code == 0, result.output
    assert (demo / "output" / "second" / "minutes.html").is_file()


def test_init_never_overwrites_and_names_what_exists(tmp_path: Path):
    target = tmp_path / "repo"
    target.mkdir()
    (target / "README.md").write_text("ours\n", "utf-8")
    (target / "briefgen.toml").write_text("templates = []\n", "utf-8")
    result = invoke("init", target)
    assert result.exit_code == 1
    assert "README.md" in result.output and "briefgen.toml" in result.output
    assert "--force" in result.output
    assert (target / "README.md").read_text("utf-8") == "ours\n"
    assert sorted(p.name for p in target.iterdir()) == ["README.md", "briefgen.toml"]
    forced = invoke("init", target, "--force")
    assert forced.exit_code == 0 and (target / "README.md").read_text("utf-8") != "ours\n"


def test_init_names_another_action(tmp_path: Path):
    assert invoke("init", tmp_path / "r", "--action", "our-org/briefgen@v2").exit_code == 0
    workflow = (tmp_path / "r" / ".github/workflows/briefs.yml").read_text("utf-8")
    assert "our-org/briefgen@v2" in workflow and "briefgen/briefgen@v0" not in workflow
    bad = invoke("init", tmp_path / "s", "--action", "x; rm -rf /")
    assert bad.exit_code == 1 and "is not an action reference" in bad.output
