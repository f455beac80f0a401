"""The names detector: variant spellings of one person, surnames never introduced, fused names, glossaries."""
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import SEED, findings, flagged_text, make_doc, passes

from mtaudit.detectors import DETECTORS
from mtaudit.detectors.names import NamesDetector
from mtaudit.detectors.namelib.romanise import same_name
from mtaudit.core.document import Category, Severity

# (article, flagged span, suggestion): one person written two ways, the rarer spelling never introduced.
VARIANTS = [
    ("Chinese President Xi Jinping met European leaders in Beijing on Monday.\n\n"
     "Xi said the two sides should deepen trade ties. Xi also called for calm in the region.\n\n"
     "The state broadcaster quoted Shi as saying the talks were candid.", "Shi", "Xi"),
    ("Foreign Minister Zhou Weiming arrived in Hanoi for a two-day visit.\n\n"
     "Zhou said the agreement would open new shipping routes, and Zhou thanked his hosts.\n\n"
     "Chou told reporters that more projects would follow.", "Chou", "Zhou"),
    ("South Korean President Moon Jae-in called for renewed dialogue.\n\n"
     "Moon said Seoul was ready to resume talks. Moon added that sanctions would stay.\n\n"
     "Officials close to Mun said a summit was possible in the spring.", "Mun", "Moon"),
    ("Ukrainian President Volodymyr Zelensky appealed for more air defence systems.\n\n"
     "Zelensky said the attacks had targeted power stations.\n\n"
     "Zelenskiy warned that the winter would be hard.", "Zelenskiy", "Zelensky"),
    ("President Xi Jinping opened the congress. Delegates applauded Xi Jinping for several minutes.\n\n"
     "Xi Jinpin then outlined the economic targets for the year.", "Jinpin", "Jinping"),
    ("Vice Premier Lin Haotian will lead the delegation, the ministry said.\n\n"
     "Lin said the route had been studied in detail. Lin will also visit the port.\n\n"
     "Ling told reporters that talks would resume next month.", "Ling", "Lin"),
]

# Articles with several genuinely different people whose names look alike: nothing to flag.
DISTINCT_PEOPLE = [
    "Premier Li Wei and Governor Liu Yang opened the bridge on Friday.\n\n"
    "Li said traffic would ease. Liu said the project had come in under budget.",
    "North Korean leader Kim Jong Un met South Korea's foreign minister Kang Kyung-wha.\n\n"
    "Kim said the meeting was useful, and Kang said more talks were needed.",
    "Actors John Smith and Joan Harper will star in the film. Smith said he was delighted, and Harper said she was "
    "thrilled to work with him.",
    "President Xi Jinping met the delegation in Beijing.\n\n"
    "Shi Yinhong, a professor of international relations, said the visit was symbolic. Shi said more visits were "
    "likely. Xi did not comment.",
    "Former leader Kim Jong Il was succeeded by his son Kim Jong Un. Kim Jong Un has since met Kim Jong Il's old "
    "advisers, and his sister Kim Yo Jong attended.",
    "Premier Li Keqiang handed over to Li Qiang in March. Li Qiang said he would keep the reforms of Li Keqiang.",
    "Prime Minister Maria Lopez said on Tuesday the budget would be balanced by 2027.\n\n"
    "Lopez told parliament that spending on schools would rise. Lopez also defended the tax reform.",
]

# (article, flagged span): a bare surname used as a person the article never introduces.
ORPHANS = [
    ("Chancellor Olaf Brenner welcomed President Xi Jinping to Berlin.\n\n"
     "Hu and Xi agreed to extend the cooperation treaty for another ten years.", "Hu"),
    ("Finance Minister Carla Duarte presented the budget on Wednesday.\n\n"
     "Mendoza said the spending cuts would hit the poorest regions hardest.", "Mendoza"),
]

