"""names_src and Korean and Japanese people written in Chinese characters: a Korean given name spelt with a syllable
none of its characters' Korean readings gives in any usual romanisation, a Japanese surname cut short or a letter off,
and the people who are neither (a Chinese person beside the words 韩国 or 日本, a name the target does not render)."""
import pytest
from helpers import flagged_findings

from mtaudit.core.document import Category, Severity
from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.detectors.namelib import japanese, korean, readings


def flagged(sources, targets):
    return flagged_findings(NamesSourceDetector(), targets, sources)


def reading_findings(sources, targets):
    """The findings of the Korean and Japanese reading checks (not the pinyin one, which has its own tests)."""
    return [(t, f) for t, f in flagged(sources, targets) if "readings" in f.message]


# ---- Korean spellings ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reading,spelt", [
    ("mun", {"mun", "moon"}), ("seok", {"seok", "suk", "sok"}), ("jae", {"jae", "jai", "chae"}),
    ("gyeong", {"gyeong", "kyung", "kyong"}), ("hwa", {"hwa", "wha"}), ("deok", {"deok", "duck", "duk"}),
    ("ui", {"ui", "eui"}), ("hui", {"hui", "hee"}), ("eun", {"eun", "un"}), ("choe", {"choe", "choi"}),
    ("son", {"son", "sohn"}), ("an", {"an", "ahn"}), ("man", {"man", "maan"}), ("se", {"se", "sye"}),
    ("yeong", {"yeong", "young", "yong"}), ("su", {"su", "soo"}),
])
def test_korean_syllables_in_every_usual_romanisation(reading, spelt):
    assert spelt <= korean.spellings(reading)


@pytest.mark.parametrize("reading,not_spelt", [("in", "yin"), ("seok", "xi"), ("su", "zhu"), ("jae", "zai"),
                                               ("yeol", "yue"), ("u", "wu")])
def test_pinyin_is_no_spelling_of_a_korean_syllable(reading, not_spelt):
    assert not_spelt not in korean.spellings(reading)


def test_korean_surnames_by_their_conventional_spellings():
    assert {"lee", "yi", "rhee", "ri"} <= korean.surname_spellings(readings.korean_readings("李"), "Lee")
    assert {"park", "bak", "pak"} <= korean.surname_spellings(readings.korean_readings("朴"), "Park")


# ---- Korean people ---------------------------------------------------------------------------------------------------

MOON = "韩国总统文在寅在青瓦台会见了来访的美国国务卿。"
YOON = "韩国总统尹锡悦11日在首尔会见了到访的日本外相。"
HAN = "韩国国务总理韩德洙出席了在首尔举行的经济论坛。"
CHOE = "朝鲜外相崔善姬当天发表谈话，批评美韩联合军演。"


@pytest.mark.parametrize("source,target,span,suggestion", [
    (MOON, "South Korean President Moon Jae-yin met the visiting US Secretary of State at the Blue House.",
     "Moon Jae-yin", "Moon Jae-in"),
    (YOON, "South Korean President Yoon Xi-yeol met the visiting Japanese foreign minister in Seoul on the 11th.",
     "Yoon Xi-yeol", "Yoon Suk Yeol"),
    (HAN, "South Korean Prime Minister Han Duck-zhu attended an economic forum in Seoul.", "Han Duck-zhu",
     "Han Duck-soo"),
    (CHOE, "North Korean Foreign Minister Choe Shan Hui issued a statement criticising the joint drills.",
     "Choe Shan Hui", "Choi Seon-hui"),
    (MOON, "South Korean President Moon Jaeyan met the visiting US Secretary of State at the Blue House.",
     "Moon Jaeyan", "Moon Jae-in"),
    (MOON, "South Korean President Jae-zai Moon met the visiting US Secretary of State at the Blue House.",
     "Jae-zai Moon", "Moon Jae-in"),
])
def test_a_korean_given_name_with_a_syllable_none_of_its_readings_gives(source, target, span, suggestion):
    found = reading_findings([source], [target])
    assert [t for t, _ in found] == [span], found
    finding = found[0][1]
    assert finding.severity == Severity.MAJOR and finding.category == Category.MISTRANSLATION
    assert finding.suggestion == suggestion


