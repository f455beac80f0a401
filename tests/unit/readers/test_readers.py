"""Reader contract (every registered reader, same checks) and per-format behaviour on small fixtures we wrote."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from helpers import FIXTURES_DIR

from mtaudit.pipeline import AuditConfig
from mtaudit.pipeline.stages import load_and_prepare, start_reader
from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers import READERS, read_document, reader_for
from mtaudit.readers.text import attach_source
from mtaudit.segmenter import split_segment

FIXTURES = FIXTURES_DIR

# One fixture per registered reader; a reader added without one fails test_every_reader_has_a_fixture.
CONTRACT = {
    "text": "article.txt",
    "markdown": "article.md",
    "html": "article.html",
    "jsonl": "segments.jsonl",
    "tsv": "segments.tsv",
    "csv": "segments.csv",
    "xliff": "story12.xlf",
    "sdlxliff": "story.sdlxliff",
    "mqxliff": "story.mqxliff",
    "po": "story.po",
    "tmx": "memory.tmx",
}
EXTRA = [("xliff", "story20.xlf")]

_CODE = re.compile(r"<(bpt|ept|ph|it|ut)\b[^>]*>.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def without_tags(markup: str) -> str:
    """Markup with inline tags (and the native code inside placeholder tags) removed and escapes decoded."""
    return html.unescape(_TAG.sub("", _CODE.sub("", markup)))


# Formats whose markup is XML: characters may be escaped there, and removing tags gives back the text.
XML_FORMATS = {"xliff", "sdlxliff", "mqxliff", "tmx"}


def char_at(markup: str, offset: int, xml: bool) -> str:
    """The character whose representation starts at ``offset`` (a literal character or an ``&...;`` escape)."""
    if xml and markup[offset] == "&":
        end = markup.index(";", offset)
        return html.unescape(markup[offset : end + 1])
    return markup[offset]


def _words(markup: str) -> list[str]:
    """The words an HTML fragment shows (tags removed, escapes decoded, <br> and whitespace runs as breaks)."""
    return without_tags(re.sub(r"<br\b[^>]*>", " ", markup)).split()


def test_every_reader_has_a_fixture():
    assert set(CONTRACT) == set(READERS)


@pytest.mark.parametrize("name, fixture", [*CONTRACT.items(), *EXTRA])
def test_reader_contract(name, fixture):
    path = FIXTURES / fixture
    reader = reader_for(path)
    assert reader.name == name, "the extension must choose this reader"
    doc = read_document(path)
    assert doc.format == name and doc.path == str(path) and doc.error is None
    assert doc.segments, "a fixture with text must give segments"
    ids = [s.id for s in doc.segments]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(set(ids)) == len(ids), "segment ids must be unique"
    for segment in doc.segments:
        assert segment.target and segment.target == segment.target.strip()
        n = len(segment.target)
        if segment.markup is None:
            assert segment.markup_offsets is None
            assert segment.markup_span(0, n) == (0, n)
        else:
            offsets = segment.markup_offsets
            assert len(offsets) == n + 1
            assert all(a < b for a, b in zip(offsets, offsets[1:])), "offsets strictly increase"
            assert offsets[-1] <= len(segment.markup)
            for i, ch in enumerate(segment.target):
                found = char_at(segment.markup, offsets[i], name in XML_FORMATS or name == "html")
                if name == "html" and ch.isspace():  # a collapsed run of whitespace, or a <br>
                    assert found.isspace() or segment.markup.startswith("<br", offsets[i]), (segment.id, i)
                else:
                    assert found == ch, (segment.id, i)
            start, end = segment.markup_span(0, n)
            if name in XML_FORMATS:
                assert without_tags(segment.markup[start:end]) == segment.target
            elif name == "html":
                assert _words(segment.markup[start:end]) == _words(segment.target)
        split_segment(segment)
        assert segment.sentences
        previous_end = 0
        for sentence in segment.sentences:
            assert previous_end <= sentence.start < sentence.end <= n
            assert segment.target[sentence.start : sentence.end] == sentence.text == sentence.text.strip()
            start, end = segment.markup_span(sentence.start, sentence.end)
            if segment.markup_offsets is not None:  # every character of the sentence lies inside its markup span
                assert all(start <= segment.markup_offsets[i] < end for i in range(sentence.start, sentence.end))
            if segment.markup is None or name in XML_FORMATS:
                shown = without_tags((segment.markup or segment.target)[start:end])
                assert shown.strip() == sentence.text, "a sentence's markup span shows that sentence"
            elif name == "html":
                assert _words(segment.markup[start:end]) == _words(sentence.text)
            previous_end = sentence.end


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_has_help_and_extensions(name):
    reader = READERS[name]
    assert reader.name == name and reader.extensions and reader.help()


# --- format override -------------------------------------------------------------------------------------------

def test_format_overrides_extension(tmp_path):
    path = tmp_path / "export.data"
    path.write_text('{"target": "The strike is over."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown file type"):
        read_document(path)
    doc = read_document(path, "jsonl")
    assert [s.target for s in doc.segments] == ["The strike is over."]


@pytest.mark.parametrize("fmt, message", [("docx", "unknown format 'docx'"), ("text:fr", "takes no language")])
def test_bad_format_names(fmt, message):
    with pytest.raises(InputError, match=message):
        reader_for("a.txt", fmt)


# --- text ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, paragraphs", [
    ("Headline here\n\nFirst paragraph. Second sentence.\n\nLast one.\n",
     ["Headline here", "First paragraph. Second sentence.", "Last one."]),
    ("One line per paragraph\nSecond paragraph.\nThird.\n", ["One line per paragraph", "Second paragraph.", "Third."]),
    ("Windows lines\r\n\r\nNext paragraph\r\nstill the same one.\r\n",
     ["Windows lines", "Next paragraph\nstill the same one."]),
    ("  \n\n   Indented headline  \n \t \n\n\nBody.  ", ["Indented headline", "Body."]),
])
def test_text_paragraphs(tmp_path, content, paragraphs):
    path = tmp_path / "a.txt"
    path.write_bytes(content.encode())
    doc = read_document(path)
    assert [s.target for s in doc.segments] == paragraphs
    assert [s.id for s in doc.segments] == [str(i) for i in range(1, len(paragraphs) + 1)]


# --- Markdown --------------------------------------------------------------------------------------------------

def test_markdown_article():
    doc = read_document(FIXTURES / "article.md")
    assert [s.target for s in doc.segments] == [
        "Port workers in Valmora end three-week strike",
        "By Anna Lind | The Coast Courier",
        "VALMORA – Dock workers at the port of Valmora returned to work on Tuesday after the union accepted a pay "
        "rise of 6.5 percent.",
        '"We have got what we came for," union leader Teodor Halvik told reporters. "The members voted clearly."',
        "The agreement:",
        "runs until 2027;\ncovers all 3,400 dock workers at the Valmora and Ostra terminals.",
        "Reporting by Anna Lind; editing by Piet Moor",
    ]
    byline = doc.segments[1]
    start = byline.target.index("The Coast")
    a, b = byline.markup_span(start, len(byline.target))
    assert byline.markup[a:b] == "The Coast Courier"
    assert byline.markup == "*By Anna Lind* | [The Coast Courier](https://courier.example/world)"


@pytest.mark.parametrize("markdown, text", [
    ("## Port strike ends ##", "Port strike ends"),
    ("Headline\n========", "Headline"),
    ("See [the report](https://x.example/a \"Report\") and ![chart](c.png) now.", "See the report and now."),
    ("Use `snake_case_names` like file_name_here.", "Use snake_case_names like file_name_here."),
    ("Price is 5 * 3 * 2 and 4*5.", "Price is 5 * 3 * 2 and 4*5."),
    ("A \\*literal\\* star.", "A *literal* star."),
    ("1. One\n2) Two\n+ Three", "One\nTwo\nThree"),
    ("Under_score, __bold__ and _italic_.", "Under_score, bold and italic."),
    ("<https://courier.example> reports ~~no~~ yes.", "https://courier.example reports no yes."),
    ("AT&T shares rose 5% to $12.", "AT&T shares rose 5% to $12."),
])
def test_markdown_syntax_removed(tmp_path, markdown, text):
    path = tmp_path / "a.md"
    path.write_text(markdown, encoding="utf-8")
    segments = read_document(path).segments  # a file without blank lines has one paragraph per line
    assert "\n".join(s.target for s in segments) == text
    for segment in segments:
        if segment.markup is not None:
            assert all(segment.markup[segment.markup_offsets[i]] == ch for i, ch in enumerate(segment.target))


def test_markdown_rule_only_paragraph_dropped(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("First.\n\n***\n\nSecond.", encoding="utf-8")
    assert [(s.id, s.target) for s in read_document(path).segments] == [("1", "First."), ("2", "Second.")]


# --- HTML ------------------------------------------------------------------------------------------------------

def test_html_article_blocks():
    doc = read_document(FIXTURES / "article.html")
    assert [s.target for s in doc.segments] == [
        "Port workers in Valmora end three-week strike after pay deal",
        "By Anna Lind & Piet Moor",
        "VALMORA – Dock workers at the port of Valmora returned to work on Tuesday after the union accepted a pay "
        "rise of 6.5 percent.",
        "Cranes stand idle at the port of Valmora. Photo: Ines Baro",
        "\"We have got what we came for,\" union leader Teodor Halvik told reporters.\n\"The members voted clearly.\"",
        "The port authority said it expected the backlog to be cleared by the end of the month.",
        "The agreement runs until 2027, the union said.",
    ]
    text = "\n".join(s.target for s in doc.segments)
    for furniture in ("analytics", "font-family", "Business", "Home", "Related", "Shipping rates", "Subscribe",
                      "Email", "Tags", "All rights reserved", "Coast Courier"):
        assert furniture not in text


@pytest.mark.parametrize("page, blocks", [
    ("<html><body><h1>Headline</h1><div>Bare text <b>bold</b><p>inner</p>tail</div></body></html>",
     ["Headline", "Bare text bold", "inner", "tail"]),
    ("<h1>Above the article</h1><article><p>Body.</p></article>", ["Above the article", "Body."]),
    ("<header><h1>Site name</h1></header><main><p>No headline of its own.</p></main>",
     ["Site name", "No headline of its own."]),
    ("<body><nav><h1>Menu</h1></nav><p>Text only.</p></body>", ["Text only."]),
    ("<article><p>Teaser.</p></article><article><h1>Story</h1><p>The long story body text.</p></article>"
     "<aside><article><p>A related story with a much longer teaser text than the story.</p></article></aside>",
     ["Story", "The long story body text."]),
    ("<p>Tab\tand\n\nnewlines   collapse</p><pre>keep\n  this</pre>", ["Tab and newlines collapse", "keep\n  this"]),
    ("<ul><li>First point</li><li><p>Second point</p></li></ul><table><tr><td>Cell</td></tr></table>",
     ["First point", "Second point", "Cell"]),
    ("<p>&lt;script&gt; is text here &amp; stays</p><script>var x = '<p>not text</p>';</script>",
     ["<script> is text here & stays"]),
])
def test_html_blocks(tmp_path, page, blocks):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert [s.target for s in read_document(path).segments] == blocks


def test_html_markup_offsets_map_findings_back_into_the_page(tmp_path):
    """Inline tags, escapes, <br> and collapsed whitespace: every text span maps back to its HTML."""
    path = tmp_path / "page.html"
    path.write_text("<html><body><article><h1>Strike <em>ends</em></h1>\n<p>The union accepted a <b>pay rise</b> "
                    "of 6,5 percent,\n   said <a href=\"/p?id=1&amp;x=2\" data-x>Teodor Halvik</a> &amp; "
                    "co.<br>He said so.</p><p>Plain text.</p></article></body></html>", encoding="utf-8")
    doc = read_document(path)
    headline, body, plain = doc.segments
    assert (headline.target, headline.markup) == ("Strike ends", "Strike <em>ends</em>")
    assert body.target == ("The union accepted a pay rise of 6,5 percent, said Teodor Halvik & co.\nHe said so.")
    assert plain.markup is None and plain.markup_offsets is None

    def html_of(segment, text):
        start = segment.target.index(text)
        a, b = segment.markup_span(start, start + len(text))
        return segment.markup[a:b]

    assert html_of(body, "pay rise") == "pay rise</b>"
    assert html_of(body, "percent, said") == "percent,\n   said"
    assert html_of(body, "Teodor Halvik & co.") == "Teodor Halvik</a> &amp; co."
    assert html_of(body, "co.\nHe") == "co.<br>He"
    assert body.markup.startswith('The union accepted a <b>pay rise</b>') and 'href="/p?id=1&amp;x=2" data-x>' \
        in body.markup
    # a finding of the numbers detector, mapped back into the paragraph's HTML
    from mtaudit.pipeline import prepare
    from mtaudit.detectors.numbers import NumbersDetector

    prepare(doc, [NumbersDetector()])
    sentence, finding = next((s, f) for s in doc.sentences() for f in s.findings)
    a, b = body.markup_span(sentence.start + finding.start, sentence.start + finding.end)
    assert sentence.text[finding.start:finding.end].startswith("6,5") and \
        body.markup[a:b] == sentence.text[finding.start:finding.end]


def test_html_meta_charset():
    doc = read_document(FIXTURES / "hostile" / "windows1252.html")
    assert [s.target for s in doc.segments] == ["Grève à Valmora", "“Nous avons gagné”, a dit le syndicat – mardi."]


# --- JSONL -----------------------------------------------------------------------------------------------------

def test_jsonl_fields_and_default_ids():
    doc = read_document(FIXTURES / "segments.jsonl")
    assert [s.id for s in doc.segments] == ["s1", "s2", "3", "4"]
    first = doc.segments[0]
    assert first.source == "瓦尔莫拉港口工人结束罢工。"
    assert first.reference == "Port workers in Valmora end their strike."
    assert doc.segments[1].reference is None and doc.segments[3].source is None
    assert doc.warnings == []


def test_jsonl_bad_line_is_reported_and_rest_read():
    doc = read_document(FIXTURES / "bad_line.jsonl")
    assert [s.id for s in doc.segments] == ["a", "c"]
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("line 2: not valid JSON")


@pytest.mark.parametrize("line, problem", [
    ('["a list"]', "a JSON list, not an object"),
    ('{"source": "Quelle"}', 'no "target" field (fields: source)'),
    ('{"target": 42}', '"target" is a int, not a string'),
    ('{"target": "ok", "source": ["x"]}', '"source" is a list'),
    ('{"target": "   "}', "empty target"),
    ('{"id": {"a": 1}, "target": "x"}', '"id" must be a string or a number'),
])
def test_jsonl_line_problems(tmp_path, line, problem):
    path = tmp_path / "a.jsonl"
    path.write_text('{"target": "A good line."}\n' + line + "\n", encoding="utf-8")
    doc = read_document(path)
    assert [s.target for s in doc.segments] == ["A good line."]
    assert doc.warnings[0].startswith("line 2: ") and problem in doc.warnings[0]


def test_jsonl_all_lines_bad_fails_the_file(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("not json\n{also not\n", encoding="utf-8")
    with pytest.raises(InputError, match="no usable line: line 1: not valid JSON"):
        read_document(path)


def test_jsonl_duplicate_ids_made_unique(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "7", "target": "One."}\n{"id": "7", "target": "Two."}\n', encoding="utf-8")
    doc = read_document(path)
    assert [s.id for s in doc.segments] == ["7", "7#2"]
    assert "occurs more than once" in doc.warnings[0]


# --- TSV / CSV -------------------------------------------------------------------------------------------------

def test_tsv_columns_and_quotes_kept():
    doc = read_document(FIXTURES / "segments.tsv")
    assert [s.id for s in doc.segments] == ["1", "2", "3"]
    assert doc.segments[1].target == '"We agreed," the union said.'
    assert doc.segments[0].reference == "Dock workers end their strike."
    assert doc.segments[1].reference is None


def test_csv_quoting():
    doc = read_document(FIXTURES / "segments.csv")
    assert [s.target for s in doc.segments] == [
        "The port workers end the strike, the union said.", '"We agreed," the union said.',
        "More than 40 ships lay firmly."]
    assert doc.segments[2].source == "Mehr als 40 Schiffe lagen fest."


def test_tsv_missing_target_column_names_the_columns():
    with pytest.raises(InputError) as caught:
        read_document(FIXTURES / "missing_column.tsv")
    message = str(caught.value)
    assert 'no "target" column (columns: id, source, translation)' in message and "line 1" in message


def test_tsv_without_id_column_uses_line_numbers(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("Target\tsource\nFirst row.\tErste.\n\nShort row\nThird row.\tDritte.\n", encoding="utf-8")
    doc = read_document(path)
    assert [(s.id, s.target, s.source) for s in doc.segments] == [
        ("2", "First row.", "Erste."), ("4", "Short row", None), ("5", "Third row.", "Dritte.")]


def test_tsv_short_row_warns(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("id\tsource\ttarget\n1\tnur Quelle\n2\tQuelle\tTarget text.\n", encoding="utf-8")
    doc = read_document(path)
    assert [s.id for s in doc.segments] == ["2"]
    assert doc.warnings == ["line 2: 2 columns, no target; row skipped"]


# --- XLIFF -----------------------------------------------------------------------------------------------------

def _span(segment: Segment, text: str) -> str:
    start = segment.target.index(text)
    a, b = segment.markup_span(start, start + len(text))
    return segment.markup[a:b]


def test_xliff12_units_tags_and_languages():
    doc = read_document(FIXTURES / "story12.xlf")
    assert (doc.source_lang, doc.target_lang) == ("de-DE", "en-GB")
    assert [s.id for s in doc.segments] == ["headline", "lead", "quote", "nested"]
    by_id = {s.id: s for s in doc.segments}
    assert by_id["headline"].markup is None
    lead = by_id["lead"]
    assert lead.target == "VALMORA – The dock workers returned on Tuesday & the cranes moved again."
    assert lead.source == "VALMORA – Die Hafenarbeiter kehrten am Dienstag zurück."
    assert _span(lead, "&") == "&amp;"
    # a span runs from its first character to where the next one begins: closing tags in between come with it
    assert _span(lead, "cranes moved") == 'cranes <mrk mtype="term">moved</mrk>'
    quote = by_id["quote"]
    assert quote.target == '"We have got what we wanted," said Teodor Halvik. He smiled.'
    assert _span(quote, "Teodor Halvik") == 'Teodor Halvik<ept id="1">&lt;/b&gt;</ept>'
    assert _span(quote, "Halvik. He") == 'Halvik<ept id="1">&lt;/b&gt;</ept>.<x id="2"/> He'
    assert by_id["nested"].target == "The agreement is valid until 2027."
    assert doc.warnings == ["1 unit without a translation skipped"]


def test_xliff20_segments_and_tags():
    doc = read_document(FIXTURES / "story20.xlf")
    assert (doc.source_lang, doc.target_lang) == ("fr", "en")
    assert [s.id for s in doc.segments] == ["u1::s1", "u1::s2", "u2"]
    raise_, deal = doc.segments[1], doc.segments[2]
    assert raise_.target == "The union accepted a raise of 6.5%."
    assert raise_.source == "Le syndicat a accepté une hausse de 6,5 %."
    assert _span(raise_, "accepted a raise") == 'accepted <pc id="1" dataRefStart="d1">a raise'
    assert deal.target == "According to Teodor Halvik, the deal runs until 2027."
    assert _span(deal, "Teodor Halvik,") == 'Teodor Halvik<ec startRef="3"/>,'
    assert doc.warnings == ["1 segment without a translation skipped"]


def test_sdlxliff_mrk_segments():
    doc = read_document(FIXTURES / "story.sdlxliff")
    assert (doc.source_lang, doc.target_lang) == ("zh-CN", "en-US")
    assert [(s.id, s.target, s.source) for s in doc.segments] == [
        ("1", "Valmora port workers end strike.", "瓦尔莫拉港口工人结束罢工。"),
        ("2", "The union accepted the pay rise.", "工会接受了加薪。"),
        ("3", "Halvik said the agreement is valid until 2027.", "哈尔维克说，协议有效期至2027年。"),
    ]
    assert doc.segments[1].markup == 'The union accepted <g id="pt1">the pay rise</g>.'
    assert doc.warnings == ["1 unit without a translation skipped"]


def test_mqxliff_tags():
    doc = read_document(FIXTURES / "story.mqxliff")
    assert (doc.source_lang, doc.target_lang) == ("deu", "eng")
    assert [s.id for s in doc.segments] == ["1", "2"]
    chairman = doc.segments[1]
    assert chairman.target == "The chairman Teodor Halvik spoke of a success."
    assert _span(chairman, "The chairman Teodor") == 'The chairman <bpt id="1" ctype="bold">{}</bpt>Teodor'


def test_xliff_segmented_unit_outside_sdl(tmp_path):
    path = tmp_path / "okapi.xlf"
    path.write_text(
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
        'source-language="en" target-language="fr" datatype="x"><body><trans-unit id="tu1"><source>A. B.</source>'
        '<seg-source><mrk mtype="seg" mid="0">A.</mrk> <mrk mtype="seg" mid="1">B.</mrk></seg-source>'
        '<target><mrk mtype="seg" mid="0">Un.</mrk> <mrk mtype="seg" mid="1">Deux.</mrk></target></trans-unit>'
        '</body></file></xliff>', encoding="utf-8")
    doc = read_document(path)
    assert [(s.id, s.target, s.source) for s in doc.segments] == [("0", "Un.", "A."), ("1", "Deux.", "B.")]


def test_xliff_duplicate_ids_across_files(tmp_path):
    unit = '<trans-unit id="1"><source>a</source><target>{}</target></trans-unit>'
    files = "".join(f'<file original="f{i}" source-language="de" target-language="en" datatype="x"><body>'
                    f'{unit.format(text)}</body></file>' for i, text in enumerate(["One.", "Two."]))
    path = tmp_path / "two.xlf"
    path.write_text(f'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">{files}</xliff>')
    doc = read_document(path)
    # the same id in two <file> elements names two units: each is reported by its file's name, without a warning
    assert [s.id for s in doc.segments] == ["f0::1", "f1::1"] and doc.warnings == []


def test_xliff_ids_qualified_only_where_they_repeat_across_files(tmp_path):
    def file(name, *units):
        body = "".join(f'<trans-unit id="{uid}"><source>a</source><target>{text}</target></trans-unit>'
                       for uid, text in units)
        return (f'<file original="{name}" source-language="de" target-language="en" datatype="x"><body>{body}'
                '</body></file>')
    path = tmp_path / "desk.xlf"
    path.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
                    + file("politics.html", ("head", "Vote today."), ("lead", "Polls open at eight."))
                    + file("sport.html", ("head", "Valmora win."), ("score", "It ended 2-1."), ("score", "Again."))
                    + "</xliff>")
    doc = read_document(path)
    assert [s.id for s in doc.segments] == ["politics.html::head", "lead", "sport.html::head", "score", "score#2"]
    assert [s.unit for s in doc.segments] == [0, 1, 2, 3, 4]
    # files without distinct names are told apart by their position
    path.write_text(path.read_text().replace('original="sport.html"', 'original="politics.html"'))
    assert [s.id for s in read_document(path).segments][:3] == ["file 1::head", "lead", "file 2::head"]


def test_xliff20_ids_repeating_across_files_name_the_file(tmp_path):
    unit = '<unit id="u1"><segment id="s1"><source>a</source><target>{}</target></segment></unit>'
    files = "".join(f'<file id="f{i}"{original}>{unit.format(text)}</file>'
                    for i, (original, text) in enumerate([(' original="a.html"', "One."), ("", "Two.")]))
    path = tmp_path / "two20.xlf"
    path.write_text('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de" trgLang="en">'
                    f'{files}</xliff>')
    assert [s.id for s in read_document(path).segments] == ["a.html::u1::s1", "f1::u1::s1"]


# --- PO --------------------------------------------------------------------------------------------------------

def test_po_plurals_fuzzy_obsolete():
    doc = read_document(FIXTURES / "story.po")
    assert doc.target_lang == "de"
    # id: the entry's number in the file (what a table has room for); key: its gettext identity, msgctxt::msgid
    assert [(s.id, s.key, s.target, s.source) for s in doc.segments] == [
        ("1", "Read the full story", "Lesen Sie die ganze Geschichte", "Read the full story"),
        ("2", "byline::By %(author)s", "Von %(author)s", "By %(author)s"),          # fuzzy: audited
        ("3[0]", "%d comment", "%d Kommentar", "%d comment"),
        ("3[1]", "%d comment", "%d Kommentare", "%d comments"),
    ]                                                                              # obsolete "Druckausgabe": gone
    assert doc.warnings == ["1 entry without a translation skipped"]


def test_po_entries_are_numbered_in_file_order_untranslated_ones_included(tmp_path):
    path = tmp_path / "ui.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "Share"\nmsgstr ""\n\n'
                    'msgctxt "menu"\nmsgid "Print"\nmsgstr "Drucken"\n\nmsgid "Print"\nmsgstr "Drucken"\n',
                    encoding="utf-8")
    doc = read_document(path)
    assert [(s.id, s.key) for s in doc.segments] == [("2", "menu::Print"), ("3", "Print")]


def test_po_malformed(tmp_path):
    path = tmp_path / "bad.po"
    path.write_text('msgid "Open\nmsgstr "Offen"\n', encoding="utf-8")
    with pytest.raises(InputError, match="malformed PO: .*line 1"):
        read_document(path)


# --- TMX -------------------------------------------------------------------------------------------------------

def test_tmx_default_target_is_first_non_source_language():
    doc = read_document(FIXTURES / "memory.tmx")
    assert (doc.source_lang, doc.target_lang) == ("en", "de")
    assert [s.id for s in doc.segments] == ["t1", "t2", "t4"]
    assert doc.segments[0].source == "Port workers in Valmora end their strike."
    assert doc.segments[1].target == "Die Gewerkschaft nahm eine Erhöhung um 6,5 Prozent an."
    assert "holds 2 target languages (de, fr); auditing de" in doc.warnings[0]
    assert doc.warnings[1] == "1 unit without a de variant skipped"


@pytest.mark.parametrize("fmt", ["tmx:fr", "tmx:FR", "tmx:fr-FR"])
def test_tmx_target_language_chosen(fmt):
    doc = read_document(FIXTURES / "memory.tmx", fmt)
    assert doc.target_lang == "fr"
    assert [s.id for s in doc.segments] == ["t1", "t2"]
    rise = doc.segments[1]
    assert rise.target == "Le syndicat a accepté une hausse de 6,5 %."
    assert _span(rise, "6,5 %.") == '6,5 %</hi>.'


def test_tmx_unknown_target_language():
    with pytest.raises(InputError, match=r"has no es variants \(languages: en, de, fr\)"):
        read_document(FIXTURES / "memory.tmx", "tmx:es")


def test_tmx_without_tuid_uses_position(tmp_path):
    path = tmp_path / "m.tmx"
    path.write_text('<tmx version="1.4"><header srclang="*all*"/><body>'
                    '<tu><tuv xml:lang="en"><seg>One.</seg></tuv><tuv xml:lang="it"><seg>Uno.</seg></tuv></tu>'
                    '<tu><tuv xml:lang="en"><seg>Two.</seg></tuv><tuv xml:lang="it"><seg>Due.</seg></tuv></tu>'
                    '</body></tmx>', encoding="utf-8")
    doc = read_document(path)
    assert (doc.source_lang, doc.target_lang) == ("en", "it")
    assert [(s.id, s.target, s.source) for s in doc.segments] == [("1", "Uno.", "One."), ("2", "Due.", "Two.")]


# --- --source pairing ------------------------------------------------------------------------------------------

def _article(tmp_path: Path, name: str, paragraphs: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_attach_source_pairs_paragraphs(tmp_path):
    target = read_document(_article(tmp_path, "en.txt", ["Strike ends", "Workers returned on Tuesday."]))
    source = read_document(_article(tmp_path, "de.txt", ["Streik endet", "Die Arbeiter kehrten am Dienstag zurück."]))
    attach_source(target, source)
    assert [s.source for s in target.segments] == ["Streik endet", "Die Arbeiter kehrten am Dienstag zurück."]


def test_attach_source_mismatch_is_clear(tmp_path):
    target = read_document(_article(tmp_path, "en.txt", ["Strike ends", "Workers returned.", "Ships left."]))
    source = read_document(_article(tmp_path, "de.txt", ["Streik endet", "Die Arbeiter kehrten zurück."]))
    with pytest.raises(InputError) as caught:
        attach_source(target, source)
    message = str(caught.value)
    assert "has 3 paragraphs but its source" in message and "has 2" in message and "\n" not in message


def test_source_option_through_the_pipeline(tmp_path):
    target = _article(tmp_path, "en.txt", ["Strike ends", "Workers returned on Tuesday."])
    source = _article(tmp_path, "de.txt", ["Streik endet", "Die Arbeiter kehrten am Dienstag zurück."])
    start_reader(AuditConfig(detectors=[], source=str(source)))
    doc = load_and_prepare(str(target))
    assert doc.error is None and doc.segments[1].source == "Die Arbeiter kehrten am Dienstag zurück."
    short = _article(tmp_path, "short.txt", ["Streik endet"])
    start_reader(AuditConfig(detectors=[], source=str(short)))
    failed = load_and_prepare(str(target))
    assert "has 2 paragraphs but its source" in failed.error


def test_document_warnings_default_empty():
    assert Document(path="x").warnings == []


@pytest.mark.parametrize("name, content", [
    ("a.jsonl", '{"id": "1", "target": "First\u2028line\x85end\x1c."}\n{"id": "2", "target": "Second."}\n'),
    ("a.tsv", "id\ttarget\n1\tFirst\u2028line\x85end\x1c.\n2\tSecond.\n"),
    ("a.csv", 'id,target\n1,"First\u2028line\x85end\x1c."\n2,Second.\n'),
])
def test_only_line_feeds_end_records(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    doc = read_document(path)
    assert [s.target for s in doc.segments] == ["First\u2028line\x85end\x1c.", "Second."] and doc.warnings == []


# --- segmenter on long and odd input ---------------------------------------------------------------------------

def test_overlong_paragraph_is_cut_between_sentences_not_inside_words():
    sentence = "Dock workers at the port of Valmora returned to work on Tuesday after the union deal. "
    text = sentence * 200  # about 17,000 characters, one paragraph
    segment = Segment(id="1", target=text.strip())
    split_segment(segment)
    assert [s.text for s in segment.sentences] == [sentence.strip()] * 200


def test_overlong_run_without_sentence_ends_is_cut_at_spaces():
    text = " ".join(["harbour"] * 3000)
    segment = Segment(id="1", target=text)
    split_segment(segment)
    assert all(s.text.split(" ") == ["harbour"] * len(s.text.split(" ")) for s in segment.sentences)
    assert sum(len(s.text.split(" ")) for s in segment.sentences) == 3000


@pytest.mark.parametrize("text, sentences", [
    ("Mr. Halvik spoke. The union agreed.", ["Mr. Halvik spoke.", "The union agreed."]),
    ("First line\nsecond line.", ["First line", "second line."]),
    ("“We won.” He smiled. (It was late.)", ["“We won.”", "He smiled.", "(It was late.)"]),
    ("罢工结束了。工会接受了加薪。", ["罢工结束了。", "工会接受了加薪。"]),
    ("Half\u2028way. Done.", ["Half\u2028way.", "Done."]),  # only \n is a hard break
    ("  padded.   ", ["padded."]),
])
def test_segmenter_offsets_on_odd_input(text, sentences):
    segment = Segment(id="1", target=text)
    split_segment(segment, "zh" if "。" in text else "en")
    assert [s.text for s in segment.sentences] == sentences
    assert all(segment.target[s.start:s.end] == s.text for s in segment.sentences)


@pytest.mark.parametrize("text", ["0\x1f1. 0", "Item\x1c2. Next one.", "Done.\x1d\x1e3. Three."])
def test_segmenter_survives_information_separators(text):
    segment = Segment(id="1", target=text)
    split_segment(segment)
    assert segment.sentences and all(segment.target[s.start:s.end] == s.text for s in segment.sentences)


def test_markdown_source_is_read_as_markdown(tmp_path):
    target = tmp_path / "en.md"
    target.write_text("# Strike ends\n\n***\n\nWorkers *returned* on Tuesday.\n", encoding="utf-8")
    source = tmp_path / "de.source"  # an extension no reader claims: read as plain text
    source.write_text("Streik endet\n\nDie Arbeiter kehrten am Dienstag zurück.\n", encoding="utf-8")
    start_reader(AuditConfig(detectors=[], source=str(source)))
    doc = load_and_prepare(str(target))
    assert doc.error is None
    assert [(s.target, s.source) for s in doc.segments] == [
        ("Strike ends", "Streik endet"), ("Workers returned on Tuesday.", "Die Arbeiter kehrten am Dienstag zurück.")]
    source_md = tmp_path / "de.md"
    source_md.write_text("# Streik endet\n\n---\n\nDie Arbeiter kehrten *am Dienstag* zurück.\n", encoding="utf-8")
    start_reader(AuditConfig(detectors=[], source=str(source_md)))
    doc = load_and_prepare(str(target))
    assert [s.source for s in doc.segments] == ["Streik endet", "Die Arbeiter kehrten am Dienstag zurück."]
