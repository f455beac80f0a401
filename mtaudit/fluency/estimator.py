"""The trained quality estimator: a small head on the hidden states of the source-conditioned pass.

While the scorer reads the target given the source, one decoder layer's output at every target token says far more
about the token than its log-probability does. The estimator is a two-layer perceptron on that state (divided by its
root mean square, the scale the next layer's normalisation sees) and four numbers about the token (its surprisal, its
gap to the model's most likely token, its probability, whether it is below e^-5); it gives every target token a
non-negative "error mass", and a sentence's ``src_estimator_sum`` is the sum over its tokens. The risk model weighs that
sum beside the findings and the other signals (``mtaudit/models/risk-default.json``), so the report's explanation
keeps the findings and shows the estimator as one line.

It was trained on human MQM penalties (``mtaudit/models/ESTIMATOR.md``: data, recipe, held-out figures, limits) and
ships as a plain ``.npz`` of float32 arrays (read without pickle), SHA-256 pinned in ``models.json`` next to the base
model it reads: ``"estimators": {"zh-en": {"file": ..., "sha256": ..., "layer": 12}}``. It applies only to the base
model and the language pair it was trained for; everywhere else the risk model's ``no_estimator`` variant scores.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARRAYS = ("mu", "sd", "w1", "b1", "w2", "b2")


@dataclass
class Estimator:
    """Token head: ``softplus(w2 . gelu(w1 . z + b1) + b2)`` with ``z = ([state / rms(state), scalars] - mu) / sd``."""

    layer: int  # 1-based decoder layer whose output it reads
    pair: str  # "zh-en": the source and target languages it was trained on
    mu: np.ndarray
    sd: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    name: str = "estimator"

    @classmethod
    def load(cls, path: Path, sha256: str, layer: int, pair: str) -> "Estimator":
        """Read ``path`` after checking its SHA-256 against the pin; a mismatch is an error, not a silent fallback."""
        from mtaudit.core.errors import ModelError

        data = Path(path).read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise ModelError(f"{path}: SHA-256 {actual} does not match the pinned {sha256} (models.json)")
        # parsed from the bytes that were checked, not from a second read of the file
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            fields = {k: np.asarray(arrays[k], dtype=np.float32) for k in ARRAYS}
        return cls(layer=layer, pair=pair, name=Path(path).stem, **fields)

    def applies(self, source_lang: str | None, target_lang: str | None) -> bool:
        src, tgt = self.pair.split("-")
        return (source_lang or "zh").split("-")[0].lower() == src and (target_lang or "en").split("-")[0].lower() == tgt

    def token_mass(self, states: np.ndarray, logprobs: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Each token's error mass (>= 0) from its hidden state ``[tokens, hidden]``, its log-probability and the
        log-probability of the model's most likely token at its position."""
        if not len(logprobs):
            return np.zeros(0)
        x = np.asarray(states, dtype=np.float32)
        x = x / (np.sqrt((x * x).mean(axis=1, keepdims=True)) + 1e-6)
        lp = np.asarray(logprobs, dtype=np.float32)
        gap = np.asarray(best, dtype=np.float32) - lp
        scalars = np.column_stack([-lp, gap, np.exp(lp), (lp < -5).astype(np.float32)])
        z = (np.hstack([x, scalars]) - self.mu) / self.sd
        h = z @ self.w1.T + self.b1
        h = 0.5 * h * (1.0 + np.tanh(0.7978845608028654 * (h + 0.044715 * h**3)))  # GELU, tanh form
        out = (h @ self.w2.T + self.b2)[:, 0]
        return np.logaddexp(0.0, out).astype(np.float64)  # softplus


def pinned_estimators(model: str) -> dict[str, dict]:
    """The estimators ``models.json`` pins for a registered model, by language pair."""
    from mtaudit.core.resources import models_dir

    pins = json.loads((models_dir() / "models.json").read_text(encoding="utf-8"))
    return pins["models"].get(model, {}).get("estimators", {})


def load_estimators(model: str) -> list[Estimator]:
    """Every pinned estimator of a registered model, verified; none for an unregistered model folder."""
    from mtaudit.core.resources import models_dir

    return [Estimator.load(models_dir() / spec["file"], spec["sha256"], int(spec["layer"]), pair)
            for pair, spec in pinned_estimators(model).items()]
