"""The pieces of the fluency scorer that need no model: run scores against the norms, threshold calibration, and the
near-copy rule for the preceding-sentence context."""
from __future__ import annotations

import json

import numpy as np
import pytest

from mtaudit.fluency.norms import Norms, calibrate, sentence_maximum, thresholds, word_spans
from mtaudit.fluency.scorer import near_copy
from mtaudit.resources import models_dir


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads((models_dir() / "norms-gemma3-270m.json").read_text(encoding="utf-8"))


def test_run_scores_with_and_without_the_sentence_baseline(shipped):
    plain = Norms.load_dict({**shipped, "baseline": "none"})
    relative = Norms.load_dict({**shipped, "baseline": "median"})
    z = np.array([0.5, 1.0, 4.0, 3.0, 0.0])
    assert plain.window_scores(z).tolist() == [0.75, 2.5, 3.5, 1.5]
    assert relative.window_scores(z).tolist() == [-0.25, 1.5, 2.5, 0.5]  # less the median, 1.0
    # a harder sentence (every word one unit more surprising) scores the same runs relative to itself
    assert relative.window_scores(z + 1).tolist() == relative.window_scores(z).tolist()
    assert plain.window_scores(np.array([2.0])).tolist() == [2.0]  # one word: one run


def test_shipped_norms_say_how_runs_are_scored(shipped):
    norms = Norms.load(models_dir() / "norms-gemma3-270m.json")
    assert norms.baseline == shipped.get("baseline", "none") == "median"
    assert norms.major > norms.minor > 0
    assert shipped["thresholds_from"]["lines"] >= 100


def test_calibrate_keeps_the_bands_and_recomputes_thresholds(shipped):
    rng = np.random.default_rng(0)
    text = "The minister said on Tuesday that the talks would resume next week in Geneva."
    n = len(word_spans(text))
    scored = [(text, rng.normal(5, 3, n)) for _ in range(400)]
    out = calibrate(shipped, scored, "median", "synthetic")
    assert out["bands"] == shipped["bands"] and out["baseline"] == "median"
    maxima = [sentence_maximum(Norms.load_dict(out), t, s) for t, s in scored]
    assert np.mean(np.array(maxima) >= out["minor"]) == pytest.approx(0.025, abs=0.005)
    assert out["thresholds_from"] == {"lines": 400, "source": "synthetic"}
    assert thresholds([1.0, 2.0, 3.0])["quantiles"][0] == 1.0


# (preceding sentence, sentence, near-copy?): several systems' outputs of one source, damaged twins, repeats; and
# ordinary consecutive sentences of news, which must stay context
NEAR_COPIES = [
    ("The minister said trade grew 5% last year.",
     "According to the minister, trade increased by 5% last year.", True),
    ("Prices rose sharply in the last quarter, the statistics office said.",
     "Prices rose sharply the in last quarter, the statistics office said.", True),
    ("Zhang Lihua said the company would build two new factories in Vietnam this year.",
     "Zhang Lihua said that the company will build two new plants in Vietnam this year.", True),
    ("The talks will resume on Monday.", "The talks will resume on Monday.", True),
    ("The talks will resume on Monday in Geneva, officials said.",
     "Officials declined to say who would lead the delegation.", False),
    ("Shares in the company fell 4 per cent in early trading.",
     "Analysts had expected a smaller drop after the profit warning.", False),
    ("He left.", "The central bank raised its benchmark interest rate on Thursday.", False),
]


@pytest.mark.parametrize("previous,sentence,copy", NEAR_COPIES)
def test_near_copy(previous, sentence, copy):
    assert near_copy(previous, sentence) is copy
