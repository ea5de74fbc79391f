"""The words an author writes for structure, per language: section headings and the
`Key: value` detail lines inside sections.

A brief in Russian or Kazakh is written with Russian or Kazakh headings ("Основные выводы",
"Түйіндеме") and detail keys ("Приоритет:", "Мерзімі:"); English ones are accepted in every
language, since briefs are often drafted in English first. Headings are compared after
`sections.normalise_heading` (lower case, no numbering or punctuation), with "ё" read as "е".
"""

from __future__ import annotations

#: Section field → the headings that name it, per primary language subtag.
HEADINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "key_messages": (
            "key messages", "key message", "key judgments", "key judgements", "bottom line",
            "bottom line up front", "bluf", "key points", "key takeaways", "takeaways",
            "main points", "highlights", "summary points", "key findings", "at a glance",
        ),
        "executive_summary": ("executive summary", "summary", "overview", "abstract",
                              "synopsis"),
        "introduction": ("introduction", "purpose", "the issue", "issue", "problem statement"),
        "background": ("background", "context", "background and context",
                       "historical background"),
        "analysis": (
            "analysis", "discussion", "findings", "situation analysis", "assessment of issues",
        ),
        "implications": ("implications", "consequences", "what this means"),
        "assessments": (
            "assessments", "assessment", "scenarios", "scenario analysis", "outlook",
            "forecast", "future scenarios",
        ),
        "recommendations": (
            "recommendations", "recommendation", "recommended actions",
            "options and recommendations", "next steps", "actions",
            "recommendations for action",
        ),
        "conclusion": (
            "conclusion", "conclusions", "concluding remarks", "final thoughts",
            "closing remarks",
        ),
    },
    "ru": {
        "key_messages": (
            "ключевые выводы", "основные выводы", "главные выводы", "ключевые тезисы",
            "основные тезисы", "ключевые положения", "основные положения", "главное",
            "коротко о главном", "кратко о главном", "ключевые сообщения", "ключевые оценки",
        ),
        "executive_summary": (
            "резюме", "краткое содержание", "краткое изложение", "аннотация", "обзор",
            "сводка", "резюме для руководителя", "краткий обзор",
        ),
        "introduction": ("введение", "вступление", "постановка проблемы", "проблема",
                         "постановка вопроса", "цель"),
        "background": ("контекст", "предыстория", "исторический контекст", "общие сведения",
                       "история вопроса", "справочная информация", "политический контекст"),
        "analysis": ("анализ", "стратегический анализ", "обсуждение", "анализ ситуации",
                     "основные результаты", "результаты анализа", "политический анализ"),
        "implications": ("последствия", "значение", "что это означает",
                         "последствия для политики", "выводы для политики"),
        "assessments": ("оценки", "оценка", "сценарии", "сценарный анализ", "прогноз",
                        "перспективы", "сценарии развития", "наша оценка"),
        "recommendations": (
            "рекомендации", "рекомендация", "рекомендуемые меры", "предлагаемые меры",
            "следующие шаги", "меры", "рекомендации по действиям",
            "политические рекомендации", "рекомендации для политики",
        ),
        "conclusion": ("заключение", "выводы", "заключительные замечания", "итоги",
                       "вывод"),
    },
    "kk": {
        "key_messages": (
            "негізгі тұжырымдар", "басты тұжырымдар", "негізгі қорытындылар", "негізгі ойлар",
            "түйінді тұжырымдар", "негізгі тезистер", "басты ойлар", "қысқаша айтқанда",
        ),
        "executive_summary": ("түйіндеме", "қысқаша мазмұны", "қысқаша шолу", "шолу",
                              "аңдатпа", "қысқаша түйін"),
        "introduction": ("кіріспе", "мәселенің қойылуы", "мәселе", "мақсаты"),
        "background": ("контекст", "алғышарттар", "тарихи контекст", "тарихи алғышарттар",
                       "жалпы мәлімет", "мәселенің тарихы", "саяси контекст"),
        "analysis": ("талдау", "стратегиялық талдау", "жағдайды талдау", "талқылау",
                     "саяси талдау", "негізгі нәтижелер"),
        "implications": ("салдары", "салдарлар", "ықпалы", "бұл нені білдіреді",
                         "саясат үшін салдары"),
        "assessments": ("бағалаулар", "бағалау", "сценарийлер", "сценарийлік талдау",
                        "болжам", "келешек", "даму сценарийлері", "болашақ сценарийлері"),
        "recommendations": ("ұсыныстар", "ұсыныс", "ұсынылатын шаралар", "келесі қадамдар",
                            "іс-шаралар", "саяси ұсыныстар", "іс-қимыл ұсыныстары"),
        "conclusion": ("қорытынды", "қорытындылар", "түйін", "соңғы сөз"),
    },
}

#: English headings may carry one of these words first ("Strategic Analysis", "Our Outlook").
#: Russian and Kazakh adjectives agree with their noun, so those variants are listed whole.
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "en": ("strategic", "policy", "political", "main", "our"),
}

#: Section field → detail key as written (in any case) → the field it fills, per language.
DETAIL_KEYS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "assessments": {"likelihood": "likelihood", "probability": "likelihood"},
        "recommendations": {
            "priority": "priority", "owner": "owner", "lead": "owner",
            "responsible": "owner", "timeframe": "timeframe", "timeline": "timeframe",
        },
    },
    "ru": {
        "assessments": {"вероятность": "likelihood"},
        "recommendations": {
            "приоритет": "priority", "приоритетность": "priority",
            "ответственный": "owner", "ответственные": "owner", "исполнитель": "owner",
            "ведущее ведомство": "owner", "сроки": "timeframe", "срок": "timeframe",
        },
    },
    "kk": {
        "assessments": {"ықтималдық": "likelihood", "ықтималдығы": "likelihood"},
        "recommendations": {
            "басымдық": "priority", "басымдығы": "priority", "жауапты": "owner",
            "жауаптылар": "owner", "орындаушы": "owner", "мерзімі": "timeframe",
            "мерзім": "timeframe",
        },
    },
}


def primary(language: str | None) -> str:
    """The primary subtag of a BCP 47 tag, lower case: `ru-KZ` → `ru`."""
    return (language or "en").split("-")[0].lower()


def heading_languages(language: str | None) -> tuple[str, ...]:
    """The vocabularies a brief in `language` is read with: its own, then English; every
    known one when the language is not known yet (`briefgen import`)."""
    if language is None:
        return tuple(HEADINGS)
    own = primary(language)
    return (own, "en") if own in HEADINGS and own != "en" else ("en",)


def detail_keys(kind: str, language: str | None) -> dict[str, str]:
    """The detail keys of a structured section (`assessments`, `recommendations`)."""
    keys: dict[str, str] = {}
    for code in heading_languages(language):
        keys.update(DETAIL_KEYS[code][kind])
    return keys
