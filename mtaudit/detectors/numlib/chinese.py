"""Chinese figures in a source: Arabic digits with Chinese scale characters, Chinese numerals, percentages written
百分之三十, dates, clock times and fractions."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from mtaudit.detectors.numlib.quantity import CLOCK_TIME, Quantity, hour_readings, in_text_order, mark_covered


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
        mark_covered(blocked, m.start(), m.end())
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
        mark_covered(blocked, m.start(), m.end())
    for m in CLOCK_TIME.finditer(norm):  # 15:30
        if blocked[m.start()]:
            continue
        out.append(Quantity(m.start(), m.end(), m.group(), hour_readings(int(m.group(1)))))
        out.append(Quantity(m.start(2), m.end(2), m.group(2), (float(int(m.group(2))),)))
        mark_covered(blocked, m.start(), m.end())
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
            values = hour_readings(int(value))  # 15点 = 3 p.m.
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
    return in_text_order(out)


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
