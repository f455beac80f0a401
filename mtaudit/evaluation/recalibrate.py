"""``mtaudit calibrate --base``: refit a risk model on a team's own MQM judgements, starting from a base model (the
language pair's shipped one, or any risk-model file) as the prior, and refuse to keep a refit that does worse held out.

A team has a few hundred judged sentences, not the thousands the shipped model was fitted on; fitted from scratch, a
model of twenty features over-fits them. Three things keep the refit sensible:

- **Shrinkage toward the base.** The ridge penalty pulls each weight toward the base model's weight, not toward 0
  (``fit_risk_model(..., prior=base)``, in standardised units, with the usual sign constraints). Its strength
  ``alpha`` is chosen from ``ALPHAS`` by cross-validation over the training documents: the held-out tau-b within
  documents per fold, with a one-standard-error rule on the differences (the strongest shrinkage whose per-fold
  difference from the best alpha is within one standard error of 0); ``inf`` is on the grid, so with too little or
  contrary evidence the base model is kept as it is.
- **Rater normalisation.** Raters differ in severity by large factors, so each rater's penalties are multiplied by
  one scale (``rater_scales``): the base model's mean risk on the segments the rater judged over the rater's mean
  penalty on them, both smoothed with ``RATER_PSEUDO_SEGMENTS`` segments at the level of the whole pool. A
  multiplicative scale keeps 0 as "no error" for every rater and puts the target in the base model's units, so that
  shrinking toward its weights means something; using the base model's risk on the rater's own segments means that a
  reviewer who happened to get the weaker translations is not mistaken for a strict one. The segment's target is the
  mean of its raters' scaled penalties.
- **A held-out gate.** The whole procedure, alpha choice included, runs inside leave-documents-out folds
  (``document_folds``: the inner choice of alpha sees only the training documents); the pooled held-out predictions
  of the team model are compared with the base model's and with length on the same segments. A team model whose
  held-out tau within documents or P@20% is below the base model's is ``worse`` and the command refuses to write it
  unless forced; when the strength chosen on all documents is ``inf``, the part written is the base's own and
  nothing is refused. A refit whose held-out tau within documents is no better than the base's (its folds kept the
  base) is not written either: the base's own part is, since nothing validated a departure from it.

Only the part of the base model that scores the team's segments is validated and gated (the main model when the
team's run had the model, source and trained estimator; else the variant matching what it had, ``RiskModel.scoring``).
When that part is refitted, the other variants that can be derived from the same features by dropping signals
(``VARIANT_DROPS``) are refitted too, with their own cross-validated ``alpha`` (a variant whose cross-validation
prefers ``inf`` stays the base's); the rest, and all of them when the validated part kept the base, are the base's
unchanged, so the written file scores every kind of run, as the base did.
"""
from __future__ import annotations

import copy
import math
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from mtaudit.evaluation.calibrate import Fit, document_folds, fit_risk_model, fit_targets, trained_files
from mtaudit.evaluation.features import AuditedSet
from mtaudit.evaluation.mqm import GoldSegment
from mtaudit.evaluation.ranking import grouped_tau, ranking_figures
from mtaudit.risk import VARIANT_DROPS, RiskModel, without_signals

# Shrinkage strengths tried, in standardised units (the data term sums squared errors over the training segments, so
# an alpha of the order of their number weighs the base as much as the data); inf keeps the base model.
ALPHAS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, math.inf)
# A rater's severity scale is smoothed toward the pool's as if this many more segments had been judged at its level:
# a reviewer with five judgements is not rescaled by what those five happened to be.
RATER_PSEUDO_SEGMENTS = 20
# How alpha is chosen from the cross-validated tau within documents: "paired", the strongest shrinkage whose per-fold
# difference from the best alpha is within one standard error of 0 (the default); "one-se", whose mean is within one
# standard error of the best mean; "best", the best mean. docs/eval.md compares them on a simulated team.
ALPHA_RULES = ("paired", "one-se", "best")
# How much worse than the base a held-out figure may be before the refit counts as worse (float noise only).
TOLERANCE = 1e-9


def rater_of(gold: GoldSegment, rater: str) -> str:
    """A rater's identity across files: its name in error-row files (the same reviewer in two exports is one rater);
    a segment-score file's mean over its raters is one rater of its own."""
    return rater if gold.marks_spans else f"{gold.dataset}:{rater}"


