"""names_src beyond one segment and one person: a name rendered two ways in an article, Latin forms the source
gives in brackets, other places, organisations, Vietnamese/Korean/Japanese names read as pinyin, and the guards
that keep references quiet."""
import pytest
from helpers import assert_one_mistranslated_name, flagged_findings, passes

from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.core.document import Category, Severity


def flagged(sources, targets):
    return flagged_findings(NamesSourceDetector(), targets, sources)


# (sources, targets, flagged span, suggestion): whole articles in which one source name is rendered two ways, or
# the source itself gives the name's own form.
ARTICLES = [
    (["波兰司法部长焦布洛举行记者会说，他领导的司法部将提出要求。", "焦布洛表示，条约违反了家庭的权利。",
      "焦布洛说，波兰将退出条约。"],
     ["Polish Justice Minister Ziobro told a news conference that his ministry would submit a request.",
      "Giobro said the treaty violated the rights of families.", "Ziobro said Poland would withdraw from the treaty."],
     "Giobro", "Ziobro"),
    (["比利时卫生部门发言人布德温·卡特里说，女童此前患有其他疾病。", "卡特里表示，疫情仍在蔓延。", "卡特里呼吁民众接种疫苗。"],
     ["Belgian health spokesman Boudewijn Catry said the girl had other illnesses.",
      "Catry said the epidemic was still spreading.", "Katri called on people to get vaccinated."],
     "Katri", "Catry"),
    (["湖南卫视播出了这台晚会。", "湖南卫视的收视率领先。", "湖南卫视将继续播出。"],
     ["Hunan Satellite TV broadcast the gala.", "Hunan Television's ratings led.",
      "Hunan Satellite TV will continue to broadcast it."],
     "Hunan Television", "Hunan Satellite TV"),
    (["英国《泰晤士报》连载新书，描绘哈利王子（Prince Harry）与妻子梅根（Meghan Markle）的王室生活。", "书中说，梅根曾感到孤立。"],
     ["The Times is serialising a new book about Prince Harry and his wife Meghan Markle.",
      "The book says Megan felt isolated."],
     "Megan", "Meghan"),
]

# The same articles rendered consistently, or with a short form of the full name.
CONSISTENT = [
    (["波兰司法部长焦布洛举行记者会说，他领导的司法部将提出要求。", "焦布洛表示，条约违反了家庭的权利。"],
     ["Polish Justice Minister Ziobro told a news conference that his ministry would submit a request.",
      "Ziobro said the treaty violated the rights of families."]),
    (["比利时卫生部门发言人布德温·卡特里说，女童此前患有其他疾病。", "卡特里表示，疫情仍在蔓延。"],
     ["Belgian health spokesman Boudewijn Catry said the girl had other illnesses.",
      "Catry said the epidemic was still spreading."]),
    (["湖南卫视播出了这台晚会。", "湖南卫视的收视率领先。"],
     ["Hunan Satellite TV broadcast the gala.", "Hunan TV's ratings led."]),
    (["英国《泰晤士报》连载新书，描绘哈利王子（Prince Harry）与妻子梅根（Meghan Markle）的王室生活。", "书中说，梅根曾感到孤立。"],
     ["The Times is serialising a new book about Prince Harry and his wife Meghan Markle.",
      "The book says Meghan felt isolated."]),
    (["上海市政府发布通知。", "上海鲜得来排骨年糕餐饮有限公司经理余杰表示。"],  # jieba: 上海 here, 上海鲜 there
     ["The Shanghai government issued a notice.", "Yu Jie, manager of Shanghai Xian De Lai Catering Co., Ltd., said."]),
    (["卡塔尔宣布了新政策。", "卡塔尔的天然气出口增长。", "卡塔尔官员表示欢迎。"],
     ["Qatar announced a new policy.", "Qatari gas exports grew.", "Qatar officials welcomed it."]),
    (["香港财经事务及库务局局长许正宇表示，市场运作正常。", "许正宇说，政府会继续监察。"],
     ["Secretary for Financial Services and the Treasury Christopher Hui said markets were functioning normally.",
      "Hui said the government would keep monitoring."]),
]


@pytest.mark.parametrize("sources,targets,span,suggestion", ARTICLES)
def test_flags_a_name_rendered_two_ways_in_an_article(sources, targets, span, suggestion):
    assert_one_mistranslated_name(NamesSourceDetector(), targets, sources, span, suggestion)


@pytest.mark.parametrize("sources,targets", CONSISTENT)
def test_passes_an_article_that_keeps_one_rendering(sources, targets):
    assert passes(NamesSourceDetector(), targets, sources)


