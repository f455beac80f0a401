"""Japanese people written in Chinese characters, and the readings of their surnames.

A Japanese name reaches a Chinese article in the simplified forms of its kanji (安倍晋三, 岸田文雄); English writes its
Japanese reading (Abe Shinzō, Kishida Fumio), which neither pinyin nor the characters' commonest readings give, and a
surname may have several (河野: Kōno, Kawano). The readings of each surname come from JMnedict
(``data/ja_surnames.tsv``, built with the lexicon); which names are Japanese comes from the source: Japan named
right before the name ("日本首相岸田文雄"). What is checked is what is reliable: a surname written as a near miss of its
readings, cut short ("Ab" for 安倍 Abe, "Kishi" for 岸田 Kishida) or a letter off, that is itself none of them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib.readings import country_before
from mtaudit.detectors.namelib.romanise import fold

SURNAMES_FILE = "data/ja_surnames.tsv"


@lru_cache(maxsize=1)
def surnames() -> dict[str, tuple[tuple[str, ...], bool]]:
    """Surname in simplified characters -> (its readings as JMnedict writes them, whether the first is the
    established one)."""
    text = resources.files("mtaudit.detectors").joinpath(SURNAMES_FILE).read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, found, flag = line.split("\t")
            out[key] = (tuple(found.split("|")), flag == "e")
    return out


@lru_cache(maxsize=50_000)
def normalised(word: str) -> str:
    """A romanised Japanese word with its long vowels and nasal spelt one way, so that Hepburn with or without
    macrons and the ou/oo/oh spellings compare equal: "Kōno", "Kouno", "Kohno", "Kono" -> "kono"; "Homma" -> "honma"."""
    text = fold(word)
    text = re.sub(r"(?<=o)(?:u|o|h(?![aeiouy]))|(?<=u)u", "", text)
    return re.sub(r"m(?=[bpm])", "n", text)


def established(key: str) -> str | None:
    """The reading English writes the surname ``key`` in, when one clearly is: 岸田 -> "Kishida"; 河野 (Kōno,
    Kawano) has one by the curated table, 菅 (Suga, Kan) none."""
    found, sure = surnames().get(key, ((), False))
    return found[0] if sure else None


def surname_keys(name: str) -> list[str]:
    """The surnames ``name`` may begin with, likeliest first: a name of five characters has a surname of three where
    the table has one (中曾根 + 康弘), else of two (小池 + 百合子), and a name of four one of two (岸田 + 文雄) more
    often than of one or three; in a name of three the split is open (林 + 芳正, but 石破 + 茂), so both come back and
    a rendering that reads either counts as right."""
    table = surnames()
    if len(name) >= 5 and name[:3] in table:
        return [name[:3]]
    if len(name) >= 4 and name[:2] in table:
        return [name[:2]]
    return [name[:n] for n in (2, 1, 3) if n < len(name) and name[:n] in table]


def japanese_people(source: str, candidates, person_tags) -> list[tuple[str, int, list[str]]]:
    """The Japanese people a source segment introduces with Japan named right before them, with only titles between
    ("日本首相岸田文雄", "日本外相林芳正"; not "日本研究所所长杨伯江"): (name, start, the surnames it may begin with).
    The name is what jieba or the lexicon gives as a person, of two characters or more, beginning with a surname the
    table knows; a surname jieba takes for a place counts with a person's name jieba finds right after it, and
    what the lexicon knows as an organisation or a place does not (关东军, the Kwantung Army). Where jieba cuts the
    name into common words (上 + 川 + 阳子, 大谷 + 翔平), a surname of two or three characters right after the titles,
    followed by more characters, stands for the person: one the dictionary has as a name (加藤, 铃木), or that is
    no Chinese word in its own right (政府)."""
    from mtaudit.detectors.namelib.readings import after_country
    from mtaudit.detectors.namelib.source_names import common_chinese_word
    from mtaudit.detectors.namelib.zh_lexicon import lexicon

    found = list(candidates(source))
    out = []
    for word, tag, start, end in found:
        if tag == "ns":
            given = next((w for w, t, s, _ in found if s == end and t in person_tags), None)
            if given is None:
                continue
            word += given
        entry = lexicon().get(word)
        if tag not in (*person_tags, "lexicon", "ns") or len(word) < 2 or entry is not None and entry.kind in (
                "org", "place"):
            continue
        if country_before(source, start) != "ja":
            continue
        if word in surnames() and 2 <= len(word) <= 3 and re.match(r"[\u4e00-\u9fff]", source[end:end + 1]):
            out.append((word, start, [word]))  # the surname alone, jieba cutting the given name off (加藤 + 胜信)
        elif surname_keys(word):
            out.append((word, start, surname_keys(word)))
    table = surnames()
    for start in after_country(source, "ja"):
        if any(s <= start < s + len(w) for w, s, _ in out):
            continue  # a person found above
        run = re.match(r"[\u4e00-\u9fff]*", source[start:]).group()
        key = next((run[:n] for n in (3, 2) if n < len(run) and run[:n] in table), None)
        entry = lexicon().get(key) if key else None
        if key is not None and (entry.kind in ("person", "other") if entry else not common_chinese_word(key)):
            out.append((key, start, [key]))  # a surname the dictionary has (加藤, 铃木), or no common word (政府)
    return out


_WORD = re.compile(r"[^\W\d_]+")
_TITLE_BEFORE = re.compile(r"(?:Minister|Premier|President|Secretary|Governor|Ambassador|Chairman|Chairwoman|Chief|"
                           r"Mayor|Speaker|Mr|Ms|Mrs|Dr|Professor|Emperor|Prince|Princess)\.? $")


def near_miss(keys: list[str], target: str, known: frozenset[str] = frozenset()) -> tuple[int, int, str, str] | None:
    """A word of ``target`` that writes the surname ``keys[0]`` as a near miss of its readings: a strict beginning of
    one, at least half of it ("Ab" for Abe, "Kishi" for Kishida), or, for a reading of five letters or more, one
    letter changed, added or dropped ("Kishide"), and none of the readings of any of ``keys`` itself. Only a word in a
    name's place: capitalised, beside another capitalised word or after a title. ``known``: words never reported
    (normalised: the words of the lexicon's forms of the person), and the reading missed where it is one of them. Returns (start, end, word, the reading it misses),
    or None when a word reads the surname right, or none misses it."""
    table = surnames()
    every = {normalised(r) for key in keys for r in table[key][0]}
    main = {normalised(r): r for r in table[keys[0]][0]}
    main = dict(sorted(main.items(), key=lambda item: item[0] not in known))  # the lexicon's reading first
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(target) if m.group()[:1].isupper()]
    if any(normalised(w) in every for _, _, w in words):
        return None
    for start, end, word in words:
        text = normalised(word)
        if len(text) < 2 or text in known or not _name_place(target, start, end):
            continue
        for reading, form in main.items():
            short = reading.startswith(text) and len(reading) > len(text) and 2 * len(text) >= len(reading)
            off = len(reading) >= 5 and text[0] == reading[0] and Levenshtein.distance(text, reading) == 1
            if short or off:
                return start, end, word, form
    return None


def beside_given_name(keys: list[str], target: str, given: frozenset[str]) -> tuple[int, int, str, str] | None:
    """The one capitalised word right beside the person's given name that is none of the surname's readings, where
    no word reads the surname right: "Fumio Anda" for 岸田文雄 when the lexicon writes him "Kishida Fumio".
    ``given``: the given name's words as the lexicon writes them, normalised. Returns (start, end, word, the given
    name's word), or None. Left alone: a word English uses (“Minister” in “Prime Minister Fumio”), or two such
    words, one on either side (which is the surname is unclear)."""
    from mtaudit.detectors.namelib.target_names import common_english_word

    table = surnames()
    every = {normalised(r) for key in keys for r in table[key][0]}
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(target)]
    if not given or any(normalised(w) in every for _, _, w in words if w[:1].isupper()):
        return None
    found = []
    for i, (_, _, word) in enumerate(words):
        if normalised(word) not in given or not word[:1].isupper():
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(words) or target[min(words[i][1], words[j][1]):max(words[i][0], words[j][0])] != " ":
                continue
            start, end, other = words[j]
            text = normalised(other)
            if other[:1].isupper() and len(text) >= 2 and text not in given and not common_english_word(other):
                found.append((start, end, other, word))
    return found[0] if len(found) == 1 else None


def _name_place(target: str, start: int, end: int) -> bool:
    """The word at ``target[start:end]`` stands where a name does: beside another capitalised word, or after a
    title ("Prime Minister Kishi", "Shinzo Ab")."""
    before = re.search(r"([^\W\d_]+) $", target[:start])
    after = re.match(r" ([^\W\d_]+)", target[end:])
    return bool(before and before.group(1)[:1].isupper() and before.start() > 0 or
                after and after.group(1)[:1].isupper() or _TITLE_BEFORE.search(target[:start]))
