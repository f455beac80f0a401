"""Research (issue 11, word level): the shipped SEGMENT head's per-token error mass, held out by TED talk.

Head k is the shipped recipe (``head.Trainer``, 6 epochs, seed 0: ``final_head.py``) trained on every news segment
and on the TED talks other than talk k (every system's translation of talk k left out), and gives each token of talk
k its mass. The pooled per-token masses go to ``$ESTIMATOR_WORK/word_head/oof_segment_mass.npy`` (TED token order),
which ``word_head.py --mass-file`` scores as word spans. 16 min on the shared 2-core machine (load average 8).
"""
import time

import numpy as np
import torch

from research.estimator.data import WORK, load
from research.estimator.head import Trainer

torch.set_num_threads(2)
data = load()
X = data.states(12, "src", np.float16)
ted = [i for i, g in enumerate(data.gold) if g.dataset == "mqm_ted_zhen"]
n_tok = int(np.searchsorted(data.tok_seg, len(ted)))  # TED comes first: its tokens are the first n_tok
mass = np.full(n_tok, np.nan, np.float32)
t0 = time.time()
for talk in sorted({data.gold[i].doc for i in ted}):
    test = np.array([i for i in ted if data.gold[i].doc == talk])
    train = np.setdiff1d(np.arange(data.n), test)
    trainer = Trainer(data, X, train, epochs=6).fit()
    m, toks = trainer.token_mass(test)
    mass[toks] = m
    print(talk, len(test), f"{time.time() - t0:.0f}s", flush=True)
out = WORK / "word_head"
out.mkdir(parents=True, exist_ok=True)
np.save(out / "oof_segment_mass.npy", mass)
