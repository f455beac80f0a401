"""Top-layer fine-tuning of the estimator from cached layer-12 states (issue 29, item 3): a trainable copy of the base
model's layers 13 .. 12+N on top of the dumped layer-12 states (``states_dump.py``), feeding the shipped token-mass
head through a zero-initialised residual, so that before the first step the model is today's estimator exactly.

    python -m research.estimator.top_layers --train wmt21_news_zhen.scores --test wmt23_news_zhen_dev \\
        [--layers 3] [--epochs 1] [--sources 4] [--out NAME]

Per token: ``z = ([x12 / rms(x12) + P . rms_norm(branch(x12)), scalars] - mu) / sd``, ``mass = softplus(MLP(z))``
with the shipped head's ``mu, sd`` and MLP (``estimator-gemma3-270m-zh-en.npz``) and ``P`` zero at the start; a
segment's score is the sum of its target tokens' masses, as ``src_estimator_sum``. The branch attends over the shared
prompt prefix (its states also go through the branch, so its keys and values follow the trained weights) and the row.

A batch holds every translation of ``--sources`` consecutive source segments of one article (all systems), so it
gives the losses both their groups: ListNet over the translations of each source (the listwise term within items),
the pairwise logistic term among one system's segments of the article (within documents, as ``head.pair_loss``), and
a small Huber term on the penalty (the top of the queue). Penalties are the files' mean over raters; files that name
their raters can be scaled per rater with ``--scale-raters`` (``calibrate.rater_scales_within_files``).

Seeds and data order are fixed. After every epoch the trainable weights are saved (``checkpoint.pt``) and a run
resumes from them; the held-out figures of the test file (length, the shipped estimator = epoch 0, each epoch) go to
``results.json`` beside it, under ``$ESTIMATOR_WORK/top_layers/<out>``.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from research.estimator.data import WORK
from research.estimator.head import pair_loss, token_scalars
from research.estimator.states_dump import LAYER, OUT as STATES, from_bits

RUNS = WORK / "top_layers"
MQM = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mqm"


@dataclass
class Rows:
    """One dumped file: gold segments and, per dumped row, its states and scalars (see ``states_dump``)."""

    name: str
    gold: list
    index: np.ndarray     # gold index of each row
    start: np.ndarray     # each row's first position in ``states``
    length: np.ndarray
    n_ctx: np.ndarray
    states: np.ndarray    # bfloat16 bits (int16) [positions, hidden]
    tok_start: np.ndarray  # each row's first scored token in ``lp`` / ``best``
    lp: np.ndarray
    best: np.ndarray
    prefix: torch.Tensor  # float32 [prefix length, hidden]


def load_rows(name: str) -> Rows:
    from mtaudit.evaluation.mqm import read_mqm

    folder = STATES / name
    manifest = json.loads((folder / "manifest.json").read_text())
    mqm = read_mqm(str(MQM / manifest["file"]), "zh-en")
    gold = [g for _, doc in mqm.documents() for g in doc]
    parts = [np.load(p) for p in sorted(folder.glob("chunk_*.npz")) if ".tmp" not in p.name]
    cat = lambda key: np.concatenate([p[key] for p in parts])
    length, n_ctx = cat("length"), cat("n_ctx")
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    scored = length - n_ctx
    tok_start = np.concatenate([[0], np.cumsum(scored)[:-1]])
    prefix = from_bits(np.load(folder / "prefix.npz")["states"])
    return Rows(name, gold, cat("gold"), start, length, n_ctx, cat("states"), tok_start, cat("lp"), cat("best"),
                prefix)


def subset(data: Rows, keep: np.ndarray) -> Rows:
    """The rows of ``data`` where ``keep`` is true (the arrays they point into are shared)."""
    return Rows(data.name, data.gold, data.index[keep], data.start[keep], data.length[keep], data.n_ctx[keep],
                data.states, data.tok_start[keep], data.lp, data.best, data.prefix)


class Branch(nn.Module):
    """Layers 13 .. 12+N of the base model (trainable, float32) over layer-12 states, the shipped head on top."""

    def __init__(self, decoder, estimator, n_layers: int):
        super().__init__()
        self.layers = nn.ModuleList(copy.deepcopy(decoder.layers[LAYER + j]).float() for j in range(n_layers))
        for p in self.layers.parameters():
            p.requires_grad_(True)
        self.types = decoder.types[LAYER:LAYER + n_layers]
        object.__setattr__(self, "decoder", decoder)  # rotary tables and masks only: not a submodule
        hidden = decoder.hidden_size
        self.proj = nn.Linear(hidden, hidden, bias=False)
        nn.init.zeros_(self.proj.weight)
        as_t = lambda a: torch.tensor(np.asarray(a, np.float32))
        self.register_buffer("mu", as_t(estimator.mu))
        self.register_buffer("sd", as_t(estimator.sd))
        self.w1, self.b1 = nn.Parameter(as_t(estimator.w1)), nn.Parameter(as_t(estimator.b1))
        self.w2, self.b2 = nn.Parameter(as_t(estimator.w2)), nn.Parameter(as_t(estimator.b2))

    def run(self, prefix: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """The branch's output at every position of right-padded ``rows`` [B, W, hidden] after ``prefix`` [P, hidden]."""
        plen, width = prefix.shape[0], rows.shape[1]
        px = prefix[None]
        fill: list = []
        rot_p = self.decoder._rotary(torch.arange(plen)[None], torch.float32)
        rot_r = self.decoder._rotary(torch.arange(plen, plen + width)[None].expand(rows.shape[0], -1), torch.float32)
        x = rows
        for layer, kind in zip(self.layers, self.types):
            mine: list = []
            px = layer(px, *rot_p[kind], None, self.decoder.attention_mask(kind, 0, plen, px.device), mine)
            k, v = mine[0]
            x = layer(x, *rot_r[kind], (k, v), self.decoder.attention_mask(kind, plen, width, x.device))
        return x

    def mass(self, x12: torch.Tensor, branch: torch.Tensor | None, scal: torch.Tensor) -> torch.Tensor:
        rms = lambda t: t / (t.pow(2).mean(-1, keepdim=True).sqrt() + 1e-6)
        x = rms(x12)
        if branch is not None:
            x = x + self.proj(rms(branch))
        z = (torch.cat([x, scal], 1) - self.mu) / self.sd
        h = F.gelu(z @ self.w1.T + self.b1, approximate="tanh")
        return F.softplus((h @ self.w2.T + self.b2)[:, 0])


