"""A reviewer's decisions applied to a document: dismissed findings leave the risk but stay with their sentence, with
their decision; confirmed findings and reviewers' notes stay on their findings; decisions whose finding is gone are
listed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import make_doc

from mtaudit.core.document import Category, Finding, Severity
from mtaudit.core.errors import UsageError
from mtaudit.review import load_decisions
from mtaudit.review.decisions import CONFIRM, DISMISS, SCHEMA, VERSION
from mtaudit.review.identity import sentence_sha256

TEXT = "The minister said the the plan and the the budget would pass."


def article():
    """One sentence with two identical repetition findings (occurrences 0 and 1) and a names finding."""
    doc = make_doc([TEXT, "Officials confirmed it on Monday."], path="news/budget.txt")
    sentence = doc.segments[0].sentences[0]
    first, second = TEXT.index("the the") + 4, TEXT.rindex("the the") + 4
    for start in (first, second):
        sentence.findings.append(Finding("repetition", Category.REPETITION, Severity.MAJOR, start, start + 3,
                                         "word repeated: 'the'"))
    sentence.findings.append(Finding("names", Category.MISTRANSLATION, Severity.MINOR, 4, 12, "unknown name"))
    return doc


def item(decision, span, detector="repetition", category=Category.REPETITION, occurrence=0, text=TEXT, **extra):
    return {"decision": decision, "doc": "news/budget.txt", "segment": "1", "sentence": 0,
            "sentence_sha256": sentence_sha256(text), "detector": detector, "category": category, "span": span,
            "occurrence": occurrence, **extra}


def decisions_file(path: Path, items: list[dict]) -> Path:
    path.write_text(json.dumps({"schema": SCHEMA, "version": VERSION, "decisions": items}), encoding="utf-8")
    return path


def test_dismissed_findings_stay_with_their_sentence_with_their_decision(tmp_path):
    path = decisions_file(tmp_path / "d.json", [
        item(DISMISS, "the", occurrence=0),
        item(CONFIRM, "minister", detector="names", category=Category.MISTRANSLATION, note="checked: a real error"),
    ])
    doc = article()
    decisions = load_decisions(path)
    assert decisions.apply(doc) == 1
    sentence = doc.segments[0].sentences[0]
    [dismissed] = sentence.dismissed
    assert (dismissed.decision, TEXT[dismissed.start:dismissed.end], dismissed.start) == (
        DISMISS, "the", TEXT.index("the the") + 4)
    kept = {(f.detector, f.start): f for f in sentence.findings}
    assert len(kept) == 2
    confirmed = kept[("names", 4)]
    assert (confirmed.decision, confirmed.note) == (CONFIRM, "checked: a real error")
    assert kept[("repetition", TEXT.rindex("the the") + 4)].decision is None
    # the records say so; a finding nobody decided on is written as before
    assert confirmed.to_dict()["decision"] == CONFIRM and confirmed.to_dict()["note"] == "checked: a real error"
    assert "decision" not in kept[("repetition", TEXT.rindex("the the") + 4)].to_dict()
    # applying again changes nothing: identities are counted over the kept and the dismissed findings together
    assert decisions.apply(doc) == 1
    assert len(sentence.dismissed) == 1 and len(sentence.findings) == 2
    assert decisions.unmatched(["news/budget.txt"]) == (0, 0)


def test_notes_alone_carry_and_old_files_without_notes_load(tmp_path):
    old = decisions_file(tmp_path / "old.json", [item(DISMISS, "the", occurrence=1)])
    assert len(load_decisions(old)) == 1
    doc = article()
    assert load_decisions(old).apply(doc) == 1
    assert doc.segments[0].sentences[0].dismissed[0].start == TEXT.rindex("the the") + 4
    bad = decisions_file(tmp_path / "bad.json", [item(DISMISS, "the", note=3)])
    with pytest.raises(UsageError, match=r'decision 1: "note" must be text'):
        load_decisions(bad)


def test_decisions_whose_finding_is_gone_are_listed(tmp_path):
    path = decisions_file(tmp_path / "d.json", [
        item(CONFIRM, "minister", detector="names", category=Category.MISTRANSLATION),
        item(DISMISS, "the", occurrence=0, text="The minister said the plan.", message="word repeated: 'the'",
             note="not a repetition"),
        item(DISMISS, "Reuters", detector="credits", category=Category.CREDIT, doc="elsewhere.txt"),
    ])
    decisions = load_decisions(path)
    doc = article()
    decisions.apply(doc)
    assert decisions.unmatched(["news/budget.txt"]) == (1, 1)
    [gone] = decisions.unmatched_items(["news/budget.txt"])
    assert gone == {"doc": "news/budget.txt", "segment": "1", "sentence": 1, "text": None, "span": "the",
                    "detector": "repetition", "category": Category.REPETITION, "decision": DISMISS,
                    "note": "not a repetition", "message": "word repeated: 'the'"}
