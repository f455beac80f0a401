"""Find person-name mentions in English text without a tagger: capitalised runs filtered by word statistics."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from mtaudit.detectors.namelib import stats
from mtaudit.detectors.namelib.lexicon import (
    CHINESE_SURNAMES, ENGLISH, KOREAN_SURNAMES, PARTICLES, SUFFIXES, NameCues,
)
from mtaudit.detectors.namelib.romanise import is_pinyin
from mtaudit.core.document import Sentence

_EAST_ASIAN_SURNAMES = CHINESE_SURNAMES | KOREAN_SURNAMES
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_POSSESSIVE = ("'s", "’s")
_OPENING_MARKS = " \"“‘'«([—–-"

# Joiners that make two runs a coordination of persons: "Hu and Xi", "Putin, Xi".
_COORDINATION = re.compile(r"^(?: and | or | & |, and )$")


@dataclass
class Token:
    text: str
    start: int
    end: int
    possessive: bool = False


@dataclass
class Run:
    """A maximal run of capitalised name-like words in one sentence: "Xi Jinping", "Putin", "Putin Ji"."""

    sentence: Sentence
    tokens: list[Token]
    titled: bool = False          # after a title: "President Xi", "Kremlin adviser Yuri Ushakov"
    speaks: bool = False          # next to a speech verb: "Xi said", "quoted Shi as saying"
    initial: bool = False         # first word of the sentence
    attached: bool = False        # next to another capitalised word: part of a longer proper noun ("AC Milano")
    after_capital: bool = False   # right after a capitalised word the statistics did not take for a name ("Mark Hollis")
    place_context: bool = False   # after "of/in/at/from": "Mayor of Wesel", "in Blansko"
    neighbours: list["Run"] = field(default_factory=list)  # runs joined to it by "and" or a comma

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @cached_property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens if t.text not in SUFFIXES and t.text not in PARTICLES]

    @property
    def text(self) -> str:
        return self.sentence.text[self.start:self.end]

    @cached_property
    def eastern(self) -> bool:
        """Surname first: "Xi Jinping", "Kim Jong-un", "Lee Hsien Loong" (decided by the shape of the words)."""
        words = self.words
        if len(words) < 2 or len(words) > 3 or words[0] not in _EAST_ASIAN_SURNAMES:
            return False
        if words[0] in KOREAN_SURNAMES and all(len(p) <= 4 for w in words[1:] for p in w.split("-")):
            return True  # "Kim Jong Un", "Moon Jae-in"
        return all(is_pinyin(w) or ("-" in w and all(is_pinyin(p) for p in w.split("-"))) for w in words[1:])

    @cached_property
    def surname(self) -> str:
        words = self.words
        return words[0] if self.eastern else words[-1]

    @cached_property
    def given(self) -> tuple[str, ...]:
        words = self.words
        return tuple(words[1:] if self.eastern else words[:-1])


_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|an|as|ash|at|ar|az|ul)-(?=[A-Z])")


def _capitalised(word: str) -> bool:
    """A capitalised word, or an Arabic name with a lower-case article ("al-Sisi"); not an acronym."""
    word = _ARTICLE_PREFIX.sub("", word)
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def without_article(word: str) -> str:
    """ "al-Sisi" -> "Sisi": news writes both for one person."""
    return _ARTICLE_PREFIX.sub("", word)


def _tokens(text: str) -> list[Token]:
    out = []
    for m in _WORD.finditer(text):
        word, end = m.group(), m.end()
        possessive = word.endswith(_POSSESSIVE) and len(word) > 2
        if possessive:
            word, end = word[:-2], end - 2
        out.append(Token(word, m.start(), end, possessive))
    return out


def _masked(text: str) -> list[tuple[int, int]]:
    """Spans of multi-word gazetteer phrases ("Hong Kong", "White House"), never part of a person's name."""
    spans = []
    for phrase in stats.gazetteer()[1]:
        start = text.find(phrase)
        while start >= 0:
            spans.append((start, start + len(phrase)))
            start = text.find(phrase, start + 1)
    return spans


def _title(word: str, lex: NameCues = ENGLISH) -> bool:
    return word in lex.titles or (word.endswith("s") and word[:-1] in lex.titles)


def _common_noun(word: str, lex: NameCues) -> bool:
    """In a language that capitalises nouns: a word the language uses often, unless the news knows it as a name."""
    return lex.common_zipf is not None and not stats.given_name(word) and \
        stats.zipf(word, lex.lang) >= lex.common_zipf


def _opening(text: str) -> int:
    """Offset of the first word of a sentence, after opening quotes and dashes."""
    for i, ch in enumerate(text):
        if ch not in _OPENING_MARKS:
            return i
    return len(text)


