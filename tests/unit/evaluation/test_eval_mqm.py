"""Reading Google's MQM TSV: penalties, spans, grouping, and errors that name the line."""
from pathlib import Path

import pytest
from helpers import FIXTURES_DIR

from mtaudit.core.errors import InputError
from mtaudit.evaluation.mqm import read_mqm, row_penalty, strip_spans

FIXTURE = FIXTURES_DIR / "mqm_small.tsv"
HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"


@pytest.mark.parametrize("category, severity, weight", [
    ("Accuracy/Mistranslation", "Major", 5.0),
    ("Fluency/Grammar", "Minor", 1.0),
    ("Fluency/Punctuation", "Minor", 0.1),
    ("Fluency/Punctuation", "Major", 5.0),
    ("Non-translation!", "Major", 25.0),
    ("Non-translation", "Minor", 25.0),
    ("No-error", "No-error", 0.0),
    ("Style/Awkward", "Neutral", 0.0),
    ("Source error", "Minor", 1.0),  # Google's scoring script weighs source errors by severity too
])
def test_row_penalty_follows_google_weighting(category, severity, weight):
    assert row_penalty(category, severity) == weight


@pytest.mark.parametrize("marked, plain, spans", [
    ("The <v>cat</v> sat.", "The cat sat.", [(4, 7)]),
    ("<v>Th</v>e cat <v>sat</v>.", "The cat sat.", [(0, 2), (8, 11)]),
    ("No marks here.", "No marks here.", []),
    ("Unclosed <v>to the end", "Unclosed to the end", [(9, 19)]),
    ('She said "<v>yes</v>".', 'She said "yes".', [(10, 13)]),
    ("Empty <v></v>span", "Empty span", [(6, 6)]),
])
def test_strip_spans_gives_plain_offsets(marked, plain, spans):
    text, found = strip_spans(marked)
    assert text == plain
    assert found == spans


def gold_by_key(mqm):
    return {(g.system, g.doc, g.seg_id): g for g in mqm.segments}


def test_fixture_penalties_majors_and_spans():
    mqm = read_mqm(FIXTURE)
    assert mqm.rows == 14
    gold = gold_by_key(mqm)
    assert len(gold) == 10
    expected = {
        ("sysA", "talk.1", "1"): (0.0, False),
        ("sysA", "talk.1", "2"): (5.1, True),
        ("sysA", "talk.1", "3"): (0.5, False),  # two raters: 1 and 0
        ("sysB", "talk.1", "1"): (5.0, True),
        ("sysB", "talk.1", "3"): (5.0, True),
        ("sysB", "talk.2", "1"): (25.0, True),
        ("sysB", "talk.2", "2"): (3.0, False),
    }
    for key, (penalty, major) in expected.items():
        assert gold[key].penalty == pytest.approx(penalty), key
        assert gold[key].has_major is major, key
    seg = gold[("sysA", "talk.1", "2")]
    assert [seg.target[s:e] for s, e in seg.spans] == ["seventy", "."]
    seg = gold[("sysB", "talk.2", "2")]
    assert [seg.target[s:e] for s, e in seg.spans] == ["fly fly", "in every days"]


def test_quotes_are_text_and_source_marks_are_removed():
    gold = gold_by_key(read_mqm(FIXTURE))
    assert gold[("sysA", "talk.1", "3")].target == 'He said: "we must to act."'
    omission = gold[("sysB", "talk.1", "3")]
    assert omission.source == "他说：“我们必须行动。”"
    assert omission.spans == []  # an omission marks the source, not the target


def test_documents_group_system_and_doc_in_order():
    pairs = read_mqm(FIXTURE).documents()
    assert [d.path for d, _ in pairs] == ["sysA/talk.1", "sysB/talk.1", "sysA/talk.2", "sysB/talk.2"]
    doc, golds = pairs[0]
    assert [s.id for s in doc.segments] == ["1", "2", "3"]
    assert all(s.source for s in doc.segments)
    assert [s.target for s in doc.segments] == [g.target for g in golds]
    items = {g.item for _, gs in pairs for g in gs}
    assert ("mqm_small", "talk.1", "2") in items and len(items) == 5


def test_segments_sorted_numerically(tmp_path):
    path = tmp_path / "m.tsv"
    path.write_text(HEADER + "".join(
        f"s\td\t1\t{i}\tr\t源{i}\tTarget {i}.\tNo-error\tNo-error\n" for i in (10, 2, 1)), encoding="utf-8")
    assert [g.seg_id for g in read_mqm(path).segments] == ["1", "2", "10"]


