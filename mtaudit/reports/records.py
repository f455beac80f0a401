"""The JSONL results contract: the records of a run, one JSON object a line, and how they are encoded and read back.

A *record* is one line: ``run`` (what produced the results: version, model, detectors, options), then for each
document its ``sentence`` records in reading order and its ``document`` record, which closes it (``results.schema.json``
beside this module describes every field). A document whose ``document`` line was written is complete; ``--resume``
keeps those and audits the rest again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from mtaudit.core.document import Document
from mtaudit.core.errors import UsageError


def sentence_records(doc: Document) -> list[dict]:
    """One record per sentence. A finding a reviewer decided on carries ``decision`` (and ``note``); the findings
    dismissed are in ``dismissed``, outside ``findings`` and the risk, only where there are some (results of a run
    without decisions are unchanged, and readers that know nothing of decisions see the findings that count)."""
    out = []
    for segment in doc.segments:
        for sentence in segment.sentences:
            record = {
                "type": "sentence",
                "doc": doc.path,
                "segment": str(segment.id),
                **({"key": segment.key} if segment.key is not None else {}),
                "sentence": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "text": sentence.text,
                "risk": sentence.risk,
                "segment_risk": segment.risk,
                "estimator": sentence.estimator,
                "fluency": None if sentence.fluency is None else round(float(sentence.fluency), 4),
                "scores": {k: round(float(v), 4) for k, v in sentence.scores.items()},
                "findings": [f.to_dict() for f in sorted(sentence.findings, key=lambda f: (f.start, f.end))],
                "source": segment.source if sentence.index == 0 else None,
                "reference": segment.reference if sentence.index == 0 else None,
            }
            if sentence.dismissed:
                record["dismissed"] = [f.to_dict() for f in sorted(sentence.dismissed, key=lambda f: (f.start, f.end))]
            out.append(record)
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


# One encoder for every line: json.dumps would build a new one per record, a tenth of a driver's time per record.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(record: dict) -> str:
    return _ENCODER.encode(record)


@dataclass
class EncodedDocument:
    """A finished document as the writer and the terminal summary take it: its records already encoded as JSONL
    lines, and the few figures the summary counts.

    It is made where the document is finished (``encode_document``): in the driver for the local engine, in the Ray
    tasks and actors for the Ray engine, so that the driver of a large run only orders and writes (unpickling whole
    Documents and encoding their records cost it three quarters of its time per record).
    """

    path: str
    lines: str  # every record, sentences then the document line, each a JSON object ending in "\n"
    risks: list[float]  # the risk of each sentence record, in order
    findings: int
    dismissed: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    document: Document | None = None  # the Document itself, only where the driver asked for it (--annotate)

    @property
    def sentences(self) -> int:
        return len(self.risks)

    @cached_property
    def _split(self) -> list[str]:
        # split at "\n" only: JSON escapes it inside strings, but not U+2028 and the like, which splitlines cuts at
        return self.lines.split("\n")[:-1]

    def line(self, index: int) -> str:
        """Line ``index`` of ``lines`` (the sentences in order; the last one, -1, is the document record). The lines
        are split on the first call, on the process that asks (the driver), not where the document was encoded."""
        return self._split[index]

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self._split]


def encode_document(doc: Document, dismissed: int = 0, keep_document: bool = False) -> EncodedDocument:
    """``doc``'s records (``document_lines``) encoded as the JSONL writer writes them."""
    records = document_lines(doc, dismissed)
    return EncodedDocument(path=doc.path, lines="".join(dumps(r) + "\n" for r in records),
                           risks=[r["risk"] for r in records[:-1]], findings=records[-1]["findings"],
                           dismissed=records[-1]["dismissed"], error=doc.error, warnings=list(doc.warnings),
                           document=doc if keep_document else None)


def read_records(path: str | Path, tolerate_truncation: bool = False) -> Iterator[dict]:
    """Records of a results file. A truncated last line (an interrupted write) is dropped when tolerated."""
    path = Path(path)
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read results: {exc.strerror or exc}") from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                if tolerate_truncation:
                    return
                raise UsageError(f"{path}:{lineno}: not a JSON results line (is this an mtaudit --jsonl file?)") from None
            if not isinstance(rec, dict) or "type" not in rec:
                raise UsageError(f"{path}:{lineno}: not an mtaudit results record")
            yield rec


def complete_records(records) -> list[dict]:
    """Keep only documents whose closing ``document`` line was written (sentence lines precede it)."""
    kept: list[dict] = []
    pending: list[dict] = []
    for rec in records:
        if rec.get("type") == "sentence":
            pending.append(rec)
        elif rec.get("type") == "document":
            kept.extend(r for r in pending if r["doc"] == rec["doc"])
            kept.append(rec)
            pending = [r for r in pending if r["doc"] != rec["doc"]]
        else:
            kept.append(rec)
    return kept
