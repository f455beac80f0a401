"""Repeated words, phrases, clauses and sentences: the stutters and loops of machine translation."""
from __future__ import annotations

import re
from collections import defaultdict

from rapidfuzz import fuzz

from mtaudit.detectors.base import Detector
from mtaudit.core.document import Category, Document, Sentence, Severity
from mtaudit.languages import language

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
# Doubled words that English uses on purpose ("had had", "that that", "very very", "bye-bye", "blah blah").
_ALLOWED_DOUBLES = {"had", "that", "is", "very", "bye", "so", "no", "yes", "ha", "knock", "tut", "chop", "dum", "bora",
                    "walla", "pom", "go", "mahi", "can", "blah", "bla", "la", "oh", "yeah", "hear", "there", "far",
                    "many", "much", "really", "great", "well", "now", "night", "tsk", "boo", "hip", "bang", "hey",
                    "ding", "tick", "tock", "ooh", "aah", "wow", "yada", "hush", "pretty", "too", "come", "ho", "ah",
                    "cha", "bam", "boom", "bling", "beep", "chug", "knock", "sing", "quick", "tom", "baa", "hm",
                    "murmur", "mm", "uh", "er", "um", "hi", "dee", "da", "do", "ylang", "bora", "aye", "din", "pooh"}
# "day by day", "more and more", "face to face", "one after another": a word, a linking word, the word again
_LINKING = {"and", "or", "by", "to", "after", "for", "upon", "over", "in", "on", "against", "than", "&"}
_STOP = set("""a an the of in on at to for from by with and or but as is was were be been are has have had it its this
that these those he she his her we our you your i me my they them their not no so if then than there here which who
what when where while will would could should may might can do does did said says also just only more most
very""".split())
_DIGITS = re.compile(r"\d+")


