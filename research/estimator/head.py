"""Research: the token-level additive head. risk(segment) = sum_t softplus(MLP(x_t)) + detectors . w + b."""
from __future__ import annotations

import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DETECTORS = ["names", "names_src", "credits", "phrasing", "numbers", "repetition", "untranslated", "brackets"]


def seg_ptr(tok_seg, n):
    return np.searchsorted(tok_seg, np.arange(n + 1))


def token_scalars(data):
    lp = np.nan_to_num(data.lp, nan=0.0).astype(np.float32)
    gap = np.nan_to_num(data.lpmax - data.lp, nan=0.0).astype(np.float32)
    return np.column_stack([-lp, gap, np.exp(lp), (lp < -5).astype(np.float32)])


def seg_inputs(data):
    """segment-level inputs: detector counts (severity-weighted) and length ratio."""
    rows = []
    for f in data.feats:
        rows.append([f.get(f"detector_{d}", 0.0) for d in DETECTORS])
    return np.asarray(rows, np.float32)


class Head(nn.Module):
    def __init__(self, dim, n_scalar, n_det, hidden=64, dropout=0.1, linear=False, n_layers=1):
        super().__init__()
        self.linear = linear
        self.n_layers = n_layers
        self.dim = dim
        self.mix = nn.Parameter(torch.zeros(n_layers))
        if linear:
            self.tok = nn.Linear(dim + n_scalar, 1)
        else:
            self.tok = nn.Sequential(nn.Dropout(dropout), nn.Linear(dim + n_scalar, hidden), nn.GELU(approximate="tanh"),
                                     nn.Dropout(dropout), nn.Linear(hidden, 1))
        self.det_raw = nn.Parameter(torch.full((n_det,), -1.0))  # softplus -> >= 0
        self.bias = nn.Parameter(torch.zeros(()))

    def token_mass(self, x):
        if self.n_layers > 1:
            states = x[:, : self.dim * self.n_layers].view(-1, self.n_layers, self.dim)
            mixed = (states * torch.softmax(self.mix, 0)[None, :, None]).sum(1) * math.sqrt(self.n_layers)
            x = torch.cat([mixed, x[:, self.dim * self.n_layers:]], 1)
        return F.softplus(self.tok(x).squeeze(-1))

    def forward(self, x, tok_seg_local, n_seg, det):
        e = self.token_mass(x)
        s = torch.zeros(n_seg, dtype=e.dtype).index_add_(0, tok_seg_local, e)
        return s + det @ F.softplus(self.det_raw) + self.bias, e


def pair_loss(s, p, groups, temp=1.0):
    """mean logistic loss over pairs of the same group with different penalties (weighted by the gap, capped)."""
    losses, weights = [], []
    for idx in groups:
        if len(idx) < 2:
            continue
        idx_t = torch.as_tensor(idx)
        ss, pp = s[idx_t], p[idx_t]
        dp = pp[:, None] - pp[None, :]
        mask = dp > 0.05
        if not mask.any():
            continue
        ds = (ss[:, None] - ss[None, :])[mask] / temp
        w = dp[mask].clamp(max=5.0)
        losses.append((F.softplus(-ds) * w).sum())
        weights.append(w.sum())
    if not losses:
        return s.sum() * 0
    return torch.stack(losses).sum() / torch.stack(weights).sum()


