"""People whose English names are not the pinyin of their Chinese characters, checked against the source by
names_src: Vietnamese people (every Sino-Vietnamese reading of each character), Taiwanese people (Wade-Giles or
their own form), and a Chinese person whose name the target replaces by another person's.

Each check returns ``Spot``s: where in the segment's target, what to say, what to suggest; the detector turns them
into findings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mtaudit.core.document import Category, Severity
from mtaudit.detectors.namelib import japanese, korean, readings, regions
from mtaudit.detectors.namelib.lexicon import CHINESE_SURNAMES
from mtaudit.detectors.namelib.romanise import fold, is_pinyin, sound_key
from mtaudit.detectors.namelib.source_names import (
    PERSON_TAGS, chinese_name_pinyin, name_candidates, toneless_pinyin,
)
from mtaudit.detectors.namelib.target_names import folded_spans, form_present, other_people as _paired
from mtaudit.detectors.namelib.transliterate import all_pinyin
from mtaudit.detectors.namelib.zh_lexicon import lexicon


@dataclass(frozen=True)
class Spot:
    """One finding to make: a span of the segment's target and what to report on it."""

    name: str                  # the source name it reports: "范明政"
    start: int
    end: int
    category: str
    severity: Severity
    message: str
    suggestion: str | None
    confidence: float


def _free(taken, start: int, end: int) -> bool:
    return not any(a < end and start < b for a, b in taken)


def vietnamese_readings(segment, about_vietnam: bool, taken) -> list[Spot]:
    """A Vietnamese person (``readings.vietnamese_people``) whose rendering reads a character with a syllable none
    of its Sino-Vietnamese readings gives ("Pham Minh Thanh" for 范明政, Phạm Minh Chính), or reads them all as
    Chinese pinyin ("Fan Mingzheng"). Major when Vietnam is named right before the person, minor when only the
    article's subject (``readings.about_vietnam``) and the surname say Vietnamese. ``taken``: spans already
    reported."""
    out = []
    target = segment.target
    for name, _, strong in readings.vietnamese_people(segment.source, name_candidates(segment.source), about_vietnam,
                                                      PERSON_TAGS):
        expected = readings.vietnamese(name)
        entry = lexicon().get(name)
        if expected is None or entry is not None and entry.kind == "person" and not entry.foreign:
            continue  # a Chinese person the dictionary knows (李克强 in an article about Vietnam)
        severity, confidence = (Severity.MAJOR, 0.7) if strong else (Severity.MINOR, 0.5)
        wrong = readings.vietnamese_mismatch(name, target)
        if wrong is not None:
            start, end, text, at = wrong
            syllable = text.replace("-", " ").split()[at]
            message = (f"The source names {name}, a Vietnamese person (“{expected}” in its own reading); “{text}” "
                       f"reads {name[at]} as “{syllable}”, none of its readings "
                       f"({', '.join(readings.vietnamese_readings(name[at]))}).")
        else:
            reading = "".join(toneless_pinyin(name))
            span = next(((a, b, s) for s, a, b, folded, _ in folded_spans(target) if folded == reading
                         and all_pinyin(s)), None)
            if span is None:
                continue
            start, end, text = span
            message = (f"The source names {name}, a Vietnamese person (“{expected}” in its own reading); “{text}” "
                       f"reads its characters as Chinese pinyin.")
        if _free(taken, start, end):
            out.append(Spot(name, start, end, Category.MISTRANSLATION, severity, message, expected, confidence))
    return out


