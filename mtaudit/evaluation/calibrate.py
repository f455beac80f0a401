"""``mtaudit calibrate``: learn the risk model's weights from MQM penalties, validated on held-out documents.

The model is the linear ``RiskModel`` the audit already uses, so the weights are the whole story and are printed.
Fitting is ridge regression of the segment's MQM penalty on standardised features (``ALPHA``), solved with sign
constraints so that the model cannot learn anything a reviewer would find perverse:

- finding counts (``findings_*``, ``detector_*``) and the reference gap (``ref_chrf_gap``) only ever raise risk;
- fluency, log-probability and source-PMI scores (``fluency``, ``*_logprob_mean``, ``*_logprob_sum``,
  ``*_logprob_min``, ``*_pmi_*``) only ever lower it (higher = more fluent, or better supported by the source);
- everything else (length, source-length ratio, token counts) may take either sign.

A detector that fired on fewer than ``MIN_SUPPORT`` training segments cannot be fitted; it gets a fixed prior weight
instead (``PRIOR_DETECTOR_WEIGHT`` per severity-weighted finding, i.e. the MQM penalty its findings claim), printed as
such. Findings enter the fit per detector (``detector_X``), not as severity totals.

The weights are then rescaled to raw feature units, so the JSON is an ordinary ``RiskModel`` file and the target is
the MQM penalty itself: a risk of 5 reads as "about one Major error expected".

Validation holds out one document at a time (leave-one-document-out over the MQM ``doc`` column: the TED set has five
talks) across every system, fits on the rest, and scores only the held-out talk. The figures reported are computed
on held-out predictions alone, next to the length baseline on the same segments.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import lsq_linear

from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet, is_count
from mtaudit.scoring import VARIANT_DROPS, RiskModel, without_signals

ALPHA = 1.0  # ridge strength on standardised features; fixed in advance, not tuned on the held-out figures
# A detector that never fired in the training data has no evidence either way; rather than silently ignoring its
# findings forever (a credits detector never fires on TED talks), each of its findings adds its MQM severity weight
# (``detector_X`` is already severity-weighted), as the hand-set model did. Printed as a prior, not hidden.
PRIOR_DETECTOR_WEIGHT = 1.0
# A detector must have fired on at least this many training segments to get a fitted weight; below it the evidence
# is a handful of anecdotes and the prior stands. News detectors (names, credits) barely fire on TED talks, and a
# weight of 0 learnt from three findings would silence them on the news they exist for.
MIN_SUPPORT = 30
# Severity-only counts (findings_minor/major/critical) are left out of the fit: they mix detectors of very different
# precision, and each detector's severity-weighted count (detector_X) carries the same information per detector.
UNFITTED_PREFIXES = ("findings_",)


def feature_sign(name: str) -> tuple[float, float]:
    """Bounds on a feature's weight (see the module docstring)."""
    if name.startswith(("findings_", "detector_")) or name == "ref_chrf_gap":
        return 0.0, math.inf
    if name == "fluency" or name.endswith(("_logprob_mean", "_logprob_sum", "_logprob_min")) or "_pmi_" in name:
        return -math.inf, 0.0
    return -math.inf, math.inf


def _matrix(rows: list[dict[str, float]], names: list[str], fill: dict[str, float]) -> np.ndarray:
    return np.array([[r.get(n, fill.get(n, 0.0)) for n in names] for r in rows], dtype=float)


@dataclass
class Fit:
    model: RiskModel
    standardised: dict[str, float]  # weight per standard deviation of the feature: comparable across features
    spread: dict[str, float]  # the feature's standard deviation in the training data
    priors: list[str] = field(default_factory=list)  # features given PRIOR_DETECTOR_WEIGHT, not fitted


def fit_risk_model(rows: list[dict[str, float]], penalty: list[float], alpha: float = ALPHA,
                   name: str = "calibrated", description: str = "", detectors: list[str] = ()) -> Fit:
    """Fit the sign-constrained ridge model of ``penalty`` on ``rows``; features constant in ``rows`` are left out,
    except that each of ``detectors`` that fired on fewer than ``MIN_SUPPORT`` segments gets the prior weight
    ``PRIOR_DETECTOR_WEIGHT``."""
    support = {n: sum(1 for r in rows if r.get(n)) for n in {n for r in rows for n in r}}
    names = sorted(n for n in support if not n.startswith(UNFITTED_PREFIXES)
                   and not (n.startswith("detector_") and support[n] < MIN_SUPPORT))
    # A count missing from a row is zero findings; any other missing feature is unknown and takes the mean.
    present = {n: [r[n] for r in rows if n in r] for n in names}
    means = {n: float(np.mean(v)) if v else 0.0 for n, v in present.items()}
    fill = {n: (0.0 if is_count(n) else means[n]) for n in names}
    x = _matrix(rows, names, fill)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    keep = sd > 1e-12
    names = [n for n, k in zip(names, keep) if k]
    x, mean, sd = x[:, keep], mean[keep], sd[keep]
    z = (x - mean) / sd
    y = np.asarray(penalty, float)
    n, k = z.shape
    design = np.vstack([np.hstack([z, np.ones((n, 1))]),
                        np.hstack([math.sqrt(alpha) * np.eye(k), np.zeros((k, 1))])])
    target = np.concatenate([y, np.zeros(k)])
    lower = np.array([feature_sign(f)[0] for f in names] + [-math.inf])
    upper = np.array([feature_sign(f)[1] for f in names] + [math.inf])
    solution = lsq_linear(design, target, bounds=(lower, upper), method="bvls" if k < 200 else "trf").x
    weights_std, intercept = solution[:k], solution[k]
    raw = weights_std / sd
    bias = float(intercept - float(np.sum(weights_std * mean / sd)))
    weights = {f: round(float(w), 6) for f, w in zip(names, raw) if w != 0.0}
    priors = [f"detector_{d}" for d in detectors if f"detector_{d}" not in names]
    priors += sorted(n for n in support if n.startswith("detector_") and n not in names and n not in priors)
    for feature in priors:
        weights[feature] = PRIOR_DETECTOR_WEIGHT
    impute = {f: round(fill[f], 6) for f in weights if not is_count(f)}
    model = RiskModel(weights=weights, bias=round(bias, 6), impute=impute, name=name, description=description)
    return Fit(model=model,
               standardised={f: round(float(w), 4) for f, w in zip(names, weights_std)},
               spread={f: round(float(s), 4) for f, s in zip(names, sd)}, priors=priors)


