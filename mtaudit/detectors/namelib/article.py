"""One source name rendered two ways in one article: the same source string (or the same person, a dotted foreign
name and its surname) written "Ziobro" in three sentences and "Giobro" in a fourth.

No lexicon is needed: the article itself tells which rendering the translation settled on. A rendering of a source
name in a target segment is the known form when one is present, else the capitalised span whose consonants sound like
the name's pinyin (transliterations keep the consonants in order: 焦布洛 jiao-bu-luo and "Ziobro" both give S-P-L).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib.romanise import fold
from mtaudit.detectors.namelib.transliterate import capitalised_spans, skeleton


@dataclass(frozen=True)
class Rendering:
    """Where and how one target segment renders one source name."""

    key: str          # the source name as the article is compared on it: "焦布洛"; a dotted name's last part
    segment: int      # index of the segment in the document
    start: int        # offsets of the rendering in the segment's target
    end: int
    text: str         # "Giobro"
    known: bool       # the rendering is a known form (lexicon, table, the pinyin of a Chinese name)
    sound: float      # how closely its consonants follow the source's pinyin (0..1)

    @property
    def words(self) -> frozenset[str]:
        return frozenset(fold(w) for w in re.split(r"[\s\-]+", self.text) if w)


# Capitalised words that are never a rendering of a name alone: titles, generic place and organisation words,
# function words, days and months.
GENERIC_WORDS = frozenset(fold(w) for w in """
The A An And Of In On At For To By From With As But Or If It They We His Her Its Their This That These Those
President Premier Prime Minister Secretary Governor Mayor General Chairman Director Spokesman Spokeswoman Mr Mrs Ms
Dr Professor City County District Province State Region Street Road River Lake Mountain Island University College
School Company Group Bank News Agency Daily Times Post Ministry Department Office Council Committee Party Government
National International Chinese China American United States North South East West New Great Greater Central Park
Square Station Airport Port Bay Sea Ocean
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September
October November December
""".split())


def sound_match(pinyin: str, span: str) -> float:
    """Similarity of consonant skeletons, each of two or more classes. The first consonant is where MT's respellings
    of a transliterated name differ most ("Giobro", "Ziobro" and jiao-bu-luo): when only it differs, the rest must
    agree and the match counts 0.85 of theirs."""
    a, b = skeleton(pinyin), skeleton(span)
    if len(a) < 2 or len(b) < 2:
        return 0.0
    if a[0] == b[0]:
        return Levenshtein.normalized_similarity(a, b)
    if len(a) < 3 or len(b) < 3 or a[0] not in _CONFUSED or b[0] not in _CONFUSED or fold(span)[:1] in "aeiouy":
        return 0.0
    return 0.85 * Levenshtein.normalized_similarity(a[1:], b[1:])


# First consonants MT swaps in transliterated names: j/z/zh/x/q (S), g/k/c (K), d/t (T).
_CONFUSED = frozenset("SKT")


def locate(key: str, segment: int, target: str, pinyin: str, forms: tuple[str, ...],
           taken: list[tuple[int, int]], common, by_sound: bool = True) -> Rendering | None:
    """The rendering of a source name in ``target``: a known form, else the capitalised span that sounds most like
    ``pinyin`` (at least 0.8 of its consonant skeleton), not inside ``taken`` (spans of the segment's other names),
    not an ordinary English word (``common(span)`` true). With ``by_sound`` false, known forms only."""
    for form in forms:
        at = find_words(target, form)
        if at is not None:
            return Rendering(key, segment, at, at + len(form), target[at:at + len(form)], True, 1.0)
    if not by_sound or len(skeleton(pinyin)) < 3 or forms and not any(sound_match(pinyin, f) >= 0.8 for f in forms):
        # the known forms do not follow the sound (中新网 ChinaNews), or the sound is too short to tell a
        # rendering from chance (zhong-hua and "Xian" share S-N)
        return None
    best = None
    for span, start, end in capitalised_spans(target, 2):
        span = re.sub(r"['’]s$", "", span)
        end = start + len(span)
        words = [fold(w) for w in span.split()]
        if any(w in GENERIC_WORDS for w in words) or any(a < end and start < b for a, b in taken):
            continue
        score = sound_match(pinyin, span)
        if score >= 0.8 and (best is None or (score, end - start) > (best.sound, best.end - best.start)):
            if len(words) == 1 and common(span):
                continue  # "Carter", "Hanna": an English word or name in its own right
            best = Rendering(key, segment, start, end, span, False, score)
    return best


def find_words(text: str, form: str) -> int | None:
    """Where ``form`` stands in ``text`` as whole words, case aside (not inside a longer word), or None."""
    low_text, low_form = text.lower(), form.lower()
    at = low_text.find(low_form)
    while at >= 0:
        before = low_text[at - 1] if at else " "
        after = low_text[at + len(low_form)] if at + len(low_form) < len(low_text) else " "
        if not before.isalnum() and not after.isalnum():
            return at
        at = low_text.find(low_form, at + 1)
    return None


def _same(a: Rendering, b: Rendering, syllables: frozenset[str]) -> bool:
    """One rendering is the other or part of it ("Catry" in "Boudewijn Catry"), case and accents aside, or the other
    with more of the source's syllables ("Qingshuihe" and "Qingshui" for 清水河)."""
    if a.words <= b.words or b.words <= a.words:
        return True
    x, y = sorted((fold(a.text), fold(b.text)), key=len)
    return y.startswith(x) and (y[len(x):] in _DERIVED or _spelt_by(y[len(x):], syllables))


# Endings that make a name's adjective or plural, not another name: "Qatari", "Texans", "Chinese".
_DERIVED = frozenset("i s es n ns an ans ian ians ese er ers".split())


def _spelt_by(rest: str, syllables: frozenset[str]) -> bool:
    if not rest:
        return True
    return any(rest.startswith(s) and _spelt_by(rest[len(s):], syllables) for s in syllables if s)


def inconsistent(renderings: list[Rendering], syllables_of) -> list[tuple[Rendering, Rendering, int, bool]]:
    """(minority rendering, the article's usual rendering, how often that one is used, by majority?) for every source
    name the article renders two or more ways.

    A rendering used in two or more segments and more often than any other is the article's form. When two
    renderings tie, the one whose consonants stray further from the source's pinyin is the odd one out, provided the
    other follows it clearly better (by 0.2 of the skeleton) or is a known form. ``syllables_of(key)`` gives the
    pinyin syllables of a source name."""
    by_key = defaultdict(list)
    for r in renderings:
        by_key[r.key].append(r)
    out = []
    for key, found in by_key.items():
        if len({r.segment for r in found}) < 2:
            continue
        groups: list[list[Rendering]] = []
        syllables = frozenset(syllables_of(key))
        for r in found:
            group = next((g for g in groups if _same(g[0], r, syllables)), None)
            if group is None:
                groups.append([r])
            else:
                group.append(r)
                if len(r.words) > len(group[0].words):   # the fullest form speaks for the group
                    group.insert(0, group.pop())
        if len(groups) < 2:
            continue
        groups.sort(key=lambda g: (-len({r.segment for r in g}), -max(r.known for r in g), -max(r.sound for r in g)))
        first, second = groups[0], groups[1]
        n_first, n_second = len({r.segment for r in first}), len({r.segment for r in second})
        usual = next((r for r in first if r.known), first[0])
        if n_first >= 2 and n_first > n_second:
            out += [(r, usual, n_first, True) for g in groups[1:] for r in g if not r.known]
        elif n_first == n_second:
            best_first, best_second = max(r.sound for r in first), max(r.sound for r in second)
            known_first = any(r.known for r in first)
            if known_first and not any(r.known for r in second) or best_first >= best_second + 0.2:
                out += [(r, usual, n_first, False) for r in second if not r.known]
    return out
