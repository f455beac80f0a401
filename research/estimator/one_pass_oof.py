"""The trained estimator's out-of-fold error mass for the one-pass (`audit --fast`) risk variant, from the audit's own
inputs (issue 28).

The shipped risk recipe stacks the estimator's mass on the calibrate features; its training rows must carry the mass
of a head that never saw their documents (`oof_mass.py`), or the fit over-trusts it. `oof_mass.py` reads the full
research dump (`dump.py` + `compact.py`: six layers of both passes, about 100 minutes on the 2-core VM). The estimator
reads one thing, layer 12 of the source-conditioned pass at the target's tokens, so this script takes exactly what the
product's estimator reads at run time, in one `--fast` audit:

1. `capture FILE...`: audits each MQM file with the default model and `--fast`, keeping for every segment the inputs of
   `Estimator.token_mass` (layer-12 states divided by their RMS, as float16; the token log-probs and the best token's),
   each token's sentence, and the standard features cache. Resumable: a file already captured is skipped.
2. `oof`: five heads (`head.Trainer`, the shipped recipe: 6 epochs), head k trained without document fold k of every
   file, each scoring its held-out documents; writes each sentence's and each segment's out-of-fold mass.

Writes under `$ESTIMATOR_WORK/one_pass` (default /work/scratch/i11/one_pass); nothing goes into git. Run from the
repository root: `python -m research.estimator.one_pass_oof capture ../shared/data/mqm/mqm_ted_zhen.tsv
../shared/data/mqm/wmt21_news_zhen.scores.tsv`, then `python -m research.estimator.one_pass_oof oof`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import numpy as np

from research.estimator.data import WORK

OUT = WORK / "one_pass"
FILES = ("mqm_ted_zhen", "wmt21_news_zhen.scores")


def capture(path: str) -> None:
    from mtaudit.evaluation.calibrate import file_sha256
    from mtaudit.evaluation.features import audit_mqm, cache_key, save_audited
    from mtaudit.evaluation.mqm import read_mqm
    from mtaudit.fluency import estimator as est_module
    from mtaudit.fluency.scorer import LMScorer
    from mtaudit.pipeline import AuditConfig

    mqm = read_mqm(path, "zh-en")
    out = OUT / mqm.name
    if (out / "tokens.npz").exists():
        print(f"{mqm.name}: captured already", file=sys.stderr)
        return
    out.mkdir(parents=True, exist_ok=True)
    stash: dict = {}
    kept: dict[int, tuple] = {}
    token_mass = est_module.Estimator.token_mass
    fill = LMScorer._fill_estimator

    def spy_mass(self, states, logprobs, best):
        x = np.asarray(states, dtype=np.float32)
        x = x / (np.sqrt((x * x).mean(axis=1, keepdims=True)) + 1e-6)
        stash["inputs"] = (x.astype(np.float16), np.asarray(logprobs, np.float32), np.asarray(best, np.float32))
        return token_mass(self, states, logprobs, best)

    def spy_fill(segment, placed, mass):
        states, lp, best = stash.pop("inputs")
        kept[id(segment)] = (states, lp, best, np.asarray([k for k, _, _ in placed], np.int32))
        return fill(segment, placed, mass)

    est_module.Estimator.token_mass = spy_mass
    LMScorer._fill_estimator = staticmethod(spy_fill)
    config = AuditConfig(model="gemma3-270m", langs="zh-en", fast=True)
    started = time.time()
    try:
        audited = audit_mqm(mqm, config, progress=lambda n: print(
            f"{mqm.name}: {n} docs {time.time() - started:.0f}s", file=sys.stderr, flush=True))
    finally:
        est_module.Estimator.token_mass = token_mass
        LMScorer._fill_estimator = staticmethod(fill)
    seg, sent, states, lp, best = [], [], [], [], []
    missing = 0
    for i, segment in enumerate(audited.segments):
        if id(segment) not in kept:  # no source or no sentence: the estimator never read it
            missing += 1
            continue
        s, l, b, k = kept[id(segment)]
        seg.append(np.full(len(l), i, np.int32)); sent.append(k); states.append(s); lp.append(l); best.append(b)
    np.savez(out / "tokens.tmp.npz", seg=np.concatenate(seg), sent=np.concatenate(sent),
             states=np.concatenate(states), lp=np.concatenate(lp), best=np.concatenate(best))
    save_audited(out / "features.json", audited, cache_key(file_sha256(path), None, config))
    (out / "tokens.tmp.npz").replace(out / "tokens.npz")
    print(f"{mqm.name}: {len(audited.segments)} segments ({missing} without the estimator), "
          f"{sum(map(len, lp))} tokens, {time.time() - started:.0f}s", file=sys.stderr)


@dataclass
class Arrays:
    """What `head.Trainer` reads of `data.Data`: gold, feature rows, and per token its segment, log-prob and best."""
    gold: list
    feats: list
    tok_seg: np.ndarray
    lp: np.ndarray
    lpmax: np.ndarray

    @property
    def n(self):
        return len(self.gold)


def load(files=FILES):
    from mtaudit.evaluation.features import AuditedSet, load_cached_sets

    parts = [load_cached_sets(OUT / name / "features.json")[0] for name in files]
    audited = AuditedSet.combine(parts)
    seg, sent, states, lp, best, offset = [], [], [], [], [], 0
    for name, part in zip(files, parts):
        tokens = np.load(OUT / name / "tokens.npz")
        seg.append(tokens["seg"] + offset); sent.append(tokens["sent"])
        states.append(tokens["states"]); lp.append(tokens["lp"]); best.append(tokens["best"])
        offset += len(part.gold)
    order = np.argsort(np.concatenate(seg), kind="stable")  # segment order, tokens in place within a segment
    tok_seg = np.concatenate(seg)[order]
    return (Arrays(audited.gold, audited.features, tok_seg, np.concatenate(lp)[order], np.concatenate(best)[order]),
            np.concatenate(states)[order], np.concatenate(sent)[order], audited.sentences)


def oof() -> None:
    import torch

    from mtaudit.evaluation.calibrate import document_folds
    from research.estimator.head import Trainer

    torch.set_num_threads(2)
    data, X, sent, sentences = load()
    plan = document_folds(data.gold)
    ptr = np.searchsorted(data.tok_seg, np.arange(data.n + 1))
    token = np.full(len(data.tok_seg), np.nan)
    started = time.time()
    for k in range(5):  # fold k of every file held out together, as oof_mass.py
        test = np.concatenate([np.asarray(idx) for j, (_, _, idx) in enumerate(plan) if j % 5 == k])
        train = np.setdiff1d(np.arange(data.n), test)
        trainer = Trainer(data, X, train, epochs=6).fit()
        mass, toks = trainer.token_mass(test)
        token[toks] = mass
        print(f"fold {k}: {len(test)} segments held out, {time.time() - started:.0f}s", file=sys.stderr, flush=True)
    assert np.isfinite(token).all()
    segment = np.zeros(data.n)
    np.add.at(segment, data.tok_seg, token)
    # per sentence, in the order of each segment's sentence rows (a segment the estimator never read gets zeros)
    per_sentence = [[0.0] * max(1, len(rows)) for rows in sentences]
    for i in range(data.n):
        for t in range(ptr[i], ptr[i + 1]):
            per_sentence[i][sent[t]] += float(token[t])
    tmp = OUT / "oof.tmp.json"
    tmp.write_text(json.dumps({"files": list(FILES), "segment": segment.tolist(), "sentence": per_sentence}))
    tmp.replace(OUT / "oof.json")
    print(f"oof: {data.n} segments, {len(token)} tokens, {time.time() - started:.0f}s", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", choices=("capture", "oof"))
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.step == "capture":
        for path in args.files:
            capture(path)
    else:
        oof()


if __name__ == "__main__":
    main()
