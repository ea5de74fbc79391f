"""The `analyst` and `web` styles, read back as their readers meet them: the analyst PDF page by
page (contents, bookmarks, the assessments table, notes and bibliography), the web page as
HTML and in a real headless Chromium (axe-core accessibility audit, requests it makes)."""

from __future__ import annotations

import functools
import re
import shutil
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.cli import main
from briefgen.content import load_brief
from briefgen.languages import english
from briefgen.render import SectionView, ordered_sections
from briefgen.styles import StyleLibrary
from conftest import EXAMPLE, MINI, chromium, pdf_pages, pdf_text

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")


def squash(text: str) -> str:
    """Text with whitespace and hyphens removed and quotes made plain, so line breaks (and
    hyphenation at them) and typographic quotes do not hide a phrase from `in`."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"[\s\u00ad\u2010\u2011-]", "", text)


@pytest.fixture(scope="module")
def brief():
    return load_brief(EXAMPLE).brief


@pytest.fixture(scope="module")
def analyst_sections(brief) -> list[SectionView]:
    return ordered_sections(brief, StyleLibrary().get("analyst").settings)


# ---------- Both styles ----------


# ---------- analyst: settings and cover ----------


def test_analyst_settings_promise_notes_every_section_and_a_page_budget():
    settings = StyleLibrary().get("analyst").settings
    assert settings.citations in ("endnotes", "footnotes")
    assert settings.show_extras
    assert set(settings.sections) == {
        "key_messages", "executive_summary", "introduction", "background", "analysis",
        "implications", "assessments", "recommendations", "conclusion"}
    assert "pdf" in settings.formats
    assert settings.budgets.max_pages == 20


def test_analyst_cover_is_a_page_of_its_own_with_every_detail(example_build: Path, brief):
    pages = pdf_pages(example_build / "analyst.pdf")
    cover = squash(pages[0])
    expected = [brief.title, brief.subtitle, brief.organization, brief.series, brief.number,
                english().date(brief.date), brief.classification]
    expected += [a.name for a in brief.authors] + [a.affiliation for a in brief.authors]
    for text in filter(None, expected):
        assert squash(text) in cover, text
    assert re.search(rf"VERSION\s*{brief.version}\b", pages[0], re.IGNORECASE)
    # Nothing else shares the cover: no running footer, no section.
    assert "Page 1 of" not in pages[0]
    assert squash(brief.heading("executive_summary")) not in cover


# ---------- analyst: contents page, checked against where the headings really are ----------


def contents_entries(page: str, labels: list[tuple[str, str]]) -> dict[str, int]:
    """Heading → the page the contents give for it; `labels` are (number or "", heading)."""
    found: dict[str, int] = {}
    for number, heading in labels:
        words = r"\s*".join(re.escape(w) for w in heading.split())
        lead = rf"\b{number}\s+" if number else ""
        match = re.search(rf"{lead}{words}[\s.\u2024\u2026]*(\d+)\b", page)
        assert match, f"the contents page does not list {number} {heading!r} with a page number"
        found[heading] = int(match[1])
    return found


def outline_entries(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    reader = PdfReader(path)
    entries: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


def expected_labels(sections: list[SectionView], back_matter: list[str]) -> list[tuple[str, str]]:
    """(number, heading) as the analyst style numbers them: front matter unnumbered, the rest
    1, 2, 3 … in reading order, then the unnumbered back matter."""
    unnumbered = StyleLibrary().get("analyst").settings.options["unnumbered"]
    labels: list[tuple[str, str]] = []
    count = 0
    for section in sections:
        if section.key in unnumbered:
            labels.append(("", section.heading))
        else:
            count += 1
            labels.append((str(count), section.heading))
    return labels + [("", heading) for heading in back_matter]


def check_contents(pdf: Path, sections: list[SectionView], back_matter: list[str]) -> None:
    """The contents page lists every section and the back matter with the page it starts on,
    and each heading really is on that page; the PDF's bookmarks agree."""
    pages = pdf_pages(pdf)
    assert pages[1].startswith("Contents"), "the contents must open the second page"
    labels = expected_labels(sections, back_matter)
    entries = contents_entries(pages[1], labels)
    outline = {title: page for _, title, page in outline_entries(pdf)}
    for number, heading in labels:
        page = entries[heading]
        assert 3 <= page <= len(pages), (heading, page)
        shown = f"{number} {heading}" if number else heading
        assert squash(shown) in squash(pages[page - 1]), (
            f"the contents put {shown!r} on page {page}, but it is not there")
        if number:  # a numbered heading is first printed on that page (contents aside)
            earlier = [i + 1 for i in range(2, page - 1) if squash(shown) in squash(pages[i])]
            assert not earlier, f"{shown!r} is already on page(s) {earlier}, before page {page}"
        assert outline.get(shown) == page, (shown, outline.get(shown), page)
    in_order = [entries[heading] for _, heading in labels]
    assert in_order == sorted(in_order), "the contents must follow the reading order"