@pytest.mark.parametrize("source,target", [
    (MOON, "South Korean President Moon Jae-in met the visiting US Secretary of State at the Blue House."),
    (MOON, "South Korean President Mun Jae In met the visiting US Secretary of State at the Blue House."),
    (MOON, "South Korean President Moon Jaein met the visiting US Secretary of State at the Blue House."),
    (MOON, "South Korean President Jae-in Moon met the visiting US Secretary of State at the Blue House."),
    (YOON, "South Korean President Yoon Suk-yeol met the visiting Japanese foreign minister in Seoul on the 11th."),
    (YOON, "South Korean President Yun Seok-yeol met the visiting Japanese foreign minister in Seoul on the 11th."),
    (YOON, "South Korean President Yoon Suk Yeol met the visiting Japanese foreign minister in Seoul."),
    (HAN, "South Korean Prime Minister Han Deok-su attended an economic forum in Seoul."),
    (CHOE, "North Korean Foreign Minister Choe Son Hui issued a statement criticising the joint drills."),
    (CHOE, "North Korean Foreign Minister Choe Son-hui issued a statement criticising the joint drills."),
    ("韩国国防部长李钟燮访问了华盛顿。", "South Korean Defence Minister Lee Jong-sup visited Washington."),
    ("韩国国防部长李钟燮访问了华盛顿。", "South Korean Defence Minister Rhee Jong Sup visited Washington."),
    (MOON, "The South Korean president met the visiting US Secretary of State at the Blue House."),
])
def test_a_korean_name_in_any_usual_romanisation_or_not_rendered_is_left_alone(source, target):
    assert flagged([source], [target]) == []


def test_a_korean_person_the_article_introduced_is_checked_in_a_later_sentence():
    sources = [YOON, "尹锡悦表示，韩日两国应加强合作。"]
    targets = ["South Korean President Yoon Suk-yeol met the visiting Japanese foreign minister in Seoul on the 11th.",
               "Yoon Xi-yeol said South Korea and Japan should strengthen cooperation."]
    found = reading_findings(sources, targets)
    assert [t for t, _ in found] == ["Yoon Xi-yeol"]
    assert found[0][1].severity == Severity.MAJOR and found[0][1].confidence < 0.7


@pytest.mark.parametrize("source,target", [
    ("中国社会科学院韩国研究中心主任李明光表示，两国合作前景广阔。",
     "Li Mingguang, director of the Korea Research Center of the Chinese Academy of Social Sciences, said so."),
    ("韩国外长朴振与王毅举行会谈。", "South Korean Foreign Minister Park Jin held talks with Wang Yi."),
    ("韩国外长与王毅举行会谈，王毅表示欢迎。", "The South Korean foreign minister held talks with Wang Yi, who welcomed it."),
])
def test_chinese_people_beside_korea_are_not_korean(source, target):
    assert reading_findings([source], [target]) == []


# ---- Japanese surnames -----------------------------------------------------------------------------------------------

ABE = "日本前首相安倍晋三8日在奈良市发表演讲时遭枪击。"
KISHIDA = "日本首相岸田文雄当天在东京出席了一场经济论坛。"


@pytest.mark.parametrize("word,form", [("Kōno", "kono"), ("Kouno", "kono"), ("Kohno", "kono"), ("Ōhno", "ono"),
                                       ("Homma", "honma"), ("Ito", "ito"), ("Itoh", "ito"), ("Yuuki", "yuki")])
def test_japanese_long_vowels_and_nasals_are_spelt_one_way(word, form):
    assert japanese.normalised(word) == form


def test_japanese_surnames_come_from_jmnedict_with_the_established_reading_first():
    found, sure = japanese.surnames()["安倍"]
    assert found[0] == "Abe" and sure and "Anbe" in found
    assert japanese.established("石破") == "Ishiba"
    assert japanese.established("菅") is None  # Suga or Kan: no one reading


@pytest.mark.parametrize("name,keys", [("岸田文雄", ["岸田"]), ("小池百合子", ["小池"]), ("林芳正", ["林"]),
                                       ("石破茂", ["石破", "石"])])
