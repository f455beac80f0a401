"""One translated name rendered two ways in one article: 国政基金会 written "National Policy Foundation" in one
sentence and "National Political Foundation" in a later one, 青山晚报 "Qingshan Evening News" then "Qinshan Evening
News", 中日节能环保综合论坛 "China-Japan Energy Conservation ... Forum" then "China-Japan Energy Saving ... Forum".

``article`` follows a transliterated name by its sound; the name of an organisation, a publication or an event is
translated, and has no sound to follow. What ties two renderings to one entity here is the source: both segments name
the same body (whole words that end in a generic part, 晚报, 基金会, 论坛, 委员会, recurring in the article), and
each target holds a capitalised run that renders that kind of body (its words hold "News", "Foundation", "Forum",
...) and that the other target lacks: the same name but for one word in four spelt or chosen differently. Two known
forms of one place (澳门 "Macau" and "Macao") in one article are the same slip, told by the lexicon.

No table of bodies is needed: the article itself tells which rendering the translation settled on first. A body the
curated tables know is checked against its established form before this (names_src's established-name checks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib.orgs import WEB_DOMAIN, trimmed_runs
from mtaudit.detectors.namelib.romanise import fold
from mtaudit.detectors.namelib.source_names import common_chinese_word, source_tokens
from mtaudit.detectors.namelib.zh_lexicon import keys_by_form

# The generic parts of the names of bodies, publications and events (the last characters of the source's name), each
# with the English words that render it. A source name must end in one of them, and both renderings must hold one of
# its words, so that the two runs compared render that kind of body.
GENERIC_PARTS = {
    "论坛": "forum", "峰会": "summit", "博览会": "expo exhibition fair", "研讨会": "seminar symposium conference",
    "研讨班": "seminar course class workshop", "大会": "congress conference assembly convention",
    "基金会": "foundation fund", "基金": "fund", "委员会": "committee commission council", "协会": "association society",
    "学会": "society association institute", "联合会": "federation union association", "商会": "chamber",
    "晚报": "news post evening", "日报": "daily news", "时报": "times", "周刊": "weekly magazine",
    "新闻网": "news network net website", "网": "network net web website online com news",
    "通讯社": "agency", "社": "agency service press society",
    "电视台": "tv television", "卫视": "tv television", "电台": "radio",
    "银行": "bank", "集团": "group", "公司": "company corporation co group", "交易所": "exchange",
    "大学": "university", "学院": "college academy institute school", "研究院": "academy institute",
    "研究所": "institute", "研究中心": "centre center institute", "中心": "centre center",
    "博物馆": "museum", "医院": "hospital", "法院": "court", "部": "ministry department",
    "局": "bureau administration authority office", "署": "administration agency office bureau",
    "办公室": "office", "办": "office", "厅": "department office", "党": "party",
    "政府": "government", "议会": "parliament council assembly", "理财": "wealth management financial",
}
_GENERIC_WORDS = frozenset(w for words in GENERIC_PARTS.values() for w in words.split()) | {"ltd", "inc", "limited"}
_SUFFIX = re.compile("(?:" + "|".join(sorted(GENERIC_PARTS, key=len, reverse=True)) + ")$")
LONGEST = 12  # characters: a longer run of words is a phrase (学习贯彻...精神研讨班), not a name
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Words that are not part of a name's identity: articles, joining words, ordinals ("16th"), possessives.
_JOINING = frozenset("the a an of and for on in at to".split())
_RUN = re.compile(r"[A-Z][\w'’&.]*(?:[ -](?:(?:of|and|for|on|the|in) )*[A-Z0-9][\w'’&.]*)*")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)?")


@dataclass(frozen=True)
class Run:
    """A capitalised run of a target segment: its span and its words as compared, each with where it ends."""

    segment: int
    start: int
    end: int
    text: str
    words: tuple[str, ...]
    ends: tuple[int, ...]

    @property
    def joined(self) -> str:
        return "".join(self.words)

    def up_to(self, n: int) -> Run:
        """The run cut after its ``n``-th word: "Energy Saving Forum" of "Energy Saving Forum Held in Beijing"."""
        end = self.ends[n - 1]
        return Run(self.segment, self.start, end, self.text[:end - self.start], self.words[:n], self.ends[:n])


@dataclass(frozen=True)
class TwoRenderings:
    """A later rendering of a source name that an earlier segment of the article rendered otherwise."""

    key: str       # the source's name: 扬子晚报
    odd: Run       # the later rendering, reported
    first: Run     # the article's first rendering, the suggestion


def body_names(source: str) -> set[str]:
    """The source's names of bodies, publications and events: every run of whole words (jieba's) of Chinese
    characters, three or more long, that ends in a generic part (``GENERIC_PARTS``), with every shorter ending of it
    in whole words (第十六届中日节能环保综合论坛 gives 中日节能环保综合论坛, 节能环保综合论坛, ...): an article names
    a body in full once and shorter after. Whole words keep 郑州局集团公司 and 广州局集团公司 from sharing 州局集团公司,
    and 研究院党委 (the party committee) from ending in 党."""
    out, bounds, at = set(), [], 0
    for word, tag in source_tokens(source):
        bounds.append((at, word, tag))
        at += len(word)
    for i, (end_at, word, tag) in enumerate(bounds):
        end = end_at + len(word)
        if not _SUFFIX.search(word) or tag.startswith(("v", "d", "a")) or not _HAN.fullmatch(word):
            continue  # not a generic part: 举办 "hold" ends in 办
        for start, first, first_tag in reversed(bounds[:i + 1]):
            if not _HAN.fullmatch(first) or end - start > LONGEST:
                break
            if end - start >= 3 and not first_tag.startswith(("v", "p", "u", "c", "d")):
                out.add(source[start:end])  # not from a verb, a preposition or a particle: 出席主论坛
    return out


def recurring_bodies(sources: list[str]) -> list[str]:
    """The body names that two or more source segments hold, longest first, without one that only ever occurs inside
    a longer recurring one. A generic part alone (论坛) or a name of three characters whose head is one character
    (本网, 该党) is not a body's name."""
    counts: dict[str, int] = {}
    for source in sources:
        for name in body_names(source):
            counts[name] = counts.get(name, 0) + 1
    recurring = [n for n, c in counts.items() if c >= 2 and len(n) - len(_SUFFIX.search(n).group()) >= 2
                 and len(n) <= LONGEST]
    recurring.sort(key=len, reverse=True)
    kept: list[str] = []
    for name in recurring:
        if not any(name in longer and counts[longer] == counts[name] for longer in kept):
            kept.append(name)
    return kept


