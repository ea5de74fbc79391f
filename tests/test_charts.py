"""Charts: each chart type drawn to accessible SVG in the style's font and palette, the same
bytes in every process, drawn once (the cache), and hostile specs that never reach the network.

Every fetch test runs test_security's counting HTTP server on 127.0.0.1: it must get no
request, whatever the spec names. It runs in a process of its own: vl-convert holds the GIL
while it draws, so a server thread in the test's process could never answer it (a fetch would
hang the test instead of being counted)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import vl_convert

from briefgen import charts
from briefgen.charts import ChartError, ChartStyle, chart_spec, draw, draw_svg
from conftest import ROOT
from test_security import PROXY_VARIABLES

SVG = "{http://www.w3.org/2000/svg}"
STYLE = ChartStyle(palette=("#0f4c75", "#9a3412", "#5a6672"), font="Noto Sans",
                   font_dir=ROOT / "templates" / "_shared" / "fonts")
ROWS = [{"country": "Kazakhstan", "year": "2019", "share": 30.5},
        {"country": "Kazakhstan", "year": "2023", "share": 38.0},
        {"country": "Kyrgyz Republic", "year": "2019", "share": 12.0},
        {"country": "Kyrgyz Republic", "year": "2023", "share": 14.5}]


SERVE_IN_A_PROCESS = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "tests")!r})
from test_security import CountingServer
server = CountingServer()
print(server.base, flush=True)
for _question in sys.stdin:
    print(json.dumps(server.requests), flush=True)
"""


