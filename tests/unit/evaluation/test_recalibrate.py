"""Recalibrating a base risk model on a team's judgements: shrinkage toward the base, per-rater severity scales, the
held-out refusal, and `mtaudit calibrate --base` end to end."""
import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.evaluation.calibrate import fit_risk_model
from mtaudit.evaluation.features import AuditedSet
from mtaudit.evaluation.mqm import GoldSegment
from mtaudit.evaluation.recalibrate import normalised_penalties, rater_scales, recalibrate
from mtaudit.risk import RiskModel

runner = CliRunner()
# the base believes in length and barely in the names detector; the team's content says otherwise
BASE = RiskModel(weights={"length_words": 0.1, "detector_names": 0.05, "fluency": -0.1}, bias=0.0, name="base")
TRUTH = {"length_words": 0.02, "detector_names": 1.0, "fluency": -1.0}


def team_set(n: int, seed: int = 1, docs: int = 10, strict: float = 1.0, noise: float = 1.0) -> AuditedSet:
    """``n`` judged segments over ``docs`` documents, penalties from TRUTH plus noise; the first half of the
    documents judged by rater "strict" (penalties times ``strict``), the rest by "mild"."""
    rng = np.random.default_rng(seed)
    gold, rows = [], []
    for i in range(n):
        words = float(rng.integers(3, 40))
        names = 5.0 * float(rng.random() < 0.2)
        fluency = float(rng.normal())
        penalty = max(0.0, 2.0 + sum(TRUTH[f] * v for f, v in (("length_words", words), ("detector_names", names),
                                                                 ("fluency", fluency))) + rng.normal(0, noise))
        doc = i % docs
        rater = "strict" if doc < docs // 2 else "mild"
        gold.append(GoldSegment(system="-", doc=f"d{doc}", seg_id=str(i + 1), source="", target="w " * int(words),
                                line=i + 2, rater_penalty={rater: penalty * (strict if rater == "strict" else 1.0)},
                                has_major=penalty >= 5, dataset="team"))
        rows.append({"length_words": words, "detector_names": names, "fluency": fluency})
    return AuditedSet(gold=gold, segments=[], features=rows, detectors=["names"], model=None)


def distance(weights: dict, target: dict) -> float:
    return sum(abs(weights.get(f, 0.0) - w) for f, w in target.items())


def test_shrinkage_pulls_toward_the_base_with_little_data_and_lets_go_with_a_lot():
    for n, near in ((12, BASE.weights), (4000, TRUTH)):
        data = team_set(n, noise=2.0)
        fit = fit_risk_model(data.features, [g.penalty for g in data.gold], alpha=100.0, prior=BASE).model
        other = TRUTH if near is BASE.weights else BASE.weights
        assert distance(fit.weights, near) < distance(fit.weights, other), (n, fit.weights)
    # infinite shrinkage is the base itself; none at all is the ordinary fit toward 0
    data = team_set(300)
    kept = fit_risk_model(data.features, [g.penalty for g in data.gold], alpha=math.inf, prior=BASE).model
    assert kept.weights == BASE.weights and kept.bias == BASE.bias


def test_recalibration_keeps_the_base_on_few_judgements_and_beats_it_on_many():
    few = recalibrate(team_set(20, docs=4, noise=3.0), BASE, [], "test", variants=False)
    many = recalibrate(team_set(600), BASE, [], "test", variants=False)
    assert distance(few.model.weights, BASE.weights) < distance(few.model.weights, TRUTH)
    assert distance(many.model.weights, TRUTH) < distance(many.model.weights, BASE.weights)
    pooled = many.validation["pooled"]
    assert pooled["team"]["tau_doc"] > pooled["base"]["tau_doc"] + 0.05
    assert set(pooled) == {"team", "base", "length"} and not many.refused
    assert many.validation["segments"] == 600  # every document held out once


