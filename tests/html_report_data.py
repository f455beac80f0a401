"""Report objects for the HTML report tests and benchmark, built without running an audit.

``pipeline_report`` goes through the real record builders (Document -> records -> report) with findings placed by
hand, for cases the detectors cannot be made to produce on demand (overlapping spans, zero-width spans, sources).
``synthetic_report`` makes a large batch of plausible news sentences for size and speed measurements.
"""
from __future__ import annotations

import random

from helpers import make_doc

from mtaudit.core.document import Category, Finding, Severity
from mtaudit.reports.base import build_report
from mtaudit.reports.records import document_lines
from mtaudit.risk import RiskModel, score_document

RUN = {"type": "run", "version": "0.1.0", "model": None, "detectors": {"repetition": {"min_phrase_words": 2}},
       "risk_model": "hand-set-v0", "options": {}, "started": "2026-01-31T09:00:00+00:00"}


def pipeline_report(docs) -> dict:
    """Score ``docs`` (Documents with findings already attached) and group their records into a report."""
    model = RiskModel.load()
    records = [dict(RUN)]
    for doc in docs:
        score_document(doc, model)
        records.extend(document_lines(doc))
    return build_report(records)


def add_finding(doc, segment: int, sentence: int, span: str, severity: Severity, category: str, detector: str,
                message: str, suggestion: str | None = None, nth: int = 0, empty: bool = False) -> Finding:
    """Attach a finding on the ``nth`` occurrence of ``span`` in a sentence (zero-width at its start if ``empty``)."""
    target = doc.segments[segment].sentences[sentence]
    start = -1
    for _ in range(nth + 1):
        start = target.text.index(span, start + 1)
    end = start if empty else start + len(span)
    finding = Finding(detector, category, severity, start, end, message, suggestion)
    target.findings.append(finding)
    return finding


def source_overlap_report() -> dict:
    return pipeline_report([source_overlap_doc()])


def source_overlap_doc():
    """One article with sources and references, overlapping findings, a zero-width finding and an astral character."""
    doc = make_doc(
        ["Premier Li Qiang met the the delegation in Beijing on Monday.",
         "The 🚢 ship Ever Given left port at dawn, officials said. It was not delayed."],
        sources=["国务院总理李强周一在北京会见了代表团。", "“长赐”号货轮黎明时分离港，官员说。它没有延误。"],
        references=["Premier Li Qiang met the delegation in Beijing on Monday.",
                    "The ship Ever Given left port at dawn, officials said. It was not delayed."],
        path="world/premier-visit.txt")
    add_finding(doc, 0, 0, "the the delegation", Severity.MINOR, Category.AWKWARD, "style", "awkward phrasing")
    add_finding(doc, 0, 0, "the", Severity.MAJOR, Category.REPETITION, "repetition", "word repeated: 'the'",
                suggestion="the delegation", nth=1)
    add_finding(doc, 1, 0, "Ever Given", Severity.CRITICAL, Category.MISTRANSLATION, "names",
                "ship name not in the source", suggestion="Ever Given (长赐)")
    add_finding(doc, 1, 0, "🚢 ship Ever", Severity.MINOR, Category.ADDITION, "emoji", "emoji in news copy")
    add_finding(doc, 1, 1, "delayed", Severity.MAJOR, Category.OMISSION, "omission", "a time phrase seems missing",
                empty=True)
    return doc


_SUBJECTS = ["The minister", "Officials in the capital", "The central bank", "A company spokeswoman", "Investors",
             "The opposition leader", "Police", "The court", "Shipping analysts", "The union"]
_VERBS = ["said", "warned", "announced", "denied", "confirmed", "argued", "expected", "reported"]
_OBJECTS = ["that talks would resume next week", "a rise in fuel prices", "plans to cut 300 jobs by March",
            "that the agreement protects farmers", "a review of the port's safety rules",
            "record exports to Europe in the third quarter", "that no decision had been taken",
            "the sale of its stake in the joint venture"]
_TAILS = ["on Tuesday.", "according to a statement.", "in an interview with local media.", "despite the protests.",
          "after a meeting with regional leaders.", "citing people familiar with the matter."]
_KINDS = [(Category.REPETITION, "repetition", "word repeated: {w!r}"),
          (Category.UNTRANSLATED, "untranslated", "untranslated text: {w!r}"),
          (Category.PUNCTUATION, "brackets", "( is never closed: its closing ) is missing"),
          (Category.MISTRANSLATION, "names", "{w!r} is spelled differently earlier in the article"),
          (Category.LOCALE_NUMBER, "numbers", "{w!r} does not match the source figure"),
          (Category.CREDIT, "credits", "the quote is credited to an agency, not a person")]


def synthetic_report(sentences: int = 5000, per_doc: int = 50, seed: int = 7) -> dict:
    """A batch of ``sentences`` plausible news sentences, a third of them with one to three findings."""
    rng = random.Random(seed)
    records = [dict(RUN)]
    n_docs = max(1, sentences // per_doc)
    made = 0
    for d in range(n_docs):
        path = f"batch/{d:04d}-{rng.choice(['economy', 'politics', 'world', 'markets', 'sport'])}.txt"
        count = per_doc if d < n_docs - 1 else sentences - made
        lines, findings, doc_risks = [], 0, []
        for k in range(count):
            text = (f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
                    f"{rng.choice(_TAILS)}")
            found = []
            if rng.random() < 0.33:
                words = [(m, len(w)) for m, w in _word_offsets(text)]
                for _ in range(rng.randint(1, 3)):
                    start, length = rng.choice(words)
                    category, detector, message = rng.choice(_KINDS)
                    severity = rng.choice(["minor", "minor", "major", "critical"])
                    found.append({"detector": detector, "category": category, "severity": severity, "start": start,
                                  "end": start + length, "message": message.format(w=text[start:start + length]),
                                  "suggestion": None, "confidence": 0.9})
            risk = round(sum({"minor": 1, "major": 5, "critical": 10}[f["severity"]] for f in found)
                         + rng.random() * 0.5, 4)
            doc_risks.append(risk)
            findings += len(found)
            lines.append({"type": "sentence", "doc": path, "segment": str(k // 5 + 1), "sentence": k % 5,
                          "start": 0, "end": len(text), "text": text, "risk": risk, "fluency": None, "scores": {},
                          "findings": sorted(found, key=lambda f: (f["start"], f["end"])),
                          "source": None, "reference": None})
        made += count
        top = sorted(doc_risks, reverse=True)[:3]
        lines.append({"type": "document", "doc": path, "risk": round(sum(top) / len(top), 4), "sentences": count,
                      "findings": findings, "error": None, "format": "text", "segments": (count + 4) // 5,
                      "scores": {}, "dismissed": 0})
        records.extend(lines)
    return build_report(records)


def _word_offsets(text: str):
    pos = 0
    for word in text.split(" "):
        yield pos, word.rstrip(".,")
        pos += len(word) + 1
