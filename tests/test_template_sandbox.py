"""A downloaded style's templates get data they cannot call into, and load only from style folders.

The hostile round that prompted these tests ran shell commands through pydantic's `parse_raw`
(which unpickles) and read files through `parse_file`, both reachable from `brief`, `style` and
every source. The rule now is an allow-list (briefgen/sandbox.py); the walker below checks that
no callable outside it is reachable from anything a template receives.
"""

from __future__ import annotations

import os
import pickle
import uuid
from pathlib import Path

import pytest
from jinja2.runtime import Undefined

from briefgen.content import load_brief
from briefgen.errors import BriefgenError
from briefgen.exhibit_html import Exhibits
from briefgen.markdown import MarkdownRenderer
from briefgen.references import Citer
from briefgen.render import render_html, template_context
from briefgen.sandbox import TEMPLATE_METHODS, VALUE_METHODS, allowed_attributes
from briefgen.styles import StyleLibrary
from conftest import EXAMPLE
from test_security import invoke, write_style


class _RunsCommand:
    """Unpickling this runs a shell command that leaves a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


def _render_colophon(mini: Path, tmp_path: Path, markup: str) -> BriefgenError:
    styles = write_style(tmp_path / "styles", colophon=markup)
    library = StyleLibrary([styles])
    with pytest.raises(BriefgenError) as error:
        render_html(load_brief(mini), library.get("hostile"), library, "html")
    return error.value


def test_parse_raw_cannot_unpickle_and_run_a_command(mini: Path, tmp_path: Path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsCommand(marker), protocol=0).decode("ascii")
    markup = ("{{ brief.parse_raw(PAYLOAD, content_type='application/pickle', "
              "allow_pickle=True) }}").replace("PAYLOAD", repr(payload))
    error = _render_colophon(mini, tmp_path, markup)
    assert not marker.exists()
    assert "parse_raw" in str(error) and "unsafe" in str(error)


def test_parse_file_cannot_read_a_file_into_the_error_message(mini: Path, tmp_path: Path):
    token = f"SECRET-{uuid.uuid4().hex}"
    (tmp_path / "secret.json").write_text(f'{{"{token}": 1}}', encoding="utf-8")
    for number, owner in enumerate(("brief", "style", "brief.sources[0]", "citer.brief")):
        expression = f"{owner}.parse_file('{tmp_path / 'secret.json'}')"
        error = _render_colophon(mini, tmp_path / str(number), "{{ " + expression + " }}")
        assert token not in str(error) and "parse_file" in str(error)


@pytest.mark.parametrize("expression", [
    "brief.model_dump()",
    "brief.model_dump_json()",
    "brief.model_validate_json('{}')",
    "brief.model_copy(update={'title': 'x'})",
    "brief.copy()",
    "brief.json()",
    "brief.dict()",
    "brief.model_fields",
    "brief.model_config",
    "brief.schema_json()",
    "style.model_construct()",
    "style.page.model_dump()",
    "brief.sources[0].model_validate({})",
    "brief.authors[0].parse_obj({})",
    "brief.recommendations[0].model_json_schema()",
    "citer.brief.parse_raw('{}')",
    "citer.short_note",
    "sections[0].extra.model_dump()",
    "markdown_renderer.block('x')",
    "exhibits.inline('x')",
    "exhibits.draw_chart",
    "exhibits.loaded",
    "(brief | attr('parse_raw'))('{}')",
    "brief['parse_raw']('{}')",
    "(brief.sources | map(attribute='model_dump') | first)()",
    "brief.sources | map(attribute='parse_file') | first",
    "brief.date.fromtimestamp(0)",
    "brief.date.today()",
    "brief.title.maketrans('a', 'b')",
    "brief.title.encode('utf-8')",
    "'{0.model_dump}'.format(brief)",
    "brief.keywords.copy()",
    "style.options.copy()",
    "style.options.fromkeys(['a'])",
])
def test_methods_outside_the_allow_list_are_refused(mini: Path, tmp_path: Path,
                                                    expression: str):
    error = _render_colophon(mini, tmp_path, "{{ " + expression + " }}")
    (problem,) = error.problems
    assert "template failed" in problem.message
    assert problem.file == tmp_path / "styles" / "hostile" / "brief.html.j2"


def test_what_templates_need_still_works(mini: Path, tmp_path: Path):
    markup = ("{{ brief.heading('analysis') }}|{{ brief.has_section('conclusion') }}|"
              "{{ brief.cited_ids() | length }}|{{ brief.source(brief.sources[0].id).year }}|"
              "{{ citer.cited_sources() | length }}|{{ sections[0].anchor }}|"
              "{{ brief.date.isoformat() }}|{{ brief.title.upper() }}|"
              "{{ style.options.get('missing', 'dflt') }}|{{ brief.sources | map(attribute='id')"
              " | join(',') }}|{% for k, v in style.options.items() %}{% endfor %}"
              "{% set ns = namespace(n=0) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}")
    styles = write_style(tmp_path / "styles", colophon=markup)
    library = StyleLibrary([styles])
    html = render_html(load_brief(mini), library.get("hostile"), library, "html").html
    assert "dflt|" in html and "|True|" in html


# --- the walker -----------------------------------------------------------------------------------

#: Jinja's default globals: the only callables a template starts with.
JINJA_GLOBALS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace"}


def _allowed(obj: object, attr: str) -> bool:
    kind = type(obj)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if name in TEMPLATE_METHODS:
        return attr in TEMPLATE_METHODS[name]
    return any(isinstance(obj, t) and attr in methods for t, methods in VALUE_METHODS.items())


def reachable_callables(env, roots: dict[str, object]) -> list[str]:
    """Every callable a template can reach from `roots` by attributes, items and calls of
    allowed methods that take no arguments: `path (type.attr)`, for those not allowed."""
    found: list[str] = []
    seen: set[int] = set()
    stack = list(roots.items())
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen or isinstance(obj, Undefined):
            continue
        seen.add(id(obj))
        for attr in dir(obj):
            value = env.getattr(obj, attr)
            if isinstance(value, Undefined):
                continue
            if callable(value):
                if not _allowed(obj, attr):
                    found.append(f"{path}.{attr} ({type(obj).__name__}.{attr})")
                elif attr in ("cited_sources", "bibliography", "cited_ids"):
                    stack.append((f"{path}.{attr}()", value()))
                continue
            stack.append((f"{path}.{attr}", value))
        if isinstance(obj, list | tuple):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(obj))
        elif isinstance(obj, dict):
            stack.extend((f"{path}[{key!r}]", item) for key, item in obj.items())
    return found


@pytest.mark.parametrize("style_name", ["standard", "analyst"])
def test_no_callable_outside_the_allow_list_is_reachable(style_name: str):
    library = StyleLibrary()
    style = library.get(style_name)
    loaded = load_brief(EXAMPLE)
    citer = Citer(loaded.brief, style.settings.citations)  # type: ignore[arg-type]
    renderer = MarkdownRenderer(cite=citer, resolve_image=lambda src: None)
    exhibits = Exhibits(loaded, renderer.inline, lambda figure, rows: ("", []), "html", [])
    context = template_context(loaded, style, "html", citer, renderer, exhibits, [])
    env = library.environment(style)
    assert set(env.globals) - {"_TemplateReference"} >= JINJA_GLOBALS
    leaks = reachable_callables(env, context)
    assert leaks == [], "\n".join(leaks[:40])
    # The walk reached the data, so an empty list means something.
    assert allowed_attributes(loaded.brief) >= {"title", "sources", "heading"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the plain sandbox reads them all
def test_the_walker_finds_what_the_plain_sandbox_leaves_open():
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaded = load_brief(EXAMPLE)
    leaks = reachable_callables(ImmutableSandboxedEnvironment(), {"brief": loaded.brief})
    assert any("parse_raw" in leak for leak in leaks)
    assert any("parse_file" in leak for leak in leaks)


# --- where templates load from ---------------------------------------------------------------


def test_a_file_in_the_templates_folder_outside_any_style_cannot_be_included(
        mini: Path, tmp_path: Path):
    token = f"SECRET-{uuid.uuid4().hex}"
    styles = write_style(tmp_path / "styles", colophon='{% include "notes.txt" %}')
    (styles / "notes.txt").write_text(token, encoding="utf-8")
    (styles / "drafts").mkdir()
    (styles / "drafts" / "plan.txt").write_text(token, encoding="utf-8")
    for name in ("notes.txt", "drafts/plan.txt", "builtin/../notes.txt"):
        (styles / "hostile" / "brief.html.j2").write_text(
            '{% extends "standard/brief.html.j2" %}{% block colophon %}'
            f'{{% include "{name}" %}}{{% endblock %}}', encoding="utf-8")
        result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                        "-f", "html", "-j", "1")
        assert result.exit_code == 1, (name, result.output)
        assert token not in result.output and "TemplateNotFound" in result.output
        assert not (tmp_path / "out" / "mini" / "hostile.html").exists()


def test_a_style_cannot_include_a_style_it_does_not_extend(mini: Path, tmp_path: Path):
    token = f"SECRET-{uuid.uuid4().hex}"
    styles = write_style(tmp_path / "styles", colophon='{% include "house/private.j2" %}')
    (styles / "house").mkdir()
    (styles / "house" / "style.yaml").write_text("extends: standard\n", encoding="utf-8")
    (styles / "house" / "private.j2").write_text(token, encoding="utf-8")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 1 and token not in result.output
    # …but a style that extends it may.
    (styles / "hostile" / "style.yaml").write_text(
        "extends: house\nstylesheets: [hostile.css]\n", encoding="utf-8")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 0, result.output
    assert token in (tmp_path / "out" / "mini" / "hostile.html").read_text(encoding="utf-8")


def test_parents_shared_and_builtin_templates_load(mini: Path, tmp_path: Path):
    styles = write_style(tmp_path / "styles", colophon=(
        '{% import "_shared/macros.html.j2" as mm with context %}'
        '{% import "builtin/_shared/macros.html.j2" as bm with context %}'
        '{% include "hostile/part.j2" %}'))
    (styles / "hostile" / "part.j2").write_text("OWN-PART", encoding="utf-8")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "OWN-PART" in (tmp_path / "out" / "mini" / "hostile.html").read_text(encoding="utf-8")


def test_a_huge_template_is_a_located_error(mini: Path, tmp_path: Path):
    from briefgen.content import MAX_INPUT_BYTES

    styles = write_style(tmp_path / "styles", colophon='{% include "hostile/big.j2" %}')
    (styles / "hostile" / "big.j2").write_text("x" * (MAX_INPUT_BYTES + 1), encoding="utf-8")
    result = invoke("build", mini, "-s", "hostile", "-t", styles, "-o", tmp_path / "out",
                    "-f", "html", "-j", "1")
    assert result.exit_code == 1
    assert "big.j2" in result.output and "larger than the limit" in result.output


def test_an_error_raised_inside_briefgen_says_so(mini: Path, tmp_path: Path):
    error = _render_colophon(mini, tmp_path, "{{ brief.heading(5) }}")
    (problem,) = error.problems
    assert "template failed (AttributeError)" in problem.message
    assert "raised in briefgen's model.py" in (problem.hint or "") and "bug" in problem.hint
    plain = _render_colophon(mini, tmp_path / "again", "{{ brief.nothing.here }}")
    assert "briefgen bug" not in (plain.problems[0].hint or "")