# Bare surnames that need no introduction, or are not persons at all.
NOT_ORPHANS = [
    "Putin said Russia would respond to any new sanctions.",
    "Darwin argued that species change slowly over many generations, the curator said.",
    "Mr Hollis said the company would appeal the ruling.",
    "The mayor of Wesel said the flood barrier had held.",
    "Reuters said the figures had not been independently verified.",
    "The singer's daughter Dominika said her father had been tired for months.",
    "He told Respekt that the reform would take years.",
    "The report was published in Blansko, officials said.",
    "European Commission President von der Leyen said EU leaders had agreed to a stricter policy.",
]

FUSED = [
    ("Grekov Lin backs new pipeline route\n\n"
     "Russian Energy Minister Pavel Grekov and Chinese Vice Premier Lin Haotian agreed to speed up work.\n\n"
     "Lin said China was ready to sign.", "Grekov Lin"),
    ("According to officials, Putin Ji supports the guarantees\n\n"
     "Presidents Vladimir Putin and Xi Jinping held talks by video link. Xi said ties were strong.", "Putin Ji"),
]

NOT_FUSED = [
    "Presidents Vladimir Putin and Xi Jinping held talks by video link, the Kremlin said.",
    "The speech by Martin Luther King Jr was read aloud at the ceremony in Atlanta.",
    "Senator Elizabeth Warren and Governor Gavin Newsom spoke at the rally in Oakland.",
    "North Korean leader Kim Jong Un and South Korean President Moon Jae-in met at the border.",
]


@pytest.mark.parametrize("text,span,suggestion", VARIANTS)
def test_flags_minority_spelling_of_one_person(text, span, suggestion):
    found = findings(NamesDetector(), text)
    doc = make_doc(text)
    spans = [(s.text[f.start:f.end], f) for s, f in NamesDetector().detect(doc)]
    assert [t for t, _ in spans] == [span]
    finding = spans[0][1]
    assert finding.suggestion == suggestion
    assert finding.category == Category.MISTRANSLATION and finding.severity == Severity.MAJOR
    assert suggestion in finding.message and len(found) == 1


@pytest.mark.parametrize("text", DISTINCT_PEOPLE)
def test_passes_different_people_with_similar_names(text):
    assert passes(NamesDetector(), text)


@pytest.mark.parametrize("text,span", ORPHANS)
def test_flags_surname_never_introduced(text, span):
    found = findings(NamesDetector(), text)
    assert flagged_text(NamesDetector(), text) == [span]
    assert "never introduces" in found[0].message and found[0].severity == Severity.MAJOR


@pytest.mark.parametrize("text", NOT_ORPHANS)
def test_passes_famous_titled_or_non_person_names(text):
    assert passes(NamesDetector(), text)


def test_orphans_can_be_switched_off():
    assert passes(NamesDetector(orphans="false"), ORPHANS[1][0])


@pytest.mark.parametrize("text,span", FUSED)
def test_flags_two_names_fused(text, span):
    assert span in flagged_text(NamesDetector(), text)


@pytest.mark.parametrize("text", NOT_FUSED)
def test_passes_ordinary_full_names(text):
    assert passes(NamesDetector(), text)


def test_title_case_headlines():
    text = ("Putin Ji Supports Security Guarantees\n\nShi Accuses West Of Meddling\n\n"
            "Presidents Vladimir Putin and Xi Jinping held talks on Wednesday. Xi said China backed Russia's demands.")
    assert flagged_text(NamesDetector(), text) == ["Putin Ji", "Shi"]


def test_flags_the_minority_name_order():
    text = ("President Xi Jinping arrived in Paris on Sunday. Xi Jinping will meet business leaders.\n\n"
            "Jinping Xi is due to leave on Wednesday.")
    found = findings(NamesDetector(), text)
    assert flagged_text(NamesDetector(), text) == ["Jinping Xi"]
    assert found[0].category == Category.INCONSISTENCY and found[0].severity == Severity.MINOR
    assert found[0].suggestion == "Xi Jinping"


def test_fused_name_says_which_part_is_misspelt():
    found = findings(NamesDetector(), FUSED[1][0])
    assert len(found) == 1 and "“Ji” is probably a misspelling of “Xi”" in found[0].message


