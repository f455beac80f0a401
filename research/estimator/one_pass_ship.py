"""One pass against two under the shipped recipe, held out, and (with --write) the `audit --fast` variant (issue 28).

Rows as ship_risk.py and fast_variant.py: the features of TED zh-en and WMT21 zh-en news, each segment's
``src_estimator_sum`` replaced by the estimator's out-of-fold mass (`one_pass_oof.py`). Fitted like the shipped main
model (ridge on standardised segment rows, sign-constrained, target = MQM penalty). Compared on the same segments:

- **two passes**: the main model's signals (the default audit);
- **one pass**: the source-conditioned pass alone (`VARIANT_DROPS["no_target"]`: `src_word_logprob_min` and
  `src_word_z_max` kept): what `--fast`'s `no_target` variant is fitted on;
- **one pass, signals as shipped before**: the same without those two (the previous `no_target` variant's signals);
- each pass count **+ stand-ins**: with the stand-ins for the target-only pass that the source pass filled for a while
  (`src_freq_pmi_*`, `src_norm_pmi_*`, `src_word_z_sum`/`_mean`; dropped from the product after this comparison);
- with `--target-standin`, **one pass + log p(t) head**: `target_standin.py`'s predicted target-only log-prob;
- the **`no_target` variant as shipped** (WMT23 only: it was fitted on the other two) and **length**.

TED and WMT21: five folds of documents per file, each held out from a fit on everything else of both files.
WMT23 dev news (never in any fit, nor in the estimator's training): scored by the fit on every TED and WMT21 segment,
with the shipped estimator's mass. Two-pass rows come from a features cache made with both passes
(`--two-pass-cache`, e.g. `mtaudit eval --features-cache F` over the three files); one-pass rows from
`one_pass_oof.py capture`'s caches and, for WMT23, the two-pass rows without the target-only signals.

    python -m research.estimator.one_pass_ship --two-pass-cache zhen_all.features.json [--write]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mtaudit.evaluation.calibrate import cross_validate, file_sha256, fit_risk_model
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet, load_cached_sets
from mtaudit.risk import ESTIMATOR, VARIANT_DROPS, RiskModel, without_signals
from research.estimator.one_pass_oof import FILES, OUT

SHIPPED = Path("mtaudit/models/risk-default.json")
NEWS = "wmt23_news_zhen_dev"
# the stand-ins for the target-only pass the source pass filled from ec7d62b until this script showed they cost
# ranking under the shipped recipe; caches made in between still hold them
STAND_INS = ("src_freq_pmi_", "src_norm_pmi_", "src_word_z_sum", "src_word_z_mean", "src_word_z_words")
METRICS = ("tau", "tau_doc", "tau_item", "pearson", "p_at_20")


def entries(path: Path) -> dict[str, AuditedSet]:
    """Every audit of a features cache by its MQM file's dataset name."""
    return {audited.gold[0].dataset: audited for audited in load_cached_sets(path)}


