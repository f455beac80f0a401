"""CPU pilot of issue 11's first lever: low-rank adapters on the default model + a pooled regression/ranking head,
trained on TED + four news folds, measured on the held-out news fold 0 (documents never seen), against the shipped
estimator's out-of-fold mass (``oof_mass.py``) and length on the same segments. One fold, a time-limited (partial)
epoch: a signal, not the acceptance protocol (BENCHMARKS.md § What fine-tuning the model would cost on this CPU).

    python -m research.estimator.lora_pilot --minutes 27 --batch document   # 38 % of an epoch here
    python -m research.estimator.lora_pilot --minutes 26 --batch item       # translations of one source together
"""
import argparse
import math
import random
import time

import numpy as np
import torch
import torch.nn as nn

from research.estimator.data import WORK, figures, folds, load

from mtaudit.fluency import load_scorer

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--minutes", type=float, default=27, help="stop training after this long")
parser.add_argument("--batch", choices=("document", "item"), default="document",
                    help="a batch: segments of one document (one system's), or the translations of one source")
args = parser.parse_args()
TRAIN_MINUTES = args.minutes
RANK, ALPHA = 8, 16
torch.manual_seed(0)
random.seed(0)
data = load()
plan = folds(data)
news_folds = [(ds, label, test) for ds, label, test in plan if "news" in ds]
_, label, test = news_folds[0]
test = list(test)
held_docs = {data.gold[i].document for i in test}
train = [i for i in range(data.n) if i not in set(test)]
print(f"test {label}: {len(test)} segments, {len(held_docs)} documents; train {len(train)}", flush=True)

s = load_scorer("gemma3-270m", norms=False, estimator=False)  # bf16 on this CPU
dec = s.decoder
for p in dec.parameters():
    p.requires_grad_(False)

class LoRA(nn.Module):
    def __init__(self, linear):
        super().__init__()
        out_f, in_f = linear.weight.shape
        self.A = nn.Parameter(torch.randn(RANK, in_f) / math.sqrt(in_f))
        self.B = nn.Parameter(torch.zeros(out_f, RANK))
    def delta(self, x):
        return ((x.float() @ self.A.T) @ self.B.T * (ALPHA / RANK)).to(x.dtype)

adapters = nn.ModuleList()
for layer in dec.layers:
    for name in ("q", "v", "o", "down"):
        lin = getattr(layer, name)
        ad = LoRA(lin)
        adapters.append(ad)
        lin.register_forward_hook(lambda m, inp, out, ad=ad: out + ad.delta(inp[0]))
head = nn.Linear(dec.hidden_size, 1)
nn.init.zeros_(head.weight)
nn.init.zeros_(head.bias)

def encode(i):
    g = data.gold[i]
    h, b = s.prompt(g.source, "zh", "en")
    pre = s.bos + s.tokenizer(h + b, add_special_tokens=False)["input_ids"]
    tgt = s.tokenizer(g.target.strip(), add_special_tokens=False)["input_ids"][:200]
    return pre[-300:], tgt

def score(rows):
    enc = [encode(i) for i in rows]
    width = max(len(p) + len(t) for p, t in enc)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width)
    for j, (p, t) in enumerate(enc):
        ids[j, :len(p) + len(t)] = torch.tensor(p + t)
        mask[j, len(p):len(p) + len(t)] = 1
    hidden, _ = dec(ids)
    hidden = hidden.float()
    hidden = hidden / (hidden.pow(2).mean(-1, keepdim=True).sqrt() + 1e-6)
    pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
    return head(pooled).squeeze(-1)

pen = np.array([g.penalty for g in data.gold])
target = np.log1p(pen)
mu, sd = target[train].mean(), target[train].std()
# batches of up to 8 segments of one document, or of up to 9 translations of one source, in random order
size = 8 if args.batch == "document" else 9
groups = {}
for i in train:
    groups.setdefault(data.gold[i].document if args.batch == "document" else data.gold[i].item, []).append(i)
batches = []
for rows in groups.values():
    rows = rows[:]
    random.shuffle(rows)
    batches += [rows[k:k + size] for k in range(0, len(rows), size) if len(rows[k:k + size]) >= 2]
random.shuffle(batches)
opt = torch.optim.AdamW([{"params": adapters.parameters(), "lr": 2e-4}, {"params": head.parameters(), "lr": 2e-3}],
                        weight_decay=0.0)
t0 = time.perf_counter()
seen = 0
for step, rows in enumerate(batches):
    if time.perf_counter() - t0 > TRAIN_MINUTES * 60:
        break
    pred = score(rows)
    y = torch.tensor((target[rows] - mu) / sd, dtype=torch.float32)
    diff_p = pred[:, None] - pred[None, :]
    diff_y = y[:, None] - y[None, :]
    pairs = diff_y.abs() > 0.1
    rank_loss = nn.functional.softplus(-diff_p * torch.sign(diff_y))[pairs].mean() if pairs.any() else pred.sum() * 0
    loss = rank_loss + 0.1 * nn.functional.mse_loss(pred, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    seen += len(rows)
    if step % 50 == 0:
        print(f"step {step} rows {seen} {seen / (time.perf_counter() - t0):.2f} rows/s loss {loss.item():.3f}", flush=True)
print(f"trained on {seen} rows in {(time.perf_counter() - t0) / 60:.1f} min", flush=True)

preds = np.zeros(len(test))
with torch.no_grad():
    for k in range(0, len(test), 16):
        preds[k:k + 16] = score(test[k:k + 16]).numpy()
np.save(WORK / f"lora_pilot_{args.batch}_pred.npy", preds)
oof = np.load(WORK / "oof_mass.npy")[test]
shipped = np.load(WORK / "pred_shipped.npy")[test]
length = [len(data.gold[i].target.split()) for i in test]
def z(x):
    x = np.asarray(x, float)
    return (x - x.mean()) / (x.std() + 1e-9)


for name, sc in (("length", length), ("estimator alone (out-of-fold)", oof), ("pred_shipped", shipped),
                 ("LoRA pilot", preds), ("estimator + LoRA (z mean)", z(oof) + z(preds))):
    f = figures(data, sc, test)
    print(f"{name:32s} tau {f['tau']:.3f} tau_doc {f['tau_doc']:.3f} tau_item {f['tau_item']:.3f} "
          f"pearson {f['pearson']:.3f} p20 {f['p_at_20']:.3f}", flush=True)
