"""Taiwanese people and the romanisation their names keep in English: Wade-Giles as Taiwan writes it, without
apostrophes, the given name hyphenated (夏立言 Hsia Li-yen, 赵春山 Chao Chun-shan, 洪秀柱 Hung Hsiu-chu).

Mainland pinyin ("Xia Liyan") is how MT renders them; English news, Taiwan's government and most mainland English
media write the person's own form. Which people are Taiwanese comes from the source: a Taiwanese party, body or
place right before the name ("国民党副主席夏立言", "台湾陆委会主委邱垂正"), after which every mention in the article
counts.
"""
from __future__ import annotations

import re

# Words that make the name right after them (titles between) Taiwanese.
_TAIWAN = re.compile("台湾|台北|高雄|台中|台南|新北|桃园|国民党|民进党|民众党|亲民党|时代力量|立法院|行政院|监察院|"
                     "陆委会|海基会|国政基金会|蓝营|绿营|台当局|台方")
_TITLES = re.compile(
    "(?:的|前|现任|新任|代理|中国|副|兼|主席|党主席|秘书长|副秘书长|发言人|立委|立法委员|议员|院长|部长|主委|主任委员|"
    "市长|县长|议长|董事长|总统|副总统|候选人|资深顾问|顾问|执行长|智库|官方机构|领导人|代表|大使|学者|教授)*")
_WINDOW = 12

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


def taiwanese_people(sources: list[str], tokens_of, person_tags, surnames) -> set[str]:
    """The people an article's sources introduce as Taiwanese: a Taiwanese party, body or place right before the
    name, with only titles between ("国民党副主席夏立言", "台湾中国国民党副主席夏立言"). ``tokens_of(source)`` gives
    jieba's (word, tag) pairs; a person is a word tagged as one, or a surname of one character (in ``surnames``)
    that jieba cut from its given name (夏 + 立言)."""
    out = set()
    for source in sources:
        tokens, offset = [], 0
        for word, tag in tokens_of(source):
            tokens.append((word, tag, offset))
            offset += len(word)
        for i, (word, tag, start) in enumerate(tokens):
            if tag not in person_tags:
                continue
            if len(word) == 1 and word in surnames and i + 1 < len(tokens) and 1 <= len(tokens[i + 1][0]) <= 2 \
                    and re.fullmatch(r"[\u4e00-\u9fff]+", tokens[i + 1][0]):
                word += tokens[i + 1][0]
            if len(word) < 2:
                continue
            window = re.split("[。；！？，、：]", source[max(0, start - _WINDOW):start])[-1]
            found = list(_TAIWAN.finditer(window))
            if found and _TITLES.fullmatch(window, found[-1].end()):
                out.add(word)
    return out
