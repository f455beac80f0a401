"""Can the source pass's own states stand in for the target-only pass? A label-free linear head, held out (issue 28).

The target-only pass gives the risk model ``log p(t)`` (``lm_*``, ``fluency`` and, with the source pass, the PMI
``src_pmi_* = log p(t | s) - log p(t)``), and under the shipped recipe one pass without it loses 0.017 tau within
documents and 0.026 tau within items on WMT23 dev news (`one_pass_ship.py`). The layer-12 states the trained
estimator already reads in the source pass carry what the model knows about the target so far; a linear map from them
(and the token's own log-probs) to the target-only log-prob costs a dot product per token.

It needs no human label: its target is the model's own target-only log-prob. Each segment's ``lm_logprob_sum`` (the
two-pass features cache) is regressed on the sum over its tokens of ``[state / rms, -lp, best - lp, exp(lp),
lp < -5, 1]`` (so one weight vector applies per token), ridge, on TED + WMT21; rows of those files get predictions from
five folds of documents, WMT23 from the fit on both. Prints how well it predicts, then `one_pass_ship`'s comparison
with the predicted ``lm_hat_*`` and ``pmi_hat_*`` added to one pass.

``--mlp``: a token MLP (645 -> 128 -> 1) instead, trained so that its mean over a segment's tokens regresses the
segment's mean target-only log-prob (8 epochs, AdamW). Neither helps the order (BENCHMARKS.md § One pass under the
shipped recipe).

    python -m research.estimator.target_standin --two-pass-cache zhen_all.features.json [--alpha 10] [--mlp]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from mtaudit.evaluation.calibrate import document_folds
from research.estimator.one_pass_oof import OUT

FILES = ("mqm_ted_zhen", "wmt21_news_zhen.scores", "wmt23_news_zhen_dev")


def token_features(states: np.ndarray, lp: np.ndarray, best: np.ndarray) -> np.ndarray:
    lp = lp.astype(np.float32)
    return np.hstack([states.astype(np.float32), np.column_stack(
        [-lp, best - lp, np.exp(lp), (lp < -5).astype(np.float32), np.ones_like(lp)])])


def segment_sums(name: str, n: int) -> np.ndarray:
    t = np.load(OUT / name / "tokens.npz")
    seg = t["seg"]
    out = np.zeros((n, 645), np.float64)
    for a in range(0, len(seg), 50000):
        np.add.at(out, seg[a:a + 50000], token_features(t["states"][a:a + 50000], t["lp"][a:a + 50000],
                                                        t["best"][a:a + 50000]))
    return out


def ridge(X: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """min sum_i w_i (x_i . b - y_i)^2 + alpha |b|^2 (the constant's column penalised alike: it is a per-token
    intercept, scaled by the token count)."""
    Xw = X * w[:, None]
    return np.linalg.solve(X.T @ Xw + alpha * np.eye(X.shape[1]), Xw.T @ y)


class Tokens:
    """Every file's token features in one array, segments in file order (``ptr``: each segment's first token)."""

    def __init__(self, files, sizes):
        feats, seg, offset = [], [], 0
        for name, n in zip(files, sizes):
            t = np.load(OUT / name / "tokens.npz")
            order = np.argsort(t["seg"], kind="stable")
            feats.append(token_features(t["states"][order], t["lp"][order], t["best"][order]).astype(np.float16))
            seg.append(t["seg"][order] + offset)
            offset += n
        self.x = np.concatenate(feats)
        self.seg = np.concatenate(seg)
        self.ptr = np.searchsorted(self.seg, np.arange(offset + 1))
        sample = self.x[:: max(1, len(self.x) // 100000)].astype(np.float32)
        self.mu, self.sd = sample.mean(0), sample.std(0) + 1e-3
        self.mu[-1], self.sd[-1] = 0.0, 1.0  # the constant column stays 1

    def batch(self, segs):
        import torch

        idx = np.concatenate([np.arange(self.ptr[i], self.ptr[i + 1]) for i in segs])
        local = np.repeat(np.arange(len(segs)), [self.ptr[i + 1] - self.ptr[i] for i in segs])
        x = (self.x[idx].astype(np.float32) - self.mu) / self.sd
        return torch.from_numpy(x), torch.from_numpy(local).long()


def mlp_fit_predict(tokens: Tokens, y_mean: np.ndarray, ntok: np.ndarray, train, test, epochs=8, hidden=128,
                    seed=0) -> np.ndarray:
    """A token MLP whose mean over a segment's tokens regresses the segment's mean target-only log-prob; returns the
    predicted sums for ``test``."""
    import torch
    import torch.nn as nn

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = nn.Sequential(nn.Linear(tokens.x.shape[1], hidden), nn.GELU(), nn.Linear(hidden, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    train = np.asarray([i for i in train if ntok[i] > 0])
    for _ in range(epochs):
        for a in range(0, len(train), 128):
            segs = train[a:a + 128]
            x, local = tokens.batch(segs)
            out = torch.zeros(len(segs)).index_add_(0, local, net(x).squeeze(-1))
            mean = out / torch.from_numpy(ntok[segs].astype(np.float32))
            loss = ((mean - torch.from_numpy(y_mean[segs].astype(np.float32))) ** 2).mean()
            opt.zero_grad(); loss.backward(); opt.step()
        train = train[rng.permutation(len(train))]
    pred = np.zeros(len(test))
    with torch.no_grad():
        for a in range(0, len(test), 512):
            segs = np.asarray(test[a:a + 512])
            x, local = tokens.batch(segs)
            pred[a:a + len(segs)] = torch.zeros(len(segs)).index_add_(0, local, net(x).squeeze(-1)).numpy()
    return pred


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--two-pass-cache", type=Path, required=True)
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--mlp", action="store_true", help="a token MLP instead of the linear map")
    args = ap.parse_args()
    from research.estimator.one_pass_ship import entries

    two = entries(args.two_pass_cache)
    Z = {n: segment_sums(n, len(two[n].gold)) for n in FILES}
    y = {n: np.array([f.get("lm_logprob_sum", 0.0) for f in two[n].features]) for n in FILES}
    ntok = {n: Z[n][:, -1] for n in FILES}
    fit_files = FILES[:2]
    X = np.vstack([Z[n] for n in fit_files]); Y = np.concatenate([y[n] for n in fit_files])
    N = np.concatenate([ntok[n] for n in fit_files])
    scale = np.sqrt((X ** 2).mean(0)) + 1e-9
    weight = 1.0 / np.maximum(N, 1.0)  # per-token error: long segments do not dominate
    pred = {}
    gold = [g for n in fit_files for g in two[n].gold]
    oof = np.zeros(len(Y))
    plan = document_folds(gold)
    if args.mlp:
        import torch
        torch.set_num_threads(2)
        tokens = Tokens(FILES, [len(two[n].gold) for n in FILES])
        n_all = np.concatenate([ntok[n] for n in FILES])
        y_mean = np.concatenate([y[n] for n in FILES]) / np.maximum(n_all, 1.0)
    for k in range(5):
        test = np.concatenate([np.asarray(idx) for j, (_, _, idx) in enumerate(plan) if j % 5 == k])
        train = np.setdiff1d(np.arange(len(Y)), test)
        if args.mlp:
            oof[test] = mlp_fit_predict(tokens, y_mean, n_all, train, test)
        else:
            b = ridge(X[train] / scale, Y[train], weight[train], args.alpha)
            oof[test] = (X[test] / scale) @ b
        print(f"fold {k} done", flush=True)
    a = 0
    for n in fit_files:
        pred[n] = oof[a:a + len(y[n])]; a += len(y[n])
    news = np.arange(len(Y), len(Y) + len(y["wmt23_news_zhen_dev"]))
    if args.mlp:
        pred["wmt23_news_zhen_dev"] = mlp_fit_predict(tokens, y_mean, n_all, np.arange(len(Y)), news)
    else:
        b = ridge(X / scale, Y, weight, args.alpha)
        pred["wmt23_news_zhen_dev"] = (Z["wmt23_news_zhen_dev"] / scale) @ b
    for n in FILES:
        ok = ntok[n] > 0
        m_true, m_pred = y[n][ok] / ntok[n][ok], pred[n][ok] / ntok[n][ok]
        src_mean = np.array([f.get("src_logprob_mean", 0.0) for f in two[n].features])[ok]
        print(f"{n:24s} per-token mean: r(pred, lm) {np.corrcoef(m_pred, m_true)[0, 1]:.3f}  "
              f"r(src_logprob_mean, lm) {np.corrcoef(src_mean, m_true)[0, 1]:.3f}  "
              f"pmi r {np.corrcoef(src_mean - m_pred, src_mean - m_true)[0, 1]:.3f}  "
              f"rmse {np.sqrt(np.mean((m_pred - m_true) ** 2)):.3f}")
    out = OUT / ("target_standin_mlp.json" if args.mlp else "target_standin.json")
    out.write_text(json.dumps({n: pred[n].tolist() for n in FILES}))
    print("written", out)


if __name__ == "__main__":
    main()
