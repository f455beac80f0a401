"""Tab- and comma-separated tables with a header row."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers.base import Reader, decode_text, read_bytes
from mtaudit.readers.common import add_segment


class TsvReader(Reader):
    """A tab-separated table whose header row names the columns: ``target`` (required), ``source``, ``reference``,
    ``id`` (default: the row's line number); other columns are ignored. Fields are not quoted (news text is full of
    quotation marks), so a field cannot hold a tab or a line break."""

    name = "tsv"
    extensions = (".tsv", ".tab")
    dialect: dict = {"delimiter": "\t", "quoting": csv.QUOTE_NONE}

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        text = decode_text(read_bytes(path, shown), shown)
        # newline="" leaves line ends to csv, which breaks records on \r and \n only (str.splitlines() would also break
        # on U+2028 and other separators that do occur inside translated text)
        rows = csv.reader(io.StringIO(text, newline=""), strict=False, **self.dialect)
        try:
            header = next(rows, None)
        except csv.Error as exc:
            raise InputError(shown, f"unreadable header row: {exc}", position="line 1") from None
        if not header:
            raise InputError(shown, "no header row", hint="the first line must name the columns: target, source...")
        columns = {name.strip().lower(): i for i, name in reversed(list(enumerate(header)))}
        if "target" not in columns:
            names = ", ".join(h.strip()[:40] for h in header[:20]) + (", ..." if len(header) > 20 else "")
            raise InputError(shown, f"no \"target\" column (columns: {names})",
                             position="line 1", hint="name the column holding the translations \"target\"")
        doc = Document(path=shown, format=self.name)
        seen: dict[str, int] = {}
        try:
            for row in rows:
                line = rows.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) <= columns["target"]:
                    doc.warnings.append(f"line {line}: {len(row)} columns, no target; row skipped")
                    continue
                target = row[columns["target"]].strip()
                if not target:
                    doc.warnings.append(f"line {line}: empty target; row skipped")
                    continue

                def cell(name: str) -> str | None:
                    i = columns.get(name)
                    return (row[i].strip() or None) if i is not None and i < len(row) else None

                add_segment(doc, seen, Segment(id=cell("id") or str(line), target=target, source=cell("source"),
                                               reference=cell("reference")))
        except csv.Error as exc:
            raise InputError(shown, f"unreadable row: {exc}", position=f"line {rows.line_num}",
                             hint="check the quoting of that row") from None
        return doc


class CsvReader(TsvReader):
    """A comma-separated table (RFC 4180 quoting) whose header row names the columns: ``target`` (required),
    ``source``, ``reference``, ``id`` (default: the row's line number); other columns are ignored."""

    name = "csv"
    extensions = (".csv",)
    dialect = {"delimiter": ",", "quoting": csv.QUOTE_MINIMAL}
