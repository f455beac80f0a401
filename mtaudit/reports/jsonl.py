"""JSONL results: streamed as documents finish, completed atomically, resumable after an interruption."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from mtaudit.core.document import Document
from mtaudit.core.errors import UsageError
from mtaudit.reports.base import document_lines


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


class JsonlWriter:
    """Writes ``PATH.partial`` as records arrive and renames it to ``PATH`` on ``close()``.

    An interrupted run leaves the previous ``PATH`` untouched and a ``PATH.partial`` whose complete documents
    ``--resume`` keeps (see ``resume_state``). Each document's lines go out in one write and are flushed, so a kill
    loses at most the document being written.
    """

    def __init__(self, path: str | Path, resume: bool = False):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self._fh = None
        self._resume = resume

    def open(self, run_record: dict) -> list[dict]:
        """Open for writing; returns the records of complete documents recovered from a partial file."""
        kept: list[dict] = []
        if self._resume and self.partial.exists():
            kept = complete_records(read_records(self.partial, tolerate_truncation=True))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.partial.with_name(self.partial.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(dumps(run_record) + "\n")
            for rec in kept:
                if rec.get("type") != "run":
                    fh.write(dumps(rec) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.partial)
        self._fh = self.partial.open("a", encoding="utf-8")
        return [r for r in kept if r.get("type") != "run"]

    def write_document(self, lines: list[dict]) -> None:
        self.write_encoded("".join(dumps(r) + "\n" for r in lines))

    def write_encoded(self, lines: str) -> None:
        """Write one document's lines, already encoded (``EncodedDocument.lines``)."""
        self._fh.write(lines)
        self._fh.flush()

    def abandon(self) -> None:
        """Drop what was written (``PATH`` stays as it was): for a writer that holds one document and no resume."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.partial.unlink(missing_ok=True)

    def close(self) -> None:
        if self._fh is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        os.replace(self.partial, self.path)


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