def test_the_surname_a_japanese_name_begins_with(name, keys):
    assert japanese.surname_keys(name)[:len(keys)] == keys


@pytest.mark.parametrize("source,target,span,suggestion", [
    (ABE, "Former Japanese Prime Minister Shinzo Ab was shot while giving a speech in Nara on the 8th.", "Ab", "Abe"),
    (KISHIDA, "Japanese Prime Minister Fumio Kishi attended an economic forum in Tokyo that day.", "Kishi",
     "Kishida"),
    (KISHIDA, "Japanese Prime Minister Fumio Kishide attended an economic forum in Tokyo that day.", "Kishide",
     "Kishida"),
])
def test_a_japanese_surname_cut_short_or_a_letter_off(source, target, span, suggestion):
    found = reading_findings([source], [target])
    assert [t for t, _ in found] == [span], found
    finding = found[0][1]
    assert finding.severity == Severity.MAJOR and finding.suggestion == suggestion


@pytest.mark.parametrize("source,target", [
    (ABE, "Former Japanese Prime Minister Shinzo Abe was shot while giving a speech in Nara on the 8th."),
    (ABE, "Former Japanese Prime Minister Abe Shinzō was shot while giving a speech in Nara on the 8th."),
    (KISHIDA, "Japanese Prime Minister Kishida Fumio attended an economic forum in Tokyo that day."),
    ("日本外务大臣河野太郎表示，日方将继续推进对话。", "Japanese Foreign Minister Taro Kono said Japan would keep up the dialogue."),
    ("日本外务大臣河野太郎表示，日方将继续推进对话。", "Japanese Foreign Minister Taro Kohno said Japan would keep up the dialogue."),
    ("日本外务大臣河野太郎表示，日方将继续推进对话。", "Japanese Foreign Minister Taro Kōno said Japan would keep up the dialogue."),
    ("日本外相林芳正表示，日方愿意加强沟通。", "Japanese Foreign Minister Yoshimasa Hayashi said Japan was willing to talk."),
    ("日本研究所所长杨伯江认为，两国关系面临挑战。",
     "Yang Bojiang, director of the Institute of Japanese Studies, believes relations face challenges."),
    (KISHIDA, "The Japanese prime minister attended an economic forum in Tokyo that day."),
])
def test_a_japanese_surname_read_right_or_not_rendered_or_a_chinese_person_is_left_alone(source, target):
    assert reading_findings([source], [target]) == []


def test_a_later_mention_of_the_surname_alone_is_minor():
    sources = [KISHIDA, "岸田表示，日本将继续推进经济改革。"]
    targets = ["Japanese Prime Minister Fumio Kishida attended an economic forum in Tokyo that day.",
               "Prime Minister Kishi said Japan would keep pushing economic reform."]
    found = reading_findings(sources, targets)
    assert [t for t, _ in found] == ["Kishi"]
    assert found[0][1].severity == Severity.MINOR and found[0][1].suggestion == "Kishida"


def test_another_korean_person_of_the_article_written_right_is_no_mismatch():
    sources = ["朝鲜最高领导人金正恩在朝鲜前领导人金正日诞辰纪念日当天视察了一家工厂。"]
    targets = ["North Korean leader Kim Jong Un inspected a factory on the birthday of former leader Kim Jong Il."]
    assert reading_findings(sources, targets) == []
    targets = ["North Korean leader Kim Jong Ul inspected a factory on the birthday of former leader Kim Jong Il."]
    assert [t for t, _ in reading_findings(sources, targets)] == ["Kim Jong Ul"]


@pytest.mark.parametrize("source,people", [
    ("日本经济再生担当大臣后藤茂之出席了论坛。", [("后藤", 10, ["后藤"])]),
    ("日本前首相安倍晋三遇刺身亡。", [("安倍晋三", 5, ["安倍"])]),
    ("日本外务大臣上川阳子当天会见了美国国务卿。", [("上川", 6, ["上川"])]),  # jieba: 上 + 川 + 阳子
    ("日本关东军在中国东北发动了九一八事变。", []),
    ("日本研究所所长杨伯江认为，两国关系面临挑战。", []),
    ("日本政府发言人表示，将继续关注局势。", []),
])
def test_japanese_people_are_introduced_by_japan_and_a_title(source, people):
    from mtaudit.detectors.namelib.source_names import PERSON_TAGS, name_candidates

    assert japanese.japanese_people(source, name_candidates, PERSON_TAGS) == people