def batch_inputs(data: Rows, rows: list[int]):
    """Padded layer-12 states of ``rows``, and per scored token its row, position and scalars."""
    width = int(max(data.length[r] for r in rows))
    x = torch.zeros((len(rows), width, data.states.shape[1]))
    tok_row, tok_pos, lp, best = [], [], [], []
    for j, r in enumerate(rows):
        n, c = data.length[r], data.n_ctx[r]
        x[j, :n] = from_bits(data.states[data.start[r]:data.start[r] + n])
        tok_row += [j] * (n - c)
        tok_pos += range(c, n)
        t = data.tok_start[r]
        lp.append(data.lp[t:t + n - c]); best.append(data.best[t:t + n - c])
    # the head's four numbers per token (surprisal, gap to the best, probability, below e^-5), as in training
    scal = token_scalars(SimpleNamespace(lp=np.concatenate(lp), lpmax=np.concatenate(best)))
    return x, torch.tensor(tok_row), torch.tensor(tok_pos), torch.from_numpy(scal)


def segment_scores(model: Branch, data: Rows, rows: list[int], use_branch: bool = True) -> torch.Tensor:
    x, tok_row, tok_pos, scal = batch_inputs(data, rows)
    out = model.run(data.prefix, x) if use_branch else None
    mass = model.mass(x[tok_row, tok_pos], out[tok_row, tok_pos] if out is not None else None, scal)
    return torch.zeros(len(rows)).index_add_(0, tok_row, mass)


