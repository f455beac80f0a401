"""Accuracy of mtaudit's language detection (``mtaudit.languages.detect``) on single news sentences.

200 sentences per language, drawn with a fixed seed from ../shared/data: English from the held-out tail of news-en
(the last 10,000 lines), German from news-de, Chinese from the source side of parallel/newstest-zh-en.tsv. One
sentence is the hardest case the audit meets (it detects on up to 2,000 characters of a document).

    python -m tools.probes.langid_accuracy [--per-language 200] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from mtaudit.languages import detect

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # beside the repository


def sentences(per_language: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)

    def pick(lines):
        lines = [line.strip() for line in lines if len(line.strip()) >= 10]
        return rng.sample(lines, per_language)

    english = (DATA / "news-en" / "newstest-2008-2021.en.txt").read_text(encoding="utf-8").splitlines()[-10_000:]
    german = (DATA / "news-de" / "newstest-2009-2021.de.txt").read_text(encoding="utf-8").splitlines()
    chinese = [row.split("\t")[1] for row in
               (DATA / "parallel" / "newstest-zh-en.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return {"en": pick(english), "de": pick(german), "zh": pick(chinese)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-language", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent (it exists only in the development workplace)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    detect("warm up the model")
    load = time.perf_counter() - started
    print(f"detector loaded in {load:.2f} s\n| language | sentences | correct | accuracy | mistaken for |")
    print("| --- | ---: | ---: | ---: | --- |")
    started = time.perf_counter()
    total = right = 0
    for lang, items in sentences(args.per_language, args.seed).items():
        wrong = [(detect(s), s) for s in items]
        wrong = [(got, s) for got, s in wrong if got != lang]
        total += len(items)
        right += len(items) - len(wrong)
        seen = ", ".join(sorted({str(g) for g, _ in wrong})) or "-"
        print(f"| {lang} | {len(items)} | {len(items) - len(wrong)} | {(len(items) - len(wrong)) / len(items):.3f} "
              f"| {seen} |")
        for got, s in wrong[:5]:
            print(f"    {got}: {s[:100]}", file=sys.stderr)
    per = (time.perf_counter() - started) / max(1, total) * 1000
    print(f"\nall: {right}/{total} ({right / total:.3f}); {per:.2f} ms per sentence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
