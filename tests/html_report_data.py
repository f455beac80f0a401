"""Report objects for the HTML report tests, built without running an audit.

``pipeline_report`` goes through the real record builders (Document -> records -> report) with findings placed by
hand, for cases the detectors cannot be made to produce on demand (overlapping spans, zero-width spans, sources).
The large generated batch for size and speed measurements is ``tools.report_batch.synthetic_report`` (the benchmark
bench/bench_html.py uses it too).
"""
from __future__ import annotations

from helpers import make_doc

from mtaudit.core.document import Category, Finding, Severity
from mtaudit.reports.base import build_report
from mtaudit.reports.records import document_lines
from mtaudit.risk import RiskModel, score_document
from tools.report_batch import RUN


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
