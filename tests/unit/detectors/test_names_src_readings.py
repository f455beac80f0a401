"""names_src and Vietnamese names written in Chinese characters: every Sino-Vietnamese reading of a character (Unihan
and KANJIDIC2), a syllable that is none of them, and the evidence that a person is Vietnamese."""
import pytest
from helpers import flagged_findings, make_doc, passes

from mtaudit.core.document import Category, Severity
from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.detectors.namelib import readings
from mtaudit.detectors.namelib.source_names import common_chinese_word

VIETNAM_ARTICLE = ["越南总理范明政对新加坡和文莱进行正式访问。", "越南与新加坡的关系不断发展。"]
VIETNAM_TARGETS = ["Vietnamese Prime Minister Pham Minh Chinh paid an official visit to Singapore and Brunei.",
                   "Relations between Vietnam and Singapore keep developing."]


def flagged(sources, targets):
    return flagged_findings(NamesSourceDetector(), targets, sources)


def test_readings_come_from_unihan_and_kanjidic():
    assert readings.vietnamese_readings("政") == ("chính", "chánh")
    assert readings.vietnamese_readings("范") == ("phạm",)  # Unihan has none; KANJIDIC2 via 範
    assert readings.vietnamese("范明政") == "Phạm Minh Chính"


@pytest.mark.parametrize("target,span", [
    ("Prime Minister Pham Minh Thanh and the leaders of Singapore agreed.", "Pham Minh Thanh"),
    ("Prime Minister Pham Minh Trinh and the leaders of Singapore agreed.", "Pham Minh Trinh"),
    ("Pham Minh Zheng said so.", "Pham Minh Zheng"),
])
def test_a_syllable_that_is_none_of_its_characters_readings(target, span):
    found = readings.vietnamese_mismatch("范明政", target)
    assert found is not None and found[2] == span and found[3] == 2


@pytest.mark.parametrize("target", [
    "Prime Minister Pham Minh Chinh met them.", "Prime Minister Phạm Minh Chính met them.",
    "The prime minister met them.", "Fan Mingzheng met them.",
])
def test_no_mismatch_when_right_or_absent_or_not_this_reading(target):
    assert readings.vietnamese_mismatch("范明政", target) is None


def test_flags_a_wrong_syllable_of_a_vietnamese_person_named_after_vietnam():
    sources = VIETNAM_ARTICLE + ["越南政府总理范明政会见了新加坡总理。"]
    targets = VIETNAM_TARGETS + ["Vietnamese Prime Minister Pham Minh Thanh met the Singaporean prime minister."]
    found = [(t, f) for t, f in flagged(sources, targets) if t == "Pham Minh Thanh"]
    assert len(found) == 1
    finding = found[0][1]
    assert finding.severity == Severity.MAJOR and finding.category == Category.MISTRANSLATION
    assert finding.suggestion == "Phạm Minh Chính" and "政" in finding.message


def test_a_titled_person_with_a_vietnamese_surname_in_an_article_about_vietnam_is_minor():
    sources = VIETNAM_ARTICLE + ["在出访新加坡和文莱的三天之内，范明政总理共参加了30多项不同的活动。"]
    for rendering in ("Fan Mingzheng", "Pham Minh Thanh"):
        targets = VIETNAM_TARGETS + [f"During his three-day visit, Prime Minister {rendering} attended 30 events."]
        found = [(t, f) for t, f in flagged(sources, targets) if t == rendering]
        assert len(found) == 1, (rendering, found)
        assert found[0][1].severity == Severity.MINOR and found[0][1].suggestion == "Phạm Minh Chính"


def test_a_chinese_person_in_an_article_that_names_vietnam_in_passing_is_left_alone():
    sources = ["中国国务院总理李克强表示，中国愿同越南加强合作。", "杨志成总经理说，公司业绩良好。"]
    targets = ["Chinese Premier Li Keqiang said China was willing to strengthen cooperation with Vietnam.",
               "General manager Yang Zhicheng said the company performed well."]
    assert passes(NamesSourceDetector(), targets, sources)


