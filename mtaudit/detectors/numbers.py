"""Numbers, dates and currency: malformed figures, impossible dates, figures that disagree within an article, and,
with the source, figures that were dropped or changed in translation."""
from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass

from mtaudit.core.text import HAN
from mtaudit.detectors.base import Detector
from functools import lru_cache

from mtaudit.detectors.numlib.chinese import chinese_quantities
from mtaudit.detectors.numlib.english import MONTH_NAMES, english_quantities, format_value
from mtaudit.detectors.numlib.european import format_locale, latin_quantities, locale_quantities, table_key
from mtaudit.detectors.numlib.quantity import Quantity, values_agree
from mtaudit.languages import language
from mtaudit.core.document import Category, Document, Segment, Sentence, Severity

_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ɏ]")

# ---- monolingual format checks -------------------------------------------------------------------------------------
# 1,00,000: South Asian lakh grouping in an English target
_LAKH = re.compile(r"(?<![\d.,])\d{1,2}(?:,\d{2})+,\d{3}(?![\d,])")
# 12,3456: a comma group that is not three digits long
_BAD_GROUP = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*,\d{4,}(?![\d])")
# 3,5 per cent / 1,5 million: a decimal comma before a unit, which English reads as a list or a thousands mark
_DECIMAL_COMMA = re.compile(
    r"(?<![\d.,])(\d{1,3}),(\d{1,2})(?![\d,])(?=\s?(?:%|per\s?cent\b|percent\b|million\b|billion\b|trillion\b|"
    r"bn\b|euros?\b|dollars?\b|pounds?\b|kilo|kg\b|km\b|metres?\b|meters?\b|tonnes?\b|tons?\b|degrees?\b|°))")
# 1.234,56 or 1.234.567: European thousands dots
_EURO_GROUPING = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d+(?![\d])|(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.])")
# 3.5.2021: a dotted date
_DOTTED_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?![\d.])")
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)?\d{2})(?![\d/])")
_ISO_DATE = re.compile(r"(?<![\d-])((?:19|20)\d{2})-(\d{2})-(\d{2})(?![\d-])")
_MONTH = (r"(January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_NAMED_DATE = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d{{2}})\b)?(?!\s*(?:,\s*)?\d{{3}})"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+((?:19|20)\d{{2}})\b)?")
# $5 dollars, €3 million euros, ¥100 yuan: the currency said twice
_DOUBLED_CURRENCY = re.compile(
    r"(?P<sym>US\$|\$|€|£|¥|RMB\s?)\s?\d[\d,.]*(?:\s*(?:hundred|thousand|million|billion|trillion|bn|m)\b)?"
    r"\s+(?P<word>(?:US\s+|U\.S\.\s+|American\s+)?dollars?|euros?|pounds?(?:\s+sterling)?|yuan|yen|renminbi|RMB)\b",
    re.IGNORECASE)
_SYMBOL_WORDS = {"$": ("dollar",), "us$": ("dollar",), "€": ("euro",), "£": ("pound",),
                 "¥": ("yuan", "yen", "renminbi", "rmb"), "rmb": ("yuan", "renminbi", "rmb")}
_DOUBLED_PERCENT = re.compile(r"%\s*%|%\s*(?:per\s?cent|percent)\b|\b(?:per\s?cent|percent)\s*%", re.IGNORECASE)
_NUMBER_WORD = (r"(?:(?<![\d,.])(?!(?:1[89]|20)\d\d\b)\d+(?:[,.]\d+)*|one|two|three|four|five|six|seven|eight|"
                r"nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|several|few)")
# 1.5 millions / three billions: English scale words take no plural after a number
_PLURAL_SCALE = re.compile(
    rf"\b{_NUMBER_WORD}[\s-]+(millions|billions|trillions|thousands|hundreds)\b(?!\s+(?:and|or)\b)", re.IGNORECASE)
# 1.23 hundred million / 5 ten thousand: the Chinese 亿 and 万 translated word for word
_LITERAL_SCALE = re.compile(
    r"(?<![\d.,])(\d+(?:\.\d+)?)\s+(hundred million|ten thousand|hundred thousand|ten million)\b", re.IGNORECASE)
_LITERAL_SCALE_VALUE = {"hundred million": 1e8, "ten thousand": 1e4, "hundred thousand": 1e5, "ten million": 1e7}