def batches(data: Rows, sources: int, rng: np.random.Generator) -> list[list[int]]:
    """Every translation of ``sources`` consecutive source segments of one article, in a fixed shuffled order."""
    by_item: dict = {}
    for r, i in enumerate(data.index):
        g = data.gold[i]
        by_item.setdefault((g.doc, g.seg_id), []).append(r)
    by_article: dict = {}
    for (doc, seg), rows in by_item.items():
        by_article.setdefault(doc, []).append((seg, rows))
    out = []
    for doc, items in by_article.items():
        items.sort(key=lambda t: int(t[0]) if str(t[0]).isdigit() else str(t[0]))
        for a in range(0, len(items), sources):
            out.append([r for _, rows in items[a:a + sources] for r in rows])
    order = rng.permutation(len(out))
    return [out[k] for k in order]


def losses(scores: torch.Tensor, data: Rows, rows: list[int], penalty: np.ndarray, temp: float = 2.0):
    """(ListNet within items, pairwise within documents, Huber) for one batch."""
    p = torch.tensor(penalty[rows], dtype=torch.float32)
    items: dict = {}
    docs: dict = {}
    for j, r in enumerate(rows):
        g = data.gold[data.index[r]]
        items.setdefault(g.item, []).append(j)
        docs.setdefault(g.document, []).append(j)
    listnet = []
    for idx in items.values():
        if len(idx) < 2:
            continue
        t = torch.tensor(idx)
        listnet.append(-(torch.softmax(p[t] / temp, 0) * torch.log_softmax(scores[t] / temp, 0)).sum())
    item_loss = torch.stack(listnet).mean() if listnet else scores.sum() * 0
    doc_loss = pair_loss(scores, p, [v for v in docs.values() if len(v) > 1])
    return item_loss, doc_loss, F.huber_loss(scores, p, delta=5.0)


def figures_of(data: Rows, scores: np.ndarray, rows: list[int]) -> dict:
    from mtaudit.evaluation.ranking import ranking_figures

    g = [data.gold[data.index[r]] for r in rows]
    f = ranking_figures(list(map(float, scores)), [x.penalty for x in g], [x.has_major for x in g],
                        [x.document for x in g], [x.item for x in g], [x.named_raters for x in g])
    return {k: f[k] for k in ("tau", "tau_doc", "tau_item", "tau_item_rater", "p_at_20") if k in f}


