"""The credits detector on datelines, credit lines, photo credits and closing lines (sentences written for these
tests; names invented)."""
import pytest
from helpers import SEED, make_doc

from mtaudit.detectors.credits import CreditsDetector
from mtaudit.core.document import Category, Severity


def flagged(paragraphs):
    doc = make_doc(paragraphs)
    return [(s.text[f.start:f.end], f) for s, f in CreditsDetector().detect(doc)]


# (article paragraphs, flagged span, expected suggestion or None, severity)
BROKEN = [
    # a role word doubled: two names given to one role with "by ... by"
    ("Reporting by Anna Kovacs in Budapest; Edited by Tom Brennan by Lucy Marsh",
     "Edited by Tom Brennan by Lucy Marsh", "Editing by Tom Brennan and Lucy Marsh", Severity.MAJOR),
    ("(Reporting by Daniel Ortega Ruiz; Writing by Helen Park by Omar Said; Editing by Kim Lee)",
     "Writing by Helen Park by Omar Said", "Writing by Helen Park and Omar Said", Severity.MAJOR),
    ("Reporting by Chen Jia; Editing by by Rachel Moore",
     "Editing by by Rachel Moore", "Editing by Rachel Moore", Severity.MAJOR),
    # the ";" between two roles is missing
    ("(Reporting by Olga Petrova in Moscow Writing by Peter Hall; Editing by Sam Ortiz)",
     "Reporting by Olga Petrova in Moscow Writing by Peter Hall",
     "Reporting by Olga Petrova in Moscow; Writing by Peter Hall", Severity.MINOR),
    # a photo credit that opens with "Via" and fuses a word onto the agency
    ("Ukrainian soldiers walk past a burned-out tank near Kharkiv, Ukraine, May 3, 2022. "
     "Via Sputnik/Ivan Orlov/Paul Reuters",
     "Via Sputnik/Ivan Orlov/Paul Reuters", "Sputnik/Ivan Orlov/Pool via REUTERS", Severity.MAJOR),
    ("The prime minister speaks during a news conference in Tokyo, Japan, June 1, 2022. "
     "Via Kyodo/Reuters",
     "Via Kyodo/Reuters", "Kyodo via REUTERS", Severity.MINOR),
    # agency garbled inside a credit, a dateline, or prose
    ("A woman waits at a bus stop in central Seoul, South Korea, March 9, 2022. Kim Hong-ji/Road Society",
     "Kim Hong-ji/Road Society", "Kim Hong-ji/Reuters", Severity.MAJOR),
    ("BEIJING, Dec 15 (Xinhua Society) -- China's exports rose faster than expected in November, customs data showed.",
     "BEIJING, Dec 15 (Xinhua Society) --", "BEIJING, Dec 15 (Xinhua) --", Severity.MAJOR),
    ("MOSCOW (Reuter) - Russia's central bank kept its key rate on hold on Friday, citing stubborn inflation.",
     "MOSCOW (Reuter) -", "MOSCOW (Reuters) -", Severity.MAJOR),
    ("The Road Society reported on Tuesday that the talks had stalled over grain exports.",
     "Road Society", "Reuters", Severity.MAJOR),
    ("According to the France Press Agency, at least twelve people were injured in the blast.",
     "France Press Agency", "AFP", Severity.MAJOR),
    ("LONDON (Reu ters) - British inflation rose to a 40-year high in October.",
     "LONDON (Reu ters) -", "LONDON (Reuters) -", Severity.MAJOR),
    ("The blast was heard across the city, Xin Hua news agency reported.", "Xin Hua", "Xinhua", Severity.MAJOR),
    ("A boy swims in a flooded street in Dhaka, Bangladesh, June 20, 2022. REUTERS/Mohammad Ponir/Reu ters",
     "REUTERS/Mohammad Ponir/Reu ters", "REUTERS/Mohammad Ponir/Reuters", Severity.MAJOR),
    # Chinese outlets' closing lines
    ("(Liability editor: Wang Fang)", "Liability editor", "Editor", Severity.MINOR),
    ("The new rules take effect on January 1. (Finish)", "(Finish)", "(End)", Severity.MINOR),
    ("(Editor: Li Ming Editor: Zhao Lei)", "(Editor: Li Ming Editor: Zhao Lei)", "(Editor: Li Ming, Zhao Lei)",
     Severity.MAJOR),
]


@pytest.mark.parametrize("text,span,suggestion,severity", BROKEN)
def test_flags_broken_credit_conventions(text, span, suggestion, severity):
    found = {s: f for s, f in flagged(text)}
    assert span in found, [s for s, _ in flagged(text)]
    f = found[span]
    assert f.severity == severity
    if suggestion is not None:
        assert f.suggestion == suggestion
        assert suggestion in f.message or f.category == Category.AWKWARD
    if severity == Severity.MAJOR:
        assert f.category == Category.CREDIT


def test_non_canonical_role_in_an_agency_credit_line():
    found = flagged("Reporting by Chen Jia in Shanghai; Edited by Rachel Moore")
    assert [(s, f.suggestion, f.severity) for s, f in found] == [("Edited by", "Editing by", Severity.MINOR)]


