"""briefgen as a tool: the wheel and the sdist carry everything a build needs, and briefgen
installed from the wheel works from a folder outside the checkout, reading nothing from it.

Every command runs in its own process, under an audit hook that stops the process (exit 99)
the moment it opens or lists anything inside this checkout other than the virtual environment
that holds briefgen's dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import briefgen
from conftest import ROOT

RUNNER = """
import os, sys
checkout, allowed = os.environ["CHECKOUT"], os.environ["ALLOWED"]

def refuse_the_checkout(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(
            args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if (path == checkout or path.startswith(checkout + os.sep)) and not (
                path == allowed or path.startswith(allowed + os.sep)):
            sys.stderr.write(f"read from the checkout: {path}\\n")
            os._exit(99)

sys.addaudithook(refuse_the_checkout)
import briefgen
assert briefgen.__file__.startswith(os.environ["SITE"]), briefgen.__file__
from briefgen.cli import main
sys.exit(main(sys.argv[1:]))
"""

BUILTIN_FILES = [f"{style}/{name}" for style in ("analyst", "briefing-note", "memo", "standard",
                                                  "web")
                 for name in ("style.yaml", "brief.html.j2", "style.css", "screen.css")] + [
    "_shared/macros.html.j2", "_shared/fonts.css", "_shared/fonts/OFL.txt",
    "_shared/fonts/NotoSerif-Regular.ttf", "_shared/fonts/NotoSans-Bold.ttf"]


@dataclass
class Installed:
    wheel: Path
    sdist: Path
    site: Path
    home: Path

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(self.site), "CHECKOUT": str(ROOT),
               "ALLOWED": str(Path(sys.prefix).resolve()), "SITE": str(self.site),
               "HOME": str(self.home), "XDG_CACHE_HOME": str(self.home / ".cache")}
        return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)


def _sources(target: Path) -> Path:
    """The repository's sources, copied: building writes into its source tree."""
    skipped = shutil.ignore_patterns(".venv", ".git", "output", "build", "dist", "*.egg-info",
                                     "__pycache__", ".pytest_cache", ".ruff_cache")
    shutil.copytree(ROOT, target, ignore=skipped)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if not Path(sys.prefix).resolve().is_relative_to(ROOT):
        pytest.fail("run the tests from this repository's .venv (`make test`)")
    tmp = tmp_path_factory.mktemp("packaging")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--sdist",
                    "--outdir", str(dist), str(_sources(tmp / "src"))],
                   check=True, capture_output=True, timeout=300)
    wheel, = dist.glob("*.whl")
    sdist, = dist.glob("*.tar.gz")
    site = tmp / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-compile", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    (tmp / "home").mkdir()
    return Installed(wheel, sdist, site, tmp / "home")


def test_the_wheel_and_the_sdist_carry_every_style_macro_and_font(installed: Installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {f"briefgen/templates/{name}" for name in BUILTIN_FILES} <= names
    assert {"briefgen/docs/templates.md", "briefgen/starter/briefgen.toml",
            "briefgen/starter/.github/workflows/briefs.yml", "briefgen/__main__.py"} <= names
    with tarfile.open(installed.sdist) as sdist:
        inside = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {f"templates/{name}" for name in BUILTIN_FILES} <= inside
    assert "LICENSE" in inside


def test_the_version_has_one_source(installed: Installed):
    assert installed.wheel.name.startswith(f"briefgen-{briefgen.__version__}-")
    shown = installed.run("--version", cwd=installed.home)
    assert shown.returncode == 0 and briefgen.__version__ in shown.stdout


def test_an_installed_briefgen_works_outside_the_checkout(installed: Installed, tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()

    def ok(*args: str) -> str:
        done = installed.run(*args, cwd=project)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    listed = ok("styles")
    assert all(name in listed for name in ("analyst", "briefing-note", "memo", "standard",
                                           "web")) and "built-in" in listed
    ok("new", "first")
    ok("validate")
    ok("build", "-o", "out")
    built = sorted(p.name for p in (project / "out" / "first").iterdir())
    assert built == ["analyst.html", "analyst.pdf", "briefing-note.html", "briefing-note.pdf",
                     "memo.html", "memo.pdf", "standard.html", "standard.pdf", "web.html"]
    ok("style", "new", "house", "--from", "standard")
    ok("build", "-s", "house", "-t", "styles", "-o", "out")
    assert (project / "out" / "first" / "house.pdf").is_file()


def test_init_starts_a_repository_that_validates_checks_and_builds(installed: Installed,
                                                                   tmp_path: Path):
    done = installed.run("init", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    demo = tmp_path / "demo"
    for args in (["validate"], ["check", "--strict"], ["build"], ["build", "-s", "house"]):
        step = installed.run(*args, cwd=demo)
        assert step.returncode == 0, (args, step.stdout, step.stderr)
    built = sorted(p.name for p in (demo / "output" / "first-brief").iterdir())
    assert {"analyst.pdf", "briefing-note.pdf", "memo.pdf", "standard.pdf", "web.html",
            "house.pdf", "house.html"} <= set(built)


def test_python_dash_m_briefgen_is_the_command(installed: Installed):
    env = {**os.environ, "PYTHONPATH": str(installed.site)}
    done = subprocess.run([sys.executable, "-m", "briefgen", "styles"], cwd=installed.home,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "standard" in done.stdout, done.stderr
