"""A finding's identity: what a reviewer saw, so that a decision still finds its finding when the audit is run again,
after detectors were improved or other articles were added; never its position in a run::

    (document path, SHA-256 of the sentence text, detector, category, flagged span text, occurrence)

``occurrence`` tells apart identical findings in one sentence (the same detector flagging the same word twice); it
counts, from 0, the findings of that sentence with the same detector, category and span text in reading order.
Editing the sentence changes its hash, so a decision never silently carries over to text nobody reviewed. The
segment id is recorded but not matched: paragraph numbers shift when an editor adds or removes a paragraph, and a
sentence repeated word for word elsewhere in the same article deserves the same decision. The document path is
matched as written in the report, so re-run the audit from the same folder with the same path arguments.

The HTML report and the review spreadsheet write these identities; ``mtaudit.review.decisions`` matches them.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Iterable, Iterator

from mtaudit.core.document import Document, Finding, Sentence

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
    """Every finding of ``doc`` with its identity, the findings a reviewer dismissed included (they count in the
    occurrences of the others)."""
    for sentence in doc.sentences():
        found = sentence.findings + sentence.dismissed
        for finding, identity in zip(found, sentence_identities(doc.path, sentence.text, found)):
            yield sentence, finding, identity
