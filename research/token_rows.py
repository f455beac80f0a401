"""Audit an MQM news file as the default audit does (pruned head, both passes) and keep each segment's token log-probs.

Issue 28's one-pass question needs features the saved rows cannot give: a cheap stand-in for the target-only pass
(``log p(t)``) computed from the source-conditioned pass's own tokens. This script runs the real pipeline
(``audit_mqm``: reader, detectors, scorer with its shipped pruned head, trained estimator) once, saves the feature rows
(``F.audited.json``, as ``research/pruned_head.py --out`` does) and, per segment, the source-conditioned pass's scored
token ids, log-probs and best-token log-probs with their offsets in the segment's target, and each sentence's
target-only token ids and log-probs (``F.tokens.pkl``). ``research/one_pass_tokens.py`` turns them into candidate
features and refits by document folds, without running the model again.

    python -m research.token_rows --file wmt23|wmt21 [--docs 0] [--systems 10] [--first-system 0] --out F

Research code: it wraps the scorer's ``logprobs`` and its private ``_fill_source``/``_fill_target`` on the instance.
"""
from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from bench.machine import describe
from mtaudit.evaluation.features import audit_mqm, save_audited
from mtaudit.evaluation.mqm import read_mqm
from mtaudit.fluency import load_scorer
from mtaudit.pipeline.config import AuditConfig
from research.pruned_head import FILES, MODEL, subset


class Recorder:
    """Keeps, for every log-prob array the scorer returns, the scored token ids (and best-token log-probs) behind it,
    and for every segment and sentence the arrays the scorer filled them from."""

    def __init__(self, scorer) -> None:
        self.scorer = scorer
        self.ids: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}  # id(lps) -> (lps, ids, best)
        self.source: dict[int, dict] = {}  # id(segment) -> source pass
        self.target: dict[int, dict] = {}  # id(sentence) -> target-only pass
        logprobs, fill_source, fill_target = scorer.logprobs, scorer._fill_source, scorer._fill_target

        def recording_logprobs(requests, layers=()):
            results = logprobs(requests, layers)
            for request, result in zip(requests, results):
                _, ids, n_ctx, _ = scorer.encode(request)
                best = result[3] if len(result) > 3 else None
                self.ids[id(result[1])] = (result[1], np.asarray(ids[n_ctx:], dtype=np.int64), best)
            return results

        def recording_source(segment, placed, lps, *args):
            _, ids, best = self.ids[id(lps)]
            self.source[id(segment)] = {"segment": segment, "placed": np.asarray(placed, dtype=np.int64).reshape(-1, 3),
                                        "lps": np.asarray(lps, dtype=np.float32), "ids": ids,
                                        "best": None if best is None else np.asarray(best, dtype=np.float32)}
            return fill_source(segment, placed, lps, *args)

        def recording_target(sentence, offsets, lps, lang="en"):
            _, ids, _ = self.ids[id(lps)]
            self.target[id(sentence)] = {"sentence": sentence, "offsets": np.asarray(offsets, dtype=np.int64),
                                         "lps": np.asarray(lps, dtype=np.float32), "ids": ids}
            return fill_target(sentence, offsets, lps, lang)

        scorer.logprobs = recording_logprobs
        scorer._fill_source = recording_source
        scorer._fill_target = recording_target

    def rows(self, segments) -> list[dict]:
        """Per segment (in the audited order): its target, its sentences' spans and both passes' token arrays."""
        out = []
        for seg in segments:
            src = self.source.get(id(seg))
            sentences = []
            for s in seg.sentences:
                tgt = self.target.get(id(s))
                sentences.append({"start": s.start, "end": s.start + len(s.text), "text": s.text,
                                  "target": None if tgt is None else {k: tgt[k] for k in ("offsets", "lps", "ids")}})
            out.append({"target": seg.target, "sentences": sentences,
                        "source": None if src is None else {k: src[k] for k in ("placed", "lps", "ids", "best")}})
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", choices=sorted(FILES), default="wmt23")
    ap.add_argument("--docs", type=int, default=0, help="first source documents of the file (0: all)")
    ap.add_argument("--systems", type=int, default=10, help="systems of the file, from --first-system on")
    ap.add_argument("--first-system", type=int, default=0, help="systems of the file to skip (0: from the first)")
    ap.add_argument("--out", type=Path, required=True, help="F: writes F.audited.json and F.tokens.pkl")
    args = ap.parse_args()
    path = FILES[args.file]
    print(describe(), flush=True)
    scorer = load_scorer(MODEL)  # the product's default: pinned pruned head, both passes, estimator, norms
    recorder = Recorder(scorer)
    mqm = subset(read_mqm(path), args.docs, args.first_system + args.systems)
    names = list(dict.fromkeys(g.system for g in mqm.segments))[args.first_system:]
    mqm.segments = [g for g in mqm.segments if g.system in names]
    print(f"systems: {', '.join(names)}", flush=True)
    started = time.perf_counter()
    audited = audit_mqm(mqm, AuditConfig(model=MODEL, langs="zh-en"), scorer_factory=lambda *a, **k: scorer,
                        progress=lambda n: print(f"  {n} documents done at {time.perf_counter() - started:.0f} s",
                                                 flush=True))
    print(f"{len(audited.segments)} segments in {time.perf_counter() - started:.0f} s", flush=True)
    save_audited(args.out.with_suffix(".audited.json"), audited, {"mqm_sha256": path.name, "head": "pruned"})
    with open(args.out.with_suffix(".tokens.pkl"), "wb") as f:
        pickle.dump({"file": path.name, "rows": recorder.rows(audited.segments)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
