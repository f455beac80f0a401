"""``mtaudit watch``: a hot folder, every file dropped into it audited with the model loaded once."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from mtaudit.cli.common import err, fail
from mtaudit.cli.options import DEVICE
from mtaudit.core.errors import MtauditError
from mtaudit.core.text import plural


def watch(
    inbox: Path = typer.Argument(..., help="The folder to watch (not its sub-folders). Every file in it, and every "
                                 "file that arrives or changes later, is audited once its size and time have stayed "
                                 "the same for one poll."),
    out: Path = typer.Option(..., "--out", help="Where each file's results go: OUTDIR/<file name>.jsonl (the records "
                             "of `audit --jsonl`, written atomically); must lie outside the watched folder.",
                             metavar="OUTDIR", rich_help_panel="Output"),
    html: bool = typer.Option(False, "--html", help="Also write OUTDIR/<file name>.html, the file's review report.",
                              rich_help_panel="Output"),
    poll: float = typer.Option(0.5, "--poll", min=0.05, help="Seconds between two looks at the folder; a file is read "
                               "once it has not changed for that long.", metavar="SECONDS"),
    once: bool = typer.Option(False, "--once", help="Audit what is in the folder, then stop (instead of watching "
                              "until Ctrl-C)."),
    no_model: bool = typer.Option(False, "--no-model", help="Rule detectors only.", rich_help_panel="Model and risk"),
    model: Optional[str] = typer.Option(None, "--model", help="As for `audit`: a name from `mtaudit models` or a "
                                        "folder.", rich_help_panel="Model and risk"),
    device: Optional[str] = DEVICE,
    fast: bool = typer.Option(False, "--fast", help="As for `audit`: the source-conditioned pass alone where a "
                              "segment has its source (about half the model time, a slightly weaker ranking).",
                              rich_help_panel="Model and risk"),
    adequacy: bool = typer.Option(False, "--adequacy", help="As for `audit`: also the reverse pass (the source given "
                                  "the translation): a better order among translations of one sentence, about 1.7x "
                                  "the model time.", rich_help_panel="Model and risk"),
    runtime: str = typer.Option("torch", "--runtime", help="As for `audit`: torch or openvino; in a watch OpenVINO's "
                                "compile and slow first batches are paid once, at the start (with --fast, the "
                                "quickest per article).", rich_help_panel="Model and risk"),
    langs: Optional[str] = typer.Option(None, "--langs", help="Language pair of every file as SRC-TGT (default: "
                                        "detected per file).", metavar="SRC-TGT"),
    fmt: Optional[str] = typer.Option(None, "--format", help="Read every file as this format instead of guessing "
                                      "from its name and content."),
    detectors: Optional[str] = typer.Option(None, "--detectors", help="Comma-separated detectors to run (default: "
                                            "all, or those of --config)."),
    config_file: Optional[Path] = typer.Option(None, "--config", help="TOML file with detector options and "
                                               "optionally risk_model (as for `audit`)."),
    settings: List[str] = typer.Option([], "--set", help="One detector option, DETECTOR.OPTION=VALUE (repeatable; "
                                       "as for `audit`).", metavar="DETECTOR.OPTION=VALUE"),
    glossary: Optional[Path] = typer.Option(None, "--glossary", help="Canonical spellings of names and terms (as for "
                                            "`audit`)."),
    risk_model: Optional[Path] = typer.Option(None, "--risk-model", help="Risk weights JSON (as for `audit`; default: "
                                              "each language pair's shipped model).", rich_help_panel="Model and risk"),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="A reviewer's decisions (the HTML report's "
                                             "export, or a review spreadsheet): dismissed findings are dropped from "
                                             "the watched files' results, matched by path as for `audit`."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print failed files only."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
):
    """Keep the model loaded and audit every file dropped into a folder, one results file each.

    For a desk that receives articles one at a time: the model's load (and OpenVINO's compile) and the first batches'
    set-up are paid once, at the start, so each article costs only its own audit. One line per file: its sentences,
    findings, top risk, seconds and where its results went. A file that cannot be read gets its error record and the
    watch goes on; input files are never modified. Ctrl-C stops it between files (exit 0). Exit codes: 0 stopped or
    done; 2 usage error.
    """
    from mtaudit.app.watch import Watch
    from mtaudit.pipeline import audit_config

    try:
        config = audit_config(detectors, config_file, settings, glossary, no_model, model, runtime,
                              risk_model=risk_model, decisions=decisions, device=device, fmt=fmt, workers=1,
                              langs=langs, debug=debug, fast=fast, adequacy=adequacy)
        hot_folder = Watch(config, inbox, out, html, poll, once)
        if not quiet:
            err.print(f"loading {config.model} and warming up..." if config.model else "warming up the detectors...")
        hot_folder.start()
    except MtauditError as exc:
        fail(exc, debug)
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130)
    if not quiet:
        err.print(f"watching {inbox.resolve()} (results in {out.resolve()}); Ctrl-C stops")
    count = 0
    try:
        for done in hot_folder:
            count += 1
            if done.error:
                err.print(f"[yellow]warning[/yellow]: {escape(done.error)}")
            elif not quiet:
                risk = f"top risk {done.top_risk:.2f}" if done.top_risk is not None else "no sentences"
                err.print(f"{escape(done.path.name)}: {plural(done.sentences, 'sentence')}, "
                          f"{plural(done.findings, 'finding')}, {risk}, "
                          f"{done.seconds:.1f} s -> {escape(str(done.outputs[-1]))}")
    except KeyboardInterrupt:
        pass
    except MtauditError as exc:
        fail(exc, debug)
    if not quiet:
        err.print(f"stopped: {plural(count, 'file')} audited")
