"""Build ``mtaudit/models/head-<model>.npz``: the token ids the default model's pruned head scores over (issue 28).

    python -m tools.build_head [--model gemma3-270m] [--rows 240] [--out mtaudit/models/head-gemma3-270m.npz]

Gemma 3's output projection maps every scored position onto 262,144 tokens: 42 % of a news segment's FLOPs
(BENCHMARKS.md § The FLOP budget). Most of those tokens never occur in Chinese, English or German news. The scorer's
pruned head (``mtaudit.fluency.decoders.PrunedHead``) computes the log-sum-exp over a kept set only, and gives the true
token its own logit when the set lacks it. The set is the union of:

1. **every id the supported languages' other text uses**, tokenised as the scorer tokenises: newstest English
   2008-2021 and German 2009-2021, both sides of the zh-en and en-de parallel sets, and the samples (never the MQM
   files the ranking is measured on);
2. **the ids the model itself puts probability on** where it reads that text, outside (1): the model is run over an
   even sample of the same text as the audit runs it (target-only rows with the preceding line as context, and
   source-conditioned rows of the parallel sets with the audit's own prompt), and the ids outside (1) are taken by
   the probability mass they hold, largest first, until they hold ``--mass`` of all the mass outside (1) (at most
   ``--extra`` ids). Line-split text never shows a newline, an end of text or a markup tag, yet at the end of a
   sentence the model expects them: on WMT21 news, 100 such ids held 87 % of the mass a corpus-only set leaves out,
   and without them every log-probability rose by 0.04 nats on average (0.9 at the 99th percentile);
3. **the 256 byte-fallback tokens** (``<0x00>`` ... ``<0xFF>``): a character the vocabulary lacks is spelt in them.

The file is a plain ``.npz`` (read without pickle) holding ``kept`` (sorted int32 ids) and ``vocab_size``; its SHA-256
is pinned in ``models.json`` under the model's ``head`` entry, checked on every load. The card is ``HEAD.md``.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
MODEL = "gemma3-270m"


def corpora() -> dict[str, list[str]]:
    """The supported languages' text other than the held-out MQM news: news-en, news-de, both parallel sets (both
    sides) and the samples (targets and sources)."""
    from mtaudit.readers import read_document

    out = {"news-en": (DATA / "news-en" / "newstest-2008-2021.en.txt").read_text(encoding="utf-8").splitlines(),
           "news-de": (DATA / "news-de" / "newstest-2009-2021.de.txt").read_text(encoding="utf-8").splitlines()}
    for pair in ("zh-en", "en-de"):
        src, tgt = pair.split("-")
        rows = parallel(pair)
        out[f"parallel {pair} ({src})"] = [s for s, _ in rows]
        out[f"parallel {pair} ({tgt})"] = [t for _, t in rows]
    samples = []
    for path in sorted((ROOT / "samples").iterdir()):
        doc = read_document(path)
        samples += [s.target for s in doc.segments] + [s.source for s in doc.segments if s.source]
    out["samples"] = samples
    return out


def parallel(pair: str) -> list[tuple[str, str]]:
    """(source, target) rows of ``../shared/data/parallel/newstest-<pair>.tsv``."""
    lines = (DATA / "parallel" / f"newstest-{pair}.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(r[1], r[2]) for r in (line.split("\t") for line in lines) if len(r) > 2]


def corpus_counts(tokenizer) -> dict[str, Counter]:
    """How often each token id occurs in each corpus of ``corpora``, tokenised as the scorer tokenises text."""
    counts = {}
    for name, lines in corpora().items():
        c = Counter()
        for line in lines:
            c.update(tokenizer(line, add_special_tokens=False)["input_ids"])
        counts[name] = c
    return counts


def byte_tokens(model_dir: Path) -> list[int]:
    """The byte-fallback tokens ``<0x00>`` ... ``<0xFF>`` of the model's vocabulary (its ``tokenizer.json``)."""
    vocab = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
    pieces = vocab.items() if isinstance(vocab, dict) else ((v[0], i) for i, v in enumerate(vocab))
    wanted = {f"<0x{b:02X}>" for b in range(256)}
    return sorted(i for piece, i in pieces if piece in wanted)


