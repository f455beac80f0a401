"""Korean people written in Chinese characters, and the many ways English spells their names.

A Korean name reaches a Chinese article in Chinese characters (文在寅, 尹锡悦); its English form follows the Korean
reading of each character (mun-jae-in, yun-seok-yeol), spelt in Revised Romanization ("Mun Jae-in"), in
McCune-Reischauer without its diacritics ("Mun Chae-in", North Korea's "Kim Jong Un") or in a person's own
conventional spelling ("Moon Jae-in", "Yoon Suk-yeol"). Those spellings differ from the Revised Romanization of a
reading in regular ways (eo as o or u, eu as u, u as oo, ae as ai, g/k, d/t, b/p, j/ch, a final k as ck ...), which
``spellings`` generates; a target syllable that is none of them for any reading of its character is no spelling of
the name at all ("Yoon Xi-yeol", "Moon Jae-yin").
"""
from __future__ import annotations

import re
from functools import lru_cache

from mtaudit.detectors.namelib.lexicon import KOREAN_VARIANTS
from mtaudit.detectors.namelib.romanise import fold

# The parts of a syllable in Revised Romanization, as the readings table writes them (tools/build_lexicon.py).
_INITIALS = sorted("g kk n d tt r m b pp s ss j jj ch k t p h".split(), key=len, reverse=True)
_VOWELS = sorted("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split(), key=len, reverse=True)
_FINALS = ("", "k", "n", "t", "l", "m", "p", "ng")

# How English spells each part besides its Revised Romanization: McCune-Reischauer without apostrophes (k for g,
# ch for j, o and u for eo and eu), and the spellings names keep by convention (Moon, Soo, Kyung, Hee, Jai, Duck).
_INITIAL_SPELLINGS = {"g": ("g", "k"), "kk": ("kk", "gg", "k"), "d": ("d", "t"), "tt": ("tt", "dd", "t"),
                      "r": ("r", "l", "rh"), "b": ("b", "p"), "pp": ("pp", "bb", "p"), "s": ("s", "sh"),
                      "ss": ("ss", "s"), "j": ("j", "ch"), "jj": ("jj", "tch", "ch", "j")}
_VOWEL_SPELLINGS = {
    "a": ("a", "ah", "aa"), "ae": ("ae", "ai", "ay"), "yae": ("yae", "yai"), "eo": ("eo", "o", "u", "uh", "ou", "eu"),
    "e": ("e", "ae", "ye"), "yeo": ("yeo", "yo", "yu", "you", "yeu"), "o": ("o", "oh"), "wae": ("wae", "wai"),
    "oe": ("oe", "oi", "we", "oy"), "u": ("u", "oo", "ou"), "wo": ("wo", "weo"), "wi": ("wi", "wee"),
    "yu": ("yu", "yoo", "you"), "eu": ("eu", "u", "ue"), "ui": ("ui", "eui", "i", "ee", "wi"), "i": ("i", "ee"),
}
_FINAL_SPELLINGS = {"k": ("k", "g", "ck"), "t": ("t", "d"), "p": ("p", "b"), "l": ("l", "r")}


def _parts(reading: str) -> tuple[str, str, str] | None:
    """A Revised Romanization syllable as (initial, vowel, final): "seok" -> ("s", "eo", "k"); None if it is not one."""
    for initial in (*_INITIALS, ""):
        if not reading.startswith(initial):
            continue
        rest = reading[len(initial):]
        for vowel in _VOWELS:
            if rest.startswith(vowel) and rest[len(vowel):] in _FINALS:
                return initial, vowel, rest[len(vowel):]
    return None


@lru_cache(maxsize=10_000)
def spellings(reading: str) -> frozenset[str]:
    """Every usual English spelling of one Korean syllable given in Revised Romanization: "seok" -> seok, sok, suk,
    sug, shuk ...; "mun" -> mun, moon; "i" -> i, ee, yi."""
    parts = _parts(reading)
    if parts is None:
        return frozenset({reading})
    initial, vowel, final = parts
    out = set()
    for head in _INITIAL_SPELLINGS.get(initial, (initial,)):
        for middle in _VOWEL_SPELLINGS.get(vowel, (vowel,)):
            if middle.endswith("h") and final not in ("", "n"):
                continue  # "Oh", "Roh" end a syllable; "Ahn", "Sohn" have an n after the h, no other final does
            for tail in _FINAL_SPELLINGS.get(final, (final,)):
                out.add(head + middle + tail)
        if initial == "h" and vowel.startswith("w"):
            out.update("wh" + vowel[1:] + tail for tail in _FINAL_SPELLINGS.get(final, (final,)))  # Kyung-wha
    if not initial and vowel == "i" and not final:
        out.add("yi")  # Yi; never "Yin" for 인 (in), which is pinyin
    if not initial and vowel == "u":
        out.add("woo" + final)  # Woo; not "Wu", which is pinyin (禹 read as Chinese)
    return frozenset(out)


@lru_cache(maxsize=1)
def _surname_groups() -> dict[str, frozenset[str]]:
    return {fold(name): frozenset(fold(n) for n in group) for group in KOREAN_VARIANTS for name in group}


def character_spellings(readings: tuple[str, ...]) -> frozenset[str]:
    """Every spelling of a character with these Korean readings."""
    return frozenset().union(*(spellings(r) for r in readings))


def surname_spellings(readings: tuple[str, ...], conventional: str | None) -> frozenset[str]:
    """Every spelling of a surname with these Korean readings, its conventional spelling (``conventional``: "Park")
    and the other spellings of its group (Lee, Yi, Rhee, Ri)."""
    out = set(character_spellings(readings)) | ({fold(conventional)} if conventional else set())
    groups = _surname_groups()
    return frozenset(out.union(*(groups.get(s, frozenset()) for s in list(out))))


_WORD = re.compile(r"[^\W\d_]+")
_RIGHT = -1


def _joined(word: str, first: frozenset[str], second: frozenset[str]) -> int | None:
    """How a given name written as one word ("Jaein") reads two characters: _RIGHT when some split reads both; 1 when
    a beginning reads the first and two letters or more follow that do not read the second ("Jaeyan"), 0 the other
    way round; None when neither character is read."""
    splits = range(1, len(word))
    if any(word[:k] in first and word[k:] in second for k in splits):
        return _RIGHT
    if any(word[:k] in first for k in splits if len(word) - k >= 2):
        return 1
    if any(word[k:] in second for k in splits if k >= 2):
        return 0
    return None


def mismatch(name: str, readings: list[tuple[str, ...]], surname: str | None, target: str
             ) -> tuple[int, int, str, int, list[str]] | None:
    """The rendering of the Korean person ``name`` (three characters: surname and a given name of two) in ``target``
    that spells one character of the given name with a syllable none of its readings gives: "Moon Jae-yin" for
    文在寅. ``readings``: each character's Korean readings; ``surname``: its conventional spelling, if any.

    The rendering is a capitalised surname that spells the first character, with the given name after it as one
    hyphenated word ("Jae-in"), two words ("Jae In") or one ("Jaein"), or before it hyphenated ("Jae-in Moon"); it
    is this person's name when the other syllable of the given name reads right. Returns (start, end, text, index of
    the wrong character, the rendering's syllables), or None when every rendering reads right or none is found."""
    return next(((a, b, target[a:b], at + 1, syllables) for a, b, at, syllables in
                 _renderings(name, readings, surname, target) if at != _RIGHT), None)


def reads_right(name: str, readings: list[tuple[str, ...]], surname: str | None, text: str) -> bool:
    """``text`` holds a rendering of the Korean person ``name`` that reads every character right."""
    return any(at == _RIGHT for *_, at, _ in _renderings(name, readings, surname, text))


def _renderings(name: str, readings: list[tuple[str, ...]], surname: str | None, target: str):
    """Each rendering of ``name`` in ``target`` (see ``mismatch``): (start, end, the wrong character's index in the
    given name or _RIGHT, its syllables as written)."""
    if len(name) != 3 or not all(readings):
        return
    family = surname_spellings(readings[0], surname)
    given = [character_spellings(r) for r in readings[1:]]
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(target)]
    for i, (start, end, word) in enumerate(words):
        if not word[:1].isupper() or fold(word) not in family:
            continue
        for found in (_after(target, words, i, given), _before(target, words, i, given)):
            if found is not None:
                a, b, at, syllables = found
                yield min(a, start), max(b, end), at, syllables


