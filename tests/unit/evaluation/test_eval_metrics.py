"""Rank statistics and the segment feature rows they are computed from."""
import math

import pytest

from mtaudit.core.document import Finding, Segment, Sentence, Severity
from mtaudit.evaluation.features import segment_features
from mtaudit.evaluation.ranking import grouped_tau, kendall_tau, pearson, precision_at, ranking_figures, rater_item_tau


@pytest.mark.parametrize("scores, gold, tau", [
    ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
    ([4, 3, 2, 1], [10, 20, 30, 40], -1.0),
    ([1, 2, 3], [1, 1, 1], None),  # gold constant: undefined
    ([5, 5, 5], [1, 2, 3], None),
    ([1], [1], None),
])
def test_kendall_tau_edges(scores, gold, tau):
    assert kendall_tau(scores, gold) == (None if tau is None else pytest.approx(tau))


def test_kendall_tau_b_with_ties_matches_hand_count():
    # pairs: (1,2) concordant, (1,3) concordant, (2,3) tied in scores only -> tau-b = 2 / sqrt(3 * 2)
    assert kendall_tau([0, 1, 1], [0, 1, 2]) == pytest.approx(2 / math.sqrt(6))


def test_grouped_tau_skips_uninformative_groups_and_charges_constant_scorers():
    groups = ["a", "a", "a", "b", "b", "c", "c"]
    gold = [1, 2, 3, 4, 4, 1, 2]  # group b has equal gold: skipped
    scores = [1, 2, 3, 9, 1, 7, 7]  # group c: the scorer gives one value -> counts 0
    assert grouped_tau(scores, gold, groups) == pytest.approx((1.0 + 0.0) / 2)
    assert grouped_tau([1, 1], [1, 1], ["x", "x"]) is None


def test_precision_at_breaks_ties_in_expectation():
    # 10 items, top 2: one item clearly first (positive), then four tied at 0.5 of which two are positive
    scores = [0.9, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0]
    positive = [True, True, False, True, False, False, False, False, False, False]
    assert precision_at(scores, positive, 0.2) == pytest.approx((1 + 0.5) / 2)
    assert precision_at([1, 1, 1, 1, 1], [True, False, False, False, False], 0.2) == pytest.approx(0.2)
    assert precision_at([], [], 0.2) is None


def test_pearson_and_figures_keys():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 1, 1], [2, 4, 6]) is None
    figures = ranking_figures([1, 2, 3, 4], [0, 1, 5, 6], [False, False, True, True], ["d"] * 4, ["i", "i", "j", "j"])
    assert set(figures) == {"tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20"}
    assert figures["tau"] == 1.0 and figures["p_at_20"] == 1.0


def test_tau_item_rater_keeps_same_rater_pairs_only():
    # One source, four translations split over a harsh rater (a) and a mild one (b), one rater per segment. The
    # mean penalty orders the harsh rater's pair above the mild one's whatever the translations; within each rater
    # the scorer agrees with that rater's order exactly.
    raters = [{"a": 5.0}, {"a": 10.0}, {"b": 0.0}, {"b": 1.0}]
    penalty = [5.0, 10.0, 0.0, 1.0]
    items = ["s"] * 4
    scores = [1, 2, 3, 4]  # right within each rater, wrong across them
    assert rater_item_tau(scores, raters, items) == pytest.approx(1.0)
    assert grouped_tau(scores, penalty, items) < 0.5
    # invariant to a rater's severity: rescaling rater a changes nothing
    assert rater_item_tau(scores, [{"a": 0.5}, {"a": 1.0}, {"b": 0.0}, {"b": 1.0}], items) == pytest.approx(1.0)
    # three raters on every translation: each rater's own order, averaged; a rater who marked nothing says nothing
    raters = [{"a": 0.0, "b": 1.0, "c": 0.0}, {"a": 5.0, "b": 0.0, "c": 0.0}]
    assert rater_item_tau([1, 2], raters, ["s", "s"]) == pytest.approx((1.0 - 1.0) / 2)
    figures = ranking_figures(scores, penalty, [False] * 4, ["d"] * 4, items, [{}] * 4)
    assert figures["tau_item_rater"] is None and figures["tau_item"] is not None
    assert ranking_figures(scores, penalty, [False] * 4, ["d"] * 4, items)["tau_item_rater"] is None


