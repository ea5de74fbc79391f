"""`briefgen import` of Russian and Kazakh drafts: the brief gets the draft's language, its
sections and detail lines are read in it, and what it writes loads and validates."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.content import load_brief
from briefgen.importer import import_brief
from briefgen.importing.outline import PREAMBLE_TITLES, SUMMARY_HEADINGS
from briefgen.model import Brief
from briefgen.sections import section_key
from conftest import FIXTURES, ROOT

IMPORTS = FIXTURES / "import"
RUSSIAN_PLAIN = IMPORTS / "ru-village-water.txt"
RUSSIAN_MARKDOWN = IMPORTS / "ru-city-buses.md"
KAZAKH_MARKDOWN = IMPORTS / "kk-school-internet.md"
ENGLISH_PLAIN = IMPORTS / "marren-basin.txt"
TODAY = dt.date(2026, 3, 2)


def briefgen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "briefgen.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def import_and_validate(source: Path, out: Path) -> tuple[Path, str]:
    """`briefgen import` then `briefgen validate`, both succeeding without a traceback: the
    folder written and what the import printed."""
    imported = briefgen("import", source, "-o", out)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    folder = next(out.iterdir())
    validated = briefgen("validate", folder)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "Traceback" not in imported.stderr + validated.stderr
    return folder, imported.stdout


def write_and_import(tmp_path: Path, name: str, text: str) -> tuple[Path, Brief]:
    """`text` written to `tmp_path/name`, imported and validated: its folder and brief."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    folder, _ = import_and_validate(source, tmp_path / "content")
    return folder, load_brief(folder).brief


def test_a_russian_plain_text_draft_fills_every_section_and_reads_its_detail_items(
        tmp_path: Path):
    folder, printed = import_and_validate(RUSSIAN_PLAIN, tmp_path / "content")
    assert folder.name == "pitevaia-voda-dlia-sel-verkhnerechia"  # the title, in Latin letters
    brief = load_brief(folder).brief
    assert brief.language == "ru" and brief.title == "Питьевая вода для сёл Верхнеречья"
    assert set(brief.headings) == {"key_messages", "executive_summary", "background",
                                   "analysis", "assessments", "recommendations", "conclusion"}
    assert brief.headings["analysis"] == "Стратегический анализ" and brief.extras == []
    assert len(brief.key_messages) == 2
    assert brief.executive_summary.startswith("Водопроводы в сёлах строились")
    assert [(t.title, len(t.points)) for t in brief.analysis] == [("Износ сетей", 2),
                                                                  ("Плата за воду", 1)]
    assert [(s.title, s.likelihood) for s in brief.assessments] == [
        ("Плановая замена", "высокая"), ("Медленный износ", "низкая")]
    assert brief.assessments[0].body == "Район получает льготный кредит и меняет трубы по очереди."
    pipes, tariff = brief.recommendations
    assert (pipes.title, pipes.priority, pipes.owner, pipes.timeframe) == (
        "Заменить изношенные участки", "высокий", "районный акимат", "2026–2030 годы")
    assert [a.title for a in pipes.actions] == ["Обследование", "Очерёдность"]
    assert (tariff.priority, tariff.actions[0].title) == ("средний", "Льготы")
    assert brief.conclusion.startswith("Без замены труб")
    assert "line 34 (share-button): Поделиться" in printed
    assert "line 35 (related-link): Читайте также" in printed


def test_a_kazakh_markdown_draft_is_kazakh_with_its_details_read(tmp_path: Path):
    folder, _ = import_and_validate(KAZAKH_MARKDOWN, tmp_path / "content")
    brief = load_brief(folder).brief
    assert folder.name == "auyl-mektepterine-zhyldam-internet"
    assert (brief.language, brief.title) == ("kk", "Ауыл мектептеріне жылдам интернет")
    assert brief.subtitle == "Облыстағы шағын мектептерді сенімді байланысқа қосу жоспары"
    assert set(brief.headings) == {"key_messages", "executive_summary", "introduction",
                                   "analysis", "assessments", "recommendations", "conclusion"}
    assert [t.title for t in brief.analysis] == ["Байланыс сапасы", "Шығындар"]
    assert [(s.likelihood, len(s.indicators)) for s in brief.assessments] == [
        ("жоғары", 2), ("төмен", 0)]
    trial, training = brief.recommendations
    assert (trial.priority, trial.owner, trial.timeframe) == (
        "жоғары", "облыстық білім басқармасы", "2027 жыл")
    assert [a.title for a in trial.actions] == ["Сынақ", "Есеп"]
    assert (training.priority, training.owner) == ("орташа", None)
    assert brief.extras == []


