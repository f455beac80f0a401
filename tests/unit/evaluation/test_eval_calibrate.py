"""Calibration (sign-constrained ridge, held-out validation) and the eval / calibrate commands end to end."""
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from helpers import FIXTURES_DIR

from mtaudit.cli import app
from mtaudit.evaluation.calibrate import feature_sign, fit_risk_model
from mtaudit.risk import RiskModel

FIXTURE = FIXTURES_DIR / "mqm_small.tsv"
runner = CliRunner()


def synthetic(n=400, seed=1):
    rng = np.random.default_rng(seed)
    rows, penalty = [], []
    for _ in range(n):
        words = float(rng.integers(3, 40))
        major = float(rng.random() < 0.2)
        noise_count = float(rng.random() < 0.3)  # a count that, in this data, goes with *lower* penalty
        fluency = float(rng.normal())
        # detector_X features are severity-weighted counts: one major finding is 5.0
        rows.append({"length_words": words, "detector_names": 5.0 * major, "findings_major": major,
                     "detector_noise": noise_count, "fluency": fluency})
        penalty.append(0.1 * words + 5 * major - 1.0 * noise_count - 0.5 * fluency + rng.normal(0, 0.3))
    return rows, penalty


def test_fit_recovers_weights_and_respects_signs():
    rows, penalty = synthetic()
    model = fit_risk_model(rows, penalty).model
    assert model.weights["length_words"] == pytest.approx(0.1, abs=0.02)
    assert model.weights["detector_names"] == pytest.approx(1.0, abs=0.06)
    assert "findings_major" not in model.weights  # severity totals are not fitted; per-detector counts are
    assert model.weights["fluency"] == pytest.approx(-0.5, abs=0.1)
    # more findings never lowers risk: the count's negative effect is not learned
    assert model.weights.get("detector_noise", 0.0) == 0.0
    assert "fluency" in model.impute and "detector_names" not in model.impute


def test_a_paragraph_is_fitted_as_the_sum_of_its_sentences():
    """A paragraph's penalty adds up its sentences' errors: fitted with groups, the model is the sentence model that
    generated it (bias and weights per sentence), and one-sentence groups give the ordinary fit."""
    rows, penalty = synthetic(600, seed=3)
    sentence_penalty = [p + 1.0 for p in penalty]  # a bias of 1 per sentence, which only groups can tell from 0
    rng = np.random.default_rng(4)
    sizes = rng.integers(1, 5, 200)
    groups = [g for g, size in enumerate(sizes) for _ in range(size)]
    rows, sentence_penalty = rows[:len(groups)], sentence_penalty[:len(groups)]
    paragraph = np.zeros(len(sizes))
    np.add.at(paragraph, groups, sentence_penalty)
    model = fit_risk_model(rows, paragraph.tolist(), groups=groups).model
    assert model.weights["length_words"] == pytest.approx(0.1, abs=0.02)
    assert model.weights["detector_names"] == pytest.approx(1.0, abs=0.1)
    assert model.weights["fluency"] == pytest.approx(-0.5, abs=0.15)
    plain = fit_risk_model(rows, sentence_penalty).model
    assert model.bias == pytest.approx(plain.bias, abs=0.3)  # per sentence, not per paragraph
    single = fit_risk_model(rows, sentence_penalty, groups=list(range(len(rows)))).model
    assert single.weights == pytest.approx(plain.weights) and single.bias == pytest.approx(plain.bias)


def test_eval_and_cross_validation_score_a_segment_by_the_sum_of_its_sentences():
    from mtaudit.evaluation.calibrate import cross_validate
    from mtaudit.evaluation.evaluate import scorer_columns
    from mtaudit.evaluation.features import AuditedSet
    from mtaudit.evaluation.mqm import GoldSegment

    model = RiskModel(weights={"length_words": 0.5}, bias=1.0)
    gold = [GoldSegment(system="s", doc=f"d{i % 4}", seg_id=str(i), source="", target="w " * 3, line=i + 2, dataset="x",
                        rater_penalty={"r": float(i)}) for i in range(8)]
    sentences = [[{"length_words": 1.0}] * (1 + i % 3) for i in range(8)]
    features = [{"length_words": float(len(s))} for s in sentences]
    audited = AuditedSet(gold=gold, segments=[], features=features, detectors=[], model=None, sentences=sentences)
    assert scorer_columns(audited, model)["mtaudit"] == [1.5 * len(s) for s in sentences]
    old_cache = AuditedSet(gold=gold, segments=[], features=features, detectors=[], model=None)
    assert scorer_columns(old_cache, model)["mtaudit"] == [1.0 + 0.5 * f["length_words"] for f in features]
    rows, groups = audited.sentence_rows([2, 5])
    assert groups == [0, 0, 0, 1, 1, 1] and len(rows) == 6
    assert cross_validate(audited, folds=4)["datasets"]["x"]["pooled"]["mtaudit"]


