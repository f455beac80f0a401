"""English figures (the target language): digits with scale words and currency, number words, dates and months;
and how an English news text writes a value."""
from __future__ import annotations

import re

from mtaudit.detectors.numlib.quantity import Quantity, in_text_order, mark_covered, trim_decimals


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
            mark_covered(taken, m.start(), m.end())

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
        mark_covered(taken, q.start, q.end)
    out.extend(_english_word_numbers(text, taken))
    return in_text_order(out)


def _currency_code(word: str) -> str:
    key = re.sub(r"^(?:us|u\.s\.|american)\s+", "", word.strip().lower()).rstrip("s")
    key = re.sub(r"\s+sterling$", "", key)
    return _CURRENCY_WORD_CODE.get(key, "CUR")


def _english_word_numbers(text: str, taken: bytearray) -> list[Quantity]:
    """Number words: "eleven months", "three hundred", "a million", "twice", "a dozen", "two decades", "half"."""
    out = []
    for m in _EN_FRACTION_OF_SCALE.finditer(text):
        if taken[m.start()]:
            continue
        count = {"a": 1, "one": 1, "two": 2, "three": 3, None: 1}[m.group(1) and m.group(1).lower()]
        value = count / _FRACTIONS[m.group(2).lower().rstrip("s")] * _SCALE_WORDS[m.group(3).lower()]
        out.append(Quantity(m.start(), m.end(), m.group(), (value,), digits=False))
        mark_covered(taken, m.start(), m.end())
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
            return f"{trim_decimals(value / scale)} {word}"
    if value == int(value):
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return trim_decimals(value)
