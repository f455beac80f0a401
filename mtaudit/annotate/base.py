"""What every annotator shares: the findings of a scored Document grouped by the translation unit they belong to,
and the text of the notes.

An annotator turns the bytes of an input file and the notes of its units into the bytes of an annotated copy. It
parses the file with translate-toolkit, as the readers do, so ``Segment.unit`` indexes the same unit list, and splices
the notes into the input's bytes (``mtaudit.annotate.splice``), so nothing else in the copy changes; it never writes
to the input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from mtaudit.core.document import Document, Finding, Segment, Severity
from mtaudit.core.errors import InputError

# Marks every note mtaudit writes, so a re-run replaces them instead of piling up copies.
ORIGIN = "mtaudit"
# XLIFF note priorities (1 = highest, 10 = lowest) by the worst severity they report.
PRIORITY = {Severity.CRITICAL: 1, Severity.MAJOR: 2, Severity.MINOR: 5}
_MAX_SPAN = 80


@dataclass
class UnitNotes:
    """The findings of one translation unit: its segments, risk and one note line per finding."""

    unit: int
    segments: list[Segment] = field(default_factory=list)
    findings: list[tuple[Segment, str, Finding]] = field(default_factory=list)  # (segment, sentence text, finding)
    risk: float = 0.0

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    @property
    def worst(self) -> Severity | None:
        order = [Severity.MINOR, Severity.MAJOR, Severity.CRITICAL]
        return max((f.severity for _, _, f in self.findings), key=order.index, default=None)

    def risk_note(self) -> str:
        count = len(self.findings)
        return (f"{ORIGIN}: risk {self.risk:.2f} (5 ≈ one major error); {count} finding{'s' if count != 1 else ''} "
                "to review")

    def finding_notes(self, label=None) -> list[tuple[Finding, str]]:
        """(finding, note text) for each finding; ``label(segment)`` names the segment when a unit holds several."""
        several = len(self.segments) > 1
        return [(finding, finding_text(text, finding, (label or _segment_label)(segment) if several else None))
                for segment, text, finding in self.findings]


def _segment_label(segment: Segment) -> str:
    return f"segment {segment.id}"


def finding_text(sentence: str, f: Finding, where: str | None = None) -> str:
    """One finding as a note: severity, category, detector, the flagged words, the message and the suggestion.
    Every note starts with "mtaudit", which is how a later run recognises and replaces its notes."""
    span = sentence[f.start:f.end]
    if len(span) > _MAX_SPAN:
        span = span[: _MAX_SPAN - 1] + "…"
    text = f"{ORIGIN} {f'({where}) ' if where else ''}{f.severity.value} {f.category} [{f.detector}]"
    if span:
        text += f" “{span}”"
    text += f": {f.message}"
    if f.suggestion:
        text += f" → {f.suggestion}"
    return text


def unit_notes(doc: Document) -> dict[int, UnitNotes]:
    """Every unit that produced a segment, with its findings (in reading order) and its riskiest sentence's risk."""
    units: dict[int, UnitNotes] = {}
    for segment in doc.segments:
        if segment.unit is None:
            continue
        notes = units.setdefault(segment.unit, UnitNotes(segment.unit))
        notes.segments.append(segment)
        for sentence in segment.sentences:
            notes.risk = max(notes.risk, float(sentence.risk))
            for finding in sorted(sentence.findings, key=lambda f: (f.start, f.end)):
                notes.findings.append((segment, sentence.text, finding))
    return units


class Annotator:
    """Base class: ``annotate(data, units, path) -> bytes`` of the annotated copy. ``mark_fuzzy`` is for formats
    whose review state is a fuzzy flag (PO), which the user asks for explicitly."""

    formats: ClassVar[tuple[str, ...]] = ()

    def __init__(self, mark_fuzzy: bool = False):
        self.mark_fuzzy = mark_fuzzy

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        raise NotImplementedError


def changed(path: str) -> InputError:
    """The file no longer holds the units it held when it was read."""
    return InputError(path, "changed since it was audited; no annotated copy written",
                      hint="audit it again to annotate it")
