"""What every command shares: the error console, the one-line failure, the progress bar and the messages of a run."""
from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from mtaudit.core.errors import UsageError

err = Console(stderr=True, highlight=False, soft_wrap=True)

# How a run's messages (``say(kind, text)`` of mtaudit.app and mtaudit.evaluation) are shown; "info" is plain.
LABELS = {"warning": "[yellow]warning[/yellow]: ", "note": "[yellow]note[/yellow]: ", "info": ""}


def sayer(quiet: bool, keep: tuple[str, ...] = ("warning",)):
    """``say(kind, text)`` on stderr; when ``quiet``, only the kinds in ``keep``."""
    def say(kind: str, text: str) -> None:
        if not quiet or kind in keep:
            err.print(LABELS[kind] + escape(text))  # a path or a hint may hold [brackets]
    return say


def fail(exc: BaseException, debug: bool):
    """Print ``exc`` as one line and exit with 2 (with ``debug``, raise it: its traceback is shown)."""
    if debug:
        raise exc
    err.print(f"[red]error[/red]: {escape(str(exc))}")
    raise typer.Exit(2)


def write_text(path: Path, text: str, debug: bool) -> None:
    from mtaudit.core.outputs import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        fail(UsageError(f"{path}: cannot write: {exc.strerror or exc}"), debug)


def write_json(path: Path | None, data, debug: bool) -> None:
    """``data`` as indented JSON to ``path`` (atomically), where a path was given."""
    import json

    if path is not None:
        write_text(path, json.dumps(data, indent=2) + "\n", debug)


def say_written(written: list[tuple[str, Path]]) -> None:
    for label, path in written:
        err.print(f"{label}: {path.resolve()}")


def progress_bar(disabled: bool, detail: bool = False):
    """A ``progress(total)`` for mtaudit.app and mtaudit.evaluation: a rich bar over documents on stderr, or nothing
    when ``disabled`` or stderr is not a terminal; with ``detail`` the bar also shows sentences per second and the
    failed files."""
    def progress(total: int) -> ProgressBar:
        return ProgressBar(disabled, total, detail)
    return progress


class ProgressBar:
    """A context manager whose value is ``advance(sentences=0, failed=False)``, called once a document."""

    def __init__(self, disabled: bool, total: int, detail: bool = False):
        self.disabled, self.total, self.detail = disabled, total, detail

    def __enter__(self):
        if self.disabled or not err.is_terminal:
            self._bar = None
            return lambda sentences=0, failed=False: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = [TextColumn("auditing"), BarColumn(), MofNCompleteColumn()]
        if self.detail:
            columns += [TextColumn("{task.fields[rate]:,.0f} sentences/s"), TextColumn("{task.fields[failed]} failed")]
        self._bar = Progress(*columns, TimeRemainingColumn(), console=err, transient=True)
        self._bar.__enter__()
        task = self._bar.add_task("audit", total=self.total, rate=0.0, failed=0)
        started, counts = time.perf_counter(), {"sentences": 0, "failed": 0}

        def advance(sentences: int = 0, failed: bool = False):
            counts["sentences"] += sentences
            counts["failed"] += failed
            rate = counts["sentences"] / max(time.perf_counter() - started, 1e-6)
            self._bar.update(task, advance=1, rate=rate, failed=counts["failed"])

        return advance

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False
