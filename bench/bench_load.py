"""Model load time from the converted cache: end to end in a fresh process, and where it goes.

Each measurement is a child process (``python bench/bench_load.py --child ...``), so imports are cold in the
interpreter as they are for a user (the files sit in the page cache, as they do after the first audit of a day).
Reported per run: the child's wall time from process start to a scored sentence, ``load_scorer``'s own wall time, the
child's CPU time (user + sys of all its threads, from ``wait4``; on a shared machine the CPU time is the figure to
trust, the wall time moves with other sessions' load), peak RSS, and a fingerprint of the loaded model: the summed
log-probability of a fixed sentence, which must be identical between variants that claim the same weights.

``--stages`` runs the stages of a load one after another in one child, each timed alone (wall and CPU):
importing torch, reading and hashing the files, building the tokenizer, importing transformers' model code (only
for a model mtaudit does not run on its own decoder: not Gemma 3), building the decoder. (The real load overlaps the reading, hashing and tokenizer with the imports, in a thread.)

Variants (``--variants``) run interleaved (A, B, then B, A, ...; ``--rounds``); ``uptime`` is printed beside every
figure. A variant is ``NAME:OPTION=VALUE,...``: ``tree=PATH`` imports another checkout's mtaudit in the child (e.g.
``base:tree=../main``; ``bench/trees.py``); ``home=PATH`` sets ``MTAUDIT_HOME`` (another cache, e.g. one converted by
older code); ``threaded=0`` reads and checks the files before importing torch instead of beside it (this tree only);
``dtype=float32`` loads for a CPU without bf16 units.

    python -m bench.bench_load [--rounds 3] [--variants default base:tree=../main] [--stages] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.machine import describe  # the CPU and its matrix units
from bench.trees import child_env

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "The minister said on Tuesday that the talks in Geneva would resume next week."


def uptime() -> str:
    return "%.2f %.2f %.2f" % os.getloadavg()


def child(options: dict, out: Path) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    import mtaudit.fluency as fluency  # the tree's (tree=PATH): the parent set PYTHONPATH (bench/trees.py)

    if not int(options.get("threaded", 1)):
        from concurrent.futures import Future

        from mtaudit.fluency import loading

        def read_now(path, name=None):
            done = Future()
            done.set_result(loading.read_model(path, name))
            return done

        # The variant under test: load_scorer's background read replaced by the same read in this thread, before
        # torch's import instead of beside it (a patch of the public function, in this child process only).
        loading.read_in_background = read_now
    t1 = time.perf_counter()
    kwargs = {"dtype": options["dtype"]} if "dtype" in options else {}
    scorer = fluency.load_scorer(options.get("model", "gemma3-270m"), norms=False, estimator=False, **kwargs)
    t2, c2 = time.perf_counter(), time.process_time()
    from mtaudit.fluency.scorer import Request

    (_, logprobs), = scorer.logprobs([Request("", SENTENCE, 0)])
    result = {
        "source": str(Path(fluency.__file__).resolve().parents[1]),
        "start_s": t1 - t0, "load_scorer_s": t2 - t1, "cpu_to_loaded_s": c2 - c0,
        "dtype": str(scorer.dtype).replace("torch.", ""), "checksum": scorer.checksum[:12],
        "fingerprint": float(logprobs.sum()), "tokens": len(logprobs),
    }
    out.write_text(json.dumps(result), encoding="utf-8")


def stages_child(out: Path, model: str) -> None:
    import hashlib  # noqa: F401

    rows = []

    def timed(name, fn):
        w, c = time.perf_counter(), time.process_time()
        value = fn()
        rows.append({"stage": name, "wall_s": time.perf_counter() - w, "cpu_s": time.process_time() - c})
        return value

    timed("import torch", lambda: __import__("torch"))
    from mtaudit.fluency import decoders, loading, store, tokenizer

    path = store.model_path(model)
    fname = tokenizer.tokenizer_of(store.checked_manifest(path, model))
    manifest, files = timed("read + SHA-256 of every file, one pass",
                            lambda: store.read_model_dir(path, model, keep=loading.NEEDED + (fname,)))
    weights = files[loading.WEIGHTS]
    rows[-1]["bytes"] = sum(len(b) for b in files.values())
    special = json.loads(bytes(files["tokenizer_config.json"]))
    tokenizer = timed(f"tokenizer (from the checked {fname})",
                      lambda: tokenizer.build_tokenizer(fname, files[fname], special))
    checked = loading.CheckedModel(path, manifest, weights, json.loads(bytes(files["config.json"])), tokenizer)
    import torch

    from mtaudit.fluency.scorer import fast_bf16

    dtype = torch.bfloat16 if fast_bf16(torch.device("cpu")) else torch.float32
    if checked.config.get("model_type") not in decoders.NATIVE:
        timed("import transformers' model code", lambda: __import__("transformers.modeling_utils"))
    timed(f"decoder from the checked weights ({str(dtype).replace('torch.', '')})",
          lambda: decoders.build(checked, dtype))
    stored = {v.dtype for v in loading.tensors(weights).values()}
    out.write_text(json.dumps({"rows": rows, "stored": sorted(str(d) for d in stored)}), encoding="utf-8")


def parse_variant(text: str) -> tuple[str, dict]:
    name, _, rest = text.partition(":")
    return name, dict(item.split("=", 1) for item in rest.split(",") if item)


def run(args: list[str], env: dict, out: Path) -> tuple[dict, float, float, int]:
    t = time.perf_counter()
    # by file path, not -m: the child's mtaudit is the one PYTHONPATH names first (bench/trees.py)
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench_load child {args} failed (exit {os.waitstatus_to_exitcode(status)})")
    return json.loads(out.read_text(encoding="utf-8")), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=["default"])
    parser.add_argument("--stages", action="store_true", help="also time the stages of a load one by one")
    parser.add_argument("--model", default="gemma3-270m")
    parser.add_argument("--out", type=Path, help="write the runs as JSON here")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--stages-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child[0]), Path(args.child[1]))
        return 0
    if args.stages_child:
        stages_child(Path(args.stages_child), args.model)
        return 0
    import tempfile

    variants = [parse_variant(v) for v in args.variants]
    report = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": describe(), "cpus": os.cpu_count(), "runs": [], "stages": None}
    print(f"bench_load {report['date']}, {report['cpus']} CPUs, load average {uptime()}")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        out = Path(tmp) / "child.json"
        if args.stages:
            before = uptime()
            info, wall, cpu, rss = run(["--stages-child", str(out), "--model", args.model], child_env(), out)
            report["stages"] = {**info, "load_before": before, "load_after": uptime()}
            print(f"stages (one after another; load average {before} -> {uptime()}; weights stored as "
                  f"{', '.join(info['stored'])}):")
            for row in info["rows"]:
                print(f"  {row['stage']:48s} wall {row['wall_s']:6.2f} s  cpu {row['cpu_s']:6.2f} s")
        for r in range(args.rounds):
            order = variants if r % 2 == 0 else variants[::-1]
            for name, options in order:
                env = child_env(options.get("tree"))
                if "home" in options:
                    env["MTAUDIT_HOME"] = str(Path(options["home"]).expanduser())
                opts = {**options, "model": args.model}
                before = uptime()
                info, wall, cpu, rss = run(["--child", json.dumps(opts), str(out)], env, out)
                row = {"round": r, "variant": name, "options": options, "load_before": before, "load_after": uptime(),
                       "process_wall_s": round(wall, 2), "process_cpu_s": round(cpu, 2),
                       "peak_rss_mib": round(rss / 1024), **{k: (round(v, 3) if isinstance(v, float) and
                                                                  k != "fingerprint" else v)
                                                             for k, v in info.items()}}
                report["runs"].append(row)
                print(f"round {r} {name:10s} load_scorer {row['load_scorer_s']:5.2f} s, CPU from process start to "
                      f"loaded {row['cpu_to_loaded_s']:5.2f} s  (process wall {wall:5.2f} s cpu {cpu:5.2f} s with "
                      f"python's start and one sentence)  RSS {row['peak_rss_mib']} MiB  {row['dtype']}  fingerprint "
                      f"{row['fingerprint']:.6f}  load average {before} -> {row['load_after']}", flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
