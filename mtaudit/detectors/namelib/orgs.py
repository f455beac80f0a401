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


# ---- established English names -----------------------------------------------------------------------------------

# The generic words of English organisation and media names, with the characters of Chinese names they render. A
# rendering that keeps a known organisation's own words and adds one of these, rendering a character of the name
# itself, is a word-by-word rendering: "China News Network" for 中新网 (ChinaNews), where "Network" renders 网.
ORG_WORDS = {
    **dict.fromkeys(("network", "net", "web", "website", "site", "online", "portal"), "网"),
    **dict.fromkeys(("service", "agency"), "社"),
    **dict.fromkeys(("committee", "commission"), "委"),
    **dict.fromkeys(("council", "association", "society"), "会协"),
    **dict.fromkeys(("office", "bureau", "administration", "authority"), "办局署处"),
    **dict.fromkeys(("ministry", "department"), "部"),
    "party": "党",
    **dict.fromkeys(("daily", "times", "post", "newspaper", "press"), "报"),
    **dict.fromkeys(("tv", "television", "channel", "station", "broadcasting", "radio"), "台视"),
    **dict.fromkeys(("company", "corporation", "group"), "司团"),
    "institute": "院所",
    **dict.fromkeys(("union", "federation", "league"), "联盟"),
    **dict.fromkeys(("journal", "magazine"), "刊志"),
}
_JOINING = frozenset("of and for the".split())
_RUN_WORDS = re.compile(r"[A-Z][\w'’&.]*(?:[ -](?:(?:of|and|for|the) )?[A-Z][\w'’&.]*)*")
WEB_DOMAIN = re.compile(r"\.(?:com|cn|net|org)$")  # "Chinanews.com" keeps its name


@dataclass(frozen=True)
class Rendering:
    """A capitalised run of the target that renders a known organisation without its established form."""

    start: int
    end: int
    text: str


def form_words(form: str) -> tuple[str, ...]:
    """The folded words of a known form, a run-together one split at its capitals ("ChinaNews" -> china, news)."""
    words = re.findall(r"[A-Z][a-z'’]+|[A-Z]+(?![a-z])|[a-z'’]+|\d+", form)
    return tuple(fold(w) for w in words)


def joined_form(form: str) -> str:
    """A form's folded words run together, as renderings are compared with it ("China News" -> chinanews)."""
    return "".join(form_words(form))


def acronym(form: str) -> str | None:
    """The initials of a form of two or more content words ("China Securities Regulatory Commission" -> "csrc"), or
    the form itself when it is written in capitals ("DPP"); None for a shorter one."""
    if re.fullmatch(r"[A-Z]{2,6}", form):
        return form.lower()
    words = [w for w in re.findall(r"[A-Za-z]+", form) if w.lower() not in _JOINING]
    return "".join(w[0] for w in words).lower() if len(words) >= 3 else None


def trimmed_runs(target: str, pattern: re.Pattern = _RUN_WORDS):
    """(start, text) of every match of ``pattern`` (a run of capitalised words) in ``target``, without a final full
    stop, a leading article (a sentence's first word: "An Economic Observer reporter") or a trailing possessive."""
    for m in pattern.finditer(target):
        start, text = m.start(), m.group().rstrip(".")
        article = re.match(r"(?:The|An|A) (?=[A-Z0-9])", text)
        if article:
            start, text = start + article.end(), text[article.end():]
        yield start, re.sub(r"['’]s$", "", text)


def _runs(target: str):
    """The target's capitalised runs (joining words inside, without a leading "The" or a possessive), each with its
    folded words: a web address keeps its name ("Chinanews.com" -> chinanews)."""
    for start, text in trimmed_runs(target):
        words = tuple(fold(WEB_DOMAIN.sub("", re.sub(r"['’]s$", "", w.rstrip(".")))) for w in re.split(r"[ -]", text))
        if text:
            yield start, start + len(text), text, words


def _near(word: str, words: frozenset[str]) -> bool:
    """``word`` is one of ``words`` or one letter off a word of four or more letters ("New" for "News")."""
    from rapidfuzz.distance import Levenshtein

    return word in words or len(word) >= 3 and any(len(w) >= 4 and Levenshtein.distance(word, w) <= 1 for w in words)


def established_form_missed(target: str, key: str, forms: tuple[str, ...], others: frozenset[str] = frozenset()) \
        -> Rendering | None:
    """The span of ``target`` that renders the organisation ``key``, known by ``forms``, in some other way, when no
    form (nor its acronym) stands in the target: a form of two or more words, one of them perhaps a letter off, run
    into generic words it lacks that render characters of ``key`` ("China News Network", "China New Network" for
    中新网, ChinaNews: "Network" renders 网). ``others`` holds the folded forms and acronyms of the segment's other
    names: a run that holds one of them renders that name. None when the form is there or no span can be told
    apart."""
    joined = {joined_form(f) for f in forms}
    acronyms = {a for a in map(acronym, forms) if a}
    own = frozenset(w for f in forms for w in form_words(f)) - _JOINING
    long_forms = [tuple(w for w in form_words(f) if w not in _JOINING) for f in forms]
    long_forms = [f for f in long_forms if len(f) >= 2]
    candidates = []
    for start, end, text, words in _runs(target):
        if any(w in acronyms for w in words):
            return None  # "CSRC": the established acronym
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                if "".join(words[i:j]) in joined:
                    after = words[j] if j < len(words) else None
                    if after is None or after not in ORG_WORDS or after in own:
                        return None  # the established form, not run into another generic word
        if not long_forms or "".join(words) in others or any(w in others and w not in own for w in words):
            continue
        content = [w for w in words if w not in _JOINING]
        added = next((n for n in range(1, len(content)) if all(
            w in ORG_WORDS and w not in own and any(c in key for c in ORG_WORDS[w]) for w in content[n:])), None)
        if re.match(r"\s+(?:of|on|for)\s+[A-Z]", target[end:]):
            continue  # part of a longer name: "US Congress Committee on Foreign Affairs"
        # the whole of a form of two or more words (one word may be a letter off), then only generic words it lacks,
        # at the end where English puts them ("Party Central Committee" is 党 + 中央委员会: not this)
        if added is not None and any(len(f) == added and sum(w != p for w, p in zip(content, f)) <= 1 and all(
                _near(w, frozenset((p,))) for w, p in zip(content, f)) for f in long_forms):
            candidates.append(Rendering(start, end, text))
    # one rendering, or none: two candidates leave it unclear which one renders this name
    return candidates[0] if len({c.text for c in candidates}) == 1 else None
