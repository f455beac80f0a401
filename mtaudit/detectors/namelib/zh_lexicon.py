"""The zh->en proper-noun lexicon (``data/zh_en_lexicon.tsv``, built by tools/build_lexicon.py), loaded once, lazily."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable

LEXICON_FILE = "data/zh_en_lexicon.tsv"


@dataclass(frozen=True)
class Entry:
    """One Chinese proper noun: what it names and how English writes it."""

    key: str                  # simplified Chinese: "布林肯"
    kind: str                 # "person", "place", "org" or "other"
    forms: tuple[str, ...]    # accepted English forms, preferred first: ("Blinken", "Antony Blinken")
    foreign: bool             # no form is the key's plain pinyin: pinyin in the target is a garbled name
    common: bool              # the key is also a common word (朝阳 "morning sun"): needs a name tag to count
    domestic: bool = False    # a place in China: English often writes its pinyin even when a local form exists


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, Entry]
    longest: int
    foreign_chars: dict[str, float]   # character -> log-odds that a name using it is a transliterated foreign name

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def foreignness(self, name: str) -> float:
        """Mean log-odds over the characters of ``name`` that it transliterates a foreign name (> 0: foreign)."""
        chars = [c for c in name if c != "·"]
        return sum(self.foreign_chars.get(c, 0.0) for c in chars) / max(len(chars), 1)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    text = resources.files("mtaudit.detectors").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    entries = {}
    foreign, native = Counter(), Counter()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, kind, forms, flags, _source = line.split("\t")
        entry = Entry(key, kind, tuple(forms.split("|")), "f" in flags, "c" in flags, "d" in flags)
        entries[key] = entry
        if kind == "person":  # people only: place names bring their generic characters (县, 岛, 族)
            (foreign if entry.foreign else native).update(key.replace("·", ""))
    n_foreign, n_native = sum(foreign.values()) or 1, sum(native.values()) or 1
    odds = {c: math.log((foreign[c] + 0.5) / n_foreign) - math.log((native[c] + 0.5) / n_native)
            for c in set(foreign) | set(native)}
    entries.update(_curated_entries(entries))
    return Lexicon(entries, max(map(len, entries), default=0), odds)


def _curated_entries(generated: dict[str, Entry]) -> dict[str, Entry]:
    """The curated tables' rows (``namelib/entities.py``) as lexicon entries; they replace the generated entry of
    their key (its forms come from a dictionary gloss: 绿营 "Green Standard Army" is the Qing army, the pan-Green camp
    in Taiwan news). Their characters stay out of the foreignness statistics, which describe the dictionary's
    people."""
    from pypinyin import lazy_pinyin

    from mtaudit.detectors.namelib.entities import curated
    from mtaudit.detectors.namelib.romanise import fold

    out = {}
    for key, row in curated().items():
        reading = "".join(lazy_pinyin(key, errors="ignore"))
        forms = _with_surnames(row.forms) if row.kind == "person" else row.forms
        foreign = not any(fold(form) == reading for form in forms)
        old = generated.get(key)
        out[key] = Entry(key, row.kind, forms, foreign, bool(old and old.common), bool(old and old.domestic))
    return out


def _with_surnames(forms: tuple[str, ...]) -> tuple[str, ...]:
    """A person's forms and the surname news repeats alone after the first mention: the word before a hyphenated
    given name ("Lai" of "Lai Ching-te"), the first of three words starting with a Chinese surname ("Ho" of "Ho Iat
    Seng"), else the last word ("Ma" of "Jack Ma")."""
    from mtaudit.detectors.namelib.lexicon import CHINESE_SURNAMES

    out = list(forms)
    for form in forms:
        words = form.split()
        if "-" in words[-1] and len(words) >= 2:
            out.append(words[-2])  # "Lai Ching-te", "John Lee Ka-chiu"
        elif len(words) == 3 and words[0] in CHINESE_SURNAMES:
            out.append(words[0])  # "Ho Iat Seng"
        elif len(words) >= 2:
            out.append(words[-1])  # "Jack Ma", "Fernando Chui"
    # a short word stands alone only when it is a surname ("Ma", "Ho"), not "On" of "Chui Sai On"
    return tuple(dict.fromkeys(f for f in out if f in forms or len(f) > 2 or f in CHINESE_SURNAMES))


@lru_cache(maxsize=None)
def keys_by_form(kind: str, key: Callable[[str], str]) -> dict[str, str]:
    """``key(form)`` of every English form of the lexicon's names of ``kind`` -> the name's Chinese key (the first
    entry that gives it): which place or organisation an English form stands for. ``key`` is a module-level function
    (it is part of the cache key)."""
    out: dict[str, str] = {}
    for entry in lexicon().entries.values():
        if entry.kind == kind:
            for form in entry.forms:
                out.setdefault(key(form), entry.key)
    return out

