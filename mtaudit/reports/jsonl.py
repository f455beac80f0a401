"""JSONL results: streamed as documents finish, completed atomically, resumable after an interruption."""
from __future__ import annotations

import os
from pathlib import Path

from mtaudit.core.outputs import keep_mode, written_path
from mtaudit.reports.records import complete_records, dumps, read_records


class JsonlWriter:
    """Writes ``PATH.partial`` as records arrive and renames it to ``PATH`` on ``close()``.

    An interrupted run leaves the previous ``PATH`` untouched and a ``PATH.partial`` whose complete documents
    ``--resume`` keeps (see ``resume_state``). Each document's lines go out in one write and are flushed, so a kill
    loses at most the document being written.
    """

    def __init__(self, path: str | Path, resume: bool = False):
        self.path = written_path(path)
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
        keep_mode(self.partial, self.path)
        os.replace(self.partial, self.path)
