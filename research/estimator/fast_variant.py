"""The `audit --fast` variant with the trained estimator's signal (the estimator reads the source-conditioned pass,
which --fast keeps), held-out figures beside the full model's on the same folds, and the shipped file updated.

Rows as ship_risk.py: the features cache of both files plus src_estimator_sum = the out-of-fold token-mass sum
(oof_mass.npy). Prints, per file, pooled held-out figures (the CLI's document folds) of: the full model, the
fast-mode variant with and without the estimator (both re-fitted on the same folds), and the shipped fast variant as
it was (never fitted on news; in-sample on TED). Then rewrites mtaudit/models/risk-default.json: "no_target" = the
fast variant with the estimator fitted on every segment, "no_target_no_estimator" = the previous "no_target"
(pairs and models no estimator covers). Run from the repository root: python -m research.estimator.fast_variant"""
import json
from pathlib import Path

import numpy as np
from research.estimator.data import WORK, load

from mtaudit.evaluation.calibrate import cross_validate, fit_risk_model, pooled_figures
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.risk import ESTIMATOR, RiskModel, without_signals

SHIPPED = Path("mtaudit/models/risk-default.json")

data = load()
aud = data.audited()
mass = np.load(f"{WORK}/oof_mass.npy")
full = [dict(f, **{ESTIMATOR: float(mass[i])}) for i, f in enumerate(data.feats)]
fast = [without_signals(r, "no_target") for r in full]
rows = {"full model (both passes)": full, "--fast + estimator": fast,
        "--fast, no estimator": [without_signals(r, "no_target_no_estimator") for r in full]}
shipped = RiskModel.load(SHIPPED)
old_fast = shipped.variants["no_target"]
assert ESTIMATOR not in old_fast.weights, "risk-default.json already has the estimator in its fast variant"
held = {}
for name, r in rows.items():
    held[name] = pooled_figures(cross_validate(aud, rows=r))
for ds in held["full model (both passes)"]:
    idx = [i for i, g in enumerate(data.gold) if g.dataset == ds]
    table = {name: held[name][ds]["mtaudit"] for name in rows}
    table["--fast as shipped (TED in-sample)"] = figures_for(aud, [old_fast.risk(fast[i]) for i in idx], idx)
    table["length"] = held["full model (both passes)"][ds]["length"]
    print(f"\n{ds}: {len(idx)} segments")
    for name, figs in table.items():
        print(f"  {name:36s} " + " ".join(f"{k} {v:.3f}" for k, v in figs.items() if v is not None))

fit = fit_risk_model(fast, [g.penalty for g in data.gold], detectors=data.detectors,
                     name=f"{shipped.name}/no_target", description=(
                         "Fitted by research/estimator/fast_variant.py on the same 13785 segments and features as the "
                         "main model (recipe + the estimator's out-of-fold error mass), without the target-only "
                         "pass's signals: lm_, fluency, detector_fluency, src_pmi_, src_word_logprob_min "
                         "(`audit --fast`)."))
fit.model.trained_on = {"held_out": held["--fast + estimator"]}
old_fast.name = f"{old_fast.name.rsplit('/', 1)[0]}/no_target_no_estimator"
shipped.variants["no_target"] = fit.model
shipped.variants["no_target_no_estimator"] = old_fast
shipped.description += (" no_target (`audit --fast`) = fitted like the main model without the target-only pass's "
                         "signals (research/estimator/fast_variant.py); no_target_no_estimator = the previous fast "
                         "variant, for pairs and models without an estimator.")
tmp = SHIPPED.with_suffix(".tmp")
tmp.write_text(json.dumps(shipped.to_dict(), indent=2) + "\n", encoding="utf-8")
tmp.replace(SHIPPED)
print("\nwritten", SHIPPED, "no_target weights:", json.dumps(fit.model.weights))