def runs(segment: int, target: str) -> list[Run]:
    """The capitalised runs of ``target`` (joining words and ordinals inside), without a leading article or a
    trailing possessive, each with its folded words (hyphens split: "China-Japan" is china, japan)."""
    out = []
    for start, text in trimmed_runs(target, _RUN):
        words, ends = [], []
        for part in re.finditer(r"[^ \-/]+", text):
            word = fold(WEB_DOMAIN.sub("", part.group().rstrip("."))).replace(".", "")
            if word and word not in _JOINING and not _ORDINAL.fullmatch(word):
                words.append(word)
                ends.append(start + part.start() + len(part.group().rstrip(".")))
        if words:
            out.append(Run(segment, start, start + len(text), text, tuple(words), tuple(ends)))
    return out


def renderings_of(key: str, found: list[Run]) -> list[Run]:
    """The runs among ``found`` that may render the body ``key``, each cut after its last word for the key's generic
    part (English ends a body's name there too: "Energy Saving Forum Held in Beijing" is "Energy Saving Forum")."""
    wanted = set(GENERIC_PARTS[_SUFFIX.search(key).group()].split())
    out = []
    for run in found:
        last = max((n for n, w in enumerate(run.words, 1) if w in wanted), default=0)
        if last:
            out.append(run.up_to(last))
    return out


