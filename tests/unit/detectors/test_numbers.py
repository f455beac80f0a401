import pytest
from helpers import SEED, findings, flagged_text, make_doc, passes
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.detectors.numbers import NumbersDetector
from mtaudit.core.document import Category
from mtaudit.detectors.numlib.chinese import chinese_quantities, parse_chinese_numeral
from mtaudit.detectors.numlib.english import english_quantities
from mtaudit.detectors.numlib.european import latin_quantities
from mtaudit.detectors.numlib.quantity import values_agree
from mtaudit.detectors.repetition import RepetitionDetector
from mtaudit.detectors.untranslated import UntranslatedDetector

# ---- parsing ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("numeral,value", [
    ("三千", 3000), ("一百二十三", 123), ("十五", 15), ("两万", 20000), ("一亿三千万", 1.3e8), ("三万亿", 3e12),
    ("十万", 1e5), ("三点五亿", 3.5e8), ("二〇二一", 2021), ("五万三千", 53000), ("一千零五", 1005),
])
def test_chinese_numerals(numeral, value):
    assert parse_chinese_numeral(numeral) == pytest.approx(value)


@pytest.mark.parametrize("source,expected", [
    ("双边贸易达到1230亿美元。", [(1.23e11, "num", "USD")]),
    ("公司计划投资1.5亿元人民币。", [(1.5e8, "num", "CNY")]),
    ("失业率上升了百分之三十。", [(30, "pct", None)]),
    ("约三千名工人参加了罢工。", [(3000, "num", None)]),
    ("会谈定于2021年12月15日举行。", [(2021, "num", None), (1215, "date", None)]),
    ("他们在十二月十五日签署了协议。", [(1215, "date", None)]),
    ("一半以上的受访者表示反对。", [(0.5, "num", None)]),
    ("该国三成的电力来自煤炭。", [(30, "pct", None)]),
    ("与六家工厂签署了协议。", [(6, "num", None)]),
])
def test_chinese_source_figures(source, expected):
    found = [(q.value, q.kind, q.unit) for q in chinese_quantities(source)]
    assert found == [(pytest.approx(v), k, u) for v, k, u in expected]


@pytest.mark.parametrize("source", [
    "他们一起讨论了这个问题，一些代表十分满意。",  # 一起, 一些, 十分: not figures
    "双方三心二意的态度让谈判陷入僵局。",  # chengyu
    "数千名抗议者聚集在广场上。",  # 数千 "thousands": vague
    "会议将于星期三举行，周一公布议程。",  # weekdays
    "两国领导人举行了会谈。",  # 两国 "the two countries", often "bilateral"
    "十几个国家派出了代表团，三四个部门参与。",  # ranges
])
def test_chinese_source_without_figures(source):
    assert chinese_quantities(source) == []


@pytest.mark.parametrize("text,value,kind", [
    ("Trade rose to $123 billion.", 1.23e11, "num"),
    ("It produced more than 150 million doses.", 1.5e8, "num"),
    ("Unemployment rose 30 per cent.", 30, "pct"),
    ("The first eleven months.", 11, "num"),
    ("There are a quarter of a million species.", 2.5e5, "num"),
    ("They needed two and a half million parts.", 2.5e6, "num"),
    ("Half a million people marched.", 5e5, "num"),
    ("The talks opened on December 15.", 1215, "date"),
    ("The talks opened on 15 Dec.", 1215, "date"),
    ("Output rose by a dozen units.", 12, "num"),
    ("Prices rose 4.2pct.", 4.2, "pct"),
])
def test_english_figures(text, value, kind):
    assert any(q.kind == kind and pytest.approx(value) in q.values for q in english_quantities(text)), \
        [(q.text, q.values, q.kind) for q in english_quantities(text)]


def test_european_digits_have_both_readings():
    (q,) = latin_quantities("Die Kosten lagen bei 1.234 Euro.")
    assert set(q.values) == {1234.0, 1.234}
    (q,) = latin_quantities("Der Umsatz stieg um 3,5 Prozent.")
    assert q.values == (3.5,) and q.kind == "pct"
    (q,) = latin_quantities("Le budget atteint 1,5 milliard d'euros.")
    assert q.values == (1.5e9,)


@pytest.mark.parametrize("source,target", [
    ("1230亿", "$123.4 billion"), ("1.234亿", "about 123 million"), ("1230亿", "123 billion"),
])
def test_rounding_tolerated(source, target):
    (s,) = chinese_quantities(source)
    t = [q for q in english_quantities(target) if q.digits][0]
    assert values_agree(s, t)