def rater_scales(gold: list[GoldSegment], expected: list[float],
                 pseudo: float = RATER_PSEUDO_SEGMENTS) -> dict[str, float]:
    """Per rater, the factor that puts its penalties on the base model's scale (module docstring): ``expected`` is
    the base model's risk of each segment."""
    sums: dict[str, list[float]] = {}
    for g, risk in zip(gold, expected):
        for rater, penalty in g.rater_penalty.items():
            s = sums.setdefault(rater_of(g, rater), [0.0, 0.0, 0])
            s[0] += risk
            s[1] += penalty
            s[2] += 1
    judgements = sum(s[2] for s in sums.values())
    if not judgements:
        return {}
    mean_risk = sum(s[0] for s in sums.values()) / judgements
    mean_penalty = sum(s[1] for s in sums.values()) / judgements
    if mean_penalty <= 0:  # nobody marked anything: nothing to rescale
        return {r: 1.0 for r in sums}
    return {r: (s[0] + pseudo * mean_risk) / (s[1] + pseudo * mean_penalty) for r, s in sums.items()}


def normalised_penalties(gold: list[GoldSegment], scales: dict[str, float]) -> list[float]:
    """Each segment's target: the mean over its raters of the rater's penalty times the rater's scale."""
    return fit_targets(gold, range(len(gold)), scales, key=rater_of)


def part_key(model: RiskModel, rows: list[dict[str, float]]) -> str | None:
    """Which part of ``model`` scores most of ``rows``: None (the main model) or a variant's name."""
    names = {id(v): k for k, v in model.variants.items()}
    votes = Counter(names.get(id(model.scoring(r))) for r in rows)
    return votes.most_common(1)[0][0] if votes else None


def part(model: RiskModel, key: str | None) -> RiskModel:
    return model if key is None else model.variants[key]


def with_part(model: RiskModel, key: str | None, replacement: RiskModel) -> RiskModel:
    """A copy of ``model`` with one part (the main model or a variant) replaced."""
    if key is None:
        out = copy.deepcopy(replacement)
        out.variants = {k: copy.deepcopy(v) for k, v in model.variants.items()}
        out.trained_on = copy.deepcopy(model.trained_on)
        return out
    out = copy.deepcopy(model)
    out.variants[key] = replacement
    return out


def _fold_plan(gold: list[GoldSegment], index: list[int], folds: int) -> list[list[int]]:
    """Leave-documents-out folds over the segments ``index`` (positions in ``gold``)."""
    sub = [gold[i] for i in index]
    return [[index[j] for j in test] for _, _, test in document_folds(sub, folds)]


def choose_alpha(rows: list[dict[str, float]], target: list[float], gold: list[GoldSegment], index: list[int],
                 base: RiskModel, key: str | None, detectors: list[str], folds: int,
                 alphas: tuple[float, ...] = ALPHAS, rule: str = "paired") -> tuple[float, dict]:
    """The shrinkage strength for a fit on ``index``: cross-validated over its documents. Returns the alpha and the
    held-out tau within documents of each alpha tried (inf when there are too few documents to tell)."""
    if len(alphas) == 1:
        return alphas[0], {}
    plan = _fold_plan(gold, index, folds)
    if len(plan) < 2:
        return math.inf, {}
    prior = part(base, key)
    per_fold: dict[float, list[float]] = {}
    for alpha in alphas:
        for test in plan:
            held = set(test)
            train = [i for i in index if i not in held]
            model = with_part(base, key, fit_risk_model([rows[i] for i in train], [target[i] for i in train], alpha,
                                                        detectors=detectors, prior=prior).model)
            tau = grouped_tau([model.risk(rows[i]) for i in test], [target[i] for i in test],
                              [gold[i].document for i in test])
            per_fold.setdefault(alpha, []).append(0.0 if tau is None else tau)
    means = {a: float(np.mean(t)) for a, t in per_fold.items()}
    best = max(means, key=lambda a: means[a])
    # the one-standard-error rule: the strongest shrinkage whose mean is within one standard error of the best one's;
    # a few hundred judgements leave a wide error, and the base model stands unless clearly beaten
    if rule == "paired":
        # within one standard error of the per-fold differences from the best: the folds' articles differ in
        # difficulty alike for every alpha, and the difference is what the choice is about
        def close(a):
            diff = np.array(per_fold[best]) - np.array(per_fold[a])
            return diff.mean() <= float(np.std(diff, ddof=1) / math.sqrt(len(plan))) + TOLERANCE
        chosen = max(a for a in means if close(a))
    else:
        error = float(np.std(per_fold[best], ddof=1) / math.sqrt(len(plan))) if rule == "one-se" else 0.0
        chosen = max(a for a, m in means.items() if m >= means[best] - error - TOLERANCE)
    return chosen, {("inf" if math.isinf(a) else a): round(m, 4) for a, m in means.items()}


