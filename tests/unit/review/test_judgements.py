"""The judgements a reviewer marks in the HTML report read back from their MQM export without loss: every row keeps
its rater, category, severity and span, including the severities Google's campaigns did not use (issue 31)."""
from __future__ import annotations

import pytest

from mtaudit.core.document import Category, Severity
from mtaudit.evaluation import mqm
from mtaudit.evaluation.mqm import Judgement, read_mqm, row_penalty
from mtaudit.review.judgements import CATEGORIES, COLUMNS, NO_ERROR, NON_TRANSLATION, SEVERITIES, review_typology

HEADER = "\t".join(COLUMNS) + "\n"


def test_the_export_columns_are_the_ones_the_reader_needs():
    assert COLUMNS == mqm.COLUMNS


def test_the_typology_offers_every_category_the_detectors_report():
    detector_categories = {v for k, v in vars(Category).items() if k.isupper()}
    assert detector_categories <= set(CATEGORIES)
    assert len(set(CATEGORIES)) == len(CATEGORIES)
    assert review_typology()["cats"] == list(CATEGORIES)


@pytest.mark.parametrize("severity", SEVERITIES)
def test_every_severity_the_report_offers_is_weighted_as_mtaudit_weighs_it(severity):
    assert row_penalty("Fluency/Grammar", severity) == Severity(severity.lower()).weight
    assert row_penalty(NON_TRANSLATION, "Major") == 25.0


def test_every_row_of_an_export_reads_back_with_its_rater_category_severity_and_span(tmp_path):
    text = "The unions welcomed the plan."
    rows = [
        ("-", "news/a.txt", "1", "1", "Ana", "Die Gewerkschaften begrüßten den Plan.",
         "<v>The unions</v> welcomed the plan.", "Accuracy/Mistranslation", "Major"),
        ("-", "news/a.txt", "1", "1", "Ana", "Die Gewerkschaften begrüßten den Plan.",
         "The unions welcomed the plan<v></v>.", "Accuracy/Omission", "Minor"),
        ("-", "news/a.txt", "1", "1", "Ben", "Die Gewerkschaften begrüßten den Plan.",
         "<v>The unions welcomed the plan.</v>", "Style/Unnatural or awkward", "Critical"),
        ("-", "news/a.txt", "1", "2", "Ana", "", "It was signed.", NO_ERROR, NO_ERROR),
    ]
    path = tmp_path / "team-review.tsv"
    path.write_text(HEADER + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    gold = read_mqm(path)
    assert gold.unweighted == {}
    first, second = gold.segments
    assert first.target == text and second.target == "It was signed."
    assert first.judgements == [
        Judgement("Ana", "Accuracy/Mistranslation", "Major", (0, 10)),
        Judgement("Ana", "Accuracy/Omission", "Minor", (28, 28)),
        Judgement("Ben", "Style/Unnatural or awkward", "Critical", (0, len(text))),
    ]
    assert first.rater_penalty == {"Ana": 6.0, "Ben": 10.0} and first.has_major
    assert second.judgements == [Judgement("Ana", NO_ERROR, NO_ERROR, None)]
    assert second.penalty == 0.0