@pytest.mark.parametrize("name, bounds", [
    ("findings_major", (0.0, float("inf"))),
    ("detector_names", (0.0, float("inf"))),
    ("lm_logprob_mean", (float("-inf"), 0.0)),
    ("src_logprob_sum", (float("-inf"), 0.0)),
    ("fluency", (float("-inf"), 0.0)),
    ("log_length", (float("-inf"), float("inf"))),
])
def test_feature_signs(name, bounds):
    assert feature_sign(name) == bounds


def test_constant_features_are_left_out_and_missing_model_scores_are_imputed():
    rows, penalty = synthetic(200)
    for r in rows:
        r["findings_critical"] = 0.0
    model = fit_risk_model(rows, penalty).model
    assert "findings_critical" not in model.weights
    with_fluency = model.risk({"length_words": 10, "detector_names": 0, "fluency": model.impute["fluency"]})
    assert model.risk({"length_words": 10, "detector_names": 0}) == pytest.approx(with_fluency)


def test_eval_json_has_exactly_the_documented_shape(tmp_path):
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--no-model", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) == {"segments", "scorers", "datasets", "detectors"}
    assert data["segments"] == 10
    assert data["datasets"] == {"mqm_small": {"segments": 10, "scorers": data["scorers"]}}
    assert set(data["scorers"]) == {"mtaudit", "length", "random"}
    for figures in data["scorers"].values():
        assert set(figures) == {"tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20"}
    from mtaudit.detectors import DETECTORS

    assert set(DETECTORS) <= set(data["detectors"])
    repetition = data["detectors"]["repetition"]
    assert repetition["on_marked_span"] == 1  # "fly fly" is marked; the fixture's repeated ocean sentence is not
    assert repetition["precision"] == round(1 / repetition["findings"], 4)
    assert "P@20%" in result.output


def test_calibrate_writes_a_model_audit_can_use(tmp_path):
    model_path = tmp_path / "team.json"
    result = runner.invoke(app, ["calibrate", "--mqm", str(FIXTURE), "--no-model", "-o", str(model_path)])
    assert result.exit_code == 0, result.output
    model = RiskModel.load(model_path)
    assert model.name == "team"
    assert model.trained_on["segments"] == 10
    assert [(f["file"], f["segments"], len(f["sha256"])) for f in model.trained_on["files"]] == [
        ("mqm_small.tsv", 10, 64)]
    assert "held out" in result.output and "length" in result.output
    assert "calibrate" in model.description
    article = tmp_path / "story.txt"
    article.write_text("The minister said the the plan would cost 5 million dollars.\n", encoding="utf-8")
    audit = runner.invoke(app, ["audit", str(article), "--no-model", "--risk-model", str(model_path),
                                "--workers", "1", "-q"])
    assert audit.exit_code == 0, audit.output
    evaluated = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--no-model", "--risk-model", str(model_path)])
    assert evaluated.exit_code == 0 and "in-sample" in evaluated.output


