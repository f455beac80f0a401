"""Matching the source's names in the target: the target's capitalised spans, the known forms of a name present or
misspelt, another place that sounds like a source place, and where a segment renders the names an article repeats.
The names_src detector reports what these find."""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib import article, orgs
from mtaudit.detectors.namelib.article import GENERIC_WORDS
from mtaudit.detectors.namelib.romanise import fold, is_pinyin
from mtaudit.detectors.namelib.source_names import (
    FOREIGN_THRESHOLD, PERSON_TAGS, PLACE_SUFFIXES, SourceName, chinese_name_pinyin, conventional_forms,
    source_organisations, toneless_pinyin,
)
from mtaudit.detectors.namelib.transliterate import capitalised_spans
from mtaudit.detectors.namelib.zh_lexicon import keys_by_form, lexicon


@lru_cache(maxsize=10_000)
def unexplained_name(target: str) -> bool:
    """The target holds a capitalised word that is neither pinyin nor an ordinary word ("Jacob Parker",
    "Kishida"): the source's Chinese name may be written that way (an English name, a Japanese reading)."""
    from wordfreq import zipf_frequency

    return any(fold(span) not in GENERIC_WORDS and not is_pinyin(span) and zipf_frequency(span.lower(), "en") < 4.5
               for span, *_ in folded_spans(target, 1))


@lru_cache(maxsize=1_000)
def folded_spans(target: str, longest: int = 3) -> tuple[tuple[str, int, int, str, tuple[str, ...]], ...]:
    """The target's capitalised spans once per segment: (span, start, end, folded, folded words)."""
    return tuple((span, start, end, fold(span), tuple(fold(w) for w in span.replace("-", " ").split()))
                 for span, start, end in capitalised_spans(target, longest))


@lru_cache(maxsize=50_000)
def common_english_word(span: str) -> bool:
    """An English word in its own right (Zipf ≥ 3): "Hanna", "Filipino" are spellings, not garbled names."""
    from wordfreq import zipf_frequency

    return zipf_frequency(span.lower(), "en") >= 3.0


def after_english_name(target: str, start: int) -> bool:
    """The word before ``start`` is a capitalised given name that is not pinyin ("Elaine Chao", "Christopher Hui")."""
    before = re.search(r"([A-Z][a-z]+)\s+$", target[:start])
    return bool(before) and not is_pinyin(before.group(1)) and fold(before.group(1)) not in GENERIC_WORDS



def other_place(folded: str, key: str, source: str = "") -> str | None:
    """The Chinese key of another place whose English form ``folded`` is ("Zhangzhou" is 漳州, not 郴州), unless
    ``source`` names that place too."""
    other = keys_by_form("place", fold).get(folded)
    if other is None or other == key or key.startswith(other) or other.startswith(key) or other[:2] in source:
        return None
    entry = lexicon().get(key)
    return None if entry and folded in {fold(f) for f in entry.forms} else other


def near_form(words: tuple[str, ...], forms: tuple[str, ...]) -> bool:
    """``words`` (folded) spell a known form of two or more words with one word off by a letter or two: "Hoh Xili"
    for Hoh Xil."""
    for form in forms:
        parts = [fold(w) for w in form.replace("-", " ").split()]
        if len(parts) < 2 or len(parts) != len(words) or tuple(parts) == words:
            continue
        off = [(w, p) for w, p in zip(words, parts) if w != p]
        if len(off) != 1:
            continue
        word, part = off[0]
        if len(part) >= 3 and Levenshtein.distance(word, part) <= 2 and word[:2] == part[:2] and \
                not common_english_word(re.sub("s$", "", word)) and not (word.startswith(part) and
                                                                          word[len(part):] in _INFLECTIONS):
            return True  # not an English word in its own right ("Japan's"), nor "West Virginians"
    return False


_INFLECTIONS = frozenset("s es n ns an ans ian ians ese er ers".split())


