"""Names in the source that the target drops or misspells, checked against their expected romanisation."""
from __future__ import annotations

import inspect
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from mtaudit.core.text import HAN
from mtaudit.detectors.base import Detector
from mtaudit.core.options import switch
from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib import article, orgs, readings
from mtaudit.detectors.namelib.romanise import fold, is_pinyin, same_name, sound_key
from mtaudit.detectors.namelib.transliterate import all_pinyin, capitalised_spans, skeleton, sounds_like
from mtaudit.detectors.namelib.zh_lexicon import lexicon
from mtaudit.core.document import Category, Document, Severity


@dataclass(frozen=True)
class SourceName:
    """A person or place named in a source segment, with the target spellings that render it correctly."""

    text: str                   # as written in the source: "习近平"
    kind: str                   # "person" or "place"
    expected: tuple[str, ...]   # accepted target forms, preferred first: ("Xi Jinping", "Xi", "Jinping")
    surname: str | None = None  # the word a misspelling is compared with: "Xi"
    given: str | None = None    # a given name in pinyin ("Jinping"): present alone, it clears an omission only
    evidence: bool = True       # the source context confirms it is a name (a title, a speech verb), not a mis-tag
    foreign: bool = False       # transliterated into Chinese (布林肯): its pinyin in the target is a garbled name
    pinyin: tuple[str, ...] = ()  # the source characters read as toneless pinyin: ("bu", "lin", "ken")
    origin: str = "pinyin"      # where the expected forms come from: "pinyin", "table" (zh_names.tsv, or an English
                                # source's own spelling and exonyms.tsv) or "lexicon"
    domestic: bool = False      # a place in China: its pinyin is an accepted English form even when the lexicon has
                                # a local one (曲麻莱 Qumalai / Qumarlêb)

    @property
    def known(self) -> bool:
        return self.origin != "pinyin"


class SourceNames(Protocol):
    """What a source language contributes: does a segment look like it, and which names does it contain."""

    lang: str

    def applies(self, source: str) -> bool: ...

    def names(self, source: str) -> list[SourceName]: ...


_KANA = re.compile(r"[\u3040-\u30ff]")
# Single- and double-character Chinese surnames (the common ones): a person tag on a word starting with one of these
# is a Chinese name and reads surname-first in pinyin; other person tags are foreign names transliterated into
# Chinese, checked only when zh_names.tsv knows their English form.
_SURNAME_CHARS = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤习温薄栗俞易常伍申聂柴庞倪洪")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "慕容", "令狐", "夏侯", "长孙", "尉迟")
# Surname readings that differ from the character's everyday pinyin.
_SURNAME_READINGS = {"曾": "zeng", "单": "shan", "仇": "qiu", "区": "ou", "查": "zha", "解": "xie", "朴": "piao",
                     "乐": "yue", "华": "hua", "任": "ren", "盖": "ge", "缪": "miao", "覃": "qin", "尉迟": "yuchi"}
# Cantonese, Wade-Giles and other established spellings of common surnames that no pinyin rule derives: right for
# many Hong Kong, Taiwan and overseas people, so a match is reported with less confidence unless the given name beside
# it is in pinyin (a mixed "Wong Fang" for 王芳 is MT, not a Hong Kong spelling).
_OTHER_SYSTEMS = {
    "Wang": ("Wong",), "Huang": ("Wong", "Hwang"), "Chen": ("Chan", "Chin", "Tan"), "Zhang": ("Cheung", "Chong"),
    "Li": ("Lee", "Lei", "Lai"), "Liang": ("Leung",), "Liu": ("Lau", "Lao"), "Wu": ("Ng", "Woo", "Goh"),
    "Zhou": ("Chow", "Chau"), "Zhao": ("Chao", "Chiu"), "Lin": ("Lam", "Lim"), "He": ("Ho", "Hoh"), "Xie": ("Tse", "Hsieh"), "Guo": ("Kwok", "Kuo"),
    "Luo": ("Law", "Lo", "Lou"), "Zeng": ("Tsang", "Tseng"), "Yang": ("Yeung", "Yeo"), "Xu": ("Hsu", "Tsui", "Hui"),
    "Cai": ("Choi", "Tsai", "Chua"), "Ye": ("Yip", "Yeh"), "Feng": ("Fung",), "Zheng": ("Cheng", "Cheang"),
    "Jiang": ("Chiang", "Kong", "Keung"), "Zhu": ("Chu", "Chew"), "Hu": ("Woo",), "Deng": ("Tang",), "Su": ("So",),
}
_PLACE_SUFFIXES = ("省", "市", "县", "区", "镇", "村", "州")
_CANTONESE_PLACES = re.compile("香港|澳门|台湾|台北|新加坡|港府|港澳|特区政府")
# jieba tags many ordinary words as person names (谢谢, 高昂, 易懂): a person tag only counts when a title or a speech
# verb stands next to it, the way news introduces and quotes people.
_PERSON_CONTEXT = re.compile(
    "(?:主席|总理|副总理|总统|副总统|部长|外长|首相|总书记|书记|国王|女王|先生|女士|小姐|教授|博士|医生|大夫|老师|记者|"
    "发言人|市长|省长|州长|委员|主任|院长|校长|经理|董事长|总裁|主编|编辑|大使|将军|同志|说|表示|指出|称|认为|强调|告诉|"
    "介绍|透露|回忆|坦言|会见|会晤|致电|致信|发表|宣布|等人)")
_PERSON_CONTEXT_BEFORE = re.compile(
    "(?:主席|总理|总统|部长|外长|首相|总书记|书记|国王|女王|教授|博士|医生|记者|发言人|市长|省长|州长|主任|院长|校长|"
    "经理|董事长|总裁|主编|编辑|大使|将军|作者|选手|演员|歌手|导演|同|与|和|会见|会晤|(?<!根)据|告诉|记者)$")


