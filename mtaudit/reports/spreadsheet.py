"""The ranked review list as a spreadsheet reviewers sort and filter (``--xlsx``, ``--csv``); the decisions they type
into it are read back by ``--decisions FILE.xlsx`` (``mtaudit.review.sheet``, which also owns the columns).

The ``review`` sheet has one row per finding, sentences riskiest first (a sentence without findings gets one row with
the finding columns blank), the trained estimator's part of the risk beside the risk (blank where no estimator
scored the sentence), the segment's risk (the sum of its sentences' risks: the penalty expected for the whole
paragraph or CAT unit, what a reviewer who judges units sorts by) beside the segment, and a ``decision`` and a
``reviewer note`` column, blank unless the run applied decisions (``--decisions``: each decision and note is
carried to its finding, the dismissed findings included, so the sheet filled in again is the next round's
decisions). A hidden ``key`` column holds each finding's identity (``mtaudit.review.identity``), so decisions survive
sorting, filtering and the reviewer's own columns. The ``documents`` sheet has one row per document, the ``run``
sheet what produced the report, and an ``unmatched decisions`` sheet, only when there are some, the decisions that
found their finding no more. A CSV holds the review sheet alone.

Written with openpyxl in write-only mode (flat memory for large batches), atomically. Text cells are always stored
as text, never formulas, and CSV cells that a spreadsheet would take for a formula are prefixed with ``'``.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Iterator

from mtaudit.core.outputs import atomic_output
from mtaudit.reports.base import ranked_sentences
from mtaudit.review.decisions import CONFIRM, DISMISS
from mtaudit.review.identity import identity_key, sentence_identities
from mtaudit.review.sheet import DOCUMENT_COLUMNS, HEADERS, REVIEW_COLUMNS

# Excel's limit on one cell's text; longer text is cut with an ellipsis.
MAX_CELL = 32_767
# Characters an xlsx file cannot hold (XML 1.0 forbids C0 controls but tab and line breaks; lone surrogates).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SEVERITY_FILL = {"critical": "F4B6B6", "major": "F9D3A9", "minor": "FBF0B2"}


def review_rows(report: dict) -> Iterator[list]:
    """The review sheet's rows (without the header), riskiest sentence first."""
    for rank, s in enumerate(ranked_sentences(report), 1):
        estimator = s.get("estimator")
        segment_risk = s.get("segment_risk")
        head = [rank, round(float(s["risk"]), 4), None if estimator is None else round(float(estimator), 4),
                s["doc"], s["segment"], None if segment_risk is None else round(float(segment_risk), 4),
                s["sentence"] + 1, s["text"]]
        # the findings a reviewer dismissed are rows too, with their decision: this sheet, filled in again, is the
        # next round's decisions file
        findings = sorted(s["findings"] + s.get("dismissed", []), key=lambda f: (f["start"], f["end"]))
        if not findings:
            yield head + [None] * (len(HEADERS) - len(head))
            continue
        for f, identity in zip(findings, sentence_identities(s["doc"], s["text"], findings)):
            key = identity_key(identity)
            yield head + [s["text"][f["start"]:f["end"]], f["severity"], f["category"], f["detector"], f["message"],
                          f.get("suggestion"), f.get("decision"), f.get("note"), key if len(key) <= MAX_CELL else None]


UNMATCHED_COLUMNS = (("document", 28), ("segment", 10), ("sentence", 9), ("flagged", 24), ("detector", 12),
                     ("category", 28), ("decision", 10), ("reviewer note", 30), ("text", 60), ("message", 50))


def unmatched_rows(report: dict) -> Iterator[list]:
    """The decisions and notes of a ``--decisions`` file that matched no finding of the run (the report's
    ``unmatched_decisions``): the sentence was edited or the detector changed."""
    for d in report.get("unmatched_decisions") or ():
        yield [d["doc"], d.get("segment"), d.get("sentence"), d["span"], d["detector"], d["category"],
               d.get("decision"), d.get("note"), d.get("text"), d.get("message")]


def document_rows(report: dict) -> Iterator[list]:
    for d in report["documents"]:
        # in the report object a document's "sentences" is the list of its sentence records
        yield [d["doc"], d.get("format"), round(float(d.get("risk") or 0.0), 4), len(d.get("sentences") or ()),
               d.get("segments"), d.get("findings"), d.get("dismissed", 0), d.get("error"),
               "; ".join(d.get("warnings") or []) or None]


def run_rows(report: dict) -> list[list]:
    run = report.get("run") or {}
    model = run.get("model") or {}
    return [["mtaudit version", run.get("version")], ["started", run.get("started")],
            ["model", model.get("id") or "none (rule detectors only)"], ["model checksum", model.get("checksum")],
            ["model dtype", model.get("dtype")],
            ["risk model", run.get("risk_model")],
            ["detectors and options", json.dumps(run.get("detectors") or {}, ensure_ascii=False)],
            ["run options", json.dumps(run.get("options") or {}, ensure_ascii=False)],
            ["summary", json.dumps(report.get("summary") or {})]]


