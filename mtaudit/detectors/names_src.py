"""Names in the source that the target drops or misspells, checked against their expected romanisation."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from mtaudit.core.document import Category, Document, Severity
from mtaudit.core.options import switch
from mtaudit.detectors.base import Detector
from mtaudit.detectors.namelib import (
    abbreviations, article, established, orgs, people, readings, regions, translated,
)
from mtaudit.detectors.namelib.entities import curated
from mtaudit.detectors.namelib.article import GENERIC_WORDS
from mtaudit.detectors.namelib.romanise import fold, is_pinyin, same_name, sound_key
from mtaudit.detectors.namelib.source_names import (
    PERSON_TAGS, PLACE_SUFFIXES, SourceName, all_surnames, common_chinese_word, name_candidates,
    source_glosses, source_language, source_organisations, source_tokens, toneless_pinyin,
)
from mtaudit.detectors.namelib.target_names import (
    after_english_name, common_english_word, folded_spans, form_present, inflected, inside_longer_name, near_form,
    other_place, segment_renderings, syllable_run, unexplained_name,
)
from mtaudit.detectors.namelib.transliterate import all_pinyin, capitalised_spans, skeleton, sounds_like
from mtaudit.detectors.namelib.zh_lexicon import keys_by_form, lexicon


# Cantonese, Wade-Giles and other established spellings of common surnames that no pinyin rule derives: right for
# many Hong Kong, Taiwan and overseas people, so a match is reported with less confidence unless the given name beside
# it is in pinyin (a mixed "Wong Fang" for 王芳 is MT, not a Hong Kong spelling).
_OTHER_SYSTEMS = {
    "Wang": ("Wong",), "Huang": ("Wong", "Hwang"), "Chen": ("Chan", "Chin", "Tan"), "Zhang": ("Cheung", "Chong"),
    "Li": ("Lee", "Lei", "Lai"), "Liang": ("Leung",), "Liu": ("Lau", "Lao"), "Wu": ("Ng", "Woo", "Goh"),
    "Zhou": ("Chow", "Chau"), "Zhao": ("Chao", "Chiu"), "Lin": ("Lam", "Lim"), "He": ("Ho", "Hoh"), "Xie": ("Tse", "Hsieh"), "Guo": ("Kwok", "Kuo"),
    "Luo": ("Law", "Lo", "Lou"), "Zeng": ("Tsang", "Tseng"), "Yang": ("Yeung", "Yeo"), "Xu": ("Hsu", "Tsui", "Hui"),
    "Cai": ("Choi", "Tsai", "Chua"), "Ye": ("Yip", "Yeh"), "Feng": ("Fung",), "Zheng": ("Cheng", "Cheang"),
    "Jiang": ("Chiang", "Kong", "Keung"), "Zhu": ("Chu", "Chew"), "Hu": ("Woo",), "Deng": ("Tang",), "Su": ("So",),
}
_CANTONESE_PLACES = re.compile("香港|澳门|台湾|台北|新加坡|港府|港澳|特区政府")

_TARGET_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PRONOUN = re.compile(r"\b(?:he|she|his|her|him)\b", re.I)
_KIND_WORDS = {"person": "person's name", "place": "place name", "org": "organisation name"}


def _folded_forms(forms: tuple[str, ...]) -> set[str]:
    """A name's forms as ``orgs.established_form_missed`` compares them: run together, and their acronyms."""
    return {orgs.joined_form(f) for f in forms} | {a for a in map(orgs.acronym, forms) if a}


def _known_person(word: str) -> bool:
    entry = lexicon().get(word)
    return entry is not None and entry.kind == "person"


def _article_key(word: str) -> str:
    """What the article check compares a source name on: a dotted foreign name by its last part (布德温·卡特里 and
    卡特里 are one person), any other name as written."""
    return word.rsplit("·", 1)[-1] if "·" in word else word


@lru_cache(maxsize=4096)
def given_readings(name: str, given: str) -> frozenset[str]:
    """Every reading of a Chinese name's given name, its characters' other readings included (韩长赋: "changfu" as
    well as "zhangfu"; 严隽琪: "junqi" and "juanqi"): a given name in one of them is not garbled. ``given`` is the
    folded pinyin of the name's last one or two characters."""
    from pypinyin import Style, pinyin

    chars = next((name[-k:] for k in (2, 1) if len(name) > k and "".join(toneless_pinyin(name[-k:])) == given), "")
    readings = [""] if chars else []
    for char in chars:
        readings = [r + o for r in readings for o in pinyin(char, style=Style.NORMAL, heteronym=True)[0]][:64]
    return frozenset(readings)


