"""A simulated team loop (issue 31, acceptance 2): a team judges part of its content, recalibrates the shipped risk
model on its judgements (``mtaudit calibrate --base default``), and the next batch is ranked by the team's model.

On ``../shared/data/mqm/wmt23_news_zhen_dev.tsv`` (19 source articles x 10 systems, three raters per segment):

1. split the source articles at random (``--draws`` seeds) into a *reviewed* part (``--reviewed`` articles) and a
   *next batch* (the rest); all systems' translations of an article fall on the same side;
2. the team's export: the judgements of ONE rater on the reviewed part, the rater who judged most of its segments
   (raters were assigned per article, three of a pool of eight, so one rater covers part of the reviewed articles);
   written as an error-row TSV exactly as the team would give it (that rater's rows only);
3. for each size N in ``--sizes`` (and all), the first N segments of that export in an order of whole translated
   documents drawn at random (a team judges documents, not scattered sentences) are recalibrated from the shipped
   model, as ``calibrate --base default`` does (``mtaudit.evaluation.recalibrate``), nested held-out validation and
   the refusal included;
4. on the next batch, against the mean penalty of all three raters: the shipped model, the team model and length,
   tau within documents, tau within items (the ten systems' translations of one source segment) and P@20%.
   ``team`` is the refit whatever calibrate decided; ``loop`` is what the team ends up using (the shipped model where
   calibrate refused to write).

The model's features come from one model audit of the whole file, kept in a features cache
(``mtaudit eval --mqm FILE --features-cache CACHE`` makes it; 34 minutes on two shared cores):

    python -m tools.probes.team_loop --features-cache /tmp/w31/zhen23.features.json --json tools/probes/team_loop.json

``--rule one-se|best`` chooses alpha as calibrate does not (to compare), ``--team
first`` exports each segment's first rater (several raters) instead of one, ``--no-rater-scales`` fits the raters'
penalties as marked, ``--sizes`` with no value measures only "all"; ``--from-json`` summarises an earlier ``--json``
again. Figures and what they show: docs/eval.md, "The team loop, simulated on WMT23 zh-en".

A cache made by an older code version is used when its MQM file, detectors and model match (its entries are keyed
by the code that computes the features; this probe changes none of them) and the probe says so.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mtaudit.evaluation.calibrate import file_sha256
from mtaudit.evaluation.features import AuditedSet, load_audited
from mtaudit.evaluation.mqm import read_mqm
from mtaudit.evaluation.ranking import ranking_figures
from mtaudit.evaluation.recalibrate import ALPHA_RULES, recalibrate
from mtaudit.risk import RiskModel

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
MQM = SHARED / "mqm" / "wmt23_news_zhen_dev.tsv"
SIZES = (50, 100, 200, 400)
METRICS = ("tau_doc", "tau_item", "p_at_20")


def cached_audit(cache: Path, mqm: Path) -> AuditedSet:
    """The audit of ``mqm`` in the features cache (the entry for its SHA-256 with a model)."""
    sha = file_sha256(str(mqm))
    payload = json.loads(cache.read_text(encoding="utf-8"))
    for entry in payload.get("entries", []):
        key = entry["key"]
        if key.get("mqm_sha256") == sha and not key.get("systems"):
            audited = load_audited(cache, key)
            if audited is not None:
                print(f"features of {len(audited.gold)} segments from {cache} (model {audited.model}, code "
                      f"{key['code'][:12]})", file=sys.stderr)
                return audited
    sys.exit(f"{cache}: no model audit of {mqm}; make one with `mtaudit eval --mqm {mqm} --features-cache {cache}`")


def export_rows(mqm: Path, rater: str, articles: set[str]) -> list[str]:
    """The lines of ``mqm`` (header first) that ``rater`` wrote on ``articles``: the team's export."""
    lines = mqm.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    doc, who = header.index("doc"), header.index("rater")
    return [lines[0]] + [line for line in lines[1:] if line and (f := line.split("\t"))[who] == rater
                         and f[doc] in articles]


def first_rater_rows(mqm: Path, articles: set[str]) -> list[str]:
    """The lines of ``mqm`` on ``articles`` written by each segment's first rater in the file."""
    lines = mqm.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    col = {c: header.index(c) for c in ("system", "doc", "seg_id", "rater")}
    first: dict[tuple, str] = {}
    out = [lines[0]]
    for line in lines[1:]:
        f = line.split("\t")
        if not line or f[col["doc"]] not in articles:
            continue
        key = (f[col["system"]], f[col["doc"]], f[col["seg_id"]])
        if first.setdefault(key, f[col["rater"]]) == f[col["rater"]]:
            out.append(line)
    return out


