"""The FLOP budget of the default audit (issue 28): where a news segment's model time goes, counted rather than timed.

Timings on the shared 2-core machine drift with other sessions' load; FLOP counts do not. This script counts, for the
default model (Gemma 3 270M) and the default audit (both passes, eager PyTorch, the default batcher):

* the model's sizes from its converted ``config.json`` and the parameter counts they imply, checked tensor by tensor
  against the shapes in ``model.safetensors``' header;
* the matmul FLOPs of one token: the body (every layer's q/k/v/o and gate/up/down projections, 2 per weight) plus the
  attention's score and value products (4 x heads x head_dim per key seen, which grows with the position and stops
  at the sliding window on local layers), and the head (2 x hidden x vocabulary per scored position; the log-sum-exp
  over the vocabulary is element-wise work, estimated apart);
* the rows the default audit builds on real news with the source: the first ``--articles`` (system, document)
  articles of WMT21 zh-en and of the WMT23 zh-en dev file, written as JSONL articles as ``bench_news.py`` writes them,
  read and split by the audit's own reader (``pipeline.stages.Reader``), cut into model batches by
  ``Auditor.batches`` and scored by ``LMScorer.score`` with the forward pass replaced by a recorder: every request,
  row, window, batch and pad is the scorer's own, only the arithmetic is skipped. The requests are checked against
  ones built here from the scorer's public methods (``contexts``, ``prompt``, ``Request``), so a change in how the
  scorer builds its rows stops this script rather than silently changing its counts;
* per segment and per pass (target-only, source-conditioned), FLOPs by part: body on the unscored tokens (prompt
  head, preceding-sentence context, prompt labels, source), body on the scored tokens, head on the scored tokens,
  padding; the bound in segments per second at the matmul limit measured in the same run (``bench_model``'s probe,
  in the scorer's dtype); and the most each lever could save: a head over V tokens, dropping the target-only pass,
  no padding, a key/value cache for the prompt head in every runtime;
* the vocabulary a pruned head would need: the distinct token ids of the news, parallel and sample text, and the
  share of the held-out news's scored positions whose token falls outside that set (or outside its V most frequent
  ids);
* with ``--timing`` (default on; cheap), one real batch timed part by part (body, vocabulary projection, float32 copy
  + log-sum-exp), best of three, with the load average beside it.

    python -m bench.flops [--articles 20] [--no-timing] [--out bench/flops.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from bench.bench_model import matmul_limit
from bench.machine import describe  # the CPU and its matrix units
from mtaudit.evaluation.mqm import read_mqm
from mtaudit.fluency import load_scorer, store
from mtaudit.fluency.decoders import token_logprobs
from mtaudit.fluency.scorer import Request, padded_ids, scored_positions
from mtaudit.languages import parse_langs
from mtaudit.pipeline.auditor import Auditor
from mtaudit.pipeline.config import AuditConfig
from mtaudit.pipeline.stages import Reader
from tools.build_head import corpus_counts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
NEWS = {  # held-out news with the source: what the audit is for
    "WMT21 zh-en": DATA / "mqm" / "wmt21_news_zhen.scores.tsv",
    "WMT23 zh-en dev": DATA / "mqm" / "wmt23_news_zhen_dev.tsv",
}
OTHER_NEWS = {  # every target of the MQM news files, tokenised on its own: a wider check of a pruned vocabulary
    "WMT21 zh-en": DATA / "mqm" / "wmt21_news_zhen.scores.tsv",
    "WMT23 zh-en dev": DATA / "mqm" / "wmt23_news_zhen_dev.tsv",
    "WMT21 en-de": DATA / "mqm" / "wmt21_news_ende.scores.tsv",
    "WMT23 en-de dev": DATA / "mqm" / "wmt23_news_ende_dev.tsv",
}
MODEL = "gemma3-270m"
PAIR = "zh-en"
HEAD_SIZES = (262_144, 100_000, 50_000, 30_000)
# Element-wise operations per logit of the eager head after the projection: the bf16 -> float32 copy, and the
# log-sum-exp (max, subtract, exp, add); the best token's max adds one where the trained estimator reads it. An
# estimate: these are memory passes over 1 MiB of float32 per position, not matrix work.
SOFTMAX_OPS_PER_LOGIT = 5
PARTS = ("body: head/context/source", "body: scored", "head: scored", "padding")
SOFTMAX = "softmax element-wise ops (est., not in the totals)"


def uptime() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


# ---- the model's arithmetic ------------------------------------------------------------------------------------------
@dataclass
class Shapes:
    """Gemma 3's sizes, from its config; FLOPs of one token from them (matmul FLOPs: 2 per multiply-add)."""

    hidden: int
    inner: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    window: int | None
    kinds: list[str]

    @classmethod
    def of(cls, cfg: dict) -> "Shapes":
        kinds = cfg.get("layer_types") or [
            "full_attention" if (i + 1) % cfg.get("sliding_window_pattern", 6) == 0 else "sliding_attention"
            for i in range(cfg["num_hidden_layers"])]
        return cls(cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"],
                   cfg["num_key_value_heads"], cfg["head_dim"], cfg["vocab_size"], cfg.get("sliding_window"), kinds)

    def matrices(self) -> dict[str, tuple[int, int]]:
        """Each layer's projection matrices, as [out, in] (the safetensors layout)."""
        q, kv = self.heads * self.head_dim, self.kv_heads * self.head_dim
        return {"self_attn.q_proj": (q, self.hidden), "self_attn.k_proj": (kv, self.hidden),
                "self_attn.v_proj": (kv, self.hidden), "self_attn.o_proj": (self.hidden, q),
                "mlp.gate_proj": (self.inner, self.hidden), "mlp.up_proj": (self.inner, self.hidden),
                "mlp.down_proj": (self.hidden, self.inner)}

    def parameters(self) -> dict[str, int]:
        per_layer = {name: a * b for name, (a, b) in self.matrices().items()}
        attention = sum(v for k, v in per_layer.items() if k.startswith("self_attn"))
        mlp = sum(v for k, v in per_layer.items() if k.startswith("mlp"))
        norms = self.layers * (4 * self.hidden + 2 * self.head_dim) + self.hidden
        return {"attention projections": self.layers * attention, "MLP": self.layers * mlp,
                "body matrices": self.layers * (attention + mlp), "norms": norms,
                "embedding = head (tied)": self.vocab * self.hidden,
                "total": self.layers * (attention + mlp) + norms + self.vocab * self.hidden}

    def linear_flops(self) -> int:
        """The body's projections for one token fed (any position)."""
        return 2 * self.parameters()["body matrices"]

    def attention_flops(self, positions: np.ndarray) -> np.ndarray:
        """Score and value products of tokens at 0-based ``positions`` (causal: a token sees itself and every
        earlier position; on a sliding layer at most ``window`` of them). Counts the products the causal mask keeps,
        not what a kernel may compute and throw away."""
        keys = positions.astype(np.int64) + 1
        local = np.minimum(keys, self.window) if self.window else keys
        n_local = sum(k == "sliding_attention" for k in self.kinds)
        n_global = len(self.kinds) - n_local
        return 4 * self.heads * self.head_dim * (n_global * keys + n_local * local)

    def head_flops(self, vocab: int | None = None) -> int:
        """The vocabulary projection at one scored position."""
        return 2 * self.hidden * (vocab or self.vocab)


