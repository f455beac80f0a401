"""Organisations, companies and media named in a Chinese source: a proper head (湖南, 阿里巴巴, 人民) and a generic
part (卫视, 集团, 日报). MT garbles them by leaving the generic part in pinyin ("Hunan Weishi", "Alibaba Jituan") or by
rendering one organisation two ways in one article ("Hunan Satellite TV", "Hunan Television").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mtaudit.detectors.namelib.romanise import fold

# Generic parts of organisation names, longest first, with the English words news uses for them.
GENERIC = {
    "股份有限公司": "Co., Ltd.", "有限责任公司": "Co., Ltd.", "有限公司": "Co., Ltd.", "公司": "Company",
    "集团": "Group", "大学": "University", "学院": "College", "研究院": "Academy", "研究所": "Institute",
    "日报": "Daily", "晚报": "Evening News", "新闻网": "News", "通讯社": "News Agency", "电视台": "TV",
    "卫视": "TV", "电台": "Radio", "银行": "Bank", "委员会": "Committee", "协会": "Association",
    "基金会": "Foundation", "俱乐部": "Club", "医院": "Hospital", "航空": "Airlines", "证券": "Securities",
    "保险": "Insurance", "控股": "Holdings", "科技": "Technology", "集团公司": "Group",
}
_SUFFIX = re.compile("(?:" + "|".join(sorted(GENERIC, key=len, reverse=True)) + ")$")
# jieba tags that may stand as an organisation's head, before its generic part
_HEAD_TAGS = ("ns", "nr", "nrt", "nrfg", "nz", "nt", "s", "j")


@dataclass(frozen=True)
class Organisation:
    text: str       # 湖南卫视
    head: str       # 湖南
    generic: str    # 卫视


def organisations(tokens: tuple[tuple[str, str], ...]) -> list[Organisation]:
    """The organisations of a segment from jieba's (word, tag) pairs: a word tagged nt/nz that ends with a generic
    part (湖南卫视, 长江日报), or a head word followed by a generic word (东方 + 卫视, 阿里巴巴 + 集团)."""
    out = []
    for i, (word, tag) in enumerate(tokens):
        m = _SUFFIX.search(word)
        if m and len(word) > len(m.group()) and tag in ("nt", "nz"):
            out.append(Organisation(word, word[:m.start()], m.group()))
        elif word in GENERIC and i and tokens[i - 1][1] in _HEAD_TAGS and len(tokens[i - 1][0]) >= 2:
            head = tokens[i - 1][0]
            out.append(Organisation(head + word, head, word))
    return list(dict.fromkeys(out))


@lru_cache(maxsize=64)
def _generic_pinyin(generic: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(generic))


def generic_in_pinyin(target: str, org: Organisation) -> tuple[int, int, str] | None:
    """A capitalised word of ``target`` that is the pinyin of the organisation's generic part ("Weishi" for 卫视,
    "Jituan" for 集团), alone or run into the head ("Hunanweishi"); generic parts of one syllable are left alone."""
    reading = _generic_pinyin(org.generic)
    if len(org.generic) < 2:
        return None
    for m in re.finditer(r"\b[A-Z][a-z]+\b", target):
        word = fold(m.group())
        if word == reading or len(word) > len(reading) + 2 and word.endswith(reading):
            return m.start(), m.end(), m.group()
    return None


_RUN = re.compile(r"[A-Z][\w'’&.-]*(?:\s+(?:of\s+|and\s+|for\s+)?[A-Z][\w'’&.-]*)*")


def run_around(target: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The run of capitalised words (with "of", "and", "for" inside) that holds ``target[start:end]``, without a
    leading "The" or a trailing possessive: "Hunan Satellite TV" around "Hunan"."""
    for m in _RUN.finditer(target):
        if m.start() <= start and end <= m.end():
            a, text = m.start(), m.group()
            if text.startswith("The "):
                a, text = a + 4, text[4:]
            text = re.sub(r"['’]s$", "", text).rstrip(".")
            return a, a + len(text), text
    return None
