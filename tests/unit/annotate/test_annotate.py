"""audit --annotate: copies of XLIFF 1.2/2.0, sdlxliff, mqxliff, PO and TMX inputs with the findings as notes, the
unit's risk and a review state. Real files through the real CLI; the copies are re-read with translate-toolkit and
with mtaudit's own readers, and checked against the structure rules of their formats.

No XLIFF schema ships in any installed package (translate-toolkit 3.20 carries none, nor does any Debian package),
so the XLIFF 2.0 and 1.2 rules mtaudit's changes touch are checked explicitly below (element order in a unit, note
attributes, state and subState).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import po as tt_po
from translate.storage import tmx as tt_tmx
from translate.storage import xliff as tt_xliff
from translate.storage import xliff2 as tt_xliff2
from typer.testing import CliRunner

from mtaudit.annotate import AnnotatedCopies, copy_paths
from mtaudit.pipeline import AuditConfig, Auditor
from mtaudit.cli import app
from mtaudit.readers import read_document

runner = CliRunner()
X12 = "urn:oasis:names:tc:xliff:document:1.2"
X20 = "urn:oasis:names:tc:xliff:document:2.0"

# Each file holds a unit with a figure changed in translation (1.23亿 -> "12.3 million"), a clean unit and, where the
# format has several segments per unit, a flagged and a clean segment side by side.
FILES = {
    "job/news.xlf": """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:acme="urn:acme:extensions">
  <file original="factory.docx" source-language="zh-CN" target-language="en-US" datatype="plaintext">
    <body>
      <trans-unit id="t1">
        <source>张立华表示，公司今年将在越南新建两座工厂。</source>
        <target state="translated">Zhang Lihua said the company would build two new factories in Vietnam this year.</target>
      </trans-unit>
      <trans-unit id="t2" approved="yes">
        <source>该项目总投资<g id="1">1.23亿</g>美元。</source>
        <target state="final">The project has a total investment of <g id="1">12.3 million</g> US dollars.</target>
        <note from="editor">Checked by the desk.</note>
        <acme:review by="desk"/>
      </trans-unit>
    </body>
  </file>
</xliff>
""",
    "job/trados/news.sdlxliff": """<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0" xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2" sdl:version="1.0">
  <file original="C:\\Jobs\\factory.docx" datatype="x-sdlfilterframework2" source-language="zh-CN" target-language="en-US">
    <body>
      <trans-unit id="u-1">
        <source>张立华表示，公司今年将新建两座工厂。该项目总投资1.23亿美元。</source>
        <seg-source><mrk mtype="seg" mid="1">张立华表示，公司今年将新建两座工厂。</mrk> <mrk mtype="seg" mid="2">该项目总投资1.23亿美元。</mrk></seg-source>
        <target><mrk mtype="seg" mid="1">Zhang Lihua said the company would build two new factories this year.</mrk> <mrk mtype="seg" mid="2">The project has a total investment of 12.3 million US dollars.</mrk></target>
        <sdl:seg-defs><sdl:seg id="1" conf="Translated" origin="mt"/><sdl:seg id="2" conf="Translated" origin="mt"/></sdl:seg-defs>
      </trans-unit>
    </body>
  </file>
</xliff>
""",
    "job/news.mqxliff": """<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:mq="MQXliff" version="1.2">
  <file original="factory.docx" datatype="x-docx" source-language="zho-CN" target-language="eng" mq:ignore-in-prev="false">
    <body>
      <trans-unit id="1" mq:status="MachineTranslated" xml:space="preserve">
        <source xml:space="preserve">该项目总投资1.23亿美元。</source>
        <target xml:space="preserve">The project has a total investment of <bpt id="1" ctype="bold">{}</bpt>12.3 million<ept id="1">{}</ept> US dollars.</target>
      </trans-unit>
      <trans-unit id="2" mq:status="MachineTranslated" xml:space="preserve">
        <source xml:space="preserve">张立华表示，公司今年将新建两座工厂。</source>
        <target xml:space="preserve">Zhang Lihua said the company would build two new factories this year.</target>
      </trans-unit>
    </body>
  </file>
</xliff>
""",
    "job/news20.xlf": """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" trgLang="en">
  <file id="f1" original="factory.html">
    <unit id="u1">
      <originalData><data id="d1">&lt;br/&gt;</data></originalData>
      <segment id="s1" state="final">
        <source>该项目总投资1.23亿美元。</source>
        <target>The project has a total investment of <pc id="1">12.3 million</pc> US dollars.<ph id="2" dataRef="d1"/></target>
      </segment>
      <ignorable><source> </source></ignorable>
      <segment id="s2">
        <source>张立华表示，公司今年将新建两座工厂。</source>
        <target>Zhang Lihua said the company would build two new factories this year.</target>
      </segment>
    </unit>
    <unit id="u2">
      <notes>
        <note id="n1" category="editor">Headline.</note>
      </notes>
      <segment id="s3">
        <source>该公司去年营收增长了百分之十五。</source>
        <target>The company's revenue grew by 51 percent last year.</target>
      </segment>
    </unit>
  </file>
