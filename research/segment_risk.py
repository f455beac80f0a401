"""A segment's risk from its sentences' (issue 29, "the segment as a first-class unit"), measured where raters judged
whole paragraphs: WMT23 English→German news (``../shared/data/mqm/wmt23_news_ende_dev.tsv``, 510 paragraphs of one
to ten sentences, three raters).

Two questions, on the same segments, next to length:

1. **How to score a paragraph with a sentence model** (the shipped risk model of the pair, not fitted on this file):
   the sum of its sentences' risks (what ``eval`` and the audit now use), the riskiest sentence, the mean, and the
   old way, the model applied to one aggregated feature row of the paragraph (``features.segment_features``).
2. **How to fit** (held out, five folds by article, ``calibrate.cross_validate``): one aggregated row per paragraph
   (the old fit) against the sum of sentence risks fitted on the paragraphs' penalties (``fit_risk_model(...,
   groups=)``, the new one).

    python -m research.segment_risk [--mqm FILE ...] [--systems A,B] [--features-cache FILE] [--out FILE]

With several files, each file's folds are held out with the rest of it and every other file in the fit (as
``calibrate`` validates); ``--systems`` keeps only those systems of the files that have them (the shipped en-de
model was fitted on eTranslation and UEdin of TED and WMT21 en-de; give every WMT23 system too to keep that file
whole).

The audit is ``mtaudit eval``'s (the default model, every detector); ``--features-cache`` keeps it (it now holds each
segment's sentence rows) so a second run takes seconds.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mtaudit.evaluation.calibrate import cross_validate
from mtaudit.evaluation.datasets import audit_mqm_files, pair_risk_model
from mtaudit.evaluation.evaluate import figures_for
from mtaudit.evaluation.features import AuditedSet
from mtaudit.risk import RiskModel

MQM = Path(__file__).resolve().parents[2] / "shared" / "data" / "mqm" / "wmt23_news_ende_dev.tsv"
METRICS = ("tau", "tau_doc", "tau_item", "pearson", "p_at_20")


def aggregates(audited: AuditedSet, model: RiskModel) -> dict[str, list[float]]:
    """Each way of scoring a segment with ``model``, plus length."""
    out: dict[str, list[float]] = {"sum": [], "max": [], "mean": [], "row": [], "length": []}
    for i, gold in enumerate(audited.gold):
        risks = [model.risk(r) for r in audited.segment_rows(i)]
        out["sum"].append(sum(risks))
        out["max"].append(max(risks))
        out["mean"].append(sum(risks) / len(risks))
        out["row"].append(model.risk(audited.features[i]))
        out["length"].append(float(len(gold.target.split())))
    return out


def line(name: str, figures: dict) -> str:
    return f"{name:44s} " + " ".join(f"{m} {figures[m]:+.3f}" if figures[m] is not None else f"{m} -"
                                     for m in METRICS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mqm", type=Path, action="append", help=f"MQM file(s) (default {MQM.name})")
    ap.add_argument("--systems", help="only these comma-separated systems (of whichever file has them)")
    ap.add_argument("--features-cache", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    mqms = args.mqm or [MQM]
    audited = audit_mqm_files(mqms, features_cache=args.features_cache, systems=args.systems,
                              say=lambda kind, text: print(f"{kind}: {text}", file=sys.stderr))
    if not audited.sentences:
        print("the features cache holds no sentence rows (made before they were kept): run without it", file=sys.stderr)
        return 1
    model = pair_risk_model(mqms, None)
    sizes = [len(audited.segment_rows(i)) for i in range(len(audited.gold))]
    report: dict = {"segments": len(audited.gold), "sentences": sum(sizes), "risk_model": model.name,
                    "shipped": {}, "held_out": {}}
    print(f"{len(audited.gold)} segments, {sum(sizes)} sentences ({sum(s > 1 for s in sizes)} segments of two or "
          f"more); shipped risk model {model.name}")
    for name, scores in aggregates(audited, model).items():
        report["shipped"][name] = figures_for(audited, scores)
        print(line(f"shipped model, {name}", report["shipped"][name]))
    for name, kwargs in (("one aggregated row per segment", {"rows": audited.features}),
                         ("sum of sentence risks", {})):
        result = cross_validate(audited, **kwargs)["datasets"]
        for dataset, part in result.items():
            report["held_out"].setdefault(dataset, {})[name] = part["pooled"]["mtaudit"]
            report["held_out"][dataset]["length"] = part["pooled"]["length"]
            print(line(f"held out, {name} ({dataset})", part["pooled"]["mtaudit"]))
    for dataset, part in report["held_out"].items():
        print(line(f"held out, length ({dataset})", part["length"]))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
