"""The phrasing detector: literal-translation patterns of MT'd news (sentences written for these tests)."""
import pytest
from helpers import SEED, make_doc

from mtaudit.detectors.phrasing import PhrasingDetector, builtin_patterns, parse_patterns
from mtaudit.core.document import Category, Severity
from mtaudit.core.errors import UsageError


def flagged(paragraphs, **options):
    doc = make_doc(paragraphs)
    out = []
    for s, f in PhrasingDetector(**options).detect(doc):
        assert 0 <= f.start <= f.end <= len(s.text)
        out.append((s.text[f.start:f.end], f))
    return out


def pattern_id(finding) -> str:
    return finding.message.rsplit("[", 1)[-1].rstrip("]")


# (text, flagged span, pattern id)
PATTERNS = [
    ("“Prices will stay stable,” the Commerce Ministry said. The company quoted Vice Minister Wang Lin as saying.",
     "The company", "company-quoted"),
    ("The foreign ministry said. The company said the sanctions were illegal.", "The company", "company-after-agency"),
    ("“We oppose any interference,” the foreign ministry said. TASS news agency said.",
     "TASS news agency said.", "attribution-doubled"),
    ("The plant will close next year. Interfax said.", "Interfax said.", "attribution-only"),
    ("Eight days after Macron reciprocated with German Chancellor Olaf Scholz, the two leaders met again in Paris.",
     "reciprocated with", "reciprocates-with"),
    ("Erdogan made a phone call with Russian President Vladimir Putin on Friday.",
     "made a phone call with", "phone-call-with"),
    ("Modi will hold talks to Japanese Prime Minister Fumio Kishida in Tokyo next week.",
     "hold talks to", "hold-talks-to"),
    ("Lula called with President Joe Biden on Tuesday about the climate summit.", "called with", "called-with"),
    ("The two presidents spoke through the phone for more than an hour.", "through the phone", "via-phone"),
    ("The leaders met in video format on Wednesday.", "in video format", "video-format"),
    ("According to reports said, the factory will close next month.", "According to reports said",
     "according-to-said"),
    ("According to Yonhap reported, the launch took place at dawn.", "According to Yonhap reported",
     "according-to-said"),
    ("According to him, he said the talks had been useful.", "According to him, he said", "according-to-pronoun"),
    ("The minister said to reporters that the deal was close.", "said to reporters", "said-to-reporters"),
    ("Lavrov answered to journalists' questions after the meeting.", "answered to journalists' questions",
     "answered-to-questions"),
    ("This reporter learned from the city government that the bridge will open in May.",
     "This reporter learned from", "this-reporter-learned"),
    ("The spokesman expressed that China firmly opposes the sanctions.", "expressed that", "express-that"),
    ("The two countries will carry out cooperation in the field of clean energy.", "carry out cooperation",
     "carry-out-cooperation"),
    ("Under the background of the pandemic, exports fell sharply.", "Under the background of",
     "under-the-background"),
    ("Xi made important instructions on flood control work.", "made important instructions",
     "important-instructions"),
    ("The government pays high attention to food security.", "pays high attention", "high-attention"),
    ("The minister gave a high evaluation of the results of the visit.", "gave a high evaluation",
     "high-evaluation"),
    ("The two sides agreed to mutually support each other's core interests.", "mutually support each other's",
     "mutually-each-other"),
    ("In the next step, the city will expand the metro network.", "In the next step", "next-step"),
    ("About 300 people left and right attended the ceremony.", "300 people left and right", "left-and-right"),
    ("The fair attracted more than 2,000 more exhibitors this year.", "more than 2,000 more", "more-than-more"),
    ("Tomorrow will be held a meeting of the regional council.", "will be held a meeting", "held-a-meeting-order"),
    ("The relevant departments will investigate the accident.", "The relevant departments",
     "relevant-departments"),
    ("The press service of the ministry informed that the talks would resume on Monday.", "informed that",
     "informed-that"),
    ("Putin said in an interview to the Rossiya-1 channel that the West had ignored Moscow's concerns.",
     "in an interview to", "in-an-interview-to"),
    ("The sides held talks in the framework of the forum.", "in the framework of", "in-the-framework-of"),
    ("The two leaders discussed about the situation in Afghanistan.", "discussed about", "discuss-about"),
    ("The premier emphasized on the need for stable growth.", "emphasized on", "emphasize-on"),
    ("The delegation visited to Beijing last week.", "visited to", "visited-to"),
]


