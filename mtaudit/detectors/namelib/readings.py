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
def _all_readings() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Character -> (its Vietnamese readings, its Korean readings), preferred first."""
    text = resources.files("mtaudit.detectors").joinpath(READINGS_FILE).read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            char, vi, ko = line.split("\t")
            out[char] = (tuple(r for r in vi.split("|") if r != "-"), tuple(r for r in ko.split("|") if r != "-"))
    return out


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str | None, str | None]]:
    """Character -> (its preferred Vietnamese reading, its preferred Korean reading)."""
    return {c: (vi[0] if vi else None, ko[0] if ko else None) for c, (vi, ko) in _all_readings().items()}


def vietnamese_readings(char: str) -> tuple[str, ...]:
    """Every Sino-Vietnamese reading of ``char`` the data gives (政: chính, chánh)."""
    return _all_readings().get(char, ((), ()))[0]


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


def korean_readings(char: str) -> tuple[str, ...]:
    """Every Sino-Korean reading of ``char`` the data gives, romanised (李: ri, i)."""
    return _all_readings().get(char, ((), ()))[1]


def sino_readings(name: str) -> list[str]:
    """Every Sino-Vietnamese and Sino-Korean reading of ``name`` the data gives."""
    return [r for r in (vietnamese(name), korean(name, True), korean(name, False)) if r]


# What may stand between a country and a name of that country: titles and roles ("越南政府副总理兼外长范平明",
# "韩国前总统朴槿惠", "越南北江省"); anything else ("日本研究所所长杨伯江", "韩国外长与王毅") leaves the name unplaced.
_TITLES = re.compile(
    "(?:的|前|新任|现任|代理|政府|国家|驻华|驻美|副|兼|总统|国务总理|总理|首相|外长|外交部长|外相|防长|国防部长|部长|"
    "大臣|主席|总书记|书记|领导人|最高领导人|国王|女王|天皇|王储|王子|公主|大使|议员|国会议员|议长|发言人|官员|外交官|特使|代表|"
    "市长|省长|将军|司令|演员|歌手|选手|球员|运动员|明星|作家|导演|教练|企业家|首富|会长|董事长|总裁|外务省|外交部|"
    "[\u4e00-\u9fff]{0,6}?(?:大臣|长官))*")  # a cabinet minister of any portfolio: "经济再生担当大臣", "官房长官"


def country_before(source: str, start: int) -> str | None:
    """"vi", "ko" or "ja" when that country is named just before ``source[start:]`` with only titles and roles
    between ("韩国总统文在寅", not "韩国外长与王毅" nor "日本研究所所长杨伯江")."""
    window = re.split("[。；！？，、]", source[max(0, start - _WINDOW):start])[-1]
    for code, pattern in COUNTRY.items():
        found = list(pattern.finditer(window))
        if found and _TITLES.fullmatch(window, found[-1].end()):
            return code
    return None


def after_country(source: str, code: str) -> list[int]:
    """Where a name may begin in ``source`` right after the country ``code`` and at least one title ("日本首相|岸田",
    "韩国前总统|文在寅"; nowhere in "日本企业")."""
    out = []
    for country in COUNTRY[code].finditer(source):
        start = _TITLES.match(source, country.end()).end()
        if start > country.end() and country_before(source, start) == code:
            out.append(start)
    return out


# Vietnamese surnames written in Chinese characters, the common ones (Nguyễn, Trần, Lê, Phạm, Hoàng, Phan, Vũ, Đặng,
# Bùi, Đỗ, Hồ, Ngô, Dương, Lý, Đinh, Đoàn, Trịnh, Võ): a person with one of these, introduced by a title, in an article
# that names Vietnam is taken for Vietnamese (weak evidence: most are Chinese surnames too).
VIETNAMESE_SURNAMES = frozenset("阮陈黎范黄潘武邓裴杜胡吴杨李丁段郑")
_SYLLABLE = re.compile(r"[^\W\d_]+")


def vietnamese_mismatch(name: str, target: str) -> tuple[int, int, str, int] | None:
    """The rendering of the Vietnamese name ``name`` (three characters or more) in ``target`` that reads one of its
    characters with a syllable none of that character's readings gives: "Pham Minh Thanh" for 范明政 (Phạm Minh
    Chính). Returns (start, end, text, index of the first wrong syllable), or None when the target renders it right,
    does not render it, or a character has no known reading.

    The rendering is the run of capitalised words, one per character, whose first word reads the surname and whose
    other words read at least one more character of the name: it is this person's name with a syllable gone wrong."""
    from mtaudit.detectors.namelib.romanise import fold

    readings = [{fold(r) for r in vietnamese_readings(c)} for c in name]
    if len(name) < 3 or not all(readings):
        return None
    words = [(m.start(), m.end(), fold(m.group())) for m in _SYLLABLE.finditer(target)]
    for i in range(len(words) - len(name) + 1):
        run = words[i:i + len(name)]
        if run[0][2] not in readings[0] or not _one_name(target, run):
            continue
        wrong = [j for j, (_, _, w) in enumerate(run) if w not in readings[j]]
        if wrong and len(wrong) < len(name) - 1:
            return run[0][0], run[-1][1], target[run[0][0]:run[-1][1]], wrong[0]
    return None


