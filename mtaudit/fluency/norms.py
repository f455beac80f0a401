"""Surprisal norms: how surprising the model finds each word of clean news, by the word's corpus frequency.

A word's surprisal (the sum of its tokens' surprisal, in nats) is compared with the mean and spread of the surprisal
the same model gives words of the same frequency band in clean news of the same language; the z-score says how far out of the
ordinary the word is *for a word that common*, so a rare name is not flagged merely for being rare. An odd-phrasing
span is a run of ``span_width`` words whose mean z-score is higher than the highest run in all but 1.5 % (minor) or
0.5 % (major) of the clean news sentences the norms were fitted on (shares a language's data file may lower:
German's are 0.5 % and 0.2 %, ``[norms]`` in ``languages/de.toml``).

Runs are made of the words that carry the phrasing (``runs_over = "words"``): a sentence's first word and runs of
punctuation are left out. The first word's surprisal is mostly the jump from the preceding sentence (a name opening
a sentence), and unusual punctuation (a zero-width space before a dash, a bracket, a quotation mark) is typography,
not phrasing; on held-out clean news lines those two made most of the odd-phrasing findings, and leaving them out
lets the threshold come down to where swapped words are found. A fragment with fewer scored words than a run has
none. Norms fitted before that (no ``runs_over`` in their file) keep runs over every word, and give a sentence
shorter than a run one shorter run. Runs are three words wide: two swapped words surprise the model at the second
of them and at the word after. The minor threshold sits at 1.5 % of the fitting sentences, not 2.5 %: unseen news
(the held-out tail of the corpus) is rougher than the random years the norms are fitted on, and there the 2.5 %
threshold flagged twice its design rate (BENCHMARKS.md, false findings on clean news).

The norms are fitted once per model and target language from clean news (``../shared/data/news-en/``,
``news-de/``) by a maintainer's tool outside the package, and stored as ``mtaudit/models/norms-<model>-<lang>.json``::

    python -m tools.fit_norms fit gemma3-270m [--lang de] [--lines 1500] [--keep-bands]

(``make norms`` runs the commands that made the shipped files.)
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

_WORD = re.compile(r"\w+(?:['’.\-]\w+)*|[^\w\s]+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Words and runs of punctuation, as character spans."""
    return [m.span() for m in _WORD.finditer(text)]


def word_surprisals(words: list[tuple[int, int]], offsets: Sequence[tuple[int, int]], surprisal: np.ndarray,
                    text: str | None = None) -> np.ndarray:
    """Sum token surprisals into the word each token starts in (a token between words joins the word before)."""
    out = np.zeros(len(words))
    if not words:
        return out
    starts = [w[0] for w in words]
    for (a, b), s in zip(offsets, surprisal):
        if text is not None:
            while a < min(b - 1, len(text)) and text[a].isspace():
                a += 1
        elif a + 1 < b:
            # Without the text, a token whose span starts on a space starts one character later.
            k = bisect.bisect_right(starts, a) - 1
            if k < 0 or a >= words[k][1]:
                a += 1
        k = max(0, bisect.bisect_right(starts, a) - 1)
        out[k] += s
    return out


# A word joined by a hyphen: "told-to", "13-star", "top-sealed".
_COMPOUND = re.compile(r"\w-\w")
RAREST_BAND = "0.0"


def band(word: str, first: bool = False, lang: str = "en") -> str:
    """The band a word's surprisal is compared within: "first" for a sentence's first word (its surprisal reflects the
    jump from the context more than the phrasing), "punct", or its Zipf frequency in the language (wordfreq) rounded
    down to 0.5.

    A hyphenated compound goes to the rarest band: wordfreq estimates it from its parts ("told-to" comes out as
    common as "told"), while the model pays for the whole compound, which is rarely seen; against common words nearly
    every coined compound of the news looked odd (most of the odd-phrasing findings on clean held-out lines)."""
    if first:
        return "first"
    if not any(c.isalnum() for c in word):
        return "punct"
    if _COMPOUND.search(word):
        return RAREST_BAND
    from wordfreq import zipf_frequency

    return f"{min(7.0, np.floor(zipf_frequency(word, lang) * 2) / 2):.1f}"


