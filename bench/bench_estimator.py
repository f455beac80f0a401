"""Audit throughput with the model, with and without the trained estimator (issue 11's speed check).

Audits the first ``--segments`` segments of a segment-score MQM file (default: WMT21 zh-en news, one system, with
sources, so every segment takes the source-conditioned pass the estimator reads) through the full audit (detectors,
both model passes, risk), once per variant per round, interleaved A B B A so that a change in machine load hits both
alike. Prints the load average before and after, each round's sentences/s and the median ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from mtaudit.pipeline import AuditConfig
from mtaudit.evaluation.features import audit_mqm
from mtaudit.evaluation.mqm import MqmSet, read_mqm
from mtaudit.fluency import load_scorer

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "data" / "mqm" / "wmt21_news_zhen.scores.tsv"


def subset(mqm: MqmSet, system: str, n: int) -> MqmSet:
    mqm = mqm.only_systems([system])
    mqm.segments = mqm.segments[:n]
    return mqm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mqm", default=str(NEWS))
    ap.add_argument("--segments", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=2, help="A B B A rounds")
    args = ap.parse_args()
    if not Path(args.mqm).is_file():
        print(f"skipped: {args.mqm} is absent (../shared/data holds the development data)")
        return
    mqm = read_mqm(args.mqm, "zh-en")
    system = mqm.segments[0].system
    mqm = subset(mqm, system, args.segments)
    config = AuditConfig(model="gemma3-270m", langs="zh-en")
    scorers = {"with estimator": load_scorer("gemma3-270m"), "without": load_scorer("gemma3-270m", estimator=False)}
    print(f"{len(mqm.segments)} segments of {system} in {Path(args.mqm).name}; load {os.getloadavg()[0]:.1f} before")
    audit_mqm(mqm, config, scorer_factory=lambda name, device=None: scorers["without"])  # warm-up
    rates: dict[str, list[float]] = {k: [] for k in scorers}
    for _ in range(args.rounds):
        for variant in ("with estimator", "without", "without", "with estimator"):
            started = time.perf_counter()
            audited = audit_mqm(mqm, config, scorer_factory=lambda name, device=None: scorers[variant])
            seconds = time.perf_counter() - started
            sentences = sum(len(s.sentences) for s in audited.segments)
            rates[variant].append(sentences / seconds)
            print(f"{variant:15s} {sentences} sentences {seconds:6.1f} s {sentences / seconds:6.2f} sentences/s "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
    ratios = [a / b for a, b in zip(rates["with estimator"], rates["without"])]
    print(f"median sentences/s: with {statistics.median(rates['with estimator']):.2f}, without "
          f"{statistics.median(rates['without']):.2f}; with/without per pair: "
          f"{', '.join(f'{r:.3f}' for r in ratios)} (median {statistics.median(ratios):.3f}); "
          f"load {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