def korean_readings(segment, koreans: set[str], taken) -> list[Spot]:
    """A Korean person of the article (``readings.korean_people``) whose rendering spells one character of the given
    name with a syllable that none of its Korean readings gives in any usual romanisation ("Moon Jae-yin" for 文在寅,
    "Yoon Xi-yeol" for 尹锡悦): a major mistranslation, suggesting the person's form in the lexicon or, failing it,
    the Revised Romanization of the name. Korea named right before the name in this sentence is the surer case;
    a later mention of a person the article introduced so is one too. ``taken``: spans already reported."""
    from mtaudit.detectors.namelib.article import find_words

    out = []
    # whom else the rendering may name: the article's Korean people and any name of the segment with a Korean surname
    others = koreans | {word for word, *_ in name_candidates(segment.source)
                        if len(word) == 3 and word[0] in readings.KOREAN_SURNAMES}
    for name in sorted(koreans):
        at = segment.source.find(name)
        if at < 0:
            continue
        entry = lexicon().get(name)
        forms = entry.forms if entry is not None and entry.kind == "person" and entry.foreign else ()
        if any(" " in form and find_words(segment.target, form) is not None for form in forms):
            continue  # written as the lexicon writes this person (Chey Tae-won: no reading gives "Chey")
        wrong = korean.mismatch(name, [readings.korean_readings(c) for c in name],
                                readings.KOREAN_SURNAMES.get(name[0]), segment.target)
        if wrong is None:
            continue
        start, end, text, index, _ = wrong
        if any(other != name and korean.reads_right(other, [readings.korean_readings(c) for c in other],
                                                    readings.KOREAN_SURNAMES.get(other[0]), text) for other in others):
            continue  # another Korean person, written right ("Kim Jong Il" for 金正日 beside 金正恩)
        expected = forms[0] if forms else readings.korean(name, person=True)
        spelt = ", ".join(readings.korean_readings(name[index]))
        message = (f"The source names {name}, a Korean person (“{expected}”); “{text}” spells {name[index]} with a "
                   f"syllable that none of its Korean readings ({spelt}) gives in any romanisation.")
        strong = readings.country_before(segment.source, at) == "ko"
        if _free(taken, start, end):
            out.append(Spot(name, start, end, Category.MISTRANSLATION, Severity.MAJOR, message, expected,
                            0.7 if strong else 0.6))
    return out


def japanese_people(sources, candidates) -> dict[str, list[str]]:
    """The Japanese people an article introduces with Japan named right before them (``japanese.japanese_people``):
    name -> the surnames it may begin with, likeliest first."""
    return {name: keys for source in sources for name, _, keys in japanese.japanese_people(source, candidates,
                                                                                            PERSON_TAGS)}


def japanese_surnames(segment, people_of_article: dict[str, list[str]], taken) -> list[Spot]:
    """A Japanese person of the article whose surname the target writes as a near miss of its readings: cut short
    ("Ab" for 安倍, Abe; "Kishi" for 岸田, Kishida) or a letter off, and none of JMnedict's readings of it. Major
    when Japan is named right before the person in this sentence, minor for a later mention (the surname alone, 岸田
    in "岸田表示", counts when it has two characters or more); the established reading is the suggestion where one
    clearly is (the lexicon's form of the person, or the table's)."""
    out = []
    for name, keys in sorted(people_of_article.items(), key=lambda item: -len(item[0])):
        surname = keys[0]
        at = segment.source.find(name)
        if at < 0 and len(surname) >= 2:
            at = segment.source.find(surname)
        if at < 0 or any(spot.name == name for spot in out):
            continue
        entry = lexicon().get(name)
        forms = entry.forms if entry is not None and entry.kind == "person" and entry.foreign else ()
        known = frozenset(japanese.normalised(w) for form in forms for w in form.split())
        # the lexicon's form settles the surname of a name of three (石破 + 茂: "Ishiba Shigeru")
        keys = [k for k in keys if known & {japanese.normalised(r) for r in japanese.surnames()[k][0]}][:1] or keys
        surname = keys[0]
        readings_of = {japanese.normalised(r) for key in keys for r in japanese.surnames()[key][0]}
        missed = japanese.near_miss(keys, segment.target, known)
        if missed is not None:
            start, end, word, reading = missed
            expected = next((w for form in forms for w in form.split() if japanese.normalised(w) ==
                             japanese.normalised(reading)), None) or japanese.established(surname)
            how = "cuts it short" if japanese.normalised(reading).startswith(japanese.normalised(word)) else \
                "misspells it"
            message = (f"The source names {name}, a Japanese person whose surname {surname} reads “{reading}”"
                       f"{' (the usual reading)' if expected else ''}; “{word}” {how}, and is none of its readings.")
        else:  # the lexicon's given name there, beside a surname that is none of the readings
            missed = japanese.beside_given_name(keys, segment.target, known - readings_of)
            if missed is None:
                continue
            start, end, word, first = missed
            expected = next((w for form in forms for w in form.split() if japanese.normalised(w) in readings_of),
                            None)
            message = (f"The source names {name}, a Japanese person (“{forms[0]}”); “{word}” beside the given name "
                       f"“{first}” is none of the readings of the surname {surname}.")
        strong = readings.country_before(segment.source, at) == "ja"
        severity, confidence = (Severity.MAJOR, 0.6) if strong else (Severity.MINOR, 0.5)
        if _free(taken, start, end):
            out.append(Spot(name, start, end, Category.MISTRANSLATION, severity, message, expected, confidence))
    return out


