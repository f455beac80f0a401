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


# What may stand between a country and a name of that country: titles and roles ("越南政府副总理兼外长范平明",
# "韩国前总统朴槿惠", "越南北江省"); anything else ("日本研究所所长杨伯江", "韩国外长与王毅") leaves the name unplaced.
_TITLES = re.compile(
    "(?:的|前|新任|现任|代理|政府|国家|驻华|驻美|副|兼|总统|总理|首相|外长|外交部长|外相|防长|国防部长|部长|大臣|主席|"
    "总书记|书记|领导人|最高领导人|国王|女王|天皇|王储|王子|公主|大使|议员|国会议员|议长|发言人|官员|外交官|特使|代表|"
    "市长|省长|将军|司令|演员|歌手|选手|球员|运动员|明星|作家|导演|教练|企业家|首富|会长|董事长|总裁|外务省|外交部)*")


def country_before(source: str, start: int) -> str | None:
    """"vi", "ko" or "ja" when that country is named just before ``source[start:]`` with only titles and roles
    between ("韩国总统文在寅", not "韩国外长与王毅" nor "日本研究所所长杨伯江")."""
    window = re.split("[。；！？，、]", source[max(0, start - _WINDOW):start])[-1]
    for code, pattern in COUNTRY.items():
        found = list(pattern.finditer(window))
        if found and _TITLES.fullmatch(window, found[-1].end()):
            return code
    return None
