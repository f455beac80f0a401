"""Findings, model scores and reference metrics -> a risk per sentence and per document.

Risk is a linear model over named sentence features, read from a JSON file (``mtaudit/models/risk-default.json``,
shipped in the package, unless ``--risk-model`` names another, such as one written by ``mtaudit calibrate``). It is
meant to approximate the MQM penalty a human reviewer would give the sentence: higher = review sooner. Features a
run cannot compute (no model, no source, no reference) take the value ``impute`` gives them, so they neither raise
nor lower the risk.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from mtaudit.core.document import Document, Sentence, Severity



def sentence_features(sentence: Sentence) -> dict[str, float]:
    """The signals behind a sentence's risk, by name. Missing signals are absent, not zero."""
    feats: dict[str, float] = {}
    for sev in Severity:
        feats[f"findings_{sev.value}"] = 0.0
    for f in sentence.findings:
        feats[f"findings_{f.severity.value}"] += f.confidence
        key = f"detector_{f.detector}"
        feats[key] = feats.get(key, 0.0) + f.severity.weight * f.confidence
    words = len(sentence.text.split())
    feats["length_words"] = float(words)
    feats["log_length"] = math.log1p(words)
    source = sentence.segment.source
    if source and source.strip():
        # Omissions and additions change how long a translation is against its source; the ratio is the
        # segment's (a sentence of a segment has no aligned source of its own), in non-space characters.
        target_chars = sum(not c.isspace() for c in sentence.segment.target)
        source_chars = sum(not c.isspace() for c in source)
        feats["src_log_length_ratio"] = math.log((target_chars + 1) / (source_chars + 1))
    if sentence.fluency is not None:
        feats["fluency"] = float(sentence.fluency)
    for name, value in sentence.scores.items():
        if value is not None and math.isfinite(value):
            feats[name] = float(value)
    return feats


ESTIMATOR = "src_estimator_sum"  # the trained estimator's signal (the sum of its per-token error mass)


# A run computes the model's signals only with a model, and the source-conditioned ones only where a segment has a
# source. A weight fitted next to a signal is wrong without it (the log-prob sums offset length), so a risk model
# carries one variant fitted without each group, and every sentence is scored by the variant matching what it has.
# The trained estimator (``mtaudit.fluency.estimator``) covers one model and language pair: elsewhere its signal is
# missing and the "no_estimator" variant scores.
VARIANT_DROPS: dict[str, tuple[str, ...]] = {
    "no_source": ("src_",),
    "no_model": ("src_", "lm_", "fluency", "detector_fluency"),
    "no_estimator": (ESTIMATOR,),
    # `audit --fast`: the source-conditioned pass alone. The PMIs need the target-only pass; the least expected word
    # given the source (src_word_logprob_min) and the trained estimator come from the source pass, so they stay
    "no_target": ("lm_", "fluency", "detector_fluency", "src_pmi_"),
    # `audit --fast` where no trained estimator covers the pair or model
    "no_target_no_estimator": ("lm_", "fluency", "detector_fluency", "src_pmi_", ESTIMATOR),
}

# A risk model fitted before a variant existed scores its sentences with the variant it had for them: a model whose
# "no_target" variant predates the estimator never weighs it.
VARIANT_FALLBACK = {"no_target_no_estimator": "no_target"}


def signals_variant(feats: dict[str, float]) -> str | None:
    """Which variant scores a sentence with these features: None (everything), "no_source", "no_target" (the
    source-conditioned pass alone, `audit --fast`), "no_target_no_estimator" (the same without a trained estimator),
    "no_model", "no_estimator" (every model signal but the trained estimator's) or "reverse" (everything, and the
    reverse pass of `audit --adequacy`: ``LMScorer._score_reverse``). Only the last adds signals; the reverse pass's
    signals are used by the "reverse" variant alone, so with --fast or without the estimator they are ignored."""
    if "lm_logprob_mean" not in feats:
        if "src_logprob_mean" not in feats:
            return "no_model"
        return "no_target" if ESTIMATOR in feats else "no_target_no_estimator"
    if "src_logprob_mean" not in feats:
        return "no_source"
    if ESTIMATOR not in feats:
        return "no_estimator"
    if "rev_logprob_mean" in feats:
        return "reverse"  # `audit --adequacy`; a model without this variant scores with its main weights
    return None


def without_signals(feats: dict[str, float], variant: str) -> dict[str, float]:
    return {k: v for k, v in feats.items() if not k.startswith(VARIANT_DROPS[variant])}


# The reverse pass's signals (``audit --adequacy``): only the "reverse" variant weighs them.
REVERSE_SIGNALS = ("rev_",)


def without_reverse(feats: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in feats.items() if not k.startswith(REVERSE_SIGNALS)}


