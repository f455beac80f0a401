"""The command line: one module per command, each parsing its options, calling one library function and printing.

``app`` is the typer application (``mtaudit.cli.app``) and ``main`` the console script (``mtaudit.cli:main``).
"""
from __future__ import annotations

import sys

import typer

from mtaudit import __version__
from mtaudit.cli.audit import audit
from mtaudit.cli.calibrate import calibrate
from mtaudit.cli.detectors import list_detectors
from mtaudit.cli.eval import eval_
from mtaudit.cli.models import models, models_pull
from mtaudit.cli.options import Command, Group
from mtaudit.cli.report import report
from mtaudit.cli.watch import watch

app = typer.Typer(
    cls=Group, help="Find the sentences of machine-translated news that a human must review first, and why.",
    no_args_is_help=True, add_completion=False, rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(cls=Group, help="List, pull and check the offline scoring models.",
                         invoke_without_command=True)
app.add_typer(models_app, name="models")
models_app.callback()(models)
models_app.command("pull", cls=Command)(models_pull)
app.command(cls=Command)(audit)
app.command(cls=Command)(watch)
app.command(cls=Command)(report)
app.command("detectors", cls=Command)(list_detectors)
app.command("eval", cls=Command)(eval_)
app.command(cls=Command)(calibrate)


def _version(value: bool):
    if value:
        typer.echo(f"mtaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
):
    """mtaudit audits machine-translated news: names, bylines and credits, numbers, phrasing, untranslated text,
    repetitions and fluency, ranked by risk."""


def main():
    try:
        app()
    except BrokenPipeError:  # `mtaudit audit ... | head` is fine
        sys.stderr.close()


if __name__ == "__main__":
    main()
