"""House styles that extend ours, audiences, project settings and word budgets, via the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from conftest import MINI, pdf_text

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def make_house_style(root: Path, template: str, css: str = "") -> Path:
    folder = root / "house"
    folder.mkdir(parents=True)
    (folder / "style.yaml").write_text(
        "name: house\ndescription: Our house style\naudience: Board members\n"
        "extends: standard\nstylesheets: [house.css]\n", encoding="utf-8")
    (folder / "brief.html.j2").write_text(template, encoding="utf-8")
    (folder / "house.css").write_text(css, encoding="utf-8")
    return root


def test_custom_style_overrides_one_block_and_adds_css(tmp_path: Path):
    styles = make_house_style(
        tmp_path / "styles",
        '{% extends "standard/brief.html.j2" %}\n'
        '{% block colophon %}<footer class="house">House colophon for {{ brief.title }}'
        "</footer>{% endblock %}\n",
        '.house::after { content: " / house CSS applied"; }\n',
    )
    out = tmp_path / "out"
    result = invoke("build", MINI, "-s", "house", "--templates", styles, "-o", out)
    assert result.exit_code == 0, result.output
    text = pdf_text(out / "mini" / "house.pdf")
    assert "House colophon for Water Sharing on the Syr Darya / house CSS applied" in text
    assert "Typeset with briefgen" not in text  # the overridden block is gone
    assert "Build a shared data platform" in text  # everything else is the parent's
    html = (out / "mini" / "house.html").read_text(encoding="utf-8")
    assert html.index("--accent: #0f4c75") < html.index("house CSS applied")


def test_user_style_is_listed_with_its_audience(tmp_path: Path):
    styles = make_house_style(tmp_path / "styles", '{% extends "standard/brief.html.j2" %}')
    result = invoke("styles", "--templates", styles)
    assert result.exit_code == 0
    assert "house" in result.output and "Board members" in result.output


def test_style_new_scaffolds_a_style_that_builds_at_once(tmp_path: Path):
    result = invoke("style", "new", "house", "--from", "standard", "--dir", tmp_path / "styles")
    assert result.exit_code == 0, result.output
    built = invoke("build", MINI, "-s", "house", "--templates", tmp_path / "styles", "-o",
                   tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert "Published by Fixture Institute." in pdf_text(tmp_path / "out" / "mini" / "house.pdf")
    again = invoke("style", "new", "house", "--dir", tmp_path / "styles")
    assert again.exit_code == 1 and "never overwrites" in again.output


def test_template_syntax_error_names_the_file_and_line(tmp_path: Path):
    styles = make_house_style(
        tmp_path / "styles", '{% extends "standard/brief.html.j2" %}\n\n{% block cover %}{% if %}'
    )
    result = invoke("build", MINI, "-s", "house", "--templates", styles, "-o", tmp_path / "o")
    assert result.exit_code == 1
    assert f"{styles / 'house' / 'brief.html.j2'}:3" in result.output
    assert "Traceback" not in result.output


def test_sandbox_stops_template_injection_with_a_located_error(tmp_path: Path):
    styles = make_house_style(
        tmp_path / "styles",
        '{% extends "standard/brief.html.j2" %}\n'
        "{% block colophon %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}",
    )
    result = invoke("build", MINI, "-s", "house", "--templates", styles, "-o", tmp_path / "o")
    assert result.exit_code == 1
    assert "brief.html.j2:2" in result.output and "SecurityError" in result.output


def test_audience_from_the_project_settings_builds_its_style(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "briefgen.toml").write_text(
        'templates = ["styles"]\n[audiences]\nboard = { style = "house", options = {} }\n'
        'minister = "memo"\n', encoding="utf-8")
    make_house_style(tmp_path / "styles", '{% extends "standard/brief.html.j2" %}')
    monkeypatch.chdir(tmp_path)
    result = invoke("build", MINI, "--audience", "board", "-f", "html", "-o", "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "mini").iterdir()) == ["house.html"]
    unknown = invoke("build", MINI, "--audience", "press", "-o", "out")
    assert unknown.exit_code == 1 and "no audience 'press'" in unknown.output
    assert "board, minister" in unknown.output


def test_without_style_or_audience_build_makes_every_audience_style(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.briefgen.audiences]\nminister = "memo"\npolicy = "standard"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("build", MINI, "-f", "html", "-o", "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "mini").iterdir()) == [
        "memo.html", "standard.html"]


def test_bad_project_settings_are_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "briefgen.toml").write_text("[audiences]\nminister = 3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("build", MINI, "-o", "out")
    assert result.exit_code == 1 and "briefgen.toml" in result.output
    assert "audiences.minister" in result.output


def test_validate_reports_word_budgets_per_section(mini: Path):
    brief = mini / "brief.md"
    long_summary = " ".join(["word"] * 320)
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "Seasonal releases from", f"{long_summary} Seasonal releases from"), encoding="utf-8")
    assert invoke("validate", mini).exit_code == 0
    result = invoke("validate", mini, "--style", "standard")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "Summary has 340 words, 40 over the 'standard' style's budget of 300" in output


A5 = (419.5, 595.3)  # points
A4 = (595.3, 841.9)
A6 = (297.6, 419.5)


@pytest.mark.parametrize(("yaml", "css", "size"), [
    ("page:\n  size: A5\n", "", A5),                  # a child's page: beats its parent's CSS
    ("", "@page { size: A5; }", A5),                  # a child's CSS beats its parent's page:
    ("page:\n  size: A6\n", "@page { size: A5; }", A5),  # a style's CSS beats its own page:
    ("", "", A4),                                     # nothing said: the parent's A4
])
def test_the_nearest_page_setting_wins(tmp_path: Path, yaml: str, css: str, size: tuple):
    from pypdf import PdfReader

    folder = tmp_path / "styles" / "paged"
    folder.mkdir(parents=True)
    (folder / "style.yaml").write_text(f"extends: standard\n{yaml}", encoding="utf-8")
    (folder / "style.css").write_text(css, encoding="utf-8")
    result = runner.invoke(app, ["build", str(MINI), "-s", "paged", "-f", "pdf", "-t",
                                 str(tmp_path / "styles"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    box = PdfReader(tmp_path / "out" / "mini" / "paged.pdf").pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == size


def test_a_style_that_reorders_sections_keeps_extras_with_the_section_before_them():
    from briefgen.model import Brief
    from briefgen.render import ordered_sections
    from briefgen.styles import StyleSettings

    brief = Brief.model_validate({
        "title": "T", "date": "2026-01-01", "executive_summary": "S.",
        "analysis": [{"title": "A", "body": "a"}], "implications": [{"body": "i"}],
        "recommendations": [{"title": "R"}],
        "extras": [{"key": "annex", "title": "Annex", "after": "implications"},
                   {"key": "coda", "title": "Coda", "after": "recommendations"}]})
    settings = StyleSettings(name="x", sections=["recommendations", "executive_summary",
                                                 "analysis"])
    assert [view.key for view in ordered_sections(brief, settings)] == [
        "recommendations", "coda", "executive_summary", "analysis", "annex"]