def cross_validate(audited: AuditedSet, alpha: float = ALPHA, rows: list[dict[str, float]] | None = None) -> dict:
    """Leave-one-document-out: per held-out document and pooled, the model's and the length baseline's figures.

    ``rows`` replaces ``audited.features`` (e.g. with some signals removed, to validate a variant)."""
    rows = audited.features if rows is None else rows
    groups = [g.doc for g in audited.gold]
    held_out = sorted(set(groups), key=groups.index)
    if len(held_out) < 2:
        return {"folds": [], "pooled": None, "note": "one document only: nothing to hold out"}
    predictions = np.zeros(len(groups))
    folds = []
    for doc in held_out:
        test = [i for i, g in enumerate(groups) if g == doc]
        train = [i for i, g in enumerate(groups) if g != doc]
        fit = fit_risk_model([rows[i] for i in train], [audited.gold[i].penalty for i in train], alpha,
                             detectors=audited.detectors)
        scores = [fit.model.risk(rows[i]) for i in test]
        predictions[test] = scores
        length = [float(len(audited.gold[i].target.split())) for i in test]
        folds.append({"held_out": doc, "segments": len(test),
                      "mtaudit": figures_for(audited, scores, test),
                      "length": figures_for(audited, length, test)})
    every = list(range(len(groups)))
    length = [float(len(g.target.split())) for g in audited.gold]
    pooled = {"mtaudit": figures_for(audited, predictions.tolist(), every),
              "length": figures_for(audited, length, every)}
    mean = {}
    for scorer in ("mtaudit", "length"):
        mean[scorer] = {m: _mean([f[scorer][m] for f in folds]) for m in folds[0][scorer]}
    return {"folds": folds, "pooled": pooled, "fold_mean": mean}


def _mean(values):
    values = [v for v in values if v is not None]
    return round(float(np.mean(values)), 4) if values else None


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def calibrate(audited: AuditedSet, mqm_path: str, command: str, name: str | None = None,
              alpha: float = ALPHA) -> tuple[Fit, dict]:
    """Cross-validate, then fit on everything; returns the final fit (model JSON-ready) and the validation report."""
    started = time.perf_counter()
    validation = cross_validate(audited, alpha)
    model_note = f"model {audited.model}" if audited.model else "no model (--no-model)"
    description = (f"Fitted by `{command}` on {len(audited.gold)} segments of {mqm_path.rsplit('/', 1)[-1]}: "
                   f"ridge (alpha {alpha}) on standardised segment features, sign-constrained, target = MQM "
                   f"penalty; detectors {', '.join(audited.detectors)}; {model_note}.")
    fit = fit_risk_model(audited.features, [g.penalty for g in audited.gold], alpha,
                         name=name or "calibrated", description=description, detectors=audited.detectors)
    fit.model.trained_on = {"file": mqm_path.rsplit("/", 1)[-1], "sha256": file_sha256(mqm_path),
                            "segments": len(audited.gold), "detectors": audited.detectors, "model": audited.model,
                            "held_out": validation.get("pooled")}
    if audited.model:
        # the same fit without the source-conditioned signals and without any model signal, each validated alike,
        # for runs (or segments) that do not have them
        validation["variants"] = {}
        for variant in VARIANT_DROPS:
            rows = [without_signals(r, variant) for r in audited.features]
            held = cross_validate(audited, alpha, rows)
            sub = fit_risk_model(rows, [g.penalty for g in audited.gold], alpha, name=f"{fit.model.name}/{variant}",
                                 description=f"{description} Variant without: {', '.join(VARIANT_DROPS[variant])}.",
                                 detectors=audited.detectors)
            sub.model.trained_on = {"held_out": held.get("pooled")}
            fit.model.variants[variant] = sub.model
            validation["variants"][variant] = held.get("pooled")
    validation["seconds"] = round(time.perf_counter() - started, 2)
    return fit, validation
