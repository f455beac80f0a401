"""Places named by one character (澳 for Macau or Australia, 越 Vietnam, 新 Singapore or New Zealand, 文 Brunei),
and the place the article means by it.

Chinese news abbreviates a place it has named in full to one character: "来澳考察" in an article about Macau is a
visit to Macau, "越新两国" in one about Singapore is Vietnam and Singapore. MT guesses from the character alone:
"visit Australia", "Vietnam-Vietnam". The article settles which place a character stands for: the one of its
places whose full name the article uses (澳门, not 澳大利亚).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# character -> the places it abbreviates: (full Chinese names, English forms, preferred first)
PLACES: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "澳": ((("澳门",), ("Macau", "Macao")), (("澳大利亚", "澳洲"), ("Australia", "Australian", "Australians"))),
    "新": ((("新加坡",), ("Singapore", "Singaporean")), (("新西兰",), ("New Zealand",))),
    "越": ((("越南",), ("Vietnam", "Viet Nam", "Vietnamese")),),
    "文": ((("文莱",), ("Brunei",)),),
    "港": ((("香港",), ("Hong Kong",)),),
    "马": ((("马来西亚",), ("Malaysia", "Malaysian")),),
    "柬": ((("柬埔寨",), ("Cambodia", "Cambodian")),),
    "老": ((("老挝",), ("Laos", "Lao")),),
    "缅": ((("缅甸",), ("Myanmar",)),),
    "菲": ((("菲律宾",), ("Philippines", "Philippine", "Filipino")),),
    "泰": ((("泰国",), ("Thailand", "Thai")),),
    "叙": ((("叙利亚",), ("Syria", "Syrian")),),
    "土": ((("土耳其",), ("Turkey", "Türkiye", "Turkish")),),
}
# Where a character of PLACES is a place: after a verb of travel (来澳, 访新, 赴港) or in a pair of them before a word
# of relations (越新两国, 越文关系, 土叙边境).
_TRAVEL = re.compile("(?:来|访|赴|抵|离|返|回|在|驻|留|到)([澳新越文港马柬老缅菲泰叙土])(?=[^门大洲加西南莱岛元]|$)")
_PAIR = re.compile("([中澳新越文港马柬老缅菲泰叙土]{2,3})(?=两国|双方|关系|合作|伙伴|全面|战略|边境|三国|贸易|友好|"
                   "领导人|高层|之间)")


@dataclass(frozen=True)
class WrongPlace:
    start: int
    end: int
    text: str
    char: str          # the source's character: "澳"
    meant: str         # the place the article means by it: "澳门"
    suggestion: str    # its English form: "Macau"


def meant(char: str, article_source: str) -> tuple[str, tuple[str, ...]] | None:
    """The place ``char`` stands for in an article: the one of its places whose full name the article uses, when
    exactly one is; (its first Chinese name, its English forms)."""
    used = [(names, forms) for names, forms in PLACES.get(char, ()) if any(n in article_source for n in names)]
    return (used[0][0][0], used[0][1]) if len(used) == 1 else None


def _abbreviated(source: str) -> list[str]:
    """The characters of ``source`` that stand for places (in travel or in a pair)."""
    chars = [m.group(1) for m in _TRAVEL.finditer(source)]
    for m in _PAIR.finditer(source):
        chars += [c for c in m.group(1) if c in PLACES]
    return list(dict.fromkeys(chars))


def _find(target: str, form: str):
    return list(re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", target))


def wrong_places(source: str, target: str, article_source: str) -> list[WrongPlace]:
    """Places of the target that render an abbreviated place of the source as another place it may abbreviate
    ("Australia" for 来澳 in an article about Macau), or as the place of the other character of a pair
    ("Vietnam-Vietnam" for 越新 where the article names Singapore)."""
    out = []
    for char in _abbreviated(source):
        place = meant(char, article_source)
        if place is None:
            continue
        chinese, forms = place
        for names, other_forms in PLACES[char]:
            if chinese in names or any(n in article_source for n in names):
                continue  # the place meant, or another the article names too
            for form in other_forms:
                for m in _find(target, form):
                    out.append(WrongPlace(m.start(), m.end(), m.group(), char, chinese, forms[0]))
    for m in _PAIR.finditer(source):
        places = [(c, _pair_place(c, article_source)) for c in m.group(1)]
        for (a, first), (b, second) in zip(places, places[1:]):
            if first is None or second is None or any(_find(target, f) for f in second[1]):
                continue
            for form in first[1]:
                for twice in re.finditer(rf"(?<![\w-]){re.escape(form)}(?:-|–| and ){re.escape(form)}(?![\w-])",
                                         target):
                    out.append(WrongPlace(twice.start(), twice.end(), twice.group(), b, second[0], second[1][0]))
    unique = {(w.start, w.end): w for w in out}
    return sorted(unique.values(), key=lambda w: w.start)


def _pair_place(char: str, article_source: str) -> tuple[str, tuple[str, ...]] | None:
    """The place of one character of a pair: the one the article means, or its only place; 中 is China."""
    if char == "中":
        return "中国", ("China", "Chinese")
    return meant(char, article_source) or next(
        ((names[0], forms) for names, forms in PLACES.get(char, ()) if len(PLACES[char]) == 1), None)