@pytest.mark.parametrize("target,span", [
    ("Japanese Prime Minister Fumio Anda attended an economic forum in Tokyo that day.", "Anda"),
    ("Japanese Prime Minister Anda Fumio attended an economic forum in Tokyo that day.", "Anda"),
    ("Japanese Prime Minister Fumio attended an economic forum in Tokyo that day.", None),
    ("Japanese Prime Minister Fumio Kishita attended an economic forum in Tokyo that day.", None),  # a reading
])
def test_a_surname_beside_the_given_name_the_lexicon_gives_that_is_none_of_its_readings(target, span):
    found = reading_findings([KISHIDA], [target])
    assert [t for t, _ in found] == ([span] if span else []), found
    if span:
        assert found[0][1].suggestion == "Kishida" and found[0][1].severity == Severity.MAJOR


@pytest.mark.parametrize("source,target,span", [
    ("日本防卫大臣滨田靖一当天视察了自卫队基地。", "Japanese Defence Minister Yasukazu Hamad inspected a base that day.",
     "Hamad"),  # 浜田 written 滨田
    ("日本前防卫大臣石破茂当天接受了采访。", "Former Japanese Defence Minister Shigeru Ishi gave an interview that day.",
     "Ishi"),  # a name of three: the lexicon's form says the surname is 石破
    ("日本外务大臣上川阳子当天会见了美国国务卿。", "Japanese Foreign Minister Yoko Kamika met the US Secretary of State.",
     "Kamika"),  # jieba cuts the name into 上 + 川 + 阳子
])
def test_japanese_surnames_jieba_or_the_characters_make_hard_to_find(source, target, span):
    assert [t for t, _ in reading_findings([source], [target])] == [span]


@pytest.mark.parametrize("source,target", [
    ("日本防卫大臣滨田靖一当天视察了自卫队基地。", "Japanese Defence Minister Yasukazu Hamada inspected a base that day."),
    ("日本前防卫大臣石破茂当天接受了采访。", "Former Japanese Defence Minister Shigeru Ishiba gave an interview that day."),
    ("日本外务大臣上川阳子当天会见了美国国务卿。", "Japanese Foreign Minister Yoko Kamikawa met the US Secretary of State."),
    ("日本前首相吉田茂曾访问美国。", "Former Japanese Prime Minister Shigeru Yoshida visited the United States."),
])
def test_those_surnames_written_right_are_left_alone(source, target):
    assert reading_findings([source], [target]) == []


@pytest.mark.parametrize("source,people", [
    ("韩国总统尹锡悦和日本首相岸田文雄举行会谈。", {"尹锡悦"}),
    ("韩国外交部长官朴振当天表示。", set()),  # a given name of one character: not checked
    ("韩国前副总理洪楠基当天表示，两国应加强合作。", {"洪楠基"}),  # jieba finds no person here
    ("韩国政府高官表示，将继续推动改革。", set()),  # 高 is a Korean surname, 高官 a Chinese word
    ("韩国外长与王毅举行会谈。", set()),
])
def test_korean_people_are_introduced_by_korea_and_a_title(source, people):
    from mtaudit.detectors.namelib.source_names import PERSON_TAGS, name_candidates

    assert readings.korean_people([source], name_candidates, PERSON_TAGS) == people


@pytest.mark.parametrize("source,target", [
    ("日本外务大臣上川阳子当天会见了美国国务卿。", "Japanese Foreign Minister Yoko Kamikawa met the US Secretary of State."),
    ("韩国国防部长李钟燮当天访问了华盛顿。", "South Korean Defence Minister Lee Jong-sup visited Washington that day."),
])
def test_korean_and_japanese_people_the_lexicon_lacks_are_not_read_as_chinese_names(source, target):
    assert flagged([source], [target]) == []
