"""Vietnamese, Korean and Japanese names written in Chinese characters, and how English writes them.

A Vietnamese or Korean name reaches a Chinese article in the characters it shares with Chinese (阮富仲 Nguyễn Phú
Trọng, 文在寅 Moon Jae-in, 安倍晋三 Abe Shinzō); MT reads them as Chinese pinyin ("Ruan Fuzhong", "Wen Zaiyin", "An
Bei"). The Sino-Vietnamese and Sino-Korean readings of each character come from Unihan (``data/zh_readings.tsv``,
built with the lexicon); which names are Vietnamese, Korean or Japanese comes from the source: the country named
right before the name ("越南总理阮春福", "韩国总统文在寅", "日本首相菅义伟").
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

READINGS_FILE = "data/zh_readings.tsv"

# The words of a source that make the name right after them (within a title or two) Vietnamese, Korean or Japanese.
COUNTRY = {
    "vi": re.compile("越南|越方|越共|河内|胡志明市"),
    "ko": re.compile("韩国|朝鲜|韩方|朝方|首尔|平壤"),
    "ja": re.compile("日本|日方|东京"),
}
LANGUAGE_NAMES = {"vi": "Vietnamese", "ko": "Korean", "ja": "Japanese"}
# How far before a name its country may stand: "越南政府副总理兼外长范平明" puts 9 characters of titles between.
_WINDOW = 10

# Korean surnames as English writes them by convention (Unihan's Revised Romanization gives "Bak", "Ri", "Geum").
KOREAN_SURNAMES = {
    "金": "Kim", "李": "Lee", "朴": "Park", "崔": "Choi", "郑": "Jung", "姜": "Kang", "赵": "Cho", "尹": "Yoon",
    "张": "Jang", "林": "Lim", "韩": "Han", "吴": "Oh", "申": "Shin", "徐": "Seo", "权": "Kwon", "黄": "Hwang",
    "安": "Ahn", "宋": "Song", "柳": "Yoo", "洪": "Hong", "全": "Jeon", "高": "Ko", "文": "Moon", "孙": "Son",
    "梁": "Yang", "裴": "Bae", "白": "Baek", "许": "Heo", "南": "Nam", "卢": "Roh", "河": "Ha", "丁": "Jeong",
    "成": "Sung", "车": "Cha", "具": "Koo", "禹": "Woo", "罗": "Na", "闵": "Min", "潘": "Ban", "俞": "Yoo",
    "沈": "Shim", "元": "Won", "玄": "Hyun", "延": "Yeon", "奉": "Bong", "秋": "Choo", "严": "Eom", "表": "Pyo",
}


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str | None, str | None]]:
    text = resources.files("mtaudit.detectors").joinpath(READINGS_FILE).read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            char, vi, ko = line.split("\t")
            out[char] = (None if vi == "-" else vi, None if ko == "-" else ko)
    return out


def vietnamese(name: str) -> str | None:
    """The Sino-Vietnamese reading of ``name``, one capitalised word per character ("Nguyễn Phú Trọng"), or None
    when a character has none."""
    table = _table()
    parts = [table.get(c, (None, None))[0] for c in name]
    return " ".join(p.capitalize() for p in parts) if all(parts) else None


def korean(name: str, person: bool) -> str | None:
    """The Sino-Korean reading of ``name``: a person as surname and hyphenated given name ("Moon Jae-in"), a place
    as one word ("Gwangju"), or None when a character has none."""
    table = _table()
    if person and name[:1] in KOREAN_SURNAMES and 2 <= len(name) <= 3:
        given = [table.get(c, (None, None))[1] for c in name[1:]]
        return f"{KOREAN_SURNAMES[name[0]]} {'-'.join(given).capitalize()}" if all(given) else None
    parts = [table.get(c, (None, None))[1] for c in name]
    return "".join(parts).capitalize() if all(parts) else None


def sino_readings(name: str) -> list[str]:
    """Every Sino-Vietnamese and Sino-Korean reading of ``name`` the data gives."""
    return [r for r in (vietnamese(name), korean(name, True), korean(name, False)) if r]


# Between a country and a name, these words mean the name is someone else: "韩国外长与王毅会谈" (Wang Yi is Chinese).
_NOT_THEIRS = re.compile("与|和|同|及|跟|会见|会晤|会谈|对|向|致|中国|中方|我国|我方|驻")


def country_before(source: str, start: int) -> str | None:
    """"vi", "ko" or "ja" when that country is named just before ``source[start:]``, with only titles between
    ("韩国总统文在寅", not "韩国外长与王毅")."""
    window = re.split("[。；！？，、]", source[max(0, start - _WINDOW):start])[-1]
    for code, pattern in COUNTRY.items():
        found = list(pattern.finditer(window))
        if found and not _NOT_THEIRS.search(window, found[-1].end()):
            return code
    return None