def measure(scores: dict[str, list[float]], gold) -> dict:
    return {name: {k: v for k, v in ranking_figures(s, [g.penalty for g in gold], [g.has_major for g in gold],
                                                    [g.document for g in gold], [g.item for g in gold]).items()
                   if k in METRICS} for name, s in scores.items()}


def one_draw(seed: int, audited: AuditedSet, base: RiskModel, mqm: Path, reviewed: int, sizes, folds: int,
             workdir: Path, team: str = "most", rater_scaling: bool = True, rule: str = "paired") -> dict:
    rng = random.Random(seed)
    articles = list(dict.fromkeys(g.doc for g in audited.gold))
    rng.shuffle(articles)
    review, batch = set(articles[:reviewed]), set(articles[reviewed:])
    counts: dict[str, int] = {}
    for g in audited.gold:
        if g.doc in review:
            for r in g.rater_penalty:
                counts[r] = counts.get(r, 0) + 1
    if team == "first":  # per segment its first rater in the file: several raters of different severity
        rater = "first"
        lines = first_rater_rows(mqm, review)
    else:
        rater = max(sorted(counts), key=lambda r: counts[r])
        lines = export_rows(mqm, rater, review)
    export = workdir / f"team_{seed}_{rater}.tsv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    team_gold = read_mqm(export).segments
    row = {(g.system, g.doc, g.seg_id): i for i, g in enumerate(audited.gold)}
    # the order a team judges in: whole translated documents, drawn at random
    documents = list(dict.fromkeys(g.document for g in team_gold))
    rng.shuffle(documents)
    rank = {d: i for i, d in enumerate(documents)}
    team_gold.sort(key=lambda g: (rank[g.document], int(g.seg_id)))
    next_index = [i for i, g in enumerate(audited.gold) if g.doc in batch]
    next_gold = [audited.gold[i] for i in next_index]
    next_rows = [audited.features[i] for i in next_index]
    shipped = [base.risk(r) for r in next_rows]
    length = [float(len(g.target.split())) for g in next_gold]
    out = {"seed": seed, "reviewed_articles": sorted(review), "next_articles": sorted(batch), "rater": rater,
           "export_segments": len(team_gold), "next_segments": len(next_gold), "points": []}
    for size in [s for s in sizes if s < len(team_gold)] + [len(team_gold)]:
        judged = team_gold[:size]
        subset = AuditedSet(gold=judged, segments=[], features=[audited.features[row[(g.system, g.doc, g.seg_id)]]
                                                                for g in judged],
                            detectors=audited.detectors, model=audited.model)
        started = time.perf_counter()
        fit = recalibrate(subset, base, [], "tools.probes.team_loop", folds=folds, variants=False,
                          rater_scaling=rater_scaling, rule=rule)
        team_scores = [fit.model.risk(r) for r in next_rows]
        figures = measure({"shipped": shipped, "team": team_scores, "length": length}, next_gold)
        figures["loop"] = figures["shipped"] if fit.refused else figures["team"]
        out["points"].append({"judged": size, "documents": len({g.document for g in judged}),
                              "articles": len({g.doc for g in judged}), "alpha": fit.validation["alpha"],
                              "refused": fit.refused, "why": fit.worse, "raters": sorted(fit.scales),
                              "rater_scales": {r: round(v, 3) for r, v in fit.scales.items()},
                              "held_out_in_calibrate": fit.validation.get("pooled"),
                              "next_batch": figures, "seconds": round(time.perf_counter() - started, 1)})
        print(f"seed {seed} rater {rater} n={size}: alpha {fit.validation['alpha']}, refused {fit.refused}; "
              f"next batch tau_doc shipped {figures['shipped']['tau_doc']:.3f} team {figures['team']['tau_doc']:.3f} "
              f"length {figures['length']['tau_doc']:.3f}", file=sys.stderr)
    return out


def summary(draws: list[dict]) -> list[dict]:
    """Per size label (50, 100, ..., "all"): mean and standard deviation over draws of each scorer's figures."""
    labels: dict[str, list[dict]] = {}
    for draw in draws:
        points = draw["points"]
        for i, point in enumerate(points):
            label = "all" if i == len(points) - 1 else str(point["judged"])
            labels.setdefault(label, []).append(point)
    rows = []
    for label, points in labels.items():
        row = {"judged": label, "draws": len(points),
               "judged_mean": round(statistics.mean(p["judged"] for p in points), 1),
               "refused": sum(p["refused"] for p in points),
               "alphas": [p["alpha"] for p in points]}
        for scorer in ("shipped", "team", "loop", "length"):
            for metric in METRICS:
                values = [p["next_batch"][scorer][metric] for p in points
                          if p["next_batch"][scorer][metric] is not None]
                row[f"{scorer}_{metric}"] = round(statistics.mean(values), 4) if values else None
                row[f"{scorer}_{metric}_sd"] = round(statistics.stdev(values), 4) if len(values) > 1 else 0.0
        row["alpha_inf"] = sum(p["alpha"] == "inf" for p in points)
        for metric in METRICS:
            for scorer, prefix in (("team", "gain"), ("loop", "loop_gain")):
                diffs = [p["next_batch"][scorer][metric] - p["next_batch"]["shipped"][metric] for p in points]
                row[f"{prefix}_{metric}"] = round(statistics.mean(diffs), 4)
                row[f"{prefix}_{metric}_min"] = round(min(diffs), 4)
        rows.append(row)
    order = {str(s): i for i, s in enumerate(SIZES)} | {"all": len(SIZES)}
    return sorted(rows, key=lambda r: order.get(r["judged"], 99))