class NamesSourceDetector(Detector):
    """Names of the source (people, places, organisations) misspelt, garbled, swapped, rendered two ways in one
    article or missing in the target, checked against their romanisation, their readings and the established English
    names the world knows (习近平 -> "Xi Jinping", 中新网 -> "China News Service", 范明政 -> "Phạm Minh Chính").

    For a Chinese source, jieba's tags find the names and pypinyin gives the expected romanisation, with a table of
    conventional forms (孙中山 -> "Sun Yat-sen", 香港 -> "Hong Kong", 普京 -> "Putin"), the shipped lexicon and the
    curated tables of established names (``data/entities/*.tsv``: media, exchanges, organs, ministries, universities,
    companies, places and people; a team's ``glossary`` wins over them).

    A target word that sounds like the expected name but is spelt differently ("Ji" for 习) is a mistranslated name;
    so is a foreign, Vietnamese or Korean name read back as Chinese pinyin ("Bu Linken", "Wen Zaiyin"), a Vietnamese
    or Korean syllable none of the character's readings gives ("Pham Minh Thanh", "Moon Jae-yin"), a Japanese surname
    cut short ("Kishi" for 岸田), another place that sounds like the source's ("Zhangzhou" for 郴州) or that a
    one-character abbreviation does not mean ("Australia" for 来澳 in a Macau story), an organisation's generic part
    left in pinyin ("Hunan Weishi"), a known organisation rendered word by word or afresh ("China News Network",
    "Economic Observation Newspaper") or by another body's name ("Xinhua" for 中新网), a person swapped for another
    ("Shi Lian" for 王沪宁), and a minority rendering of a name the article writes another way elsewhere ("Giobro"
    beside "Ziobro"). A Taiwanese, Hong Kong, Macau or Singapore person in mainland pinyin
    ("Xia Liyan" for Hsia Li-yen) and a name without the accents English keeps ("Rios") are name-format findings. A
    person named in the source who appears nowhere in the target is reported as a possible omission (the translation
    may use a pronoun instead). Other source languages plug in through ``SOURCE_LANGUAGES`` in
    ``namelib/source_names.py``.
    """

    name = "names_src"
    categories = (Category.MISTRANSLATION, Category.OMISSION, Category.LOCALE_NAME, Category.TERMINOLOGY)
    requires = frozenset({"source"})
    options = {"omissions": "also report source names absent from the target (true/false)",
               "accents": "report people written without the accents of their known form, Ríos as Rios (true/false)",
               "glossary": "the team's name glossary (as for names; --glossary sets both): its canonical forms are "
                           "never reported, and they replace the shipped forms it lists as variants in suggestions"}
    omissions: bool = True
    accents: bool = True
    glossary: str | None = None

    def detect(self, doc: Document):
        out = []
        repeated = self._repeated_names(doc)
        renderings = []
        # Hong Kong, Macau, Taiwan or Singapore in the article: Cantonese and Wade-Giles surnames are people's own
        cantonese = any(_CANTONESE_PLACES.search(s.source or "") for s in doc.segments)
        glossed = source_glosses(doc)
        vietnam = any(readings.COUNTRY["vi"].search(s.source or "") for s in doc.segments)
        article_source = "".join(s.source or "" for s in doc.segments)
        about_vietnam = readings.about_vietnam(article_source)
        regional = None  # people of Taiwan, Hong Kong, Macau, Singapore: found once a Chinese source comes
        koreans = japanese = None  # the Korean and Japanese people the article introduces, found once a Chinese
        # source comes
        for index, segment in enumerate(doc.segments):
            if not segment.source or not segment.sentences or not segment.target.strip():
                continue
            module = source_language(segment.source, doc.source_lang, doc.target_lang)
            if module is None:
                continue
            target_words = [(m.group(), m.start(), m.end()) for m in _TARGET_WORD.finditer(segment.target)]
            folded = [fold(w) for w, _, _ in target_words]
            joined = "".join(folded)
            names = module.names(segment.source)
            if module.lang == "zh":
                out.extend(self._generic_pinyin(segment))
                asian, flagged = self._asian_reading(segment, vietnam, out)
                out.extend(asian)
                taken = [(s.start + f.start, s.start + f.end) for s, f in out if s.segment is segment]
                if regional is None:
                    regional = regions.regional_people([s.source for s in doc.segments if s.source], source_tokens,
                                                      PERSON_TAGS, all_surnames(), _known_person)
                if koreans is None:
                    sources = [s.source for s in doc.segments if s.source]
                    koreans = readings.korean_people(sources, name_candidates, PERSON_TAGS)
                    japanese = people.japanese_people(sources, name_candidates)
                spots = people.vietnamese_readings(segment, about_vietnam, taken) + people.regional_pinyin(
                    segment, regional, taken) + people.korean_readings(segment, koreans, taken) + \
                    people.japanese_surnames(segment, japanese, taken)
                also = {spot.name for spot in spots}
                out.extend(f for spot in spots for f in self._spot(segment, spot))
                flagged |= also
                names = [n for n in names if n.text not in flagged and not any(n.text in f for f in also)]
                # a Korean or Japanese person's English name is no pinyin: the checks of a Chinese name (surname and
                # given name in pinyin) would misread "Lee" or "Deok-su", or miss "Shangchuan" for 上川阳子; the
                # lexicon's known people stay for the checks of a person swapped or a known given name garbled, and
                # leave before the pinyin checks below when they were read as a Chinese name (韩德洙: 韩 + 德洙)
                east_asian = [k for k in (*koreans, *japanese) if k in segment.source]
                names = [n for n in names if n.known or not any(n.text in k or k in n.text for k in east_asian)]
                found_orgs, flagged = self._established(segment, article_source)
                out.extend(found_orgs)
                for wrong in abbreviations.wrong_places(segment.source, segment.target, article_source):
                    out.extend(self._at(segment, wrong.start, wrong.end, Category.MISTRANSLATION, Severity.MAJOR,
                                        f"The source's {wrong.char} stands for {wrong.meant} here (the article names "
                                        f"it in full); “{wrong.text}” renders another place.", wrong.suggestion, 0.7))
                names = [n for n in names if n.text not in flagged]
            if glossed:
                out.extend(self._glossed(segment, glossed))
                names = [n for n in names if n.text not in glossed]
            if repeated and module.lang == "zh":
                renderings += segment_renderings(index, segment, names, repeated, glossed, cantonese)
            others = {fold(n.given) for n in names if n.given} | {fold(n.surname) for n in names if n.surname}
            if module.lang == "zh":
                taken = [(s.start + f.start, s.start + f.end) for s, f in out if s.segment is segment]
                replaced = people.other_people(segment, names, folded, joined, cantonese) + people.titled_surnames(
                    segment, taken) + people.swapped_known_people(segment, names, folded, joined, taken) + \
                    people.garbled_given_names(segment, names, taken) + (
                    people.dropped_accents(segment, names, taken) if switch(self.accents) else [])
                out.extend(f for spot in replaced for f in self._spot(segment, spot))
                names = [n for n in names if n.text not in {spot.name for spot in replaced} and not (
                    (n.surname or n.given) and any(n.text in k or k in n.text for k in east_asian))]
            for name in names:
                if any(form_present(form, folded, joined) for form in name.expected):
                    if name.known and name.kind in ("place", "org") and not any(
                            article.find_words(segment.target, form) is not None for form in name.expected):
                        out.extend(self._garbled(segment, name))  # present only inside a longer word: "Hoh Xili"
                        continue
                    if name.given:
                        out.extend(self._given_name(segment, name, target_words, others - {fold(name.given)}))
                    continue
                if name.foreign or (name.known and name.kind in ("place", "org")):
                    # words of the other names' forms, unless they read this name too (北江 "Beijiang" and 北江市)
                    garbled = self._garbled(segment, name, frozenset(
                        w for other in names if other is not name for form in other.expected
                        for w in map(fold, form.replace("-", " ").split())
                        if not syllable_run(w, name.pinyin) and w != "".join(name.pinyin)))
                    if garbled:
                        out.extend(garbled)
                        continue
                if not name.given and name.origin != "table" and not (name.foreign and name.surname):
                    continue  # a lexicon place or organisation written some other way: a paraphrase as often as not
                # the given name alone ("Jinping") does not clear a misspelt surname ("Ji Jinping")
                given_present = bool(name.given) and form_present(name.given, folded, joined)
                out.extend(self._report(segment, name, target_words, given_present, cantonese))
        if renderings:
            out.extend(self._two_renderings(doc, renderings, out))
        out.extend(self._two_translations(doc, renderings, out))
        return self._team_glossary(out) if self.glossary else out

    def _team_glossary(self, found):
        """The team's glossary wins over the shipped tables: a finding on one of its canonical forms goes, and a
        suggestion it lists as a variant becomes its canonical form."""
        from dataclasses import replace

        from mtaudit.detectors.namelib.glossary import load_glossary

        wrong = load_glossary(str(self.glossary))
        canonical = {fold(c) for c in wrong.values()}
        out = []
        for sentence, finding in found:
            if fold(sentence.text[finding.start:finding.end]) in canonical:
                continue
            if finding.suggestion in wrong:
                finding = replace(finding, suggestion=wrong[finding.suggestion])
            out.append((sentence, finding))
        return out

    def _asian_reading(self, segment, vietnam: bool, found):
        """A Vietnamese, Korean or Japanese person or place (its country named just before it in the source, or the
        surname 阮 in an article about Vietnam) whose target rendering is the Chinese pinyin of its characters:
        "Ruan Chunfu" for 阮春福 (Nguyễn Xuân Phúc), "Wen Zaiyin" for 文在寅 (Moon Jae-in). Returns the findings and
        the source names they report."""
        out, flagged = [], set()
        source = segment.source
        for word, tag, start, end in name_candidates(source):
            entry = lexicon().get(word)
            kind = entry.kind if entry else "person" if tag in PERSON_TAGS else "place" if tag == "ns" else None
            if kind not in ("person", "place") or entry and entry.domestic or len(word) < 2:
                continue
            code = readings.country_before(source, start) or ("vi" if vietnam and word[0] == "阮" else None)
            if code is None or kind == "person" and entry and not entry.foreign:
                continue  # a Chinese person the dictionary knows
            stem = word[:-1] if kind == "place" and len(word) > 2 and word.endswith(PLACE_SUFFIXES) else word
            wanted = {"".join(toneless_pinyin(word)), "".join(toneless_pinyin(stem))}
            span = next(((a, b, text) for text, a, b, folded, _ in folded_spans(segment.target) if folded in wanted
                         and all_pinyin(text)), None)
            if span is None or any(s.segment is segment and s.start + f.start < span[1] and span[0] < s.start + f.end
                                   for s, f in found):
                continue
            if code == "vi":
                suggestion = readings.vietnamese(stem)
            elif code == "ko":
                suggestion = readings.korean(stem, kind == "person")
            else:  # a Japanese surname the dictionary knows (安倍 Abe); given names have too many readings
                surname = next((lexicon().get(word[:n]) for n in (2, 1) if lexicon().get(word[:n])), None)
                suggestion = surname.forms[0] if surname and surname.foreign else None
            if entry and entry.foreign:
                suggestion = entry.forms[0]
            what = "person" if kind == "person" else "place"
            hint = f" (“{suggestion}” in its own reading)" if suggestion else ""
            flagged.add(word)
            out.extend(self._at(segment, span[0], span[1], Category.MISTRANSLATION, Severity.MAJOR,
                                f"The source names {word}, a {readings.LANGUAGE_NAMES[code]} {what}{hint}; "
                                f"“{span[2]}” reads its characters as Chinese pinyin.", suggestion, 0.7))
        return out, flagged

    def _established(self, segment, article_source: str = ""):
        """An organisation or medium the lexicon knows by a name of two or more words (中新网 ChinaNews, 人民日报
        People's Daily) whose established form the target lacks, rendered instead by its parts run into a generic word
        for one of its characters ("China News Network", "People's Daily Newspaper"). Returns the findings and the
        source names they report.

        Left alone: an organisation right after a place (美国证监会 is the SEC, 香港证监会 the SFC: another body) or
        right before a generic part of its own (美国国会 + 委员会: the added word renders it), a target with two such
        spans (which one renders it is unclear), and a span that is another organisation's form (“China News
        Service” is the lexicon's form of 中国新闻网, of which 中新网 is the short name)."""
        out, flagged = [], set()
        source = segment.source
        candidates = name_candidates(source)
        for word, tag, start, end in candidates:
            entry = lexicon().get(word)
            if entry is None or entry.kind not in ("org", "other") or word in flagged:
                continue
            after_place = any(stop == start and (other_tag == "ns" or getattr(lexicon().get(other), "kind", None)
                                                 == "place") for other, other_tag, _, stop in candidates)
            if after_place or any(source.startswith(generic, end) for generic in orgs.GENERIC):
                continue
            others = frozenset(form for other, *_ in candidates if other != word and lexicon().get(other)
                               for form in _folded_forms(lexicon().get(other).forms))
            form = entry.forms[0]
            also = [f for f in entry.forms[1:] if f != form]
            known = f"“{form}”" + (" or “" + "”, “".join(also[:2]) + "”" if also else "")
            found = orgs.established_form_missed(segment.target, word, entry.forms, others)
            if found is not None and keys_by_form("org", orgs.joined_form).get(orgs.joined_form(found.text), word) \
                    == word:
                flagged.add(word)
                out.extend(self._at(segment, found.start, found.end, Category.TERMINOLOGY, Severity.MAJOR,
                                    f"The source names {word}, known in English as {known}; “{found.text}” renders "
                                    f"its parts word by word instead.", form, 0.7))
                continue
            row = curated().get(word)
            if row is None or row.kind != "org" or found is not None:
                continue
            other = established.wrong_body(segment.target, source, article_source, row)
            if other is not None:
                message = (f"The source names {word}, known in English as {known}; “{other.text}” is the name of "
                           f"another body ({other.other}).")
                category = Category.MISTRANSLATION
            else:
                other = established.fresh_rendering(segment.target, row, others)
                message = (f"The source names {word}, known in English as {known}; “{other.text}” renders it "
                           f"another way.") if other else ""
                category = Category.TERMINOLOGY
            if other is not None:
                flagged.add(word)
                out.extend(self._at(segment, other.start, other.end, category, Severity.MAJOR, message, form, 0.7))
        return out, flagged

    def _generic_pinyin(self, segment):
        """An organisation whose generic part is left in pinyin: "Hunan Weishi" for 湖南卫视, "Alibaba Jituan"."""
        out = []
        for org in source_organisations(segment.source):
            found = orgs.generic_in_pinyin(segment.target, org)
            if found is not None:
                start, end, word = found
                english = orgs.GENERIC[org.generic]
                out.extend(self._at(segment, start, end, Category.MISTRANSLATION, Severity.MAJOR,
                                    f"The source names the organisation {org.text}; “{word}” leaves its generic part "
                                    f"({org.generic}) in pinyin: a half-transliterated organisation name (“{english}” "
                                    f"in English).", english, 0.7))
        return out

    def _glossed(self, segment, glossed: dict[str, str]):
        """A source name whose Latin form the article gives in brackets, spelt another way in this target: "Megan"
        where the source wrote 梅根（Meghan Markle）."""
        out = []
        for word, form in glossed.items():
            if word not in segment.source or article.locate(word, 0, segment.target, "", (form,), [],
                                                                common_english_word):
                continue
            reading = "".join(toneless_pinyin(word))
            best = None
            for span, start, end in capitalised_spans(segment.target, len(form.split())):
                if len(span.split()) != len(form.split()) or fold(span) in GENERIC_WORDS:
                    continue
                spelling = Levenshtein.normalized_similarity(fold(span), fold(form))
                score = max(spelling, article.sound_match(reading, span) if " " not in span else 0)
                if score >= 0.75 and (best is None or score > best[0]):
                    best = (score, start, end, span)
            if best is not None:
                _, start, end, span = best
                out.extend(self._at(segment, start, end, Category.MISTRANSLATION, Severity.MAJOR,
                                    f"The source gives {word} with its own form, “{form}”, in brackets; “{span}” "
                                    f"spells it another way.", form, 0.7))
        return out

    @staticmethod
    def _repeated_names(doc: Document) -> dict[str, str]:
        """Source names (a dotted foreign name by its last part) that two or more segments of ``doc`` mention, with
        the tag jieba first gave them. A name counts wherever its characters occur: jieba cuts 梅根 in one sentence
        and 梅根曾 in the next."""
        tags, sources = {}, [s.source for s in doc.segments if s.source and s.target.strip()]
        for source in sources:
            for word, tag, *_ in name_candidates(source):
                tags.setdefault(_article_key(word), tag)
            for org in source_organisations(source):
                tags[org.text] = "org"
        return {key: tag for key, tag in tags.items() if sum(key in source for source in sources) >= 2
                and (tag == "org" or lexicon().get(key) or not common_chinese_word(key))}  # not 小镇 "small town"

    def _two_renderings(self, doc: Document, renderings, found):
        """One source name rendered two ways in the article: the minority rendering, with the usual one."""
        flagged = defaultdict(list)
        for sentence, finding in found:
            flagged[sentence.segment.id].append((sentence.start + finding.start, sentence.start + finding.end))
        out = []
        for odd, usual, n, majority in article.inconsistent(renderings, toneless_pinyin):
            segment = doc.segments[odd.segment]
            if any(a < odd.end and odd.start < b for a, b in flagged[segment.id]):
                continue  # already reported against the source's own form
            if majority:
                how = f"in {n} other sentences" if n > 1 else "in another sentence"
                message = (f"The source's {odd.key} is written “{usual.text}” elsewhere in this article ({how}); "
                           f"here “{odd.text}”: one name rendered two ways.")
                severity, confidence = Severity.MAJOR, min(0.8, 0.5 + 0.1 * n)
            else:
                message = (f"The source's {odd.key} is written “{usual.text}” elsewhere in this article; here "
                           f"“{odd.text}”, which follows the sound of its characters less closely: one name "
                           f"rendered two ways.")
                severity, confidence = Severity.MINOR, 0.5
            out.extend(self._at(segment, odd.start, odd.end, Category.MISTRANSLATION, severity, message, usual.text,
                                confidence))
        return out

    def _two_translations(self, doc: Document, renderings, found):
        """A body, publication or event the source names in two or more segments, translated one way first and
        another way later (国政基金会 "National Policy Foundation", then "National Political Foundation"); a place
        written with two of its known forms ("Macau", then "Macao"). Minor: either rendering may be the wrong one,
        and both read as names. Chinese sources only (the bodies are found by their generic part)."""
        flagged = defaultdict(list)
        for sentence, finding in found:
            flagged[sentence.segment.id].append((sentence.start + finding.start, sentence.start + finding.end))
        segments = doc.segments
        chinese = [s.source if s.source and getattr(source_language(s.source, doc.source_lang, doc.target_lang),
                                                    "lang", None) == "zh" else None for s in segments]
        spots = [(t.odd.segment, t.odd.start, t.odd.end, t.odd.text, t.first.text, t.key) for t in
                 translated.two_renderings(chinese, [s.target for s in segments])] if any(chinese) else []
        spots += [(odd.segment, odd.start, odd.end, odd.text, usual.text, odd.key)
                  for odd, usual in translated.known_forms_mixed(renderings)]
        out = []
        for index, start, end, text, usual, key in spots:
            segment = segments[index]
            if any(a < end and start < b for a, b in flagged[segment.id]):
                continue  # already reported
            flagged[segment.id].append((start, end))
            out.extend(self._at(segment, start, end, Category.INCONSISTENCY, Severity.MINOR,
                                f"The source's {key} is written “{usual}” earlier in this article; here “{text}”: "
                                f"one name rendered two ways.", usual, 0.5))
        return out

    def _spot(self, segment, spot):
        return self._at(segment, spot.start, spot.end, spot.category, spot.severity, spot.message, spot.suggestion,
                        spot.confidence)

    def _at(self, segment, start: int, end: int, category: str, severity: Severity, message: str,
            suggestion: str | None, confidence: float):
        sentence = next((s for s in segment.sentences if s.start <= start < s.end), None)
        if sentence is None:
            return []
        return [self.finding(sentence, start - sentence.start, end - sentence.start, category, severity, message,
                             suggestion, confidence)]

    def _garbled(self, segment, name: SourceName, others: frozenset[str] = frozenset()):
        """A rendering of a foreign or lexicon-known name that reads its Chinese characters aloud: its pinyin
        ("Bu Linken" for 布林肯) or, for a name the lexicon knows, a spelling guessed from that pinyin ("Cocosili",
        "Kao Xili" for 可可西里, Hoh Xil); the name of another place that sounds like it ("Zhangzhou" for 郴州,
        Chenzhou); or a known form of two or more words with one of them misspelt ("Hoh Xili").

        ``others`` holds the folded words of the segment's other names' known forms: spans that render them are
        left alone."""
        reading = "".join(name.pinyin)
        if len(name.pinyin) < 2 or not reading:
            return []
        stem = "".join(name.pinyin[:-1]) if len(name.text) > 2 and name.text.endswith(PLACE_SUFFIXES) else reading
        form_words = {fold(w) for form in name.expected for w in form.replace("-", " ").split()}
        best = None
        for span, start, end, folded, words in folded_spans(segment.target):
            if folded in GENERIC_WORDS or any(w in others for w in words):
                continue
            near = near_form(words, name.expected)
            if near:
                score, how = 0.6, "near"
            elif any(w in form_words or w in GENERIC_WORDS for w in words):
                continue
            elif name.kind == "place" and name.known and other_place(folded, name.text, segment.source) and \
                    sounds_like(stem, span) >= 0.8 and len(skeleton(stem)) >= 3 and \
                    Levenshtein.normalized_similarity(folded, stem) >= 0.5 and (
                        not (folded == reading or syllable_run(folded, name.pinyin)) or name.domestic and any(
                            fold(f) not in (reading, stem) and sounds_like(stem, f) >= 0.8 for f in name.expected)):
                # the name's own pinyin counts only where the name's form is another spelling of that sound, kept
                # apart for the other place: 陕西 is Shaanxi because Shanxi is 山西 (漓江 "River Li" may be Lijiang)
                score, how = 0.7, "other place"
            # two characters name many places and people (安山 is Ansan in Korea, Anshan in China): too ambiguous
            elif len(name.text) < 3 and name.kind != "person":
                continue
            else:
                pinyin = all_pinyin(span)
                if name.known and name.foreign and not name.domestic and pinyin and (folded == reading or (
                        len(folded) >= 0.6 * len(reading) and syllable_run(folded, name.pinyin))):
                    score, how = 0.8, "pinyin"
                elif not name.known and pinyin and folded == reading and " " in span:
                    # without the lexicon a one-word pinyin reading may be the accepted form (Tibetan names:
                    # Suonandajie); cut into syllables like a Chinese name ("Bu Linken" for 布林肯) it is MT's
                    score, how = 0.7, "pinyin"
                elif name.known and len(skeleton(span)) >= 3 and sounds_like(reading, span) >= 0.8 \
                        and len(folded) >= 4 and (not pinyin or name.domestic and folded != reading
                                                  and not syllable_run(folded, name.pinyin)
                                                  and Levenshtein.normalized_similarity(folded, reading) >= 0.6):
                    # a guessed spelling; written in pinyin it reads other characters ("Kao Xili" for ke-ke-xi-li)
                    score, how = 0.6, "sound"
                else:
                    continue
            if common_english_word(span):
                continue  # "Hanna", "Filipino": an English spelling in its own right
            if best is None or (score, end - start) > (best[0], best[2] - best[1]):
                best = (score, start, end, how, span)
        if best is None:
            return []
        score, start, end, how, span = best
        suggestion = name.expected[0] if name.expected else None
        known = f" (usually “{suggestion}”)" if suggestion else ""
        if how == "pinyin":
            message = (f"The source names {name.text}{known}, a name transliterated into Chinese; “{span}” reads "
                       f"its characters as pinyin: a garbled {_KIND_WORDS.get(name.kind, 'name')}.")
        elif how == "other place":
            message = (f"The source names {name.text}{known}; “{span}” is another place "
                       f"({other_place(fold(span), name.text, segment.source)}) that sounds like it.")
        elif how == "near":
            message = f"The source names {name.text}{known}; “{span}” misspells that form."
        else:
            message = (f"The source names {name.text}{known}; “{span}” is spelt from the sound of its Chinese "
                       f"characters, not the name's own form.")
        return self._at(segment, start, end, Category.MISTRANSLATION, Severity.MAJOR, message, suggestion, score)

    def _wrong_surname(self, segment, name: SourceName, target_words):
        """The given name is there, after another pinyin surname: "Zou Mengjia" for 靳梦佳 (Jin Mengjia)."""
        given = fold(name.given)
        for i, (word, start, end) in enumerate(target_words[1:], 1):
            if fold(word) != given:
                continue
            before, bstart, bend = target_words[i - 1]
            if segment.target[bend:start] != " " or not before[:1].isupper() or not is_pinyin(before) or \
                    fold(before) in GENERIC_WORDS or fold(before) == fold(name.surname) or len(before) > 6 or \
                    before in _OTHER_SYSTEMS.get(name.surname, ()) or same_name(before, name.surname) or \
                    sound_key(before) == sound_key(name.surname):
                continue  # the surname itself, or a spelling of it the misspelling check reports
            return self._at(segment, bstart, end, Category.MISTRANSLATION, Severity.MAJOR,
                            f"The source names {name.text} ({name.expected[0]}); “{before} {word}” gives the given "
                            f"name another surname.", name.expected[0], 0.7)
        return []

    def _given_name(self, segment, name: SourceName, target_words, others: set[str]):
        """The surname is there but the given name is not the source's: "Lin Xiaojia" for 林小宅 (Lin Xiaozhai),
        "Zhang Jikelin" (two names fused)."""
        family, given = fold(name.surname), fold(name.given)
        for i, (word, start, end) in enumerate(target_words[:-1]):
            if fold(word) != family or not word[:1].isupper():
                continue
            nxt, nstart, nend = target_words[i + 1]
            between = segment.target[end:nstart]
            if between != " " or not nxt[:1].isupper():
                continue
            following = fold(nxt)
            joined = "".join(fold(w) for w, _, _ in target_words[i + 1:i + 4])
            if following == given or following in given_readings(name.text, given) or joined.startswith(given) and all(
                    is_pinyin(w) for w, _, _ in target_words[i + 1:i + 4] if w[:1].isupper()) and not \
                    following.startswith(given):
                return []  # right, or written syllable by syllable ("Xu Zhi Bin")
            if following in others or len(following) < 2 or following in GENERIC_WORDS or any(
                    Levenshtein.normalized_similarity(following, o) > Levenshtein.normalized_similarity(following, given)
                    for o in others):
                continue  # another person of the source with this surname, or not a name
            if following.startswith(given) and following[len(given):] in others:
                message = (f"The source names {name.text} ({name.expected[0]}); “{word} {nxt}” runs its given name "
                           f"into the next name.")
            elif following.startswith(given) or given.startswith(following) or not is_pinyin(nxt) and \
                    Levenshtein.normalized_similarity(following, given) < 0.5:
                continue  # a longer or shorter reading of a name jieba cut differently, or another word
            else:
                message = (f"The source names {name.text} ({name.expected[0]}); “{word} {nxt}” has another given "
                           f"name: a garbled romanisation.")
            return self._at(segment, start, nend, Category.MISTRANSLATION, Severity.MAJOR, message,
                            name.expected[0], 0.7)
        return []

    def _report(self, segment, name: SourceName, target_words, given_present: bool = False, cantonese: bool = False):
        expected = name.expected[0]
        if not (name.evidence or given_present):
            return []
        if name.kind == "place" and name.text not in name.expected:
            # the source's form kept where the target language has its own: "Moscow" in German for "Moskau"
            kept = next((m for m in re.finditer(rf"(?<![\w-]){re.escape(name.text)}(?![\w-])", segment.target)
                         if not inside_longer_name(segment.target, m.start(), m.end())), None)
            sentence = next((s for s in segment.sentences if kept and s.start <= kept.start() < s.end), None)
            if sentence is not None:
                also = " or “" + "”, “".join(name.expected[1:]) + "”" if len(name.expected) > 1 else ""
                return [self.finding(
                    sentence, kept.start() - sentence.start, kept.end() - sentence.start, Category.LOCALE_NAME,
                    Severity.MINOR, f"“{name.text}” keeps the source's spelling; the target language writes "
                    f"“{expected}”{also}.", expected, 0.8)]
        if given_present and name.surname and not name.known:
            wrong = self._wrong_surname(segment, name, target_words)
            if wrong:
                return wrong
        if name.surname:
            other_systems = _OTHER_SYSTEMS.get(name.surname, ())
            for word, start, end in target_words:
                if not word[:1].isupper():
                    continue
                if word in other_systems:
                    if not given_present and (cantonese or after_english_name(segment.target, start)):
                        return []  # Christopher Hui, Elaine Chao: a Hong Kong or overseas person's own spelling
                    confidence, note = (0.8, "") if given_present else (
                        0.5, " (right if the person is known by a Cantonese or Wade-Giles spelling)")
                elif inflected(word, name.surname):
                    continue  # "Marine" for "Marines", "Bushs" for "Bush": the same word with another ending
                elif name.foreign and common_english_word(word):
                    continue  # "Hanna" for 汉娜 where the lexicon says Hannah: both are names in their own right
                elif same_name(word, name.surname) or (len(word) <= 4 and sound_key(word) == sound_key(name.surname)):
                    confidence, note = 0.8, ""
                else:
                    continue
                sentence = next((s for s in segment.sentences if s.start <= start < s.end), None)
                if sentence is None:
                    continue
                return [self.finding(
                    sentence, start - sentence.start, end - sentence.start, Category.MISTRANSLATION, Severity.MAJOR,
                    f"The source names {name.text} ({expected}); “{word}” looks like a misspelling of "
                    f"“{name.surname}”{note}.", name.surname, confidence)]
        if not switch(self.omissions) or name.kind != "person" or given_present or not name.evidence \
                or not (name.given or name.origin == "table") or _PRONOUN.search(segment.target) \
                or unexplained_name(segment.target):
            return []  # a human translation often says "he" or "the minister" where the source repeats the name
        sentence = segment.sentences[0]
        also = f" or “{name.expected[1]}”" if len(name.expected) > 1 else ""
        return [self.finding(
            sentence, 0, len(sentence.text), Category.OMISSION, Severity.MINOR,
            f"The source names {name.text} ({expected}), but the target has no “{expected}”{also}: the name may "
            f"be missing or mistranslated.", expected, 0.5)]
