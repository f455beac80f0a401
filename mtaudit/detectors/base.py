"""What every detector is: a name, the MQM categories it reports, what it needs, and ``detect(doc)``."""
from __future__ import annotations

import inspect
from typing import ClassVar

from mtaudit.core.document import Document, Finding, Sentence, Severity


class Detector:
    """Base class. Subclasses set ``name``, ``categories`` and ``requires`` and implement ``detect``.

    Options are class attributes with defaults, documented in ``options`` (option name -> help text); the CLI or a
    config file passes them as keyword arguments. The first paragraph of a subclass docstring is its help text.
    """

    name: ClassVar[str] = ""
    categories: ClassVar[tuple[str, ...]] = ()
    # "source" or "reference": the detector only runs on segments that have it; the audit still runs it on documents
    # without it, so a detector must simply skip segments that lack what it needs.
    requires: ClassVar[frozenset[str]] = frozenset()
    options: ClassVar[dict[str, str]] = {}

    def __init__(self, **options):
        unknown = set(options) - set(self.options)
        if unknown:
            raise ValueError(f"detector {self.name!r} has no option {', '.join(sorted(unknown))}")
        for key, value in options.items():
            setattr(self, key, value)

    def detect(self, doc: Document) -> list[tuple[Sentence, Finding]]:
        """Return (sentence, finding) pairs; finding offsets are relative to ``sentence.text``."""
        raise NotImplementedError

    @classmethod
    def help(cls) -> str:
        """The first paragraph of the class docstring, on one line."""
        doc = inspect.getdoc(cls) or ""
        return " ".join(doc.split("\n\n")[0].split())

    def finding(
        self,
        sentence: Sentence,
        start: int,
        end: int,
        category: str,
        severity: Severity,
        message: str,
        suggestion: str | None = None,
        confidence: float = 1.0,
    ) -> tuple[Sentence, Finding]:
        """Build a finding for ``sentence``, clamping the span into the sentence so offsets are always valid."""
        n = len(sentence.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        return sentence, Finding(self.name, category, severity, start, end, message, suggestion, confidence)


def sentence_at(doc: Document, segment_index: int, offset: int) -> Sentence | None:
    """The sentence of ``doc.segments[segment_index]`` that contains character ``offset`` of the segment."""
    for sentence in doc.segments[segment_index].sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    return None
