"""The plain report object every writer uses, built from the JSONL records (``mtaudit.reports.records``).

A *report* is::

    {"run": <run record>,
     "documents": [<document record> + {"sentences": [<sentence records>]}, ...],
     "summary": {"documents": N, "failed": N, "sentences": N, "findings": N, "dismissed": N},
     "unmatched_decisions": [...]}   # only from an audit with --decisions where some matched no finding

Writers never compute scores: everything they show is already in the records.
"""
from __future__ import annotations

import heapq
import json
from typing import Callable, Iterable

from mtaudit.reports.records import EncodedDocument


def build_report(records: Iterable[dict]) -> dict:
    """Group a stream of records (as written to JSONL) into the report object."""
    builder = ReportBuilder()
    builder.add(records)
    return builder.report()


class ReportBuilder:
    """Builds the report object from records as they stream in.

    With ``keep_all`` (the default) it holds every record, as the HTML report needs. Without, it holds only the
    ``top`` riskiest sentences, the failed documents and the counts, so that a batch of 100,000 files costs the driver
    no more memory than one of 100: its report is enough for the terminal table (``documents`` then lists the failed
    documents and, for each document with a top sentence, those sentences only).
    """

    def __init__(self, keep_all: bool = True, top: int = 0):
        self.keep_all, self.top = keep_all, top
        self.run: dict = {}
        self.max_risk: float | None = None
        self._documents: list[dict] = []
        self._pending: dict[str, list[dict]] = {}
        self._summary = {"documents": 0, "failed": 0, "sentences": 0, "findings": 0, "dismissed": 0}
        self._top: list[tuple] = []  # min-heap of (risk, -arrival, arrival, sentence record)
        self._arrival = 0

    def add(self, records: Iterable[dict]) -> None:
        for rec in records:
            kind = rec.get("type")
            if kind == "run":
                self.run = rec
            elif kind == "sentence":
                self._pending.setdefault(rec["doc"], []).append(rec)
            elif kind == "document":
                self._add_document(rec, self._pending.pop(rec["doc"], []))

    def add_encoded(self, doc: EncodedDocument) -> None:
        """Add one finished document in the form the engines deliver it (``mtaudit.reports.records.encode_document``).

        Its lines are decoded only where needed: all of them with ``keep_all``; otherwise the line of a failed
        document and the sentences that enter the top (decoded when the report is built)."""
        if self.keep_all:
            self.add(doc.records())
            return
        self._tally(doc.error, doc.dismissed, doc.findings, doc.risks)
        if doc.error:
            self._documents.append({**json.loads(doc.line(-1)), "sentences": []})
        self._rank(doc.risks, doc.line)  # sentence i is line i; the lines are split only when one enters the top

    def _add_document(self, rec: dict, sentences: list[dict]) -> None:
        self._tally(rec.get("error"), rec.get("dismissed", 0), sum(len(s["findings"]) for s in sentences),
                    [s["risk"] for s in sentences])
        if self.keep_all:
            self._documents.append({**rec, "sentences": sentences})
            return
        if rec.get("error"):
            self._documents.append({**rec, "sentences": []})
        self._rank([s["risk"] for s in sentences], sentences.__getitem__)

    def _tally(self, error: str | None, dismissed: int, findings: int, risks: list[float]) -> None:
        summary = self._summary
        summary["documents"] += 1
        summary["failed"] += bool(error)
        summary["sentences"] += len(risks)
        summary["findings"] += findings
        summary["dismissed"] += dismissed
        if risks and (self.max_risk is None or max(risks) > self.max_risk):
            self.max_risk = max(risks)

    def _rank(self, risks: list[float], sentence: Callable[[int], dict | str]) -> None:
        """Offer sentences to the top; ``sentence(i)`` (a record, or its JSON line) is asked for those that enter."""
        top = self._top
        for i, risk in enumerate(risks):
            # ties keep input order, as ranked_sentences does: the later of two equal risks is dropped first
            key = (risk, -self._arrival)
            if len(top) < self.top:
                heapq.heappush(top, (*key, self._arrival, sentence(i)))
            elif top and key > top[0][:2]:
                heapq.heapreplace(top, (*key, self._arrival, sentence(i)))
            self._arrival += 1

    def report(self) -> dict:
        documents = self._documents
        if not self.keep_all:
            kept: dict[str, list[dict]] = {}
            for *_, s in sorted(self._top, key=lambda e: e[2]):
                s = json.loads(s) if isinstance(s, str) else s
                kept.setdefault(s["doc"], []).append(s)
            documents = documents + [{"type": "document", "doc": doc, "error": None, "sentences": sentences}
                                     for doc, sentences in kept.items()]
        return {"run": self.run, "documents": documents, "summary": dict(self._summary)}


def ranked_sentences(report: dict, top: int | None = None) -> list[dict]:
    """All sentences across the report, riskiest first; ties keep input order."""
    rows = [s for d in report["documents"] for s in d["sentences"]]
    rows.sort(key=lambda s: -s["risk"])
    return rows if top is None else rows[:top]
