"""Model scoring speed: the naive one-sentence loop against the batched scorer, in one run, for each model.

Workloads (same sentences for every variant):

* target-only: held-out news-en lines (the tail the norms never saw) in documents of 10 consecutive lines;
* source-conditioned: MQM zh-en translations with their source, the scorer's default prompt (0-shot).

Naive loop = what one writes first: per sentence, tokenise prompt + text, run the model in float32 at batch size 1
and take log-softmax over the whole vocabulary at every position. Batched = ``LMScorer.score`` with its defaults
(length-sorted batches, prefix key/value reuse, vocabulary projection at scored positions only, bf16 where the CPU
has native bf16) and, for comparison, the same in float32.

The matmul limit is measured in the same run: a large matrix product in the variant's dtype and thread count.
Share of the limit = (2 x non-embedding parameters x every token fed + 2 x vocabulary x hidden x every position
projected) / elapsed / limit.

Every variant is warmed up on a few inputs of the workload, then the variants run in ``--rounds`` interleaved rounds
(order rotated each round): on a shared machine whose speed drifts, the per-round ratio against the naive loop is
far steadier than either figure alone. Reported: medians over rounds, and the range of the per-round speed-ups.

    python -m bench.bench_model [--models gemma3-270m smollm2-135m] [--sentences 200] [--naive 30] [--rounds 3]
                                [--threads N]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from bench.machine import describe  # the CPU and its matrix units
from mtaudit.core.document import Document, Segment, Sentence
from mtaudit.fluency import load_scorer
from mtaudit.fluency.scorer import Request

ROOT = Path(__file__).resolve().parents[1]

NEWS = ROOT / ".." / "shared" / "data" / "news-en" / "newstest-2008-2021.en.txt"
MQM = ROOT / ".." / "shared" / "data" / "mqm" / "mqm_ted_zhen.tsv"


def news_documents(n: int) -> list[Document]:
    lines = [l.strip() for l in NEWS.read_text(encoding="utf-8").splitlines()[-5000:] if 6 <= len(l.split()) <= 60]
    lines = lines[:n]
    docs = []
    for i in range(0, len(lines), 10):
        text = " ".join(lines[i : i + 10])
        seg = Segment(id=str(i), target=text)
        pos = 0
        for k, line in enumerate(lines[i : i + 10]):
            seg.sentences.append(Sentence(seg, k, pos, pos + len(line)))
            pos += len(line) + 1
        docs.append(Document(path=f"news:{i}", segments=[seg]))
    return docs


def mqm_documents(n: int) -> list[Document]:
    from tools.probes.mqm_probe import load_mqm  # the MQM probe's reading of the same file

    items = load_mqm(MQM)
    docs = []
    for key in sorted(items)[:: max(1, len(items) // n)]:
        row = next(iter(sorted(items[key].items())))[1]
        seg = Segment(id=str(key), target=row["target"], source=row["source"])
        seg.sentences = [Sentence(seg, 0, 0, len(row["target"]))]
        docs.append(Document(path="mqm", segments=[seg], source_lang="zh", target_lang="en"))
        if len(docs) == n:
            break
    return docs


def matmul_limit(dtype: torch.dtype, hidden: int) -> float:
    a = torch.randn(2048, hidden, dtype=dtype)
    b = torch.randn(hidden, 8192, dtype=dtype)
    for _ in range(2):
        a @ b
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * 2048 * hidden * 8192 / (time.perf_counter() - t))
    return best


def naive(scorer, requests: list[Request]) -> tuple[float, int, int]:
    """One request at a time, full logits at every position, float32. Returns (seconds, tokens fed, projected)."""
    fed = projected = 0
    t = time.perf_counter()
    with torch.inference_mode():
        for r in requests:
            _, ids, n_ctx, _ = scorer.encode(r)
            full = list(scorer.bos) + (scorer.tokenizer(r.prefix_text, add_special_tokens=False)["input_ids"]
                                       if r.prefix_text else []) + ids[1:]
            x = torch.tensor([full])
            logits = scorer.decoder.project(scorer.decoder(x)[0]).float()
            lp = torch.log_softmax(logits[0, :-1], -1).gather(-1, x[0, 1:, None])
            lp[-(len(ids) - n_ctx):].sum().item()
            fed += len(full)
            projected += len(full)
    return time.perf_counter() - t, fed, projected


def count_batched(scorer, requests: list[Request]) -> tuple[int, int]:
    fed = projected = 0
    for r in requests:
        prefix, ids, n_ctx, _ = scorer.encode(r)
        fed += len(ids)
        projected += len(ids) - n_ctx
    return fed, projected


def requests_for(scorer, docs: list[Document], source: bool) -> list[Request]:
    if source:
        out = []
        for doc in docs:
            for seg in doc.segments:
                head, body = scorer.prompt(seg.source, "zh", "en")
                out.append(Request(head, body + seg.target, len(body)))
        return out
    contexts = scorer.contexts(docs)  # each sentence after its preceding sentence, as LMScorer.score runs it
    return [Request("", contexts.get(id(s), "") + s.text, len(contexts.get(id(s), ""))) for d in docs for s in d.sentences()]


def timed_round(variant: str, scorer, docs, requests, sub, source: bool) -> tuple[float, int, int]:
    """One timed pass of a variant over its workload: (seconds, tokens fed, positions projected)."""
    if variant.startswith("naive"):
        return naive(scorer, sub)
    t = time.perf_counter()
    if source:
        scorer.logprobs(requests)
    else:
        scorer.score(docs)
    elapsed = time.perf_counter() - t
    return (elapsed, *count_batched(scorer, requests))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["gemma3-270m", "smollm2-135m"])
    ap.add_argument("--sentences", type=int, default=200, help="target-only sentences for the batched scorer")
    ap.add_argument("--mqm", type=int, default=60, help="source-conditioned translations")
    ap.add_argument("--naive", type=int, default=30, help="sentences (and translations) for the naive loop")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of every variant (medians reported)")
    ap.add_argument("--threads", type=int, default=None, help="default: the scorer's default")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "bench_model.json")
    args = ap.parse_args()

    results = []
    for name in args.models:
        scorers = {dtype: load_scorer(name, dtype=dtype, threads=args.threads, norms=False)
                   for dtype in ("auto", "float32")}
        threads = torch.get_num_threads()
        decoder = scorers["float32"].decoder  # the decoder interface (mtaudit.fluency.decoders)
        hidden, vocab, body_params = decoder.hidden_size, decoder.vocab_size, decoder.body_parameters
        limits = {s.dtype: matmul_limit(s.dtype, hidden) for s in scorers.values()}
        for workload, source in (("target-only", False), ("source-conditioned", True)):
            docs = news_documents(args.sentences) if not source else mqm_documents(args.mqm)
            requests = requests_for(scorers["auto"], docs, source)
            sub = requests[:: max(1, len(requests) // args.naive)][: args.naive]  # same length mix
            variants = {f"batched {str(s.dtype)[6:]}": s for s in scorers.values()}
            variants["naive loop float32"] = scorers["float32"]
            # Warm-up: every variant once on a few inputs of this workload (kernels, prompt-prefix cache).
            for variant, scorer in variants.items():
                timed_round(variant, scorer, docs[:2], requests[:8], sub[:2], source)
            # Rounds interleave the variants (rotating their order), so that a change in the load of a shared machine
            # hits all of them alike; the speed-up is the median of per-round ratios against the naive loop.
            per_round: dict[str, list[tuple[float, int, int, int]]] = {v: [] for v in variants}
            order = list(variants)
            for r in range(args.rounds):
                for variant in order[r % len(order):] + order[: r % len(order)]:
                    scorer = variants[variant]
                    secs, fed, projected = timed_round(variant, scorer, docs, requests, sub, source)
                    n = len(sub) if variant.startswith("naive") else len(requests)
                    per_round[variant].append((secs, fed, projected, n))
            for variant, rounds in per_round.items():
                dtype = variants[variant].dtype if not variant.startswith("naive") else torch.float32
                sps = [n / secs for secs, _, _, n in rounds]
                gflops = [(2 * body_params * fed + 2 * vocab * hidden * projected) / secs / 1e9
                          for secs, fed, projected, _ in rounds]
                ratios = [a / b for a, b in zip(sps, [n / secs for secs, _, _, n in per_round["naive loop float32"]])]
                row = {"model": name, "workload": workload, "variant": variant, "threads": threads,
                       "sentences": rounds[0][3], "rounds": len(rounds),
                       "seconds_median": round(float(np.median([r[0] for r in rounds])), 2),
                       "sentences_per_s": round(float(np.median(sps)), 2),
                       "sentences_per_s_range": [round(min(sps), 2), round(max(sps), 2)],
                       "speedup_vs_naive": round(float(np.median(ratios)), 2),
                       "speedup_range": [round(min(ratios), 2), round(max(ratios), 2)],
                       "gflops": round(float(np.median(gflops)), 1), "limit_gflops": round(limits[dtype] / 1e9, 1),
                       "share_of_limit": round(float(np.median(gflops)) * 1e9 / limits[dtype], 3)}
                results.append(row)
                print(json.dumps(row), flush=True)
        del scorers, decoder
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{describe()}, torch {torch.__version__}",
        "load_average_at_end": os.getloadavg(),
        "command": "python " + " ".join(sys.argv),
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"{'model':14} {'workload':20} {'variant':20} {'thr':>3} {'sent/s':>7} {'speed-up (range)':>18} "
          f"{'GFLOP/s':>8} {'of limit':>8}")
    for r in results:
        lo, hi = r["speedup_range"]
        print(f"{r['model']:14} {r['workload']:20} {r['variant']:20} {r['threads']:>3} {r['sentences_per_s']:>7.2f} "
              f"{r['speedup_vs_naive']:>6.1f}x ({lo:.1f}-{hi:.1f}) {r['gflops']:>8.1f} {r['share_of_limit']:>7.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
