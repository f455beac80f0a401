"""The figures behind the model tests, printed rather than asserted, for any registered model.

* clean held-out news-en lines against shuffled / adjacent-swapped / function-word-dropped versions: the share of
  pairs where the clean line is more fluent;
* where the two known-bad sentences of the seed article rank by fluency (least fluent first);
* how often odd-phrasing findings fire on clean and perturbed lines, and whether findings on swapped lines cover the
  swap.

    python -m tools.probes.fluency_checks [--models gemma3-270m smollm2-135m] [--pairs 100] [--threads N]
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from mtaudit.fluency import load_scorer
from tools.perturbed_news import SEED, document, perturbed_pairs, swapped_span


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["gemma3-270m", "smollm2-135m"])
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--context", default="previous")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    for name in args.models:
        scorer = load_scorer(name, threads=args.threads, context=args.context)
        pairs = perturbed_pairs(args.pairs, seed=11)
        clean = {(p, l): document([p, l], split=False) for t in pairs.values() for p, l, _ in t}
        bad = {k: [document([p, b], split=False) for p, _, b in t] for k, t in pairs.items()}
        scorer.score(list(clean.values()) + [d for v in bad.values() for d in v])

        def second(doc):
            return doc.segments[1].sentences[0]

        print(f"== {name} (context={args.context}, dtype={str(scorer.dtype)[6:]})")
        for kind, triples in pairs.items():
            for key in ("lm_logprob_mean", "lm_logprob_sum"):
                wins = [second(clean[(p, l)]).scores[key] > second(d).scores[key]
                        for (p, l, _), d in zip(triples, bad[kind])]
                print(f"  clean beats {kind:8} by {key:15}: {np.mean(wins):6.1%} of {len(wins)} pairs")

        def fired(docs):
            found = [second(d).findings for d in docs]
            return (f"{np.mean([bool(f) for f in found]):.0%} with a finding, "
                    f"{np.mean([any(x.severity.value == 'major' for x in f) for f in found]):.0%} with a major one")

        print(f"  findings on clean lines: {fired(clean.values())}")
        for kind, docs in bad.items():
            print(f"  findings on {kind} lines: {fired(docs)}")
        covered = flagged = 0
        for (p, line, b), d in zip(pairs["swapped"], bad["swapped"]):
            s = second(d)
            lo, hi = swapped_span(line, b)
            if s.findings:
                flagged += 1
                covered += any(f.start < hi and f.end > lo for f in s.findings)
        print(f"  swapped lines with a finding: {flagged}; finding overlaps the swapped words: {covered}")

        paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        doc = document(paragraphs)
        scorer.score([doc])
        ranked = sorted(doc.sentences(), key=lambda s: s.fluency)
        for needle in ("The company quoted Shi as saying", "Putin reciprocates with"):
            rank = next(i for i, s in enumerate(ranked) if needle in s.text) + 1
            print(f"  seed: {needle!r} ranks {rank} of {len(ranked)} (least fluent first; third = {len(ranked) / 3:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
