"""Transformer scoring: target-only fluency, source-conditioned log-probability, odd-phrasing spans.

Heavy imports (torch, transformers) happen only inside this package and only when a scorer is created,
so the CLI and the rule detectors stay fast.

Contract used by ``mtaudit.audit``::

    scorer = load_scorer(name_or_dir, device=None)   # raises ModelError naming `mtaudit models pull`
    scorer.model_id, scorer.checksum                  # recorded in every report's run signature
    scorer.score(documents)                           # fills, for every sentence:
        sentence.fluency        float, higher = more fluent
        sentence.scores[...]    e.g. "lm_logprob_mean", "lm_logprob_sum", "src_logprob_mean", "src_logprob_sum"
        sentence.findings       odd-phrasing Findings appended (detector "fluency")
"""
from __future__ import annotations


class ModelError(RuntimeError):
    """A model is missing, tampered with, or cannot be loaded; the message says what to run."""


def load_scorer(model: str, device: str | None = None, **options):
    raise ModelError(
        f"model scoring is not available yet (asked for {model!r}); run with --no-model"
    )
