"""Odd-phrasing spans on held-out clean news lines and on the same lines with two adjacent words swapped.

Draws ``--pairs`` (preceding line, line) pairs from the held-out tail of news-en (or news-de with ``--lang de``;
``tools/perturbed_news.py``, seed ``--seed``), scores each clean line and its swapped twin after the preceding line
as an audit would, and counts the clean lines with a finding, the swapped lines with a finding and those whose
finding covers the swapped words. With ``--compare NORMS.json`` the same word surprisals are also judged against another norms file (e.g. the previous one,
``git show REV:mtaudit/models/norms-gemma3-270m-en.json > old.json``), by the scorer's own span code, so the two
columns differ only by the norms.

    python -m tools.probes.odd_phrasing --pairs 300 --seed 12 [--lang de] [--compare old.json] [--threads N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mtaudit.fluency import load_scorer
from mtaudit.fluency.norms import Norms, word_spans
from tools.perturbed_news import NEWS_BY_LANG, document, perturbed_pairs, swapped_span


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--compare", type=Path, help="another norms file to judge the same surprisals against")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--lang", default="en", choices=sorted(NEWS_BY_LANG), help="target language of the news lines")
    args = ap.parse_args(argv)
    news = NEWS_BY_LANG[args.lang]
    if not news.is_file():
        print(f"{news} is absent (it exists only in the development workplace)", file=sys.stderr)
        return 2
    scorer = load_scorer(args.model, threads=args.threads)
    triples = perturbed_pairs(args.pairs, seed=args.seed, lang=args.lang)["swapped"]
    docs = [(document([p, line], split=False, target_lang=args.lang), document([p, bad], split=False,
                                                                               target_lang=args.lang))
            for p, line, bad in triples]
    scored = [d for pair in docs for d in pair]
    # one target-only pass, as the audit scores these lines; every judge reads the same word surprisals
    surprisal = {id(s): words for s, words in zip([s for d in scored for s in d.sentences()],
                                                 scorer.surprisals(scored))}
    judges = {"shipped": scorer.norms_for(args.lang)}
    if args.compare:
        judges[args.compare.name] = Norms.load(args.compare)

    def findings(sentence, norms):
        if norms is None:  # no shipped norms for the language: no odd-phrasing findings
            return []
        text = sentence.text
        words = word_spans(text)
        return scorer.odd_phrasing(text, words, norms.word_z(text, words, surprisal[id(sentence)]), norms, args.lang)

    print(f"{len(triples)} held-out {args.lang} pairs (seed {args.seed}), model {args.model}")
    print("| norms | clean lines with a finding | … a major one | swapped lines with a finding | … covering the swap |")
    print("| --- | ---: | ---: | ---: | ---: |")
    n = len(triples)
    for name, norms in judges.items():
        clean = major = flagged = covering = 0
        for (_, line, bad), (good_doc, bad_doc) in zip(triples, docs):
            found = findings(good_doc.segments[1].sentences[0], norms)
            clean += bool(found)
            major += any(f.severity.value == "major" for f in found)
            found = findings(bad_doc.segments[1].sentences[0], norms)
            lo, hi = swapped_span(line, bad)
            flagged += bool(found)
            covering += any(f.start < hi and f.end > lo for f in found)
        print(f"| {name} | {clean} ({clean / n:.1%}) | {major} | {flagged} ({flagged / n:.1%}) | "
              f"{covering} ({covering / n:.1%}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
