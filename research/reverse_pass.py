"""Does the reverse direction tell a good translation from a bad one of the same source? (issue 29)

The default audit scores the target given the source, ``log p(t | s)``, and the target alone. Both reward fluent,
short, generic output; neither notices what the translation leaves out or gets wrong if the result reads well. The
reverse direction, ``log p(s | t)`` (the source scored under a prompt that asks to translate the target back),
measures how well a translation explains its source: for the translations of one source the scored tokens are the
same, so the sum compares them with no length confound at all. This script scores, for every segment of an MQM
file: the forward pass (as the product builds it), the reverse pass, and the source alone (``log p(s)``, for the
reverse PMI across sources), and prints the ranking figures of each signal and of simple combinations against the
raters' mean penalty. Per-segment values are written to ``--out`` (JSON) for later fits.

    python -m research.reverse_pass ../shared/data/mqm/wmt23_news_zhen_dev.tsv --out /work/scratch/rev/wmt23.json
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def score_file(path: str, pair: str, scorer, limit: int | None) -> dict:
    from mtaudit.evaluation.mqm import read_mqm
    from mtaudit.fluency.scorer import Request

    src_lang, tgt_lang = pair.split("-")
    mqm = read_mqm(path, pair)
    golds = [g for _, doc in mqm.documents() for g in doc if g.source and (g.target or "").strip()]
    if limit:
        docs = sorted({g.doc for g in golds})[:limit]
        golds = [g for g in golds if g.doc in docs]
    fwd, rev, alone = [], [], []
    for g in golds:
        target, source = " ".join(g.target.split()), " ".join(g.source.split())
        head, body = scorer.prompt(source, src_lang, tgt_lang)
        fwd.append(Request(head, body + target, len(body)))
        head, body = scorer.prompt(target, tgt_lang, src_lang)
        rev.append(Request(head, body + source, len(body)))
        alone.append(Request("", source, 0))
    out = {"file": Path(path).name, "rows": []}
    times = {}
    results = {}
    for name, reqs in (("fwd", fwd), ("rev", rev), ("alone", alone)):
        t0 = time.time()
        results[name] = [lp for _, lp in scorer.logprobs(reqs)]
        times[name] = round(time.time() - t0, 1)
        print(f"{out['file']}: {name} pass {times[name]} s for {len(reqs)} segments", file=sys.stderr, flush=True)
    for k, g in enumerate(golds):
        row = dict(system=g.system, doc=g.doc, seg=g.seg_id, penalty=g.penalty, major=g.has_major,
                   raters=g.named_raters, words=len(g.target.split()), chars=len(g.target))
        for name in results:
            lp = results[name][k]
            row[f"{name}_sum"], row[f"{name}_n"], row[f"{name}_min"] = float(lp.sum()), int(len(lp)), float(lp.min())
        out["rows"].append(row)
    out["seconds"] = times
    return out


def report(data: dict) -> None:
    from mtaudit.evaluation.ranking import ranking_figures

    rows = data["rows"]
    pen = [r["penalty"] for r in rows]
    major = [r["major"] for r in rows]
    docs = [(r["system"], r["doc"]) for r in rows]
    items = [(r["doc"], r["seg"]) for r in rows]
    raters = [r["raters"] for r in rows]
    a = {k: np.array([r[k] for r in rows], float) for k in rows[0] if k.endswith(("_sum", "_n", "_min"))}
    a["words"] = np.array([r["words"] for r in rows], float)

    def z(x):
        return (x - x.mean()) / (x.std() or 1)

    signals = {
        "length (words)": a["words"],
        "-fwd sum": -a["fwd_sum"],
        "-fwd mean": -a["fwd_sum"] / a["fwd_n"],
        "-rev sum": -a["rev_sum"],
        "-rev mean": -a["rev_sum"] / a["rev_n"],
        "-(rev - alone) sum (reverse PMI)": -(a["rev_sum"] - a["alone_sum"]),
        "-(rev - alone) / n": -(a["rev_sum"] - a["alone_sum"]) / a["rev_n"],
        "-rev min": -a["rev_min"],
        "-fwd mean - rev mean (z)": z(-a["fwd_sum"] / a["fwd_n"]) + z(-a["rev_sum"] / a["rev_n"]),
        "-fwd sum - rev PMI (z)": z(-a["fwd_sum"]) + z(-(a["rev_sum"] - a["alone_sum"])),
    }
    print(f"{data['file']}: {len(rows)} segments; tau / tau_doc / tau_item / tau_item_rater / pearson / P@20")
    for name, s in signals.items():
        f = ranking_figures(list(s), pen, major, docs, items, raters)
        print(f"  {name:38s} " + " / ".join(f"{f[k]:+.4f}" if f[k] is not None else "-" for k in
                                             ("tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="an MQM file, or a JSON this script wrote (report only)")
    ap.add_argument("--pair", default="zh-en")
    ap.add_argument("--docs", type=int, default=0, help="only the first N documents (0: all)")
    ap.add_argument("--out", help="write the per-segment values here (JSON)")
    args = ap.parse_args()
    if args.file.endswith(".json"):
        report(json.loads(Path(args.file).read_text()))
        return
    import torch

    from mtaudit.fluency import load_scorer

    torch.set_num_threads(2)
    scorer = load_scorer("gemma3-270m", norms=False, estimator=False)
    data = score_file(args.file, args.pair, scorer, args.docs or None)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(data))
    report(data)


if __name__ == "__main__":
    main()
