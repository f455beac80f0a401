"""False findings of the rule detectors on clean news: how many findings each detector raises per 100 sentences.

Clean news lines (one per line in ../shared/data/news-de/ or news-en/) are cut into documents of ``--doc-lines``
lines (one paragraph per line), audited with every rule detector for the given pair (``--langs``), and each
finding is counted against its detector. Professional news is not free of errors, so a finding is an upper bound on
a false finding; ``--show N`` prints examples to read.

    python -m tools.probes.false_findings --langs en-de --lines 2000            # German: news-de, first 2,000 lines
    python -m tools.probes.false_findings --langs zh-en --lines 2000 --tail     # English: the held-out tail of news-en
    python -m tools.probes.false_findings --langs en-de --lines 600 --tail --model gemma3-270m   # + odd-phrasing spans

With ``--model`` the language model also scores every sentence and its odd-phrasing findings (detector ``fluency``,
from the target language's surprisal norms) are counted too; take ``--tail`` lines then, which the norms never saw.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from mtaudit.pipeline import prepare
from mtaudit.detectors import build_detectors
from mtaudit.core.document import Document, Segment
from mtaudit.languages import parse_langs

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"  # beside the repository
CORPUS = {"de": SHARED / "news-de" / "newstest-2009-2021.de.txt", "en": SHARED / "news-en" / "newstest-2008-2021.en.txt"}


def documents(lines: list[str], per_doc: int, name: str) -> list[Document]:
    out = []
    for start in range(0, len(lines), per_doc):
        chunk = lines[start:start + per_doc]
        out.append(Document(path=f"{name}:{start + 1}", segments=[Segment(id=str(i + 1), target=t)
                                                                  for i, t in enumerate(chunk)], format="text"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--langs", default="en-de")
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--offset", type=int, default=0, help="first line to use (0-based)")
    ap.add_argument("--tail", action="store_true", help="take the lines from the end of the file (held-out tail)")
    ap.add_argument("--doc-lines", type=int, default=20)
    ap.add_argument("--show", type=int, default=0, help="print up to N findings per detector")
    ap.add_argument("--model", default=None, help="also score with this model and count its odd-phrasing findings")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    pair = parse_langs(args.langs)
    path = CORPUS[pair.target]
    if not path.is_file():
        print(f"{path} is absent (it exists only in the development workplace)", file=sys.stderr)
        return 2
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = lines[-args.lines:] if args.tail else lines[args.offset:args.offset + args.lines]
    detectors = build_detectors()
    started = time.perf_counter()
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    sentences = 0
    docs = [prepare(doc, detectors, pair) for doc in documents(lines, args.doc_lines, path.name)]
    names = [d.name for d in detectors]
    if args.model:
        from mtaudit.fluency import load_scorer

        load_scorer(args.model, threads=args.threads).score(docs)
        names.append("fluency")
    for doc in docs:
        for sentence in doc.sentences():
            sentences += 1
            for f in sentence.findings:
                counts[f.detector] += 1
                if args.show and len(examples.setdefault(f.detector, [])) < args.show:
                    examples[f.detector].append(f"  [{sentence.text[f.start:f.end]}] {sentence.text}\n    {f.message}")
    seconds = time.perf_counter() - started
    print(f"{args.langs}: {len(lines)} lines of {path.name} ({'last' if args.tail else f'from line {args.offset + 1}'})"
          f" in {args.doc_lines}-line documents, {sentences} sentences, {seconds:.1f} s")
    print("| detector | findings | per 100 sentences |\n| --- | ---: | ---: |")
    for name in names:
        print(f"| {name} | {counts[name]} | {100 * counts[name] / max(1, sentences):.2f} |")
    for name, rows in examples.items():
        print(f"\n{name}:")
        print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
