"""What one pass costs the ranking, held out by document (issue 28's "one pass where two are not needed").

Reads the feature rows ``research/pruned_head.py --out F`` saved (``F.<head>.audited.json``: every segment of an MQM
news file audited with both passes), and refits the risk model by document folds (``calibrate.cross_validate``: each
fold of a file's documents scored by a model fitted on every other fold and every other file given) on feature
subsets: both passes (today's default), one pass (the target-only pass's signals removed: what ``--fast`` computes),
and one pass without the signals the source pass gained for it (``src_word_logprob_min``, ``src_word_z_max``). The
same segments, the same folds, the length baseline beside them.

A simplification: the one-pass rows keep the severity-weighted finding counts (``findings_minor``, ...) that include
the odd-phrasing findings of the target-only pass, which a real one-pass audit would not have (``detector_fluency``
itself is removed). The figures are therefore a bound to confirm with a real one-pass audit, not the audit's own.

    python -m research.one_pass /tmp/ph_wmt21.pruned.audited.json /tmp/ph_wmt23.pruned.audited.json [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mtaudit.evaluation.calibrate import cross_validate
from mtaudit.evaluation.features import AuditedSet, load_cached_sets

TARGET_PASS = ("lm_", "fluency", "detector_fluency", "src_pmi_")
VARIANTS = {
    "both passes (default)": (),
    "one pass": TARGET_PASS,
    "one pass, without src_word_z_max": TARGET_PASS + ("src_word_z_max",),
    "one pass as --fast ships (also without src_word_logprob_min)": TARGET_PASS + ("src_word_z_max",
                                                                                  "src_word_logprob_min"),
}


def read(path: Path) -> AuditedSet:
    """The first audit a features cache holds."""
    return load_cached_sets(path)[0]


def without(row: dict[str, float], prefixes: tuple[str, ...]) -> dict[str, float]:
    return {k: v for k, v in row.items() if not k.startswith(prefixes)}


def report_variants(audited: AuditedSet, variants: dict[str, list[dict[str, float]]], width: int = 62) -> dict:
    """Each variant's rows refitted by document folds (the same folds and segments for all), printed beside length;
    returns the pooled held-out figures per variant and file."""
    report = {}
    for name, rows in variants.items():
        result = cross_validate(audited, rows=rows)["datasets"]
        report[name] = {d: r["pooled"] for d, r in result.items()}
        for dataset, pooled in report[name].items():
            m, length = pooled["mtaudit"], pooled["length"]
            print(f"{name:{width}s} {dataset:28s} tau_doc {m['tau_doc']:.4f} tau_item {m['tau_item']:.4f} "
                  f"P@20 {m['p_at_20']:.4f} | length {length['tau_doc']:.4f} {length['tau_item']:.4f} "
                  f"{length['p_at_20']:.4f}", flush=True)
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("audited", nargs="+", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    audited = AuditedSet.combine([read(p) for p in args.audited])
    report = report_variants(audited, {name: [without(r, drop) for r in audited.features]
                                       for name, drop in VARIANTS.items()})
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
