"""People of Taiwan, Hong Kong, Macau and Singapore, whose English names are not mainland pinyin: Taiwanese names
keep Wade-Giles as Taiwan writes it, without apostrophes, the given name hyphenated (夏立言 Hsia Li-yen, 赵春山 Chao
Chun-shan, 洪秀柱 Hung Hsiu-chu); Hong Kong and Macau names are Cantonese romanisations or chosen English names
(李家超 John Lee); Singaporean ones Hokkien, Teochew or Cantonese (吴作栋 Goh Chok Tong).

Mainland pinyin ("Xia Liyan") is how MT renders them; English news, their governments and most mainland English
media write the person's own form. Which people they are comes from the source: a party, body or place of the region
right before the name, with titles or bodies between ("国民党副主席夏立言", "香港特区行政长官李家超"), after which every
mention in the article counts.
"""
from __future__ import annotations

import re

# Words that make the name right after them (titles between) Taiwanese, or from Hong Kong, Macau or Singapore,
# where names are written in Cantonese, Hokkien or other romanisations, or by an English given name, never pinyin.
_TAIWAN = re.compile("台湾|台北|高雄|台中|台南|新北|桃园|国民党|民进党|民众党|亲民党|时代力量|立法院|行政院|监察院|"
                     "陆委会|海基会|蓝营|绿营|台当局|台方")
REGIONS = {
    "Taiwanese": _TAIWAN,
    "Hong Kong": re.compile("香港|港府|港区|港澳办|特区政府|立法会|廉署|港交所"),
    "Macau": re.compile("澳门|澳府|澳区"),
    "Singaporean": re.compile("新加坡|新方|狮城"),
}
_TITLES = re.compile(
    "(?:的|前|现任|新任|代理|中国|副|兼|主席|党主席|秘书长|副秘书长|发言人|立委|立法委员|议员|院长|部长|主委|主任委员|"
    "市长|县长|议长|董事长|总统|副总统|候选人|资深顾问|顾问|执行长|智库|官方机构|领导人|代表|大使|学者|教授|特区|"
    "政府|特别行政区|行政长官|特首|司长|局长|署长|总监|总裁|总经理|局|署|委员会)*")
# Words that end one mention and start another ("国民党副主席夏立言会见了国台办主任宋涛": 宋涛 is not the KMT's).
_BETWEEN = re.compile("会见|会晤|见了|拜会|访问|说|表示|称|指出|认为")
# A body and its department named between the place and the person, ending in a title ("旅游局…执行署长王凌丽").
_BODY_THEN_TITLE = re.compile("[\u4e00-\u9fff]{0,14}(?:局|署|委员会|部|院|会|公司|集团|银行|大学)[\u4e00-\u9fff]{0,12}"
                              "(?:局长|署长|司长|主席|主任|总监|总裁|总经理|董事长|行政总裁|发言人|顾问|院长|校长|会长)")
_WINDOW = 20

# Pinyin initials as Taiwan's Wade-Giles writes them (aspiration marks dropped, as Taiwanese names do).
_INITIALS = (("zh", "ch"), ("ch", "ch"), ("sh", "sh"), ("b", "p"), ("p", "p"), ("m", "m"), ("f", "f"), ("d", "t"),
             ("t", "t"), ("n", "n"), ("l", "l"), ("g", "k"), ("k", "k"), ("h", "h"), ("j", "ch"), ("q", "ch"),
             ("x", "hs"), ("r", "j"), ("z", "ts"), ("c", "ts"), ("s", "s"), ("y", "y"), ("w", "w"))
_WHOLE = {"zi": "tzu", "ci": "tzu", "si": "ssu", "zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih",
          "yi": "i", "you": "yu", "yan": "yen", "ye": "yeh", "yue": "yueh", "yong": "yung", "er": "erh",
          "ge": "ko", "ke": "ko", "he": "ho", "e": "o", "gui": "kuei", "kui": "kuei", "guo": "kuo", "kuo": "kuo",
          "huo": "huo", "shuo": "shuo", "yuan": "yuan", "yun": "yun", "yu": "yu", "lv": "lu", "nv": "nu",
          "lve": "lueh", "nve": "nueh"}
_FINALS = (("iong", "iung"), ("ong", "ung"), ("ian", "ien"), ("ie", "ieh"), ("ue", "ueh"), ("uo", "o"),
           ("v", "u"))


def wade_giles(syllable: str) -> str:
    """One toneless pinyin syllable in Taiwan's Wade-Giles: "xia" -> "hsia", "yan" -> "yen", "zhao" -> "chao"."""
    if syllable in _WHOLE:
        return _WHOLE[syllable]
    initial, final = next(((p, w) for p, w in _INITIALS if syllable.startswith(p)), ("", ""))
    rest = syllable[len(initial):]
    for a, b in _FINALS:
        if rest.endswith(a):
            rest = rest[:-len(a)] + b
            break
    return final + rest


def taiwanese_form(surname: list[str], given: list[str]) -> str:
    """A Taiwanese name in Wade-Giles from its pinyin syllables: (["xia"], ["li", "yan"]) -> "Hsia Li-yen"."""
    family = "".join(wade_giles(s) for s in surname).capitalize()
    return f"{family} {'-'.join(wade_giles(s) for s in given).capitalize()}"


def regional_people(sources: list[str], tokens_of, person_tags, surnames, known=lambda word: False) \
        -> dict[str, str]:
    """The people an article's sources introduce as Taiwanese, from Hong Kong, Macau or Singapore (name -> one of
    ``REGIONS``): a party, body or place of the region right before the name, with only titles and bodies between
    ("国民党副主席夏立言", "新加坡旅游局体育与康养旅游执行署长王凌丽"). ``tokens_of(source)`` gives jieba's (word,
    tag) pairs; a person is a word tagged as one that starts with a surname (in ``surnames``), a surname of one
    character that jieba cut from its given name (夏 + 立言), or a name ``known(word)`` says the tables know."""
    out: dict[str, str] = {}
    for source in sources:
        tokens, offset = [], 0
        for word, tag in tokens_of(source):
            tokens.append((word, tag, offset))
            offset += len(word)
        for i, (word, tag, start) in enumerate(tokens):
            if tag not in person_tags:
                continue
            longer = next((source[start:start + n] for n in (4, 3) if known(source[start:start + n])), None)
            if longer:
                word = longer  # 李家 + 超: the table knows 李家超
            elif len(word) == 1 and word in surnames and i + 1 < len(tokens) and 1 <= len(tokens[i + 1][0]) <= 2 \
                    and re.fullmatch(r"[\u4e00-\u9fff]+", tokens[i + 1][0]):
                word += tokens[i + 1][0]
            if not 2 <= len(word) <= 4 or word[0] not in surnames and not known(word):
                continue
            window = re.split("[。；！？，、：]", source[max(0, start - _WINDOW):start])[-1]
            for region, pattern in REGIONS.items():
                found = list(pattern.finditer(window))
                # a title or a body between ("香港特区行政长官李家超"): right after the place, a name may be the head
                # of an organisation's (香港艾力彼医院管理研究中心)
                rest = window[found[-1].end():] if found else ""
                if rest and (_TITLES.fullmatch(rest) or _BODY_THEN_TITLE.fullmatch(rest) and not _BETWEEN.search(rest)):
                    out.setdefault(word, region)
                    break
    return out
