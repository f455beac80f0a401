"""Silver name errors from WMT21 zh->en news, and the names_src detector measured on them.

    python -m tools.probes.names_silver build    [--tsv ../shared/data/mqm/wmt21_news_zhen.scores.tsv] [-o silver.jsonl]
    python -m tools.probes.names_silver evaluate [--split dev|test|all] [--detectors names_src] [-v]
    python -m tools.probes.names_silver fixture  [-o tests/fixtures/names_silver.tsv] [--n 300]
    python -m tools.probes.names_silver parallel [-v]     # findings on 9,961 professional references (newstest zh-en)
    MTAUDIT_TREE=../main python -m tools.probes.names_silver evaluate ...   # another checkout's detectors (a baseline)

**Silver cases.** For each of the 650 source segments, the source names are the words jieba tags as persons,
places, organisations or other proper nouns (nr, nrfg, nrt, ns, nt, nz; adjacent tags merged, so 杜特+尔特 is one
name) and every key of the zh->en lexicon found at word boundaries. A name's rendering in the human reference
(``ref-A``) is a lexicon form, its pinyin (surname first for Chinese persons), or failing both the reference's
capitalised span whose consonant skeleton matches the name's pinyin best. Then, for each of the 8 systems:
the output holds the reference's rendering (not run on into a generic word of organisations it lacks: "China News"
in "China News Network" is not the form) -> a *correct* case; it lacks it but holds another rendering of that name
(a capitalised span absent from the reference that is close in spelling to the reference's rendering or whose
skeleton matches the name's pinyin; for an organisation of a curated table, also the known form of another body of
that table: "CNN" for 中新网) -> a *silver name error*; neither -> no case (the name was dropped or paraphrased).
The reference is never shown to the detector.

**Measures.** ``evaluate`` audits each (system, document) with the detector (source and target only) and reports:
recall = silver errors with a finding overlapping the erroneous rendering; precision = findings on system outputs
that overlap a silver error, over all findings on system outputs (strict: a finding on a name the silver set could
not judge counts as false), and the same over judged findings only; false findings per 100 sentences of ref-A.
Documents are split by number: odd ``wmt21news.NNN`` are ``dev`` (the rules were tuned looking at them), even are
``test`` (held out).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from mtaudit.detectors.namelib.transliterate import skeleton

REPO = Path(__file__).resolve().parents[2]


TSV = REPO.parent / "shared" / "data" / "mqm" / "wmt21_news_zhen.scores.tsv"
SILVER = Path("/tmp/names_silver.jsonl")
FIXTURE = REPO / "tests" / "fixtures" / "names_silver.tsv"
_NAME_TAGS = ("nr", "nrfg", "nrt", "ns", "nt", "nz")
_CAP_SPAN = re.compile(r"[A-Z][\w'’\-]*(?:[ -][A-Z][\w'’\-]*){0,3}")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_STOP = set("The A An In On At Of For And But Or As It He She They We I This That These Those His Her Their Its "
            "According After Before When While With From By To Since Although However Meanwhile Also Mr Ms Mrs "
            "Dr President Premier Minister Chairman Secretary General Governor Mayor Chinese China US U.S. "
            "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
            "August September October November December".split())


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def words_folded(text: str) -> list[tuple[str, int, int]]:
    """Folded words with their offsets; a possessive 's is not part of the word."""
    out = []
    for m in _WORD.finditer(text):
        word = re.sub(r"['’]s$", "", m.group())
        out.append((fold(word), m.start(), m.start() + len(word)))
    return out


def find_form(form: str, text: str) -> tuple[int, int] | None:
    """Where ``form`` stands in ``text`` as whole words (case, accents, hyphens and spacing ignored; a headline's
    "Day-Xinhuanet" holds "Xinhuanet")."""
    target = fold(form)
    if not target:
        return None
    words = words_folded(text.replace("-", " "))
    for i in range(len(words)):
        joined = ""
        for j in range(i, min(i + 6, len(words))):
            joined += words[j][0]
            if joined == target:
                return words[i][1], words[j][2]
            if len(joined) >= len(target):
                break
    return None


