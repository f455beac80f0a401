import pytest
from helpers import findings, flagged_text, passes

from mtaudit.detectors.untranslated import UntranslatedDetector

FOREIGN_RUNS = [
    ("The talks in 北京 ended without an agreement, officials said.", ["北京"]),
    ("The ministry said the 一带一路 initiative would continue.", ["一带一路"]),
    ("Residents of Донецк said shelling continued overnight.", ["Донецк"]),
    ("The statement, posted on the website of 外交部, gave no details.", ["外交部"]),
]


@pytest.mark.parametrize("text,spans", FOREIGN_RUNS)
def test_foreign_script_runs(text, spans):
    assert flagged_text(UntranslatedDetector(), text) == spans


@pytest.mark.parametrize("text,span,suggestion", [
    ("More than 三千 people attended the rally in the capital.", "三千", "3000"),
    ("The company plans to hire 五万 workers next year.", "五万", "50,000"),
    ("The bridge cost 十二亿 yuan to build.", "十二亿", "1.2 billion"),
])
def test_chinese_numerals_left_in_target(text, span, suggestion):
    found = findings(UntranslatedDetector(), text)
    assert flagged_text(UntranslatedDetector(), text) == [span]
    assert found[0].suggestion == suggestion and "numeral" in found[0].message


COPIED_WORDS = [
    ("Die Regierung kündigte am Montag neue Maßnahmen an, sagte der Sprecher.",
     "The Regierung announced new measures on Monday, the spokesman said.", ["Regierung"]),
    ("Kanzlerin Merkel sagte im Bundestag, die Verhandlungen würden fortgesetzt.",
     "Chancellor Merkel told the Bundestag that the Verhandlungen would continue.", ["Verhandlungen"]),
    ("Le gouvernement présentera son budget mercredi.",
     "The gouvernement will present its budget on Wednesday.", ["gouvernement"]),
    ("El ayuntamiento aprobó el presupuesto el martes.",
     "The ayuntamiento approved the budget on Tuesday.", ["ayuntamiento"]),
]


@pytest.mark.parametrize("source,target,spans", COPIED_WORDS)
def test_source_words_copied_into_target(source, target, spans):
    assert flagged_text(UntranslatedDetector(), [target], sources=[source]) == spans


LEGITIMATE = [
    # names, institutions and loanwords English news uses as they are
    ("Kanzlerin Merkel sprach im Bundestag über die Lage in der Ukraine.",
     "Chancellor Merkel spoke in the Bundestag about the situation in Ukraine."),
    ("Le dirigeant de facto a organisé un coup d'État en 2019.",
     "The de facto leader staged a coup d'état in 2019."),
    ("Die Arbeitslosigkeit stieg um drei Prozent.", "Unemployment rose three per cent."),
    ("Der Zeitgeist der Realpolitik prägt die Debatte.", "The zeitgeist of realpolitik shapes the debate."),
    ("Le président Macron a rencontré le Premier ministre à Paris.",
     "President Macron met the Prime Minister in Paris."),
    ("La película «Volver» ganó el premio.", "The film 'Volver' won the prize."),
    ("Die Bundesliga beginnt am Freitag mit dem Spiel in München.",
     "The Bundesliga starts on Friday with the match in Munich."),
]


@pytest.mark.parametrize("source,target", LEGITIMATE)
def test_legitimate_foreign_words_pass(source, target):
    assert passes(UntranslatedDetector(), [target], sources=[source])


def test_copied_source_is_critical():
    text = "Das Treffen endet am Freitag in Berlin."
    found = findings(UntranslatedDetector(), [text], sources=[text])
    assert len(found) == 1 and found[0].severity.value == "critical"


@pytest.mark.parametrize("text", ["Angela Merkel", "COVID-19", "I love you", "Reuters", "BBC News"])
def test_identical_names_and_english_quotes_pass(text):
    assert passes(UntranslatedDetector(), [text], sources=[text])


