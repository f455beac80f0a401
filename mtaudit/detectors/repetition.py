"""Repeated words and phrases."""
from __future__ import annotations

import re

from mtaudit.detectors.base import Detector
from mtaudit.document import Category, Document, Severity

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
# Doubled words that English uses on purpose.
_ALLOWED_DOUBLES = {"had", "that", "is", "very", "bye", "so", "no", "yes", "ha", "knock", "tut", "chop", "dum", "bora",
                    "walla", "pom", "go", "mahi", "can"}


class RepetitionDetector(Detector):
    """Repeated words ("the the") and repeated phrases or looping output ("the bank's products, the bank's
    products"), which machine translation produces when it stutters or loops."""

    name = "repetition"
    categories = (Category.REPETITION,)
    options = {"min_phrase_words": "shortest repeated phrase (in words) reported as a loop"}
    min_phrase_words = 2

    def detect(self, doc: Document):
        out = []
        for sentence in doc.sentences():
            text = sentence.text
            words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
            reported_until = -1
            # longest repeated phrase first, so a looped clause is one finding and not many
            for size in range(min(12, len(words) // 2), self.min_phrase_words - 1, -1):
                for i in range(len(words) - 2 * size + 1):
                    if words[i][0] < reported_until:
                        continue
                    first = [w[2] for w in words[i:i + size]]
                    second = [w[2] for w in words[i + size:i + 2 * size]]
                    if first != second or not _phrase_contiguous(text, words, i, size):
                        continue
                    if all(len(w) <= 2 for w in first):
                        continue
                    start, end = words[i + size][0], words[i + 2 * size - 1][1]
                    phrase = text[words[i][0]:words[i + size - 1][1]]
                    out.append(self.finding(
                        sentence, start, end, Category.REPETITION, Severity.MAJOR,
                        f"phrase repeated: {phrase!r} appears twice in a row", suggestion="",
                        confidence=0.9))
                    reported_until = end
            for a, b in zip(words, words[1:]):
                if a[2] == b[2] and a[0] >= reported_until and a[2] not in _ALLOWED_DOUBLES and not a[2].isdigit():
                    between = text[a[1]:b[0]]
                    if between.strip() == "":
                        out.append(self.finding(
                            sentence, b[0], b[1], Category.REPETITION, Severity.MINOR,
                            f"word repeated: {text[a[0]:a[1]]!r}", suggestion="", confidence=0.8))
        return out


def _phrase_contiguous(text: str, words, i: int, size: int) -> bool:
    """The two copies are separated only by spaces or a comma (not across a sentence of other words)."""
    gap = text[words[i + size - 1][1]:words[i + size][0]]
    return gap.strip() in {"", ",", ";", "-", "–", "—"}
