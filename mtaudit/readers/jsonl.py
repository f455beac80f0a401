"""JSON Lines: one translation per line."""
from __future__ import annotations

import json
from pathlib import Path

from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers.base import Reader, decode_text, read_bytes
from mtaudit.readers.common import add_segment

# A file where most lines are bad is not JSONL: stop collecting warnings and fail it.
_MAX_WARNINGS = 100


class JsonlReader(Reader):
    """JSON Lines: one object per line with ``target`` (required), ``source``, ``reference`` and ``id`` (default: the
    line number); a bad line is skipped and reported with its line number, and the rest of the file is read."""

    name = "jsonl"
    extensions = (".jsonl", ".ndjson")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        text = decode_text(read_bytes(path, shown), shown)
        doc = Document(path=shown, format=self.name)
        seen: dict[str, int] = {}
        bad = 0
        # only \n ends a line: JSON strings may hold U+2028 and other characters str.splitlines() breaks on
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            problem = None
            try:
                record = json.loads(line, strict=False)  # tolerate raw control characters in strings
            except json.JSONDecodeError as exc:
                problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
            except RecursionError:
                problem = "JSON nested too deeply"
            else:
                problem = _check(record)
            if problem:
                bad += 1
                if bad <= _MAX_WARNINGS:
                    doc.warnings.append(f"line {number}: {problem}; line skipped")
                continue
            target = record["target"].strip()
            if not target:
                doc.warnings.append(f"line {number}: empty target; line skipped")
                continue
            add_segment(doc, seen, Segment(
                id=str(record.get("id", number)), target=target,
                source=_text(record.get("source")), reference=_text(record.get("reference"))))
        if bad and not doc.segments:
            raise InputError(shown, f"no usable line: {doc.warnings[0]}",
                             hint='each line must be a JSON object such as {"id": "1", "target": "..."}')
        if bad > _MAX_WARNINGS:
            doc.warnings.append(f"{bad - _MAX_WARNINGS} more bad lines skipped")
        return doc


def _check(record) -> str | None:
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    if "target" not in record:
        fields = ", ".join(json.dumps(k, ensure_ascii=False)[1:-1][:40] for k in list(record)[:20])
        return f"no \"target\" field (fields: {fields or 'none'})"
    if not isinstance(record["target"], str):
        return f"\"target\" is a {type(record['target']).__name__}, not a string"
    for key in ("source", "reference"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return f"\"{key}\" is a {type(record[key]).__name__}, not a string"
    if isinstance(record.get("id"), (dict, list)):
        return "\"id\" must be a string or a number"
    return None


def _text(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
