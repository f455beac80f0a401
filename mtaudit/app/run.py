"""An audit run: files through an engine into the results, as ``mtaudit audit`` runs it.

``AuditRun.run`` finds the files, checks them and every output path (``mtaudit.app.outputs``) before any is read,
loads the model while the engine reads the first files, then streams every finished document, in input order, into
``Results``: the JSONL file (resumable), the report builder and the annotated copies. It writes the report files,
applies the exit policy and returns a ``Summary`` with the line that explains its exit code. What the user should
see on the way goes to ``say(kind, text)`` (kind: ``warning``, ``note`` or ``info``), the progress to
``progress(total)``; the command line decides how to show them. ``Results`` also serves ``mtaudit watch``, which
audits one file at a time (``mtaudit.app.watch``).
"""
from __future__ import annotations

import itertools
import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from mtaudit.app.outputs import check_outputs
from mtaudit.core.errors import UsageError
from mtaudit.core.outputs import refuse_overwriting_inputs
from mtaudit.core.text import plural
from mtaudit.engines.base import Engine
from mtaudit.pipeline import AuditConfig, Auditor, discover
from mtaudit.pipeline.stages import Found
from mtaudit.readers import supported_extensions
from mtaudit.reports.base import ReportBuilder
from mtaudit.reports.jsonl import JsonlWriter
from mtaudit.reports.records import EncodedDocument, encode_document
from mtaudit.reports.writers import WRITERS, write_reports

Say = Callable[[str, str], None]
# decisions that matched no finding, listed one a line in the run's messages (a workbook lists them all)
UNMATCHED_LISTED = 20
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

    def check(self) -> list[tuple[str, Path]]:
        """Every output path can be written (``mtaudit.app.outputs``), else a UsageError naming it; returns (option,
        folder) of each missing folder this created."""
        files = {"--jsonl": self.jsonl, **{f"--{name}": path for name, path in self.reports.items()}}
        partial = self.jsonl and self.jsonl.with_name(self.jsonl.name + ".partial")  # written first, then renamed
        if partial and partial.is_dir():
            raise UsageError(f"--jsonl {self.jsonl}: {partial}, where the results are written first, is a folder; "
                             "choose another path")
        return check_outputs(files, {"--annotate": self.annotate})


@dataclass
class Summary:
    """What a run did: its report object (all records, or the top sentences and counts), the report files written,
    the exit code (0 done; 1 a sentence's risk above ``fail_above``; 2 an input missing or every input failed) and,
    with a code, the one line that says why."""

    report: dict
    written: list[tuple[str, Path]] = field(default_factory=list)
    exit_code: int = 0
    reason: str | None = None


class Gate:
    """``--fail-above``: how many sentences have a risk above ``threshold``, and the riskiest one's record."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.above = 0
        self.worst: tuple[float, dict | str] | None = None  # its risk and its record (or the record's JSON line)

    def offer(self, risks: list[float], sentence: Callable[[int], dict | str]) -> None:
        """A document's sentence risks; ``sentence(i)`` gives sentence i's record, asked only of a new riskiest."""
        for i, risk in enumerate(risks):
            if risk > self.threshold:
                self.above += 1
                if self.worst is None or risk > self.worst[0]:
                    self.worst = (risk, sentence(i))

    def reason(self) -> str:
        risk, record = self.worst
        s = json.loads(record) if isinstance(record, str) else record
        text = " ".join(s["text"].split())
        text = text if len(text) <= 60 else text[:59] + "…"
        return (f"--fail-above {self.threshold:g}: {plural(self.above, 'sentence')} above {self.threshold:g}; the riskiest, {risk:.2f}, is "
                f"{s['doc']}, segment {s['segment']}, sentence {s['sentence'] + 1}: \"{text}\"")


def verdict(audited: int, missing: list, failures: int, gate: Gate | None) -> tuple[int, str | None]:
    """The exit code of a run and the line that says why: 2 when an input is missing or every input failed, 1 when a
    sentence's risk is above ``--fail-above``, else 0."""
    if missing:
        names = ", ".join(d.path for d in missing[:3]) + (", …" if len(missing) > 3 else "")
        return 2, f"{plural(len(missing), 'input')} not found ({names})" + ("; the rest was audited" if audited else "")
    if audited and failures == audited:
        return 2, f"every input failed ({plural(audited, 'file')}; the warnings above say why)"
    if gate is not None and gate.above:
        return 1, gate.reason()
    return 0, None