def _one_name(target: str, run: list[tuple[int, int, str]]) -> bool:
    """The words of ``run`` are capitalised and only a space or a hyphen stands between them."""
    return all(target[start].isupper() for start, _, _ in run) and all(
        target[end:start] in (" ", "-") for (_, end, _), (start, _, _) in zip(run, run[1:]))


_VI_TITLE_AFTER = re.compile("(?:总理|副总理|主席|国家主席|国会主席|总书记|部长|外长|副部长|大使|书记|省长|市长|将军|同志|"
                             "先生|女士|表示|说|指出|强调)")
_VI_TITLE_BEFORE = re.compile("(?:总理|副总理|主席|国家主席|国会主席|总书记|部长|外长|大使|书记|省长|市长|将军)$")
_CHINA = re.compile("中国|中方|我国|北京")


def about_vietnam(article_source: str) -> bool:
    """The article names Vietnam twice or more, and more often than China: a Vietnamese article (Vietnam Plus's
    Chinese service), where a titled person with a Vietnamese surname is Vietnamese."""
    n = len(COUNTRY["vi"].findall(article_source))
    return n >= 2 and n > len(_CHINA.findall(article_source))


_CHINESE_BEFORE = re.compile("(?:中国|中方|我国|国务院|中共|全国人大|全国政协)")


def vietnamese_people(source: str, candidates, vietnam_article: bool, person_tags) -> list[tuple[str, int, bool]]:
    """The Vietnamese people a source segment names: (name, start, strong), the name joined to a surname jieba
    cut off (范 + 明政). Strong: Vietnam is named right before it ("越南政府总理范明政"); weak: the article names
    Vietnam and the person has a Vietnamese surname and a title or a speech verb beside it ("范明政总理"), with no
    Chinese body right before."""
    out = []
    for word, tag, start, end in candidates:
        if tag not in person_tags and tag != "lexicon":
            continue
        if len(word) == 2 and start and source[start - 1] in VIETNAMESE_SURNAMES:
            word, start = source[start - 1] + word, start - 1
        if len(word) < 3:
            continue
        strong = country_before(source, start) == "vi"
        before = re.split("[。；！？，、]", source[max(0, start - _WINDOW):start])[-1]
        weak = vietnam_article and word[0] in VIETNAMESE_SURNAMES and not _CHINESE_BEFORE.search(before) and bool(
            _VI_TITLE_AFTER.match(source, end) or _VI_TITLE_BEFORE.search(before))
        if strong or weak:
            out.append((word, start, strong))
    return out


def korean_people(sources, candidates, person_tags) -> set[str]:
    """The Korean people an article introduces with Korea named right before them ("韩国总统尹锡悦", "朝鲜外相崔善姬"):
    their names. Three characters with a Korean surname first: a person jieba or the lexicon finds, the surname joined
    back where jieba cut it off (尹 + 锡悦), or, where jieba cuts the name otherwise (洪楠 + 基), the three characters
    right after the country and a title, when each has a Korean reading and neither pair of them is a Chinese word
    (韩国政府高官表示: 高官 "senior official"). Every other mention of those characters in the article is that
    person."""
    from mtaudit.detectors.namelib.source_names import common_chinese_word

    out = set()
    for source in sources:
        for word, tag, start, _ in candidates(source):
            if tag not in person_tags and tag != "lexicon":
                continue
            if len(word) == 2 and start and source[start - 1] in KOREAN_SURNAMES:
                word, start = source[start - 1] + word, start - 1
            if len(word) == 3 and word[0] in KOREAN_SURNAMES and country_before(source, start) == "ko":
                out.add(word)
        for start in after_country(source, "ko"):
            word = source[start:start + 3]
            if len(word) == 3 and word[0] in KOREAN_SURNAMES and all(korean_readings(c) for c in word) and \
                    not common_chinese_word(word[:2]) and not common_chinese_word(word[1:]):
                out.add(word)
    return out