def test_a_tie_goes_to_the_known_form():
    found = flagged(["羽毛球运动员林丹出席活动。", "林丹表示很高兴。"],
                    ["Badminton player Lin Dan attended the event.", "Lindane said he was happy."])
    assert [t for t, _ in found] == ["Lindane"] and found[0][1].suggestion == "Lin Dan"
    assert found[0][1].severity == Severity.MINOR and found[0][1].confidence == 0.5


# (source, target, flagged span, suggestion): places, organisations and East Asian names.
SEGMENTS = [
    ("邀请长沙、株洲、岳阳、郴州等地137家企业参展。", "137 enterprises from Changsha, Zhuzhou, Yueyang and Zhangzhou were "
     "invited.", "Zhangzhou", "Chenzhou"),
    ("目前，陕西省的降雨量创下新高。", "At present, rainfall in Shanxi has hit a record high.", "Shanxi", "Shaanxi Province"),
    ("可可西里的藏羚羊数量增加了。", "The number of Tibetan antelopes in Hoh Xili has increased.", "Hoh Xili", "Hoh Xil"),
    ("可可西里的藏羚羊数量增加了。", "The number of Tibetan antelopes in Kao Xili has increased.", "Kao Xili", "Hoh Xil"),
    ("湖南卫视播出了这台晚会。", "Hunan Weishi broadcast the gala.", "Weishi", "TV"),
    ("阿里巴巴集团宣布了新计划。", "Alibaba Jituan announced a new plan.", "Jituan", "Group"),
    ("越南总理阮春福出席了会议。", "Vietnamese Prime Minister Ruan Chunfu attended the meeting.", "Ruan Chunfu",
     "Nguyễn Xuân Phúc"),  # 福 Phúc: KANJIDIC2 gives the reading Unihan lacks
    ("韩国总统文在寅表示欢迎。", "South Korean President Wen Zaiyin welcomed it.", "Wen Zaiyin", "Moon Jae-in"),
    ("日本首相安倍晋三访问美国。", "Japanese Prime Minister An Beijinsan visited the United States.", "An Beijinsan",
     "Abe Shinzo"),
    ("记者靳梦佳报道。", "Reporter Zou Mengjia reported.", "Zou Mengjia", "Jin Mengjia"),
]

# Each rendered well, or a case the guards must leave alone.
SEGMENTS_WELL = [
    ("邀请长沙、株洲、岳阳、郴州等地137家企业参展。", "137 enterprises from Changsha, Zhuzhou, Yueyang and Chenzhou were "
     "invited."),
    ("山西和陕西的煤炭产量上升。", "Coal output rose in Shanxi and Shaanxi."),
    ("清水河流经玉树。", "The Qingshui River flows through Yushu."),
    ("湖南卫视播出了这台晚会。", "Hunan TV broadcast the gala."),
    ("韩国总统文在寅表示欢迎。", "South Korean President Moon Jae-in welcomed it."),
    ("韩国外长与王毅会谈。", "The South Korean foreign minister held talks with Wang Yi."),
    ("《胜算》根据史实改编，素材取自尘封多年的苏联军事档案。",  # 史实 "historical facts", tagged as a person
     "The Possibility of Victory is adapted from historical facts and Soviet military archives."),
    ("美国运输部长赵小兰在会上发言。", "US Transportation Secretary Elaine Chao spoke at the meeting."),
    ("国际米兰积分反超亚特兰大。", "Inter Milan moved back above Atalanta."),
    ("中国社科院日本研究所所长杨伯江表示，两国关系改善。",  # a Chinese scholar of Japan, not a Japanese person
     "Yang Bojiang, director of the Institute of Japanese Studies, said relations had improved."),
    ("漓江两岸风景秀丽。", "The scenery on both banks of the Lijiang River is beautiful."),
    ("两国友谊由胡志明主席和凯山·丰威汉主席亲手缔造。",  # jieba cuts 和凯山 ("and Kaysone") as a person
     "The friendship was forged by President Ho Chi Minh and Chairman Kaysone Phomvihane."),
]


@pytest.mark.parametrize("source,target,span,suggestion", SEGMENTS)
def test_flags_places_organisations_and_east_asian_names(source, target, span, suggestion):
    assert_one_mistranslated_name(NamesSourceDetector(), [target], [source], span, suggestion)


@pytest.mark.parametrize("source,target", SEGMENTS_WELL)
def test_passes_places_organisations_and_east_asian_names_rendered_well(source, target):
    assert passes(NamesSourceDetector(), [target], [source])


