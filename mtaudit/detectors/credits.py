"""Datelines, bylines, credit lines and photo credits: the agency conventions machine translation breaks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jellyfish
from rapidfuzz import fuzz

from mtaudit.detectors.base import Detector
from mtaudit.detectors.phrasing import builtin_patterns
from mtaudit.core.document import Category, Document, Segment, Severity
from mtaudit.core.text import TERMINAL, is_heading

# ---------------------------------------------------------------------------------------------------------------
# Agencies (data file) and the words of credit lines
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyTable:
    names: frozenset[str]                        # correct names, as written
    garbled: dict[str, tuple[str, str]]          # wrong form -> (canonical, why)
    garbled_re: re.Pattern | None


@lru_cache(maxsize=1)
def agency_table() -> AgencyTable:
    names: set[str] = set()
    garbled: dict[str, tuple[str, str]] = {}
    text = resources.files("mtaudit.detectors").joinpath("data/agencies.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t") + ["", "", ""]
        name, kind, canonical, note = cols[0].strip(), cols[1].strip(), cols[2].strip(), cols[3].strip()
        if kind == "agency":
            names.add(name)
        elif kind == "garbled":
            garbled[name] = (canonical, note)
    pattern = None
    if garbled:
        alternatives = "|".join(re.escape(g) for g in sorted(garbled, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return AgencyTable(frozenset(names), garbled, pattern)


# Reuters-style roles and what each should read as. Other spellings MT produces map onto them.
_CANONICAL_ROLE = {
    "reporting": "Reporting", "reported": "Reporting", "report": "Reporting", "reports": "Reporting",
    "reporter": "Reporting",
    "additional reporting": "Additional reporting", "additional reports": "Additional reporting",
    "additional report": "Additional reporting", "further reporting": "Additional reporting",
    "extra reporting": "Additional reporting",
    "writing": "Writing", "written": "Writing", "write": "Writing", "wrote": "Writing",
    "editing": "Editing", "edited": "Editing", "edit": "Editing", "editor": "Editing",
    "compiled": "Compiled", "compiling": "Compiled", "compile": "Compiled",
    "graphics": "Graphics", "graphic": "Graphics",
    "research": "Research", "translation": "Translation", "translated": "Translation",
    "photos": "Photos", "photo": "Photo", "photography": "Photography", "video": "Video",
    "production": "Production", "produced": "Production",
}
# Roles whose canonical form is the past participle ("Compiled by"), everything else is the -ing noun.
_ROLE_ORDER = ["Reporting", "Additional reporting", "Writing", "Compiled", "Editing"]
_ROLE_WORDS = sorted(_CANONICAL_ROLE, key=len, reverse=True)
_ROLE_BY = re.compile(r"\b(" + "|".join(w.replace(" ", r"\s+") for w in _ROLE_WORDS) + r")\s+by\b", re.I)
# Where a credit line begins: a role phrase that opens the paragraph, follows "(" or a sentence end.
_CREDIT_START = re.compile(
    r"(?:^|(?<=\()|(?<=[.!?”\"]\s)|(?<=[.!?”\"]\s\())\s*(?:(?:Additional|Further|Extra)\s+)?"
    r"(?:Reporting|Reported|Report|Reports|Writing|Written|Editing|Edited|Compiled|Compiling|Edit|Write)\s+by\b",
    re.I)
# Words other than names a credit line may hold: connectors, places' particles, name particles.
_CREDIT_SMALL_WORDS = {"by", "and", "in", "at", "from", "for", "with", "of", "the", "de", "del", "della", "van", "von",
                       "der", "den", "da", "di", "du", "dos", "la", "le", "bin", "al", "el", "ibn", "y", "e", "&"}
_TOKEN = re.compile(r"[^\s,;&()]+")

# Photo credits.
_PHOTO_PREFIX = re.compile(r"^\(?\s*(?:(?:AP|AFP|Xinhua|Reuters)\s+)?(?:Photo|Picture|Image|Credit|Photographer|"
                           r"Photo credit|Photo by|Picture by|Photo source)\s*[:/]?\s*", re.I)
_VIA = re.compile(r"\bvia\b", re.I)
_NAMEISH = re.compile(r"^[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|de|van|von|der|da|di|al|el|bin|la|le))*$")
# Capitalised words that legitimately stand before an agency name in a credit.
_AGENCY_QUALIFIERS = {"Thomson", "Via", "Pool", "Handout", "Kremlin", "Sputnik", "Xinhua", "Getty", "AFP", "AP",
                      "Reuters", "REUTERS", "EPA", "EFE", "NurPhoto", "SOPA", "Anadolu", "Bloomberg", "Image",
                      "Images", "Photo", "Photos", "File", "The"}

_GERMAN_MONTH = (r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|"
                 r"Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez)\.?")
# Datelines: "MOSCOW (Reuters) -", "BEIJING, Dec 15 (Xinhua) --", "Berlin (dpa) -", "(Bloomberg) --".
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’\-]+(?:[ /][A-Z][A-Z.'’\-]+){0,3}|[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2})?"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?))??"
    r"(?:,\s*(?P<date>" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}\.\s*" + _GERMAN_MONTH + r"))?"
    r"\s*\((?P<agency>[A-Za-z][A-Za-z .\-]{0,30})\)\s*(?P<dash>--|-|–|—|:)\s")

# Chinese outlets' closing lines.
_EDITOR_LINE = re.compile(
    r"[(\[（【]\s*(?P<role>Editor|Editors|Responsible editor|Editor in charge|Editor-in-charge|Edited by|"
    r"Liability editor|Responsibility editor|Duty editor|Editor on duty|Executive editor|Reporter|Journalist)"
    r"\s*[:：]?\s*(?P<names>[^()\[\]（）【】]{0,80})[)\]）】]", re.I)
_RESPONSIBLE_EDITOR = re.compile(r"^(?P<role>Responsible editor|Liability editor|Responsibility editor|"
                                 r"Editor in charge|Duty editor)\s*[:：]", re.I)
_WRONG_EDITOR_ROLE = {"liability editor", "responsibility editor", "duty editor", "editor on duty"}
_END_MARK = re.compile(r"[(（]\s*(?P<word>End|Finish|Finished|Over|Complete|Completed|End of text|The end|Full text "
                       r"ends|完)\s*[)）]\s*$", re.I)

def _words(text: str) -> int:
    return len(text.split())


class CreditsDetector(Detector):
    """Datelines, credit lines ("Reporting by A; Editing by B"), photo credits ("NAME/AGENCY via REUTERS", "(AP
    Photo/NAME)") and Chinese outlets' closing lines ("(Editor: NAME)", "(End)") that translation broke: a role word
    doubled ("Edited by A by B"), a credit opening with "Via", a word fused onto an agency ("Paul Reuters" for "Pool
    via REUTERS"), agency names garbled ("Road Society" for Reuters), and datelines, credits or captions stranded in
    the middle of the body text.

    Wrong attribution (who reported, edited or took the picture) is reported as Accuracy/Mistranslation/Attribution,
    major; a broken layout convention that names the right people as Style/Unnatural or awkward, minor.
    """

    name = "credits"
    categories = (Category.CREDIT, Category.AWKWARD)
    options = {"misplaced": "also report datelines, credit lines and photo captions in the middle of body text"}
    misplaced = True

    def detect(self, doc: Document):
        out: list = []
        # a target language's own credit, byline and dateline patterns (detectors/data/<code>/credits.tsv, the
        # phrasing pattern format) run beside the structural checks, which hold for any language
        patterns = builtin_patterns(doc.target_lang, "credits.tsv") if doc.target_lang not in (None, "en") else ()
        kinds = [self._paragraph_kind(segment.target) for segment in doc.segments]
        for i, segment in enumerate(doc.segments):
            text = segment.target
            if not text.strip():
                continue
            emit = _Emitter(self, segment, out)
            covered: list[tuple[int, int]] = []
            covered += self._credit_lines(text, emit)
            covered += self._photo_credits(text, emit)
            covered += self._datelines(text, emit)
            self._closing_lines(text, emit)
            covered += self._patterns(segment, patterns, emit)
            self._garbled_agencies(text, emit, covered)
            if self.misplaced:
                self._misplaced(text, emit, i, kinds)
        return out

    # -- paragraph roles ------------------------------------------------------------------------------------------

    def _paragraph_kind(self, text: str) -> str:
        text = text.strip()
        if not text:
            return "empty"
        lead = len(text) - len(text.lstrip("( "))
        if _CREDIT_START.match(text) and _credit_line_span(text, lead) is not None:
            return "credit"
        if _END_MARK.fullmatch(text.strip()) or _EDITOR_LINE.fullmatch(text.strip()) or \
                _RESPONSIBLE_EDITOR.match(text):
            return "closing"
        credit = _trailing_photo_credit(text)
        if credit is not None and credit[0] > 0:
            return "caption"
        if credit is not None or is_heading(text):
            return "heading"  # a credit alone, a headline or a section heading
        return "body"

    # -- a language's credit patterns -------------------------------------------------------------------------------

    def _patterns(self, segment: Segment, patterns, emit: "_Emitter") -> list[tuple[int, int]]:
        covered = []
        for pattern in patterns:
            if not pattern.applies(segment):
                continue
            texts = [(0, segment.target)] if pattern.scope == "paragraph" else \
                [(s.start, s.text) for s in segment.sentences]
            for offset, text in texts:
                for m in pattern.regex.finditer(text):
                    start, end = pattern.span(m)
                    message, suggestion = pattern.describe(m, text[start:end])
                    emit(offset + start, offset + end, pattern.category, pattern.severity, message,
                         suggestion=suggestion, confidence=pattern.confidence)
                    covered.append((offset + start, offset + end))
        return covered

    # -- credit lines ---------------------------------------------------------------------------------------------

    def _credit_lines(self, text: str, emit: "_Emitter") -> list[tuple[int, int]]:
        covered = []
        for start_match in _CREDIT_START.finditer(text):
            start = start_match.start() + (len(start_match.group()) - len(start_match.group().lstrip()))
            span = _credit_line_span(text, start)
            if span is None:
                continue
            start, end = span
            covered.append((start, end))
            self._check_credit_line(text, start, end, emit)
        return covered

    def _check_credit_line(self, text: str, start: int, end: int, emit: "_Emitter") -> None:
        line = text[start:end]
        reuters_style = ";" in line or any(m.group(1).lower() in ("reporting", "editing", "writing",
                                                                   "additional reporting")
                                           for m in _ROLE_BY.finditer(line))
        seen_roles: dict[str, int] = {}
        roles_in_order: list[str] = []
        clause_start = 0
        for clause in line.split(";") + [None]:
            if clause is None:
                break
            c_start = start + clause_start
            clause_start += len(clause) + 1
            stripped = clause.strip()
            if not stripped:
                continue
            c_start += len(clause) - len(clause.lstrip())
            role_matches = list(_ROLE_BY.finditer(stripped))
            if not role_matches:
                emit(c_start, c_start + len(stripped), Category.AWKWARD, Severity.MINOR,
                     f"“{stripped}” in a credit line has no role: each part of a credit line names what the "
                     f"people did (“Reporting by …”, “Editing by …”)", confidence=0.6)
                continue
            if role_matches[0].start() > 0 and stripped[:role_matches[0].start()].strip() not in ("", "("):
                continue  # prose, not a credit clause
            # a second role phrase in the same clause: the ";" between them is missing
            for later in role_matches[1:]:
                before = stripped[:later.start()].rstrip()
                if re.search(r"\bby$", before):  # "Editing by Reporting by" is handled below as a doubled role
                    continue
                fixed = stripped[:later.start()].rstrip(" ,") + "; " + stripped[later.start():]
                emit(c_start, c_start + len(stripped), Category.AWKWARD, Severity.MINOR,
                     f"“{later.group()}” starts a new role without the “;” that separates the roles of a credit "
                     f"line: “{fixed}”", suggestion=fixed, confidence=0.8)
            bounds = [m.start() for m in role_matches] + [len(stripped)]
            for m, m_end in zip(role_matches, bounds[1:]):
                role_text = " ".join(m.group(1).split())
                canonical = _CANONICAL_ROLE.get(role_text.lower(), role_text.capitalize())
                names_text = stripped[m.end():m_end].strip().rstrip(").").strip()
                part_start, part_end = c_start + m.start(), c_start + m.start() + len(stripped[m.start():m_end].rstrip())
                roles_in_order.append(canonical)
                doubled = list(re.finditer(r"(?:^|\s)by(?=\s|$)", names_text))
                names = [n for part in re.split(r"(?:^|\s)by(?:\s|$)", names_text) for n in _split_names(part)]
                if doubled or not names_text:
                    joined = _join_names(names)
                    suggestion = f"{canonical} by {joined}" if joined else None
                    if doubled:
                        shown = stripped[m.start():m_end].strip()
                        if len(names) >= 2:
                            message = (f"“{shown}”: the role word “by” is repeated, so the credit gives "
                                       f"{'two' if len(names) == 2 else 'several'} names to one role with broken "
                                       f"grammar")
                        else:
                            message = f"“{shown}”: the role word “by” is doubled"
                        message += f"; it should read “{suggestion}”" if suggestion else ""
                    else:
                        message = f"“{role_text} by” names nobody: the credit line lost the name of this role"
                    emit(part_start, part_end, Category.CREDIT, Severity.MAJOR, message, suggestion=suggestion,
                         confidence=0.9)
                elif reuters_style and role_text.lower() not in ("reporting", "additional reporting", "writing",
                                                                 "editing", "compiled by", "compiled") \
                        and canonical in _ROLE_ORDER:
                    emit(part_start, part_start + len(m.group()), Category.AWKWARD, Severity.MINOR,
                         f"“{m.group()}” is not the agency's credit wording: credit lines read “{canonical} by …”",
                         suggestion=f"{canonical} by", confidence=0.7)
                if canonical in seen_roles and canonical in _ROLE_ORDER:
                    emit(part_start, part_end, Category.AWKWARD, Severity.MINOR,
                         f"the role “{canonical}” appears twice in one credit line: list all its names once "
                         f"(“{canonical} by A and B”)", confidence=0.7)
                seen_roles.setdefault(canonical, part_start)
        ranked = [_ROLE_ORDER.index(r) for r in roles_in_order if r in _ROLE_ORDER]
        if reuters_style and any(a > b for a, b in zip(ranked, ranked[1:])):
            order = "; ".join(r + " by …" for r in _ROLE_ORDER if r in roles_in_order)
            emit(start, end, Category.AWKWARD, Severity.MINOR,
                 f"the roles of this credit line are out of the usual order ({order})", confidence=0.5)

    # -- photo credits --------------------------------------------------------------------------------------------

    def _photo_credits(self, text: str, emit: "_Emitter") -> list[tuple[int, int]]:
        credit = _trailing_photo_credit(text)
        if credit is None:
            return []
        start, end = credit
        self._check_photo_credit(text[start:end], start, emit)
        return [credit]

    def _check_photo_credit(self, credit: str, offset: int, emit: "_Emitter") -> None:
        table = agency_table()
        body = credit.strip().strip("()").strip()
        lead_via = re.match(r"(?i)via\s+", body)
        problems: list[str] = []
        major = False
        rest = body[lead_via.end():] if lead_via else body
        rest = _PHOTO_PREFIX.sub("", rest) if not lead_via else rest
        chunks = [c.strip() for c in rest.split("/")]
        fixed_chunks = list(chunks)
        tail_via = None
        last = chunks[-1] if chunks else ""
        via_in_last = re.match(r"(?P<before>.*?)\s+via\s+(?P<agency>.+)$", last, re.I)
        if via_in_last:
            tail_via = via_in_last.group("agency")
            last_core = via_in_last.group("before")
        else:
            last_core = last
        fused = re.fullmatch(r"(?P<word>[A-Z][a-z]+)\s+(?P<agency>Reuters|REUTERS|AFP|AP|Xinhua|Getty Images|EPA|TASS)",
                             last_core)
        if fused and fused.group("word") not in _AGENCY_QUALIFIERS:
            word, agency = fused.group("word"), fused.group("agency")
            agency_fixed = "REUTERS" if agency.lower() == "reuters" else agency
            if _sounds_like(word, "Pool"):
                fixed_chunks[-1] = f"Pool via {agency_fixed}"
                problems.append(f"“{word} {agency}” is not a person: “{word}” stands where the pool credit belongs "
                                f"(“Pool via {agency_fixed}”)")
            else:
                fixed_chunks[-1] = f"{word} via {agency_fixed}" if lead_via else f"{word}/{agency_fixed}"
                problems.append(f"“{word}” is fused onto the agency name “{agency}”: a credit names the photographer "
                                f"and the agency separately")
            major = True
        elif lead_via and not tail_via and len(chunks) >= 2 and chunks[-1] in table.names:
            fixed_chunks = chunks[:-1]
            fixed_chunks[-1] = f"{fixed_chunks[-1]} via {'REUTERS' if chunks[-1].lower() == 'reuters' else chunks[-1]}"
        for k, chunk in enumerate(chunks[:-1] if fused else chunks):
            garbled = _garbled_agency(chunk)
            if garbled:
                fixed_chunks[k] = garbled
                problems.append(f"“{chunk}” is a garbled agency name (“{garbled}”)")
                major = True
        if lead_via:
            problems.insert(0, "the credit starts with “Via”: in agency credits “via” stands before the distributing "
                               "agency at the end (“NAME/AGENCY via REUTERS”)")
        if not problems:
            return
        suggestion = "/".join(fixed_chunks)
        message = "photo credit garbled: " + "; ".join(problems) + f"; it probably should read “{suggestion}”"
        emit(offset, offset + len(credit), Category.CREDIT if major else Category.AWKWARD,
             Severity.MAJOR if major else Severity.MINOR, message, suggestion=suggestion,
             confidence=0.9 if major else 0.7)

    # -- datelines ------------------------------------------------------------------------------------------------

    def _datelines(self, text: str, emit: "_Emitter") -> list[tuple[int, int]]:
        table = agency_table()
        covered = []
        for m in _dateline_matches(text):
            agency = m.group("agency").strip()
            covered.append((m.start(), m.end()))
            if agency in table.names:
                continue
            garbled = _garbled_agency(agency)
            if garbled:
                fixed = text[m.start():m.start("agency")] + garbled + text[m.end("agency"):m.end()].rstrip()
                shown = text[m.start():m.end()].rstrip()
                emit(m.start(), m.start() + len(shown), Category.CREDIT, Severity.MAJOR,
                     f"the dateline's agency “{agency}” is garbled: the dateline should read “{fixed}”",
                     suggestion=fixed, confidence=0.85)
        return covered

    # -- Chinese outlets' closing lines ---------------------------------------------------------------------------

    def _closing_lines(self, text: str, emit: "_Emitter") -> None:
        for m in list(_EDITOR_LINE.finditer(text)) + list(_RESPONSIBLE_EDITOR.finditer(text)):
            role = " ".join(m.group("role").split())
            if role.lower() in _WRONG_EDITOR_ROLE:
                emit(m.start("role"), m.end("role"), Category.CREDIT, Severity.MINOR,
                     f"“{role}” is a word-for-word rendering of 责任编辑: English closing lines say “Editor”",
                     suggestion="Editor", confidence=0.8)
            names = m.groupdict().get("names") or ""
            again = re.search(r"\b(?:Editor|Edited by|Responsible editor)\b\s*[:：]?", names, re.I)
            if again:
                first = names[:again.start()].strip(" ,;")
                second = names[again.end():].strip(" ,;")
                suggestion = f"(Editor: {first}, {second})" if first and second else None
                emit(m.start(), m.end(), Category.CREDIT, Severity.MAJOR,
                     "the editor's role is written twice in one closing line: one role, two names"
                     + (f"; it should read “{suggestion}”" if suggestion else ""),
                     suggestion=suggestion, confidence=0.8)
        end = _END_MARK.search(text)
        if end and end.group("word").lower() not in ("end", "完") and (end.start() == 0 or _words(text) <= 3
                                                                       or TERMINAL.search(text[:end.start()].strip())):
            emit(end.start(), end.end(), Category.AWKWARD, Severity.MINOR,
                 f"“{end.group().strip()}” closes the article: the English closing mark is “(End)”",
                 suggestion="(End)", confidence=0.7)

    # -- garbled agency names anywhere ----------------------------------------------------------------------------

    def _garbled_agencies(self, text: str, emit: "_Emitter", covered: list[tuple[int, int]]) -> None:
        table = agency_table()
        if table.garbled_re is None:
            return
        for m in table.garbled_re.finditer(text):
            if any(a <= m.start() < b for a, b in covered):
                continue  # already part of a credit finding
            name = m.group()
            canonical, why = table.garbled[name]
            if name == "Reuter" and not _agency_context(text, m.start(), m.end()):
                continue  # Paul Julius Reuter and other people named Reuter
            if name == "Routers" and not _agency_context(text, m.start(), m.end()):
                continue
            emit(m.start(), m.end(), Category.CREDIT, Severity.MAJOR,
                 f"“{name}” is a garbled agency name: it should be “{canonical}”" + (f" ({why})" if why else ""),
                 suggestion=canonical, confidence=0.85)
        for m in _SPLIT_AGENCY.finditer(text):
            if any(a <= m.start() < b for a, b in covered) or not _agency_context(text, m.start(), m.end()):
                continue  # "Xin Hua" can be a person's name; only where an agency is named is it the agency
            canonical = _garbled_agency(m.group()) or m.group()
            emit(m.start(), m.end(), Category.CREDIT, Severity.MAJOR,
                 f"the agency name “{canonical}” is split in two (“{m.group()}”)", suggestion=canonical,
                 confidence=0.8)

    # -- credits, datelines and captions in the middle of the body ------------------------------------------------

    def _misplaced(self, text: str, emit: "_Emitter", index: int, kinds: list[str]) -> None:
        kind = kinds[index]
        body_before = sum(1 for k in kinds[:index] if k == "body")
        body_after = sum(1 for k in kinds[index + 1:] if k == "body")
        for m in _dateline_matches(text):
            if m.start() > 0:
                emit(m.start(), m.end(), Category.AWKWARD, Severity.MINOR,
                     f"a dateline (“{m.group().strip()}”) inside a paragraph: a dateline opens an article, so text "
                     f"from two stories or two paragraphs was probably merged here", confidence=0.6)
            elif body_before >= 1:
                emit(m.start(), m.end(), Category.AWKWARD, Severity.MINOR,
                     f"a dateline (“{m.group().strip()}”) after the article has begun: it belongs at the start of "
                     f"the first paragraph, so a second story or a misplaced paragraph follows", confidence=0.6)
        if kind == "credit" and body_after >= 2:
            emit(0, len(text), Category.AWKWARD, Severity.MINOR,
                 "a credit line in the middle of the article: credit lines close the story, so the paragraphs after it "
                 "are misplaced or belong to another story", confidence=0.6)
        if kind == "caption" and body_before >= 1 and body_after >= 1:
            credit = _trailing_photo_credit(text)
            caption_end = credit[0] if credit else len(text)
            emit(0, caption_end, Category.AWKWARD, Severity.MINOR,
                 "a photo caption in the middle of the body text: it describes a picture, not the story; mark it as a "
                 "caption or move it out of the article text", confidence=0.5)


class _Emitter:
    """Turns segment-level offsets into sentence findings."""

    def __init__(self, detector: CreditsDetector, segment: Segment, out: list):
        self.detector, self.segment, self.out = detector, segment, out

    def __call__(self, start: int, end: int, category: str, severity: Severity, message: str,
                 suggestion: str | None = None, confidence: float = 1.0) -> None:
        sentences = self.segment.sentences
        if not sentences:
            return
        sentence = next((s for s in sentences if s.start <= start < s.end), None)
        if sentence is None:
            sentence = next((s for s in sentences if s.start >= start), sentences[-1])
        self.out.append(self.detector.finding(sentence, start - sentence.start, end - sentence.start, category,
                                              severity, message, suggestion, confidence))


# ---------------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------------

def _credit_line_span(text: str, start: int) -> tuple[int, int] | None:
    """The extent of a credit line starting at ``start``, or None when what follows is prose, not a credit."""
    end = len(text)
    close = text.find(")", start)
    opened = start > 0 and text[start - 1] == "("
    if opened and close >= 0:
        end = close
    line = text[start:end].rstrip().rstrip(".").rstrip()
    if not line or len(line) > 400:
        return None
    for clause in line.split(";"):
        tokens = _TOKEN.findall(_ROLE_BY.sub(" ", clause))
        for token in tokens:
            bare = token.strip(".'’\"")
            if not bare:
                continue
            if bare.lower() in _CREDIT_SMALL_WORDS or bare[0].isupper() or bare[0].isdigit():
                continue
            if re.fullmatch(r"[A-Z]\.?", bare):
                continue
            return None  # a lower-case content word: this is a sentence, not a list of names
    return start, start + len(line)


def _split_names(text: str) -> list[str]:
    parts = re.split(r",\s*|\s+and\s+|\s*&\s*", text.strip())
    return [p.strip() for p in parts if p.strip()]


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _trailing_photo_credit(text: str) -> tuple[int, int] | None:
    """The span of a photo credit ending the paragraph (after a caption sentence, or the whole paragraph)."""
    stripped = text.rstrip()
    if not stripped or "/" not in stripped[-200:] and not re.search(r"(?i)\b(?:via|photo)\b", stripped[-200:]):
        return None
    # the credit is what follows the last sentence end (or the whole paragraph)
    cut = 0
    for m in re.finditer(r"[.!?][\"”’]?\s+(?=\(?[A-Za-z])", stripped):
        cut = m.end()
    candidate = stripped[cut:]
    if not _looks_like_photo_credit(candidate):
        return None
    return cut, len(stripped)


def _looks_like_photo_credit(candidate: str) -> bool:
    table = agency_table()
    body = candidate.strip().strip("()").strip().rstrip(".")
    if not body or len(body) > 120 or _words(body) > 12:
        return False
    if re.match(r"(?i)^(?:AP|AFP)\s+Photo\s*/", body):
        return True
    body = re.sub(r"(?i)^via\s+", "", body)
    prefix = _PHOTO_PREFIX.match(body)
    had_prefix = bool(prefix and prefix.group().strip())
    body = _PHOTO_PREFIX.sub("", body)
    chunks = [c.strip() for c in body.split("/")]
    if any(not c for c in chunks):
        return False
    # every chunk must be a name, an agency, or "X via AGENCY"
    agencyish = False
    for chunk in chunks:
        core = re.sub(r"(?i)\s+via\s+", " ", chunk)
        if not _NAMEISH.match(core) and chunk not in ("File Photo", "File", "Pool", "Handout") \
                and not _garbled_agency(chunk):
            return False
        if any(word in table.names or word.upper() == "REUTERS" for word in core.split()) or \
                any(name in core for name in ("Getty Images", "Associated Press", "RIA Novosti")):
            agencyish = True
        if _garbled_agency(chunk) or re.search(r"\b(?:Reuters|REUTERS|AFP|AP)$", chunk):
            agencyish = True
    return agencyish and (len(chunks) >= 2 or had_prefix or bool(_VIA.search(body)))


def _garbled_agency(name: str) -> str | None:
    """The agency a garbled name stands for ("Reuter" -> "Reuters"), or None when it is correct or not an agency."""
    table = agency_table()
    name = name.strip()
    if name in table.names or not name:
        return None
    if name in table.garbled:
        return table.garbled[name][0]
    if not name[0].isupper() or len(name) < 5:
        return None
    joined = re.sub(r"[\s\-]+", "", name)
    if joined != name:  # split by a space or hyphen: "Reu ters", "Xin Hua"
        whole = next((a for a in _SPLITTABLE if a.lower() == joined.lower()), None)
        return whole
    if " " in name:
        return None
    for agency in ("Reuters", "Xinhua", "Bloomberg", "Interfax", "Sputnik", "Yonhap", "Kyodo"):
        if name.lower() != agency.lower() and fuzz.ratio(name.lower(), agency.lower()) >= 80:
            return agency
    return None


# Agency names long enough that a split form ("Reu ters") cannot be an ordinary phrase.
_SPLITTABLE = ("Reuters", "Xinhua", "Bloomberg", "Interfax", "Sputnik", "Yonhap", "Kyodo")
_SPLIT_AGENCY = re.compile(r"(?<![\w-])(?:" + "|".join(
    "|".join(f"{re.escape(a[:i])}[ -](?i:{re.escape(a[i:])})" for i in range(2, len(a) - 1))
    + "|" + "|".join(f"{re.escape(a.upper()[:i])}[ -]{re.escape(a.upper()[i:])}" for i in range(2, len(a) - 1))
    for a in _SPLITTABLE) + r")(?![\w-])")


def _sounds_like(word: str, target: str) -> bool:
    return word.lower() == target.lower() or jellyfish.metaphone(word) == jellyfish.metaphone(target)


def _agency_context(text: str, start: int, end: int) -> bool:
    """The word sits where an agency is named: in a dateline's brackets, a credit after "/", or "via"/"told"."""
    before, after = text[max(0, start - 12):start], text[end:end + 3]
    return bool(re.search(r"(?:[(/]\s*|\bvia\s+|\btold\s+|\bto\s+|\blaut\s+|\bgegenüber\s+)$", before, re.I)
                or after.startswith(")")
                or re.match(r"\s*(?:news agency|reported|said|quoted|berichtete|meldete|zufolge)", text[end:end + 20],
                            re.I))


def _dateline_matches(text: str):
    """Datelines at the start of the paragraph or right after a sentence end inside it."""
    table = agency_table()
    for m in _DATELINE.finditer(text):
        if m.start() > 0 and not re.search(r"[.!?][\"”’]?\s+$", text[:m.start()]):
            continue
        place, agency = m.group("place") or "", m.group("agency").strip()
        if not place and m.start() > 0:
            continue
        known = agency in table.names or _garbled_agency(agency) is not None
        if not known:
            continue
        if place and not place.isupper() and agency not in table.names and agency not in table.garbled:
            continue  # "Smith (Reuter) -": too weak without an upper-case dateline place
        yield m