@pytest.mark.parametrize("args, message", [
    (["eval", "--mqm", "no/such.tsv", "--no-model"], "cannot read"),
    (["calibrate", "--mqm", str(FIXTURE), "--no-model", "-o", str(FIXTURE)], "would overwrite an input"),
    (["eval", "--mqm", str(FIXTURE), "--no-model", "--detectors", "nonesuch"], "unknown detector nonesuch"),
    (["calibrate", "--mqm", str(FIXTURE), "--model", "no-such-model-anywhere", "-o", "x.json"], "no-such-model"),
])
def test_usage_errors_are_one_line(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_default_model_loads_and_was_calibrated():
    model = RiskModel.load()
    assert [f["file"] for f in model.trained_on["files"]] == ["mqm_ted_zhen.tsv", "wmt21_news_zhen.scores.tsv",
                                                              "wmt23_news_zhen_dev.tsv"]
    assert "calibrate recipe" in model.description and "src_estimator_sum" in model.weights
    assert "rater-scaled penalties" in model.description
    # the previous model, fitted by `mtaudit calibrate` on TED alone, scores what the trained estimator does not cover
    fallback = model.variants["no_estimator"]
    assert fallback.trained_on["file"] == "mqm_ted_zhen.tsv" and "mtaudit calibrate" in fallback.description


@pytest.mark.shared
def test_ted_eval_and_calibration_figures(shared, tmp_path):
    """The TED set end to end without the model: figures exist, random is near 0, length is a real baseline."""
    from mtaudit.pipeline import AuditConfig
    from mtaudit.evaluation.calibrate import cross_validate
    from mtaudit.evaluation.evaluate import evaluate
    from mtaudit.evaluation.features import audit_mqm
    from mtaudit.evaluation.mqm import read_mqm

    audited = audit_mqm(read_mqm(shared / "data" / "mqm" / "mqm_ted_zhen.tsv"), AuditConfig())
    result = evaluate(audited, RiskModel.load())
    assert result["segments"] == 7935
    assert abs(result["scorers"]["random"]["tau"]) < 0.05
    assert result["scorers"]["length"]["tau_doc"] > 0.15
    validation = cross_validate(audited)["datasets"]["mqm_ted_zhen"]
    assert [f["held_out"] for f in validation["folds"]] == ["talk.2", "talk.5", "talk.6", "talk.7", "talk.9"]
    assert sum(f["segments"] for f in validation["folds"]) == 7935
    # held out, the fitted model must at least not be much worse than the length feature it contains
    assert validation["pooled"]["mtaudit"]["tau_doc"] > validation["pooled"]["length"]["tau_doc"] - 0.05


def test_detectors_that_never_fired_get_the_printed_prior():
    from mtaudit.evaluation.calibrate import PRIOR_DETECTOR_WEIGHT

    rows, penalty = synthetic(200)
    fit = fit_risk_model(rows, penalty, detectors=["noise", "credits"])
    assert fit.priors == ["detector_credits"]
    assert fit.model.weights["detector_credits"] == PRIOR_DETECTOR_WEIGHT
    assert fit.model.weights.get("detector_noise", 0.0) == 0.0  # fired, fitted, and found not to help


def test_detectors_with_too_little_support_keep_the_prior():
    from mtaudit.evaluation.calibrate import MIN_SUPPORT, PRIOR_DETECTOR_WEIGHT

    rows, penalty = synthetic(200)
    for i, r in enumerate(rows):
        r["detector_rare"] = 5.0 if i < MIN_SUPPORT - 1 else 0.0
    fit = fit_risk_model(rows, penalty, detectors=["rare"])
    assert "detector_rare" in fit.priors
    assert fit.model.weights["detector_rare"] == PRIOR_DETECTOR_WEIGHT


def test_systems_option_restricts_the_evaluated_segments(tmp_path):
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--no-model", "--systems", "sysA", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert 0 < json.loads(out.read_text())["segments"] < 10
    bad = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--no-model", "--systems", "nope"])
    assert bad.exit_code == 2 and "no system nope" in bad.output


def test_risk_model_scores_each_sentence_with_the_variant_of_its_signals():
    from mtaudit.risk import RiskModel

    model = RiskModel.from_dict({
        "weights": {"lm_logprob_sum": -1.0, "src_logprob_sum": -1.0, "length_words": 0.1}, "bias": 0.0,
        "variants": {"no_source": {"weights": {"lm_logprob_sum": -0.5, "length_words": 0.2}},
                     "no_target": {"weights": {"src_logprob_sum": -0.4, "length_words": 0.5}},
                     "no_model": {"weights": {"length_words": 0.3}}}})
    full = {"lm_logprob_mean": -2, "lm_logprob_sum": -10, "src_logprob_mean": -1, "src_logprob_sum": -5,
            "length_words": 10}
    assert model.risk(full) == pytest.approx(10 + 5 + 1)
    no_source = {k: v for k, v in full.items() if not k.startswith("src_")}
    assert model.risk(no_source) == pytest.approx(5 + 2)
    # `audit --fast`: the source-conditioned pass alone
    no_target = {k: v for k, v in full.items() if not k.startswith("lm_")}
    assert model.risk(no_target) == pytest.approx(2 + 5)
    assert model.risk({"length_words": 10}) == pytest.approx(3)
    again = RiskModel.from_dict(model.to_dict())
    assert again.risk({"length_words": 10}) == pytest.approx(3)


def test_shipped_risk_model_scores_a_fast_run_with_its_own_variant():
    from mtaudit.risk import VARIANT_DROPS, RiskModel

    model = RiskModel.for_pair("zh", "en")
    assert set(VARIANT_DROPS) <= set(model.variants)
    fast = model.variants["no_target"]
    assert fast.weights and not any(name.startswith(VARIANT_DROPS["no_target"]) for name in fast.weights)
    assert any(name.startswith("src_logprob") for name in fast.weights)


def test_features_cache_is_reused_only_for_the_same_audit(tmp_path):
    cache = tmp_path / "features.json"
    first = tmp_path / "first.json"
    args = ["eval", "--mqm", str(FIXTURE), "--no-model", "--features-cache", str(cache)]
    result = runner.invoke(app, args + ["--json", str(first)])
    assert result.exit_code == 0, result.output
    [stored] = json.loads(cache.read_text())["entries"]
    assert len(stored["gold"]) == len(stored["features"]) == len(stored["findings"]) == 10
    assert stored["key"]["model"] is None and len(stored["key"]["code"]) == 64
    # the second run reads the cache (and says so) and measures exactly the same figures, detector table included
    second = tmp_path / "second.json"
    again = runner.invoke(app, args + ["--json", str(second)])
    assert again.exit_code == 0 and "features read from" in again.output
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    calibrated = runner.invoke(app, ["calibrate", "--mqm", str(FIXTURE), "--no-model", "--features-cache", str(cache),
                                     "-o", str(tmp_path / "m.json")])
    assert calibrated.exit_code == 0 and "features read from" in calibrated.output
    # another audit (fewer systems, other detectors) or a damaged file re-audits and replaces the cache
    for extra in (["--systems", "sysA"], ["--detectors", "repetition"]):
        other = runner.invoke(app, args + extra)
        assert other.exit_code == 0 and "features read from" not in other.output
    cache.write_text("{not json", encoding="utf-8")
    repaired = runner.invoke(app, args)
    assert repaired.exit_code == 0 and "features read from" not in repaired.output
    [entry] = json.loads(cache.read_text())["entries"]
    assert entry["key"]["detectors"]
    refused = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--no-model", "--features-cache", str(FIXTURE)])
    assert refused.exit_code == 2 and "would overwrite an input" in refused.output


def test_every_audit_a_features_cache_holds_reads_back_whatever_its_key(tmp_path):
    """``load_cached_sets`` (research scripts read caches other runs made): every readable entry, in file order, equal
    to what ``load_audited`` gives for its key; a malformed entry is left out."""
    from mtaudit.evaluation.features import load_audited, load_cached_sets

    cache = tmp_path / "features.json"
    result = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--no-model", "--features-cache", str(cache)])
    assert result.exit_code == 0, result.output
    payload = json.loads(cache.read_text())
    [entry] = payload["entries"]
    broken = dict(entry, key=dict(entry["key"], mqm_sha256="other"), gold="not a list of segments")
    other = dict(entry, key=dict(entry["key"], mqm_sha256="another"))
    cache.write_text(json.dumps(dict(payload, entries=[entry, broken, other])), encoding="utf-8")
    sets = load_cached_sets(cache)
    assert len(sets) == 2 and len(sets[0].gold) == len(sets[0].features) == len(sets[1].gold)
    assert sets[0] == load_audited(cache, entry["key"]) and sets[0].gold == sets[1].gold
    assert load_audited(cache, broken["key"]) is None


SCORES = FIXTURES_DIR / "news_small_zhen.scores.tsv"


def test_several_mqm_files_combine_and_each_is_held_out_by_document(tmp_path):
    """Error rows and segment scores in one calibration: each file's documents are held out in turn while the
    other file always trains; figures, the cache and the model's provenance are per file."""
    cache = tmp_path / "features.json"
    out = tmp_path / "both.json"
    args = ["calibrate", "--mqm", str(FIXTURE), "--mqm", str(SCORES), "--no-model", "--features-cache", str(cache),
            "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "mqm_small: held out" in result.output and "news_small_zhen.scores: held out" in result.output
    model = RiskModel.load(out)
    assert [f["file"] for f in model.trained_on["files"]] == ["mqm_small.tsv", "news_small_zhen.scores.tsv"]
    assert model.trained_on["segments"] == 10 + 18
    assert set(model.trained_on["held_out"]) == {"mqm_small", "news_small_zhen.scores"}
    assert len(json.loads(cache.read_text())["entries"]) == 2
    # a second run reads both files' features back
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and again.output.count("features read from") == 2
    # eval reports each file alone, and the segment-score file's figures match a run on it alone
    both = tmp_path / "both-eval.json"
    alone = tmp_path / "alone-eval.json"
    mixed = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--mqm", str(SCORES), "--no-model",
                                "--json", str(both)], env={"COLUMNS": "200"})
    assert mixed.exit_code == 0 and "findings on human-marked error spans" in mixed.output
    scores_only = runner.invoke(app, ["eval", "--mqm", str(SCORES), "--no-model", "--json", str(alone)],
                                env={"COLUMNS": "200"})
    assert scores_only.exit_code == 0
    both, alone = json.loads(both.read_text()), json.loads(alone.read_text())
    assert both["segments"] == 28
    # no spans are marked in a segment-score file: its findings are not counted as misses, and the table of them,
    # all zeros, is replaced by a line that says why
    assert all(d["findings"] == 0 for d in alone["detectors"].values())
    assert "findings on human-marked error spans" not in scores_only.output
    assert "no detector table: these MQM files give a score per segment" in scores_only.output
    for scorer in ("mtaudit", "length"):  # random draws over all segments, so it differs
        assert (both["datasets"]["news_small_zhen.scores"]["scorers"][scorer]
                == alone["datasets"]["news_small_zhen.scores"]["scorers"][scorer])