def test_a_russian_markdown_draft_reads_its_likelihood_and_priority_lines(tmp_path: Path):
    folder, _ = import_and_validate(RUSSIAN_MARKDOWN, tmp_path / "content")
    brief = load_brief(folder).brief
    assert brief.language == "ru"
    assert [(s.title, s.likelihood) for s in brief.assessments] == [
        ("Поэтапное обновление", "средняя"), ("Отказ от закупок", "низкая")]
    assert not any("Вероятность" in s.body for s in brief.assessments)
    buses, mechanics = brief.recommendations
    assert (buses.priority, buses.owner, buses.timeframe) == (
        "высокий", "управление транспорта", "2026–2031 годы")
    assert buses.rationale == "Крупные партии позволяют добиться скидки у производителя."
    assert mechanics.priority == "средний"


def test_an_english_draft_is_still_english(tmp_path: Path):
    report = import_brief(ENGLISH_PLAIN, tmp_path / "content", today=TODAY)
    brief = load_brief(report.folder).brief
    assert (report.language, brief.language) == ("en", "en")
    assert report.language_evidence.startswith("its headings: 0 Russian, 0 Kazakh; ")
    assert report.language_evidence.endswith(" Latin letters to 0 Cyrillic")
    assert f"\nlanguage: en  # found by 'briefgen import': {report.language_evidence}\n" in (
        report.folder / "brief.md").read_text(encoding="utf-8")
    assert [t.title for t in brief.analysis] == [
        "Agricultural Demand", "Urban Growth", "Industrial Claims"]


def test_the_report_and_the_front_matter_say_why_the_language(tmp_path: Path):
    report = import_brief(RUSSIAN_PLAIN, tmp_path / "content", today=TODAY)
    assert (report.language, report.language_evidence) == (
        "ru", "its headings: 6 Russian, 0 Kazakh")
    front_matter = (report.folder / "brief.md").read_text(encoding="utf-8").split("---")[1]
    assert "\nlanguage: ru  # found by 'briefgen import': its headings: 6 Russian, 0 Kazakh\n" in (
        front_matter)


# --- the letters decide when the headings do not ---------------------------------------------

def test_a_russian_draft_naming_a_kazakh_person_stays_russian(tmp_path: Path):
    """English headings, read in every language, leave it to the letters: one name's few
    Kazakh letters are far from Kazakh's share."""
    _, brief = write_and_import(
        tmp_path, "library.txt",
        "Городская библиотека\nSummary\nБиблиотека открыта всего четыре дня в неделю. "
        "Читатели просят продлить часы работы, особенно по вечерам, когда заканчиваются "
        "занятия в школах.\nBackground\nБиблиотекой уже десять лет руководит Әсем "
        "Нұрғалиева. За это время число читателей выросло вдвое, а штат остался прежним.\n")
    assert brief.language == "ru"
    assert "Әсем Нұрғалиева" in brief.background


def test_russian_headings_outweigh_the_letters_of_kazakh_place_names(tmp_path: Path):
    """Letters alone would call this short text Kazakh (its place names have one in sixteen
    of theirs); its Russian headings and detail key say what it is."""
    _, brief = write_and_import(
        tmp_path, "road.txt",
        "Краткое содержание\nТрасса Қарағанды — Өскемен разбита у посёлков Шұбаркөл и "
        "Көкпекті.\nРекомендации\n- Починить трассу\n  - Приоритет: высокий\n")
    assert (brief.language, brief.recommendations[0].priority) == ("ru", "высокий")


@pytest.mark.parametrize(("text", "language"), [
    ("Summary\nҚалалық кітапхана аптасына төрт күн ғана жұмыс істейді. Оқырмандар кешкі "
     "уақытта да ашық болуын сұрайды.\n", "kk"),
    # Ukrainian and Belarusian have "і" too: one of Kazakh's letters alone is not Kazakh.
    ("Summary\nМіська бібліотека працює лише чотири дні на тиждень. Читачі просять "
     "подовжити години роботи ввечері, після занять у школах.\n", "ru"),
])
def test_without_own_headings_kazakh_letters_decide(tmp_path: Path, text: str, language: str):
    _, brief = write_and_import(tmp_path, "library.txt", text)
    assert brief.language == language