def _after(target: str, words, i: int, given: list[frozenset[str]]):
    """The given name after the surname at ``words[i]``: (start, end, the wrong character's index in the given name
    or _RIGHT, the given name's syllables as written), or None."""
    if i + 1 >= len(words) or target[words[i][1]:words[i + 1][0]] != " " or not words[i + 1][2][:1].isupper():
        return None
    _, first_end, first = words[i + 1]
    if i + 2 < len(words):
        gap = target[first_end:words[i + 2][0]]
        second = words[i + 2][2]
        if gap == "-" or gap == " " and second[:1].isupper():
            found = _two(fold(first), fold(second), given)
            if found is not None:
                return words[i + 1][0], words[i + 2][1], found, [first, second]
            if gap == "-":
                return None
    found = _joined(fold(first), *given)
    if found is None or re.match(r"-\w", target[first_end:first_end + 2]):
        return None
    return words[i + 1][0], first_end, found, [first]


def _before(target: str, words, i: int, given: list[frozenset[str]]):
    """A hyphenated given name before the surname at ``words[i]`` ("Jae-in Moon")."""
    if i < 2 or target[words[i - 1][1]:words[i][0]] != " " or target[words[i - 2][1]:words[i - 1][0]] != "-" or \
            not words[i - 2][2][:1].isupper():
        return None
    found = _two(fold(words[i - 2][2]), fold(words[i - 1][2]), given)
    return None if found is None else (words[i - 2][0], words[i - 1][1], found, [words[i - 2][2], words[i - 1][2]])


def _two(first: str, second: str, given: list[frozenset[str]]) -> int | None:
    """How two syllables read a given name of two characters: _RIGHT, the index of the one that reads its character
    wrong (of two letters or more) while the other reads right, or None when neither reads right."""
    right = (first in given[0], second in given[1])
    if all(right):
        return _RIGHT
    if any(right) and len(first if not right[0] else second) >= 2:
        return right.index(False)
    return None
