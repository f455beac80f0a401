"""Romanisation-aware comparison of name spellings: one person written "Xi", "Shi" and "Hsi" is one name."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib.lexicon import KOREAN_VARIANTS

# Pinyin, Wade-Giles and Cantonese-style initials collapsed into sound classes: the sibilants and affricates that MT
# and transliteration swap for each other (pinyin x/q/j/zh/ch/sh/z/c/s, Wade-Giles hs/ch'/ts), and the
# aspirated/unaspirated stop pairs Wade-Giles writes p/p', t/t', k/k' where pinyin writes b/p, d/t, g/k.
_INITIALS = (
    ("hs", "S"), ("zh", "S"), ("ch", "S"), ("sh", "S"), ("ts", "S"), ("tz", "S"),
    ("x", "S"), ("q", "S"), ("j", "S"), ("z", "S"), ("c", "S"), ("s", "S"),
    ("b", "P"), ("p", "P"), ("d", "T"), ("t", "T"), ("g", "K"), ("k", "K"),
)
_FINALS = (("ieh", "ie"), ("ih", "i"), ("ung", "ong"), ("yu", "u"), ("v", "u"), ("ü", "u"), ("ee", "i"))
_KOREAN = {name.lower(): i for i, group in enumerate(KOREAN_VARIANTS) for name in group}


# Letters that have no decomposition into a base letter and a mark.
_BASE_LETTERS = str.maketrans({"đ": "d", "ı": "i", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe"})


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Lower case without accents or apostrophes: "Nguyễn" -> "nguyen", "Ch'en" -> "chen", "Diyarbakır" ->
    "diyarbakir" (letters with no decomposition, ı ł ø đ, by their base letter)."""
    word = unicodedata.normalize("NFKD", word)
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    return re.sub(r"['’`\-\s]", "", word.lower()).translate(_BASE_LETTERS)



# Toneless pinyin syllables (from pypinyin's dictionary, without interjections like "hm"), kept here because
# deriving them at run time costs seconds.
_SYLLABLES = frozenset("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bu ca cai can cang cao ce cen
ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou
cu cuan cui cun cuo da dai dan dang dao de dei deng di dia dian diao die ding diu dong dou du duan dui dun duo en er
fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing
jiong jiu ju juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan
lang lao le lei len leng li lia lian liang liao lie lin ling liu long lou lu luan lue lun luo ma mai man mang mao me
mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie
nin ning niu nong nou nu nuan nue nun nuo ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi
qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run
ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan
shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou
tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan
xue xun ya yan yang yao ye yi yin ying yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan
zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun
zuo
""".split())


def pinyin_syllables() -> frozenset[str]:
    return _SYLLABLES


@lru_cache(maxsize=50_000)
def is_pinyin(word: str) -> bool:
    """True when ``word`` splits into one to three pinyin syllables ("Xi", "Jinping", "Zhongshan")."""
    text = fold(word)
    if not text or not text.isascii() or len(text) > 18:
        return False
    syllables = pinyin_syllables()
    # fewest syllables that cover the word, by dynamic programming over the prefix lengths
    best = [0] + [99] * len(text)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] < 99 and text[start:end] in syllables:
                best[end] = min(best[end], best[start] + 1)
    return best[-1] <= 3


@lru_cache(maxsize=50_000)
def sound_key(word: str) -> str:
    """A key equal for spellings of one East Asian syllable-name across romanisations: Xi/Shi/Ji/Hsi -> "Si"."""
    text = fold(word)
    for old, new in _INITIALS:
        if text.startswith(old):
            text = new + text[len(old):]
            break
    for old, new in _FINALS:
        text = text.replace(old, new)
    return text


def _dropped_or_swapped(a: str, b: str) -> bool:
    """One letter dropped (or added), or two neighbouring letters swapped."""
    if abs(len(a) - len(b)) == 1:
        short, long = sorted((a, b), key=len)
        return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    return False


@lru_cache(maxsize=100_000)
def same_name(a: str, b: str) -> float:
    """How sure we are that ``a`` and ``b`` are spellings of one name (0 when they are different names).

    Short syllable names (Chinese, Korean) differ by one letter between genuinely different people ("Li"/"Lu",
    "Kim"/"Kang"), so for them only a romanisation rule counts; longer names may also match on edit distance plus a
    phonetic key ("Zelensky"/"Zelenskiy", "Gaddafi"/"Qaddafi").
    """
    fa, fb = fold(a), fold(b)
    if not fa or not fb or fa == fb:
        return 0.0
    if fa in _KOREAN and fb in _KOREAN:
        return 0.9 if _KOREAN[fa] == _KOREAN[fb] else 0.0
    if min(len(fa), len(fb)) <= 4:
        if (is_pinyin(a) or is_pinyin(b)) and max(len(fa), len(fb)) <= 5 and fa[-1] == fb[-1] \
                and sound_key(a) == sound_key(b):
            return 0.85 if is_pinyin(a) and is_pinyin(b) else 0.75  # "Jou" for "Zhou" is no system's spelling
        if is_pinyin(a) and is_pinyin(b) and sound_key(a.rstrip("g")) == sound_key(b.rstrip("g")):
            return 0.7  # -n/-ng confused: "Ling" for "Lin"
        if fa.startswith("hs") or fb.startswith("hs"):  # Wade-Giles hs- written for pinyin x-
            return 0.85 if sound_key(a) == sound_key(b) else 0.0
        if min(len(fa), len(fb)) >= 4 and not (is_pinyin(a) and is_pinyin(b)) and _dropped_or_swapped(fa, fb):
            return 0.75  # "Hael" for "Havel", "Puin" for "Putin"; a changed letter ("Joan"/"John") is a new name
        return 0.0
    if _dropped_or_swapped(fa, fb) and not (is_pinyin(a) and is_pinyin(b)):
        return 0.8
    similarity = Levenshtein.normalized_similarity(fa, fb)
    if similarity >= 0.8 and (jellyfish.metaphone(fa) == jellyfish.metaphone(fb)
                              or jellyfish.jaro_winkler_similarity(fa, fb) >= 0.9):
        return round(min(0.9, similarity), 2)
    if is_pinyin(a) and is_pinyin(b) and sound_key(a) == sound_key(b):
        return 0.8
    return 0.0