# ---- monolingual checks ---------------------------------------------------------------------------------------------

MALFORMED = [
    ("The district has a population of 1,00,000 people, officials said.", "1,00,000", "100,000"),
    ("The fund raised 12,3456 dollars in its first week.", "12,3456", None),
    ("Inflation rose 3,5 per cent in March, the statistics office said.", "3,5", "3.5"),
    ("The deal was signed on 3.5.2021 in Vienna.", "3.5.2021", "May 3, 2021"),
    ("The ministry spent 1.234.567 euros on consultants.", "1.234.567", "1,234,567"),
    ("Tickets cost $5 dollars each at the gate.", "$5 dollars", "$5"),
    ("Exports to Europe grew 12%% in the quarter.", "%%", "%"),
    ("Sales rose 4% percent in the quarter.", "% percent", "%"),
    ("The company will invest 1.5 millions in the new plant.", "1.5 millions", "1.5 million"),
    ("The project will cost 1.23 hundred million yuan.", "1.23 hundred million", "123 million"),
    ("About 5 ten thousand people attended the rally.", "5 ten thousand", "50,000"),
]


@pytest.mark.parametrize("text,span,suggestion", MALFORMED)
def test_malformed_numbers(text, span, suggestion):
    found = findings(NumbersDetector(), text)
    assert flagged_text(NumbersDetector(), text) == [span]
    assert found[0].suggestion == suggestion


@pytest.mark.parametrize("text,span", [
    ("The ceasefire took effect on February 30, diplomats said.", "February 30"),
    ("Voting ends on 31 April, the commission said.", "31 April"),
    ("The law came into force on 2021-13-01.", "2021-13-01"),
    ("The hearing is set for February 29, 2023, court papers show.", "February 29, 2023"),
])
def test_impossible_dates(text, span):
    found = findings(NumbersDetector(), text)
    assert flagged_text(NumbersDetector(), text) == [span]
    assert found[0].category == "Accuracy/Mistranslation"


@pytest.mark.parametrize("text,target_lang,message", [
    ("The ceasefire took effect on February 30, diplomats said.", "en",
     "impossible date 'February 30': February has at most 29 days"),
    ("The hearing is set for February 29, 2023, court papers show.", "en",
     "impossible date 'February 29, 2023': February has 28 days in 2023, which is not a leap year"),
    ("The vote is on February 30, 2024.", "en", "impossible date 'February 30, 2024': February has 29 days in 2024"),
    ("Voting ends on 31 April, the commission said.", "en", "impossible date '31 April': April has 30 days"),
    ("Die Wahl findet am 30. Februar statt.", "de", "impossible date '30. Februar': February has at most 29 days"),
    ("Die Wahl fand am 29. Februar 2023 statt.", "de",
     "impossible date '29. Februar 2023': February has 28 days in 2023, which is not a leap year"),
])
def test_impossible_dates_say_how_many_days_the_month_has(text, target_lang, message):
    assert [f.message for f in findings(NumbersDetector(), text, target_lang=target_lang)] == [message]


