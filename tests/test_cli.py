"""The command line as a user meets it: exit codes, messages, files written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from conftest import EXAMPLE, MINI, ROOT, pdf_text

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_accepts_the_example_and_the_fixture():
    result = invoke("validate", EXAMPLE, MINI)
    assert result.exit_code == 0, result.output
    assert "2 briefs (4 editions) valid: kazakhstan-multi-vector, kazakhstan-multi-vector.kk, " \
        "kazakhstan-multi-vector.ru, mini" in " ".join(result.output.split())


def test_validate_lists_every_problem_with_file_line_and_field(mini: Path):
    brief = mini / "brief.md"
    text = brief.read_text(encoding="utf-8")
    text = text.replace("date: 2026-01-15", "date: 2026-02-30").replace(
        "Winter releases serve", "Winter releases [@nowhere] serve"
    ).replace("keywords:", "keywrds:")
    brief.write_text(text, encoding="utf-8")
    result = invoke("validate", mini)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert f"{brief}:4 (date)" in output
    line = next(i for i, t in enumerate(text.split("\n"), 1) if "@nowhere" in t)
    assert f"{brief}:{line} (analysis)" in output and "@nowhere" in output
    assert "unknown field 'keywrds'" in output and "did you mean 'keywords'?" in output
    assert "3 problems" in output
    assert "Traceback" not in result.output


def test_missing_brief_folder_is_a_clean_error(tmp_path: Path):
    result = invoke("validate", tmp_path / "nope")
    assert result.exit_code == 1
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path: Path):
    result = invoke("--debug", "validate", tmp_path / "nope")
    assert result.exit_code == 1
    assert result.exception is not None and type(result.exception).__name__ == "BriefgenError"


def test_build_writes_pdf_and_html_and_ends_with_a_summary(tmp_path: Path):
    out = tmp_path / "out"
    result = invoke("build", MINI, "--style", "standard", "--output", out)
    assert result.exit_code == 0, result.output
    assert (out / "mini" / "standard.pdf").stat().st_size > 10_000
    html = (out / "mini" / "standard.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Water Sharing on the Syr Darya" in html
    assert result.output.strip().splitlines()[-1] == f"wrote 2 files for 1 brief into {out}/"
    assert "Water Sharing on the Syr Darya" in pdf_text(out / "mini" / "standard.pdf")


def test_build_html_only(tmp_path: Path):
    result = invoke("build", MINI, "-s", "standard", "-f", "html", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "mini" / "standard.pdf").exists()
    assert "Water Sharing on the Syr Darya" in (tmp_path / "mini" / "standard.html").read_text(
        encoding="utf-8")


def test_build_rejects_an_unknown_format_and_style(tmp_path: Path):
    bad_format = invoke("build", MINI, "-f", "odt", "-o", tmp_path)
    assert bad_format.exit_code == 2 and "odt" in bad_format.output
    bad_style = invoke("build", MINI, "-s", "standrad", "-o", tmp_path)
    assert bad_style.exit_code == 1
    assert "unknown style 'standrad'" in bad_style.output
    assert "did you mean 'standard'" in bad_style.output


def test_build_latest_picks_the_newest_brief(tmp_path: Path):
    content = tmp_path / "content"
    for name, date in (("old", "2025-01-01"), ("new", "2026-06-01")):
        folder = content / name
        folder.mkdir(parents=True)
        text = (MINI / "brief.md").read_text(encoding="utf-8")
        (folder / "brief.md").write_text(text.replace("2026-01-15", date), encoding="utf-8")
        (folder / "sources.yaml").write_text((MINI / "sources.yaml").read_text(), "utf-8")
    out = tmp_path / "out"
    result = invoke("build", content / "old", content / "new", "--latest", "-s", "standard",
                    "-f", "html", "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "new" / "standard.html").is_file()
    assert not (out / "old").exists()


def test_new_makes_a_skeleton_that_validates_and_builds(tmp_path: Path):
    result = invoke("new", "energy-corridors", "--dir", tmp_path, "--title", 'A "quoted" title')
    assert result.exit_code == 0, result.output
    folder = tmp_path / "energy-corridors"
    assert invoke("validate", folder).exit_code == 0
    built = invoke("build", folder, "-s", "standard", "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert 'A "quoted" title' in pdf_text(tmp_path / "out" / "energy-corridors" / "standard.pdf")
    again = invoke("new", "energy-corridors", "--dir", tmp_path)
    assert again.exit_code == 1 and "never overwrites" in again.output


def test_new_rejects_a_bad_slug(tmp_path: Path):
    result = invoke("new", "Bad Slug!", "--dir", tmp_path)
    assert result.exit_code == 1 and "not a usable folder name" in result.output


def test_styles_lists_the_builtin_styles_with_audience():
    result = invoke("styles")
    assert result.exit_code == 0
    assert "standard" in result.output and "Policy audiences" in result.output


def test_schema_is_json_schema_of_the_brief():
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"title", "date", "executive_summary"} <= set(schema["required"])
    assert "recommendations" in schema["properties"]


@pytest.mark.parametrize("args", [["--help"], ["validate", str(MINI)]])
def test_help_and_validate_do_not_import_weasyprint(args: list[str]):
    code = (
        "import sys\nfrom briefgen.cli import main\n"
        f"status = main({args!r})\n"
        "assert status == 0, status\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip().endswith("False")


def test_import_reports_what_went_where_and_validate_flags_the_todos(tmp_path: Path):
    source = tmp_path / "old.txt"
    source.write_text(
        "Executive Summary\nThe basin needs a data pact.\nRecommendations\n- Share data\n"
        "- Gauges: install twenty stations.\nLeave a Reply\n", encoding="utf-8")
    result = invoke("import", source, "-o", tmp_path / "content", "--slug", "old")
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "line 1: Executive Summary → executive_summary" in output
    assert "dropped line 6" in output and "Leave a Reply" in output
    checked = invoke("validate", tmp_path / "content" / "old")
    assert checked.exit_code == 0
    assert "still marked to-do" in checked.output and "TODO: author" in checked.output


def _run_on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run the CLI with a pseudo-terminal as its output, as a user at a shell has it."""
    import os
    import pty

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "TERM")}
    env.update(TERM="xterm-256color", COLUMNS="100")
    with subprocess.Popen([sys.executable, "-m", "briefgen.cli", *args], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, stdout=follower, stderr=follower) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_sees_a_progress_bar_and_a_log_sees_plain_lines(mini: Path, tmp_path: Path):
    args = ["build", str(mini), "-s", "standard", "-s", "memo", "-f", "html", "-o",
            str(tmp_path / "out"), "--force", "-j", "1"]
    on_terminal = _run_on_a_terminal(args, tmp_path)
    assert "building" in on_terminal and "2/2" in on_terminal
    assert "\x1b[" in on_terminal  # drawn and redrawn in place

    in_a_log = subprocess.run([sys.executable, "-m", "briefgen.cli", *args], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout
    assert "building" not in in_a_log and "\x1b[" not in in_a_log
    assert "standard.html" in in_a_log and "memo.html" in in_a_log


def test_user_text_is_printed_as_written_not_as_emoji(tmp_path: Path):
    folder = tmp_path / "note-:smile:" / "mini"  # a parent folder: brief folders are slugs
    shutil.copytree(MINI, folder)
    with (folder / "brief.md").open("a", encoding="utf-8") as brief:
        brief.write("\nTODO: a :thumbs_up: here\n")
    result = invoke("validate", folder)
    assert result.exit_code == 0, result.output
    assert "note-:smile:/mini/brief.md" in result.output, result.output
    assert "TODO: a :thumbs_up: here" in result.output, result.output


# ---------- user text reaches the terminal with its control characters shown, never sent

OSC52 = "\x1b]52;c;SGVsbG8=\x07"  # writes "Hello" to the clipboard of many terminals
CLEAR = "\x1b[2J"
FORGED = "✓ forged"
# A folder name with every kind of character to neutralise: C0, C1 (U+009B is CSI), bidi, DEL.
# Briefs live in a folder of that name (their own folder's name must be a slug).
HOSTILE_FOLDER = f"brief-{CLEAR}\u202e\x9b31m\u2066\x7f\n{FORGED}"
SHOWN_FOLDER = r"brief-\x1b[2J\u202e\x9b31m\u2066\x7f\n" + FORGED
SHOWN_OSC52 = r"\x1b]52;c;SGVsbG8=\x07"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def invoke_wide(*args: str | Path):
    """Like `invoke`, on a terminal wide enough that no table cell wraps inside a value. The
    consoles' width is set, not just $COLUMNS: a console created while $COLUMNS was set (as
    under pytest-xdist) keeps that width."""
    from briefgen import cli

    widths = cli.out.width, cli.err.width
    cli.out.width = cli.err.width = 1000
    try:
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "1000"})
    finally:
        cli.out.width, cli.err.width = widths