@torch.no_grad()
def predict(model: Branch, data: Rows, use_branch: bool = True, size: int = 32) -> np.ndarray:
    model.eval()
    order = np.argsort(data.length)
    out = np.zeros(len(data.index))
    for a in range(0, len(order), size):
        rows = list(order[a:a + size])
        out[rows] = segment_scores(model, data, rows, use_branch).numpy()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", nargs="+", default=["wmt21_news_zhen.scores"])
    ap.add_argument("--test", default="wmt23_news_zhen_dev")
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--sources", type=int, default=4, help="source segments per batch (all their translations)")
    ap.add_argument("--lr", type=float, default=2e-5, help="the branch's layers (the residual and the head: below)")
    ap.add_argument("--lam-item", type=float, default=1.0)
    ap.add_argument("--lam-doc", type=float, default=1.0)
    ap.add_argument("--lam-reg", type=float, default=0.05)
    ap.add_argument("--head-lr", type=float, default=5.0, help="the head's learning rate over --lr (0: frozen)")
    ap.add_argument("--proj-lr", type=float, default=25.0, help="the residual's learning rate over --lr")
    ap.add_argument("--test-fold", type=int, default=None,
                    help="hold out article fold K (of 5) of the test file and train on its other articles too")
    ap.add_argument("--minutes", type=float, default=0, help="stop an epoch after this long (0: whole epochs)")
    ap.add_argument("--out", default="pilot")
    args = ap.parse_args()

    from mtaudit.fluency import load_scorer
    from mtaudit.fluency.estimator import load_estimators

    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    folder = RUNS / args.out
    folder.mkdir(parents=True, exist_ok=True)
    scorer = load_scorer("gemma3-270m", norms=False, estimator=False)
    estimator = next(e for e in load_estimators("gemma3-270m") if e.pair == "zh-en")
    model = Branch(scorer.decoder, estimator, args.layers)
    train = [load_rows(n) for n in args.train]
    test = load_rows(args.test)
    if args.test_fold is not None:  # the test file's articles in five folds: fold K held out, the rest trained on
        articles = sorted({g.doc for g in test.gold})
        held = set(articles[args.test_fold::5])
        inside = np.asarray([test.gold[i].doc in held for i in test.index])
        train.append(subset(test, ~inside))
        test = subset(test, inside)
    results = json.loads((folder / "results.json").read_text()) if (folder / "results.json").exists() else {
        "args": vars(args), "epochs": []}
    if "shipped" not in results:
        rows = list(range(len(test.index)))
        length = [len(test.gold[test.index[r]].target.split()) for r in rows]
        results["length"] = figures_of(test, np.asarray(length, float), rows)
        results["shipped"] = figures_of(test, predict(model, test, use_branch=False), rows)
        results["epoch0_branch"] = figures_of(test, predict(model, test), rows)  # must equal shipped
        print(f"length {results['length']}\nshipped {results['shipped']}\nepoch 0 {results['epoch0_branch']}",
              flush=True)
    groups = [{"params": model.layers.parameters(), "lr": args.lr},
              {"params": model.proj.parameters(), "lr": args.lr * args.proj_lr},
              {"params": [model.w1, model.b1, model.w2, model.b2], "lr": args.lr * args.head_lr}]
    opt = torch.optim.AdamW(groups, weight_decay=0.0)
    done = len(results["epochs"])
    if done and (folder / "checkpoint.pt").exists():
        state = torch.load(folder / "checkpoint.pt")
        model.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["opt"])
        print(f"resumed after epoch {done}", flush=True)
    penalties = [np.asarray([d.gold[i].penalty for i in d.index], np.float32) for d in train]
    for epoch in range(done, args.epochs):
        epoch_rng = np.random.default_rng(epoch)
        plan = [(k, b) for k, d in enumerate(train) for b in batches(d, args.sources, epoch_rng)]
        plan = [plan[j] for j in epoch_rng.permutation(len(plan))]
        model.train()
        started, seen, total = time.time(), 0, np.zeros(3)
        for step, (k, rows) in enumerate(plan):
            if args.minutes and time.time() - started > args.minutes * 60:
                break
            scores = segment_scores(model, train[k], rows)
            item_loss, doc_loss, reg = losses(scores, train[k], rows, penalties[k])
            loss = args.lam_item * item_loss + args.lam_doc * doc_loss + args.lam_reg * reg
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            seen += len(rows)
            total += [item_loss.item(), doc_loss.item(), reg.item()]
            if step % 20 == 0:
                rate = seen / (time.time() - started)
                print(f"epoch {epoch} step {step}/{len(plan)} rows {seen} {rate:.1f} rows/s "
                      f"losses {np.round(total / (step + 1), 4).tolist()}", flush=True)
        figs = figures_of(test, predict(model, test), list(range(len(test.index))))
        results["epochs"].append({"epoch": epoch, "rows": seen, "seconds": round(time.time() - started),
                                  "losses": (total / max(1, step + 1)).round(4).tolist(), "test": figs})
        print(f"epoch {epoch}: {figs}", flush=True)
        torch.save({"model": model.state_dict(),
                    "opt": opt.state_dict()}, folder / "checkpoint.tmp.pt")
        (folder / "checkpoint.tmp.pt").replace(folder / "checkpoint.pt")
        (folder / "results.tmp.json").write_text(json.dumps(results, indent=1))
        (folder / "results.tmp.json").replace(folder / "results.json")
    (folder / "results.tmp.json").write_text(json.dumps(results, indent=1))
    (folder / "results.tmp.json").replace(folder / "results.json")


if __name__ == "__main__":
    main()
