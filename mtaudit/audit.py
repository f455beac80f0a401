"""The pipeline in plain Python: read -> split -> detect -> model scores -> risk, over one file or thousands.

``Auditor.run`` yields scored Documents in input order; the CLI streams them to the report writers. The stages are
plain functions and methods so that an engine (``mtaudit.engines``) can run them where it likes:

* ``_load_and_prepare(path)`` reads one file and runs the rule detectors (in a worker process, after
  ``_init_worker(config)``);
* ``Auditor.batches`` cuts the prepared documents, in input order, into the batches the model scores together;
* ``Auditor.finish`` scores a batch with the transformer, then ``Auditor.settle`` applies a reviewer's decisions
  and computes the risks.

The default engine reads in a process pool (``workers``) and runs the scorer in this process, so it batches across
files and loads its weights once; the Ray engine runs the same stages as Ray tasks and actors.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from mtaudit import __version__
from mtaudit.detectors import DETECTORS, build_detectors
from mtaudit.detectors.base import Detector
from mtaudit.core.document import Document
from mtaudit.core.errors import InputError, MtauditError, UsageError
from mtaudit.languages import Pair, parse_langs, resolve
from mtaudit.metrics import score_references
from mtaudit.readers import read_document, read_source, supported_extensions
from mtaudit.readers.text import attach_source
from mtaudit.scoring import RiskModel, score_document
from mtaudit.segmenter import split_segment

if TYPE_CHECKING:
    from mtaudit.engines.base import Engine

# Sentences gathered before one call of the model scorer: enough to fill its batches, little enough to stream.
MODEL_BATCH_SENTENCES = 256


@dataclass
class AuditConfig:
    """Everything that decides what an audit computes; recorded in the run signature."""

    detectors: list[str] | None = None
    detector_options: dict[str, dict] = field(default_factory=dict)
    model: str | None = None
    device: str | None = None
    fmt: str | None = None
    source: str | None = None
    workers: int = 1
    risk_model: str | None = None
    langs: str | None = None  # --langs SRC-TGT for every document; None: from each file's metadata or its text
    debug: bool = False
    decisions: str | None = None  # a reviewer's decisions file: dismissed findings are removed before scoring
    # --fast: where a segment has its source, score only the source-conditioned pass (about half the model's time);
    # those sentences get no target-only scores and no odd-phrasing findings, and a slightly weaker ranking
    fast: bool = False
    # what runs the model's forward on the CPU: "torch" (eager) or "openvino" (mtaudit.fluency.openvino_runtime)
    runtime: str = "torch"

    @property
    def detector_names(self) -> list[str]:
        return list(self.detectors) if self.detectors else list(DETECTORS)

    def run_options(self, **extra) -> dict:
        """What the run record says this audit was asked to do (``options``), with a command's own ``extra``."""
        return {"detectors": self.detector_names, "model": self.model, "format": self.fmt, "langs": self.langs,
                "risk_model": self.risk_model, "decisions": self.decisions, "fast": self.fast,
                "runtime": self.runtime, **extra}


def discover(
    paths: Iterable[str],
    recursive: bool = True,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> tuple[list[str], list[Document]]:
    """Expand files and folders into the files to audit, in a stable order.

    Files named explicitly are always audited; files found in folders only when a reader claims their extension and
    they pass ``include``/``exclude`` (globs matched against the path relative to the folder and the file name).
    Symlinked folders are not followed, so a symlink loop cannot trap the walk. Paths that do not exist come back as
    failed Documents so they are reported with the rest.
    """
    include, exclude = list(include), list(exclude)
    extensions = supported_extensions()
    files: list[str] = []
    missing: list[Document] = []
    seen: set[str] = set()

    def wanted(rel: str) -> bool:
        name = os.path.basename(rel)
        if include and not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in include):
            return False
        return not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in exclude)

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for given in paths:
        if os.path.isdir(given):
            for root, dirs, names in os.walk(given, onerror=None, followlinks=False):
                dirs.sort()
                if not recursive:
                    dirs.clear()
                for name in sorted(names):
                    full = os.path.join(root, name)
                    rel = os.path.relpath(full, given)
                    if name.startswith(".") or not name.lower().endswith(extensions) or not wanted(rel):
                        continue
                    add(full)
        elif os.path.exists(given) or os.path.islink(given):
            add(given)
        else:
            missing.append(Document(path=given, error="no such file or folder"))
    return files, missing


