"""names_src and the curated tables of established English names (data/entities/*.tsv): another body's name in the
place of the source's, a fresh rendering of a medium, and the tables themselves."""
import pytest
from helpers import flagged_findings, passes

from mtaudit.core.document import Category, Severity
from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.detectors.namelib import entities
from mtaudit.detectors.namelib.zh_lexicon import lexicon


def flagged(sources, targets, **options):
    return flagged_findings(NamesSourceDetector(**options), targets, sources)


# (source, target, flagged span, suggestion): a better-known body of the same kind in the place of the source's.
WRONG_BODY = [
    ("中新网2月11日电，中国电商行业涌现新变量。", "Feb. 11 (Xinhua) -- China's e-commerce industry sees new variables.",
     "Xinhua", "China News Service"),
    ("欧盟峰会为难民政策争论-中新网", "EU summit argues over refugee policy - CNN.com", "CNN.com", "China News Service"),
    ("证监会公告称，基金E账户正式上线。", "The SEC announced that the fund e-account had gone live.", "SEC",
     "China Securities Regulatory Commission"),
    ("图自越通社", "Photo: Associated Press", "Associated Press", "Vietnam News Agency"),
]

# (source, target, flagged span, suggestion): a medium rendered afresh, keeping a word of its English name.
FRESH = [
    ("经济观察报记者报道，基金购买渠道繁杂。", "An Economic Observation Newspaper reporter reports that fund "
     "channels are complex.", "Economic Observation Newspaper", "The Economic Observer"),
    ("据扬子晚报报道，南京房价企稳。", "According to the Yangzi Evening News, Nanjing home prices steadied.",
     "Yangzi Evening News", "Yangtse Evening Post"),
    ("据自由时报署名报道称，中国鼓励大学生捐精。", "According to the Free Times, China encourages students to donate "
     "sperm.", "Free Times", "Liberty Times"),
    ("联合国安理会周一举行紧急会议。", "The UN Safety Council held an emergency meeting on Monday.", "UN Safety Council",
     "UN Security Council"),  # an organ: its head translated word by word
]

# The source's body by its name, an acronym of it, a fair variant (generic words swapped), the other body named in
# the source too, or a body of the same place the article names: no finding.
WELL = [
    ("中新网2月11日电，中国电商行业涌现新变量。", "Feb. 11 (China News Service) -- China's e-commerce industry sees "
     "new variables."),
    ("中新网2月11日电", "Feb. 11 (Chinanews.com)"),
    ("新华社北京2月11日电", "BEIJING, Feb. 11 (Xinhua)"),
    ("中新网援引新华社报道说，会议开幕。", "Chinanews.com quoted Xinhua as saying that the meeting opened."),
    ("新华财经记者报道", "Xinhua Finance reporter reports"),
    ("证监会公告称，基金E账户正式上线。", "The CSRC announced that the fund e-account had gone live."),
    ("据扬子晚报报道，南京房价企稳。", "According to the Yangtze Evening News, Nanjing home prices steadied."),
    ("中国航天科技集团五院研究员庞之浩说", "Pang Zhihao, a researcher of China's Aerospace Science and Technology "
     "Group, said"),
    ("中联部今天举办专题吹风会", "Today, the CPC International Liaison Department holds a briefing"),
    ("据北京晚报报道，房价企稳。", "According to the Beijing Evening Post, home prices steadied."),  # generic swap
    ("据湖南日报报道，房价企稳。", "According to the Hunan Times, home prices steadied."),  # generic swap
    ("国家移民管理局发布新规。", "The State Immigration Administration issued new rules."),  # a ministry: fair
    ("据CNN报道，中新网转载了这条消息。", "According to CNN, Chinanews.com carried the report."),
]


@pytest.mark.parametrize("source,target,span,suggestion", WRONG_BODY)
def test_flags_another_body_in_the_place_of_the_sources(source, target, span, suggestion):
    found = flagged([source], [target])
    assert [text for text, _ in found] == [span], found
    finding = found[0][1]
    assert finding.category == Category.MISTRANSLATION and finding.severity == Severity.MAJOR
    assert finding.suggestion == suggestion and "another body" in finding.message


@pytest.mark.parametrize("source,target,span,suggestion", FRESH)
def test_flags_a_medium_rendered_afresh(source, target, span, suggestion):
    found = flagged([source], [target])
    assert [text for text, _ in found] == [span], found
    finding = found[0][1]
    assert finding.category == Category.TERMINOLOGY and finding.severity == Severity.MAJOR
    assert finding.suggestion == suggestion


@pytest.mark.parametrize("source,target", WELL)
def test_passes_a_body_by_its_name_or_a_fair_variant(source, target):
    assert passes(NamesSourceDetector(), [target], [source])


def test_a_body_of_a_place_the_article_names_is_not_another_body():
    # in a Hong Kong story 证监会 may be the SFC (香港证监会)
    sources = ["香港金融市场昨日波动。", "证监会表示将加强监管。"]
    targets = ["Hong Kong's financial markets swung yesterday.", "The SFC said it would tighten supervision."]
    assert passes(NamesSourceDetector(), targets, sources)