def sample_requests(scorer, rows: int) -> list:
    """An even sample of the other text as the audit's two passes feed it: target-only rows (a news line after the
    line before it) for English and German, source-conditioned rows (the audit's prompt) for both parallel sets."""
    from mtaudit.fluency.scorer import Request

    def even(items: list, n: int) -> list:
        step = max(1, len(items) // n)
        return items[step // 2 :: step][:n]

    requests = []
    for lang, path in (("en", DATA / "news-en" / "newstest-2008-2021.en.txt"),
                       ("de", DATA / "news-de" / "newstest-2009-2021.de.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for k in even(range(1, len(lines)), rows):
            context = lines[k - 1] + " "
            requests.append(Request("", context + lines[k], len(context)))
    for pair in ("zh-en", "en-de"):
        src, tgt = pair.split("-")
        for source, target in even(parallel(pair), rows):
            head, body = scorer.prompt(source, src, tgt)
            requests.append(Request(head, body + target, len(body)))
    return requests


def predicted_mass(scorer, requests: list) -> np.ndarray:
    """The probability the model puts on each id, summed over every scored position of ``requests`` (full head), in
    the scorer's own batches."""
    import torch

    from mtaudit.fluency.scorer import Row, padded_ids, scored_positions

    encoded = [scorer.encode(r) for r in requests]  # the scorer is built with reuse_prefix=False: no shared prefix
    rows = [Row((), ids[: scorer.window], n_ctx, i, 0) for i, (_, ids, n_ctx, _) in enumerate(encoded)
            if n_ctx < min(len(ids), scorer.window)]
    mass = torch.zeros(scorer.decoder.vocab_size, dtype=torch.float64)
    with torch.inference_mode():
        for batch in scorer._batches(rows):
            hidden, _ = scorer.decoder(padded_ids(batch, scorer.pad))
            r, c, _, _ = scored_positions(batch)
            picked = hidden[torch.tensor(r), torch.tensor(c)]
            for a in range(0, len(picked), 256):
                logits = scorer.decoder.project(picked[a : a + 256]).float()
                if scorer.decoder.softcap:
                    logits = torch.tanh(logits / scorer.decoder.softcap) * scorer.decoder.softcap
                mass += torch.softmax(logits, -1).sum(0, dtype=torch.float64)
    return mass.numpy()


def npz_bytes(kept: np.ndarray, vocab_size: int) -> bytes:
    """The ``.npz`` as bytes that depend on the ids alone (``np.savez`` stamps each member with the time, so the same
    ids would get another SHA-256 pin at every build)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, array in (("kept", kept.astype(np.int32)), ("vocab_size", np.int64(vocab_size))):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), member.getvalue())
    return buffer.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--rows", type=int, default=240, help="sampled rows per corpus for the model's own mass")
    ap.add_argument("--mass", type=float, default=0.97, help="share of the mass outside the text's ids to keep")
    ap.add_argument("--extra", type=int, default=5000, help="at most this many ids from the model's own mass")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    from mtaudit.fluency import load_scorer, store

    started = time.perf_counter()
    scorer = load_scorer(args.model, reuse_prefix=False, estimator=False, norms=False)
    vocab = scorer.decoder.vocab_size
    counts = Counter()
    for name, c in corpus_counts(scorer.tokenizer).items():
        print(f"{name}: {len(c):,} distinct ids", flush=True)
        counts.update(c)
    seen = np.zeros(vocab, dtype=bool)
    seen[list(counts)] = True
    bytes_ = byte_tokens(store.model_path(args.model))
    seen[bytes_] = True
    print(f"text and byte tokens: {int(seen.sum()):,} ids ({time.perf_counter() - started:.0f} s)", flush=True)
    requests = sample_requests(scorer, args.rows)
    mass = predicted_mass(scorer, requests)
    outside = np.where(seen, 0.0, mass)
    order = np.argsort(-outside)
    share = np.cumsum(outside[order]) / outside.sum()
    n_extra = min(args.extra, int(np.searchsorted(share, args.mass)) + 1)
    kept = np.flatnonzero(seen | np.isin(np.arange(vocab), order[:n_extra]))
    total = mass.sum()
    print(f"model run: {len(requests)} rows, {total:,.0f} positions; the text's ids hold "
          f"{1 - outside.sum() / total:.4f} of the mass; {n_extra:,} more ids hold {share[n_extra - 1]:.3f} of the "
          f"rest ({time.perf_counter() - started:.0f} s)", flush=True)
    data = npz_bytes(kept, vocab)
    out = args.out or ROOT / "mtaudit" / "models" / f"head-{args.model}.npz"
    out.write_bytes(data)
    print(f"{out}: {len(kept):,} of {vocab:,} ids; sha256 {hashlib.sha256(data).hexdigest()} (pin it in models.json)")
    print(json.dumps({"text_ids": int(len(counts)), "byte_tokens": len(bytes_),
                      "model_ids": n_extra, "kept": int(len(kept)), "rows": len(requests)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