def prepare(doc: Document, detectors: list[Detector], pair: Pair | None = None) -> Document:
    """Decide the language pair (``pair``: the one given with --langs), split sentences, run the detectors and the
    reference metrics on a read Document (no model, no risk yet)."""
    resolve(doc, pair)
    for segment in doc.segments:
        split_segment(segment, doc.target_lang)
    for detector in detectors:
        for sentence, finding in detector.detect(doc):
            sentence.findings.append(finding)
    score_references(doc)
    return doc


# Each worker process builds its detectors once.
_WORKER: dict = {}


def _init_worker(config: AuditConfig) -> None:
    _WORKER["config"] = config
    _WORKER["detectors"] = build_detectors(config.detector_names, config.detector_options)
    _WORKER["pair"] = parse_langs(config.langs) if config.langs else None


def _load_and_prepare(path: str) -> Document:
    config: AuditConfig = _WORKER["config"]
    try:
        doc = read_document(path, config.fmt, display=path)
        if config.source:
            attach_source(doc, read_source(config.source, config.fmt))
        if not doc.segments:
            raise InputError(path, "no text found", hint="the file is empty or holds no translatable text")
        return prepare(doc, _WORKER["detectors"], _WORKER["pair"])
    except MtauditError as exc:
        return Document(path=path, error=str(exc))
    except RecursionError:
        return Document(path=path, error=f"{path}: structure nested too deeply to read")
    except Exception as exc:  # a bug must not lose the other 999 files; it is reported, and --debug re-raises
        if config.debug:
            raise
        return Document(path=path, error=f"{path}: internal error {type(exc).__name__}: {exc} "
                                         "(re-run with --debug and report it)")


