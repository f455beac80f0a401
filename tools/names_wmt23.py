"""Measure the names detectors on the name errors human raters marked in WMT23 zh→en news (issue 30, acceptance 1).

    python -m tools.names_wmt23 [--mqm ../shared/data/mqm/wmt23_news_zhen_dev.tsv] [--out names_wmt23.json] [--quiet]
                                [--unseen-rows] [--min-raters 2]

**What counts as a name error.** In one translated segment, take every rater's marked span whose category is one of
``NAME_CATEGORIES`` (below). The *core* of an error is a maximal run of target characters that at least two
different raters cover with such spans: two raters' spans that overlap are one error, and it is the text both marked
(a third rater's span over the same words adds nothing; one long span over two short ones marked by two others gives
two errors). The error's *extent* is the union of the name-category spans that overlap its core. An error is a name
error when its core is a name: it overlaps a capitalised word of the target, and capitalised words are at least half
of the core's words other than the joining words of names (of, the, and, de, ...: ``JOINING_WORDS``), so that a
clause marked as mistranslated because it holds a name ("at the heart of the EU's low number") is not one. A
capitalised word starts with an upper-case letter and is not the first word of a sentence, or is the first word and
not a common English word (wordfreq Zipf < 5 for its lower-case form: "The", "But" are left out, "Xi", "Huawei"
stay).

**Recall**: the share of name errors whose extent a finding of the ``names`` or ``names_src`` detector overlaps.
**Precision**: the share of those detectors' findings that overlap any span marked in that segment (any rater, any
category; a point omission at p counts when a finding starts at or before p and ends at or after it).

The audit is the rule-only audit ``mtaudit eval --no-model`` runs (every rule detector, no model), one document per
(system, article), through ``mtaudit.evaluation.features.audit_mqm``. The JSON written to ``--out`` holds the
definition, the totals, the figures per article, every names finding and every missed error with its source segment;
the missed ones are also printed for reading.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from mtaudit.evaluation.features import audit_mqm
from mtaudit.evaluation.mqm import GoldSegment, read_mqm
from mtaudit.pipeline.config import AuditConfig

MQM = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mqm" / "wmt23_news_zhen_dev.tsv"
NAMES_DETECTORS = ("names", "names_src")
MIN_RATERS = 2

# The categories under which raters of this campaign mark a wrong name. A garbled or wrongly chosen name is most
# often "Accuracy/Mistranslation"; an institution's or medium's wrong established name goes to "Terminology/*"; a
# wrong romanisation or name order to "Locale convention/Name format"; one entity spelt two ways to "Fluency/
# Inconsistency" or "Terminology/Inconsistent"; a misspelt name to "Fluency/Spelling"; a name left in pinyin or in
# characters to "Accuracy/Source language fragment". Left out: Style/* (awkward wording, not a wrong referent),
# Fluency/Grammar and Punctuation, Omission and Addition (whole phrases), date and currency formats, Other.
NAME_CATEGORIES = frozenset({
    "accuracy/mistranslation",
    "terminology/inappropriate for context",
    "terminology/inconsistent",
    "locale convention/name format",
    "fluency/inconsistency",
    "fluency/spelling",
    "accuracy/source language fragment",
})

_WORD = re.compile(r"[^\W\d_][\w'’\-.]*")
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$|^\s*$")
COMMON_ZIPF = 5.0
# Lower-case words inside names ("Ministry of Foreign Affairs", "Ho Chi Minh City"): not counted against a core.
JOINING_WORDS = frozenset("of the and for in on at a an to de da di du des van von der la le 's".split())


@dataclass
class NameError:
    """One name error of one translated segment: its core (marked by two or more raters) and its extent."""

    start: int
    end: int
    extent: tuple[int, int]
    raters: list[str]
    categories: list[str]


def capitalised_words(target: str) -> list[tuple[int, int]]:
    """Offsets of the target's capitalised words (sentence-initial ones only when not a common English word)."""
    from wordfreq import zipf_frequency

    out = []
    for start, end in word_spans(target):
        word = target[start:end]
        if not word[0].isupper():
            continue
        initial = bool(_SENTENCE_END.search(target[:start]))
        if initial and zipf_frequency(word.lower(), "en") >= COMMON_ZIPF:
            continue
        out.append((start, end))
    return out