def test_document_folds_hold_out_each_files_documents_and_never_mix_them():
    from mtaudit.evaluation.calibrate import document_folds
    from mtaudit.evaluation.mqm import GoldSegment

    def gold(dataset, doc, seg):
        return GoldSegment(system="s", doc=doc, seg_id=seg, source="", target="t", line=1, dataset=dataset)

    golds = [gold("ted", "talk.1", "1"), gold("ted", "talk.2", "1")]
    golds += [gold("news", f"news.{d}", str(d)) for d in range(1, 8)]
    golds += [gold("single", "only", "1")]
    plan = document_folds(golds, folds=3)
    assert [(d, label) for d, label, _ in plan] == [
        ("ted", "talk.1"), ("ted", "talk.2"),
        ("news", "news.1 +2 docs"), ("news", "news.2 +1 docs"), ("news", "news.3 +1 docs")]
    held = sorted(i for _, _, index in plan for i in index)
    assert held == list(range(9))  # every segment of a file with 2+ documents held out once; "single" only trains
    for dataset, _, index in plan:
        assert {golds[i].dataset for i in index} == {dataset}


def test_systems_may_name_a_system_of_any_given_file():
    ok = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--mqm", str(SCORES), "--no-model", "--systems",
                             "sysA,ref-A", "-q"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["eval", "--mqm", str(FIXTURE), "--mqm", str(SCORES), "--no-model", "--systems", "zzz"])
    assert bad.exit_code == 2 and "no system zzz" in bad.output