@lru_cache(maxsize=1)
def _posseg():
    """jieba's tagger, initialised once per process and kept quiet (it takes about a second)."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg


@lru_cache(maxsize=1)
def _conventional() -> dict[str, tuple[str, ...]]:
    text = resources.files("mtaudit.detectors").joinpath("data/zh_names.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "\t" in line:
            zh, en = line.split("\t", 1)
            out[zh.strip()] = tuple(f.strip() for f in en.split("|") if f.strip())
    return out


@lru_cache(maxsize=1)
def _dictionary_surnames() -> dict[str, str]:
    """Surnames of one character and their reading (靳 Jin, 鲁 Lu), from CC-CEDICT via ``data/zh_surnames.tsv``,
    less those that are everyday words (和 "and", 国, 时: Zipf ≥ 5 in Chinese), which start jieba's mis-cut names
    (和凯山 for "and Kaysone") far more often than people."""
    from wordfreq import zipf_frequency

    text = resources.files("mtaudit.detectors").joinpath("data/zh_surnames.tsv").read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {char: reading for char, reading in pairs if zipf_frequency(char, "zh") < 5}


def _syllables(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text, errors="ignore")


def chinese_name_pinyin(name: str) -> tuple[str, str] | None:
    """("Xi", "Jinping") for 习近平: surname and given name in pinyin, or None when it is not a Chinese name."""
    surname = next((s for s in _COMPOUND_SURNAMES if name.startswith(s)), name[:1])
    given = name[len(surname):]
    dictionary = _dictionary_surnames()
    if not (surname in _COMPOUND_SURNAMES or surname in _SURNAME_CHARS or surname in dictionary) or \
            not 1 <= len(given) <= 2:
        return None
    family = _SURNAME_READINGS.get(surname) or dictionary.get(surname, "").lower() or "".join(_syllables(surname))
    first = "".join(_syllables(given))
    if not family or not first:
        return None
    return family.capitalize(), first.capitalize()


def _compared_word(form: str, kind: str) -> str | None:
    """The word of an English form a misspelling is compared with: a person's surname, a one-word place name."""
    if kind == "person":
        return form.split()[-1]
    return form if " " not in form and "." not in form and len(form) > 2 else None


class ChineseNames:
    """Chinese: jieba's part-of-speech tags find persons (nr, nrfg) and places (ns); pypinyin romanises them."""

    lang = "zh"

    def applies(self, source: str) -> bool:
        han = len(HAN.findall(source))
        return han >= 2 and han >= 0.3 * len(source.strip()) and not _KANA.search(source)

    def names(self, source: str) -> list[SourceName]:
        out, seen = [], set()
        table = _conventional()
        for word, tag, start, end in _candidates(source):
            if word in seen:
                continue
            seen.add(word)
            if word in table:
                forms = table[word]
                kind = "place" if tag == "ns" and word not in ("普京",) else "person"
                out.append(SourceName(word, kind, forms, _compared_word(forms[0], kind), origin="table"))
                continue
            entry = lexicon().get(word)
            if entry is not None:
                out.append(_from_lexicon(entry, tag, source, start, end))
                continue
            if tag == "ns":
                stem = word[:-1] if word.endswith(_PLACE_SUFFIXES) and len(word) > 2 else word
                if stem in table:
                    out.append(SourceName(word, "place", table[stem], _compared_word(table[stem][0], "place"),
                                          origin="table"))
                continue  # a place without a known English form: its pinyin is as likely wrong as right
            if tag not in _PERSON_TAGS:
                continue  # an organisation or other proper noun the lexicon does not know
            if _common_word(word):
                continue  # 史实 "historical facts", 高昂: jieba's person tag on an everyday word
            evidence = _person_context(source, start, end)
            pinyin = chinese_name_pinyin(word)
            foreignness = lexicon().foreignness(word)
            if pinyin and foreignness < _FOREIGN:
                family, given = pinyin
                out.append(SourceName(word, "person", (f"{family} {given}", family), family, given, evidence))
            elif not pinyin and len(word) >= 3 and foreignness >= _FOREIGN:
                # 焦布洛, 格里沃里: a transliterated foreign name the lexicon does not know; only its pinyin is wrong
                out.append(SourceName(word, "person", (), evidence=evidence, foreign=True,
                                      pinyin=tuple(_syllables(word))))
        return out


_PERSON_TAGS = ("nr", "nrfg", "nrt")
_NAME_TAGS = _PERSON_TAGS + ("ns", "nt", "nz")
# Mean log-odds (from the lexicon's people) above which a name's characters are those Chinese uses to transliterate
# foreign names (斯, 克, 尔, 特, 夫 ...) rather than those of Chinese given names.
_FOREIGN = 1.0


def _person_context(source: str, start: int, end: int) -> bool:
    return bool(_PERSON_CONTEXT.match(source, end) or _PERSON_CONTEXT_BEFORE.search(source, 0, start))