# ---- consistency within the article ------------------------------------------------------------------------------
_FIGURE = re.compile(
    r"(?P<cur>US\$|\$|€|£|¥)?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])"
    r"(?P<scale>\s?(?:million|billion|trillion|bn|mn|tn)\b)?(?P<pct>\s?(?:%|per\s?cent\b|percent\b))?"
    r"(?:\s+(?P<noun>[a-z][a-z-]+))?")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")
_STOP = set("""a an the of in on at to for from by with and or but as is was were be been are has have had it its
this that these those than then there their they he she his her we our you your i me my more less about some over
under up down per cent percent year years month months week weeks day days time times said says say told would will
could should may might can also just only than after before since last first second third new million billion trillion
rose fell grew rise fall up down increase increased decrease decreased total totalled totaled reached reach compared
around nearly almost roughly approximately some least most much many other another which who what when where while
into out not no all each every both such same own so very too per bn mn tn dollars dollar euros yuan pounds""".split())
_COMPARISON = re.compile(r"\bfrom\b[^.;]*\bto\b|\bcompared\b|\bversus\b|\bvs\.?|\bup from\b|\bdown from\b|"
                         r"\bprevious(?:ly)?\b|\bearlier\b|\blast year\b|\ba year (?:ago|earlier)\b|\brevised\b|"
                         r"\bestimate|\bforecast|\bexpected\b|\btarget|\bbetween\b", re.IGNORECASE)

# Unit conversions a translator may make: (source unit, factor to the converted figure).
_CONVERSIONS = {"km": (0.621371,), "mi": (1.60934,), "ft": (0.3048,), "m": (3.28084,), "kg": (2.20462,),
                "lb": (0.453592,)}


@dataclass
class _Mention:
    sentence: Sentence
    start: int
    end: int
    digits: str
    value: float
    unit: str
    context: frozenset[str]
    nearest: tuple[str, ...]  # the context words, nearest to the figure first
    magnitude: float = 0.0  # the value with its scale word (2 million -> 2e6)
    quantity: str | None = None  # what is counted, scale aside: currency and the noun after the figure
    stems: frozenset[str] = frozenset()  # content words on both sides, cut to 5 letters ("donate" ~ "donation")