def agreed_errors(gold: GoldSegment, categories: frozenset[str] = NAME_CATEGORIES,
                  min_raters: int = MIN_RATERS) -> list[NameError]:
    """The errors of ``gold`` that ``min_raters`` or more raters marked in ``categories`` (cores and extents)."""
    marks = [j for j in gold.judgements
             if j.span is not None and j.span[1] > j.span[0] and j.category.strip().lower() in categories]
    cover: dict[int, set[str]] = defaultdict(set)
    for j in marks:
        for i in range(*j.span):
            cover[i].add(j.rater)
    agreed = sorted(i for i, raters in cover.items() if len(raters) >= min_raters)
    runs: list[list[int]] = []
    for i in agreed:
        if runs and i == runs[-1][1]:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    errors = []
    for start, end in runs:
        touching = [j for j in marks if j.span[0] < end and start < j.span[1]]
        errors.append(NameError(
            start=start, end=end,
            extent=(min(j.span[0] for j in touching), max(j.span[1] for j in touching)),
            raters=sorted({j.rater for j in touching}),
            categories=sorted({j.category for j in touching})))
    return errors


def name_errors(gold: GoldSegment, **kwargs) -> list[NameError]:
    """``agreed_errors`` whose core is a name: it overlaps a capitalised word of the target, and such words are at
    least half of the core's words other than the joining words of names (of, the, and, de, ...)."""
    capitals = capitalised_words(gold.target)
    out = []
    for e in agreed_errors(gold, **kwargs):
        words = [(s, t) for s, t in word_spans(gold.target) if s < e.end and e.start < t]
        content = [(s, t) for s, t in words if gold.target[s:t].lower() not in JOINING_WORDS]
        named = [w for w in content if w in capitals]
        if named and 2 * len(named) >= len(content):
            out.append(e)
    return out


def word_spans(target: str) -> list[tuple[int, int]]:
    out = []
    for match in _WORD.finditer(target):
        word = match.group().rstrip(".'’-")
        if word:
            out.append((match.start(), match.start() + len(word)))
    return out


def overlaps(finding: tuple[int, int], span: tuple[int, int]) -> bool:
    (fs, fe), (s, e) = finding, span
    if s == e:  # a point (an omission marked between words)
        return fs <= s <= fe
    return fs < e and s < fe


def drop_rows_seen_in(sources: list[str]) -> int:
    """Take out of the curated tables of established names (``data/entities/*.tsv``) every row whose key one of
    ``sources`` contains, for the rest of this process; returns how many. What the tables then do on the file is what
    they do for news they were not written from: the rows were written from general knowledge, but some entities of
    this file are well known enough to be in them."""
    from mtaudit.detectors import names_src
    from mtaudit.detectors.namelib import entities, established, source_names, target_names, zh_lexicon

    rows = entities.curated()
    kept = {key: row for key, row in rows.items() if not any(key in source for source in sources)}
    for module in (entities, established, names_src):
        module.curated = lambda: kept  # the modules that look the rows up by name
    for cached in (zh_lexicon.lexicon, zh_lexicon.keys_by_form, established.bodies_by_form,
                   source_names.name_candidates, source_names.source_organisations, target_names.folded_spans):
        cached.cache_clear()
    return len(rows) - len(kept)


