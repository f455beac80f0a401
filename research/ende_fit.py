"""English→German risk, held out where raters judged paragraphs (issue 29, "judged by the paragraph").

On unseen three-rater WMT23 en-de news (`wmt23_news_ende_dev.tsv`: 510 paragraphs of 1-10 sentences, 15 articles x
10 systems) the shipped en-de model, fitted on two systems of TED and WMT21 en-de with no estimator, is barely better
than length. This script measures, held out and pooled per file on the same segments beside length, with a
paragraph's risk the sum of its sentences' (`risk.segment_risk`, what the audit reports):

- the **data** of the fit: TED + WMT21 en-de (as shipped; WMT23 then scored by the fit on all of both) or all three
  files (five folds by article on each, every fold scored by a fit on everything else);
- the **target**: raw mean penalty, or raters scaled within their file (`calibrate.rater_scales_within_files`);
- the **zh→en estimator's mass** (`src_estimator_sum`) as a signal or not: the trained token head of
  `mtaudit/models/ESTIMATOR.md` reads the model's layer-12 states at the target's tokens, never trained on German;
  whether it carries over to en→de is the question. The features cache must be made with it applied to every pair
  (`PYTHONPATH=research/estimator/any_pair MTAUDIT_ESTIMATOR_ANY_PAIR=1 python -m research.segment_risk ...`).

    python -m research.ende_fit --cache ende_all_est.features.json [--out ende_fit.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mtaudit.evaluation.features import AuditedSet, load_cached_sets
from mtaudit.risk import ESTIMATOR, RiskModel, segment_risk
from research.rater_fit import held_out, table

NEWS = "wmt23_news_ende_dev"
FITTED = ("mqm_ted_ende", "wmt21_news_ende.scores")
SHIPPED = Path("mtaudit/models/risk-en-de.json")


def no_estimator(row: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in row.items() if k != ESTIMATOR}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("ende_fit.json"))
    args = ap.parse_args(argv)
    by_name = {a.gold[0].dataset: a for a in load_cached_sets(args.cache)}
    names = (*FITTED, NEWS)
    audited = AuditedSet.combine([by_name[n] for n in names])
    has_mass = sum(1 for r in audited.features if ESTIMATOR in r)
    print(f"{len(audited.gold)} segments, {has_mass} with the estimator's mass", file=sys.stderr)
    old, every = set(FITTED), set(names)
    plan = {
        "TED + WMT21, raw (shipped recipe)": (old, False, no_estimator),
        "TED + WMT21, raw, + zh-en estimator": (old, False, None),
        "TED + WMT21 + WMT23, raw": (every, False, no_estimator),
        "TED + WMT21 + WMT23, raters scaled": (every, True, no_estimator),
        "TED + WMT21 + WMT23, raw, + estimator": (every, False, None),
        "TED + WMT21 + WMT23, raters scaled, + estimator": (every, True, None),
    }
    columns = {label: held_out(audited, fitted, aware, transform=drop)
               for label, (fitted, aware, drop) in plan.items()}
    shipped = RiskModel.load(SHIPPED)
    columns["en-de model as shipped (in-sample on TED, WMT21)"] = np.asarray(
        [segment_risk(shipped, audited.segment_rows(i, no_estimator)) for i in range(len(audited.gold))])
    columns["estimator mass alone"] = np.asarray(
        [sum(r.get(ESTIMATOR, 0.0) for r in audited.segment_rows(i)) for i in range(len(audited.gold))])
    columns["length"] = np.asarray([float(len(g.target.split())) for g in audited.gold])
    results = table(audited, columns, names)
    args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
