"""Closed word classes that mark a capitalised word as a person, or as not a person."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Words before a name that make it a person ("President Xi", "Kremlin adviser Yuri Ushakov").
TITLES = frozenset("""
Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Prof Prof. Professor Sir Dame Lord Lady Madam Mme Herr Frau
President Vice-President Premier Chancellor Minister Secretary Senator Sen Sen. Rep Rep. Representative Governor Gov
Gov. Mayor King Queen Prince Princess Emperor Pope Cardinal Bishop Archbishop Rabbi Imam Sheikh Ayatollah Father
General Gen Gen. Lt Col Colonel Major Captain Capt Capt. Admiral Commander Sergeant Marshal Judge Justice Ambassador
Envoy Chairman Chairwoman Chair Spokesman Spokeswoman Spokesperson CEO Director Coach Manager Deputy Speaker Leader
Councillor Commissioner Inspector Detective Officer Constable Chief adviser advisor aide spokesman spokeswoman
spokesperson minister president chairman chairwoman premier counterpart leader envoy ambassador colleague coach
striker midfielder defender goalkeeper captain manager director secretary correspondent economist analyst lawyer
attorney prosecutor judge actor actress singer author writer wife husband son daughter brother sister mother
father partner friend girlfriend boyfriend fiancee widow
""".split())

# Words after a name that make it a person ("Putin said", "Xi told", "Smith, who").
SPEECH_AFTER = frozenset("""
said says told added noted stressed argued insisted warned asked replied explained recalled admitted
acknowledged believes thinks urged vowed pledged promised
""".split())

# Words before a name that make it a person ("told Xi", "quoted Shi as saying", "according to Hu").
# "told" and "called" are left out: "told Reuters", "called Moscow" name organisations and places as often as persons.
SPEECH_BEFORE = frozenset("quoted thanked congratulated phoned".split())

# Words before a capitalised word that make it a place or an organisation ("Mayor of Wesel", "in Blansko",
# "research company Plenum", "the ship Serpukhov").
PLACE_BEFORE = frozenset("""
of in at from near to into outside inside across via company firm group agency newspaper magazine website portal
broadcaster channel station bank club team band brand ship vessel frigate corvette airline carrier village town city
region province district
""".split())

# Trailing name parts that do not start a new name ("Martin Luther King Jr").
SUFFIXES = frozenset("Jr Jr. Sr Sr. II III IV Junior Senior".split())

# Lower-case particles allowed inside a name ("Ursula von der Leyen", "Osama bin Laden").
PARTICLES = frozenset("von van der den de del della di da dos das du la le bin ibn al el ben abu ter".split())

# Chinese surnames in pinyin (the ~100 most common, and the compound ones), for deciding surname-first order.
CHINESE_SURNAMES = frozenset("""
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Xu Han
Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Cai Jiang Yu Du Ye Cheng Su Wei Lu Ding Ren Shen Yao Jin Fu Zhong Cui
Tan Lu Fan Shi Liao Yao Xiong Jin Lu Hao Kong Bai Cui Kang Mao Qiu Qin Jiang Shi Gu Hou Shao Meng Long Wan Duan Lei
Qian Tang Yin Li Yi Chang Wu Qiao He Lai Gong Wen Xi Ji Bo Dai Ou Yan Qi Mo Geng Niu Tao Xiang Pang Bi Hou Kang Ke Ni
Yue Xue Zou Zuo Rao Min Ouyang Sima Zhuge Shangguan Situ Dongfang Huangfu Murong Chiang Teo Tsai Ko Lee Chan Wong
Cheung Leung Lau Ng Tsang Yeung Chow Ho Lam Tse Hui Yip Kwok Lo Fung Mak Tang Tong
""".split())

KOREAN_SURNAMES = frozenset("""
Kim Lee Yi Rhee Ri Park Pak Bak Choi Choe Chung Jung Jeong Kang Cho Jo Yoon Yun Jang Chang Lim Im Han Oh Seo Suh Shin
Kwon Hwang Ahn An Song Yoo Yu Hong Jeon Chun Ko Go Moon Mun Yang Son Bae Baek Paik Huh Heo Roh No Nam Ban Ryu
""".split())

# Variants of one Korean surname across romanisation systems: each set is one name.
KOREAN_VARIANTS = (
    {"Lee", "Yi", "Rhee", "Ri", "Rhie"}, {"Park", "Pak", "Bak"}, {"Choi", "Choe", "Chwe"}, {"Jung", "Jeong", "Chung"},
    {"Kim", "Gim"}, {"Moon", "Mun"}, {"Roh", "No", "Noh"}, {"Yoon", "Yun"}, {"Shin", "Sin"}, {"Kang", "Gang"},
    {"Cho", "Jo"}, {"Jang", "Chang"}, {"Lim", "Im", "Rim"}, {"Ryu", "Yu", "Yoo"},
)


# ---- other target languages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameCues:
    """What marks a capitalised word as a person in one language: the word classes above, and for languages that
    capitalise every noun (German) the frequency above which a capitalised word is a common noun unless a cue says
    otherwise (``common_zipf``; None: capitalisation alone is evidence, as in English)."""

    lang: str = "en"
    titles: frozenset[str] = TITLES
    speech_after: frozenset[str] = SPEECH_AFTER
    speech_before: frozenset[str] = SPEECH_BEFORE
    place_before: frozenset[str] = PLACE_BEFORE
    common_zipf: float | None = None


ENGLISH = NameCues()


@lru_cache(maxsize=8)
def cues(lang: str | None) -> NameCues:
    """A target language's cues: ``detectors/data/<code>/names.toml``; English's for a language without one."""
    if lang in (None, "en"):
        return ENGLISH
    path = resources.files("mtaudit.detectors").joinpath("data", lang, "names.toml")
    if not path.is_file():
        return ENGLISH
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return NameCues(lang, frozenset(data.get("titles", ())), frozenset(data.get("speech_after", ())),
                    frozenset(data.get("speech_before", ())), frozenset(data.get("place_before", ())),
                    data.get("common_zipf"))
