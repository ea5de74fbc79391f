"""Hostile content: whatever is in a brief's files, loading ends in a valid `Brief` or a located
`BriefgenError`, and the command line exits 1 (2 for a misused command) without a traceback.

The property test is deterministic (`derandomize=True`) and kept small enough to stay fast.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.content import LoadedBrief, load_brief
from briefgen.errors import BriefgenError
from briefgen.model import Brief
from briefgen.sections import HEADING_ALIASES
from conftest import MINI, ROOT

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


# --- the property: a Brief, or a located BriefgenError, and nothing else -------------------------

FIELDS = list(Brief.model_fields)
SOURCE_FIELDS = ["id", "title", "short_title", "author", "publisher", "date", "url", "accessed",
                 "type", "text", "note"]
SOURCE_IDS = ["water-report", "basin-note", "a", "x.y:z", "Ünï", ""]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
    st.text(max_size=40), st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(["2026-02-30", "2026-01-15", "yes", "~", "1e400", "0x1F", "@x", "[@a]"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), children,
                        max_size=4),
    ),
    max_leaves=12,
)
VALID_FRONT = {"title": "T", "date": dt.date(2026, 1, 15), "language": "en"}


def _dump(value: object) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


front_matter = st.one_of(
    st.text(max_size=200),  # anything at all, YAML or not
    values.map(_dump),  # a list, a scalar or a mapping
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=6).map(
        lambda fields: _dump({**VALID_FRONT, **fields})),  # a near-valid brief, fields mangled
    st.just(_dump(VALID_FRONT)),
)

words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
citation = st.one_of(
    st.sampled_from(SOURCE_IDS).map(lambda i: f"[@{i}]"),
    st.tuples(st.sampled_from(SOURCE_IDS), words).map(lambda t: f"[@{t[0]}, {t[1]}]"),
    st.lists(st.sampled_from(SOURCE_IDS), min_size=1, max_size=3).map(
        lambda ids: "[" + "; ".join(f"@{i}" for i in ids) + "]"),
    words.map(lambda w: f"[@{w}]"),
)
heading = st.tuples(
    st.integers(1, 4),
    st.one_of(st.sampled_from(sorted(HEADING_ALIASES)), words),
).map(lambda t: "#" * t[0] + " " + t[1])
line = st.one_of(
    heading, words, citation,
    st.tuples(words, citation).map(" ".join),
    words.map(lambda w: f"- {w}"), words.map(lambda w: f"1. {w}"),
    words.map(lambda w: f"  - **{w}:** {w}"),
    st.sampled_from(["Priority: high", "Owner: X", "Timeframe: soon", "Likelihood: likely",
                     "---", "```", "> quote", "", "|a|b|\n|-|-|\n|1|2|", "![img](x.png)",
                     "<script>alert(1)</script>", "[link](javascript:alert(1))", "\ufeff",
                     "\r", "\u2028", "\x85", "\t- tabbed"]),
)
body = st.lists(line, max_size=25).map("\n".join)

sources = st.one_of(
    st.none(),  # no sources.yaml at all
    st.text(max_size=120),
    values.map(_dump),
    st.lists(
        st.dictionaries(st.sampled_from(SOURCE_FIELDS), values, max_size=5).map(
            lambda s: {"id": "water-report", "title": "T", **s}),
        max_size=3,
    ).map(_dump),
    st.just(_dump([{"id": "water-report", "title": "Water"}, {"id": "a", "title": "A"}])),
)


MINI_FRONT, MINI_BODY = (MINI / "brief.md").read_text(encoding="utf-8")[4:].split("\n---\n", 1)
MINI_SOURCES = (MINI / "sources.yaml").read_text(encoding="utf-8")


def _replace_lines(text: str, changes: list[tuple[int, str]]) -> str:
    """`text` with line `index % length` replaced by each change's new line."""
    lines = text.split("\n")
    for index, new in changes:
        lines[index % len(lines)] = new
    return "\n".join(lines)