def test_kazakh_plain_text_detail_items_become_detail_lines(tmp_path: Path):
    _, brief = write_and_import(
        tmp_path, "lights.txt",
        "Шағын қалалардағы көше жарығы\nТүйіндеме\nКөптеген шағын қалада түнгі көшелер "
        "қараңғы. Ескі шамдар көп электр жұмсайды.\nТалдау\n- Шығындар\n- Ескі шамдар жаңа "
        "шамдардан үш есе көп қуат тұтынады.\nҰсыныстар\n- Шамдарды ауыстыру\n"
        "  - Басымдық: жоғары\n  - Жауапты: қала әкімдігі\n  - Мерзімі: 2027 жыл\n"
        "  - Тізімдеу: Әр көшедегі шамдардың жағдайын тексеру.\n")
    lamps = brief.recommendations[0]
    assert (brief.language, lamps.title) == ("kk", "Шамдарды ауыстыру")
    assert (lamps.priority, lamps.owner, lamps.timeframe) == ("жоғары", "қала әкімдігі",
                                                              "2027 жыл")
    assert [(a.title, a.text) for a in lamps.actions] == [
        ("Тізімдеу", "Әр көшедегі шамдардың жағдайын тексеру.")]


# --- heuristics that assumed Latin letters --------------------------------------------------


def test_plain_text_heuristics_read_cyrillic_as_they_read_latin(tmp_path: Path):
    _, brief = write_and_import(
        tmp_path, "roads.txt",
        "Ремонт сельских дорог\nОсновные выводы\nа) Половина дорог района требует ремонта.\n"
        "б) Грейдеров не хватает.\nАнализ\nДороги размывает каждую весну.\n"
        "Жители спрашивают: «Когда починят мост?»\nОтвета пока нет.\nРекомендации\n"
        "- Починить мост\n- в итоге: это дешевле объезда.\n"
        "Приложение: методика подсчёта\nДороги измеряли по картам района.\n")
    assert brief.key_messages == ["Половина дорог района требует ремонта.",
                                  "Грейдеров не хватает."]  # "а)", "б)" are list markers
    roads = brief.analysis[0]  # a line ending in «…?» is a sentence, not a finding's title
    assert (roads.title, len(brief.analysis)) == (None, 1)
    assert "Жители спрашивают: «Когда починят мост?»" in roads.body
    bridge = brief.recommendations[0]  # a lower-case "в итоге:" is no action's title
    assert [(a.title, a.text) for a in bridge.actions] == [
        (None, "в итоге: это дешевле объезда.")]
    assert [e.title for e in brief.extras] == ["Приложение: методика подсчёта"]


def test_a_summary_or_preamble_the_importer_adds_is_named_in_the_brief_language(
        tmp_path: Path):
    _, brief = write_and_import(tmp_path, "summary.md",
                                "Вступительные слова без заголовка.\n\nЕщё абзац.\n\n"
                                "# Контекст\n\nТрубы старые.\n\n# Рекомендации\n\n"
                                "## Заменить трубы\n\nПриоритет: высокий\n")
    assert brief.headings["executive_summary"] == "Резюме"
    assert brief.executive_summary.startswith("Вступительные слова")
    (tmp_path / "kk").mkdir()
    _, without = write_and_import(tmp_path / "kk", "none.md",
                                  "# Талдау\n\n## Шығындар\n\nШамдар көп қуат жұмсайды.\n")
    assert without.headings["executive_summary"] == "Түйіндеме"
    assert without.executive_summary.startswith("TODO:")
    for code, heading in SUMMARY_HEADINGS.items():
        assert section_key(heading, code) == "executive_summary"
    for code, title in PREAMBLE_TITLES.items():
        assert section_key(title, code) is None


def test_a_heading_of_another_language_is_an_extra_section_to_importer_and_loader(
        tmp_path: Path):
    """A Russian heading in a Kazakh brief is no section the loader reads in Kazakh, so the
    importer keeps it as an extra section too, rather than report a section that is lost."""
    report = import_brief(KAZAKH_MARKDOWN, tmp_path / "content", today=TODAY)
    text = KAZAKH_MARKDOWN.read_text(encoding="utf-8").replace("## Ұсыныстар", "## Рекомендации")
    source = tmp_path / "mixed.md"
    source.write_text(text, encoding="utf-8")
    mixed = import_brief(source, tmp_path / "mixed", today=TODAY)
    brief = load_brief(mixed.folder).brief
    assert (mixed.language, brief.recommendations) == ("kk", [])
    assert [e.title for e in brief.extras] == ["Рекомендации"]
    assert [(found, line) for found, key, line in mixed.sections if key.startswith("extra:")] == [
        ("Рекомендации", 48)]
    assert ("Ұсыныстар", "recommendations", 48) in report.sections
