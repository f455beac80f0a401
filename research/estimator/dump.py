"""One model run over an MQM file: the standard features cache plus per-token states of both passes (research dump).

Writes, under OUT/DATASET/: features.json (the standard eval/calibrate features cache entry) and shards
src_NNN.npz / tgt_NNN.npz, one per scorer.score() call:
  src: keys (doc path, seg id) per row; ids (all row positions), n_ctx, row_ptr; states [P, L, 640] f16 for
       every row position at LAYERS; lp, lpmax per position (nan where unscored); off [P, 2] char offsets into
       segment.target (-1 where unscored)
  tgt: keys (doc path, seg id, sentence index); scored positions only; states at TGT_LAYERS; lp, lpmax, off
       (char offsets into sentence.text)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from mtaudit.pipeline import AuditConfig
from mtaudit.evaluation.calibrate import file_sha256
from mtaudit.evaluation.features import audit_mqm, cache_key, save_audited
from mtaudit.evaluation.mqm import read_mqm
from mtaudit.fluency import load_scorer
from mtaudit.fluency.decoders import token_logprobs
from mtaudit.fluency.scorer import padded_ids, scored_positions

LAYERS = (3, 6, 9, 12, 15, 18)  # 1-based decoder layer outputs
TGT_LAYERS = (6, 12, 18)


def instrument(scorer, out: Path):
    state = {"shard": 0, "call": None, "captured": {}, "keys": None}
    layers_kept = tuple(sorted(set(LAYERS) | set(TGT_LAYERS)))
    grabbed = {}

    orig_score = scorer.score
    orig_logprobs = scorer.logprobs

    prefixes = {}  # the decoder's state after the shared prompt, one live prompt at a time (as the scorer keeps it)

    def prefix_state(prefix):
        if prefix not in prefixes:
            prefixes.clear()
            prefixes[prefix] = scorer.decoder.prefill(prefix)
        return prefixes[prefix]

    def forward(batch, layers=()):
        # a copy of LMScorer.forward (eager PyTorch) that also keeps the states at LAYERS of every row position and
        # returns log p of the arg-max token
        self = scorer
        ids = padded_ids(batch, self.pad)
        prefix = prefix_state(batch[0].prefix) if batch[0].prefix else None
        hidden, kept = self.decoder(ids, prefix, layers_kept)
        # raw bf16 bits: lossless, no overflow
        grabbed.clear()
        grabbed.update({k: h.to(torch.bfloat16).view(torch.int16).cpu() for k, h in kept.items()})
        row_idx, col_idx, targets, lengths = scored_positions(batch)
        picked = hidden[torch.tensor(row_idx), torch.tensor(col_idx)]
        target_t = torch.tensor(targets)
        out = torch.empty(len(targets), dtype=torch.float32)
        outmax = torch.empty(len(targets), dtype=torch.float32)
        for a in range(0, len(targets), 256):
            logits = self.decoder.project(picked[a: a + 256]).float()
            out[a: a + 256], outmax[a: a + 256] = token_logprobs(logits, target_t[a: a + 256], self.decoder.softcap)
        values = out.numpy().astype(np.float64)
        maxes = outmax.numpy()
        split_max = np.split(maxes, np.cumsum(lengths)[:-1])
        for i, row in enumerate(batch):
            L = len(row.ids)
            if state["call"] == "src":
                st = np.stack([grabbed[k][i, :L].numpy() for k in LAYERS], axis=1)
            else:
                st = np.stack([grabbed[k][i, row.n_context:L].numpy() for k in TGT_LAYERS], axis=1)
            state["captured"].setdefault(row.owner, []).append(
                (row.offset, list(row.ids), row.n_context, st, split_max[i]))
        return list(np.split(values, np.cumsum(lengths)[:-1])), []

    scorer.forward = forward  # LMScorer.logprobs runs each batch through self.forward

    def logprobs(requests, layers=()):
        state["captured"] = {}
        res = orig_logprobs(requests, layers)  # no layers: the scorer is loaded without estimator (below)
        call = state["call"]
        keys = state["keys"][call]
        assert len(keys) == len(requests), (len(keys), len(requests))
        ids_all, nctx, ptr, states, lp, lpmax, off, keyl = [], [], [0], [], [], [], [], []
        for owner, (offsets, lps) in enumerate(res):
            pieces = sorted(state["captured"].get(owner, []), key=lambda p: p[0])
            n_sc = len(lps)
            if call == "src":
                lead = state["leads"][owner]
                first = pieces[0]
                ctx_ids = first[1][: first[2]]
                ctx_states = first[3][: first[2]]
                sc_ids = [t for p in pieces for t in p[1][p[2]:]]
                sc_states = [p[3][p[2]:] for p in pieces]
                row_ids = ctx_ids + sc_ids
                row_states = np.concatenate([ctx_states] + sc_states, axis=0)
                nc = len(ctx_ids)
                o = np.full((len(row_ids), 2), -1, np.int32)
                o[nc:] = np.asarray([(a + lead, b + lead) for a, b in offsets], np.int32).reshape(-1, 2)
                l = np.full(len(row_ids), np.nan, np.float32); l[nc:] = lps
                lm = np.full(len(row_ids), np.nan, np.float32)
                lm[nc:] = np.concatenate([p[4] for p in pieces]) if pieces else []
            else:
                sc_ids = [t for p in pieces for t in p[1][p[2]:]]
                row_ids = sc_ids
                row_states = np.concatenate([p[3] for p in pieces], axis=0) if pieces else np.zeros((0, len(TGT_LAYERS), 640), np.int16)
                nc = 0
                o = np.asarray(offsets, np.int32).reshape(-1, 2)
                l = np.asarray(lps, np.float32)
                lm = np.concatenate([p[4] for p in pieces]).astype(np.float32) if pieces else np.zeros(0, np.float32)
            assert len(row_ids) - nc == n_sc, (len(row_ids), nc, n_sc)
            ids_all.append(np.asarray(row_ids, np.int32)); nctx.append(nc); ptr.append(ptr[-1] + len(row_ids))
            states.append(row_states); lp.append(l); lpmax.append(lm); off.append(o); keyl.append(keys[owner])
        np.savez(out / f"{call}_{state['shard']:03d}.npz", keys=np.asarray(keyl, dtype=object),
                 ids=np.concatenate(ids_all), n_ctx=np.asarray(nctx), row_ptr=np.asarray(ptr),
                 states=np.concatenate(states), lp=np.concatenate(lp), lpmax=np.concatenate(lpmax),
                 off=np.concatenate(off))
        state["call"] = "src"
        return res

    scorer.logprobs = logprobs

    def score(documents):
        sentences = [(doc.path, seg.id, s.index) for doc in documents for seg in doc.segments for s in seg.sentences]
        segs = [(doc, seg) for doc in documents for seg in doc.segments if seg.source and seg.sentences]
        state["keys"] = {"tgt": sentences, "src": [(d.path, s.id) for d, s in segs]}
        state["leads"] = [len(s.target) - len(s.target.lstrip()) for d, s in segs]
        state["call"] = "tgt"
        orig_score(documents)
        state["shard"] += 1
        print(f"shard {state['shard']} done {time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True)

    scorer.score = score
    return scorer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mqm")
    ap.add_argument("out")
    ap.add_argument("--langs", default="zh-en")
    args = ap.parse_args()
    mqm = read_mqm(args.mqm, args.langs)
    out = Path(args.out) / mqm.name
    out.mkdir(parents=True, exist_ok=True)
    langs = f"{mqm.source_lang}-{mqm.target_lang}" if mqm.target_lang else None
    config = AuditConfig(model="gemma3-270m", langs=langs)
    started = time.time()
    # without the trained estimator: this dump is what it was trained from (its own states are captured here)
    audited = audit_mqm(mqm, config,
                        scorer_factory=lambda name, device=None: instrument(
                            load_scorer(name, device=device, estimator=False), out),
                        progress=lambda n: print(f"{n} docs {time.time() - started:.0f}s", file=sys.stderr, flush=True))
    key = cache_key(file_sha256(args.mqm), None, config)
    save_audited(out / "features.json", audited, key)
    print(json.dumps(audited.seconds), file=sys.stderr)


if __name__ == "__main__":
    main()