def test_rater_scales_put_each_rater_on_its_files_scale_and_leave_score_files_alone():
    from mtaudit.evaluation.calibrate import RATER_PSEUDO_JUDGEMENTS, fit_targets, rater_scales_within_files
    from mtaudit.evaluation.mqm import GoldSegment

    def gold(dataset, seg, penalties, spans=True):
        return GoldSegment(system="s", doc="d", seg_id=str(seg), source="", target="t", line=1, dataset=dataset,
                           rater_penalty=dict(penalties), marks_spans=spans)

    # file "ted": a harsh rater (mean 6) and a mild one (mean 1), 200 judgements each; the file's mean is 3.5
    golds = [gold("ted", i, {"harsh": 6.0}) for i in range(200)] + [gold("ted", 200 + i, {"mild": 1.0})
                                                                    for i in range(200)]
    golds.append(gold("scores", 0, {"mean": 9.0}, spans=False))  # a segment-score file: one mean, never scaled
    golds.append(gold("other", 0, {"harsh": 2.0}))  # the same rater name in another file is another person
    every = list(range(len(golds)))
    scales = rater_scales_within_files(golds, every)
    n, p = 200, RATER_PSEUDO_JUDGEMENTS
    harsh, mild = 3.5 * (n + p) / (6.0 * n + p * 3.5), 3.5 * (n + p) / (1.0 * n + p * 3.5)  # smoothed
    back = 3.5 * 2 * n / (6.0 * n * harsh + 1.0 * n * mild)  # one factor for the file: its mean stays 3.5
    assert scales["ted", "harsh"] == pytest.approx(harsh * back)
    assert scales["ted", "mild"] == pytest.approx(mild * back)
    assert scales["other", "harsh"] == pytest.approx(1.0)  # alone in its file: already at its level
    assert ("scores", "mean") not in scales
    target = fit_targets(golds, every, scales)
    assert target[0] == pytest.approx(6.0 * scales["ted", "harsh"]) and target[0] < 4.0
    assert target[200] == pytest.approx(1.0 * scales["ted", "mild"]) and target[200] > 2.0
    assert np.mean(target[:400]) == pytest.approx(3.5)  # the file's mean stays where it was
    assert target[400] == 9.0 and fit_targets(golds, every) == [g.penalty for g in golds]
    # scales come from the training segments only: a rater unseen there is not scaled
    assert rater_scales_within_files(golds, list(range(200))).get(("ted", "mild")) is None


