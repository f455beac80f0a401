"""Annotated copies change nothing but the notes: for every CAT fixture and for hand-made files that hold what CAT
tools write (several <file> elements, inline codes, empty targets, character references, comments, CDATA, processing
instructions, other encodings and line endings), the copy with exactly the inserted notes and review states taken out
is the input, byte for byte.

Every segment of every file is flagged here (a finding with characters XML must escape), so every unit exercises the
insertion; the copies are written by the real annotators through ``AnnotatedCopies`` and re-read by the real readers.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtaudit.annotate import AnnotatedCopies, copy_paths
from mtaudit.cli import app
from mtaudit.core.document import Category, Document, Finding, Severity
from mtaudit.pipeline import prepare
from mtaudit.readers import read_document
from helpers import FIXTURES_DIR

# ---- what an annotator may insert, and nothing else -------------------------------------------------------------
_XLIFF12_NOTE = r'\s*<(?:\w+:)?note from="mtaudit" priority="\d+" annotates="target">[^<]*</(?:\w+:)?note>'
_XLIFF20_NOTE = r'\s*<note id="mtaudit-\d+" category="mtaudit" priority="\d+" appliesTo="target">[^<]*</note>'
_XLIFF20_HOLDER = r"\s*<notes>\s*</notes>"  # a <notes> the annotator created, once its notes are out
_TMX_NOTE = r"\s*<note>mtaudit[^<]*</note>"
_TMX_PROP = r'\s*<prop type="x-mtaudit-risk">[^<]*</prop>'
# review states: an attribute added to, or a value changed on, a flagged unit's target (segment in XLIFF 2.0)
_STATES = r"""\s(?:state|subState|approved)=(?:"[^"]*"|'[^']*')"""
_PO_COMMENT = r"(?m)^# mtaudit[^\r\n]*\r?\n"
_PO_FUZZY = r"(?m)^#, fuzzy\r?\n|(?<=^#,) fuzzy,|, fuzzy(?=[,\r\n])"


def without_insertions(original: bytes, copy: bytes, kind: str, codec: str = "utf-8", bom: bytes = b"") -> tuple:
    """(the input, the copy with exactly the inserted spans removed), both as bytes in the file's encoding, so a
    test compares them byte for byte. Review states may be added or changed, so they leave both sides."""
    assert copy.startswith(bom) and original.startswith(bom)
    text = copy[len(bom):].decode(codec)
    before = original[len(bom):].decode(codec)
    if kind == "po":
        text = re.sub(_PO_COMMENT, "", text)
        text, before = re.sub(_PO_FUZZY, "", text), re.sub(_PO_FUZZY, "", before)
    elif kind == "tmx":
        text = re.sub(_TMX_PROP, "", re.sub(_TMX_NOTE, "", text))
    else:
        text = re.sub(_XLIFF20_HOLDER, "", re.sub(_XLIFF20_NOTE, "", re.sub(_XLIFF12_NOTE, "", text)))
        text, before = re.sub(_STATES, "", text), re.sub(_STATES, "", before)
    return bom + before.encode(codec), bom + text.encode(codec)


def flag_everything(path: Path) -> Document:
    """``path`` read by its real reader, sentences split, every segment's first sentence given a major finding whose
    message and suggestion hold characters XML must escape and characters Latin-1 cannot encode."""
    doc = prepare(read_document(path, display=str(path)), [])
    for segment in doc.segments:
        sentence = segment.sentences[0]
        sentence.findings.append(Finding("numbers", Category.MISTRANSLATION, Severity.MAJOR, 0,
                                         min(4, sentence.end - sentence.start),
                                         'figure <b>changed</b> & "quoted" \u2248 12\u00a0%', suggestion="a > b"))
        sentence.risk = 5.5
    return doc


def annotate_file(path: Path, outdir: Path, mark_fuzzy: bool = False) -> bytes:
    doc = flag_everything(path)
    assert doc.segments, f"{path.name}: nothing to annotate, the test would prove nothing"
    copies = AnnotatedCopies(copy_paths([str(path)], [str(path)], outdir), mark_fuzzy=mark_fuzzy)
    assert copies.write(doc) is None
    return (outdir / path.name).read_bytes()


