"""``mtaudit eval --mqm TEAM.tsv RESULTS.jsonl``: how the order of an earlier run did against what the team found,
without auditing again.

The join (the contract of the report's MQM export): an export row's ``doc`` is the results' ``doc`` field, its
``seg_id`` the sentence's 1-based number within its document, counting the document's ``sentence`` records in
reading order, and its target the sentence's text with the error span between ``<v>`` and ``</v>`` (spans are
therefore in sentence-text offsets, as findings are; a tab or line break of the text is a space there);
``system`` is not used (the export writes ``-``). A sentence
the export does not mention is unjudged and left out of every figure (and counted); an export row naming a sentence
the results do not have is counted and reported.

Figures on the judged sentences: the run's recorded ``risk`` against the penalty (mean over the sentence's raters,
Google's weighting, as in ``mtaudit.evaluation.mqm``), next to length (words) and random on the same sentences: tau,
tau within documents, P@20% (share of the top fifth by score with a Major error) and Pearson; tau within items has
no meaning here (one translation per source) and is left ``null``. Per detector: the findings on judged sentences and
how many overlap a span the team marked (character overlap in the sentence; a zero-width finding counts when a span
contains or touches it), the findings precision.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from mtaudit.core.errors import InputError, UsageError
from mtaudit.evaluation.evaluate import RANDOM_SEED, overlaps
from mtaudit.evaluation.mqm import GoldSegment, read_mqm
from mtaudit.evaluation.ranking import ranking_figures
from mtaudit.reports.records import complete_records, read_records


def _flat(text: str) -> str:
    """A sentence's text as the export writes it: a TSV field, each tab or line break a space (offsets unchanged)."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def judged_sentences(exports: list[Path]) -> dict[tuple[str, int], GoldSegment]:
    """The team's judgements per (doc, sentence number), several export files combined: a sentence judged in two
    files has the raters of both (a rater judging it in both counts once, from the later file), their spans
    together, and a Major error when either file has one."""
    judged: dict[tuple[str, int], GoldSegment] = {}
    for path in exports:
        mqm = read_mqm(path)
        if mqm.layout != "errors":
            raise InputError(str(path), "segment scores cannot be joined to a run's sentences",
                             hint="give the report's MQM export (one row per error or No-error)")
        for gold in mqm.segments:
            if not gold.seg_id.isdigit() or int(gold.seg_id) < 1:
                raise InputError(str(path), f"seg_id {gold.seg_id!r} of doc {gold.doc} is not a sentence number",
                                 f"line {gold.line}", hint="seg_id counts a document's sentences from 1")
            key = (gold.doc, int(gold.seg_id))
            earlier = judged.get(key)
            if earlier is None:
                judged[key] = gold
                continue
            if earlier.target != gold.target:
                raise InputError(str(path), f"sentence {key[1]} of {key[0]} has another text than in "
                                 f"{earlier.dataset}.tsv line {earlier.line}", f"line {gold.line}")
            earlier.rater_penalty.update(gold.rater_penalty)
            earlier.judgements.extend(gold.judgements)
            earlier.spans.extend(s for s in gold.spans if s not in earlier.spans)
            earlier.has_major = earlier.has_major or gold.has_major
    return judged


def evaluate_results(results: Path, exports: list[Path], seed: int = RANDOM_SEED) -> dict:
    """The figures of an earlier run's order against the team's export (module docstring), as a plain dict."""
    judged = judged_sentences(exports)
    records = complete_records(read_records(results))
    sentences = [r for r in records if r.get("type") == "sentence"]
    if not sentences:
        raise UsageError(f"{results}: no sentence records (is this the --jsonl of an mtaudit audit?)")
    numbered: dict[str, int] = {}
    joined: list[tuple[dict, GoldSegment]] = []
    for record in sentences:
        number = numbered[record["doc"]] = numbered.get(record["doc"], 0) + 1
        gold = judged.get((record["doc"], number))
        if gold is None:
            continue
        if gold.target != _flat(record["text"]):
            raise InputError(f"{gold.dataset}.tsv", f"sentence {number} of {record['doc']} reads "
                             f"{gold.target[:60]!r} in the export but {record['text'][:60]!r} in {results}",
                             f"line {gold.line}", hint="export and results must come from the same run")
        joined.append((record, gold))
    in_results = {(doc, n) for doc, count in numbered.items() for n in range(1, count + 1)}
    missing = sorted(key for key in judged if key not in in_results)
    report: dict = {"results": str(results), "sentences": len(sentences), "judged": len(joined),
                    "unjudged": len(sentences) - len(joined), "not_in_results": len(missing),
                    "raters": sorted({r for _, g in joined for r in g.rater_penalty}),
                    "risk_models": sorted({str(r.get("risk_model")) for r in records
                                           if r.get("type") == "document" and r.get("risk_model")})}
    if missing:
        report["not_in_results_examples"] = [f"{doc} sentence {n}" for doc, n in missing[:5]]
    rng = np.random.default_rng(seed)
    columns = {"mtaudit": [float(r["risk"] or 0.0) for r, _ in joined],
               "length": [float(len(r["text"].split())) for r, _ in joined],
               "random": rng.random(len(joined)).tolist()}
    penalty = [g.penalty for _, g in joined]
    majors = [g.has_major for _, g in joined]
    docs = [r["doc"] for r, _ in joined]
    items = [(r["doc"], i) for i, (r, _) in enumerate(joined)]  # one translation per source: no item groups
    report["scorers"] = {name: ranking_figures(scores, penalty, majors, docs, items) if joined else None
                         for name, scores in columns.items()}
    counts: dict[str, list[int]] = {}
    for record, gold in joined:
        for finding in record.get("findings", []):
            c = counts.setdefault(finding["detector"], [0, 0])
            c[0] += 1
            c[1] += overlaps(int(finding["start"]), int(finding["end"]), gold.spans)
    report["detectors"] = {name: {"findings": c[0], "on_marked_span": c[1],
                                  "precision": round(c[1] / c[0], 4) if c[0] else None}
                           for name, c in sorted(counts.items())}
    return report
