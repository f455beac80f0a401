"""An audit run: files through an engine into the results, as ``mtaudit audit`` runs it.

``AuditRun.run`` finds the files, checks the outputs against the inputs, loads the model while the engine reads the
first files, then streams every finished document, in input order, into ``Results``: the JSONL file (resumable), the
report builder and the annotated copies. It writes the report files, applies the exit policy and returns a
``Summary``. What the user should see on the way goes to ``say(kind, text)`` (kind: ``warning``, ``note`` or
``info``), the progress to ``progress(total)``; the command line decides how to show them. ``Results`` also serves
``mtaudit watch``, which audits one file at a time (``mtaudit.app.watch``).
"""
from __future__ import annotations

import itertools
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from mtaudit.core.errors import UsageError
from mtaudit.core.outputs import refuse_overwriting_inputs
from mtaudit.engines.base import Engine
from mtaudit.pipeline import AuditConfig, Auditor, discover
from mtaudit.reports.base import ReportBuilder
from mtaudit.reports.jsonl import JsonlWriter
from mtaudit.reports.records import EncodedDocument, encode_document
from mtaudit.reports.writers import WRITERS, write_reports

Say = Callable[[str, str], None]
# progress(total) gives a context manager whose value is advance(sentences=0, failed=False), called once a document
Progress = Callable[[int], ContextManager[Callable[..., None]]]


def silent(kind: str, text: str) -> None:
    """A ``say`` that shows nothing."""


def no_progress(total: int) -> ContextManager[Callable[..., None]]:
    return nullcontext(lambda sentences=0, failed=False: None)


class Interrupted(Exception):
    """Ctrl-C stopped the run; the message says what was kept."""


@dataclass
class Outputs:
    """The files a run writes (None: not asked for)."""

    jsonl: Path | None = None
    html: Path | None = None
    xlsx: Path | None = None
    csv: Path | None = None
    annotate: Path | None = None  # a folder for the annotated copies of CAT-tool inputs
    mark_fuzzy: bool = False  # with ``annotate``: flagged PO entries are marked fuzzy too

    @property
    def reports(self) -> dict[str, Path | None]:
        """The report files by writer name (``mtaudit.reports.writers.WRITERS``)."""
        return {name: getattr(self, name) for name in WRITERS}

    @property
    def files(self) -> list[Path | None]:
        return [self.jsonl, *self.reports.values()]


@dataclass
class Summary:
    """What a run did: its report object (all records, or the top sentences and counts), the report files written and
    the exit code (0 done; 1 a sentence's risk above ``fail_above``; 2 every input failed)."""

    report: dict
    written: list[tuple[str, Path]] = field(default_factory=list)
    exit_code: int = 0


class Results:
    """Where finished documents go: the JSONL file (``jsonl``, streamed, resumable), the report builder and the
    annotated copies (``copies``). ``keep_all``: the builder keeps every record (a report file needs them)."""

    def __init__(self, run_record: dict, jsonl: Path | None = None, resume: bool = False, keep_all: bool = False,
                 top: int = 0, copies=None):
        self.builder = ReportBuilder(keep_all=keep_all, top=top)
        self.builder.add([run_record])
        self.run_record = run_record
        self.writer = JsonlWriter(jsonl, resume=resume) if jsonl else None
        self.copies = copies

    def open(self) -> set[str]:
        """Open the JSONL file; returns the documents a resumed run already finished (their records are kept)."""
        if self.writer is None:
            return set()
        recovered = self.writer.open(self.run_record)
        self.builder.add(recovered)
        return {r["doc"] for r in recovered if r["type"] == "document"}

    def add(self, doc: EncodedDocument) -> str | None:
        """Write one finished document; returns a one-line problem when its annotated copy could not be written."""
        if self.writer:
            self.writer.write_encoded(doc.lines)
        self.builder.add_encoded(doc)
        return self.copies.write(doc.document) if self.copies else None

    def close(self) -> None:
        if self.writer:
            self.writer.close()

    def abandon(self) -> None:
        """Drop the JSONL file being written (for one document's results, never resumed)."""
        if self.writer:
            self.writer.abandon()

    @property
    def partial(self) -> Path | None:
        return self.writer.partial if self.writer else None


