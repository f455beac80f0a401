"""JSONL results: streamed as documents finish, completed atomically, resumable after an interruption."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from mtaudit.errors import UsageError


# One encoder for every line: json.dumps would build a new one per record, a tenth of a driver's time per record.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(record: dict) -> str:
    return _ENCODER.encode(record)


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
        self._fh.write("".join(dumps(r) + "\n" for r in lines))
        self._fh.flush()

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