# A valid brief with a few of its lines replaced: many still load, the others do not.
near_valid_brief = st.tuples(
    st.lists(st.tuples(st.integers(0, 200), line), max_size=1).map(
        lambda changes: _replace_lines(MINI_FRONT, changes)),
    st.lists(st.tuples(st.integers(0, 200), line), max_size=2).map(
        lambda changes: _replace_lines(MINI_BODY, changes)),
    st.lists(st.tuples(st.integers(0, 200), line), max_size=1).map(
        lambda changes: _replace_lines(MINI_SOURCES, changes)),
)
generated_brief = st.tuples(st.one_of(st.none(), front_matter), body, sources)


def _loaded_or_located(folder: Path) -> str:
    """'loaded', or 'refused' for an error whose every problem says what is wrong and one at
    least says where; any other outcome (another exception) fails the test."""
    try:
        loaded = load_brief(folder)
    except BriefgenError as error:
        assert error.problems and all(p.message for p in error.problems)
        assert any(p.file is not None for p in error.problems), error
        return "refused"
    assert isinstance(loaded, LoadedBrief) and isinstance(loaded.brief, Brief)
    # What templates and the cache do with a brief: print it and serialise it.
    assert repr(loaded.brief) and loaded.brief.model_dump_json()
    return "loaded"


def _assert_both_outcomes(outcomes: Counter[str], at_least: int) -> None:
    """A property test whose inputs never load (or never fail) checks only half the property."""
    assert outcomes["loaded"] >= at_least and outcomes["refused"] >= at_least, outcomes


def test_loading_generated_content_gives_a_brief_or_a_located_error():
    outcomes: Counter[str] = Counter()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=st.one_of(generated_brief, near_valid_brief))
    def load_one(case: tuple[str | None, str, str | None]) -> None:
        front, markdown, sources_text = case
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary) / "generated"
            folder.mkdir()
            text = markdown if front is None else f"---\n{front}\n---\n{markdown}"
            (folder / "brief.md").write_text(text, encoding="utf-8")
            if sources_text is not None:
                (folder / "sources.yaml").write_text(sources_text, encoding="utf-8")
            outcomes[_loaded_or_located(folder)] += 1

    load_one()
    _assert_both_outcomes(outcomes, at_least=10)


MINI_BYTES = {name: (MINI / name).read_bytes() for name in ("brief.md", "sources.yaml")}


def _replace_bytes(raw: bytes, changes: list[tuple[int, int]]) -> bytes:
    """`raw` with the byte at each change's `position % length` replaced by its value."""
    data = bytearray(raw)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data)


# Mostly letters, which prose takes in its stride, and now and then any byte at all.
byte_changes = st.lists(st.tuples(st.integers(0, 10**6), st.one_of(
    st.integers(ord("a"), ord("z")), st.integers(0, 255))), max_size=2)


def test_loading_arbitrary_bytes_gives_a_brief_or_a_located_error():
    outcomes: Counter[str] = Counter()

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(files=st.one_of(
        st.binary(max_size=300).map(lambda raw: (raw, raw[::-1])),
        st.tuples(byte_changes, byte_changes).map(lambda changes: (
            _replace_bytes(MINI_BYTES["brief.md"], changes[0]),
            _replace_bytes(MINI_BYTES["sources.yaml"], changes[1]))),
    ))
    def load_one(files: tuple[bytes, bytes]) -> None:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary) / "bytes"
            folder.mkdir()
            (folder / "brief.md").write_bytes(files[0])
            (folder / "sources.yaml").write_bytes(files[1])
            outcomes[_loaded_or_located(folder)] += 1

    load_one()
    _assert_both_outcomes(outcomes, at_least=10)


# --- the same property for reference-manager exports and long numbers --------------------------