def assert_only_notes_added(path: Path, tmp_path: Path, kind: str, codec: str = "utf-8", bom: bytes = b"",
                            mark_fuzzy: bool = False) -> bytes:
    original = path.read_bytes()
    copy = annotate_file(path, tmp_path / "copy", mark_fuzzy)
    assert path.read_bytes() == original  # the input is never written to
    assert copy != original
    before, stripped = without_insertions(original, copy, kind, codec, bom)
    assert stripped == before
    # the translations read back from the copy are the input's
    shown = [(s.id, s.target, s.source, s.markup) for s in read_document(path).segments]
    assert [(s.id, s.target, s.source, s.markup) for s in read_document(tmp_path / "copy" / path.name).segments] \
        == shown
    # annotating the copy replaces the notes: the same bytes as annotating the input
    again = tmp_path / "again" / path.name
    again.parent.mkdir()
    again.write_bytes(copy)
    assert annotate_file(again, tmp_path / "again-copy", mark_fuzzy) == copy
    return copy


# ---- the repository's fixtures ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kind", [("story12.xlf", "xliff"), ("story20.xlf", "xliff"), ("story.sdlxliff", "xliff"),
                                        ("story.mqxliff", "xliff"), ("story.po", "po"), ("memory.tmx", "tmx")])
def test_fixture_copies_differ_only_by_the_notes(tmp_path, name, kind):
    path = tmp_path / name
    path.write_bytes((FIXTURES_DIR / name).read_bytes())
    copy = assert_only_notes_added(path, tmp_path, kind)
    if name == "story.mqxliff":
        # memoQ's tab placeholder stays a character reference (a literal tab in an attribute reads as a space)
        assert b'val="&#x9;"' in copy and b'<target xml:space="preserve"></target>' in copy
    if name == "story.sdlxliff":
        assert b'<mrk mtype="seg" mid="4"></mrk>' in copy
    if name == "story12.xlf":
        assert b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">' in copy


# ---- hand-made files --------------------------------------------------------------------------------------------
XLIFF12_MULTI = """<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by Courier CMS 4.2 -->
<?courier-export batch="17"?>
<xliff version="1.2" xmlns:cms="urn:courier:cms" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="politics.html" source-language="de" target-language="en" datatype="html">
    <header><tool tool-id="cms" tool-name="Courier &amp; Co"/></header>
    <body>
      <trans-unit id="1" approved="yes" cms:slot='lead>top'>
        <source><g id="1">BERLIN</g> – Die Wahl beginnt um 8 Uhr.</source>
        <target state="final" state-qualifier="leveraged-mt"><g id="1">BERLIN</g> – Polls open at 8 a.m.</target>
        <note from="desk"><![CDATA[Check the <time> & the place.]]></note>
        <cms:meta  weight = "2" />
      </trans-unit>
      <!-- a unit the desk added by hand -->
      <trans-unit id="2"><source>Er sagte <bpt id="2">&lt;i&gt;</bpt>ja<ept id="2">&lt;/i&gt;</ept>.<x id="3"/></source><target>He said <bpt id="2">&lt;i&gt;</bpt>yes<ept id="2">&lt;/i&gt;</ept>.<x id="3"/></target></trans-unit>
      <trans-unit id="3">
        <source>Ende.<ph id="4" ctype="x-tab">&#x9;</ph></source>
        <target xml:space="preserve">The end.<ph id="4" ctype="x-tab">&#x9;</ph></target>
      </trans-unit>
      <trans-unit id="4">
        <source>Nicht übersetzt.</source>
        <target xml:space="preserve"></target>
      </trans-unit>
    </body>
  </file>
  <file original="sport.html" source-language="de" target-language="en" datatype="html">
    <body>
      <group id="g1" restype="x-paragraph">
        <trans-unit id="1">
          <source>Valmora gewinnt 2:1.</source>
          <target>Valmora win 2-1.</target>
          <?courier-check done?>
        </trans-unit>
      </group>
    </body>
  </file>
</xliff>
"""

XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" trgLang="en" srcLang="fr" xmlns="urn:oasis:names:tc:xliff:document:2.0">
  <file id="f1" original="greve.html">
    <unit id="u1" name="lead">
      <notes>
        <note id="n1" category="desk">Keep the figure.</note>
      </notes>
      <originalData>
        <data id="d1">&lt;br/&gt;</data>
      </originalData>
      <segment id="s1" state="initial">
        <source>La grève est terminée.<ph id="1" dataRef="d1"/></source>
        <target>The strike is over.<ph id="1" dataRef="d1"/></target>
      </segment>
      <ignorable><source> </source></ignorable>
      <segment id="s2">
        <source>Une hausse de <pc id="2">6,5 %</pc>.</source>
        <target>A raise of <pc id="2">6.5%</pc>.</target>
      </segment>
    </unit>
    <unit id="u2"><segment><source>Fin.</source><target>End.</target></segment></unit>
  </file>
