"""Throughput of `mtaudit audit --no-model` over a generated 1,000-article folder.

Articles are the text samples with their figures and names varied, so every file differs. Prints one Markdown table
row per worker count, ready for BENCHMARKS.md.

    python -m bench.bench_audit [--files 1000] [--workers 1,2]
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.machine import describe  # the CPU and its matrix units

REPO = Path(__file__).resolve().parents[1]


def generate(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "samples").glob("*.txt"))]
    for i in range(n):
        text = texts[i % len(texts)]
        text = "".join(str(rng.randint(1, 9)) if ch.isdigit() and rng.random() < 0.5 else ch for ch in text)
        (folder / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")


def run(folder: Path, workers: int, out: Path) -> tuple[float, int, int]:
    cmd = [sys.executable, "-m", "mtaudit", "audit", str(folder), "--no-model", "--quiet", "--top", "0",
           "--workers", str(workers), "--jsonl", str(out)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO)
    elapsed = time.perf_counter() - start
    docs = sentences = 0
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            kind = json.loads(line)["type"]
            docs += kind == "document"
            sentences += kind == "sentence"
    return elapsed, docs, sentences


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        generate(folder, args.files)
        print(f"machine: {describe()}, "
              f"Python {platform.python_version()}, {date.today()}")
        print("| workers | files | sentences | wall s | files/s | sentences/s |")
        print("|---|---|---|---|---|---|")
        for workers in (int(w) for w in args.workers.split(",")):
            elapsed, docs, sentences = run(folder, workers, Path(tmp) / f"out{workers}.jsonl")
            print(f"| {workers} | {docs} | {sentences} | {elapsed:.1f} | {docs / elapsed:.1f} | "
                  f"{sentences / elapsed:.0f} |")


if __name__ == "__main__":
    main()