@pytest.mark.parametrize("name,vietnamese,korean", [
    ("阮", "Nguyễn", "Wan"), ("文在寅", "Văn Tại Dần", "Moon Jae-in"), ("金正恩", "Kim Chính Ân", "Kim Jeong-eun"),
])
def test_sino_vietnamese_and_sino_korean_readings(name, vietnamese, korean):
    from mtaudit.detectors.namelib import readings

    assert readings.vietnamese(name) == vietnamese
    assert readings.korean(name, person=len(name) > 1) == korean


@pytest.mark.parametrize("source,start,code", [
    ("越南总理阮春福出席了会议。", 4, "vi"), ("韩国总统文在寅表示欢迎。", 4, "ko"), ("日本首相安倍晋三访问美国。", 4, "ja"),
    ("韩国外长与王毅会谈。", 5, None), ("中国外长王毅会见了他。", 4, None), ("日本首相到访。中方代表王毅出席。", 11, None),
    ("越南政府副总理兼外长范平明", 10, "vi"), ("韩国前总统朴槿惠", 5, "ko"), ("日本研究所所长杨伯江", 8, None),
])
def test_country_before_a_name(source, start, code):
    from mtaudit.detectors.namelib.readings import country_before

    assert country_before(source, start) == code


def test_hangul_romanisation_of_the_readings_builder():
    from tools.build_lexicon import hangul_rr

    assert [hangul_rr(s) for s in "박문재인김"] == ["bak", "mun", "jae", "in", "gim"]


# (source, target, flagged span, suggestion): an organisation or medium the lexicon knows, rendered by its parts run
# into a generic word that renders one of its characters, where English has an established name.
ESTABLISHED = [
    ("据中新网报道，南京的房价上涨。", "According to China News Network, house prices in Nanjing rose.",
     "China News Network", "China News Service"),
    ("据中新网报道，南京的房价上涨。", "According to China New Network, house prices in Nanjing rose.",
     "China New Network", "China News Service"),
    ("人民日报发表评论员文章。", "The People's Daily Newspaper published a commentary.", "People's Daily Newspaper",
     "People's Daily"),
    ("中央电视台播出了这部纪录片。", "China Central Television Station broadcast the documentary.",
     "China Central Television Station", "China Central Television"),
]

# The established form, an abbreviation of it, another organisation's form, a brand with its own generic word, a
# rendering of a longer name, or no span that renders the name: no finding.
ESTABLISHED_WELL = [
    ("据中新网报道，南京的房价上涨。", "According to ChinaNews, house prices in Nanjing rose."),
    ("据中新网报道，南京的房价上涨。", "According to Chinanews.com, house prices in Nanjing rose."),
    ("据中新网报道，南京的房价上涨。", "According to China News Service, house prices in Nanjing rose."),  # 中国新闻网's form
    ("据中新网报道，南京的房价上涨。", "According to a news website, house prices in Nanjing rose."),
    ("证监会发布了基金新规。", "The CSRC issued new rules for funds."),
    ("证监会发布了基金新规。", "The Securities Regulatory Commission issued new rules for funds."),
    ("人民日报发表评论员文章。", "People's Daily published a commentary."),
    ("中央电视台播出了这部纪录片。", "CCTV broadcast the documentary."),
    ("阿里巴巴宣布了新计划。", "Alibaba Group announced a new plan."),
    ("中共中央委员会召开全体会议。", "The CPC Central Committee held a plenary session."),
    ("党中央委员会召开全体会议。", "The Party Central Committee held a plenary session."),
    ("美国国会参众两院外委会通过了法案。", "The US Congress Committee on Foreign Affairs passed the bill."),
]


@pytest.mark.parametrize("source,target,span,suggestion", ESTABLISHED)
def test_flags_an_organisation_rendered_word_by_word(source, target, span, suggestion):
    found = flagged([source], [target])
    assert [text for text, _ in found] == [span], found
    finding = found[0][1]
    assert finding.category == Category.TERMINOLOGY and finding.severity == Severity.MAJOR
    assert finding.suggestion == suggestion


@pytest.mark.parametrize("source,target", ESTABLISHED_WELL)
def test_passes_an_organisation_by_its_established_name_or_without_a_rendering(source, target):
    assert passes(NamesSourceDetector(), [target], [source])


def test_a_dotless_i_folds_like_an_i():
    # 迪亚巴克尔 is Diyarbakır in the lexicon; English writes Diyarbakir
    assert passes(NamesSourceDetector(), ["A man was rescued from the rubble of a building in Diyarbakir."],
                  ["一名男子从迪亚巴克尔一座倒塌建筑的废墟中被救出。"])