</xliff>
""",
    "job/news.po": """# Newsroom strings
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#: story.txt:1
msgid "该项目总投资1.23亿美元。"
msgstr "The project has a total investment of 12.3 million US dollars."

#: story.txt:2
msgid "张立华表示，公司今年将新建两座工厂。"
msgstr "Zhang Lihua said the company would build two new factories this year."

#: story.txt:3
msgid "%d factory"
msgid_plural "%d factories"
msgstr[0] "%d factory"
msgstr[1] "%d factories"
""",
    "job/memory.tmx": """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="mt" creationtoolversion="1" segtype="sentence" o-tmf="none" adminlang="en" srclang="zh-CN" datatype="plaintext"/>
  <body>
    <tu tuid="1">
      <prop type="x-client">desk</prop>
      <tuv xml:lang="zh-CN"><seg>该项目总投资1.23亿美元。</seg></tuv>
      <tuv xml:lang="en"><seg>The project has a total investment of 12.3 million US dollars.</seg></tuv>
    </tu>
    <tu tuid="2">
      <tuv xml:lang="zh-CN"><seg>张立华表示，公司今年将新建两座工厂。</seg></tuv>
      <tuv xml:lang="en"><seg>Zhang Lihua said the company would build two new factories this year.</seg></tuv>
    </tu>
  </body>
