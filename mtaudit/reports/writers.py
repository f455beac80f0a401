"""The report files a run can write, registered in ``WRITERS`` by the name of their command-line option.

A writer takes the report object (``mtaudit.reports.base``) and a path and writes the file atomically; writers never
compute scores. ``write_reports`` writes those asked for, in registry order.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from mtaudit.core.errors import UsageError
from mtaudit.reports.html import write_html
from mtaudit.reports.spreadsheet import write_csv, write_xlsx


@dataclass(frozen=True)
class Writer:
    label: str  # what the file is, as the command line names it once written
    write: Callable[[dict, Path], None]


WRITERS: dict[str, Writer] = {
    "html": Writer("HTML report", write_html),
    "xlsx": Writer("review spreadsheet", write_xlsx),
    "csv": Writer("review list (CSV)", write_csv),
}


def write_reports(report: dict, paths: dict[str, Path | None]) -> list[tuple[str, Path]]:
    """Write the report files of ``paths`` (writer name -> path, None: not asked for); returns (label, path) of each
    file written. An unwritable path is a UsageError naming it."""
    written = []
    for name, writer in WRITERS.items():
        path = paths.get(name)
        if path is None:
            continue
        try:
            writer.write(report, path)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        written.append((writer.label, Path(path)))
    return written
