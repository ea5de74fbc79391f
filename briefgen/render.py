"""A validated brief and a style → one HTML document (for a browser, or for WeasyPrint).

Templates receive the `Brief` model itself plus a few views computed here (sections in the
style's order, the citation formatter); never raw dicts.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from jinja2 import TemplateError, TemplateSyntaxError
from markupsafe import Markup

from . import __version__, safety
from .active_content import remove_active_content
from .content import LoadedBrief, read_text
from .errors import BriefgenError, Problem
from .exhibit_html import DrawChart, Exhibits
from .exhibits import number
from .languages import Language, autonym, english, language_for
from .layout import Rendered
from .markdown import MarkdownRenderer, plain_text
from .model import SECTION_KEYS, Brief, Chart, ExtraSection, Figure, Row
from .references import Citer
from .safety import (
    IMAGE_TYPES,
    REMOTE_SCHEMES,
    RemoteRefused,
    fetch_remote,
    host_allowed,
    image_data_uri,
    media_type,
    parse_allowed_hosts,
    read_capped,
    resolve_inside,
)
from .styles import SHARED_DIR, Style, StyleLibrary, StyleSettings, template_error

Target = Literal["pdf", "html"]
#: Key figures, figures and tables for every style, before the style's own sheets.
EXHIBITS_CSS = "exhibits.css"


@dataclass(frozen=True)
class SectionView:
    """A section as a template walks it: its key, the heading to print, its position."""

    key: str
    heading: str
    number: int
    extra: ExtraSection | None = None

    @property
    def anchor(self) -> str:
        return self.key.replace("_", "-")


def ordered_sections(brief: Brief, settings: StyleSettings,
                     language: Language | None = None) -> list[SectionView]:
    """The style's sections that the brief fills, with extra sections where the author put them.
    A section is headed as the author headed it, else in the catalogue's words for it.

    An extra section follows the section it followed in the source; if the style does not show
    that one, it follows the nearest earlier one the style does show.
    """
    shown = [key for key in settings.sections if brief.has_section(key)]
    views: list[SectionView] = []
    placed: set[str] = set()

    def add_extras_after(key: str | None) -> None:
        for extra in brief.extras_after(key):
            if extra.key not in placed:
                placed.add(extra.key)
                views.append(SectionView(extra.key, extra.title, len(views) + 1, extra))
                add_extras_after(extra.key)

    if settings.show_extras:
        add_extras_after(None)
    for key in shown:
        views.append(SectionView(key, _heading(brief, key, language), len(views) + 1))
        if settings.show_extras:
            add_extras_after(key)
            for hidden in _hidden_keys_after(key, shown):
                add_extras_after(hidden)
    return views


def _heading(brief: Brief, key: str, language: Language | None) -> str:
    if brief.headings.get(key) or language is None:
        return brief.heading(key)
    return str(language.labels.get(key) or brief.heading(key))


def _hidden_keys_after(key: str, shown: list[str]) -> list[str]:
    """Canonical keys after `key` (in the source's reading order, whatever order the style
    prints them in) up to the next shown one: an extra section that followed one of them in
    the source follows `key` on the page."""
    index = SECTION_KEYS.index(key)
    hidden: list[str] = []
    for later in SECTION_KEYS[index + 1 :]:
        if later in shown:
            break
        hidden.append(later)
    return hidden


def render_html(
    loaded: LoadedBrief, style: Style, library: StyleLibrary, target: Target,
    allowed_hosts: tuple[str, ...] = (), allow_scripts: bool = False,
) -> Rendered:
    """Render one brief in one style. For `html` the result is a single self-contained file,
    with no script, event handler, script URL, refresh or base in it unless the project allows
    them (`allow_scripts`); what was removed is warned about.

    Markdown images on an `allowed_hosts` host (`--allow-remote`) stay URLs for the PDF, which
    WeasyPrint fetches under the same rule, and are fetched now and embedded for HTML, so the
    HTML edition still makes no request of its own. Every other remote image is refused."""
    brief = loaded.brief
    settings = style.settings
    hosts = parse_allowed_hosts(allowed_hosts)
    warnings: list[str] = []
    reads: dict[Path, str] = {}
    language = language_for(brief.language, settings.labels)
    if language.missing:
        warnings.append(f"no {brief.language!r} words for {len(language.missing)} labels of "
                        f"the style, printed in English: {', '.join(language.missing)} (give "
                        f"them under labels: {brief.language}: in the style's style.yaml)")
    citer = Citer(brief, settings.citations, language)  # type: ignore[arg-type]
    stylesheets = _contained_sheets(style, "pdf", warnings)
    renderer = MarkdownRenderer(
        cite=citer,
        resolve_image=lambda src: _embed_image(src, loaded.folder, warnings, reads, hosts,
                                               target),
        quotes=language.quotes,
        hug_citations=settings.citations != "author-date",
    )
    exhibits = Exhibits(loaded, renderer.inline, chart_drawer(loaded, settings, language), target,
                        warnings, show=settings.show_figures, citations=settings.citations,
                        language=language)
    renderer.exhibits = exhibits
    context = template_context(loaded, style, target, citer, renderer, exhibits, warnings,
                               language)
    try:
        template = library.environment(style).get_template(style.template_name())
        html = template.render(context)
    except TemplateSyntaxError as error:
        raise template_error(error) from None
    except BriefgenError:
        raise
    except Exception as error:  # raised while the template ran: reported against it
        raise _template_failure(error, style) from error
    if target == "html" and not allow_scripts:
        html, removed = remove_active_content(html)
        warnings.extend(f"removed {what} from the HTML (the project's settings do not allow "
                        "scripts: allow_scripts)" for what in removed)
    return Rendered(
        html=html,
        base_url=loaded.folder,
        stylesheets=[SHARED_DIR / "fonts.css", SHARED_DIR / EXHIBITS_CSS,
                     language_css(language), *stylesheets],
        roots=list(dict.fromkeys([loaded.folder, SHARED_DIR, style.shared, *style.chain])),
        warnings=list(dict.fromkeys(warnings)),
        reads=reads,
        allowed_hosts=hosts,
        unlabelled_images=[_unlabelled_image(loaded, src)
                           for src in dict.fromkeys(renderer.images_without_alt)],
    )


def _unlabelled_image(loaded: LoadedBrief, src: str) -> Problem:
    """The problem of a Markdown image without alt text, at the first line of the brief's
    files that shows it."""
    for path in loaded.files:
        for line_number, line in enumerate(read_text(path).split("\n"), start=1):
            if "![" in line and src in line:
                return _no_alt(src, path, line_number)
    return _no_alt(src, loaded.files[0], None)


def _no_alt(src: str, path: Path, line: int | None) -> Problem:
    return Problem(f"image {src!r} has no alt text, which a PDF/UA document needs for every "
                   "image", file=path, line=line,
                   hint=f"say what it shows between the brackets: ![what it shows]({src}); "
                   "an image that only decorates belongs in the style's CSS")


def chart_drawer(loaded: LoadedBrief, settings: StyleSettings,
                 language: Language | None = None) -> DrawChart:
    """Draws a figure's chart in the style's colours and font (vl-convert is imported only
    for briefs that have charts)."""

    def draw_chart(figure: Figure, rows: list[Row]) -> tuple[str, list[str]]:
        from .charts import ChartError, ChartStyle, chart_spec, draw

        chart = figure.chart
        assert chart is not None
        style = ChartStyle(palette=tuple(settings.charts.palette),
                           font="Noto Sans" if settings.charts.font == "sans" else "Noto Serif",
                           font_dir=SHARED_DIR / "fonts", ink=settings.charts.ink,
                           muted=settings.charts.muted, width=CHART_WIDTH,
                           height=_chart_height(chart, rows),
                           number_marks=(language or english()).number_marks)
        try:
            if chart.vega_lite is not None:
                if "data" in chart.vega_lite:
                    raise ChartError("the spec names data of its own (a url or values); give "
                                     "the rows under the figure's data or csv instead")
                spec = {**chart.vega_lite,
                        "data": {"values": _numbers_in(rows, None, loaded.brief.language)}}
            else:
                spec = chart_spec(chart.type or "bar",
                                  _numbers_in(rows, chart.y, loaded.brief.language),
                                  x=chart.x or "",
                                  y=chart.y or "", series=chart.series, x_title=chart.x_title,
                                  y_title=chart.y_title)
            # WeasyPrint takes an SVG's <title> as the tagged PDF's /Alt: it holds the alt text.
            svg, warnings = draw(spec, style, title=f"{figure.title}: {figure.alt}",
                                 description=figure.alt)
        except ChartError as error:
            raise BriefgenError(f"figure '{figure.id}' cannot be drawn: {error}",
                                file=loaded.files[0], field=f"figures.{figure.id}.chart",
                                hint="see `briefgen help content-format`, Figures") from None
        return svg, [f"figure '{figure.id}': {w}" for w in warnings]

    return draw_chart


#: Pixels across: drawn to the text column's width (about 170 mm), so 11 px text prints at
#: about 9 pt, the size of the captions around it.
CHART_WIDTH = 600


def _chart_height(chart: Chart, rows: list[Row]) -> int:
    """Pixels: bars and dots take a row each (a chart of two bars need not fill half a page);
    lines and full specs get the usual height."""
    if chart.type in (None, "line"):
        return 240
    categories = len({str(row.get(chart.x or "")) for row in rows})
    return min(400, 17 * categories + 32)


def _numbers_in(rows: list[Row], column: str | None, language: str) -> list[Row]:
    """Rows with the numbers people write as text ("1,416", "80%"; "2,5" in Russian) as
    numbers: in `column`, or in every cell that is one when `column` is None."""
    return [{key: (amount if (amount := number(value, language)) is not None
                   and column in (None, key) else value) for key, value in row.items()}
            for row in rows]


def template_context(loaded: LoadedBrief, style: Style, target: Target, citer: Citer,
                     renderer: MarkdownRenderer, exhibits: Exhibits,
                     warnings: list[str], language: Language | None = None
                     ) -> dict[str, object]:
    """Everything a template receives (see docs/templates.md); the sandbox decides what of it
    a template may read or call."""
    brief = loaded.brief
    language = language or english()
    return {
        "brief": brief,
        "style": style.settings,
        "language": language,
        "labels": dict(language.labels),
        "translations": translations(loaded, style, target),
        "sections": ordered_sections(brief, style.settings, language),
        "citer": citer,
        "target": target,
        "css": _inline_css(style, warnings, language) if target == "html" else Markup(""),
        "description": plain_text(brief.executive_summary)[:300],
        "generator": f"briefgen {__version__}",
        "markdown_renderer": renderer,
        "exhibits": exhibits,
    }


def _embed_image(src: str, folder: Path, warnings: list[str], reads: dict[Path, str],
                 allowed_hosts: tuple[str, ...] = (), target: Target = "pdf") -> str | None:
    """A local image under the brief's folder, as a data: URI; an image on an allowed host, as
    its URL for the PDF (WeasyPrint fetches it) or embedded for HTML; anything else is refused."""
    if src.startswith("data:image/"):
        return src
    parts = urlsplit(src)
    if parts.scheme.lower() in REMOTE_SCHEMES and host_allowed(src, allowed_hosts):
        return src if target == "pdf" else _embed_remote(src, warnings, allowed_hosts)
    if parts.scheme or parts.netloc or not parts.path:
        hint = ("its host is not allowed (see --allow-remote)" if allowed_hosts
                else "only files inside the brief's folder are embedded")
        warnings.append(f"image {src!r} refused: {hint}")
        return None
    path = resolve_inside(folder / unquote(parts.path), [folder])
    kind = media_type(path) if path else ""
    data = read_capped(path) if path and kind in IMAGE_TYPES else None
    if data is None:
        warnings.append(
            f"image {src!r} refused: not an image file inside the brief's folder "
            f"(png, jpeg, gif, webp or svg, at most {safety.MAX_RESOURCE_BYTES / 2**20:g} MB)"
        )
        return None
    reads[path] = hashlib.sha256(data).hexdigest()
    return _data_uri(src, data, kind, warnings)


def _data_uri(src: str, data: bytes, kind: str, warnings: list[str]) -> str | None:
    uri, problem = image_data_uri(data, kind)
    if problem:
        warnings.append(f"image {src!r} refused: {problem}")
    return uri


def _embed_remote(src: str, warnings: list[str], allowed_hosts: tuple[str, ...]) -> str | None:
    try:
        fetched = fetch_remote(src, allowed_hosts)
    except RemoteRefused as error:
        warnings.append(f"image {src!r} refused: {error}")
        return None
    if fetched.media_type not in IMAGE_TYPES:
        warnings.append(f"image {src!r} refused: it is {fetched.media_type}, not png, jpeg, "
                        "gif, webp or svg")
        return None
    return _data_uri(src, fetched.data, fetched.media_type, warnings)


def _contained_sheets(style: Style, target: Target,
                      warnings: list[str]) -> list[Path | str]:
    """The style's CSS, keeping only regular files inside the style's own folders: a
    `stylesheets` entry such as `../../x` or `/proc/self/environ`, or a symlink pointing out,
    would otherwise be read (and, for HTML, copied into the output)."""
    sheets: list[Path | str] = []
    for sheet in style.stylesheets(target):
        if isinstance(sheet, Path) and resolve_inside(sheet, style.chain) is None:
            warnings.append(f"stylesheet {str(sheet)!r} refused: not a file inside the style's "
                            "folders")
        else:
            sheets.append(sheet)
    return sheets


def language_css(language: Language) -> str:
    """What the page's language sets in CSS: the page-number label, and ragged-right text
    where no hyphenation dictionary exists (kk): justified lines without hyphens open rivers
    of space. A style that wants it justified anyway says so after this rule."""
    css = language.page_css()
    if not language.hyphenates:
        css += "html[lang] p, html[lang] li { text-align: start; hyphens: manual; }\n"
    return css


def translations(loaded: LoadedBrief, style: Style, target: Target) -> list[dict[str, str]]:
    """The brief's other editions in this style and format, for `hreflang` links: language,
    its own name for itself, and the file beside this one."""
    found = []
    for language, edition in loaded.siblings:
        suffix = f".{edition}" if edition else ""
        found.append({"language": language, "name": autonym(language),
                      # "./": a style named "javascript:x" still links a file
                      "href": f"./{style.name}{suffix}.{target}"})
    return sorted(found, key=lambda item: item["href"])


def _inline_css(style: Style, warnings: list[str], language: Language) -> Markup:
    sheets = [SHARED_DIR / EXHIBITS_CSS, language_css(language),
              *_contained_sheets(style, "html", warnings)]
    css = "\n".join(read_text(sheet) if isinstance(sheet, Path) else sheet for sheet in sheets)
    # CSS cannot legitimately contain "</", and it would end the <style> element early.
    return Markup(css.replace("</", "<\\/"))


def _template_failure(error: Exception, style: Style) -> BriefgenError:
    """A located error for an exception raised while a template ran. If it was raised inside
    briefgen's own code (a filter, a model method), the hint says so: the template may have
    called it correctly, and then the fault is briefgen's."""
    file, line = _template_frame(error)
    kind = type(error).__name__
    message = error.message if isinstance(error, TemplateError) and error.message else str(error)
    origin = _briefgen_frame(error)
    hint = ("fix the template; `briefgen help templates` lists what a template may use"
            if origin is None else
            f"it was raised in briefgen's {origin}: if the template's call is right, this is a "
            "briefgen bug; run again with --debug and report the traceback")
    return BriefgenError(f"template failed ({kind}): {message}", file=file or style.folder,
                         line=line, hint=hint)


def _briefgen_frame(error: Exception) -> str | None:
    """`module.py:line` of the innermost frame, if that frame is briefgen's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return None
    last = Path(frames[-1].filename)
    package = Path(__file__).resolve().parent
    return (f"{last.name}:{frames[-1].lineno}" if last.resolve().is_relative_to(package)
            else None)


def _template_frame(error: Exception) -> tuple[Path | None, int | None]:
    """The innermost template file and line in the traceback (Jinja maps them for us)."""
    found: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (Path(frame.filename), frame.lineno)
    return found
