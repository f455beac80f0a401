"""Person names in the target: one person spelt several ways, surnames never introduced, two names fused."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from mtaudit.detectors.base import Detector
from mtaudit.core.options import switch
from mtaudit.detectors.namelib import stats
from mtaudit.detectors.namelib.glossary import load_glossary
from mtaudit.detectors.namelib.lexicon import PARTICLES, cues
from mtaudit.detectors.namelib.mentions import Run, sentence_runs, without_article
from mtaudit.detectors.namelib.romanise import same_name
from mtaudit.core.document import Category, Document, Sentence, Severity

_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")


@dataclass
class Cast:
    """Who a document names: the people introduced with full names, and the bare names around them."""

    runs: list[Run]
    full: list[Run] = field(default_factory=list)           # full names, fused ones removed
    fused: list[Run] = field(default_factory=list)          # "Putin Ji": two names run together
    introduced: dict[str, list[Run]] = field(default_factory=dict)  # surname -> its full names
    known: set[str] = field(default_factory=set)            # every word of a full name, and names after a capital
    titled: set[str] = field(default_factory=set)           # bare names after a title: "President Moon"
    count: Counter = field(default_factory=Counter)         # surname -> mentions as a person
    persons: set[str] = field(default_factory=set)          # surnames the document establishes as persons
    evidenced: set[str] = field(default_factory=set)        # surnames seen with a title or a speech verb

    @classmethod
    def of(cls, runs: list[Run]) -> "Cast":
        cast = cls(runs)
        candidates = [r for r in runs if len(r.words) >= 2]
        fused = set(map(id, _fused_runs(candidates)))
        cast.fused = [r for r in candidates if id(r) in fused]
        cast.full = [r for r in candidates if id(r) not in fused]
        introduced = defaultdict(list)
        for r in cast.full:
            introduced[r.surname].append(r)
        cast.introduced = dict(introduced)
        cast.known = {w for r in cast.full for w in r.words}
        cast.known |= {without_article(w) for w in cast.known}
        # a name right after a capitalised word the statistics took for a common word: "Mark Hollis"
        cast.known |= {r.words[0] for r in runs if len(r.words) == 1 and r.after_capital}
        cast.titled = {r.words[0] for r in runs if len(r.words) == 1 and r.titled}
        cast.count = Counter(r.surname for r in cast.full)
        for r in runs:
            if len(r.words) == 1 and (r.words[0] in introduced or r.words[0] in cast.titled):
                cast.count[r.words[0]] += 1
        cast.persons = {w for w in cast.count if w in introduced or w in cast.titled}
        cast.evidenced = {r.surname for r in runs if r.titled or r.speaks} | cast.titled
        return cast


def _fused_runs(full: list[Run]) -> list[Run]:
    """Two-word "full names" that are two people: "Putin Ji" where the document knows "Vladimir Putin"."""
    western_count = Counter(r.surname for r in full if not r.eastern)
    any_count = Counter(r.surname for r in full)
    # word pairs inside longer names and reversed two-word names: "Javier Tebas Llanas" makes "Tebas Llanas" a
    # name, "Yamaguchi Shun" makes "Shun Yamaguchi" one
    pairs = Counter()
    for r in full:
        if len(r.words) > 2:
            pairs.update(zip(r.words, r.words[1:]))
        else:
            pairs[(r.words[1], r.words[0])] += 1
    out = []
    for r in full:
        if len(r.words) != 2:
            continue
        a, b = r.words
        if a == b or pairs[(a, b)] or not stats.name_shaped(b):
            continue
        if r.eastern:  # "Xi Jinping" is one name; "Xi Putin", two surnames of other full names, is two
            fused = any_count[b] - (r.surname == b) > 0 and any_count[a] - (r.surname == a) > 0
        else:  # "Vladimir Putin" is one name; "Putin Ji", with Putin a surname elsewhere, is two
            a_is_surname = western_count[a] - (r.surname == a) > 0 or (
                stats.famous(a, general=False) and stats.western_surname(a))
            fused = a_is_surname and not stats.given_name(a) and not _SUFFIX.match(b)
        if fused:
            out.append(r)
    return out


class NamesDetector(Detector):
    """Person names in the target: minority spellings of one person ("Ji" and "Shi" beside "Xi"), bare surnames the
    article never introduces ("Hu and Xi agreed"), two names fused into one ("Putin Ji supports ..."), one name in
    both orders ("Jinping Xi"), and spellings a name glossary marks as wrong.

    Mentions are found without a tagger: runs of capitalised words that news statistics (name_stats.tsv, built from
    WMT news) and wordfreq say are proper nouns, minus places and organisations (gazetteer.txt and the statistics),
    with titles ("President", "Mr", "adviser") and speech verbs ("said", "quoted ... as saying") as evidence of a
    person. A full name introduces its surname for the rest of the document ("Xi Jinping" -> "Xi",
    "Vladimir Putin" -> "Putin"); the order is read from the shape of the name (pinyin and Korean surnames first).
    """

    name = "names"
    categories = (Category.MISTRANSLATION, Category.INCONSISTENCY)
    options = {
        "glossary": "CSV (term,variant1,variant2,...) or TBX file of canonical name spellings; listed variants are "
                    "flagged with the canonical form as suggestion",
        "orphans": "flag bare surnames used as a person that the document never introduces (true/false)",
    }
    glossary: str | None = None
    orphans: bool = True

    def detect(self, doc: Document):
        wrong = load_glossary(str(self.glossary)) if self.glossary else {}
        lex = cues(doc.target_lang)  # the target language's person cues (detectors/data/<code>/names.toml)
        cast = Cast.of([run for sentence in doc.sentences() for run in sentence_runs(sentence, lex)])
        if lex.common_zipf is not None:
            # German inflects names ("Bushs Rede", "des Walkmans"): a name plus -s or -es is the same name
            cast.known |= {w + suffix for w in cast.known for suffix in ("s", "es", "'")}
        found = _Findings(self)
        self._glossary(doc, wrong, found)
        variant_of = self._variants(cast, wrong, found, inflecting=lex.common_zipf is not None)
        self._fused(cast, variant_of, found)
        self._name_order(cast, found)
        if switch(self.orphans) and lex.common_zipf is None:
            # not where every noun is capitalised: a bare capitalised word there is too often a noun
            self._orphans(cast, wrong, variant_of, found)
        order = {id(segment): i for i, segment in enumerate(doc.segments)}
        return sorted(found.out, key=lambda pair: (order[id(pair[0].segment)], pair[0].index, pair[1].start))

    def _glossary(self, doc: Document, wrong: dict[str, str], found: "_Findings") -> None:
        """Any listed wrong spelling, whether or not it looks like a name."""
        if not wrong:
            return
        pattern = _glossary_pattern(tuple(sorted(wrong, key=len, reverse=True)))
        for sentence in doc.sentences():
            for m in pattern.finditer(sentence.text):
                variant, canonical = m.group(), wrong[m.group()]
                found.add(sentence, m.start(), m.end(),
                          f"“{variant}” is a wrong spelling of “{canonical}” according to the glossary.",
                          canonical, 0.95)

    def _variants(self, cast: Cast, wrong: dict[str, str], found: "_Findings",
                  inflecting: bool = False) -> dict[str, tuple[float, str]]:
        """Spellings never introduced that match a more frequent person's surname; returns word -> (score, form).

        ``inflecting``: the target language adds endings to names and nouns (German "Hurstons", "Raumsonden"), so a
        word that differs from a person's name by an ending is the same word, and a very long word is a compound
        noun, not a name."""
        candidates: list[tuple[Run, int]] = []  # (run, index of the bare name in run.tokens)
        for r in cast.runs:
            if len(r.words) == 1 and r.words[0] not in cast.known:
                candidates.append((r, next(i for i, t in enumerate(r.tokens) if t.text == r.words[0])))
        for r in cast.fused:
            candidates.append((r, len(r.tokens) - 1))
        variant_of: dict[str, tuple[float, str]] = {}
        for word in {r.tokens[i].text for r, i in candidates}:
            if word in wrong or word in cast.persons or stats.famous(word, general=False):
                continue  # "Buhari" beside "Bahari" is the president, not a typo
            if inflecting and len(word) > _LONGEST_NAME:
                continue
            best = max(((same_name(word, k), k) for k in cast.persons
                        if k != word and cast.count[k] > cast.count.get(word, 0)
                        and not (inflecting and _inflected(word, k))), default=(0.0, ""))
            if best[0] > 0:
                variant_of[word] = best

        fused = set(map(id, cast.fused))
        for r, i in candidates:
            tok = r.tokens[i]
            if tok.text in variant_of and id(r) not in fused:
                similarity, dominant = variant_of[tok.text]
                evidence = r.speaks or r.titled or any(n.words and n.words[-1] in cast.persons for n in r.neighbours)
                found.add(r.sentence, tok.start, tok.end, _variant_message(tok.text, dominant, cast), dominant,
                          round(similarity * (1.0 if evidence else 0.9), 2))
        self._full_name_variants(cast, found, inflecting)
        return variant_of

    def _full_name_variants(self, cast: Cast, found: "_Findings", inflecting: bool = False) -> None:
        """"Shi Jinping" beside "Xi Jinping" (same given name), "Xi Jinpin" beside "Xi Jinping" (same surname)."""
        by_given = defaultdict(set)
        given_count = Counter()
        for r in cast.full:
            if r.given:
                by_given[r.given].add(r.surname)
                given_count[(r.surname, r.given)] += 1
        by_surname = defaultdict(set)
        for surname, given in given_count:
            by_surname[surname].add(given)
        for r in cast.full:
            if not r.given:
                continue
            for other in by_given[r.given]:
                if inflecting and _inflected(r.surname, other):
                    continue
                if cast.count[other] > cast.count[r.surname] and same_name(r.surname, other) > 0:
                    tok = next(t for t in r.tokens if t.text == r.surname)
                    found.add(r.sentence, tok.start, tok.end, _variant_message(r.surname, other, cast), other, 0.9)
                    break
            if len(r.given) != 1:
                continue
            for other in by_surname[r.surname]:
                times = given_count[(r.surname, other)]
                if len(other) == 1 and times > given_count[(r.surname, r.given)] \
                        and same_name(r.given[0], other[0]) > 0:
                    tok = next(t for t in r.tokens if t.text == r.given[0])
                    found.add(r.sentence, tok.start, tok.end,
                              f"“{r.text}” looks like another spelling of “{_full_form(r, other[0])}” (written that "
                              f"way {_times(times)} in this article); MT often respells transliterated names.",
                              other[0], 0.85)
                    break

    def _fused(self, cast: Cast, variant_of: dict[str, tuple[float, str]], found: "_Findings") -> None:
        for r in cast.fused:
            a, b = r.words
            fix = variant_of.get(b)
            second = fix[1] if fix else b
            note = f"; “{b}” is probably a misspelling of “{second}”" if fix else ""
            found.add(r.sentence, r.start, r.end,
                      f"Two person names run together: “{a}” and “{b}”{note}. A separator or a word was probably "
                      f"lost in translation (e.g. “{a}: {second} ...” or “{a} and {second}”).",
                      None, 0.85 if fix else 0.7)

    def _name_order(self, cast: Cast, found: "_Findings") -> None:
        """One name written in both orders ("Xi Jinping" and "Jinping Xi"): the minority order is flagged."""
        order = Counter(tuple(r.words) for r in cast.full if len(r.words) == 2)
        for r in cast.full:
            words = tuple(r.words)
            if len(words) != 2:
                continue
            reverse = (words[1], words[0])
            if order[reverse] > order[words] or (order[reverse] == order[words] and reverse < words and r.eastern):
                found.add(r.sentence, r.start, r.end,
                          f"“{r.text}” is written “{' '.join(reverse)}” elsewhere in this article "
                          f"({_times(order[reverse])}); keep one name order.", " ".join(reverse), 0.8,
                          Category.INCONSISTENCY, Severity.MINOR)

    def _orphans(self, cast: Cast, wrong: dict[str, str], variant_of: dict, found: "_Findings") -> None:
        """Bare surnames used as a person (a speech verb, "and" with a person) that nothing introduces."""
        given_names = {g for r in cast.full for g in r.given}
        fused = set(map(id, cast.fused))
        for r in cast.runs:
            if len(r.words) != 1 or id(r) in fused or r.attached or r.place_context:
                continue
            word = r.words[0]
            if (word in cast.known or word in cast.titled or word in variant_of or word in given_names
                    or word in wrong or word in wrong.values() or stats.famous(word) or stats.given_name(word)):
                continue
            coordinated = any(n.titled or n.speaks or n.surname in cast.evidenced or stats.famous(n.surname)
                              for n in r.neighbours)
            if not (r.speaks or coordinated):
                continue
            tok = next(t for t in r.tokens if t.text == word)
            if r.sentence.text[:tok.start].split()[-1:] in ([p] for p in PARTICLES):
                continue  # "von der Leyen", "bin Salman": the surname with its particles, the form news repeats
            found.add(r.sentence, tok.start, tok.end,
                      f"“{word}” is used as a person's name, but the article never introduces anyone called {word} "
                      f"with a full name; MT may have garbled or invented the name. Check it against the source.",
                      None, 0.75 if cast.full else 0.5)


class _Findings:
    """The detector's findings, at most one per word: the first, most specific check to claim a word keeps it."""

    def __init__(self, detector: Detector):
        self.detector = detector
        self.out: list[tuple[Sentence, object]] = []
        self.claimed: set[tuple[int, int]] = set()

    def add(self, sentence: Sentence, start: int, end: int, message: str, suggestion=None, confidence=1.0,
            category: str = Category.MISTRANSLATION, severity: Severity = Severity.MAJOR):
        key = (id(sentence), start)
        if key not in self.claimed:
            self.claimed.add(key)
            self.out.append(self.detector.finding(sentence, start, end, category, severity, message, suggestion,
                                                  confidence))


@lru_cache(maxsize=8)
def _glossary_pattern(variants: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v) for v in variants) + r")(?![\w-])")


# Inflectional endings of German names and nouns, and the longest word taken for a name where compounds abound.
_ENDINGS = ("s", "es", "n", "en", "e", "er", "ern", "ns", "'")
_LONGEST_NAME = 14


def _inflected(a: str, b: str) -> bool:
    """One word is the other plus an inflectional ending ("Hurstons"/"Hurston", "Raumsonden"/"Raumsonde")."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short):] in _ENDINGS


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _full_form(run: Run, given: str) -> str:
    return f"{run.surname} {given}" if run.eastern else f"{given} {run.surname}"


def _variant_message(variant: str, dominant: str, cast: Cast) -> str:
    intro = cast.introduced.get(dominant)
    where = f", introduced as “{intro[0].text}”" if intro else ""
    return (f"“{variant}” looks like another spelling of “{dominant}” (used {_times(cast.count[dominant])} in this "
            f"article{where}); MT often respells transliterated names. Use “{dominant}” if this is the same person.")
