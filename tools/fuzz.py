"""`make fuzz`: a long mutation fuzz run over every registered reader (and the detectors behind it).

    python -m tools.fuzz [--inputs 100000] [--seed 1] [--detectors]

Seeds are the sample and fixture files of each format; each input is a seed mutated by byte flips, truncation,
splicing, inserted control characters, foreign scripts and very long tokens, or random bytes. Any exception other than
a clean InputError, or an offset outside its text, stops the run and prints a reproducer.
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import traceback
from pathlib import Path

from mtaudit.detectors import build_detectors
from mtaudit.readers import READERS
from tools.fuzzing import read_payload

REPO = Path(__file__).resolve().parents[1]
INSERTS = [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\n\n", b"<", b"&", b"]]>", "北京".encode(), "“".encode(),
           b"\xe4\xb8", b"<g id='9'>", b"</target>", b'"', b"\t", b"x" * 5000, "Путин".encode(), b"<!ENTITY a 'b'>"]


def seeds_for(reader_name: str) -> list[bytes]:
    exts = READERS[reader_name].extensions
    files = [p for d in (REPO / "samples", REPO / "tests" / "fixtures") if d.is_dir()
             for p in d.rglob("*") if p.is_file() and p.name.lower().endswith(exts)]
    return [p.read_bytes() for p in files][:20] or [b"Officials said the talks would resume on Monday."]


def mutate(rng: random.Random, data: bytes, seeds: list[bytes]) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data = data[:pos]
        elif op == 2:
            data[pos:pos] = rng.choice(INSERTS)
        elif op == 3:
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            data = data[:pos] + other[cut:]
        elif op == 4 and data:
            end = min(len(data), pos + rng.randint(1, 64))
            del data[pos:end]
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inputs", type=int, default=100_000, help="total inputs across all readers")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--detectors", action="store_true", help="also run every detector on what was read (slower)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    detectors = build_detectors() if args.detectors else []
    names = sorted(READERS)
    seeds = {n: seeds_for(n) for n in names}
    counts = {n: [0, 0] for n in names}  # inputs, clean refusals
    start = time.perf_counter()
    for i in range(args.inputs):
        name = names[i % len(names)]
        payload = (bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))) if rng.random() < 0.05
                   else mutate(rng, rng.choice(seeds[name]), seeds[name]))
        try:
            doc = read_payload(name, payload, detectors)
        except Exception:
            print(f"FAIL reader={name} input #{i}: {payload[:2000]!r}", file=sys.stderr)
            traceback.print_exc()
            return 1
        counts[name][0] += 1
        counts[name][1] += doc is None
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.inputs} inputs in {elapsed:.0f} s ({args.inputs / elapsed:.0f}/s), peak RSS {rss:.0f} MiB, "
          f"detectors {'on' if detectors else 'off'}, seed {args.seed}")
    print("| reader | inputs | refused cleanly | read |")
    print("|---|---|---|---|")
    for name, (n, refused) in counts.items():
        print(f"| {name} | {n} | {refused} | {n - refused} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
