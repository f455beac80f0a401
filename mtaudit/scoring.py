"""Findings, model scores and reference metrics -> a risk per sentence and per document.

Risk is a linear model over named sentence features, read from a JSON file (``models/risk-default.json`` unless
``--risk-model`` names another, such as one written by ``mtaudit calibrate``). It is meant to approximate the MQM
penalty a human reviewer would give the sentence: higher = review sooner. Features a run cannot compute (no model,
no source, no reference) take the value ``impute`` gives them, so they neither raise nor lower the risk.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from mtaudit.document import Document, Sentence, Severity

DEFAULT_RISK_MODEL = Path(__file__).resolve().parents[1] / "models" / "risk-default.json"


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


@dataclass
class RiskModel:
    """``risk = max(0, bias + sum(weight[f] * (x[f] if present else impute[f])))``.

    ``trained_on`` (optional) records what ``mtaudit calibrate`` fitted it on (file, checksum, held-out figures), so
    ``mtaudit eval`` can warn when it is asked to measure a model on its own training data.
    """

    weights: dict[str, float]
    bias: float = 0.0
    impute: dict[str, float] = field(default_factory=dict)
    name: str = "default"
    description: str = ""
    trained_on: dict | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RiskModel":
        path = Path(path) if path else DEFAULT_RISK_MODEL
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            from mtaudit.errors import UsageError

            raise UsageError(f"{path}: cannot read risk model: {exc}") from None
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data.get("bias", 0.0)),
            impute={k: float(v) for k, v in data.get("impute", {}).items()},
            name=data.get("name", path.stem),
            description=data.get("description", ""),
            trained_on=data.get("trained_on"),
        )

    def risk(self, feats: dict[str, float]) -> float:
        total = self.bias
        for name, weight in self.weights.items():
            value = feats.get(name, self.impute.get(name))
            if value is not None:
                total += weight * value
        return max(0.0, total)

    def to_dict(self) -> dict:
        data = {"name": self.name, "description": self.description, "bias": self.bias,
                "weights": self.weights, "impute": self.impute}
        if self.trained_on is not None:
            data["trained_on"] = self.trained_on
        return data


def score_document(doc: Document, model: RiskModel) -> None:
    """Set ``sentence.risk`` for every sentence and ``doc.risk`` for the document.

    A document's risk is the mean of its three riskiest sentences: one bad paragraph makes an article worth opening,
    and a long clean article is not diluted into looking safe.
    """
    risks = []
    for sentence in doc.sentences():
        sentence.risk = round(model.risk(sentence_features(sentence)), 4)
        risks.append(sentence.risk)
    top = sorted(risks, reverse=True)[:3]
    doc.risk = round(sum(top) / len(top), 4) if top else 0.0