@pytest.mark.parametrize("a,b,same", [
    ("Xi", "Ji", True), ("Xi", "Shi", True), ("Xi", "Hsi", True), ("Deng", "Teng", True), ("Lee", "Rhee", True),
    ("Zelensky", "Zelenskiy", True), ("Gaddafi", "Qaddafi", True),
    ("Li", "Liu", False), ("Li", "Lu", False), ("Kim", "Kang", False), ("John", "Joan", False),
    ("Havel", "Hael", True), ("Putin", "Puin", True), ("Klein", "Klien", True),
    ("Xi", "Hu", False), ("Obama", "Osama", False), ("Putin", "Ji", False), ("Xia", "Xian", False),
])
def test_romanisation_similarity(a, b, same):
    assert bool(same_name(a, b)) is same


GLOSSARY_ARTICLE = ("Premier Li Keqiang opened the forum in Tianjin.\n\n"
                    "Li Kequiang said growth would stay above five percent. Kwangtung exports rose sharply.")


def test_glossary_csv(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("term,variants\n# names of the 2013-2023 cabinet\nLi Keqiang,Li Kequiang,Li Ke-chiang\n"
                    "Guangdong,Kwangtung,Canton\n", "utf-8")
    doc = make_doc(GLOSSARY_ARTICLE)
    found = {s.text[f.start:f.end]: f.suggestion for s, f in NamesDetector(glossary=str(path)).detect(doc)}
    assert found == {"Li Kequiang": "Li Keqiang", "Kwangtung": "Guangdong"}


def test_glossary_tbx(tmp_path):
    path = tmp_path / "names.tbx"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
  <termEntry id="t1">
    <langSet xml:lang="zh"><tig><term>李克强</term></tig></langSet>
    <langSet xml:lang="en">
      <tig><term>Li Keqiang</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
      <tig><term>Li Kequiang</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
    </langSet>
  </termEntry>
  <termEntry id="t2">
    <langSet xml:lang="en">
      <tig><term>Kwangtung</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
      <tig><term>Guangdong</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
    </langSet>
  </termEntry>
</body></text></martif>""", "utf-8")
    doc = make_doc(GLOSSARY_ARTICLE)
    found = {s.text[f.start:f.end]: f.suggestion for s, f in NamesDetector(glossary=str(path)).detect(doc)}
    assert found == {"Li Kequiang": "Li Keqiang", "Kwangtung": "Guangdong"}


def test_glossary_tbx_v3(tmp_path):
    path = tmp_path / "names.tbx"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
  <conceptEntry id="c1">
    <langSec xml:lang="en">
      <termSec><term>Li Keqiang</term>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
      <termSec><term>Li Kequiang</term>
        <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
    </langSec>
  </conceptEntry>
</body></text></tbx>""", "utf-8")
    doc = make_doc(GLOSSARY_ARTICLE)
    found = {s.text[f.start:f.end]: f.suggestion for s, f in NamesDetector(glossary=str(path)).detect(doc)}
    assert found == {"Li Kequiang": "Li Keqiang"}


def test_missing_glossary_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="glossary file not found"):
        NamesDetector(glossary=str(tmp_path / "absent.csv")).detect(make_doc("Xi said so."))


CLEAN_ARTICLE = """Central bank holds rates steady as inflation eases

FRANKFURT (Reuters) - The European Central Bank left interest rates unchanged on Thursday, as President Christine Lagarde said inflation was falling faster than expected.

Lagarde told reporters that the bank would not commit to a path for future cuts. "We are data dependent," she said.

Economists polled by Reuters had expected the decision. Chief economist Philip Lane said last week that wage growth was slowing.

Lane and Lagarde have both warned that energy prices remain a risk. Germany's finance minister Christian Lindner welcomed the decision.

Reporting by Francesco Canepa; Editing by Toby Chopra"""