def test_analyst_contents_page_numbers_are_where_the_headings_are(example_build: Path,
                                                                   analyst_sections):
    check_contents(example_build / "analyst.pdf", analyst_sections, ["Notes", "Bibliography"])


def test_analyst_contents_include_extra_sections(tmp_path: Path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    text = (folder / "brief.md").read_text(encoding="utf-8")
    extra = ("# Method and Data\n\nWe read the reports [@basin-note] and interviewed officials.\n\n"
             "## Interviews\n\nTwelve officials.\n\n")
    (folder / "brief.md").write_text(text.replace("# Background", extra + "# Background", 1),
                                     encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(folder), "-s", "analyst", "-o", str(out)]) == 0
    loaded = load_brief(folder).brief
    assert [e.title for e in loaded.extras] == ["Method and Data"]
    sections = ordered_sections(loaded, StyleLibrary().get("analyst").settings)
    check_contents(out / "mini" / "analyst.pdf", sections, ["Notes", "Bibliography"])


def test_analyst_outline_holds_the_sections_and_their_parts(example_build: Path, brief,
                                                           analyst_sections):
    outline = outline_entries(example_build / "analyst.pdf")
    top = [title for depth, title, _ in outline if depth == 0]
    for section in analyst_sections:
        assert any(t == section.heading or t.endswith(f" {section.heading}") for t in top), (
            section.heading, top)
    assert "Notes" in top and "Bibliography" in top
    assert brief.title not in [title for _, title, _ in outline], "the cover title is no section"
    children = [title for depth, title, _ in outline if depth == 1]
    for topic in brief.analysis:
        assert any(t.endswith(topic.title) for t in children), topic.title
    for group in brief.recommendations:
        assert any(t.endswith(group.title) for t in children), group.title


def test_analyst_runs_a_header_and_page_x_of_y_footer(example_build: Path, brief):
    pages = pdf_pages(example_build / "analyst.pdf")
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert squash(brief.title) in squash(page)
    assert len(pages) <= 20


# ---------- analyst: assessments, notes, bibliography ----------