CLEAN = [
    "The Russian head of state said bilateral trade rose 31% to $123 billion in the first eleven months of this year.",
    "The company has signed agreements with six factories to produce more than 150 million doses.",
    "They agreed to extend the treaty for 20 years, the Kremlin said on December 15, 2021.",
    "The index rose 1.5 percent to 12,345.67 points, while the pound traded at $1.3570.",
    "He was born on February 29, 2000, and moved to Paris in May.",
    "Hundreds of thousands of people marched in 2019, and thousands more joined in 2020.",
    "The loan of 2.5 billion euros ($2.9 billion) matures in 2030.",
    "Version 3.5.2 of the software was released on 14/02/2021.",
    "Several thousands of refugees crossed the border, the UN said.",
    "The tally was 3-2, with 1,234 fans in the stadium and 56,000 watching at home.",
    "Shares fell 0.4% to 98.50 pence in London.",
    "She scored 9.5, 9.25 and 9.75 in the final rounds.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_figures_pass(text):
    assert passes(NumbersDetector(), text)


def test_seed_article_figures_are_quiet(shared):
    assert findings(NumbersDetector(), SEED.read_text(encoding="utf-8")) == []


# ---- one figure, two values in one article -------------------------------------------------------------------------

def test_transposed_figure_within_article():
    article = ("The Russian head of state said bilateral trade rose 31% to $123 billion in the first eleven months."
               "\n\nAnalysts said bilateral trade of $132 billion was a record for the two neighbours.")
    found = findings(NumbersDetector(), article)
    assert flagged_text(NumbersDetector(), article) == ["$132 billion"]
    assert "$123 billion" in found[0].message and "trade" in found[0].message


@pytest.mark.parametrize("article", [
    # different quantities that happen to share digits
    "Exports rose 12% to $45 billion in October.\n\nImports fell 21% to $54 billion in the same month.",
    # a figure and its revision, said so
    "The ministry put the deficit at $123 billion.\n\nIt later revised the deficit to $132 billion.",
    # the same figure repeated
    "Trade rose to $123 billion.\n\nThe $123 billion trade figure was a record.",
])
def test_article_consistency_quiet(article):
    assert passes(NumbersDetector(), article)


# ---- one quantity at two scales in one article ---------------------------------------------------------------------

SCALE_SLIPS = [
    # (article, the flagged figure): the later mention is flagged, the message names both
    ("China will donate 20 million doses of its vaccine to African countries, the foreign ministry said.\n\n"
     "Officials said the 2 million doses of the vaccine would arrive in Nairobi first.", "2 million"),
    ("The company will invest $1.5 billion in the new battery plant in Hai Phong.\n\n"
     "The $15 billion plant will employ 3,000 workers.", "$15 billion"),
    ("Rescuers said 1.2 million people had been evacuated from the flooded provinces.\n\n"
     "Local officials said 12 million people had been evacuated from the flooded areas by Sunday night.",
     "12 million"),
    ("The central bank injected 150 billion yuan into the banking system on Monday.\n\n"
     "Analysts said the injection of 1.5 trillion yuan into the banking system would calm the markets.",
     "1.5 trillion"),
]

SCALE_NEAR_MISSES = [
    # the two values in one sentence: a comparison
    "Sales went from 2 million units to 20 million units in a decade, the company said.",
    # said to be different times
    "Sales rose to 20 million units last year.\n\nThe company sold 2 million units in 2015.",
    "The country had 2 million cars on its roads.\n\nToday it has 20 million cars on its roads.",
    # growth said in so many words
    "The fund manages $4 billion.\n\nIts assets grew tenfold from $400 million when it was founded.",
    # the same noun but nothing else in common: different places
    "The city has 2 million residents.\n\nThe province around it counts 20 million residents.",
    # different things counted
    "The government bought 2 million doses.\n\nAbout 20 million people have registered for the vaccine.",
    # a third value: a list of different quantities, not one quantity
    "Pfizer will ship 2 million doses of vaccine.\n\nModerna will ship 5 million doses of vaccine.\n\n"
    "AstraZeneca will ship 20 million doses of vaccine.",
    # not a power of ten apart
    "The company will invest $1.5 billion in the new plant.\n\nThe $3 billion plant is the largest in the region.",
    # percentages move by factors of ten without being slips
    "Unemployment stood at 2% in the capital.\n\nUnemployment in the capital's poorest district stood at 20%.",
    # the same figure repeated at the same scale, written two ways
    "The deal is worth $1.5 billion.\n\nThe $1,500 million deal was signed in Hanoi.",
    # a plan or a target is another quantity
    "The region produced 3 million tonnes of grain.\n\nThe region plans to produce 30 million tonnes of grain.",
]


@pytest.mark.parametrize("article,flagged", SCALE_SLIPS)
def test_scale_slip_within_article(article, flagged):
    found = findings(NumbersDetector(), article)
    assert flagged_text(NumbersDetector(), article) == [flagged]
    assert found[0].category == Category.INCONSISTENCY and "times apart" in found[0].message


@pytest.mark.parametrize("article", SCALE_NEAR_MISSES)
def test_scale_near_misses_stay_quiet(article):
    assert passes(NumbersDetector(), article)


# ---- with the source -------------------------------------------------------------------------------------------------

SOURCE = "今年前11个月双边贸易增长31%，达到1230亿美元，已与六家工厂签署协议，生产超过1.5亿剂疫苗。"

WITH_SOURCE_OK = [
    (SOURCE, "In the first 11 months, bilateral trade rose 31% to $123 billion, and agreements were signed with six "
             "factories to produce more than 150 million doses."),
    (SOURCE, "Bilateral trade grew 31 per cent to US$123bn in the first eleven months; six factories will make over "
             "150 million doses."),
    ("两国领导人将于12月15日举行视频会晤。", "The two leaders will hold a video call on Dec. 15."),
    ("两国领导人将于12月15日举行视频会晤。", "The two leaders will hold a video call on 15 December."),
    ("约三千人参加了集会，其中百分之三十是学生。", "About 3,000 people attended the rally, 30% of them students."),
    ("一半以上的受访者表示支持。", "More than half of those polled said they supported it."),
    ("该项目投资1.234亿元。", "The project will cost about 123 million yuan."),
    ("2021年，该公司营收增长了两倍。", "In 2021 the company's revenue tripled."),
    ("这座桥长5公里。", "The bridge is about three miles long."),
    ("Der Umsatz stieg um 3,5 Prozent auf 1,2 Milliarden Euro.", "Sales rose 3.5 percent to 1.2 billion euros."),
    ("Les ventes ont atteint 1 234,5 millions d'euros.", "Sales reached 1,234.5 million euros."),
    ("他们一起讨论了一些问题，十分满意。", "They discussed some issues together and were very satisfied."),
    ("会议于12月15日15:30开始。", "The meeting starts at 3:30 p.m. on December 15."),
    ("会议15点开始。", "The meeting starts at 3 p.m."),
    ("Die Gespräche finden am 15. Dezember 2021 in Berlin statt.", "The talks take place on December 15, 2021."),
    ("Die Gespräche finden am 15.12.2021 in Berlin statt.", "The talks take place on 15 December 2021."),
    ("Das Ticket kostet 3,50 Euro, der Zug fährt um 15.30 Uhr.", "The ticket costs 3.50 euros; the train leaves at 3:30 p.m."),
    ("Mehr als 3.000 Menschen nahmen teil.", "More than 3,000 people took part."),
    ("该公司将投资人民币1.5亿元。", "The company will invest RMB 150 million."),
    ("失业率下降了5个百分点。", "Unemployment fell by 5 percentage points."),
    ("贵州茅台（600519.SH）股价上涨2%。", "Shares of Kweichow Moutai (600519.SH) rose 2%."),
]


@pytest.mark.parametrize("source,target", WITH_SOURCE_OK)
def test_source_figures_present(source, target):
    assert passes(NumbersDetector(), [target], sources=[source])


WITH_SOURCE_WRONG = [
    # (source, target, flagged span, expected value in the message)
    (SOURCE, "In the first 11 months, bilateral trade rose 31% to $1.23 billion, and agreements were signed with six "
             "factories to produce more than 150 million doses.", "$1.23 billion", "$123 billion"),
    (SOURCE, "In the first 11 months, bilateral trade rose 31% to $123 billion, and agreements were signed with six "
             "factories to produce more than 15 million doses.", "15 million", "150 million"),
    (SOURCE, "In the first 11 months, bilateral trade rose 13% to $123 billion, and agreements were signed with six "
             "factories to produce more than 150 million doses.", "13%", "31%"),
    (SOURCE, "In the first 11 months, bilateral trade rose 31% to $123 billion, and agreements were signed with seven "
             "factories to produce more than 150 million doses.", "seven", "6"),
    ("两国领导人将于12月15日举行视频会晤。", "The two leaders will hold a video call on December 16.", "December 16",
     "December 15"),
    ("有些冰超过十万年。", "Some of the ice is more than ten thousand years old.", "ten thousand", "100,000"),
    ("想象一下，十亿年前，两个黑洞相撞。", "Imagine two black holes colliding two billion years ago.", "two billion",
     "1 billion"),
    ("Der Umsatz stieg um 3,5 Prozent.", "Sales rose 35 percent.", "35 percent", "3.5%"),
    ("Die Gespräche finden am 15.12.2021 statt.", "The talks take place on December 16, 2021.", "December 16",
     "December 15"),
]


@pytest.mark.parametrize("source,target,span,expected", WITH_SOURCE_WRONG)
def test_source_figures_changed(source, target, span, expected):
    found = findings(NumbersDetector(), [target], sources=[source])
    assert flagged_text(NumbersDetector(), [target], sources=[source]) == [span]
    assert expected in found[0].message and found[0].category == "Accuracy/Mistranslation"


def test_source_figure_missing_flags_the_sentence():
    source = "今年前11个月双边贸易增长31%，达到1230亿美元。"
    target = "Bilateral trade reached $123 billion in the first 11 months."
    found = findings(NumbersDetector(), [target], sources=[source])
    assert flagged_text(NumbersDetector(), [target], sources=[source]) == [target]
    assert "31%" in found[0].message and found[0].severity.value == "major"


def test_currency_changed():
    found = findings(NumbersDetector(), ["The fund is worth 500 million yuan."], sources=["该基金价值5亿美元。"])
    assert len(found) == 1 and "US dollars" in found[0].message


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "三千" * 5000, "1" * 10000, "$" * 500 + "5 dollars"])
def test_odd_input_does_not_crash(text):
    doc = make_doc([text or "x"], sources=[text])
    NumbersDetector().detect(doc)