def _figures(scores: list[float], index: list[int], gold: list[GoldSegment], target: list[float]) -> dict:
    golds = [gold[i] for i in index]
    return ranking_figures(scores, [target[i] for i in index], [g.has_major for g in golds],
                           [g.document for g in golds], [g.item for g in golds], [g.named_raters for g in golds])


@dataclass
class TeamFit:
    """A recalibration: the model to write, the fit of its validated part, and what the validation found."""

    model: RiskModel
    fit: Fit  # the fitted part (main model or variant) on all segments: its weights table
    key: str | None  # which part of the base scores the team's segments (None: the main model)
    alpha: float
    scales: dict[str, float]  # per rater
    validation: dict
    worse: list[str] = field(default_factory=list)  # why the held-out team model counts as worse than the base

    @property
    def refused(self) -> bool:
        return bool(self.worse)


def recalibrate(audited: AuditedSet, base: RiskModel, mqm_paths: list[str], command: str, name: str = "team",
                folds: int = 5, variants: bool = True, alphas: tuple[float, ...] = ALPHAS,
                rater_scaling: bool = True, rule: str = "paired") -> TeamFit:
    """Refit ``base`` on the judgements of ``audited`` (see the module docstring); held-out figures by document for
    the team model, the base model and length on the same segments. ``variants=False`` refits only the part that
    scores these segments (the others stay the base's): what a measurement of that part needs, in a fifth of the
    time. ``alphas``: the shrinkage strengths cross-validation chooses from (one: that strength, fixed).
    ``rater_scaling=False`` takes the raters' penalties as marked; ``rule`` is how alpha is chosen (``ALPHA_RULES``;
    the others than the default are there to measure it against)."""
    started = time.perf_counter()
    gold, rows, detectors = audited.gold, audited.features, audited.detectors
    key = part_key(base, rows)
    every = list(range(len(gold)))
    expected = [base.risk(r) for r in rows]
    scale = rater_scales if rater_scaling else (lambda golds, _: {})
    scales = scale(gold, expected)
    target = normalised_penalties(gold, scales)

    # held out: every step, the raters' scales and the choice of alpha included, sees only the training documents
    plan = document_folds(gold, folds)
    team_scores = np.zeros(len(gold))
    fold_alphas = []
    for _, label, test in plan:
        held = set(test)
        train = [i for i in every if i not in held]
        train_scales = scale([gold[i] for i in train], [expected[i] for i in train])
        train_target = [0.0] * len(gold)
        for i, value in zip(train, normalised_penalties([gold[i] for i in train], train_scales)):
            train_target[i] = value
        alpha, _ = choose_alpha(rows, train_target, gold, train, base, key, detectors, folds, alphas, rule)
        fold_alphas.append({"held_out": label, "alpha": "inf" if math.isinf(alpha) else alpha})
        model = with_part(base, key, fit_risk_model([rows[i] for i in train], [train_target[i] for i in train], alpha,
                                                    detectors=detectors, prior=part(base, key)).model)
        team_scores[test] = [model.risk(rows[i]) for i in test]
    held_out = sorted(i for _, _, test in plan for i in test)
    length = [float(len(g.target.split())) for g in gold]
    scorers = {"team": team_scores.tolist(), "base": expected, "length": length}
    validation: dict = {"datasets": {}, "alphas": fold_alphas, "segments": len(held_out)}
    for dataset in dict.fromkeys(gold[i].dataset for i in held_out):
        index = [i for i in held_out if gold[i].dataset == dataset]
        validation["datasets"][dataset] = {
            "segments": len(index),
            **{s: _figures([v[i] for i in index], index, gold, target) for s, v in scorers.items()}}
    pooled = {s: _figures([v[i] for i in held_out], held_out, gold, target) for s, v in scorers.items()} \
        if held_out else {}
    validation["pooled"] = pooled
    worse = []
    if not held_out:
        worse.append("no document could be held out (one document per file): nothing shows the refit is not worse")
    else:
        for metric, label in (("tau_doc", "tau within documents"), ("p_at_20", "P@20%")):
            team, old = pooled["team"][metric], pooled["base"][metric]
            if team is not None and old is not None and team < old - TOLERANCE:
                worse.append(f"held-out {label} {team:.3f} < the base model's {old:.3f}")

    # the model written: alpha chosen on every document, then each part fitted on everything; but a refit that held
    # out ranked no better than the base has not earned its place (its folds mostly kept the base), so the base stays
    better = bool(held_out) and pooled["team"]["tau_doc"] is not None and pooled["base"]["tau_doc"] is not None \
        and pooled["team"]["tau_doc"] > pooled["base"]["tau_doc"] + TOLERANCE
    if not worse and not better and len(alphas) > 1:
        alpha, grid = math.inf, {}
        validation["no_gain"] = True
    else:
        alpha, grid = choose_alpha(rows, target, gold, every, base, key, detectors, folds, alphas, rule)
    validation["alpha"] = "inf" if math.isinf(alpha) else alpha
    validation["alpha_grid"] = grid
    if math.isinf(alpha) and worse:
        # the part that scores these segments is written as the base's own: it cannot do worse than itself (the
        # held-out team row measured the procedure, whose folds chose other strengths)
        validation["kept_base"] = worse
        worse = []
    files = ", ".join(p.rsplit("/", 1)[-1] for p in mqm_paths)
    shrink = "the base model kept (cross-validation chose no refit)" if math.isinf(alpha) else \
        f"ridge toward the base weights, alpha {alpha:g} chosen by cross-validation over documents"
    description = (f"Recalibrated by `{command}` from {base.name} on {len(gold)} segments of {files}: {shrink}; "
                   f"per-rater severity scales ({len(scales)} raters); sign-constrained, target = MQM penalty on "
                   f"the base model's scale; detectors {', '.join(detectors)}; model {audited.model or 'none'}.")
    fit = fit_risk_model(rows, target, alpha, name=name, description=description, detectors=detectors,
                         prior=part(base, key))
    model = with_part(base, key, fit.model)
    if key is not None:  # the main model keeps its own name; the description says what was refitted
        model.name, model.description = name, description
    refitted = {"main" if key is None else key: validation["alpha"]}
    # the variants move only when the validated part did: a refit nothing validated is not made elsewhere either
    if key is None and "reverse" in model.variants:
        # the reverse variant (`audit --adequacy`) is the base's main weights rescaled plus the reverse signals: it
        # would keep scoring with the base's weights, so it goes, and --adequacy runs score with the refitted model
        del model.variants["reverse"]
        validation["dropped_variants"] = ["reverse"]
    for other in [None, *base.variants] if variants and not math.isinf(alpha) else []:
        if other == key or other is None or other not in VARIANT_DROPS:
            continue  # the main model is refitted only from rows it scores; "reverse" adds signals, drops none
        derived = [without_signals(r, other) for r in rows]
        if part_key(base, derived) != other:
            continue  # these features cannot give that variant's signals
        other_alpha, _ = choose_alpha(derived, target, gold, every, base, other, detectors, folds, alphas, rule)
        refitted[other] = "inf" if math.isinf(other_alpha) else other_alpha
        if not math.isinf(other_alpha):
            sub = fit_risk_model(derived, target, other_alpha, name=f"{name}/{other}",
                                 description=f"{description} Variant without: {', '.join(VARIANT_DROPS[other])}.",
                                 detectors=detectors, prior=part(base, other))
            model.variants[other] = sub.model
    validation["refitted"] = refitted
    model.trained_on = {"files": trained_files(mqm_paths, audited), "segments": len(gold), "detectors": detectors,
                        "model": audited.model, "base": base.name, "alpha": validation["alpha"],
                        "rater_scales": {r: round(s, 4) for r, s in scales.items()},
                        "held_out": {"pooled": pooled}}
    validation["seconds"] = round(time.perf_counter() - started, 2)
    return TeamFit(model=model, fit=fit, key=key, alpha=alpha, scales=scales, validation=validation, worse=worse)


def base_model(spec: str, mqms: list, langs: str | None) -> RiskModel:
    """``--base``: ``default`` is the shipped risk model of the MQM files' language pair, anything else a risk-model
    file (e.g. an earlier team model)."""
    from mtaudit.evaluation.datasets import pair_risk_model

    return pair_risk_model(mqms, langs) if spec == "default" else RiskModel.load(spec)
