"""Briefs that carry data: key figures, charts and tables, each traced to its source.

One fixture brief holds three key figures, a bar chart and a line chart from inline data, a
table from a CSV file and a Markdown pipe table; it is built in every style and read back."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefgen.cli import app
from conftest import MINI, pdf_text
from test_security import server

__all__ = ["server"]  # the fixture, used by name

runner = CliRunner()
STYLES = ["analyst", "briefing-note", "memo", "standard", "web"]

FIGURES_YAML = """\
key_figures:
  - value: "12%"
    label: less water reached the delta in 2020
    cite: "[@water-report]"
  - value: "1,416"
    label: gauging points planned
    detail: by 2030
    cite: "[@water-report]"
  - value: "$300 million"
    label: to modernize the canals
    cite: "[@basin-note]"
figures:
  - id: releases
    title: Winter releases by reservoir
    caption: Million cubic meters, winter 2020.
    alt: A bar chart of winter releases; Toktogul released the most, 420 million cubic meters.
    cite: "[@water-report]"
    notes: Provisional figures.
    chart: {type: bar, x: reservoir, y: volume, y_title: Million cubic meters}
    data:
      - {reservoir: Toktogul, volume: 420}
      - {reservoir: Kambarata, volume: 180}
  - id: flows
    title: Flows into the delta
    alt: A line chart of flows into the delta, falling from 80 to 64 over three years.
    cite: "[@water-report]"
    chart: {type: line, x: year, y: flow}
    data:
      - {year: "2018", flow: 80}
      - {year: "2019", flow: 71}
      - {year: "2020", flow: 64}
tables:
  - id: stations
    title: Gauging stations by country
    cite: "[@basin-note]"
    csv: data/stations.csv
    columns:
      - {name: country, title: Country}
      - {name: stations, title: Stations, format: integer}
      - {name: share, title: Share, format: percent}