class RepetitionDetector(Detector):
    """Repeated words ("the the"), phrases and looping output ("the bank's products, the bank's products"), a
    clause said twice in a sentence, and sentences that repeat an earlier one: MT stutters and loops.

    Deliberate doubling ("had had", "that that", "very very", "bye-bye"), doubled names ("Adamu Adamu"), titles in
    apposition, lists of values, repetition inside quotations and repetition the source itself has all pass.
    """

    name = "repetition"
    categories = (Category.REPETITION,)
    options = {
        "min_phrase_words": "shortest repeated phrase (in words) reported as a loop",
        "min_clause_words": "shortest clause (in words) reported when it occurs twice in one sentence",
        "loop_count": "how often one three-word sequence must occur in a sentence to count as looping",
        "min_sentence_words": "shortest sentence (in words) compared with the rest of the document",
        "sentence_similarity": "similarity (0-100) above which two sentences count as the same",
    }
    min_phrase_words = 2
    min_clause_words = 8
    loop_count = 3
    min_sentence_words = 6
    sentence_similarity = 95

    def detect(self, doc: Document):
        # the target language's deliberate doubles ("die die"), linking words ("Schritt für Schritt") and function
        # words (mtaudit/languages/<code>.toml, [repetition]) join the English ones built in here
        table = language(doc.target_lang).repetition
        self._doubles = _ALLOWED_DOUBLES | {w.lower() for w in table.get("allowed_doubles", ())}
        self._linking = _LINKING | set(table.get("linking", ()))
        self._stop = _STOP | set(table.get("function_words", ()))
        out = []
        for sentence in doc.sentences():
            text = sentence.text
            words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
            if len(words) < 2:
                continue
            reported: list[tuple[int, int]] = []
            # when the source says it twice ("如果宇宙是空的，如果宇宙是空的"), a faithful translation does too
            if not (sentence.segment.source and _source_repeats(sentence.segment.source)):
                out.extend(self._adjacent_phrases(sentence, words, reported))
                out.extend(self._looping_trigrams(sentence, words, reported))
                out.extend(self._repeated_clauses(sentence, words, reported))
            out.extend(self._doubled_words(sentence, words, reported))
        out.extend(self._repeated_sentences(doc))
        return out

    def _adjacent_phrases(self, sentence: Sentence, words, reported):
        """A phrase followed at once by itself: "the bank's products, the bank's products"."""
        text = sentence.text
        out = []
        reported_until = -1
        # longest repeated phrase first, so a looped clause is one finding and not many
        for size in range(min(12, len(words) // 2), max(2, self.min_phrase_words) - 1, -1):
            for i in range(len(words) - 2 * size + 1):
                if words[i][0] < reported_until:
                    continue
                first = [w[2] for w in words[i:i + size]]
                second = [w[2] for w in words[i + size:i + 2 * size]]
                if first != second or not _phrase_contiguous(text, words, i, size):
                    continue
                if all(len(w) <= 2 for w in first):
                    continue
                if size == 2 and first[1] in self._linking:  # "worse and worse, and", "day by day by"
                    continue
                gap = text[words[i + size - 1][1]:words[i + size][0]].strip()
                originals = text[words[i][0]:words[i + size - 1][1]].split()
                if gap and all(w[:1].isupper() for w in originals):
                    continue  # "the film Iron Sky, Iron Sky: The Coming Race": a title in apposition
                if gap and size <= 2:
                    continue  # "in the universe, the universe will bend": two clauses meeting, not a loop
                if gap and any(w.isdigit() for w in first):
                    continue  # "0 degrees, 0 degrees, 120 degrees": a list of values
                if gap and _inside_quote(text, words[i + size][0]) and size <= 4:
                    continue  # "'I love you, I love you'": repetition in a quotation is the speaker's
                start, end = words[i + size][0], words[i + 2 * size - 1][1]
                phrase = text[words[i][0]:words[i + size - 1][1]]
                out.append(self.finding(
                    sentence, start, end, Category.REPETITION, Severity.MAJOR,
                    f"phrase repeated: {phrase!r} appears twice in a row; delete the second copy", suggestion="",
                    confidence=0.9 if not gap else 0.75))
                reported.append((words[i][0], end))
                reported_until = end
        return out

    def _doubled_words(self, sentence: Sentence, words, reported):
        text = sentence.text
        out = []
        for k, (a, b) in enumerate(zip(words, words[1:])):
            if a[2] != b[2] or a[2] in self._doubles or a[2].isdigit() or _covered(reported, b[0]):
                continue
            if text[a[1]:b[0]].strip() != "":
                continue
            first, second = text[a[0]:a[1]], text[b[0]:b[1]]
            if first != second and not (k == 0 and first[0].isupper() and first.lower() == second):
                continue  # "the information system SYSTEM", "an An-2": different words that look alike
            if first[0].isupper() and second[0].isupper() and k > 0:
                continue  # "Adamu Adamu", "Sir Run Run Shaw": names
            if first[0].isupper() and second[0].isupper() and k == 0 and len(words) > 2 and \
                    text[words[2][0]:words[2][1]][:1].isupper():
                continue  # "Ni Ni Lee said ...": a name at the start of a sentence
            out.append(self.finding(
                sentence, b[0], b[1], Category.REPETITION, Severity.MINOR,
                f"word repeated: {first!r}; delete the second one", suggestion="", confidence=0.8))
            reported.append((a[0], b[1]))
        return out

    def _looping_trigrams(self, sentence: Sentence, words, reported):
        """The same three words again and again in one sentence, not necessarily adjacent: looping output."""
        if len(words) < 3 * self.loop_count:
            return []
        places: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i in range(len(words) - 2):
            gram = tuple(w[2] for w in words[i:i + 3])
            if places[gram] and i < places[gram][-1] + 3:
                continue  # overlapping occurrences ("ha ha ha ha") are one run
            places[gram].append(i)
        out = []
        for gram, starts in places.items():
            if len(starts) < self.loop_count or not _contentful(gram, 1, self._stop):
                continue
            # a loop comes back at once; parallel lists ("12 cases were imported ..., 3 cases were imported ...")
            # come back after a clause of their own
            if (starts[-1] - starts[0]) / (len(starts) - 1) > 6:
                continue
            if gram[-1] in self._stop:  # "a batch of ..., a batch of ...": the head of a list, not a loop
                continue
            if _named(sentence.text, words[starts[0]:starts[0] + 3], self._stop):
                continue  # "the United States" three times is news, not a loop
            start, end = words[starts[1]][0], words[starts[-1] + 2][1]
            if any(s < end and start < e for s, e in reported):
                continue  # an overlapping trigram of the same loop was reported
            phrase = " ".join(gram)
            out.append(self.finding(
                sentence, start, end, Category.REPETITION, Severity.MAJOR,
                f"looping output: {phrase!r} occurs {len(starts)} times in one sentence", confidence=0.75))
            reported.append((start, end))
        return out

    def _repeated_clauses(self, sentence: Sentence, words, reported):
        """A run of words that occurs twice in one sentence with other words between: a clause said twice."""
        n = self.min_clause_words
        if len(words) < 2 * n:
            return []
        first_seen: dict[tuple[str, ...], int] = {}
        out = []
        i = 0
        while i <= len(words) - n:
            gram = tuple(w[2] for w in words[i:i + n])
            earlier = first_seen.get(gram)
            if earlier is not None and earlier + n <= i and _contentful(gram, 2, self._stop) and \
                    i - (earlier + n) <= n and not _named(sentence.text, words[i:i + n], self._stop) and \
                    not _named(sentence.text, words[earlier:earlier + n], self._stop):
                length = n  # extend to the longest common run
                while i + length < len(words) and earlier + length < i and \
                        words[earlier + length][2] == words[i + length][2]:
                    length += 1
                start, end = words[i][0], words[i + length - 1][1]
                if not (_covered(reported, start) or _covered(reported, end - 1)):
                    clause = sentence.text[start:end]
                    out.append(self.finding(
                        sentence, start, end, Category.REPETITION, Severity.MAJOR,
                        f"clause repeated within the sentence: {clause!r} was already said; delete one",
                        suggestion="", confidence=0.7))
                    reported.append((start, end))
                i += length
                continue
            first_seen.setdefault(gram, i)
            i += 1
        return out

    def _repeated_sentences(self, doc: Document):
        """A sentence that (nearly) repeats an earlier one of the document: a duplicated segment or a loop."""
        out = []
        earlier: list[tuple[str, Sentence]] = []
        for sentence in doc.sentences():
            words = _WORD.findall(sentence.text)
            if len(words) < self.min_sentence_words:
                continue
            key = " ".join(w.lower() for w in words)
            for previous_key, previous in earlier[-300:]:
                if abs(len(previous_key) - len(key)) > 0.2 * max(len(key), len(previous_key)):
                    continue
                same = key == previous_key
                if not same and (len(words) < 10 or _DIGITS.findall(key) != _DIGITS.findall(previous_key)):
                    continue  # "Bill 3 is ready" / "Bill 4 is ready": a series, not a duplicate
                if same or fuzz.ratio(key, previous_key, score_cutoff=self.sentence_similarity):
                    where = "the same paragraph" if previous.segment is sentence.segment else \
                        f"paragraph {previous.segment.id}"
                    # in one paragraph it is a loop; across paragraphs it may be a summary repeating the lead
                    severity = Severity.MAJOR if previous.segment is sentence.segment else Severity.MINOR
                    out.append(self.finding(
                        sentence, 0, len(sentence.text), Category.REPETITION, severity,
                        f"sentence {'repeats' if same else 'nearly repeats'} an earlier sentence in {where}: "
                        f"{previous.text[:80]!r}", suggestion="", confidence=0.8 if same else 0.65))
                    break
            earlier.append((key, sentence))
        return out


# a run of Chinese said twice side by side ("如果宇宙是空的，如果宇宙是空的"); bounded so it stays linear
_CJK_REPEAT = re.compile(r"([\u3400-\u9fff]{2,12}?)[\s，,、。—-]{0,3}\1")
_CJK_CHARS = re.compile(r"[\u3400-\u9fff]+")


def _source_repeats(source: str) -> bool:
    """Whether the source itself repeats a phrase: back to back, or a run of 3+ Chinese characters said twice
    ("飞入其中，一路飞入其中")."""
    if _CJK_REPEAT.search(source):
        return True
    seen: dict[str, int] = {}
    for run in _CJK_CHARS.finditer(source):
        for i in range(run.start(), run.end() - 2):
            gram = source[i:i + 3]
            if gram in seen and seen[gram] + 3 <= i:
                return True
            seen.setdefault(gram, i)
    words = [w.lower() for w in _WORD.findall(source)]
    for size in range(1, 7):
        for i in range(len(words) - 2 * size + 1):
            if words[i:i + size] == words[i + size:i + 2 * size] and (size > 1 or not words[i].isdigit()):
                return True
    return False


def _phrase_contiguous(text: str, words, i: int, size: int) -> bool:
    """The two copies are separated only by spaces or a comma (not across a sentence of other words)."""
    gap = text[words[i + size - 1][1]:words[i + size][0]]
    return gap.strip() in {"", ",", ";", "-", "–", "—"}


_ASCII_SINGLE_OPEN = re.compile(r"(?:^|(?<=[\s(\[]))'(?=\w)")
_ASCII_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])'(?=[\s,.;:!?)]|$)")


def _inside_quote(text: str, offset: int) -> bool:
    before = text[:offset]
    opened = sum(before.count(q) for q in "“«„") - sum(before.count(q) for q in "”»")
    # ‘ ’ and ' double as apostrophes ("wasn't"), so only those at a word's edge count
    opened += len(_ASCII_SINGLE_OPEN.findall(before.replace("‘", "'"))) - \
        len(_ASCII_SINGLE_CLOSE.findall(before.replace("’", "'")))
    return opened > 0 or before.count('"') % 2 == 1


def _contentful(gram: tuple[str, ...], need: int = 1, stop: frozenset[str] | set[str] = _STOP) -> bool:
    return sum(1 for w in gram if w not in stop and len(w) > 2 and not w.isdigit()) >= need


def _named(text: str, words, stop: frozenset[str] | set[str] = _STOP) -> bool:
    """Most content words capitalised: a name or title ("the Yunnan Academy of Agricultural Sciences"), which news
    repeats within a sentence on purpose."""
    content = [text[s:e] for s, e, w in words if w not in stop and not w.isdigit()]
    return bool(content) and sum(c[:1].isupper() for c in content) * 2 >= len(content)


def _covered(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(s <= offset < e for s, e in spans)