class NumbersDetector(Detector):
    """Numbers, dates and currency: malformed figures ("1,00,000", "$5 dollars", "1.5 millions"), impossible dates
    ("February 30"), one figure given two values in an article, and source figures missing or changed.

    With a source, every figure of the source must appear in the target: Chinese numerals and units are read
    (万 = 10^4, 亿 = 10^8, 百分之三十 = 30%, 12月15日 = December 15, 美元 = US dollars), digits of European sources
    are read with either decimal convention, rounding ("123.4 million" ~ "about 123 million") and obvious unit
    conversions are tolerated. A changed figure is flagged where it stands in the target; a missing one flags the
    sentence where it should be, with the expected value in the message.
    """

    name = "numbers"
    categories = (Category.MISTRANSLATION, Category.LOCALE_NUMBER, Category.LOCALE_DATE, Category.GRAMMAR,
                  Category.INCONSISTENCY, Category.AWKWARD)
    options = {
        "check_source": "compare figures with the source when a segment has one",
        "check_consistency": "flag one quantity reported with two different values in an article",
        "small_numerals": "also require Chinese numerals 3-9 (三, 六家) to appear in the translation",
    }
    check_source = True
    check_consistency = True
    small_numerals = True

    def detect(self, doc: Document):
        out = []
        # An English target is read by the English parser and checked for English conventions; any other target by
        # its language's [numbers] table (mtaudit/languages/<code>.toml): German decimal commas, Mio./Mrd., dates
        # written "1. Dezember", and the English conventions MT leaves in it.
        table = {} if doc.target_lang in (None, "en") else language(doc.target_lang).numbers
        self._language = language(doc.target_lang).name
        if table:
            self._read_target = lambda text: locale_quantities(text, table)
            self._format = lambda value, kind="num", unit=None: format_locale(value, table, kind, unit)
        else:
            self._read_target, self._format = english_quantities, format_value
        for sentence in doc.sentences():
            out.extend(self._locale_checks(sentence, table) if table else self._format_checks(sentence))
        if self.check_consistency and not table:
            out.extend(self._consistency(doc))
        if self.check_source:
            for segment in doc.segments:
                if segment.source and segment.source.strip() and segment.sentences:
                    out.extend(self._source_checks(segment, doc.source_lang, table))
        return out

    # ---- a target in another language: its own conventions ----------------------------------------------------
    def _locale_checks(self, sentence: Sentence, table: dict):
        """A wrong decimal mark before a unit ("3.5 Prozent"), English thousands grouping ("1,234,567"), an
        impossible date ("30. Februar") and a doubled percent sign, in the target language's conventions."""
        text = sentence.text
        if not any(c.isdigit() for c in text):
            return []
        out, seen = [], []

        def add(start, end, category, severity, message, suggestion=None, confidence=0.8):
            if not any(s < end and start < e for s, e in seen):
                seen.append((start, end))
                out.append(self.finding(sentence, start, end, category, severity, message, suggestion, confidence))

        for m in _point_before_unit(table_key(table)).finditer(text):
            fixed = m.group("num").replace(".", table.get("decimal", ","))
            add(m.start("num"), m.end("num"), Category.LOCALE_NUMBER, Severity.MAJOR,
                f"{m.group('num')!r} uses a decimal point; {self._language} writes {fixed} (a point groups thousands, so "
                f"readers may take {m.group('num')} for {m.group('num').replace('.', '')})", fixed, 0.75)
        for m in _ENGLISH_GROUPING.finditer(text):
            whole, _, frac = m.group().partition(".")
            fixed = whole.replace(",", table.get("group", ".")) + (table.get("decimal", ",") + frac if frac else "")
            add(m.start(), m.end(), Category.LOCALE_NUMBER, Severity.MINOR,
                f"{m.group()!r} groups thousands with commas, the English way; in {self._language} a comma is the "
                f"decimal mark: write {fixed}", fixed, 0.8)
        for q in locale_quantities(text, table):
            if q.kind != "date":
                continue
            month, day = divmod(int(q.value), 100)
            year = re.search(r"(?:19|20)\d\d$", q.text)
            limit = _days_in(month, int(year.group()) if year else None)
            if day == 0 or day > limit:
                add(q.start, q.end, Category.MISTRANSLATION, Severity.MAJOR,
                    f"impossible date {q.text!r}: {_month_length(month, int(year.group()) if year else None)}",
                    confidence=0.85)
        for m in _DOUBLED_PERCENT_LOCALE.finditer(text):
            add(m.start(), m.end(), Category.GRAMMAR, Severity.MINOR, f"percent given twice in {m.group()!r}", "%",
                0.85)
        return out

    # ---- malformed numbers and dates ---------------------------------------------------------------------------
    def _format_checks(self, sentence: Sentence):
        text = sentence.text
        if not any(c.isdigit() for c in text) and "%" not in text and not _MONTH_WORD.search(text):
            return []
        out = []
        seen: list[tuple[int, int]] = []

        def add(start, end, category, severity, message, suggestion=None, confidence=0.8):
            if any(s < end and start < e for s, e in seen):
                return
            seen.append((start, end))
            out.append(self.finding(sentence, start, end, category, severity, message, suggestion, confidence))

        for m in _LAKH.finditer(text):
            fixed = f"{int(m.group().replace(',', '')):,}"
            add(m.start(), m.end(), Category.LOCALE_NUMBER, Severity.MINOR,
                f"{m.group()!r} uses South Asian digit grouping; English news groups by thousands: {fixed}", fixed)
        for m in _EURO_GROUPING.finditer(text):
            fixed = _regroup_european(m.group())
            add(m.start(), m.end(), Category.LOCALE_NUMBER, Severity.MINOR,
                f"{m.group()!r} uses continental separators (dots for thousands); in English: {fixed}", fixed)
        for m in _BAD_GROUP.finditer(text):
            add(m.start(), m.end(), Category.LOCALE_NUMBER, Severity.MAJOR,
                f"malformed number {m.group()!r}: digit groups after a comma must have three digits; the value is "
                f"unclear (check the source)", confidence=0.7)
        for m in _DECIMAL_COMMA.finditer(text):
            fixed = f"{m.group(1)}.{m.group(2)}"
            add(m.start(), m.end(), Category.LOCALE_NUMBER, Severity.MAJOR,
                f"{m.group()!r} uses a decimal comma; English readers take it as {m.group(1)}{m.group(2)} or a list: "
                f"write {fixed}", fixed, confidence=0.75)
        for m in _DOTTED_DATE.finditer(text):
            day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
            if 1 <= month <= 12 and 1 <= day <= 31:
                fixed = f"{MONTH_NAMES[month - 1]} {day}, {year}"
                add(m.start(), m.end(), Category.LOCALE_DATE, Severity.MINOR,
                    f"date {m.group()!r} is in the day.month.year format; English news writes {fixed}", fixed, 0.7)
            else:
                add(m.start(), m.end(), Category.MISTRANSLATION, Severity.MAJOR,
                    f"{m.group()!r} mixes a date and a number: no month {month} / day {day}", confidence=0.6)
        for m in _SLASH_DATE.finditer(text):
            a, b = int(m.group(1)), int(m.group(2))
            if (a > 12 and b > 12) or a == 0 or b == 0 or a > 31 or b > 31:
                add(m.start(), m.end(), Category.MISTRANSLATION, Severity.MAJOR,
                    f"impossible date {m.group()!r}: neither {a} nor {b} can be the month", confidence=0.6)
        for m in _ISO_DATE.finditer(text):
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if not 1 <= month <= 12 or not 1 <= day <= _days_in(month, year):
                add(m.start(), m.end(), Category.MISTRANSLATION, Severity.MAJOR,
                    f"impossible date {m.group()!r}", confidence=0.8)
        for m in _NAMED_DATE.finditer(text):
            month_name = m.group(1) or m.group(5)
            day = int(m.group(2) or m.group(4))
            year = m.group(3) or m.group(6)
            month = _month_number(month_name)
            if month == 5 and m.group(1) and not re.match(r"May\s+\d", m.group()):
                continue
            limit = _days_in(month, int(year) if year else None)
            if day == 0 or day > limit:
                add(m.start(), m.end() - m.group().endswith("."), Category.MISTRANSLATION, Severity.MAJOR,
                    f"impossible date {m.group()!r}: {_month_length(month, int(year) if year else None)}",
                    confidence=0.85)
        for m in _DOUBLED_CURRENCY.finditer(text):
            symbol = m.group("sym").strip().lower()
            word = m.group("word").lower()
            if any(w in word for w in _SYMBOL_WORDS.get(symbol, ())):
                fixed = m.group()[: m.start("word") - m.start()].rstrip()
                add(m.start(), m.end(), Category.GRAMMAR, Severity.MINOR,
                    f"currency given twice in {m.group()!r}: keep the symbol or the word, not both", fixed, 0.85)
        for m in _DOUBLED_PERCENT.finditer(text):
            add(m.start(), m.end(), Category.GRAMMAR, Severity.MINOR,
                f"percent sign doubled in {m.group()!r}", "%", 0.85)
        for m in _PLURAL_SCALE.finditer(text):
            if text[m.end():m.end() + 4] == " of " and not m.group()[0].isdigit():
                continue  # "several thousands of" is old-fashioned but English
            if re.match(r"(?i)(several|few)\b", m.group()) and text[m.end():m.end() + 4] == " of ":
                continue
            word = m.group(1)
            fixed = m.group()[: m.start(1) - m.start()] + word[:-1]
            add(m.start(), m.end(), Category.GRAMMAR, Severity.MINOR,
                f"scale word after a number takes no plural: {fixed!r}, not {m.group()!r}", fixed, 0.8)
        for m in _LITERAL_SCALE.finditer(text):
            value = float(m.group(1)) * _LITERAL_SCALE_VALUE[m.group(2).lower()]
            fixed = format_value(value)
            add(m.start(), m.end(), Category.AWKWARD, Severity.MINOR,
                f"{m.group()!r} renders a Chinese unit (万/亿) word for word; English news writes {fixed}", fixed, 0.8)
        return out

    # ---- consistency within the article ------------------------------------------------------------------------------
    def _consistency(self, doc: Document):
        mentions: list[_Mention] = []
        for sentence in doc.sentences():
            text = sentence.text
            if not any(c.isdigit() for c in text):
                continue
            for m in _FIGURE.finditer(text):
                unit = _figure_unit(m)
                if unit is None:
                    continue
                digits = m.group("num").replace(",", "").replace(".", "")
                left = [w.lower() for w in _WORD.findall(text[max(0, m.start() - 60):m.start()])][-6:]
                right = [m.group("noun")] if m.group("noun") else []
                nearest = tuple(w for w in right + left[::-1] if w and w not in _STOP and len(w) > 2)
                context = frozenset(nearest)
                end = m.end("pct") if m.group("pct") else m.end("scale") if m.group("scale") else m.end("num")
                value = float(m.group("num").replace(",", ""))
                scale = _SCALE_VALUE.get((m.group("scale") or "").strip().lower(), 1.0)
                noun = (m.group("noun") or "").lower()
                # what is counted: the currency ("$2 million deal", "$20 million investment" are both dollars),
                # else the noun after the figure ("2 million doses")
                quantity = None if m.group("pct") else m.group("cur") or ("" if noun in _STOP else noun)
                after = [w.lower() for w in _WORD.findall(text[m.end():m.end() + 50])][:5]
                stems = frozenset(w[:5] for w in left + after + right if w not in _STOP and len(w) > 2)
                mentions.append(_Mention(sentence, m.start(), end, digits, value, unit, context, nearest,
                                         value * scale, quantity, stems))
        out = self._digit_slips([m for m in mentions if len(m.digits.strip("0")) >= 2])
        out.extend(self._scale_slips(mentions))
        return out

    def _digit_slips(self, mentions: list[_Mention]):
        out = []
        # compare each mention with earlier mentions of the same unit and a different value; a figure repeated many
        # times is compared once per distinct context, which keeps long documents linear in practice
        by_unit: dict[str, list[_Mention]] = {}
        seen: set[tuple[str, str, frozenset[str]]] = set()
        for later in mentions[:_MAX_MENTIONS]:
            earlier_ones = by_unit.setdefault(later.unit, [])
            key = (later.unit, later.digits, later.context)
            if key in seen:
                continue
            seen.add(key)
            for earlier in earlier_ones:
                if earlier.sentence is later.sentence or earlier.value == later.value:
                    continue
                if not _slip(earlier.digits, later.digits):
                    continue
                shared = earlier.context & later.context
                if not shared:
                    continue
                if _COMPARISON.search(later.sentence.text) or _COMPARISON.search(earlier.sentence.text):
                    continue
                first = earlier.sentence.text[earlier.start:earlier.end]
                here = later.sentence.text[later.start:later.end]
                noun = next(w for w in later.nearest if w in shared)
                out.append(self.finding(
                    later.sentence, later.start, later.end, Category.INCONSISTENCY, Severity.MAJOR,
                    f"{here!r} here but {first!r} earlier for the same {noun!r}: one of the two figures is probably "
                    f"mistyped or mistranslated", first.strip(), confidence=0.55))
                break
            earlier_ones.append(later)
        return out

    def _scale_slips(self, mentions: list[_Mention]):
        """One quantity given at two scales ("2 million doses" here, "20 million doses" there): the values are a
        power of ten apart (10, 100 or 1,000 times) with the same digits, which is how 万 and 亿 go wrong in
        translation. Precision first, because round figures a power of ten apart are common by chance: the article
        must give exactly these two values for what is counted (currency and noun), in different sentences, neither of
        which compares or dates values; and the two must share context words, two of them when the figure has one
        significant digit (2 vs 20), where coincidence is likeliest."""
        groups: dict[str, list[_Mention]] = {}
        for m in mentions[:_MAX_MENTIONS]:
            if m.quantity is not None and m.magnitude > 0:
                groups.setdefault(m.quantity, []).append(m)
        out = []
        for group in groups.values():
            values = sorted({round(m.magnitude, 6) for m in group})
            if len(values) != 2 or not _power_of_ten_apart(*values):
                continue
            first = group[0]
            later = next(m for m in group if round(m.magnitude, 6) != round(first.magnitude, 6))
            if first.sentence is later.sentence or any(_SCALE_GUARD.search(m.sentence.text) or
                                                       _COMPARISON.search(m.sentence.text) for m in (first, later)):
                continue
            shared = first.stems & later.stems
            significant = len(first.digits.strip("0"))
            if len(shared) < (2 if significant < 2 else 1):
                continue
            was = first.sentence.text[first.start:first.end]
            here = later.sentence.text[later.start:later.end]
            times = max(values) / min(values)
            out.append(self.finding(
                later.sentence, later.start, later.end, Category.INCONSISTENCY, Severity.MAJOR,
                f"{here!r} here but {was!r} earlier for the same {later.quantity or 'amount'!r}, {times:,.0f} times "
                "apart: one of the two is probably a scale slip (万 and 亿 are easily converted wrongly); check which "
                "one the source gives", confidence=0.5))
        return out

    # ---- with the source -----------------------------------------------------------------------------------------
    def _source_checks(self, segment: Segment, source_lang: str | None = None, table: dict | None = None):
        source = segment.source or ""
        if HAN.search(source):
            wanted = chinese_quantities(source)
        elif source_lang == "en":
            # figures, dates and months; not the words a translation renders freely: "one", "two", "second",
            # "thousands", "dozens" (as the numerals 1 and 2 of a Chinese source are left out)
            wanted = [q for q in english_quantities(source)
                      if q.digits or q.kind in ("date", "month") or (q.value >= 3 and not q.approx
                                                                      and q.text.lower() not in _ORDINAL_WORDS)]
        elif _LATIN_LETTER.search(source) or any(c.isdigit() for c in source):
            wanted = latin_quantities(source)
        else:
            return []
        if not wanted:
            return []
        target = segment.target
        found = self._read_target(target)
        if not self.small_numerals:
            wanted = [q for q in wanted if q.digits or q.value >= 10 or q.kind != "num"]
        out = []
        unmatched = []
        explained: set[int] = set()  # target figures some source figure accounts for
        anchors: list[tuple[int, int]] = []  # (source offset, target offset) of figures found in both
        index = _ValueIndex(found)
        for q in wanted:
            matches = [t for t in index.near(q) if _agrees(q, t)]
            explained.update(id(t) for t in matches)
            match = matches[0] if matches else None
            if match is not None:
                anchors.append((q.start, match.start))
            if match is None:
                unmatched.append(q)
            elif q.unit in _CURRENCIES and match.unit in _CURRENCIES and q.unit != match.unit:
                f = self._finding_at(segment, match.start, match.end, Category.MISTRANSLATION, Severity.MAJOR,
                                     f"currency changed: the source has {q.text} in {_CURRENCY_NAME[q.unit]}, the "
                                     f"translation gives {match.text!r}", self._format(q.value, q.kind, q.unit), 0.75)
                if f:
                    out.append(f)
        if not unmatched:
            return out
        used: set[int] = set()
        # target figures no source figure explains; "first" and "a"/"one" are too common to be a changed number
        spare = [t for t in found if (t.digits or t.value >= 2 and t.text.lower() not in _ORDINAL_WORDS)
                 and id(t) not in explained]
        for q in unmatched[:_MAX_REPORTED]:
            candidate = self._changed_candidate(q, spare, used, len(source), len(target))
            expected = self._format(q.value, q.kind, q.unit)
            reading = "" if q.text.strip() == expected else f" ({expected})"
            small = not q.digits and q.value < 10 and q.kind == "num"
            severity = Severity.MINOR if small else Severity.MAJOR
            if candidate is not None:
                used.add(id(candidate))
                slip = _false_friend(q, candidate, table or {}) or _separator_slip(q, candidate, table or {})
                f = self._finding_at(segment, candidate.start, candidate.end, Category.MISTRANSLATION,
                                     Severity.MAJOR if slip else severity,
                                     slip or f"figure changed: the source has {q.text}{reading}, the translation has "
                                     f"{candidate.text!r}", expected, 0.9 if slip else 0.7)
            else:
                # the sentence holding the nearest figure that did survive, else the same relative place
                if anchors:
                    where = min(anchors, key=lambda a: abs(a[0] - q.start))[1]
                else:
                    where = int(q.start / max(1, len(source)) * len(target))
                f = self._missing_at(segment, where, severity,
                                     f"source figure {q.text}{reading} does not appear in the translation",
                                     expected, 0.45 if small else 0.6)
            if f:
                out.append(f)
        return out

    def _changed_candidate(self, q: Quantity, spare: list[Quantity], used: set[int], src_len: int, tgt_len: int):
        """The unexplained target figure most likely to be ``q`` mistranslated: same kind, nearest relative place."""
        options = [t for t in spare if id(t) not in used and _same_kind(q, t)]
        if not options:
            return None
        where = q.start / max(1, src_len)
        # a scale slip (1.23 billion for 123 billion) keeps a big figure big, so big pairs with big first
        return min(options, key=lambda t: (q.unit is not None and t.unit != q.unit,
                                           (q.value >= 1000) != (t.value >= 1000), q.digits != t.digits,
                                           abs(t.start / max(1, tgt_len) - where)))

    def _finding_at(self, segment: Segment, start: int, end: int, category, severity, message, suggestion, confidence):
        for sentence in segment.sentences:
            if sentence.start <= start < sentence.end:
                return self.finding(sentence, start - sentence.start, end - sentence.start, category, severity,
                                    message, suggestion, confidence)
        return None

    def _missing_at(self, segment: Segment, offset: int, severity, message, suggestion, confidence):
        sentences = segment.sentences
        chosen = next((s for s in sentences if s.start <= offset < s.end), sentences[-1])
        return self.finding(chosen, 0, len(chosen.text), Category.MISTRANSLATION, severity, message, suggestion,
                            confidence)


