"""Rater-aware training targets (issue 29, item 1), held out by document on files that name their raters.

Raters differ in severity by large factors; where every segment has its raters named (WMT23 dev: three per
segment), each rater's penalties can be put on the pool's scale before the fit: a rater's scale is the pool's mean
penalty over the rater's mean, both over the training folds only and smoothed with ``PSEUDO`` segments at the pool's
level, and a segment's target is the mean of its raters' scaled penalties. The model is then fitted as
``calibrate`` fits (sign-constrained ridge, a segment as the sum of its sentences' risks) and measured held out,
five folds by document, against the segments' raw mean penalty (the gold ``eval`` uses), beside the fit on raw
targets on the same folds and length.

    python -m research.rater_targets FEATURES_CACHE [FEATURES_CACHE ...] [--together] [--one-pass]

Features caches of ``mtaudit eval``/``calibrate`` (format 4, with sentence rows); each entry (one MQM file) is
measured alone, or with ``--together`` all entries in one fit (each file's folds held out with every other file in
the fit, as ``calibrate`` validates). A rater is known per file (``file:rater``: two campaigns' "rater1" are two
people; a segment-score file's mean is one rater of its own). ``--one-pass`` also fits without the target-only
pass's signals (what ``--fast`` computes: issue 28).
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from mtaudit.evaluation.calibrate import document_folds, fit_risk_model, fit_targets
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet, load_cached_sets
from mtaudit.risk import segment_risk
from research.one_pass import TARGET_PASS, without

PSEUDO = 20  # a rater with few judgements is not rescaled by what those few happened to be


def rater_scales(audited: AuditedSet, train: list[int]) -> dict[str, float]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for i in train:
        for rater, penalty in audited.gold[i].rater_penalty.items():
            sums[f"{audited.gold[i].dataset}:{rater}"][0] += penalty
            sums[f"{audited.gold[i].dataset}:{rater}"][1] += 1
    pool = sum(s[0] for s in sums.values()) / max(1, sum(s[1] for s in sums.values()))
    return {r: pool * (n + PSEUDO) / (total + PSEUDO * pool) if pool else 1.0 for r, (total, n) in sums.items()}


def scaled(audited: AuditedSet, i: int, scales: dict[str, float]) -> float:
    return fit_targets(audited.gold, [i], scales, key=lambda g, rater: f"{g.dataset}:{rater}")[0]


def one_pass(row: dict[str, float]) -> dict[str, float]:
    return without(row, TARGET_PASS)


def held_out(audited: AuditedSet, rater_aware: bool, transform=None) -> list[float]:
    predictions = np.zeros(len(audited.gold))
    for _, _, test in document_folds(audited.gold, 5):
        held = set(test)
        train = [i for i in range(len(audited.gold)) if i not in held]
        scales = rater_scales(audited, train) if rater_aware else {}
        target = [scaled(audited, i, scales) if rater_aware else audited.gold[i].penalty for i in train]
        rows, groups = audited.sentence_rows(train, transform)
        fit = fit_risk_model(rows, target, detectors=audited.detectors, groups=groups)
        predictions[test] = [segment_risk(fit.model, audited.segment_rows(i, transform)) for i in test]
    return predictions.tolist()


def report(audited: AuditedSet, with_one_pass: bool) -> None:
    length = [float(len(g.target.split())) for g in audited.gold]
    runs = [("raw mean penalty", held_out(audited, False)), ("rater-scaled penalties", held_out(audited, True))]
    if with_one_pass:
        runs += [("one pass, raw", held_out(audited, False, one_pass)),
                 ("one pass, rater-scaled", held_out(audited, True, one_pass))]
    runs.append(("length", length))
    for dataset in audited.datasets:
        index = [i for i, g in enumerate(audited.gold) if g.dataset == dataset]
        print(f"  {dataset}: {len(index)} segments")
        for name, scores in runs:
            f = figures_for(audited, [scores[i] for i in index], index)
            print(f"    {name:24s} " + " ".join(f"{k} {v:+.4f}" for k, v in f.items() if v is not None))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("caches", nargs="+", type=Path)
    ap.add_argument("--together", action="store_true", help="all the caches' files in one fit")
    ap.add_argument("--one-pass", action="store_true", help="also without the target-only pass's signals")
    args = ap.parse_args(argv)
    sets = [audited for path in args.caches for audited in load_cached_sets(path)]
    for audited in ([AuditedSet.combine(sets)] if args.together else sets):
        scales = rater_scales(audited, list(range(len(audited.gold))))
        print(f"{', '.join(audited.datasets)}: {len(audited.gold)} segments, {len(scales)} raters; scales on all "
              "documents: " + ", ".join(f"{r} {s:.2f}" for r, s in sorted(scales.items())))
        report(audited, args.one_pass)
    return 0


if __name__ == "__main__":
    sys.exit(main())
