"""What an engine is: the place where the stages of ``mtaudit.pipeline`` run.

The Auditor owns *what* is computed (detectors, model, risk, decisions); an engine decides *where*: the local engine
in a process pool on this machine, the Ray engine on a Ray cluster. Whatever the engine, ``run`` yields the same
Documents, scored the same way, in input order, so the report writers and the JSONL contract do not know which one ran.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from mtaudit.pipeline import AuditConfig, Auditor
    from mtaudit.core.document import Document
    from mtaudit.reports.records import EncodedDocument


class Engine:
    """Base class. Use as a context manager (or call ``close``) so that what ``start`` acquired is released."""

    name = "engine"
    #: False when the model runs elsewhere (the driver's Auditor then loads no weights: see ``Auditor(local_model=)``)
    local_model = True

    def start(self, auditor: Auditor) -> None:
        """Acquire what ``run`` needs (processes, a cluster connection, model replicas) before any document is read.

        May set ``auditor.model_signature`` when the model is loaded elsewhere. Raises UsageError when the engine
        cannot run here, with what to do about it."""

    def prefetch(self, config: AuditConfig, paths: list[str]) -> None:
        """Optionally begin reading and preparing ``paths`` before the Auditor exists (before the model loads);
        a later ``run`` of exactly these paths uses that work, a run of other paths drops it. Default: nothing."""

    def describe(self) -> dict:
        """The engine as recorded in the run line of the results: its name and the resources it used."""
        return {"name": self.name}

    def run(self, auditor: Auditor, paths: list[str]) -> Iterator[Document]:
        """Read, prepare, score and settle every path; yields the Documents in the order of ``paths``."""
        raise NotImplementedError

    def results(self, auditor: Auditor, paths: list[str], keep_documents: bool = False) -> Iterator[EncodedDocument]:
        """``run``, each Document delivered as the writer and the terminal summary take it (its JSONL lines encoded);
        ``keep_documents``: each also carries its Document (for --annotate). In input order.

        Here the records are encoded in this process; an engine whose documents are finished elsewhere encodes them
        there, so that this process only orders and writes."""
        from mtaudit.reports.records import encode_document

        for doc in self.run(auditor, paths):
            yield encode_document(doc, auditor.dismissed.get(doc.path, 0), keep_documents)

    def close(self) -> None:
        """Release what ``start`` acquired; safe to call twice."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False