def test_seed_quiet_for_untranslated_and_repetition_too(shared):
    text = SEED.read_text(encoding="utf-8")
    assert findings(UntranslatedDetector(), text) == []
    assert findings(RepetitionDetector(), text) == []


# ---- property test: this detector family never crashes and keeps offsets valid ------------------------------------

_PIECES = st.sampled_from([
    "0", "1", "12", "3,5", "1.234", "1,00,000", "%", "$", "€", "¥", " ", "-", "/", ".", ",", "\n", "\t",
    "million", "billion", "February", "30", "May", "per cent", "dollars", "and a half", "half", "a", "the", "the",
    "年", "月", "日", "万", "亿", "千", "百", "十", "三", "两", "点", "百分之", "一半", "美元", "，", "。",
    "Die", "und", "Regierung", "Мир", "“", "”", "'", "(", ")", "jingji", "zhongguo",
])
_TEXT = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(target=_TEXT, source=st.one_of(st.none(), _TEXT))
def test_detectors_survive_arbitrary_figures(target, source):
    doc = make_doc([target if target.strip() else "x"], sources=[source])
    for detector in (NumbersDetector(), UntranslatedDetector(), RepetitionDetector()):
        for sentence, finding in detector.detect(doc):
            assert 0 <= finding.start <= finding.end <= len(sentence.text)


