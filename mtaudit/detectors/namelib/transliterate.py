"""How a name written in Chinese characters sounds in Latin letters: consonant skeletons and target spans that match.

MT renders a foreign name that reached Chinese by transliteration (布林肯, Blinken) by reading the characters as
pinyin ("Bu Linken") or by guessing a Western spelling from their sounds ("Cocosili" for 可可西里, Hoh Xil). Both keep
the consonants of the pinyin in order, which is what a skeleton compares.
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib.romanise import fold, pinyin_syllables

# Letters (pinyin and English spellings alike) collapsed into consonant classes; vowels, h and y are dropped.
_CLASSES = (("sch", "S"), ("zh", "S"), ("ch", "S"), ("sh", "S"), ("ts", "S"), ("tz", "S"), ("ph", "F"), ("th", "T"),
            ("ck", "K"), ("ng", "N"), ("x", "S"), ("q", "S"), ("j", "S"), ("z", "S"), ("s", "S"), ("c", "K"),
            ("g", "K"), ("k", "K"), ("b", "P"), ("p", "P"), ("d", "T"), ("t", "T"), ("l", "L"), ("r", "L"),
            ("m", "M"), ("n", "N"), ("f", "F"), ("v", "F"), ("w", "F"))
_CAPITALISED_RUN = re.compile(r"[A-Z][^\W\d_]*(?:['’-][^\W\d_]+)*(?:[ -][A-Z][^\W\d_]*(?:['’-][^\W\d_]+)*)*")


@lru_cache(maxsize=50_000)
def skeleton(text: str) -> str:
    """Consonant classes of a spelling, repeats merged: "Ziobro" and jiao-bu-luo both give "SPL"."""
    text, out, i = fold(text), [], 0
    while i < len(text):
        for old, new in _CLASSES:
            if text.startswith(old, i):
                if not out or out[-1] != new:
                    out.append(new)
                i += len(old)
                break
        else:
            i += 1
    return "".join(out)


def sounds_like(source_pinyin: str, spelling: str) -> float:
    """Similarity of two skeletons that start alike (0 when the first consonant class differs)."""
    a, b = skeleton(source_pinyin), skeleton(spelling)
    if not a or not b or a[0] != b[0]:
        return 0.0
    return Levenshtein.normalized_similarity(a, b)


@lru_cache(maxsize=50_000)
def all_pinyin(span: str) -> bool:
    """Every word of ``span`` splits into pinyin syllables ("Bu Linken", "Kekexili")."""
    syllables = pinyin_syllables()
    for word in re.split(r"[ '’-]+", fold_keep_spaces(span)):
        if not word:
            continue
        best = [True] + [False] * len(word)
        for end in range(1, len(word) + 1):
            best[end] = any(best[s] and word[s:end] in syllables for s in range(max(0, end - 6), end))
        if not best[-1]:
            return False
    return True


def fold_keep_spaces(text: str) -> str:
    return " ".join(fold(w) for w in text.split())


def capitalised_spans(text: str, longest: int = 3) -> list[tuple[str, int, int]]:
    """Every run of one to ``longest`` consecutive capitalised words, with its offsets."""
    out = []
    for m in _CAPITALISED_RUN.finditer(text):
        words = [(w.group(), m.start() + w.start(), m.start() + w.end()) for w in re.finditer(r"[^ -]+", m.group())]
        for a in range(len(words)):
            for b in range(a, min(len(words), a + longest)):
                start, end = words[a][1], words[b][2]
                out.append((text[start:end], start, end))
    return out
