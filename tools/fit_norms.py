"""Fitting surprisal norms (``mtaudit.fluency.norms``) for a model and a target language from clean news.

Lines are sampled from all but the held-out tail of the language's clean news (``../shared/data/``, the development
data beside the repository), each scored after its preceding line as an audit scores it; the words' surprisals give
the mean and spread per frequency band, and the sentences' highest runs give the minor and major thresholds at the
shares the language asks for (what they mean: ``mtaudit.fluency.norms``). The result replaces
``mtaudit/models/norms-<model>-<lang>.json``. Run from the repository root (``make norms`` runs the commands that
made the shipped files)::

    python -m tools.fit_norms fit gemma3-270m [--lang de] [--lines 1500] [--keep-bands]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from mtaudit.fluency import load_scorer
from mtaudit.fluency.norms import Norms, band, norms_file, word_spans, word_surprisals
from mtaudit.fluency.store import models_dir
from mtaudit.languages import language


# Clean news per language, under ../shared/data/.
NEWS = {"en": "news-en/newstest-2008-2021.en.txt", "de": "news-de/newstest-2009-2021.de.txt"}


def news_lines(shared: Path, lang: str = "en") -> list[str]:
    return (shared / "data" / NEWS[lang]).read_text(encoding="utf-8").splitlines()


# The last HELD_OUT lines of news-en are never used for fitting; tests draw their clean sentences from them.
HELD_OUT = 10_000


# How new norms make runs: SPAN_WIDTH scored words, the first word and punctuation left out (mtaudit.fluency.norms);
# the share of the fitting sentences whose highest run reaches the minor and the major threshold, unless the target
# language's data file says otherwise (``[norms] minor_share, major_share``).
SPAN_WIDTH = 3
RUNS_OVER = "words"
MINOR_SHARE, MAJOR_SHARE = 0.015, 0.005


def shares(lang: str) -> tuple[float, float]:
    """(minor, major) share of clean fitting sentences that reach each threshold, for target language ``lang``."""
    spec = language(lang).norms
    return float(spec.get("minor_share", MINOR_SHARE)), float(spec.get("major_share", MAJOR_SHARE))


def thresholds(maxima: Sequence[float], minor_share: float = MINOR_SHARE, major_share: float = MAJOR_SHARE) -> dict:
    """Minor and major thresholds and the confidence quantiles from clean sentences' highest run scores."""
    return {"minor": float(np.quantile(maxima, 1 - minor_share)), "major": float(np.quantile(maxima, 1 - major_share)),
            "minor_share": minor_share, "major_share": major_share,
            "quantiles": [float(q) for q in np.quantile(maxima, np.linspace(0, 1, 101))]}


def sentence_maximum(norms: Norms, text: str, surprisal: np.ndarray) -> float | None:
    """A clean sentence's highest run score (None without a run)."""
    words = word_spans(text)
    runs = norms.runs(text, words, norms.word_z(text, words, surprisal))
    return max(score for _, _, score in runs) if runs else None


def score_lines(scorer, lines: list[str], picks: Sequence[int]) -> list[tuple[str, np.ndarray]]:
    """(line, surprisal of each of its words) for the picked lines, each scored after its preceding line as the
    scorer would score it in an article (no context when the preceding line is a near-copy of it)."""
    from mtaudit.fluency.scorer import Request, near_copy  # imports torch: only when lines are scored

    pairs = [(lines[i - 1].strip(), lines[i].strip()) for i in picks]
    pairs = [(prev, line) for prev, line in pairs if prev and line]
    requests = []
    for prev, line in pairs:
        context = "" if near_copy(prev, line, scorer.context_similarity) else prev + " "
        requests.append(Request("", context + line, len(context)))
    out = []
    for (_, line), (offsets, logprobs) in zip(pairs, scorer.logprobs(requests)):
        out.append((line, word_surprisals(word_spans(line), offsets, -logprobs, line)))
    return out


def fit_picks(lines: list[str], n: int, seed: int) -> list[int]:
    """``n`` random line numbers of the news outside the held-out tail, for fitting."""
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(np.arange(1, len(lines) - HELD_OUT), size=n, replace=False))


def fit(scorer, lines: list[str], n: int, span_width: int = SPAN_WIDTH, seed: int = 13, lang: str = "en",
        bands: dict | None = None) -> dict:
    """Fit norms from ``n`` lines sampled (with their preceding line as context) from all but the held-out tail."""
    return fit_scored(scorer, score_lines(scorer, lines, fit_picks(lines, n, seed)), span_width, seed, lang, bands)


def fit_scored(scorer, scored: list[tuple[str, np.ndarray]], span_width: int = SPAN_WIDTH, seed: int = 13,
               lang: str = "en", bands: dict | None = None) -> dict:
    """Norms from scored clean lines (``score_lines``): the frequency bands (or the given ones, ``{band: [mean, std,
    count]}``), then the thresholds on run scores."""
    if bands is None:
        by_band: dict[str, list[float]] = {}
        for text, surprisal in scored:
            for i, ((a, b), s) in enumerate(zip(word_spans(text), surprisal)):
                by_band.setdefault(band(text[a:b], first=i == 0, lang=lang), []).append(float(s))
        bands = {b: [float(np.mean(v)), float(np.std(v)), len(v)] for b, v in by_band.items() if len(v) >= 20}
    norms = Norms(scorer.model_id, {b: (v[0], v[1]) for b, v in bands.items()}, span_width, 0.0, 0.0, [], lang,
                  RUNS_OVER)
    maxima = [m for text, s in scored if (m := sentence_maximum(norms, text, s)) is not None]
    return {
        "model": scorer.model_id,
        "checksum": scorer.checksum,
        "context": scorer.context,
        "lines": len(scored),
        "words": sum(len(s) for _, s in scored),
        "lang": lang,
        "source": f"{NEWS[lang]}, random lines outside the last 10,000 (seed {seed})",
        "bands": bands,
        "span_width": span_width,
        "runs_over": RUNS_OVER,
        **thresholds(maxima, *shares(lang)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.fit_norms")
    ap.add_argument("command", choices=["fit"])
    ap.add_argument("model")
    ap.add_argument("--lines", type=int, default=1500)
    ap.add_argument("--lang", default="en", choices=sorted(NEWS), help="language of the clean news to fit on")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--keep-bands", action="store_true",
                    help="keep the frequency bands of the norms file in place and re-derive only the run thresholds: "
                         "a word's z-score (the risk signal lm_word_z_max) stays what the risk model was fitted with")
    # the development data beside the repository (run from its root, as `make norms` does)
    ap.add_argument("--shared", type=Path, default=Path("..") / "shared")
    args = ap.parse_args(argv)
    out = models_dir() / norms_file(args.model, args.lang)
    bands = json.loads(out.read_text(encoding="utf-8"))["bands"] if args.keep_bands else None
    scorer = load_scorer(args.model, norms=False, threads=args.threads)
    result = fit(scorer, news_lines(args.shared, args.lang), args.lines, lang=args.lang, bands=bands)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {result['lines']} lines, {result['words']} words, minor >= {result['minor']:.2f}, "
          f"major >= {result['major']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