class ServerProcess:
    """test_security's CountingServer in a child process; `requests` asks it what it got."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SERVE_IN_A_PROCESS],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, cwd=ROOT)
        self.base = self.process.stdout.readline().strip()

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def requests(self) -> list[str]:
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """The counting server, with no proxy to take the requests instead."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    counting = ServerProcess()
    assert counting.base.startswith("http://127.0.0.1:")
    yield counting
    counting.close()


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every call to vl-convert, recorded (and passed on)."""
    calls: list[dict] = []
    real = vl_convert.vegalite_to_svg

    def counting(spec: dict, **options: object) -> str:
        calls.append(options)
        return real(spec, **options)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting)
    return calls


def spec_of(kind: str) -> dict:
    series = "year" if kind in ("grouped-bar", "stacked-bar", "line") else None
    rows = ROWS if series else ROWS[::2]
    if kind == "line":
        return chart_spec(kind, rows, x="year", y="share", series="country")
    return chart_spec(kind, rows, x="country", y="share", series=series,
                      y_title="Share of exports (%)")


def bar(**extra: object) -> dict:
    return {**spec_of("bar"), **extra}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


# --- what a chart looks like ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", charts.KINDS)
def test_each_kind_draws_an_svg_with_its_title_and_description(kind: str) -> None:
    svg, warnings = draw_svg(spec_of(kind), STYLE, title=f"A {kind} chart",
                             description="Kazakhstan's share grew.")
    root = parse(svg)
    assert warnings == []
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    first, second = list(root)[:2]
    assert (first.tag, first.text) == (f"{SVG}title", f"A {kind} chart")
    assert (second.tag, second.text) == (f"{SVG}desc", "Kazakhstan's share grew.")
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"
    assert (root.get("width"), root.get("height")) == ("480", "260")  # fitted to the style
    assert "Kyrgyz Republic" in svg


def test_the_text_is_in_the_style_font_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[str] = []
    monkeypatch.setattr(charts, "_fonts_registered", set())
    monkeypatch.setattr(vl_convert, "register_font_directory", registered.append)
    for kind in ("bar", "line"):
        root = parse(draw_svg(spec_of(kind), STYLE, title="t", description="d")[0])
        families = {text.get("font-family") for text in root.iter(f"{SVG}text")}
        assert families == {"Noto Sans"}
    assert registered == [str(STYLE.font_dir.resolve())]


def test_the_palette_is_applied_and_there_is_no_background_or_frame() -> None:
    svg, _ = draw_svg(spec_of("stacked-bar"), STYLE, title="t", description="d")
    fills = {element.get("fill") for element in parse(svg).iter()}
    assert {"#0f4c75", "#9a3412"} <= fills
    assert "#4c78a8" not in svg  # Vega's default blue
    assert "white" not in fills and 'stroke="#ddd"' not in svg


def test_a_dotted_column_name_is_a_column_not_a_path() -> None:
    rows = [{"GDP.growth": 3.5, "country": "Kazakhstan"}]
    svg, _ = draw_svg(chart_spec("dot", rows, x="country", y="GDP.growth"), STYLE,
                      title="t", description="d")
    assert "GDP.growth: 3.5" in svg  # the mark's own label: the value was found


def test_grouped_and_stacked_bars_need_a_series() -> None:
    with pytest.raises(ChartError, match="needs series"):
        chart_spec("stacked-bar", ROWS, x="country", y="share")
    with pytest.raises(ChartError, match="no column 'share'"):
        chart_spec("bar", [{"country": "Kazakhstan"}], x="country", y="share")


# --- deterministic ---------------------------------------------------------------------------


CLIPPED = bar(mark={"type": "bar", "clip": True})

DRAW_IN_A_PROCESS = f"""
import hashlib, sys
sys.path.insert(0, {str(ROOT / "tests")!r})
from test_charts import CLIPPED, STYLE
from briefgen.charts import draw_svg
draw_svg(CLIPPED, STYLE, title="warm-up", description="d")  # vl-convert counts ids per process
svg, _ = draw_svg(CLIPPED, STYLE, title="t", description="d")
print(hashlib.sha256(svg.encode()).hexdigest())
"""


def test_the_same_chart_is_the_same_bytes_in_any_process() -> None:
    svg, _ = draw_svg(CLIPPED, STYLE, title="t", description="d")
    assert "clip-path" in svg  # the ids vl-convert numbers per process are in play
    here = hashlib.sha256(svg.encode()).hexdigest()
    runs = [subprocess.run([sys.executable, "-c", DRAW_IN_A_PROCESS], capture_output=True,
                           text=True, cwd=ROOT) for _ in range(2)]
    assert [run.stdout.strip() for run in runs] == [here, here], [run.stderr for run in runs]


def test_two_charts_never_share_an_id() -> None:
    """Two SVGs inlined in one HTML page: a shared clip id would clip one by the other."""
    first = parse(draw_svg(CLIPPED, STYLE, title="one", description="d")[0])
    second = parse(draw_svg(CLIPPED, STYLE, title="two", description="d")[0])
    ids = [{e.get("id") for e in root.iter() if e.get("id")} for root in (first, second)]
    assert ids[0] and not ids[0] & ids[1]


# --- nothing is fetched ----------------------------------------------------------------------


def fetching_specs(base: str) -> dict[str, tuple[dict, str]]:
    """Each spec with the JSON path its refusal must name."""
    rows = {"values": ROWS}
    encoding = spec_of("bar")["encoding"]
    return {
        "data.url": ({**bar(), "data": {"url": f"{base}/data.json"}}, "data.url"),
        "relative url": ({**bar(), "data": {"url": "data/cars.json"}}, "data.url"),
        "file url": ({**bar(), "data": {"url": "file:///etc/passwd"}}, "data.url"),
        "layer url": ({"layer": [{"data": {"url": f"{base}/l.json"}, "mark": "bar",
                                  "encoding": encoding}]}, "layer[0].data.url"),
        "lookup url": ({**bar(), "transform": [{"lookup": "country", "from": {
            "data": {"url": f"{base}/lookup.csv"}, "key": "country", "fields": ["x"]}}]},
            "transform[0].from.data.url"),
        "nested url": ({**bar(), "config": {"axis": {"deep": {"url": f"{base}/n"}}}},
                       "config.axis.deep.url"),
        "href channel": ({**bar(), "encoding": {**encoding, "href": {"value": f"{base}/h"}}},
                         "encoding.href"),
        "url in a row": ({**bar(), "data": {"values": [{"url": f"{base}/r.png"}]}},
                         "data.values[0].url"),
        "sequence": ({**bar(), "data": {"sequence": {"start": 0, "stop": 10**9}}},
                     "data.sequence"),
        "named data": ({**bar(), "data": {"name": "table"}}, "data"),
        "usermeta": ({**bar(), "usermeta": {"embedOptions": {"loader": {}}}}, "usermeta"),
        "loader": ({**bar(), "loader": {"baseURL": base}}, "loader"),
        "params": ({**bar(), "params": [{"name": "p", "bind": {"input": "range"}}]}, "params"),
        "datasets": ({**bar(), "datasets": {"t": {"url": f"{base}/d"}}, "data": rows},
                     "datasets.t"),
    }


@pytest.mark.parametrize("vector", list(fetching_specs("http://x")))
def test_a_spec_that_could_fetch_is_refused_by_its_path(vector: str,
                                                        server: ServerProcess) -> None:
    spec, path = fetching_specs(server.base)[vector]
    with pytest.raises(ChartError) as refused:
        draw_svg(spec, STYLE, title="t", description="d")
    assert str(refused.value).startswith(f"{path}:")
    assert server.requests == []


def test_an_image_mark_is_removed_with_a_warning(server: ServerProcess) -> None:
    image = {"mark": {"type": "image", "url": server.url("/mark.png")},
             "encoding": {"url": {"value": server.url("/value.png")}}}
    spec = {"data": {"values": ROWS}, "layer": [bar(data=None), image]}
    svg, warnings = draw_svg(spec, STYLE, title="t", description="d")
    assert warnings == ["removed an image mark at layer[1]: briefgen does not fetch images "
                        "for charts"]
    assert "<image" not in svg and "Kazakhstan" in svg
    assert server.requests == []


def test_vl_convert_is_never_allowed_a_base_url(monkeypatch: pytest.MonkeyPatch,
                                                server: ServerProcess) -> None:
    """The second wall: were the spec checks to let a url through, vl-convert still may not
    fetch it."""
    monkeypatch.setattr(charts, "sanitize", lambda spec: (spec, []))
    spec = {**bar(), "data": {"url": server.url("/data.json")}}
    with pytest.raises(ChartError, match="External data url not allowed"):
        draw_svg(spec, STYLE, title="t", description="d")
    assert server.requests == []


# --- expressions -----------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "reason"), [
    ("pad('x', 1000000000)", "calls pad()"),
    ("sequence(0, 1e9)", "calls sequence()"),
    ("test(regexp('(a+)+$'), datum.country)", "calls test()"),
    ("datum['constructor']", "names something"),
    ("datum[datum.key]", "brackets"),
])
def test_an_expression_may_call_only_what_a_printed_chart_needs(expression: str,
                                                                reason: str) -> None:
    spec = bar(transform=[{"filter": {"and": ["datum.share > 0", expression]}}])
    with pytest.raises(ChartError, match=reason):
        draw_svg(spec, STYLE, title="t", description="d")


def test_an_ordinary_expression_draws() -> None:
    spec = bar(transform=[{"calculate": "round(datum['share'] * 10) / 10", "as": "rounded"},
                          {"filter": "isValid(datum.share)"}])
    assert "Kazakhstan" in draw_svg(spec, STYLE, title="t", description="d")[0]


# --- the drawing itself is checked ---------------------------------------------------------


def test_a_colour_that_is_a_url_never_leaves(server: ServerProcess) -> None:
    spec = bar(mark={"type": "bar", "color": f"url({server.url('/paint.svg')})"})
    with pytest.raises(ChartError, match="refers to url"):
        draw_svg(spec, STYLE, title="t", description="d")
    assert server.requests == []


@pytest.mark.parametrize(("drawn", "reason"), [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"/></svg>', "handler"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     '<pattern x:href="http://evil/p"/></svg>', "links outside"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="data:x"/></svg>', "<image>"),
])
def test_a_drawing_that_is_not_inert_is_refused(monkeypatch: pytest.MonkeyPatch, drawn: str,
                                                reason: str) -> None:
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec, **options: drawn)
    with pytest.raises(ChartError, match=reason):
        draw_svg(bar(), STYLE, title="t", description="d")


def test_the_bytes_are_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind the check of the parsed tree, the text handed on is scanned as a browser would."""
    monkeypatch.setattr(charts, "_check_inert", lambda root: None)
    drawn = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec, **options: drawn)
    with pytest.raises(ChartError, match="holds a script"):
        draw_svg(bar(), STYLE, title="t", description="d")