def test_a_strict_rater_scaled_five_times_does_not_change_the_fit_much():
    even = recalibrate(team_set(400), BASE, [], "test", variants=False, alphas=(30.0,))
    strict = recalibrate(team_set(400, strict=5.0), BASE, [], "test", variants=False, alphas=(30.0,))
    assert strict.scales["strict"] == pytest.approx(even.scales["strict"] / 5, rel=0.05)
    for feature, weight in even.model.weights.items():
        assert strict.model.weights[feature] == pytest.approx(weight, rel=0.1, abs=0.02), feature
    # without the scales, the strict rater's half would dominate: its penalties are five times the others'
    skewed = team_set(400, strict=5.0)
    raw = fit_risk_model(skewed.features, [g.penalty for g in skewed.gold], alpha=30.0, prior=BASE).model
    assert abs(raw.weights["detector_names"] - even.model.weights["detector_names"]) > \
        5 * abs(strict.model.weights["detector_names"] - even.model.weights["detector_names"])


def test_rater_scales_put_each_rater_on_the_base_models_level():
    data = team_set(200, strict=5.0)
    expected = [BASE.risk(r) for r in data.features]
    scales = rater_scales(data.gold, expected, pseudo=0)
    target = normalised_penalties(data.gold, scales)
    for rater in ("strict", "mild"):
        mine = [i for i, g in enumerate(data.gold) if rater in g.rater_penalty]
        assert np.mean([target[i] for i in mine]) == pytest.approx(np.mean([expected[i] for i in mine]))
    assert all(t == 0.0 for t, g in zip(target, data.gold) if g.penalty == 0.0)  # no error stays no error


