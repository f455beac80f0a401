"""Reviewer decisions on findings: the file the HTML report exports and ``mtaudit audit --decisions`` applies.

A decision says that one finding is a false positive (``dismiss``) or a real error (``confirm``). It must still find
its finding when the audit is run again, after detectors were improved or other articles were added, so a finding is
identified by what a reviewer saw, never by its position in a run:

    (document path, SHA-256 of the sentence text, detector, category, flagged span text, occurrence)

``occurrence`` tells apart identical findings in one sentence (the same detector flagging the same word twice); it
counts, from 0, the findings of that sentence with the same detector, category and span text in reading order.
Editing the sentence changes its hash, so a decision never silently carries over to text nobody reviewed. The
segment id is recorded but not matched: paragraph numbers shift when an editor adds or removes a paragraph, and a
sentence repeated word for word elsewhere in the same article deserves the same decision. The document path is
matched as written in the report, so re-run the audit from the same folder with the same path arguments.

The file (schema version 1)::

    {"schema": "mtaudit-decisions", "version": 1, "exported": "2026-01-31T12:00:00Z",
     "report": {"version": "0.1.0", "started": "..."},
     "decisions": [{"decision": "dismiss", "doc": "news/a.txt", "segment": "3", "sentence": 1,
                    "sentence_sha256": "<64 hex>", "detector": "repetition", "category": "Fluency/Repetition",
                    "span": "the", "occurrence": 0, "message": "...", "decided": "2026-..."}]}

``segment``, ``sentence``, ``message``, ``decided`` and ``report`` are for people reading the file; matching ignores
them.

The review spreadsheet (``--xlsx``/``--csv``) carries the same identity in its ``key`` column, as a JSON array
(``identity_key``), and decisions typed into its ``decision`` column are read back the same way (``load_decisions``
of a ``.xlsx`` or ``.csv`` file).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from mtaudit.core.document import Document, Finding, Sentence
from mtaudit.core.errors import UsageError

SCHEMA = "mtaudit-decisions"
VERSION = 1
DISMISS = "dismiss"
CONFIRM = "confirm"

# (doc, sentence_sha256, detector, category, span, occurrence)
Identity = tuple[str, str, str, str, str, int]


def sentence_sha256(text: str) -> str:
    # surrogatepass: a lone surrogate (from a "\ud800" escape in JSON input) must not make hashing fail
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def occurrences(text: str, findings: Iterable[dict | Finding]) -> list[int]:
    """The occurrence number of each finding (same order as given), counted in reading order."""
    items = [f if isinstance(f, dict) else f.to_dict() for f in findings]
    order = sorted(range(len(items)), key=lambda i: (items[i]["start"], items[i]["end"], i))
    seen: Counter = Counter()
    out = [0] * len(items)
    for i in order:
        f = items[i]
        key = (f["detector"], f["category"], text[f["start"]:f["end"]])
        out[i] = seen[key]
        seen[key] += 1
    return out


def sentence_identities(doc_path: str, text: str, findings: list[dict | Finding]) -> list[Identity]:
    """The identity of each finding of one sentence, in the order given."""
    sha = sentence_sha256(text)
    items = [f if isinstance(f, dict) else f.to_dict() for f in findings]
    return [(doc_path, sha, f["detector"], f["category"], text[f["start"]:f["end"]], n)
            for f, n in zip(items, occurrences(text, items))]


def identity_key(identity: Identity) -> str:
    """A finding's identity as one ASCII JSON array (the spreadsheet's key column: no control characters, and lone
    surrogates survive as escapes)."""
    return json.dumps(list(identity), ensure_ascii=True, separators=(",", ":"))


def identity_from_key(key: str) -> Identity:
    """The identity ``identity_key`` wrote; ValueError when ``key`` is not one."""
    item = json.loads(key)
    if not (isinstance(item, list) and len(item) == 6 and all(isinstance(v, str) for v in item[:5])
            and isinstance(item[5], int) and not isinstance(item[5], bool) and item[5] >= 0):
        raise ValueError("not a finding key")
    return (item[0], item[1].lower(), item[2], item[3], item[4], item[5])


def document_identities(doc: Document) -> Iterator[tuple[Sentence, Finding, Identity]]:
    for sentence in doc.sentences():
        ids = sentence_identities(doc.path, sentence.text, sentence.findings)
        for finding, identity in zip(sentence.findings, ids):
            yield sentence, finding, identity


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


def load_decisions(path: str | Path) -> Decisions:
    """Read a decisions file exported by the HTML report, or the decision column of a review spreadsheet (``.xlsx``,
    ``.csv``); errors name the file and the decision (or cell) at fault."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".csv"):
        from mtaudit.reports.spreadsheet import read_decisions

        return Decisions(by_identity=dict(read_decisions(path)), source=str(path))
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
