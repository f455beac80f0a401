"""The review sheet: the columns the spreadsheet writer (``mtaudit.reports.spreadsheet``) writes, and the decisions a
reviewer typed into its ``decision`` column (with the ``reviewer note``), read back by ``--decisions FILE.xlsx`` (or
``.csv``).

Each row of the ``review`` sheet names its finding in a hidden ``key`` column (``mtaudit.review.identity``), so
decisions survive sorting, filtering and the reviewer's own columns.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from mtaudit.core.errors import UsageError
from mtaudit.review.decisions import CONFIRM, DISMISS, Decisions
from mtaudit.review.identity import identity_from_key

# (header, width in characters, wrap) of the review sheet, left to right.
REVIEW_COLUMNS = (
    ("rank", 6, False), ("risk", 7, False), ("estimator", 9, False), ("document", 28, False), ("segment", 10, False),
    ("segment risk", 9, False), ("sentence", 9, False),
    ("text", 70, True), ("flagged", 24, True), ("severity", 9, False), ("category", 28, False),
    ("detector", 12, False), ("message", 60, True), ("suggestion", 22, True), ("decision", 12, False),
    ("reviewer note", 30, True), ("key", 20, False),
)
HEADERS = tuple(c[0] for c in REVIEW_COLUMNS)
DOCUMENT_COLUMNS = (("document", 40), ("format", 9), ("risk", 7), ("sentences", 10), ("segments", 10),
                    ("findings", 9), ("dismissed", 10), ("error", 50), ("warnings", 50))

# What a reviewer may type in the decision column, case and surrounding spaces aside.
DECISION_WORDS = {
    **dict.fromkeys(("dismiss", "dismissed", "false positive", "fp", "not an error", "reject", "rejected"), DISMISS),
    **dict.fromkeys(("confirm", "confirmed", "true positive", "tp", "error", "accept", "accepted"), CONFIRM),
}

def read_decisions(path: str | Path) -> Decisions:
    """The decisions typed into a review spreadsheet's ``decision`` column and the notes in its ``reviewer note``
    column, with the finding each row names (a note alone is kept too: it is carried into the next sheet)."""
    path = Path(path)
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    try:
        header = next(rows)[1]
    except StopIteration:
        raise UsageError(f"{path}: the review sheet is empty; write one with `mtaudit audit --xlsx`") from None
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    if "decision" not in names or "key" not in names:
        raise UsageError(f"{path}: no 'decision' and 'key' columns in the first row; is this a review sheet written "
                         "by `mtaudit audit --xlsx` or `--csv`?")
    at = {name: names.index(name) for name in _READ if name in names}
    decisions = Decisions(source=str(path))
    for where, row in rows:
        cell = {name: _text(row[i]) if i < len(row) else "" for name, i in at.items()}
        typed, note = cell["decision"], cell.get("reviewer note", "")
        if not typed and not note:
            continue
        decision = None
        if typed:
            decision = DECISION_WORDS.get(" ".join(typed.lower().split()))
            if decision is None:
                raise UsageError(f"{path}: {where(at['decision'])}: decision {typed!r} is not one of "
                                 f"{DISMISS!r} or {CONFIRM!r} (or: false positive, confirmed, error...)")
        try:
            identity = identity_from_key(cell["key"])
        except ValueError:
            if decision is None:
                continue  # a note on a sentence without findings: there is no finding to carry it
            raise UsageError(f"{path}: {where(at['key'])}: the row has a decision but no finding key (a sentence "
                             "without findings, or an edited key column); clear the decision or restore the key") \
                from None
        sentence = cell.get("sentence", "")
        decisions.add(identity, decision, note or None, segment=cell.get("segment") or None,
                      sentence=int(sentence) if sentence.isdigit() else None, text=cell.get("text") or None,
                      message=cell.get("message") or None)
    return decisions


# The columns read back: the decision, the note and the key, and for listing a decision that matched nothing, where
# it was.
_READ = ("decision", "reviewer note", "key", "segment", "sentence", "text", "message")


def _text(value) -> str:
    """A cell as text, surrounding spaces aside (a number typed as a sentence number comes back as 3, or 3.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(path: Path) -> Iterator[tuple]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = workbook["review"] if "review" in workbook.sheetnames else workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield (lambda col, n=number: f"{sheet.title}!{get_column_letter(col + 1)}{n}"), values
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[tuple]:
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with fh:
        try:
            for number, values in enumerate(csv.reader(fh), 1):
                yield (lambda col, n=number: f"line {n}, column {col + 1}"), values
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"{path}: not a UTF-8 CSV review sheet ({exc})") from None