def _segment(target: str, spans, per_sentence) -> Segment:
    segment = Segment(id="1", target=target)
    for i, ((start, end), extra) in enumerate(zip(spans, per_sentence)):
        sentence = Sentence(segment=segment, index=i, start=start, end=end)
        sentence.findings = extra.get("findings", [])
        sentence.scores = extra.get("scores", {})
        sentence.fluency = extra.get("fluency")
        segment.sentences.append(sentence)
    return segment


def test_segment_features_sum_counts_and_weight_means_by_tokens():
    target = "The council met on Monday. It approve the the budget."
    minor = Finding("repetition", "Fluency/Repetition", Severity.MINOR, 11, 14, "word repeated", confidence=0.8)
    major = Finding("numbers", "Accuracy/Mistranslation", Severity.MAJOR, 0, 2, "number changed")
    segment = _segment(target, [(0, 26), (27, len(target))], [
        {"scores": {"lm_logprob_mean": -2.0, "lm_logprob_sum": -12.0, "lm_tokens": 6.0, "src_norm_pmi_sum": 8.0,
                    "src_norm_pmi_words": 4.0, "src_norm_pmi_mean": 2.0}, "fluency": 0.9},
        {"findings": [minor, major],
         "scores": {"lm_logprob_mean": -4.0, "lm_logprob_sum": -24.0, "lm_tokens": 6.0, "src_norm_pmi_sum": -2.0,
                    "src_norm_pmi_words": 1.0, "src_norm_pmi_mean": -2.0}, "fluency": 0.5},
    ])
    feats = segment_features(segment)
    assert feats["length_words"] == 10
    assert feats["log_length"] == pytest.approx(math.log1p(10))
    assert feats["findings_minor"] == pytest.approx(0.8)
    assert feats["findings_major"] == pytest.approx(1.0)
    assert feats["detector_repetition"] == pytest.approx(0.8)
    assert feats["detector_numbers"] == pytest.approx(5.0)
    assert feats["lm_logprob_sum"] == -36.0 and feats["lm_tokens"] == 12.0
    assert feats["lm_logprob_mean"] == pytest.approx(-3.0)
    # a mean over words (``X_words`` beside ``X_sum``) is weighted by words
    assert feats["src_norm_pmi_sum"] == 6.0 and feats["src_norm_pmi_words"] == 5.0
    assert feats["src_norm_pmi_mean"] == pytest.approx(1.2)
    assert feats["fluency"] == pytest.approx(0.7)


def test_one_sentence_segment_keeps_its_sentence_features():
    from mtaudit.risk import sentence_features

    target = "Prices rose by 5 per cent in March."
    segment = _segment(target, [(0, len(target))], [{"scores": {"lm_logprob_mean": -3.1}, "fluency": 0.4}])
    segment.source = "三月份价格上涨了百分之五。"
    assert segment_features(segment) == pytest.approx(sentence_features(segment.sentences[0]))


def test_source_length_ratio_only_with_a_source():
    from mtaudit.risk import sentence_features

    target = "Prices rose."
    plain = _segment(target, [(0, len(target))], [{}])
    assert "src_log_length_ratio" not in sentence_features(plain.sentences[0])
    plain.source = "价格上涨了。"
    assert sentence_features(plain.sentences[0])["src_log_length_ratio"] == pytest.approx(math.log(12 / 7))


def test_extreme_scores_keep_the_segment_extreme():
    target = "It rained. The match went ahead."
    segment = _segment(target, [(0, 10), (11, len(target))], [
        {"scores": {"lm_word_z_max": 1.5}}, {"scores": {"lm_word_z_max": 4.0}}])
    assert segment_features(segment)["lm_word_z_max"] == 4.0