def simpson_tsv(path, docs=8, per_doc=6):
    """Within a document a longer sentence is worse; across documents the longer ones are better: a pooled refit
    with little shrinkage learns the across-document slope and reverses the order within documents."""
    rows = ["system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity"]
    for k in range(docs):
        for j in range(per_doc):
            target = " ".join(["word"] * (4 + 2 * j + 12 * k)) + "."
            minors = j + 3 * (docs - 1 - k)
            if minors == 0:
                rows.append(f"sys\tdoc{k}\t{k}\t{j + 1}\tr1\t源文本。\t{target}\tNo-error\tNo-error")
            for _ in range(minors):
                rows.append(f"sys\tdoc{k}\t{k}\t{j + 1}\tr1\t源文本。\t<v>word</v>{target[4:]}\t"
                            "Fluency/Grammar\tMinor")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_calibrate_refuses_a_model_worse_held_out_than_the_base_and_force_writes_it(tmp_path):
    team = simpson_tsv(tmp_path / "team.tsv")
    base = tmp_path / "base.json"
    base.write_text(json.dumps({"name": "lengthy", "bias": 0.0, "weights": {"length_words": 0.1}}))
    out = tmp_path / "team-risk.json"
    args = ["calibrate", "--mqm", str(team), "--no-model", "--langs", "zh-en", "--base", str(base), "-o", str(out)]
    refused = runner.invoke(app, args + ["--alpha", "1"])
    assert refused.exit_code == 1, refused.output
    assert "refused" in refused.output and "tau within documents" in refused.output and not out.exists()
    forced = runner.invoke(app, args + ["--alpha", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    assert RiskModel.load(out).weights["length_words"] < 0  # what was refused: the reversed order
    # left to choose, cross-validation keeps the base, and the file written is the base's model, loadable
    chosen = runner.invoke(app, args)
    assert chosen.exit_code == 0, chosen.output
    model = RiskModel.load(out)
    assert model.weights == {"length_words": 0.1} and model.trained_on["alpha"] == "inf"


def test_calibrate_base_default_writes_a_model_with_the_shipped_variants(tmp_path):
    from helpers import FIXTURES_DIR

    out = tmp_path / "team.json"
    result = runner.invoke(app, ["calibrate", "--mqm", str(FIXTURES_DIR / "mqm_small.tsv"), "--no-model",
                                 "--base", "default", "-o", str(out)])
    assert result.exit_code == 0, result.output
    shipped, team = RiskModel.load(), RiskModel.load(out)
    assert set(team.variants) == set(shipped.variants)  # every kind of run is still scored
    assert team.trained_on["base"] == shipped.name and "rater_scales" in team.trained_on
    audit = runner.invoke(app, ["audit", str(FIXTURES_DIR / "article.txt"), "--no-model", "--risk-model", str(out),
                                "-q"])
    assert audit.exit_code in (0, 1), audit.output


def test_base_must_be_a_risk_model(tmp_path):
    from helpers import FIXTURES_DIR

    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = runner.invoke(app, ["calibrate", "--mqm", str(FIXTURES_DIR / "mqm_small.tsv"), "--no-model",
                                 "--base", str(bad), "-o", str(tmp_path / "o.json")])
    assert result.exit_code == 2 and "cannot read risk model" in result.output


@pytest.mark.shared
def test_a_wmt23_one_rater_export_is_written_only_when_not_worse_held_out(shared, tmp_path):
    """A team export cut from the WMT23 zh-en set (one rater, six articles, all systems), without the model: the
    model is written only when its held-out figures are not below the shipped model's (next to which they are
    printed, with length's, on the same segments); otherwise calibrate refuses, and --force writes a loadable model."""
    lines = (shared / "data" / "mqm" / "wmt23_news_zhen_dev.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    doc, rater = header.index("doc"), header.index("rater")
    articles = list(dict.fromkeys(line.split("\t")[doc] for line in lines[1:]))[:6]
    export = tmp_path / "team-review.tsv"
    export.write_text("\n".join([lines[0]] + [line for line in lines[1:] if line.split("\t")[doc] in articles
                                              and line.split("\t")[rater] == "rater2"]) + "\n", encoding="utf-8")
    out = tmp_path / "team-risk.json"
    args = ["calibrate", "--mqm", str(export), "--langs", "zh-en", "--no-model", "--base", "default", "-o", str(out)]
    result = runner.invoke(app, args)
    assert "held-out figures" in result.output and result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert "refused" in result.output and not out.exists()
        result = runner.invoke(app, args + ["--force"])
        assert result.exit_code == 0, result.output
    model = RiskModel.load(out)
    pooled = model.trained_on["held_out"]["pooled"]
    assert set(pooled) == {"team", "base", "length"}
    assert list(model.trained_on["rater_scales"]) == ["rater2"]


def test_a_recalibrated_model_drops_the_base_reverse_variant_that_rescaled_its_old_weights():
    import copy

    base = copy.deepcopy(BASE)
    base.variants = {"reverse": RiskModel(weights={"length_words": 0.09, "rev_pmi_mean": -0.3}, name="reverse"),
                     "no_model": RiskModel(weights={"length_words": 0.1}, name="no_model")}
    # rows with every model signal (constant here): the main model is the part refitted
    data = team_set(300)
    full = AuditedSet(gold=data.gold, segments=[], features=[dict(r, lm_logprob_mean=-2.0, src_logprob_mean=-1.0,
                                                                  src_estimator_sum=0.5) for r in data.features],
                      detectors=data.detectors, model=data.model)
    team = recalibrate(full, base, [], "test")
    assert team.key is None
    assert "reverse" not in team.model.variants and "no_model" in team.model.variants
    assert team.validation["dropped_variants"] == ["reverse"]
    # --adequacy sentences then score with the team's main weights, the reverse signals ignored
    row = {"length_words": 10.0, "fluency": -2.0, "detector_names": 0.0, "src_logprob_mean": -1.0,
           "lm_logprob_mean": -2.0, "src_estimator_sum": 0.5, "rev_logprob_mean": -1.0, "rev_pmi_mean": 2.0}
    assert team.model.risk(row) == team.model.risk({k: v for k, v in row.items() if not k.startswith("rev_")})
    # where a variant was the part refitted, the main model and the reverse variant built on it stay
    kept = recalibrate(team_set(300), base, [], "test")
    assert kept.key == "no_model" and "reverse" in kept.model.variants