class AuditRun:
    """One audit of files and folders with ``config`` on ``engine``, into ``outputs``; ``top``: the riskiest
    sentences the summary's report keeps when no report file needs every record; ``reads``: other files the
    configuration reads (a config file, a glossary), which no output may overwrite. ``run`` closes the engine."""

    def __init__(self, config: AuditConfig, engine: Engine, outputs: Outputs | None = None, top: int = 20,
                 reads: list[str] = (), say: Say = silent, progress: Progress = no_progress):
        self.config, self.engine, self.outputs = config, engine, outputs or Outputs()
        self.top, self.reads, self.say, self.progress = top, list(reads), say, progress

    def run(self, paths: list[str], recursive: bool = True, include: list[str] = (), exclude: list[str] = (),
            resume: bool = False, fail_above: float | None = None) -> Summary:
        """Audit ``paths`` (files, and folders walked for supported files); ``resume`` continues the JSONL file of an
        interrupted run. Raises MtauditError for what cannot work, Interrupted on Ctrl-C."""
        try:
            files, missing = discover(paths, recursive, include, exclude)
            copies = self._check(paths, files, missing, resume)
            auditor = self._start(files, resume)
        except KeyboardInterrupt:  # while the model loads: the reading workers' queued files are dropped, not finished
            self.engine.close()
            raise Interrupted("interrupted") from None
        except BaseException:
            self.engine.close()
            raise
        options = self.config.run_options(source=self.config.source, recursive=recursive, include=include,
                                          exclude=exclude)
        results = Results(auditor.run_record(options, engine=self.engine.describe()), self.outputs.jsonl, resume,
                          keep_all=any(p is not None for p in self.outputs.reports.values()), top=self.top,
                          copies=copies)
        failures = self._stream(auditor, results, files, missing)
        self._after(auditor, files, copies)
        report = results.builder.report()
        written = write_reports(report, self.outputs.reports)
        total = len(files) + len(missing)
        code = 0
        if total and failures == total:
            code = 2
        elif fail_above is not None and results.builder.max_risk is not None and results.builder.max_risk > fail_above:
            code = 1
        return Summary(report, written, code)

    def _check(self, paths: list[str], files: list[str], missing: list, resume: bool):
        """The outputs against the inputs, before any file is read; the annotated copies' writer."""
        config, outputs = self.config, self.outputs
        inputs = [config.source, config.decisions, config.risk_model, *self.reads]
        refuse_overwriting_inputs(outputs.files, files + [str(p) for p in inputs if p])
        if config.source and len(files) + len(missing) != 1:
            raise UsageError("--source pairs one article with its source: give exactly one input file")
        if resume and not outputs.jsonl:
            raise UsageError("--resume continues the --jsonl FILE of an interrupted run: give --jsonl")
        if outputs.annotate:
            from mtaudit.annotate import AnnotatedCopies, copy_paths

            return AnnotatedCopies(copy_paths(files, paths, outputs.annotate), mark_fuzzy=outputs.mark_fuzzy)
        if outputs.mark_fuzzy:
            raise UsageError("--mark-fuzzy marks entries of the annotated copies: give --annotate OUTDIR")
        return None

    def _start(self, files: list[str], resume: bool) -> Auditor:
        """The configuration is checked (detectors, risk model, decisions) before any file is read; then the files are
        read while the model loads (a resumed run skips the finished files, known only once the results file is
        read), and the engine starts (the Ray engine joins or starts a cluster and loads the model on its actors)."""
        auditor = Auditor(self.config, local_model=self.engine.local_model, load_model=False)
        if not resume:
            self.engine.prefetch(self.config, files)
        auditor.load_model()
        self.engine.start(auditor)
        return auditor

    def _stream(self, auditor: Auditor, results: Results, files: list[str], missing: list) -> int:
        """Every document into ``results`` as it finishes, in input order; returns how many failed."""
        done = results.open()
        if done:
            self.say("info", f"resuming: {len(done)} documents already done in {results.partial}")
        failures = 0
        total = len(files) + len(missing)
        progress = self.progress if total >= 2 else no_progress
        keep = results.copies is not None  # annotated copies are written from the Documents themselves
        try:
            with progress(total - len(done & set(files))) as advance:
                finished = itertools.chain((encode_document(d, keep_document=keep) for d in missing),
                                           self.engine.results(auditor, [f for f in files if f not in done], keep))
                for doc in finished:  # each document's lines were encoded where it was finished
                    problem = results.add(doc)
                    if doc.error:
                        failures += 1
                        self.say("warning", doc.error)
                    else:
                        for warning in doc.warnings:
                            self.say("note", f"{doc.path}: {warning}")
                    if problem:
                        self.say("warning", problem)
                    advance(doc.sentences, bool(doc.error))
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted; finished documents are in {results.partial} (re-run with --resume)"
                              if results.writer else "interrupted") from None
        finally:
            self.engine.close()
        results.close()
        return failures

    def _after(self, auditor: Auditor, files: list[str], copies) -> None:
        """What the run did beside its results: the annotated copies, the decisions applied."""
        if copies:
            notice = copies.notice()
            if notice:
                self.say("note", notice)
            self.say("info", f"annotated copies: {copies.written} in {self.outputs.annotate.resolve()}")
        if auditor.decisions is not None:
            stale, elsewhere = auditor.decisions.unmatched(files)
            self.say("info", f"decisions: {sum(auditor.dismissed.values())} findings dismissed by "
                     f"{self.config.decisions}"
                     + (f"; {stale} matched no finding (sentence edited or detector changed)" if stale else "")
                     + (f"; {elsewhere} are for documents not in this run (paths are matched as given when the "
                        "report was made)" if elsewhere else ""))
