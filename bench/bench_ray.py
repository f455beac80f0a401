"""The Ray engine against the local engine, the driver's ceiling and the driver's memory.

Four measurements, each printed as Markdown ready for BENCHMARKS.md, with the load average before and after (the
development machine is shared; ratios inside one run are what to quote):

1. ``--files`` generated articles without the model, local engine vs Ray (a runtime of ``--cpus`` CPUs started by
   the CLI), interleaved in rounds; outputs compared (they must be equal apart from the run line).
2. ``--model-files`` articles with the default model, the same way; the largest difference in risk or any score.
3. The driver's ceiling: finished documents put in Ray's object store, then received by the engine's own driver
   loop and handled as the CLI's driver handles them (JSONL written, the top sentences kept), as fast as it can:
   sentence records per second, for what the tasks and actors send now (encoded lines; references to prepared
   documents) and, in the same run, for whole Documents as they sent before.
4. The driver's memory: the CLI with ``--engine ray`` over ``--small-files`` small files and a tenth of them, peak
   RSS of the driver process alone (its Ray workers are other processes).

Run from the repository root: ``python -m bench.bench_ray`` (``make bench`` runs it). ``--skip`` leaves parts out.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.bench_audit import generate  # the same generated articles as the local benchmark
from bench.machine import describe  # the CPU and its matrix units

REPO = Path(__file__).resolve().parents[1]


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def cli(folder: Path, out: Path, engine: str, cpus: int, model: bool, extra: list[str] = ()) -> list[str]:
    cmd = [sys.executable, "-m", "mtaudit", "audit", str(folder), "--quiet", "--top", "0", "--workers", str(cpus),
           "--jsonl", str(out), "--engine", engine, *extra]
    return cmd if model else cmd + ["--no-model"]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO)
    return time.perf_counter() - start


def results(path: Path) -> tuple[dict, list[dict]]:
    run, *rest = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return run, rest


def largest_difference(a: list[dict], b: list[dict]) -> float:
    """The largest absolute difference of a risk or a score between two runs (which must hold the same records)."""
    assert [(r["type"], r["doc"]) for r in a] == [(r["type"], r["doc"]) for r in b], "different documents or order"
    worst = 0.0
    for x, y in zip(a, b):
        worst = max(worst, abs(x["risk"] - y["risk"]))
        for key in set(x.get("scores", {})) | set(y.get("scores", {})):
            worst = max(worst, abs(x["scores"][key] - y["scores"][key]))
    return worst


def engines_compared(folder: Path, tmp: Path, cpus: int, model: bool, rounds: int) -> None:
    label = "with the model" if model else "without the model"
    print(f"\n### {len(list(folder.iterdir()))} articles {label}, {cpus} CPUs, load before {load()}\n")
    print("| round | engine | wall s | documents | sentences | sentences/s | Ray / local |")
    print("|---|---|---:|---:|---:|---:|---:|")
    outputs: dict[str, list[dict]] = {}
    for r in range(rounds):
        order = ("local", "ray") if r % 2 == 0 else ("ray", "local")  # interleaved: drift hits both alike
        walls = {}
        for engine in order:
            out = tmp / f"{engine}-{'model' if model else 'rules'}-{r}.jsonl"
            walls[engine] = timed(cli(folder, out, engine, cpus, model))
            run, rest = results(out)
            outputs[engine] = rest
            docs = sum(rec["type"] == "document" for rec in rest)
            sents = sum(rec["type"] == "sentence" for rec in rest)
            walls[engine, "n"] = (docs, sents)
        for engine in ("local", "ray"):
            docs, sents = walls[engine, "n"]
            ratio = f"{walls['ray'] / walls['local']:.3f}" if engine == "ray" else ""
            print(f"| {r + 1} | {engine} | {walls[engine]:.1f} | {docs} | {sents} | {sents / walls[engine]:.1f} | "
                  f"{ratio} |")
    diff = largest_difference(outputs["local"], outputs["ray"])
    same = outputs["local"] == outputs["ray"]
    print(f"\nload after {load()}; outputs identical: {same}; largest difference of a risk or score: {diff:.2e}")


def ceiling_documents(tmp: Path, documents: int) -> tuple[list, list, list]:
    """``documents`` generated articles: prepared (what the reading tasks send on to the model actors), finished
    without the model, and finished with the ten score fields a model run adds to every sentence record."""
    import copy

    from mtaudit.pipeline import AuditConfig, Auditor
    from mtaudit.pipeline.stages import load_and_prepare

    folder = tmp / "ceiling"
    folder.mkdir(exist_ok=True)
    generate(folder, documents, seed=11)
    files = sorted(str(p) for p in folder.iterdir())
    auditor = Auditor(AuditConfig(workers=1))
    auditor.serve_in_this_process()
    prepared = [load_and_prepare(path) for path in files]
    finished = auditor.settle(copy.deepcopy(prepared))
    model_sized = copy.deepcopy(finished)
    rng = random.Random(3)
    for doc in model_sized:
        for s in doc.sentences():
            s.fluency = rng.uniform(-6, -1)
            s.scores.update({k: rng.uniform(-60, 0) for k in (
                "lm_logprob_sum", "lm_logprob_mean", "lm_tokens", "lm_word_z_max", "src_logprob_sum",
                "src_logprob_mean", "src_tokens", "src_pmi_sum", "src_pmi_mean", "src_word_logprob_min")})
    return prepared, finished, model_sized


def driver_ceiling(tmp: Path, docs: list, repeats: int, label: str, how: str, top: int = 20) -> None:
    """Receive finished chunks from the object store through the Ray engine's ordering loop (``OrderedStage``), as
    fast as the driver can, and do with them what the CLI's driver does.

    ``how``: ``"encoded"``, the records encoded where the documents were finished (what the tasks and actors send
    since the driver only orders and writes): write them and add them to the terminal summary (``top`` sentences);
    ``"documents"``, whole Documents, encoded on the driver (what they sent before, and still send with
    ``--decisions`` or ``--annotate``); ``"settled"``, the same with the risks computed again on the driver (as with
    ``--decisions``); ``"passed on"``, prepared Documents received, cut into the model's batches and put back in the
    store (what the driver did between the reading tasks and the model actors); ``"passed on by reference"``, the same
    when the reading tasks send the driver only each document's sentence count and it hands the actors references to
    the documents in the store (what it does now)."""
    import ray

    from mtaudit.pipeline import AuditConfig, Auditor
    from mtaudit.engines.ray import CHUNK_FILES, OrderedStage, StoredDocument, handed_on
    from mtaudit.reports.base import ReportBuilder
    from mtaudit.reports.jsonl import JsonlWriter
    from mtaudit.reports.records import encode_document

    chunks = [docs[i:i + CHUNK_FILES] for i in range(0, len(docs), CHUNK_FILES)] * repeats
    if how == "encoded":  # as the tasks and actors encode them
        chunks = [[encode_document(d) for d in chunk] for chunk in chunks]
    refs = [ray.put(chunk) for chunk in chunks]  # as the tasks' and actors' results wait in the store
    stage = OrderedStage(submit=lambda _slot, ref: ref, failed=None, window=64)
    if how == "passed on by reference":  # as the reading tasks' two results: the sentences of each, the documents
        refs = [(ray.put([(d.path, sum(len(s.sentences) for s in d.segments)) for d in chunk]), ref)
                for chunk, ref in zip(chunks, refs)]
        stage = OrderedStage(submit=lambda _slot, pair: pair, failed=None, window=64, receive=handed_on)
    auditor = Auditor(AuditConfig(model="(batches of the model's size)" if how.startswith("passed") else None),
                      local_model=False)
    writer = JsonlWriter(tmp / "ceiling.jsonl")
    writer.open({"type": "run"})
    summary = ReportBuilder(keep_all=False, top=top)
    sentences = 0
    start, cpu = time.perf_counter(), time.process_time()
    received = (doc for chunk in stage.run(iter(refs)) for doc in chunk)
    if how.startswith("passed on"):
        passed = []
        count = (lambda d: d.sentences) if how == "passed on by reference" else None
        for batch in auditor.batches(received, sentences=count):
            passed.append(ray.put(batch))  # what passing the batch to an actor costs the driver
            sentences += sum(d.sentences if isinstance(d, StoredDocument) else len(list(d.sentences())) for d in batch)
            if len(passed) > 8:
                del passed[0]
    else:
        for doc in received:
            if how != "encoded":
                doc = encode_document(auditor.settle([doc])[0] if how == "settled" else doc)
            writer.write_encoded(doc.lines)
            summary.add_encoded(doc)
            sentences += doc.sentences
    writer.close()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    del refs
    print(f"| {label} | {how} | {sum(map(len, chunks))} | {sentences} | {elapsed:.2f} | {sentences / elapsed:,.0f} | "
          f"{cpu:.2f} | {sentences / cpu:,.0f} | {load()} |")


def driver_ceilings(tmp: Path, documents: int, repeats: int) -> None:
    import ray

    from mtaudit.engines.ray import LOCAL_OBJECT_STORE_BYTES

    prepared, finished, model_sized = ceiling_documents(tmp, documents)
    print("| records | what the driver receives | documents | sentence records | wall s | records/s | driver CPU s | "
          "records per CPU-second | load |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=LOCAL_OBJECT_STORE_BYTES,
             log_to_driver=False, logging_level="ERROR")
    try:
        for label, docs in (("rules only", finished), ("model-sized", model_sized)):
            for how in ("documents", "encoded"):  # before and after, interleaved
                driver_ceiling(tmp, docs, repeats, label, how)
        driver_ceiling(tmp, model_sized, repeats, "model-sized", "settled")
        driver_ceiling(tmp, prepared, repeats, "prepared", "passed on")
        driver_ceiling(tmp, prepared, repeats, "prepared", "passed on by reference")
        for how in ("encoded", "documents"):
            driver_ceiling(tmp, model_sized, repeats, "model-sized", how)
    finally:
        ray.shutdown()


def small_articles(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i:05d}.txt").write_text(
            f"Officials in district {i} said on Monday that the new bridge would open in May.\n\n"
            f"The project cost {i % 90 + 10} million dollars, the the mayor said.\n", encoding="utf-8")


def peak_rss(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB of the command's own process), sampled every 50 ms."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO)
    me = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, me.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.05)
    if proc.wait():
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - start, peak / 2**20


def driver_memory(tmp: Path, n: int, cpus: int, variants: set[str]) -> None:
    print(f"\n### Driver memory, small files (two sentences each), load before {load()}\n")
    print("| files | engine | output | wall s | driver peak RSS MiB |")
    print("|---:|---|---|---:|---:|")
    for count in (n // 10, n):
        folder = tmp / f"small{count}"
        small_articles(folder, count)
        runs = [("ray", []), ("local", [])] + ([("ray", ["--html", str(tmp / "r.html")])] if count == n else [])
        for engine, extra in runs:
            if ("html" if extra else engine) not in variants:
                continue
            wall, rss = peak_rss(cli(folder, tmp / "small.jsonl", engine, cpus, False, [*extra, "--top", "20"]))
            output = "JSONL + HTML (keeps every record)" if extra else "JSONL + top 20"
            print(f"| {count} | {engine} | {output} | {wall:.1f} | {rss:.0f} |")
    print(f"\nload after {load()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--model-files", type=int, default=200)
    ap.add_argument("--small-files", type=int, default=20000)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds without the model (1 with it)")
    ap.add_argument("--model-rounds", type=int, default=1)
    ap.add_argument("--skip", default="", help="comma-separated: rules,model,ceiling,memory")
    ap.add_argument("--memory-runs", default="ray,local,html", help="which memory runs: ray, local, html (ray with "
                    "--html, at the larger size)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"machine: {describe()}, Python "
          f"{platform.python_version()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if "rules" not in skip:
            folder = tmp / "articles"
            folder.mkdir()
            generate(folder, args.files)
            engines_compared(folder, tmp, args.cpus, model=False, rounds=args.rounds)
        if "model" not in skip:
            folder = tmp / "model-articles"
            folder.mkdir()
            generate(folder, args.model_files, seed=8)
            engines_compared(folder, tmp, args.cpus, model=True, rounds=args.model_rounds)
        if "ceiling" not in skip:
            print("\n### Driver ceiling: receive finished documents from the object store, write JSONL\n")
            driver_ceilings(tmp, 1000, 4)
        if "memory" not in skip:
            driver_memory(tmp, args.small_files, args.cpus, set(args.memory_runs.split(",")))


if __name__ == "__main__":
    main()