_SCALE_VALUE = {"million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12, "tn": 1e12}
# Sentences about change or time, where the same thing is rightly counted at two scales ("grew tenfold", "by 2030").
_SCALE_GUARD = re.compile(
    r"\b(?:rose|risen|rise|rising|grew|grown|grow|growth|increased?|increasing|decreased?|fell|fallen|falls?|"
    r"drop(?:ped)?|jump(?:ed)?|surged?|soared?|doubled?|tripled?|tenfold|times|now|today|currently|since|until|"
    r"plann?(?:ed|ing|s)?|aims?|goal|target(?:s|ed)?|projected|will reach|(?:in|by) (?:19|20)\d\d)\b",
    re.IGNORECASE)


def _power_of_ten_apart(small: float, big: float) -> bool:
    exponent = math.log10(big / small)
    return round(exponent) in (1, 2, 3) and abs(exponent - round(exponent)) < 1e-9


def _false_friend(q: Quantity, t: Quantity, table: dict) -> str | None:
    """The message for a scale word that looks like the source's but is worth a thousand times more ("billion" ->
    "Billion", 10^12), when the figures differ by exactly that."""
    for word, (english, right) in dict(table.get("false_friends", ())).items():
        if re.search(rf"\b{re.escape(word)}\b", t.text) and re.search(rf"\b{english}\b", q.text, re.I) and \
                any(math.isclose(w, v * 1000, rel_tol=1e-6) for v in q.values for w in t.values):
            return (f"“{word}” is {t.value:,.0f}: the source's “{english}” is a thousand times less; in German "
                    f"{q.text} is “{right}” ({t.text!r} should read {t.text.replace(word, right)!r})")
    return None


def _separator_slip(q: Quantity, t: Quantity, table: dict) -> str | None:
    """The source's figure copied digit for digit where the target language reads the separator the other way:
    English 12,500 (twelve thousand five hundred) is 12,5 in German."""
    if not table or not q.digits or re.sub(r"\s", "", q.text) != re.sub(r"\s", "", t.text) or "," not in t.text:
        return None
    return (f"{t.text!r} is copied from the source, but a comma is a decimal mark in the target language: the source's "
            f"{q.text} reads as {format_locale(t.value, table)} here; write {format_locale(q.value, table)}")


_ENGLISH_GROUPING = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?(?![\d,])|(?<![\d.,])\d{1,3}(?:,\d{3})+\.\d+(?![\d])")
_DOUBLED_PERCENT_LOCALE = re.compile(r"%\s*Prozent\b|\bProzent\s*%|%\s*%")


@lru_cache(maxsize=8)
def _point_before_unit(key: tuple) -> re.Pattern:
    """"3.5 Prozent": a decimal point where the language writes a comma, before a unit, scale or currency word (a
    time such as 14.30 Uhr and a date such as 3.5. are not figures with units)."""
    units = dict(key).get("units", ())
    alternatives = "|".join(re.escape(u) + (r"(?![^\W\d_])" if u[-1].isalnum() else "") for u in units)
    return re.compile(rf"(?<![\d.,])(?P<num>\d{{1,3}}\.\d{{1,2}})(?![\d.])\s?(?:{alternatives})")


# figures per document considered for the consistency check, and missing figures reported per segment
_MAX_MENTIONS = 2000
_MAX_REPORTED = 50
_ORDINAL_WORDS = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}
_CURRENCIES = {"USD", "EUR", "GBP", "JPY", "CNY", "HKD", "RUB"}
_CURRENCY_NAME = {"USD": "US dollars", "EUR": "euros", "GBP": "pounds", "JPY": "yen", "CNY": "yuan",
                  "HKD": "Hong Kong dollars", "RUB": "roubles"}