def same_segments(a: AuditedSet, b: AuditedSet) -> None:
    key = lambda g: (g.dataset, g.system, g.doc, g.seg_id)  # noqa: E731
    assert [key(g) for g in a.gold] == [key(g) for g in b.gold], "the caches list the segments in different orders"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--two-pass-cache", type=Path, required=True)
    ap.add_argument("--write", action="store_true", help=f"refit on every segment and write {SHIPPED}'s no_target")
    ap.add_argument("--write-main", action="store_true", help=f"the same for {SHIPPED}'s main model (two passes)")
    ap.add_argument("--out", type=Path, default=OUT / "one_pass_ship.json")
    ap.add_argument("--target-standin", type=Path, help="target_standin.py's predictions: one more variant")
    ap.add_argument("--ablate", action="store_true", help="also two passes without each group of target-only signals")
    args = ap.parse_args()

    two = entries(args.two_pass_cache)
    one = {name: entries(OUT / name / "features.json")[name] for name in FILES}
    for name in FILES:
        same_segments(two[name], one[name])
    oof = json.loads((OUT / "oof.json").read_text())
    assert oof["files"] == list(FILES)
    mass = np.asarray(oof["segment"])
    # out-of-fold mass on the fitted files' rows; the shipped estimator's own mass on WMT23 (it never saw it)
    def with_oof(rows, offset):
        return [dict(r, **{ESTIMATOR: float(mass[offset + i])}) for i, r in enumerate(rows)]
    offsets = np.cumsum([0] + [len(one[n].gold) for n in FILES])
    current = lambda r: {k: v for k, v in r.items() if not k.startswith(STAND_INS)}  # noqa: E731
    one_pass = lambda r: without_signals(current(r), "no_target")  # noqa: E731
    before = ("src_word_logprob_min", "src_word_z_max")  # what the shipped no_target could not weigh
    plan = {"two passes": (two, current), "two passes + stand-ins": (two, lambda r: r),
            "one pass": (one, one_pass), "one pass + stand-ins": (one, lambda r: without_signals(r, "no_target")),
            "one pass, signals as shipped before": (one, lambda r: {k: v for k, v in one_pass(r).items()
                                                                    if k not in before})}
    if args.ablate:  # which of the target-only pass's signals carry its gain: two passes without each group
        def dropping(prefixes):
            return lambda r: {k: v for k, v in current(r).items() if not k.startswith(prefixes)}
        for label, prefixes in (("no PMI", ("src_pmi_",)), ("no lm_word_z_max", ("lm_word_z_max",)),
                                ("no fluency, lm_logprob_*, lm_tokens", ("fluency", "lm_logprob", "lm_tokens")),
                                ("no odd-phrasing findings", ("detector_fluency",)),
                                ("PMI only", ("lm_", "fluency", "detector_fluency"))):
            plan[f"two passes, {label}"] = (two, dropping(prefixes))
    variants = {name: ([[change(r) for r in with_oof(source[n].features, o)] for n, o in zip(FILES, offsets)],
                       [change(r) for r in two[NEWS].features]) for name, (source, change) in plan.items()}
    if args.target_standin:  # target_standin.py's predicted log p(t) per segment (out of fold on TED and WMT21)
        hat = json.loads(args.target_standin.read_text())

        def with_hat(rows, values):
            out = []
            for r, v in zip(rows, values):
                n = r.get("src_tokens") or 0.0
                extra = {"src_hat_lm_sum": v, "src_hat_pmi_sum": r.get("src_logprob_sum", 0.0) - v}
                if n:
                    extra.update({"src_hat_lm_mean": v / n, "src_hat_pmi_mean": (r["src_logprob_sum"] - v) / n})
                out.append(dict(r, **extra) if "src_tokens" in r else r)
            return out
        for base in ("one pass",):
            fitted, news = variants[base]
            variants[f"{base} + log p(t) head"] = (
                [with_hat(rows, hat[n]) for rows, n in zip(fitted, FILES)], with_hat(news, hat[NEWS]))

    results: dict[str, dict] = {}
    fits = {}
    audited = AuditedSet.combine([one[n] for n in FILES])  # the gold and folds; each variant brings its rows
    for name, (fitted, news_rows) in variants.items():
        rows = [r for part in fitted for r in part]
        held = cross_validate(audited, rows=rows)["datasets"]
        fit = fit_risk_model(rows, [g.penalty for g in audited.gold], detectors=audited.detectors)
        fits[name] = fit
        news = two[NEWS]
        results[name] = {ds: held[ds]["pooled"]["mtaudit"] for ds in held}
        results[name][NEWS] = figures_for(news, [fit.model.risk(r) for r in news_rows], list(range(len(news.gold))))
        if "length" not in results:
            results["length"] = {ds: held[ds]["pooled"]["length"] for ds in held}
            results["length"][NEWS] = figures_for(news, [float(len(g.target.split())) for g in news.gold],
                                                  list(range(len(news.gold))))
    # the shipped models were fitted on TED + WMT21: held out on WMT23 only
    shipped = RiskModel.load(SHIPPED)
    every = list(range(len(two[NEWS].gold)))
    results["main model as shipped (WMT23)"] = {NEWS: figures_for(two[NEWS], [shipped.risk(current(r))
                                                                              for r in two[NEWS].features], every)}
    results["no_target as shipped (WMT23)"] = {NEWS: figures_for(two[NEWS], [shipped.variants["no_target"].risk(
        one_pass(r)) for r in two[NEWS].features], every)}
    for ds in (NEWS, *FILES):
        print(f"\n{ds}")
        for name, per in results.items():
            if ds not in per:
                continue
            figs = per[ds]
            print(f"  {name:36s} " + " ".join(f"{m} {figs[m]:.4f}" for m in METRICS if figs.get(m) is not None))
    args.out.write_text(json.dumps(results, indent=1))
    print("\nweights (one pass):", json.dumps(fits["one pass"].model.weights), file=sys.stderr)

    if args.write:
        shipped = RiskModel.load(SHIPPED)
        fit = fits["one pass"]
        fit.model.name = f"{shipped.name}/no_target"
        fit.model.description = (
            "Fitted by research/estimator/one_pass_ship.py (issue 28) on the 13785 segments of mqm_ted_zhen.tsv and "
            "wmt21_news_zhen.scores.tsv the main model was fitted on: the same recipe (ridge, alpha 1.0, standardised "
            "segment features, sign-constrained, target = MQM penalty, the estimator's out-of-fold mass from "
            "research/estimator/one_pass_oof.py) on the source-conditioned pass's signals alone (`audit --fast`), "
            "src_word_logprob_min and src_word_z_max among them.")
        files = {"mqm_ted_zhen": "mqm_ted_zhen.tsv", "wmt21_news_zhen.scores": "wmt21_news_zhen.scores.tsv"}
        fit.model.trained_on = {
            "files": [{"file": files[n], "sha256": file_sha256(f"../shared/data/mqm/{files[n]}"),
                       "segments": len(one[n].gold)} for n in FILES],
            "segments": int(offsets[-1]), "detectors": one[FILES[0]].detectors, "model": "gemma3-270m",
            "held_out": {ds: {"mtaudit": results["one pass"][ds], "length": results["length"][ds],
                              "two passes": results["two passes"][ds]} for ds in (*FILES, NEWS)}}
        shipped.variants["no_target"] = fit.model
        tmp = SHIPPED.with_suffix(".tmp")
        tmp.write_text(json.dumps(shipped.to_dict(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(SHIPPED)
        print("written", SHIPPED, file=sys.stderr)
    if args.write_main:
        shipped = RiskModel.load(SHIPPED)
        new = fits["two passes"].model
        new.name, new.variants = shipped.name, shipped.variants
        new.description = (
            "Fitted by research/estimator/one_pass_ship.py --write-main (issue 28) on 13785 segments of "
            "mqm_ted_zhen.tsv and wmt21_news_zhen.scores.tsv with the calibrate recipe as exp/ship_risk.py used it "
            "(issue 11; mtaudit/models/ESTIMATOR.md): ridge, alpha 1.0, standardised segment features, "
            "sign-constrained, "
            "target = MQM penalty, plus src_estimator_sum, the trained estimator's out-of-fold error mass "
            "(research/estimator/one_pass_oof.py: five heads, each trained without one fold of documents per file), on "
            "the features the audit computes with the pinned pruned head (the previous fit read full-vocabulary "
            "log-probs); detectors " + ", ".join(one[FILES[0]].detectors) + "; model gemma3-270m. Variants: "
            "no_estimator = the TED-only model without the estimator, no_source and no_model = its variants; no_target "
            "(`audit --fast`) = fitted like the main model on the source-conditioned pass's signals alone "
            "(research/estimator/one_pass_ship.py); no_target_no_estimator = the earlier fast variant, for pairs and "
            "models without an estimator.")
        files = {"mqm_ted_zhen": "mqm_ted_zhen.tsv", "wmt21_news_zhen.scores": "wmt21_news_zhen.scores.tsv"}
        new.trained_on = {
            "files": [{"file": files[n], "sha256": file_sha256(f"../shared/data/mqm/{files[n]}"),
                       "segments": len(one[n].gold)} for n in FILES],
            "segments": int(offsets[-1]), "detectors": one[FILES[0]].detectors, "model": "gemma3-270m",
            "held_out": {ds: {"mtaudit": results["two passes"][ds], "length": results["length"][ds]}
                         for ds in (*FILES, NEWS)}}
        new.trained_on["held_out"][NEWS]["previous main model"] = results["main model as shipped (WMT23)"][NEWS]
        tmp = SHIPPED.with_suffix(".tmp")
        tmp.write_text(json.dumps(new.to_dict(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(SHIPPED)
        print("written", SHIPPED, "main weights:", json.dumps(new.weights), file=sys.stderr)


if __name__ == "__main__":
    main()