class Auditor:
    """Runs the pipeline with one configuration. Create once, call ``run`` or ``audit_documents``.

    ``local_model=False`` leaves the model to other processes (the Ray engine's actors, each with an Auditor of its
    own): ``scorer`` stays None and the engine sets ``model_signature``.
    """

    def __init__(self, config: AuditConfig, scorer_factory: Callable | None = None, local_model: bool = True,
                 load_model: bool = True):
        self.config = config
        names = config.detector_names
        unknown = [n for n in names if n not in DETECTORS]
        if unknown:
            raise UsageError(f"unknown detector {', '.join(unknown)}; `mtaudit detectors` lists them")
        try:
            self.detectors = build_detectors(names, config.detector_options)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        self.pair = parse_langs(config.langs) if config.langs else None
        # --risk-model scores every document; otherwise each pair's own model, loaded when a document needs it
        self.risk_model = RiskModel.load(config.risk_model) if config.risk_model else None
        self._pair_models: dict[str, RiskModel] = {}
        self.decisions = None
        # findings removed by the decisions file, per document path, for the document records
        self.dismissed: dict[str, int] = {}
        if config.decisions:
            from mtaudit.decisions import load_decisions

            self.decisions = load_decisions(config.decisions)
        self.scorer = None
        self.model_signature: dict | None = None
        self._scorer_factory = scorer_factory
        self._local_model = local_model
        if load_model:
            self.load_model()

    def load_model(self) -> None:
        """Load the model (when the configuration has one and it runs in this process). ``Auditor(load_model=False)``
        checks the configuration first and leaves this to the caller, who may start reading meanwhile."""
        if self.scorer is not None or not (self.config.model and self._local_model):
            return
        from mtaudit.fluency import load_scorer

        config = self.config
        options = {"target_pass": "without-source"} if config.fast else {}
        if config.runtime != "torch":
            options["runtime"] = config.runtime
        self.scorer = (self._scorer_factory or load_scorer)(config.model, device=config.device, **options)
        self.model_signature = signature(self.scorer)

    def run_record(self, options: dict | None = None, engine: dict | None = None) -> dict:
        record = {
            "type": "run",
            "version": __version__,
            "model": self.model_signature,
            "detectors": {d.name: {k: _plain(getattr(d, k)) for k in d.options} for d in self.detectors},
            "langs": self.config.langs or "auto",
            "risk_model": self.risk_model.name if self.risk_model else "by language pair",
            "options": options or {},
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if engine is not None:
            record["engine"] = engine
        return record

    def run(self, paths: list[str], skip: set[str] = frozenset(), engine: Engine | None = None) -> Iterator[Document]:
        """Audit files in order, yielding each scored Document (failed ones carry ``error``).

        ``engine`` runs the stages (default: the local process pool of ``config.workers``)."""
        if engine is None:
            from mtaudit.engines.local import LocalEngine

            engine = LocalEngine()
        return engine.run(self, [p for p in paths if p not in skip])

    def audit_documents(self, docs: Iterable[Document]) -> list[Document]:
        """Audit Documents built in memory (e.g. by ``mtaudit eval``); returns them scored, in order."""
        prepared = (prepare(d, self.detectors, self.pair) for d in docs)
        return [doc for batch in self.batches(prepared) for doc in self.finish(batch)]

    def serve_in_this_process(self) -> None:
        """Let ``_load_and_prepare`` run in this process with this Auditor's detectors and pair (no second set)."""
        _WORKER.update(config=self.config, detectors=self.detectors, pair=self.pair)

    def risk_model_for(self, doc: Document) -> RiskModel:
        """The risk model that scores ``doc``: --risk-model when given, else its language pair's."""
        if self.risk_model is not None:
            return self.risk_model
        key = f"{doc.source_lang}-{doc.target_lang}"
        if key not in self._pair_models:
            self._pair_models[key] = RiskModel.for_pair(doc.source_lang, doc.target_lang)
        return self._pair_models[key]

    def batches(self, prepared: Iterable[Document], sentences: Callable | None = None) -> Iterator[list[Document]]:
        """Cut prepared documents, in order, into the batches the model scores together (one each without a model).

        Every engine cuts here, so a batch holds the same documents whichever engine runs it: the model's scores
        depend slightly on what it is batched with (padding, in bfloat16). ``sentences(item)`` counts the sentences
        of an item that stands for a document kept elsewhere (the Ray engine's, in its object store)."""
        batch: list[Document] = []
        size = 0
        for doc in prepared:
            batch.append(doc)
            size += sentences(doc) if sentences else sum(len(s.sentences) for s in doc.segments)
            if not self.config.model or size >= MODEL_BATCH_SENTENCES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def finish(self, docs: list[Document]) -> list[Document]:
        """Score one batch with the model (when this Auditor holds it), then settle it."""
        good = [d for d in docs if not d.error]
        if self.scorer is not None and good:
            self.scorer.score(good)
        return self.settle(docs)

    def settle(self, docs: list[Document]) -> list[Document]:
        """Apply the reviewer's decisions and compute the risks of a batch the model (if any) has scored."""
        for doc in docs:
            if doc.error:
                continue
            if self.decisions is not None:
                self.dismissed[doc.path] = self.decisions.apply(doc)
            score_document(doc, self.risk_model_for(doc))
        return docs


def signature(scorer) -> dict:
    """What the run record says of the model: its name, the checksum of its weights and the dtype it computed in
    (``bfloat16`` on CPUs with bf16 units and on GPUs, else ``float32``: the same audit on two machines can differ
    in the last digits of its scores, and this says why)."""
    return {"id": scorer.model_id, "checksum": scorer.checksum, "dtype": str(scorer.dtype).removeprefix("torch.")}


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