def test_curated_rows_win_over_the_dictionary():
    # CC-CEDICT glosses 绿营 as the Qing "Green Standard Army"; in Taiwan news it is the pan-Green camp
    assert lexicon().get("绿营").forms[0] == "pan-Green camp"
    assert lexicon().get("中新网").forms[0] == "China News Service"
    assert lexicon().get("尖沙咀").kind == "place"


def test_every_curated_table_is_well_formed_and_sourced():
    rows = entities.curated()
    assert len(rows) > 900
    tables = {row.table for row in rows.values()}
    assert tables == set(entities.KINDS)
    for row in rows.values():
        assert row.forms and all(f == f.strip() for f in row.forms), row
        assert row.source, f"{row.table}: {row.key} names no source"


def test_a_malformed_row_is_reported_with_its_table_and_line():
    with pytest.raises(ValueError, match=r"media.tsv, line 2"):
        entities.parse("# comment\n中新网\tChina News Service\n", "media.tsv", "org")


# ---- one character for a place the article names in full ------------------------------------------------------------

MACAU = "继上月邀请香港旅游业界领袖来澳交流考察及香港网红亲身体验澳门“旅游+”。"
PAIRS = ["越南总理范明政对新加坡和文莱进行正式访问。", "成效为促进越新两国战略伙伴关系和越文全面伙伴关系注入了新的动力。"]


@pytest.mark.parametrize("sources,target,span,suggestion", [
    ([MACAU], "Last month Hong Kong tourism leaders were invited to visit Australia and to experience Macau.",
     "Australia", "Macau"),
    (PAIRS, "The results gave new impetus to the Vietnam-Vietnam strategic partnership and the Vietnam-Brunei "
     "comprehensive partnership.", "Vietnam-Vietnam", "Singapore"),
    (PAIRS, "The results gave new impetus to the Vietnam-New Zealand strategic partnership and the Vietnam-Brunei "
     "comprehensive partnership.", "New Zealand", "Singapore"),
])
def test_flags_a_one_character_place_read_as_another(sources, target, span, suggestion):
    targets = ["Vietnamese Prime Minister Pham Minh Chinh paid an official visit to Singapore and Brunei."][
        :len(sources) - 1] + [target]
    found = [(t, f) for t, f in flagged(sources, targets) if "stands for" in f.message]
    assert [t for t, _ in found] == [span], found
    assert found[0][1].suggestion == suggestion and found[0][1].severity == Severity.MAJOR


@pytest.mark.parametrize("sources,target", [
    ([MACAU], "Last month Hong Kong tourism leaders were invited to visit Macau and to experience Macau."),
    (["澳大利亚总理访华。来澳门的游客增加了。来澳考察的团体很多。"],
     "Australia's prime minister visited China. Many groups came to visit Australia."),  # the article names both
    (PAIRS[:1] + ["成效为促进越新两国战略伙伴关系注入了新的动力。"],
     "The results gave new impetus to the Vietnam-Singapore strategic partnership."),
])
def test_passes_one_character_places_read_right_or_unsettled(sources, target):
    targets = ["Vietnamese Prime Minister Pham Minh Chinh paid an official visit to Singapore and Brunei."][
        :len(sources) - 1] + [target]
    assert not [f for _, f in flagged(sources, targets) if "stands for" in f.message]


# ---- the team's glossary wins over the shipped tables ----------------------------------------------------------------

def test_the_teams_glossary_form_is_never_reported(tmp_path):
    glossary = tmp_path / "names.csv"
    glossary.write_text("China News Network,ChinaNews\n", encoding="utf-8")
    source, target = "据中新网报道，南京的房价上涨。", "According to China News Network, house prices in Nanjing rose."
    assert flagged([source], [target])  # the shipped table reports it
    assert not flagged([source], [target], glossary=str(glossary))


def test_a_shipped_form_the_glossary_deprecates_is_not_suggested(tmp_path):
    glossary = tmp_path / "names.csv"
    glossary.write_text("Chinanews.com,China News Service\n", encoding="utf-8")
    found = flagged(["中新网2月11日电，中国电商行业涌现新变量。"], ["Feb. 11 (Xinhua) -- China's e-commerce sees new "
                                                                "variables."], glossary=str(glossary))
    assert [f.suggestion for _, f in found] == ["Chinanews.com"]


def test_the_glossary_option_reaches_names_src():
    from mtaudit.pipeline.config import detector_settings

    _, options = detector_settings(None, [], "terms.csv")
    assert options["names"]["glossary"] == options["names_src"]["glossary"] == "terms.csv"


@pytest.mark.parametrize("key,surname", [("李家超", "Lee"), ("赖清德", "Lai"), ("马云", "Ma"), ("贺一诚", "Ho")])
def test_a_curated_person_may_be_called_by_surname_alone(key, surname):
    forms = lexicon().get(key).forms
    assert surname in forms and "On" not in lexicon().get("崔世安").forms


def test_a_curated_persons_surname_alone_is_no_misspelling():
    assert passes(NamesSourceDetector(), ["Lai said the island would keep the status quo."],
                  ["赖清德表示，将维持现状。"])