@pytest.mark.parametrize("content, message", [
    ("", "empty file"),
    ("system\tdoc\tseg_id\ttarget\n", "no column doc_id, rater, source, category, severity"),
    (HEADER + "s\td\t1\t1\tr\tsource\ttarget\tNo-error\n", "line 2: 8 tab-separated fields"),
    (HEADER, "no annotation rows"),
    (HEADER + "s\td\t1\t1\tr\t源\tOne.\tNo-error\tNo-error\n"
              "s\td\t1\t1\tr\t源\tAnother.\tFluency/Grammar\tMinor\n", "line 3: segment 1 of s/d has a different"),
])
def test_bad_files_name_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_mqm(path)
    assert message in str(info.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.tsv"
    path.write_bytes(HEADER.encode() + "s\td\t1\t1\tr\tsrc\tcaf\xe9\tNo-error\tNo-error\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_mqm(path)


@pytest.mark.shared
def test_ted_file_reads_completely(shared):
    mqm = read_mqm(shared / "data" / "mqm" / "mqm_ted_zhen.tsv")
    lines = (shared / "data" / "mqm" / "mqm_ted_zhen.tsv").read_text(encoding="utf-8").count("\n")
    assert mqm.rows == lines - 1 == 9915  # every line is one row: no quote swallowed a line
    assert len(mqm.segments) == 7935
    assert len(mqm.documents()) == 75
    assert len({g.item for g in mqm.segments}) == 529
    assert not mqm.unweighted
    assert sum(g.penalty == 0 for g in mqm.segments) == 4297
    for g in mqm.segments:
        for s, e in g.spans:
            assert 0 <= s <= e <= len(g.target)


@pytest.mark.parametrize("name, given, pair", [
    ("mqm_ted_zhen.tsv", None, ("zh", "en")),
    ("mqm_newstest2020_ende.tsv", None, ("en", "de")),
    ("reviews_en-de.tsv", None, ("en", "de")),
    ("my_data.tsv", None, (None, None)),
    ("mqm_small.tsv", None, (None, None)),
    ("anything.tsv", "ZH-en", ("zh", "en")),
    ("wmt23_news_ende_dev.tsv", None, ("en", "de")),  # tags after the pair
    ("wmt21_news_zhen.scores.tsv", None, ("zh", "en")),
    ("news_ende_final.tsv", None, (None, None)),  # a word after the pair that is no tag: not trusted
    ("export_dade.tsv", None, (None, None)),  # not a pair of two languages
])
def test_language_pair_from_option_or_google_file_name(name, given, pair):
    from mtaudit.evaluation.mqm import language_pair

    assert language_pair(name, given) == pair


HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"


def test_a_file_named_without_its_pair_takes_it_from_its_documents(tmp_path):
    """Google's WMT23 exports name each document with its pair ("news_x.1:en-de"); a German file must not be
    ranked by the Chinese-English risk model because its name says nothing."""
    from mtaudit.evaluation.mqm import language_pair

    rows = [f"sys{i}\tnews_x.{i}:en-de\t1\t1\tr1\tHello.\tHallo.\tNo-error\tNo-error\n" for i in range(3)]
    named = tmp_path / "judgements.tsv"
    named.write_text(HEADER + "".join(rows), encoding="utf-8")
    assert language_pair(named) == ("en", "de")
    assert (read_mqm(named).source_lang, read_mqm(named).target_lang) == ("en", "de")
    mixed = tmp_path / "mixed.tsv"
    mixed.write_text(HEADER + "".join(rows) + rows[0].replace(":en-de", ":zh-en"), encoding="utf-8")
    assert language_pair(mixed) == (None, None)  # two pairs: none is the file's
    plain = tmp_path / "plain.tsv"
    plain.write_text(HEADER + rows[0].replace(":en-de", ""), encoding="utf-8")
    assert language_pair(plain) == (None, None)


def test_documents_carry_the_language_pair():
    pairs = read_mqm(FIXTURE, "zh-en").documents()
    assert {(d.source_lang, d.target_lang) for d, _ in pairs} == {("zh", "en")}


SCORES = FIXTURES_DIR / "news_small_zhen.scores.tsv"


def test_segment_score_files_are_read_by_their_header():
    mqm = read_mqm(SCORES)
    assert mqm.layout == "scores" and mqm.name == "news_small_zhen.scores"
    assert (mqm.source_lang, mqm.target_lang) == ("zh", "en")  # from the name, ".scores" and all
    assert mqm.rows == 18 and len(mqm.segments) == 18
    gold = gold_by_key(mqm)
    wong = gold[("sysB", "news.1", "2")]
    assert wong.penalty == pytest.approx(10.1) and wong.has_major and wong.spans == []
    assert wong.reference.startswith("Wang Fang said")
    assert not gold[("sysB", "news.2", "4")].has_major  # 1.1: minor errors only
    assert gold[("sysA", "news.2", "3")].has_major  # 5: one Major error's weight
    assert gold[("ref-A", "news.1", "1")].reference == ""
    assert {g.dataset for g in mqm.segments} == {"news_small_zhen.scores"}
    doc, golds = mqm.documents()[0]
    assert doc.path == "sysA/news.1" and [s.reference for s in doc.segments] == [None, None]  # reference-free audit


@pytest.mark.parametrize("body, message", [
    ("sysA\tnews.1\t1\t源\tTarget\tRef\tmany\n", "mqm_penalty 'many' is not a penalty"),
    ("sysA\tnews.1\t1\t源\tTarget\tRef\t-1\n", "is not a penalty"),
    ("sysA\tnews.1\t1\t源\tTarget\tRef\t1\nsysA\tnews.1\t1\t源\tTarget\tRef\t2\n", "scored twice"),
])
def test_bad_segment_score_rows_name_the_line(tmp_path, body, message):
    path = tmp_path / "bad.scores.tsv"
    path.write_text("system\tdoc\tseg_id\tsource\ttarget\treference\tmqm_penalty\n" + body, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_mqm(path)
    assert "line " in str(info.value)


def test_a_file_of_neither_layout_names_both(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("system\tdoc\tsource\ttarget\n", encoding="utf-8")
    with pytest.raises(InputError, match="mqm_penalty") as info:
        read_mqm(path)
    assert "severity" in str(info.value)
