"""Out-of-fold token-mass sums of the shipped recipe (6 epochs, all training docs), per segment, for stacking the
risk model on a feature its training rows did not see the labels of; plus the head's own full-score predictions."""
import time
import numpy as np, torch
from research.estimator.data import WORK, cross_validate, load, show
from research.estimator.head import Trainer
torch.set_num_threads(2)
data = load()
X = data.states(12, "src", np.float16)
mass_oof = np.full(data.n, np.nan)
ptr = np.searchsorted(data.tok_seg, np.arange(data.n + 1))
def fp(tr, te):
    t = Trainer(data, X, tr, epochs=6).fit()
    m, toks = t.token_mass(te)
    seg = np.searchsorted(ptr, toks, side="right") - 1
    sums = np.zeros(data.n); np.add.at(sums, seg, m)
    mass_oof[te] = sums[te]
    return t.predict(te)
t0 = time.time()
# five joint folds: fold k of every file held out together (each file's documents dealt as in document_folds)
from research.estimator.data import folds
plan = folds(data)
pred = np.full(data.n, np.nan)
for k in range(5):
    test = np.concatenate([np.asarray(idx) for j, (ds, label, idx) in enumerate(plan) if j % 5 == k])
    train = np.setdiff1d(np.arange(data.n), test)
    pred[test] = fp(train, test)
    print("fold", k, len(test), time.time() - t0, flush=True)
res, _ = cross_validate(data, lambda tr, te: pred[te], verbose=False)
show(res, "head 6 epochs (full score)")
np.save(f"{WORK}/oof_mass.npy", mass_oof); np.save(f"{WORK}/oof_headpred.npy", pred)
res2, _ = cross_validate(data, lambda tr, te: mass_oof[te], verbose=False); show(res2, "head token mass only")
print(time.time() - t0)
