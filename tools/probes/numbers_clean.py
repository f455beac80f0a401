"""False alarms of the numbers detector's within-article checks on clean news: blocks of consecutive lines of
news-en, each block one pseudo-article, through ``NumbersDetector().detect``. Prints the count of scale-slip and of
all consistency findings, and each scale-slip finding.

    python -m tools.probes.numbers_clean [--blocks 1000] [--lines 20]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mtaudit.core.document import Category, Document, Segment
from mtaudit.detectors.numbers import NumbersDetector
from mtaudit.pipeline import prepare

NEWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "news-en" / "newstest-2008-2021.en.txt"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--blocks", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=20)
    args = ap.parse_args()
    if not NEWS.is_file():
        print(f"{NEWS} is absent (it exists only in the development workplace)", file=sys.stderr)
        return 2
    lines = NEWS.read_text(encoding="utf-8").splitlines()
    step = len(lines) // args.blocks
    detector = NumbersDetector()
    scale, consistency, sentences = [], 0, 0
    started = time.perf_counter()
    for b in range(args.blocks):
        paragraphs = [line.strip() for line in lines[b * step: b * step + args.lines] if line.strip()]
        # one segment per line, sentences split, English target, nothing detected yet (as the tests build documents)
        doc = prepare(Document(path=f"news-en:{b * step + 1}", format="text", target_lang="en", segments=[
            Segment(id=str(i + 1), target=text) for i, text in enumerate(paragraphs)]), [])
        sentences += sum(1 for _ in doc.sentences())
        for sentence, finding in detector.detect(doc):
            consistency += finding.category == Category.INCONSISTENCY
            if "times apart" in finding.message:
                scale.append((sentence.text, finding.message))
    print(f"{args.blocks} blocks of {args.lines} lines, {sentences} sentences: {len(scale)} scale-slip findings, "
          f"{consistency} consistency findings in all ({time.perf_counter() - started:.0f} s)")
    for text, message in scale:
        print(f"- {text[:150]} | {message[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