class _Tables(HTMLParser):
    """The header cells and row count of every <table class="assessment-table">."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows = 0
        self._depth = 0
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "assessment-table" in (dict(attrs).get("class") or ""):
            self._depth += 1
        elif self._depth and tag == "th":
            self._in_th = True
            self.headers.append("")
        elif self._depth and tag == "tr":
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "table" and self._depth:
            self._depth -= 1
        elif tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._in_th:
            self.headers[-1] += data


def test_analyst_assessments_are_a_table(example_build: Path, brief):
    labels = english().labels
    columns = [labels["scenario"], labels["likelihood"], labels["indicators_to_watch"]]
    assert [c.split()[0] for c in columns] == ["Scenario", "Likelihood", "Indicators"]
    tables = _Tables()
    tables.feed((example_build / "analyst.html").read_text(encoding="utf-8"))
    assert [h.strip() for h in tables.headers] == columns
    assert tables.rows == 1 + len(brief.assessments)
    # In the PDF: the column headers (printed in capitals), then every scenario in full.
    pages = pdf_pages(example_build / "analyst.pdf")
    assert any(all(c.upper() in p for c in columns) for p in pages), "no table header in the PDF"
    text = squash(pdf_text(example_build / "analyst.pdf")).lower()
    for scenario in brief.assessments:
        assert squash(scenario.title).lower() in text, scenario.title
        assert squash(scenario.likelihood or "").lower() in text
        for indicator in scenario.indicators:
            assert squash(indicator).lower() in text, indicator


def test_analyst_ends_with_notes_and_a_full_bibliography(example_build: Path, brief):
    pages = pdf_pages(example_build / "analyst.pdf")
    notes_at = next(i for i, p in enumerate(pages) if p.startswith("Notes"))
    back = squash(" ".join(pages[notes_at:]))
    first_cited = brief.source(brief.cited_ids()[0])
    assert squash(first_cited.title) in back[:back.index("Bibliography")]
    bibliography = back[back.index("Bibliography"):]
    for source in brief.sources:
        assert squash(source.title) in bibliography, source.id
        if source.note:  # annotated: each source's caveats under its entry
            assert squash(source.note[:60]) in bibliography, source.id
    # One endnote per citation group in the text, numbered 1 … n, each call with its note.
    html = (example_build / "analyst.html").read_text(encoding="utf-8")
    calls = re.findall(r'id="noteref-(\d+)"', html)
    notes = re.findall(r'<li id="note-(\d+)"', html)
    assert calls and calls == notes == [str(i) for i in range(1, len(calls) + 1)]


def test_analyst_footnote_mode_puts_notes_at_the_foot_of_the_page(tmp_path: Path):
    templates = tmp_path / "templates"
    (templates / "analyst-footnotes").mkdir(parents=True)
    (templates / "analyst-footnotes" / "style.yaml").write_text(
        "extends: analyst\ncitations: footnotes\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(MINI), "--templates", str(templates), "-s", "analyst-footnotes",
                 "-f", "pdf", "-o", str(out)]) == 0
    pages = pdf_pages(out / "mini" / "analyst-footnotes.pdf")
    contents = pages[1]
    assert "Bibliography" in contents and "Notes" not in contents
    # The first cited page carries the note text itself, not a pointer to the end.
    loaded = load_brief(MINI).brief
    first_source = loaded.source(loaded.cited_ids()[0])
    assert any(squash(first_source.title) in squash(p) for p in pages[2:-1])


# ---------- web: the HTML file ----------


class _Page(HTMLParser):
    """What the accessibility checks need from the web page's markup."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.body_children: list[str] = []
        self._depth = 0
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "body":
            self._in_body = True
            self._depth = 0
            return
        if self._in_body:
            if self._depth == 0:
                self.body_children.append(tag)
            if tag not in ("meta", "link", "img", "br", "hr", "input"):
                self._depth += 1

    def handle_endtag(self, tag):
        if self._in_body and tag != "body" and tag not in ("meta", "link", "img", "br", "hr"):
            self._depth -= 1

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def web_html(example_build: Path) -> str:
    return (example_build / "web.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def web_page(web_html: str) -> _Page:
    page = _Page()
    page.feed(web_html)
    return page


def test_web_is_html_only(example_build: Path):
    assert StyleLibrary().get("web").settings.formats == ["html"]
    assert (example_build / "web.html").is_file()
    assert not (example_build / "web.pdf").exists()


def test_web_page_has_the_csp_and_loads_nothing(web_html: str, web_page: _Page):
    csp = [a for a in web_page.all("meta") if (a.get("http-equiv") or "").lower()
           == "content-security-policy"]
    assert [a.get("content") for a in csp] == [CSP]
    assert "<script" not in web_html.lower()
    assert not web_page.all("iframe") and not web_page.all("object") and not web_page.all("embed")
    for tag, attrs in web_page.tags:
        for name in ("src", "href", "srcset", "poster", "data", "action"):
            value = (attrs.get(name) or "").strip().lower()
            if tag == "a" and name == "href":
                continue  # a link the reader may follow (bibliography) is no resource
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
    for link in web_page.all("link"):
        assert "stylesheet" not in (link.get("rel") or ""), "CSS must be inlined"
    css = " ".join(re.findall(r"<style>(.*?)</style>", web_html, re.S))
    assert css and "@import" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(?!data:)", css), "CSS may only reference data: URIs"
    assert "@media print" in css


def test_web_page_has_landmarks_a_skip_link_and_a_contents_nav(web_html: str, web_page: _Page,
                                                               brief):
    html_tag = web_page.all("html")[0]
    assert html_tag.get("lang") == brief.language
    children = [t for t in web_page.body_children if t != "div"]  # the running strings' div
    assert children[:3] == ["a", "header", "nav"] and "main" in children
    assert children[-1] == "footer"
    skip = web_page.all("a")[0]
    assert skip.get("href") == "#content" and skip.get("class") == "skip-link"
    assert [m.get("id") for m in web_page.all("main")] == ["content"]
    start = web_html.index('<nav class="toc"')  # the header's language links come first
    nav = web_html[start:web_html.index("</nav>", start)]
    sections = ordered_sections(brief, StyleLibrary().get("web").settings)
    for section in sections:
        assert f'href="#{section.anchor}"' in nav
        assert f'id="{section.anchor}"' in web_html
    assert 'href="#references"' in nav and 'id="references"' in web_html


def test_web_page_headings_descend_one_level_at_a_time(web_page: _Page):
    levels = web_page.headings
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    for image in web_page.all("img"):
        assert "alt" in image


def test_web_page_uses_author_date_citations(web_html: str, brief):
    assert StyleLibrary().get("web").settings.citations == "author-date"
    assert '<span class="cite">(' in web_html and "<sup" not in web_html
    for source in brief.sources:
        assert f'id="ref-{source.id}"' in web_html


# ---------- web: in a real browser ----------


class _Quiet(SimpleHTTPRequestHandler):
    served: list[str] = []

    def log_message(self, *args) -> None:  # the test reports what it needs
        pass

    def do_GET(self) -> None:
        type(self).served.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def served_web(example_build: Path):
    """The output folder served over HTTP on 127.0.0.1; yields (page URL, paths served)."""
    handler = type("Handler", (_Quiet,), {"served": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(handler, directory=str(example_build)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/web.html", handler.served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("width", [1280, 390])
def test_web_page_passes_axe_and_makes_no_external_request(browser, served_web, width: int):
    from axe_playwright_python.sync_playwright import Axe

    url, served = served_web
    served.clear()
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text)
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(url, wait_until="networkidle")
        assert page.evaluate("document.title")
        # The only request is for the page itself (data: URIs need no request).
        assert [r for r in requests if not r.startswith("data:")] == [url]
        assert served == ["/web.html"]
        assert not problems, problems  # a CSP violation would be reported here

        results = Axe().run(page).response
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in serious)
        assert not serious, f"axe-core found serious accessibility problems:\n{report}"

        # The skip link is the first thing the keyboard reaches, and it shows when focused.
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
            " return [e.className, e.getAttribute('href'), r.top >= 0 && r.height > 0]; })()")
        assert focused == ["skip-link", "#content", True]
        # No horizontal scrolling at this width.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()


def test_web_page_print_stylesheet_hides_the_screen_furniture(browser, served_web):
    url, _ = served_web
    page = browser.new_page()
    try:
        page.emulate_media(media="print")
        page.goto(url)
        hidden = page.evaluate(
            "['.skip-link', 'nav.toc'].map(s => getComputedStyle(document.querySelector(s))"
            ".display)")
        assert hidden == ["none", "none"]
        assert page.evaluate("getComputedStyle(document.querySelector('main')).display") != "none"
    finally:
        page.close()


def test_no_note_leaves_a_word_alone_on_a_line(example_build: Path):
    """WeasyPrint 70 breaks a line wrongly before a space and an inline element: the note
    whose text ran "… Untitled policy / brief / on Kazakhstan's multi-vector …" had one word
    on a line of its own when a space came before its (hidden) back link."""
    lines = [line.strip() for page in PdfReader(example_build / "analyst.pdf").pages
             for line in page.extract_text().split("\n")]
    assert "brief" not in lines