@pytest.mark.parametrize("word,common", [("白皮书", True), ("高水平", True), ("史实", True), ("张亚杰", False),
                                         ("夏立言", False), ("王芳", False)])
def test_everyday_words_of_two_or_three_characters_are_not_names(word, common):
    assert common_chinese_word(word) is common


# ---- Taiwanese people in Wade-Giles, and another person's name in the place of the source's ------------------------

from mtaudit.detectors.namelib import regions  # noqa: E402


@pytest.mark.parametrize("syllables,form", [
    (["xia", "li", "yan"], "Hsia Li-yen"), (["zhao", "chun", "shan"], "Chao Chun-shan"),
    (["hong", "xiu", "zhu"], "Hung Hsiu-chu"), (["xie", "chang", "ting"], "Hsieh Chang-ting"),
    (["cai", "qi", "chang"], "Tsai Chi-chang"), (["guo", "ke", "zhi"], "Kuo Ko-chih"),
])
def test_wade_giles_as_taiwan_writes_it(syllables, form):
    assert regions.taiwanese_form(syllables[:1], syllables[1:]) == form


TAIWAN_ARTICLE = ["台湾中国国民党副主席夏立言今次访中先后会见国台办主任。", "夏立言稍早表示，两岸应加强交流。"]


@pytest.mark.parametrize("rendering,flag", [("Xia Liyan", True), ("Hsia Li-yen", False), ("Andrew Hsia", False)])
def test_a_taiwanese_person_in_mainland_pinyin_is_a_minor_name_format_finding(rendering, flag):
    targets = [f"Kuomintang vice chairman {rendering} met the head of the Taiwan Affairs Office during his visit.",
               f"{rendering} said earlier that the two sides should step up exchanges."]
    found = [(t, f) for t, f in flagged(TAIWAN_ARTICLE, targets) if t == rendering]
    assert len(found) == (2 if flag else 0), found
    for _, finding in found:
        assert finding.category == Category.LOCALE_NAME and finding.severity == Severity.MINOR
        assert finding.suggestion == "Hsia Li-yen"


def test_a_mainland_person_in_a_taiwan_story_keeps_pinyin():
    sources = ["国民党副主席夏立言会见了国台办主任宋涛。"]
    targets = ["KMT vice chairman Hsia Li-yen met Song Tao, director of the Taiwan Affairs Office."]
    assert passes(NamesSourceDetector(), targets, sources)


@pytest.mark.parametrize("source,target,span,suggestion", [
    ("蔡奇表示，要学习贯彻会议精神。", "Yang Jiji said that the spirit of the meeting should be studied.", "Yang Jiji",
     "Cai Qi"),
    ("国民党副主席夏立言会见了全国政协主席王沪宁。",
     "KMT vice chairman Hsia Li-yen met Shi Lian, chairman of the CPPCC National Committee.", "Shi Lian",
     "Wang Huning"),
])
def test_another_persons_pinyin_name_in_the_place_of_the_sources(source, target, span, suggestion):
    found = flagged([source], [target])
    assert [t for t, _ in found] == [span], found
    assert found[0][1].suggestion == suggestion and found[0][1].severity == Severity.MAJOR


@pytest.mark.parametrize("source,target", [
    ("蔡奇表示，要学习贯彻会议精神。", "Cai Qi said that the spirit of the meeting should be studied."),
    ("蔡奇和李强表示，要学习贯彻会议精神。", "Li Qiang said that the spirit of the meeting should be studied."),
    ("香港特区行政长官李家超表示欢迎。", "Hong Kong Chief Executive John Lee welcomed it."),
])
def test_no_other_person_when_the_name_is_there_or_the_pairing_is_unclear(source, target):
    assert not [t for t, f in flagged([source], [target]) if "another person" in f.message]


# ---- accents English keeps -----------------------------------------------------------------------------------------