CLEAN = [
    "MOSCOW (Reuters) - Russia's central bank held its key rate on Friday, citing persistent inflation.",
    "BEIJING, Dec 15 (Xinhua) -- China and Russia will deepen energy cooperation, officials said on Wednesday.",
    "WASHINGTON (AP) — The Senate passed the spending bill late on Thursday after weeks of wrangling.",
    "Berlin (dpa) - Germany's jobless rate fell slightly in March, the labour office said.",
    "PARIS (AFP) - French unions called a new day of strikes against the pension reform.",
    "(Bloomberg) -- Oil rose for a third day as traders weighed supply cuts.",
    "Reporting by Priya Natarajan and Rohan Mehta in Bengaluru; Writing by Clara Voss; Editing by Anil Dutta and "
    "Jon Boyle",
    "Additional reporting by Maria Tsvetkova in Moscow; Editing by Mark Heinrich",
    "(Reporting by Li Wei; Editing by Alex Richardson)",
    "Compiled by Sarah Ng; Editing by Tom Hogue",
    "A man walks past a closed shop in Shanghai, China, April 5, 2022. REUTERS/Aly Song",
    "Russian President Vladimir Putin attends a meeting in Moscow, Russia, May 5, 2022. "
    "Sputnik/Mikhail Ivanov/Kremlin via REUTERS",
    "Sputnik/Mikhail Ivanov/Pool via REUTERS",
    "Firefighters battle a blaze in a forest near Athens on Tuesday. (AP Photo/Petros Georgiou)",
    "Photo: Ludovic Marin/AFP",
    "A rescuer searches the rubble of a collapsed building. Anadolu Agency via Getty Images",
    "Written by a former diplomat, the book describes the talks in detail.",
    "Reported by the local press, the accident drew a large crowd.",
    "Edited by Jane Smith",
    "(Editor: Zhang Wei)",
    "The new rules take effect on January 1. (End)",
    "Responsible editor: Liu Yang",
    "Paul Julius Reuter founded his news agency in London in 1851.",
    "Thomson Reuters reported higher quarterly revenue on Tuesday.",
    "Shares in network equipment makers rose after strong sales of Routers and switches.",
    "The French news agency said the talks would resume next week.",
    "Xin Hua, a teacher from Nanjing, won the regional chess title on Sunday.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_passes_correct_credits_and_prose(text):
    assert flagged(text) == []


BODY = ("The central bank raised its key rate by half a point on Thursday, the third increase this year, as inflation "
        "stayed well above its target.")
BODY2 = "Economists had expected a smaller move, and bond yields rose sharply after the decision was announced."
BODY3 = "The bank said it would watch wage growth closely before deciding on any further tightening of policy."


def test_flags_dateline_in_the_middle_of_the_article():
    spans = [s for s, _ in flagged([
        "WASHINGTON (AP) — " + BODY, BODY2, "LONDON (Reuters) - British lawmakers approved the bill on Monday.", BODY3])]
    assert spans == ["LONDON (Reuters) - "]


def test_flags_dateline_merged_into_a_paragraph():
    spans = [s for s, _ in flagged([BODY2 + " MOSCOW (Reuters) - Russia said on Monday it would cut gas exports."])]
    assert spans == ["MOSCOW (Reuters) - "]


def test_flags_credit_line_followed_by_body_text():
    found = flagged([BODY, "Reporting by Anna Kovacs; Editing by Tom Brennan", BODY2, BODY3])
    assert [s for s, _ in found] == ["Reporting by Anna Kovacs; Editing by Tom Brennan"]
    assert found[0][1].severity == Severity.MINOR


def test_credit_line_at_the_end_is_in_place():
    assert flagged([BODY, BODY2, BODY3, "Reporting by Anna Kovacs; Editing by Tom Brennan"]) == []


def test_flags_photo_caption_between_body_paragraphs_but_not_a_lead_picture():
    caption = ("A protester holds a flag outside parliament in Budapest, Hungary, April 3, 2022. "
               "REUTERS/Bernadett Horvath")
    found = flagged([BODY, caption, BODY2])
    assert [s for s, _ in found] == ["A protester holds a flag outside parliament in Budapest, Hungary, April 3, "
                                     "2022."]
    assert found[0][1].severity == Severity.MINOR
    assert flagged(["Rates rise again", caption, "WASHINGTON (AP) — " + BODY, BODY2]) == []


def test_odd_input_does_not_crash():
    for text in ["", "(", ")(", "/" * 500, "Via", "Reporting by", "MOSCOW (Reuters) -", "\x07\x1b" * 20,
                 "Reporting by " + "A " * 3000, "北京 (新华社) -- 测试", "A/B/C/D/E/F via"]:
        for _, f in flagged([text] if text.strip() else ["x"]):
            assert f.detector == "credits"


@pytest.mark.shared
def test_seed_credit_findings(shared):
    doc = make_doc(SEED.read_text(encoding="utf-8"))
    found = {s.text[f.start:f.end]: f for s, f in CreditsDetector().detect(doc)}
    photo = found["Via Sputnik/Michael Metzl/Paul Reuters"]
    assert photo.severity == Severity.MAJOR and photo.suggestion == "Sputnik/Michael Metzl/Pool via REUTERS"
    edit = found["Edited by Gareth Jones by Mark Travellan"]
    assert edit.severity == Severity.MAJOR and edit.suggestion == "Editing by Gareth Jones and Mark Travellan"
