"""How far a pruned output vocabulary moves the audit (issue 28's largest lever), measured before building it.

The default model's head projects every scored position onto 262,144 tokens; most never occur in Chinese, English or
German news. A pruned head keeps the ids seen in the supported languages' other text (``tools.build_head.corpus_counts``:
newstest en/de, both parallel sets, the samples; optionally only the ``--top`` most frequent) and renormalises over
them. The true token always gets its own logit (one dot product), so a rare token outside the set still gets a
log-probability: ``log p = logit(t) - logsumexp(logits over kept ids, plus logit(t) when t is not kept)``. The best
token (an estimator input) is the best kept one.

This script audits the same news twice through the real pipeline (``audit_mqm``: reader, detectors, scorer, trained
estimator), once with the full head and once with the pruned one, running the model once (``BothHeads``: the second
audit replays the pruned head's log-probs computed on the first audit's hidden states), scores the segments with
the shipped zh-en risk model as ``mtaudit eval`` does, and reports: the log-probability and feature movements, the
language-model findings that appear or vanish, the review order's agreement between the two runs (Kendall tau within
documents), the ranking figures of both against the human MQM penalties next to length on the same segments, and the
head's own time both ways.

    python -m research.pruned_head [--file wmt23] [--docs 4 (0: all)] [--systems 10] [--kept pinned|text] [--top 0]
                                   [--cv] [--out FILE]

The swap replaces the scorer's ``head`` (``mtaudit.fluency.heads``) for the run: research code, run from the
repository root. Written before the product had a pruned head; the product's own (``heads.PrunedHead`` over the pinned
ids of ``tools/build_head.py``) adds the ids the model itself expects to the text's ids, which this script's
``--top``/all-seen sets lack.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

import mtaudit.fluency.scorer as scorer_module
from bench.flops import DATA
from tools.build_head import corpus_counts
from bench.machine import describe
from mtaudit.evaluation.features import audit_mqm, save_audited
from mtaudit.evaluation.mqm import MqmSet, read_mqm
from mtaudit.evaluation.ranking import grouped_tau, ranking_figures
from mtaudit.fluency import load_scorer
from mtaudit.evaluation.calibrate import cross_validate
from mtaudit.fluency.heads import FullHead, pinned_head
from mtaudit.fluency.heads import PrunedHead as Pruned
from mtaudit.pipeline.config import AuditConfig
from mtaudit.risk import RiskModel

FILES = {"wmt23": DATA / "mqm" / "wmt23_news_zhen_dev.tsv", "wmt21": DATA / "mqm" / "wmt21_news_zhen.scores.tsv"}
MODEL = "gemma3-270m"


class BothHeads:
    """A context manager for two audits of the same news that run the model once: during the first (``record``) the
    scorer's head computes both heads on every chunk of hidden states, returns the full head's log-probs and keeps the
    pruned head's; the second (``replay``) skips the model and hands the scorer, batch by batch, the pruned head's
    log-probs with the same batch's states (the body is the same for both heads). Both heads are timed on the same
    states. Research code: it wraps the scorer's private ``_eager`` (the forward in PyTorch)."""

    def __init__(self, scorer, kept: torch.Tensor) -> None:
        self.scorer = scorer
        self.full = FullHead(scorer.decoder)
        self.pruned = Pruned(scorer.decoder, kept)
        self.in_kept = torch.zeros(scorer.decoder.vocab_size, dtype=torch.bool)
        self.in_kept[kept] = True
        self.seconds = Counter()
        self.positions = 0
        self.outside = 0  # true tokens outside the kept ids
        self.delta: list[np.ndarray] = []  # pruned - full log-prob, every position
        self.delta_best: list[np.ndarray] = []
        self.batches: list[tuple] = []  # per forward: (ids shape, pruned log-probs, pruned best, states)
        self._chunks: list[tuple] = []

    def _head(self, hidden, targets, best=True):
        t = time.perf_counter()
        full, full_best = self.full(hidden, targets)
        self.seconds["full head + log-sum-exp"] += time.perf_counter() - t
        t = time.perf_counter()
        pruned, pruned_best = self.pruned(hidden, targets)
        self.seconds["pruned head + log-sum-exp"] += time.perf_counter() - t
        self.positions += len(targets)
        self.outside += int((~self.in_kept[targets]).sum())
        self.delta.append((pruned - full).numpy())
        self.delta_best.append((pruned_best - full_best).numpy())
        self._chunks.append((pruned, pruned_best))
        return full, full_best if best else None

    def record(self):
        scorer, eager = self.scorer, self.scorer._eager

        def recording(batch, ids, *args):
            self._chunks = []
            out, top, states = eager(batch, ids, *args)
            values = torch.cat([c[0] for c in self._chunks]).numpy()
            best = torch.cat([c[1] for c in self._chunks]).numpy() if top is not None else None
            self.batches.append((tuple(ids.shape), values, best, states))
            return out, top, states

        return _Swap(scorer, head=self._head, _eager=recording)

    def replay(self):
        queue = iter(self.batches)

        def replaying(batch, ids, *args):
            shape, values, best, states = next(queue)
            assert shape == tuple(ids.shape), "the second audit cut other batches than the first"
            return values, best, states

        return _Swap(self.scorer, _eager=replaying)