def test_missing_figure_flags_the_sentence_with_its_neighbours():
    source = "会谈持续了两个小时。双边贸易增长31%，达到1230亿美元。"
    target = ("The talks lasted two hours, the Kremlin said in a long statement issued late on Wednesday evening. "
              "Bilateral trade reached $123 billion.")
    found = findings(NumbersDetector(), [target], sources=[source])
    assert flagged_text(NumbersDetector(), [target], sources=[source]) == ["Bilateral trade reached $123 billion."]
    assert "31%" in found[0].message


# ---- measured on the shared data (skipped without ../shared) ------------------------------------------------------

def _news_blocks(shared, blocks=100, size=20):
    """2,000 lines of clean news as 100 pseudo-documents of 20 consecutive lines, spread evenly over the file."""
    path = shared / "data" / "news-en" / "newstest-2008-2021.en.txt"
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    step = len(lines) // blocks
    return [lines[i * step:i * step + size] for i in range(blocks)]


@pytest.mark.parametrize("detector,ceiling", [
    (NumbersDetector, 0.3), (UntranslatedDetector, 0.3), (RepetitionDetector, 0.5)])
def test_false_positive_rate_on_clean_news(shared, detector, ceiling):
    sentences = hits = 0
    for block in _news_blocks(shared):
        doc = make_doc(block)
        sentences += sum(1 for _ in doc.sentences())
        hits += len(detector().detect(doc))
    assert 100 * hits / sentences < ceiling, f"{hits} findings on {sentences} sentences"


def _mqm_documents(shared):
    """MQM TED zh-en as one document per (system, talk), with every rater's marked spans per segment."""
    import csv
    import re
    from collections import defaultdict

    csv.field_size_limit(10**8)
    path = shared / "data" / "mqm" / "mqm_ted_zhen.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    segments, spans = {}, defaultdict(list)
    for system, talk, _, seg_id, _, source, target, _, _ in rows:
        key = (system, talk, int(seg_id))
        segments.setdefault(key, (source, target.replace("<v>", "").replace("</v>", "")))
        marked = re.search(r"<v>(.*?)</v>", target, re.S)
        if marked:
            start = target.index("<v>")
            spans[key].append((start, start + len(marked.group(1))))
    talks = defaultdict(list)
    for key in sorted(segments):
        talks[key[:2]].append(key)
    for keys in talks.values():
        doc = make_doc([segments[k][1] for k in keys], [segments[k][0] for k in keys])
        yield doc, dict(zip((id(s) for s in doc.segments), (spans[k] for k in keys)))


@pytest.mark.parametrize("detector,floor", [(NumbersDetector, 0.5), (RepetitionDetector, 0.5)])
def test_precision_on_mqm_marked_spans(shared, detector, floor):
    total = hit = 0
    for doc, spans in _mqm_documents(shared):
        for sentence, finding in detector().detect(doc):
            a, b = sentence.start + finding.start, sentence.start + finding.end
            total += 1
            hit += any(s < b and a < e for s, e in spans[id(sentence.segment)])
    assert total and hit / total >= floor, f"{hit} of {total} findings on a marked span"
