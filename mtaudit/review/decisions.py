"""Reviewer decisions on findings: the file the HTML report exports and ``mtaudit audit --decisions`` applies.

A decision says that one finding is a false positive (``dismiss``) or a real error (``confirm``). It names its finding
by the finding's identity (``mtaudit.review.identity``), never by its position in a run.

The file (schema version 1)::

    {"schema": "mtaudit-decisions", "version": 1, "exported": "2026-01-31T12:00:00Z",
     "report": {"version": "0.1.0", "started": "..."},
     "decisions": [{"decision": "dismiss", "doc": "news/a.txt", "segment": "3", "sentence": 1,
                    "sentence_sha256": "<64 hex>", "detector": "repetition", "category": "Fluency/Repetition",
                    "span": "the", "occurrence": 0, "message": "...", "decided": "2026-..."}]}

``segment``, ``sentence``, ``message``, ``decided`` and ``report`` are for people reading the file; matching ignores
them.

The review spreadsheet (``--xlsx``/``--csv``) carries the same identity in its ``key`` column, and decisions typed into
its ``decision`` column are read back the same way (``mtaudit.review.sheet``; ``mtaudit.review.load_decisions`` reads
either).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from mtaudit.core.document import Document
from mtaudit.core.errors import UsageError
from mtaudit.review.identity import Identity, document_identities

SCHEMA = "mtaudit-decisions"
VERSION = 1
DISMISS = "dismiss"
CONFIRM = "confirm"


@dataclass
class Decisions:
    """Decisions by finding identity; ``applied`` counts what ``apply`` matched, for the run's summary."""

    by_identity: dict[Identity, str] = field(default_factory=dict)
    source: str = ""
    matched: set[Identity] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.by_identity)

    @property
    def documents(self) -> set[str]:
        return {identity[0] for identity in self.by_identity}

    def apply(self, doc: Document) -> int:
        """Remove the findings a reviewer dismissed from ``doc``; returns how many were removed."""
        if doc.error or doc.path not in self.documents:
            return 0
        dismissed: dict[int, set[int]] = {}
        for sentence, finding, identity in document_identities(doc):
            decision = self.by_identity.get(identity)
            if decision is None:
                continue
            self.matched.add(identity)
            if decision == DISMISS:
                dismissed.setdefault(id(sentence), set()).add(id(finding))
        count = 0
        for sentence in doc.sentences():
            drop = dismissed.get(id(sentence))
            if drop:
                kept = [f for f in sentence.findings if id(f) not in drop]
                count += len(sentence.findings) - len(kept)
                sentence.findings = kept
        return count

    def unmatched(self, audited_docs: Iterable[str]) -> tuple[int, int]:
        """Decisions that matched no finding: (for documents of this run, for documents not in this run).

        The first are expected after an edit or a detector change; many of the second usually mean the audit was run
        with different path arguments than the one the report came from.
        """
        audited = set(audited_docs)
        stale = sum(1 for i in self.by_identity if i[0] in audited and i not in self.matched)
        elsewhere = sum(1 for i in self.by_identity if i[0] not in audited)
        return stale, elsewhere


def read_decisions_file(path: Path) -> Decisions:
    """The decisions of a file exported by the HTML report; errors name the file and the decision at fault."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read decisions: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not a JSON decisions file ({exc}); export it from the HTML report") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise UsageError(f"{path}: not an mtaudit decisions file (no \"schema\": \"{SCHEMA}\"); "
                         "export it with the report's Export decisions button")
    if data.get("version") != VERSION:
        raise UsageError(f"{path}: decisions schema version {data.get('version')!r} is not supported "
                         f"(this mtaudit reads version {VERSION}); upgrade mtaudit or re-export the decisions")
    items = data.get("decisions")
    if not isinstance(items, list):
        raise UsageError(f"{path}: \"decisions\" must be a list")
    decisions = Decisions(source=str(path))
    for n, item in enumerate(items, 1):
        decisions.by_identity[_identity(path, n, item)] = item["decision"]
    return decisions


def _identity(path: Path, n: int, item) -> Identity:
    where = f"{path}: decision {n}"
    if not isinstance(item, dict):
        raise UsageError(f"{where}: must be an object")
    if item.get("decision") not in (DISMISS, CONFIRM):
        raise UsageError(f"{where}: \"decision\" must be \"{DISMISS}\" or \"{CONFIRM}\", not {item.get('decision')!r}")
    for key in ("doc", "sentence_sha256", "detector", "category", "span"):
        if not isinstance(item.get(key), str):
            raise UsageError(f"{where}: \"{key}\" is missing or not a string")
    occurrence = item.get("occurrence", 0)
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 0:
        raise UsageError(f"{where}: \"occurrence\" must be a whole number from 0")
    return (item["doc"], item["sentence_sha256"].lower(), item["detector"], item["category"], item["span"], occurrence)
