"""A known organisation rendered by another one's name, or by a rendering of its own that is not its English name.

The curated tables (``namelib/entities.py``) give each medium, regulator, organ or company its established English
name. MT, lacking it, either puts a better-known body of the same kind in its place ("Xinhua" for 中新网, the China
News Service; "SEC" for 证监会, the CSRC) or renders the name afresh, keeping a word of the English name and
translating the rest ("Economic Observation Newspaper" for 经济观察报, the Economic Observer; "Yangzi Evening News" for
扬子晚报, the Yangtse Evening Post). Both are findings against the source; the word-by-word rendering that runs the
whole English name into a generic word ("China News Network") is ``orgs.established_form_missed``'s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mtaudit.detectors.namelib import orgs
from mtaudit.detectors.namelib.article import GENERIC_WORDS, find_words
from mtaudit.detectors.namelib.entities import CuratedEntity, curated
from mtaudit.detectors.namelib.romanise import fold
from mtaudit.detectors.namelib.zh_lexicon import keys_by_form

# Words too common in organisation names to tell one from another ("China Daily", "China News Service").
_SHARED_WORDS = frozenset(GENERIC_WORDS | frozenset(orgs.ORG_WORDS) | frozenset(
    "china chinese hong kong macao macau taiwan singapore national people's peoples world global international "
    "asian asia european federal royal state public central new the economic financial business "
    "news securities exchange stock market commission bank university".split()))


# The tables whose names are brands, not descriptions: a ministry or an organ has several fair English renderings
# ("State Immigration Administration" for the National Immigration Administration), an outlet, a university or a
# company has one.
FRESH_TABLES = frozenset({"media.tsv", "universities.tsv", "companies.tsv"})
# The tables whose bodies MT swaps for a better-known one of the same kind ("Xinhua" for 中新网, "SEC" for 证监会);
# party and state organs are left out: "CPC" stands beside most of them ("the CPC International Liaison Department").
SWAP_TABLES = frozenset({"media.tsv", "exchanges.tsv", "universities.tsv", "companies.tsv"})
_JOINING = frozenset(("of", "and", "for", "the"))
# Party bodies, foundations and other organs have one English name too: their head translated word by word ("National
# Affairs Foundation" for the KMT's National Policy Foundation) is checked, not their fresh renderings.
HEAD_TABLES = frozenset({"organs.tsv"})
# The English words of organisations' generic parts (Foundation, Association, Academy ...: ``orgs.GENERIC``).
_GENERIC_PARTS = frozenset(fold(w) for words in orgs.GENERIC.values() for w in words.split() if w[:1].isupper())


@dataclass(frozen=True)
class OtherName:
    """A span of the target that names another known body, or renders this one afresh."""

    start: int
    end: int
    text: str
    other: str | None     # the other body's key (新华社) when the span is its name; None for a fresh rendering


@lru_cache(maxsize=1)
def bodies_by_form() -> dict[str, tuple[tuple[str, str], ...]]:
    """A curated form run together and folded ("xinhua", "sec") -> the (key, table) pairs that have it."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in curated().values():
        if row.kind != "org":
            continue
        for form in row.forms:
            out.setdefault(orgs.joined_form(form), []).append((row.key, row.table))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def form_present(target: str, row: CuratedEntity) -> bool:
    """One of the row's forms stands in the target as whole words, case aside, or run together in one word
    ("Chinanews.com" for China News, "ChinaNews")."""
    if any(find_words(target, form) is not None for form in row.forms):
        return True
    joined = {orgs.joined_form(f) for f in row.forms}
    return any(orgs.joined_form(w) in joined for w in re.findall(r"[\w'’.&-]+", target))


def _head(key: str) -> str:
    return key[:2]


def _parts_in(source: str, chars: set[str]) -> bool:
    """Two of ``chars`` (one, when there is only one) stand in the source."""
    return sum(c in source for c in chars) >= min(2, len(chars))


def wrong_body(target: str, source: str, article_source: str, row: CuratedEntity) -> OtherName | None:
    """The span of ``target`` that is the name of another body of the row's table (media for media, regulators for
    regulators) which the source does not name, where the row's own forms are absent: "Xinhua" for 中新网.

    Left alone: a body whose key, or the first two characters of it (新华 of 新华社: 新华财经 is a Xinhua outlet), the
    segment's source holds; and a body that is this one of a place the article names (香港证监会 is the SFC: in an
    article about Hong Kong, 证监会 may be it)."""
    if row.table not in SWAP_TABLES or form_present(target, row):
        return None
    found = []
    for start, end, text, words in orgs._runs(target):
        for j in range(len(words), 0, -1):
            joined = "".join(words[:j])
            owners = [(k, t) for k, t in bodies_by_form().get(joined, ()) if k != row.key]
            if not owners or any(k == row.key for k, _ in bodies_by_form().get(joined, ())):
                continue
            if any(k in source or _head(k) in source or _parts_in(source, set(k) - set(row.key)) for k, _ in owners) \
                    or text in source:
                break  # the source names that body, or two characters of it that this one lacks (国共: KMT and CPC)
            if any(k.endswith(row.key) and k[:-len(row.key)] in article_source for k, _ in owners):
                break
            same_kind = [k for k, t in owners if t == row.table]
            if same_kind:
                span = " ".join(text.split()[:j]) if " " in text else text
                span = re.sub(r"['’]s$", "", span)
                found.append(OtherName(start, start + len(span), span, same_kind[0]))
            break
    return found[0] if len({f.other for f in found}) == 1 else None