"""

WATER_TEXT = """Notes on the water report.
- The basin has been shared since 1992.
- Delta inflow fell 12% in 2020; inflows were 80, 71 and 64 over 2018 to 2020.
- Toktogul released 420 and Kambarata 180 million cubic meters in winter.
- The plan names 1,416 gauging points by 2030.
"""
BASIN_TEXT = """Notes on the basin note.
- Canal modernization is costed at $300 million.
- Stations: Kazakhstan 1200, Uzbekistan 800; shares 60% and 40%.
"""


def _with_data(folder: Path) -> Path:
    (folder / "figures.yaml").write_text(FIGURES_YAML, encoding="utf-8")
    (folder / "data").mkdir()
    (folder / "data" / "stations.csv").write_text(
        "country,stations,share\nKazakhstan,1200,60\nUzbekistan,800,40\n", encoding="utf-8")
    (folder / "texts").mkdir()
    (folder / "texts" / "water.txt").write_text(WATER_TEXT, encoding="utf-8")
    (folder / "texts" / "basin.txt").write_text(BASIN_TEXT, encoding="utf-8")
    sources = folder / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "  type: report\n", "  type: report\n  text: texts/water.txt\n", 1).replace(
        "  type: webpage\n", "  type: webpage\n  text: texts/basin.txt\n", 1), encoding="utf-8")
    brief = folder / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "Winter releases serve upstream electricity needs.",
        "Winter releases serve upstream electricity needs (@fig:releases), while the delta "
        "gets less each year (@fig:flows).\n\n| Crop | Season |\n|---|---|\n| Cotton | summer |\n"
        "| Wheat | winter |").replace(
        "Gauging stations are too few.",
        "Gauging stations are too few, and unevenly spread (@tbl:stations)."), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def data_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _with_data(_fresh(tmp_path_factory.mktemp("data") / "mini"))
    out = folder.parent / "out"
    args = ["build", str(folder), "-o", str(out), *[a for s in STYLES for a in ("-s", s)]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    return out / "mini"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _fresh(folder: Path) -> Path:
    shutil.copytree(MINI, folder)
    return folder


def test_every_style_builds_and_the_pdfs_hold_the_data(data_build: Path):
    for style in ("standard", "analyst", "briefing-note"):
        text = pdf_text(data_build / f"{style}.pdf")
        for expected in ("Winter releases by reservoir", "Flows into the delta",
                         "Gauging stations by country", "Figure 1", "Figure 2", "Table 1",
                         "12%", "1,416", "$300 million", "Uzbekistan", "1,200", "60%",
                         "Cotton", "summer", "Source:"):
            assert expected in text, (style, expected)
    memo = pdf_text(data_build / "memo.pdf")
    assert "12%" in memo and "Winter releases by reservoir" not in memo  # figures: no room
    assert len(PdfReader(data_build / "memo.pdf").pages) == 1


def test_figures_are_numbered_where_the_text_first_refers_to_them(data_build: Path):
    html = (data_build / "standard.html").read_text(encoding="utf-8")
    assert html.index('id="fig-releases"') < html.index('id="fig-flows"') < html.index(
        'id="tbl-stations"')
    assert '<a class="xref" href="#fig-releases">Figure&nbsp;1</a>' in html
    assert '<a class="xref" href="#tbl-stations">Table&nbsp;1</a>' in html
    # Drawn right after the paragraph that first refers to them, before the pipe table.
    assert html.index("Figure&nbsp;2</a>)") < html.index('id="fig-releases"') < html.index(
        "<td>Cotton</td>")


def test_charts_are_accessible_in_html(data_build: Path):
    for style in ("standard", "web"):
        html = (data_build / f"{style}.html").read_text(encoding="utf-8")
        svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", html, re.DOTALL)
        assert len(svgs) == 2, style
        for svg in svgs:
            assert 'role="img"' in svg
            assert re.search(r"<title\b[^>]*>[^<]+</title>", svg)
            assert re.search(r"<desc\b[^>]*>[^<]+</desc>", svg)
        assert html.count('class="exhibit-data"') == 2  # the data behind each chart, as a table
        assert "Toktogul</td>" in html


def test_tagged_pdf_figures_carry_their_alt_text(data_build: Path):
    reader = PdfReader(data_build / "standard.pdf")
    alts: list[str] = []

    def walk(node, depth=0) -> None:
        node = node.get_object()
        if depth > 60:
            return
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                if hasattr(kid, "get_object"):
                    walk(kid, depth + 1)
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any("Toktogul" in alt for alt in alts), alts
    assert any("falling from 80 to 64" in alt for alt in alts), alts


@pytest.mark.parametrize(("edit", "expected"), [
    (("    alt: A bar chart of winter releases; Toktogul released the most, 420 million cubic "
      "meters.\n", ""), "figures[0].alt"),
    (("csv: data/stations.csv", "csv: ../outside.csv"), "leads outside the brief's folder"),
    (("chart: {type: line, x: year, y: flow}", "chart: {type: line, x: year}"), "needs x and y"),
])
def test_broken_figures_are_located_errors(tmp_path: Path, edit: tuple[str, str],
                                           expected: str):
    folder = _with_data(_fresh(tmp_path / "mini"))
    (tmp_path / "outside.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    path = folder / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert expected in result.output and "figures.yaml" in result.output


def test_an_unknown_figure_reference_is_a_located_error(tmp_path: Path):
    folder = _with_data(_fresh(tmp_path / "mini"))
    _edit(folder / "brief.md", "(@fig:flows)", "(@fig:flow)")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "refers to @fig:flow, which no figure" in result.output
    assert "brief.md:" in result.output


def test_check_traces_every_number_to_its_source(tmp_path: Path):
    folder = _with_data(_fresh(tmp_path / "mini"))
    clean = runner.invoke(app, ["check", str(folder), "--json"])
    assert clean.exit_code == 0, clean.output
    figures = folder / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    figures.write_text(text.replace('value: "12%"', 'value: "17%"').replace(
        "volume: 180", "volume: 190"), encoding="utf-8")
    found = runner.invoke(app, ["check", str(folder), "--json"])
    assert found.exit_code == 1
    messages = [f["message"] for f in json.loads(found.output)["findings"]]
    assert any("'17%' is not in the text of @water-report" in m for m in messages), messages
    assert any("figure 'releases', row 2, column 'volume': '190'" in m for m in messages)


def test_data_that_cites_nothing_is_a_warning_and_fails_strict(tmp_path: Path):
    folder = _with_data(_fresh(tmp_path / "mini"))
    before = runner.invoke(app, ["check", str(folder), "--strict"])
    assert before.exit_code == 0, before.output  # so what fails below is the missing citation
    figures = folder / "figures.yaml"
    figures.write_text(figures.read_text(encoding="utf-8").replace(
        '    cite: "[@basin-note]"\n    csv:', "    csv:"), encoding="utf-8")
    lenient = runner.invoke(app, ["check", str(folder)])
    assert lenient.exit_code == 0 and "table 'stations' shows data but cites no source" in (
        lenient.output)
    assert runner.invoke(app, ["check", str(folder), "--strict"]).exit_code == 1


def test_a_figure_the_text_never_refers_to_is_a_warning(tmp_path: Path):
    folder = _with_data(_fresh(tmp_path / "mini"))
    assert "never referred to" not in runner.invoke(app, ["validate", str(folder)]).output
    _edit(folder / "brief.md", " (@tbl:stations)", "")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0
    assert "table 'stations' is never referred to in the text" in result.output
    assert "@tbl:stations" in result.output and "figures.yaml" in result.output


def test_a_chart_that_asks_for_a_url_fetches_nothing(tmp_path: Path, server):
    folder = _with_data(_fresh(tmp_path / "mini"))
    figures = folder / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    asks_for_data = (f'vega_lite: {{mark: bar, data: {{url: "{server.url("/data.csv")}"}}, '
                     "encoding: {x: {field: year}, y: {field: flow, type: quantitative}}}")
    figures.write_text(text.replace("chart: {type: line, x: year, y: flow}",
                                    f"chart: {{{asks_for_data}}}"), encoding="utf-8")
    refused = runner.invoke(app, ["build", str(folder), "-s", "standard", "-f", "html", "-o",
                                  tmp_path / "out"])
    assert refused.exit_code == 1 and "figure 'flows' cannot be drawn" in refused.output
    assert "url" in refused.output
    image_mark = (f'vega_lite: {{mark: {{type: image, url: "{server.url("/logo.png")}"}}, '
                  "encoding: {x: {field: year}, y: {field: flow, type: quantitative}}}")
    figures.write_text(text.replace("chart: {type: line, x: year, y: flow}",
                                    f"chart: {{{image_mark}}}"), encoding="utf-8")
    stripped = runner.invoke(app, ["build", str(folder), "-s", "standard", "-o",
                                   tmp_path / "out2"])
    assert server.requests == []
    assert "figure 'flows'" in stripped.output and "image" in stripped.output


def test_a_process_that_drew_a_chart_still_builds_charts_in_its_workers(tmp_path: Path):
    """vl-convert's engine does not survive a fork: a notebook that drew a chart and then
    builds must get workers that can draw (they start fresh)."""
    import subprocess
    import sys
    import textwrap

    folder = _with_data(_fresh(tmp_path / "mini"))
    code = textwrap.dedent(f"""
        from pathlib import Path
        from briefgen.charts import ChartStyle, chart_spec, draw
        from briefgen.cli import main
        from briefgen.styles import SHARED_DIR
        style = ChartStyle(palette=("#0f4c75",), font="Noto Sans", font_dir=SHARED_DIR / "fonts")
        draw(chart_spec("bar", [{{"a": "x", "b": 1}}], x="a", y="b"), style, title="t",
             description="d")
        raise SystemExit(main(["build", {str(folder)!r}, "-s", "standard", "-f", "pdf",
                               "-o", {str(tmp_path / "out")!r}, "--render-timeout", "20"]))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ,
                                            "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out" / "mini" / "standard.pdf").is_file()