def test_calibrate_can_fit_rater_scaled_penalties(tmp_path):
    plain, scaled = tmp_path / "plain.json", tmp_path / "scaled.json"
    for path, flag in ((plain, "--raw-penalties"), (scaled, "--scale-raters")):
        result = runner.invoke(app, ["calibrate", "--mqm", str(FIXTURE), "--no-model", "-o", str(path), flag])
        assert result.exit_code == 0, result.output
    assert "rater's scale within its file" in RiskModel.load(scaled).description
    assert "rater's scale" not in RiskModel.load(plain).description


def test_the_within_item_term_learns_what_orders_translations_of_one_source():
    from mtaudit.evaluation.calibrate import within_items
    from mtaudit.evaluation.mqm import GoldSegment

    # 100 sources x 4 translations, each source judged by one of two raters; the penalty is mostly the rater's
    # severity (harsh: 8, mild: 0) plus 0.3 x a translation's "bad" score; the harsh rater happened to get the
    # sources whose translations score higher on "bad" and whose "hard" is higher, so across sources "bad" looks like
    # severity
    rng = np.random.default_rng(7)
    rows, penalty, golds = [], [], []
    for item in range(100):
        harsh = item % 2 == 0
        hard = float(harsh) + rng.normal(0, 0.1)
        for system in range(4):
            bad = float(rng.normal()) + (1.5 if harsh else 0.0)
            rows.append({"hard": hard, "bad": bad})
            value = max(0.0, (8.0 if harsh else 0.0) + 0.3 * bad + 1.0)
            penalty.append(value)
            golds.append(GoldSegment(system=f"s{system}", doc="d", seg_id=str(item), source="", target="t", line=1,
                                     dataset="f", rater_penalty={"harsh" if harsh else "mild": value}))
    groups = within_items(golds, list(range(len(golds))))
    assert len(groups) == 100 and all(len(g) == 4 for g in groups)
    plain = fit_risk_model(rows, penalty, alpha=50.0).model
    within = fit_risk_model(rows, penalty, alpha=50.0, within=groups, within_weight=25.0).model
    # across sources the rater's severity leaks into "bad"; inside a source severity is constant and "bad" is all
    assert plain.weights["bad"] > 0.6
    assert within.weights["bad"] == pytest.approx(0.3, abs=0.1)