</xliff>
"""

PO = """# Courier newsroom strings.
# Translators: keep it short.
msgid ""
msgstr ""
"Project-Id-Version: courier 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

# Shown under every headline.
#. TRANSLATORS: a byline
#: templates/article.html:30
#, fuzzy, python-format
msgctxt "byline"
msgid "Von %(author)s"
msgstr "By %(author)s"

#: templates/list.html:4
#, python-format
msgid "%d Kommentar"
msgid_plural "%d Kommentare"
msgstr[0] "%d comment"
msgstr[1] "%d comments"

#: templates/article.html:12
msgid ""
"Lesen Sie die ganze "
"Geschichte"
msgstr ""
"Read the whole "
"story"
#: templates/list.html:9
msgid "Teilen"
msgstr "Share"

#~ msgid "Druckausgabe"
#~ msgstr "Print edition"
"""

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header srclang="de" adminlang="en" segtype="sentence" o-tmf="none" datatype="html" creationtoolversion="1" creationtool="courier"/>
  <body>
    <tu tuid="t1" creationdate="20240101T000000Z">
      <note>Checked by the desk.</note>
      <prop type="x-client">Courier</prop>
      <tuv xml:lang="de"><seg>Die Gewerkschaft nahm <bpt i="1" x="1">&lt;b&gt;</bpt>6,5 Prozent<ept i="1">&lt;/b&gt;</ept> an.</seg></tuv>
      <tuv xml:lang="en"><seg>The union accepted <bpt i="1" x="1">&lt;b&gt;</bpt>6.5 percent<ept i="1">&lt;/b&gt;</ept>.<ph x="2">&lt;br/&gt;</ph></seg></tuv>
    </tu>
    <tu><tuv xml:lang="de"><seg>Ende.</seg></tuv><tuv xml:lang="en"><seg>The <hi type="b">end</hi>.</seg></tuv></tu>
  </body>
</tmx>
"""

# a namespace prefix on every element, a DOCTYPE with an internal subset, single-quoted attributes
XLIFF12_PREFIXED = """<?xml version="1.0"?>
<!DOCTYPE xliff PUBLIC "-//XLIFF//DTD XLIFF//EN" "xliff.dtd" [
  <!-- an internal subset with a > in a comment and an attribute list -->
  <!ATTLIST xlf:note from CDATA #IMPLIED>
]>
<xlf:xliff version='1.2' xmlns:xlf='urn:oasis:names:tc:xliff:document:1.2'>
  <xlf:file original='a.html' source-language='de' target-language='en' datatype='html'><xlf:body>
    <xlf:trans-unit id='1'>
      <xlf:source>Hallo.</xlf:source>
      <xlf:target state='translated'>Hello.</xlf:target>
    </xlf:trans-unit>
  </xlf:body></xlf:file>
</xlf:xliff>
"""


@pytest.mark.parametrize("name, text, kind", [("desk.xlf", XLIFF12_MULTI, "xliff"), ("greve.xlf", XLIFF20, "xliff"),
                                              ("prefixed.xlf", XLIFF12_PREFIXED, "xliff"), ("courier.po", PO, "po"),
                                              ("memory.tmx", TMX, "tmx")])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_hand_made_copies_differ_only_by_the_notes(tmp_path, name, text, kind, newline):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    copy = assert_only_notes_added(path, tmp_path, kind)
    if newline == "\r\n":  # inserted lines end as the file's lines do
        assert copy.count(b"\n") == copy.count(b"\r\n")


def test_po_fuzzy_flag_is_added_into_the_entry(tmp_path):
    path = tmp_path / "courier.po"
    path.write_text(PO, encoding="utf-8")
    copy = assert_only_notes_added(path, tmp_path, "po", mark_fuzzy=True).decode("utf-8")
    assert "#, fuzzy, python-format\nmsgctxt" in copy  # already fuzzy: unchanged
    assert "#, fuzzy, python-format\nmsgid \"%d Kommentar\"" in copy
    assert "#: templates/list.html:9\n#, fuzzy\nmsgid \"Teilen\"" in copy
    # translator comments go after the entry's own translator comments, before the extracted ones
    assert re.search(r"# Shown under every headline\.\n# mtaudit: risk [^\n]+\n# mtaudit major [^\n]+\n#\. TRANS", copy)