CLEAN_ARTICLE_ASIA = """Vietnam and South Korea sign trade pact as leaders meet in Hanoi

HANOI (Reuters) - Vietnamese Prime Minister Pham Minh Chinh and South Korean President Yoon Suk-yeol signed a trade agreement on Friday, officials said.

Chinh said the pact would double bilateral trade by 2030. Yoon told a news conference in Hanoi that Korean companies would invest in chip factories in Bac Ninh province.

Samsung Electronics, which already employs more than 100,000 people in Vietnam, said it welcomed the agreement. Analyst Nguyen Thi Mai of Saigon Securities said the deal would help exporters.

Separately, Saudi Crown Prince Mohammed bin Salman met Egyptian President Abdel Fattah al-Sisi in Riyadh. Sisi and bin Salman discussed the war in Sudan, the Saudi Press Agency said.

In Madrid, Spanish Prime Minister Pedro Sánchez said Spain would recognise the agreement. Sánchez spoke after meeting German Chancellor Olaf Scholz, who said Berlin supported it.

Reporting by Khanh Vu in Hanoi and Joyce Lee in Seoul; Editing by Kim Coghill"""

CLEAN_ARTICLE_SPORT = """Late Ramos goal sends Porto top of the table

PORTO, Portugal (AP) - Striker Gonçalo Ramos scored in stoppage time as Porto beat Braga 2-1 on Sunday to go top of the Portuguese league.

Ramos turned in a cross from Pepe after Braga goalkeeper Matheus had kept his side level for most of the second half. "We never stopped believing," Ramos said.

Coach Sérgio Conceição praised his players. Conceição said the title race would go to the last round, and Braga coach Artur Jorge agreed.

Ricardo Horta had put Braga ahead before Mehdi Taremi equalised. Taremi and Ramos have now scored 25 league goals between them."""


@pytest.mark.parametrize("text", [CLEAN_ARTICLE, CLEAN_ARTICLE_ASIA, CLEAN_ARTICLE_SPORT])
def test_clean_articles_have_no_name_findings(text):
    assert passes(NamesDetector(), text)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07 control \x1b[31m", "习近平 met Putin 在北京.", "A" * 5000,
                                  "Xi " * 2000, "Ji Ji Ji. Shi Shi. Hu and and Xi."])
def test_never_crashes_on_odd_input(text):
    findings(NamesDetector(), [text] if text.strip() else ["."])


def test_linear_time_on_a_long_article():
    paragraph = ("Minister Anna Kovacs met President Xi Jinping in Beijing. Kovacs said trade was growing, "
                 "and Xi told reporters that ties were strong. ")
    doc = make_doc([paragraph * 5] * 200)  # 2,000 sentences
    start = time.perf_counter()
    NamesDetector().detect(doc)
    assert time.perf_counter() - start < 10  # generous: the machine is shared; a quadratic scan takes minutes


def test_registered():
    assert DETECTORS["names"] is NamesDetector and NamesDetector.help().startswith("Person names")


def test_seed_acceptance(shared):
    doc = make_doc(SEED.read_text(encoding="utf-8"))
    found = [(s.text, s.text[f.start:f.end]) for s, f in NamesDetector().detect(doc)]
    spans = {span for _, span in found}
    assert any("Ji" in span for span in spans)                       # "Putin Ji supports ..." in a headline
    assert ("The company quoted Shi as saying.", "Shi") in found
    assert any(text.startswith("Hu and Xi agreed") and span == "Hu" for text, span in found)
    assert len(found) <= 4  # nothing else in the article: Putin, Xi, Ushakov, Biden are all fine


_WORDS = st.sampled_from(["Xi", "Ji", "Shi", "Putin", "Vladimir", "Jinping", "and", "said", "Mr", "President",
                          "the", "Hu", "al-Sisi", "Jr", "von", "'s", "’s", ",", ".", "\n\n", "习近平", "\x00", "  ",
                          "Kremlin", "Moon", "Jae-in", "quoted", "as", "saying", "Zelenskiy", "ZELENSKY"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=60))
def test_random_name_soup_never_crashes(words):
    text = " ".join(words).replace("\x00", "")
    if text.strip(" .,\n"):
        findings(NamesDetector(), [p for p in text.split("\n\n") if p.strip()] or ["."])
