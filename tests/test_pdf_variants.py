"""`--pdf-variant pdf/ua-1 | pdf/a-3u`: every built-in PDF style passes what a validator checks
(tests/pdfcheck.py), on the example in English and another language, on the fixture brief and
on a copy of it with what the example lacks (a PNG figure, a Markdown image, tables); the
variant is recorded, the running header and footer are artifacts, builds repeat byte for byte,
images without alt text are refused where they are written, and a style or an audience can ask
for a variant.

Each variant is built once for the run (`once_per_run`); the other tests build the small
fixture."""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from PIL import Image
from typer.testing import CliRunner

import pdfcheck
from briefgen.cli import app
from briefgen.content import load_brief
from briefgen.pdf import lay_out
from briefgen.render import render_html
from briefgen.styles import StyleLibrary
from conftest import EXAMPLE, MINI

STYLES = ("standard", "memo", "analyst", "briefing-note")
#: The example's editions each variant is built in (English and one other).
LANGUAGES = {"pdf/ua-1": ("en", "ru"), "pdf/a-3u": ("en", "kk")}
runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def build(*args: str | Path) -> None:
    result = invoke("build", "-f", "pdf", *args)
    assert result.exit_code == 0, result.output


def edition(style: str, language: str) -> str:
    return f"{style}.pdf" if language == "en" else f"{style}.{language}.pdf"


def with_image(folder: Path, name: str) -> None:
    """A small PNG with transparency (so it has a soft mask, which is an image too)."""
    Image.new("RGBA", (60, 40), (20, 90, 160, 200)).save(folder / name)


