"""Briefs in the reader's language: labels, dates, quotation marks and page furniture in
Russian and Kazakh, editions of one brief built side by side, and the rules that pick them."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.content import load_briefs
from briefgen.languages import CATALOGUE_DIR, css_content, fill, language_for
from briefgen.sections import section_key
from briefgen.styles import StyleLibrary
from briefgen.yamlfile import load
from conftest import FIXTURES, pdf_pages, pdf_text
from test_security import invoke

EDITIONS = FIXTURES / "editions"
STYLES = StyleLibrary().builtin_names()


def catalogue(code: str) -> dict:
    return load((CATALOGUE_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def english_phrases() -> list[str]:
    """Every piece of fixed English text the catalogue holds: each label's words between its
    `{slots}`, each item of a list. Read from the catalogue, so a new label is checked too."""
    phrases: set[str] = set()
    for value in catalogue("en")["labels"].values():
        for text in value if isinstance(value, list) else [value]:
            for piece in re.split(r"\{[a-z_]+\}", text):
                piece = piece.strip(" .,:;()")
                if len(re.findall(r"[A-Za-z]", piece)) >= 2:
                    phrases.add(piece)
    return sorted(phrases)


class _Text(HTMLParser):
    """What a reader of an HTML page meets: its text and the words of its labels and alt
    texts (what a screen reader says)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script")
        self.parts += [value or "" for name, value in attrs
                       if name in ("aria-label", "alt", "title", "content")]

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def editions_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The three-language fixture built once in every built-in style."""
    out = tmp_path_factory.mktemp("editions-out")
    result = invoke("build", EDITIONS, "--output", out,
                    *[arg for name in STYLES for arg in ("--style", name)])
    assert result.exit_code == 0, result.output
    return out / "editions", result.output


# --- the catalogue ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ru", "kk"])
def test_russian_and_kazakh_catalogues_have_every_english_label(code: str):
    english, other = catalogue("en"), catalogue(code)
    assert set(other["labels"]) == set(english["labels"])
    assert all(str(value).strip() for value in other["labels"].values())
    assert {"quotes", "date_format", "likelihood_scale", "priority_levels"} <= set(other)
    assert language_for(code).missing == ()


def test_a_label_with_slots_fills_only_its_named_slots():
    assert fill("Page {page} of {pages}", page=2, pages=6) == "Page 2 of 6"
    # A label a style writes is never a format string: attribute lookups stay text.
    assert fill("{0.__class__} {page.__init__} {page}", page=1) == \
        "{0.__class__} {page.__init__} 1"


def test_a_page_label_becomes_css_strings_and_counters_that_a_quote_cannot_end():
    assert css_content("Page {page} of {pages}") == \
        '"Page " counter(page) " of " counter(pages)'
    # Quotes and braces are escapes: the string cannot end, nor the declaration.
    assert css_content('x"; } body { display: none } "{page}') == (
        '"x\\22 ; \\7d  body \\7b  display: none \\7d  \\22 " counter(page)')


@pytest.mark.parametrize(("code", "printed"), [
    ("en", "20 November 2026"), ("ru", "20 ноября 2026\u202fг."), ("kk", "2026\u202fж. 20 қараша"),
    ("ru-KZ", "20 ноября 2026\u202fг."), ("en-US", "20 November 2026"), ("de", "20. November 2026"),
])
def test_dates_are_written_as_the_language_writes_them(code: str, printed: str):
    # CLDR's own forms, down to the narrow no-break space that keeps "г." with its year.
    assert language_for(code).date(dt.date(2026, 11, 20)) == printed
    assert language_for(code).date(2014) == "2014"


@pytest.mark.parametrize(("code", "printed"), [("en", "1,416.5"), ("ru", "1\xa0416,5"),
                                               ("kk", "1\xa0416,5")])
def test_numbers_are_written_as_the_language_writes_them(code: str, printed: str):
    assert language_for(code).number(1416.5, 1) == printed


# --- headings and detail lines ------------------------------------------------------------------


@pytest.mark.parametrize(("heading", "language", "key"), [
    ("Основные выводы", "ru", "key_messages"), ("Краткое содержание", "ru", "executive_summary"),
    ("Контекст", "ru", "background"), ("Стратегический анализ", "ru", "analysis"),
    ("Выводы", "ru", "conclusion"), ("2. Рекомендации", "ru", "recommendations"),
    ("Негізгі тұжырымдар", "kk", "key_messages"), ("Түйіндеме", "kk", "executive_summary"),
    ("Кіріспе", "kk", "introduction"), ("Талдау", "kk", "analysis"),
    ("Ұсыныстар", "kk", "recommendations"), ("Қорытынды", "kk", "conclusion"),
    # English headings are read in every language.
    ("Key Messages", "ru", "key_messages"), ("Policy Recommendations", "kk", "recommendations"),
])
def test_headings_are_read_in_the_briefs_language_and_in_english(heading: str, language: str,
                                                                 key: str):
    assert section_key(heading, language) == key


def test_a_russian_heading_in_an_english_brief_is_an_extra_section():
    assert section_key("Основные выводы", "en") is None
    assert section_key("Түйіндеме", "ru") is None


def test_russian_and_kazakh_detail_lines_fill_their_fields():
    by_language = {item.brief.language: item.brief for item in load_briefs([EDITIONS])}
    for code in ("ru", "kk"):
        brief = by_language[code]
        group = brief.recommendations[0]
        assert (group.priority, group.timeframe) == (
            ("высокий", "12 месяцев") if code == "ru" else ("жоғары", "12 ай"))
        assert group.owner and brief.assessments[0].likelihood
        assert [a.title for a in group.actions][0].startswith(("Профинансировать", "Бекеттерді"))


# --- the page in Russian and Kazakh -----------------------------------------------------------


def _outputs(folder: Path, code: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.count(".") == 2 and f".{code}." in p.name)


@pytest.mark.parametrize("code", ["ru", "kk"])
def test_no_english_label_is_left_on_any_page_of_any_style(editions_build: tuple[Path, str],
                                                          code: str):
    folder, output = editions_build
    outputs = _outputs(folder, code)
    built = {p.name.split(".")[0] for p in outputs}
    assert built == set(STYLES)  # every style, in PDF and HTML where it makes them
    phrases = english_phrases()
    assert len(phrases) > 60
    for path in outputs:
        text = pdf_text(path) if path.suffix == ".pdf" else html_text(path)
        left = [p for p in phrases
                if re.search(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", text)]
        assert left == [], f"{path.name} still says {left}"
    assert "printed in English" not in output


@pytest.mark.parametrize(("code", "page_label"), [("ru", "Страница 1 из 2"),
                                                  ("kk", "2 беттің 1-беті")])
def test_the_page_number_label_and_the_date_are_the_languages(
        editions_build: tuple[Path, str], code: str, page_label: str):
    folder, _ = editions_build
    first = pdf_pages(folder / f"standard.{code}.pdf")[0]
    assert page_label in first
    colophon = pdf_pages(folder / f"standard.{code}.pdf")[-1].replace("\u202f", " ")
    assert ("версия 2, 15 января 2026 г." if code == "ru"
            else "2-нұсқа, 2026 ж. 15 қаңтар") in colophon
    reader = PdfReader(folder / f"standard.{code}.pdf")
    assert reader.trailer["/Root"]["/Lang"] == code
    assert f'<html lang="{code}">' in (folder / f"web.{code}.html").read_text(encoding="utf-8")


def test_russian_text_gets_guillemets_and_russian_numbers(editions_build: tuple[Path, str]):
    folder, _ = editions_build
    memo = pdf_text(folder / "memo.ru.pdf")
    assert "«Тестовая записка ТЗ-02»" in memo
    # A date that ends in "г." ends the sentence: no second full stop after it.
    assert "г.." not in memo and "г.." not in pdf_text(folder / "standard.ru.pdf")
    html = (folder / "memo.ru.html").read_text(encoding="utf-8")
    assert 'class="priority priority-high">высокий<' in html  # marked as the English "high"
    table = html_text(folder / "standard.ru.html")
    assert "1 416,5" in table.replace("\xa0", " ")  # the table's column asks for one decimal
    assert "1,416.5" in html_text(folder / "standard.html")


def test_the_analyst_yardstick_reads_russian_likelihood_words(editions_build: tuple[Path, str]):
    folder, _ = editions_build
    html = (folder / "analyst.ru.html").read_text(encoding="utf-8")
    assert 'class="step on"' in html  # «вероятно» is step 5 of the Russian scale
    assert "Не оценивалась" in html  # the scenario without a likelihood


def test_kazakh_text_is_ragged_right_where_no_hyphenation_dictionary_exists():
    from briefgen.render import language_css

    assert "text-align: start" in language_css(language_for("kk"))
    assert "text-align" not in language_css(language_for("ru"))  # pyphen hyphenates Russian


# --- editions -----------------------------------------------------------------------------------


def test_each_edition_links_the_others_with_hreflang(editions_build: tuple[Path, str]):
    folder, _ = editions_build
    html = (folder / "web.ru.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="en" href="./web.html">' in html
    assert '<link rel="alternate" hreflang="kk" href="./web.kk.html">' in html
    assert 'hreflang="ru"' not in html
    # And a reader sees them, each named in its own language.
    assert '<a href="./web.kk.html" hreflang="kk" lang="kk">Қазақ тілі</a>' in html
    assert '<a href="./web.html" hreflang="en" lang="en">English</a>' in html
    english = (folder / "standard.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="ru" href="./standard.ru.html">' in english


def test_the_manifest_records_each_outputs_language(editions_build: tuple[Path, str]):
    folder, _ = editions_build
    manifest = json.loads((folder.parent / "manifest.json").read_text(encoding="utf-8"))
    languages = {entry["path"]: entry["language"] for entry in manifest["outputs"]}
    assert languages["editions/standard.pdf"] == "en"
    assert languages["editions/standard.ru.pdf"] == "ru"
    assert languages["editions/web.kk.html"] == "kk"


def test_language_picks_editions_and_latest_keeps_a_name_per_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    content = tmp_path / "content"
    shutil.copytree(EDITIONS, content / "editions")
    out = tmp_path / "out"
    result = invoke("build", content / "editions", "--language", "ru", "-s", "memo", "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "editions").iterdir()) == ["memo.ru.html",
                                                                    "memo.ru.pdf"]
    result = invoke("build", content / "editions", "--language", "de", "-o", out)
    assert result.exit_code == 1 and "no edition in de" in result.output
    assert "editions there are: en, kk, ru" in result.output

    monkeypatch.chdir(tmp_path)
    result = invoke("build", "--latest", "-s", "web", "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "latest").iterdir()) == ["web.html", "web.kk.html",
                                                                  "web.ru.html"]


def build_for_audience(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                       setting: str):
    """`briefgen build -a NAME` in a project of the three-language fixture whose
    briefgen.toml gives the audience `NAME = SETTING`."""
    shutil.copytree(EDITIONS, tmp_path / "content" / "editions")
    (tmp_path / "briefgen.toml").write_text(f"[audiences]\n{name} = {setting}\n",
                                            encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return invoke("build", "-a", name, "-o", "out")


def test_an_audience_that_names_a_language_gets_only_that_edition(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    result = build_for_audience(tmp_path, monkeypatch, "minister_kz",
                                '{ style = "memo", language = "kk" }')
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "editions").iterdir()) == [
        "memo.kk.html", "memo.kk.pdf"]


def test_an_editions_file_name_and_its_language_must_agree(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    path = tmp_path / "editions" / "brief.ru.md"
    path.write_text(path.read_text(encoding="utf-8").replace("language: ru", "language: kk"),
                    encoding="utf-8")
    result = invoke("validate", tmp_path / "editions")
    assert result.exit_code == 1
    assert "brief.ru.md" in result.output and "says this edition is in 'ru'" in result.output


def test_an_edition_without_a_language_takes_it_from_its_file_name(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    path = tmp_path / "editions" / "brief.kk.md"
    path.write_text(path.read_text(encoding="utf-8").replace("language: kk\n", ""),
                    encoding="utf-8")
    loaded = {item.edition: item for item in load_briefs([tmp_path / "editions"])}
    assert loaded["kk"].brief.language == "kk"
    assert loaded["kk"].brief.recommendations[0].priority == "жоғары"  # read as Kazakh


# --- other languages and a style's own words ------------------------------------------------------


def test_a_language_without_a_catalogue_falls_back_to_english_with_one_warning(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    for name in ("brief.ru.md", "brief.kk.md"):
        (tmp_path / "editions" / name).unlink()
    path = tmp_path / "editions" / "brief.md"
    path.write_text(path.read_text(encoding="utf-8").replace("language: en", "language: de"),
                    encoding="utf-8")
    result = invoke("build", tmp_path / "editions", "-s", "standard", "-f", "html",
                    "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output.count("no 'de' words for") == 1
    assert "page_of" in result.output and "key_figures" in result.output
    html = (tmp_path / "out" / "editions" / "standard.html").read_text(encoding="utf-8")
    assert "Key figures" in html
    assert "15. Januar 2026" in html  # Babel still writes German dates


def write_style(root: Path, name: str, settings: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "style.yaml").write_text(settings, encoding="utf-8")


def test_a_style_overrides_a_label_per_language_and_its_children_inherit_it(tmp_path: Path):
    write_style(tmp_path / "styles", "house", "extends: standard\nlabels:\n"
                "  ru: {sources: Литература, page_of: 'Лист {page}'}\n")
    write_style(tmp_path / "styles", "house-child", "extends: house\n")
    result = invoke("build", EDITIONS, "--language", "ru", "-s", "house-child",
                    "--templates", tmp_path / "styles", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "out" / "editions" / "house-child.ru.pdf")
    assert "Литература" in text and "Лист 1" in text and "Источники" not in text
    english = invoke("build", EDITIONS, "--language", "en", "-s", "house-child",
                     "--templates", tmp_path / "styles", "-o", tmp_path / "out")
    assert english.exit_code == 0
    assert "Sources" in pdf_text(tmp_path / "out" / "editions" / "house-child.pdf")


def test_a_hostile_page_label_stays_text(tmp_path: Path):
    write_style(tmp_path / "styles", "house", "extends: standard\nlabels:\n"
                "  ru: {page_of: '\"; } body { display: none } @page { x: \"{page}'}\n")
    result = invoke("build", EDITIONS, "--language", "ru", "-s", "house", "-f", "pdf",
                    "--templates", tmp_path / "styles", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    first = pdf_pages(tmp_path / "out" / "editions" / "house.ru.pdf")[0]
    assert "Раздел воды Сырдарьи" in first  # the body is still shown
    assert '"; } body { display: none } @page { x: "1' in first


def test_cyrillic_extra_sections_keep_their_words_in_their_keys():
    from briefgen.sections import parse_body

    body = ("# Резюме\nТекст.\n# Приложение\nА.\n# Приложение\nБ.\n# Annex 2\nВ.\n"
            "# Annex\nГ.\n# Annex\nД.\n# а) Выводы\nЕ.\n")
    parsed = parse_body(body, 1, "ru")
    assert [e["key"] for e in parsed.data["extras"]] == [
        "приложение", "приложение-2", "annex-2", "annex", "annex-3"]
    assert parsed.data["conclusion"] == "Е."  # Cyrillic letter numbering is not the heading


def test_chart_axes_write_numbers_as_the_language_does():
    from briefgen.charts import ChartStyle, chart_spec, draw_svg
    from briefgen.styles import SHARED_DIR

    spec = chart_spec("bar", [{"x": "a", "y": 1500}, {"x": "b", "y": 2500}], x="x", y="y")
    ticks = {}
    for code in ("en", "ru"):
        style = ChartStyle(palette=("#112233",), font="Noto Sans", font_dir=SHARED_DIR / "fonts",
                           number_marks=language_for(code).number_marks)
        svg, _ = draw_svg(spec, style, title="t", description="d")
        ticks[code] = set(re.findall(r">([0-9][0-9.,\xa0]*)<", svg))
    assert "2,500" in ticks["en"] and "2\xa0500" in ticks["ru"] and "2,500" not in ticks["ru"]


def _russian_brief(folder: Path, summary: str) -> Path:
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "report.txt").write_text(
        "In 1994 the country gave up 1,416 warheads. Washington set aside $300 million. "
        "Growth reached 2.5% and 12,000 jobs were created.\n", encoding="utf-8")
    (folder / "sources.yaml").write_text(
        "- id: report\n  title: Доклад\n  type: report\n  text: sources/report.txt\n",
        encoding="utf-8")
    (folder / "brief.md").write_text(
        f"---\ntitle: Записка\ndate: 2026-01-15\nlanguage: ru\n---\n# Резюме\n{summary}\n",
        encoding="utf-8")
    return folder


def test_provenance_reads_russian_numbers_against_an_english_source(tmp_path: Path):
    from briefgen.content import load_brief
    from briefgen.provenance import check_brief

    held = _russian_brief(tmp_path / "held", (
        "В 1994 г. Казахстан отказался от 1 416 боеголовок [@report, с. 4]. США выделили "
        "300 млн долларов [@report]. Рост составил 2,5 % [@report], создано 12 000 рабочих "
        "мест [@report]."))
    assert [f.message for f in check_brief(load_brief(held))] == []
    drifted = _russian_brief(tmp_path / "drifted", (
        "Рост составил 3,5 % [@report]. Отказались от 1 417 боеголовок [@report]."))
    messages = [f.message for f in check_brief(load_brief(drifted))]
    assert messages == ["'3,5 %' is not in the text of @report",
                        "'1 417' is not in the text of @report"]


def test_a_russian_chart_reads_decimal_commas_in_its_data(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    (tmp_path / "editions" / "figures.ru.yaml").write_text(
        "figures:\n  - id: growth\n    title: Рост\n    alt: Столбцы роста.\n"
        "    cite: '[@water-report]'\n    chart: {type: bar, x: year, y: growth}\n"
        "    data:\n      - {year: '2024', growth: '2,5'}\n      - {year: '2025', growth: '1,5'}\n",
        encoding="utf-8")
    result = invoke("build", tmp_path / "editions", "-l", "ru", "-s", "standard", "-f", "html",
                    "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "editions" / "standard.ru.html").read_text(encoding="utf-8")
    assert "<svg" in html and ">2,5<" in html and ">2.5<" not in html  # a tick at 2,5


MM = 72 / 25.4


def _right_margin(style: str) -> float:
    """The style's right page margin, in points (its `page.margin`, CSS order)."""
    values = [float(v.removesuffix("mm")) for v in
              (StyleLibrary().get(style).settings.page.margin or "").split()]
    return values[min(1, len(values) - 1)] * MM


