"""Speed on real news with the source: the CLI audits WMT21 zh-en articles, with a breakdown and the ranking.

Workload: every translation (8 systems and the human reference) of ``--docs`` source documents of
``../shared/data/mqm/wmt21_news_zhen.scores.tsv``, one JSONL article per (system, document) holding each segment's
source and target (no reference), audited by the CLI as a user would::

    mtaudit audit DIR --jsonl out.jsonl --langs zh-en --top 0 -q

Each run is a child process: ``python bench/bench_news.py --child`` puts timers around the pipeline's stages and
then calls the CLI's own entry point with those arguments, so the audit is the user's, plus the clock. Reported per
run: wall time (process start to exit), segments/s, sentences/s, tokens/s (target tokens the model scored, both
passes), model load time, peak RSS (``wait4``), GFLOP/s inside the scorer's forward passes and their share of the
bf16 matmul limit measured in the same child (``bench_model.matmul_limit``, same threads), and the breakdown:

* ``read+detect``: reading, sentence splitting and the rule detectors (``Reader.load_and_prepare`` of
  ``mtaudit.pipeline.stages``); with ``--workers 1`` in the main process, else summed over the pool's processes,
  overlapped with the model (so not part of the wall);
* ``target pass`` / ``source pass``: ``LMScorer.logprobs`` for each pass (tokenising, batching, forward passes,
  log-probs), of which ``forward`` is the model itself (``LMScorer.forward``);
* ``fill``: the rest of ``LMScorer.score``: turning log-probs into scores and odd-phrasing findings, the preceding
  sentences and prompts, the estimator's error mass;
* ``risk``: decisions and risk (``Auditor.settle``); ``write``: the JSONL writer;
* ``other``: start-up (imports), waiting for the pool's first documents and whatever else the wall time holds.

Ranking: the run's JSONL is read back, each segment's sentences become one feature row exactly as ``mtaudit eval``
builds them (``segment_features``), scored by the language pair's risk model; tau within documents, P@20 % and the
length baseline on the same segments. A variant that changes the ranking shows it here.

Variants (``--variants``) run interleaved (A, B, then B, A, ...; ``--rounds``) so that a shared machine's drifting load
hits them alike; ``uptime`` is printed beside every figure. A variant is ``NAME:OPTION=VALUE,...`` where the options
go to the scorer (``batch_tokens``, ``threads``, ``dtype``, ``runtime=openvino``, ...) or, for ``workers``, to the CLI; ``fast=1`` adds
``--fast``, ``adequacy=1`` adds ``--adequacy``; ``tree=PATH`` runs another checkout's mtaudit (e.g. ``base:tree=../main`` for today's code) under
the same timers, in the child (``bench/trees.py``). The timers need the pipeline package (``mtaudit.pipeline``) and
``LMScorer.forward``: a checkout from before them is measured by its own ``bench/bench_news.py``.

    python -m bench.bench_news [--docs DOC ...] [--rounds 1] [--variants default fast:fast=1 openvino:runtime=openvino]
        [--out FILE]

The default variants are the default, ``--fast`` and, where the ``openvino`` package is installed,
``--runtime openvino``.

``--article [WORDS]`` measures issue 12's latency target instead: one article of about WORDS words (default 1,000:
the first segments of one system's translation of one document, ``--article-from SYSTEM/DOC``, default Facebook-AI's
``wmt21news.012``, 31 segments, 1,012 words) with its source, audited by the CLI as one file. Besides the figures
above it reports the model load (``load_scorer``, torch's import included) and the time from the end of the load to
the end of the audit, against the targets (load < 3 s, the article < 5 s after it)::

    python -m bench.bench_news --article --rounds 2 --variants default fast:fast=1 ovfast:runtime=openvino,fast=1
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

from bench.machine import describe  # the CPU and its matrix units
from bench.trees import child_env

ROOT = Path(__file__).resolve().parents[1]

NEWS = ROOT / ".." / "shared" / "data" / "mqm" / "wmt21_news_zhen.scores.tsv"
# Small source documents first would flatter the speed (short articles): take documents spread over the file.
DEFAULT_DOCS = ("wmt21news.010", "wmt21news.020", "wmt21news.030")
# The article of issue 12's latency target: a long one (most WMT21 documents are shorter than 1,000 words).
ARTICLE_FROM = "Facebook-AI/wmt21news.012"
LOAD_TARGET_S, ARTICLE_TARGET_S = 3.0, 5.0


def uptime() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


# ---- the workload -------------------------------------------------------------------------------------------
def workload(folder: Path, docs: list[str]):
    """Write one JSONL article per (system, document); returns the gold segments in file order."""
    from mtaudit.evaluation.mqm import read_mqm

    mqm = read_mqm(NEWS)
    wanted = set(docs)
    gold = [g for g in mqm.segments if g.doc in wanted]
    articles: dict[tuple[str, str], list] = defaultdict(list)
    for g in gold:
        articles[(g.system, g.doc)].append(g)
    for (system, doc), golds in articles.items():
        lines = [json.dumps({"id": g.seg_id, "source": g.source, "target": g.target}, ensure_ascii=False)
                 for g in golds]
        (folder / f"{system}__{doc}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gold


def article_workload(folder: Path, words: int, origin: str):
    """Write one article: the first segments of ``origin`` (SYSTEM/DOC) that reach ``words`` words of target."""
    from mtaudit.evaluation.mqm import read_mqm

    system, _, doc = origin.partition("/")
    gold, count = [], 0
    for g in read_mqm(NEWS).segments:
        if g.system == system and g.doc == doc and count < words:
            gold.append(g)
            count += len(g.target.split())
    if not gold:
        raise SystemExit(f"--article-from {origin}: no such system/document in {NEWS.name}")
    lines = [json.dumps({"id": g.seg_id, "source": g.source, "target": g.target}, ensure_ascii=False) for g in gold]
    (folder / f"{system}__{doc}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gold


# ---- the child: the CLI with timers around its stages ---------------------------------------------------------
def child(timings_path: Path, scorer_options: dict, cli_args: list[str]) -> int:
    import functools

    started = time.perf_counter()
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)

    def timed(owner, name: str, key: str, classify=None):
        original = getattr(owner, name)
        static = isinstance(vars(owner).get(name), staticmethod) if isinstance(owner, type) else False

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                totals[classify(args) if classify else key] += time.perf_counter() - t

        setattr(owner, name, staticmethod(wrapper) if static else wrapper)

    # The timers are wrappers put, in this child process only, around public functions and methods of the pipeline
    # (each patch below says which); nothing private is touched and the audit itself is the CLI's.
    # Nothing here imports torch: the scorer's module (and torch) is imported by the model load, as in a user's run,
    # so that "model load" includes torch's import and the reading workers start before it (Engine.prefetch). Its
    # timers go on once it is loaded (methods are looked up on the class, so the loaded scorer uses them).
    import mtaudit.fluency as fluency
    import mtaudit.fluency.loading as loading
    from mtaudit.pipeline import Auditor
    from mtaudit.pipeline.stages import Reader
    from mtaudit.reports.jsonl import JsonlWriter

    # Reading: every reading process reads with its Reader (stages.load_and_prepare). The local engine's pool is
    # forked from this process after this patch, so its workers inherit it. In a worker the timer's total would stay
    # in that process: the seconds travel with the Document, and settle (below) adds them up.
    load_and_prepare = Reader.load_and_prepare

    @functools.wraps(load_and_prepare)
    def read_and_detect(self, path):
        t = time.perf_counter()
        doc = load_and_prepare(self, path)
        doc.bench_read_s = time.perf_counter() - t
        return doc

    Reader.load_and_prepare = read_and_detect
    original_settle = Auditor.settle

    def settle(self, docs):
        totals["read+detect"] += sum(getattr(d, "bench_read_s", 0.0) for d in docs)
        t = time.perf_counter()
        out = original_settle(self, docs)
        totals["risk"] += time.perf_counter() - t
        return out

    Auditor.settle = settle
    timed(JsonlWriter, "write_document", "write")
    # the model's background jobs (reading and checking the files, compiling an OpenVINO export): when each ran,
    # from the child's start, so a timeline shows what the first batch waited for (loading.in_background starts them)
    jobs: list[dict] = []
    in_background = loading.in_background

    def timed_in_background(name, fn, *args):
        def job(*inner):
            entry = {"job": name, "start": time.perf_counter() - started}
            try:
                return fn(*inner)
            finally:
                entry["end"] = time.perf_counter() - started
                jobs.append(entry)

        return in_background(name, job, *args)

    loading.in_background = timed_in_background

    def time_the_scorer() -> None:
        from mtaudit.fluency.scorer import LMScorer

        timed(LMScorer, "logprobs", "",
              classify=lambda a: "source pass" if a[1] and a[1][0].prefix_text else "target pass")
        timed(LMScorer, "score", "score")  # less the two passes: "fill"
        original_forward = LMScorer.forward

        def forward(self, batch, *args, **kwargs):
            t = time.perf_counter()
            totals.setdefault("first forward", t - started)
            out = original_forward(self, batch, *args, **kwargs)
            totals["forward"] += time.perf_counter() - t
            counts["rows"] += len(batch)
            counts["fed"] += sum(len(r.ids) for r in batch)
            counts["padded"] += len(batch) * max(len(r.ids) for r in batch)
            counts["scored"] += sum(len(r.ids) - r.n_context for r in batch)
            counts["batches"] += 1
            return out

        LMScorer.forward = forward

    original_load = fluency.load_scorer
    holder = {}

    def load_scorer(*args, **kwargs):
        t = time.perf_counter()
        scorer = original_load(*args, **{**kwargs, **scorer_options})
        totals["model load"] += time.perf_counter() - t
        totals["load end"] = time.perf_counter() - started  # from the child's start
        if "scorer" not in holder:
            time_the_scorer()
        holder["scorer"] = scorer
        return scorer

    fluency.load_scorer = load_scorer
    from mtaudit import cli

    sys.argv = ["mtaudit", *cli_args]
    code = 0
    try:
        cli.app(standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    wall_in_process = time.perf_counter() - started
    totals["fill"] = totals.pop("score", 0.0) - totals["target pass"] - totals["source pass"]
    info = {"seconds": dict(totals), "counts": dict(counts), "in_process_s": wall_in_process, "code": code,
            "jobs": jobs}
    scorer = holder.get("scorer")
    if scorer is not None:
        import torch

        from bench.bench_model import matmul_limit

        info["threads"] = torch.get_num_threads()
        info["dtype"] = str(scorer.dtype).replace("torch.", "")
        decoder = scorer.decoder
        info["hidden"], info["vocab"] = decoder.hidden_size, decoder.vocab_size
        info["body_params"] = decoder.body_parameters
        kept = getattr(getattr(scorer, "head", None), "kept", None)  # a pruned head projects onto its kept ids
        info["head_ids"] = len(kept) if kept is not None else decoder.vocab_size
        # the machine's own limit in the scorer's dtype and threads, measured now, beside the run
        info["limit_flops"] = matmul_limit(scorer.dtype, info["hidden"])
    timings_path.write_text(json.dumps(info), encoding="utf-8")
    return code


# ---- the ranking of a run ------------------------------------------------------------------------------------
def ranking(out_jsonl: Path, gold: list) -> dict:
    """tau_doc, P@20 % and friends of the run's risk model on the segments, with the length baseline."""
    from mtaudit.core.document import Finding, Segment, Sentence
    from mtaudit.evaluation.evaluate import figures_for
    from mtaudit.evaluation.features import AuditedSet, segment_features
    from mtaudit.risk import RiskModel

    sentences: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for line in out_jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("type") == "sentence":
            sentences[(Path(record["doc"]).stem, record["segment"])].append(record)
    features = []
    for g in gold:
        records = sentences[(f"{g.system}__{g.doc}", g.seg_id)]
        segment = Segment(id=g.seg_id, target=g.target, source=g.source)
        for r in records:
            sentence = Sentence(segment, r["sentence"], r["start"], r["end"])
            sentence.fluency = r["fluency"]
            sentence.scores = dict(r["scores"])
            sentence.findings = [Finding.from_dict(f) for f in r["findings"]]
            segment.sentences.append(sentence)
        features.append(segment_features(segment))
    audited = AuditedSet(gold=gold, segments=[], features=features, detectors=[], model=None)
    risk = RiskModel.for_pair("zh", "en")
    return {"mtaudit": figures_for(audited, [risk.risk(f) for f in features]),
            "length": figures_for(audited, [float(len(g.target.split())) for g in gold]),
            "risk_model": risk.name}


