"""Sentence splitting with exact character offsets.

pysbd does the linguistic work; offsets are recomputed by locating each returned sentence in the segment, because
pysbd's own ``char_span`` output drifts on repeated text and normalises some whitespace. Where pysbd's rules for a
language split too eagerly, the language's data file (``mtaudit/languages/<code>.toml``, ``[splitting]``) lists the
exceptions: abbreviations a sentence never ends with, words after which "N." is an ordinal ("am 3. Oktober"), and
whether a piece starting in lower case continues the one before; pieces are joined back accordingly.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from mtaudit.core.document import Segment, Sentence
from mtaudit.languages import language

_LINE_BREAK = re.compile(r"\n+")
# pysbd slows down more than linearly with the length of what it is given (a 20,000-character piece costs about
# twice per character what a 5,000-character one does); split very long runs on line breaks first and bound each
# piece. News paragraphs are far shorter, so the bound only bites on pathological input.
_MAX_PIECE = 5_000
# Where a bounded piece is cut: after sentence-final punctuation and space if there is one in the second half of the
# window, else at the last space, so a forced cut never splits a word.
_SENTENCE_END = re.compile(r"[.!?。！？]['\"”’»)\]]*\s+|[。！？]")
_SPACE = re.compile(r"\s+")
# pysbd matches list numbers with \s and then calls int() on the match, which fails on the information separators
# U+001C..U+001F (whitespace to re, not to int): they become spaces before pysbd sees them.
_PYSBD_UNSAFE = {code: " " for code in range(0x1C, 0x20)}


@lru_cache(maxsize=8)
def _splitter(lang: str) -> pysbd.Segmenter:
    try:
        return pysbd.Segmenter(language=language(lang).pysbd, clean=False)
    except ValueError:  # a language pysbd does not know: English rules are the least bad default
        return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=8)
def _no_break(lang: str) -> tuple[re.Pattern | None, bool]:
    """(a pattern matching the end of a piece after which the sentence goes on, lower-case continues) for ``lang``."""
    rules = language(lang).splitting
    parts = []
    words = [a for a in rules.get("abbreviations", ()) if not a.startswith("-")]
    endings = [a[1:] for a in rules.get("abbreviations", ()) if a.startswith("-")]  # "-str": "Goethestr."
    if words:
        parts.append(r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, words)) + r")\.")
    if endings:
        parts.append(r"(?:" + "|".join(map(re.escape, endings)) + r")\.")
    if rules.get("ordinal_before"):
        parts.append(r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, rules["ordinal_before"])) + r")\s+\d{1,4}\.")
    pattern = re.compile("(?:" + "|".join(parts) + r")[\"'”“»«)\]]*$") if parts else None
    return pattern, bool(rules.get("lowercase_continues"))


def split_spans(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, trimmed of surrounding whitespace, in order, non-overlapping."""
    spans = _raw_spans(text, lang)
    pattern, lowercase = _no_break(lang)
    if pattern is None and not lowercase:
        return spans
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and text[joined[-1][1]:start].strip() == "" and "\n" not in text[joined[-1][1]:start]:
            before = text[joined[-1][0]:joined[-1][1]]
            first = text[start:end].lstrip("\"'„“‚‘»«([")[:1]
            if (pattern is not None and pattern.search(before)) or (lowercase and first.islower()):
                joined[-1] = (joined[-1][0], end)
                continue
        joined.append((start, end))
    return joined


def _raw_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """The sentence spans pysbd's rules give, mapped back onto ``text``."""
    spans: list[tuple[int, int]] = []
    for piece_start, piece_end in _pieces(text):
        # same length, so offsets found in the cleaned piece hold for the text
        piece = text[piece_start:piece_end].translate(_PYSBD_UNSAFE)
        cursor = 0
        try:
            sentences = _splitter(lang).segment(piece)
        except (ValueError, IndexError, re.error):  # a pysbd bug on odd input must not lose the document
            sentences = [piece]
        for sent in sentences:
            stripped = sent.strip()
            if not stripped:
                continue
            found = piece.find(stripped, cursor)
            if found < 0:  # pysbd altered the text; fall back to consuming by length
                found = cursor
                while found < len(piece) and piece[found].isspace():
                    found += 1
                end = min(len(piece), found + len(stripped))
            else:
                end = found + len(stripped)
            if end > found:
                spans.append((piece_start + found, piece_start + end))
            cursor = end
        if cursor < len(piece) and piece[cursor:].strip():  # text pysbd dropped is kept as a sentence of its own
            rest = piece[cursor:]
            lead = len(rest) - len(rest.lstrip())
            spans.append((piece_start + cursor + lead, piece_start + cursor + len(rest.rstrip())))
    return spans


def _pieces(text: str):
    """Line-separated pieces of ``text`` (a line break always ends a sentence in news copy), each bounded in size."""
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield from _bounded(text, start, match.start())
        start = match.end()
    yield from _bounded(text, start, len(text))


def _bounded(text: str, start: int, end: int):
    while end - start > _MAX_PIECE:
        cut = _cut(text, start, start + _MAX_PIECE)
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def _cut(text: str, start: int, limit: int) -> int:
    """Where to end a piece that must not run past ``limit``: a likely sentence end, else a space, else ``limit``."""
    low = start + (limit - start) // 2
    last = None
    for last in _SENTENCE_END.finditer(text, low, limit):
        pass
    if last is None:
        for last in _SPACE.finditer(text, low, limit):
            pass
    return last.end() if last is not None and last.end() < limit else limit


def split_segment(segment: Segment, lang: str = "en") -> None:
    """Fill ``segment.sentences`` from its target text."""
    segment.sentences = [
        Sentence(segment=segment, index=i, start=s, end=e) for i, (s, e) in enumerate(split_spans(segment.target, lang))
    ]