def markdown(rows: list[dict], draws: list[dict]) -> str:
    def cell(row, scorer, metric):
        return f"{row[f'{scorer}_{metric}']:.3f} ± {row[f'{scorer}_{metric}_sd']:.3f}"

    lines = ["| judged | draws: base kept / refused | metric | shipped | team | team − shipped (mean; worst draw) | "
             "used − shipped (mean; worst) | length |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    names = {"tau_doc": "tau in doc", "tau_item": "tau in item", "p_at_20": "P@20%"}
    for row in rows:
        judged = f"{row['judged']}" + (f" (~{row['judged_mean']:.0f})" if row["judged"] == "all" else "")
        for j, metric in enumerate(METRICS):
            kept = f"{row['draws']}: {row['alpha_inf']} / {row['refused']}"
            lines.append(f"| {judged if j == 0 else ''} | {kept if j == 0 else ''} | {names[metric]} | "
                         f"{cell(row, 'shipped', metric)} | {cell(row, 'team', metric)} | "
                         f"{row[f'gain_{metric}']:+.3f}; {row[f'gain_{metric}_min']:+.3f} | "
                         f"{row[f'loop_gain_{metric}']:+.3f}; {row[f'loop_gain_{metric}_min']:+.3f} | "
                         f"{cell(row, 'length', metric)} |")
    raters = ", ".join(f"seed {d['seed']}: {d['rater']} ({d['export_segments']} segments)" for d in draws)
    lines.append("")
    lines.append(f"Team export per draw: {raters}. Figures on the next batch (about "
                 f"{statistics.mean(d['next_segments'] for d in draws):.0f} segments per draw), against the mean of "
                 "all three raters; mean ± standard deviation over draws. *base kept*: draws where cross-validation "
                 "chose alpha inf (the team model is the shipped one); *refused*: draws where calibrate refused to "
                 "write the refit (held out worse than the shipped model); *team*: the refit whatever calibrate "
                 "decided; *used*: what the team scores with (the shipped model where calibrate refused).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features-cache", type=Path)
    parser.add_argument("--from-json", type=Path, help="summarise the draws of an earlier --json again (no fitting)")
    parser.add_argument("--mqm", type=Path, default=MQM)
    parser.add_argument("--reviewed", type=int, default=10, help="articles in the reviewed part (of 19)")
    parser.add_argument("--draws", type=int, default=5, help="random splits (seeds 1..N)")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--team", choices=("most", "first"), default="most",
                        help="the team's export: the rater with most segments of the reviewed part, or each "
                        "segment's first rater (several raters of different severity)")
    parser.add_argument("--no-rater-scales", action="store_true", help="take the raters' penalties as marked")
    parser.add_argument("--rule", choices=ALPHA_RULES, default="paired", help="how calibrate chooses alpha "
                        "(mtaudit.evaluation.recalibrate.ALPHA_RULES; default: calibrate's)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
        draws = result["draws"]
        rows = result["summary"] = summary(draws)
    elif not args.features_cache:
        parser.error("--features-cache is required (or --from-json)")
    else:
        audited = cached_audit(args.features_cache, args.mqm)
        base = RiskModel.for_pair("zh", "en")
        with tempfile.TemporaryDirectory() as tmp:
            draws = [one_draw(seed, audited, base, args.mqm, args.reviewed, args.sizes, args.folds, Path(tmp),
                              args.team, not args.no_rater_scales, args.rule)
                     for seed in range(1, args.draws + 1)]
        rows = summary(draws)
        result = {"mqm": args.mqm.name, "base": base.name, "model": audited.model,
                  "reviewed_articles": args.reviewed, "team": args.team, "rater_scales": not args.no_rater_scales,
                  "alpha_rule": args.rule,
                  "sizes": args.sizes, "summary": rows, "draws": draws}
    text = markdown(rows, draws)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, default=lambda v: None if isinstance(v, float)
                                        and math.isnan(v) else v) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
