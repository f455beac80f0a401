"""The trained quality estimator (mtaudit.fluency.estimator): pinned file, hidden states from the scoring pass, the
risk model's fallback when it does not apply, and calibration with it. Real model, no mocks; model tests skip when
the default model is not pulled."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.fluency import ModelError, load_scorer, store
from mtaudit.fluency.estimator import Estimator, pinned_estimators
from mtaudit.fluency.scorer import Request
from mtaudit.core.resources import models_dir
from mtaudit.risk import ESTIMATOR, RiskModel, signals_variant

from tools.perturbed_news import document
from helpers import FIXTURES_DIR

MODEL = store.DEFAULT_MODEL
needs_model = pytest.mark.skipif(
    not store.is_ready(MODEL), reason=f"model {MODEL} is not pulled: run `mtaudit models pull {MODEL}`"
)
SCORES = FIXTURES_DIR / "news_small_zhen.scores.tsv"


@pytest.fixture(scope="module")
def scorer():
    return load_scorer(MODEL)


def test_the_shipped_estimator_is_pinned_and_loads_without_pickle():
    [(pair, spec)] = pinned_estimators(MODEL).items()
    assert pair == "zh-en" and spec["file"].endswith(".npz")
    estimator = Estimator.load(models_dir() / spec["file"], spec["sha256"], spec["layer"], pair)
    hidden = estimator.w1.shape[1] - 4  # the state and four numbers about the token
    mass = estimator.token_mass(np.ones((3, hidden)), np.array([-0.1, -3.0, -9.0]), np.array([-0.1, -0.5, -0.2]))
    assert mass.shape == (3,) and (mass >= 0).all()
    assert estimator.applies("zh", "en") and estimator.applies("zh-CN", "en-GB") and not estimator.applies("en", "de")


def test_a_tampered_estimator_file_is_refused(tmp_path):
    [(pair, spec)] = pinned_estimators(MODEL).items()
    copy = tmp_path / spec["file"]
    shutil.copy(models_dir() / spec["file"], copy)
    copy.write_bytes(copy.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="does not match the pinned"):
        Estimator.load(copy, spec["sha256"], spec["layer"], pair)


FULL = {"lm_logprob_mean": -2.0, "src_logprob_mean": -1.5, ESTIMATOR: 30.0, "length_words": 20.0}


@pytest.mark.parametrize("drop, variant", [
    ((), None),
    ((ESTIMATOR,), "no_estimator"),  # another model or language pair: no estimator signal
    (("src_logprob_mean", ESTIMATOR), "no_source"),
    (("lm_logprob_mean", "src_logprob_mean", ESTIMATOR), "no_model"),
    (("lm_logprob_mean",), "no_target"),  # audit --fast: the source pass alone, which the estimator reads
    (("lm_logprob_mean", ESTIMATOR), "no_target_no_estimator"),  # --fast where no estimator covers the pair
    ("+rev", "reverse"),  # audit --adequacy: every signal and the reverse pass's
])
def test_each_sentence_is_scored_by_the_variant_matching_its_signals(drop, variant):
    feats = {k: v for k, v in FULL.items() if k not in drop}
    if drop == "+rev":
        feats.update(rev_logprob_mean=-1.2, rev_logprob_sum=-30.0, rev_pmi_mean=2.5)
    assert signals_variant(feats) == variant
    shipped = RiskModel.load()
    assert set(shipped.variants) == {"no_source", "no_model", "no_estimator", "no_target", "no_target_no_estimator",
                                     "reverse"}
    part = shipped.estimator_part(feats)
    if ESTIMATOR in feats:
        model = shipped.variants.get(variant, shipped)
        assert part == pytest.approx(model.weights[ESTIMATOR] * 30.0) and part > 0
        # linear in the signal (both risks are above the floor of 0 here)
        lower = shipped.risk(dict(feats, **{ESTIMATOR: 20.0}))
        assert lower > 0 and shipped.risk(feats) == pytest.approx(lower + part / 3)
    if variant is not None:
        assert shipped.risk(feats) == shipped.variants[variant].risk(feats)
    if ESTIMATOR not in feats:
        assert part is None


def test_a_risk_model_without_the_newer_fast_variant_scores_fast_runs_with_its_own():
    """A model calibrated before "no_target_no_estimator" existed (a team's own file, the en-de one) scores a --fast
    sentence without the estimator by its "no_target" variant, not by its main weights with the target imputed."""
    model = RiskModel.from_dict({"weights": {"lm_logprob_sum": -1.0, "length_words": 0.1},
                                 "variants": {"no_target": {"weights": {"length_words": 0.5}}}})
    fast = {"src_logprob_mean": -1.0, "length_words": 10.0}
    assert signals_variant(fast) == "no_target_no_estimator"
    assert model.risk(fast) == pytest.approx(5.0) and model.estimator_part(fast) is None


@needs_model
def test_states_come_from_the_scoring_pass_at_each_scored_tokens_own_position(scorer):
    """The hooked states equal the model's own hidden states of that layer at the scored tokens; asking for them
    changes no log-probability; ``best`` is the most likely token's log-probability (never below the token's)."""
    requests = [Request("", "The minister said on Monday that talks would resume.", 0),
                Request("Translate.\n\n", "Chinese: 你好\nEnglish: Hello there.", len("Chinese: 你好\nEnglish: "))]
    plain = scorer.logprobs(requests)
    layered = scorer.logprobs(requests, layers=(6, 12))
    for (off, lp), (off2, lp2, states, best) in zip(plain, layered):
        assert off == off2 and np.allclose(lp, lp2, atol=1e-5)
        assert states.shape == (len(lp), 2, scorer.decoder.hidden_size)
        assert (best >= lp - 1e-4).all()
    # the first request has no prefix: one plain forward pass shows where each scored token's state must come from
    prefix, ids, n_ctx, _ = scorer.encode(requests[0])
    full = list(prefix) + ids
    with torch.inference_mode():
        _, kept = scorer.decoder(torch.tensor([full]), keep=(6, 12))
    for k, layer in enumerate((6, 12)):
        expected = kept[layer][0, len(full) - len(plain[0][1]):].float().numpy()
        got = layered[0][2][:, k]
        scale = np.abs(expected).max()
        assert np.abs(got - expected).max() <= 1e-3 * scale


@needs_model
def test_the_estimator_fills_its_signal_for_its_pair_only_and_sees_an_unfaithful_translation(scorer):
    source = "他说，公司明年将在北京开设三家新工厂。"
    faithful = "He said the company would open three new factories in Beijing next year."
    unfaithful = ["He said the company would open three new factories in Tokyo next year.",
                  "He said the company would close three old factories in Tokyo last year."]
    # measured here: 1.15 faithful, 1.32 and 1.87 (a shorter unfaithful "would close its factories." gave 1.19: the
    # mass is a sum over tokens, so the cases keep the faithful one's length)
    docs = [document([text], sources=[source]) for text in [faithful] + unfaithful]
    german = document(["Er sagte, die Firma werde im nächsten Jahr drei neue Fabriken eröffnen."],
                      sources=["He said the company would open three new factories next year."])
    german.source_lang, german.target_lang = "en", "de"
    scorer.score(docs + [german])
    mass = [d.segments[0].sentences[0].scores[ESTIMATOR] for d in docs]
    assert all(m >= 0 for m in mass)
    assert min(mass[1:]) > mass[0], mass
    assert ESTIMATOR not in german.segments[0].sentences[0].scores
    # a two-sentence segment: each sentence gets the mass of its own tokens
    two = document([faithful + " " + faithful], sources=[source + source])
    scorer.score([two])
    parts = [s.scores[ESTIMATOR] for s in two.segments[0].sentences]
    assert len(parts) == 2 and all(p > 0 for p in parts)


@needs_model
def test_without_the_estimator_the_scorer_fills_no_signal_and_the_risk_falls_back(scorer):
    """What `load_scorer(..., estimator=False)` gives (an empty list), on the loaded scorer to spare a second load."""
    doc = document(["He said the company would open three new factories in Beijing next year."],
                   sources=["他说，公司明年将在北京开设三家新工厂。"])
    kept, scorer.estimators = scorer.estimators, []
    try:
        scorer.score([doc])
    finally:
        scorer.estimators = kept
    feats = doc.segments[0].sentences[0].scores
    assert ESTIMATOR not in feats and signals_variant(feats) == "no_estimator"
    assert "src_logprob_mean" in feats


@needs_model
def test_calibrate_fits_the_estimators_weight_and_reports_held_out_figures_first(tmp_path):
    out = tmp_path / "team.json"
    result = CliRunner().invoke(app, ["calibrate", "--mqm", str(SCORES), "--langs", "zh-en", "--folds", "3",
                                      "--features-cache", str(tmp_path / "cache.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.index("held out") < result.output.index(str(out))
    model = RiskModel.load(out)
    assert "no_estimator" in model.variants
    assert ESTIMATOR not in model.variants["no_estimator"].weights
    features = json.loads((tmp_path / "cache.json").read_text())["entries"][0]["features"]
    assert all(ESTIMATOR in row for row in features)
    # One system: no item holds two translations, so there is no tau within items; the figures say "-", no crash.
    one = CliRunner().invoke(app, ["calibrate", "--mqm", str(SCORES), "--langs", "zh-en", "--folds", "3",
                                   "--systems", "sysA", "-o", str(tmp_path / "one.json")])
    assert one.exit_code == 0, one.output
    assert "tau in item -" in one.output