def weight_check(path: Path, shapes: Shapes, decoder) -> dict:
    """Compare the derived sizes with ``model.safetensors``' header (its tensor shapes, no tensor read) and with the
    decoder's own count of its body parameters."""
    with open(path / "model.safetensors", "rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(length))
    header.pop("__metadata__", None)
    stored = {k: tuple(v["shape"]) for k, v in header.items()}
    wrong = []
    for i in range(shapes.layers):
        for name, shape in shapes.matrices().items():
            key = f"model.layers.{i}.{name}.weight"
            if stored.get(key) != shape:
                wrong.append(f"{key}: stored {stored.get(key)}, derived {shape}")
    embedding = stored.get("model.embed_tokens.weight") or stored.get("lm_head.weight")
    if embedding != (shapes.vocab, shapes.hidden):
        wrong.append(f"embedding: stored {embedding}, derived {(shapes.vocab, shapes.hidden)}")
    size = {k: int(np.prod(s)) for k, s in stored.items()}
    matrices = sum(v for k, v in size.items() if k.endswith("_proj.weight"))
    norms = sum(v for k, v in size.items() if "norm" in k)
    derived = shapes.parameters()
    return {"tensors": len(stored), "shapes_wrong": wrong,
            "stored": {"body matrices": matrices, "norms": norms, "embedding": int(np.prod(embedding)),
                       "total": sum(size.values())},
            "derived": derived, "decoder.body_parameters": int(decoder.body_parameters),
            "agree": not wrong and matrices == derived["body matrices"] and norms == derived["norms"]
            and sum(size.values()) == derived["total"]}


# ---- the workload: news articles as the audit reads them ---------------------------------------------------------
def articles(path: Path, n: int, folder: Path) -> list:
    """The first ``n`` (system, document) articles of an MQM news file, written as JSONL articles (as
    ``bench_news.workload`` writes them) and read back, split and paired by the audit's own reader."""
    reader = Reader(AuditConfig(langs=PAIR), [], parse_langs(PAIR))  # no rule detector: they do not change the rows
    docs = []
    for k, (doc, golds) in enumerate(read_mqm(path).documents()[:n]):
        lines = [json.dumps({"id": g.seg_id, "source": g.source, "target": g.target}, ensure_ascii=False)
                 for g in golds]
        name = folder / f"{k:03d}__{doc.path.replace('/', '__').replace(':', '_')}.jsonl"
        name.write_text("\n".join(lines) + "\n", encoding="utf-8")
        read = reader.load_and_prepare(str(name))
        if read.error:
            raise SystemExit(f"{path.name}: {read.error}")
        docs.append(read)
    return docs


class Recorder:
    """``LMScorer.score`` as the audit runs it, with ``forward`` replaced: it records each ``logprobs`` call's
    requests and the batches of rows the scorer cuts from them, and returns zeros instead of running the model. A
    context manager: the scorer's own methods come back on exit."""

    def __init__(self, scorer) -> None:
        self.scorer = scorer
        self.calls: list[tuple[list[Request], list[list]]] = []

    def __enter__(self) -> "Recorder":
        scorer, logprobs, hidden = self.scorer, self.scorer.logprobs, self.scorer.decoder.hidden_size

        def recording_logprobs(requests, layers=()):
            self.calls.append((list(requests), []))
            return logprobs(requests, layers)

        def recording_forward(batch, layers=()):
            self.calls[-1][1].append(list(batch))
            values = [np.zeros(len(r.ids) - r.n_context) for r in batch]
            if not layers:
                return values, []
            return values, [(np.ones((len(v), len(layers), hidden), np.float32), np.zeros(len(v))) for v in values]

        scorer.logprobs = recording_logprobs
        scorer.forward = recording_forward
        return self

    def __exit__(self, *exc) -> None:
        del self.scorer.logprobs, self.scorer.forward  # the instance attributes; the class's methods again


def expected_requests(scorer, docs) -> tuple[list, list[Request], list, list[Request]]:
    """The requests of both passes built from the scorer's public methods: (sentences, target-only requests,
    (document, segment) pairs with a source, source-conditioned requests)."""
    contexts = scorer.contexts(docs)
    sentences = [s for d in docs for s in d.sentences()]
    target = [Request("", contexts.get(id(s), "") + s.text, len(contexts.get(id(s), ""))) for s in sentences]
    segments = [(d, seg) for d in docs for seg in d.segments if seg.source and seg.sentences]
    source = []
    for d, seg in segments:
        head, body = scorer.prompt(seg.source, d.source_lang, d.target_lang)
        source.append(Request(head, body + seg.target.lstrip(), len(body)))
    return sentences, target, segments, source


def token_kinds(scorer, request: Request) -> tuple[list[str], int, list[int]]:
    """Each row token's kind (``head``: BOS or the prompt head's last token, moved into the row; ``context``: the
    preceding sentence; ``label``: the prompt's "Chinese: " / "English: "; ``source``; ``scored``), the row's
    unscored count and its ids, for a request as ``LMScorer.encode`` tokenises it."""
    prefix, ids, n_ctx, _ = scorer.encode(request)
    enc = scorer.tokenizer(request.text, add_special_tokens=False, return_offsets_mapping=True)
    in_row = len(ids) - len(enc["input_ids"])
    kinds = ["head"] * in_row
    span = (0, 0)
    if request.prefix_text:  # the prompt body: "<Source>: <source text>\n<Target>: "
        body = request.text[: request.boundary]
        first = body.index(": ") + 2
        span = (first, body.rindex("\n"))
    for j, (a, b) in enumerate(enc["offset_mapping"]):
        if in_row + j >= n_ctx:
            kinds.append("scored")
        elif not request.prefix_text:
            kinds.append("context")
        else:
            kinds.append("source" if a < span[1] and b > span[0] else "label")
    return kinds, n_ctx, ids


def segment_record(doc, seg) -> dict:
    tokens = {p: Counter() for p in ("target", "source")}
    flops = {p: defaultdict(float, dict.fromkeys(PARTS, 0.0)) for p in ("target", "source")}
    return {"doc": doc.path.rsplit("/", 1)[-1], "segment": seg.id, "sentences": len(seg.sentences),
            "target_chars": len(seg.target), "source_chars": len(seg.source or ""), "tokens": tokens, "flops": flops,
            "rows": Counter()}


def account(scorer, shapes: Shapes, docs, auditor: Auditor) -> tuple[list[dict], dict]:
    """Run the audit's batching with a recording forward; count every token and its FLOPs per segment and pass.

    FLOPs per segment: its rows' tokens (each at its own position, so attention grows along the row), its rows'
    padding to the batch's width, and the head at its scored positions. The shared prompt head is prefilled once per
    process (``LMScorer`` keeps one prompt prefix's keys and values) and counted apart."""
    records: dict[int, dict] = {}
    extra = {"prefills": 0, "prefill_tokens": 0, "prefill_flops": 0.0, "windowed_rows": 0, "batches": Counter(),
             "scored_ids": [], "largest_target_batch": []}
    cached_prefix: tuple | None = None
    linear = shapes.linear_flops()
    with Recorder(scorer) as recorder:
        for batch_docs in auditor.batches(docs):
            recorder.calls.clear()
            scorer.score(batch_docs)
            sentences, target, segments, source = expected_requests(scorer, batch_docs)
            if [c[0] for c in recorder.calls] != [target, source]:
                raise SystemExit("LMScorer.score built other requests than this script expects (contexts, prompt, "
                                 "Request): update bench/flops.py to the scorer's rows before trusting its counts")
            for d in batch_docs:
                for seg in d.segments:
                    records[id(seg)] = segment_record(d, seg)
            owners = {"target": [s.segment for s in sentences], "source": [seg for _, seg in segments]}
            for (requests, batches), pass_ in zip(recorder.calls, ("target", "source")):
                kinds = [token_kinds(scorer, r) for r in requests]
                for batch in batches:
                    extra["batches"][pass_] += 1
                    width = max(len(r.ids) for r in batch)
                    largest = extra["largest_target_batch"]
                    if pass_ == "target" and len(batch) * width > (len(largest) * max(
                            (len(r.ids) for r in largest), default=0)):
                        extra["largest_target_batch"] = batch
                    prefix = batch[0].prefix
                    if prefix and prefix != cached_prefix:
                        cached_prefix = prefix
                        extra["prefills"] += 1
                        extra["prefill_tokens"] += len(prefix)
                        extra["prefill_flops"] += float(linear * len(prefix)
                                                        + shapes.attention_flops(np.arange(len(prefix))).sum())
                    for row in batch:
                        rec = records[id(owners[pass_][row.owner])]
                        tokens, flops = rec["tokens"][pass_], rec["flops"][pass_]
                        rec["rows"][pass_] += 1
                        row_kinds, n_ctx, ids = kinds[row.owner]
                        left = n_ctx + row.offset - row.n_context  # a window starts this far into the request's ids
                        if left or len(row.ids) < len(ids):
                            extra["windowed_rows"] += 1
                        plen = len(row.prefix)
                        if plen:
                            tokens["shared prompt head (cached)"] = plen
                        attention = shapes.attention_flops(np.arange(plen, plen + len(row.ids)))
                        for t, kind in enumerate(row_kinds[left : left + len(row.ids)]):
                            cost = linear + float(attention[t])
                            if t >= row.n_context:
                                kind = "scored"
                                flops["body: scored"] += cost
                                flops["head: scored"] += shapes.head_flops()
                                flops[SOFTMAX] += SOFTMAX_OPS_PER_LOGIT * shapes.vocab
                                extra["scored_ids"].append(row.ids[t])
                            else:
                                kind = "window overlap" if kind == "scored" else kind
                                flops["body: head/context/source"] += cost
                                flops[f"  of which on {kind}"] += cost
                            tokens[kind] += 1
                            flops["of which attention"] += float(attention[t])
                        pads = np.arange(plen + len(row.ids), plen + width)
                        tokens["padding"] += len(pads)
                        pad_attention = float(shapes.attention_flops(pads).sum())
                        flops["padding"] += linear * len(pads) + pad_attention
                        flops["of which attention"] += pad_attention
    return list(records.values()), extra


def summarise(records: list[dict], extra: dict, shapes: Shapes, limit: float, openvino_head: int,
              head_sizes: list[int]) -> dict:
    """Per part and pass: mean and median per segment, totals; the bound at the matmul limit; what each lever could
    save at most (FLOPs removed; the speed-up is the ratio of FLOPs, i.e. at the same share of the matmul limit)."""
    n = len(records)
    per_seg = defaultdict(list)
    details = {p: sorted({k for rec in records for k in rec["flops"][p]} - set(PARTS)) for p in ("target", "source")}
    for rec in records:
        total = 0.0
        for pass_ in ("target", "source"):
            f = rec["flops"][pass_]
            pass_total = sum(f[p] for p in PARTS)
            total += pass_total
            per_seg[f"{pass_}: total"].append(pass_total)
            for part in PARTS + tuple(details[pass_]):
                per_seg[f"{pass_}: {part}"].append(f.get(part, 0.0))
        per_seg["segment total"].append(total)
    prefill = extra["prefill_flops"]
    stats = {k: {"mean_gflop": sum(v) / n / 1e9, "median_gflop": statistics.median(v) / 1e9,
                 "total_gflop": sum(v) / 1e9} for k, v in per_seg.items()}
    total = sum(per_seg["segment total"]) + prefill
    per_segment = total / n

    def removed(flops: float) -> dict:
        left = total - flops
        return {"gflop_per_segment": left / n / 1e9, "saves": flops / total, "speedup_at_most": total / left,
                "bound_segments_per_s": limit / (left / n)}

    head = sum(per_seg["target: head: scored"]) + sum(per_seg["source: head: scored"])
    pad = sum(per_seg["target: padding"]) + sum(per_seg["source: padding"])
    target = sum(per_seg["target: total"])
    context = sum(rec["tokens"]["target"]["context"] for rec in records) * shapes.linear_flops()
    levers = {f"a: head over {v:,} tokens": removed(head * (1 - v / shapes.vocab)) for v in head_sizes}
    levers["b: no target-only pass"] = removed(target)
    levers["c: no padding"] = removed(pad)
    # The eager default already caches the shared prompt head (prefilled once per process); OpenVINO feeds it in
    # every source row: a cache there saves those tokens' projections (their own attention, over at most a dozen
    # positions, is left out of this estimate).
    source_rows = sum(rec["rows"]["source"] for rec in records)
    levers["d: prompt-head KV cache, eager default"] = removed(0.0)
    ov_extra = source_rows * openvino_head * shapes.linear_flops()
    levers["d: prompt-head KV cache, openvino rows"] = {
        "gflop_per_segment_now": (total + ov_extra) / n / 1e9, "saves": ov_extra / (total + ov_extra),
        "speedup_at_most": (total + ov_extra) / total}
    levers["e (not in the brief): target-only context from a cache, not re-fed"] = removed(context)
    for v in (50_000, 30_000):
        levers[f"a {v:,} + c"] = removed(head * (1 - v / shapes.vocab) + pad)
        levers[f"a {v:,} + c + e"] = removed(head * (1 - v / shapes.vocab) + pad + context)
        src_head = sum(per_seg["source: head: scored"])
        src_pad = sum(per_seg["source: padding"])
        levers[f"a {v:,} + b + c"] = removed(target + src_head * (1 - v / shapes.vocab) + src_pad)
    tokens = defaultdict(list)
    for rec in records:
        for pass_ in ("target", "source"):
            for kind, count in rec["tokens"][pass_].items():
                tokens[f"{pass_}: {kind}"].append(count)
    token_stats = {k: {"mean": sum(v) / n, "median": statistics.median(v + [0] * (n - len(v))), "total": sum(v)}
                   for k, v in sorted(tokens.items())}
    return {"segments": n, "sentences": sum(r["sentences"] for r in records),
            "rows": {p: sum(r["rows"][p] for r in records) for p in ("target", "source")},
            "batches": dict(extra["batches"]), "windowed_rows": extra["windowed_rows"],
            "prefills": extra["prefills"], "prefill_gflop": prefill / 1e9,
            "tokens_per_segment": token_stats, "gflop_per_segment": stats,
            "total_gflop": total / 1e9, "mean_gflop_per_segment": per_segment / 1e9,
            "bound_segments_per_s": limit / per_segment, "levers": levers}


# ---- the vocabulary a pruned head would need --------------------------------------------------------------------
def coverage(tokenizer, counts: dict[str, Counter], scored: dict[str, list[int]], shapes: Shapes) -> dict:
    """The vocabulary a pruned head would need, and the share of held-out positions whose true token a set built
    from the other text leaves out: all ids seen, or the V most frequent of them."""
    union = Counter()
    for c in counts.values():
        union.update(c)
    ranked = [i for i, _ in union.most_common()]
    sets = {f"all {len(union):,} ids seen": set(union)}
    for v in HEAD_SIZES[1:]:
        if v < len(union):
            sets[f"top {v:,}"] = set(ranked[:v])

    def outside(ids: list[int]) -> dict:
        return {name: (sum(i not in s for i in ids) / len(ids) if ids else None) for name, s in sets.items()}

    held_out = {f"{name}, scored positions (both passes)": {"positions": len(ids), "share_outside": outside(ids)}
                for name, ids in scored.items()}
    for name, path in OTHER_NEWS.items():
        if not path.is_file():
            continue
        ids = [i for g in read_mqm(path).segments for i in tokenizer(g.target, add_special_tokens=False)["input_ids"]]
        held_out[f"all targets of {name}, each tokenised alone"] = {"positions": len(ids),
                                                                    "share_outside": outside(ids)}
    return {"distinct_ids": {name: len(c) for name, c in counts.items()},
            "tokens": {name: sum(c.values()) for name, c in counts.items()},
            "distinct_ids_all": len(union), "seen_at_least_twice": sum(1 for v in union.values() if v >= 2),
            "vocabulary": shapes.vocab, "held_out": held_out,
            "note": "news-en holds the WMT21 English references, so WMT21 zh-en targets are not fully held out; "
                    "WMT23 (2023 news) is. A pruned head also renormalises over its V tokens: log-probs change by "
                    "the log of the probability mass it leaves out, and a token outside it needs a fallback."}


# ---- one batch timed, part by part ---------------------------------------------------------------------------------
def time_parts(scorer, shapes: Shapes, batch: list, threads: int, rounds: int = 3) -> dict:
    """One recorded target-only batch through the real decoder: the body, the vocabulary projection at the scored
    positions, and the float32 copy + log-sum-exp, each the best of ``rounds`` after a warm-up (as ``_eager`` runs
    them, 256 positions at a time)."""
    decoder = scorer.decoder
    ids = padded_ids(batch, scorer.pad)
    width = ids.shape[1]
    rows, cols, targets, _ = scored_positions(batch)
    target_t = torch.tensor(targets)
    best = {"body": float("inf"), "projection": float("inf"), "float32 copy + log-sum-exp": float("inf")}
    before, threads_before = uptime(), torch.get_num_threads()
    torch.set_num_threads(threads)
    with torch.inference_mode():
        for r in range(rounds + 1):
            t = time.perf_counter()
            hidden, _ = decoder(ids)
            body = time.perf_counter() - t
            picked = hidden[torch.tensor(rows), torch.tensor(cols)]
            projection = softmax = 0.0
            for a in range(0, len(targets), 256):
                t = time.perf_counter()
                logits = decoder.project(picked[a : a + 256])
                projection += time.perf_counter() - t
                t = time.perf_counter()
                token_logprobs(logits.float(), target_t[a : a + 256], decoder.softcap, best=False)
                softmax += time.perf_counter() - t
            if r:  # the first round warms the kernels up
                for key, value in zip(best, (body, projection, softmax)):
                    best[key] = min(best[key], value)
    torch.set_num_threads(threads_before)
    fed = len(batch) * width
    body_flops = shapes.linear_flops() * fed + float(shapes.attention_flops(np.arange(width)).sum()) * len(batch)
    flops = {"body": body_flops, "projection": shapes.head_flops() * len(targets),
             "float32 copy + log-sum-exp": SOFTMAX_OPS_PER_LOGIT * shapes.vocab * len(targets)}
    total = sum(best.values())
    return {"rows": len(batch), "width": width, "tokens_fed_with_padding": fed, "scored": len(targets),
            "seconds_best": best, "share_of_time": {k: v / total for k, v in best.items()},
            "gflop": {k: v / 1e9 for k, v in flops.items()},
            "gflop_per_s": {k: flops[k] / best[k] / 1e9 for k in best},
            "load_before": before, "load_after": uptime(), "threads": threads}


# ---- printing ----------------------------------------------------------------------------------------------------
def print_dataset(name: str, s: dict) -> None:
    print(f"\n== {name}: {s['segments']} segments, {s['sentences']} sentences; rows target {s['rows']['target']}, "
          f"source {s['rows']['source']}; batches {s['batches']}; windowed rows {s['windowed_rows']}; "
          f"prompt-head prefills {s['prefills']} ({s['prefill_gflop']:.1f} GFLOP in all)")
    print("tokens per segment (mean / median / total):")
    for k, v in s["tokens_per_segment"].items():
        print(f"  {k:34s} {v['mean']:8.1f} {v['median']:8.1f} {v['total']:9d}")
    print("GFLOP per segment (mean / median / share of the total):")
    total = s["total_gflop"]
    for k, v in s["gflop_per_segment"].items():
        print(f"  {k:40s} {v['mean_gflop']:7.2f} {v['median_gflop']:7.2f} {v['total_gflop'] / total:6.1%}")
    print(f"total {total:.0f} GFLOP = {s['mean_gflop_per_segment']:.1f} GFLOP per segment; bound at the matmul limit "
          f"{s['bound_segments_per_s']:.2f} segments/s")
    print("levers (FLOPs removed at most; speed-up if the kernels keep their share of the limit):")
    for k, v in s["levers"].items():
        if "bound_segments_per_s" in v:
            print(f"  {k:58s} saves {v['saves']:6.1%}  x{v['speedup_at_most']:.2f}  "
                  f"{v['gflop_per_segment']:6.1f} GFLOP/seg  bound {v['bound_segments_per_s']:.2f} seg/s")
        else:
            print(f"  {k:58s} saves {v['saves']:6.1%} of openvino's {v['gflop_per_segment_now']:.1f} GFLOP/seg "
                  f"(x{v['speedup_at_most']:.2f})")


def print_timing(timing: dict) -> None:
    print(f"\none target-only batch timed at {timing['threads']} thread(s) ({timing['rows']} rows x {timing['width']}, "
          f"{timing['scored']} scored; {timing['load_before']} -> {timing['load_after']}):")
    for k in timing["seconds_best"]:
        print(f"  {k:28s} {timing['seconds_best'][k]:6.3f} s  {timing['share_of_time'][k]:6.1%} of the time  "
              f"{timing['gflop'][k]:7.1f} GFLOP  {timing['gflop_per_s'][k]:6.1f} GFLOP/s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=20, help="first (system, document) articles of each news file")
    ap.add_argument("--no-timing", dest="timing", action="store_false", help="skip the timed batch")
    ap.add_argument("--no-vocabulary", dest="vocabulary", action="store_false",
                    help="skip tokenising the corpora for the pruned-head vocabulary")
    ap.add_argument("--segments", action="store_true", help="write every segment's counts into the JSON too")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "flops.json")
    args = ap.parse_args()
    if not NEWS["WMT21 zh-en"].is_file():
        print(f"skipped: {NEWS['WMT21 zh-en']} is absent (the development data)")
        return 0
    started = uptime()
    print(f"{describe()}; {started}", flush=True)
    path = store.model_path(MODEL)
    cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
    shapes = Shapes.of(cfg)
    scorer = load_scorer(MODEL)  # the default audit's scorer: both passes, eager PyTorch, default batcher
    check = weight_check(path, shapes, scorer.decoder)
    print(f"parameters derived from config.json: {json.dumps(check['derived'])}")
    print(f"stored in model.safetensors ({check['tensors']} tensors): {json.dumps(check['stored'])}; "
          f"decoder.body_parameters {check['decoder.body_parameters']:,}; agree: {check['agree']}")
    if check["shapes_wrong"]:
        print("shapes that differ:", *check["shapes_wrong"][:5], sep="\n  ")
    per_token = {"body projections, any position": shapes.linear_flops(),
                 "attention at position 100": int(shapes.attention_flops(np.array([100]))[0]),
                 "attention at position 511": int(shapes.attention_flops(np.array([511]))[0]),
                 "head, full vocabulary": shapes.head_flops(),
                 "softmax element-wise ops (est.)": SOFTMAX_OPS_PER_LOGIT * shapes.vocab}
    print("FLOPs per token:", json.dumps(per_token))
    dtype, threads = str(scorer.dtype).replace("torch.", ""), torch.get_num_threads()
    # The probe swings with the shared machine's load: probe at the start and at the end, bound with the best.
    limits = [(matmul_limit(scorer.dtype, shapes.hidden), uptime())]
    print(f"matmul limit ({dtype}, {threads} threads): {limits[0][0] / 1e9:.0f} GFLOP/s; {limits[0][1]}", flush=True)
    counts = corpus_counts(scorer.tokenizer) if args.vocabulary else None
    head_sizes = list(HEAD_SIZES)
    if counts:
        seen = len(set().union(*counts.values()))
        head_sizes = sorted({*head_sizes, seen}, reverse=True)
    auditor = Auditor(AuditConfig(detectors=["brackets"], model=MODEL, langs=PAIR), load_model=False)
    head_tokens = len(scorer.tokenizer(scorer.prompt("x", "zh", "en")[0], add_special_tokens=False)["input_ids"])
    openvino_head = len(scorer.bos) + head_tokens - 1  # OpenVINO rows feed the head the eager rows take from cache
    found, scored_ids, timing_batch, records_out = {}, {}, None, {}
    with tempfile.TemporaryDirectory(prefix="mtaudit-flops-") as tmp:
        for name, news in NEWS.items():
            if not news.is_file():
                print(f"{name}: {news} absent, skipped")
                continue
            folder = Path(tmp) / name.replace(" ", "_")
            folder.mkdir()
            docs = articles(news, args.articles, folder)
            records, extra = account(scorer, shapes, docs, auditor)
            found[name] = (records, extra)
            scored_ids[name] = extra["scored_ids"]
            if args.segments:
                records_out[name] = [
                    {k: r[k] for k in ("doc", "segment", "sentences", "target_chars", "source_chars")}
                    | {"tokens": {p: dict(c) for p, c in r["tokens"].items()}, "rows": dict(r["rows"]),
                       "gflop": {p: round(sum(r["flops"][p][q] for q in PARTS) / 1e9, 3) for p in r["flops"]}}
                    for r in records]
            if timing_batch is None:
                timing_batch = extra["largest_target_batch"]
    timings = []
    if args.timing and timing_batch:  # the largest target-only batch of the first news file
        for n in sorted({threads, 1}, reverse=True):
            timings.append(time_parts(scorer, shapes, timing_batch, n))
    limits.append((matmul_limit(scorer.dtype, shapes.hidden), uptime()))
    print(f"matmul limit again: {limits[1][0] / 1e9:.0f} GFLOP/s; {limits[1][1]}", flush=True)
    limit = max(v for v, _ in limits)
    results = {name: summarise(records, extra, shapes, limit, openvino_head, head_sizes)
               for name, (records, extra) in found.items()}
    for name, summary in results.items():
        print_dataset(name, summary)
    vocab = coverage(scorer.tokenizer, counts, scored_ids, shapes) if counts else None
    if vocab:
        print(f"\nvocabulary: {vocab['distinct_ids_all']:,} distinct ids in the other text "
              f"({vocab['seen_at_least_twice']:,} seen twice or more) of {shapes.vocab:,}; per corpus "
              f"{json.dumps(vocab['distinct_ids'])}")
        for name, h in vocab["held_out"].items():
            shares = ", ".join(f"{k} {v:.3%}" for k, v in h["share_outside"].items())
            print(f"  {name} ({h['positions']:,} positions): outside {shares}")
    for timing in timings:
        print_timing(timing)
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": describe(), "command": "python -m bench.flops " + " ".join(sys.argv[1:]),
        "load_start": started, "load_end": uptime(), "model": MODEL, "dtype": dtype, "threads": threads,
        "matmul_limit_gflops": limit / 1e9,
        "matmul_limit_probes": [{"gflops": v / 1e9, "load": load} for v, load in limits],
        "config": {k: cfg[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                                       "num_key_value_heads", "head_dim", "vocab_size", "sliding_window")},
        "layer_kinds": dict(Counter(shapes.kinds)), "parameters": check, "flops_per_token": per_token,
        "articles_per_file": args.articles, "openvino_head_tokens_per_row": openvino_head,
        "results": results, "vocabulary": vocab, "timing": timings,
    }
    if args.segments:
        report["segments"] = records_out
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