def syllable_run(folded: str, syllables: tuple[str, ...]) -> bool:
    """``folded`` is two or more consecutive syllables of the source's pinyin ("taifang" of yi-tai-fang)."""
    for a in range(len(syllables)):
        for b in range(a + 2, len(syllables) + 1):
            if "".join(syllables[a:b]) == folded:
                return True
    return False


def form_present(form: str, folded_words: list[str], joined: str) -> bool:
    """``form`` is in a target whose folded words are ``folded_words`` (``joined``: run together): a one-word form as
    a word (or, over three letters, inside one), a longer form's words run together in either order."""
    parts = [fold(p) for p in form.split()]
    if len(parts) == 1:
        return parts[0] in folded_words or (len(parts[0]) > 3 and parts[0] in joined)
    return "".join(parts) in joined or "".join(reversed(parts)) in joined


# Endings that make one word look like a respelling of another ("Marines"/"Marine", "Bushs"/"Bush").
_ENDINGS = ("s", "es", "n", "en", "e", "er", "ern", "ns", "'s", "’s")


def inside_longer_name(text: str, start: int, end: int) -> bool:
    """Part of a longer name: a capitalised word or "of" right before it, a capitalised word right after ("Air
    India", "Times of India", "India Today")."""
    before = text[max(0, start - 40):start].split()
    after = text[end:end + 40].split()
    return bool(before and (before[-1][:1].isupper() and not before[-1].endswith((".", ":", ",")) or before[-1] == "of")
                or after and after[0][:1].isupper())


def inflected(a: str, b: str) -> bool:
    """One word is the other with an ending added ("Marines" and "Marine")."""
    short, long = sorted((a, b), key=len)
    return long != short and long.startswith(short) and long[len(short):] in _ENDINGS


def segment_renderings(index: int, segment, names: list[SourceName], repeated: dict[str, str],
                       glossed: dict[str, str], cantonese: bool) -> list[article.Rendering]:
    """The renderings in ``segment``'s target of its source names that the article mentions more than once."""
    known = {n.text: n for n in names}
    out, taken = [], []
    present = [key for key in repeated if key in segment.source]
    wanted = [key for key in present if not any(key != other and key in other for other in present)]
    # names with a known form first, so that their spans are taken before sound-alike spans are sought
    wanted.sort(key=lambda k: not (k in known and known[k].expected))
    for word in wanted:
        key, tag = word, repeated[word]
        name = known.get(word)
        entry = lexicon().get(word)
        forms = (glossed[word],) if word in glossed else name.expected if name else \
            conventional_forms().get(word) or (entry.forms if entry else ())  # jieba cut 上海鲜 here, 上海 there
        if tag == "org":
            found = _organisation_rendering(index, segment, word, taken)
            if found is not None:
                out.append(found)
                taken.append((found.start, found.end))
            continue
        chinese = tag in PERSON_TAGS and chinese_name_pinyin(key) and lexicon().foreignness(key) < FOREIGN_THRESHOLD
        if not forms and chinese:
            family, given = chinese_name_pinyin(key)
            forms = (f"{family} {given}", f"{given} {family}")
        stem = key[:-1] if len(key) > 2 and key.endswith(PLACE_SUFFIXES) else key
        # in a Hong Kong or Taiwan story "Hui Ching" may be a Chinese person's own spelling: known forms only
        found = article.locate(key, index, segment.target, "".join(toneless_pinyin(stem)), forms, taken,
                               common_english_word, by_sound=not (chinese and cantonese))
        if found is not None:
            out.append(found)
            taken.append((found.start, found.end))
    return out


