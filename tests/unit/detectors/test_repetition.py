import pytest
from helpers import findings, flagged_text, passes

from mtaudit.detectors.repetition import RepetitionDetector

STUTTERS = [
    ("The minister said the the talks would resume on Monday.", ["the"]),
    ("The The company declined to comment on the report.", ["The"]),
    ("Officials said the bridge was was closed for repairs.", ["was"]),
    ("Shares of the carmaker are also are also expected to rise.", ["are also"]),
    ("President and Commander-in-Chief of the of the armed forces attended the parade.", ["of the"]),
]


@pytest.mark.parametrize("text,spans", STUTTERS)
def test_stutters(text, spans):
    assert flagged_text(RepetitionDetector(), text) == spans


LOOPS = [
    ("Regulators are reviewing the Chinese bank's financial products, the Chinese bank's financial products, "
     "officials said.", "the Chinese bank's financial products"),
    ("The two sides agreed to strengthen cooperation in the field of energy, cooperation in the field of energy, "
     "the statement said.", "cooperation in the field of energy"),
    ("The company said it would expand production and the production and the production and the production of "
     "vaccines.", "and the production and the production"),
]


@pytest.mark.parametrize("text,span", LOOPS)
def test_loops(text, span):
    spans = flagged_text(RepetitionDetector(), text)
    assert any(span in s or s in span for s in spans), spans


def test_looping_trigram_not_adjacent():
    text = ("The fund will invest in new energy vehicles, invest in new energy storage, invest in new energy grids "
            "and invest in new energy research.")
    found = findings(RepetitionDetector(), text)
    assert len(found) == 1 and "looping" in found[0].message and "invest in new" in found[0].message


def test_clause_repeated_within_sentence():
    text = ("The central bank will keep its policy rate unchanged this quarter, the governor said, the central bank "
            "will keep its policy rate unchanged this quarter.")
    found = findings(RepetitionDetector(), text)
    assert len(found) == 1 and found[0].severity.value == "major"
    assert "central bank will keep its policy rate unchanged" in found[0].message


def test_sentence_repeated_in_paragraph():
    text = ("Officials said the new rules would take effect in January next year. The rules apply to all banks. "
            "Officials said the new rules would take effect in January next year.")
    found = findings(RepetitionDetector(), text)
    assert len(found) == 1 and "repeats an earlier sentence" in found[0].message
    assert found[0].severity.value == "major"


def test_sentence_repeated_across_paragraphs_is_minor():
    text = ("Officials said the new rules would take effect in January next year.\n\nThe rules apply to all banks."
            "\n\nOfficials said the new rules will take effect in January next year.")
    found = findings(RepetitionDetector(), text)
    assert len(found) == 1 and "nearly repeats" in found[0].message and found[0].severity.value == "minor"


CLEAN = [
    "The minister said that that decision had been taken in haste.",
    "He said he had had enough of the delays.",
    "It was a very very long night for the rescue teams.",
    "The children waved bye-bye to the astronauts.",
    "Prices rose more and more, and demand fell day by day.",
    "The situation has got worse and worse, and is now on the verge of collapse.",
    "This new decision nullifies the one taken by Adamu Adamu, the minister of education.",
    "Sir Run Run Shaw Hospital was the first to receive the accreditation.",
    "The sequel to the film Iron Sky, Iron Sky: The Coming Race, opens next year.",
    "When he did, he did it very well, his coach said.",
    "If you put energy and matter in the universe, the universe will curve.",
    "'I love you, I love you,' she kept saying.",
    "The angles were 120 degrees, 120 degrees and 0 degrees.",
    "The information system SYSTEM automates the AGENDA agenda process.",
    "A year-on-year increase of 12%, a year-on-year increase of 8% and a year-on-year decline of 3% were reported.",
    "Exports to the United States rose, while imports from the United States fell, and the United States "
    "welcomed the figures.",
    "It's blah blah blah the whole journey, he complained.",
    "The motion is carried and Bill 3 is now ready for assent. The motion is carried and Bill 4 is now ready for "
    "assent.",
    "Putin met Xi in Beijing. Xi thanked Putin for the visit. Putin and Xi then held talks.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_news_passes(text):
    assert passes(RepetitionDetector(), text)


def test_repetition_in_the_source_is_kept():
    source = "爱因斯坦意识到，如果宇宙是空的，如果宇宙是空的，它将看起来像这幅照片。"
    target = "Einstein realized that if the universe were empty, if the universe were empty, it would look like this."
    assert passes(RepetitionDetector(), [target], sources=[source])
    assert not passes(RepetitionDetector(), [target])


@pytest.mark.parametrize("text", ["", "the " * 3000, "a a a a a a", "\x00 \x01 the the", "。" * 100])
def test_odd_input_does_not_crash(text):
    findings(RepetitionDetector(), [text or "x"])