@pytest.fixture(scope="module")
def exhibits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture brief with a PNG figure, a described Markdown image, a data table and a
    Markdown table, each the way an author is asked to write them."""
    folder = tmp_path_factory.mktemp("briefs") / "exhibits"
    shutil.copytree(MINI, folder)
    with_image(folder, "gauge.png")
    with_image(folder, "station.png")
    (folder / "figures.yaml").write_text(
        "figures:\n"
        "  - id: gauges\n    title: Gauging stations on the river\n    image: gauge.png\n"
        "    alt: A map with twelve gauging stations along the Syr Darya.\n"
        "tables:\n"
        "  - id: releases\n    title: Releases by season\n"
        "    data:\n      - {season: Winter, releases: 12}\n"
        "      - {season: Summer, releases: 4}\n",
        encoding="utf-8")
    brief = folder / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "Gauging stations are too few.",
        "Gauging stations are too few.\n\n![A gauging station on a river bank](station.png)\n\n"
        "| Station | Years |\n|---|---|\n| Upper | 30 |\n| Lower | 12 |\n"), encoding="utf-8")
    return folder


def build_variant(out: Path, exhibits: Path, variant: str) -> Path:
    """One build of the example (in the variant's languages), the fixture brief and the
    exhibits fixture, in every built-in PDF style."""
    build(EXAMPLE, MINI, exhibits, "--pdf-variant", variant, "-o", out,
          *(arg for style in STYLES for arg in ("-s", style)),
          *(arg for language in LANGUAGES[variant] for arg in ("-l", language)))
    return out


def once_per_run(request: pytest.FixtureRequest, name: str, make: Callable[[Path], Path]) -> Path:
    """The folder `make` fills, made once per test run: under `pytest -n` by the first test
    process that asks, while the others wait for it (each would otherwise build it again)."""
    factory = request.getfixturevalue("tmp_path_factory")
    if not hasattr(request.config, "workerinput"):  # not under pytest-xdist
        return make(factory.mktemp(name))
    folder = factory.getbasetemp().parent / name  # shared by the run's test processes
    outcome = folder.with_name(f"{name}.outcome")
    try:
        folder.mkdir()
    except FileExistsError:
        return _made_elsewhere(folder, outcome)
    written = "failed"
    try:
        make(folder)
        written = "built"
    finally:
        partial = outcome.with_suffix(".partial")
        partial.write_text(written, encoding="utf-8")
        partial.replace(outcome)  # whole, or not at all
    return folder


def _made_elsewhere(folder: Path, outcome: Path, seconds: float = 900) -> Path:
    deadline = time.monotonic() + seconds
    while not outcome.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{folder.name} was not built by another test process in {seconds:g} s")
        time.sleep(0.2)
    if outcome.read_text(encoding="utf-8") != "built":
        pytest.fail(f"building {folder.name} failed in another test process (see its report)")
    return folder


# One fixture per variant: a test run builds only the variants its tests use.
@pytest.fixture(scope="module")
def ua_build(request: pytest.FixtureRequest, exhibits: Path) -> Path:
    return once_per_run(request, "ua", lambda out: build_variant(out, exhibits, "pdf/ua-1"))


@pytest.fixture(scope="module")
def a_build(request: pytest.FixtureRequest, exhibits: Path) -> Path:
    return once_per_run(request, "a", lambda out: build_variant(out, exhibits, "pdf/a-3u"))


def built(request: pytest.FixtureRequest, variant: str) -> Path:
    """The output folder of the variant's build."""
    return request.getfixturevalue({"pdf/ua-1": "ua_build", "pdf/a-3u": "a_build"}[variant])


CASES = [(variant, EXAMPLE.name, edition(style, language))
         for variant, languages in LANGUAGES.items()
         for language in languages for style in STYLES] + [
        (variant, brief, f"{style}.pdf") for variant in LANGUAGES
        for brief in (MINI.name, "exhibits") for style in STYLES]


@pytest.mark.parametrize(("variant", "brief", "name"), CASES,
                         ids=[f"{v}-{b}-{n}" for v, b, n in CASES])
def test_every_style_passes_the_checks(request: pytest.FixtureRequest, variant: str, brief: str,
                                       name: str):
    assert pdfcheck.problems(built(request, variant) / brief / name, variant) == []


@pytest.mark.parametrize(("variant", "namespace", "claimed", "not_claimed"), [
    ("pdf/ua-1", pdfcheck.PDFUAID, {"part": "1"}, pdfcheck.PDFAID),
    ("pdf/a-3u", pdfcheck.PDFAID, {"part": "3", "conformance": "U"}, pdfcheck.PDFUAID),
], ids=["pdf/ua-1", "pdf/a-3u"])
def test_the_variant_is_recorded_in_the_xmp_metadata(request: pytest.FixtureRequest,
                                                     variant: str, namespace: str,
                                                     claimed: dict[str, str], not_claimed: str):
    with pikepdf.open(built(request, variant) / EXAMPLE.name / "standard.pdf") as pdf:
        assert pdfcheck.xmp_values(pdf, namespace) == claimed
        assert pdfcheck.xmp_values(pdf, not_claimed) == {}
        assert str(pdf.docinfo["/Title"]).startswith("Balancing Between Giants")


class _TextByMarking(PDFDevice):
    """Collects a page's text, split into what is marked as an artifact and the rest."""

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.tags: list[str] = []
        self.artifacts: list[str] = []
        self.content: list[str] = []

    def begin_tag(self, tag, props=None) -> None:
        self.tags.append(tag.name)

    def end_tag(self) -> None:
        self.tags.pop()

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        font = textstate.font
        text = "".join(font.to_unichr(cid) for item in seq if isinstance(item, bytes)
                       for cid in font.decode(item))
        (self.artifacts if "Artifact" in self.tags else self.content).append(text)


def text_by_marking(path: Path, page_number: int) -> _TextByMarking:
    resources = PDFResourceManager()
    with path.open("rb") as handle:
        page = next(p for n, p in enumerate(PDFPage.get_pages(handle)) if n == page_number)
        device = _TextByMarking(resources)
        PDFPageInterpreter(resources, device).process_page(page)
    return device


@pytest.mark.parametrize(("variant", "name", "running"), [
    ("pdf/ua-1", "standard.pdf", ["Balancing Between Giants", "Steppe Policy Lab (example)",
                                  "PUBLIC", "Page 2 of 6"]),
    ("pdf/ua-1", "analyst.ru.pdf", ["Баланс между гигантами", "ОТКРЫТО", "Страница 2 из 14"]),
    ("pdf/a-3u", "briefing-note.kk.pdf", ["АШЫҚ", "SPL-PB-2026-07",
                                          "Алыптар арасындағы тепе-теңдік", "8 беттің 2-беті"]),
])
def test_the_running_header_and_footer_are_artifacts(request: pytest.FixtureRequest,
                                                     variant: str, name: str,
                                                     running: list[str]):
    """A screen reader does not read them on every page (WeasyPrint tags them as content)."""
    page = text_by_marking(built(request, variant) / EXAMPLE.name / name, 1)
    assert all(text in page.artifacts for text in running), page.artifacts
    assert page.content, "the page's own text is tagged content"


def test_each_link_is_annotated_once_and_described_by_its_text(ua_build: Path):
    """The analyst's contents page: WeasyPrint annotates each span inside an entry's link as
    well (under a Span, not a Link); one annotation per entry is left, saying the entry."""
    with pikepdf.open(ua_build / EXAMPLE.name / "analyst.pdf") as pdf:
        descriptions = [str(a.Contents) for a in pdf.pages[1].obj.Annots]
    assert descriptions[:3] == ["Key Messages", "Executive Summary", "1 Introduction"]
    assert len(descriptions) == len(set(descriptions))


@pytest.fixture(scope="module")
def laid_out_analyst():
    """The fixture brief in the analyst style (its contents page has nested links), laid out."""
    library = StyleLibrary()
    loaded = load_brief(MINI)
    return lay_out(render_html(loaded, library.get("analyst"), library, "pdf"))


def test_without_a_variant_the_pdf_is_what_weasyprint_writes(laid_out_analyst):
    """The variants' finishing never touches the default PDF, even after a variant was
    written from the same layout."""
    before = laid_out_analyst.pdf_bytes()
    laid_out_analyst.pdf_bytes("pdf/ua-1")
    assert laid_out_analyst.pdf_bytes() == before
    assert before == laid_out_analyst.document.write_pdf(pdf_tags=True)
    with pikepdf.open(io.BytesIO(before)) as pdf:
        assert "/Metadata" not in pdf.Root


@pytest.mark.parametrize("variant", LANGUAGES)
def test_two_builds_are_byte_identical(request: pytest.FixtureRequest, exhibits: Path,
                                       tmp_path: Path, variant: str):
    build(exhibits, "-s", "standard", "--pdf-variant", variant, "-o", tmp_path)
    again = (tmp_path / "exhibits" / "standard.pdf").read_bytes()
    assert again == (built(request, variant) / "exhibits" / "standard.pdf").read_bytes()


def test_a_markdown_image_without_alt_text_is_refused_where_it_is_written(mini: Path,
                                                                          tmp_path: Path):
    with_image(mini, "dot.png")
    brief = mini / "brief.md"
    text = brief.read_text(encoding="utf-8").replace(
        "Gauging stations are too few.", "Gauging stations are too few.\n\n![](dot.png)")
    brief.write_text(text, encoding="utf-8")
    line = text.split("\n").index("![](dot.png)") + 1
    result = invoke("build", mini, "-s", "standard", "-f", "pdf", "--pdf-variant", "pdf/ua-1",
                    "-o", tmp_path)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert f"brief.md:{line}: image 'dot.png' has no alt text" in output
    assert "hint: say what it shows between the brackets: ![what it shows](dot.png)" in output
    # Any other PDF is written, with WeasyPrint's warning.
    default = invoke("build", mini, "-s", "standard", "-f", "pdf", "-o", tmp_path)
    assert default.exit_code == 0 and "has no required alt description" in default.output


def test_a_figure_without_alt_text_is_a_located_error(mini: Path, tmp_path: Path):
    with_image(mini, "dot.png")
    (mini / "figures.yaml").write_text(
        "figures:\n  - id: dot\n    title: A dot\n    image: dot.png\n", encoding="utf-8")
    result = invoke("build", mini, "-s", "standard", "-f", "pdf", "--pdf-variant", "pdf/ua-1",
                    "-o", tmp_path)
    assert result.exit_code == 1
    assert "figures.yaml:2 (figures[0].alt): 'alt' is required but missing" in " ".join(
        result.output.split())


def make_style(root: Path, variant: str) -> Path:
    """A house style that extends standard and asks for `variant`."""
    (root / "house").mkdir(parents=True)
    (root / "house" / "style.yaml").write_text(
        f"name: house\ndescription: Archived\nextends: standard\npdf_variant: {variant}\n",
        encoding="utf-8")
    return root


def test_a_style_asks_for_its_variant_and_the_option_overrides_it(tmp_path: Path):
    styles = make_style(tmp_path / "styles", "pdf/ua-1")
    build(MINI, "-s", "house", "--templates", styles, "-o", tmp_path / "own")
    own = tmp_path / "own" / "mini" / "house.pdf"
    assert pdfcheck.problems(own, "pdf/ua-1") == []
    build(MINI, "-s", "house", "--templates", styles, "--pdf-variant", "pdf/a-3u",
          "-o", tmp_path / "asked")
    with pikepdf.open(tmp_path / "asked" / "mini" / "house.pdf") as pdf:
        assert pdfcheck.xmp_values(pdf, pdfcheck.PDFAID) == {"part": "3", "conformance": "U"}
        assert pdfcheck.xmp_values(pdf, pdfcheck.PDFUAID) == {}


def test_an_audience_asks_for_its_variant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "briefgen.toml").write_text(
        '[audiences]\narchive = { style = "memo", pdf_variant = "pdf/a-3u" }\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    build(MINI, "--audience", "archive", "-o", "out")
    assert pdfcheck.problems(tmp_path / "out" / "mini" / "memo.pdf", "pdf/a-3u") == []


def test_a_bad_variant_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    result = invoke("build", MINI, "--pdf-variant", "pdf/a-1b", "-o", tmp_path)
    assert result.exit_code == 2
    assert "'pdf/a-1b' is not a PDF variant; use pdf/ua-1 or pdf/a-3u" in " ".join(
        result.output.split())
    (tmp_path / "briefgen.toml").write_text(
        '[audiences]\narchive = { style = "memo", pdf_variant = "pdf/ua-2" }\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    configured = invoke("build", MINI, "--audience", "archive", "-o", "out")
    assert configured.exit_code == 1 and "briefgen.toml" in configured.output
    assert not (tmp_path / "out").exists()


def _first(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    return next(e for e in pdfcheck.structure_elements(pdf) if kind == e.S)


def _without_headers(pdf: pikepdf.Pdf) -> None:
    for cell in pdfcheck.structure_elements(pdf):
        if cell.S == "/TD" and "/A" in cell:
            del cell.A["/Headers"]


def _orphan_heading(pdf: pikepdf.Pdf) -> None:
    heading = _first(pdf, "/H1")
    heading.P.K = pikepdf.Array([kid for kid in heading.P.K if kid.objgen != heading.objgen])


def _type0(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return next(font for font in pdfcheck.fonts(pdf) if font.Subtype == "/Type0")


def _first_image(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    return next(item for item in pdf.objects
                if isinstance(item, pikepdf.Stream) and item.get("/Subtype") == "/Image")


#: A way to break a good PDF for each check, which must then find a problem.
BREAKERS = {
    pdfcheck.structure_tree: lambda pdf: delattr(pdf.Root, "StructTreeRoot"),
    pdfcheck.marked: lambda pdf: setattr(pdf.Root.MarkInfo, "Marked", False),
    pdfcheck.language: lambda pdf: setattr(pdf.Root, "Lang", pikepdf.String("")),
    pdfcheck.displays_title: lambda pdf: delattr(pdf.Root, "ViewerPreferences"),
    pdfcheck.titled: lambda pdf: delattr(pdf.Root, "Metadata"),
    pdfcheck.ua_identification: lambda pdf: delattr(pdf.Root, "Metadata"),
    pdfcheck.fonts_embedded: lambda pdf: delattr(
        _type0(pdf).DescendantFonts[0].FontDescriptor, "FontFile2"),
    pdfcheck.fonts_map_to_unicode: lambda pdf: delattr(_type0(pdf), "ToUnicode"),
    pdfcheck.figures_have_alt: lambda pdf: delattr(_first(pdf, "/Figure"), "Alt"),
    pdfcheck.table_headers: _without_headers,
    pdfcheck.tab_order: lambda pdf: delattr(pdf.pages[0].obj, "Tabs"),
    pdfcheck.links_described: lambda pdf: delattr(pdf.pages[0].obj.Annots[0], "Contents"),
    pdfcheck.content_marked: lambda pdf: pdf.pages[0].contents_add(
        pikepdf.Stream(pdf, b"0 0 1 1 re f"), prepend=True),
    pdfcheck.parent_tree_in_structure: _orphan_heading,
    pdfcheck.headings_in_order: lambda pdf: setattr(_first(pdf, "/H2"), "S",
                                                    pikepdf.Name("/H4")),
    pdfcheck.a3u_identification: lambda pdf: delattr(pdf.Root, "Metadata"),
    pdfcheck.output_intent: lambda pdf: delattr(pdf.Root, "OutputIntents"),
    pdfcheck.file_identifier: lambda pdf: delattr(pdf.trailer, "ID"),
    pdfcheck.no_interpolation: lambda pdf: setattr(_first_image(pdf), "Interpolate", True),
    pdfcheck.annotations_printable: lambda pdf: setattr(pdf.pages[0].obj.Annots[0], "F", 0),
}


@pytest.mark.parametrize("check", BREAKERS, ids=[check.__name__ for check in BREAKERS])
def test_each_check_finds_what_it_looks_for(request: pytest.FixtureRequest, check):
    """Each check passes on a variant PDF, and finds a problem once the PDF is broken its way."""
    variant = "pdf/ua-1" if check in pdfcheck.CHECKS["pdf/ua-1"] else "pdf/a-3u"
    with pikepdf.open(built(request, variant) / "exhibits" / "standard.pdf") as pdf:
        assert check(pdf) == []
        BREAKERS[check](pdf)
        assert check(pdf) != []


def test_a_link_around_an_image_is_described_by_the_image(mini: Path, tmp_path: Path):
    """A linked image has no text: its annotation says the image's alt text, not the URL."""
    with_image(mini, "station.png")
    brief = mini / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "Gauging stations are too few.",
        "Gauging stations are too few.\n\n"
        "[![A gauging station on a river bank](station.png)](https://example.org/stations)\n"),
        encoding="utf-8")
    build(mini, "-s", "standard", "--pdf-variant", "pdf/ua-1", "-o", tmp_path / "out")
    with pikepdf.open(tmp_path / "out" / "mini" / "standard.pdf") as pdf:
        described = {str(a.A.URI): str(a.Contents) for page in pdf.pages
                     for a in page.obj.get("/Annots", []) if "/URI" in a.get("/A", {})}
    assert described["https://example.org/stations"] == "A gauging station on a river bank"


def with_sub_headings(folder: Path) -> Path:
    """The fixture brief with a heading its author wrote inside a prose section, a finding and
    a scenario: each one level under what it sits in."""
    brief = folder / "brief.md"
    text = brief.read_text(encoding="utf-8")
    text = text.replace("The basin has been shared since 1992 [@water-report, p. 4].",
                        "The basin has been shared since 1992 [@water-report, p. 4].\n\n"
                        "## The 1992 agreement\n\nIt set quotas.")
    text = text.replace("Winter releases serve upstream electricity needs.",
                        "Winter releases serve upstream electricity needs.\n\n"
                        "### In winter\n\nReleases peak.")
    text = text.replace("Ministers keep meeting.",
                        "Ministers keep meeting.\n\n### What drives it\n\nShared need.")
    brief.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("style", STYLES)
def test_headings_written_inside_a_passage_skip_no_level(mini: Path, tmp_path: Path,
                                                         style: str):
    build(with_sub_headings(mini), "-s", style, "--pdf-variant", "pdf/ua-1", "-f", "html",
          "-o", tmp_path / "out")
    with pikepdf.open(tmp_path / "out" / "mini" / f"{style}.pdf") as pdf:
        assert pdfcheck.headings_in_order(pdf) == []
    page = (tmp_path / "out" / "mini" / f"{style}.html").read_text(encoding="utf-8")
    if "The 1992 agreement" in page:  # the styles that print the background
        assert "<h3>The 1992 agreement</h3>" in page
