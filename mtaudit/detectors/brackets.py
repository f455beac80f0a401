"""Unbalanced quotation marks and brackets."""
from __future__ import annotations

from mtaudit.detectors.base import Detector
from functools import lru_cache

from mtaudit.core.document import Category, Document, Severity
from mtaudit.languages import language

_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»", "„": "“", "《": "》", "「": "」"}
_CLOSERS = {v: k for k, v in _PAIRS.items() if k != "„"}
_CONTINUATION_OPENERS = "“‘«„\""


@lru_cache(maxsize=16)
def _marks(lang: str | None) -> tuple[dict[str, str], dict[str, str], str]:
    """(opener -> closer, closer -> opener, continuation openers) of a target language's quotation conventions
    (``[quotes]`` in mtaudit/languages/<code>.toml: German „…“ and »…«, English “…”)."""
    table = language(lang).quotes
    if not table.get("pairs"):
        return _PAIRS, _CLOSERS, _CONTINUATION_OPENERS
    pairs = {pair[0]: pair[1] for pair in table["pairs"]}
    closers: dict[str, str] = {}
    for opener, closer in pairs.items():
        closers.setdefault(closer, opener)  # “ closes „ in German and opens “…” in English: the first pair wins
    return pairs, closers, table.get("continuation", _CONTINUATION_OPENERS)


class BracketsDetector(Detector):
    """Unbalanced quotation marks and brackets within a paragraph: an opening “ ( [ without its closing mark, a
    closing mark without an opener, or an odd number of straight double quotes; the target language's quotation
    marks („…“, »…« in German); not where the source is unbalanced the same way."""

    name = "brackets"
    categories = (Category.PUNCTUATION,)

    def detect(self, doc: Document):
        out = []
        marks = _marks(doc.target_lang)
        carried = False  # the previous segment left a quotation open that this one goes on with
        for i, segment in enumerate(doc.segments):
            following = _next_quoting(doc.segments[i + 1:], marks)
            continued = bool(following.strip()) and (following.lstrip()[0] in marks[2]
                                                     or _first_quote_closes(following, marks))
            problems = _unbalanced(segment.target, continued, marks, carried)
            if problems and segment.source and _unbalanced(segment.source, False, _marks(None), False):
                problems = []  # the source is unbalanced too: the translation kept what it was given
            for offset, message in problems:
                sentence = next((s for s in segment.sentences if s.start <= offset < s.end), None)
                if sentence is None:
                    continue
                local = offset - sentence.start
                out.append(self.finding(sentence, local, local + 1, Category.PUNCTUATION, Severity.MINOR, message,
                                        confidence=0.7))
            if _has_quote(segment.target, marks) or not carried:
                carried = continued
        return out


def _has_quote(text: str, marks) -> bool:
    return any(ch == '"' or (ch in marks[0] or ch in marks[1]) and ch not in "()[]{}" for ch in text)


def _next_quoting(segments, marks, look: int = 3) -> str:
    """The next of up to ``look`` segments that holds a quotation mark (a quotation may run on through sentences
    without any), or the next segment."""
    for segment in segments[:look]:
        if _has_quote(segment.target, marks):
            return segment.target
    return segments[0].target if segments else ""


def _first_quote_closes(text: str, marks) -> bool:
    """The first quotation mark of ``text`` closes a quotation it never opened: the rest of a quotation begun in the
    segment before (one sentence per segment in XLIFF, or one per line in a sentence-split file)."""
    pairs, closers, _ = marks
    for i, ch in enumerate(text):
        if ch == '"':
            return _straight_closes(text, i)
        if ch in pairs and ch not in closers:
            return False
        if ch in closers and ch in "”“»«’‘›‹":
            return ch not in pairs or (0 < i and not text[i - 1].isspace())
    return False


def _straight_closes(text: str, i: int) -> bool:
    """A straight " that ends a quotation: after a word or punctuation, not before a word."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or not after.isalnum())


def _unbalanced(text: str, continued: bool = False, marks=None, carried: bool = False) -> list[tuple[int, str]]:
    """Offsets of marks that do not pair up. Quotes may span sentences, so a whole paragraph is checked.

    ``continued``: the next paragraph opens with a quotation mark (the news convention for a quotation running on
    over several paragraphs) or closes a quotation it never opened, so a quote left open at the end of this one is
    expected. ``carried``: the previous paragraph left a quotation open, so this one's first closing quotation mark
    without an opener ends it. ``marks``: the target language's (openers, closers, continuation openers).
    """
    pairs, closers, continuation = marks or (_PAIRS, _CLOSERS, _CONTINUATION_OPENERS)
    problems: list[tuple[int, str]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch == "’" and stack and stack[-1][0] == "‘":
            stack.pop()
            continue
        if ch == "’" and "’" not in closers.values():  # an apostrophe
            continue
        if ch in closers and stack and stack[-1][0] == closers[ch]:
            stack.pop()
            continue
        if ch == "“" and stack and stack[-1][0] == "„":
            stack.pop()
            continue
        if carried and not stack and ch in closers and ch in "”“»«’‘›‹" and (
                ch not in pairs or (i > 0 and not text[i - 1].isspace())):
            carried = False  # it ends the quotation the previous paragraph left open
            continue
        if ch in pairs:
            if ch in "‘‚" and i > 0 and text[i - 1].isalnum():  # a wrongly curled apostrophe, not a quote
                continue
            stack.append((ch, i))
        elif ch in closers:
            if any(open_ch == closers[ch] for open_ch, _ in stack):
                while stack and stack[-1][0] != closers[ch]:
                    open_ch, at = stack.pop()
                    problems.append((at, f"{open_ch} is never closed"))
                stack.pop()
            elif ch != "’":
                problems.append((i, f"{ch} closes nothing: its opening {closers[ch]} is missing"))
    for open_ch, at in stack:
        # news paragraphs routinely open a quote that continues in the next paragraph without closing it
        if continued and open_ch in continuation and (open_ch, at) == stack[-1]:
            continue
        problems.append((at, f"{open_ch} is never closed: its closing {pairs[open_ch]} is missing"))
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if carried and straight and _straight_closes(text, straight[0]):
        straight = straight[1:]  # the first one ends the previous paragraph's quotation
    if len(straight) % 2 and not (continued and not _straight_closes(text, straight[-1])):
        problems.append((straight[-1], 'odd number of " marks: a quotation is not closed or not opened'))
    return problems