def nothing_found(paths: list[str], found: Found) -> str:
    """The error of a run whose folders hold no file to audit: what they held instead, and what is read."""
    held = []
    skipped = sum(found.unsupported.values())
    if skipped:
        kinds = ", ".join(f"{n} {ext}" for ext, n in found.unsupported.most_common(6))
        held.append(f"{plural(skipped, 'file')} skipped: {kinds}"
                    + (", …" if len(found.unsupported) > 6 else ""))
    if found.filtered:
        held.append(f"{found.filtered} left out by --include/--exclude")
    if found.special:
        held.append(f"{len(found.special)} not regular files")
    return (f"no input files found in {', '.join(paths)}" + (f" ({'; '.join(held)})" if held else "")
            + f"; folders are searched for {', '.join(supported_extensions())} files (name a file itself, with "
            "--format, to read another kind)")


class Results:
    """Where finished documents go: the JSONL file (``jsonl``, streamed, resumable), the report builder and the
    annotated copies (``copies``). ``keep_all``: the builder keeps every record (a report file needs them)."""

    def __init__(self, run_record: dict, jsonl: Path | None = None, resume: bool = False, keep_all: bool = False,
                 top: int = 0, copies=None, gate: Gate | None = None):
        self.builder = ReportBuilder(keep_all=keep_all, top=top)
        self.builder.add([run_record])
        self.run_record = run_record
        self.writer = JsonlWriter(jsonl, resume=resume) if jsonl else None
        self.copies = copies
        self.gate = gate

    def open(self) -> set[str]:
        """Open the JSONL file; returns the documents a resumed run already finished (their records are kept)."""
        if self.writer is None:
            return set()
        recovered = self.writer.open(self.run_record)
        self.builder.add(recovered)
        if self.gate:
            sentences = [r for r in recovered if r["type"] == "sentence"]
            self.gate.offer([r["risk"] for r in sentences], sentences.__getitem__)
        return {r["doc"] for r in recovered if r["type"] == "document"}

    def add(self, doc: EncodedDocument) -> str | None:
        """Write one finished document; returns a one-line problem when its annotated copy could not be written."""
        if self.writer:
            self.writer.write_encoded(doc.lines)
        self.builder.add_encoded(doc)
        if self.gate:
            self.gate.offer(doc.risks, doc.line)
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
            found = discover(paths, recursive, include, exclude)
            files, missing = found.files, found.missing
            copies = self._check(paths, found, resume)
            auditor = self._start(files, resume)
        except KeyboardInterrupt:  # while the model loads: the reading workers' queued files are dropped, not finished
            self.engine.close()
            raise Interrupted("interrupted") from None
        except BaseException:
            self.engine.close()
            raise
        options = self.config.run_options(source=self.config.source, recursive=recursive, include=include,
                                          exclude=exclude)
        gate = Gate(fail_above) if fail_above is not None else None
        results = Results(auditor.run_record(options, engine=self.engine.describe()), self.outputs.jsonl, resume,
                          keep_all=any(p is not None for p in self.outputs.reports.values()), top=self.top,
                          copies=copies, gate=gate)
        failures = self._stream(auditor, results, files, missing)
        unmatched = self._after(auditor, files, copies)
        report = results.builder.report()
        if unmatched:  # the workbook lists them on a sheet of their own
            report["unmatched_decisions"] = unmatched
        written = write_reports(report, self.outputs.reports)
        return Summary(report, written, *verdict(len(files), missing, failures, gate))

    def _check(self, paths: list[str], found: Found, resume: bool):
        """The inputs found and the outputs, before any file is read; the annotated copies' writer."""
        config, outputs, files = self.config, self.outputs, found.files
        inputs = [config.source, config.decisions, config.risk_model, *self.reads]
        refuse_overwriting_inputs(outputs.files, files + [str(p) for p in inputs if p])
        if not files and not found.missing:
            raise UsageError(nothing_found(paths, found))
        if config.source and len(files) + len(found.missing) != 1:
            raise UsageError("--source pairs one article with its source: give exactly one input file")
        if resume and not outputs.jsonl:
            raise UsageError("--resume continues the --jsonl FILE of an interrupted run: give --jsonl")
        if outputs.mark_fuzzy and not outputs.annotate:
            raise UsageError("--mark-fuzzy marks entries of the annotated copies: give --annotate OUTDIR")
        copies = None
        if outputs.annotate:
            from mtaudit.annotate import AnnotatedCopies, copy_paths

            copies = AnnotatedCopies(copy_paths(files, paths, outputs.annotate), mark_fuzzy=outputs.mark_fuzzy)
        for option, folder in outputs.check():
            self.say("info", f"created folder {folder} for {option}")
        for path, kind in found.special:
            self.say("warning", f"{path}: not a regular file ({kind}); skipped")
        return copies

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
        try:
            done = results.open()
        except OSError as exc:
            self.engine.close()
            raise UsageError(f"{results.partial}: cannot write: {exc.strerror or exc}") from None
        if done:
            self.say("info", f"resuming: {plural(len(done), 'document')} already done in {results.partial}")
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
        try:
            results.close()
        except OSError as exc:  # the folder changed under the run: the results are still in the partial file
            raise UsageError(f"{self.outputs.jsonl}: cannot write: {exc.strerror or exc}; the results are in "
                             f"{results.partial}") from None
        return failures

    def _after(self, auditor: Auditor, files: list[str], copies) -> list[dict]:
        """What the run did beside its results: the annotated copies, the decisions applied; returns the decisions
        that matched no finding of this run's documents (``Decisions.unmatched_items``)."""
        if copies:
            notice = copies.notice()
            if notice:
                self.say("note", notice)
            self.say("info", f"annotated copies: {copies.written} in {self.outputs.annotate.resolve()}")
        if auditor.decisions is None:
            return []
        stale, elsewhere = auditor.decisions.unmatched(files)
        decided = {kind: sum(d[kind] for d in auditor.decided.values()) for kind in ("dismiss", "confirm", "note")}
        sheet = f" and on the 'unmatched decisions' sheet of {self.outputs.xlsx}" if self.outputs.xlsx else ""
        self.say("info", f"decisions: {plural(decided['dismiss'], 'finding')} dismissed and {decided['confirm']} "
                 f"confirmed by {self.config.decisions}" + (f", {decided['note']} with a reviewer's note" if decided["note"] else "")
                 + (f"; {stale} matched no finding (the sentence was edited or the detector changed), listed below"
                    f"{sheet}" if stale else "")
                 + (f"; {elsewhere} are for documents not in this run (paths are matched as given when the "
                    "report was made)" if elsewhere else ""))
        unmatched = auditor.decisions.unmatched_items(files)
        for item in unmatched[:UNMATCHED_LISTED]:
            where = item["doc"] + (f" ¶{item['segment']}" if item["segment"] else "") + \
                (f" sentence {item['sentence']}" if item["sentence"] else "")
            self.say("note", f"{where}: {item['decision'] or 'note'} on {item['span']!r} ({item['detector']}) "
                     "matched no finding" + (f"; note: {item['note']}" if item["note"] else ""))
        if len(unmatched) > UNMATCHED_LISTED:
            self.say("note", f"... and {len(unmatched) - UNMATCHED_LISTED} more that matched no finding"
                     + (f" (all are on the 'unmatched decisions' sheet of {self.outputs.xlsx})" if sheet else ""))
        return unmatched
