"""Names in the source that the target drops or misspells, checked against their expected romanisation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from mtaudit.detectors.base import Detector
from mtaudit.detectors.namelib import enabled
from mtaudit.detectors.namelib.romanise import fold, same_name, sound_key
from mtaudit.document import Category, Document, Severity


@dataclass(frozen=True)
class SourceName:
    """A person or place named in a source segment, with the target spellings that render it correctly."""

    text: str                   # as written in the source: "习近平"
    kind: str                   # "person" or "place"
    expected: tuple[str, ...]   # accepted target forms, preferred first: ("Xi Jinping", "Xi", "Jinping")
    surname: str | None = None  # the word a misspelling is compared with: "Xi"
    given: str | None = None    # a given name in pinyin ("Jinping"): present alone, it clears an omission only
    evidence: bool = True       # the source context confirms it is a name (a title, a speech verb), not a mis-tag


class SourceNames(Protocol):
    """What a source language contributes: does a segment look like it, and which names does it contain."""

    lang: str

    def applies(self, source: str) -> bool: ...

    def names(self, source: str) -> list[SourceName]: ...


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
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
    "Zhou": ("Chow", "Chau"), "Lin": ("Lam", "Lim"), "He": ("Ho", "Hoh"), "Xie": ("Tse", "Hsieh"), "Guo": ("Kwok", "Kuo"),
    "Luo": ("Law", "Lo", "Lou"), "Zeng": ("Tsang", "Tseng"), "Yang": ("Yeung", "Yeo"), "Xu": ("Hsu", "Tsui", "Hui"),
    "Cai": ("Choi", "Tsai", "Chua"), "Ye": ("Yip", "Yeh"), "Feng": ("Fung",), "Zheng": ("Cheng", "Cheang"),
    "Jiang": ("Chiang", "Kong", "Keung"), "Zhu": ("Chu", "Chew"), "Hu": ("Woo",), "Deng": ("Tang",), "Su": ("So",),
}
_PLACE_SUFFIXES = ("省", "市", "县", "区", "镇", "村", "州")
# jieba tags many ordinary words as person names (谢谢, 高昂, 易懂): a person tag only counts when a title or a speech
# verb stands next to it, the way news introduces and quotes people.
_PERSON_CONTEXT = re.compile(
    "(?:主席|总理|副总理|总统|副总统|部长|外长|首相|总书记|书记|国王|女王|先生|女士|小姐|教授|博士|医生|大夫|老师|记者|"
    "发言人|市长|省长|州长|委员|主任|院长|校长|经理|董事长|总裁|主编|编辑|大使|将军|同志|说|表示|指出|称|认为|强调|告诉|"
    "介绍|透露|回忆|坦言|会见|会晤|致电|致信|发表|宣布|等人)")
_PERSON_CONTEXT_BEFORE = re.compile(
    "(?:主席|总理|总统|部长|外长|首相|总书记|书记|国王|女王|教授|博士|医生|记者|发言人|市长|省长|州长|主任|院长|校长|"
    "经理|董事长|总裁|主编|编辑|大使|将军|作者|选手|演员|歌手|导演|同|与|和|会见|会晤|据|告诉|记者)$")


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


def _syllables(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text, errors="ignore")


def chinese_name_pinyin(name: str) -> tuple[str, str] | None:
    """("Xi", "Jinping") for 习近平: surname and given name in pinyin, or None when it is not a Chinese name."""
    surname = next((s for s in _COMPOUND_SURNAMES if name.startswith(s)), name[:1])
    given = name[len(surname):]
    if not (surname in _COMPOUND_SURNAMES or surname in _SURNAME_CHARS) or not 1 <= len(given) <= 2:
        return None
    family = _SURNAME_READINGS.get(surname) or "".join(_syllables(surname))
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
        han = len(_HAN.findall(source))
        return han >= 2 and han >= 0.3 * len(source.strip()) and not _KANA.search(source)

    def names(self, source: str) -> list[SourceName]:
        out, seen = [], set()
        table = _conventional()
        offset = 0
        for word, tag in _posseg().cut(source):
            start, offset = offset, offset + len(word)
            if word in seen or tag not in ("nr", "nrfg", "nrt", "ns"):
                continue
            seen.add(word)
            if word in table:
                forms = table[word]
                kind = "place" if tag == "ns" and word not in ("普京",) else "person"
                out.append(SourceName(word, kind, forms, _compared_word(forms[0], kind)))
                continue
            if tag == "ns":
                stem = word[:-1] if word.endswith(_PLACE_SUFFIXES) and len(word) > 2 else word
                if stem in table:
                    out.append(SourceName(word, "place", table[stem], _compared_word(table[stem][0], "place")))
                continue  # a place without a known English form: its pinyin is as likely wrong as right
            pinyin = chinese_name_pinyin(word)
            if pinyin:
                family, given = pinyin
                evidence = bool(_PERSON_CONTEXT.match(source, offset) or _PERSON_CONTEXT_BEFORE.search(source, 0, start))
                out.append(SourceName(word, "person", (f"{family} {given}", family), family, given, evidence))
        return out


# Source languages with a name module, keyed by language code; add a class implementing SourceNames to extend.
SOURCE_LANGUAGES: dict[str, type] = {"zh": ChineseNames}


@lru_cache(maxsize=None)
def _language(code: str) -> SourceNames:
    return SOURCE_LANGUAGES[code]()


_LANGUAGE_ALIASES = {"zho": "zh", "chi": "zh", "cmn": "zh"}


def source_language(source: str, declared: str | None = None) -> SourceNames | None:
    """The name module for a segment's source: the document's declared language, else detected from the script."""
    if declared:
        code = declared.lower().split("-")[0].split("_")[0]
        code = _LANGUAGE_ALIASES.get(code, code)
        return _language(code) if code in SOURCE_LANGUAGES else None
    for code in SOURCE_LANGUAGES:
        if _language(code).applies(source):
            return _language(code)
    return None


_TARGET_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _present(form: str, folded_words: list[str], joined: str) -> bool:
    parts = [fold(p) for p in form.split()]
    if len(parts) == 1:
        return parts[0] in folded_words or (len(parts[0]) > 3 and parts[0] in joined)
    return "".join(parts) in joined or "".join(reversed(parts)) in joined


class NamesSourceDetector(Detector):
    """Person and place names of the source misspelt or missing in the target, checked against their romanisation
    (Chinese first: 习近平 -> "Xi Jinping").

    For a Chinese source, jieba's tags find the names and pypinyin gives the expected romanisation, with a table of
    conventional forms (孙中山 -> "Sun Yat-sen", 香港 -> "Hong Kong", 普京 -> "Putin").

    A target word that sounds like the expected name but is spelt differently ("Ji" for 习) is a mistranslated name;
    a person named in the source who appears nowhere in the target is reported as a possible omission (the
    translation may use a pronoun instead). Other source languages plug in through ``SOURCE_LANGUAGES``.
    """

    name = "names_src"
    categories = (Category.MISTRANSLATION, Category.OMISSION)
    requires = frozenset({"source"})
    options = {"omissions": "also report source names absent from the target (true/false)"}
    omissions: bool = True

    def detect(self, doc: Document):
        out = []
        for segment in doc.segments:
            if not segment.source or not segment.sentences or not segment.target.strip():
                continue
            module = source_language(segment.source, doc.source_lang)
            if module is None:
                continue
            target_words = [(m.group(), m.start(), m.end()) for m in _TARGET_WORD.finditer(segment.target)]
            folded = [fold(w) for w, _, _ in target_words]
            joined = "".join(folded)
            for name in module.names(segment.source):
                if any(_present(form, folded, joined) for form in name.expected):
                    continue
                # the given name alone ("Jinping") does not clear a misspelt surname ("Ji Jinping")
                given_present = bool(name.given) and _present(name.given, folded, joined)
                out.extend(self._report(segment, name, target_words, given_present))
        return out

    def _report(self, segment, name: SourceName, target_words, given_present: bool = False):
        expected = name.expected[0]
        if not (name.evidence or given_present):
            return []
        if name.surname:
            other_systems = _OTHER_SYSTEMS.get(name.surname, ())
            for word, start, end in target_words:
                if not word[:1].isupper():
                    continue
                if word in other_systems:
                    confidence, note = (0.8, "") if given_present else (
                        0.5, " (right if the person is known by a Cantonese or Wade-Giles spelling)")
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
        if not enabled(self.omissions) or name.kind != "person" or given_present or not name.evidence:
            return []
        sentence = segment.sentences[0]
        also = f" or “{name.expected[1]}”" if len(name.expected) > 1 else ""
        return [self.finding(
            sentence, 0, len(sentence.text), Category.OMISSION, Severity.MINOR,
            f"The source names {name.text} ({expected}), but the target has no “{expected}”{also}: the name may "
            f"be missing or mistranslated.", expected, 0.5)]
