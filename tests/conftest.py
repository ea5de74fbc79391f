"""Shared fixtures: the example brief, a small fixture brief, and builds made once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "content" / "kazakhstan-multi-vector"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace collapsed so line breaks do not split phrases."""
    reader = PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages(path: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The test run keeps briefgen's user cache (compiled templates) to itself, not ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the fixture brief."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example brief built once in every built-in style; returns the output folder."""
    from typer.testing import CliRunner

    from briefgen.cli import app
    from briefgen.styles import StyleLibrary

    out = tmp_path_factory.mktemp("example-out")
    styles = [arg for name in StyleLibrary().builtin_names() for arg in ("--style", name)]
    result = CliRunner().invoke(app, ["build", str(EXAMPLE), "--output", str(out), *styles])
    assert result.exit_code == 0, result.output
    # The showcase builds cleanly: no refused resource, no CSS WeasyPrint had to ignore.
    assert "warning" not in result.output, result.output
    return out / EXAMPLE.name


NO_CHROMIUM = ("Chromium is not installed, and the browser tests need it: run `make test` as root "
               "(it installs it), `apt-get install -y chromium`, or set BRIEFGEN_CHROMIUM")


def chromium_executable() -> str:
    """The browser to drive: $BRIEFGEN_CHROMIUM (CI's Chrome), else Debian's Chromium."""
    found = os.environ.get("BRIEFGEN_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found:
        pytest.fail(NO_CHROMIUM)  # a missing browser fails the run; it never skips the check
    return found


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium that makes no background connections of its own."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: install the dev tools with `make test`")
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()
