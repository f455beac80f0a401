"""The reverse direction in the risk model, held out (issue 29): does ``log p(s | t)`` add to what the audit knows?

Reads a features cache of one or more MQM files (``mtaudit eval --mqm F --features-cache C``) and the per-segment
reverse-pass values ``research/reverse_pass.py`` wrote for the same files, and compares, with five folds by document
per file (a fold scored by a fit on everything else, one row per segment, ``calibrate.cross_validate``):

- the audit's segment rows as they are (the shipped features);
- the same rows plus the reverse signals (``rev_logprob_sum``, ``rev_logprob_mean``, ``rev_pmi_mean``);
- the same rows without the target-only pass's signals, with and without the reverse signals (the reverse pass in
  place of the target-only pass costs about the same model time).

``--variant`` instead measures what can ship without refitting the whole model: the shipped zh-en risk model's
linear score kept as one input, and only its scale, a bias and the three reverse weights fitted on top (sign-
constrained, rater-scaled penalties as the shipped recipe fits), held out by five document folds per file, one row
per segment as the shipped main model was fitted (the audit then applies it to each sentence, which gets its
segment's per-token reverse figures and a share of the sum: ``LMScorer._score_reverse``). The shipped model has seen
these files, so its own figures are in-sample and flatter the baseline; the reverse weights are held out.
``--write`` then fits them on all segments and adds the result to ``mtaudit/models/risk-default.json`` as its
``reverse`` variant (``audit --adequacy``).

``--oof`` puts the estimator's out-of-fold mass (``research/estimator/one_pass_oof.py capture TED WMT21`` then
``oof``) in place of the shipped head's on WMT21, which the head was trained on: the shipped recipe's rows.

    python -m research.reverse_fit --cache C23 [--cache C21] --reverse wmt23.json [--reverse wmt21.json] \
        [--oof .../one_pass/oof.json] [--raters]
    python -m research.reverse_fit --cache C23 --cache C21 --reverse wmt23.json --reverse wmt21.json \
        --oof .../one_pass/oof.json --variant [--write]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.optimize import lsq_linear

from mtaudit.evaluation.calibrate import (cross_validate, document_folds, feature_sign, fit_targets,
                                          rater_scales_within_files)
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet, load_cached_sets
from mtaudit.risk import ESTIMATOR, RiskModel, without_reverse, without_signals

REVERSE = ("rev_logprob_sum", "rev_logprob_mean", "rev_pmi_mean")
METRICS = ("tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20")


def reverse_features(paths: list[Path]) -> dict[tuple, dict[str, float]]:
    out = {}
    for path in paths:
        data = json.loads(path.read_text())
        name = data["file"].removesuffix(".tsv")
        for r in data["rows"]:
            out[(name, r["system"], r["doc"], r["seg"])] = {
                "rev_logprob_sum": r["rev_sum"], "rev_logprob_mean": r["rev_sum"] / max(1, r["rev_n"]),
                "rev_pmi_mean": (r["rev_sum"] - r["alone_sum"]) / max(1, r["rev_n"])}
    return out


SHIPPED = Path("mtaudit/models/risk-default.json")


def segment_row(audited: AuditedSet, i: int, values: dict[str, float] | None, mass: float | None) -> dict:
    """Segment ``i``'s feature row (one row per segment, as the shipped zh-en recipe fits), with its reverse figures
    and, where given, the estimator's out-of-fold mass in place of the shipped head's."""
    row = dict(audited.features[i], **(values or {}))
    if mass is not None:
        row[ESTIMATOR] = mass
    return row


def oof_masses(audited: AuditedSet, path: Path | None) -> dict[int, float]:
    """The estimator's out-of-fold mass per segment of TED and WMT21 (``one_pass_oof.py oof``: TED's segments, then
    WMT21's, in the features caches' order), by index into ``audited``; empty without ``path``."""
    if path is None:
        return {}
    from research.estimator.one_pass_oof import FILES

    oof = json.loads(path.read_text())
    assert oof["files"] == list(FILES)
    sizes = {name: n for name, n in zip(FILES, _file_sizes(path.parent, FILES))}
    out, offset = {}, 0
    for name in FILES:
        index = [i for i, g in enumerate(audited.gold) if g.dataset == name]
        if index:
            assert len(index) == sizes[name], f"{name}: {len(index)} segments, the mass has {sizes[name]}"
            out.update({i: float(m) for i, m in zip(index, oof["segment"][offset:offset + sizes[name]])})
        offset += sizes[name]
    return out


def _file_sizes(folder: Path, names) -> list[int]:
    return [len(load_cached_sets(folder / name / "features.json")[0].gold) for name in names]


def fit_variant(main: RiskModel, rows: list[dict], target: np.ndarray) -> RiskModel:
    """The ``reverse`` variant: ``a * main's linear score + w . reverse + c``, one row per segment; ``a`` >= 0, each
    reverse weight <= 0 (``calibrate.feature_sign``), least squares on ``target``."""
    x = np.array([[main.linear(r)] + [r[n] for n in REVERSE] for r in rows])
    mean, sd = x[:, 1:].mean(axis=0), x[:, 1:].std(axis=0) + 1e-12
    z = np.hstack([x[:, :1], (x[:, 1:] - mean) / sd, np.ones((len(x), 1))])
    lower = [0.0] + [feature_sign(n)[0] for n in REVERSE] + [-np.inf]
    upper = [np.inf] + [feature_sign(n)[1] for n in REVERSE] + [np.inf]
    solution = lsq_linear(z, target, bounds=(lower, upper)).x
    a, w = solution[0], solution[1:-1] / sd
    c = solution[-1] - float(np.sum(w * mean))
    weights = {n: round(a * v, 6) for n, v in main.weights.items()}
    weights.update({n: round(float(v), 6) for n, v in zip(REVERSE, w) if round(float(v), 6) != 0.0})
    impute = dict(main.impute)
    impute.update({n: round(float(m), 6) for n, m in zip(REVERSE, mean)})
    return RiskModel(weights=weights, bias=round(a * main.bias + c, 6), impute=impute, name="reverse")


def variant_figures(audited: AuditedSet, rev: dict, mass: dict[int, float],
                    raters: bool = True) -> tuple[dict, RiskModel]:
    """Held out by five document folds per file: the shipped model and the reverse variant on the same segments."""
    main = RiskModel.load(SHIPPED)
    main.variants.pop("reverse", None)  # the shipped model's own figures, whatever an earlier --write added
    gold = audited.gold
    keys = [(g.dataset, g.system, g.doc, g.seg_id) for g in gold]
    has = [i for i, k in enumerate(keys) if k in rev]
    rows = {i: segment_row(audited, i, rev[keys[i]], mass.get(i)) for i in has}
    predictions = {}
    for dataset, label, test in document_folds(gold):
        test = [i for i in test if i in rows]
        held = set(test)
        train = [i for i in has if i not in held]
        target = np.asarray(fit_targets(gold, train, rater_scales_within_files(gold, train) if raters else None))
        model = fit_variant(main, [rows[i] for i in train], target)
        for i in test:
            predictions[i] = model.risk(rows[i])
    out = {}
    for dataset in audited.datasets:
        every = [i for i in has if gold[i].dataset == dataset]
        out[dataset] = {
            "shipped (in-sample)": figures_for(audited, [main.risk(without_reverse(rows[i])) for i in every],
                                               every),
            "shipped + reverse (held out)": figures_for(audited, [predictions[i] for i in every], every),
            "length": figures_for(audited, [float(len(gold[i].target.split())) for i in every], every)}
    target = np.asarray(fit_targets(gold, has, rater_scales_within_files(gold, has) if raters else None))
    return out, fit_variant(main, [rows[i] for i in has], target)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, action="append", required=True, help="a features cache (repeatable)")
    ap.add_argument("--reverse", type=Path, action="append", required=True)
    ap.add_argument("--raters", action="store_true", help="fit rater-scaled penalties (figures against the raw mean)")
    ap.add_argument("--variant", action="store_true", help="the shipped model plus fitted reverse weights")
    ap.add_argument("--oof", type=Path, help="the estimator's out-of-fold mass on TED and WMT21 "
                    "(research/estimator/one_pass_oof.py oof: .../one_pass/oof.json), as the shipped recipe fits")
    ap.add_argument("--write", action="store_true", help="with --variant: add it to the shipped zh-en risk model")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    audited = AuditedSet.combine([part for cache in args.cache for part in load_cached_sets(cache)])
    rev = reverse_features(args.reverse)
    if args.variant:
        figures, model = variant_figures(audited, rev, oof_masses(audited, args.oof), raters=True)
        for dataset, rows in figures.items():
            print(f"\n{dataset} (tau / tau_doc / tau_item / tau_item_rater / pearson / P@20)")
            for name, f in rows.items():
                print(f"  {name:30s} " + " / ".join(f"{f[m]:.4f}" if f.get(m) is not None else "-" for m in METRICS))
        print("\nfitted on all:", json.dumps({n: model.weights[n] for n in REVERSE if n in model.weights}),
              "bias", model.bias)
        if args.out:
            args.out.write_text(json.dumps({"figures": figures, "variant": model.to_dict()}, indent=1))
        if args.write:
            data = json.loads(SHIPPED.read_text())
            variant = model.to_dict()
            variant["description"] = (
                "audit --adequacy: the main model's weights times a fitted scale, plus the reverse pass's signals "
                f"(research/reverse_fit.py --variant --write, fitted on {', '.join(audited.datasets)}, "
                "rater-scaled penalties)")
            variant["trained_on"] = {"held_out": figures, "files": audited.datasets,
                                     "estimator_mass": "out of fold on WMT21 (--oof)" if args.oof else "shipped head"}
            data["variants"]["reverse"] = variant
            tmp = SHIPPED.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            tmp.replace(SHIPPED)
            print(f"wrote the reverse variant into {SHIPPED}")
        return 0
    keys = [(g.dataset, g.system, g.doc, g.seg_id) for g in audited.gold]
    missing = sum(1 for k in keys if k not in rev)
    print(f"{len(keys)} segments, {missing} without reverse values (source or target empty)")
    mass = oof_masses(audited, args.oof)
    base = [dict(f, **({ESTIMATOR: mass[i]} if i in mass else {})) for i, f in enumerate(audited.features)]
    plus = [dict(f, **rev.get(k, {})) for f, k in zip(base, keys)]
    one = [without_signals(f, "no_target") for f in base]  # what one pass (`--fast`) drops
    one_plus = [dict(f, **rev.get(k, {})) for f, k in zip(one, keys)]
    variants = {"audit's rows (two passes)": base, "+ reverse": plus, "one pass (no target-only signals)": one,
                "one pass + reverse": one_plus}
    results = {}
    for name, rows in variants.items():
        cv = cross_validate(audited, rows=rows, raters=args.raters)
        results[name] = {d: r["pooled"] for d, r in cv["datasets"].items()}
    for dataset in audited.datasets:
        print(f"\n{dataset} (held out, pooled; {' / '.join(METRICS)})")
        for name, res in results.items():
            f = res[dataset]["mtaudit"]
            print(f"  {name:36s} " + " / ".join(f"{f[m]:.4f}" if f.get(m) is not None else "-" for m in METRICS))
        f = next(iter(results.values()))[dataset]["length"]
        print(f"  {'length':36s} " + " / ".join(f"{f[m]:.4f}" if f.get(m) is not None else "-" for m in METRICS))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