def _organisation_rendering(index: int, segment, key: str, taken) -> article.Rendering | None:
    """An organisation's rendering: a form the lexicon gives, else the run of capitalised words around its head's
    rendering ("Hunan Television" around "Hunan" for 湖南卫视)."""
    entry = lexicon().get(key)
    if entry is not None:
        found = article.locate(key, index, segment.target, "", entry.forms, taken, common_english_word)
        if found is not None:
            return found  # else it may be rendered afresh around its head: "Hunan Television" beside "Hunan TV"
    org = next((o for o in source_organisations(segment.source) if o.text == key), None)
    if org is None:
        return None
    head = lexicon().get(org.head)
    forms = (head.forms if head else ()) + conventional_forms().get(org.head, ()) + \
        ("".join(toneless_pinyin(org.head)),)
    for form in forms:
        at = article.find_words(segment.target, form)
        if at is not None:
            run = orgs.run_around(segment.target, at, at + len(form))
            if run and not any(a < run[1] and run[0] < b for a, b in taken) and (entry is None or _short_org(
                    run[2], entry.forms)):
                return article.Rendering(key, index, run[0], run[1], run[2], False, 1.0)
    return None


def _short_org(text: str, forms: tuple[str, ...]) -> bool:
    """A run around a known organisation's head renders it only when it is about as short as its forms and ends
    with a generic word of organisations ("Hunan Television"), not a longer name that starts with the same place
    ("Macao Science and Technology Development Fund" for 澳门大学)."""
    words = text.split()
    return len(words) <= 1 + max(len(f.split()) for f in forms) and fold(words[-1]) in orgs.ORG_WORDS


_PINYIN_PERSON = re.compile(r"(?<![\w-])([A-Z][a-z]+) ([A-Z][a-z]+(?:-[a-z]+)?)(?![\w-])")


def other_people(source: str, target: str, missing, cantonese: bool) -> list[tuple[object, int, int, str]]:
    """Chinese people of the source whose names the target lacks, paired in order with the pinyin names of people
    the source does not name ("Liu Yi" where the source names 王沪宁, Wang Huning): (name, start, end, span).

    Only when the two lists are as long as each other (one or two people): otherwise which span stands for whom is
    unclear. A span is a Chinese surname in pinyin and a pinyin given name; it is left alone when it is the pinyin
    of any run of the source's characters (a name jieba did not tag), when it shares the missing person's surname
    or given name (a misspelling the other checks report), and, in a Hong Kong, Macau or Taiwan story, one that is
    not pinyin or hyphenated: "Chan Tai-man" is a person's own spelling."""
    from mtaudit.detectors.namelib.lexicon import CHINESE_SURNAMES
    from mtaudit.detectors.namelib.source_names import toneless_pinyin

    if not missing or len(missing) > 2:
        return []
    readings = _source_readings(source)
    spans = []
    for m in _PINYIN_PERSON.finditer(target):
        surname, given = m.group(1), m.group(2)
        if surname not in CHINESE_SURNAMES or not is_pinyin(given) or fold(given) in GENERIC_WORDS or \
                fold(surname + given) in readings or common_english_word(given) or cantonese and (
                    "-" in given or not is_pinyin(surname)):
            continue
        spans.append((m.start(), m.end(), m.group(), fold(surname), fold(given)))
    if len(spans) != len(missing):
        return []
    out = []
    for name, (start, end, span, surname, given) in zip(missing, spans):
        if surname == fold(name.surname or "") or given == fold(name.given or "") or \
                "".join(toneless_pinyin(name.text)).startswith(surname):
            return []
        out.append((name, start, end, span))
    return out


@lru_cache(maxsize=1_000)
def _source_readings(source: str) -> frozenset[str]:
    """The toneless pinyin of every run of two to four characters of ``source``."""
    from mtaudit.detectors.namelib.source_names import toneless_pinyin

    syllables = toneless_pinyin(source)
    if len(syllables) != len(source):
        syllables = [("".join(toneless_pinyin(c)) or c) for c in source]
    return frozenset("".join(syllables[i:i + n]) for n in (2, 3, 4) for i in range(len(syllables) - n + 1))