def test_multi_file_xliff_notes_and_ids_name_the_file(tmp_path):
    path = tmp_path / "desk.xlf"
    path.write_text(XLIFF12_MULTI, encoding="utf-8")
    assert [s.id for s in read_document(path).segments] == ["politics.html::1", "2", "3", "sport.html::1"]
    copy = annotate_file(path, tmp_path / "copy").decode("utf-8")
    # notes go after the unit's core elements, before the extension element, indented like their siblings
    assert re.search(r'<note from="desk">.*?</note>\n        <note from="mtaudit" priority="2" annotates="target">'
                     r'mtaudit: risk 5\.50[^<]*</note>\n        <note from="mtaudit"[^>]*>[^<]*</note>\n'
                     r"        <cms:meta  weight", copy)
    assert "figure &lt;b&gt;changed&lt;/b&gt; &amp; \"quoted\" ≈ 12\u00a0% → a &gt; b" in copy
    assert '<trans-unit id="1" approved="no" cms:slot=\'lead>top\'>' in copy
    assert '<target state="needs-review-translation" state-qualifier="leveraged-mt">' in copy
    assert '<target state="needs-review-translation">He said' in copy


def test_xliff20_notes_join_the_units_notes_or_get_their_own(tmp_path):
    path = tmp_path / "greve.xlf"
    path.write_text(XLIFF20, encoding="utf-8")
    copy = annotate_file(path, tmp_path / "copy").decode("utf-8")
    assert re.search(r'<note id="n1" category="desk">Keep the figure.</note>\n        <note id="mtaudit-1" '
                     r'category="mtaudit" priority="2" appliesTo="target">segment s1: mtaudit: risk', copy)
    assert '<segment id="s1" state="translated" subState="mtaudit:needs-review">' in copy
    assert '<segment id="s2" state="translated" subState="mtaudit:needs-review">' in copy
    assert re.search(r'<unit id="u2"><notes><note id="mtaudit-1" [^>]*>mtaudit: risk[^<]*</note><note [^>]*>'
                     r"[^<]*</note></notes><segment state=\"translated\" subState=\"mtaudit:needs-review\">", copy)


@pytest.mark.parametrize("codec, bom, declared", [
    ("utf-16-le", b"\xff\xfe", "UTF-16"),
    ("utf-16-be", b"\xfe\xff", "UTF-16"),
    ("utf-8", b"\xef\xbb\xbf", "UTF-8"),
    ("iso-8859-1", b"", "ISO-8859-1"),
])
def test_the_inputs_encoding_is_kept(tmp_path, codec, bom, declared):
    path = tmp_path / "desk.xlf"
    text = XLIFF12_MULTI.replace('encoding="UTF-8"', f'encoding="{declared}"').replace(" – ", " - ")
    path.write_bytes(bom + text.encode(codec))
    copy = assert_only_notes_added(path, tmp_path, "xliff", codec, bom)
    if codec == "iso-8859-1":  # what Latin-1 cannot hold becomes a character reference
        assert "&#8776; 12\xa0%".encode(codec) in copy


def test_po_charset_is_kept(tmp_path):
    """A Latin-1 catalogue (its entries ASCII: translate-toolkit 3.20, and so the reader, cannot read Latin-1 letters
    in a catalogue's entries) gets comments Latin-1 can hold."""
    path = tmp_path / "courier.po"
    path.write_bytes(PO.replace("charset=UTF-8", "charset=ISO-8859-1").encode("latin-1"))
    copy = assert_only_notes_added(path, tmp_path, "po", "iso-8859-1")
    # a comment cannot hold a character reference: what Latin-1 lacks is written plainly
    assert '“Shar”: figure <b>changed</b> & "quoted" ≈ 12\u00a0%'.translate(_PLAINLY).encode("latin-1") in copy


_PLAINLY = str.maketrans({"“": '"', "”": '"', "≈": "~", "\u00a0": " "})


def test_cli_copies_differ_only_by_the_notes(tmp_path):
    """The real command line on the hand-made files: the copies hold its findings and nothing else changes."""
    job = tmp_path / "job"
    job.mkdir()
    files = {"desk.xlf": XLIFF12_MULTI.replace("Polls open at 8 a.m.", "Polls open at 9 a.m."),
             "courier.po": PO, "memory.tmx": TMX, "greve.xlf": XLIFF20}
    for name, text in files.items():
        (job / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(job), "--no-model", "--top", "0", "--workers", "1",
                                      "--annotate", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert b"mtaudit: risk" in (tmp_path / "out" / "desk.xlf").read_bytes()  # the changed figure is flagged
    for name in files:
        kind = {"po": "po", "tmx": "tmx"}.get(name.rsplit(".", 1)[1], "xliff")
        before, stripped = without_insertions((job / name).read_bytes(), (tmp_path / "out" / name).read_bytes(), kind)
        assert stripped == before, name
