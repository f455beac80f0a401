"""Which model score ranks translations of the same source segment best against human MQM penalties?

For a random sample of source segments of the WMT21 TED zh-en MQM set, every system's translation is scored with
each model: target-only mean/sum log-prob, source-conditioned (0-shot and 2-shot prompt) mean/sum log-prob, and the
target length as a baseline. For each segment, Kendall's tau-b between the score (higher = better) and the negated MQM
penalty is taken over that segment's translations; the figure is the mean over segments (segments where all
translations share one penalty are skipped).

MQM penalty (Google's weighting): mean over raters of Major 5, Minor 1, Minor Fluency/Punctuation 0.1,
Non-translation 25, No-error 0.

    python -m tools.probes.mqm_probe [--items 40] [--models gemma3-270m smollm2-135m]
                                     [--out tools/probes/mqm_probe.json]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

from bench.machine import describe  # the CPU and its matrix units
from mtaudit.core.document import Document, Segment, Sentence
from mtaudit.fluency import load_scorer

HERE = Path(__file__).resolve().parent
MQM = HERE.parents[2] / "shared" / "data" / "mqm" / "mqm_ted_zhen.tsv"


def weight(category: str, severity: str) -> float:
    if category.startswith("Non-translation"):
        return 25.0
    if severity == "Major":
        return 5.0
    if severity == "Minor":
        return 0.1 if category == "Fluency/Punctuation" else 1.0
    return 0.0


def load_mqm(path: Path) -> dict[tuple[str, str], dict[str, dict]]:
    """{(doc, seg_id): {system: {"source", "target", "penalty"}}}."""
    per_rater: dict[tuple, float] = defaultdict(float)
    texts: dict[tuple, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (row["doc"], row["seg_id"], row["system"])
            per_rater[key + (row["rater"],)] += weight(row["category"], row["severity"])
            texts.setdefault(key, (row["source"], re.sub(r"</?v>", "", row["target"])))
    penalties: dict[tuple, list[float]] = defaultdict(list)
    for (doc, seg, system, _rater), value in per_rater.items():
        penalties[(doc, seg, system)].append(value)
    items: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for (doc, seg, system), values in penalties.items():
        source, target = texts[(doc, seg, system)]
        items[(doc, seg)][system] = {"source": source, "target": target, "penalty": float(np.mean(values))}
    return items


def documents(rows: list[dict]) -> list[Document]:
    docs = []
    for i, row in enumerate(rows):
        seg = Segment(id=str(i), target=row["target"], source=row["source"])
        seg.sentences = [Sentence(seg, 0, 0, len(row["target"]))]
        docs.append(Document(path=f"mqm:{i}", segments=[seg], source_lang="zh", target_lang="en"))
    return docs


def mean_tau(groups: list[list[int]], scores: np.ndarray, penalties: np.ndarray) -> tuple[float, int]:
    taus = []
    for idx in groups:
        p = penalties[idx]
        if np.all(p == p[0]):
            continue
        tau = kendalltau(scores[idx], -p).statistic
        if not np.isnan(tau):
            taus.append(tau)
    return float(np.mean(taus)), len(taus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=40, help="source segments sampled (all systems of each)")
    ap.add_argument("--models", nargs="+", default=["gemma3-270m", "smollm2-135m"])
    ap.add_argument("--dtype", default="bfloat16")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "mqm_probe.json")
    args = ap.parse_args()

    items = load_mqm(MQM)
    keys = sorted(k for k, v in items.items() if len(v) >= 5)
    random.Random(args.seed).shuffle(keys)
    keys = keys[: args.items]
    rows, groups = [], []
    for key in keys:
        start = len(rows)
        for system, row in sorted(items[key].items()):
            rows.append(row)
        groups.append(list(range(start, len(rows))))
    penalties = np.array([r["penalty"] for r in rows])
    results: dict[str, dict] = {}
    length = np.array([len(r["target"].split()) for r in rows], dtype=float)
    results["length (words)"] = dict(zip(("tau", "items"), mean_tau(groups, length, penalties)))
    for name in args.models:
        for shots in (0, 2):
            scorer = load_scorer(name, dtype=args.dtype, context="none", shots=shots, norms=False,
                                 threads=args.threads)
            docs = documents(rows)
            t = time.perf_counter()
            scorer.score(docs)
            elapsed = time.perf_counter() - t
            sentences = [d.segments[0].sentences[0] for d in docs]
            keys_scored = ["src_logprob_mean", "src_logprob_sum"] + (["lm_logprob_mean", "lm_logprob_sum"] if shots == 0 else [])
            for key in keys_scored:
                label = f"{name} {key}" + (f" ({shots}-shot)" if key.startswith("src") else "")
                values = np.array([s.scores[key] for s in sentences])
                results[label] = dict(zip(("tau", "items"), mean_tau(groups, values, penalties)))
                print(f"{label:45} tau {results[label]['tau']:+.3f}", flush=True)
            print(f"  ({len(rows)} translations, {elapsed:.0f} s)", flush=True)
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": describe(),
        "command": "python " + " ".join(sys.argv),
        "items": len(keys),
        "translations": len(rows),
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    for label, r in results.items():
        print(f"{label:45} mean Kendall tau {r['tau']:+.3f} over {r['items']} segments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
