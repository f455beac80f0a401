"""The pieces of the fluency scorer that need no model: run scores against the norms, threshold calibration, and the
near-copy rule for the preceding-sentence context."""
from __future__ import annotations

import json

import numpy as np
import pytest

from mtaudit.core.resources import models_dir
from mtaudit.fluency.norms import Norms, band, word_spans
from mtaudit.fluency.scorer import near_copy
from tools.fit_norms import sentence_maximum, shares, thresholds


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads((models_dir() / "norms-gemma3-270m-en.json").read_text(encoding="utf-8"))


def test_run_scores(shipped):
    norms = Norms.load_dict(shipped)
    assert norms.window_scores(np.array([0.5, 1.0, 4.0, 3.0, 0.0])).tolist() == pytest.approx([5.5 / 3, 8 / 3, 7 / 3])
    assert norms.window_scores(np.array([2.0])).tolist() == [2.0]  # one word: one run


def test_runs_leave_out_the_first_word_and_punctuation(shipped):
    """Held-out clean lines were flagged for a name opening the sentence and for a zero-width space before a dash:
    neither is phrasing. Runs are made of the other words; a run spans the punctuation between its words."""
    norms = Norms.load_dict(shipped)
    assert norms.runs_over == "words" and norms.span_width == 3
    text = "Madraiwiwi spoke of the past \u200b\u2014 in Ephesus"
    words = word_spans(text)
    assert [text[a:b] for a, b in words] == ["Madraiwiwi", "spoke", "of", "the", "past", "\u200b\u2014", "in", "Ephesus"]
    z = np.array([9.0, 1.0, 2.0, 0.0, 1.0, 9.0, 3.0, 1.0])
    assert norms.scored_words(text, words) == [1, 2, 3, 4, 6, 7]
    runs = norms.runs(text, words, z)
    assert [(a, b) for a, b, _ in runs] == [(1, 3), (2, 4), (3, 6), (4, 7)]
    assert [score for *_, score in runs] == pytest.approx([1.0, 1.0, 4 / 3, 5 / 3])
    assert norms.runs("Yes.", word_spans("Yes."), np.array([5.0, 5.0])) == []  # nothing but the first word
    # a fragment with fewer scored words than a run has no run (one word's z-score spreads wider than a run's mean)
    assert norms.runs("( a )", word_spans("( a )"), np.array([0.0, 9.0, 0.0])) == []
    # norms fitted before runs left those out (no "runs_over" in the file) keep runs over every word
    legacy = Norms.load_dict({k: v for k, v in shipped.items() if k != "runs_over"})
    assert legacy.runs_over == "all" and legacy.runs(text, words, z)[0] == (0, 2, 4.0)


@pytest.mark.parametrize("word,expected", [
    ("the", "7.0"), ("minister", "5.0"), (",", "punct"), ("U.S.", "5.0"), ("don't", "6.0"),
    # compounds are compared with the rarest words, whatever wordfreq makes of their parts
    ("told-to", "0.0"), ("13-star", "0.0"), ("top-sealed", "0.0"), ("long-term", "0.0"),
])
def test_frequency_bands(word, expected):
    assert band(word) == expected
    assert band(word, first=True) == "first"


def test_word_bands_give_the_z_scores(shipped):
    """``word_z`` is the surprisal against ``word_bands``' mean and spread."""
    norms = Norms.load_dict(shipped)
    text = "Officials said the minister resigned."
    words = word_spans(text)
    means, stds = norms.word_bands(text, words)
    assert means[0] == norms.bands["first"][0] and means[-1] == norms.bands["punct"][0]
    surprisal = np.array([9.0, 2.0, 1.0, 6.0, 7.0, 0.5])
    assert norms.word_z(text, words, surprisal) == pytest.approx((surprisal - means) / stds)
    assert norms.word_z(text, words, surprisal, (means, stds)) == pytest.approx((surprisal - means) / stds)