# ---- writing ---------------------------------------------------------------------------------------------------------
def write_xlsx(report: dict, path: str | Path) -> None:
    """The review, documents and run sheets as one .xlsx workbook, written atomically."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE3EA")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    fills = {k: PatternFill("solid", fgColor=v) for k, v in _SEVERITY_FILL.items()}

    def cell(sheet, value, alignment=None, fill=None):
        c = WriteOnlyCell(sheet, value=_writable(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            c.data_type = "s"  # text that starts with "=" stays text, never a formula
        elif isinstance(value, float):
            c.number_format = "0.00"
        if alignment is not None:
            c.alignment = alignment
        if fill is not None:
            c.fill = fill
        return c

    review = workbook.create_sheet("review")
    _layout(review, [(name, width) for name, width, _ in REVIEW_COLUMNS], get_column_letter)
    review.column_dimensions[get_column_letter(HEADERS.index("key") + 1)].hidden = True
    decision_col = get_column_letter(HEADERS.index("decision") + 1)
    rows = 0
    review.append([_header_cell(WriteOnlyCell, review, name, bold, header_fill) for name in HEADERS])
    wrapped = {i for i, (_, _, w) in enumerate(REVIEW_COLUMNS) if w}
    severity_at = HEADERS.index("severity")
    for row in review_rows(report):
        rows += 1
        review.append([cell(review, v, wrap if i in wrapped else top,
                            fills.get(v) if i == severity_at else None) if v is not None else None
                       for i, v in enumerate(row)])
    last = get_column_letter(len(HEADERS))
    review.auto_filter.ref = f"A1:{last}{rows + 1}"
    validation = DataValidation(type="list", formula1=f'"{DISMISS},{CONFIRM}"', allow_blank=True,
                                showErrorMessage=False, promptTitle="decision",
                                prompt="dismiss: not an error (false alarm); confirm: a real error")
    validation.add(f"{decision_col}2:{decision_col}{max(rows + 1, 2)}")
    review.data_validations.append(validation)

    documents = workbook.create_sheet("documents")
    _layout(documents, DOCUMENT_COLUMNS, get_column_letter)
    documents.append([_header_cell(WriteOnlyCell, documents, name, bold, header_fill) for name, _ in DOCUMENT_COLUMNS])
    count = 0
    for row in document_rows(report):
        count += 1
        documents.append([cell(documents, v) if v is not None else None for v in row])
    documents.auto_filter.ref = f"A1:{get_column_letter(len(DOCUMENT_COLUMNS))}{count + 1}"

    run = workbook.create_sheet("run")
    _layout(run, (("field", 24), ("value", 100)), get_column_letter)
    for row in run_rows(report):
        run.append([cell(run, row[0]), cell(run, row[1], wrap) if row[1] is not None else None])

    if report.get("unmatched_decisions"):
        unmatched = workbook.create_sheet("unmatched decisions")
        _layout(unmatched, UNMATCHED_COLUMNS, get_column_letter)
        unmatched.append([_header_cell(WriteOnlyCell, unmatched, name, bold, header_fill)
                          for name, _ in UNMATCHED_COLUMNS])
        for row in unmatched_rows(report):
            unmatched.append([cell(unmatched, v, wrap) if v is not None else None for v in row])

    try:
        with atomic_output(path) as tmp:
            workbook.save(tmp)
    except BaseException:
        _close_sheets(workbook)
        raise


def _close_sheets(workbook) -> None:
    """Finish the streams of a write-only workbook that was not saved: dropped open, each sheet's stream prints an
    "Exception ignored" traceback when it is collected (openpyxl removes their temporary files at exit)."""
    for sheet in workbook.worksheets:
        if not sheet.closed:
            sheet.close()


def _layout(sheet, columns, letter) -> None:
    """Frozen header row and column widths (write-only sheets take both before the first row)."""
    sheet.freeze_panes = "A2"
    for i, (_, width) in enumerate(columns, 1):
        sheet.column_dimensions[letter(i)].width = width


def _header_cell(make, sheet, name, font, fill):
    c = make(sheet, value=name)
    c.font, c.fill = font, fill
    return c


def write_csv(report: dict, path: str | Path) -> None:
    """The review sheet as UTF-8 CSV with a byte-order mark (so spreadsheet programs detect UTF-8), atomically."""
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            for row in review_rows(report):
                writer.writerow(["" if v is None else _csv_safe(v) for v in row])


def _writable(text: str) -> str:
    text = _UNWRITABLE.sub("\ufffd", text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _csv_safe(value) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; the key column never needs one."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