def regional_pinyin(segment, regional: dict[str, str], taken) -> list[Spot]:
    """A person the article introduces as Taiwanese, from Hong Kong, Macau or Singapore (``regions.regional_people``)
    written in mainland pinyin ("Xia Liyan" for 夏立言, "Wang Lingli" for a Singaporean official), where English
    writes such names in the person's own form (the curated table's), Wade-Giles for a Taiwanese person without one
    ("Hsia Li-yen"), or a local romanisation pinyin cannot give: a minor name-format finding, with the form as the
    suggestion where there is one."""
    out, flagged = [], set()
    for name, region in sorted(regional.items(), key=lambda item: -len(item[0])):
        if name not in segment.source or any(name in f for f in flagged) or chinese_name_pinyin(name) is None:
            continue
        syllables = toneless_pinyin(name)
        split = 2 if len(name) == 4 else 1  # 欧阳, 张简: a four-character name has a two-character surname
        reading = "".join(syllables)
        entry = lexicon().get(name)
        own = entry.forms[0] if entry and entry.kind == "person" and fold(entry.forms[0]) != reading else None
        expected = own or (regions.taiwanese_form(syllables[:split], syllables[split:]) if region == "Taiwanese"
                           else None)
        if expected is not None and fold(expected) == reading:
            continue  # the pinyin is the Wade-Giles form too
        span = next(((a, b, s) for s, a, b, folded, words in folded_spans(segment.target) if " " in s and all_pinyin(s)
                     and not re.search(r"['’]", s) and _pinyin_of(folded, words, reading, syllables[:split])), None)
        if span is None:
            out.extend(_another_surname(segment, name, region, syllables, split, expected, taken))
            continue
        if not _free(taken, span[0], span[1]):
            continue
        start, end, text = span
        flagged.add(name)
        if expected is None:
            message = (f"The source names {name}, a {region} person; “{text}” is mainland pinyin, which {region} "
                       f"names rarely are: the person's own English name is wanted.")
        else:
            how = "its own form" if own else "Wade-Giles, as Taiwan writes it"
            message = (f"The source names {name}, a {region} person; “{text}” is mainland pinyin, where English "
                       f"writes the name in {how} (“{expected}”).")
        out.append(Spot(name, start, end, Category.LOCALE_NAME, Severity.MINOR, message, expected,
                        0.6 if expected else 0.4))
    return out


def _another_surname(segment, name: str, region: str, syllables: list[str], split: int, expected: str | None,
                     taken) -> list[Spot]:
    """The person's given name (in pinyin or Wade-Giles) after another surname: "Liu Chun-shan" for 赵春山."""
    given = {"".join(syllables[split:]), "".join(regions.wade_giles(s) for s in syllables[split:])}
    family = {"".join(syllables[:split]), "".join(regions.wade_giles(s) for s in syllables[:split])}
    for m in _SURNAME_GIVEN.finditer(segment.target):
        surname, first = m.group(1), fold(m.group(2))
        if first in given and fold(surname) not in family and surname in CHINESE_SURNAMES and \
                _free(taken, m.start(), m.end()):
            return [Spot(name, m.start(), m.end(), Category.MISTRANSLATION, Severity.MAJOR,
                         f"The source names {name}, a {region} person; “{m.group()}” gives the given name another "
                         f"surname.", expected, 0.7)]
    return []


_SURNAME_GIVEN = re.compile(r"(?<![\w-])([A-Z][a-z]+) ([A-Z][a-z]+(?:-[a-z]+)?)(?![\w-])")


def _pinyin_of(folded: str, words, reading: str, surname: list[str]) -> bool:
    """A span in pinyin renders the name: its reading, or its surname then a given name one syllable off ("Xia Li
    Yun" for xia-li-yan). A span with an apostrophe is Wade-Giles ("Ch’en Ming Chang"), never this."""
    from rapidfuzz.distance import Levenshtein

    return folded == reading or words[0] == "".join(surname) and len(folded) >= len(reading) - 1 and \
        Levenshtein.distance(folded, reading) <= 2


