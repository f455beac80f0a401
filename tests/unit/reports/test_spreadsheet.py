"""The review spreadsheet (--xlsx, --csv): layout reviewers need, safety of untrusted text, and decisions typed into
it read back by --decisions like the HTML report's decisions file."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.review.sheet import HEADERS

runner = CliRunner()


def audit(*args):
    return runner.invoke(app, ["audit", *map(str, args)], catch_exceptions=False)


def records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def samples_sheet(tmp_path_factory):
    out = tmp_path_factory.mktemp("sheet")
    result = audit(SAMPLES, "--no-model", "--quiet", "--xlsx", out / "review.xlsx", "--csv", out / "review.csv",
                   "--jsonl", out / "results.jsonl")
    assert result.exit_code == 0, result.output
    return out


def test_review_sheet_layout(samples_sheet):
    book = openpyxl.load_workbook(samples_sheet / "review.xlsx")
    assert book.sheetnames == ["review", "documents", "run"]
    review = book["review"]
    header = [c.value for c in review[1]]
    assert header == list(HEADERS)
    assert review.freeze_panes == "A2" and review.auto_filter.ref == f"A1:Q{review.max_row}"
    col = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(header)}
    assert review.column_dimensions[col["text"]].width >= 60 and review.column_dimensions[col["rank"]].width <= 8
    assert review.column_dimensions[col["key"]].hidden
    validations = review.data_validations.dataValidation
    assert len(validations) == 1 and col["decision"] + "2" in str(validations[0].sqref)
    rows = [dict(zip(header, (c.value for c in row))) for row in review.iter_rows(min_row=2)]
    # riskiest first, one row per finding, every finding of the run present, the decision column blank
    risks = [r["risk"] for r in rows]
    assert risks == sorted(risks, reverse=True)
    results = records(samples_sheet / "results.jsonl")
    findings = sum(len(r["findings"]) for r in results if r["type"] == "sentence")
    assert sum(1 for r in rows if r["key"]) == findings
    assert all(r["decision"] is None for r in rows)
    flagged = next(r for r in rows if r["detector"] == "credits")
    assert flagged["flagged"] in flagged["text"] and flagged["severity"] in ("minor", "major", "critical")
    documents = list(book["documents"].iter_rows(values_only=True))
    assert documents[0][:4] == ("document", "format", "risk", "sentences")
    assert len(documents) - 1 == sum(1 for r in results if r["type"] == "document")
    run = dict(book["run"].iter_rows(values_only=True))
    assert run["mtaudit version"] and run["model"].startswith("none")


def test_csv_holds_the_same_review_rows(samples_sheet):
    with open(samples_sheet / "review.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    sheet = list(openpyxl.load_workbook(samples_sheet / "review.xlsx")["review"].iter_rows(values_only=True))
    assert rows[0] == list(HEADERS) and len(rows) == len(sheet)
    at_key = HEADERS.index("key")
    assert [r[at_key] for r in rows[1:]] == [r[at_key] or "" for r in sheet[1:]]


def _fill(path: Path, choose, reverse: bool = True) -> dict:
    """Type decisions into a copy of the sheet the way a reviewer would (after sorting it); returns what was typed."""
    book = openpyxl.load_workbook(path)
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    if reverse:  # a reviewer sorted the sheet: decisions must not depend on row positions
        rows.reverse()
    typed = {}
    for row in rows:
        record = dict(zip(header, row))
        decision = choose(record)
        if decision:
            row[header.index("decision")] = decision
            typed[(record["detector"], record["flagged"])] = decision
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            sheet.cell(i, j, value)
    book.save(path)
    return typed


def test_decisions_typed_into_the_sheet_are_applied(samples_sheet, tmp_path):
    sheet = tmp_path / "reviewed.xlsx"
    sheet.write_bytes((samples_sheet / "review.xlsx").read_bytes())
    typed = _fill(sheet, lambda r: {"credits": "False positive", "names_src": "confirm"}.get(r["detector"]))
    assert "False positive" in typed.values() and "confirm" in typed.values()
    out = tmp_path / "again.jsonl"
    result = audit(SAMPLES, "--no-model", "--decisions", sheet, "--jsonl", out, "--top", "0")
    assert result.exit_code == 0, result.output
    dismissed = sum(1 for v in typed.values() if v == "False positive")
    assert f"{dismissed} finding{'' if dismissed == 1 else 's'} dismissed" in result.output
    again = records(out)
    assert not any(f["detector"] == "credits" for r in again if r["type"] == "sentence" for f in r["findings"])
    assert any(f["detector"] == "names_src" for r in again if r["type"] == "sentence" for f in r["findings"])
    assert sum(r["dismissed"] for r in again if r["type"] == "document") == dismissed


def test_decisions_from_the_csv_are_applied(samples_sheet, tmp_path):
    with open(samples_sheet / "review.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    at = {name: i for i, name in enumerate(rows[0])}
    for row in rows[1:]:
        if row[at["detector"]] == "phrasing":
            row[at["decision"]] = "dismiss"
    edited = tmp_path / "reviewed.csv"
    with open(edited, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([rows[0]] + rows[:0:-1])
    out = tmp_path / "again.jsonl"
    result = audit(SAMPLES, "--no-model", "--decisions", edited, "--jsonl", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert not any(f["detector"] == "phrasing" for r in records(out) if r["type"] == "sentence" for f in r["findings"])


@pytest.mark.parametrize("decision,row_filter,message", [
    ("maybe", lambda r: r["detector"] == "credits", "is not one of 'dismiss' or 'confirm'"),
    ("dismiss", lambda r: r["detector"] is None, "has a decision but no finding key"),
])
def test_a_bad_decision_names_the_cell(samples_sheet, tmp_path, decision, row_filter, message):
    sheet = tmp_path / "bad.xlsx"
    sheet.write_bytes((samples_sheet / "review.xlsx").read_bytes())
    done = []

    def choose(record):
        if not done and row_filter(record):
            done.append(1)
            return decision
        return None

    _fill(sheet, choose, reverse=False)
    result = audit(SAMPLES, "--no-model", "--decisions", sheet, "--quiet")
    assert result.exit_code == 2
    assert message in result.output and "review!" in result.output


def test_untrusted_text_never_becomes_a_formula(tmp_path):
    """A translation that starts with "=" (or holds control characters) is text in both files, never a formula."""
    src = tmp_path / "hostile.jsonl"
    lines = [{"id": "1", "target": '=HYPERLINK("http://example.invalid","click") said the the minister.'},
             {"id": "2", "target": "-1 was the the result\x07 of the vote."},
             {"id": "3", "target": "@SUM(A1) is the the answer."}]
    src.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = audit(src, "--no-model", "--quiet", "--xlsx", tmp_path / "r.xlsx", "--csv", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["review"]
    texts = [row[HEADERS.index("text")] for row in sheet.iter_rows(min_row=2)]
    assert texts and all(c.data_type == "s" for c in texts)
    assert any(c.value.startswith("=HYPERLINK") for c in texts)
    assert any("\ufffd" in c.value for c in texts)  # the bell character an xlsx cannot hold
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        cells = [row[HEADERS.index("text")] for row in list(csv.reader(fh))[1:]]
    assert all(c[0] not in "=+-@" for c in cells) and any(c.startswith("'=HYPERLINK") for c in cells)


def test_report_command_writes_the_sheet_from_saved_results(samples_sheet, tmp_path):
    result = runner.invoke(app, ["report", str(samples_sheet / "results.jsonl"), "--xlsx", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == ["review", "documents", "run"]
    nothing = runner.invoke(app, ["report", str(samples_sheet / "results.jsonl")])
    assert nothing.exit_code == 2 and "nothing to write" in nothing.output


def test_an_unwritable_sheet_is_a_clear_error_and_leaves_no_temporary_file(tmp_path):
    folder = tmp_path / "taken.xlsx"
    folder.mkdir()
    result = audit(SAMPLES / "05_central_bank_clean.txt", "--no-model", "--quiet", "--xlsx", folder)
    assert result.exit_code == 2 and "is a folder" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["taken.xlsx"]


def test_a_sheet_that_cannot_be_saved_leaves_no_half_written_sheets_behind(tmp_path, monkeypatch):
    """openpyxl's write-only sheets stream into open generators: a workbook dropped unsaved printed some 40 lines of
    "Exception ignored" tracebacks after the one-line error."""
    import gc
    import sys

    from mtaudit.reports.spreadsheet import write_xlsx

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    (tmp_path / "plain").write_text("a file, not a folder")
    report = {"run": {}, "summary": {}, "documents": [{"doc": "a.txt", "sentences": [
        {"doc": "a.txt", "segment": "1", "sentence": 0, "text": "The the minister spoke.", "risk": 0.9,
         "findings": []}]}]}
    with pytest.raises(OSError):
        write_xlsx(report, tmp_path / "plain" / "r.xlsx")
    gc.collect()
    assert unraisable == []


def test_the_estimators_part_of_the_risk_has_its_own_column_and_terminal_line():
    from rich.console import Console

    from mtaudit.reports.spreadsheet import review_rows
    from mtaudit.reports.terminal import findings_text, print_ranked

    finding = {"start": 0, "end": 3, "severity": "major", "category": "Accuracy/Mistranslation",
               "detector": "names", "message": "name written two ways"}
    report = {"summary": {"sentences": 2, "documents": 1, "failed": 0, "findings": 1},
              "documents": [{"doc": "a.txt", "sentences": [
                  {"doc": "a.txt", "segment": "1", "sentence": 0, "text": "Shi met Xi.", "risk": 0.9,
                   "estimator": 0.41, "segment_risk": 1.3, "findings": [finding]},
                  {"doc": "a.txt", "segment": "2", "sentence": 0, "text": "Rule-only line.", "risk": 0.2,
                   "findings": []}]}]}
    rows = [dict(zip(HEADERS, r)) for r in review_rows(report)]
    assert [(r["risk"], r["estimator"]) for r in rows] == [(0.9, 0.41), (0.2, None)]
    # the segment's risk beside the segment (blank in a report from before segment risks)
    assert [(r["segment"], r["segment risk"]) for r in rows] == [("1", 1.3), ("2", None)]
    assert rows[0]["flagged"] == "Shi" and rows[1]["flagged"] is None
    first, second = report["documents"][0]["sentences"]
    assert findings_text(first).plain.splitlines()[-1] == "trained estimator: +0.41 of the risk 0.90"
    assert "estimator" not in findings_text(second).plain
    console = Console(width=160, record=True)
    print_ranked(report, 5, console)
    assert "trained estimator: +0.41" in console.export_text()


def _sheet_rows(path: Path, sheet: str = "review") -> list[dict]:
    book = openpyxl.load_workbook(path)
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_decisions_and_notes_carry_into_the_next_rounds_sheet(tmp_path):
    """Round 1's sheet, filled in, given to round 2 (a real `mtaudit audit` process): every decision and note whose
    finding still exists is in round 2's sheet, dismissed findings included (so that round 3 dismisses them again);
    the decision on a sentence edited in between is listed on stderr and in an `unmatched decisions` sheet."""
    import subprocess
    import sys

    (tmp_path / "in").mkdir()
    for name in ("01_port_deal.txt", "03_flood_relief.txt", "09_de_hochwasser.txt"):
        (tmp_path / "in" / name).write_bytes((SAMPLES / name).read_bytes())

    def audit_process(*args):
        run = subprocess.run([sys.executable, "-m", "mtaudit", "audit", "in", "--no-model", "--top", "0",
                              "--workers", "1", *args], cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return run

    audit_process("--xlsx", "r1.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r1.xlsx")
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    at = {name: i + 1 for i, name in enumerate(header)}
    typed: dict[str, tuple] = {}  # key -> (decision as typed, note)
    seen: dict[tuple, int] = {}
    for n, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), 2):
        record = dict(zip(header, row))
        what = (record["detector"], record["flagged"])
        seen[what] = seen.get(what, 0) + 1
        choice = {("credits", "Edited by Anna Petrova by Tom Hale"): ("False positive", "house style allows it"),
                  ("names", "Wang"): ("confirm", "checked against the source"),
                  ("phrasing", "The company"): (None, "ask the desk"),
                  ("numbers", "February 30"): ("confirm", None),
                  # two identical findings in one sentence: the first dismissed, the second confirmed
                  ("phrasing", "Sie"): ("dismiss", None) if seen[what] == 1 else ("confirm", "formal address")}
        if what in choice:
            decision, note = choice[what]
            sheet.cell(n, at["decision"], decision)
            sheet.cell(n, at["reviewer note"], note)
            typed[record["key"]] = choice[what]
    book.save(tmp_path / "r1.xlsx")
    assert len(typed) == 6
    # an editor fixes the date: that sentence was never reviewed as it now reads, so its decision is not carried
    flood = tmp_path / "in" / "03_flood_relief.txt"
    flood.write_text(flood.read_text(encoding="utf-8").replace("February 30", "March 1"), encoding="utf-8")

    second = audit_process("--decisions", "r1.xlsx", "--xlsx", "r2.xlsx", "--csv", "r2.csv")
    assert "1 matched no finding" in second.stderr
    assert "in/03_flood_relief.txt" in second.stderr and "'February 30'" in second.stderr
    expected = {"False positive": "dismiss"}
    rows = {r["key"]: r for r in _sheet_rows(tmp_path / "r2.xlsx") if r["key"]}
    for key, (decision, note) in typed.items():
        if "February 30" in key:
            assert key not in rows
            continue
        assert (rows[key]["decision"], rows[key]["reviewer note"]) == (expected.get(decision, decision), note), key
    dismissed = [r for r in rows.values() if r["decision"] == "dismiss"]
    assert {(r["detector"], r["flagged"]) for r in dismissed} == {
        ("credits", "Edited by Anna Petrova by Tom Hale"), ("phrasing", "Sie")}
    assert sum(1 for r in rows.values() if r["decision"] or r["reviewer note"]) == 5
    [gone] = _sheet_rows(tmp_path / "r2.xlsx", "unmatched decisions")
    assert (gone["document"], gone["flagged"], gone["detector"], gone["decision"]) == (
        "in/03_flood_relief.txt", "February 30", "numbers", "confirm")
    with open(tmp_path / "r2.csv", encoding="utf-8-sig", newline="") as fh:
        csv_rows = {r["key"]: r for r in csv.DictReader(fh) if r["key"]}
    assert {k: (r["decision"], r["reviewer note"]) for k, r in csv_rows.items()} == {
        k: (r["decision"] or "", r["reviewer note"] or "") for k, r in rows.items()}

    # round 3 from round 2's sheet: the same decisions again, nothing unmatched
    third = audit_process("--decisions", "r2.xlsx", "--xlsx", "r3.xlsx")
    assert "matched no finding" not in third.stderr
    again = {r["key"]: (r["decision"], r["reviewer note"]) for r in _sheet_rows(tmp_path / "r3.xlsx") if r["key"]}
    assert again == {k: (r["decision"], r["reviewer note"]) for k, r in rows.items()}
    assert openpyxl.load_workbook(tmp_path / "r3.xlsx").sheetnames == ["review", "documents", "run"]
