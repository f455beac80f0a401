"""``mtaudit report``: the report files rendered again from saved JSONL results, without re-auditing."""
from __future__ import annotations

from pathlib import Path

from mtaudit.app.run import Outputs, Say, Summary, silent
from mtaudit.core.errors import UsageError
from mtaudit.core.outputs import refuse_overwriting_inputs
from mtaudit.reports.base import build_report
from mtaudit.reports.records import read_records
from mtaudit.reports.writers import write_reports


def render(results: Path, outputs: Outputs, say: Say = silent) -> Summary:
    """Write the report files of ``outputs`` from the results file ``results`` (written by ``audit --jsonl``); their
    paths are checked before the results are read."""
    if not any(p is not None for p in outputs.reports.values()):
        raise UsageError("nothing to write: give --html, --xlsx or --csv")
    refuse_overwriting_inputs(outputs.reports.values(), [str(results)])
    for option, folder in outputs.check():
        say("info", f"created folder {folder} for {option}")
    report = build_report(read_records(results))
    if not report["run"]:
        raise UsageError(f"{results}: no run line; is this an mtaudit --jsonl file?")
    return Summary(report, write_reports(report, outputs.reports))