@dataclass
class Norms:
    model: str
    bands: dict[str, tuple[float, float]]  # band -> (mean surprisal, std)
    span_width: int
    minor: float
    major: float
    quantiles: list[float]  # per-sentence maximum span score in clean news at 0, 1, ..., 100 %
    lang: str = "en"  # the language of the news they were fitted on
    runs_over: str = "all"  # "words": runs skip the first word and punctuation; "all": every word (older norms)

    def window_scores(self, z: np.ndarray) -> np.ndarray:
        """The score of every run of ``span_width`` consecutive entries of ``z`` (one run when there are fewer)."""
        return span_scores(z, self.span_width)

    def scored_words(self, text: str, words: list[tuple[int, int]]) -> list[int]:
        """The indices of the words runs are made of."""
        if self.runs_over == "words":
            return [i for i, (a, b) in enumerate(words) if i and any(c.isalnum() for c in text[a:b])]
        return list(range(len(words)))

    def runs(self, text: str, words: list[tuple[int, int]], z: np.ndarray) -> list[tuple[int, int, float]]:
        """(first word, last word, score) of every run of ``span_width`` scored words of a sentence, in order."""
        scored = self.scored_words(text, words)
        if not scored or (self.runs_over == "words" and len(scored) < self.span_width):
            # a fragment shorter than a run ("( a )", "○ review") has no run: the mean of one or two words' z-scores
            # spreads far wider than a run's, and the thresholds are set on runs
            return []
        width = min(self.span_width, len(scored))
        return [(scored[i], scored[i + width - 1], float(score))
                for i, score in enumerate(self.window_scores(z[scored]))]

    def word_bands(self, text: str, words: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """The mean and spread of the surprisal clean news gives words of each word's band: ``(means, stds)``."""
        fallback = self.bands.get(RAREST_BAND, (float(np.mean([m for m, _ in self.bands.values()])), 3.0))
        stats = [self.bands.get(band(text[a:b], first=i == 0, lang=self.lang), fallback)
                 for i, (a, b) in enumerate(words)]
        return np.array([m for m, _ in stats], dtype=float), np.array([s for _, s in stats], dtype=float)

    def word_z(self, text: str, words: list[tuple[int, int]], surprisal: np.ndarray,
               bands: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Each word's surprisal as a z-score within its band (``bands``: ``word_bands``' answer, if already known)."""
        means, stds = bands if bands is not None else self.word_bands(text, words)
        return (np.asarray(surprisal, dtype=float) - means) / np.maximum(stds, 1e-3)

    def confidence(self, score: float) -> float:
        """The share of clean news sentences whose most surprising span is less surprising than this one."""
        return bisect.bisect_left(self.quantiles, score) / len(self.quantiles)

    @classmethod
    def load(cls, path: Path) -> "Norms":
        return cls.load_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def load_dict(cls, d: dict) -> "Norms":
        return cls(d["model"], {k: tuple(v[:2]) for k, v in d["bands"].items()}, d["span_width"], d["minor"],
                   d["major"], d["quantiles"], d.get("lang", "en"), d.get("runs_over", "all"))


def span_scores(z: np.ndarray, width: int) -> np.ndarray:
    if len(z) == 0:
        return z
    width = min(width, len(z))
    return np.convolve(z, np.ones(width) / width, mode="valid")


def norms_file(model: str, lang: str) -> str:
    """The name of a model's norms for one language in the models folder."""
    return f"norms-{model}-{lang}.json"


def load_norms(folder: Path, model: str | None) -> dict[str, Norms]:
    """Every language's norms for ``model`` in ``folder`` (``norms-<model>-<lang>.json``), by language; for a model
    folder of its own (``model`` None), ``norms.json`` (English) and ``norms-<lang>.json``."""
    out: dict[str, Norms] = {}
    prefix = f"norms-{model}-" if model else "norms-"
    for path in sorted(Path(folder).glob(f"{prefix}*.json")):
        lang = path.stem[len(prefix):]
        if lang.isalpha() and len(lang) <= 3:
            out[lang] = Norms.load(path)
    legacy = Path(folder) / (f"norms-{model}.json" if model else "norms.json")
    if "en" not in out and legacy.is_file():  # written before norms had a language: English news
        out["en"] = Norms.load(legacy)
    return out
