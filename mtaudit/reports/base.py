"""The plain report object every writer uses, built from the JSONL records.

A *record* is one line of the JSONL results contract (``run``, ``sentence`` or ``document``). A *report* is::

    {"run": <run record>,
     "documents": [<document record> + {"sentences": [<sentence records>]}, ...],
     "summary": {"documents": N, "failed": N, "sentences": N, "findings": N, "dismissed": N}}

Writers never compute scores: everything they show is already in the records.
"""
from __future__ import annotations

from typing import Iterable

from mtaudit.document import Document


def sentence_records(doc: Document) -> list[dict]:
    out = []
    for segment in doc.segments:
        for sentence in segment.sentences:
            out.append({
                "type": "sentence",
                "doc": doc.path,
                "segment": str(segment.id),
                "sentence": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "text": sentence.text,
                "risk": sentence.risk,
                "fluency": None if sentence.fluency is None else round(float(sentence.fluency), 4),
                "scores": {k: round(float(v), 4) for k, v in sentence.scores.items()},
                "findings": [f.to_dict() for f in sorted(sentence.findings, key=lambda f: (f.start, f.end))],
                "source": segment.source if sentence.index == 0 else None,
                "reference": segment.reference if sentence.index == 0 else None,
            })
    return out


def document_record(doc: Document, dismissed: int = 0) -> dict:
    sentences = sum(len(s.sentences) for s in doc.segments)
    return {
        "type": "document",
        "doc": doc.path,
        "risk": doc.risk,
        "sentences": sentences,
        "findings": sum(len(s.findings) for s in doc.sentences()),
        "error": doc.error,
        "format": doc.format,
        "source_lang": doc.source_lang,
        "target_lang": doc.target_lang,
        "langs_from": doc.langs_from,
        "risk_model": doc.risk_model,
        "segments": len(doc.segments),
        "scores": {k: round(float(v), 4) for k, v in doc.scores.items()},
        "dismissed": dismissed,
        "warnings": list(doc.warnings),
    }


def document_lines(doc: Document, dismissed: int = 0) -> list[dict]:
    """All records of one document in contract order: its sentences, then the document line."""
    if doc.error:
        return [document_record(doc)]
    return sentence_records(doc) + [document_record(doc, dismissed)]


def build_report(records: Iterable[dict]) -> dict:
    """Group a stream of records (as written to JSONL) into the report object."""
    run: dict = {}
    documents: list[dict] = []
    pending: dict[str, list[dict]] = {}
    for rec in records:
        kind = rec.get("type")
        if kind == "run":
            run = rec
        elif kind == "sentence":
            pending.setdefault(rec["doc"], []).append(rec)
        elif kind == "document":
            documents.append({**rec, "sentences": pending.pop(rec["doc"], [])})
    summary = {
        "documents": len(documents),
        "failed": sum(1 for d in documents if d.get("error")),
        "sentences": sum(len(d["sentences"]) for d in documents),
        "findings": sum(len(s["findings"]) for d in documents for s in d["sentences"]),
        "dismissed": sum(d.get("dismissed", 0) for d in documents),
    }
    return {"run": run, "documents": documents, "summary": summary}


def ranked_sentences(report: dict, top: int | None = None) -> list[dict]:
    """All sentences across the report, riskiest first; ties keep input order."""
    rows = [s for d in report["documents"] for s in d["sentences"]]
    rows.sort(key=lambda s: -s["risk"])
    return rows if top is None else rows[:top]
