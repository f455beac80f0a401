"""Finding the names in a source text: the people, places and organisations a source segment names, with the target
spellings that render them correctly. One class per source language (``ChineseNames``, ``EnglishNames``), chosen by
``source_language``; the names_src detector checks the target against what they find."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from mtaudit.core.document import Document
from mtaudit.core.text import HAN
from mtaudit.detectors.namelib import article, orgs
from mtaudit.detectors.namelib.romanise import fold
from mtaudit.detectors.namelib.zh_lexicon import lexicon


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
# Given-name readings of characters whose everyday pinyin in a word differs: 长 in 长赋 or 长宝 is chang (long), not
# zhang (to grow) as pypinyin reads it after some characters (韩长赋 Han Changfu). names_src also accepts a given name in
# any reading of its characters (``given_readings``); this table decides the expected form a message suggests.
_NAME_READINGS = {"长": "chang"}
# Surname readings that differ from the character's everyday pinyin.
_SURNAME_READINGS = {"曾": "zeng", "单": "shan", "仇": "qiu", "区": "ou", "查": "zha", "解": "xie", "朴": "piao",
                     "乐": "yue", "华": "hua", "任": "ren", "盖": "ge", "缪": "miao", "覃": "qin", "尉迟": "yuchi"}
PLACE_SUFFIXES = ("省", "市", "县", "区", "镇", "村", "州")
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
def jieba_tagger():
    """jieba's tagger, initialised once per process and kept quiet (it takes about a second)."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg


@lru_cache(maxsize=1)
def conventional_forms() -> dict[str, tuple[str, ...]]:
    """Source name -> its conventional English forms, from ``data/zh_names.tsv`` (孙中山 -> "Sun Yat-sen")."""
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


@lru_cache(maxsize=1)
def all_surnames() -> frozenset[str]:
    """Chinese surnames of one character: the common ones and the dictionary's (詹, 靳)."""
    return frozenset(_SURNAME_CHARS) | frozenset(_dictionary_surnames())


def toneless_pinyin(text: str) -> list[str]:
    """The characters of ``text`` read as toneless pinyin syllables: ["bu", "lin", "ken"] for 布林肯."""
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
    family = _SURNAME_READINGS.get(surname) or dictionary.get(surname, "").lower() or "".join(toneless_pinyin(surname))
    readings = toneless_pinyin(given)
    if len(readings) == len(given):  # one syllable per character: the name readings apply
        readings = [_NAME_READINGS.get(char, reading) for char, reading in zip(given, readings)]
    first = "".join(readings)
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
        table = conventional_forms()
        for word, tag, start, end in name_candidates(source):
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
                stem = word[:-1] if word.endswith(PLACE_SUFFIXES) and len(word) > 2 else word
                if stem in table:
                    out.append(SourceName(word, "place", table[stem], _compared_word(table[stem][0], "place"),
                                          origin="table"))
                continue  # a place without a known English form: its pinyin is as likely wrong as right
            if tag not in PERSON_TAGS:
                continue  # an organisation or other proper noun the lexicon does not know
            if common_chinese_word(word):
                continue  # 史实 "historical facts", 高昂: jieba's person tag on an everyday word
            evidence = _person_context(source, start, end)
            pinyin = chinese_name_pinyin(word)
            foreignness = lexicon().foreignness(word)
            if pinyin and foreignness < FOREIGN_THRESHOLD:
                family, given = pinyin
                out.append(SourceName(word, "person", (f"{family} {given}", family), family, given, evidence))
            elif not pinyin and len(word) >= 3 and foreignness >= FOREIGN_THRESHOLD:
                # 焦布洛, 格里沃里: a transliterated foreign name the lexicon does not know; only its pinyin is wrong
                out.append(SourceName(word, "person", (), evidence=evidence, foreign=True,
                                      pinyin=tuple(toneless_pinyin(word))))
        return out


PERSON_TAGS = ("nr", "nrfg", "nrt")
_NAME_TAGS = PERSON_TAGS + ("ns", "nt", "nz")
# Mean log-odds (from the lexicon's people) above which a name's characters are those Chinese uses to transliterate
# foreign names (斯, 克, 尔, 特, 夫 ...) rather than those of Chinese given names.
FOREIGN_THRESHOLD = 1.0


def _person_context(source: str, start: int, end: int) -> bool:
    return bool(_PERSON_CONTEXT.match(source, end) or _PERSON_CONTEXT_BEFORE.search(source, 0, start))