def fresh_rendering(target: str, row: CuratedEntity, others: frozenset[str]) -> OtherName | None:
    """The one capitalised run of ``target`` that renders the row's body afresh: it keeps a distinctive word of an
    English form, or a word of its stem ("Evening" of "Yangtse Evening Post"; "Observation" of "Economic Observer":
    "Economic" is too common to tell), adds words no form has ("Yangzi", "News", "Network") and holds a generic word
    of organisations, or that is a form with its distinctive word translated ("Free Times" for the Liberty Times),
    with the row's forms absent.
    ``others`` holds the folded forms of the segment's other names: a run holding one of them renders that name."""
    if row.table not in FRESH_TABLES | HEAD_TABLES or form_present(target, row):
        return None
    own = {w for f in row.forms for w in orgs.form_words(f)}
    forms = [[w for w in orgs.form_words(f) if w not in _JOINING] for f in row.forms]
    places = keys_by_form("place", fold)
    # a place's name tells the body from others of its place no better than "China" does ("Hunan Television")
    distinctive = {w for w in own if w not in _SHARED_WORDS and len(w) >= 4 and w not in places}
    if not distinctive:
        return None
    candidates = []
    for start, end, text, words in orgs._runs(target):
        content = [w for w in words if w not in _JOINING]
        if len(content) < 2 or any(w in others for w in content) or "".join(content) in others:
            continue
        shared = [w for w in content if w in distinctive or w not in _SHARED_WORDS and _one_off(w, distinctive)]
        # words of a place name added ("China News of Inner Mongolia") give the body's branch, not another name
        added = [w for w in content if w not in own and not _one_off(w, own) and w not in places]
        if any(_generic_swap(content, form) for form in forms):
            continue  # "Yangtze Evening News", "China's Aerospace Science and Technology Group": a fair variant
        if row.table in FRESH_TABLES and shared and added and any(_generic(w) for w in content) and \
                not bodies_by_form().get("".join(content)):
            candidates.append(_trimmed(start, text, own))
        elif any(_head_translated(content, form, places, own) for form in forms):
            candidates.append(OtherName(start, end, text, None))
    return candidates[0] if len({c.text for c in candidates}) == 1 else None


def _head_translated(content: list[str], form: list[str], places, own: set[str]) -> bool:
    """``content`` is ``form`` with its distinctive word, and only it, replaced by another that is no place: the
    name's head translated word by word instead of the outlet's own word ("Free Times" for 自由时报, the Liberty
    Times), its generic words kept."""
    if len(content) != len(form) or len(form) < 2:
        return False
    changed = [(a, b) for a, b in zip(content, form) if a != b]
    return len(changed) == 1 and not _generic(changed[0][0]) and not _generic(changed[0][1]) and \
        changed[0][1] not in _SHARED_WORDS and changed[0][0] not in places and changed[0][1] not in places and \
        changed[0][0] not in own and any(_generic(w) or w in _GENERIC_PARTS for w in content)


def _generic(word: str) -> bool:
    return word in orgs.ORG_WORDS or word == "news"


def _generic_swap(content: list[str], form: list[str]) -> bool:
    """``content`` is ``form`` with generic words of organisations swapped for others ("News" for "Post")."""
    return len(content) == len(form) and content != form and all(
        a == b or _generic(a) and _generic(b) for a, b in zip(content, form))


def _trimmed(start: int, text: str, own: set[str]) -> OtherName:
    """The run cut after its last word that belongs to the name (a word of its forms or a generic word of
    organisations): "Economic Observation Newspaper" of "Economic Observation Newspaper Reporter Chen"."""
    words = list(re.finditer(r"[^\s-]+", text))
    last = max((i for i, m in enumerate(words) if (w := fold(re.sub(r"['’]s$", "", m.group()).rstrip(".")))
                in orgs.ORG_WORDS or w == "news" or w in own or _one_off(w, own)), default=len(words) - 1)
    text = text[:words[last].end()]
    return OtherName(start, start + len(text), text, None)


def _one_off(word: str, words) -> bool:
    """One letter off a word of five letters or more ("Observe" for "Observer"), or of one stem with it (the same
    first five letters: "Observation" for "Observer")."""
    from rapidfuzz.distance import Levenshtein

    return len(word) >= 5 and any(len(w) >= 5 and (Levenshtein.distance(word, w) <= 1 or w[:5] == word[:5])
                                  for w in words)