# ---- the parent -----------------------------------------------------------------------------------------------
def parse_variant(text: str) -> tuple[str, dict]:
    name, _, options = text.partition(":")
    parsed = {}
    for item in filter(None, options.split(",")):
        key, _, value = item.partition("=")
        parsed[key] = int(value) if value.lstrip("-").isdigit() else value
    return name, parsed


def run_variant(name: str, options: dict, folder: Path, work: Path, gold: list, round_: int) -> dict:
    options = dict(options)
    workers = str(options.pop("workers", 0))
    tree = options.pop("tree", None)
    fast = ["--fast"] if options.pop("fast", 0) else []
    fast += ["--adequacy"] if options.pop("adequacy", 0) else []
    out = work / f"{name}.{round_}.jsonl"
    timings = work / f"{name}.{round_}.timings.json"
    cli_args = ["audit", str(folder), "--jsonl", str(out), "--langs", "zh-en", "--top", "0", "-q",
                "--workers", workers, *fast]
    # by file path, not -m: the child's mtaudit is the one PYTHONPATH names first (bench/trees.py)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(timings), json.dumps(options),
               *cli_args]
    load_before = uptime()
    t = time.perf_counter()
    # tree=PATH: another checkout's mtaudit (e.g. main's) under the same timers, for a before/after comparison
    env = child_env(tree)
    proc = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"variant {name}: the audit failed (exit {os.waitstatus_to_exitcode(status)})")
    info = json.loads(timings.read_text(encoding="utf-8"))
    s, c = info["seconds"], info["counts"]
    segments = len(gold)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    sentences = sum(1 for r in records if r.get("type") == "sentence")
    audit_s = wall - s.get("model load", 0.0)
    flops = 2 * info["body_params"] * c["fed"] + 2 * info.get("head_ids", info["vocab"]) * info["hidden"] * c["scored"]
    gflops = flops / s["forward"] / 1e9
    parts = {k: round(s.get(k, 0.0), 2) for k in ("read+detect", "target pass", "source pass", "forward", "fill",
                                                   "risk", "write", "model load")}
    in_main = ("target pass", "source pass", "fill", "risk", "write", "model load")
    accounted = sum(parts[k] for k in in_main + (("read+detect",) if workers == "1" else ()))
    parts["other"] = round(wall - accounted, 2)
    # the audit after the model is loaded: from load_scorer's return to the CLI's (the process's own exit and the
    # interpreter's start are left out: they are neither load nor audit)
    after_load = info["in_process_s"] - s.get("load end", 0.0)
    row = {
        "variant": name, "options": options, "workers": workers, "round": round_,
        "load_before": load_before, "load_after": uptime(),
        "wall_s": round(wall, 2), "model_load_s": round(s.get("model load", 0.0), 2),
        "segments": segments, "sentences": sentences,
        "segments_per_s": round(segments / wall, 3), "sentences_per_s": round(sentences / wall, 3),
        "segments_per_s_after_load": round(segments / audit_s, 3),
        "words": sum(len(g.target.split()) for g in gold), "audit_after_load_s": round(after_load, 2),
        "tokens_scored": c["scored"], "tokens_per_s": round(c["scored"] / wall, 1),
        "rows": c["rows"], "batches": c["batches"], "tokens_fed": c["fed"],
        "padding_share": round(1 - c["fed"] / c["padded"], 3),
        "gflops_forward": round(gflops, 1), "limit_gflops": round(info["limit_flops"] / 1e9, 1),
        "share_of_limit": round(gflops * 1e9 / info["limit_flops"], 3),
        "threads": info["threads"], "dtype": info["dtype"],
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "breakdown_s": parts,
        # seconds from the child's start: the end of the model load, the first forward, the background jobs
        "timeline_s": {**{k: round(s.get(k, 0.0), 2) for k in ("load end", "first forward")},
                       **{f"{j['job']} {k}": round(j[k], 2) for j in info.get("jobs", []) for k in ("start", "end")}},
        "ranking": ranking(out, gold),
    }
    return row


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", nargs="+", default=list(DEFAULT_DOCS),
                    help="source documents of the news file (all their translations are audited)")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds of the variants")
    # the OpenVINO runtime is measured beside the default wherever its package is installed (make installs it)
    variants = ["default", "fast:fast=1"] + (["openvino:runtime=openvino"] if find_spec("openvino") else [])
    ap.add_argument("--variants", nargs="+", default=variants,
                    help="NAME[:OPTION=VALUE,...]; options go to the scorer, workers=N to the CLI")
    ap.add_argument("--article", type=int, nargs="?", const=1000, default=None, metavar="WORDS",
                    help="one article of about WORDS words (default 1000) instead of --docs: the latency target")
    ap.add_argument("--article-from", default=ARTICLE_FROM, metavar="SYSTEM/DOC",
                    help=f"the translation the article is cut from (default {ARTICLE_FROM})")
    ap.add_argument("--keep", type=Path, default=None, help="keep the articles and outputs in this folder")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "bench_news.json")
    args = ap.parse_args()
    if not NEWS.is_file():
        print(f"skipped: {NEWS} is absent (the development data)")
        return 0
    variants = [parse_variant(v) for v in args.variants]
    with tempfile.TemporaryDirectory(prefix="mtaudit-news-") as tmp:
        work = args.keep or Path(tmp)
        folder = work / "articles"
        folder.mkdir(parents=True, exist_ok=True)
        if args.article:
            gold = article_workload(folder, args.article, args.article_from)
            print(f"one article of {len(gold)} segments, {sum(len(g.target.split()) for g in gold)} words "
                  f"({args.article_from}); {uptime()}", flush=True)
        else:
            gold = workload(folder, args.docs)
            print(f"{len(gold)} segments in {len(list(folder.iterdir()))} articles ({', '.join(args.docs)}); "
                  f"{uptime()}", flush=True)
        rows = []
        for r in range(args.rounds):
            order = variants if r % 2 == 0 else variants[::-1]
            for name, options in order:
                row = run_variant(name, options, folder, work, gold, r)
                rows.append(row)
                rank = row["ranking"]["mtaudit"]
                print(f"round {r} {name:14s} {row['segments_per_s']:6.2f} seg/s ({row['segments_per_s_after_load']:.2f}"
                      f" after load) {row['sentences_per_s']:6.2f} sent/s {row['tokens_per_s']:7.1f} tok/s "
                      f"{row['gflops_forward']:6.1f} GFLOP/s = {row['share_of_limit']:.0%} of {row['limit_gflops']:.0f}"
                      f"  load {row['model_load_s']:.1f} s  RSS {row['peak_rss_mib']:.0f} MiB  pad "
                      f"{row['padding_share']:.0%}  tau_doc {rank['tau_doc']} P@20 {rank['p_at_20']}  "
                      f"{row['breakdown_s']}  [{row['load_before']} -> {row['load_after']}]", flush=True)
                if args.article:
                    met = (row["model_load_s"] < LOAD_TARGET_S, row["audit_after_load_s"] < ARTICLE_TARGET_S)
                    print(f"    article: model load {row['model_load_s']:.2f} s (target < {LOAD_TARGET_S:.0f}: "
                          f"{'met' if met[0] else 'not met'}), audited {row['audit_after_load_s']:.2f} s after the "
                          f"load (target < {ARTICLE_TARGET_S:.0f}: {'met' if met[1] else 'not met'})", flush=True)
                    print(f"    timeline (s from the child's start): {row['timeline_s']}", flush=True)
    base = variants[0][0]
    ratios = {}
    for name, _ in variants[1:]:
        per_round = [b["segments_per_s"] / a["segments_per_s"] for a, b in
                     zip([x for x in rows if x["variant"] == base], [x for x in rows if x["variant"] == name])]
        ratios[name] = [round(x, 3) for x in per_round]
        print(f"{name} / {base}: segments/s ratio per round {ratios[name]}")
    baseline = rows[0]["ranking"]["length"]
    print(f"length baseline on the same segments: tau_doc {baseline['tau_doc']} P@20 {baseline['p_at_20']}")
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": describe(),
        "command": "python " + " ".join(sys.argv),
        "docs": [args.article_from] if args.article else args.docs, "rows": rows, "ratios_vs_first": ratios,
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
