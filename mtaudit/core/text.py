"""Small text helpers that detectors and language detection share."""
from __future__ import annotations

import re

# A Han character (CJK Unified Ideographs and Extension A): Chinese text, or Japanese kanji.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Final punctuation of a sentence, before any closing quotes or brackets.
TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$")


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, in the plural unless the count is one: "1 finding", "3 findings"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def is_heading(text: str) -> bool:
    """A short paragraph without final punctuation: a headline or section heading, not body text."""
    return not TERMINAL.search(text.strip()) and len(text.split()) <= 20