def test_the_reverse_variant_scores_only_a_full_run_with_the_reverse_pass():
    from mtaudit.risk import RiskModel, signals_variant

    model = RiskModel.from_dict({
        "weights": {"length_words": 0.1, "src_logprob_mean": -1.0, "lm_logprob_mean": -1.0, "src_estimator_sum": 1.0},
        "variants": {"reverse": {"weights": {"length_words": 0.1, "rev_pmi_mean": -2.0}, "bias": 10.0},
                     "no_target": {"weights": {"length_words": 0.2}}}})
    full = {"length_words": 10.0, "src_logprob_mean": -2.0, "lm_logprob_mean": -3.0, "src_estimator_sum": 1.0}
    assert signals_variant(full) is None and model.risk(full) == pytest.approx(1 + 2 + 3 + 1)
    reverse = dict(full, rev_logprob_mean=-1.5, rev_pmi_mean=2.0)
    assert signals_variant(reverse) == "reverse" and model.risk(reverse) == pytest.approx(10 + 1 - 4)
    # with --fast, or under a model without the variant, the reverse pass's signals weigh nothing
    fast = {k: v for k, v in reverse.items() if not k.startswith("lm_")}
    assert model.risk(fast) == pytest.approx(2)
    plain = RiskModel.from_dict({"weights": dict(model.weights)})
    assert plain.risk(reverse) == plain.risk(full)


def test_the_shipped_zh_en_model_has_a_reverse_variant_that_weighs_the_reverse_pass():
    from mtaudit.risk import RiskModel

    model = RiskModel.for_pair("zh", "en")
    reverse = model.variants["reverse"]
    assert any(name.startswith("rev_") for name in reverse.weights)
    assert all(reverse.weights[n] <= 0 for n in reverse.weights if n.startswith("rev_"))
    assert not any(name.startswith("rev_") for name in model.weights)
    assert not any(name.startswith("rev_") for v in model.variants.values() if v is not reverse for name in v.weights)


def test_calibrate_fits_the_reverse_pass_into_its_own_variant_only(tmp_path):
    from mtaudit.evaluation.calibrate import calibrate
    from mtaudit.evaluation.features import AuditedSet
    from mtaudit.evaluation.mqm import GoldSegment

    rng = np.random.default_rng(0)
    gold, features = [], []
    for d in range(6):
        for s in range(5):
            for system in ("a", "b", "c"):
                rev = rng.normal(-2, 0.5)
                lm = rng.normal(-3, 0.5)
                penalty = max(0.0, 2 - 2 * (rev + 2) - (lm + 3) + rng.normal(0, 0.2))
                gold.append(GoldSegment(system=system, doc=f"d{d}", seg_id=str(s), source="x", target="w " * 8,
                                        line=1, rater_penalty={"r": penalty}, dataset="f"))
                features.append({"length_words": 8.0, "findings_minor": 0.0, "lm_logprob_mean": lm,
                                 "src_logprob_mean": lm + 0.5, "src_estimator_sum": rng.normal(1, 0.3),
                                 "rev_logprob_mean": rev, "rev_pmi_mean": rev + 3})
    audited = AuditedSet(gold=gold, segments=[], features=features, detectors=[], model="m")
    mqm = tmp_path / "f.tsv"
    mqm.write_text("(the judgements these rows stand for)\n", encoding="utf-8")
    fit, validation = calibrate(audited, [str(mqm)], "test")
    assert not any(n.startswith("rev_") for n in fit.model.weights)
    for name, variant in fit.model.variants.items():
        assert any(n.startswith("rev_") for n in variant.weights) == (name == "reverse"), name
    assert "reverse" in validation["variants"]
    # the variant is the better fit of these penalties, held out
    main = validation["datasets"]["f"]["pooled"]["mtaudit"]["tau"]
    assert validation["variants"]["reverse"]["f"]["mtaudit"]["tau"] > main


def test_the_features_cache_keeps_a_run_with_the_reverse_pass_apart():
    from mtaudit.evaluation.features import cache_key
    from mtaudit.pipeline import AuditConfig

    plain, reverse = (cache_key("0" * 64, None, AuditConfig(model="m", adequacy=a)) for a in (False, True))
    assert plain != reverse and "adequacy" not in plain and reverse["adequacy"] is True
    # calibrate's run, the pass on every document, is another audit again
    everywhere = cache_key("0" * 64, None, AuditConfig(model="m", adequacy=True, reverse_everywhere=True))
    assert everywhere["adequacy"] == "everywhere"
