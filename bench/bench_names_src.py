"""Time each rule detector on WMT21 zh->en news with its source (288 documents: 9 translations x 32 articles).

    python -m bench.bench_names_src [--rounds 3] [--baseline PATH_TO_ANOTHER_CHECKOUT]

With ``--baseline`` the same measurement runs, in alternating subprocesses, on another checkout's code (for example
``git worktree add ../base main``), so before and after are timed in one run under the same load; prints seconds per
detector for each round and the after/before ratio of the medians.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TSV = REPO.parent / "shared" / "data" / "mqm" / "wmt21_news_zhen.scores.tsv"


def measure(tsv: Path) -> dict[str, float]:
    from mtaudit.pipeline import prepare
    from mtaudit.detectors import build_detectors
    from mtaudit.core.document import Document, Segment

    rows = defaultdict(list)
    with tsv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows[(row["system"], row["doc"])].append(row)
    docs = [prepare(Document(path=f"{s}/{d}", segments=[
        Segment(id=r["seg_id"], target=r["target"], source=r["source"])
        for r in sorted(rs, key=lambda r: int(r["seg_id"]))]), []) for (s, d), rs in sorted(rows.items())]
    detectors = build_detectors()
    for detector in detectors:  # warm-up: jieba's dictionary, the lexicon, the name statistics
        detector.detect(docs[0])
    out = {}
    for detector in detectors:
        start = time.perf_counter()
        for doc in docs:
            detector.detect(doc)
        out[detector.name] = time.perf_counter() - start
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", type=Path)
    ap.add_argument("--tsv", type=Path, default=TSV)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.tsv)))
        return
    trees = {"after": REPO} | ({"before": args.baseline.resolve()} if args.baseline else {})
    times = defaultdict(list)
    for n in range(args.rounds):
        for label, tree in (reversed(trees.items()) if n % 2 else trees.items()):
            env = dict(os.environ, PYTHONPATH=str(tree))
            result = subprocess.run([sys.executable, __file__, "--child", "--tsv", str(args.tsv)], env=env, cwd=tree,
                                    check=True, capture_output=True, text=True)
            seconds = json.loads(result.stdout.strip().splitlines()[-1])
            times[label].append(seconds)
            print(f"round {n + 1} {label}: " + ", ".join(f"{k} {v:.2f}s" for k, v in seconds.items()), flush=True)
    print(f"load average: {os.getloadavg()[0]:.2f}")
    for name in times["after"][0]:
        after = statistics.median(t[name] for t in times["after"])
        line = f"{name}: after {after:.2f}s"
        if "before" in times and name in times["before"][0]:
            before = statistics.median(t[name] for t in times["before"])
            line += f", before {before:.2f}s, ratio {after / before:.2f}"
        print(line)


if __name__ == "__main__":
    main()