@dataclass
class RiskModel:
    """``risk = max(0, bias + sum(weight[f] * (x[f] if present else impute[f])))``.

    ``variants`` hold the same model fitted without the source-conditioned signals ("no_source") and without any model
    signal ("no_model"); ``risk`` picks the one matching the features it is given (see ``VARIANT_DROPS``).
    ``trained_on`` (optional) records what ``mtaudit calibrate`` fitted it on (file, checksum, held-out figures), so
    ``mtaudit eval`` can warn when it is asked to measure a model on its own training data.
    """

    weights: dict[str, float]
    bias: float = 0.0
    impute: dict[str, float] = field(default_factory=dict)
    name: str = "default"
    description: str = ""
    trained_on: dict | None = None
    variants: dict[str, "RiskModel"] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RiskModel":
        if not path:
            from mtaudit.core.resources import models_dir

            path = models_dir() / "risk-default.json"
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls.from_dict(data, path.stem)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            from mtaudit.core.errors import UsageError

            raise UsageError(f"{path}: cannot read risk model: {exc}") from None

    @classmethod
    def for_pair(cls, source: str | None, target: str | None) -> "RiskModel":
        """The risk model of a language pair (``mtaudit/languages/pairs.toml``), in the models folder."""
        from mtaudit.languages import find_pair
        from mtaudit.core.resources import models_dir

        pair = find_pair(source, target)
        return cls.load(models_dir() / pair.risk_model) if pair else cls.load()

    @classmethod
    def from_dict(cls, data: dict, default_name: str = "risk") -> "RiskModel":
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data.get("bias", 0.0)),
            impute={k: float(v) for k, v in data.get("impute", {}).items()},
            name=data.get("name", default_name),
            description=data.get("description", ""),
            trained_on=data.get("trained_on"),
            variants={k: cls.from_dict(v, k) for k, v in data.get("variants", {}).items()},
        )

    def scoring(self, feats: dict[str, float]) -> "RiskModel":
        """The model (itself or one of its variants) that scores a sentence with these features."""
        variant = signals_variant(feats)
        if variant not in self.variants:
            variant = VARIANT_FALLBACK.get(variant)
        return self.variants.get(variant, self) if variant else self

    def risk(self, feats: dict[str, float]) -> float:
        model = self.scoring(feats)
        if model is not self:
            return model.risk(feats)
        return max(0.0, self.linear(feats))

    def linear(self, feats: dict[str, float]) -> float:
        """This model's own weights over ``feats`` (a missing feature takes its ``impute`` value, else nothing),
        before the floor at 0 and without choosing a variant: what ``risk`` floors."""
        total = self.bias
        for name, weight in self.weights.items():
            value = feats.get(name, self.impute.get(name))
            if value is not None:
                total += weight * value
        return total

    def estimator_part(self, feats: dict[str, float]) -> float | None:
        """What the trained estimator adds to the risk of a sentence with these features (its weight times its
        signal), or None when the variant scoring the sentence does not use it: the explanation's one named line."""
        model = self.scoring(feats)
        if ESTIMATOR not in model.weights or ESTIMATOR not in feats:
            return None
        return model.weights[ESTIMATOR] * feats[ESTIMATOR]

    def to_dict(self) -> dict:
        data = {"name": self.name, "description": self.description, "bias": self.bias,
                "weights": self.weights, "impute": self.impute}
        if self.trained_on is not None:
            data["trained_on"] = self.trained_on
        if self.variants:
            data["variants"] = {k: v.to_dict() for k, v in self.variants.items()}
        return data


def segment_risk(model: RiskModel, rows: list[dict[str, float]]) -> float:
    """A segment's risk: the sum of its sentences' risks (``rows``: their ``sentence_features``). A paragraph's MQM
    penalty adds up the errors of all its sentences, and so does this: the expected penalty of the whole segment."""
    return sum(model.risk(row) for row in rows)


def score_document(doc: Document, model: RiskModel) -> None:
    """Set ``sentence.risk`` for every sentence, ``segment.risk`` for every segment (the sum of its sentences',
    ``segment_risk``) and ``doc.risk`` for the document.

    A document's risk is the mean of its three riskiest sentences: one bad paragraph makes an article worth opening,
    and a long clean article is not diluted into looking safe.
    """
    risks = []
    for segment in doc.segments:
        for sentence in segment.sentences:
            feats = sentence_features(sentence)
            sentence.risk = round(model.risk(feats), 4)
            part = model.estimator_part(feats)
            sentence.estimator = None if part is None else round(part, 4)
            risks.append(sentence.risk)
        segment.risk = round(sum(s.risk for s in segment.sentences), 4)
    top = sorted(risks, reverse=True)[:3]
    doc.risk_model = model.name
    doc.risk = round(sum(top) / len(top), 4) if top else 0.0