def other_people(segment, names, folded, joined, cantonese: bool) -> list[Spot]:
    """A Chinese person of the source whose name the target lacks, where the target names in pinyin a person the
    source does not: "Liu Yi" or "Shi Lian" for 王沪宁 (Wang Huning), "Yang Jiji" for 蔡奇 (Cai Qi)."""
    missing = [n for n in names if n.kind == "person" and n.given and n.surname and n.evidence and not any(
        form_present(form, folded, joined) for form in n.expected) and not form_present(n.given, folded, joined)]
    return [Spot(name.text, start, end, Category.MISTRANSLATION, Severity.MAJOR,
                 f"The source names {name.text} ({name.expected[0]}); “{span}” is another person's name.",
                 name.expected[0], 0.7)
            for name, start, end, span in _paired(segment.source, segment.target, missing, cantonese)]


# Accents that English keeps in Spanish, Portuguese, French and German names (Ríos, São, François, Müller); not
# the breve, macron, caron or Vietnamese tone marks, which English news drops by convention (Erdogan, Taro, Nguyen).
_KEPT_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0308\u0327")


def _latin_accents(form: str) -> bool:
    import unicodedata

    marks = [[m for m in unicodedata.normalize("NFD", c)[1:]] for c in form]
    return any(marks) and all(len(m) <= 1 and all(x in _KEPT_MARKS for x in m) for m in marks)


def dropped_accents(segment, names, taken) -> list[Spot]:
    """A person the lexicon or a table knows by a form with the accents English keeps ("Ríos", "Hernández"), written
    without them: a minor name-format finding with the accented form as the suggestion (the ``accents`` option of
    names_src turns it off for a house style that drops them)."""
    import unicodedata

    from mtaudit.detectors.namelib.article import find_words

    out = []
    for name in names:
        if name.kind != "person" or not name.known:
            continue
        for form in name.expected:
            if form.isascii() or not _latin_accents(form) or find_words(segment.target, form) is not None:
                continue
            plain = "".join(c for c in unicodedata.normalize("NFKD", form) if not unicodedata.combining(c))
            if plain in name.expected:
                continue  # the plain form is accepted too ("Nguyen Xuan Phuc" beside "Nguyễn Xuân Phúc")
            at = find_words(segment.target, plain)
            if at is None or not plain.isascii() or segment.target[at:at + len(plain)] != plain or \
                    not _free(taken, at, at + len(plain)):
                continue
            out.append(Spot(name.text, at, at + len(plain), Category.LOCALE_NAME, Severity.MINOR,
                            f"The source names {name.text}, written “{form}”; “{plain}” drops its accents.", form,
                            0.5))
            break
    return out


_SOURCE_TITLED = re.compile("(?<![\\u4e00-\\u9fff])([\\u4e00-\\u9fff])(女士|先生|小姐|太太|阿姨|大爷|老师|教授|博士|医生)|"
                            "(?<=[的位名和与及向对跟给让请据，、])([\\u4e00-\\u9fff])(女士|先生|小姐|太太|阿姨|大爷|老师|教授|博士|医生)")
_TARGET_TITLED = re.compile(r"\b(?:Ms|Mrs|Mr|Miss|Madam|Mme|Dr|Professor|Prof|Teacher|Aunt|Uncle)\.? ([A-Z][a-z]+)\b")


def titled_surnames(segment, taken) -> list[Spot]:
    """A person the source calls by surname and title only (郑女士, 王先生), whom the target calls by another surname
    ("Ms. Liu" for 郑女士, Ms. Zheng): a major mistranslation, with the surname's pinyin as the suggestion. Only when
    the source names one such person and the target one: with more, which is whom is unclear."""
    from mtaudit.detectors.namelib.source_names import all_surnames, chinese_name_pinyin

    source, target = segment.source, segment.target
    titled = [(m.group(1) or m.group(3)) for m in _SOURCE_TITLED.finditer(source)]
    titled = [c for c in titled if c in all_surnames()]
    called = list(_TARGET_TITLED.finditer(target))
    if len(set(titled)) != 1 or len({m.group(1) for m in called}) != 1:
        return []
    surname = chinese_name_pinyin(titled[0] + "某")
    at = called[0]
    word = at.group(1)
    if surname is None or fold(word) == fold(surname[0]) or not is_pinyin(word) or word not in CHINESE_SURNAMES or \
            sound_key(word) == sound_key(surname[0]) or any(fold(word) == "".join(toneless_pinyin(c)) for c in source
                                                           if c in all_surnames()):
        return []  # the surname, a spelling of it, not a surname, or the surname of someone else of the source
    start, end = at.start(1), at.end(1)
    if not _free(taken, start, end):
        return []
    return [Spot(titled[0], start, end, Category.MISTRANSLATION, Severity.MAJOR,
                 f"The source calls this person {titled[0]} with a title (surname {surname[0]}); “{at.group()}” gives "
                 f"another surname.", surname[0], 0.7)]