class _Swap:
    """Set attributes of an object for a ``with`` block, and take them away after."""

    def __init__(self, owner, **values) -> None:
        self.owner, self.values = owner, values

    def __enter__(self):
        self.saved = {k: self.owner.__dict__.get(k) for k in self.values}
        for k, v in self.values.items():
            setattr(self.owner, k, v)

    def __exit__(self, *exc) -> None:
        for k, v in self.saved.items():
            if v is None:
                delattr(self.owner, k)
            else:
                setattr(self.owner, k, v)


def subset(mqm: MqmSet, docs: int, systems: int) -> MqmSet:
    """The first ``docs`` source documents as ``systems`` systems translated them (every system's translation of a
    kept document, so tau within items has all of them)."""
    names = list(dict.fromkeys(g.doc for g in mqm.segments))[: docs or None]
    kept_systems = list(dict.fromkeys(g.system for g in mqm.segments))[:systems]
    return MqmSet(path=mqm.path, rows=mqm.rows, unweighted=mqm.unweighted, source_lang=mqm.source_lang,
                  target_lang=mqm.target_lang, layout=mqm.layout,
                  segments=[g for g in mqm.segments if g.doc in names and g.system in kept_systems])


def figures(audited, risks: list[float]) -> dict:
    gold = audited.gold
    return ranking_figures(risks, [g.penalty for g in gold], [g.has_major for g in gold], [g.document for g in gold],
                           [g.item for g in gold])