@pytest.mark.parametrize("text,span,pid", PATTERNS)
def test_flags_literal_translation_patterns(text, span, pid):
    found = flagged(text)
    assert (span, pid) in [(s, pattern_id(f)) for s, f in found], [(s, pattern_id(f)) for s, f in found]


def test_messages_and_suggestions_say_what_it_should_be():
    found = dict(flagged("Eight days after Putin reciprocates with US President Joe Biden, the talks resumed."))
    f = found["reciprocates with"]
    assert f.severity == Severity.MAJOR and f.category == Category.MISTRANSLATION
    assert f.suggestion == "held a call with" and "held a call with" in f.message
    f = dict(flagged("The two sides will carry out exchanges in culture and sport."))["carry out exchanges"]
    assert f.severity == Severity.MINOR and f.category == Category.AWKWARD


CLEAN = [
    "The company said its third-quarter profit rose 12%, beating analysts' forecasts.",
    "Reuters reported that the company quoted a price of $40 a barrel to its customers.",
    "“We will not back down,” the minister said.",
    "“We will not back down,” the minister said. “Our position has not changed.”",
    "He said he would hold talks to discuss the crisis with European leaders.",
    "According to the ministry, the minister said the talks would continue.",
    "According to Reuters, the deal is worth about $2 billion.",
    "She was informed that her contract would not be renewed.",
    "The two sides agreed to respect each other's interests.",
    "The event will be held at the convention centre in March.",
    "Lula spoke by phone with Biden on Friday.",
    "The visitors reciprocated with a goal of their own in the second half.",
    "Prime Minister Kishida told reporters the talks had been constructive.",
    "The two leaders discussed the situation in Afghanistan by video link.",
    "The team carried out an inspection of the damaged bridge.",
    "More than 2,000 exhibitors attended the fair this year.",
    "The talks will take place in the framework agreement's second phase.",
    "Officials said they would answer questions from lawmakers on Thursday.",
    '"Some of the pupils were beaten by their teachers." Okafor said.',
    "The restructuring is being carried out in coordination with the central bank.",
    "“That is one of the options,” Ms. Walsh said.",
    "She could hear through the phone how hard it was for her father to breathe.",
    "Incomplete answers to the questionnaire were excluded from the survey.",
    "The minister said in an interview to be published on Sunday that taxes would not rise.",
    "According to Reuters reports, the plant will close in June.",
    ["Putin and Xi to meet in Beijing", "Pressure",
     "The two leaders will meet in February, the Kremlin said on Wednesday."],
    ["Prices rose sharply in March", "Prices rose sharply in March, officials said, as demand recovered."],
]


@pytest.mark.parametrize("text", CLEAN)
def test_passes_idiomatic_news(text):
    assert flagged(text) == []


def test_headings_are_not_fragments_but_body_fragments_are():
    assert flagged(["Pressure on the central bank", "The bank left rates unchanged on Thursday."]) == []
    found = flagged("The company reported strong earnings in the third quarter. Especially in the Asian region "
                    "with new models.")
    assert [(s, pattern_id(f)) for s, f in found] == [
        ("Especially in the Asian region with new models.", "fragment")]
    found = flagged(["Consumer prices rose sharply in March across the region, officials said on Tuesday, after a "
                     "cold winter pushed up the cost of heating and food.",
                     "Consumer prices rose sharply in March across the region, as demand recovered."])
    assert [s for s, _ in found] == ["Consumer prices rose sharply in March across the region"]


