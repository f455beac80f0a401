"""Research data access: compact arrays of both datasets, gold, folds, metrics."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from mtaudit.evaluation.calibrate import document_folds
from mtaudit.evaluation.features import AuditedSet
from mtaudit.evaluation.ranking import ranking_figures
from mtaudit.evaluation.mqm import GoldSegment

WORK = Path(os.environ.get("ESTIMATOR_WORK", "/work/scratch/i11"))  # dumps, arrays, results
ROOT = WORK / "compact"
DATASETS = ("mqm_ted_zhen", "wmt21_news_zhen.scores")


def bf16(x):
    return (x.astype(np.int32).astype(np.uint32) << 16).view(np.float32)


@dataclass
class Part:
    name: str
    gold: list
    feats: list
    findings: list
    tok_seg: np.ndarray
    lp: np.ndarray
    lpmax: np.ndarray
    off: np.ndarray
    tok_id: np.ndarray

    def states(self, layer, kind="src"):
        f = ROOT / self.name / (f"states_L{layer}.npy" if kind == "src" else f"tgt_states_L{layer}.npy")
        return np.load(f, mmap_mode="r")

    def srcpool(self, layer):
        return np.load(ROOT / self.name / f"srcpool_L{layer}.npy")


def load_part(name) -> Part:
    d = ROOT / name
    entry = json.load(open(d / "gold.json"))
    gold = []
    for g in entry["gold"]:
        g["spans"] = [tuple(s) for s in g["spans"]]
        gold.append(GoldSegment(**g))
    return Part(name, gold, entry["features"], [[tuple(f) for f in r] for r in entry["findings"]],
                np.load(d / "tok_seg.npy"), np.load(d / "tok_lp.npy"), np.load(d / "tok_lpmax.npy"),
                np.load(d / "tok_off.npy"), np.load(d / "tok_id.npy"))


@dataclass
class Data:
    parts: list
    gold: list
    feats: list
    findings: list
    seg_offset: list  # first global segment index of each part
    tok_seg: np.ndarray  # global segment index per token (concatenated parts)
    lp: np.ndarray
    lpmax: np.ndarray
    off: np.ndarray
    detectors: list

    @property
    def n(self):
        return len(self.gold)

    def states(self, layer, kind="src", dtype=np.float32):
        """Hidden states divided by their root mean square per token (the scale the next layer's RMSNorm sees):
        label-free, and it brings Gemma's massive activations (up to ~1e5) into float16 range."""
        out = []
        for p in self.parts:
            raw = p.states(layer, kind)
            chunk = []
            for a in range(0, len(raw), 50000):
                x = bf16(np.asarray(raw[a:a + 50000]))
                x /= np.sqrt((x * x).mean(1, keepdims=True)) + 1e-6
                chunk.append(x.astype(dtype))
            out += chunk
        return np.concatenate(out)

    def audited(self) -> AuditedSet:
        return AuditedSet(gold=self.gold, segments=[], features=self.feats, detectors=self.detectors,
                          model="gemma3-270m", findings=self.findings)


@lru_cache(1)
def load(names=DATASETS) -> Data:
    parts = [load_part(n) for n in names]
    gold, feats, findings, offs, segs = [], [], [], [], []
    for p in parts:
        offs.append(len(gold))
        segs.append(p.tok_seg + len(gold))
        gold += p.gold
        feats += p.feats
        findings += p.findings
    dets = ["names", "names_src", "credits", "phrasing", "numbers", "repetition", "untranslated", "brackets"]
    return Data(parts, gold, feats, findings, offs, np.concatenate(segs), np.concatenate([p.lp for p in parts]),
                np.concatenate([p.lpmax for p in parts]), np.concatenate([p.off for p in parts]), dets)


def folds(data: Data, k=5):
    return document_folds(data.gold, k)


def figures(data: Data, scores, index):
    g = [data.gold[i] for i in index]
    return ranking_figures(list(map(float, scores)), [x.penalty for x in g], [x.has_major for x in g],
                           [x.document for x in g], [x.item for x in g])


def cross_validate(data: Data, fit_predict, k=5, verbose=True):
    """fit_predict(train_idx, test_idx) -> scores for test_idx. Returns pooled figures per dataset (+ length)."""
    plan = folds(data, k)
    pred = np.full(data.n, np.nan)
    for ds, label, test in plan:
        held = set(test)
        train = np.array([i for i in range(data.n) if i not in held])
        pred[test] = fit_predict(train, np.asarray(test))
        if verbose:
            f = figures(data, pred[test], test)
            print(f"  {ds[:12]} {label[:20]:20s} tau_doc {f['tau_doc']:.3f} tau_item {f['tau_item']:.3f} "
                  f"p20 {f['p_at_20']:.3f}", flush=True)
    out = {}
    for ds in dict.fromkeys(g.dataset for g in data.gold):
        idx = [i for i, g in enumerate(data.gold) if g.dataset == ds]
        length = [len(data.gold[i].target.split()) for i in idx]
        out[ds] = {"model": figures(data, pred[idx], idx), "length": figures(data, length, idx)}
    return out, pred


def show(result, label=""):
    for ds, r in result.items():
        m, l = r["model"], r["length"]
        print(f"{label:28s} {ds[:14]:14s} tau {m['tau']:.3f} tau_doc {m['tau_doc']:.3f} ({m['tau_doc'] - l['tau_doc']:+.3f})"
              f" tau_item {m['tau_item']:.3f} pearson {m['pearson']:.3f} p20 {m['p_at_20']:.3f} ({m['p_at_20'] - l['p_at_20']:+.3f})",
              flush=True)