@pytest.mark.parametrize("source,target", [
    ("中国经济增长了百分之五。", "Zhongguo jingji zengzhang le bai fen zhi wu."),
    ("我们要建设社会主义现代化国家。", "Women yao jianshe shehuizhuyi xiandaihua guojia."),
])
def test_transliteration_only(source, target):
    found = findings(UntranslatedDetector(), [target], sources=[source])
    assert len(found) == 1 and "pinyin" in found[0].message and found[0].severity.value == "critical"


def test_transliteration_without_source():
    assert flags_pinyin("women yao jianshe shehuizhuyi xiandaihua guojia")


def flags_pinyin(text):
    return any("pinyin" in f.message for f in findings(UntranslatedDetector(), text))


@pytest.mark.parametrize("source,target", [
    ("习近平在北京会见了李克强。", "Xi Jinping met Li Keqiang in Beijing."),
    ("习近平、李克强", "Xi Jinping, Li Keqiang"),
    ("他们在青岛吃了饺子。", "They ate jiaozi in Qingdao."),
    ("中国人民银行宣布降息。", "The People's Bank of China announced a rate cut."),
])
def test_pinyin_names_pass(source, target):
    assert passes(UntranslatedDetector(), [target], sources=[source])


@pytest.mark.parametrize("text", [
    "Four months later, he was made Shizhong (侍中), the head of the examination bureau.",
    "The weather will warm to +12º С in the afternoon.",
    "Xi Jinping met Li Keqiang in Beijing on Tuesday.",
    "The Kremlin said the talks with Kyiv were constructive.",
])
def test_clean_english_passes(text):
    assert passes(UntranslatedDetector(), text)


# English -> German: a target left in English. German web text holds enough English that "the", "full" or "story" have
# German word frequencies of their own; what tells the languages apart is which one uses a word far more.
LEFT_IN_ENGLISH = [
    # (source, target): the target is the source, or English other than the source (an MT engine that failed, a
    # translator who pasted the wrong string): the whole sentence is reported, not one of its words
    ("The unions welcomed the plan.", "The unions welcomed the plan."),
    ("Read the full story", "Read the full story"),
    ("The unions welcomed the new rail plan on Monday.", "The unions welcomed the new plan."),
    ("The minister resigned after the vote.", "The minister has resigned after the vote on Tuesday."),
]


@pytest.mark.parametrize("source,target", LEFT_IN_ENGLISH)
def test_a_german_target_left_in_english_is_untranslated(source, target):
    found = findings(UntranslatedDetector(), [target], sources=[source], target_lang="de")
    assert [(f.start, f.end, f.severity.value) for f in found] == [(0, len(target), "critical")], found
    expected = ("target is identical to the source: not translated" if source == target else
                "sentence is in English, not German: not translated")
    assert found[0].message == expected


@pytest.mark.parametrize("target", ["The unions welcomed the new plan.", "Read the full story on our website."])
def test_without_a_source_a_german_target_left_in_english_is_untranslated(target):
    found = findings(UntranslatedDetector(), [target], target_lang="de")
    assert [(f.start, f.end, f.severity.value) for f in found] == [(0, len(target), "critical")], found


TRANSLATED_INTO_GERMAN = [
    ("The unions welcomed the plan.", "Die Gewerkschaften begrüßten den Plan."),
    ("The meeting is on Monday in Berlin.", "Das Meeting findet am Montag in Berlin statt."),
    ("Angela Merkel met Emmanuel Macron.", "Angela Merkel traf Emmanuel Macron."),
    ("The Financial Times reported the deal.", "Die Financial Times berichtete über den Deal."),
    ("Log in", "Login"),
    ("BBC News", "BBC News"),
]


@pytest.mark.parametrize("source,target", TRANSLATED_INTO_GERMAN)
def test_german_targets_with_english_names_and_loanwords_are_not_left_in_english(source, target):
    found = findings(UntranslatedDetector(), [target], sources=[source], target_lang="de")
    assert not any(f.end - f.start == len(target) for f in found), found


def test_a_copied_word_is_reported_in_words_a_reader_expects():
    found = findings(UntranslatedDetector(), ["Die Gewerkschaften welcomed den Plan der Regierung."],
                     sources=["The unions welcomed the government's plan."], target_lang="de")
    assert [f.message for f in found] == [
        "'welcomed' is copied from the source: an English word that German does not use; translate it"]
