"""Finding the quantities a text states: English targets, Chinese sources and digit-based sources in other languages.

Every parser returns ``Quantity`` objects located by character offsets in the text it was given. A quantity carries
a *set* of values it may stand for, because a figure can be read more than one way ("1,234" in a German source is
1.234 or 1234; "half" is 0.5 or 50 %; "two decades" is 2 or 20), and a comparison succeeds when any readings agree.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# --------------------------------------------------------------------------------------------------------------------
# The data model


@dataclass(frozen=True)
class Quantity:
    """A figure found in a text. ``kind`` is "num", "pct", "date" (values encode month*100+day) or "month"."""

    start: int
    end: int
    text: str
    values: tuple[float, ...]
    kind: str = "num"
    unit: str | None = None  # currency code ("USD", "CNY", ...) or a measure ("km", "ft", ...)
    approx: bool = False  # "about", "nearly", 约, 多 ...: tolerate rounding
    digits: bool = True  # written with digits (as opposed to words or Chinese numerals)

    @property
    def value(self) -> float:
        return self.values[0]


def format_value(value: float, kind: str = "num", unit: str | None = None) -> str:
    """How an English news text would write a value: 123 million, 3,000, 1.5 billion, 30%, December 15."""
    if kind == "date":
        month, day = divmod(int(value), 100)
        return f"{MONTH_NAMES[month - 1]} {day}" if 1 <= month <= 12 else str(int(value))
    if kind == "month":
        return MONTH_NAMES[int(value) - 1] if 1 <= value <= 12 else str(int(value))
    text = _plain_number(value)
    if kind == "pct":
        return text + "%"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(unit or "")
    if symbol:
        return symbol + text
    if unit == "CNY":
        return text + " yuan"
    if unit == "JPY":
        return text + " yen"
    return text


def _plain_number(value: float) -> str:
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= scale:
            return f"{_trim(value / scale)} {word}"
    if value == int(value):
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return _trim(value)


def _trim(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def values_agree(a: Quantity, b: Quantity) -> bool:
    """True when some reading of ``a`` equals some reading of ``b``, up to rounding or stated approximation."""
    if a.kind in ("date", "month") or b.kind in ("date", "month"):
        if a.kind == "date" and b.kind == "date":
            return bool(set(a.values) & set(b.values))
        if {a.kind, b.kind} == {"date", "num"}:  # "am 15. Dezember": a bare day number against a full date
            date, number = (a, b) if a.kind == "date" else (b, a)
            return any(int(d) % 100 == n for d in date.values for n in number.values)
        if "month" in (a.kind, b.kind):  # a month alone agrees with a date in that month
            months = lambda q: {int(v) // 100 if q.kind == "date" else int(v) for v in q.values}  # noqa: E731
            return bool(months(a) & months(b))
        return False
    return any(_close(x, y, a.approx or b.approx) for x in a.values for y in b.values)


def _close(x: float, y: float, approx: bool) -> bool:
    if x == y:
        return True
    if x == 0 or y == 0:
        return False
    rel = abs(x - y) / max(abs(x), abs(y))
    if rel <= (0.1 if approx else 0.005):
        return True
    # rounding: either one rounded to the other's significant digits gives the other ("123.4 million" ~ "123 million")
    return _rounds_to(x, y) or _rounds_to(y, x)


def _rounds_to(precise: float, rounded: float) -> bool:
    digits = _significant_digits(rounded)
    if digits >= _significant_digits(precise):
        return False
    magnitude = math.floor(math.log10(abs(precise)))
    factor = 10 ** (magnitude - digits + 1)
    return math.isclose(round(precise / factor) * factor, rounded, rel_tol=1e-9)


def _significant_digits(x: float) -> int:
    text = f"{abs(x):.10g}".replace(".", "").lstrip("0").rstrip("0")
    return max(1, len(text))


# A clock time in a source: 15:30, French 15h30, German 15.30 Uhr (a dot alone is a decimal: 3.50 Euro).
_CLOCK = re.compile(r"(?<![\d:.,])([01]?\d|2[0-3])(?::|h|\.(?=\d\d\s?Uhr))([0-5]\d)(?![\d])")


def _hour_readings(hour: int) -> tuple[float, ...]:
    """15:30 may become "3:30 p.m." in English."""
    return (float(hour), float(hour - 12)) if hour > 12 else (float(hour),)


# --------------------------------------------------------------------------------------------------------------------
# English (the target language)

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
_MONTHS = {name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)}
_MONTHS.update({name[:3].lower(): i + 1 for i, name in enumerate(MONTH_NAMES)})
_MONTHS.update({"sept": 9})
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
             r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "twentieth": 20, "thirtieth": 30, "hundredth": 100,
}
_SCALE_WORDS = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE_ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
_MULTIPLIERS = {"twice": 2, "double": 2, "doubled": 2, "doubling": 2, "triple": 3, "tripled": 3, "tripling": 3,
                "threefold": 3, "thrice": 3, "fourfold": 4, "quadrupled": 4, "fivefold": 5, "tenfold": 10, "dozen": 12,
                "half": 0.5, "quarter": 0.25, "decade": 10, "century": 100}
_EN_FRACTION_OF_SCALE = re.compile(
    r"\b(?:(a|one|two|three)\s+)?(half|quarters?|thirds?)\s+(?:of\s+)?an?\s+"
    r"(hundred|thousand|million|billion|trillion)\b",
    re.IGNORECASE)
_FRACTIONS = {"third": 3, "quarter": 4, "fifth": 5, "tenth": 10, "half": 2}
_APPROX_BEFORE = re.compile(
    r"(?:about|around|nearly|almost|roughly|approximately|some|close to|more than|over|under|less than|at least|"
    r"up to|upwards of|just over|just under|almost|around|an estimated|estimated|c\.|~)\s*[$€£¥]?\s*$",
    re.IGNORECASE)
_CURRENCY_SYMBOL = {"$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "£": "GBP", "¥": None, "RMB": "CNY",
                    "HK$": "HKD", "A$": "AUD", "C$": "CAD", "S$": "SGD", "EUR": "EUR", "GBP": "GBP", "CNY": "CNY"}
_CURRENCY_WORD = re.compile(
    r"\s*(?:(?:US|U\.S\.|American)\s+dollars?|dollars?|yuan|renminbi|RMB|euros?|pounds?(?:\s+sterling)?|yen|"
    r"roubles?|rubles?)\b", re.IGNORECASE)
_CURRENCY_WORD_CODE = {"dollar": "USD", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "euro": "EUR",
                       "pound": "GBP", "yen": "JPY", "rouble": "RUB", "ruble": "RUB"}
_PERCENT_AFTER = re.compile(r"\s*(?:%|per\s?cent\b|percent\b|percentage points?\b|pct\b)", re.IGNORECASE)

_EN_DIGITS = re.compile(
    r"(?P<cur>US\$|HK\$|A\$|C\$|S\$|[$€£¥]|(?:USD|EUR|GBP|CNY|RMB)\s?)?"
    r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])"
    r"(?P<ord>st|nd|rd|th)?"
    r"(?P<scale>(?:[\s-]*(?:hundred|thousand|million|billion|trillion)\b)+|\s?(?:bn|mn|mln|tn|trn|k|m|b)\b)?",
    re.IGNORECASE)
_EN_WORD = re.compile(r"[A-Za-z]+")
_EN_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH_RE})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?\d{{3}}\b)"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_RE})(?![a-z])"
    rf"|\b(?P<m3>January|February|March|April|May|June|July|August|September|October|November|December)\b",
    re.IGNORECASE)


_MAY_AS_MONTH = re.compile(r"\b(?:in|since|until|by|early|late|mid|of|last|next|this|from|to)[\s-]+May\b|May\s+\d")


def english_quantities(text: str) -> list[Quantity]:
    """Every figure in an English text: digits with scale words and currency, number words, dates, months."""
    out: list[Quantity] = []
    taken = bytearray(len(text) + 1)  # characters already read as part of a figure

    for m in _EN_DATE.finditer(text):
        if m.group("m3"):
            if m.group("m3")[0].islower() or (m.group("m3") == "May" and not _MAY_AS_MONTH.search(
                    text[max(0, m.start() - 12):m.end() + 6])):  # "may" the verb
                continue
            out.append(Quantity(m.start(), m.end(), m.group(), (float(_MONTHS[m.group("m3").lower()]),), "month",
                                digits=False))
            continue
        month = _MONTHS[(m.group("m1") or m.group("m2")).rstrip(".").lower()]
        day = int(m.group("d1") or m.group("d2"))
        if 1 <= day <= 31:
            out.append(Quantity(m.start(), m.end(), m.group(), (float(month * 100 + day),), "date"))
            _mark(taken, m.start(), m.end())

    for m in _EN_DIGITS.finditer(text):
        if taken[m.start("num")]:
            continue
        value = float(m.group("num").replace(",", ""))
        start, end = m.start(), m.end()
        scale_text = re.sub(r"^[\s-]+|[\s-]+$", "", (m.group("scale") or "")).lower()
        if scale_text:
            abbr = _SCALE_ABBR.get(scale_text)
            if abbr and not m.group("cur"):
                # "5m" is metres and "200k" is informal unless it is money
                end = m.end("num")
                scale_text = ""
            elif abbr:
                value *= abbr
            else:
                for word in re.split(r"[\s-]+", scale_text):
                    value *= _SCALE_WORDS.get(word, 1)
        end = m.end() if scale_text else m.end("ord") if m.group("ord") else m.end("num")
        if m.group("ord") and not scale_text:
            out.append(Quantity(start, end, text[start:end], (value,), digits=True))
            continue
        kind, unit = "num", None
        if m.group("cur"):
            unit = _CURRENCY_SYMBOL.get(m.group("cur").strip().upper(), None) or "CUR"
        pct = _PERCENT_AFTER.match(text, end)
        if pct:
            kind, end = "pct", pct.end()
        else:
            word = _CURRENCY_WORD.match(text, end)
            if word:
                unit = _currency_code(word.group())
        approx = bool(_APPROX_BEFORE.search(text, max(0, start - 20), start))
        values = (value,)
        after = text[end:end + 12].lower()
        if re.match(r"\s*(?::\d\d\s*)?p\.?\s?m\b", after) and 1 <= value < 12:
            values = (value, value + 12)  # "8 p.m." is 20 Uhr
        if re.match(r"\s*(?:decades?)\b", after):
            values = (value, value * 10)
        elif re.match(r"'?s\b", after) and value % 10 == 0 and value >= 1800:
            values = (value, value % 100)  # the 1980s = 80年代
        out.append(Quantity(start, end, text[start:end], values, kind, unit, approx, digits=True))

    for q in out:
        _mark(taken, q.start, q.end)
    out.extend(_english_word_numbers(text, taken))
    return _finite(out)


def _currency_code(word: str) -> str:
    key = re.sub(r"^(?:us|u\.s\.|american)\s+", "", word.strip().lower()).rstrip("s")
    key = re.sub(r"\s+sterling$", "", key)
    return _CURRENCY_WORD_CODE.get(key, "CUR")


def _mark(covered: bytearray, start: int, end: int) -> None:
    covered[start:end] = b"\x01" * (end - start)


def _english_word_numbers(text: str, taken: bytearray) -> list[Quantity]:
    """Number words: "eleven months", "three hundred", "a million", "twice", "a dozen", "two decades", "half"."""
    out = []
    for m in _EN_FRACTION_OF_SCALE.finditer(text):
        if taken[m.start()]:
            continue
        count = {"a": 1, "one": 1, "two": 2, "three": 3, None: 1}[m.group(1) and m.group(1).lower()]
        value = count / _FRACTIONS[m.group(2).lower().rstrip("s")] * _SCALE_WORDS[m.group(3).lower()]
        out.append(Quantity(m.start(), m.end(), m.group(), (value,), digits=False))
        _mark(taken, m.start(), m.end())
    words = [(m.start(), m.end(), m.group().lower()) for m in _EN_WORD.finditer(text)]
    i = 0
    while i < len(words):
        start, end, word = words[i]
        if taken[start]:
            i += 1
            continue
        if word in _UNITS_WORDS or (word in ("a", "an") and i + 1 < len(words) and words[i + 1][2] in
                                    ("hundred", "thousand", "million", "billion", "trillion", "dozen")):
            total, current, j = 0.0, 0.0, i
            while j < len(words):
                w = words[j][2]
                gap = text[words[j - 1][1]:words[j][0]] if j > i else ""
                if j > i and gap.strip() not in ("", "-") and not (w in _UNITS_WORDS and gap.strip() == ""):
                    break
                if w in _UNITS_WORDS:
                    current += _UNITS_WORDS[w]
                elif w in ("a", "an") and j == i:
                    current = 1
                elif (w == "and" and j + 2 < len(words) and words[j + 1][2] == "a" and words[j + 2][2] == "half"
                      and 0 < current < 100):
                    current += 0.5  # "two and a half million"
                    j += 3
                    continue
                elif w == "and" and j > i and j + 1 < len(words) and words[j + 1][2] in _UNITS_WORDS and current >= 100:
                    pass
                elif w == "hundred":
                    current = (current or 1) * 100
                elif w in ("thousand", "million", "billion", "trillion"):
                    total += (current or 1) * _SCALE_WORDS[w]
                    current = 0
                elif w == "dozen":
                    current = (current or 1) * 12
                else:
                    break
                j += 1
            value = total + current
            last = words[j - 1][1]
            values = (value,)
            nxt = words[j][2] if j < len(words) else ""
            if nxt in ("decade", "decades"):
                values = (value, value * 10)
            elif nxt in ("percent",) or text[last:last + 9].lower().lstrip().startswith(("per cent", "%")):
                pct = _PERCENT_AFTER.match(text, last)
                if pct:
                    out.append(Quantity(start, pct.end(), text[start:pct.end()], values, "pct", digits=False))
                    i = j
                    continue
            frac = _FRACTIONS.get(nxt.rstrip("s")) if j < len(words) and text[last:words[j][0]] in ("-", " ") else None
            if frac and value < 10:
                v = value / frac
                out.append(Quantity(start, words[j][1], text[start:words[j][1]], (v, v * 100), approx=True,
                                    digits=False))
                i = j + 1
                continue
            if j > i and not (j == i + 1 and word in ("a", "an")):
                approx = bool(_APPROX_BEFORE.search(text, max(0, start - 20), start))
                out.append(Quantity(start, last, text[start:last], values, approx=approx, digits=False))
            i = max(j, i + 1)
            continue
        if word in _ORDINAL_WORDS:
            values = (float(_ORDINAL_WORDS[word]),)
            if word in _FRACTIONS and i > 0 and words[i - 1][2] in ("a", "one"):  # "a third": 1/3 as well as 3rd
                values += (1 / _FRACTIONS[word], 100 / _FRACTIONS[word])
            out.append(Quantity(start, end, text[start:end], values, approx=len(values) > 1, digits=False))
        elif word in ("million", "billion", "trillion", "thousand") and i > 0 and words[i - 1][2] in ("per", "every"):
            out.append(Quantity(start, end, text[start:end], (_SCALE_WORDS[word],), digits=False))
        elif word in _MULTIPLIERS:
            value = _MULTIPLIERS[word]
            values = (value, value * 100) if value < 1 else (value,)
            out.append(Quantity(start, end, text[start:end], values, "num", digits=False))
        elif word in ("thousands", "millions", "billions", "hundreds", "dozens", "decades"):
            scale = {"thousands": 1e3, "millions": 1e6, "billions": 1e9, "hundreds": 100, "dozens": 12,
                     "decades": 10}[word]
            out.append(Quantity(start, end, text[start:end], (scale,), approx=True, digits=False))
        elif word in ("third", "thirds") and i > 0 and words[i - 1][2] in ("a",):
            out.append(Quantity(start, end, text[start:end], (1 / 3, 100 / 3), approx=True, digits=False))
        i += 1
    return out


# --------------------------------------------------------------------------------------------------------------------
# Chinese sources

_CN_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}
_CN_NUMERAL_CHARS = "".join(_CN_DIGIT) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_CN_SCALE_CHARS = "".join(_CN_SMALL) + "".join(_CN_BIG)

_CN_RUN = re.compile(
    rf"(?P<pct>百分之)?"
    rf"(?:(?P<arabic>\d+(?:[,，]\d{{3}})*(?:\.\d+)?)(?P<ascale>[{_CN_SCALE_CHARS}]*)"
    rf"|(?P<cn>[{_CN_NUMERAL_CHARS}]+(?:点[{''.join(_CN_DIGIT)}]+[{_CN_SCALE_CHARS}]*)?))"
    rf"(?P<after>[%％])?")
# What may sit next to a numeral inside one jieba word without making it a non-number (一些, 统一, 十分高兴 ...).
_CN_NUMBER_AFFIX = set("个家名位人年月日号天次倍种项条座所辆架艘台部只头匹张份件本岁周元块亿万千百十多余来第%％"
                       "吨米克斤亩度届批层场起例枚支股点成期款套间户口型级首篇句季轮")
_CN_DATE = re.compile(rf"(?P<mo>\d{{1,2}}|[{_CN_NUMERAL_CHARS}]{{1,3}})月(?:份)?"
                      rf"(?:(?P<d>\d{{1,2}}|[{_CN_NUMERAL_CHARS}]{{1,3}})[日号])?")
_CN_APPROX_BEFORE = ("约", "大约", "近", "将近", "接近", "超过", "逾", "大概", "左右", "多达", "至少", "不到", "近乎")
_CN_VAGUE_BEFORE = set("数几上成")  # 数千亿 "hundreds of billions", 上百 "hundreds", 成千 "thousands": not exact figures
_CN_CURRENCY = (("美元", "USD"), ("美金", "USD"), ("欧元", "EUR"), ("英镑", "GBP"), ("日元", "JPY"),
                ("港元", "HKD"), ("港币", "HKD"), ("人民币", "CNY"), ("元", "CNY"), ("块", "CNY"), ("卢布", "RUB"))
_CN_UNITS = (("公里", "km"), ("千米", "km"), ("英里", "mi"), ("英尺", "ft"), ("公斤", "kg"), ("千克", "kg"),
             ("磅", "lb"), ("米", "m"))
# Chengyu and fixed words whose numerals are not figures, for when jieba is not sure.
_CN_FIXED = re.compile(r"千万(?![人元美个吨家件台辆])|万一|一些|一样|一起|一直|一定|一般|一切|一点|之一|统一|唯一|"
                       r"十分|万物|百姓|一下|一旦|一边|一致|星期[一二三四五六日天]|周[一二三四五六日]|礼拜[一二三四五六日天]|"
                       r"一方面|再三|三思|一些|一度|百货|千克")


def chinese_quantities(text: str) -> list[Quantity]:
    """The figures a Chinese source states, with their values: 1.23亿, 三千, 百分之三十, 12月15日, 2021年, 50%, 一半.

    Numerals inside words that are not figures (一些, 统一, 十分, chengyu such as 三心二意) are left out, as are vague
    amounts (数千, 几百, 上万) and the numbers 1 and 2 written as Chinese numerals, which English renders as
    "a", "both", "bilateral" as often as with a number.
    """
    norm = unicodedata.normalize("NFKC", text) if _needs_nfkc(text) else text
    if len(norm) != len(text):  # offsets must stay valid; give up the width normalisation rather than shift them
        norm = text
    out: list[Quantity] = []
    blocked = bytearray(len(norm) + 1)  # fixed words (一些, 星期三) and dates already read
    for m in _CN_FIXED.finditer(norm):
        _mark(blocked, m.start(), m.end())
    words = _jieba_spans(norm) if any(c in _CN_NUMERAL_CHARS for c in norm) else []
    # dates first: 12月15日, 十二月十五日, 2021年12月
    for m in _CN_DATE.finditer(norm):
        if m.start() > 0 and norm[m.start() - 1] in "个每上下本":
            continue
        month = _number(m.group("mo"))
        day = _number(m.group("d")) if m.group("d") else None
        if month is None or not 1 <= month <= 12 or (m.start() > 0 and norm[m.start() - 1] in _CN_NUMERAL_CHARS):
            continue
        if day is not None and 1 <= day <= 31:
            out.append(Quantity(m.start(), m.end(), m.group(), (float(month * 100 + day),), "date"))
        else:
            out.append(Quantity(m.start(), m.end(), m.group(), (float(month),), "month"))
        _mark(blocked, m.start(), m.end())
    for m in _CLOCK.finditer(norm):  # 15:30
        if blocked[m.start()]:
            continue
        out.append(Quantity(m.start(), m.end(), m.group(), _hour_readings(int(m.group(1)))))
        out.append(Quantity(m.start(2), m.end(2), m.group(2), (float(int(m.group(2))),)))
        _mark(blocked, m.start(), m.end())
    for m in _CN_RUN.finditer(norm):
        if blocked[m.start()] or blocked[m.end() - 1]:
            continue
        start, end = m.start(), m.end()
        before = norm[max(0, start - 3):start]
        after = norm[end:end + 4]
        if m.group("arabic"):
            if start > 0 and (norm[start - 1].isascii() and norm[start - 1].isalnum() or norm[start - 1] in ".-/"):
                # part of a code, version or model name (G20, COVID-19, A380); it travels verbatim
                values = (float(m.group("arabic").replace(",", "").replace("，", "")),)
                out.append(Quantity(start, end, m.group(), values, digits=True))
                continue
            value = float(m.group("arabic").replace(",", "").replace("，", ""))
            scale = _scale_of(m.group("ascale") or "")
            if scale is None:
                continue
            value *= scale
            digits = True
        else:
            run = m.group("cn")
            if "几" in run or (before and before[-1] in _CN_VAGUE_BEFORE) or after.startswith(("几", "数")):
                continue
            if not _is_figure(norm, start, end, words):
                continue
            value = _number(run)
            if value is None:
                continue
            if after.startswith("年") and _digitwise(run) and len(run) == 4:
                value = float(int("".join(str(_CN_DIGIT[c]) for c in run)))
            elif value <= 2 and not m.group("pct"):
                continue
            digits = False
        kind, unit = "num", None
        if m.group("pct") or m.group("after"):
            kind = "pct"
        elif after.startswith("成") and not digits and value <= 10 and not after.startswith(("成为", "成功", "成立", "成了")):
            kind, value = "pct", value * 10
        approx = before.endswith(_CN_APPROX_BEFORE) or after.startswith(("多", "余", "来", "左右"))
        tail = after.lstrip("多余来")
        for word, code in _CN_CURRENCY + _CN_UNITS:
            if tail.startswith(word) or (tail[:1] in "个万亿千百" and tail[1:].startswith(word)):
                unit = code
                break
        values = (value,)
        if kind == "num" and after[:1] in ("点", "时") and 12 < value <= 24:
            values = _hour_readings(int(value))  # 15点 = 3 p.m.
        if kind == "num" and after.startswith("倍") and value >= 2:
            values = (value, value - 1)  # "增长了3倍" is read both as "three times" and "by 200%"; stay lenient
        out.append(Quantity(start, end, m.group(), values, kind, unit, approx, digits))
    for m in re.finditer(r"一半|(?P<den>[二三四五六七八九十]|\d+)分之(?P<num>[一二三四五六七八九]|\d+)", norm):
        if m.group() == "一半":
            out.append(Quantity(m.start(), m.end(), m.group(), (0.5, 50.0), digits=False))
        elif not text.startswith("百", max(0, m.start() - 1)):
            num, den = _number(m.group("num")), _number(m.group("den"))
            if num and den:
                out.append(Quantity(m.start(), m.end(), m.group(), (num / den, 100 * num / den), approx=True,
                                    digits=False))
    return _finite(out)


def _finite(quantities: list[Quantity]) -> list[Quantity]:
    """In text order, without the absurd (a 400-digit "number" overflows a float)."""
    return sorted((q for q in quantities if all(math.isfinite(v) for v in q.values)), key=lambda q: q.start)


def _needs_nfkc(text: str) -> bool:
    return any("\uff01" <= c <= "\uff5e" for c in text)


def _scale_of(chars: str) -> float | None:
    scale = 1.0
    for c in chars:
        scale *= _CN_SMALL.get(c) or _CN_BIG.get(c) or 1
    return scale


def _digitwise(run: str) -> bool:
    return all(c in _CN_DIGIT for c in run)


def _is_figure(text: str, start: int, end: int, words: list[tuple[int, int]]) -> bool:
    """False when jieba puts the numeral run inside a word with non-numeric characters (一些, 统一, 三心二意)."""
    lo, hi = start, end
    for s, e in words:
        if s < end and e > start:
            lo, hi = min(lo, s), max(hi, e)
    residue = text[lo:start] + text[end:hi]
    return all(c in _CN_NUMBER_AFFIX or c in _CN_NUMERAL_CHARS for c in residue)


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _jieba_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for word in _jieba().cut(text, HMM=False):
        spans.append((pos, pos + len(word)))
        pos += len(word)
    return spans


def parse_chinese_numeral(run: str) -> float | None:
    """The value of a Chinese numeral (三千 3000, 一百二十三 123, 三点五亿 350000000, 二〇二一 2021), or None."""
    return _number(run)


def _number(run: str) -> float | None:
    run = run.strip()
    if not run:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", run):
        return float(run)
    if "点" in run:
        whole, _, rest = run.partition("点")
        frac = "".join(str(_CN_DIGIT[c]) for c in rest if c in _CN_DIGIT)
        scale_chars = "".join(c for c in rest if c in _CN_SCALE_CHARS)
        base = _number(whole) if whole else 0
        if base is None or not frac:
            return None
        return (base + float("0." + frac)) * (_scale_of(scale_chars) or 1)
    if _digitwise(run) and len(run) > 1:
        if len(run) == 4:  # a year read digit by digit: 二〇二一
            return float(int("".join(str(_CN_DIGIT[c]) for c in run)))
        return None  # 三四 "three or four": a range, not a figure
    total, section, number = 0.0, 0.0, 0.0
    for c in run:
        if c in _CN_DIGIT:
            number = _CN_DIGIT[c]
        elif c in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[c]
            number = 0
        elif c in ("万", "萬"):
            section = (section + number) * 1e4
            number = 0
        elif c in ("亿", "億"):
            total = (total + section + number) * 1e8
            section = number = 0
        else:
            return None
    return total + section + number


# --------------------------------------------------------------------------------------------------------------------
# Sources in other languages: digits only, with either decimal convention

_LATIN_NUM = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d])"
    r"(?P<scale>\s?(?:Millionen|Million|Mio\.?|Milliarden|Milliarde|Mrd\.?|Billionen|Bio\.?|Tausend|"
    r"millions?|milliards?|millones|millón|milhões|milhão|milioni|milione|miliardi|miliardo|miljoen|miljard|"
    r"mil\s+millones|mil|mille|Mille|bilhões|bilhão|million|billion|thousand)\b)?"
    r"(?P<pct>\s?(?:%|Prozent\b|pour\s?cent\b|por\s?ciento\b|per\s?cento\b|procent\b|por\s?cento\b|percent\b))?",
    re.UNICODE)
_LATIN_SCALE = {"millionen": 1e6, "million": 1e6, "mio": 1e6, "milliarden": 1e9, "milliarde": 1e9, "mrd": 1e9,
                "billionen": 1e12, "bio": 1e12, "tausend": 1e3, "millions": 1e6, "milliards": 1e9, "milliard": 1e9,
                "millones": 1e6, "millón": 1e6, "milhões": 1e6, "milhão": 1e6, "milioni": 1e6, "milione": 1e6,
                "miliardi": 1e9, "miliardo": 1e9, "miljoen": 1e6, "miljard": 1e9, "mil millones": 1e9, "mil": 1e3,
                "mille": 1e3, "bilhões": 1e9, "bilhão": 1e9, "billion": 1e9, "thousand": 1e3}


_DOTTED_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)?\d{2})?(?![\d])")


def latin_quantities(text: str) -> list[Quantity]:
    """Digit figures in a source in a European language; "1.234" and "1,234" get both readings (1234 and 1.234)."""
    out = []
    blocked = bytearray(len(text) + 1)
    for m in _DOTTED_DATE.finditer(text):  # 15.12.2021 and 15.12. are day-first dates
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12 and (m.group(3) or text[m.end():m.end() + 1] in (" ", "")):
            out.append(Quantity(m.start(), m.end(2), m.group(), (float(month * 100 + day),), "date"))
            if m.group(3):
                year = int(m.group(3))
                year = year + 2000 if year < 100 else year
                out.append(Quantity(m.start(3), m.end(3), m.group(3), (float(year), float(year % 100))))
            _mark(blocked, m.start(), m.end())
    for m in _CLOCK.finditer(text):
        if blocked[m.start()]:
            continue
        hour = int(m.group(1))
        out.append(Quantity(m.start(), m.end(), m.group(), _hour_readings(hour)))
        out.append(Quantity(m.start(2), m.end(2), m.group(2), (float(int(m.group(2))),)))
        _mark(blocked, m.start(), m.end())
    for m in _LATIN_NUM.finditer(text):
        if blocked[m.start()]:
            continue
        values = _latin_readings(m.group("num"))
        if not values:
            continue
        scale_word = (m.group("scale") or "").strip().rstrip(".").lower()
        scale_word = re.sub(r"\s+", " ", scale_word)
        if scale_word:
            scale = _LATIN_SCALE.get(scale_word, 1)
            values = tuple(v * scale for v in values)
        kind = "pct" if m.group("pct") else "num"
        out.append(Quantity(m.start(), m.end(), m.group().strip(), values, kind, digits=True))
    return _finite(out)


def _latin_readings(num: str) -> tuple[float, ...]:
    plain = num.replace("\u00a0", " ").replace("\u202f", " ")
    seps = [c for c in plain if c in ".,' "]
    digits_only = re.sub(r"[.,' ]", "", plain)
    if not seps:
        return (float(plain),)
    if " " in seps:  # French thousands: 1 234,5
        whole, _, frac = plain.replace(" ", "").partition(",")
        return (float(whole + ("." + frac if frac else "")),)
    if len(set(seps)) == 2:  # both: the last one is the decimal mark
        decimal = seps[-1]
        whole, _, frac = plain.rpartition(decimal)
        return (float(re.sub(r"[.,]", "", whole) + "." + frac),)
    if len(seps) > 1:  # one mark repeated: thousands
        return (float(digits_only),)
    whole, _, frac = plain.partition(seps[0])
    if len(frac) == 3:
        return (float(digits_only), float(whole + "." + frac))
    return (float(whole + "." + frac),)


# --------------------------------------------------------------------------------------------------------------------
# Targets in other languages, read with the language's table (``[numbers]`` in mtaudit/languages/<code>.toml)


@lru_cache(maxsize=8)
def _locale_patterns(key: tuple) -> tuple[re.Pattern, re.Pattern | None, dict, dict]:
    table = dict(key)
    scales = dict(table.get("scales", ()))
    table = {k: (dict(v) if k in ("month_aliases",) else v) for k, v in table.items()}
    words = sorted(scales, key=len, reverse=True)
    percent = sorted(table.get("percent", ()), key=len, reverse=True)
    group, decimal = re.escape(table.get("group", ".")), re.escape(table.get("decimal", ","))
    # the language's own grouping and decimal marks first; then the English conventions MT leaves ("1,234,567",
    # "3.5"), read as English means them
    number = (rf"\d{{1,3}}(?:{group}\d{{3}})+(?:{decimal}\d+)?|\d{{1,3}}(?:,\d{{3}}){{2,}}(?:\.\d+)?"
              rf"|\d{{1,3}}(?:,\d{{3}})+\.\d+|\d+{decimal}\d+|\d+\.\d+|\d+")
    scale = "|".join(re.escape(w) + (r"\.?" if len(w) <= 3 else r"\b") for w in words)
    figure = re.compile(rf"(?<![\w.,])(?P<num>{number})(?![\d])(?:\s?(?P<scale>{scale}))?"
                        rf"(?:\s?(?P<pct>{'|'.join(re.escape(p) for p in percent)}))?")
    full = {name.lower(): i + 1 for i, name in enumerate(table.get("months", ()))}
    aliases = {k.lower(): v for k, v in dict(table.get("month_aliases", ())).items()}
    months = {**full, **aliases}
    date = None
    if months:
        names = "|".join(re.escape(m) for m in sorted(full, key=len, reverse=True))
        short = "|".join(re.escape(m) for m in sorted(aliases, key=len, reverse=True)) or "(?!)"
        # an abbreviated month may take its dot ("3. Okt."), a full one ends before the sentence's full stop
        date = re.compile(rf"(?<![\d.])(?P<day>\d{{1,2}})\.\s?(?P<month>(?i:{names})(?![^\W\d_])|"
                          rf"(?i:{short})\.?(?![^\W\d_]))(?:\s+(?P<year>(?:1[89]|20)\d\d)\b)?")
    return figure, date, (months, full), {w.lower(): v for w, v in scales.items()}


def table_key(table):
    """A hashable copy of a language table (for the pattern cache)."""
    if isinstance(table, dict):
        return tuple(sorted((k, table_key(v)) for k, v in table.items()))
    if isinstance(table, list):
        return tuple(table_key(v) for v in table)
    return table


def locale_quantities(text: str, table: dict) -> list[Quantity]:
    """The figures of a target language read with its ``[numbers]`` table: digits in its grouping and decimal marks
    (German 1.234,5), its scale words (Mio., Milliarden), percent words, named dates ("1. Dezember 2026"), dotted
    dates and clock times. A figure in the English convention ("3.5", "1,234,567") is read as English writes it, so
    that a wrong decimal mark is a format finding, not also a changed figure."""
    figure, date, (months, full), scales = _locale_patterns(table_key(table))
    decimal, group = table.get("decimal", ","), table.get("group", ".")
    currencies = dict(table.get("currencies", ()))
    out: list[Quantity] = []
    blocked = bytearray(len(text) + 1)
    if date is not None:
        for m in date.finditer(text):
            day, month = int(m.group("day")), months[m.group("month").rstrip(".").lower()]
            if 1 <= day <= 31:
                out.append(Quantity(m.start(), m.end(), m.group(), (float(month * 100 + day),), "date"))
                if m.group("year"):
                    out.append(Quantity(m.start("year"), m.end("year"), m.group("year"), (float(m.group("year")),)))
                _mark(blocked, m.start(), m.end())
    for m in re.finditer(r"[^\W\d_]+", text):  # a month named alone: "im März"
        month = full.get(m.group().lower())
        if month and not blocked[m.start()]:
            out.append(Quantity(m.start(), m.end(), m.group(), (float(month),), "month", digits=False))
            _mark(blocked, m.start(), m.end())
    for q in latin_quantities(text):  # dotted dates (15.12.2021) and clock times (15.30 Uhr)
        if q.kind == "date" or (q.end < len(text) and "Uhr" in text[q.end:q.end + 5]):
            if not blocked[q.start]:
                out.append(q)
                _mark(blocked, q.start, q.end)
    for m in figure.finditer(text):
        if blocked[m.start()]:
            continue
        num = m.group("num")
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+(?:{re.escape(decimal)}\d+)?", num):
            whole, _, frac = num.partition(decimal)
            values = (float(whole.replace(group, "") + ("." + frac if frac else "")),)
        elif decimal in num and re.fullmatch(rf"\d+{re.escape(decimal)}\d+", num):
            values = (float(num.replace(decimal, ".")),)
        else:  # the English convention: 1,234,567 or 3.5
            values = (float(num.replace(",", "")),)
        scale_word = (m.group("scale") or "").rstrip(".").lower()
        if scale_word:
            values = tuple(v * scales.get(scale_word, 1.0) for v in values)
        kind = "pct" if m.group("pct") else "num"
        after = text[m.end():m.end() + 12]
        unit = next((code for word, code in currencies.items() if after.lstrip().startswith(word)), None)
        before = text[max(0, m.start() - 2):m.start()].strip()
        unit = unit or currencies.get(before[-1:]) if before else unit
        end = m.end()
        out.append(Quantity(m.start(), end, text[m.start():end].strip(), values, kind, unit, digits=True))
        _mark(blocked, m.start(), end)
    out.extend(_locale_words(text, table, blocked))
    return _finite(out)


def _locale_words(text: str, table: dict, blocked: bytearray) -> list[Quantity]:
    """Figures written as words in the table's language: bare scale words ("Milliarden"), fractions ("ein Drittel",
    read as 1/3 and 33 %), small numbers ("drei")."""
    out = []
    words = {**{k: (v, True) for k, v in dict(table.get("scale_words", ())).items()},
             **{k: (v, True) for k, v in dict(table.get("fractions", ())).items()},
             **{k: (v, False) for k, v in dict(table.get("number_words", ())).items()}}
    fractions = dict(table.get("fractions", ()))
    for m in re.finditer(r"[^\W\d_]+", text):
        if blocked[m.start()] or m.group() not in words:
            continue
        value, approx = words[m.group()]
        values = (value, 100 * value) if m.group() in fractions else (float(value),)
        out.append(Quantity(m.start(), m.end(), m.group(), values, approx=approx, digits=False))
    return out


def format_locale(value: float, table: dict, kind: str = "num", unit: str | None = None) -> str:
    """How a news text in the table's language writes a value: "2,4 Milliarden", "30 Prozent", "15. Dezember"."""
    if kind == "date":
        month, day = divmod(int(value), 100)
        months = table.get("months", [])
        return f"{day}. {months[month - 1]}" if 1 <= month <= len(months) else str(int(value))
    if kind == "month":
        months = table.get("months", [])
        return months[int(value) - 1] if 1 <= value <= len(months) else str(int(value))
    decimal, group = table.get("decimal", ","), table.get("group", ".")
    names = {float(k): v for k, v in dict(table.get("scale_names", ())).items()}
    text = None
    for scale in sorted(names, reverse=True):
        if scale >= 1e6 and abs(value) >= scale:
            text = f"{_trim(value / scale).replace('.', decimal)} {names[scale]}"
            break
    if text is None:
        if value == int(value):
            text = f"{int(value):,}".replace(",", group) if abs(value) >= 10000 else str(int(value))
        else:
            text = _trim(value).replace(".", decimal)
    if kind == "pct":
        return f"{text} {table.get('percent', ['%'])[-2] if len(table.get('percent', [])) > 1 else '%'}"
    currency = next((word for word, code in dict(table.get("currencies", ())).items() if code == unit and
                     word.isalpha()), None)
    return f"{text} {currency}" if currency else text
