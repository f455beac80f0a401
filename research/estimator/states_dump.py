"""Layer-12 states of the source-conditioned pass at every position of every row, for top-layer fine-tuning (issue 29,
item 2).

The shipped estimator reads layer 12 at the target's tokens only. A trainable copy of layers 13.. on top of layer 12
needs every position of the row (the source, the prompt's body, the target) as keys and values, and the shared prompt
prefix's layer-12 states as well. This script runs the default model on each MQM file's segments, exactly as the
scorer's source-conditioned pass builds them (``LMScorer.prompt`` + ``encode``: the shared prefix apart, the row =
the prefix's last token, ``Chinese: <source>\\nEnglish: `` and the target), and keeps:

- ``prefix.npz``: the prefix ids and their layer-12 states (bfloat16, stored as int16 bits: ``from_bits``);
- ``chunk_NNN.npz`` per 512 segments (gold order): each row's gold index, ids, number of unscored ids, layer-12
  states at every row position (bfloat16 bits, not normalised), and the pruned head's log-prob of each scored token and of
  the best token there (what the estimator's scalars read);
- ``manifest.json``: the model and its SHA-256, the code version, the file's SHA-256, layer, dtype, counts, seconds.

Resumable: a chunk already written is skipped (files are written under a temporary name and renamed). Writes under
``$ESTIMATOR_WORK/states/<file>`` (default /work/scratch/i11); nothing goes into git.

    python -m research.estimator.states_dump ../shared/data/mqm/wmt23_news_zhen_dev.tsv \\
        ../shared/data/mqm/wmt21_news_zhen.scores.tsv ../shared/data/mqm/mqm_ted_zhen.tsv
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from research.estimator.data import WORK

OUT = WORK / "states"
LAYER = 12
CHUNK = 512


def code_version() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def bf16_bits(t) -> np.ndarray:
    """A tensor as the int16 bits of its bfloat16 values: float16 overflows on the residual stream's massive
    activations (the row's first positions exceed 65,504), bfloat16 is the model's own dtype here."""
    import torch

    return t.detach().to(torch.bfloat16).cpu().view(torch.int16).numpy()


def from_bits(bits: np.ndarray):
    """``bf16_bits`` back to a float32 tensor."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(bits)).view(torch.bfloat16).float()


def rows_of(scorer, golds) -> list[tuple[int, tuple, list[int], int]]:
    """(gold index, shared prefix, row ids, unscored ids) of every segment with a source and a target."""
    from mtaudit.fluency.scorer import Request

    out = []
    for i, g in enumerate(golds):
        target = (g.target or "").lstrip()
        if not g.source or not target:
            continue
        head, body = scorer.prompt(g.source, "zh", "en")
        prefix, ids, n_ctx, _ = scorer.encode(Request(head, body + target, len(body)))
        out.append((i, prefix, ids, n_ctx))
    return out


def run_rows(scorer, rows):
    """The model on ``rows`` (one shared prefix), batched as the scorer batches: per row, its layer-12 states at every
    position and the scored tokens' log-probs and best log-probs."""
    import torch

    from mtaudit.fluency.scorer import Row, padded_ids, scored_positions

    order = sorted(range(len(rows)), key=lambda k: len(rows[k][2]))
    out: dict[int, tuple] = {}
    batch: list[int] = []

    def flush():
        if not batch:
            return
        prefix = rows[batch[0]][1]
        items = [Row(prefix, rows[k][2], rows[k][3], k, 0) for k in batch]
        ids = padded_ids(items, scorer.pad)
        with torch.inference_mode():
            state = scorer._prefix_state(prefix) if prefix else None
            hidden, captured = scorer.decoder(ids.to(scorer.device), state, [LAYER])
            row_idx, col_idx, targets, lengths = scored_positions(items)
            picked = hidden[torch.tensor(row_idx), torch.tensor(col_idx)]
            tt = torch.tensor(targets)
            lp, best = [], []
            for a in range(0, len(targets), 256):
                x, y = scorer.head(picked[a:a + 256], tt[a:a + 256], best=True)
                lp.append(x.float().cpu()); best.append(y.float().cpu())
            lp, best = torch.cat(lp).numpy(), torch.cat(best).numpy()
            layer = bf16_bits(captured[LAYER])
        at = 0
        for j, (k, n) in enumerate(zip(batch, lengths)):
            out[k] = (layer[j, :len(rows[k][2])], lp[at:at + n], best[at:at + n])
            at += n
        batch.clear()

    for k in order:
        width = len(rows[k][2])
        if batch and width * (len(batch) + 1) > scorer.batch_tokens:
            flush()
        batch.append(k)
    flush()
    return [out[k] for k in range(len(rows))]


def dump(path: str, scorer) -> None:
    import torch

    from mtaudit.evaluation.calibrate import file_sha256
    from mtaudit.evaluation.mqm import read_mqm

    mqm = read_mqm(path, "zh-en")
    golds = [g for _, doc in mqm.documents() for g in doc]
    out = OUT / mqm.name
    out.mkdir(parents=True, exist_ok=True)
    if (out / "manifest.json").exists():
        print(f"{mqm.name}: dumped already", file=sys.stderr)
        return
    started = time.time()
    rows = rows_of(scorer, golds)
    prefixes = {r[1] for r in rows}
    assert len(prefixes) == 1, "one shared prompt prefix per file"
    prefix = next(iter(prefixes))
    room = scorer.window - len(prefix) if scorer.window else None
    truncated = 0
    if room:
        for k, (i, p, ids, n_ctx) in enumerate(rows):
            if len(ids) > room:  # very long segments: their last tokens are left out (counted in the manifest)
                rows[k] = (i, p, ids[:room], n_ctx)
                truncated += 1
    if not (out / "prefix.npz").exists():
        with torch.inference_mode():
            _, captured = scorer.decoder(torch.tensor([list(prefix)], device=scorer.device), None, [LAYER])
        np.savez(out / "prefix.tmp.npz", ids=np.asarray(prefix, np.int32), states=bf16_bits(captured[LAYER][0]))
        (out / "prefix.tmp.npz").replace(out / "prefix.npz")
    for c in range(0, len(rows), CHUNK):
        name = out / f"chunk_{c // CHUNK:03d}.npz"
        if name.exists():
            continue
        part = rows[c:c + CHUNK]
        done = run_rows(scorer, part)
        np.savez(name.with_suffix(".tmp.npz"),
                 gold=np.asarray([r[0] for r in part], np.int32),
                 length=np.asarray([len(r[2]) for r in part], np.int32),
                 n_ctx=np.asarray([r[3] for r in part], np.int32),
                 ids=np.concatenate([np.asarray(r[2], np.int32) for r in part]),
                 states=np.concatenate([d[0] for d in done]),
                 lp=np.concatenate([d[1] for d in done]).astype(np.float32),
                 best=np.concatenate([d[2] for d in done]).astype(np.float32))
        name.with_suffix(".tmp.npz").replace(name)
        print(f"{mqm.name}: {min(c + CHUNK, len(rows))}/{len(rows)} rows, {time.time() - started:.0f}s",
              file=sys.stderr, flush=True)
    manifest = dict(file=Path(path).name, states="bfloat16 bits (int16)", file_sha256=file_sha256(path), model=scorer.model_id,
                    model_sha256=scorer.checksum, code=code_version(), layer=LAYER, dtype=str(scorer.dtype),
                    head="pruned", segments=len(golds), rows=len(rows), truncated=truncated,
                    prefix_length=len(prefix), chunk=CHUNK, seconds=round(time.time() - started, 1))
    (out / "manifest.tmp.json").write_text(json.dumps(manifest, indent=1))
    (out / "manifest.tmp.json").replace(out / "manifest.json")
    print(f"{mqm.name}: {manifest}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    import torch

    from mtaudit.fluency import load_scorer

    torch.set_num_threads(2)
    scorer = load_scorer("gemma3-270m", norms=False, estimator=False)
    for path in args.files:
        dump(path, scorer)


if __name__ == "__main__":
    main()
