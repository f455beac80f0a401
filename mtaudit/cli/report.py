"""``mtaudit report``: the report files rendered again from saved results."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from mtaudit.cli.common import fail, say_written, sayer
from mtaudit.core.errors import MtauditError


def report(
    results: Path = typer.Argument(..., help="A results file written by `mtaudit audit --jsonl`."),
    html: Optional[Path] = typer.Option(None, "--html", help="Where to write the HTML review report."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Where to write the review spreadsheet (as audit --xlsx)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Where to write the review list as CSV."),
    top: int = typer.Option(0, "--top", min=0, help="Also print the N riskiest sentences."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
):
    """Render the HTML report or review spreadsheets from saved JSONL results without re-auditing."""
    from mtaudit.app.report import render
    from mtaudit.app.run import Outputs

    try:
        summary = render(results, Outputs(html=html, xlsx=xlsx, csv=csv_out), say=sayer(False))
    except MtauditError as exc:
        fail(exc, debug)
    if top:
        from mtaudit.reports.terminal import print_ranked

        print_ranked(summary.report, top, Console())
    say_written(summary.written)