def text_past_the_margin(pdf: Path) -> list[tuple[int, str]]:
    """(page, text) of every line whose glyphs run past the page's right margin."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    limit_from_edge = _right_margin(pdf.name.split(".")[0]) - 0.5
    found = []
    for number, page in enumerate(extract_pages(pdf), start=1):
        limit = page.width - limit_from_edge
        lines = [line for box in page if isinstance(box, LTTextContainer) for line in box
                 if isinstance(line, LTTextLine)]
        for line in lines:
            # The ink, not the space a justified line ends with.
            ink = [c.x1 for c in line if isinstance(c, LTChar) and c.get_text().strip()]
            if ink and max(ink) > limit:
                found.append((number, line.get_text().strip()))
    return found


@pytest.mark.parametrize("code", ["en", "ru", "kk"])
def test_no_text_runs_past_the_margin_in_any_language(editions_build: tuple[Path, str],
                                                      example_build: Path, code: str):
    suffix = "" if code == "en" else f".{code}"
    folder, _ = editions_build
    pdfs = [p for base in (folder, example_build) for p in sorted(base.glob(f"*{suffix}.pdf"))
            if p.name.count(".") == (1 if code == "en" else 2)]
    assert len(pdfs) == 8
    assert [(p.name, text_past_the_margin(p)) for p in pdfs] == [(p.name, []) for p in pdfs]


@pytest.mark.parametrize("font", sorted((FIXTURES.parent.parent / "templates" / "_shared" /
                                         "fonts").glob("*.ttf")), ids=lambda p: p.stem)
def test_every_bundled_font_has_every_russian_and_kazakh_letter(font: Path):
    from fontTools.ttLib import TTFont

    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі«»„“№"
    cmap = TTFont(font).getBestCmap()
    missing = [c for c in letters + letters.upper() if ord(c) not in cmap]
    assert missing == []


def test_a_yaml_edition_shares_the_folders_sources(tmp_path: Path):
    import yaml

    shutil.copytree(EDITIONS, tmp_path / "editions")
    folder = tmp_path / "editions"
    text = (folder / "brief.kk.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    (folder / "brief.kk.md").unlink()
    front.update(executive_summary="Қысқа түйіндеме [@water-report].")
    (folder / "brief.kk.yaml").write_text(yaml.safe_dump(front, allow_unicode=True),
                                          encoding="utf-8")
    loaded = {item.edition: item for item in load_briefs([folder])}
    assert [s.id for s in loaded["kk"].brief.sources] == ["water-report", "basin-note"]
    assert folder / "sources.yaml" in loaded["kk"].files


# --- hostile editions -------------------------------------------------------------------------


def test_a_language_tag_is_bounded_and_an_overlong_one_is_a_located_error(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    path = tmp_path / "editions" / "brief.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "language: en", "language: en" + "-abcdefgh" * 40), encoding="utf-8")
    result = invoke("validate", tmp_path / "editions")
    assert result.exit_code == 1
    assert "brief.md" in result.output and "language" in result.output
    assert "internal error" not in result.output
    # A file name with such a tag is not an edition at all.
    (tmp_path / "editions" / f"brief.en{'-abcdefgh' * 25}.md").write_text("x", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("-abcdefgh" * 40, ""),
                    encoding="utf-8")
    assert {item.edition for item in load_briefs([tmp_path / "editions"])} == {None, "ru", "kk"}


def load_briefs_or_problems(folder: Path) -> list:
    from briefgen.errors import BriefgenError

    try:
        return load_briefs([folder])
    except BriefgenError as error:
        return error.problems


def test_two_files_in_one_language_are_an_error_not_a_silent_overwrite(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    folder = tmp_path / "editions"
    shutil.copy(folder / "brief.ru.md", folder / "brief.RU.md")
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert "brief.ru.md and brief.RU.md are both the 'RU' edition" in result.output or \
        "brief.RU.md and brief.ru.md are both the 'ru' edition" in result.output


def test_an_audience_whose_language_no_edition_has_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    result = build_for_audience(tmp_path, monkeypatch, "zz_people",
                                '{ style = "memo", language = "zz" }')
    assert result.exit_code == 1
    assert "audience 'zz_people' reads 'zz'" in result.output
    assert "editions there are: en, kk, ru" in result.output


def test_latest_counts_a_brief_that_has_only_editions(tmp_path: Path):
    from briefgen.build import select_latest

    shutil.copytree(EDITIONS, tmp_path / "old")
    newer = tmp_path / "newer"
    newer.mkdir()
    for name in ("brief.kk.md", "sources.yaml"):
        shutil.copy(EDITIONS / name, newer / name)
    edit_text(newer / "brief.kk.md", "date: 2026-01-15", "date: 2030-01-15")
    latest = select_latest(load_briefs([tmp_path / "old", newer]))
    assert [(b.slug, b.edition) for b in latest] == [("newer", "kk")]


def edit_text(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_an_editions_figures_file_that_is_a_folder_is_refused(tmp_path: Path):
    shutil.copytree(EDITIONS, tmp_path / "editions")
    (tmp_path / "editions" / "figures.ru.yaml").mkdir()
    problems = load_briefs_or_problems(tmp_path / "editions")
    assert any(getattr(p, "file", None) == tmp_path / "editions" / "figures.ru.yaml"
               for p in problems), problems


def test_a_styles_language_keys_compare_without_case(tmp_path: Path):
    write_style(tmp_path / "styles", "house", "extends: standard\nlabels:\n"
                "  RU: {sources: Литература}\n")
    result = invoke("build", EDITIONS, "-l", "ru", "-s", "house", "-f", "html",
                    "--templates", tmp_path / "styles", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Литература" in html_text(tmp_path / "out" / "editions" / "house.ru.html")


def test_a_detail_line_with_a_long_run_of_spaces_is_read(tmp_path: Path):
    from briefgen.sections import parse_body

    body = ("# Summary\nx\n# Recommendations\n## Act\nPriority: a" + " " * 20_000 + "b\n")
    parsed = parse_body(body, 1)
    assert parsed.data["recommendations"][0]["priority"] == "a" + " " * 20_000 + "b"


def test_an_unknown_language_is_named_by_its_tag_in_the_switcher():
    from briefgen.languages import autonym

    assert [autonym(t) for t in ("ru", "kk", "tlh")] == ["Русский", "Қазақ тілі", "tlh"]


def test_a_style_named_like_a_url_scheme_still_links_its_editions(tmp_path: Path):
    write_style(tmp_path / "styles", "javascript:x", "extends: web\n")
    result = invoke("build", EDITIONS, "-l", "ru", "-s", "javascript:x",
                    "--templates", tmp_path / "styles", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "editions" / "javascript:x.ru.html").read_text(encoding="utf-8")
    assert 'href="./javascript:x.html" hreflang="en"' in html and "removed" not in result.output
