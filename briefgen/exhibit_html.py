"""Figures and tables as HTML: numbered, placed where the text first refers to them, each with
its caption, its "Source:" line and its notes.

A figure is drawn right after the paragraph (or list) that first refers to it with `@fig:id`, so
the reader meets it where the argument needs it; a figure the text never refers to, or refers to
only in a part the style does not print, is drawn where the template calls `exhibits.unplaced()`
(the built-in styles: after the last section). Charts are inline SVG with `role="img"`, a title
and a description; in the HTML edition the data behind each chart follows as a small table for
readers who cannot see it.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from .citations import find_citations
from .content import LoadedBrief
from .exhibits import number
from .languages import Language, english, fill
from .model import Column, Figure, Row, Table
from .safety import image_data_uri, media_type

#: Renders brief Markdown inline (citations included): the renderer's own `inline`.
Inline = Callable[[str | None], Markup]
#: Draws a figure's chart: (figure, rows) → (SVG, warnings).
DrawChart = Callable[[Figure, list[Row]], tuple[str, list[str]]]

#: The catalogue label each kind of exhibit is called by ("Figure 2", "Таблица 1").
LABELS = {"fig": "figure", "tbl": "table"}


class Exhibits:
    """The figures and tables of one rendering: their numbers, their HTML, which are placed.

    A plain class, not a dataclass: templates receive it, and the sandbox lets a template read
    a dataclass's fields, which here include callables (`inline`, `draw_chart`). Only the
    methods the sandbox names (`unplaced`, `place_pending`) are a template's to call."""

    def __init__(self, loaded: LoadedBrief, inline: Inline, draw_chart: DrawChart, target: str,
                 warnings: list[str], *, show: bool = True, citations: str = "numbered",
                 language: Language | None = None) -> None:
        self.loaded = loaded
        self.inline = inline
        self.draw_chart = draw_chart
        self.target = target
        self.warnings = warnings
        #: False for a style that draws no figures (the memo): references print as plain text.
        self.show = show
        #: The style's citation mode: a note number after a source's name, or "(Author 2014)".
        self.citations = citations
        self.language = language or english()
        self.placed: set[tuple[str, str]] = set()
        self.pending: list[tuple[str, str]] = []
        self.numbers = loaded.brief.exhibit_numbers()

    def reference(self, kind: str, exhibit_id: str) -> Markup:
        """`@fig:id` in the text: "Figure 2", linked to the figure, which waits to be placed
        after the block being rendered (`place_pending`)."""
        number = self.numbers.get((kind, exhibit_id))
        if number is None:  # validation refuses unknown references; plain text if one slips by
            return Markup("@{}:{}").format(kind, exhibit_id)
        label = f"{self._word(kind)}\u00a0{number}"
        if not self.show:
            return Markup("{}").format(label)
        if (kind, exhibit_id) not in self.placed:
            self.pending.append((kind, exhibit_id))
        return Markup('<a class="xref" href="#{}-{}">{}</a>').format(kind, exhibit_id, label)

    def place(self, kind: str, exhibit_id: str) -> Markup:
        """The exhibit's HTML, the first time it is asked for; nothing after that."""
        if (kind, exhibit_id) in self.placed or not self.show:
            return Markup("")
        self.placed.add((kind, exhibit_id))
        return self._figure(exhibit_id) if kind == "fig" else self._table(exhibit_id)

    def place_pending(self) -> Markup:
        """The exhibits referred to since the last call and not drawn yet: the renderer asks
        after each paragraph or list, a template after a list it renders item by item."""
        pending, self.pending = self.pending, []
        return Markup("").join(self.place(kind, name) for kind, name in pending)

    def unplaced(self) -> Markup:
        """Every figure and table not drawn yet, in number order."""
        return Markup("").join(self.place(kind, name) for kind, name in self.numbers)

    def _figure(self, figure_id: str) -> Markup:
        figure = next(f for f in self.loaded.brief.figures if f.id == figure_id)
        rows = self.loaded.exhibits.rows.get(figure_id, [])
        if figure.chart is not None:
            svg, warnings = self.draw_chart(figure, rows)
            self.warnings.extend(warnings)
            body = Markup('<div class="exhibit-chart">{}</div>').format(Markup(svg))
            data = (_data_table(rows, [], self.language) if self.target == "html"
                    else Markup(""))
            if data:
                data = Markup('<details class="exhibit-data"><summary>{}</summary>{}'
                              "</details>").format(self.language.labels["figure_data"], data)
        else:
            body, data = self._image(figure), Markup("")
        return self._frame("fig", figure, Markup("{}{}").format(body, data))

    def _image(self, figure: Figure) -> Markup:
        path = self.loaded.exhibits.images[figure.id]
        uri, problem = image_data_uri(path.read_bytes(), media_type(path))
        if uri is None:
            self.warnings.append(f"figure '{figure.id}': image {figure.image!r} refused: "
                                 f"{problem}")
            return Markup('<p class="missing-image">[{}]</p>').format(
                fill(str(self.language.labels["image_not_included"]), alt=figure.alt))
        return Markup('<div class="exhibit-image"><img src="{}" alt="{}"></div>').format(
            uri, figure.alt)

    def _table(self, table_id: str) -> Markup:
        table = next(t for t in self.loaded.brief.tables if t.id == table_id)
        rows = self.loaded.exhibits.rows.get(table_id, [])
        return self._frame("tbl", table, _data_table(rows, table.columns, self.language))

    def _frame(self, kind: str, exhibit: Figure | Table, body: Markup) -> Markup:
        number = self.numbers[(kind, exhibit.id)]
        caption = (Markup(' <span class="exhibit-caption">{}</span>').format(
            self.inline(exhibit.caption)) if exhibit.caption else Markup(""))
        foot = Markup("")
        if exhibit.cite:
            foot += Markup('<p class="exhibit-source"><span class="exhibit-foot-label">{}:'
                           "</span> {}</p>").format(self.language.labels["source"],
                                                    self._sources(exhibit.cite))
        if exhibit.notes:
            foot += Markup('<p class="exhibit-notes"><span class="exhibit-foot-label">{}:'
                           "</span> {}</p>").format(self.language.labels["note"],
                                                    self.inline(exhibit.notes))
        return Markup(
            '<figure class="exhibit exhibit-{kind_class}" id="{kind}-{id}">'
            '<figcaption><span class="exhibit-label">{label}\u00a0{number}.</span> '
            '<span class="exhibit-title">{title}</span>{caption}</figcaption>'
            '{body}{foot}</figure>\n'
        ).format(kind_class="figure" if kind == "fig" else "table", kind=kind, id=exhibit.id,
                 label=self._word(kind), number=number, title=self.inline(exhibit.title),
                 caption=caption, body=body,
                 foot=Markup('<div class="exhibit-foot">{}</div>').format(foot) if foot else "")


    def _word(self, kind: str) -> str:
        return str(self.language.labels[LABELS[kind]])

    def _sources(self, cite: str) -> Markup:
        """A "Source:" line names its sources, then cites them as the style does; in
        author-date styles the citation names them already."""
        cited = self.inline(cite)
        if self.citations == "author-date":
            return cited
        names = [source.short_title or source.title
                 for source in map(self.loaded.brief.source, self._cited_ids(cite)) if source]
        return Markup("{}{}").format("; ".join(names), cited)

    @staticmethod
    def _cited_ids(cite: str) -> list[str]:
        return list(dict.fromkeys(c.source_id for c in find_citations(cite)))


