"""`briefgen check` on a brief with editions: drift between a translation and its original."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.content import load_briefs
from briefgen.drift import Drift, check_editions, numbers_stated
from briefgen.exhibits import number
from conftest import MINI

runner = CliRunner()

ENGLISH_BACKGROUND = (
    "The basin has been shared since 1992 [@water-report, p. 4]. Its 1,416 gauges record 80% "
    "of the flow, 2.5 times more than in 1990 [@water-report].")

RUSSIAN = """\
---
title: Совместное использование воды Сырдарьи
subtitle: Небольшой бриф для тестов briefgen
date: 2026-01-15
version: 2
series: Test Brief
number: TB-01
authors:
  - name: Дана Сейткали
    affiliation: Fixture Institute
organization: Fixture Institute
classification: PUBLIC
language: ru
keywords: [вода, Центральная Азия]
decision: Одобрить совместный пилотный проект мониторинга.
---
# Ключевые выводы
- Попуски из верхних водохранилищ определяют урожаи ниже по течению [@water-report].
- Общая платформа данных — самый дешёвый первый шаг.

# Резюме
Сезонные попуски из водохранилищ задают условия экономики бассейна. Қазақ тілі
и кириллица отображаются в каждом стиле.

# Контекст
Бассейн используется совместно с 1992 года [@water-report, с. 4]. Его 1 416 гидропостов \
фиксируют 80 % стока, в 2,5 раза больше, чем в 1990 году [@water-report].

# Анализ
## Попуски следуют спросу на электроэнергию
Зимние попуски обслуживают потребности в электроэнергии выше по течению.

- Летний дефицит бьёт по хлопку и пшенице [@water-report; @basin-note].

## Данных мало
Гидропостов слишком мало.

# Прогноз
## Управляемое сотрудничество
Вероятность: вероятно

Министры продолжают встречаться.

- Подписанный протокол об обмене данными

# Рекомендации
## Создать общую платформу данных
Приоритет: высокий
Ответственный: Министерство водных ресурсов
Сроки: 12 месяцев

Все выигрывают от одних и тех же цифр.

- **Финансировать посты:** установить двадцать новых станций.
- **Публиковать ежедневно:** сообщать о расходах воды каждый день.

# Заключение
Сотрудничество начинается с данных.
"""

#: What the sources say, in both editions' ways of writing numbers, so that the provenance
#: check passes strictly and only drift can fail it.
WATER_REPORT = ("The basin has been shared since 1992. Its 1416 gauges (1 416 in the Russian "
                "edition) record 80 percent of the flow, 2.5 times (2,5) more than in 1990.\n")

KEY_FIGURES = """\
key_figures:
  - value: "{value}"
    label: gauges on the river
    cite: "[@water-report]"
figures:
  - id: posts
    title: Gauging posts by country
    alt: A bar chart of gauging posts by country.
    cite: "[@water-report]"
    chart: {{type: bar, x: country, y: posts}}
    data:
      - {{country: {first}, posts: 32}}
      - {{country: {second}, posts: {posts}}}
"""


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def editions(tmp_path: Path) -> Path:
    """The fixture brief and a Russian edition of it in step, with their sources' texts."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    brief = folder / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "The basin has been shared since 1992 [@water-report, p. 4].", ENGLISH_BACKGROUND),
        encoding="utf-8")
    (folder / "brief.ru.md").write_text(RUSSIAN, encoding="utf-8")
    (folder / "texts").mkdir()
    (folder / "texts" / "water.txt").write_text(WATER_REPORT, encoding="utf-8")
    (folder / "texts" / "basin.txt").write_text("Shortfalls hit cotton and wheat.\n",
                                                encoding="utf-8")
    sources = folder / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "  type: report\n", "  type: report\n  text: texts/water.txt\n").replace(
        "  type: webpage\n", "  type: webpage\n  text: texts/basin.txt\n"), encoding="utf-8")
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
                if text in line)


def drift_of(folder: Path) -> list[Drift]:
    return check_editions(load_briefs([folder]))


def only(found: list[Drift]) -> Drift:
    assert len(found) == 1, found
    return found[0]


def test_editions_in_step_do_not_drift(editions: Path):
    # The fixture writes 1 416 / 1,416, 80 % / 80%, 2,5 / 2.5, and [@water-report, с. 4] /
    # [@water-report, p. 4]: the same numbers, and the same sources whatever the locators.
    assert drift_of(editions) == []


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"], ids=["space", "nbsp", "nnbsp"])
def test_thousands_grouped_by_any_space_are_the_number(editions: Path, space: str):
    edit(editions / "brief.ru.md", "1 416", f"1{space}416")
    assert drift_of(editions) == []


