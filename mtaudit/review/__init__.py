"""What reviewers decided: the identity of a finding (``identity``), the decisions file the HTML report exports
(``decisions``), the review sheet's decision column (``sheet``), and the MQM judgements a reviewer marks on any sentence
of the report with the columns of their export (``judgements``). ``load_decisions`` reads either kind of decisions
file."""
from __future__ import annotations

from pathlib import Path

from mtaudit.review.decisions import Decisions, read_decisions_file
from mtaudit.review.sheet import read_decisions


def load_decisions(path: str | Path) -> Decisions:
    """Read a decisions file exported by the HTML report, or the decision and note columns of a review spreadsheet
    (``.xlsx``, ``.csv``); errors name the file and the decision (or cell) at fault."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".csv"):
        return read_decisions(path)
    return read_decisions_file(path)
