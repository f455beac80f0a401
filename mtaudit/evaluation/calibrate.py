"""``mtaudit calibrate``: learn the risk model's weights from MQM penalties, validated on held-out documents.

The model is the linear ``RiskModel`` the audit already uses, so the weights are the whole story and are printed.
It scores sentences; a segment's risk is the sum of its sentences' risks (``risk.segment_risk``: a paragraph's MQM
penalty adds up the errors of all its sentences). Fitting is ridge regression of the segment's MQM penalty on that
sum over standardised sentence features (``ALPHA``; a one-sentence segment is its sentence), solved with sign
constraints so that the model cannot learn anything a reviewer would find perverse:

- finding counts (``findings_*``, ``detector_*``), the reference gap (``ref_chrf_gap``) and the trained estimator's
  error mass (``src_estimator_sum``) only ever raise risk;
- fluency, log-probability and source-PMI scores (``fluency``, ``*_logprob_mean``, ``*_logprob_sum``,
  ``*_logprob_min``, ``*_pmi_*``) only ever lower it (higher = more fluent, or better supported by the source);
- everything else (length, source-length ratio, token counts) may take either sign.

A detector that fired on fewer than ``MIN_SUPPORT`` training segments cannot be fitted; it gets a fixed prior weight
instead (``PRIOR_DETECTOR_WEIGHT`` per severity-weighted finding, i.e. the MQM penalty its findings claim), printed as
such. Findings enter the fit per detector (``detector_X``), not as severity totals.

The weights are then rescaled to raw feature units, so the JSON is an ordinary ``RiskModel`` file and the target is
the MQM penalty itself: a risk of 5 reads as "about one Major error expected".

Validation holds out documents (the MQM ``doc`` column, across every system) in ``FOLDS`` folds per MQM file, fits on
everything else (the other folds and every other file given), and scores only the held-out fold; with the five TED
talks that is leave one talk out. The figures reported are computed on held-out predictions alone, per file, next to
the length baseline on the same segments.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Hashable

import numpy as np
from scipy.optimize import lsq_linear

from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet, is_count
from mtaudit.evaluation.mqm import GoldSegment, dataset_name
from mtaudit.risk import (ESTIMATOR, REVERSE_SIGNALS, VARIANT_DROPS, RiskModel, segment_risk, without_reverse,
                          without_signals)

FOLDS = 5  # validation folds per MQM file, by document (the TED files have five talks: leave one talk out)
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
# Rater scaling (``rater_scales_within_files``): a rater with few judgements keeps a scale near 1, as if it had made
# this many more judgements at its file's mean.
RATER_PSEUDO_JUDGEMENTS = 20
RATER_NOTE = (" (each rater's penalties times the rater's scale within its file: the file's mean penalty per "
              "judgement over the rater's, smoothed with 20 judgements, the file's mean kept; the mean over the "
              "segment's raters)")


def feature_sign(name: str) -> tuple[float, float]:
    """Bounds on a feature's weight (see the module docstring)."""
    if name.startswith(("findings_", "detector_")) or name in ("ref_chrf_gap", ESTIMATOR):
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
                   name: str = "calibrated", description: str = "", detectors: list[str] = (),
                   prior: RiskModel | None = None, groups: list[int] | None = None,
                   within: list[list[tuple[int, float]]] | None = None, within_weight: float = 0.0) -> Fit:
    """Fit the sign-constrained ridge model of ``penalty`` on ``rows``; features constant in ``rows`` are left out,
    except that each of ``detectors`` that fired on fewer than ``MIN_SUPPORT`` segments gets the prior weight
    ``PRIOR_DETECTOR_WEIGHT``.

    With ``prior`` (a risk model, e.g. the shipped one), the ridge penalty pulls the weights toward the prior's
    weights instead of toward 0 (``alpha * sum((w - w_prior)^2)`` in standardised units; ``alpha = inf`` keeps the
    prior's weights and refits only the bias), and a detector with too little support keeps the prior's weight.

    With ``groups``, ``rows`` are sentences and ``groups[i]`` is the segment of row i (0 .. len(penalty) - 1, every
    segment at least one row): a segment's predicted penalty is the sum of its sentences' risks (``segment_risk``),
    as a paragraph's MQM penalty adds up the errors of all its sentences, so the model stays a sentence model that
    the audit applies to each sentence.

    With ``within`` (groups of ``(segment position, that rater's penalty)``: the translations of one source judged by
    one rater) and ``within_weight`` > 0, the least squares also fits each group's differences: every member's
    standardised row minus its group's mean, against its penalty minus the group's mean, each such row times
    ``sqrt(within_weight)``. A rater's severity and the source's difficulty are constant within a group and cancel,
    so this term learns what tells a worse translation of a sentence from a better one, which the raw penalty,
    dominated by length and by who judged, teaches little (``within_items``)."""
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
    ones = np.ones((len(y), 1))
    if groups is not None:
        # a segment's row is the sum of its sentences' standardised rows, and its intercept counts its sentences
        summed = np.zeros((len(y), z.shape[1]))
        np.add.at(summed, np.asarray(groups, int), z)
        z, ones = summed, np.bincount(np.asarray(groups, int), minlength=len(y)).astype(float)[:, None]
    n, k = z.shape
    lower = np.array([feature_sign(f)[0] for f in names])
    upper = np.array([feature_sign(f)[1] for f in names])
    # the prior's weights per standard deviation of this data (0 without a prior), inside the sign bounds
    centre = np.clip(np.array([(prior.weights.get(f, 0.0) if prior else 0.0) for f in names]) * sd, lower, upper)
    if math.isinf(alpha) and prior is not None:
        # infinite shrinkage is the prior itself, bias and all: refitting only the bias could move sentences across
        # the risk's floor of 0 and change the order it was meant to keep
        model = RiskModel(weights=dict(prior.weights), bias=prior.bias, impute=dict(prior.impute), name=name,
                          description=description)
        return Fit(model=model, standardised={f: round(float(w), 4) for f, w in zip(names, centre)},
                   spread={f: round(float(s), 4) for f, s in zip(names, sd)})
    if math.isinf(alpha):
        weights_std, intercept = np.zeros(k), float(np.sum(y) / np.sum(ones)) if n else 0.0
    else:
        # ridge toward ``centre``: solve for the offset d = w - centre, bounded so that w keeps its sign
        design = np.vstack([np.hstack([z, ones]),
                            np.hstack([math.sqrt(alpha) * np.eye(k), np.zeros((k, 1))])])
        target = np.concatenate([y - z @ centre, np.zeros(k)])
        if within and within_weight > 0:
            dz, dy = _within_differences(z, within, math.sqrt(within_weight))
            design = np.vstack([design, np.hstack([dz, np.zeros((len(dy), 1))])])
            target = np.concatenate([target, dy - dz @ centre])
        solution = lsq_linear(design, target, bounds=(np.append(lower - centre, -math.inf),
                                                      np.append(upper - centre, math.inf)),
                              method="bvls" if k < 200 else "trf").x
        weights_std, intercept = solution[:k] + centre, solution[k]
    raw = weights_std / sd
    bias = float(intercept - float(np.sum(weights_std * mean / sd)))
    weights = {f: round(float(w), 6) for f, w in zip(names, raw) if w != 0.0}
    priors = [f"detector_{d}" for d in detectors if f"detector_{d}" not in names]
    priors += sorted(n for n in support if n.startswith("detector_") and n not in names and n not in priors)
    for feature in priors:
        # with a prior, the prior's own weight (0 where it gives none): too few findings to move it
        weights[feature] = prior.weights.get(feature, 0.0) if prior else PRIOR_DETECTOR_WEIGHT
    impute = {f: round(fill[f], 6) for f in weights if not is_count(f)}
    model = RiskModel(weights=weights, bias=round(bias, 6), impute=impute, name=name, description=description)
    return Fit(model=model,
               standardised={f: round(float(w), 4) for f, w in zip(names, weights_std)},
               spread={f: round(float(s), 4) for f, s in zip(names, sd)}, priors=priors)


