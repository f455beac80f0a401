"""The names_src detector: source names (Chinese first) checked against their romanisation in the target."""
import csv

import pytest
from helpers import findings, make_doc, passes

from mtaudit.detectors import DETECTORS
from mtaudit.detectors.names_src import (
    SOURCE_LANGUAGES, ChineseNames, NamesSourceDetector, chinese_name_pinyin, source_language,
)
from mtaudit.document import Category, Severity

# (source, target, flagged span, suggestion): a name of the source misspelt in the target.
MISSPELT = [
    ("国家主席习近平在北京会见了代表团。", "President Ji Jinping met the delegation in Beijing.", "Ji", "Xi"),
    ("外交部发言人赵立坚表示，中方对此表示欢迎。", "Foreign ministry spokesman Chao Lijian said China welcomed the move.",
     "Chao", "Zhao"),
    ("张伟说，这个计划会成功。", "Chang Wei said the plan would succeed.", "Chang", "Zhang"),
    ("副总经理张立华表示，工厂明年投产。", "Deputy general manager Zang Lihua said the plant would open next year.",
     "Zang", "Zhang"),
    ("新疆的棉花产量今年增长了百分之五。", "Cotton output in Xingjiang rose five percent this year.", "Xingjiang", "Xinjiang"),
    ("发言人王芳说，会谈气氛友好。", "Spokeswoman Wong Fang said the talks were friendly.", "Wong", "Wang"),
]

# (source, target): the names are there, in pinyin, in a conventional form, or as the surname alone.
CORRECT = [
    ("国家主席习近平在北京会见了代表团。", "President Xi Jinping met the delegation in Beijing."),
    ("习近平主席表示，双方应加强合作。", "Xi said the two sides should strengthen cooperation."),
    ("孙中山先生曾在香港学习。", "Sun Yat-sen once studied in Hong Kong."),
    ("普京总统与习近平主席举行视频会晤。", "President Putin held a video call with President Xi."),
    ("李克强总理访问了上海。", "Premier Li Keqiang visited Shanghai."),
    ("欧阳娜娜说她很高兴。", "Ouyang Nana said she was happy."),
    ("孙中山先生主张三民主义。", "Sun championed the Three Principles of the People."),
]

# Sources whose person tags are ordinary words, or that have no names: nothing to report.
QUIET = [
    ("谢谢。", "Thank you."),
    ("向左转，然后向右转。", "Turn left, then turn right."),
    ("这个道理很容易懂。", "The idea is easy to understand."),
    ("我们对宇宙的大部分了解都来自于光。", "Most of what we know about the universe comes from light."),
]


@pytest.mark.parametrize("source,target,span,suggestion", MISSPELT)
def test_flags_misspelt_romanisation(source, target, span, suggestion):
    doc = make_doc([target], [source])
    found = [(s.text[f.start:f.end], f) for s, f in NamesSourceDetector().detect(doc)]
    assert [t for t, _ in found] == [span]
    finding = found[0][1]
    assert finding.suggestion == suggestion and finding.category == Category.MISTRANSLATION
    assert finding.severity == Severity.MAJOR and suggestion in finding.message


@pytest.mark.parametrize("source,target", CORRECT)
def test_passes_correct_names(source, target):
    assert passes(NamesSourceDetector(), [target], [source])


@pytest.mark.parametrize("source,target", QUIET)
def test_quiet_on_sources_without_names(source, target):
    assert passes(NamesSourceDetector(), [target], [source])


def test_reports_a_person_missing_from_the_target():
    found = findings(NamesSourceDetector(), ["The president met the delegation in the capital."],
                     ["国家主席习近平在北京会见了代表团。"])
    assert len(found) == 1
    assert found[0].category == Category.OMISSION and found[0].severity == Severity.MINOR
    assert found[0].suggestion == "Xi Jinping" and "习近平" in found[0].message


def test_omissions_can_be_switched_off():
    assert passes(NamesSourceDetector(omissions="false"), ["The president met the delegation."],
                  ["国家主席习近平会见了代表团。"])


def test_skips_segments_without_source_or_in_other_languages():
    assert passes(NamesSourceDetector(), "Ji Jinping met the delegation.")
    assert passes(NamesSourceDetector(), ["Ji Jinping met the delegation."], ["Le président Xi a rencontré la délégation."])
    assert passes(NamesSourceDetector(), ["Ji met them."], ["習近平は代表団と会見した。"])  # Japanese: no module yet


@pytest.mark.parametrize("name,expected", [
    ("习近平", ("Xi", "Jinping")), ("李克强", ("Li", "Keqiang")), ("欧阳娜娜", ("Ouyang", "Nana")),
    ("曾国藩", ("Zeng", "Guofan")), ("谢谢", ("Xie", "Xie")), ("普京", None), ("王", None),
])
def test_chinese_name_pinyin_is_surname_first(name, expected):
    assert chinese_name_pinyin(name) == expected


def test_source_language_interface():
    assert SOURCE_LANGUAGES["zh"] is ChineseNames
    assert source_language("国家主席习近平会见了代表团。").lang == "zh"
    assert source_language("国家主席习近平会见了代表团。", "zh-CN").lang == "zh"
    assert source_language("国家主席习近平会见了代表团。", "zho").lang == "zh"
    assert source_language("Der Präsident traf die Delegation.") is None
    assert source_language("国家主席习近平会见了代表团。", "de") is None


@pytest.mark.parametrize("target,source", [("", "习近平"), ("\x00\x1b odd", "\x07习近平\x00"), ("Xi " * 3000, "习" * 3000),
                                           ("Mixed 习近平 text", "混合 Xi 文本")])
def test_never_crashes_on_odd_input(target, source):
    doc = make_doc([target or "."], [source])
    for sentence, finding in NamesSourceDetector().detect(doc):
        assert 0 <= finding.start <= finding.end <= len(sentence.text)


def test_registered():
    assert DETECTORS["names_src"] is NamesSourceDetector and "source" in NamesSourceDetector.requires


def test_quiet_on_ted_talks(shared):
    """TED talks name few people: on 400 segments of the MQM set the detector must stay nearly silent."""
    path = shared / "data" / "mqm" / "mqm_ted_zhen.tsv"
    pairs = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["system"] == "ref":
                pairs.setdefault(row["seg_id"], (row["source"], row["target"].replace("<v>", "").replace("</v>", "")))
            if len(pairs) >= 400:
                break
    sources = [s for s, _ in pairs.values()]
    targets = [t for _, t in pairs.values()]
    found = findings(NamesSourceDetector(), targets, sources)
    assert len(found) <= 4, [f.message for f in found]