def test_a_coined_compound_is_not_an_odd_phrase_by_itself(shipped):
    """'a told-to story' (from a clean held-out line) was flagged: the compound was scored as a common word."""
    norms = Norms.load_dict(shipped)
    text = "Dowe first talked about the chaplain in a told-to story in the Jan. 16, 1954, issue of the magazine."
    words = word_spans(text)
    surprisal = np.full(len(words), 4.0)
    surprisal[[i for i, (a, b) in enumerate(words) if text[a:b] == "told-to"][0]] = 21.3  # as the model measured
    assert sentence_maximum(norms, text, surprisal) < norms.minor


def test_thresholds():
    out = thresholds(list(np.linspace(0, 10, 1001)))
    assert out["minor"] == pytest.approx(9.85) and out["major"] == pytest.approx(9.95)
    assert (out["minor_share"], out["major_share"]) == (0.015, 0.005)
    strict = thresholds(list(np.linspace(0, 10, 1001)), 0.005, 0.002)
    assert strict["minor"] == pytest.approx(9.95) and strict["major"] == pytest.approx(9.98)
    # the shares are the target language's data: German asks for fewer false findings, others keep the defaults
    assert shares("de") == (0.005, 0.002) and shares("en") == shares("fr") == (0.015, 0.005)
    assert out["quantiles"][0] == 0.0 and out["quantiles"][-1] == 10.0 and len(out["quantiles"]) == 101


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


def test_german_norms_ship_for_the_pinned_default_model(shipped):
    """German targets get odd-phrasing spans from their own norms, fitted on German news for the same converted
    weights as the English ones (the pinned model.safetensors), with German frequency bands."""
    pins = json.loads((models_dir() / "models.json").read_text(encoding="utf-8"))
    german = json.loads((models_dir() / "norms-gemma3-270m-de.json").read_text(encoding="utf-8"))
    assert german["lang"] == "de" and german["source"].startswith("news-de/")
    pinned = pins["models"]["gemma3-270m"]["converted"]["files"]["model.safetensors"]
    assert german["checksum"] == shipped["checksum"] == pinned
    assert german["lines"] == 4000 and german["words"] > 60_000
    assert {"first", "punct", "7.0", "0.0"} <= set(german["bands"])
    assert all(n >= 20 for _, _, n in german["bands"].values())
    # rarer words surprise the model more, in German as in English
    means = [german["bands"][b][0] for b in ("7.0", "5.0", "3.0", "0.0")]
    assert means == sorted(means)
    norms = Norms.load_dict(german)
    assert 2.0 < norms.minor < norms.major < 6.0 and len(norms.quantiles) == 101
    # the run rule English norms use, at the shares German's data file asks for (at most 1 false finding per 100)
    assert norms.runs_over == "words" and norms.span_width == 3
    assert (german["minor_share"], german["major_share"]) == shares("de") == (0.005, 0.002)
    assert german["quantiles"][99] < norms.minor
    assert band("der", lang="de") == "7.0"
    assert float(band("Schienennetz", lang="de")) < float(band("Regierung", lang="de"))


def test_refitting_thresholds_can_keep_the_bands_the_risk_model_was_fitted_with(shipped):
    """`norms fit --keep-bands`: the run thresholds are re-derived from the scored lines, the bands (and so every
    word's z-score, the risk signal lm_word_z_max) stay as they are."""
    from types import SimpleNamespace

    from tools.fit_norms import fit_scored

    rng = np.random.default_rng(5)
    lines = ["The minister said on Monday that the talks in Geneva would resume next week.",
             "Shares in the company fell sharply after the profit warning was published."] * 30
    scored = [(text, rng.gamma(2.0, 2.0, len(word_spans(text)))) for text in lines]
    scorer = SimpleNamespace(model_id="gemma3-270m", checksum=shipped["checksum"], context="previous")
    kept = fit_scored(scorer, scored, bands=shipped["bands"])
    fresh = fit_scored(scorer, scored)
    assert kept["bands"] == shipped["bands"] and fresh["bands"] != shipped["bands"]
    assert kept["runs_over"] == "words" and kept["span_width"] == 3 and kept["minor"] < kept["major"]
    assert kept["minor"] != fresh["minor"]  # the thresholds follow the bands the runs are scored with
