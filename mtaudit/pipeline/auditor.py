"""The Auditor: one configuration's detectors, model, risk models and a reviewer's decisions, applied to documents.

The stages are plain functions and methods so that an engine (``mtaudit.engines``) can run them where it likes:

* ``stages.load_and_prepare(path)`` reads one file and runs the rule detectors (in a reading process, after
  ``stages.start_reader(config)``, or in this one after ``Auditor.serve_in_this_process``);
* ``Auditor.batches`` cuts the prepared documents, in input order, into the batches the model scores together;
* ``Auditor.finish`` scores a batch with the transformer, then ``Auditor.settle`` applies a reviewer's decisions
  and computes the risks.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator

from mtaudit import __version__
from mtaudit.core.document import Document
from mtaudit.core.errors import UsageError
from mtaudit.detectors import DETECTORS, build_detectors
from mtaudit.languages import parse_langs
from mtaudit.pipeline.config import AuditConfig
from mtaudit.pipeline.stages import Reader, prepare, serve
from mtaudit.risk import RiskModel, score_document

# Sentences gathered before one call of the model scorer: enough to fill its batches, little enough to stream.
MODEL_BATCH_SENTENCES = 256


class Auditor:
    """Runs the pipeline with one configuration: what is computed (detectors, model, risk, decisions); an engine
    (``mtaudit.engines``) decides where. Create once; an engine calls ``batches``, ``finish`` and ``settle``, and
    ``audit_documents`` audits Documents built in memory.

    ``local_model=False`` leaves the model to other processes (the Ray engine's actors, each with an Auditor of its
    own): ``scorer`` stays None and the engine sets ``model_signature``.
    """

    def __init__(self, config: AuditConfig, scorer_factory: Callable | None = None, local_model: bool = True,
                 load_model: bool = True):
        self.config = config
        names = config.detector_names
        unknown = [n for n in names if n not in DETECTORS]
        if "fluency" in unknown:  # `mtaudit detectors` lists the model's findings beside the rule detectors
            raise UsageError("fluency is the language model's, not a rule detector: --detectors picks among the rule "
                             "detectors (`mtaudit detectors` lists them); --no-model turns the model off")
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
        # findings dismissed by the decisions file, per document path, for the document records
        self.dismissed: dict[str, int] = {}
        # per document path: findings dismissed, confirmed and with a note, for the run's summary
        self.decided: dict[str, dict[str, int]] = {}
        if config.decisions:
            from mtaudit.review import load_decisions

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
        if config.adequacy:
            options["reverse"] = True
        if config.runtime != "torch":
            options["runtime"] = config.runtime
        self.scorer = (self._scorer_factory or load_scorer)(config.model, device=config.device, **options)
        if config.adequacy and not config.reverse_everywhere:
            # the reverse pass costs as much as another pass: only where the risk model has a variant that weighs it
            self.scorer.reverse_for = lambda doc: "reverse" in self.risk_model_for(doc).variants
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

    def audit_documents(self, docs: Iterable[Document]) -> list[Document]:
        """Audit Documents built in memory (e.g. by ``mtaudit eval``); returns them scored, in order."""
        prepared = (prepare(d, self.detectors, self.pair) for d in docs)
        return [doc for batch in self.batches(prepared) for doc in self.finish(batch)]

    def serve_in_this_process(self) -> None:
        """Let ``stages.load_and_prepare`` run in this process with this Auditor's detectors and pair (no second
        set)."""
        serve(Reader(self.config, self.detectors, self.pair))

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
                from mtaudit.review.decisions import tally

                self.dismissed[doc.path] = self.decisions.apply(doc)
                self.decided[doc.path] = tally(doc)
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
