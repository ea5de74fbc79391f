"""Shared fixtures: the example brief, a small fixture brief, and builds made once per session."""

from __future__ import annotations

import shutil
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


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the fixture brief."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example brief built once in every built-in style; returns the output folder."""
    from briefgen.cli import main
    from briefgen.styles import StyleLibrary

    out = tmp_path_factory.mktemp("example-out")
    styles = [arg for name in StyleLibrary().builtin_names() for arg in ("--style", name)]
    assert main(["build", str(EXAMPLE), "--output", str(out), *styles]) == 0
    return out / EXAMPLE.name