_MONTH_WORD = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                         r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b")


class _ValueIndex:
    """Target figures bucketed by order of magnitude, so matching a long segment is not quadratic."""

    def __init__(self, quantities: list[Quantity]):
        self.buckets: dict[object, list[Quantity]] = {}
        for t in quantities:
            for key in {_bucket(t, v) for v in t.values}:
                self.buckets.setdefault(key, []).append(t)

    def near(self, q: Quantity) -> list[Quantity]:
        """Target figures that could agree with ``q``: same or neighbouring magnitude, in text order."""
        keys = set()
        for v in q.values:
            key = _bucket(q, v)
            if isinstance(key, tuple) and key[0] == "num":
                keys.update(("num", key[1] + d) for d in (-1, 0, 1))
            else:
                keys.add(key)
        if q.kind in ("date", "month"):
            keys.update(("date", m) for m in {int(v) // 100 if q.kind == "date" else int(v) for v in q.values})
            if q.kind == "date":  # a bare day number in the target may stand for the date's day
                keys.update(("num", d) for d in (0, 1))
        elif any(1 <= v <= 31 and v == int(v) for v in q.values):  # a bare day number may be a target date's day
            keys.update(("date", m) for m in range(1, 13))
        seen, out = set(), []
        for key in keys:
            for t in self.buckets.get(key, ()):
                if id(t) not in seen:
                    seen.add(id(t))
                    out.append(t)
        return sorted(out, key=lambda t: t.start)


def _bucket(q: Quantity, value: float):
    if q.kind == "date":
        return ("date", int(value) // 100)
    if q.kind == "month":
        return ("date", int(value))
    if value == 0:
        return "zero"
    return ("num", math.floor(math.log10(abs(value))))


def _agrees(q: Quantity, t: Quantity) -> bool:
    if values_agree(q, t):
        return True
    if q.kind == "num" and q.unit in _CONVERSIONS and t.kind == "num":
        return any(abs(v * f - w) <= 0.1 * abs(v * f) for v in q.values for f in _CONVERSIONS[q.unit] for w in t.values)
    return False


def _same_kind(q: Quantity, t: Quantity) -> bool:
    if q.kind in ("date", "month"):
        return t.kind in ("date", "month")
    if t.kind in ("date", "month"):
        return False
    if q.kind == "pct" or t.kind == "pct":
        return q.kind == t.kind
    return True


def _figure_unit(m: re.Match) -> str | None:
    """A figure's unit for the consistency check; None for bare numbers, which repeat for too many reasons."""
    scale = (m.group("scale") or "").strip().lower()
    scale = {"bn": "billion", "mn": "million", "tn": "trillion"}.get(scale, scale)
    if m.group("pct"):
        return "%"
    if m.group("cur"):
        return m.group("cur") + scale
    if scale:
        return scale + " " + (m.group("noun") or "")
    return None


def _slip(a: str, b: str) -> bool:
    """Two digit strings that look like one figure mistyped: same digits transposed, or one digit changed."""
    if a == b:
        return False
    if len(a) == len(b):
        if sorted(a) == sorted(b):
            return True
        return sum(x != y for x, y in zip(a, b)) == 1 and len(a) >= 3
    return False


def _month_number(name: str) -> int:
    name = name.rstrip(".").lower()[:3]
    return [m[:3].lower() for m in MONTH_NAMES].index(name) + 1


def _days_in(month: int, year: int | None) -> int:
    if month == 2:
        return 29 if year is None or calendar.isleap(year) else 28
    return calendar.monthrange(2001, month)[1]


def _month_length(month: int, year: int | None) -> str:
    """How many days the month has, as an impossible date's message says it (in English, whatever the text's
    language): "April has 30 days", "February has at most 29 days", "February has 28 days in 2023, which is not a
    leap year"."""
    name, days = MONTH_NAMES[month - 1], _days_in(month, year)
    if month != 2:
        return f"{name} has {days} days"
    if year is None:
        return f"{name} has at most {days} days"
    return f"{name} has {days} days in {year}" + ("" if days == 29 else ", which is not a leap year")


def _regroup_european(text: str) -> str:
    whole, _, frac = text.partition(",")
    digits = whole.replace(".", "")
    return f"{int(digits):,}" + (f".{frac}" if frac else "")