@lru_cache(maxsize=4096)
def _tokens(source: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, tag) pairs for a source segment, once per segment."""
    return tuple((p.word, p.flag) for p in _posseg().cut(source))


@lru_cache(maxsize=4096)
def _organisations(source: str) -> tuple[orgs.Organisation, ...]:
    return tuple(orgs.organisations(_tokens(source)))


@lru_cache(maxsize=4096)
def _candidates(source: str) -> tuple[tuple[str, str, int, int], ...]:
    """(word, tag, start, end) of every name candidate: the longest lexicon key at word boundaries, else a word
    jieba tags as a name; neighbouring person tags that spell one transliterated name are joined (杜特 + 尔特)."""
    tokens, offset = [], 0
    for word, tag in _tokens(source):
        tokens.append((word, tag, offset, offset + len(word)))
        offset += len(word)
    ends = [t[3] for t in tokens]
    lex = lexicon()
    out, i = [], 0
    while i < len(tokens):
        word, tag, start, end = tokens[i]
        match = None
        # the longest key that ends where a word ends (the keys are whole words: 北江市, not 北江市将)
        for stop in reversed(ends[i:i + 8]):
            length = stop - start
            if length < 2 or length > lex.longest:
                continue
            entry = lex.get(source[start:stop])
            # a key the dictionary also knows as a common word (朝阳) counts only where jieba tags a name
            if entry is not None and (not entry.common or tag in _NAME_TAGS) and (
                    length > len(word) or tag in _NAME_TAGS or entry.kind in ("person", "place") and length > 2):
                match = source[start:stop]
                break
        if match:
            out.append((match, tag if len(match) == len(word) else "lexicon", start, start + len(match)))
            while i < len(tokens) and tokens[i][3] <= start + len(match):
                i += 1
            continue
        if tag in _PERSON_TAGS:
            j = i
            while j + 1 < len(tokens) and tokens[j + 1][1] in _PERSON_TAGS and len(tokens[j + 1][0]) >= 2 and \
                    lex.foreignness(source[start:tokens[j + 1][3]]) >= _FOREIGN:
                j += 1
            if j > i:
                out.append((source[start:tokens[j][3]], tag, start, tokens[j][3]))
                i = j + 1
                continue
        if tag in _NAME_TAGS and len(word) >= 2:
            out.append((word, tag, start, end))
        i += 1
    return tuple(out)


def _from_lexicon(entry, tag: str, source: str, start: int, end: int) -> SourceName:
    """A source name the lexicon knows: its forms, and whether its pinyin would be a garbled rendering."""
    kind = entry.kind
    evidence = kind != "person" or tag in _PERSON_TAGS or _person_context(source, start, end)
    chinese = kind == "person" and lexicon().foreignness(entry.key) < _FOREIGN and chinese_name_pinyin(entry.key)
    if chinese:
        # a Chinese person the dictionary knows (张继科, or 刘青云 whose films write Lau Ching-Wan): the pinyin is right
        # too; the given name alone ("Jinping") must not clear a misspelt surname ("Ji Jinping")
        family, given = chinese
        forms = tuple(dict.fromkeys(f for f in (f"{family} {given}", family) + entry.forms if fold(f) != fold(given)))
        return SourceName(entry.key, "person", forms, family, given, evidence, origin="lexicon")
    compared = _compared_word(entry.forms[0], kind) if kind == "person" else None
    return SourceName(entry.key, kind, entry.forms, compared, evidence=evidence, foreign=entry.foreign,
                      pinyin=tuple(_syllables(entry.key)), origin="lexicon", domestic=entry.domestic)


class EnglishNames:
    """English: person names found by the English mention finder of the ``names`` detector (capitalised runs, news
    statistics, titles and speech verbs), kept in the target as they are; place names from the target language's
    exonym table (``detectors/data/<target>/exonyms.tsv``: Moscow -> Moskau, Kyiv -> Kiew or Kyjiw)."""

    lang = "en"

    def __init__(self, target: str = "de"):
        self.target = target
        self.exonyms = _exonyms(target)

    def applies(self, source: str) -> bool:
        return not HAN.search(source)

    def names(self, source: str) -> list[SourceName]:
        from mtaudit.detectors.namelib.mentions import sentence_runs
        from mtaudit.core.document import Segment
        from mtaudit.segmenter import split_segment

        segment = Segment(id="source", target=source)
        split_segment(segment, "en")
        out, seen = [], set()
        for sentence in segment.sentences:
            for run in sentence_runs(sentence):
                if run.place_context or (len(run.words) < 2 and not (run.titled or run.speaks)):
                    continue
                name = " ".join(run.words)
                if name in seen or name in self.exonyms:
                    continue
                seen.add(name)
                forms = (name, run.surname) if len(run.words) > 1 else (name,)
                out.append(SourceName(name, "person", forms, run.surname, origin="table",
                                      evidence=bool(run.titled or run.speaks or len(run.words) > 1)))
        # a given name and the capitalised word after it is a person even where the statistics take the surname for
        # a place or a common word ("Helen Baker")
        from mtaudit.detectors.namelib import stats

        for m in _GIVEN_AND_SURNAME.finditer(source):
            given, surname = m.group(1), re.sub(r"['’]s$", "", m.group(2))
            full = f"{given} {surname}"
            if stats.given_name(given) and full not in seen and surname not in self.exonyms:
                seen.add(full)
                out = [n for n in out if n.text != given]  # the given name alone was a partial run
                out.append(SourceName(full, "person", (full, surname), surname, evidence=True, origin="table"))
        for english, (forms, english_ok) in self.exonyms.items():
            if english not in seen and re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", source):
                seen.add(english)
                accepted = forms + ((english,) if english_ok else ())
                out.append(SourceName(english, "place", accepted, None, evidence=True, origin="table"))
        return out


# Endings that make one word look like a respelling of another ("Marines"/"Marine", "Bushs"/"Bush").
_ENDINGS = ("s", "es", "n", "en", "e", "er", "ern", "ns", "'s", "’s")


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """Part of a longer name: a capitalised word or "of" right before it, a capitalised word right after ("Air
    India", "Times of India", "India Today")."""
    before = text[max(0, start - 40):start].split()
    after = text[end:end + 40].split()
    return bool(before and (before[-1][:1].isupper() and not before[-1].endswith((".", ":", ",")) or before[-1] == "of")
                or after and after[0][:1].isupper())


def _inflected(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return long != short and long.startswith(short) and long[len(short):] in _ENDINGS


_GIVEN_AND_SURNAME = re.compile(r"(?<![\w-])([A-Z][a-z]+) ([A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?)(?![\w-])")


@lru_cache(maxsize=4)
def _exonyms(target: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """English place name -> (the target language's forms, whether the English form is also current there)."""
    path = resources.files("mtaudit.detectors").joinpath("data", target, "exonyms.tsv")
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            cols = line.split("\t") + ["no"]
            out[cols[0].strip()] = (tuple(f.strip() for f in cols[1].split("|") if f.strip()),
                                    cols[2].strip().lower() == "yes")
    return out


# Source languages with a name module, keyed by language code; add a class implementing SourceNames to extend.
SOURCE_LANGUAGES: dict[str, type] = {"zh": ChineseNames, "en": EnglishNames}


@lru_cache(maxsize=None)
def _language(code: str, target: str | None = None) -> SourceNames:
    cls = SOURCE_LANGUAGES[code]
    return cls(target) if target and "target" in inspect.signature(cls).parameters else cls()


_LANGUAGE_ALIASES = {"zho": "zh", "chi": "zh", "cmn": "zh"}


def source_language(source: str, declared: str | None = None, target: str | None = None) -> SourceNames | None:
    """The name module for a segment's source: the document's declared language, else detected from the script
    (Chinese only: an undeclared Latin-script source is left alone)."""
    if declared:
        code = declared.lower().split("-")[0].split("_")[0]
        code = _LANGUAGE_ALIASES.get(code, code)
        return _language(code, target) if code in SOURCE_LANGUAGES and code != target else None
    return _language("zh") if _language("zh").applies(source) else None


_TARGET_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PRONOUN = re.compile(r"\b(?:he|she|his|her|him)\b", re.I)
_KIND_WORDS = {"person": "person's name", "place": "place name", "org": "organisation name"}
# Capitalised words of titles, roles and generic place or organisation words: never a rendering of a name alone.
_GENERIC_WORDS = article.GENERIC_WORDS


@lru_cache(maxsize=10_000)
def _unexplained_name(target: str) -> bool:
    """The target holds a capitalised word that is neither pinyin nor an ordinary word ("Jacob Parker",
    "Kishida"): the source's Chinese name may be written that way (an English name, a Japanese reading)."""
    from wordfreq import zipf_frequency

    return any(fold(span) not in _GENERIC_WORDS and not is_pinyin(span) and zipf_frequency(span.lower(), "en") < 4.5
               for span, *_ in _spans(target, 1))


@lru_cache(maxsize=1_000)
def _spans(target: str, longest: int = 3) -> tuple[tuple[str, int, int, str, tuple[str, ...]], ...]:
    """The target's capitalised spans once per segment: (span, start, end, folded, folded words)."""
    return tuple((span, start, end, fold(span), tuple(fold(w) for w in span.replace("-", " ").split()))
                 for span, start, end in capitalised_spans(target, longest))


# Two-character words at least this frequent in Chinese (wordfreq's Zipf scale) are everyday words when neither the
# lexicon nor the table knows them as names: 史实 3.7, 高昂 3.7 against 王芳 2.5, 任琛 2.4; a few very common names
# (李明 3.7) are lost with them.
_COMMON_ZH = 3.6


@lru_cache(maxsize=50_000)
def _common_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return len(word) == 2 and zipf_frequency(word, "zh") >= _COMMON_ZH


@lru_cache(maxsize=50_000)
def _common_english(span: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(span.lower(), "en") >= 3.0


def _after_english_name(target: str, start: int) -> bool:
    """The word before ``start`` is a capitalised given name that is not pinyin ("Elaine Chao", "Christopher Hui")."""
    before = re.search(r"([A-Z][a-z]+)\s+$", target[:start])
    return bool(before) and not is_pinyin(before.group(1)) and fold(before.group(1)) not in _GENERIC_WORDS


@lru_cache(maxsize=1)
def _places_by_form() -> dict[str, str]:
    """Folded English form of a place in the lexicon -> its Chinese key (the first entry that gives it)."""
    out = {}
    for entry in lexicon().entries.values():
        if entry.kind == "place":
            for form in entry.forms:
                out.setdefault(fold(form), entry.key)
    return out


def _other_place(folded: str, key: str, source: str = "") -> str | None:
    """The Chinese key of another place whose English form ``folded`` is ("Zhangzhou" is 漳州, not 郴州), unless
    ``source`` names that place too."""
    other = _places_by_form().get(folded)
    if other is None or other == key or key.startswith(other) or other.startswith(key) or other[:2] in source:
        return None
    entry = lexicon().get(key)
    return None if entry and folded in {fold(f) for f in entry.forms} else other


def _near_form(words: tuple[str, ...], forms: tuple[str, ...]) -> bool:
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
                not _common_english(re.sub("s$", "", word)) and not (word.startswith(part) and word[len(part):] in
                                                                      _INFLECTIONS):
            return True  # not an English word in its own right ("Japan's"), nor "West Virginians"
    return False


_INFLECTIONS = frozenset("s es n ns an ans ian ians ese er ers".split())


def _syllable_run(folded: str, syllables: tuple[str, ...]) -> bool:
    """``folded`` is two or more consecutive syllables of the source's pinyin ("taifang" of yi-tai-fang)."""
    for a in range(len(syllables)):
        for b in range(a + 2, len(syllables) + 1):
            if "".join(syllables[a:b]) == folded:
                return True
    return False


def _present(form: str, folded_words: list[str], joined: str) -> bool:
    parts = [fold(p) for p in form.split()]
    if len(parts) == 1:
        return parts[0] in folded_words or (len(parts[0]) > 3 and parts[0] in joined)
    return "".join(parts) in joined or "".join(reversed(parts)) in joined


_GLOSS = re.compile(r"[（(]\s*([A-Z][^\W\d_]*(?:[ .'’\-]+[A-Z][^\W\d_]*){0,4})\s*[）)]")


def _source_glosses(doc: Document) -> dict[str, str]:
    """Source names that the article follows with their own Latin form in brackets, as Chinese news does at a
    foreign name's first mention (梅根（Meghan Markle）): name -> the part of that form which the name renders
    ("Meghan": 梅根 is only her given name)."""
    out = {}
    for segment in doc.segments:
        source = segment.source or ""
        if "(" not in source and "（" not in source:
            continue
        ends = {end: word for word, _, _, end in _candidates(source)}
        for m in _GLOSS.finditer(source):
            name = ends.get(m.start())
            if name and name not in out:
                out[name] = _part_rendered(name, m.group(1))
    return out


def _part_rendered(name: str, form: str) -> str:
    """The words of ``form`` that sound like ``name``: "Meghan" of "Meghan Markle" for 梅根, all of it for 梅根·马克尔."""
    words = form.split()
    if "·" in name or len(words) == 1:
        return form
    reading = "".join(_syllables(name))
    best = max(((article.sound_match(reading, " ".join(words[a:b])), b - a, " ".join(words[a:b]))
                for a in range(len(words)) for b in range(a + 1, len(words) + 1)))
    return best[2] if best[0] >= 0.8 else form


def _article_key(word: str) -> str:
    """What the article check compares a source name on: a dotted foreign name by its last part (布德温·卡特里 and
    卡特里 are one person), any other name as written."""
    return word.rsplit("·", 1)[-1] if "·" in word else word


def _renderings(index: int, segment, names: list[SourceName], repeated: dict[str, str],
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
            _conventional().get(word) or (entry.forms if entry else ())  # jieba cut 上海鲜 here, 上海 there
        if tag == "org":
            found = _organisation_rendering(index, segment, word, taken)
            if found is not None:
                out.append(found)
                taken.append((found.start, found.end))
            continue
        chinese = tag in _PERSON_TAGS and chinese_name_pinyin(key) and lexicon().foreignness(key) < _FOREIGN
        if not forms and chinese:
            family, given = chinese_name_pinyin(key)
            forms = (f"{family} {given}", f"{given} {family}")
        stem = key[:-1] if len(key) > 2 and key.endswith(_PLACE_SUFFIXES) else key
        # in a Hong Kong or Taiwan story "Hui Ching" may be a Chinese person's own spelling: known forms only
        found = article.locate(key, index, segment.target, "".join(_syllables(stem)), forms, taken,
                               _common_english, by_sound=not (chinese and cantonese))
        if found is not None:
            out.append(found)
            taken.append((found.start, found.end))
    return out


def _organisation_rendering(index: int, segment, key: str, taken) -> article.Rendering | None:
    """An organisation's rendering: a form the lexicon gives, else the run of capitalised words around its head's
    rendering ("Hunan Satellite TV" around "Hunan" for 湖南卫视)."""
    entry = lexicon().get(key)
    if entry is not None:
        return article.locate(key, index, segment.target, "", entry.forms, taken, _common_english)
    org = next((o for o in _organisations(segment.source) if o.text == key), None)
    if org is None:
        return None
    head = lexicon().get(org.head)
    forms = (head.forms if head else ()) + _conventional().get(org.head, ()) + ("".join(_syllables(org.head)),)
    for form in forms:
        at = article.find_words(segment.target, form)
        if at is not None:
            run = orgs.run_around(segment.target, at, at + len(form))
            if run and not any(a < run[1] and run[0] < b for a, b in taken):
                return article.Rendering(key, index, run[0], run[1], run[2], False, 1.0)
    return None


class NamesSourceDetector(Detector):
    """Names of the source (people, places, organisations) misspelt, garbled, rendered two ways in one article or
    missing in the target, checked against their romanisation and a zh->en lexicon (习近平 -> "Xi Jinping").

    For a Chinese source, jieba's tags find the names and pypinyin gives the expected romanisation, with a table of
    conventional forms (孙中山 -> "Sun Yat-sen", 香港 -> "Hong Kong", 普京 -> "Putin") and the shipped lexicon.

    A target word that sounds like the expected name but is spelt differently ("Ji" for 习) is a mistranslated name;
    so is a foreign, Vietnamese or Korean name read back as Chinese pinyin ("Bu Linken", "Wen Zaiyin"), another place
    that sounds like the source's ("Zhangzhou" for 郴州), an organisation's generic part left in pinyin ("Hunan
    Weishi"), and a minority rendering of a name the article writes another way elsewhere ("Giobro" beside "Ziobro").
    A person named in the source who appears nowhere in the target is reported as a possible omission (the
    translation may use a pronoun instead). Other source languages plug in through ``SOURCE_LANGUAGES``.
    """

    name = "names_src"
    categories = (Category.MISTRANSLATION, Category.OMISSION, Category.LOCALE_NAME)
    requires = frozenset({"source"})
    options = {"omissions": "also report source names absent from the target (true/false)"}
    omissions: bool = True

    def detect(self, doc: Document):
        out = []
        repeated = self._repeated_names(doc)
        renderings = []
        # Hong Kong, Macau, Taiwan or Singapore in the article: Cantonese and Wade-Giles surnames are people's own
        cantonese = any(_CANTONESE_PLACES.search(s.source or "") for s in doc.segments)
        glossed = _source_glosses(doc)
        vietnam = any(readings.COUNTRY["vi"].search(s.source or "") for s in doc.segments)
        for index, segment in enumerate(doc.segments):
            if not segment.source or not segment.sentences or not segment.target.strip():
                continue
            module = source_language(segment.source, doc.source_lang, doc.target_lang)
            if module is None:
                continue
            target_words = [(m.group(), m.start(), m.end()) for m in _TARGET_WORD.finditer(segment.target)]
            folded = [fold(w) for w, _, _ in target_words]
            joined = "".join(folded)
            names = module.names(segment.source)
            if module.lang == "zh":
                out.extend(self._generic_pinyin(segment))
                asian, flagged = self._asian_reading(segment, vietnam, out)
                out.extend(asian)
                names = [n for n in names if n.text not in flagged]  # read in pinyin: not also missing
            if glossed:
                out.extend(self._glossed(segment, glossed))
                names = [n for n in names if n.text not in glossed]
            if repeated and module.lang == "zh":
                renderings += _renderings(index, segment, names, repeated, glossed, cantonese)
            others = {fold(n.given) for n in names if n.given} | {fold(n.surname) for n in names if n.surname}
            for name in names:
                if any(_present(form, folded, joined) for form in name.expected):
                    if name.known and name.kind in ("place", "org") and not any(
                            article.find_words(segment.target, form) is not None for form in name.expected):
                        out.extend(self._garbled(segment, name))  # present only inside a longer word: "Hoh Xili"
                        continue
                    if name.given:
                        out.extend(self._given_name(segment, name, target_words, others - {fold(name.given)}))
                    continue
                if name.foreign or (name.known and name.kind in ("place", "org")):
                    # words of the other names' forms, unless they read this name too (北江 "Beijiang" and 北江市)
                    garbled = self._garbled(segment, name, frozenset(
                        w for other in names if other is not name for form in other.expected
                        for w in map(fold, form.replace("-", " ").split())
                        if not _syllable_run(w, name.pinyin) and w != "".join(name.pinyin)))
                    if garbled:
                        out.extend(garbled)
                        continue
                if not name.given and name.origin != "table" and not (name.foreign and name.surname):
                    continue  # a lexicon place or organisation written some other way: a paraphrase as often as not
                # the given name alone ("Jinping") does not clear a misspelt surname ("Ji Jinping")
                given_present = bool(name.given) and _present(name.given, folded, joined)
                out.extend(self._report(segment, name, target_words, given_present, cantonese))
        if renderings:
            out.extend(self._two_renderings(doc, renderings, out))
        return out

    def _asian_reading(self, segment, vietnam: bool, found):
        """A Vietnamese, Korean or Japanese person or place (its country named just before it in the source, or the
        surname 阮 in an article about Vietnam) whose target rendering is the Chinese pinyin of its characters:
        "Ruan Chunfu" for 阮春福 (Nguyễn Xuân Phúc), "Wen Zaiyin" for 文在寅 (Moon Jae-in). Returns the findings and
        the source names they report."""
        out, flagged = [], set()
        source = segment.source
        for word, tag, start, end in _candidates(source):
            entry = lexicon().get(word)
            kind = entry.kind if entry else "person" if tag in _PERSON_TAGS else "place" if tag == "ns" else None
            if kind not in ("person", "place") or entry and entry.domestic or len(word) < 2:
                continue
            code = readings.country_before(source, start) or ("vi" if vietnam and word[0] == "阮" else None)
            if code is None or kind == "person" and entry and not entry.foreign:
                continue  # a Chinese person the dictionary knows
            stem = word[:-1] if kind == "place" and len(word) > 2 and word.endswith(_PLACE_SUFFIXES) else word
            wanted = {"".join(_syllables(word)), "".join(_syllables(stem))}
            span = next(((a, b, text) for text, a, b, folded, _ in _spans(segment.target) if folded in wanted
                         and all_pinyin(text)), None)
            if span is None or any(s.segment is segment and s.start + f.start < span[1] and span[0] < s.start + f.end
                                   for s, f in found):
                continue
            if code == "vi":
                suggestion = readings.vietnamese(stem)
            elif code == "ko":
                suggestion = readings.korean(stem, kind == "person")
            else:  # a Japanese surname the dictionary knows (安倍 Abe); given names have too many readings
                surname = next((lexicon().get(word[:n]) for n in (2, 1) if lexicon().get(word[:n])), None)
                suggestion = surname.forms[0] if surname and surname.foreign else None
            if entry and entry.foreign:
                suggestion = entry.forms[0]
            what = "person" if kind == "person" else "place"
            hint = f" (“{suggestion}” in its own reading)" if suggestion else ""
            flagged.add(word)
            out.extend(self._at(segment, span[0], span[1], Category.MISTRANSLATION, Severity.MAJOR,
                                f"The source names {word}, a {readings.LANGUAGE_NAMES[code]} {what}{hint}; "
                                f"“{span[2]}” reads its characters as Chinese pinyin.", suggestion, 0.7))
        return out, flagged

    def _generic_pinyin(self, segment):
        """An organisation whose generic part is left in pinyin: "Hunan Weishi" for 湖南卫视, "Alibaba Jituan"."""
        out = []
        for org in _organisations(segment.source):
            found = orgs.generic_in_pinyin(segment.target, org)
            if found is not None:
                start, end, word = found
                english = orgs.GENERIC[org.generic]
                out.extend(self._at(segment, start, end, Category.MISTRANSLATION, Severity.MAJOR,
                                    f"The source names the organisation {org.text}; “{word}” leaves its generic part "
                                    f"({org.generic}) in pinyin: a half-transliterated organisation name (“{english}” "
                                    f"in English).", english, 0.7))
        return out

    def _glossed(self, segment, glossed: dict[str, str]):
        """A source name whose Latin form the article gives in brackets, spelt another way in this target: "Megan"
        where the source wrote 梅根（Meghan Markle）."""
        out = []
        for word, form in glossed.items():
            if word not in segment.source or article.locate(word, 0, segment.target, "", (form,), [],
                                                                _common_english):
                continue
            reading = "".join(_syllables(word))
            best = None
            for span, start, end in capitalised_spans(segment.target, len(form.split())):
                if len(span.split()) != len(form.split()) or fold(span) in _GENERIC_WORDS:
                    continue
                spelling = Levenshtein.normalized_similarity(fold(span), fold(form))
                score = max(spelling, article.sound_match(reading, span) if " " not in span else 0)
                if score >= 0.75 and (best is None or score > best[0]):
                    best = (score, start, end, span)
            if best is not None:
                _, start, end, span = best
                out.extend(self._at(segment, start, end, Category.MISTRANSLATION, Severity.MAJOR,
                                    f"The source gives {word} with its own form, “{form}”, in brackets; “{span}” "
                                    f"spells it another way.", form, 0.7))
        return out

    @staticmethod
    def _repeated_names(doc: Document) -> dict[str, str]:
        """Source names (a dotted foreign name by its last part) that two or more segments of ``doc`` mention, with
        the tag jieba first gave them. A name counts wherever its characters occur: jieba cuts 梅根 in one sentence
        and 梅根曾 in the next."""
        tags, sources = {}, [s.source for s in doc.segments if s.source and s.target.strip()]
        for source in sources:
            for word, tag, *_ in _candidates(source):
                tags.setdefault(_article_key(word), tag)
            for org in _organisations(source):
                tags[org.text] = "org"
        return {key: tag for key, tag in tags.items() if sum(key in source for source in sources) >= 2
                and (tag == "org" or lexicon().get(key) or not _common_word(key))}  # not 小镇 "small town"

    def _two_renderings(self, doc: Document, renderings, found):
        """One source name rendered two ways in the article: the minority rendering, with the usual one."""
        flagged = defaultdict(list)
        for sentence, finding in found:
            flagged[sentence.segment.id].append((sentence.start + finding.start, sentence.start + finding.end))
        out = []
        for odd, usual, n, majority in article.inconsistent(renderings, _syllables):
            segment = doc.segments[odd.segment]
            if any(a < odd.end and odd.start < b for a, b in flagged[segment.id]):
                continue  # already reported against the source's own form
            if majority:
                how = f"in {n} other sentences" if n > 1 else "in another sentence"
                message = (f"The source's {odd.key} is written “{usual.text}” elsewhere in this article ({how}); "
                           f"here “{odd.text}”: one name rendered two ways.")
                severity, confidence = Severity.MAJOR, min(0.8, 0.5 + 0.1 * n)
            else:
                message = (f"The source's {odd.key} is written “{usual.text}” elsewhere in this article; here "
                           f"“{odd.text}”, which follows the sound of its characters less closely: one name "
                           f"rendered two ways.")
                severity, confidence = Severity.MINOR, 0.5
            out.extend(self._at(segment, odd.start, odd.end, Category.MISTRANSLATION, severity, message, usual.text,
                                confidence))
        return out

    def _at(self, segment, start: int, end: int, category: str, severity: Severity, message: str,
            suggestion: str | None, confidence: float):
        sentence = next((s for s in segment.sentences if s.start <= start < s.end), None)
        if sentence is None:
            return []
        return [self.finding(sentence, start - sentence.start, end - sentence.start, category, severity, message,
                             suggestion, confidence)]

    def _garbled(self, segment, name: SourceName, others: frozenset[str] = frozenset()):
        """A rendering of a foreign or lexicon-known name that reads its Chinese characters aloud: its pinyin
        ("Bu Linken" for 布林肯) or, for a name the lexicon knows, a spelling guessed from that pinyin ("Cocosili",
        "Kao Xili" for 可可西里, Hoh Xil); the name of another place that sounds like it ("Zhangzhou" for 郴州,
        Chenzhou); or a known form of two or more words with one of them misspelt ("Hoh Xili").

        ``others`` holds the folded words of the segment's other names' known forms: spans that render them are
        left alone."""
        reading = "".join(name.pinyin)
        if len(name.pinyin) < 2 or not reading:
            return []
        stem = "".join(name.pinyin[:-1]) if len(name.text) > 2 and name.text.endswith(_PLACE_SUFFIXES) else reading
        form_words = {fold(w) for form in name.expected for w in form.replace("-", " ").split()}
        best = None
        for span, start, end, folded, words in _spans(segment.target):
            if folded in _GENERIC_WORDS or any(w in others for w in words):
                continue
            near = _near_form(words, name.expected)
            if near:
                score, how = 0.6, "near"
            elif any(w in form_words or w in _GENERIC_WORDS for w in words):
                continue
            elif name.kind == "place" and name.known and _other_place(folded, name.text, segment.source) and \
                    sounds_like(stem, span) >= 0.8 and len(skeleton(stem)) >= 3 and \
                    Levenshtein.normalized_similarity(folded, stem) >= 0.5 and (
                        not (folded == reading or _syllable_run(folded, name.pinyin)) or name.domestic and any(
                            fold(f) not in (reading, stem) and sounds_like(stem, f) >= 0.8 for f in name.expected)):
                # the name's own pinyin counts only where the name's form is another spelling of that sound, kept
                # apart for the other place: 陕西 is Shaanxi because Shanxi is 山西 (漓江 "River Li" may be Lijiang)
                score, how = 0.7, "other place"
            # two characters name many places and people (安山 is Ansan in Korea, Anshan in China): too ambiguous
            elif len(name.text) < 3 and name.kind != "person":
                continue
            else:
                pinyin = all_pinyin(span)
                if name.known and name.foreign and not name.domestic and pinyin and (folded == reading or (
                        len(folded) >= 0.6 * len(reading) and _syllable_run(folded, name.pinyin))):
                    score, how = 0.8, "pinyin"
                elif not name.known and pinyin and folded == reading and " " in span:
                    # without the lexicon a one-word pinyin reading may be the accepted form (Tibetan names:
                    # Suonandajie); cut into syllables like a Chinese name ("Bu Linken" for 布林肯) it is MT's
                    score, how = 0.7, "pinyin"
                elif name.known and len(skeleton(span)) >= 3 and sounds_like(reading, span) >= 0.8 \
                        and len(folded) >= 4 and (not pinyin or name.domestic and folded != reading
                                                  and not _syllable_run(folded, name.pinyin)
                                                  and Levenshtein.normalized_similarity(folded, reading) >= 0.6):
                    # a guessed spelling; written in pinyin it reads other characters ("Kao Xili" for ke-ke-xi-li)
                    score, how = 0.6, "sound"
                else:
                    continue
            if _common_english(span):
                continue  # "Hanna", "Filipino": an English spelling in its own right
            if best is None or (score, end - start) > (best[0], best[2] - best[1]):
                best = (score, start, end, how, span)
        if best is None:
            return []
        score, start, end, how, span = best
        suggestion = name.expected[0] if name.expected else None
        known = f" (usually “{suggestion}”)" if suggestion else ""
        if how == "pinyin":
            message = (f"The source names {name.text}{known}, a name transliterated into Chinese; “{span}” reads "
                       f"its characters as pinyin: a garbled {_KIND_WORDS.get(name.kind, 'name')}.")
        elif how == "other place":
            message = (f"The source names {name.text}{known}; “{span}” is another place "
                       f"({_other_place(fold(span), name.text, segment.source)}) that sounds like it.")
        elif how == "near":
            message = f"The source names {name.text}{known}; “{span}” misspells that form."
        else:
            message = (f"The source names {name.text}{known}; “{span}” is spelt from the sound of its Chinese "
                       f"characters, not the name's own form.")
        return self._at(segment, start, end, Category.MISTRANSLATION, Severity.MAJOR, message, suggestion, score)

    def _wrong_surname(self, segment, name: SourceName, target_words):
        """The given name is there, after another pinyin surname: "Zou Mengjia" for 靳梦佳 (Jin Mengjia)."""
        given = fold(name.given)
        for i, (word, start, end) in enumerate(target_words[1:], 1):
            if fold(word) != given:
                continue
            before, bstart, bend = target_words[i - 1]
            if segment.target[bend:start] != " " or not before[:1].isupper() or not is_pinyin(before) or \
                    fold(before) in _GENERIC_WORDS or fold(before) == fold(name.surname) or len(before) > 6 or \
                    before in _OTHER_SYSTEMS.get(name.surname, ()) or same_name(before, name.surname) or \
                    sound_key(before) == sound_key(name.surname):
                continue  # the surname itself, or a spelling of it the misspelling check reports
            return self._at(segment, bstart, end, Category.MISTRANSLATION, Severity.MAJOR,
                            f"The source names {name.text} ({name.expected[0]}); “{before} {word}” gives the given "
                            f"name another surname.", name.expected[0], 0.7)
        return []

    def _given_name(self, segment, name: SourceName, target_words, others: set[str]):
        """The surname is there but the given name is not the source's: "Lin Xiaojia" for 林小宅 (Lin Xiaozhai),
        "Zhang Jikelin" (two names fused)."""
        family, given = fold(name.surname), fold(name.given)
        for i, (word, start, end) in enumerate(target_words[:-1]):
            if fold(word) != family or not word[:1].isupper():
                continue
            nxt, nstart, nend = target_words[i + 1]
            between = segment.target[end:nstart]
            if between != " " or not nxt[:1].isupper():
                continue
            following = fold(nxt)
            joined = "".join(fold(w) for w, _, _ in target_words[i + 1:i + 4])
            if following == given or joined.startswith(given) and all(
                    is_pinyin(w) for w, _, _ in target_words[i + 1:i + 4] if w[:1].isupper()) and not \
                    following.startswith(given):
                return []  # right, or written syllable by syllable ("Xu Zhi Bin")
            if following in others or len(following) < 2 or following in _GENERIC_WORDS or any(
                    Levenshtein.normalized_similarity(following, o) > Levenshtein.normalized_similarity(following, given)
                    for o in others):
                continue  # another person of the source with this surname, or not a name
            if following.startswith(given) and following[len(given):] in others:
                message = (f"The source names {name.text} ({name.expected[0]}); “{word} {nxt}” runs its given name "
                           f"into the next name.")
            elif following.startswith(given) or given.startswith(following) or not is_pinyin(nxt) and \
                    Levenshtein.normalized_similarity(following, given) < 0.5:
                continue  # a longer or shorter reading of a name jieba cut differently, or another word
            else:
                message = (f"The source names {name.text} ({name.expected[0]}); “{word} {nxt}” has another given "
                           f"name: a garbled romanisation.")
            return self._at(segment, start, nend, Category.MISTRANSLATION, Severity.MAJOR, message,
                            name.expected[0], 0.7)
        return []

    def _report(self, segment, name: SourceName, target_words, given_present: bool = False, cantonese: bool = False):
        expected = name.expected[0]
        if not (name.evidence or given_present):
            return []
        if name.kind == "place" and name.text not in name.expected:
            # the source's form kept where the target language has its own: "Moscow" in German for "Moskau"
            kept = next((m for m in re.finditer(rf"(?<![\w-]){re.escape(name.text)}(?![\w-])", segment.target)
                         if not _inside_longer_name(segment.target, m.start(), m.end())), None)
            sentence = next((s for s in segment.sentences if kept and s.start <= kept.start() < s.end), None)
            if sentence is not None:
                also = " or “" + "”, “".join(name.expected[1:]) + "”" if len(name.expected) > 1 else ""
                return [self.finding(
                    sentence, kept.start() - sentence.start, kept.end() - sentence.start, Category.LOCALE_NAME,
                    Severity.MINOR, f"“{name.text}” keeps the source's spelling; the target language writes "
                    f"“{expected}”{also}.", expected, 0.8)]
        if given_present and name.surname and not name.known:
            wrong = self._wrong_surname(segment, name, target_words)
            if wrong:
                return wrong
        if name.surname:
            other_systems = _OTHER_SYSTEMS.get(name.surname, ())
            for word, start, end in target_words:
                if not word[:1].isupper():
                    continue
                if word in other_systems:
                    if not given_present and (cantonese or _after_english_name(segment.target, start)):
                        return []  # Christopher Hui, Elaine Chao: a Hong Kong or overseas person's own spelling
                    confidence, note = (0.8, "") if given_present else (
                        0.5, " (right if the person is known by a Cantonese or Wade-Giles spelling)")
                elif _inflected(word, name.surname):
                    continue  # "Marine" for "Marines", "Bushs" for "Bush": the same word with another ending
                elif name.foreign and _common_english(word):
                    continue  # "Hanna" for 汉娜 where the lexicon says Hannah: both are names in their own right
                elif same_name(word, name.surname) or (len(word) <= 4 and sound_key(word) == sound_key(name.surname)):
                    confidence, note = 0.8, ""
                else:
                    continue
                sentence = next((s for s in segment.sentences if s.start <= start < s.end), None)
                if sentence is None:
                    continue
                return [self.finding(
                    sentence, start - sentence.start, end - sentence.start, Category.MISTRANSLATION, Severity.MAJOR,
                    f"The source names {name.text} ({expected}); “{word}” looks like a misspelling of "
                    f"“{name.surname}”{note}.", name.surname, confidence)]
        if not switch(self.omissions) or name.kind != "person" or given_present or not name.evidence \
                or not (name.given or name.origin == "table") or _PRONOUN.search(segment.target) \
                or _unexplained_name(segment.target):
            return []  # a human translation often says "he" or "the minister" where the source repeats the name
        sentence = segment.sentences[0]
        also = f" or “{name.expected[1]}”" if len(name.expected) > 1 else ""
        return [self.finding(
            sentence, 0, len(sentence.text), Category.OMISSION, Severity.MINOR,
            f"The source names {name.text} ({expected}), but the target has no “{expected}”{also}: the name may "
            f"be missing or mistranslated.", expected, 0.5)]