def test_hostile_titles_and_descriptions_are_text() -> None:
    title = '</title><script>alert(1)</script> & "quoted" \'single\''
    description = "</desc><a href='http://evil'>x</a> &amp; <![CDATA[ ]]> \x1b[2J"
    svg, _ = draw_svg(bar(), STYLE, title=title, description=description)
    assert "<script" not in svg and "<a " not in svg
    root = parse(svg)
    assert root[0].text == title
    assert root[1].text == description.replace("\x1b", "\ufffd")  # XML forbids ESC


# --- limits ----------------------------------------------------------------------------------


def test_a_deeply_nested_spec_is_refused() -> None:
    nested: dict = {}
    for _ in range(60):
        nested = {"a": nested}
    with pytest.raises(ChartError, match="nested more than 50"):
        draw_svg(bar(config=nested), STYLE, title="t", description="d")
    with pytest.raises(ChartError, match="nested more than 50"):
        draw_svg(bar(data={"values": [nested]}), STYLE, title="t", description="d")
    draw_svg(bar(description={"a": {}}), STYLE, title="t", description="d")  # shallow: fine


def test_more_than_ten_thousand_rows_are_refused() -> None:
    rows = [{"country": f"c{n}", "share": n} for n in range(10_001)]
    with pytest.raises(ChartError, match="at most 10,000 rows"):
        draw_svg(bar(data={"values": rows}), STYLE, title="t", description="d")
    with pytest.raises(ChartError, match="at most 10,000 rows"):
        chart_spec("bar", rows, x="country", y="share")