</tmx>
""",
    "job/plain.txt": "Zhang Lihua said the company would build two new factories this year.\n",
    "job/rows.jsonl": '{"id": "1", "target": "The the company said so.", "source": "公司如是说。"}\n',
}


def _write_job(root: Path) -> Path:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def job(tmp_path):
    return _write_job(tmp_path)


def annotate(root: Path, *extra, out: str = "annotated") -> tuple[object, Path]:
    copies = root / out
    result = runner.invoke(app, ["audit", str(root / "job"), "--no-model", "--top", "0", "--workers", "1",
                                 "--annotate", str(copies), *map(str, extra)], catch_exceptions=False)
    return result, copies


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    """(job folder, its inputs' bytes before the run, the run's result, the folder of annotated copies)."""
    root = _write_job(tmp_path_factory.mktemp("annotate"))
    before = _snapshot(root / "job")
    result, out = annotate(root)
    assert result.exit_code == 0, result.output
    return root, before, result, out


def _snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_cat_file_gets_a_copy_and_inputs_stay_untouched(annotated):
    job, before, result, out = annotated
    assert _snapshot(job / "job") == before
    copies = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert copies == ["memory.tmx", "news.mqxliff", "news.po", "news.xlf", "news20.xlf", "trados/news.sdlxliff"]
    # one notice for the whole run names what was not annotated
    notices = [line for line in result.output.splitlines() if "not annotated" in line]
    assert len(notices) == 1 and "1 jsonl" in notices[0] and "1 text" in notices[0]


def test_copies_hold_the_same_translations(annotated):
    job, _, _, out = annotated
    for name in ("news.xlf", "trados/news.sdlxliff", "news.mqxliff", "news20.xlf", "news.po", "memory.tmx"):
        original = read_document(job / "job" / name)
        copy = read_document(out / name)
        assert [(s.id, s.target, s.source, s.markup) for s in copy.segments] == \
            [(s.id, s.target, s.source, s.markup) for s in original.segments], name


def test_xliff12_flagged_unit_gets_notes_risk_and_review_state(annotated):
    job, _, _, out = annotated
    store = tt_xliff.xlifffile.parsestring((out / "news.xlf").read_bytes())
    clean, flagged = store.units
    assert "mtaudit" not in clean.getnotes() and clean.xmlelement.find(f"{{{X12}}}target").get("state") == "translated"
    notes = flagged.getnotes(origin="mtaudit").splitlines()
    assert re.match(r"mtaudit: risk \d+\.\d\d \(5 ≈ one major error\); \d+ findings? to review", notes[0])
    assert any("[numbers] “12.3 million”" in n and "→ $123 million" in n for n in notes)
    assert "Checked by the desk." in flagged.getnotes(origin="editor")  # the file's own notes stay
    target = flagged.xmlelement.find(f"{{{X12}}}target")
    assert target.get("state") == "needs-review-translation" and flagged.xmlelement.get("approved") != "yes"
    assert _xliff12_problems(out / "news.xlf") == []


def test_sdlxliff_notes_name_the_segment_and_trados_data_stays(annotated):
    job, _, _, out = annotated
    name = "trados/news.sdlxliff"
    assert _xliff12_problems(out / name) == []
    text = (out / name).read_text(encoding="utf-8")
    original = (job / "job" / name).read_text(encoding="utf-8")
    # the segmented source and the Trados segment definitions are byte for byte what they were
    for element in ("seg-source", "sdl:seg-defs"):
        assert re.search(rf"<{element}>.*?</{element}>", text).group() == \
            re.search(rf"<{element}>.*?</{element}>", original).group()
    store = tt_xliff.xlifffile.parsestring(text.encode())
    notes = store.units[0].getnotes(origin="mtaudit")
    assert "(segment 2) major Accuracy/Mistranslation [numbers]" in notes


def test_mqxliff_copy_is_annotated(annotated):
    job, _, _, out = annotated
    store = tt_xliff.xlifffile.parsestring((out / "news.mqxliff").read_bytes())
    assert "[numbers]" in store.units[0].getnotes(origin="mtaudit")
    assert store.units[1].getnotes(origin="mtaudit") == ""
    assert _xliff12_problems(out / "news.mqxliff") == []


def test_xliff20_notes_in_the_unit_and_segment_substate(annotated):
    job, _, _, out = annotated
    data = (out / "news20.xlf").read_bytes()
    assert _xliff20_problems(data) == []
    tt_xliff2.Xliff2File.parsestring(data)  # translate-toolkit reads the copy
    root = etree.fromstring(data)
    u1, u2 = root.iter(f"{{{X20}}}unit")
    notes = [n.text for n in u1.iter(f"{{{X20}}}note")]
    assert notes and notes[0].startswith("mtaudit: risk") and any("“12.3 million”" in n for n in notes)
    s1, s2 = u1.iter(f"{{{X20}}}segment")
    assert (s1.get("state"), s1.get("subState")) == ("translated", "mtaudit:needs-review")
    assert s2.get("state") is None and s2.get("subState") is None
    # a unit with notes of its own keeps them and gains mtaudit's in the same <notes>
    u2_notes = list(u2.find(f"{{{X20}}}notes"))
    assert u2_notes[0].get("category") == "editor" and any("51 percent" in (n.text or "") for n in u2_notes[1:])


def test_po_translator_comments_and_fuzzy_only_when_asked(annotated):
    job, _, _, out = annotated
    store = tt_po.pofile.parsestring((out / "news.po").read_bytes())
    flagged = next(u for u in store.units if "12.3 million" in str(u.target))
    clean = next(u for u in store.units if str(u.target).startswith("Zhang"))
    comments = flagged.getnotes(origin="translator")
    assert comments.startswith("mtaudit: risk") and "[numbers]" in comments
    assert not flagged.isfuzzy() and "mtaudit" not in clean.getnotes(origin="translator")
    _, fuzzy_out = annotate(job, "--mark-fuzzy", out="fuzzy")
    store = tt_po.pofile.parsestring((fuzzy_out / "news.po").read_bytes())
    assert next(u for u in store.units if "12.3 million" in str(u.target)).isfuzzy()
    assert not next(u for u in store.units if str(u.target).startswith("Zhang")).isfuzzy()


def test_tmx_notes_and_risk_property_before_the_variants(annotated):
    job, _, _, out = annotated
    data = (out / "memory.tmx").read_bytes()
    store = tt_tmx.tmxfile.parsestring(data)
    assert "[numbers]" in store.units[0].getnotes() and "mtaudit" not in store.units[1].getnotes()
    for tu in etree.fromstring(data).iter("tu"):
        names = [etree.QName(c).localname for c in tu if isinstance(c.tag, str)]
        first_tuv = names.index("tuv")
        assert set(names[:first_tuv]) <= {"note", "prop"} and set(names[first_tuv:]) == {"tuv"}, names
    risk = etree.fromstring(data).find(".//prop[@type='x-mtaudit-risk']")
    assert float(risk.text) > 0


def test_annotating_an_annotated_copy_replaces_mtaudit_notes(annotated, tmp_path):
    _, _, _, out = annotated
    again = tmp_path / "again"
    result = runner.invoke(app, ["audit", str(out), "--no-model", "--top", "0", "--workers", "1",
                                 "--annotate", str(again)])
    assert result.exit_code == 0, result.output
    for name in ("news.xlf", "trados/news.sdlxliff", "news20.xlf", "news.po", "memory.tmx"):
        assert (again / name).read_text(encoding="utf-8").count("mtaudit: risk") == \
            (out / name).read_text(encoding="utf-8").count("mtaudit: risk"), name
    assert (again / "news.xlf").read_bytes() == (out / "news.xlf").read_bytes()


def test_usage_errors(job):
    result = runner.invoke(app, ["audit", str(job / "job"), "--no-model", "--mark-fuzzy"])
    assert result.exit_code == 2 and "give --annotate" in result.output
    result = runner.invoke(app, ["audit", str(job / "job"), "--no-model", "--annotate", str(job / "job")])
    assert result.exit_code == 2 and "would overwrite an input" in result.output
    other = job / "other"
    other.mkdir()
    shutil.copy(job / "job" / "news.po", other / "news.po")
    with pytest.raises(Exception, match="would both be copied"):
        copy_paths([str(job / "job" / "news.po"), str(other / "news.po")],
                   [str(job / "job" / "news.po"), str(other / "news.po")], job / "out")


def test_a_file_changed_after_the_audit_is_not_annotated(job):
    path = str(job / "job" / "news.po")
    doc = Auditor(AuditConfig()).audit_documents([read_document(path, display=path)])[0]
    copies = AnnotatedCopies(copy_paths([path], [path], job / "out"))
    (job / "job" / "news.po").write_text(FILES["job/news.po"].replace("12.3 million", "123 million"))
    problem = copies.write(doc)
    assert problem and "changed since it was audited" in problem and not (job / "out" / "news.po").exists()


# ---- structure rules of the formats ------------------------------------------------------------------------------
def _xliff12_problems(path: Path) -> list[str]:
    """XLIFF 1.2 trans-unit content: source, seg-source?, target?, then notes (with context/count/prop groups and
    alt-trans in any order), and only then elements of other namespaces; note attributes as the schema has them."""
    problems = []
    for unit in etree.parse(str(path)).iter(f"{{{X12}}}trans-unit"):
        names = [(etree.QName(c).namespace, etree.QName(c).localname) for c in unit if isinstance(c.tag, str)]
        core = [n for ns, n in names if ns == X12]
        if core[: len(core)] and core[0] != "source":
            problems.append(f"{unit.get('id')}: first element {core[0]}")
        first_other = next((i for i, (ns, _) in enumerate(names) if ns != X12), len(names))
        if any(ns == X12 for ns, _ in names[first_other:]):
            problems.append(f"{unit.get('id')}: an XLIFF element after an extension element: {names}")
        heads = [n for n in core if n in ("source", "seg-source", "target")]
        if core[: len(heads)] != heads:
            problems.append(f"{unit.get('id')}: source/seg-source/target not first: {core}")
        for note in unit.iter(f"{{{X12}}}note"):
            if not 1 <= int(note.get("priority", "1")) <= 10 or \
                    note.get("annotates", "general") not in ("source", "target", "general"):
                problems.append(f"{unit.get('id')}: bad note attributes {dict(note.attrib)}")
        target = unit.find(f"{{{X12}}}target")
        if target is not None and target.get("state") not in (None, "final", "needs-adaptation", "needs-l10n",
                                                            "needs-review-adaptation", "needs-review-l10n",
                                                            "needs-review-translation", "needs-translation", "new",
                                                            "signed-off", "translated"):
            problems.append(f"{unit.get('id')}: state {target.get('state')}")
    return problems


def _xliff20_problems(data: bytes) -> list[str]:
    """XLIFF 2.0 core: a unit holds [elements of other namespaces], <notes>?, <originalData>?, then segments and
    ignorables; notes hold notes with unique ids, priority 1-10, appliesTo source|target; a subState needs a state
    and a prefix."""
    problems = []
    for unit in etree.fromstring(data).iter(f"{{{X20}}}unit"):
        order = {"notes": 1, "originalData": 2, "segment": 3, "ignorable": 3}
        ranks = [0 if etree.QName(c).namespace != X20 else order.get(etree.QName(c).localname, 9)
                 for c in unit if isinstance(c.tag, str)]
        if ranks != sorted(ranks) or 9 in ranks or ranks.count(1) > 1 or ranks.count(2) > 1 or 3 not in ranks:
            problems.append(f"{unit.get('id')}: children out of order: {ranks}")
        ids = [n.get("id") for n in unit.iter(f"{{{X20}}}note") if n.get("id")]
        if len(ids) != len(set(ids)):
            problems.append(f"{unit.get('id')}: duplicate note ids {ids}")
        for note in unit.iter(f"{{{X20}}}note"):
            if note.getparent().tag != f"{{{X20}}}notes" or not 1 <= int(note.get("priority", "1")) <= 10 \
                    or note.get("appliesTo", "source") not in ("source", "target"):
                problems.append(f"{unit.get('id')}: bad note {dict(note.attrib)}")
        for segment in unit.iter(f"{{{X20}}}segment"):
            sub = segment.get("subState")
            if sub is not None and (segment.get("state") is None or ":" not in sub):
                problems.append(f"{unit.get('id')}: subState {sub!r} without state or prefix")
            if segment.get("state") not in (None, "initial", "translated", "reviewed", "final"):
                problems.append(f"{unit.get('id')}: state {segment.get('state')}")
    return problems
