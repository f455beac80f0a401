"""Literal-translation phrasing of machine-translated news, kept as data so a team can extend it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from mtaudit.detectors.base import Detector
from mtaudit.core.document import Category, Document, Segment, Sentence, Severity
from mtaudit.core.errors import UsageError
from mtaudit.core.options import switch
from mtaudit.core.text import is_heading

_CATEGORY_ALIASES = {
    "awkward": Category.AWKWARD,
    "style": Category.AWKWARD,
    "grammar": Category.GRAMMAR,
    "mistranslation": Category.MISTRANSLATION,
    "accuracy": Category.MISTRANSLATION,
    "repetition": Category.REPETITION,
}
_SCOPES = ("sentence", "paragraph")
# \g<name> in an explanation: the text of the match's group of that name
_GROUP_REFERENCE = re.compile(r"\\g<(\w+)>")
_COLUMNS = ("id", "scope", "category", "severity", "confidence", "pattern", "suggestion", "explanation")
_OPTIONAL_COLUMNS = ("source",)


@dataclass(frozen=True)
class Pattern:
    """One line of a pattern file."""

    id: str
    scope: str
    category: str
    severity: Severity
    confidence: float
    regex: re.Pattern
    suggestion: str | None
    explanation: str
    source: re.Pattern | None = None  # the segment's source must match it (a false friend is wrong only then)

    def applies(self, segment: Segment) -> bool:
        return self.source is None or bool(segment.source and self.source.search(segment.source))

    def describe(self, match: re.Match, flagged: str) -> tuple[str, str | None]:
        """The message (ending in the pattern's id) and the suggestion of a finding for ``match``."""
        suggestion = None
        if self.suggestion is not None:
            try:
                suggestion = match.expand(self.suggestion)
            except (re.error, IndexError):
                suggestion = self.suggestion
        message = self.explanation.replace("{flag}", flagged) if self.explanation else \
            f"literal-translation pattern {self.id}: “{flagged}”"
        message = _GROUP_REFERENCE.sub(lambda g: match.groupdict().get(g.group(1)) or "", message)
        return f"{message} [{self.id}]", suggestion

    def span(self, match: re.Match) -> tuple[int, int]:
        if "flag" in self.regex.groupindex and match.start("flag") >= 0:
            return match.start("flag"), match.end("flag")
        return match.start(), match.end()


def parse_patterns(text: str, origin: str) -> tuple[Pattern, ...]:
    """Parse a pattern file's text; errors name the file and line and say what to fix."""
    patterns = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        where = f"{origin}:{number}"
        if not len(_COLUMNS) <= len(cols) <= len(_COLUMNS) + len(_OPTIONAL_COLUMNS):
            raise UsageError(f"{where}: expected {len(_COLUMNS)} tab-separated columns "
                             f"({', '.join(_COLUMNS)}; optionally {', '.join(_OPTIONAL_COLUMNS)}), found {len(cols)}")
        pid, scope, category, severity, confidence, regex, suggestion, explanation = (c.strip() for c in cols[:8])
        source_regex = cols[8].strip() if len(cols) > 8 else ""
        if pid in seen:
            raise UsageError(f"{where}: pattern id {pid!r} is used twice; ids must be unique")
        seen.add(pid)
        if scope not in _SCOPES:
            raise UsageError(f"{where}: scope {scope!r} must be one of {', '.join(_SCOPES)}")
        category = _CATEGORY_ALIASES.get(category.lower(), category)
        if "/" not in category:
            raise UsageError(f"{where}: category {category!r} must be one of {', '.join(_CATEGORY_ALIASES)} "
                             f"or an MQM path such as Style/Unnatural or awkward")
        try:
            sev = Severity(severity.lower())
        except ValueError:
            raise UsageError(f"{where}: severity {severity!r} must be minor, major or critical") from None
        try:
            conf = float(confidence)
        except ValueError:
            raise UsageError(f"{where}: confidence {confidence!r} must be a number between 0 and 1") from None
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise UsageError(f"{where}: pattern {pid!r} is not a valid regular expression: {exc}") from None
        source = None
        if source_regex not in ("", "-"):
            try:
                source = re.compile(source_regex)
            except re.error as exc:
                raise UsageError(f"{where}: the source pattern of {pid!r} is not a valid regular expression: "
                                 f"{exc}") from None
        patterns.append(Pattern(pid, scope, category, sev, max(0.0, min(1.0, conf)), compiled,
                                None if suggestion in ("", "-") else suggestion, explanation, source))
    return tuple(patterns)


@lru_cache(maxsize=16)
def builtin_patterns(lang: str | None = "en", name: str = "phrasing.tsv") -> tuple[Pattern, ...]:
    """A target language's built-in patterns: ``detectors/data/<name>`` for English, ``detectors/data/<lang>/<name>``
    for any other language (none when it has no such file)."""
    path = language_data(lang, name)
    if path is None:
        return ()
    return parse_patterns(path.read_text(encoding="utf-8"), f"mtaudit/detectors/data/{path.name}")


def language_data(lang: str | None, name: str):
    """A detector data file for a target language: English files sit at the top of ``detectors/data/``, those of
    other languages in ``detectors/data/<code>/``; None when the language has none."""
    data = resources.files("mtaudit.detectors").joinpath("data")
    path = data.joinpath(name) if lang in (None, "en") else data.joinpath(lang, name)
    return path if path.is_file() else None


@lru_cache(maxsize=16)
def file_patterns(path: str) -> tuple[Pattern, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the phrasing pattern file: {exc.strerror or exc}") from None
    return parse_patterns(text, path)


# --- sentence fragments ----------------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
# Finite verbs and auxiliaries; a body sentence with none of these (and no -ed/-ing form) is probably a fragment.
_AUXILIARIES = set("""am is are was were be been being 's 're 'm has have had having do does did done will would shall
should can could may might must ought won't wouldn't can't cannot couldn't shouldn't isn't aren't wasn't weren't
hasn't haven't hadn't don't doesn't didn't let lets""".split())


@lru_cache(maxsize=1)
def _verb_bases() -> frozenset[str]:
    text = resources.files("mtaudit.detectors").joinpath("data/verbs.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_IS_CONTRACTIONS = {"he's", "she's", "it's", "that's", "there's", "here's", "what's", "who's", "where's", "let's",
                    "how's", "why's", "when's"}
_IRREGULAR = set("""said told made took gave went came saw knew got found thought became began brought built bought
caught chose drove fell felt fought flew forgot grew held hid hit kept led left lost meant met paid put ran rose sat
sent set shot showed shown slept sold spent spoke stood struck taught threw understood won wore wrote written spoken
taken given gone seen known chosen driven fallen flown forgotten grown hidden risen stolen thrown worn drawn broke
broken arose arisen ate eaten drank drunk swam sang sung rang wept swept dug fed fled bled bent bound bred bet cast
clung dealt dove forbade froze hung laid lent lit meant overcame overtook rode rang sank shook shone shrank slid spun
split spread sprang stuck stung stank strove swore swung tore undertook upheld woke withdrew wound drew blew knew threw
became overcame""".split())


def _has_verb(words: list[str]) -> bool:
    bases = _verb_bases()
    for raw in words:
        word = raw.lower().replace("’", "'")
        if word in _AUXILIARIES or word in _IRREGULAR or word in bases:
            return True
        if word.endswith(("n't", "'ll", "'re", "'ve", "'d", "'m")) or word in _IS_CONTRACTIONS:
            return True
        if (len(word) > 3 and word.endswith("ed")) or (len(word) > 4 and word.endswith("ing")):
            return True
        if word.endswith("s") and (word[:-1] in bases or (word.endswith("es") and word[:-2] in bases)
                                   or (word.endswith("ies") and word[:-3] + "y" in bases)):
            return True
    return False


# --- duplicated clauses ------------------------------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[,;:–—]\s+|[.!?][\"”’]?\s+|\s+-\s+")
_MIN_CLAUSE_WORDS = 5


_QUOTES = set("“”‘’\"'«»")
_LEADING_CONJUNCTIONS = {"and", "but", "so", "while", "as", "also"}


@dataclass(frozen=True)
class Clause:
    """A clause of a paragraph: its words (lower-cased, leading conjunction dropped) and their offsets."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    gap_before: str


def _clauses(text: str) -> list[Clause]:
    out = []
    start, gap = 0, ""
    for m in list(_CLAUSE_BREAK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        found = [(w.group().lower(), start + w.start(), start + w.end()) for w in _WORD.finditer(text[start:end])]
        while found and found[0][0] in _LEADING_CONJUNCTIONS:
            found = found[1:]
        if found:
            out.append(Clause(tuple(w for w, _, _ in found), tuple((a, b) for _, a, b in found), gap))
        gap = m.group() if m else ""
        start = m.end() if m else len(text)
    return out


class PhrasingDetector(Detector):
    """Literal-translation phrasing of MT'd news: an agency turned into "the company", one quote attributed twice
    ("…, the government said. Xinhua said."), wrong verbs for calls and meetings ("Putin reciprocates with Biden"),
    Chinese and Russian calques ("according to reports said", "carry out cooperation", "in an interview to"),
    duplicated clauses and verbless fragments in body text. The patterns are a data file that teams can extend.

    Patterns live in mtaudit/detectors/data/phrasing.tsv (format in docs/detectors/phrasing.md); the `patterns`
    option adds a file of your own.
    """

    name = "phrasing"
    categories = (Category.MISTRANSLATION, Category.GRAMMAR, Category.AWKWARD, Category.REPETITION)
    options = {
        "patterns": "extra pattern file (TSV, same columns as the built-in phrasing.tsv) added to the built-in ones",
        "builtin": "use the built-in patterns (false: only the `patterns` file)",
        "fragments": "report verbless sentence fragments in body paragraphs",
        "duplicates": "report clauses repeated within a paragraph",
    }
    patterns: str | None = None
    builtin = True
    fragments = True
    duplicates = True

    def __init__(self, **options):
        super().__init__(**options)
        self._extra: tuple[Pattern, ...] = ()
        extra = self.patterns
        if extra:
            for path in ([extra] if isinstance(extra, (str, Path)) else list(extra)):
                self._extra += file_patterns(str(path))
        self._use("en")

    def _use(self, lang: str | None) -> None:
        """Load the target language's built-in patterns (plus the `patterns` file) for the next document."""
        loaded = (builtin_patterns(lang) if switch(self.builtin) else ()) + self._extra
        self._lang = lang
        self._sentence_patterns = [p for p in loaded if p.scope == "sentence"]
        self._paragraph_patterns = [p for p in loaded if p.scope == "paragraph"]

    def detect(self, doc: Document):
        if doc.target_lang != self._lang:
            self._use(doc.target_lang)
        # the fragment and duplicate-clause checks read English grammar (verb lists): English targets only
        english = doc.target_lang in (None, "en")
        out: list[tuple[Sentence, object]] = []
        previous: Segment | None = None
        for segment in doc.segments:
            if not segment.sentences:
                continue
            found: dict[tuple[int, int, int], tuple] = {}
            self._match_patterns(segment, found)
            heading = len(segment.sentences) == 1 and is_heading(segment.target)
            if switch(self.fragments) and not heading and english:
                self._fragments(segment, found)
            if switch(self.duplicates) and english:
                self._duplicates(segment, previous, found)
            out.extend(_without_overlaps(found))
            previous = segment
        out.extend(self._register(doc))
        return out

    def _register(self, doc: Document):
        """Formal and informal address in one article ("Sie" and "du"): the minority form is flagged, outside
        quotations, by the target language's ``[register]`` patterns (mtaudit/languages/<code>.toml)."""
        formal, informal = _register_patterns(doc.target_lang)
        if formal is None:
            return []
        hits: dict[str, list] = {"formal": [], "informal": []}
        for sentence in doc.sentences():
            text = sentence.text
            for kind, pattern in (("formal", formal), ("informal", informal)):
                for m in pattern.finditer(text):
                    if not _in_quotation(text, m.start()):
                        hits[kind].append((sentence, m))
        if not hits["formal"] or not hits["informal"]:
            return []
        minority, majority = sorted(hits, key=lambda k: (len(hits[k]), k))
        word = {"formal": "the formal “Sie”", "informal": "the informal “du”"}
        return [self.finding(sentence, m.start(), m.end(), Category.AWKWARD, Severity.MINOR,
                             f"“{m.group()}” addresses the reader with {word[minority]}, while this article uses "
                             f"{word[majority]} {_times(len(hits[majority]))}: keep one register [register-mixed]",
                             confidence=0.6)
                for sentence, m in hits[minority][:5]]

    def _match_patterns(self, segment: Segment, found: dict) -> None:
        for sentence in segment.sentences:
            text = sentence.text
            for pattern in self._sentence_patterns:
                if not pattern.applies(segment):
                    continue
                for m in _matches(pattern, text):
                    start, end = pattern.span(m)
                    self._add(found, sentence, start, end, pattern, m)
        for pattern in self._paragraph_patterns:
            if not pattern.applies(segment):
                continue
            for m in _matches(pattern, segment.target):
                start, end = pattern.span(m)
                sentence = next((s for s in segment.sentences if s.start <= start < s.end), None)
                if sentence is None:
                    continue
                self._add(found, sentence, start - sentence.start, end - sentence.start, pattern, m)

    def _add(self, found: dict, sentence: Sentence, start: int, end: int, pattern: Pattern, m: re.Match) -> None:
        message, suggestion = pattern.describe(m, sentence.text[start:end])
        key = (sentence.index, start, end)
        item = self.finding(sentence, start, end, pattern.category, pattern.severity, message, suggestion,
                            pattern.confidence)
        if key not in found or _rank(item[1]) > _rank(found[key][1]):
            found[key] = item

    def _fragments(self, segment: Segment, found: dict) -> None:
        sentences = segment.sentences
        for sentence in sentences:
            text = sentence.text.strip()
            if not text.endswith(".") or text.endswith("..."):
                continue
            if any(ch in text for ch in "“”\"‘()/:;") or text[0] in "'’-–—•*#" or not text[0].isupper():
                continue
            words = _WORD.findall(text)
            if not 3 <= len(words) <= 12 or len(words) < len(text.split()) - 2:
                continue  # very short exclamations, or runs of numbers and symbols (tables, scores)
            if len(sentences) == 1 and len(segment.target.split()) <= 3:
                continue
            if _has_verb(words) or re.search(r"\b[A-Z]\.$", text):
                continue
            key = (sentence.index, 0, len(sentence.text))
            if any(k[0] == sentence.index for k in found):
                continue
            found[key] = self.finding(
                sentence, 0, len(sentence.text), Category.GRAMMAR, Severity.MINOR,
                f"“{text}” has no verb: a sentence fragment in body text, often a clause MT split off its sentence; "
                f"join it to the sentence before or after, or give it a verb [fragment]", confidence=0.4)

    def _duplicates(self, segment: Segment, previous: Segment | None, found: dict) -> None:
        """A clause of at least _MIN_CLAUSE_WORDS words that repeats an earlier clause of this paragraph or of the
        previous one, as a whole or as the opening of a longer clause ("…, and the government will raise pensions
        next year to offset inflation")."""
        earlier: list[tuple[tuple[str, ...], str]] = []
        if previous is not None and len(previous.target.split()) > 20:
            # a lead repeating its headline or standfirst is normal news style, so short paragraphs are not compared
            earlier += [(c.words, "the previous paragraph") for c in _clauses(previous.target)
                        if len(c.words) >= _MIN_CLAUSE_WORDS]
        last: Clause | None = None
        for clause in _clauses(segment.target):
            for words, where in earlier:
                n = len(words)
                if clause.words[:n] != words:
                    continue
                if last is not None and last.words == words and clause.gap_before.strip() in {",", ";", "-", "–",
                                                                                                 "—"}:
                    break  # an immediate "X, X" loop is the repetition detector's
                start, end = clause.spans[0][0], clause.spans[n - 1][1]
                if not _has_verb(list(words)) or segment.target[max(0, start - 1):start] in _QUOTES:
                    break  # names and titles recur in news; a quoted title or slogan is quoted again on purpose
                sentence = next((s for s in segment.sentences if s.start <= start < s.end), None)
                if sentence is None:
                    break
                local_start, local_end = start - sentence.start, min(end, sentence.end) - sentence.start
                text = sentence.text[local_start:local_end]
                found[(sentence.index, local_start, local_end)] = self.finding(
                    sentence, local_start, local_end, Category.REPETITION,
                    Severity.MAJOR if n >= 8 else Severity.MINOR,
                    f"“{text}” repeats a clause from {where}: MT duplicated it; delete one copy [duplicate-clause]",
                    suggestion="", confidence=0.7)
                break
            if len(clause.words) >= _MIN_CLAUSE_WORDS:
                earlier.append((clause.words, "earlier in this paragraph"))
            last = clause


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


@lru_cache(maxsize=8)
def _register_patterns(lang: str | None) -> tuple[re.Pattern | None, re.Pattern | None]:
    from mtaudit.languages import language

    table = getattr(language(lang), "register", {}) or {}
    if not table.get("formal") or not table.get("informal"):
        return None, None
    return re.compile(table["formal"]), re.compile(table["informal"])


def _in_quotation(text: str, offset: int) -> bool:
    """Inside a quotation: more opening than closing quotation marks before ``offset``."""
    before = text[:offset]
    opening = before.count("„") + before.count("»") + len(re.findall(r"(?:^|(?<=\s))“", before))
    closing = before.count("«") + before.count("”") + len(re.findall(r"(?<=\S)“", before))
    return opening > closing or before.count('"') % 2 == 1


def _matches(pattern: Pattern, text: str):
    """All matches, letting a match's context overlap the previous match's flagged span (chains like "said. X said.
    Y said." report every link)."""
    pos = 0
    while pos <= len(text):
        m = pattern.regex.search(text, pos)
        if m is None:
            return
        yield m
        flag_start, _ = pattern.span(m)
        pos = max(m.start() + 1, flag_start if flag_start > m.start() else m.end())


def _rank(finding) -> tuple[float, float]:
    return finding.severity.weight, finding.confidence


def _without_overlaps(found: dict) -> list:
    """One finding per span: where two findings overlap within a sentence, keep the more severe."""
    kept: list = []
    for key in sorted(found, key=lambda k: (-_rank(found[k][1])[0], -_rank(found[k][1])[1], k)):
        sentence, finding = found[key]
        if any(s is sentence and f.start < finding.end and finding.start < f.end for s, f in kept):
            continue
        kept.append((sentence, finding))
    kept.sort(key=lambda sf: (sf[0].index, sf[1].start))
    return kept