def test_duplicated_clauses():
    found = flagged("Prices rose sharply in March across the country. Officials blamed the weather. "
                    "Prices rose sharply in March across the country.")
    assert [(s, pattern_id(f)) for s, f in found] == [
        ("Prices rose sharply in March across the country", "duplicate-clause")]
    found = flagged("The government will raise pensions next year, officials said, and the government will raise "
                    "pensions next year to offset inflation.")
    assert [s for s, _ in found] == ["the government will raise pensions next year"]


def test_chained_attributions_each_reported():
    found = flagged("“Some powers are interfering in our affairs,” the government said. Xinhua News Agency said. "
                    "The agency quoted Zhang as saying.")
    assert [s for s, _ in found] == ["Xinhua News Agency said.", "The agency quoted Zhang as saying."]


def test_extra_pattern_file(tmp_path):
    extra = tmp_path / "house.tsv"
    extra.write_text("# our house rules\n"
                     "nuclear-energy-power\tsentence\tawkward\tminor\t0.7\t\\b(?P<flag>nuclear energy power)\\b\t"
                     "nuclear power\t“{flag}”: say “nuclear power”\n", encoding="utf-8")
    found = flagged("The country will build two nuclear energy power stations.", patterns=str(extra))
    assert [(s, f.suggestion, pattern_id(f)) for s, f in found] == [
        ("nuclear energy power", "nuclear power", "nuclear-energy-power")]
    only = flagged("The spokesman expressed that the country will build nuclear energy power stations.",
                   patterns=str(extra), builtin=False)
    assert [s for s, _ in only] == ["nuclear energy power"]


@pytest.mark.parametrize("line,problem", [
    ("x\tsentence\tawkward\tminor\t0.5\t(unclosed\t-\texplained", "not a valid regular expression"),
    ("x\tword\tawkward\tminor\t0.5\tfoo\t-\texplained", "scope"),
    ("x\tsentence\tawkward\tsevere\t0.5\tfoo\t-\texplained", "severity"),
    ("x\tsentence\tnonsense\tminor\t0.5\tfoo\t-\texplained", "category"),
    ("x\tsentence\tawkward\tminor\tsure\tfoo\t-\texplained", "confidence"),
    ("x\tsentence\tawkward\tminor\t0.5\tfoo", "8 tab-separated columns"),
])
def test_bad_pattern_file_names_file_and_line(line, problem):
    with pytest.raises(UsageError) as err:
        parse_patterns("# header\n" + line + "\n", "house.tsv")
    assert "house.tsv:2" in str(err.value) and problem in str(err.value)


def test_builtin_patterns_load_and_are_unique():
    patterns = builtin_patterns()
    assert len(patterns) >= 30
    assert len({p.id for p in patterns}) == len(patterns)
    assert all(p.explanation for p in patterns)


def test_odd_input_does_not_crash():
    for text in ["x", "。", "\x07\x1b" * 20, "said. " * 500, "A " * 5000 + ".", "北京 said. 上海 said.",
                 "According to " * 200]:
        for _, f in flagged([text]):
            assert f.detector == "phrasing"


@pytest.mark.shared
def test_seed_phrasing_findings(shared):
    doc = make_doc(SEED.read_text(encoding="utf-8"))
    found = {(s.text, s.text[f.start:f.end]): f for s, f in PhrasingDetector().detect(doc)}
    company = found[("The company quoted Shi as saying.", "The company")]
    assert company.severity == Severity.MAJOR and company.category == Category.MISTRANSLATION
    assert ("Xinhua News Agency said.", "Xinhua News Agency said.") in found
    assert any(span == "reciprocates with" for _, span in found)
    assert not any(text == "Pressure" for text, _ in found)
