"""Unbalanced quotation marks and brackets."""
from __future__ import annotations

from mtaudit.detectors.base import Detector
from mtaudit.document import Category, Document, Severity

_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»", "„": "“", "《": "》", "「": "」"}
_CLOSERS = {v: k for k, v in _PAIRS.items() if k != "„"}
_CONTINUATION_OPENERS = "“‘«„\""


class BracketsDetector(Detector):
    """Unbalanced quotation marks and brackets within a paragraph: an opening “ ( [ without its closing mark, a
    closing mark without an opener, or an odd number of straight double quotes."""

    name = "brackets"
    categories = (Category.PUNCTUATION,)

    def detect(self, doc: Document):
        out = []
        for i, segment in enumerate(doc.segments):
            following = doc.segments[i + 1].target.lstrip() if i + 1 < len(doc.segments) else ""
            continued = following[:1] in _CONTINUATION_OPENERS
            for offset, message in _unbalanced(segment.target, continued):
                sentence = next((s for s in segment.sentences if s.start <= offset < s.end), None)
                if sentence is None:
                    continue
                local = offset - sentence.start
                out.append(self.finding(sentence, local, local + 1, Category.PUNCTUATION, Severity.MINOR, message,
                                        confidence=0.7))
        return out


def _unbalanced(text: str, continued: bool = False) -> list[tuple[int, str]]:
    """Offsets of marks that do not pair up. Quotes may span sentences, so a whole paragraph is checked.

    ``continued``: the next paragraph opens with a quotation mark, the news convention for a quotation running on
    over several paragraphs, so a quote left open at the end of this one is expected.
    """
    problems: list[tuple[int, str]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch == "’" and stack and stack[-1][0] == "‘":
            stack.pop()
            continue
        if ch == "’":  # apostrophe
            continue
        if ch == "“" and stack and stack[-1][0] == "„":
            stack.pop()
            continue
        if ch in _PAIRS:
            if ch == "‘" and i > 0 and text[i - 1].isalnum():  # a wrongly curled apostrophe, not a quote
                continue
            stack.append((ch, i))
        elif ch in _CLOSERS:
            if stack and stack[-1][0] == _CLOSERS[ch]:
                stack.pop()
            elif any(open_ch == _CLOSERS[ch] for open_ch, _ in stack):
                while stack and stack[-1][0] != _CLOSERS[ch]:
                    open_ch, at = stack.pop()
                    problems.append((at, f"{open_ch} is never closed"))
                stack.pop()
            else:
                problems.append((i, f"{ch} closes nothing: its opening {_CLOSERS[ch]} is missing"))
    for open_ch, at in stack:
        # news paragraphs routinely open a quote that continues in the next paragraph without closing it
        if continued and open_ch in _CONTINUATION_OPENERS and (open_ch, at) == stack[-1]:
            continue
        problems.append((at, f"{open_ch} is never closed: its closing {_PAIRS[open_ch]} is missing"))
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if len(straight) % 2:
        problems.append((straight[-1], 'odd number of " marks: a quotation is not closed or not opened'))
    return problems

