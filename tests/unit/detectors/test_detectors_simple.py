import pytest
from helpers import findings, flagged_text, flags, passes

from mtaudit.detectors.brackets import BracketsDetector
from mtaudit.detectors.repetition import RepetitionDetector
from mtaudit.detectors.untranslated import UntranslatedDetector

REPEATED = [
    ("The minister said the the talks would resume on Monday.", "the"),
    ("Regulators are reviewing the Chinese bank's financial products, the Chinese bank's financial products, "
     "officials said.", "the Chinese bank's financial products"),
]
CLEAN = [
    "The minister said that that decision had been taken in haste.",
    "Officials said the talks, which began in June, would resume on Monday.",
    "He said he had had enough of the delays.",
]


@pytest.mark.parametrize("text,span", REPEATED)
def test_repetition_flags_stutter_and_loops(text, span):
    assert span in flagged_text(RepetitionDetector(), text)


@pytest.mark.parametrize("text", CLEAN)
def test_repetition_passes_clean_news(text):
    assert passes(RepetitionDetector(), text)


def test_untranslated_flags_chinese_left_in_english():
    spans = flagged_text(UntranslatedDetector(), "The talks in 北京 ended without an agreement, officials said.")
    assert spans == ["北京"]


def test_untranslated_flags_copied_source():
    text = "Das Treffen endet am Freitag in Berlin."
    found = findings(UntranslatedDetector(), [text], sources=[text])
    assert found and found[0].severity.value == "critical"


def test_untranslated_passes_clean_translation():
    assert passes(UntranslatedDetector(), ["The meeting ends on Friday in Berlin."],
                  sources=["Das Treffen endet am Freitag in Berlin."])


@pytest.mark.parametrize("text", [
    "The ministry (which declined to comment said the figures were wrong.",
    "He called the plan “a disaster for the region. Officials disagreed, saying it was fair.\n\nThey met on Monday.",
    'The spokesman said "we will respond in due course.',
])
def test_brackets_flag_unbalanced(text):
    assert flags(BracketsDetector(), text)


@pytest.mark.parametrize("text", [
    "The ministry (which declined to comment) said the figures were wrong.",
    "“We will respond in due course,” the spokesman said.",
    "The company’s shares rose 3%.",
])
def test_brackets_pass_balanced(text):
    assert passes(BracketsDetector(), text)