def swapped_known_people(segment, names, folded, joined, taken) -> list[Spot]:
    """A person the lexicon knows, absent from the target, where the target names another person the lexicon knows
    and the source does not ("Shinzo Abe" or "Wen Jiabao" for 岸田文雄, Kishida Fumio): a major mistranslation, when
    one person is missing and one stray known name stands in the target."""
    missing = [n for n in names if n.kind == "person" and n.known and n.expected and not any(
        form_present(form, folded, joined) for form in n.expected)]
    if len(missing) != 1:
        return []
    people = _people_by_form()
    strays = []
    for run in _CAPITALISED_RUN.finditer(segment.target):
        words = list(re.finditer(r"[A-Z][a-z]+", run.group()))
        for a in range(len(words)):
            for b in range(a + 2, min(a + 3, len(words)) + 1):  # two or three words: "Shinzo Abe" in "Prime Minister
                start, end = run.start() + words[a].start(), run.start() + words[b - 1].end()  # Shinzo Abe"
                text = segment.target[start:end]
                keys = people.get(fold(text)) or people.get(fold(" ".join(reversed(text.split())))) or ()
                if keys and not any(k in segment.source or k == missing[0].text for k in keys) and \
                        _free(taken, start, end):
                    strays.append((start, end, text, keys[0]))
    if len({key for *_, key in strays}) != 1:
        return []
    (start, end, text, key), name = strays[0], missing[0]
    return [Spot(name.text, start, end, Category.MISTRANSLATION, Severity.MAJOR,
                 f"The source names {name.text} ({name.expected[0]}); “{text}” is another person ({key}).",
                 name.expected[0], 0.7)]


@lru_cache(maxsize=1)
def _people_by_form() -> dict[str, tuple[str, ...]]:
    """A person's form of two or more words, folded -> every key that has it, in the lexicon and the table of
    conventional forms (普京 and 普丁 are both Vladimir Putin)."""
    from mtaudit.detectors.namelib.source_names import conventional_forms

    out: dict[str, list[str]] = {}
    pairs = [(e.key, e.forms) for e in lexicon().entries.values() if e.kind == "person"]
    pairs += list(conventional_forms().items())
    for key, forms in pairs:
        for form in forms:
            if " " in form:
                out.setdefault(fold(form), []).append(key)
    return {form: tuple(dict.fromkeys(keys)) for form, keys in out.items()}


_CAPITALISED_RUN = re.compile(r"(?<![\w-])[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+(?![\w-])")


def garbled_given_names(segment, names, taken) -> list[Spot]:
    """A foreign person the lexicon knows by a two-word form whose surname stands in the target beside a given name
    close to the known one but not it ("Funeo Kishida" for Fumio Kishida): a major mistranslation."""
    from rapidfuzz.distance import Levenshtein

    out = []
    for name in names:
        if name.kind != "person" or not name.foreign or not name.known:
            continue
        pairs = [f.split() for f in name.expected if len(f.split()) == 2]
        for first, last in pairs:
            for m in re.finditer(rf"(?<![\w-])([A-Z][a-z]+) {re.escape(last)}(?![\w-])|(?<![\w-]){re.escape(last)} "
                                 rf"([A-Z][a-z]+)(?![\w-])", segment.target):
                given = m.group(1) or m.group(2)
                known = {fold(w) for pair in pairs for w in pair}
                if fold(given) in known or not 0.5 <= Levenshtein.normalized_similarity(fold(given), fold(first)) < 1 \
                        or fold(given).startswith(fold(first)) or fold(first).startswith(fold(given)):
                    continue  # right, another word, or an inflection ("Saints Peter and Paul" for 圣彼得)
                if _free(taken, m.start(), m.end()):
                    out.append(Spot(name.text, m.start(), m.end(), Category.MISTRANSLATION, Severity.MAJOR,
                                    f"The source names {name.text} ({name.expected[0]}); “{m.group()}” misspells the "
                                    f"given name.", name.expected[0], 0.6))
                    return out
    return out
