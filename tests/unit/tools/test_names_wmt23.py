"""tools/names_wmt23.py: which spans count as name errors, and the measurement on the real WMT23 file."""
from __future__ import annotations

import json

import pytest

from mtaudit.evaluation.mqm import read_mqm
from tools.names_wmt23 import agreed_errors, main, name_errors, overlaps

HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"
SOURCE = "韩国总统文在寅周三在首尔会见了中国外长王毅。"
TARGET = "South Korean President Wen Zaiyin met Chinese Foreign Minister Wang Yi in Seoul on Wednesday."

CLAUSE_SOURCE = "如今，欧盟的核心问题在于，最终能被遣返的非法移民人数很少。"
CLAUSE = "Today the problem at the heart of the EU is that few illegal migrants can be deported."


def _row(seg: str, rater: str, marked: str, category: str, severity: str = "Major", source: str = SOURCE) -> str:
    return f"sys\tnews_a\t1\t{seg}\t{rater}\t{source}\t{marked}\t{category}\t{severity}\n"


def _mark(text: str, *words: str) -> str:
    for word in words:
        text = text.replace(word, f"<v>{word}</v>", 1)
    return text


ROWS = [
    # 1: two raters overlap on the garbled Korean name (one marks the surname only): one error
    _row("1", "r1", _mark(TARGET, "Wen"), "Accuracy/Mistranslation"),
    _row("1", "r2", _mark(TARGET, "Wen Zaiyin"), "Locale convention/Name format", "Minor"),
    _row("1", "r3", _mark(TARGET, "Wang Yi"), "Accuracy/Mistranslation"),  # alone: not agreed
    # 2: two raters, but as style: not a name category
    _row("2", "r1", _mark(TARGET, "Wen Zaiyin"), "Style/Unnatural or awkward", "Minor"),
    _row("2", "r2", _mark(TARGET, "Wen Zaiyin"), "Style/Unnatural or awkward", "Minor"),
    _row("2", "r3", TARGET, "No-error", "No-error"),
    # 3: one rater's long span over two short ones that two other raters marked: two errors
    _row("3", "r1", _mark(TARGET, "Wen Zaiyin met Chinese Foreign Minister Wang Yi"), "Accuracy/Mistranslation"),
    _row("3", "r2", _mark(TARGET, "Wen Zaiyin"), "Terminology/Inappropriate for context", "Minor"),
    _row("3", "r3", _mark(TARGET, "Wang Yi"), "Fluency/Inconsistency", "Minor"),
    # 4: two raters agree on a lower-case clause around a name: agreed, but not a name error
    _row("4", "r1", _mark(CLAUSE, "the problem at the heart of the EU is that few"), "Accuracy/Mistranslation",
         source=CLAUSE_SOURCE),
    _row("4", "r2", _mark(CLAUSE, "problem at the heart of the EU"), "Accuracy/Mistranslation", source=CLAUSE_SOURCE),
]


@pytest.fixture
def gold(tmp_path):
    path = tmp_path / "tiny_zhen.tsv"
    path.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    return {g.seg_id: g for g in read_mqm(path).segments}


def _texts(gold, errors):
    return [(gold.target[e.start:e.end], gold.target[e.extent[0]:e.extent[1]]) for e in errors]


def test_two_raters_overlapping_spans_are_one_error_cored_on_what_both_marked(gold):
    g = gold["1"]
    assert _texts(g, name_errors(g)) == [("Wen", "Wen Zaiyin")]
    assert name_errors(g)[0].raters == ["r1", "r2"]


def test_a_category_outside_the_name_categories_does_not_count(gold):
    assert name_errors(gold["2"]) == []


def test_a_long_span_over_two_short_ones_gives_two_errors(gold):
    g = gold["3"]
    cores = [core for core, _ in _texts(g, name_errors(g))]
    assert cores == ["Wen Zaiyin", "Wang Yi"]


def test_an_agreed_clause_that_only_holds_a_name_is_not_a_name_error(gold):
    g = gold["4"]
    assert len(agreed_errors(g)) == 1
    assert name_errors(g) == []


@pytest.mark.parametrize("finding, span, hit", [
    ((0, 3), (2, 5), True), ((0, 3), (3, 5), False), ((3, 3), (3, 3), True), ((1, 4), (4, 4), True),
    ((5, 9), (4, 4), False),
])
def test_overlap(finding, span, hit):
    assert overlaps(finding, span) is hit


@pytest.mark.shared
def test_the_real_wmt23_file_yields_hundreds_of_name_errors_and_scores_them(shared, tmp_path, capsys):
    mqm = shared / "data" / "mqm" / "wmt23_news_zhen_dev.tsv"
    out = tmp_path / "names.json"
    assert main(["--mqm", str(mqm), "--out", str(out), "--quiet"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    totals = result["totals"]
    assert totals["errors"] > 300 and 0 <= totals["caught"] <= totals["errors"]
    assert len(result["per_article"]) == 19
    assert len(result["missed"]) == totals["errors"] - totals["caught"]
    assert json.loads(capsys.readouterr().out)["errors"] == totals["errors"]


def test_unseen_rows_takes_the_files_entities_out_of_the_curated_tables(monkeypatch):
    from mtaudit.detectors import names_src
    from mtaudit.detectors.namelib import entities, established, zh_lexicon
    from tools.names_wmt23 import drop_rows_seen_in

    for module in (entities, established, names_src):  # restored after the test
        monkeypatch.setattr(module, "curated", module.curated)
    assert zh_lexicon.lexicon().get("中新网").forms[0] == "China News Service"
    try:
        assert drop_rows_seen_in(["据中新网报道，证监会发布新规。"]) == 2
        assert "中新网" not in entities.curated() and "新华社" in entities.curated()
        assert zh_lexicon.lexicon().get("中新网").forms[0] == "ChinaNews"  # CC-CEDICT's entry again
    finally:
        monkeypatch.undo()
        zh_lexicon.lexicon.cache_clear()
        zh_lexicon.keys_by_form.cache_clear()
        established.bodies_by_form.cache_clear()
    assert zh_lexicon.lexicon().get("中新网").forms[0] == "China News Service"
