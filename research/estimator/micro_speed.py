import time, os, statistics
import numpy as np
from mtaudit.fluency import load_scorer
from mtaudit.fluency.scorer import Request
from mtaudit.evaluation.mqm import read_mqm
sc = load_scorer("gemma3-270m")
est = sc.estimators[0]
mqm = read_mqm("../shared/data/mqm/wmt21_news_zhen.scores.tsv", "zh-en")
segs = [g for g in mqm.segments if g.system == mqm.segments[0].system][:16]
reqs = []
for g in segs:
    head, body = sc.prompt(g.source, "zh", "en")
    reqs.append(Request(head, body + g.target.strip(), len(body)))
sc.logprobs(reqs)
print("load", os.getloadavg()[0])
t_plain, t_layers, t_head = [], [], []
for r in range(4):
    for mode in ("plain", "layers", "layers", "plain"):
        t = time.perf_counter()
        out = sc.logprobs(reqs, (12,) if mode == "layers" else ())
        dt = time.perf_counter() - t
        if mode == "layers":
            t2 = time.perf_counter()
            for o in out:
                est.token_mass(o[2][:, 0], o[1], o[3])
            t_head.append(time.perf_counter() - t2)
            t_layers.append(dt + t_head[-1])
        else:
            t_plain.append(dt)
tokens = sum(len(o[1]) for o in out)
print(f"{len(reqs)} segments, {tokens} target tokens; source pass plain median {statistics.median(t_plain):.2f}s "
      f"(min {min(t_plain):.2f}), with states+head median {statistics.median(t_layers):.2f}s (min {min(t_layers):.2f}); "
      f"head alone median {statistics.median(t_head)*1000:.1f} ms; ratio of medians {statistics.median(t_layers)/statistics.median(t_plain):.3f}, "
      f"of minima {min(t_layers)/min(t_plain):.3f}; load {os.getloadavg()[0]:.1f}")