def test_a_long_table_splits_across_pages_with_its_header_repeated(tmp_path: Path):
    folder = _with_data(_fresh(tmp_path / "mini"))
    rows = "".join(f"Station {i},{100 + i},{i % 100}\n" for i in range(90))
    (folder / "data" / "stations.csv").write_text("country,stations,share\n" + rows,
                                                  encoding="utf-8")
    result = runner.invoke(app, ["build", str(folder), "-s", "standard", "-f", "pdf", "-o",
                                 tmp_path / "out", "--allow-overflow"])
    assert result.exit_code == 0, result.output
    pages = [page.extract_text() or "" for page in
             PdfReader(tmp_path / "out" / "mini" / "standard.pdf").pages]
    holding = [text for text in pages if "Station " in text]
    assert len(holding) >= 2  # the table runs over a page break…
    assert all("Country" in text and "Stations" in text for text in holding)  # …header again


# --- what the second read of this feature found ----------------------------------------------

FIGURE_CASES = {
    "short CSV row": (("data/stations.csv", "country,stations,share\nKazakhstan,1200\n"),
                      "fewer cells than the header"),
    "repeated CSV header": (("data/stations.csv", "country,country,share\nA,1,2\n"),
                            "repeats a column name"),
    "a table column not in the rows": (
        ('      - {name: share, title: Share, format: percent}',
         '      - {name: shares, title: Share, format: percent}'), "column 'shares' is missing"),
    "text where a chart needs numbers": (("volume: 180", 'volume: "lots"'), "is not a number"),
    "a boolean cell": (("{reservoir: Kambarata, volume: 180}", "{reservoir: true, volume: 180}"),
                       "figures[0].data[1].reservoir"),
    "NaN in a table": (("    csv: data/stations.csv", "    data: [{country: A, stations: .nan}]"),
                       "not a number or a text"),
    "an unknown reference in a caption": (("caption: Million cubic meters, winter 2020.",
                                           "caption: See @fig:nope."), "refers to @fig:nope"),
    "an unknown reference in a key figure": (("label: gauging points planned",
                                              "label: planned (@tbl:none)"), "@tbl:none"),
    "two figures with one id": (("tables:\n", "  - id: releases\n    title: Again\n    alt: A.\n"
                                 "    chart: {type: bar, x: a, y: b}\n    data: [{a: x, b: 1}]\n"
                                 "tables:\n"), "releases is used more than once"),
}


