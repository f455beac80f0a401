"""Finished documents as the engines deliver them to the CLI (``encode_document``): their lines are the JSONL
writer's, and the terminal summary built from them equals the one built from the records themselves."""
from __future__ import annotations

import json

import pytest
from helpers import SAMPLES, make_doc

from mtaudit.pipeline import AuditConfig, Auditor, discover
from mtaudit.core.document import Document
from mtaudit.engines.local import LocalEngine
from mtaudit.reports.base import ReportBuilder
from mtaudit.reports.records import document_lines
from mtaudit.reports.records import dumps, encode_document


@pytest.fixture(scope="module")
def finished() -> list[Document]:
    """The samples audited without the model, a file that failed, and an article whose text holds line and
    paragraph separators (U+2028, U+2029, U+0085), which JSON leaves unescaped and ``str.splitlines`` would cut at."""
    auditor = Auditor(AuditConfig(workers=1))
    docs = list(LocalEngine().run(auditor, discover([str(SAMPLES)])[0]))
    separators = make_doc(["The minister said\u2028on Monday that the the plan would go ahead.",
                           "Reuters\u2029photo by\u0085Paul Reuters."], path="separators.txt")
    return docs[:3] + [Document(path="broken.xliff", error="broken.xliff: not XLIFF")] + \
        auditor.audit_documents([separators]) + docs[3:]


def test_encoded_lines_are_the_writers(finished):
    for doc in finished:
        records = document_lines(doc, dismissed=2)
        encoded = encode_document(doc, dismissed=2)
        assert encoded.lines == "".join(dumps(r) + "\n" for r in records)
        assert encoded.records() == records
        assert encoded.risks == [r["risk"] for r in records if r["type"] == "sentence"]
        assert encoded.findings == records[-1]["findings"] and encoded.error == doc.error
        assert json.loads(encoded.line(-1))["type"] == "document"
        assert encoded.document is None and encode_document(doc, keep_document=True).document is doc


@pytest.mark.parametrize("keep_all, top", [(False, 0), (False, 1), (False, 7), (False, 10_000), (True, 5)])
def test_summary_from_encoded_documents_equals_the_one_from_records(finished, keep_all, top):
    from_records, from_encoded = ReportBuilder(keep_all, top), ReportBuilder(keep_all, top)
    for doc in finished:
        from_records.add(document_lines(doc, dismissed=1))
        from_encoded.add_encoded(encode_document(doc, dismissed=1))
    report = from_records.report()
    assert from_encoded.report() == report
    assert from_encoded.max_risk == from_records.max_risk > 0
    ranked = [s for d in report["documents"] for s in d["sentences"]]
    assert len(ranked) == (sum(1 for d in finished for _ in d.sentences()) if keep_all else min(top, len(ranked)))
    assert report["summary"]["failed"] == 1 and report["summary"]["dismissed"] == len(finished) - 1  # not the failed one


def test_records_carry_decided_findings_for_the_report(tmp_path):
    """With --decisions, a sentence record keeps its dismissed findings apart (``dismissed``: out of the risk, there
    to be shown and undone) and a confirmed finding carries its decision and the reviewer's note; both fields are in
    results.schema.json. Without decisions the records have neither."""
    import jsonschema
    from helpers import REPO

    from mtaudit.review.identity import sentence_sha256

    text = "He said the the plan would pass, Reuters reported."
    plain = Auditor(AuditConfig(workers=1, model=None)).audit_documents([make_doc([text], path="a.txt")])[0]
    [before] = [r for r in document_lines(plain) if r["type"] == "sentence"]
    assert len(before["findings"]) >= 1 and "dismissed" not in before
    assert all(set(f) == {"detector", "category", "severity", "start", "end", "message", "suggestion", "confidence"}
               for f in before["findings"])
    first = before["findings"][0]
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps({"schema": "mtaudit-decisions", "version": 1, "decisions": [
        {"decision": "dismiss", "doc": "a.txt", "sentence_sha256": sentence_sha256(text), "detector": first["detector"],
         "category": first["category"], "span": text[first["start"]:first["end"]], "occurrence": 0,
         "note": "house style"}]}), encoding="utf-8")
    auditor = Auditor(AuditConfig(workers=1, model=None, decisions=str(path)))
    doc = auditor.audit_documents([make_doc([text], path="a.txt")])[0]
    records = document_lines(doc, auditor.dismissed["a.txt"])
    [sentence] = [r for r in records if r["type"] == "sentence"]
    assert sentence["dismissed"] == [{**first, "decision": "dismiss", "note": "house style"}]
    assert first not in sentence["findings"] and len(sentence["findings"]) == len(before["findings"]) - 1
    assert sentence["risk"] < before["risk"] and records[-1]["dismissed"] == 1
    schema = json.loads((REPO / "mtaudit" / "reports" / "results.schema.json").read_text(encoding="utf-8"))
    for record in records:
        jsonschema.validate(record, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**sentence, "dismissed": [{**first, "decision": "maybe"}]}, schema)


def test_a_po_entry_keeps_its_whole_gettext_identity_in_the_records(tmp_path):
    """The segment id of a PO entry is its number in the file (short enough for a table column); the record's
    ``key`` keeps msgctxt::msgid, so a pipeline can still find the entry. Formats whose id is the unit's own have
    no key."""
    import jsonschema
    from helpers import REPO

    from mtaudit.pipeline.stages import Reader

    path = tmp_path / "news.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgctxt "article/body"\n'
                    'msgid "The unions welcomed the plan. Talks resume on Monday."\n'
                    'msgstr "Die Gewerkschaften begrüßten den Plan. Die Gespräche gehen am Montag weiter."\n',
                    encoding="utf-8")
    auditor = Auditor(AuditConfig(workers=1, model=None))
    doc = auditor.audit_documents([Reader.of(auditor.config).load_and_prepare(str(path))])[0]
    sentences = [r for r in document_lines(doc) if r["type"] == "sentence"]
    assert [(r["segment"], r["sentence"], r["key"]) for r in sentences] == [
        ("1", 0, "article/body::The unions welcomed the plan. Talks resume on Monday."),
        ("1", 1, "article/body::The unions welcomed the plan. Talks resume on Monday.")]
    schema = json.loads((REPO / "mtaudit" / "reports" / "results.schema.json").read_text(encoding="utf-8"))
    for record in sentences:
        jsonschema.validate(record, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**sentences[0], "key": 1}, schema)
    plain = Auditor(AuditConfig(workers=1, model=None)).audit_documents([make_doc(["One line."], path="a.txt")])[0]
    assert all("key" not in r for r in document_lines(plain))
