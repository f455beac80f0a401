"""names_src: a translated name (a body, a publication, an event) or a place rendered two ways in one article, and a
Chinese given name in another reading of its characters. Invented articles."""
import pytest
from helpers import flagged_findings

from mtaudit.core.document import Category, Severity
from mtaudit.detectors.names_src import NamesSourceDetector, given_readings
from mtaudit.detectors.namelib import translated


def flagged(sources, targets):
    return flagged_findings(NamesSourceDetector(), targets, sources)


def two_ways(sources, targets):
    """The findings that say a name is rendered two ways (earlier in the article), as (span, suggestion)."""
    return [(text, f.suggestion) for text, f in flagged(sources, targets) if "earlier in this article" in f.message]


# (sources, targets, the later rendering flagged, the first rendering suggested)
ARTICLES = [
    (["青山晚报记者10日在南京采访了多位购房者。", "青山晚报记者发现，多个楼盘推出了优惠。"],
     ["A reporter from the Qingshan Evening News interviewed several home buyers in Nanjing on the 10th.",
      "A reporter from the Qinshan Evening News found that several projects offered discounts."],
     "Qinshan Evening News", "Qingshan Evening News"),
    (["国政基金会资深顾问表示欢迎。", "国政基金会将举办研讨会。"],
     ["A senior adviser to the National Policy Foundation welcomed it.",
      "The National Political Foundation will hold a seminar."],
     "National Political Foundation", "National Policy Foundation"),
    (["第十六届中日节能环保综合论坛在北京举办。", "中日节能环保综合论坛已举办十五届。"],
     ["The 16th China-Japan Energy Conservation and Environmental Protection Forum was held in Beijing.",
      "The China-Japan Energy Saving and Environmental Protection Forum has been held fifteen times."],
     "China-Japan Energy Saving and Environmental Protection Forum",
     "16th China-Japan Energy Conservation and Environmental Protection Forum"),
    # a qualifier in front of the later one: compared with the end of it
    (["国政基金会资深顾问表示欢迎。", "国民党国政基金会将举办研讨会。"],
     ["A senior adviser to the National Policy Foundation welcomed it.",
      "The Kuomintang National Political Foundation will hold a seminar."],
     "Kuomintang National Political Foundation", "National Policy Foundation"),
]


@pytest.mark.parametrize("sources,targets,span,suggestion", ARTICLES)
def test_a_body_rendered_two_ways_is_reported_on_the_later_rendering(sources, targets, span, suggestion):
    found = [(t, f) for t, f in flagged(sources, targets) if "earlier in this article" in f.message]
    assert [(t, f.suggestion) for t, f in found] == [(span, suggestion)]
    finding = found[0][1]
    assert finding.category == Category.INCONSISTENCY and finding.severity == Severity.MINOR
    assert finding.confidence == 0.5


# Articles that render each body one way (or a short form of it, or a longer form with a qualifier), or that name
# two bodies ending alike.
QUIET = [
    # the same rendering, and a shorter form of it
    (["经济观察网报道了此事。", "经济观察网记者获悉，基金账户已上线。"],
     ["The Economic Observation Network reported it.",
      "An Observation Network reporter learned that the fund account is online."]),
    # two courts: another place at the head is another body
    (["北京知识产权法院受理了此案。", "广州知识产权法院也受理了类似案件。"],
     ["The Beijing Intellectual Property Court accepted the case.",
      "The Guangzhou Intellectual Property Court also accepted a similar case."]),
    # a generic head (专业委员会, "professional committee") with two qualifiers names two bodies
    (["联盟成立专业委员会。", "乳业专业委员会成立仪式现场。", "公共卫生防疫专业委员会成立仪式现场。"],
     ["The union set up professional committees.", "The founding ceremony of the Dairy Professional Committee.",
      "The founding ceremony of the Public Health and Epidemic Prevention Committee."]),
    # the kind of body said two ways, not another name
    (["光大理财发布公告。", "光大理财表示，产品运行平稳。"],
     ["Everbright Financial Co issued an announcement.", "Everbright Financial Management said the product ran well."]),
    # a derived form of a word
    (["中国共产党第二十次全国代表大会在北京召开。", "中国共产党第二十次全国代表大会闭幕。"],
     ["The 20th National Congress of the Communist Party of China opened in Beijing.",
      "The 20th National Congress of the Chinese Communist Party closed."]),
]


@pytest.mark.parametrize("sources,targets", QUIET)
def test_one_body_one_rendering_or_two_bodies_are_not_reported(sources, targets):
    assert two_ways(sources, targets) == []


def test_two_known_forms_of_a_place_are_reported_once_per_article():
    sources = ["澳门特区政府旅游局表示，澳门将举办活动。", "游客抵达澳门。", "澳门酒店入住率上升。"]
    targets = ["The Macau Government Tourism Office said Macau would hold events.", "Visitors arrived in Macao.",
               "Hotel occupancy in Macao rose."]
    assert two_ways(sources, targets) == [("Macao", "Macau")]


@pytest.mark.parametrize("second", ["Russian officials visited.", "The RUSSIA team left."])
def test_a_place_and_its_adjective_or_its_case_are_one_form(second):
    sources = ["俄罗斯总统发表讲话。", "俄罗斯官员访问了北京。"]
    assert two_ways(sources, ["Russia's president gave a speech.", second]) == []


def test_differ_compares_words_and_spacing():
    runs = lambda text: translated.runs(0, text)[0]
    assert translated.differ(runs("Viet Nam News Agency"), runs("Vietnam News Agency"))
    assert not translated.differ(runs("U.S. Department of Commerce"), runs("US Department of Commerce"))
    assert not translated.differ(runs("Yan'an Daily"), runs("Yan’an Daily"))
    assert translated.differ(runs("Yangzi Evening News"), runs("Yangtze Evening News"))
    assert not translated.differ(runs("Yangzi Evening News"), runs("Guangming Evening News"))


def test_body_names_are_whole_words_ending_in_a_generic_part():
    names = translated.body_names("第十六届中日节能环保综合论坛在北京举办，研究院党委副书记出席。")
    assert "中日节能环保综合论坛" in names and "环保综合论坛" in names
    assert "第十六届中日节能环保综合论坛" not in names      # an ordinal is not part of the name
    assert not any(n.endswith("举办") for n in names)      # 举办 "hold" is a verb, not 办 "office"
    assert not any(n.endswith("研究院党") for n in names)   # 党委 is one word


@pytest.mark.parametrize("name,written", [("韩长赋", "Han Changfu"), ("严隽琪", "Yan Junqi")])
def test_a_given_name_in_another_reading_of_its_characters_is_right(name, written):
    given = written.split()[1].lower()
    assert given in given_readings(name, "zhangfu" if name == "韩长赋" else "juanqi")
    found = flagged([f"农业部部长{name}出席会议。"], [f"Minister of Agriculture {written} attended the meeting."])
    assert not any("another given name" in f.message for _, f in found), found


def test_a_given_name_in_no_reading_of_its_characters_is_still_reported():
    found = flagged(["农业部部长韩长赋出席会议。"], ["Minister of Agriculture Han Changfei attended the meeting."])
    assert any("another given name" in f.message for _, f in found), found


def test_the_expected_form_reads_chang_in_a_given_name():
    from mtaudit.detectors.namelib.source_names import chinese_name_pinyin

    assert chinese_name_pinyin("韩长赋") == ("Han", "Changfu")
    assert chinese_name_pinyin("习近平") == ("Xi", "Jinping")