def run_on(form: str, text: str, at: tuple[int, int]) -> bool:
    """The form at ``at`` runs on into a generic word of organisations that it lacks ("China News" in "China News
    Network", a word-by-word rendering of 中新网): then it is not the form but a part of another rendering."""
    from mtaudit.detectors.namelib.orgs import ORG_WORDS

    after = re.match(r"[\s-]+([A-Za-z]+)", text[at[1]:])
    own = {fold(w) for w in re.split(r"[\s\-.]+", form)}
    return bool(after) and fold(after.group(1)) in ORG_WORDS and fold(after.group(1)) not in own


def pinyin_of(name: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(name, errors="ignore")


def source_names(source: str) -> list[tuple[str, str]]:
    """(name, how found) for every name candidate of a source segment."""
    from mtaudit.detectors.namelib.source_names import jieba_tagger

    tokens, offset = [], 0
    for word, tag in jieba_tagger().cut(source):
        tokens.append((word, tag, offset))
        offset += len(word)
    out = {}
    i = 0
    while i < len(tokens):  # merged runs of name tags: 杜特 (nr) + 尔特 (nrt)
        if tokens[i][1] in _NAME_TAGS:
            j = i
            while j + 1 < len(tokens) and tokens[j + 1][1] in ("nr", "nrt", "nrfg") and tokens[i][1] in ("nr", "nrt",
                                                                                                     "nrfg"):
                j += 1
            name = "".join(t[0] for t in tokens[i:j + 1])
            if len(name) >= 2:
                out.setdefault(name, tokens[i][1])
            i = j + 1
        else:
            i += 1
    from mtaudit.detectors.namelib.zh_lexicon import lexicon

    lex = lexicon()
    bounds = {t[2] for t in tokens} | {len(source)}
    for start in sorted(bounds):
        for length in range(min(lex.longest, len(source) - start), 1, -1):
            key = source[start:start + length]
            entry = lex.get(key)
            if entry and start + length in bounds and not entry.common:
                out.setdefault(key, "lexicon")
                break
    return list(out.items())


def renderings(name: str) -> list[str]:
    """Forms a correct translation may use for ``name``, preferred first."""
    from mtaudit.detectors.namelib.source_names import chinese_name_pinyin, conventional_forms
    from mtaudit.detectors.namelib.zh_lexicon import lexicon

    forms = list(conventional_forms().get(name, ()))
    entry = lexicon().get(name)
    if entry:
        forms += [f for f in entry.forms if f not in forms]
    person = chinese_name_pinyin(name)
    if person:
        forms += [f"{person[0]} {person[1]}"]
    if not forms:  # a name no lexicon knows: its plain pinyin
        forms.append("".join(pinyin_of(name)).capitalize())
    return forms


def aligned(name: str, text: str, exclude: str = "") -> tuple[str, int, int, float] | None:
    """The capitalised span of ``text`` that best matches ``name``'s pinyin by consonant skeleton."""
    key = skeleton("".join(pinyin_of(name)))
    if len(key) < 2:
        return None
    best = None
    excluded = {w for w, _, _ in words_folded(exclude)}
    for m in _CAP_SPAN.finditer(text):
        words = m.group().split()
        for a in range(len(words)):
            for b in range(a + 1, len(words) + 1):
                span = " ".join(words[a:b])
                if span in _STOP or words[a] in _STOP or all(fold(w) in excluded for w in words[a:b]):
                    continue
                shape = skeleton(span)
                score = Levenshtein.normalized_similarity(key, shape) if shape[:1] == key[:1] else 0
                letters = Levenshtein.normalized_similarity(fold(span), "".join(pinyin_of(name)))
                if score >= 0.8 and letters >= 0.3 and len(shape) >= 3 and (best is None or score > best[3]):
                    start = m.start() + len(" ".join(words[:a])) + (1 if a else 0)
                    best = (span, start, start + len(span), score)
    return best


def other_rendering(name: str, ref_form: str, target: str, reference: str, explained: frozenset[str] = frozenset(),
                    rivals: tuple[str, ...] = ()) -> tuple[str, int, int] | None:
    """A capitalised span of the system output, absent from the reference, that renders ``name`` differently.

    ``explained`` holds folded renderings of the segment's other source names: a span that renders one of them
    ("Shaanxi" for 陕西 beside 郴州) is not a rendering of ``name``; nor is a span closer in spelling to one of
    ``rivals``, the pinyin of the other names."""
    ref_words = {w for w, _, _ in words_folded(reference)}
    stem = name[:-1] if len(name) > 2 and name[-1] in "省市县区镇村州" else name  # 北江市: "Beijiang" is its reading
    own = "".join(pinyin_of(stem))
    key = skeleton(own)
    r = canonical(ref_form)
    best = None
    for m in _CAP_SPAN.finditer(target):
        words = m.group().split()
        for a in range(len(words)):
            for b in range(a + 1, min(len(words), a + 4) + 1):
                span = re.sub(r"['’]s$", "", " ".join(words[a:b]))
                if words[a] in _STOP or span in _STOP or all(fold(w) in ref_words for w in span.split()):
                    continue
                f = canonical(span)
                if not f or f == r or f in explained or r.startswith(f) and len(f) >= 4:
                    continue  # the reference's form, another name's rendering, or a short form of it
                if " " not in span and " " not in ref_form and _inflection(f, r):
                    continue  # "Texan", "Belgian" for Belgium
                spell = Levenshtein.normalized_similarity(f, r)
                if " " not in span and spell < 0.7 and _common_word(span):
                    continue  # "Expert" in a film title
                shape = skeleton(span)
                sound = Levenshtein.normalized_similarity(key, shape) if shape[:1] == key[:1] else 0
                score = max(spell if spell >= 0.7 else 0, sound if len(shape) >= 3 and sound >= 0.8 else 0)
                # ties (Shaanxi and Zhangzhou both sound like chen-zhou) go to the spelling closer to the pinyin
                letters = Levenshtein.normalized_similarity(f, own)
                if score and max((Levenshtein.normalized_similarity(f, p) for p in rivals), default=0) > max(
                        letters, spell):
                    continue  # "Quang Chau" sounds like shuang-xi but reads 光州, the name beside it
                score += 0.1 * letters if score else 0
                if score and (best is None or score > best[3]):
                    start = m.start() + len(" ".join(words[:a])) + (1 if a else 0)
                    best = (span, start, start + len(span), score)
    return best[:3] if best else None


def other_body(name: str, target: str, reference: str, source: str) -> tuple[str, int, int] | None:
    """For an organisation of a curated table (``namelib/entities.py``) that the reference names by a known form: a
    capitalised run of the system output, absent from the reference, that is exactly the known form of another body
    of the same table whose Chinese name the source lacks ("CNN" or "Xinhua" where the reference writes
    "Chinanews.com" for 中新网)."""
    from mtaudit.detectors.namelib.entities import curated

    rows = curated()
    row = rows.get(name)
    if row is None:
        return None
    own = {fold(f) for f in row.forms}
    others = {fold(f): other.key for other in rows.values() if other.table == row.table and other.key != name
              for f in other.forms}
    ref_words = {w for w, _, _ in words_folded(reference)}
    for m in re.finditer(r"[A-Z][\w'’.&]*(?: [A-Z][\w'’.&]*)*", target):
        span = re.sub(r"['’]s$", "", m.group()).rstrip(".")
        key = fold(span)
        other = others.get(key)
        if other and key not in own and not all(fold(w) in ref_words for w in span.split()) and \
                other not in source and other[:2] not in source:
            return span, m.start(), m.start() + len(span)
    return None


def _inflection(f: str, r: str) -> bool:
    common = len(os.path.commonprefix([f, r]))
    return common >= 4 and common >= min(len(f), len(r)) - 2


def _common_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= 4.3


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Folded one-word spellings the lexicon gives as alternatives of one name (Macau, Macao) -> the first."""
    from mtaudit.detectors.namelib.zh_lexicon import lexicon

    out = {}
    for entry in lexicon().entries.values():
        single = [fold(f) for f in entry.forms if " " not in f and "-" not in f]
        for form in single[1:]:
            if Levenshtein.normalized_similarity(form, single[0]) >= 0.6:
                out.setdefault(form, single[0])
    return out


def canonical(text: str) -> str:
    """Folded, with the lexicon's alternative spellings of a word replaced by its first one."""
    variants = _variants()
    return "".join(variants.get(fold(w), fold(w)) for w in re.split(r"[\s\-]+", text))


def uncertain_why(name: str, kind: str, ref_form: str, rendering: str) -> str | None:
    """Why a rendering that differs from the reference's may still be right, or None.

    - ``reference pinyin``: the reference writes the plain pinyin of a name spelt in transliteration characters
      that is not a Chinese surname and given name (索南达杰 "Suonandajie", Sonam Dargye): the pinyin is one
      accepted form, not the authority a different spelling ("Sonam Dajie") must match.
    - ``another reading``: the rendering reads a character with another of its readings (屯堡 Tunbao, "Tunpu"),
      or with its Sino-Vietnamese or Sino-Korean reading (光州 "Quang Chau" in Vietnam).
    """
    plain = "".join(pinyin_of(name))
    if fold(ref_form) == plain and kind == "foreign person":
        return "reference pinyin"
    if fold(rendering) != plain and fold(rendering) in readings_of(name):
        return "another reading"
    return None


def readings_of(name: str) -> set[str]:
    """Folded whole-name readings: every combination of the characters' pinyin readings (at most 64), and the
    Sino-Vietnamese and Sino-Korean readings where the data has them."""
    from itertools import islice, product

    from pypinyin import Style, pinyin

    out = {"".join(c) for c in islice(product(*pinyin(name, style=Style.NORMAL, heteronym=True)), 64)}
    try:
        from mtaudit.detectors.namelib.readings import sino_readings
    except ImportError:
        return out
    for reading in sino_readings(name):
        out.add(fold(reading))
    return out


def read(tsv: Path) -> dict:
    segs = defaultdict(dict)
    with tsv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            segs[(row["doc"], int(row["seg_id"]))][row["system"]] = row
    return segs


def split_of(doc: str) -> str:
    return "dev" if int(doc.rsplit(".", 1)[-1]) % 2 else "test"


def name_type(name: str, how: str) -> str:
    """chinese person, foreign person, place, org or other: for recall per type."""
    from mtaudit.detectors.namelib.zh_lexicon import lexicon

    entry = lexicon().get(name)
    kind = entry.kind if entry else {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place",
                                     "nt": "org"}.get(how, "other")
    if kind == "person":
        foreign = entry.foreign if entry else lexicon().foreignness(name) >= 1.0
        return "foreign person" if foreign else "chinese person"
    return kind


def build(tsv: Path) -> list[dict]:
    segs = read(tsv)
    # pass 1: the reference's rendering of every source name, and every rendering the reference gives a name
    # anywhere in its document (it writes 韦瑟尔 "Wesel" here and "Wessel" there: a system may follow either)
    found, doc_forms = {}, defaultdict(list)
    for (doc, seg), systems in sorted(segs.items()):
        source, reference = systems["ref-A"]["source"], systems["ref-A"]["target"]
        found[(doc, seg)] = []
        for name, how in source_names(source):
            ref_form = next((f for f in renderings(name) if find_form(f, reference)), None)
            if ref_form is None:
                hit = aligned(name, reference)
                if hit is None:
                    continue
                ref_form = hit[0]
            found[(doc, seg)].append((name, how, ref_form))
            if ref_form not in doc_forms[(doc, name)]:
                doc_forms[(doc, name)].append(ref_form)
    cases = []
    for (doc, seg), names in found.items():
        systems = segs[(doc, seg)]
        reference = systems["ref-A"]["target"]
        for name, how, ref_form in names:
            accepted = [ref_form] + [f for f in doc_forms[(doc, name)] if f != ref_form] + renderings(name)
            own = "".join(pinyin_of(name))
            explained = frozenset(c for other, _, other_form in names if other != name
                                  for c in map(canonical, [other_form] + renderings(other))
                                  if not own.startswith(c))  # 北江 "Beijiang" explains nothing about 北江市
            for system, row in systems.items():
                if system == "ref-A":
                    continue
                target = row["target"]
                at = next((find_form(f, target) for f in accepted if find_form(f, target)
                           and not run_on(f, target, find_form(f, target))), None)
                base = {"doc": doc, "seg": seg, "split": split_of(doc), "system": system, "name": name,
                        "found_by": how, "type": name_type(name, how), "ref_form": ref_form}
                if at:
                    cases.append({**base, "label": "correct", "rendering": target[at[0]:at[1]], "start": at[0],
                                  "end": at[1]})
                    continue
                rivals = tuple("".join(pinyin_of(o)) for o, _, _ in names if o != name and o not in name)
                other = other_rendering(name, ref_form, target, reference, explained, rivals)
                if other is None and base["type"] == "org":
                    other = other_body(name, target, reference, systems["ref-A"]["source"])
                if other:
                    why = uncertain_why(name, base["type"], ref_form, other[0])
                    cases.append({**base, "label": "uncertain" if why else "error", "why": why,
                                  "rendering": other[0], "start": other[1], "end": other[2]})
    return cases


# What a finding is about, from its message: the family of names_src that produced it.
_FAMILIES = (("article", "elsewhere in this article"), ("source gloss", "in brackets"),
             ("other place", "another place"), ("known form misspelt", "misspells that form"),
             ("wrong surname", "another surname"), ("organisation", "organisation"),
             ("asian reading", "Vietnamese|Korean|Japanese"), ("omission", "may be missing"),
             ("given name", "given name|runs its given"), ("foreign as pinyin", "as pinyin|pinyin syllables"),
             ("sound spelling", "spelt from the sound"), ("surname", "misspelling of"))


def family_of(message: str) -> str:
    return next((name for name, pattern in _FAMILIES if re.search(pattern, message)), "other")


def evaluate(tsv: Path, silver: list[dict], split: str, detector_names: list[str], verbose: bool) -> dict:
    from mtaudit.pipeline import prepare
    from mtaudit.detectors import build_detectors
    from mtaudit.core.document import Document, Segment

    detectors = build_detectors(detector_names)
    segs = read(tsv)
    by_doc = defaultdict(list)
    for (doc, seg), systems in segs.items():
        if split in ("all", split_of(doc)):
            for system, row in systems.items():
                by_doc[(system, doc)].append(row)
    cases_at = defaultdict(list)
    for case in silver:
        if split in ("all", case["split"]):
            cases_at[(case["system"], case["doc"], case["seg"])].append(case)
    caught, findings, on_error, on_correct, on_uncertain = set(), 0, 0, 0, 0
    unjudged_in_reference = 0
    ref_findings, ref_sentences = 0, 0
    families = defaultdict(lambda: defaultdict(int))
    for (system, doc), rows in sorted(by_doc.items()):
        rows.sort(key=lambda r: int(r["seg_id"]))
        document = prepare(Document(path=f"{system}/{doc}", segments=[
            Segment(id=r["seg_id"], target=r["target"], source=r["source"]) for r in rows]), [])
        if system == "ref-A":
            ref_sentences += sum(1 for _ in document.sentences())
        for detector in detectors:
            for sentence, finding in detector.detect(document):
                a, b = sentence.start + finding.start, sentence.start + finding.end
                text = sentence.text[finding.start:finding.end]
                family = families[family_of(finding.message)]
                if system == "ref-A":
                    ref_findings += 1
                    family["on ref-A"] += 1
                    if verbose:
                        print(f"REF\t{doc}:{sentence.segment.id}\t{text!r}\t{finding.message[:140]}")
                    continue
                findings += 1
                hit = [c for c in cases_at.get((system, doc, int(sentence.segment.id)), [])
                       if c["start"] < b and a < c["end"]]
                err = [c for c in hit if c["label"] == "error"]
                caught.update(id(c) for c in err)
                mark = "TP" if err else "uncertain" if any(c["label"] == "uncertain" for c in hit) else (
                    "FP-correct" if hit else "unjudged")
                on_error += mark == "TP"
                on_uncertain += mark == "uncertain"
                on_correct += mark == "FP-correct"
                if mark == "unjudged":
                    reference = segs.get((doc, int(sentence.segment.id)), {}).get("ref-A", {}).get("target", "")
                    unjudged_in_reference += fold(text) in fold(reference)
                family[mark] += 1
                if verbose:
                    print(f"{mark}\t{system}\t{doc}:{sentence.segment.id}\t{text[:40]!r}\t{finding.confidence}\t"
                          f"{finding.message[:140]}")
    all_errors = [c for cs in cases_at.values() for c in cs if c["label"] == "error"]
    if verbose:
        for c in all_errors:
            if id(c) not in caught:
                print(f"MISSED\t{c['system']}\t{c['doc']}:{c['seg']}\t{c['name']}\t{c['ref_form']!r} -> "
                      f"{c['rendering']!r}")
    n = len(all_errors)
    missed = [c for c in all_errors if id(c) not in caught]
    undecidable = [c for c in missed if undecidable_why(c, silver)]
    by_type, by_name = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for c in all_errors:
        for table, key in ((by_type, c["type"]), (by_name, (c["doc"], c["ref_form"]))):
            table[key][0] += id(c) in caught
            table[key][1] += 1
    return {
        "split": split, "detectors": detector_names, "silver_errors": n, "caught": len(caught),
        "recall": round(len(caught) / n, 3) if n else None,
        # each distinct name of a document counts once (the mean of its errors' recall): one name repeated by
        # eight systems weighs as much as a name one system garbled
        "recall_per_name": round(sum(c / t for c, t in by_name.values()) / len(by_name), 3) if by_name else None,
        "distinct_names": len(by_name),
        "recall_per_type": {k: f"{c}/{t}" for k, (c, t) in sorted(by_type.items())},
        "uncertain": sum(c["label"] == "uncertain" for cs in cases_at.values() for c in cs),
        # missed errors that one translation and its source cannot decide: see undecidable_why
        "missed": len(missed), "missed_undecidable": len(undecidable),
        "missed_undecidable_why": {w: sum(undecidable_why(c, silver) == w for c in undecidable)
                                   for w in sorted({undecidable_why(c, silver) for c in undecidable})},
        "findings_on_systems": findings, "on_silver_error": on_error, "on_correct_rendering": on_correct,
        "on_uncertain": on_uncertain,
        "precision_strict": round(on_error / findings, 3) if findings else None,
        "precision_judged": round(on_error / (on_error + on_correct), 3) if on_error + on_correct else None,
        # the unjudged findings whose flagged text the professional reference of that segment also writes (a
        # rendering the reference shares is likely right); the others flag a name the reference writes another way
        # or not at all, which is where the silver set has no case to judge them by
        "unjudged_in_reference": unjudged_in_reference,
        "unjudged_not_in_reference": findings - on_error - on_correct - on_uncertain - unjudged_in_reference,
        "ref_findings": ref_findings, "ref_sentences": ref_sentences,
        "ref_findings_per_100_sentences": round(100 * ref_findings / max(ref_sentences, 1), 2),
        "families": {k: dict(v) for k, v in sorted(families.items())},
    }


def undecidable_why(case: dict, silver: list[dict]) -> str | None:
    """Why a silver error cannot be told from a right rendering with one translation and its source, or None.

    ``plausible transliteration``: a foreign name no lexicon entry and no bracketed form in the source gives, whose
    rendering follows the sound of its characters as closely as the reference's form does (卡特里 "Katri" and
    "Catry") and which the system writes the same way wherever the article mentions it (so the article check has
    nothing to compare)."""
    from mtaudit.detectors.namelib.article import sound_match
    from mtaudit.detectors.namelib.zh_lexicon import lexicon

    name = case["name"]
    if lexicon().get(name) is None and case["type"] in ("foreign person", "place", "other") and \
            lexicon().foreignness(name) >= 0.5:
        reading = "".join(pinyin_of(name))
        same_doc = [c for c in silver if c["system"] == case["system"] and c["doc"] == case["doc"]
                    and c["name"] == name]
        consistent = len({fold(c["rendering"]) for c in same_doc}) == 1
        if consistent and sound_match(reading, case["rendering"]) >= sound_match(reading, case["ref_form"]) - 0.2:
            return "plausible transliteration"
    return None


PARALLEL = REPO.parent / "shared" / "data" / "parallel" / "newstest-zh-en.tsv"


def parallel_false_findings(path: Path, detector_names: list[str], verbose: bool, per_doc: int = 20) -> dict:
    """Findings on professional references of zh->en news (newstest 2017-2020, never looked at while building):
    consecutive pairs of a year cut into documents of ``per_doc`` segments, each reference audited against its
    source. Nearly every finding there is false (a few are errors of the reference itself)."""
    from mtaudit.pipeline import prepare
    from mtaudit.detectors import build_detectors
    from mtaudit.core.document import Document, Segment

    detectors = build_detectors(detector_names)
    rows = defaultdict(list)
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows[row["year"]].append(row)
    sentences, found, families = 0, 0, defaultdict(int)
    for year, pairs in sorted(rows.items()):
        for start in range(0, len(pairs), per_doc):
            chunk = pairs[start:start + per_doc]
            document = prepare(Document(path=f"newstest{year}/{start}", segments=[
                Segment(id=str(start + i), target=r["reference"], source=r["source"])
                for i, r in enumerate(chunk)]), [])
            sentences += sum(1 for _ in document.sentences())
            for detector in detectors:
                for sentence, finding in detector.detect(document):
                    found += 1
                    families[family_of(finding.message)] += 1
                    if verbose:
                        print(f"PARALLEL\t{year}:{sentence.segment.id}\t"
                              f"{sentence.text[finding.start:finding.end][:40]!r}\t{finding.message[:150]}")
    return {"pairs": sum(map(len, rows.values())), "sentences": sentences, "findings": found,
            "findings_per_100_sentences": round(100 * found / max(sentences, 1), 2), "families": dict(families)}


def window(text: str, start: int, end: int, width: int) -> str:
    return text[max(0, start - width):end + width]


def fixture(tsv: Path, silver: list[dict], n: int) -> list[list[str]]:
    """A derived sample: the source name in a short source window, the reference rendering, and the system
    sentence around the rendering (not the segment)."""
    segs = read(tsv)
    errors = [c for c in silver if c["label"] == "error"]
    correct = [c for c in silver if c["label"] == "correct"]
    # every error case first, then as many correct cases, spread evenly
    chosen = errors[:n] + correct[::max(1, len(correct) // max(1, n - min(n, len(errors)) or 1))][:max(0, n - len(errors))]
    rows = []
    for c in chosen:
        row = segs[(c["doc"], c["seg"])]
        source = row["ref-A"]["source"]
        at = source.find(c["name"])
        target = row[c["system"]]["target"]
        left = max(target.rfind(". ", 0, c["start"]) + 2, 0) if target.rfind(". ", 0, c["start"]) >= 0 else 0
        right = target.find(". ", c["end"])
        sentence = target[left:right + 1 if right >= 0 else len(target)]
        rows.append([c["split"], c["label"], c["name"], window(source, at, at + len(c["name"]), 12),
                     c["ref_form"], c["rendering"], sentence])
    return rows


def on_other_tree(tree: str) -> int:
    """Run this command again in a child process whose ``import mtaudit`` finds ``tree``'s package (PYTHONPATH, read
    before this repository's; the child is started by file path, since ``-m`` would put the working directory first)."""
    env = {k: v for k, v in os.environ.items() if k != "MTAUDIT_TREE"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(tree).expanduser().resolve()), str(REPO),
                                         *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))])
    return subprocess.run([sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]], env=env).returncode