#: Stands for a number too long for json.dumps or yaml.safe_dump to write; replaced in the text.
HUGE = "HUGE_NUMBER"
HUGE_FORMS = ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000, "9" * 101]
CSL_ITEMS = [
    {"id": "water-report", "type": "report", "title": "Water and Power",
     "author": [{"family": "Author", "given": "A."}], "publisher": "Example Press",
     "issued": {"date-parts": [[2020, 5, 1]]}},
    {"id": "basin-note", "type": "webpage", "title": "Basin Note",
     "container-title": "Example Agency", "issued": {"date-parts": [[2021]]},
     "URL": "https://example.org/basin-note", "accessed": {"date-parts": [[2026, 11, 1]]}},
]
CSL_FIELDS = sorted({key for item in CSL_ITEMS for key in item} | {"note", "title-short"})
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**4, 10**12), st.floats(),
    st.text(max_size=12), st.sampled_from(["2020", "05", "²", "-5", "", HUGE]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(["date-parts", "given", "family", "literal"]),
                                  st.text(max_size=6)), children, max_size=3)),
    max_leaves=8,
)
csl_values = st.one_of(
    json_values,
    st.lists(st.lists(json_scalars, max_size=4), max_size=2).map(lambda p: {"date-parts": p}),
    st.lists(st.dictionaries(st.sampled_from(["given", "family", "literal"]), json_scalars,
                             max_size=2), max_size=2),
)
DELETE = object()


def _csl_text(changes: list[tuple[int, str, object]], huge: str) -> str:
    """The valid CSL items with each change made: a field set to a value, or deleted."""
    items = [dict(item) for item in CSL_ITEMS]
    for index, name, value in changes:
        if value is DELETE:
            items[index].pop(name, None)
        else:
            items[index][name] = value
    return json.dumps(items, indent=2).replace(f'"{HUGE}"', huge.removeprefix("0x"))


csl_json = st.one_of(
    st.tuples(st.lists(st.tuples(st.integers(0, 1), st.sampled_from(CSL_FIELDS),
                                 st.one_of(st.just(DELETE), csl_values)), max_size=2),
              st.sampled_from(HUGE_FORMS)).map(lambda t: _csl_text(*t)),
    st.text(max_size=80),
)

BIB_ENTRIES = [
    ("report", "water-report", {"title": "Water and Power", "author": "Author, A.",
                                "year": "2020", "month": "may", "day": "1"}),
    ("online", "basin-note", {"title": "Basin Note", "organization": "Example Agency",
                              "year": "2021", "url": "https://example.org/basin-note"}),
]
bib_values = st.one_of(
    st.sampled_from(["2020", "²", "-5", "99999999999", "0", "13", "feb", "", HUGE]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="{}"),
            max_size=12),
)


def _bibtex_text(changes: list[tuple[int, str, str]], huge: str) -> str:
    """The valid BibTeX entries with each change's field set to its value."""
    entries = [(kind, key, dict(fields)) for kind, key, fields in BIB_ENTRIES]
    for index, name, value in changes:
        entries[index][2][name] = value
    text = "\n".join(
        f"@{kind}{{{key},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
        + "\n}" for kind, key, fields in entries)
    return text.replace(HUGE, huge.removeprefix("0x"))  # BibTeX has no hexadecimal


bibtex = st.tuples(
    st.lists(st.tuples(st.integers(0, 1),
                       st.sampled_from(["year", "month", "day", "date", "urldate", "author"]),
                       bib_values), max_size=2),
    st.sampled_from(HUGE_FORMS),
).map(lambda t: _bibtex_text(*t))

# The fixture's front matter with up to two fields set to generated values.
mutated_front = st.tuples(
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(values, st.just(HUGE)), max_size=2),
    st.sampled_from(HUGE_FORMS),
).map(lambda t: _dump({**yaml.safe_load(MINI_FRONT), **t[0]}).replace(HUGE, t[1]))


def test_loading_generated_exports_and_numbers_gives_a_brief_or_a_located_error():
    outcomes: Counter[str] = Counter()

    @settings(max_examples=120, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(front=mutated_front,
           sources_file=st.one_of(csl_json.map(lambda t: ("sources.json", t)),
                                  bibtex.map(lambda t: ("sources.bib", t))))
    def load_one(front: str, sources_file: tuple[str, str]) -> None:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary) / "exported"
            folder.mkdir()
            (folder / "brief.md").write_text(f"---\n{front}---\n{MINI_BODY}", encoding="utf-8")
            name, text = sources_file
            (folder / name).write_text(text, encoding="utf-8")
            outcomes[_loaded_or_located(folder)] += 1

    load_one()
    _assert_both_outcomes(outcomes, at_least=15)


# --- nothing crashes: the command line on broken input --------------------------------------------