RIOS = "里奥斯表示，中国以非凡的经济治理经验沉着应对。"


@pytest.mark.parametrize("target,flag", [
    ("Rios said that China had responded calmly.", True),
    ("Ríos said that China had responded calmly.", False),
])
def test_a_known_person_without_the_accents_of_their_form(target, flag):
    found = [(t, f) for t, f in flagged([RIOS], [target]) if "accents" in f.message]
    assert [t for t, _ in found] == (["Rios"] if flag else [])
    if flag:
        assert found[0][1].severity == Severity.MINOR and found[0][1].suggestion == "Ríos"
        assert found[0][1].category == Category.LOCALE_NAME


@pytest.mark.parametrize("source,target", [
    ("土耳其总统埃尔多安表示欢迎。", "Turkish President Erdogan welcomed it."),       # the breve: English drops it
    ("日本副首相麻生太郎表示欢迎。", "Japanese Deputy Prime Minister Taro Aso welcomed it."),  # the macron
])
def test_accents_english_drops_by_convention_are_not_reported(source, target):
    assert not [f for _, f in flagged([source], [target]) if "accents" in f.message]


def test_accents_can_be_switched_off():
    doc = make_doc(["Rios said that China had responded calmly."], [RIOS])
    assert not [f for _, f in NamesSourceDetector(accents="false").detect(doc) if "accents" in f.message]


# ---- Hong Kong, Macau and Singapore people; a person called by surname and title -------------------------------------

def test_a_singaporean_official_in_pinyin_is_minor_and_has_no_suggestion():
    sources = ["新加坡旅游局体育与康养旅游执行署长王凌丽说，近年来游客越来越多。"]
    targets = ["Wang Lingli, executive director of sports and wellness tourism at the Singapore Tourism Board, said "
               "that tourists have been growing in number."]
    found = [(t, f) for t, f in flagged(sources, targets) if "Singaporean" in f.message]
    assert [t for t, _ in found] == ["Wang Lingli"]
    assert found[0][1].severity == Severity.MINOR and found[0][1].suggestion is None


def test_a_hong_kong_official_in_pinyin_gets_their_own_name():
    found = [(t, f) for t, f in flagged(["香港特区行政长官李家超表示欢迎。"],
                                        ["Hong Kong Chief Executive Li Jiachao welcomed it."])
             if "Hong Kong" in f.message]
    assert [t for t, _ in found] == ["Li Jiachao"] and found[0][1].suggestion == "John Lee"


def test_an_organisation_named_after_a_place_is_not_a_person_of_it():
    sources = ["另据香港艾力彼医院管理研究中心数据显示，约20%的初创企业已不复存在。"]
    targets = ["According to the Hong Kong Ai Li Pi Hospital Management Research Center, about 20% of start-ups "
               "are gone."]
    assert not [f for _, f in flagged(sources, targets) if "Hong Kong person" in f.message]


@pytest.mark.parametrize("target,span", [
    ("Ms. Liu, who plans to buy a home in Jiangbei, said the bar was high.", "Liu"),
    ("Ms. Zheng, who plans to buy a home in Jiangbei, said the bar was high.", None),
    ("The buyer, who plans to buy a home in Jiangbei, said the bar was high.", None),
])
def test_a_person_called_by_surname_and_title_gets_another_surname(target, span):
    source = "打算在江北买一套刚需房的郑女士说，门槛还是蛮高的。"
    found = [(t, f) for t, f in flagged([source], [target]) if "another surname" in f.message]
    assert [t for t, _ in found] == ([span] if span else [])
    if span:
        assert found[0][1].suggestion == "Zheng" and found[0][1].severity == Severity.MAJOR


def test_two_titled_people_are_not_paired():
    assert not [f for _, f in flagged(["王先生和李女士都说好。"], ["Mr. Zhang and Ms. Li both said yes."])
                if "another surname" in f.message]