@pytest.mark.parametrize("case", list(FIGURE_CASES))
def test_odd_figure_data_is_a_located_error(tmp_path: Path, case: str):
    (old, new), expected = FIGURE_CASES[case]
    folder = _with_data(_fresh(tmp_path / "mini"))
    if old.startswith("data/"):
        (folder / old).write_text(new, encoding="utf-8")
    else:
        path = folder / "figures.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    for command in ("validate", "build"):
        result = runner.invoke(app, [command, str(folder), "-o", str(tmp_path / "out"), "-f",
                                     "html", "-s", "standard"][:2 if command == "validate"
                                                              else None])
        assert result.exit_code == 1, (command, result.output)
        assert expected in result.output, (command, result.output)
        assert "internal error" not in result.output and "briefgen bug" not in result.output


def test_a_large_table_builds_in_linear_time(tmp_path: Path):
    import time

    from briefgen.exhibit_html import _data_table
    from briefgen.languages import english

    rows = [{"a": f"row {i}", "b": str(i)} for i in range(4000)]
    started = time.process_time()
    html = _data_table(rows, [], english())
    assert time.process_time() - started < 3 and html.count("<tr>") == 4001


def test_a_chart_label_with_a_less_than_sign_keeps_its_text_and_title(tmp_path: Path):
    folder = _with_data(_fresh(tmp_path / "mini"))
    path = folder / "figures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{reservoir: Kambarata, volume: 180}", '{reservoir: "<5 km from the border", volume: 180}'
    ).replace("Toktogul released the most", "values <500 each"), encoding="utf-8")
    result = runner.invoke(app, ["build", str(folder), "-s", "web", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0 and "removed" not in result.output, result.output
    html = (tmp_path / "out" / "mini" / "web.html").read_text(encoding="utf-8")
    assert "&lt;5 km from the border" in html and "values &lt;500 each" in html


def test_a_reference_inside_link_text_does_not_nest_links():
    from briefgen.markdown import MarkdownRenderer

    class Placer:
        def reference(self, kind: str, name: str):
            from markupsafe import Markup
            return Markup('<a href="#x">Figure 1</a>')

        def place_pending(self):
            from markupsafe import Markup
            return Markup("")

    renderer = MarkdownRenderer(cite=lambda c: "", resolve_image=lambda s: None,
                                exhibits=Placer())
    html = str(renderer.block("[see @fig:flows](https://example.org) and @fig:flows"))
    assert html.count("<a ") == 2 and "see @fig:flows</a>" in html


def test_table_cells_are_read_as_the_source_texts_are(tmp_path: Path):
    """"$300 million" and "60%" in a cell are checked like a sentence's figures; a sign is not
    a difference (the texts' figures carry none); an invented amount is still caught."""
    folder = _with_data(_fresh(tmp_path / "mini"))
    (folder / "data" / "stations.csv").write_text(
        "country,stations,share\nKazakhstan,\"$300 million\",60%\nUzbekistan,−800,40\n",
        encoding="utf-8")
    _edit(folder / "figures.yaml", "      - {name: stations, title: Stations, format: integer}",
          "      - {name: stations, title: Stations}")
    clean = runner.invoke(app, ["check", str(folder), "--strict"])
    assert clean.exit_code == 0, clean.output
    (folder / "data" / "stations.csv").write_text(
        "country,stations,share\nKazakhstan,\"$310 million\",60%\nUzbekistan,800,40\n",
        encoding="utf-8")
    caught = runner.invoke(app, ["check", str(folder)])
    assert caught.exit_code == 1 and "'$310 million' is not in the text" in caught.output