def summary(values: np.ndarray) -> dict:
    a = np.abs(values)
    return {"mean_abs": float(a.mean()), "p99_abs": float(np.quantile(a, 0.99)), "max_abs": float(a.max()),
            "mean": float(values.mean())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", choices=sorted(FILES), default="wmt23")
    ap.add_argument("--docs", type=int, default=4, help="first source documents of the file")
    ap.add_argument("--systems", type=int, default=10, help="first systems of the file")
    ap.add_argument("--kept", choices=("pinned", "text"), default="pinned",
                    help="pinned: the product's list (models.json); text: only the ids the other text uses")
    ap.add_argument("--top", type=int, default=0, help="with --kept text, only the most frequent ids (0: all)")
    ap.add_argument("--cv", action="store_true", help="also held-out figures: risk models refitted by document folds")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    path = FILES[args.file]
    if not path.is_file():
        print(f"skipped: {path} is absent")
        return 0
    print(describe(), flush=True)
    scorer = load_scorer(MODEL, head="full")
    if args.kept == "pinned":
        kept = torch.as_tensor(pinned_head(MODEL)[0])
    else:
        counts = Counter()
        for c in corpus_counts(scorer.tokenizer).values():
            counts.update(c)
        kept = torch.tensor(sorted(i for i, _ in counts.most_common(args.top or None)))
    print(f"kept {len(kept):,} of {scorer.decoder.embedding.shape[0]:,} ids", flush=True)
    mqm = subset(read_mqm(path), args.docs, args.systems)
    config = AuditConfig(model=MODEL, langs="zh-en")
    head = BothHeads(scorer, kept)
    runs = {}
    for name, swap in (("full", head.record), ("pruned", head.replay)):
        started = time.perf_counter()
        with swap():
            audited = audit_mqm(mqm, config, scorer_factory=lambda *a, **k: scorer)
        runs[name] = (audited, time.perf_counter() - started)
        print(f"{name}: {len(audited.segments)} segments in {runs[name][1]:.0f} s; head "
              f"{dict((k, round(v, 2)) for k, v in head.seconds.items())}", flush=True)
    full, pruned = runs["full"][0], runs["pruned"][0]
    if args.out:  # the features of both audits, for later variants (e.g. one pass) without running the model again
        for name, (audited, _) in runs.items():
            save_audited(args.out.with_suffix(f".{name}.audited.json"), audited,
                         {"mqm_sha256": path.name, "head": name})
    model = RiskModel.for_pair("zh", "en")  # the shipped zh-en model, as `mtaudit eval` scores segments
    risk_full = [model.risk(f) for f in full.features]
    risk_pruned = [model.risk(f) for f in pruned.features]
    length = [float(len(s.target)) for s in full.segments]
    docs = [g.document for g in full.gold]
    # every feature per segment, both ways (only the model's should move)
    keys = sorted({k for f in full.features for k in f})
    moved = {}
    for k in keys:
        a = np.array([f.get(k, 0.0) for f in full.features], dtype=float)
        b = np.array([f.get(k, 0.0) for f in pruned.features], dtype=float)
        spread = float(a.std()) or 1.0
        moved[k] = {"mean_abs": float(np.abs(b - a).mean()), "max_abs": float(np.abs(b - a).max()),
                    "mean_abs_in_sd": float(np.abs(b - a).mean() / spread),
                    "tau": grouped_tau(list(b), list(a), ["all"] * len(a))}
    lm_full = {(i, d, s, e) for i, f in enumerate(full.findings) for d, s, e in f if d == "fluency"}
    lm_pruned = {(i, d, s, e) for i, f in enumerate(pruned.findings) for d, s, e in f if d == "fluency"}
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": describe(),
        "command": "python -m research.pruned_head " + " ".join(sys.argv[1:]), "file": path.name,
        "segments": len(full.segments), "documents": len(set(docs)), "kept_ids": len(kept),
        "positions": head.positions, "true_token_outside": head.outside / max(head.positions, 1),
        "logprob_delta": summary(np.concatenate(head.delta)),
        "best_logprob_delta": summary(np.concatenate(head.delta_best)),
        "head_seconds": dict(head.seconds),
        "features_moved": moved,
        "fluency_findings": {"full": len(lm_full), "pruned": len(lm_pruned), "both": len(lm_full & lm_pruned)},
        "order_agreement_tau_within_documents": grouped_tau(risk_pruned, risk_full, docs),
        "ranking": {"full": figures(full, risk_full), "pruned": figures(pruned, risk_pruned),
                    "length": figures(full, length)},
        "audit_seconds": {k: round(v[1], 1) for k, v in runs.items()},
    }
    if args.cv:  # the same protocol for both heads: risk models refitted on the other folds of documents
        report["held_out"] = {name: cross_validate(audited)["datasets"] for name, audited in (("full", full),
                                                                                                ("pruned", pruned))}
    print(json.dumps({k: v for k, v in report.items() if k != "features_moved"}, indent=1))
    worst = sorted(moved.items(), key=lambda kv: -kv[1]["mean_abs_in_sd"])[:8]
    print("features that moved most (mean |change| in the feature's SD):")
    for k, v in worst:
        print(f"  {k:40s} {v['mean_abs_in_sd']:.4f} SD  max {v['max_abs']:.4f}  tau {v['tau']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
