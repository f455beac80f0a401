"""Issue 12's latency target with the model loaded once: `mtaudit watch` on 1,000-word news articles.

The article of ``bench_news --article`` (the first 31 segments of Facebook-AI's ``wmt21news.012``, 1,012 words,
with their sources) and ``--articles`` more of about 1,000 words from other documents and systems (other sentence
lengths, so other batch shapes) are written into a folder, the first article last once more, and ``mtaudit watch DIR
--out OUT --once`` audits them with each variant's options, in a fresh process per variant (rounds interleaved).
Reported per file: the seconds of the CLI's own line for it (reading, detectors, the model's passes, risk, writing
the JSONL); the start-up (model load, OpenVINO's compile, the warm-up) is the process's wall time less those. Target:
each article under 5 s.

    python -m bench.bench_watch [--rounds 1] [--variants fast:--fast ovfast:--fast,--runtime,openvino]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.bench_news import ARTICLE_FROM, ARTICLE_TARGET_S, NEWS, article_workload, uptime
from bench.machine import describe  # the CPU and its matrix units

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(?P<name>\S+): (?P<sentences>\d+) sentences, .*, (?P<seconds>[\d.]+) s -> ", re.M)
DEFAULT_VARIANTS = ["fast:--fast", "ovfast:--fast,--runtime,openvino"]
# the other articles: about 1,000 words each from the start of a long WMT21 news document, each by another system
OTHERS = ["Online-W/wmt21news.009", "NiuTrans/wmt21news.016", "ref-A/wmt21news.029"]


def run(name: str, options: list[str], inbox: Path, work: Path, round_: int) -> dict:
    out = work / f"{name}.{round_}"
    command = [sys.executable, "-m", "mtaudit", "watch", str(inbox), "--out", str(out), "--once", "--poll", "0.1",
               *options]
    before = uptime()
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"variant {name}: exit {proc.returncode}\n{proc.stderr}")
    files = [(m["name"], float(m["seconds"])) for m in LINE.finditer(proc.stderr)]
    return {"variant": name, "options": options, "round": round_, "wall_s": round(wall, 2),
            "files_s": [s for _, s in files], "start_up_s": round(wall - sum(s for _, s in files), 2),
            "load_before": before, "load_after": uptime()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", nargs="*", default=OTHERS, metavar="SYSTEM/DOC",
                    help="the other articles (the start of each system's translation of the document)")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds of the variants")
    ap.add_argument("--variants", nargs="+", default=DEFAULT_VARIANTS,
                    help="NAME:OPTION,OPTION,... (options of `mtaudit watch`, comma-separated)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "bench_watch.json")
    args = ap.parse_args()
    if not NEWS.is_file():
        print(f"skipped: {NEWS} is absent (the development data)")
        return 0
    variants = [(v.partition(":")[0], [o for o in v.partition(":")[2].split(",") if o]) for v in args.variants]
    print(f"machine: {describe()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="mtaudit-watch-") as tmp:
        work = Path(tmp)
        inbox = work / "inbox"
        inbox.mkdir()
        origins = [ARTICLE_FROM, *args.articles]
        words = []
        for k, origin in enumerate(origins):
            (work / str(k)).mkdir()
            gold = article_workload(work / str(k), 1000, origin)
            text = next((work / str(k)).iterdir()).read_bytes()
            (inbox / f"{k + 1}.jsonl").write_bytes(text)
            words.append(sum(len(g.target.split()) for g in gold))
            print(f"{k + 1}.jsonl: {origin}, {words[-1]} words, {len(gold)} segments", flush=True)
            if k == 0:
                (inbox / f"{len(origins) + 1}.jsonl").write_bytes(text)
        words.append(words[0])
        print(f"{len(origins) + 1}.jsonl: 1.jsonl again", flush=True)
        for r in range(args.rounds):
            for name, options in (variants if r % 2 == 0 else variants[::-1]):
                row = run(name, options, inbox, work, r)
                rows.append(row)
                met = all(s < ARTICLE_TARGET_S for s in row["files_s"])
                print(f"round {r} {name:10s} per file {', '.join(f'{s:.1f}' for s in row['files_s'])} s "
                      f"(target < {ARTICLE_TARGET_S:.0f} s: {'met' if met else 'not met'}); start-up "
                      f"{row['start_up_s']:.1f} s; wall {row['wall_s']:.1f} s  [{row['load_before']} -> "
                      f"{row['load_after']}]", flush=True)
    report = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": describe(),
              "command": "python " + " ".join(sys.argv), "words": words, "rows": rows}
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