def _name_like(tokens: list[Token], i: int, opening: int, masked: list[tuple[int, int]],
               lex: NameCues = ENGLISH) -> bool:
    """By the word alone: capitalised, a proper noun by the statistics, not a place, organisation or title."""
    tok = tokens[i]
    word = tok.text
    if len(word) < 2 or not _capitalised(word) or _title(word, lex) or any(s <= tok.start < e for s, e in masked):
        return False
    if _common_noun(word, lex):
        return False
    initial = tok.start <= opening
    return (stats.proper_initial(word) if initial else stats.proper(word)) and not stats.not_person(word)


def _name_by_context(tokens: list[Token], i: int, text: str, opening: int, likely: list[bool],
                     lex: NameCues = ENGLISH) -> bool:
    """A capitalised common word is a name in a person's slot: "President Moon", "Brown said", "Song Tao"."""
    tok = tokens[i]
    word = tok.text
    if len(word) < 2 or not _capitalised(word) or _title(word, lex) or stats.not_person(word):
        return False
    initial = tok.start <= opening
    prev_joined = i > 0 and text[tokens[i - 1].end:tok.start] == " "
    next_joined = i + 1 < len(tokens) and text[tok.end:tokens[i + 1].start] == " "
    if prev_joined and _title(tokens[i - 1].text, lex) and tokens[i - 1].text[:1].isupper():
        return True
    if lex.common_zipf is not None:  # a capitalised noun language: a given name before it makes a full name
        return prev_joined and likely[i - 1] and stats.given_name(tokens[i - 1].text)
    if not initial and next_joined and tokens[i + 1].text in lex.speech_after and not tok.possessive:
        return True
    return word in _EAST_ASIAN_SURNAMES and next_joined and likely[i + 1] and (
        is_pinyin(tokens[i + 1].text) or "-" in tokens[i + 1].text)


def sentence_runs(sentence: Sentence, lex: NameCues = ENGLISH) -> list[Run]:
    text = sentence.text
    tokens = _tokens(text)
    masked = _masked(text)
    runs: list[Run] = []
    current: list[Token] = []
    pending_particles: list[Token] = []

    def close(next_index: int) -> None:
        if not current:
            return
        first_index = index_of[id(current[0])]
        prev = tokens[first_index - 1].text if first_index else ""
        nxt = tokens[next_index].text if next_index < len(tokens) else ""
        between_next = text[current[-1].end:tokens[next_index].start] if next_index < len(tokens) else ""
        run = Run(sentence, list(current))
        if not run.words:  # a lone suffix or particle ("Jr" after the title word "King")
            current.clear()
            return
        run.initial = current[0].start <= opening
        run.titled = _title(prev, lex)
        run.speaks = ((nxt.lower() in lex.speech_after and not current[-1].possessive and between_next == " ")
                      or (prev in lex.speech_before and not current[-1].possessive))
        # "in Blansko", "Mayor of Wesel"; and a list of places: "Tokyo and Saitama"
        run.place_context = prev.lower() in lex.place_before or prev in lex.place_before or (
            prev in ("and", "or") and first_index >= 2 and stats.not_person(tokens[first_index - 2].text))
        before = text[tokens[first_index - 1].end:current[0].start] if first_index else ""
        run.after_capital = bool(first_index and before == " " and tokens[first_index - 1].text[:1].isupper()
                                 and not run.titled and not tokens[first_index - 1].possessive)
        run.attached = run.after_capital or (between_next == " " and nxt[:1].isupper() and not current[-1].possessive)
        runs.append(run)
        current.clear()

    index_of = {id(tok): i for i, tok in enumerate(tokens)}
    opening = _opening(text)
    likely = [_name_like(tokens, i, opening, masked, lex) for i in range(len(tokens))]
    for i, tok in enumerate(tokens):
        word = tok.text
        name_like = likely[i] or _name_by_context(tokens, i, text, opening, likely, lex)
        if current and (word in PARTICLES) and text[current[-1].end:tok.start] == " " and not current[-1].possessive:
            pending_particles.append(tok)
            continue
        joined = (current and not current[-1].possessive
                  and text[(pending_particles or current)[-1].end:tok.start] == " ")
        if name_like or (joined and word in SUFFIXES):
            if current and not joined:
                close(i)
            if current and pending_particles:
                current.extend(pending_particles)
            pending_particles.clear()
            current.append(tok)
            if tok.possessive:
                close(i + 1)
        else:
            pending_particles.clear()
            close(i)
    close(len(tokens))
    for a, b in zip(runs, runs[1:]):
        if _COORDINATION.match(text[a.end + (2 if a.tokens[-1].possessive else 0):b.start]):
            a.neighbours.append(b)
            b.neighbours.append(a)
    return runs
