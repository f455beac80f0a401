"""Figures in European languages: digit figures in a source, read with either decimal convention, and targets read
with the language's table (``[numbers]`` in mtaudit/languages/<code>.toml): its marks, scale words, month names and
number words; and how a news text in that language writes a value."""
from __future__ import annotations

import re
from functools import lru_cache

from mtaudit.detectors.numlib.quantity import (
    CLOCK_TIME, Quantity, hour_readings, in_text_order, mark_covered, trim_decimals,
)


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
            mark_covered(blocked, m.start(), m.end())
    for m in CLOCK_TIME.finditer(text):
        if blocked[m.start()]:
            continue
        hour = int(m.group(1))
        out.append(Quantity(m.start(), m.end(), m.group(), hour_readings(hour)))
        out.append(Quantity(m.start(2), m.end(2), m.group(2), (float(int(m.group(2))),)))
        mark_covered(blocked, m.start(), m.end())
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
    return in_text_order(out)


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
                mark_covered(blocked, m.start(), m.end())
    for m in re.finditer(r"[^\W\d_]+", text):  # a month named alone: "im März"
        month = full.get(m.group().lower())
        if month and not blocked[m.start()]:
            out.append(Quantity(m.start(), m.end(), m.group(), (float(month),), "month", digits=False))
            mark_covered(blocked, m.start(), m.end())
    for q in latin_quantities(text):  # dotted dates (15.12.2021) and clock times (15.30 Uhr)
        if q.kind == "date" or (q.end < len(text) and "Uhr" in text[q.end:q.end + 5]):
            if not blocked[q.start]:
                out.append(q)
                mark_covered(blocked, q.start, q.end)
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
        mark_covered(blocked, m.start(), end)
    out.extend(_locale_words(text, table, blocked))
    return in_text_order(out)


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
            text = f"{trim_decimals(value / scale).replace('.', decimal)} {names[scale]}"
            break
    if text is None:
        if value == int(value):
            text = f"{int(value):,}".replace(",", group) if abs(value) >= 10000 else str(int(value))
        else:
            text = trim_decimals(value).replace(".", decimal)
    if kind == "pct":
        return f"{text} {table.get('percent', ['%'])[-2] if len(table.get('percent', [])) > 1 else '%'}"
    currency = next((word for word, code in dict(table.get("currencies", ())).items() if code == unit and
                     word.isalpha()), None)
    return f"{text} {currency}" if currency else text