@lru_cache(maxsize=4096)
def _tokens(source: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, tag) pairs for a source segment, once per segment."""
    return tuple((p.word, p.flag) for p in jieba_tagger().cut(source))


source_tokens = _tokens


@lru_cache(maxsize=4096)
def source_organisations(source: str) -> tuple[orgs.Organisation, ...]:
    """The organisations a source segment names (湖南卫视), once per segment."""
    return tuple(orgs.organisations(_tokens(source)))


@lru_cache(maxsize=4096)
def name_candidates(source: str) -> tuple[tuple[str, str, int, int], ...]:
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
            # jieba tags abbreviated organisations (证监会, 国台办) j
            if entry is not None and (not entry.common or tag in _NAME_TAGS) and (
                    length > len(word) or tag in _NAME_TAGS or entry.kind in ("person", "place") and length > 2
                    or entry.kind == "org" and tag == "j"):
                match = source[start:stop]
                break
        if match:
            out.append((match, tag if len(match) == len(word) else "lexicon", start, start + len(match)))
            while i < len(tokens) and tokens[i][3] <= start + len(match):
                i += 1
            continue
        if tag in PERSON_TAGS:
            j = i
            while j + 1 < len(tokens) and tokens[j + 1][1] in PERSON_TAGS and len(tokens[j + 1][0]) >= 2 and \
                    lex.foreignness(source[start:tokens[j + 1][3]]) >= FOREIGN_THRESHOLD:
                j += 1
            if j > i:
                out.append((source[start:tokens[j][3]], tag, start, tokens[j][3]))
                i = j + 1
                continue
        if tag in _NAME_TAGS and len(word) >= 2:
            out.append((word, tag, start, end))
        i += 1
    return tuple(_with_long_keys(source, out))


@lru_cache(maxsize=1)
def _long_keys() -> dict[str, tuple[str, ...]]:
    """The curated tables' keys of four characters or more, by first character, longest first."""
    from mtaudit.detectors.namelib.entities import curated

    out: dict[str, list[str]] = {}
    for key in curated():
        if len(key) >= 4:
            out.setdefault(key[0], []).append(key)
    return {c: tuple(sorted(keys, key=len, reverse=True)) for c, keys in out.items()}


def _with_long_keys(source: str, found: list) -> list:
    """``found`` with the curated keys of four characters or more that jieba cut across (和岸 + 田文雄 for 岸田文雄, Kishida
    Fumio): such a key in the source is the name, and replaces the name candidates it overlaps."""
    keys = _long_keys()
    for start, char in enumerate(source):
        for key in keys.get(char, ()):
            end = start + len(key)
            if source.startswith(key, start) and not any(s <= start and end <= e for _, _, s, e in found):
                found = [c for c in found if not (c[2] < end and start < c[3])] + [(key, "lexicon", start, end)]
                break
    return sorted(found, key=lambda c: c[2])


def _from_lexicon(entry, tag: str, source: str, start: int, end: int) -> SourceName:
    """A source name the lexicon knows: its forms, and whether its pinyin would be a garbled rendering."""
    kind = entry.kind
    evidence = kind != "person" or tag in PERSON_TAGS or _person_context(source, start, end)
    chinese = kind == "person" and lexicon().foreignness(entry.key) < FOREIGN_THRESHOLD and \
        chinese_name_pinyin(entry.key)
    if chinese:
        # a Chinese person the dictionary knows (张继科, or 刘青云 whose films write Lau Ching-Wan): the pinyin is right
        # too; the given name alone ("Jinping") must not clear a misspelt surname ("Ji Jinping")
        family, given = chinese
        forms = tuple(dict.fromkeys(f for f in (f"{family} {given}", family) + entry.forms if fold(f) != fold(given)))
        return SourceName(entry.key, "person", forms, family, given, evidence, origin="lexicon")
    compared = _compared_word(entry.forms[0], kind) if kind == "person" else None
    return SourceName(entry.key, kind, entry.forms, compared, evidence=evidence, foreign=entry.foreign,
                      pinyin=tuple(toneless_pinyin(entry.key)), origin="lexicon", domestic=entry.domestic)


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


# Two-character words at least this frequent in Chinese (wordfreq's Zipf scale) are everyday words when neither the
# lexicon nor the table knows them as names: 史实 3.7, 高昂 3.7 against 王芳 2.5, 任琛 2.4; a few very common names
# (李明 3.7) are lost with them.
_COMMON_ZH = 3.6
# Three-character words: 白皮书 "white paper" 3.5, 高水平 3.3 against 张亚杰 2.1, 夏立言 2.2, 蔡奇 and 王毅 3.1 (two
# characters); the few people this frequent (李克强 3.6) are in the lexicon.
_COMMON_ZH3 = 3.3


@lru_cache(maxsize=50_000)
def common_chinese_word(word: str) -> bool:
    """A two- or three-character everyday word (史实, 高昂, 白皮书) that jieba may tag as a person."""
    from wordfreq import zipf_frequency

    threshold = {2: _COMMON_ZH, 3: _COMMON_ZH3}.get(len(word))
    return threshold is not None and zipf_frequency(word, "zh") >= threshold


_GLOSS = re.compile(r"[（(]\s*([A-Z][^\W\d_]*(?:[ .'’\-]+[A-Z][^\W\d_]*){0,4})\s*[）)]")


def source_glosses(doc: Document) -> dict[str, str]:
    """Source names that the article follows with their own Latin form in brackets, as Chinese news does at a
    foreign name's first mention (梅根（Meghan Markle）): name -> the part of that form which the name renders
    ("Meghan": 梅根 is only her given name)."""
    out = {}
    for segment in doc.segments:
        source = segment.source or ""
        if "(" not in source and "（" not in source:
            continue
        ends = {end: word for word, _, _, end in name_candidates(source)}
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
    reading = "".join(toneless_pinyin(name))
    best = max(((article.sound_match(reading, " ".join(words[a:b])), b - a, " ".join(words[a:b]))
                for a in range(len(words)) for b in range(a + 1, len(words) + 1)))
    return best[2] if best[0] >= 0.8 else form
