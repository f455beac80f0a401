"""Train the shipped token head on every segment of both files (the L12_mlp recipe, 6 epochs: the median best
epoch of its 10 cross-validation fits) and export it as a plain .npz (no pickle)."""
import json, time
import numpy as np, torch
from research.estimator.data import WORK, load
from research.estimator.head import Trainer
torch.set_num_threads(2)
data = load()
X = data.states(12, "src", np.float16)
t = time.time()
tr = Trainer(data, X, np.arange(data.n), epochs=6, verbose=True).fit()
print("fit", time.time() - t, flush=True)
m = tr.model
sd = {k: v.detach().numpy() for k, v in m.state_dict().items()}
print({k: v.shape for k, v in sd.items()})
np.savez(f"{WORK}/final_head.npz", mu=tr.mu.astype(np.float32), sd=tr.sd.astype(np.float32),
         w1=sd["tok.1.weight"], b1=sd["tok.1.bias"], w2=sd["tok.4.weight"], b2=sd["tok.4.bias"],
         det_raw=sd["det_raw"], bias=sd["bias"])
# token masses of a few segments, for checking the shipped implementation against this one
segs = np.arange(0, 40)
mass, toks = tr.token_mass(segs)
np.savez(f"{WORK}/final_head_check.npz", segs=segs, mass=mass, toks=toks)