def measure(mqm_path: Path, unseen_rows: bool = False, min_raters: int = MIN_RATERS) -> dict:
    """Audit the file rule-only and score the names detectors' findings against its name errors (marked by
    ``min_raters`` or more raters); with ``unseen_rows``, without the curated rows whose entities the file's sources
    name (``drop_rows_seen_in``)."""
    mqm = read_mqm(mqm_path)
    dropped = drop_rows_seen_in(sorted({g.source for _, golds in mqm.documents() for g in golds})) \
        if unseen_rows else 0
    config = AuditConfig(detectors=None, model=None,
                         langs=f"{mqm.source_lang}-{mqm.target_lang}" if mqm.target_lang else None)
    audited = audit_mqm(mqm, config)
    per_article: dict[str, dict[str, int]] = defaultdict(lambda: dict(errors=0, caught=0, findings=0, correct=0))
    missed, caught_list, finding_list = [], [], []
    for gold, findings in zip(audited.gold, audited.findings):
        mine = [(s, e) for d, s, e in findings if d in NAMES_DETECTORS]
        article = per_article[gold.doc]
        for (detector, s, e) in findings:
            if detector not in NAMES_DETECTORS:
                continue
            hit = any(overlaps((s, e), span) for span in gold.spans)
            article["findings"] += 1
            article["correct"] += hit
            finding_list.append(dict(system=gold.system, article=gold.doc, seg_id=gold.seg_id, detector=detector,
                                     text=gold.target[s:e], on_marked_span=hit))
        for error in name_errors(gold, min_raters=min_raters):
            article["errors"] += 1
            row = dict(system=gold.system, article=gold.doc, seg_id=gold.seg_id,
                       core=gold.target[error.start:error.end],
                       extent=gold.target[error.extent[0]:error.extent[1]],
                       raters=error.raters, categories=error.categories)
            if any(overlaps(f, error.extent) for f in mine):
                article["caught"] += 1
                caught_list.append(row)
            else:
                missed.append(dict(row, source=gold.source, target=gold.target))
    totals = {k: sum(a[k] for a in per_article.values()) for k in ("errors", "caught", "findings", "correct")}
    totals["recall"] = round(totals["caught"] / totals["errors"], 3) if totals["errors"] else None
    totals["precision"] = round(totals["correct"] / totals["findings"], 3) if totals["findings"] else None
    for a in per_article.values():
        a["recall"] = round(a["caught"] / a["errors"], 3) if a["errors"] else None
        a["precision"] = round(a["correct"] / a["findings"], 3) if a["findings"] else None
    return dict(
        file=str(mqm_path), segments=len(audited.gold), detectors=audited.detectors, model=None,
        definition=dict(categories=sorted(NAME_CATEGORIES), min_raters=min_raters, common_zipf=COMMON_ZIPF,
                        names_detectors=list(NAMES_DETECTORS)), curated_rows_dropped=dropped,
        totals=totals, per_article=dict(sorted(per_article.items())), findings=finding_list, caught=caught_list,
        missed=missed,
        seconds=audited.seconds)


def print_report(result: dict, out=sys.stdout) -> None:
    t = result["totals"]
    print(f"# {result['file']}: {result['segments']} segments, detectors {', '.join(result['detectors'])}", file=out)
    raters = result["definition"]["min_raters"]
    print(f"name errors (>= {raters} raters): {t['errors']}, caught {t['caught']}, recall {t['recall']}", file=out)
    print(f"names findings: {t['findings']}, on a marked span {t['correct']}, precision {t['precision']}", file=out)
    print("\narticle\terrors\tcaught\trecall\tfindings\tcorrect\tprecision", file=out)
    for doc, a in result["per_article"].items():
        print(f"{doc}\t{a['errors']}\t{a['caught']}\t{a['recall']}\t{a['findings']}\t{a['correct']}\t"
              f"{a['precision']}", file=out)
    print("\n# missed name errors, by source segment (core [extent] / system)", file=out)
    by_source: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for m in result["missed"]:
        by_source[(m["article"], m["seg_id"])].append(m)
    for (doc, seg), rows in by_source.items():
        print(f"\n{doc} #{seg}: {rows[0]['source']}", file=out)
        for m in rows:
            print(f"    {m['core']!r} [{m['extent']!r}] / {m['system']} ({', '.join(m['categories'])})", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mqm", type=Path, default=MQM, help="the WMT23 zh-en MQM file (Google's error rows)")
    parser.add_argument("--out", type=Path, help="write the figures and every missed error here as JSON")
    parser.add_argument("--quiet", action="store_true", help="print the totals only")
    parser.add_argument("--unseen-rows", action="store_true",
                        help="drop the curated rows of established names whose entities the file's sources name: "
                             "the figures for news the tables were not written from")
    parser.add_argument("--min-raters", type=int, default=MIN_RATERS,
                        help=f"raters who must mark an error (default {MIN_RATERS}; 1 for a file with one rater per "
                             "segment, such as the TED set, on which no rule was shaped)")
    args = parser.parse_args(argv)
    result = measure(args.mqm, unseen_rows=args.unseen_rows, min_raters=args.min_raters)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.quiet:
        t = result["totals"]
        print(json.dumps({**{k: t[k] for k in ("errors", "caught", "recall", "findings", "correct", "precision")},
                          **({"curated_rows_dropped": result["curated_rows_dropped"]} if args.unseen_rows else {})}))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