def _data_table(rows: list[Row], columns: list[Column], language: Language) -> Markup:
    """Rows as an HTML table: a header row, numbers right-aligned and formatted as asked."""
    if not rows:
        return Markup("")
    shown = columns or [Column(name=name) for name in rows[0]]
    aligns = [cell_align(c, rows, language) for c in shown]  # once per column, not rows × columns
    head = Markup("").join(
        Markup('<th scope="col" class="{}">{}</th>').format(align, c.title or c.name)
        for c, align in zip(shown, aligns, strict=True))
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(Markup("").join(
            Markup('<td class="{}">{}</td>').format(align, cell_text(row.get(c.name), c, language))
            for c, align in zip(shown, aligns, strict=True)))
        for row in rows)
    return Markup('<table class="data-table"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
                  "</table>").format(head, body)


def cell_align(column: Column, rows: list[Row], language: Language) -> str:
    """`align-right` for a column of numbers (as the language writes them), else as asked or
    `align-left`: the Word edition aligns its tables by the same rule."""
    if column.align:
        return f"align-{column.align}"
    numeric = all(number(row.get(column.name), language.tag) is not None for row in rows
                  if row.get(column.name) not in (None, ""))
    return "align-right" if numeric else "align-left"


def cell_text(value: object, column: Column, language: Language) -> str:
    """As written, unless the column asks for a number format: then as the brief's language
    writes numbers (1,416.5 or 1 416,5; 57% or 57 %)."""
    if value is None:
        return ""
    amount = number(value, language.tag)
    if amount is None or column.format in (None, "text"):
        return str(value)
    if column.format == "integer":
        return language.number(round(amount), 0)
    if column.format == "percent":
        return language.percent(amount, column.decimals or 0)
    return language.number(amount, 1 if column.decimals is None else column.decimals)