def _replace_front(mini: Path, front: str) -> None:
    path = mini / "brief.md"
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    path.write_text(f"---\n{front}{text[end:]}", encoding="utf-8")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


BROKEN = {
    "front-matter-is-a-list": lambda m: _replace_front(m, "- title\n- date"),
    "front-matter-is-a-scalar": lambda m: _replace_front(m, "just a sentence"),
    "front-matter-is-a-number": lambda m: _replace_front(m, "42"),
    "wrong-types": lambda m: _replace_front(
        m, "title: [1, 2]\ndate: yesterday\nversion: abc\nauthors: Dana\nkeywords: {a: 1}\n"
           "audiences: [x]\nlanguage: 12\nheadings: 3"),
    "empty-brief": lambda m: (m / "brief.md").write_bytes(b""),
    "blank-brief": lambda m: (m / "brief.md").write_bytes(b"\xef\xbb\xbf \r\n\t\n"),
    "binary-brief": lambda m: (m / "brief.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00IHDR"),
    "binary-sources": lambda m: (m / "sources.yaml").write_bytes(b"\x00\x01\x02- id: x"),
    "invalid-utf8-brief": lambda m: (m / "brief.md").write_bytes(
        (m / "brief.md").read_bytes().replace(b"Seasonal", b"Season\xc3\x28al")),
    "latin1-sources": lambda m: (m / "sources.yaml").write_bytes(
        (m / "sources.yaml").read_bytes().replace(b"Example Press", b"Pr\xe9ss")),
    "missing-sources": lambda m: (m / "sources.yaml").unlink(),
    "sources-is-a-mapping": lambda m: (m / "sources.yaml").write_text("a: 1\nb: 2\n"),
    "sources-is-a-scalar": lambda m: (m / "sources.yaml").write_text("hello\n"),
    "sources-entries-are-scalars": lambda m: (m / "sources.yaml").write_text("- 1\n- x\n"),
    "brief-md-is-a-folder": lambda m: ((m / "brief.md").unlink(), (m / "brief.md").mkdir()),
    "yaml-tags": lambda m: _replace_front(
        m, "title: !!python/object/apply:os.system ['echo pwned']\ndate: 2026-01-15"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_brief_is_a_clean_error_for_validate_and_build(
    mini: Path, tmp_path: Path, case: str
):
    BROKEN[case](mini)
    for args in (["validate", mini], ["build", mini, "-s", "standard", "-f", "html",
                                      "-o", tmp_path / "out"]):
        result = invoke(*args)
        assert result.exit_code == 1, (case, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output, (
            case, result.output)
        assert str(mini) in result.output, result.output  # every problem names its file
    assert not (tmp_path / "out").exists()


def test_yaml_tags_never_run_code(mini: Path, tmp_path: Path):
    marker = tmp_path / "pwned"
    _replace_front(mini, f"title: !!python/object/apply:os.system ['touch {marker}']\n"
                         "date: 2026-01-15")
    assert invoke("validate", mini).exit_code == 1
    assert not marker.exists()


def test_unknown_style_is_a_clean_error(tmp_path: Path):
    result = invoke("build", MINI, "-s", "no-such-style", "-o", tmp_path)
    assert result.exit_code == 1 and "unknown style 'no-such-style'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["build", "--no-such-option"], ["build", str(MINI), "-s"], ["build", str(MINI), "-j", "0"],
    ["build", str(MINI), "--max-pages", "zero"], ["no-such-command"],
])
def test_command_line_misuse_exits_2(args: list[str]):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_bom_and_crlf_build_the_same_html_as_lf(mini: Path, tmp_path: Path):
    crlf = tmp_path / "crlf" / "mini"
    crlf.parent.mkdir()
    import shutil

    shutil.copytree(mini, crlf)
    for name in ("brief.md", "sources.yaml"):
        path = crlf / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    for folder, out in ((mini, tmp_path / "lf-out"), (crlf, tmp_path / "crlf-out")):
        result = invoke("build", folder, "-s", "standard", "-f", "html", "-o", out)
        assert result.exit_code == 0, result.output
    assert ((tmp_path / "lf-out" / "mini" / "standard.html").read_bytes()
            == (tmp_path / "crlf-out" / "mini" / "standard.html").read_bytes())


# --- denial of service and odd shapes: each once a crash or a hang --------------------------


def _loads_within(seconds: float, folder: Path) -> bool:
    """Whether `briefgen.content.load_brief(folder)` finishes (either way) within `seconds` of
    CPU time: measured in a process of its own (a blow-up cannot take the test run with it),
    as CPU time, so a busy machine does not make it flaky; a minute of wall time at most."""
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from briefgen.content import load_brief
        from briefgen.errors import BriefgenError
        started = time.process_time()
        try:
            load_brief(Path({str(folder)!r}))
        except BriefgenError:
            pass
        print(time.process_time() - started)
    """)
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60, check=True,
                              capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return False
    return float(done.stdout.split()[-1]) < seconds


def test_yaml_alias_bomb_is_handled_quickly(mini: Path):
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    _edit(mini / "brief.md", "keywords: [water, Central Asia]", "\n".join(lines))
    assert _loads_within(3, mini)


def _alias_bomb(levels: int, indent: str = "") -> str:
    """YAML of a few lines whose last anchor stands for 9 ** levels strings."""
    lines = [f'{indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{indent}l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]"
              for i in range(1, levels)]
    return "\n".join(lines)


def _user_style(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """A style folder as someone might send one: `styles/<name>/style.yaml` holding `content`.
    Returns the style.yaml's path."""
    path = tmp_path / "styles" / name / "style.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _build_html_with(brief: Path, tmp_path: Path, style: str):
    return invoke("build", brief, "-t", tmp_path / "styles", "-s", style, "-f", "html", "-o",
                  tmp_path / "out")


def test_an_alias_bomb_in_a_downloaded_style_is_refused_before_anything_expands_it(
        tmp_path: Path):
    # `options` takes any data, which reaches the cache key and the templates: expanded there,
    # these 11 lines are 387 million strings.
    style = _user_style(tmp_path, "evil", "name: evil\nextends: standard\noptions:\n"
                        + _alias_bomb(9, "  ") + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "briefgen.cli", "build", str(MINI), "-t", str(tmp_path / "styles"),
         "-s", "evil", "-f", "html", "-o", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1, output
    assert f"{style}:" in output and "more than 100,000 values" in output, output
    assert "Traceback" not in output


def test_an_alias_bomb_in_sources_is_a_located_problem(mini: Path):
    (mini / "sources.yaml").write_text(_alias_bomb(7) + "\n", encoding="utf-8")
    result = invoke("validate", mini)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert f"{mini / 'sources.yaml'}:" in output and "more than 100,000 values" in output, output
    # The brief's citations may be in the sources that could not be read: not reported as
    # unknown on top of the real problem.
    assert "no source has" not in output, output


def test_an_alias_bomb_in_front_matter_is_the_only_problem_reported(mini: Path):
    _edit(mini / "brief.md", "keywords: [water, Central Asia]", _alias_bomb(7))
    result = invoke("validate", mini)
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "more than 100,000 values" in output, output
    assert "required but missing" not in output, output


@pytest.mark.parametrize("where", ["front", "style"])
def test_an_alias_inside_itself_is_a_located_error(mini: Path, tmp_path: Path, where: str):
    if where == "front":
        _replace_front(mini, "title: T\ndate: 2026-01-15\nkeywords: &k [a, *k]\n")
        result = invoke("validate", mini)
        expected = f"{mini / 'brief.md'}:"
    else:
        style = _user_style(tmp_path, "loop", "extends: standard\noptions: &o {again: *o}\n")
        result = _build_html_with(mini, tmp_path, "loop")
        expected = f"{style}:"
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and expected in output, output
    assert "refers to the value that holds it" in output and "internal error" not in output


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_deeply_nested_style_is_a_located_error(tmp_path: Path, depth: int):
    # 300 levels parse, but serialising them for the cache key would fail far from the file;
    # 5000 do not even parse.
    style = _user_style(tmp_path, "deep", "extends: standard\noptions: {x: " + "[" * depth
                        + "]" * depth + "}\n")
    result = _build_html_with(MINI, tmp_path, "deep")
    assert result.exit_code == 1, result.output
    assert str(style) in result.output and "internal error" not in result.output


@pytest.mark.parametrize(("content", "message"), [
    (b"extends: standard\x00\x01", "binary file"),
    (b"extends: standard\ndescription: caf\xe9\n", "not valid UTF-8"),
    (b"# " + b"a" * (5 * 1024 * 1024) + b"\n", "larger than the limit"),
])
def test_a_style_file_that_is_not_sane_text_is_a_located_error(tmp_path: Path, content: bytes,
                                                               message: str):
    style = _user_style(tmp_path, "odd", content)
    result = _build_html_with(MINI, tmp_path, "odd")
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and str(style) in output, output
    assert message in output and "internal error" not in output, output


@pytest.mark.parametrize("name", ["brief.json", "sources.json"])
def test_deeply_nested_json_is_a_located_error(mini: Path, tmp_path: Path, name: str):
    nested = "[" * 100_000 + "]" * 100_000
    if name == "brief.json":
        folder = tmp_path / "deep"
        folder.mkdir()
        (folder / name).write_text('{"title": "T", "keywords": ' + nested + "}",
                                   encoding="utf-8")
    else:
        folder = mini
        (mini / "sources.yaml").unlink()
        (mini / name).write_text(nested, encoding="utf-8")
    result = invoke("validate", folder)
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and f"{folder / name}" in output, output
    assert "nested too deeply" in output and "internal error" not in output, output


def test_citation_pattern_has_no_quadratic_backtracking(mini: Path):
    _edit(mini / "brief.md", "Cooperation starts with data.",
          "Cooperation starts with data [@water-report," + " " * 300_000 + "x.")
    assert _loads_within(3, mini)


def test_deeply_nested_yaml_is_a_located_error(mini: Path):
    _replace_front(mini, "title: T\ndate: 2026-01-15\nkeywords: " + "[" * 5000 + "]" * 5000)
    result = invoke("validate", mini)
    assert result.exit_code == 1 and str(mini) in result.output
    assert "internal error" not in result.output, result.output


@pytest.mark.parametrize("sources_text", ["- id: []\n", "- id: {a: 1}\n  title: T\n"])
def test_unhashable_source_id_is_a_located_error(mini: Path, sources_text: str):
    (mini / "sources.yaml").write_text(sources_text, encoding="utf-8")
    result = invoke("validate", mini)
    assert result.exit_code == 1 and "internal error" not in result.output, result.output


# --- reference-manager exports and numbers: every wrong shape is a located problem ---------------


def _csl_with(second_item_field: str, raw_json: str) -> str:
    """CSL-JSON as Zotero writes it (one field a line), the second item's field set to the raw
    JSON text given (which may be what json.dumps cannot write, such as 1e400)."""
    items = [dict(item) for item in CSL_ITEMS]
    items[1][second_item_field] = "RAW"
    return json.dumps(items, indent=2).replace('"RAW"', raw_json)


def _second_item_line(text: str) -> int:
    return text.split("\n").index("  {", 2) + 1


@pytest.mark.parametrize(("field", "raw_json"), [
    ("issued", '{"date-parts": [["abc"]]}'), ("issued", '{"date-parts": [[null]]}'),
    ("issued", '{"date-parts": [[1e400]]}'), ("issued", '{"date-parts": [[NaN, 1, 1]]}'),
    ("issued", '{"date-parts": [[2020.5]]}'), ("issued", '{"date-parts": [[true]]}'),
    ("issued", '{"date-parts": [[{"year": 2020}]]}'), ("issued", '{"date-parts": []}'),
    ("issued", '{"date-parts": [[]]}'), ("issued", '{"date-parts": [2020]}'),
    ("issued", '{"date-parts": [[2020, 5, 1, 9]]}'), ("issued", '{"date-parts": "x"}'),
    ("issued", '{"date-parts": null}'), ("issued", "2021"), ("issued", "[2021]"),
    ("issued", '{"date-parts": [[-5]]}'), ("issued", '{"date-parts": [[0, 1, 1]]}'),
    ("issued", '{"date-parts": [[99999999999]]}'),
    ("issued", '{"date-parts": [[99999999999, 1, 1]]}'),
    ("issued", '{"date-parts": [[2020, 13, 40]]}'), ("accessed", '{"date-parts": [["x", "y"]]}'),
    ("author", '[{"given": 5}]'), ("author", '[{"family": [1]}]'),
    ("author", '[{"literal": {"a": 1}}]'), ("author", '"Jane Doe"'),
    ("author", '{"family": "Doe"}'), ("author", "[5]"), ("author", '[[{"family": "Doe"}]]'),
    ("type", "5"), ("type", "true"), ("type", '["report"]'),
])
def test_a_csl_json_value_of_the_wrong_shape_is_a_located_problem(mini: Path, field: str,
                                                                  raw_json: str):
    (mini / "sources.yaml").unlink()
    text = _csl_with(field, raw_json)
    (mini / "sources.json").write_text(text, encoding="utf-8")
    result = invoke("validate", mini)
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    where = f"{mini / 'sources.json'}:{_second_item_line(text)} (sources[1].{field}): '{field}'"
    assert where in output and "hint:" in output, output
    assert "internal error" not in output, output


def test_a_csl_json_value_copied_as_it_is_is_reported_on_its_items_line(mini: Path):
    (mini / "sources.yaml").unlink()
    text = _csl_with("URL", "[1]")
    (mini / "sources.json").write_text(text, encoding="utf-8")
    result = invoke("validate", mini)
    output = " ".join(result.output.split())
    assert f"{mini / 'sources.json'}:{_second_item_line(text)} (sources[1].url)" in output, output


def _huge_in_front(mini: Path, number: str) -> Path:
    _edit(mini / "brief.md", "version: 2", f"version: {number}")
    return mini / "brief.md"


def _huge_in_data_brief(mini: Path, name: str) -> Path:
    for path in mini.iterdir():
        path.unlink()
    fields = {"title": "T", "date": "2026-01-15", "executive_summary": "Sum.", "version": HUGE}
    text = (json.dumps(fields, indent=2) if name.endswith(".json") else _dump(fields))
    (mini / name).write_text(text.replace(f'"{HUGE}"', HUGE).replace(HUGE, "9" * 5000),
                             encoding="utf-8")
    return mini / name


def _huge_in_sources(mini: Path, name: str) -> Path:
    if name == "sources.yaml":
        _edit(mini / "sources.yaml", "date: 2021", "date: " + "9" * 5000)
    else:
        (mini / "sources.yaml").unlink()
        (mini / name).write_text(_csl_with("note", "9" * 5000), encoding="utf-8")
    return mini / name


#: Where a 5,000-digit number goes (more than Python converts to or from text), and the field
#: the problem must name (none for sources.json: when its JSON cannot be read, its lines are
#: not mapped to fields).
HUGE_PLACES = {
    "front matter": (lambda m: _huge_in_front(m, "9" * 5000), "version"),
    "front matter, hexadecimal": (lambda m: _huge_in_front(m, "0x" + "f" * 5000), "version"),
    "brief.yaml": (lambda m: _huge_in_data_brief(m, "brief.yaml"), "version"),
    "brief.json": (lambda m: _huge_in_data_brief(m, "brief.json"), "version"),
    "sources.yaml": (lambda m: _huge_in_sources(m, "sources.yaml"), "sources[1].date"),
    "sources.json": (lambda m: _huge_in_sources(m, "sources.json"), None),
}


@pytest.mark.parametrize("command", ["validate", "check", "build"])
@pytest.mark.parametrize("place", sorted(HUGE_PLACES))
def test_a_number_too_long_to_print_is_a_located_problem(mini: Path, tmp_path: Path,
                                                         place: str, command: str):
    put, field = HUGE_PLACES[place]
    path = put(mini)
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if "9" * 200 in text or "f" * 200 in text)
    args = [command, mini] + (["-s", "standard", "-f", "html", "-o", tmp_path / "out"]
                              if command == "build" else [])
    result = invoke(*args)
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    where = f"{path}:{line}" + (f" ({field})" if field else "")
    assert f"{where}: a whole number of more than 100 digits" in output, output
    assert "hint:" in output and "internal error" not in output, output