def main() -> None:
    if os.environ.get("MTAUDIT_TREE"):  # another checkout's detectors on the same silver file (a baseline)
        sys.exit(on_other_tree(os.environ["MTAUDIT_TREE"]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("build", "evaluate", "fixture", "parallel"))
    ap.add_argument("--tsv", type=Path, default=TSV)
    ap.add_argument("-o", "--output", type=Path)
    ap.add_argument("--silver", type=Path, default=SILVER)
    ap.add_argument("--split", default="all", choices=("dev", "test", "all"))
    ap.add_argument("--detectors", default="names_src")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.command == "build":
        cases = build(args.tsv)
        out = args.output or args.silver
        out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
        for split in ("dev", "test"):
            part = [c for c in cases if c["split"] == split]
            print(f"{split}: {sum(c['label'] == 'error' for c in part)} silver errors, "
                  f"{sum(c['label'] == 'correct' for c in part)} correct renderings, "
                  f"{sum(c['label'] == 'uncertain' for c in part)} uncertain")
        return
    if args.command == "parallel":
        print(json.dumps(parallel_false_findings(PARALLEL, args.detectors.split(","), args.verbose)))
        return
    silver = [json.loads(line) for line in args.silver.read_text(encoding="utf-8").splitlines()]
    if args.command == "evaluate":
        print(json.dumps(evaluate(args.tsv, silver, args.split, args.detectors.split(","), args.verbose)))
    else:
        rows = fixture(args.tsv, silver, args.n)
        out = args.output or FIXTURE
        header = ("# Derived from WMT21 zh-en news (wmt21_news_zhen.scores.tsv) by `python -m tools.probes.names_silver "
                  "fixture`: a source window around the name, the reference's rendering, a system's rendering and "
                  "its sentence.\n")
        with out.open("w", encoding="utf-8", newline="") as f:
            f.write(header)
            w = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
            w.writerow(["split", "label", "name", "source", "reference_form", "rendering", "target"])
            w.writerows(rows)
        print(f"{len(rows)} cases -> {out}")


if __name__ == "__main__":
    main()
