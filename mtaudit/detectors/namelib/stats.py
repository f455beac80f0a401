"""Word statistics that tell names from capitalised common words, places and organisations (loaded once)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from wordfreq import zipf_frequency

from mtaudit.detectors.namelib.lexicon import CHINESE_SURNAMES, KOREAN_SURNAMES

# Below this Zipf frequency a capitalised word unknown to the news statistics is taken for a name: "Ushakov",
# "Metzl" and the like are rare as words, while capitalised common words ("Currently", "Pressure") are not.
RARE_WORD_ZIPF = 3.3
# The first word of a sentence is capitalised anyway, so an unknown one must be rarer to count as a name.
RARE_INITIAL_ZIPF = 2.0
# A bare surname readers are expected to know without an introduction: seen this often in the news statistics...
FAMOUS_MIN_COUNT = 100
# ...and used as a person in at least this share of those mentions. Surnames shared by millions (Li, Kim, Wang) need
# the stricter share, so that "Li said" is only let through when the statistics say which Li.
FAMOUS_PERSON_SHARE = 0.05
FAMOUS_PERSON_SHARE_COMMON_SURNAME = 0.3
# ...or a name so frequent in general English (wordfreq) that readers know it: "Darwin", "Gandhi", "Freud". Not for
# East Asian surnames, which are frequent because millions share them.
FAMOUS_WORD_ZIPF = 3.4


@dataclass(frozen=True)
class WordStats:
    cap: int
    low: int
    person: int
    place: int
    the: int
    alone: int
    first: int
    last: int

    @property
    def placeish(self) -> bool:
        """Used after "in/at/from" or "the" far more than as a person: a place or an organisation."""
        place = (self.place + self.the) / self.cap
        return self.place + self.the >= 5 and place >= 0.25 and place > 3 * self.person / self.cap

    @property
    def given_name(self) -> bool:
        """Mostly the first word of a longer name and rarely alone: "Vladimir", "Joe"."""
        return self.first > 2 * (self.last + self.alone)


@lru_cache(maxsize=1)
def table() -> dict[str, WordStats]:
    out = {}
    text = resources.files("mtaudit.detectors").joinpath("data/name_stats.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        word, *counts = line.split("\t")
        out[word] = WordStats(*map(int, counts))
    return out


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], tuple[str, ...]]:
    """(single words, multi-word phrases longest first) that are never a person."""
    text = resources.files("mtaudit.detectors").joinpath("data/gazetteer.txt").read_text(encoding="utf-8")
    entries = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    words = frozenset(e for e in entries if " " not in e)
    phrases = tuple(sorted((e for e in entries if " " in e), key=len, reverse=True))
    return words, phrases


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str = "en") -> float:
    return zipf_frequency(word.lower(), lang)


@lru_cache(maxsize=200_000)
def proper(word: str) -> bool:
    """True when a capitalised ``word`` is probably a proper noun rather than a capitalised common word."""
    return _rarer_than(word, RARE_WORD_ZIPF)


@lru_cache(maxsize=200_000)
def proper_initial(word: str) -> bool:
    """``proper`` for the first word of a sentence, where every word is capitalised: stricter for unknown words."""
    return _rarer_than(word, RARE_INITIAL_ZIPF)


def _rarer_than(word: str, zipf_limit: float) -> bool:
    """A name by the statistics, or a word rarer than ``zipf_limit``; never an acronym (organisations, not persons)."""
    if len(word) > 1 and word.isupper():
        return False
    if word in table():
        return True
    return zipf(word) < zipf_limit


@lru_cache(maxsize=200_000)
def not_person(word: str) -> bool:
    """A place, organisation, demonym or calendar word by the gazetteer or the statistics."""
    if word in gazetteer()[0]:
        return True
    entry = table().get(word)
    return bool(entry and entry.placeish)


@lru_cache(maxsize=50_000)
def famous(word: str, general: bool = True) -> bool:
    """A surname the news uses bare without introducing the person ("Putin", "Trump", "Xi").

    ``general=False`` asks the news statistics only, not general word frequency (which also knows "Kelly" and
    "Duncan" as first names).
    """
    entry = table().get(word)
    common = word in CHINESE_SURNAMES or word in KOREAN_SURNAMES
    if entry and entry.placeish:
        return False
    if general and not common and zipf(word) >= FAMOUS_WORD_ZIPF:
        return True
    if not entry or entry.cap < FAMOUS_MIN_COUNT:
        return False
    share = entry.person / entry.cap
    return share >= (FAMOUS_PERSON_SHARE_COMMON_SURNAME if common else FAMOUS_PERSON_SHARE)


def name_shaped(word: str) -> bool:
    """Known to the news statistics as a name, or too rare to be a common word ("Prefecture" is neither)."""
    entry = table().get(word)
    if entry and (entry.person > 0 or 2 * entry.low < entry.cap):
        return True
    return zipf(word) < 2.5


def western_surname(word: str) -> bool:
    """The statistics see the word last in names or alone, almost never first: "Putin", not "Martin" or "James"."""
    entry = table().get(word)
    return bool(entry and entry.first * 5 < entry.last + entry.alone)


def given_name(word: str) -> bool:
    entry = table().get(word)
    return bool(entry and entry.given_name)
