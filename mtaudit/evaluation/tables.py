"""Rich tables for the eval and calibrate reports (the report objects are plain dicts; these only render them)."""
from __future__ import annotations

from rich.table import Table

METRICS = ("tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20")
_LABELS = {"tau": "tau", "tau_doc": "tau in doc", "tau_item": "tau in item", "tau_item_rater": "in item, same rater",
           "pearson": "Pearson",
           "p_at_20": "P@20%"}
# A held-out tau within documents must beat length by this much to count (issue 6's acceptance).
TAU_DOC_MARGIN = 0.05


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def scorer_table(scorers: dict[str, dict], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("scorer")
    for m in METRICS:
        table.add_column(_LABELS[m], justify="right")
    for name, figures in scorers.items():
        table.add_row(name, *(_fmt(figures.get(m)) for m in METRICS))
    return table


def detector_table(detectors: dict[str, dict]) -> Table:
    table = Table(title="findings on human-marked error spans", title_justify="left")
    for col, justify in (("detector", "left"), ("findings", "right"), ("on a marked span", "right"),
                         ("precision", "right")):
        table.add_column(col, justify=justify)
    for name, d in detectors.items():
        table.add_row(name, str(d["findings"]), str(d["on_marked_span"]), _fmt(d["precision"]))
    return table


def folds_table(validation: dict, dataset: str = "") -> Table:
    """One MQM file's held-out folds (``cross_validate(...)["datasets"][dataset]``), pooled and averaged."""
    title = f"{dataset}: " if dataset else ""
    table = Table(title=title + "held-out figures (documents held out by fold), model vs length baseline",
                  title_justify="left")
    table.add_column("held out")
    table.add_column("n", justify="right")
    table.add_column("scorer")
    for m in METRICS:
        table.add_column(_LABELS[m], justify="right")
    total = sum(f["segments"] for f in validation["folds"])
    rows = [(f["held_out"], str(f["segments"]), f["mtaudit"], f["length"]) for f in validation["folds"]]
    rows.append(("mean of folds", "", validation["fold_mean"]["mtaudit"], validation["fold_mean"]["length"]))
    rows.append(("pooled", str(total), validation["pooled"]["mtaudit"], validation["pooled"]["length"]))
    for i, (name, n, model, length) in enumerate(rows):
        table.add_row(name, n, "model", *(_fmt(model.get(m)) for m in METRICS))
        table.add_row("", "", "length", *(_fmt(length.get(m)) for m in METRICS), end_section=i < len(rows) - 1)
    return table


def weights_table(weights: dict[str, float], standardised: dict[str, float], spread: dict[str, float],
                  impute: dict[str, float], bias: float, priors: list[str] = ()) -> Table:
    table = Table(title=f"risk = max(0, {bias:.4f} + sum of weight x feature)", title_justify="left")
    for col, justify in (("feature", "left"), ("weight", "right"), ("per std. dev.", "right"),
                         ("std. dev.", "right"), ("when absent", "right")):
        table.add_column(col, justify=justify)
    for name in sorted(standardised, key=lambda n: -abs(standardised[n])):
        table.add_row(name, f"{weights.get(name, 0.0):.4f}", f"{standardised[name]:.4f}", f"{spread[name]:.4f}",
                      f"{impute[name]:.4f}" if name in impute else "0 (count)" if name in weights else "-")
    for name in priors:
        table.add_row(name, f"{weights[name]:.4f}", "prior", "too few findings to fit", "0 (count)")
    return table


def acceptance(pooled: dict) -> tuple[bool, str]:
    """Does the held-out model beat length by the margin on tau within documents and on P@20%?"""
    model, length = pooled["mtaudit"], pooled["length"]
    if model["tau_doc"] is None or length["tau_doc"] is None or model["p_at_20"] is None:
        return False, "not enough data to compare with the length baseline"
    gain_tau = model["tau_doc"] - length["tau_doc"]
    gain_p = model["p_at_20"] - length["p_at_20"]
    ok = gain_tau >= TAU_DOC_MARGIN and gain_p > 0
    verdict = "beats" if ok else "does NOT beat"
    return ok, (f"held out, the model {verdict} the length baseline: tau in doc {model['tau_doc']:.3f} vs "
                f"{length['tau_doc']:.3f} ({gain_tau:+.3f}, needs >= +{TAU_DOC_MARGIN}), P@20% "
                f"{model['p_at_20']:.3f} vs {length['p_at_20']:.3f} ({gain_p:+.3f}, needs > 0)")


def team_table(validation: dict) -> Table:
    """Held-out figures of a recalibration (``recalibrate(...).validation``): team model, base model and length on
    the same segments, per MQM file and pooled."""
    table = Table(title="held-out figures (documents held out by fold; alpha chosen inside each fold): team model vs "
                  "base model vs length, on the same segments", title_justify="left")
    table.add_column("MQM file")
    table.add_column("n", justify="right")
    table.add_column("scorer")
    for m in METRICS:
        table.add_column(_LABELS[m], justify="right")
    parts = list(validation["datasets"].items())
    if len(parts) > 1:
        parts.append(("pooled", {"segments": validation["segments"], **validation["pooled"]}))
    for i, (name, part) in enumerate(parts):
        for j, scorer in enumerate(("team", "base", "length")):
            table.add_row(name if j == 0 else "", str(part["segments"]) if j == 0 else "", scorer,
                          *(_fmt(part[scorer].get(m)) for m in METRICS), end_section=j == 2 and i < len(parts) - 1)
    return table


def rater_table(scales: dict[str, float]) -> Table:
    table = Table(title="per-rater severity scale (penalties x scale = the target; 1 = as marked)",
                  title_justify="left")
    table.add_column("rater")
    table.add_column("scale", justify="right")
    for rater, scale in sorted(scales.items()):
        table.add_row(rater, f"{scale:.3f}")
    return table
