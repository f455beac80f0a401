"""How far a pruned output vocabulary moves the audit (issue 28's largest lever), measured before building it.

The default model's head projects every scored position onto 262,144 tokens; most never occur in Chinese, English or
German news. A pruned head keeps the ids seen in the supported languages' other text (``bench.flops.corpus_counts``:
newstest en/de, both parallel sets, the samples; optionally only the ``--top`` most frequent) and renormalises over
them. The true token always gets its own logit (one dot product), so a rare token outside the set still gets a
log-probability: ``log p = logit(t) - logsumexp(logits over kept ids, plus logit(t) when t is not kept)``. The best
token (an estimator input) is the best kept one.

This script audits the same news twice through the real pipeline (``audit_mqm``: reader, detectors, scorer, trained
estimator), once with the full head and once with the pruned one swapped into the scorer, scores the segments with
the shipped zh-en risk model as ``mtaudit eval`` does, and reports: the log-probability and feature movements, the
language-model findings that appear or vanish, the review order's agreement between the two runs (Kendall tau within
documents), the ranking figures of both against the human MQM penalties next to length on the same segments, and the
head's own time both ways.

    python -m research.pruned_head [--file wmt23] [--docs 4] [--systems 10] [--top 0] [--out FILE]

The swap touches the scorer's module function ``token_logprobs`` and the decoder's ``project``: research code, run
from the repository root; the product has no pruned head yet.
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
from bench.flops import DATA, corpus_counts
from bench.machine import describe
from mtaudit.evaluation.features import audit_mqm
from mtaudit.evaluation.mqm import MqmSet, read_mqm
from mtaudit.evaluation.ranking import grouped_tau, ranking_figures
from mtaudit.fluency import load_scorer
from mtaudit.fluency.decoders import token_logprobs
from mtaudit.pipeline.config import AuditConfig
from mtaudit.risk import RiskModel

FILES = {"wmt23": DATA / "mqm" / "wmt23_news_zhen_dev.tsv", "wmt21": DATA / "mqm" / "wmt21_news_zhen.scores.tsv"}
MODEL = "gemma3-270m"


class PrunedHead:
    """A context manager that makes the scorer's eager forward score over ``kept`` ids only, and times both heads on
    every chunk it sees (the full head's result is computed too, only for the clock and the comparison)."""

    def __init__(self, scorer, kept: torch.Tensor, active: bool) -> None:
        self.scorer, self.kept, self.active = scorer, kept, active
        self.weight = scorer.decoder.embedding
        self.kept_weight = self.weight[kept].contiguous()
        self.in_kept = torch.zeros(self.weight.shape[0], dtype=torch.bool)
        self.in_kept[kept] = True
        self.seconds = Counter()
        self.positions = 0
        self.outside = 0  # true tokens outside the kept ids
        self.best_outside = 0  # positions whose full-vocabulary best token is outside the kept ids
        self.delta: list[np.ndarray] = []  # pruned - full log-prob, every position
        self.delta_best: list[np.ndarray] = []

    def __enter__(self) -> "PrunedHead":
        decoder, softcap = self.scorer.decoder, self.scorer.decoder.softcap
        self._project, self._logprobs = decoder.project, scorer_module.token_logprobs

        def project(hidden):  # hand the hidden states on: the head runs in ``logprobs`` where the targets are known
            return hidden

        def logprobs(hidden, targets, softcap_=None, best=True):
            hidden = hidden.to(self.weight.dtype)
            t = time.perf_counter()
            full, full_best = token_logprobs(torch.nn.functional.linear(hidden, self.weight).float(), targets,
                                             softcap, best=True)
            self.seconds["full head + log-sum-exp"] += time.perf_counter() - t
            t = time.perf_counter()
            pruned, pruned_best = self.pruned(hidden, targets, softcap)
            self.seconds["pruned head + log-sum-exp"] += time.perf_counter() - t
            self.positions += len(targets)
            self.outside += int((~self.in_kept[targets]).sum())
            self.delta.append((pruned - full).numpy())
            self.delta_best.append((pruned_best - full_best).numpy())
            if self.active:
                return pruned, pruned_best if best else None
            return full, full_best if best else None

        decoder.project = project
        scorer_module.token_logprobs = logprobs
        return self

    def pruned(self, hidden: torch.Tensor, targets: torch.Tensor, softcap) -> tuple[torch.Tensor, torch.Tensor]:
        logits = torch.nn.functional.linear(hidden, self.kept_weight).float()
        own = (hidden * self.weight[targets]).sum(-1).float()  # the true token's logit, kept or not
        if softcap:
            logits, own = torch.tanh(logits / softcap) * softcap, torch.tanh(own / softcap) * softcap
        outside = ~self.in_kept[targets]
        # the true token joins the normaliser when the kept ids do not hold it
        norm = torch.logaddexp(torch.logsumexp(logits, -1), torch.where(outside, own, torch.full_like(own, -1e30)))
        return own - norm, logits.max(-1).values - norm

    def __exit__(self, *exc) -> None:
        del self.scorer.decoder.project  # the instance attribute; the class's method again
        scorer_module.token_logprobs = self._logprobs


def subset(mqm: MqmSet, docs: int, systems: int) -> MqmSet:
    """The first ``docs`` source documents as ``systems`` systems translated them (every system's translation of a
    kept document, so tau within items has all of them)."""
    names = list(dict.fromkeys(g.doc for g in mqm.segments))[:docs]
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
    ap.add_argument("--top", type=int, default=0, help="keep only the most frequent ids (0: every id seen)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    path = FILES[args.file]
    if not path.is_file():
        print(f"skipped: {path} is absent")
        return 0
    print(describe(), flush=True)
    scorer = load_scorer(MODEL)
    counts = Counter()
    for c in corpus_counts(scorer.tokenizer).values():
        counts.update(c)
    ids = [i for i, _ in counts.most_common(args.top or None)]
    kept = torch.tensor(sorted(ids))
    print(f"kept {len(kept):,} of {scorer.decoder.embedding.shape[0]:,} ids", flush=True)
    mqm = subset(read_mqm(path), args.docs, args.systems)
    config = AuditConfig(model=MODEL, langs="zh-en")
    runs = {}
    for name, active in (("full", False), ("pruned", True)):
        started = time.perf_counter()
        with PrunedHead(scorer, kept, active) as head:
            audited = audit_mqm(mqm, config, scorer_factory=lambda *a, **k: scorer)
        runs[name] = (audited, head, time.perf_counter() - started)
        print(f"{name}: {len(audited.segments)} segments in {runs[name][2]:.0f} s; head "
              f"{dict((k, round(v, 2)) for k, v in head.seconds.items())}", flush=True)
    (full, head, _), (pruned, _, _) = runs["full"], runs["pruned"]
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
        "audit_seconds": {k: round(v[2], 1) for k, v in runs.items()},
    }
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
