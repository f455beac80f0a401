"""Held-out figures (the CLI's document folds) and the shipped risk model with the estimator's signal.

Rows: the features cache of both files plus src_estimator_sum = the out-of-fold token-mass sum (oof_mass.npy).
Compares, on the same folds and segments: length, today's shipped model as is, today's recipe re-fitted, the
recipe + estimator (stacked). Writes the new risk-default.json: main weights = recipe + estimator fitted on both files;
variants: today's main model as "no_estimator", today's no_source and no_model variants unchanged."""
import json
import numpy as np
from research.estimator.data import WORK, load
from mtaudit.evaluation.calibrate import cross_validate, fit_risk_model, pooled_figures
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.risk import RiskModel, ESTIMATOR

data = load(); aud = data.audited()
mass = np.load(f"{WORK}/oof_mass.npy")
assert np.isfinite(mass).all()
rows = [dict(f, **{ESTIMATOR: float(mass[i])}) for i, f in enumerate(data.feats)]
shipped = RiskModel.load(f"{WORK}/risk-default.before.json")
out = {}
def fmt(d):
    return " ".join(f"{k} {v:.3f}" for k, v in d.items() if v is not None)
val_recipe = cross_validate(aud)
val_stack = cross_validate(aud, rows=rows)
only = [{ESTIMATOR: r[ESTIMATOR], "lm_logprob_mean": 0, "src_logprob_mean": 0} for r in rows]
for ds in val_recipe["datasets"]:
    idx = [i for i, g in enumerate(data.gold) if g.dataset == ds]
    res = {"length": val_recipe["datasets"][ds]["pooled"]["length"],
           "shipped_as_is": figures_for(aud, [shipped.risk(data.feats[i]) for i in idx], idx),
           "estimator_alone": figures_for(aud, [mass[i] for i in idx], idx),
           "recipe_refitted": val_recipe["datasets"][ds]["pooled"]["mtaudit"],
           "recipe_plus_estimator": val_stack["datasets"][ds]["pooled"]["mtaudit"]}
    out[ds] = res
    for k, v in res.items():
        print(f"{ds[:14]:14s} {k:22s} {fmt(v)}")
json.dump(out, open(f"{WORK}/results/ship_figures.json", "w"), indent=1)
fit = fit_risk_model(rows, [g.penalty for g in data.gold], detectors=data.detectors, name="default",
                     description="")
print("standardised", json.dumps(fit.standardised))
print("priors", fit.priors)
json.dump({"weights": fit.model.to_dict(), "standardised": fit.standardised, "priors": fit.priors},
          open(f"{WORK}/results/ship_fit.json", "w"), indent=1)

# ---- the shipped file: the stacked fit as the main model; today's main model and variants as the fallbacks
from mtaudit.evaluation.calibrate import file_sha256
files = ["../shared/data/mqm/mqm_ted_zhen.tsv", "../shared/data/mqm/wmt21_news_zhen.scores.tsv"]
counts = {}
for g in data.gold:
    counts[g.dataset] = counts.get(g.dataset, 0) + 1
new = fit.model
new.name = "zhen-gemma3-estimator"
new.description = (
    "Fitted by exp/ship_risk.py (issue 11; recipe in mtaudit/models/ESTIMATOR.md) on 13785 segments of "
    "mqm_ted_zhen.tsv and wmt21_news_zhen.scores.tsv: the calibrate recipe (ridge, alpha 1.0, standardised segment "
    "features, sign-constrained, target = MQM penalty) plus src_estimator_sum, the trained estimator's out-of-fold "
    "error mass (five heads, each trained without one fold of documents per file); detectors "
    + ", ".join(data.detectors) + "; model gemma3-270m. Variants: no_estimator = the previous risk-default.json "
    "(TED only, no estimator), no_source and no_model = its variants, unchanged.")
new.trained_on = {"files": [{"file": f.rsplit("/", 1)[-1], "sha256": file_sha256(f), "segments": counts[ds]}
                            for f, ds in zip(files, ["mqm_ted_zhen", "wmt21_news_zhen.scores"])],
                  "segments": len(data.gold), "detectors": data.detectors, "model": "gemma3-270m",
                  "held_out": {ds: {"mtaudit": r["recipe_plus_estimator"], "length": r["length"]} for ds, r in out.items()}}
old = RiskModel.from_dict(json.load(open(f"{WORK}/risk-default.before.json")), "default")
variants = dict(old.variants)
fallback = RiskModel(weights=old.weights, bias=old.bias, impute=old.impute, name=f"{old.name}/no_estimator",
                     description=old.description, trained_on=old.trained_on)
new.variants = {"no_estimator": fallback, **variants}
json.dump(new.to_dict(), open("mtaudit/models/risk-default.json", "w"), indent=2)
open("mtaudit/models/risk-default.json", "a").write("\n")
print("written; weights", json.dumps(new.weights))
