"""Web-page furniture: whole short lines that belong to the page a brief was copied from.

The importer drops only lines a named rule matches, and reports each with its line and rule, so
an author sees exactly what was left out and why (docs/content-format.md, 'briefgen import').
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FurnitureRule:
    """One kind of web-page furniture: a line that belongs to the page, not to the brief.

    `pattern` must match the *whole* line (after list markers, heading marks, emphasis and link
    syntax are stripped, and trailing `:`/`»`/`…` removed), and the line must be at most
    `MAX_FURNITURE_CHARS` long, so a sentence that merely mentions "print" or "cookies" is
    never dropped.
    """

    name: str
    pattern: re.Pattern[str]
    why: str
    plain_text_only: bool = False


def _rule(name: str, pattern: str, why: str, plain_text_only: bool = False) -> FurnitureRule:
    return FurnitureRule(name, re.compile(pattern, re.IGNORECASE), why, plain_text_only)


#: Longest line a furniture rule may drop: furniture is a button or a label, never a paragraph.
MAX_FURNITURE_CHARS = 120

FURNITURE_RULES: tuple[FurnitureRule, ...] = (
    _rule(
        "comment-form",
        r"leave a (reply|comment)|post a comment|cancel reply|\d+ (comments?|replies)"
        r"|no comments( yet)?|your email address will not be published\b.*"
        r"|required fields are marked\b.*"
        r"|оставить комментарий|оставьте комментарий|\d+ комментари\w*|нет комментариев"
        r"|комментариев нет|пікір қалдыру|пікір жазу|\d+ пікір|пікірлер жоқ",
        "A blog's comment form ('Leave a Reply', '3 comments', 'Оставить комментарий', 'Пікір "
        "қалдыру') copied with the article; it ends the web page, not the brief.",
    ),
    _rule(
        "related-link",
        r"(read (also|more|next)|continue reading)\b(?!.*[.!?]$).*"
        r"|related (posts?|articles?|reading|stories)(\s*:.*)?|you (may|might) also like.*"
        r"|(читайте|читать) (также|далее|ещё|еще)\b(?!.*[.!?]$).*"
        r"|похожие (статьи|материалы|новости|публикации)(\s*:.*)?"
        r"|(тағы|сондай-ақ) оқыңыз\b(?!.*[.!?]$).*|толығырақ"
        r"|ұқсас (мақалалар|жаңалықтар|материалдар)(\s*:.*)?",
        "Links to other articles ('Read also: …', 'Related posts', 'Читайте также: …', 'Тағы "
        "оқыңыз'); they name other pages and say nothing the brief says. A line ending in a "
        "full stop is a sentence ('Read more widely.') and is kept.",
    ),
    _rule(
        "view-counter",
        r"(read|viewed|views?:?)\s*\d[\d,. ]*( times)?|\d[\d,.]*\s+(views|reads)"
        r"|(просмотр\w*|қаралды|қаралым\w*):?\s*\d[\d,. ]*"
        r"|\d[\d,.]*\s+(просмотр\w*|рет қаралды)",
        "A page's view counter ('Read 6289 times', 'Просмотров: 6289', 'Қаралды: 6289').",
    ),
    _rule(
        "share-button",
        r"(share|tweet|email|print) this( (article|post|page|story))?"
        r"|share( (on|via) \w+)?|follow us( on \w+)?"
        r"|поделиться( в \w+)?|подписывайтесь( на нас)?( в \w+)?|бөлісу|бөлісіңіз"
        r"|((facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|email|x|vk"
        r"|вконтакте|одноклассники|телеграм)[\s,|/·•]*)+",
        "Social-media buttons ('Share this', 'Facebook Twitter LinkedIn', 'Поделиться', "
        "'Бөлісу'), which copy as text labels.",
    ),
    _rule(
        "shop-button",
        r"order now|buy now|order (a |an |your )?(custom |similar |original )?(essay|paper)"
        r"( now)?|get (a |your )?(free )?(price )?quote|place (an |your )?order"
        r"|hire (a |an )?writer",
        "Shop buttons of essay and report sellers ('Order Now', 'Get a quote').",
    ),
    _rule(
        "print-button",
        r"print|print[- ]friendly( version)?|download( as)? pdf|save as pdf"
        r"|печать|распечатать|версия для печати|скачать( в)? pdf|басып шығару|pdf жүктеу",
        "Print and download buttons ('Print', 'Download PDF', 'Версия для печати', 'Басып "
        "шығару').",
    ),
    _rule(
        "cookie-notice",
        r".*\bcookies?\b.*\b(use|uses|using|accept|consent|agree|policy|settings|preferences"
        r"|continuing)\b.*|.*\b(use|uses|accept|reject|allow|manage)\b.*\bcookies?\b.*"
        r"|(accept|reject|decline|allow) all"
        r"|.*\b(cookies?|куки)\b.*\b(использу\w*|соглаш\w*|пайдалан\w*|келіс\w*)\b.*"
        r"|.*\b(использу\w*|пайдалан\w*)\b.*\b(cookies?|куки)\b.*"
        r"|(принять|отклонить) все|барлығын қабылдау",
        "Cookie banners ('This site uses cookies…', 'Accept all', 'Мы используем cookie…', "
        "'Принять все').",
    ),
    _rule(
        "separator",
        r"([-=_*~#.•·])\1{2,}|([-=_*~]\s){2,}[-=_*~]",
        "Lines drawn with repeated characters ('-----', '* * *'). Plain text only: in Markdown "
        "such a line is a thematic break or a heading underline and is kept.",
        plain_text_only=True,
    ),
)
"""The rules by which the importer drops a line; every dropped line is reported with its rule."""

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FURNITURE_MARKS = re.compile(r"^\s*(#{1,6}\s+|>\s*|[-*+•]\s+|\d{1,3}[.)]\s+)")
_FURNITURE_TAIL = re.compile(r"[\s:»›→>…]+$|\.{3}$")


def _furniture_rule(line: str, markdown: bool) -> FurnitureRule | None:
    """The rule a whole line of furniture matches, if any (see `FurnitureRule`)."""
    text = line.strip()
    if not text or len(text) > MAX_FURNITURE_CHARS:
        return None
    if not re.fullmatch(r"[-=_*~#.•·\s]+", text):
        text = _FURNITURE_MARKS.sub("", text)
        text = _LINK.sub(r"\1", text).replace("**", "").replace("__", "").strip("*_ ")
        text = _FURNITURE_TAIL.sub("", text).strip()
    for rule in FURNITURE_RULES:
        if rule.plain_text_only and markdown:
            continue
        if text and rule.pattern.fullmatch(text):
            return rule
    return None


def drop_furniture(
    lines: list[str], markdown: bool
) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Blank out furniture lines (keeping line numbers) and list them; code fences are kept."""
    kept: list[str] = []
    dropped: list[tuple[int, str, str]] = []
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        marker = re.match(r"^\s{0,3}(`{3,}|~{3,})", line) if markdown else None
        if marker and (fence is None or marker[1].startswith(fence)):
            fence = None if fence else marker[1][:3]
        rule = None if fence or marker else _furniture_rule(line, markdown)
        if rule:
            dropped.append((number, line.strip(), rule.name))
            kept.append("")
        else:
            kept.append(line)
    return kept, dropped
