"""Person names in the target: one person spelt several ways, surnames never introduced, two names fused."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from mtaudit.detectors.base import Detector
from mtaudit.detectors.namelib import enabled, stats
from mtaudit.detectors.namelib.glossary import load_glossary
from mtaudit.detectors.namelib.mentions import Run, sentence_runs, without_article
from mtaudit.detectors.namelib.romanise import same_name
from mtaudit.document import Category, Document, Severity

_SUFFIX_OR_ORG = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")


class NamesDetector(Detector):
    """Person names in the target: minority spellings of one person ("Ji" and "Shi" beside "Xi"), bare surnames the
    article never introduces ("Hu and Xi agreed"), two names fused into one ("Putin Ji supports ..."), and spellings a
    name glossary marks as wrong.

    Mentions are found without a tagger: runs of capitalised words that news statistics (name_stats.tsv, built from
    WMT news) and wordfreq say are proper nouns, minus places and organisations (gazetteer.txt and the statistics),
    with titles ("President", "Mr", "adviser") and speech verbs ("said", "quoted ... as saying") as evidence of a
    person. A full name introduces its surname for the rest of the document ("Xi Jinping" -> "Xi",
    "Vladimir Putin" -> "Putin"); the order is read from the shape of the name (pinyin and Korean surnames first).
    """

    name = "names"
    categories = (Category.MISTRANSLATION,)
    options = {
        "glossary": "CSV (term,variant1,variant2,...) or TBX file of canonical name spellings; listed variants are "
                    "flagged with the canonical form as suggestion",
        "orphans": "flag bare surnames used as a person that the document never introduces (true/false)",
    }
    glossary: str | None = None
    orphans: bool = True

    def detect(self, doc: Document):
        runs = [run for sentence in doc.sentences() for run in sentence_runs(sentence)]
        wrong = load_glossary(str(self.glossary)) if self.glossary else {}
        out = []
        flagged: set[tuple[int, int]] = set()  # (id(sentence), start) of tokens already reported

        def report(run: Run, start: int, end: int, message: str, suggestion=None, confidence=1.0):
            key = (id(run.sentence), start)
            if key not in flagged:
                flagged.add(key)
                out.append(self.finding(run.sentence, start, end, Category.MISTRANSLATION, Severity.MAJOR, message,
                                        suggestion, confidence))

        # 1. glossary: a listed wrong spelling anywhere, whether or not it looks like a name
        if wrong:
            pattern = _glossary_pattern(tuple(sorted(wrong, key=len, reverse=True)))
            for sentence in doc.sentences():
                for m in pattern.finditer(sentence.text):
                    variant, canonical = m.group(), wrong[m.group()]
                    key = (id(sentence), m.start())
                    if key not in flagged:
                        flagged.add(key)
                        out.append(self.finding(
                            sentence, m.start(), m.end(), Category.MISTRANSLATION, Severity.MAJOR,
                            f"“{variant}” is a wrong spelling of “{canonical}” according to the glossary.",
                            canonical, 0.95))

        full = [r for r in runs if len(r.words) >= 2]
        # Surnames a full name places last ("Vladimir Putin") or first ("Xi Jinping"), with the runs that say so.
        introduced = defaultdict(list)
        for r in full:
            introduced[r.surname].append(r)

        # 2. collisions: a known surname followed by another name ("Putin Ji"), or two known surnames fused
        collided: set[int] = set()
        western_count = Counter(r.surname for r in full if not r.eastern)
        any_count = Counter(r.surname for r in full)
        # adjacent word pairs inside longer names and reversed two-word names: "Javier Tebas Llanas" makes
        # "Tebas Llanas" a name, "Yamaguchi Shun" makes "Shun Yamaguchi" one
        pairs = Counter()
        for r in full:
            words = r.words
            if len(words) > 2:
                pairs.update(zip(words, words[1:]))
            elif len(words) == 2:
                pairs[(words[1], words[0])] += 1
        for r in full:
            words = r.words
            if len(words) != 2:
                continue
            a, b = words
            if a == b or pairs[(a, b)] or not stats.name_shaped(b):
                continue
            # is ``a`` (``b``) the surname of some other full name in the document?
            a_other = western_count[a] - (r.surname == a and not r.eastern) > 0
            b_other = any_count[b] - (r.surname == b) > 0
            if r.eastern:  # "Xi Jinping" is a name; "Xi Putin" is two
                fused = b_other and any_count[a] - (r.surname == a) > 0
            else:  # "Vladimir Putin" is a name; "Putin Ji" is two
                fused = (a_other or (stats.famous(a, general=False) and stats.western_surname(a))) \
                    and not stats.given_name(a) and not _SUFFIX_OR_ORG.match(b)
            if fused:
                collided.add(id(r))
        full = [r for r in full if id(r) not in collided]
        introduced = defaultdict(list)
        for r in full:
            introduced[r.surname].append(r)
        known_tokens = {w for r in full for w in r.words}
        known_tokens |= {without_article(w) for w in known_tokens}
        # a name after a capitalised word the statistics took for a common word ("Mark Hollis", "Francesco Caputa")
        known_tokens |= {r.words[0] for r in runs if len(r.words) == 1 and r.after_capital}
        titled = {r.words[0] for r in runs if len(r.words) == 1 and r.titled}

        # how often each surname names a person in the document: its full names plus its bare uses
        count = Counter(r.surname for r in full)
        for r in runs:
            if len(r.words) == 1 and (r.words[0] in introduced or r.words[0] in titled):
                count[r.words[0]] += 1
        persons = {w for w in count if w in introduced or w in titled}
        # surnames the text itself shows to be persons (a title, a speech verb), which make "X and <person>" a person
        evidenced = {r.surname for r in runs if r.titled or r.speaks} | titled

        # 3. variants: a spelling never introduced that matches a more frequent person's surname
        candidates: list[tuple[Run, int]] = []  # (run, index of the token in run.tokens)
        for r in runs:
            if len(r.words) == 1 and r.words[0] not in known_tokens:
                candidates.append((r, next(i for i, t in enumerate(r.tokens) if t.text == r.words[0])))
            elif id(r) in collided:
                candidates.append((r, len(r.tokens) - 1))
        variant_of: dict[str, tuple[str, float]] = {}
        for word in {r.tokens[i].text for r, i in candidates}:
            if stats.famous(word, general=False):  # "Buhari" beside "Bahari" is the president, not a typo
                continue
            best = max(((same_name(word, k), k) for k in persons if k != word and count[k] > count.get(word, 0)),
                       default=(0.0, ""))
            if best[0] > 0 and word not in wrong and word not in persons:
                variant_of[word] = (best[0], best[1])

        # full-name variants: "Shi Jinping" beside "Xi Jinping" (same given name, similar surname, fewer mentions)
        by_given = defaultdict(set)
        for r in full:
            if r.given:
                by_given[r.given].add(r.surname)
        for r in full:
            for other in by_given.get(r.given, ()) if r.given else ():
                if count[other] > count[r.surname] and same_name(r.surname, other) > 0:
                    tok = next(t for t in r.tokens if t.text == r.surname)
                    report(r, tok.start, tok.end, _variant_message(r.surname, other, count[other], introduced),
                           other, 0.9)
                    break
        # ...and the given name respelt under one surname: "Xi Jinpin" beside "Xi Jinping"
        given_count = Counter((r.surname, r.given) for r in full if r.given)
        by_surname = defaultdict(set)
        for surname, given in given_count:
            by_surname[surname].add(given)
        for r in full:
            if not r.given or len(r.given) != 1:
                continue
            for other in by_surname[r.surname]:
                if len(other) == 1 and given_count[(r.surname, other)] > given_count[(r.surname, r.given)] \
                        and same_name(r.given[0], other[0]) > 0:
                    tok = next(t for t in r.tokens if t.text == r.given[0])
                    report(r, tok.start, tok.end,
                           f"“{r.text}” looks like another spelling of “{_full_form(r, other[0])}” (written that way "
                           f"{given_count[(r.surname, other)]} times in this article); MT often respells "
                           f"transliterated names.", other[0], 0.85)
                    break

        for r in runs:
            if id(r) not in collided:
                continue
            a, b = r.words
            fix = variant_of.get(b)
            note = f"; “{b}” is probably a misspelling of “{fix[1]}”" if fix else ""
            report(r, r.start, r.end,
                   f"Two person names run together: “{a}” and “{b}”{note}. A separator or a word was probably lost "
                   f"in translation (e.g. “{a}: {fix[1] if fix else b} ...” or “{a} and {fix[1] if fix else b}”).",
                   None, 0.85 if fix else 0.7)

        for r, i in candidates:
            tok = r.tokens[i]
            if tok.text in variant_of and id(r) not in collided:
                similarity, dominant = variant_of[tok.text]
                evidence = r.speaks or r.titled or any(n.words and n.words[-1] in persons for n in r.neighbours)
                report(r, tok.start, tok.end, _variant_message(tok.text, dominant, count[dominant], introduced),
                       dominant, round(similarity * (1.0 if evidence else 0.9), 2))

        # 4. orphans: a bare surname used as a person that nothing in the document introduces
        if enabled(self.orphans):
            any_intro = bool(full)
            given_names = {g for r in full for g in r.given}
            for r in runs:
                if len(r.words) != 1 or id(r) in collided:
                    continue
                word = r.words[0]
                if (word in known_tokens or word in titled or word in variant_of or word in given_names
                        or word in wrong or word in wrong.values() or stats.famous(word) or stats.given_name(word)):
                    continue
                coordinated = any(n.words and (n.titled or n.speaks or n.surname in evidenced
                                               or stats.famous(n.surname)) for n in r.neighbours)
                if not (r.speaks or coordinated) or r.attached or r.place_context:
                    continue
                tok = next(t for t in r.tokens if t.text == word)
                report(r, tok.start, tok.end,
                       f"“{word}” is used as a person's name, but the article never introduces anyone called "
                       f"{word} with a full name; MT may have garbled or invented the name. Check it against the "
                       f"source.", None, 0.75 if any_intro else 0.5)
        return out


@lru_cache(maxsize=8)
def _glossary_pattern(variants: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v) for v in variants) + r")(?![\w-])")


def _full_form(run: Run, given: str) -> str:
    return f"{run.surname} {given}" if run.eastern else f"{given} {run.surname}"


def _variant_message(variant: str, dominant: str, times: int, introduced: dict) -> str:
    intro = introduced.get(dominant)
    where = f", introduced as “{intro[0].text}”" if intro else ""
    used = "once" if times == 1 else f"{times} times"
    return (f"“{variant}” looks like another spelling of “{dominant}” (used {used} in this article{where}); "
            f"MT often respells transliterated names. Use “{dominant}” if this is the same person.")
