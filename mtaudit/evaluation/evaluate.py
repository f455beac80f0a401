"""``mtaudit eval``: the audit's segment risk and two baselines against MQM gold, and where detectors land.

A segment's ``mtaudit`` score is the sum of the risk model's risks of its sentences (``risk.segment_risk``; a
one-sentence segment's is its sentence's risk): exactly what ``mtaudit calibrate`` fits, so eval and calibration
figures measure the same thing (a set without sentence rows scores each segment's own aggregated row). Baselines
from the same run: ``length`` (target words, split on whitespace; longer segments collect more errors) and
``random`` (uniform, fixed seed).
"""
from __future__ import annotations

import numpy as np

from mtaudit.evaluation.features import AuditedSet
from mtaudit.evaluation.ranking import ranking_figures
from mtaudit.risk import RiskModel, segment_risk

RANDOM_SEED = 12345


def scorer_columns(audited: AuditedSet, risk_model: RiskModel, seed: int = RANDOM_SEED) -> dict[str, list[float]]:
    """Each scorer's score per segment, in ``audited`` order."""
    rng = np.random.default_rng(seed)
    return {
        "mtaudit": [segment_risk(risk_model, audited.segment_rows(i)) for i in range(len(audited.gold))],
        "length": [float(len(g.target.split())) for g in audited.gold],
        "random": rng.random(len(audited.gold)).tolist(),
    }


def figures_for(audited: AuditedSet, scores: list[float], index: list[int] | None = None) -> dict:
    """Ranking figures of ``scores`` (aligned with ``index``, or with all segments) against the gold."""
    golds = audited.gold if index is None else [audited.gold[i] for i in index]
    return ranking_figures(
        scores,
        [g.penalty for g in golds],
        [g.has_major for g in golds],
        [g.document for g in golds],
        [g.item for g in golds],
        [g.named_raters for g in golds],
    )


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    if end <= start:  # a point finding (an insertion place) lands on a span that contains or touches it
        return any(s <= start <= e for s, e in spans)
    return any(start < e and s < end for s, e in spans)


def detector_figures(audited: AuditedSet) -> dict[str, dict]:
    """Per detector: findings, how many overlap a human-marked error span of their segment, and that share.

    Only segments of files that mark spans count (segment-score files have none)."""
    names = list(audited.detectors)
    counts: dict[str, list[int]] = {n: [0, 0] for n in names}
    for gold, findings in zip(audited.gold, audited.findings):
        if not gold.marks_spans:
            continue
        for detector, start, end in findings:
            c = counts.setdefault(detector, [0, 0])
            c[0] += 1
            c[1] += overlaps(start, end, gold.spans)
    return {n: {"findings": c[0], "on_marked_span": c[1],
                "precision": round(c[1] / c[0], 4) if c[0] else None} for n, c in counts.items()}


def evaluate(audited: AuditedSet, risk_model: RiskModel, seed: int = RANDOM_SEED) -> dict:
    """The ``--json`` report: ``{"segments": N, "scorers": {name: figures}, "datasets": {file: {"segments": n,
    "scorers": ...}}, "detectors": {name: figures}}``; ``scorers`` covers every segment, ``datasets`` each MQM file
    alone (tau within documents and items never mixes files either way)."""
    columns = scorer_columns(audited, risk_model, seed)
    datasets = {}
    for name in audited.datasets:
        index = [i for i, g in enumerate(audited.gold) if g.dataset == name]
        datasets[name] = {"segments": len(index),
                          "scorers": {scorer: figures_for(audited, [scores[i] for i in index], index)
                                      for scorer, scores in columns.items()}}
    return {
        "segments": len(audited.gold),
        "scorers": {name: figures_for(audited, scores) for name, scores in columns.items()},
        "datasets": datasets,
        "detectors": detector_figures(audited),
    }
