"""Rater-aware targets and the three-rater news file in the shipped zh-en recipe, held out (issue 29, item 1).

`research/rater_targets.py` showed on WMT23 zh-en dev alone that putting each rater's penalties on a common scale
raises tau within items by 0.05 with tau within documents level, and that a scale pooled over TED + WMT21 + WMT23
reweighs whole files (TED and WMT21 lost 0.024 within documents). This script measures, with the shipped main
model's recipe (`research/estimator/one_pass_ship.py --write-main`: one row per segment, ridge alpha 1,
sign-constrained, the estimator's out-of-fold mass on TED and WMT21):

- **where the fit's data comes from**: TED + WMT21 (as shipped; WMT23 dev then only tested, scored by the fit on
  all of both) against TED + WMT21 + WMT23 dev (five folds by article on each file, each scored by a fit on
  everything else);
- **the target**: the raw mean penalty, or each rater's penalties scaled **within its file**
  (`calibrate.rater_scales_within_files`: a rater's scale is its file's mean penalty per judgement over the rater's,
  on the training folds only, smoothed; a segment's target is the mean of its raters' scaled penalties). A scale
  within the file leaves each file's mean where it was, so no file gains weight in the fit. WMT21 names no raters
  (one mean per segment): its target does not change.

Every figure is held out and pooled per file, on the same segments, beside length; ``tau_item_rater`` is tau within
items on each rater's own penalties (`mtaudit eval`'s figure; per-rater scaling cannot move it).

    ESTIMATOR_WORK=DIR python -m research.rater_fit --cache zhen_all.features.json [--out rater_fit.json]

``--cache``: a features cache holding the three zh-en files (`python -m research.segment_risk --mqm ... --mqm ...
--features-cache F`); the out-of-fold mass comes from `research/estimator/one_pass_oof.py oof` under
``$ESTIMATOR_WORK/one_pass``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mtaudit.evaluation.calibrate import (document_folds, fit_risk_model, fit_targets,
                                          rater_scales_within_files)
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet, load_cached_sets
from mtaudit.risk import ESTIMATOR
from research.estimator.one_pass_oof import FILES, OUT

NEWS = "wmt23_news_zhen_dev"
METRICS = ("tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20")


def held_out(audited: AuditedSet, rows: list[dict], fitted: set[str], rater_aware: bool) -> np.ndarray:
    """Predictions for every segment: a file in ``fitted`` by five document folds (fit on everything else of the
    fitted files); any other file by the fit on all of the fitted files."""
    gold = audited.gold
    predictions = np.full(len(gold), np.nan)
    in_fit = [i for i, g in enumerate(gold) if g.dataset in fitted]

    def fit_on(train: list[int]):
        scales = rater_scales_within_files(gold, train) if rater_aware else None
        return fit_risk_model([rows[i] for i in train], fit_targets(gold, train, scales),
                              detectors=audited.detectors).model

    for dataset, _, test in document_folds(gold, 5):
        if dataset not in fitted:
            continue
        held = set(test)
        model = fit_on([i for i in in_fit if i not in held])
        predictions[test] = [model.risk(rows[i]) for i in test]
    rest = [i for i, g in enumerate(gold) if g.dataset not in fitted]
    if rest:
        model = fit_on(in_fit)
        predictions[rest] = [model.risk(rows[i]) for i in rest]
    return predictions


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=OUT / "rater_fit.json")
    args = ap.parse_args(argv)

    by_name = {a.gold[0].dataset: a for a in load_cached_sets(args.cache)}
    oof = json.loads((OUT / "oof.json").read_text())
    assert oof["files"] == list(FILES)
    mass = np.asarray(oof["segment"])
    names = (*FILES, NEWS)
    audited = AuditedSet.combine([by_name[n] for n in names])
    rows, offset = [], 0
    for n in names:
        part = by_name[n].features
        if n in FILES:  # the estimator's out-of-fold mass, as the shipped recipe fits it
            captured = load_cached_sets(OUT / n / "features.json")[0]  # the capture's segment order is the mass's
            key = lambda g: (g.system, g.doc, g.seg_id)  # noqa: E731
            assert [key(g) for g in captured.gold] == [key(g) for g in by_name[n].gold], f"{n}: segment order"
            part = [dict(r, **{ESTIMATOR: float(mass[offset + i])}) for i, r in enumerate(part)]
            offset += len(by_name[n].features)
        rows += part  # WMT23 dev: the shipped estimator's own mass (it never saw the file)
    assert offset == len(mass), "the out-of-fold mass does not cover the cache's TED and WMT21 segments"

    plan = {
        "TED + WMT21, raw penalty (shipped recipe)": (set(FILES), False),
        "TED + WMT21, raters scaled in TED": (set(FILES), True),
        "TED + WMT21 + WMT23, raw penalty": (set(names), False),
        "TED + WMT21 + WMT23, raters scaled per file": (set(names), True),
    }
    length = np.asarray([float(len(g.target.split())) for g in audited.gold])
    columns = {label: held_out(audited, rows, fitted, aware) for label, (fitted, aware) in plan.items()}
    columns["length"] = length
    results: dict[str, dict] = {}
    for dataset in names:
        index = [i for i, g in enumerate(audited.gold) if g.dataset == dataset]
        print(f"\n{dataset}: {len(index)} segments (held out; a file outside a fit is scored by the whole fit)")
        for label, scores in columns.items():
            figures = figures_for(audited, [float(scores[i]) for i in index], index)
            results.setdefault(label, {})[dataset] = figures
            print(f"  {label:46s} " + " ".join(f"{m} {figures[m]:+.4f}" for m in METRICS
                                               if figures.get(m) is not None))
    scales = rater_scales_within_files(audited.gold, list(range(len(audited.gold))))
    print("\nscales on all segments: " + ", ".join(f"{d}:{r} {s:.2f}" for (d, r), s in sorted(scales.items())),
          file=sys.stderr)
    args.out.write_text(json.dumps({"results": results,
                                    "scales": {f"{d}:{r}": s for (d, r), s in scales.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
