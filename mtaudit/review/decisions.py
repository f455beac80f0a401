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
them. An optional ``note`` (text) is the reviewer's note on the finding: it is carried into the next run's records,
report and review sheet with the decision. Files without notes are read as before, and a reader that knows nothing
of notes ignores them, so the schema version stays 1.

The review spreadsheet (``--xlsx``/``--csv``) carries the same identity in its ``key`` column, and decisions typed into
its ``decision`` column are read back the same way (``mtaudit.review.sheet``; ``mtaudit.review.load_decisions`` reads
either).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from mtaudit.core.document import Document
from mtaudit.core.errors import UsageError
from mtaudit.review.identity import Identity, sentence_identities

SCHEMA = "mtaudit-decisions"
VERSION = 1
DISMISS = "dismiss"
CONFIRM = "confirm"


@dataclass
class Decisions:
    """Decisions and reviewers' notes by finding identity. ``context`` keeps, for listing a decision that matched
    nothing, what its file says beside the identity (segment, sentence, text, message); ``matched`` collects what
    ``apply`` matched."""

    by_identity: dict[Identity, str] = field(default_factory=dict)
    source: str = ""
    matched: set[Identity] = field(default_factory=set)
    notes: dict[Identity, str] = field(default_factory=dict)  # a note may come without a decision (a review sheet)
    context: dict[Identity, dict] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.by_identity.keys() | self.notes.keys())

    @property
    def documents(self) -> set[str]:
        return {identity[0] for identity in self.by_identity.keys() | self.notes.keys()}

    def add(self, identity: Identity, decision: str | None, note: str | None = None, **context) -> None:
        if decision:
            self.by_identity[identity] = decision
        if note:
            self.notes[identity] = note
        self.context[identity] = context

    def apply(self, doc: Document) -> int:
        """Put each decision and note on its finding of ``doc``; a dismissed finding moves from the sentence's
        ``findings`` to its ``dismissed`` (out of the risk, kept for the report). Returns how many are dismissed.

        Identities are counted over a sentence's kept and dismissed findings together, as the report counts them, so
        the twin of a dismissed finding keeps its occurrence number, and applying twice changes nothing."""
        if doc.error or doc.path not in self.documents:
            return 0
        count = 0
        for sentence in doc.sentences():
            found = sentence.findings + sentence.dismissed
            kept, dismissed = [], []
            for finding, identity in zip(found, sentence_identities(doc.path, sentence.text, found)):
                decision, note = self.by_identity.get(identity), self.notes.get(identity)
                if decision or note:
                    self.matched.add(identity)
                    finding = replace(finding, decision=decision, note=note)
                (dismissed if decision == DISMISS else kept).append(finding)
            sentence.findings, sentence.dismissed = kept, dismissed
            count += len(dismissed)
        return count

    def unmatched(self, audited_docs: Iterable[str]) -> tuple[int, int]:
        """Decisions (and notes) that matched no finding: (for documents of this run, for documents not in this run).

        The first are expected after an edit or a detector change; many of the second usually mean the audit was run
        with different path arguments than the one the report came from.
        """
        audited = set(audited_docs)
        every = self.by_identity.keys() | self.notes.keys()
        stale = sum(1 for i in every if i[0] in audited and i not in self.matched)
        elsewhere = sum(1 for i in every if i[0] not in audited)
        return stale, elsewhere

    def unmatched_items(self, audited_docs: Iterable[str]) -> list[dict]:
        """The decisions and notes on documents of this run that matched no finding (the sentence was edited or the
        detector changed), for people: where they were (sentence counted from 1), the flagged text, what was
        decided, in reading order."""
        audited = set(audited_docs)
        out = []
        for identity in self.by_identity.keys() | self.notes.keys():
            if identity[0] not in audited or identity in self.matched:
                continue
            context = self.context.get(identity, {})
            out.append({"doc": identity[0], "segment": context.get("segment"), "sentence": context.get("sentence"),
                        "text": context.get("text"), "span": identity[4], "detector": identity[2],
                        "category": identity[3], "decision": self.by_identity.get(identity),
                        "note": self.notes.get(identity), "message": context.get("message")})
        out.sort(key=lambda d: (d["doc"], _number(d["segment"]), d["sentence"] or 0, d["span"], d["detector"]))
        return out


def tally(doc: Document) -> dict[str, int]:
    """How many findings of ``doc`` carry each decision, and how many a note."""
    found = [f for s in doc.sentences() for f in s.findings + s.dismissed]
    return {DISMISS: sum(f.decision == DISMISS for f in found), CONFIRM: sum(f.decision == CONFIRM for f in found),
            "note": sum(f.note is not None for f in found)}


def _number(segment) -> tuple:
    """A segment id for sorting: numbers in numeric order ("2" before "10"), then other ids."""
    text = "" if segment is None else str(segment)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


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
        identity = _identity(path, n, item)
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise UsageError(f"{path}: decision {n}: \"note\" must be text")
        sentence = item.get("sentence")
        decisions.add(identity, item["decision"], (note or "").strip() or None, segment=item.get("segment"),
                      sentence=sentence + 1 if isinstance(sentence, int) and not isinstance(sentence, bool) else None,
                      message=item.get("message") if isinstance(item.get("message"), str) else None)
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
