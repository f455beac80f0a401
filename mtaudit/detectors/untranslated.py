"""Untranslated fragments: source-script text left in the target, or a target identical to its source."""
from __future__ import annotations

import re
import unicodedata

from mtaudit.detectors.base import Detector
from mtaudit.document import Category, Document, Severity

# Scripts an English target should not contain as running text.
_FOREIGN_RUN = re.compile(
    r"[\u0400-\u04FF\u0590-\u05FF\u0600-\u06FF\u0900-\u097F\u0E00-\u0E7F\u1100-\u11FF\u3040-\u30FF"
    r"\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0002A6DF]"
    r"[\u0400-\u04FF\u0590-\u05FF\u0600-\u06FF\u0900-\u097F\u0E00-\u0E7F\u1100-\u11FF\u3040-\u30FF"
    r"\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0002A6DF\s，。、；：！？“”‘’（）《》0-9]*"
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split()[0]
    except ValueError:
        return "UNKNOWN"


class UntranslatedDetector(Detector):
    """Untranslated text: runs of a non-Latin script (Chinese, Cyrillic, Arabic, ...) left in an English target, and
    segments whose target is a copy of the source."""

    name = "untranslated"
    categories = (Category.UNTRANSLATED,)
    options = {"min_chars": "shortest foreign-script run reported"}
    min_chars = 1

    def detect(self, doc: Document):
        out = []
        for segment in doc.segments:
            copied = (
                segment.source is not None
                and _normalise(segment.source) == _normalise(segment.target)
                and len(_LETTERS.findall(segment.target)) >= 3
            )
            for sentence in segment.sentences:
                if copied:
                    out.append(self.finding(
                        sentence, 0, len(sentence.text), Category.UNTRANSLATED, Severity.CRITICAL,
                        "target is identical to the source: not translated", confidence=0.95))
                    continue
                for m in _FOREIGN_RUN.finditer(sentence.text):
                    run = m.group().rstrip()
                    if len(run) < self.min_chars:
                        continue
                    scripts = sorted({_script(c) for c in run if _LETTERS.match(c)})
                    severity = Severity.MAJOR if len(run) >= 4 else Severity.MINOR
                    out.append(self.finding(
                        sentence, m.start(), m.start() + len(run), Category.UNTRANSLATED, severity,
                        f"untranslated {'/'.join(s.title() for s in scripts) or 'foreign'} text: {run!r}",
                        confidence=0.9))
        return out


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()