@pytest.mark.parametrize("rendering,severity", [("Xia Li Yun", Severity.MINOR), ("Liu Chun-shan", None)])
def test_a_taiwanese_name_one_syllable_off_or_under_another_surname(rendering, severity):
    sources = ["国民党副主席夏立言昨天晚上接受台湾中央社采访。"]
    targets = [f"{rendering}, vice chairman of the KMT, was interviewed by Taiwan's Central News Agency last night."]
    found = [(t, f) for t, f in flagged(sources, targets) if t == rendering]
    if severity:
        assert len(found) == 1 and found[0][1].severity == severity
    else:
        assert not found  # Liu Chun-shan is not 夏立言's given name under another surname


def test_a_taiwanese_given_name_under_another_surname_is_major():
    sources = ["国民党资深顾问赵春山昨天晚上接受台湾中央社采访。"]
    targets = ["Liu Chun-shan, a senior adviser to the KMT, was interviewed by Taiwan's Central News Agency last night."]
    found = [(t, f) for t, f in flagged(sources, targets) if "another surname" in f.message]
    assert [t for t, _ in found] == ["Liu Chun-shan"] and found[0][1].severity == Severity.MAJOR
    assert found[0][1].suggestion == "Chao Chun-shan"


# ---- known people: swapped for another known person, a given name misspelt, a key jieba cut across ------------------

KISHIDA = "何立峰指出，举办本届论坛是落实习近平主席和岸田文雄首相曼谷会晤共识的重要举措。"


@pytest.mark.parametrize("rendering,message", [
    ("Shinzo Abe", "another person"), ("Wen Jiabao", "another person"), ("Funeo Kishida", "misspells the given"),
])
def test_a_known_person_swapped_or_with_a_garbled_given_name(rendering, message):
    target = f"He Lifeng said the forum carries out what President Xi Jinping and Prime Minister {rendering} agreed."
    found = [(t, f) for t, f in flagged([KISHIDA], [target]) if message in f.message]
    assert [t for t, _ in found] == [rendering], found
    assert found[0][1].suggestion == "Kishida Fumio" and found[0][1].severity == Severity.MAJOR


def test_a_known_person_rendered_right_is_left_alone():
    target = "He Lifeng said the forum carries out what President Xi Jinping and Prime Minister Fumio Kishida agreed."
    assert passes(NamesSourceDetector(), [target], [KISHIDA])


def test_another_known_person_the_source_also_names_is_no_swap():
    source = "普京会见了岸田文雄首相。"
    target = "Vladimir Putin met Prime Minister Kishida."
    assert not [f for _, f in flagged([source], [target]) if "another person" in f.message]


def test_a_curated_key_jieba_cuts_across_is_one_name():
    from mtaudit.detectors.namelib.source_names import name_candidates

    assert ("岸田文雄", "lexicon", 21, 25) in name_candidates(KISHIDA)


def test_an_inflected_given_name_is_no_misspelling():
    source = "法国南特圣彼得和圣保罗大教堂发生火灾。"
    target = "A fire broke out at the Cathedral of Saints Peter and Paul in Nantes, France."
    assert not [f for _, f in flagged([source], [target]) if "misspells the given" in f.message]


def test_wade_giles_with_its_apostrophe_is_not_pinyin():
    sources = ["台湾中央研究院研究员陈明璋表示，两岸关系复杂。"]
    targets = ["Ch’en Ming Chang, a researcher at Taiwan's Academia Sinica, said cross-strait ties were complex."]
    assert not [f for _, f in flagged(sources, targets) if "mainland pinyin" in f.message]


def test_a_person_after_a_body_and_a_title_of_the_region():
    sources = ["香港金融管理局总裁陈德霖表示，港元汇率稳定。"]
    targets = ["Chen Delin, chief executive of the Hong Kong Monetary Authority, said the exchange rate was stable."]
    assert [t for t, f in flagged(sources, targets) if "Hong Kong person" in f.message] == ["Chen Delin"]