def test_numbers_are_read_as_each_language_writes_them():
    assert numbers_stated("1,416 gauges, 80% of it, 2.5 times", "en") == {
        1416: "1,416", 80: "80", 2.5: "2.5"}
    assert numbers_stated("1 416 постов, 80 % стока, в 2,5 раза", "ru") == {
        1416: "1 416", 80: "80", 2.5: "2,5"}
    assert numbers_stated("2,5", "en") == {2: "2", 5: "5"}
    assert number("2,5", "kk") == 2.5 and number("2,5") is None
    assert number("1,416") == 1416 and number("1,416", "ru") == 1.416


def test_citations_figure_references_and_list_numbers_state_no_number():
    text = "1. Exports rose 7% [@report, p. 44; @note, ch. 2] (see @fig:chart-2).\n2) Done."
    assert numbers_stated(text, "en") == {7: "7"}


def test_a_recommendation_more_is_a_count_drift_and_the_list_is_compared_whole(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "# Заключение", "## Публиковать бюджет\nВ 2027 году [@basin-note].\n\n"
                                  "# Заключение")
    found = drift_of(editions)
    count = found[0]
    assert (count.kind, count.path) == ("count", "recommendations")
    assert count.message.startswith("1 in brief.md, 2 in brief.ru.md: remove from brief.ru.md")
    assert (count.file, count.line) == (str(russian), line_of(russian, "# Рекомендации"))
    assert (count.other_file, count.other_line) == (
        str(editions / "brief.md"), line_of(editions / "brief.md", "# Policy Recommendations"))
    # Items cannot be paired while the counts differ: what the new one says is reported for the
    # list, once, on the lines where it says it.
    assert [(d.kind, d.path, d.line) for d in found[1:]] == [
        ("citation", "recommendations", line_of(russian, "В 2027 году")),
        ("number", "recommendations", line_of(russian, "В 2027 году"))]


def test_a_key_message_left_out_points_at_what_it_said(editions: Path):
    english = editions / "brief.md"
    edit(editions / "brief.ru.md", "- Попуски из верхних водохранилищ определяют урожаи ниже по "
                                   "течению [@water-report].\n", "")
    count, citation = drift_of(editions)
    assert (count.kind, count.path, count.message.split(":")[0]) == (
        "count", "key_messages", "2 in brief.md, 1 in brief.ru.md")
    assert (citation.kind, citation.path) == ("citation", "key_messages")
    assert citation.other_line == line_of(english, "Upstream releases decide")
    assert count.other_line == line_of(english, "# Key Judgments") != citation.other_line


def test_a_citation_dropped_from_an_item(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "[@water-report; @basin-note]", "[@water-report]")
    drift = only(drift_of(editions))
    assert (drift.kind, drift.path) == ("citation", "analysis[0].points[0]")
    assert drift.message == ("brief.md cites @basin-note here and brief.ru.md does not: add "
                             "[@basin-note] to brief.ru.md")
    assert drift.line == line_of(russian, "Летний дефицит")
    assert drift.other_line == line_of(editions / "brief.md", "Summer shortfalls")


def test_a_citation_added_to_a_paragraph(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "кириллица отображаются в каждом стиле.",
         "кириллица отображаются в каждом стиле [@basin-note].")
    drift = only(drift_of(editions))
    assert (drift.kind, drift.path) == ("citation", "executive_summary.paragraphs[0]")
    assert drift.message.startswith("brief.ru.md cites @basin-note here and brief.md does not")
    assert drift.line == line_of(russian, "кириллица")


def test_a_changed_number(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "80 % стока", "85 % стока")
    drift = only(drift_of(editions))
    assert (drift.kind, drift.path) == ("number", "background.paragraphs[0]")
    assert drift.message == "brief.md has 80 where brief.ru.md has 85: make brief.ru.md agree " \
                            "with brief.md"
    assert (drift.line, drift.other_line) == (line_of(russian, "85 %"),
                                              line_of(editions / "brief.md", "80%"))


def test_a_decimal_comma_is_a_decimal_in_russian(editions: Path):
    edit(editions / "brief.ru.md", "в 2,5 раза", "в 2,6 раза")
    assert "brief.md has 2.5 where brief.ru.md has 2,6" in only(drift_of(editions)).message


def test_a_thousands_comma_in_russian_is_a_decimal_and_the_message_says_so(editions: Path):
    edit(editions / "brief.ru.md", "1 416", "1,416")
    assert only(drift_of(editions)).message == (
        "brief.ru.md writes 1,416, which reads as 1.416 in ru, where a comma marks decimals: "
        "write 1\u00a0416")


@pytest.mark.parametrize(("old", "new", "field", "was"), [
    ("version: 2", "version: 1", "version", "brief.ru.md is version 1, brief.md is version 2"),
    ("date: 2026-01-15", "date: 2026-01-10", "date",
     "brief.ru.md is dated 2026-01-10, brief.md is dated 2026-01-15"),
])
def test_an_older_edition_is_stale(editions: Path, old: str, new: str, field: str, was: str):
    russian = editions / "brief.ru.md"
    edit(russian, old, new)
    drift = only(drift_of(editions))
    assert (drift.kind, drift.path, drift.line) == ("stale", field, line_of(russian, new))
    assert drift.message.startswith(was)


