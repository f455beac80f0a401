"""``mtaudit audit``: files and folders through the pipeline into the ranked review list and the report files."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from mtaudit.cli.common import err, fail, progress_bar, say_written, sayer
from mtaudit.cli.options import DEVICE
from mtaudit.core.errors import MtauditError


def audit(
    paths: List[str] = typer.Argument(..., help="Files or folders to audit. Folders are walked for supported files."),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="Write every sentence's results as JSONL to FILE "
                                         "(streamed to FILE.partial, renamed when complete).", rich_help_panel="Output"),
    html: Optional[Path] = typer.Option(None, "--html", help="Write the self-contained HTML review report to FILE.", rich_help_panel="Output"),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Write the ranked review list as a spreadsheet to FILE "
                                        "(one row per finding, a decision column to fill in, a sheet per document); "
                                        "read the decisions back with --decisions FILE.", rich_help_panel="Output"),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the review list of --xlsx as UTF-8 CSV to FILE.",
                                           rich_help_panel="Output"),
    annotate: Optional[Path] = typer.Option(None, "--annotate", help="Write a copy of every XLIFF (1.2, 2.0, "
                                            "sdlxliff, mqxliff), PO and TMX input under OUTDIR (same path relative "
                                            "to its folder argument) whose flagged units carry the findings as notes, "
                                            "the unit's risk and a review state; inputs are never changed.",
                                            metavar="OUTDIR", rich_help_panel="Output"),
    mark_fuzzy: bool = typer.Option(False, "--mark-fuzzy", help="With --annotate: also mark flagged PO entries "
                                    "fuzzy.", rich_help_panel="Output"),
    top: int = typer.Option(20, "--top", min=0, help="How many of the riskiest sentences to print (0: none).", rich_help_panel="Output"),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes for reading and rule detectors "
                                "(0: one per CPU core); they start before the model loads and read the first files "
                                "meanwhile. With --engine ray, the CPUs of a Ray runtime started on this machine.", rich_help_panel="Batch"),
    detectors: Optional[str] = typer.Option(None, "--detectors", help="Comma-separated detectors to run "
                                            "(default: all; `mtaudit detectors` lists them).", rich_help_panel="Detectors"),
    no_model: bool = typer.Option(False, "--no-model", help="Skip the transformer fluency model: rule detectors only.", rich_help_panel="Model and risk"),
    model: Optional[str] = typer.Option(None, "--model", help="Model to score fluency with: a name from `mtaudit "
                                        "models` or a local Hugging Face model folder (default: the default model).", rich_help_panel="Model and risk"),
    device: Optional[str] = DEVICE,
    fast: bool = typer.Option(False, "--fast", help="Trade a little ranking quality for speed: where a segment has "
                              "its source, run only the source-conditioned model pass (about half the model's time). "
                              "Those sentences get no target-only scores, and their odd phrasing is judged given the "
                              "source (fewer findings). "
                              "English->German has no trained estimator and ranks no better than length with --fast: "
                              "keep the default there. What it costs and saves, measured: docs/performance.md.",
                              rich_help_panel="Model and risk"),
    adequacy: bool = typer.Option(False, "--adequacy", help="Also run the reverse pass where a segment has its "
                                  "source: the source scored given the translation, log p(source | target), which "
                                  "drops when a translation leaves something out or changes it, however fluent it "
                                  "reads. Orders the translations of one sentence better (held out on three-rater "
                                  "WMT23 news, tau within items 0.142 -> 0.163; level on WMT21 news) at about 1.7x the "
                                  "model time. Run only where the risk model weighs it (zh-en; not en-de, where it did "
                                  "not help). "
                                  "Not with --fast. Figures: docs/performance.md.",
                                  rich_help_panel="Model and risk"),
    runtime: str = typer.Option("torch", "--runtime", help="What runs the model on the CPU: torch (eager PyTorch, "
                                "the default) or openvino (the model's forward in OpenVINO; needs the `openvino` "
                                "extra: pip install 'mtaudit\\[openvino]'; faster model passes, scores within bf16 "
                                "rounding of torch's, more memory; its compile at the start of each run can eat the "
                                "gain on one short file; the first run exports the model and caches it beside the "
                                "weights). Speeds measured on CPUs with and without bf16 units: docs/performance.md.",
                                rich_help_panel="Model and risk"),
    source: Optional[Path] = typer.Option(None, "--source", help="The source-language article of a single plain-text "
                                          "input, paired paragraph by paragraph.", rich_help_panel="Input"),
    langs: Optional[str] = typer.Option(None, "--langs", help="Language pair of every input as SRC-TGT, e.g. en-de "
                                        "or zh-en (default: each file's own metadata, else detected from its text; "
                                        "docs/languages.md lists the supported pairs).", metavar="SRC-TGT",
                                        rich_help_panel="Input"),
    fmt: Optional[str] = typer.Option(None, "--format", help="Read every input as this format instead of guessing "
                                      "from the extension: text, markdown, html, jsonl, tsv, csv, xliff, sdlxliff, "
                                      "mqxliff, po, tmx (tmx:LANG picks the target language of a TMX file).", rich_help_panel="Input"),
    recursive: bool = typer.Option(True, "--recursive/--no-recursive", help="Walk sub-folders of folder inputs.", rich_help_panel="Batch"),
    include: List[str] = typer.Option([], "--include", help="Only audit files in folders matching this glob "
                                      "(repeatable).", metavar="GLOB", rich_help_panel="Batch"),
    exclude: List[str] = typer.Option([], "--exclude", help="Skip files in folders matching this glob (repeatable).",
                                      metavar="GLOB", rich_help_panel="Batch"),
    fail_above: Optional[float] = typer.Option(None, "--fail-above", help="Exit with code 1 when any sentence's risk "
                                               "is above RISK (for CI gates).", metavar="RISK",
                                               rich_help_panel="Output"),
    glossary: Optional[Path] = typer.Option(None, "--glossary", help="Canonical spellings of names and terms (CSV "
                                            "`term,variant,...` or TBX); wrong variants are flagged.", rich_help_panel="Detectors"),
    config_file: Optional[Path] = typer.Option(None, "--config", help="TOML file with detector options "
                                               "(\\[detectors.NAME] tables) and optionally the team's risk_model = \"FILE\" (see "
                                               "docs/configuration.md).", rich_help_panel="Detectors"),
    settings: List[str] = typer.Option([], "--set", help="One detector option, DETECTOR.OPTION=VALUE (repeatable; "
                                       "wins over --config).", metavar="DETECTOR.OPTION=VALUE",
                                       rich_help_panel="Detectors"),
    risk_model: Optional[Path] = typer.Option(None, "--risk-model", help="Risk weights JSON (e.g. from `mtaudit "
                                              "calibrate`) for every input instead of each language pair's packaged "
                                              "model.", rich_help_panel="Model and risk"),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="Apply a reviewer's decisions: the file exported "
                                             "from the HTML report, or a review sheet of --xlsx/--csv with its "
                                             "decision column filled in; dismissed findings are suppressed and "
                                             "counted.", rich_help_panel="Detectors"),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from FILE.partial of --jsonl, "
                                "skipping documents already finished.", rich_help_panel="Batch"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, no table, warnings only.", rich_help_panel="Output"),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors (and, with --engine ray, the "
                               "workers' logs).", rich_help_panel="Output"),
    engine_name: str = typer.Option("local", "--engine", help="Where the audit runs: local (processes on this "
                                    "machine) or ray (a Ray cluster, or a Ray runtime started on this machine; needs "
                                    "pip install \"mtaudit\\[ray]\"; see docs/scaling.md). Same results either way.",
                                    rich_help_panel="Engine"),
    address: Optional[str] = typer.Option(None, "--address", help="With --engine ray: the cluster to join, HOST:PORT "
                                          "of its head (default: $RAY_ADDRESS, else start a runtime on this "
                                          "machine).", metavar="HOST:PORT", rich_help_panel="Engine"),
    actors: Optional[int] = typer.Option(None, "--actors", min=1, help="With --engine ray: model replicas, one Ray "
                                         "actor each (default: one per GPU of the cluster, else one per node).",
                                         rich_help_panel="Engine"),
    gpus_per_actor: Optional[float] = typer.Option(None, "--gpus-per-actor", min=0.0, help="With --engine ray: GPUs "
                                                   "each model actor takes, fractions allowed (default: 1 on a "
                                                   "cluster with GPUs, else 0: the model on CPU).", metavar="GPUS",
                                                   rich_help_panel="Engine"),
):
    """Audit translated files and print the sentences to review first.

    Exit codes: 0 done; 1 --fail-above crossed; 2 usage error, an input not found, or every input failed.
    """
    from mtaudit.app.run import AuditRun, Interrupted, Outputs
    from mtaudit.engines import build_engine
    from mtaudit.pipeline import audit_config

    try:
        config = audit_config(detectors, config_file, settings, glossary, no_model, model, runtime, source, risk_model,
                              decisions, device=device, fmt=fmt, workers=workers or (os.cpu_count() or 1), langs=langs,
                              debug=debug, fast=fast, adequacy=adequacy)
        engine = build_engine(engine_name, config.workers, address, actors, gpus_per_actor)
        outputs = Outputs(jsonl, html, xlsx, csv_out, annotate, mark_fuzzy)
        run = AuditRun(config, engine, outputs, top=0 if quiet else top, reads=[p for p in (config_file, glossary) if p],
                       say=sayer(quiet), progress=progress_bar(quiet, detail=True))
        summary = run.run(paths, recursive, include, exclude, resume, fail_above)
    except Interrupted as exc:
        err.print(str(exc))
        raise typer.Exit(130)
    except MtauditError as exc:
        fail(exc, debug)
    if not quiet and top:
        from mtaudit.reports.terminal import print_ranked

        print_ranked(summary.report, top, Console())
    if not quiet:
        say_written(summary.written)
    if summary.reason:
        err.print(("[red]error[/red]: " if summary.exit_code == 2 else "") + escape(summary.reason))
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)