def test_the_svg_size_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "MAX_SVG_BYTES", 2_000)
    with pytest.raises(ChartError, match="larger than"):
        draw_svg(bar(), STYLE, title="t", description="d")


@pytest.mark.parametrize("value", [float("nan"), 10**30, Path("/etc/passwd")])
def test_values_javascript_would_misread_are_refused(value: object) -> None:
    with pytest.raises(ChartError, match=r"data\.values\[0\]\.share"):
        draw_svg(bar(data={"values": [{"country": "x", "share": value}]}), STYLE,
                 title="t", description="d")


# --- the cache -------------------------------------------------------------------------------


def test_an_unchanged_chart_is_drawn_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          conversions: list[dict]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = draw(spec_of("line"), STYLE, title="t", description="d")
    second = draw(spec_of("line"), STYLE, title="t", description="d")
    assert first == second and len(conversions) == 1
    assert conversions[0]["allowed_base_urls"] == []
    assert [p.name for p in (tmp_path / "briefgen" / "charts").iterdir()] == [
        f"{charts._chart_key(spec_of('line'), STYLE, 't', 'd')}.svg"]
    draw(spec_of("line"), STYLE, title="another title", description="d")
    assert len(conversions) == 2


def test_the_cache_keeps_the_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    spec = {"data": {"values": ROWS}, "layer": [bar(data=None), {"mark": "image"}]}
    assert draw(spec, STYLE, title="t", description="d")[1] == draw(
        spec, STYLE, title="t", description="d")[1] != []


@pytest.mark.parametrize("entry", [b"\xff\xfe not text", b"<svg", b"",
                                   b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'])
def test_a_bad_cache_entry_is_drawn_again(entry: bytes, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          conversions: list[dict]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    svg, _ = draw(bar(), STYLE, title="t", description="d")
    (cached,) = (tmp_path / "briefgen" / "charts").iterdir()
    cached.write_bytes(entry)
    assert draw(bar(), STYLE, title="t", description="d")[0] == svg
    assert len(conversions) == 2
    assert cached.read_text(encoding="utf-8") == svg  # and written again


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert charts.cache_dir() == tmp_path / "briefgen" / "charts"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert charts.cache_dir() == tmp_path / "home" / ".cache" / "briefgen" / "charts"
