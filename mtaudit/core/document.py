"""The data model every stage shares: Document -> Segment -> Sentence -> Finding.

Offsets are character offsets into plain Python strings. A sentence's ``start``/``end`` index its segment's
``target``; a finding's ``start``/``end`` index its sentence's ``text``. Readers guarantee
``segment.target[s.start:s.end] == s.text`` and detectors guarantee ``0 <= f.start <= f.end <= len(s.text)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterator


class Severity(str, Enum):
    """MQM severities, with the penalty weights of the published MQM scheme."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def weight(self) -> float:
        return {"minor": 1.0, "major": 5.0, "critical": 10.0}[self.value]


# The MQM category paths detectors report, kept in one place so reports and calibration agree on spelling.
class Category:
    MISTRANSLATION = "Accuracy/Mistranslation"
    OMISSION = "Accuracy/Omission"
    ADDITION = "Accuracy/Addition"
    UNTRANSLATED = "Accuracy/Untranslated text"
    GRAMMAR = "Fluency/Grammar"
    SPELLING = "Fluency/Spelling"
    PUNCTUATION = "Fluency/Punctuation"
    INCONSISTENCY = "Fluency/Inconsistency"
    REPETITION = "Fluency/Repetition"
    AWKWARD = "Style/Unnatural or awkward"
    TERMINOLOGY = "Terminology/Inconsistent use of terminology"
    LOCALE_NUMBER = "Locale convention/Number format"
    LOCALE_DATE = "Locale convention/Date format"
    LOCALE_NAME = "Locale convention/Name format"
    CREDIT = "Accuracy/Mistranslation/Attribution"


@dataclass(frozen=True)
class Finding:
    """One problem a detector found, located by character offsets within its sentence's text.

    ``decision`` (``dismiss`` or ``confirm``) and ``note`` are what a reviewer said of it, from a decisions file
    (``mtaudit.review``); a detector never sets them, and a finding without them is written as before."""

    detector: str
    category: str
    severity: Severity
    start: int
    end: int
    message: str
    suggestion: str | None = None
    confidence: float = 1.0
    decision: str | None = None
    note: str | None = None

    def to_dict(self) -> dict:
        out = {
            "detector": self.detector,
            "category": self.category,
            "severity": self.severity.value,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "suggestion": self.suggestion,
            "confidence": round(float(self.confidence), 4),
        }
        if self.decision is not None:
            out["decision"] = self.decision
        if self.note is not None:
            out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(
            detector=d["detector"],
            category=d["category"],
            severity=Severity(d["severity"]),
            start=int(d["start"]),
            end=int(d["end"]),
            message=d["message"],
            suggestion=d.get("suggestion"),
            confidence=float(d.get("confidence", 1.0)),
            decision=d.get("decision"),
            note=d.get("note"),
        )


@dataclass
class Sentence:
    """A sentence of a segment's target; ``text == segment.target[start:end]``.

    ``fluency`` and ``scores`` are filled by the model scorer, ``findings`` by detectors, ``risk`` by scoring.
    ``dismissed`` holds the findings a reviewer dismissed (``mtaudit.review``): left out of the risk and of annotated
    copies, kept so that the report can show them and a reviewer undo the dismissal.
    """

    segment: "Segment"
    index: int
    start: int
    end: int
    findings: list[Finding] = field(default_factory=list)
    fluency: float | None = None
    scores: dict[str, float] = field(default_factory=dict)
    risk: float = 0.0
    estimator: float | None = None  # the trained estimator's part of ``risk``, where it applies
    dismissed: list[Finding] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.segment.target[self.start : self.end]

    def __repr__(self) -> str:  # the back-reference to the segment would recurse
        return f"Sentence({self.segment.id!r}#{self.index}, {self.text[:40]!r})"


@dataclass
class Segment:
    """A unit of translation: a paragraph of an article, a row of a table, a unit of an XLIFF file.

    ``target`` is the plain text detectors see. When a reader removed inline markup, ``markup`` holds the original
    and ``markup_offsets[i]`` is the offset in ``markup`` of plain character ``i`` (length ``len(target) + 1``).
    ``unit`` is the position of the translation unit it came from among the units translate-toolkit parses from the
    file (XLIFF, PO, TMX), which is how ``mtaudit.annotate`` puts findings back into a copy of that file.
    ``key`` is the unit's whole identity in its file where ``id`` is a shorter stand-in for it (a PO entry: its number
    as ``id``, ``msgctxt::msgid`` as ``key``); the JSONL records keep it. ``risk`` is the sum of its sentences' risks
    (``risk.score_document``): the expected MQM penalty of the whole unit, which is what a paragraph's judgement adds
    up.
    """

    id: str
    target: str
    source: str | None = None
    reference: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    markup: str | None = None
    markup_offsets: list[int] | None = None
    scores: dict[str, float] = field(default_factory=dict)
    unit: int | None = None
    key: str | None = None
    risk: float = 0.0

    def markup_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a plain-text span back to the original markup (identity when there was none)."""
        if self.markup_offsets is None:
            return start, end
        return self.markup_offsets[start], self.markup_offsets[end]


@dataclass
class Document:
    """One input file (or one document of a multi-document input), in reading order."""

    path: str
    segments: list[Segment] = field(default_factory=list)
    format: str = ""
    source_lang: str | None = None
    target_lang: str | None = None
    langs_from: str | None = None  # where the pair came from: "option", "file", "detected" or "default"
    scores: dict[str, float] = field(default_factory=dict)
    risk: float = 0.0
    risk_model: str | None = None  # the name of the risk model that scored it
    error: str | None = None
    # Problems confined to part of the input (a bad JSONL line, units without a translation): the rest was read.
    warnings: list[str] = field(default_factory=list)

    def sentences(self) -> Iterator[Sentence]:
        for segment in self.segments:
            yield from segment.sentences

    @property
    def has_source(self) -> bool:
        return any(s.source for s in self.segments)

    @property
    def has_reference(self) -> bool:
        return any(s.reference for s in self.segments)