def assert_shown_not_sent(output: str, *shown: str) -> None:
    """No control or bidi character but the newlines between lines is in `output`, no line is
    forged, and each `shown` (the visible form of hostile text) is there."""
    sent = sorted({hex(ord(c)) for c in output
                   if c != "\n" and (unicodedata.category(c) == "Cc" or c in BIDI)})
    assert not sent, (sent, output)
    assert not [line for line in output.splitlines() if line.startswith(FORGED)], output
    for text in shown:
        assert text in output, (text, output)


def hostile_brief(tmp_path: Path, front_matter: str = "", body: str = "") -> Path:
    """The fixture brief under a folder with a hostile name, with extra front matter and body."""
    folder = tmp_path / HOSTILE_FOLDER / "mini"
    shutil.copytree(MINI, folder)
    brief = folder / "brief.md"
    text = brief.read_text(encoding="utf-8")
    text = text.replace("language: en\n", f"language: en\n{front_matter}", 1)
    brief.write_text(text + body, encoding="utf-8")
    return folder


def test_validate_shows_control_characters_in_problems(tmp_path: Path):
    folder = hostile_brief(tmp_path, front_matter='"\\e]52;c;SGVsbG8=\\a\\e[2J": 1\n'
                                                  '"x\\r\\n✓ forged": 2\n')
    with (folder / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write('- id: "src\\e[2J\\u202e\\x9b"\n  title: T\n  type: report\n')
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert_shown_not_sent(result.output, SHOWN_FOLDER, rf"unknown field '{SHOWN_OSC52}\x1b[2J'",
                          r"unknown field 'x\r\n✓ forged'", r"src\x1b[2J\u202e\x9b")


# A brief's own text holds no control character (the loader refuses them: test_characters.py),
# so what reaches a warning or a finding from it is bidi controls; its folder's name is hostile.
def test_validate_shows_control_characters_in_warnings_and_names(tmp_path: Path):
    folder = hostile_brief(tmp_path, body="\n## A title TODO \u2067x\u202e\n")
    result = invoke("validate", folder)
    assert result.exit_code == 0, result.output
    assert_shown_not_sent(result.output, f"{SHOWN_FOLDER}/mini/brief.md", "1 brief valid: mini",
                          r"A title TODO \u2067x\u202e")


def test_check_shows_control_characters_in_findings(tmp_path: Path):
    folder = hostile_brief(tmp_path, body="\nExports rose 42% \u202e in a year\u2066.\n")
    result = invoke("check", folder)
    assert result.exit_code == 0, result.output
    assert_shown_not_sent(result.output, SHOWN_FOLDER, r"Exports rose 42% \u202e in a year\u2066")


def test_build_shows_control_characters_in_paths_and_problems(tmp_path: Path):
    folder = hostile_brief(tmp_path, front_matter='audiences:\n  minister: "memo\\u202e\\r\\n'
                                                  '✓ forged"\n')
    out = tmp_path / HOSTILE_FOLDER / "out"
    built = invoke("build", folder, "-s", "standard", "-f", "html", "-o", out)
    assert built.exit_code == 0, built.output
    assert_shown_not_sent(built.output, f"{SHOWN_FOLDER}/out/mini/standard.html",
                          f"into {tmp_path}/{SHOWN_FOLDER}/out/")
    for_the_minister = invoke("build", folder, "-a", "minister", "-f", "html", "-o", out)
    assert for_the_minister.exit_code == 1
    assert_shown_not_sent(for_the_minister.output, r"unknown style 'memo\u202e\r\n✓ forged'")


def test_styles_shows_control_characters_and_markup_as_text(tmp_path: Path):
    folder = tmp_path / "styles" / f"house{CLEAR}\u202e\x9b"
    folder.mkdir(parents=True)
    (folder / "style.yaml").write_text(
        'extends: standard\naudience: "aud \\u202e"\n'
        'description: "D \\u2067 [bold]b[/bold] \\r\\n✓ forged"\n',
        encoding="utf-8")
    result = invoke_wide("styles", "-t", tmp_path / "styles")
    assert result.exit_code == 0, result.output
    assert_shown_not_sent(result.output, r"house\x1b[2J\u202e\x9b", r"aud \u202e",
                          r"D \u2067 [bold]b[/bold] \r\n✓ forged")


def test_preview_shows_control_characters_in_its_console_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from briefgen import preview

    def serve(*args: object, on_ready: Callable[[str], None], **kwargs: object) -> None:
        on_ready("http://127.0.0.1:8000/")

    monkeypatch.setattr(preview, "serve", serve)
    style = tmp_path / "styles" / f"web{CLEAR}"  # a real style: an unknown one is refused first
    style.mkdir(parents=True)
    (style / "style.yaml").write_text("extends: web\n", encoding="utf-8")
    result = invoke("preview", hostile_brief(tmp_path), "-s", f"web{CLEAR}",
                    "-t", tmp_path / "styles")
    assert result.exit_code == 0, result.output
    assert_shown_not_sent(result.output, f"previewing {tmp_path}/{SHOWN_FOLDER}/mini in style "
                          r"web\x1b[2J at http://127.0.0.1:8000/")


def test_an_internal_error_shows_control_characters(monkeypatch: pytest.MonkeyPatch):
    from briefgen import content

    def broken(*args: object) -> None:
        raise RuntimeError(f"{OSC52}\n{FORGED}")

    monkeypatch.setattr(content, "find_briefs", broken)
    result = invoke("validate")
    assert result.exit_code == 1
    assert_shown_not_sent(result.output, "internal error RuntimeError", SHOWN_OSC52)
