"""Rebuild ``mtaudit/detectors/data/name_stats.tsv`` from a corpus of clean English news, one sentence per line.

Usage, from the repository root: ``python -m tools.build_stats CORPUS OUT [--skip N]``. ``--skip`` leaves the first
N lines out so they stay a held-out set for measuring false positives (the shipped table skips the first 10,000 lines
of the WMT newstest English file).

For every word that news capitalises in mid-sentence at least as often as it writes it in lower case, the table keeps
counts of the contexts that tell persons from places and organisations:

    word  cap  low  person  place  the  alone  first  last

``cap``: capitalised, not sentence-initial; ``low``: lower-case; ``person``: after a title ("Mr", "President") or
before a speech verb ("said", "told"); ``place``: after "in/at/from/near"; ``the``: after "the" (organisations,
places); ``alone``: a one-word capitalised run; ``first``/``last``: first/last word of a longer capitalised run.
"""
from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

from mtaudit.detectors.namelib.lexicon import SPEECH_AFTER, TITLES

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PLACE_PREP = {"in", "at", "from", "near", "across", "into", "outside"}  # not "to": "according to X"


def build(lines, skip: int = 0) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
    low: Counter = Counter()
    for n, line in enumerate(lines):
        if n < skip:
            continue
        words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(line)]
        words = [(w[:-2] if w.endswith(("'s", "’s")) else w, s, e) for w, s, e in words]
        caps = [w[:1].isupper() and not (len(w) > 1 and w.isupper()) for w, _, _ in words]
        for i, (w, s, e) in enumerate(words):
            if not caps[i]:
                if w.islower():
                    low[w] += 1
                continue
            if i == 0:
                continue
            c = counts[w]
            c[0] += 1
            prev = words[i - 1][0]
            nxt = words[i + 1][0].lower() if i + 1 < len(words) else ""
            if prev in TITLES or (nxt in SPEECH_AFTER and not caps[i + 1]):
                c[2] += 1
            if prev.lower() in _PLACE_PREP:
                c[3] += 1
            if prev.lower() == "the":
                c[4] += 1
            joined_prev = caps[i - 1] and line[words[i - 1][2]:s] == " " and i - 1 > 0
            joined_next = i + 1 < len(words) and caps[i + 1] and line[e:words[i + 1][1]] == " "
            if not joined_prev and not joined_next:
                c[5] += 1
            elif joined_next and not joined_prev:
                c[6] += 1
            elif joined_prev and not joined_next:
                c[7] += 1
    out = {}
    for w, c in counts.items():
        c[1] = low.get(w.lower(), 0)
        if c[0] >= 3 and c[0] >= c[1]:
            out[w] = c
    return out


def main(argv: list[str]) -> None:
    corpus, target = argv[0], argv[1]
    skip = int(argv[argv.index("--skip") + 1]) if "--skip" in argv else 0
    with open(corpus, encoding="utf-8") as f:
        table = build(f, skip)
    with open(target, "w", encoding="utf-8") as f:
        f.write("# word\tcap\tlow\tperson\tplace\tthe\talone\tfirst\tlast  (see tools/build_stats.py)\n")
        for w in sorted(table):
            f.write(w + "\t" + "\t".join(map(str, table[w])) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