def test_a_later_date_is_not_stale(editions: Path):
    edit(editions / "brief.ru.md", "date: 2026-01-15", "date: 2026-01-20")
    assert drift_of(editions) == []


def test_a_paragraph_split_in_two_and_a_section_left_out(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "бассейна. Қазақ тілі\n", "бассейна.\n\nҚазақ тілі\n")
    edit(russian, "# Заключение\nСотрудничество начинается с данных.\n", "")
    found = drift_of(editions)
    assert [(d.kind, d.path, d.message.split(":")[0]) for d in found] == [
        ("count", "executive_summary.paragraphs", "1 in brief.md, 2 in brief.ru.md"),
        ("count", "conclusion.paragraphs", "1 in brief.md, 0 in brief.ru.md")]
    # The section is not there to point at: the file is named, no line.
    assert (found[1].file, found[1].line) == (str(russian), None)


def write_figures(folder: Path, name: str, value: str, first: str, second: str,
                  posts: int) -> Path:
    path = folder / name
    path.write_text(KEY_FIGURES.format(value=value, first=first, second=second, posts=posts),
                    encoding="utf-8")
    return path


def test_a_key_figure_and_a_figure_cell_compared_as_numbers(editions: Path):
    write_figures(editions, "figures.yaml", "1,416", "Kazakhstan", "Uzbekistan", 41)
    assert drift_of(editions) == []  # one file for both: 1,416 is the English edition's
    russian = write_figures(editions, "figures.ru.yaml", "1 416", "Казахстан", "Узбекистан", 41)
    assert drift_of(editions) == []  # translated labels, the same numbers
    write_figures(editions, "figures.ru.yaml", "1,416", "Казахстан", "Узбекистан", 41)
    assert "figures.ru.yaml writes 1,416, which reads as 1.416 in ru" in only(
        drift_of(editions)).message  # copied unchanged into the Russian edition's own file
    russian = write_figures(editions, "figures.ru.yaml", "1 461", "Казахстан", "Узбекистан", 14)
    value, cell = drift_of(editions)
    assert (value.kind, value.path, value.file, value.line) == (
        "number", "key_figures[0].value", str(russian), line_of(russian, "1 461"))
    assert value.message == ("figures.yaml has 1,416 where figures.ru.yaml has 1 461: make "
                             "figures.ru.yaml agree with figures.yaml")
    assert (cell.path, cell.line) == ("figures[0].data[1].posts", line_of(russian, "Узбекистан"))
    assert "figures.yaml has 41 where figures.ru.yaml has 14" in cell.message


def test_without_a_main_brief_the_first_edition_is_the_original(editions: Path):
    (editions / "brief.md").rename(editions / "brief.en.md")
    edit(editions / "brief.ru.md", "80 % стока", "85 % стока")
    drift = only(drift_of(editions))
    assert (Path(drift.file).name, Path(drift.other_file).name) == ("brief.ru.md", "brief.en.md")


def test_check_passes_editions_in_step_strictly(editions: Path):
    result = invoke("check", editions, "--strict")
    assert result.exit_code == 0, result.output
    assert "checked 1 brief (2 editions): 0 errors, 0 warnings" in result.output


def test_check_warns_of_drift_and_fails_on_it_only_when_strict(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "самый дешёвый первый шаг.", "самый дешёвый первый шаг [@basin-note].")
    relaxed = invoke("check", editions)
    assert relaxed.exit_code == 0, relaxed.output
    output = " ".join(relaxed.output.split())
    assert (f"warning {russian}:{line_of(russian, 'самый дешёвый')}: key_messages[1]: "
            "brief.ru.md cites @basin-note here and brief.md does not") in output
    assert f"counterpart: {editions / 'brief.md'}:{line_of(editions / 'brief.md', 'cheapest')}" \
        in output
    assert "0 errors, 1 warnings (1 of them: drift between editions)" in output
    assert invoke("check", editions, "--strict").exit_code == 1


def test_check_json_lists_the_drift_with_its_files_and_lines(editions: Path):
    russian = editions / "brief.ru.md"
    edit(russian, "Сроки: 12 месяцев", "Сроки: 18 месяцев")  # planning: not a sourced claim
    result = invoke("check", editions, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["findings"] == []
    assert data["drift"] == [{
        "kind": "number", "path": "recommendations[0]",
        "message": "brief.md has 12 where brief.ru.md has 18: make brief.ru.md agree with "
                   "brief.md",
        "file": str(russian), "line": line_of(russian, "18 месяцев"),
        "other_file": str(editions / "brief.md"),
        "other_line": line_of(editions / "brief.md", "12 months")}]
