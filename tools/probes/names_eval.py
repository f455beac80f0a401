"""Measure the name detectors on clean news and on the MQM set (a quality probe, not used by the audit).

    python -m tools.probes.names_eval news FILE [--start 0 --lines 2000 --block 20]
    python -m tools.probes.names_eval mqm FILE
    python -m tools.probes.names_eval inject FILE [--start 0 --lines 10000 --block 20]

``news``: the clean English news file is one sentence per line with articles in file order, so consecutive lines
are grouped into pseudo-documents of ``--block`` lines; prints findings per 100 sentences and every finding.
``inject``: recall on planted variants: in each pseudo-document, one later bare mention of an introduced surname is
respelt the way MT and transliteration do (pinyin initials swapped: Xi -> Shi, Zhang -> Jang; a letter dropped or
two swapped in longer names) and the planted span must be flagged.
``mqm``: one document per (system, doc) of the MQM TSV, source paired with target; a finding "lands" when its span
overlaps a rater's <v>...</v> span on that segment.
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict

from mtaudit.pipeline import prepare
from mtaudit.detectors.names import NamesDetector
from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.core.document import Document, Segment


def _arg(argv, name, default):
    return int(argv[argv.index(name) + 1]) if name in argv else default


def news(path: str, argv: list[str]) -> None:
    start, lines, block = _arg(argv, "--start", 0), _arg(argv, "--lines", 2000), _arg(argv, "--block", 20)
    with open(path, encoding="utf-8") as f:
        text = [line.strip() for n, line in enumerate(f) if start <= n < start + lines]
    detector = NamesDetector()
    sentences = found = 0
    for b in range(0, len(text), block):
        segs = [Segment(id=str(i), target=t) for i, t in enumerate(text[b:b + block]) if t]
        doc = prepare(Document(path=f"block{b}", segments=segs), [])
        sentences += sum(1 for _ in doc.sentences())
        for s, f in detector.detect(doc):
            found += 1
            print(f"{start + b + int(s.segment.id)}\t{s.text[f.start:f.end]}\t{f.confidence}\t{f.message[:90]}")
    print(f"# {found} findings / {sentences} sentences = {100 * found / max(sentences, 1):.2f} per 100 sentences")


_PINYIN_SWAPS = (("zh", "j"), ("x", "sh"), ("q", "ch"), ("sh", "x"), ("ch", "q"), ("j", "zh"), ("z", "ts"),
                 ("c", "ts"), ("s", "x"))


def respell(name: str) -> str | None:
    """A plausible wrong spelling of ``name``, or None."""
    from mtaudit.detectors.namelib.romanise import is_pinyin

    low = name.lower()
    if is_pinyin(name) and len(name) <= 6:
        for old, new in _PINYIN_SWAPS:
            if low.startswith(old):
                return (new + low[len(old):]).capitalize()
        return None
    if len(name) >= 5:
        i = len(name) // 2
        return name[:i] + name[i + 1:] if name[i] != name[i - 1] else name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return None


def inject(path: str, argv: list[str]) -> None:
    from mtaudit.detectors.namelib.mentions import sentence_runs

    start, lines, block = _arg(argv, "--start", 0), _arg(argv, "--lines", 10000), _arg(argv, "--block", 20)
    with open(path, encoding="utf-8") as f:
        text = [line.strip() for n, line in enumerate(f) if start <= n < start + lines]
    detector = NamesDetector()
    planted = caught = extra = 0
    for b in range(0, len(text), block):
        segs = [Segment(id=str(i), target=t) for i, t in enumerate(text[b:b + block]) if t]
        doc = prepare(Document(path=f"block{b}", segments=segs), [])
        runs = [r for s in doc.sentences() for r in sentence_runs(s)]
        full = {r.surname for r in runs if len(r.words) >= 2}
        bare = [r for r in runs if len(r.words) == 1 and r.words[0] in full
                and any(len(o.words) >= 2 and o.sentence.segment is not r.sentence.segment and
                        int(o.sentence.segment.id) < int(r.sentence.segment.id) for o in runs)]
        target = next((r for r in bare if respell(r.words[0])), None)
        if target is None:
            continue
        wrong = respell(target.words[0])
        tok = next(t for t in target.tokens if t.text == target.words[0])
        seg = target.sentence.segment
        at = target.sentence.start + tok.start
        seg.target = seg.target[:at] + wrong + seg.target[at + len(tok.text):]
        doc = prepare(Document(path=f"block{b}", segments=[Segment(id=s.id, target=s.target) for s in segs]), [])
        planted += 1
        hit = False
        for s, f in detector.detect(doc):
            a, e = s.start + f.start, s.start + f.end
            if s.segment.id == seg.id and a < at + len(wrong) and at < e:
                hit = True
            else:
                extra += 1
        caught += hit
        print(f"{'CAUGHT' if hit else 'missed'}\t{target.words[0]} -> {wrong}\t{seg.target[:100]}")
    print(f"# planted {planted}, caught {caught} (recall {caught / max(planted, 1):.2f}); "
          f"{extra} other findings in those documents")


def mqm(path: str, argv: list[str]) -> None:
    rows = defaultdict(dict)  # (system, doc) -> seg_id -> [source, target, spans]
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            target = row["target"]
            spans = []
            if "<v>" in target and "</v>" in target:
                a = target.index("<v>")
                b = target.index("</v>") - 3
                spans.append((a, b))
            plain = target.replace("<v>", "").replace("</v>", "")
            seg = rows[(row["system"], row["doc"])].setdefault(int(row["seg_id"]), [row["source"], plain, []])
            seg[2].extend(spans)
    detectors = [NamesDetector(), NamesSourceDetector()]
    stats = {d.name: [0, 0] for d in detectors}
    segments = 0
    for (system, docname), segs in rows.items():
        order = sorted(segs)
        doc = Document(path=f"{system}/{docname}", segments=[
            Segment(id=str(i), target=segs[i][1], source=segs[i][0]) for i in order])
        prepare(doc, [])
        segments += len(order)
        for d in detectors:
            for s, f in d.detect(doc):
                a, b = s.start + f.start, s.start + f.end
                lands = any(x < b and a < y for x, y in segs[int(s.segment.id)][2])
                stats[d.name][0] += 1
                stats[d.name][1] += lands
                print(f"{d.name}\t{system}\t{s.segment.id}\t{'LANDS' if lands else 'miss'}\t"
                      f"{s.text[f.start:f.end]!r}\t{f.message[:100]}")
    for name, (n, landed) in stats.items():
        print(f"# {name}: {n} findings on {segments} segments; {landed} land on a rater span "
              f"(precision {landed / n if n else 0:.2f})")


if __name__ == "__main__":
    COMMANDS = {"news": news, "mqm": mqm, "inject": inject}
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(0 if sys.argv[1:2] in (["-h"], ["--help"]) else 2)
    COMMANDS[sys.argv[1]](sys.argv[2], sys.argv[3:])