def differ(a: Run, b: Run) -> bool:
    """Two runs are one name rendered two ways: the same letters spaced or hyphenated otherwise ("Viet Nam",
    "Vietnam"), or two or more words alike but one in four (at least one), the shorter run compared with the end of
    the longer (English puts a qualifier in front: "Kuomintang National Political Foundation" and "National
    Government Foundation"). A run that holds the other's words ("Observation Network" in "Economic Observation
    Network") is the same name, shorter."""
    if a.words == b.words:
        return False
    if a.joined == b.joined:
        return _plain(a.text) != _plain(b.text)  # spaced or hyphenated otherwise, not "U.S." and "US"
    if set(a.words) <= set(b.words) or set(b.words) <= set(a.words):
        return False
    n = min(len(a.words), len(b.words))
    x_words, y_words = a.words[len(a.words) - n:], b.words[len(b.words) - n:]
    if n < 2:
        return False
    changed = [(x, y) for x, y in zip(x_words, y_words) if x != y]
    if any(_derived(x, y) for x, y in changed):
        return False  # "Chinese Communist Party" and "China Communist Party": a form of one word, not another name
    if all(x in _GENERIC_WORDS and y in _GENERIC_WORDS for x, y in changed):
        return False  # "Everbright Financial Co" and "Everbright Financial Management": the kind of body, said two
        # ways, not another name
    if len(changed) > max(1, n // 4):
        return False
    # a word changed at either end is a respelling ("Yangzi", "Yangtze"), not another head ("Beijing Intellectual
    # Property Court", "Guangzhou Intellectual Property Court") or a headline's verb ("Ministry of Foreign Affairs
    # Responds"), and two places are two bodies ("Zhengzhou Railway Bureau", "Guangzhou Railway Bureau"); inside the
    # name, a word chosen otherwise counts too ("National Political / Government Foundation")
    last, places = n - 1, keys_by_form("place", fold)
    return all((0 < i < last or Levenshtein.normalized_similarity(x, y) > 0.5) and not (x in places and y in places)
               for i, (x, y) in enumerate(zip(x_words, y_words)) if x != y)


_DERIVED = ("n", "an", "ian", "ese", "i", "s", "es", "ern")


def _derived(x: str, y: str) -> bool:
    """One word is the other's derived form or holds it whole: "China" and "Chinese", "Finance" and "Financial",
    "Leaders" and "Leadership", "SAR" and "HKSAR"."""
    short, long = sorted((x, y), key=len)
    stem = short[:-1] if short.endswith(("a", "e", "o", "y")) else short
    return long != short and (long.startswith(stem) or long.endswith(short)) and (
        long[len(stem):] in _DERIVED + ("",) or len(stem) >= 3)


def _plain(text: str) -> str:
    return re.sub(r"['’`.]", "", text.lower())


def _everyday(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= 4.0


def _present(run: Run, others: list[Run]) -> bool:
    """``run``'s name stands among ``others`` (the same words, or more of them around the same words)."""
    return any(set(run.words) <= set(o.words) for o in others)


_QUALIFIER_TAGS = ("uj", "ul", "p", "v", "c", "d", "m", "q", "x", "w", "r", "f")


def _qualifier(source: str, key: str) -> str | None:
    """The word before ``key``'s first occurrence in ``source`` when it is part of a longer name (a noun or a name,
    not 的, a verb or a number): 乳业 in 乳业专业委员会."""
    at, before, where = 0, None, source.find(key)
    for word, tag in source_tokens(source):
        if at == where:
            return before
        before = word if _HAN.fullmatch(word) and not tag.startswith(_QUALIFIER_TAGS) else None
        at += len(word)
    return None


def two_renderings(sources: list[str | None], targets: list[str]) -> list[TwoRenderings]:
    """The later renderings of the article's recurring body names that differ from their first rendering: for every
    recurring name, the segments whose source holds it in order; the first segment whose target holds a run that
    renders it sets the article's rendering; a later segment that lacks that rendering but holds a run that
    ``differ``s from it (one only) is reported, once per run."""
    usable = [i for i, s in enumerate(sources) if s and targets[i].strip()]
    keys = recurring_bodies([sources[i] for i in usable])
    all_runs = {i: runs(i, targets[i]) for i in usable}
    out, reported = [], set()
    for key in keys:
        holders = [i for i in usable if key in sources[i]]
        if common_chinese_word(key[:-len(_SUFFIX.search(key).group())]) and \
                len({q for q in (_qualifier(sources[i], key) for i in holders) if q}) > 1:
            continue  # 专业委员会 "professional committee" names no body alone: 乳业专业委员会 and 防疫专业委员会 are two
        first: list[Run] = []
        for i in holders:
            mine = renderings_of(key, all_runs[i])
            if not first:
                first = mine
                continue
            odd = [(r, f) for r in mine for f in first if differ(f, r) and not _present(f, all_runs[i])
                   and not _present(r, first)]
            texts = {r.text for r, _ in odd}
            if len(texts) != 1:
                continue  # none, or several runs that each could be the name: unclear
            r, f = odd[0]
            if (r.segment, r.start) not in reported:
                reported.add((r.segment, r.start))
                out.append(TwoRenderings(key, r, f))
    return out


def known_forms_mixed(renderings) -> list[tuple[object, object]]:
    """(later rendering, first rendering) for every source name (a place, mostly) that the article writes with two of
    its known forms in different segments ("Macau", then "Macao"), once per article and name: both forms are right,
    the mix is the slip. ``renderings`` are ``article.Rendering``s in document order."""
    first, out = {}, {}
    for r in renderings:
        if not r.known or r.key in out:
            continue
        seen = first.setdefault(r.key, r)
        a, b = fold(seen.text), fold(r.text)
        if seen.segment == r.segment or _plain(seen.text) == _plain(r.text):
            continue  # the same form, but for case, apostrophes or full stops ("Yan'an", "Yan’an")
        spaced = a == b  # "Viet Nam" and "Vietnam"
        # one letter or two changed, not a word and its derived form ("Russia", "Russian"; "Canada", "Canadian";
        # "France", "French": an everyday English word)
        if spaced or min(len(a), len(b)) >= 4 and abs(len(a) - len(b)) <= 1 and not (
                a.startswith(b) or b.startswith(a)) and Levenshtein.normalized_similarity(a, b) >= 0.6 and \
                not _everyday(a) and not _everyday(b):
            out[r.key] = (r, seen)
    return list(out.values())