def _within_differences(z: np.ndarray, within: list[list[tuple[int, float]]], scale: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Each group's rows and targets minus the group's means, times ``scale`` (``fit_risk_model``'s ``within``);
    groups of one member or of one penalty say nothing and are left out."""
    rows, targets = [], []
    for group in within:
        if len(group) < 2:
            continue
        index = np.asarray([i for i, _ in group], int)
        value = np.asarray([v for _, v in group], float)
        if np.ptp(value) == 0:
            continue
        block = z[index]
        rows.append(scale * (block - block.mean(axis=0)))
        targets.append(scale * (value - value.mean()))
    if not rows:
        return np.zeros((0, z.shape[1])), np.zeros(0)
    return np.vstack(rows), np.concatenate(targets)


def within_items(gold: list[GoldSegment], index: list[int]) -> list[list[tuple[int, float]]]:
    """The groups ``fit_risk_model(..., within=)`` fits, over the segments of ``index`` (positions in ``index``):
    per file, source segment and rater, the translations that rater judged with the rater's penalties (a file that
    names no raters: its segments' mean penalties, one group per source segment)."""
    groups: dict[tuple, list[tuple[int, float]]] = {}
    for position, i in enumerate(index):
        g = gold[i]
        for rater, penalty in (g.rater_penalty.items() if g.marks_spans else [("", g.penalty)]):
            groups.setdefault((g.item, rater), []).append((position, penalty))
    return list(groups.values())


def document_folds(gold: list[GoldSegment], folds: int = FOLDS) -> list[tuple[str, str, list[int]]]:
    """``(dataset, label, segment indices)`` of every validation fold.

    Each MQM file's documents (its ``doc`` column, across all systems) are dealt in file order into ``folds`` folds
    (one document per fold when the file has no more documents than folds: leave one document out); a file with a
    single document cannot be held out and only ever trains. The label names the document, or the fold's documents.
    """
    out = []
    for dataset in dict.fromkeys(g.dataset for g in gold):
        docs = list(dict.fromkeys(g.doc for g in gold if g.dataset == dataset))
        if len(docs) < 2:
            continue
        k = min(folds, len(docs))
        fold_of = {doc: i % k for i, doc in enumerate(docs)}
        for fold in range(k):
            members = [d for d in docs if fold_of[d] == fold]
            label = members[0] if len(members) == 1 else f"{members[0]} +{len(members) - 1} docs"
            index = [i for i, g in enumerate(gold) if g.dataset == dataset and fold_of[g.doc] == fold]
            out.append((dataset, label, index))
    return out


def cross_validate(audited: AuditedSet, alpha: float = ALPHA, rows: list[dict[str, float]] | None = None,
                   folds: int = FOLDS, transform: Callable[[dict], dict] | None = None, raters: bool = False) -> dict:
    """Held-out figures per MQM file: each fold of its documents (``document_folds``) is scored by a model fitted
    on everything else (the other folds and every other file), and the held-out predictions are pooled per file.

    Returns ``{"datasets": {name: {"folds": [...], "pooled": ..., "fold_mean": ...}}}``, the model's and the length
    baseline's figures on the same segments side by side. The fit is on sentences, a segment scored by the sum of
    its sentences' risks (``fit_risk_model(..., groups=)``); ``transform`` changes each sentence row first (e.g.
    removes some signals, to validate a variant). ``rows`` instead fits one row per segment as given (research
    scripts that build their own rows). With ``raters`` the fit learns rater-scaled penalties (``fit_targets``, the
    scales from the training folds only); the figures are always against the raw mean penalty.
    """
    gold = audited.gold
    plan = document_folds(gold, folds)
    if not plan:
        return {"datasets": {}, "note": "one document per file: nothing to hold out"}
    predictions = np.zeros(len(gold))
    per_dataset: dict[str, dict] = {}
    for dataset, label, test in plan:
        held = set(test)
        train = [i for i in range(len(gold)) if i not in held]
        target = fit_targets(gold, train, rater_scales_within_files(gold, train) if raters else None)
        if rows is not None:
            fit = fit_risk_model([rows[i] for i in train], target, alpha, detectors=audited.detectors)
            scores = [fit.model.risk(rows[i]) for i in test]
        else:
            train_rows, groups = audited.sentence_rows(train, transform)
            fit = fit_risk_model(train_rows, target, alpha, detectors=audited.detectors, groups=groups)
            scores = [segment_risk(fit.model, audited.segment_rows(i, transform)) for i in test]
        predictions[test] = scores
        length = [float(len(gold[i].target.split())) for i in test]
        per_dataset.setdefault(dataset, {"folds": []})["folds"].append(
            {"held_out": label, "segments": len(test), "mtaudit": figures_for(audited, scores, test),
             "length": figures_for(audited, length, test)})
    for dataset, result in per_dataset.items():
        every = [i for i, g in enumerate(gold) if g.dataset == dataset]
        length = [float(len(gold[i].target.split())) for i in every]
        result["pooled"] = {"mtaudit": figures_for(audited, predictions[every].tolist(), every),
                            "length": figures_for(audited, length, every)}
        result["fold_mean"] = {scorer: {m: _mean([f[scorer][m] for f in result["folds"]])
                                        for m in result["folds"][0][scorer]} for scorer in ("mtaudit", "length")}
    return {"datasets": per_dataset}


def _mean(values):
    values = [v for v in values if v is not None]
    return round(float(np.mean(values)), 4) if values else None


def rater_scales_within_files(gold: list[GoldSegment], index: list[int]) -> dict[tuple[str, str], float]:
    """Per (file, rater), the factor that puts the rater's penalties on its file's scale: the file's mean penalty
    per judgement over the rater's, over the segments of ``index`` (the training folds), smoothed with
    ``RATER_PSEUDO_JUDGEMENTS`` judgements at the file's level, then all of one file's scales by one factor that puts
    the file's mean penalty per judgement back where it was.

    Raters differ in severity by large factors (a factor of six between the mildest and the harshest on WMT23 news),
    and where one rater judges each segment (TED) most differences between the translations of one source are
    differences between raters. A multiplicative scale keeps 0 as "no error"; scaling within each file leaves every
    file's mean where it was, so no file gains weight in a fit over several. Files that name no raters (segment-score
    files: one mean) are not scaled."""
    per_rater: dict[tuple[str, str], list[float]] = {}
    per_file: dict[str, list[float]] = {}
    for i in index:
        g = gold[i]
        if not g.marks_spans:
            continue
        file_bucket = per_file.setdefault(g.dataset, [0.0, 0])
        for rater, penalty in g.rater_penalty.items():
            for bucket in (per_rater.setdefault((g.dataset, rater), [0.0, 0]), file_bucket):
                bucket[0] += penalty
                bucket[1] += 1
    scales = {}
    for (dataset, rater), (total, n) in per_rater.items():
        file_total, file_n = per_file[dataset]
        level = file_total / file_n
        scales[dataset, rater] = (level * (n + RATER_PSEUDO_JUDGEMENTS) / (total + RATER_PSEUDO_JUDGEMENTS * level)
                                  if level > 0 else 1.0)
    # the smoothing leaves a file's scaled mean a little off its raw mean: one factor per file puts it back
    scaled_total: dict[str, float] = {}
    for (dataset, rater), (total, _) in per_rater.items():
        scaled_total[dataset] = scaled_total.get(dataset, 0.0) + total * scales[dataset, rater]
    for dataset, rater in scales:
        if scaled_total[dataset] > 0:
            scales[dataset, rater] *= per_file[dataset][0] / scaled_total[dataset]
    return scales


def fit_targets(gold: list[GoldSegment], index, scales: dict | None = None,
                key: Callable[[GoldSegment, str], Hashable] | None = None) -> list[float]:
    """What a fit learns for the segments of ``index``: the mean penalty over their raters, each rater's penalty
    times its scale when ``scales`` is given. ``key(segment, rater)`` names the rater in ``scales``: by default the
    rater within its file, ``(dataset, rater)`` (``rater_scales_within_files``); ``recalibrate`` names raters across
    files."""
    if scales is None:
        return [gold[i].penalty for i in index]
    key = key or (lambda g, rater: (g.dataset, rater))
    out = []
    for i in index:
        g = gold[i]
        values = [p * scales.get(key(g, r), 1.0) for r, p in g.rater_penalty.items()]
        out.append(sum(values) / len(values) if values else 0.0)
    return out


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def trained_files(paths: list[str], audited: AuditedSet) -> list[dict]:
    """What a risk model was fitted on, per MQM file: name, SHA-256 (so eval can spot in-sample figures), segments."""
    counts: dict[str, int] = {}
    for g in audited.gold:
        counts[g.dataset] = counts.get(g.dataset, 0) + 1
    return [{"file": path.rsplit("/", 1)[-1], "sha256": file_sha256(path), "segments": counts.get(dataset_name(path), 0)}
            for path in paths]


def calibrate(audited: AuditedSet, mqm_paths: list[str], command: str, name: str | None = None,
              alpha: float = ALPHA, folds: int = FOLDS, raters: bool = False) -> tuple[Fit, dict]:
    """Cross-validate, then fit on everything; returns the final fit (model JSON-ready) and the validation report.
    With ``raters``, every fit learns rater-scaled penalties (``fit_targets``).

    Where the audit ran the reverse pass (``--adequacy``), the main model and its variants are fitted without its
    signals, so that they score a default audit as they were validated, and a ``reverse`` variant with them is
    fitted and validated besides (``risk.signals_variant``)."""
    started = time.perf_counter()
    reverse = any(name.startswith(REVERSE_SIGNALS) for row in audited.features for name in row)
    plain = without_reverse if reverse else None
    validation = cross_validate(audited, alpha, folds=folds, raters=raters, transform=plain)
    every = list(range(len(audited.gold)))
    target = fit_targets(audited.gold, every, rater_scales_within_files(audited.gold, every) if raters else None)
    model_note = f"model {audited.model}" if audited.model else "no model (--no-model)"
    files = ", ".join(p.rsplit("/", 1)[-1] for p in mqm_paths)
    note = RATER_NOTE if raters else ""
    description = (f"Fitted by `{command}` on {len(audited.gold)} segments of {files}: "
                   f"ridge (alpha {alpha}) on standardised sentence features, sign-constrained, target = MQM "
                   f"penalty of the segment{note} as the sum of its sentences' risks; detectors "
                   f"{', '.join(audited.detectors)}; {model_note}.")
    rows, groups = audited.sentence_rows(transform=plain)
    fit = fit_risk_model(rows, target, alpha, name=name or "calibrated",
                         description=description, detectors=audited.detectors, groups=groups)
    fit.model.trained_on = {"files": trained_files(mqm_paths, audited), "segments": len(audited.gold),
                            "detectors": audited.detectors, "model": audited.model,
                            "held_out": pooled_figures(validation)}
    if audited.model:
        # the same fit without the source-conditioned signals and without any model signal, each validated alike,
        # for runs (or segments) that do not have them
        validation["variants"] = {}
        fitted: list[set[str]] = []
        for variant, drops in VARIANT_DROPS.items():
            dropped = {name for r in audited.features for name in r if name.startswith(drops)}
            if not dropped or dropped in fitted:
                # nothing to drop (e.g. no trained estimator covers these files): the main fit serves; or the same
                # signals as a variant already fitted (--fast without an estimator), which serves (VARIANT_FALLBACK)
                continue
            fitted.append(dropped)
            drop = partial(_without_both, variant=variant)
            held = cross_validate(audited, alpha, folds=folds, transform=drop, raters=raters)
            rows, groups = audited.sentence_rows(transform=drop)
            sub = fit_risk_model(rows, target, alpha, name=f"{fit.model.name}/{variant}",
                                 description=f"{description} Variant without: {', '.join(VARIANT_DROPS[variant])}.",
                                 detectors=audited.detectors, groups=groups)
            sub.model.trained_on = {"held_out": pooled_figures(held)}
            fit.model.variants[variant] = sub.model
            validation["variants"][variant] = pooled_figures(held)
        if reverse:
            held = cross_validate(audited, alpha, folds=folds, raters=raters)
            rows, groups = audited.sentence_rows()
            sub = fit_risk_model(rows, target, alpha, name=f"{fit.model.name}/reverse",
                                 description=f"{description} Variant with the reverse pass (--adequacy).",
                                 detectors=audited.detectors, groups=groups)
            sub.model.trained_on = {"held_out": pooled_figures(held)}
            fit.model.variants["reverse"] = sub.model
            validation["variants"]["reverse"] = pooled_figures(held)
    validation["seconds"] = round(time.perf_counter() - started, 2)
    return fit, validation


def _without_both(feats: dict[str, float], variant: str) -> dict[str, float]:
    """A variant's row: its dropped signals and the reverse pass's left out."""
    return without_reverse(without_signals(feats, variant))


def pooled_figures(validation: dict) -> dict:
    """The pooled held-out figures per MQM file of a ``cross_validate`` result (what a fitted model records as
    ``trained_on["held_out"]``)."""
    return {name: result["pooled"] for name, result in validation["datasets"].items()}