class Trainer:
    def __init__(self, data, X, train, *, hidden=64, dropout=0.1, linear=False, epochs=10, lr=1e-3, wd=1e-2,
                 lam_item=1.0, lam_doc=1.0, lam_reg=0.1, temp=1.0, seed=0, batch_groups=32, span_labels=None,
                 lam_span=0.0, verbose=False, val=None, target=None, item_groups=None):
        """``target`` (per segment; default the mean penalty) is what the doc pairs and the Huber term learn;
        ``item_groups`` (a list of (segment ids, their penalties)) replaces the item pairs' groups, e.g. the
        translations of one source judged by one rater with that rater's penalties (issue 29: same-rater pairs)."""
        self.data, self.train = data, np.asarray(train)
        self.ptr = seg_ptr(data.tok_seg, data.n)
        self.scal = token_scalars(data)
        self.det = seg_inputs(data)
        self.p = (np.array([g.penalty for g in data.gold], np.float32) if target is None
                  else np.asarray(target, np.float32))
        self.item_groups = item_groups
        # X: [T, dim] or [T, n_layers, dim]
        self.n_layers = 1 if X.ndim == 2 else X.shape[1]
        self.dim = X.shape[-1]
        self.X = X.reshape(len(X), -1) if X.ndim == 3 else X
        # standardise on training tokens
        tr_tok = np.concatenate([np.arange(self.ptr[i], self.ptr[i + 1]) for i in self.train])
        sample = tr_tok[np.random.default_rng(0).choice(len(tr_tok), min(len(tr_tok), 100000), replace=False)]
        xs = np.hstack([X[sample], self.scal[sample]])
        self.mu, self.sd = xs.mean(0), xs.std(0) + 1e-4
        self.hp = dict(hidden=hidden, dropout=dropout, linear=linear, epochs=epochs, lr=lr, wd=wd, lam_item=lam_item,
                       lam_doc=lam_doc, lam_reg=lam_reg, temp=temp, seed=seed, batch_groups=batch_groups,
                       lam_span=lam_span)
        self.span_labels = span_labels
        self.verbose = verbose
        self.val = None if val is None else np.asarray(val)

    def inputs(self, segs):
        toks = np.concatenate([np.arange(self.ptr[i], self.ptr[i + 1]) for i in segs])
        local = np.repeat(np.arange(len(segs)), [self.ptr[i + 1] - self.ptr[i] for i in segs])
        x = (np.hstack([self.X[toks], self.scal[toks]]) - self.mu) / self.sd
        return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(local).long(), toks

    def fit(self):
        hp = self.hp
        torch.manual_seed(hp["seed"])
        rng = np.random.default_rng(hp["seed"])
        gold = self.data.gold
        model = Head(self.dim, self.scal.shape[1], self.det.shape[1], hp["hidden"], hp["dropout"], hp["linear"],
                     self.n_layers)
        opt = torch.optim.AdamW(model.parameters(), lr=hp["lr"], weight_decay=hp["wd"])
        items, docs = {}, {}
        for i in self.train:
            items.setdefault(gold[i].item, []).append(i)
            docs.setdefault(gold[i].document, []).append(i)
        if self.item_groups is None:
            items = [(v, self.p[v]) for v in items.values() if len(v) > 1]
        else:
            items = [(list(v), np.asarray(q, np.float32)) for v, q in self.item_groups if len(v) > 1]
        docs = list(docs.values())
        # doc batches: chunks of documents of ~ 300 segments; item batches: batch_groups items
        steps_per_epoch = None
        t0 = time.time()
        best = None
        for epoch in range(hp["epochs"]):
            model.train()
            batches = []
            order = rng.permutation(len(items))
            for a in range(0, len(order), hp["batch_groups"]):
                batches.append(("item", [items[j] for j in order[a:a + hp["batch_groups"]]]))
            order = rng.permutation(len(docs))
            cur, size = [], 0
            for j in order:
                d = docs[j]
                if len(d) > 120:  # long TED talk translations: take a random window of 120 segments
                    s0 = rng.integers(0, len(d) - 120)
                    d = d[s0:s0 + 120]
                cur.append(d); size += len(d)
                if size >= 300:
                    batches.append(("doc", cur)); cur, size = [], 0
            if cur:
                batches.append(("doc", cur))
            rng.shuffle(batches)
            tot = 0.0
            for kind, groups in batches:
                if kind == "item":  # (segments, the penalties their pairs compare)
                    pair_p = torch.from_numpy(np.concatenate([q for _, q in groups]).astype(np.float32))
                    groups = [g for g, _ in groups]
                segs = np.concatenate(groups)
                x, local, toks = self.inputs(segs)
                s, e = model(x, local, len(segs), torch.from_numpy(self.det[segs]))
                p = torch.from_numpy(self.p[segs])
                if kind != "item":
                    pair_p = p
                local_groups, a = [], 0
                for g in groups:
                    local_groups.append(list(range(a, a + len(g)))); a += len(g)
                lam = hp["lam_item"] if kind == "item" else hp["lam_doc"]
                loss = (lam * pair_loss(s, pair_p, local_groups, hp["temp"])
                        + hp["lam_reg"] * F.huber_loss(s, p, delta=5.0))
                if hp["lam_span"] and self.span_labels is not None:
                    y = self.span_labels[toks]
                    m = y >= 0
                    if m.any():
                        logit = torch.log(torch.expm1(e.clamp(min=1e-4)))  # inverse softplus: token logit
                        loss = loss + hp["lam_span"] * F.binary_cross_entropy_with_logits(
                            logit[torch.from_numpy(m)], torch.from_numpy(y[m]).float())
                opt.zero_grad()
                loss.backward()
                opt.step()
                tot += loss.item()
            self.model = model
            crit = None
            if self.val is not None:
                crit = self.criterion(self.val)
                if best is None or crit > best[0]:
                    best = (crit, epoch, {k: v.clone() for k, v in model.state_dict().items()})
            if self.verbose:
                print(f"    epoch {epoch} loss {tot / len(batches):.4f} val {crit} {time.time() - t0:.0f}s", flush=True)
        if best is not None:
            model.load_state_dict(best[2])
            self.best_epoch = best[1]
        self.model = model
        return self

    def criterion(self, segs):
        from research.estimator.data import figures
        pred = self.predict(segs)
        vals = []
        for ds in dict.fromkeys(self.data.gold[i].dataset for i in segs):
            idx = [k for k, i in enumerate(segs) if self.data.gold[i].dataset == ds]
            f = figures(self.data, pred[idx], [segs[k] for k in idx])
            vals.append(((f["tau_doc"] or 0) + (f["tau_item"] or 0)) / 2)
        return float(np.mean(vals))

    @torch.no_grad()
    def predict(self, segs):
        self.model.eval()
        out = []
        for a in range(0, len(segs), 500):
            chunk = np.asarray(segs[a:a + 500])
            x, local, _ = self.inputs(chunk)
            s, _ = self.model(x, local, len(chunk), torch.from_numpy(self.det[chunk]))
            out.append(s.numpy())
        return np.concatenate(out)

    @torch.no_grad()
    def token_mass(self, segs):
        self.model.eval()
        x, local, toks = self.inputs(np.asarray(segs))
        return self.model.token_mass(x).numpy(), toks
