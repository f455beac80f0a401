"""The detectors on German targets (English -> German): what a German news desk would flag, and what it would not."""
import pytest
from helpers import findings, flagged_text, passes

from mtaudit.detectors.brackets import BracketsDetector
from mtaudit.detectors.credits import CreditsDetector
from mtaudit.detectors.names import NamesDetector
from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.detectors.numbers import NumbersDetector
from mtaudit.detectors.phrasing import PhrasingDetector
from mtaudit.detectors.repetition import RepetitionDetector
from mtaudit.detectors.untranslated import UntranslatedDetector

DE = "de"


def flagged(detector, paragraphs, sources=None):
    return flagged_text(detector, paragraphs, sources, target_lang=DE)


# --- numbers ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target,source,span", [
    ("Die Bahn will bis 2030 rund 2,4 Billionen Euro investieren.", "The railway will invest 2.4 billion euros by 2030.",
     "2,4 Billionen"),
    ("Der Fonds umfasst 3 Trillionen Dollar.", "The fund holds 3 trillion dollars.", "3 Trillionen"),
    ("Die Preise steigen um 3.5 Prozent.", None, "3.5"),
    ("Das Budget beträgt 1.5 Milliarden Euro.", None, "1.5"),
    ("Die Stadt gab 1,250,000 Euro aus.", None, "1,250,000"),
    ("Das Werk beschäftigt 12,500 Menschen.", "The plant employs 12,500 people.", "12,500"),
    ("Die Wahl findet am 30. Februar 2027 statt.", None, "30. Februar 2027"),
    ("Die Sitzung ist am 2. Dezember.", "The meeting is on December 1.", "2. Dezember"),
    ("Der Umsatz stieg um 12 Prozent.", "Sales rose 21 percent.", "12 Prozent"),
])
def test_german_numbers_flagged(target, source, span):
    assert span in flagged(NumbersDetector(), [target], [source] if source else None)


@pytest.mark.parametrize("target,source", [
    ("Die Bahn will bis 2030 rund 2,4 Milliarden Euro investieren.", "The railway will invest 2.4 billion euros by 2030."),
    ("Die Arbeitslosigkeit sank auf 3,5 Prozent, das sind 1,2 Millionen Menschen.",
     "Unemployment fell to 3.5 percent, or 1.2 million people."),
    ("Die Sitzung beginnt am 1. Dezember um 14.30 Uhr.", "The meeting starts on December 1 at 2.30 p.m."),
    ("Das Werk beschäftigt 12.500 Menschen.", "The plant employs 12,500 people."),
    ("Der Plan soll die Verspätungen um ein Drittel verringern.", "The plan will cut delays by a third."),
    ("Bahnbetreiber investiert Milliarden in Stellwerke", "Rail operator invests billions in signalling"),
    ("Der Dax schloss bei 15.432,10 Punkten, ein Plus von 0,8 Prozent.", None),
    ("Am 3.5.2021 um 14.30 Uhr begann die Sitzung.", None),
    ("Die Inflation lag 2022 bei 7,9 Prozent.", None),
])
def test_german_numbers_pass(target, source):
    assert passes(NumbersDetector(), [target], [source] if source else None, target_lang=DE)


def test_billion_slip_message_names_the_right_word():
    (finding,) = [f for f in findings(NumbersDetector(), ["Es geht um 2,4 Billionen Euro."],
                                      ["It is about 2.4 billion euros."], target_lang=DE)]
    assert "Milliarden" in finding.message and finding.suggestion == "2,4 Milliarden Euro"


# --- phrasing ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target,source,span", [
    ("Der Minister wird eventuell zurücktreten.", "The minister will eventually resign.", "eventuell"),
    ("Aktuell war die Lage anders.", "Actually, the situation was different.", "Aktuell"),
    ("Die Kinder bekamen Ärzte.", "The children became doctors.", "bekamen"),
    ("Der Chef des Restaurants kocht gut.", "The restaurant's chef cooks well.", "Chef"),
    ("Das Werk stellt recycelte Fabrik her.", "The plant makes recycled fabric.", "Fabrik"),
    ("Das macht keinen Sinn.", None, "macht keinen Sinn"),
    ("Er sagte: “Wir gehen jetzt.”", None, "“"),
    ("Die Firma wurde in 2019 gegründet.", "The company was founded in 2019.", "in 2019"),
    ("Das sagte Mr. Franklin am Montag.", None, "Mr."),
])
def test_german_phrasing_flagged(target, source, span):
    assert span in flagged(PhrasingDetector(), [target], [source] if source else None)


@pytest.mark.parametrize("target,source", [
    ("Der Minister wird eventuell zurücktreten.", "The minister may resign."),  # "eventuell" right for "may"
    ("Die aktuelle Lage ist ernst.", "The current situation is serious."),
    ("Er sagte: „Wir gehen jetzt.“", None),
    ("Er sagte: »Wir gehen jetzt.«", None),
    ("Das ergibt keinen Sinn.", None),
    ("Die Firma wurde 2019 gegründet.", "The company was founded in 2019."),
    ("Der Chef der Firma trat zurück.", "The head of the company resigned."),
])
def test_german_phrasing_passes(target, source):
    assert passes(PhrasingDetector(), [target], [source] if source else None, target_lang=DE)


def test_register_mixing_flags_the_minority_form():
    text = ["Wenn du helfen willst, melde dich bei deiner Gemeinde.", "Du kannst auch spenden.",
            "Bitte packen Sie die wichtigsten Unterlagen ein."]
    assert flagged(PhrasingDetector(), text) == ["Sie"]
    assert passes(PhrasingDetector(), ["Bitte packen Sie die Unterlagen ein.", "Wir danken Ihnen."], target_lang=DE)
    # "Sie" as "she" at the start of a sentence, and "du" inside a quotation, are not address
    assert passes(PhrasingDetector(), ["Sie sagte, sie komme morgen.", "„Du schaffst das“, rief er.",
                                       "Bitte melden Sie sich."], target_lang=DE)


def test_english_only_checks_stay_off_for_german():
    # a verbless German sentence is not an English fragment
    assert passes(PhrasingDetector(), ["Mit dem Fortschritt zufrieden zeigte sich auch der Präsident."],
                  target_lang=DE)


# --- credits ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("paragraphs,span", [
    (["Von Anna Berg von Tom Hale", "Berlin (dpa) - Die Regierung hat entschieden."], "Von Anna Berg von Tom Hale"),
    (["Hamburg (Reuter) - Die Regierung hat am Montag entschieden, die Steuern zu senken."], "Hamburg (Reuter) -"),
    (["Die Regierung hat entschieden. (Redaktion: Lena Vogt, Redaktion: Paul Winter)"],
     "Redaktion: Lena Vogt, Redaktion:"),
    (["Berichterstattung von Anna Berg; Bearbeitung durch Tom Hale"], "Berichterstattung von"),
    (["Reporting by Anna Berg; Editing by Tom Hale"], "Reporting by"),
    (["Wahlhelfer zählen die Stimmen. Foto: Sputnik/Kremlin über Reuters"], "über"),
    (["In Moskau berichtete Reuters, die Regierung habe entschieden."], "In Moskau berichtete Reuters,"),
])
def test_german_credits_flagged(paragraphs, span):
    assert span in flagged(CreditsDetector(), paragraphs)


@pytest.mark.parametrize("paragraphs", [
    ["Von Anna Berg und Tom Hale", "Berlin (dpa) - Die Regierung hat entschieden."],
    ["Frankfurt (Reuters) - Die Zentralbank belässt den Leitzins bei 2,75 Prozent."],
    ["Die Regierung hat entschieden. (Redaktion: Lena Vogt und Paul Winter)"],
    ["Wahlhelfer zählen die Stimmen. Foto: Anna Berg/dpa"],
    ["Der Zug fuhr von Berlin über Hamburg nach Kiel, berichtete der Sender."],
])
def test_german_credits_pass(paragraphs):
    assert passes(CreditsDetector(), paragraphs, target_lang=DE)


# --- names ------------------------------------------------------------------------------------------------------------
def test_german_name_variant_is_flagged():
    text = ["Landrätin Katrin Hollmann sagte, die Lage sei ernst.",
            "Holmann kündigte an, die Deiche würden verstärkt.", "„Wir tun alles“, sagte Hollmann."]
    assert flagged(NamesDetector(), text) == ["Holmann"]


@pytest.mark.parametrize("text", [
    ["Zora Neale Hurstons Heimatstadt ist Eatonville.", "Hurston schrieb dort ihre Romane.",
     "Eine Biografie über Hurston erschien 2003."],
    ["Die Raumsonde flog 18 Jahre.", "Flugmanöver von Raumsonden sind schwierig.", "Die Raumsonden sind alt."],
    ["Die Börse in Prag schloss fester.", "An den Börsen in Asien fielen die Kurse.", "Die Börse erholte sich."],
    ["Der Bundestag hat das Gesetz beschlossen. Die Opposition kritisierte die Pläne."],
])
def test_german_nouns_and_inflected_names_pass(text):
    assert passes(NamesDetector(), text, target_lang=DE)


@pytest.mark.parametrize("target,source,span", [
    ("Herr Busch sagte am Montag, die Gespräche seien gut verlaufen.", "Mr. Bush said on Monday the talks went well.",
     "Busch"),
    ("Verkehrsministerin Helen Bäcker sagte, der Plan wirke.", "Transport Secretary Helen Baker said the plan works.",
     "Bäcker"),
    ("Der Sprecher sagte in Moscow, die Gespräche gingen weiter.", "The spokesman said in Moscow talks would go on.",
     "Moscow"),
])
def test_german_names_against_an_english_source(target, source, span):
    assert span in flagged(NamesSourceDetector(), [target], [source])


@pytest.mark.parametrize("target,source", [
    ("Herr Bush sagte am Montag, die Gespräche seien gut verlaufen.", "Mr. Bush said on Monday the talks went well."),
    ("Bushs Rede wurde gelobt.", "Mr. Bush's speech was praised."),
    ("Peking und Kiew verhandeln.", "Beijing and Kyiv are negotiating."),
    ("Beijing und Kyjiw verhandeln in Moskau.", "Beijing and Kyiv are negotiating in Moscow."),
    ("Bürgermeisterin Ellen Vogt sagte in München, die Brücke werde geöffnet.",
     "Mayor Ellen Vogt said in Munich the bridge would reopen."),
])
def test_german_names_against_an_english_source_pass(target, source):
    assert passes(NamesSourceDetector(), [target], [source], target_lang=DE)


# --- untranslated, repetition, brackets ----------------------------------------------------------------------------------
@pytest.mark.parametrize("target,source,span", [
    ("Die Regierung kündigte the new policy of the government an.", None, "the new policy of the government"),
    ("The unions welcomed the investment but warned of staff shortages.",
     "The unions welcomed the investment but warned of staff shortages.", "The unions welcomed"),
])
def test_german_untranslated_flagged(target, source, span):
    assert any(span in f for f in flagged(UntranslatedDetector(), [target], [source] if source else None))


@pytest.mark.parametrize("target", [
    "Der Physiker arbeitet am Institute for Advanced Study in Princeton.",
    "Das Team um den Manager traf sich online zum Meeting.",
    "Sie sahen „The Lord of the Rings“ im Kino.",
])
def test_german_untranslated_passes(target):
    assert passes(UntranslatedDetector(), [target], target_lang=DE)


@pytest.mark.parametrize("target,span", [
    ("Die Feuerwehr verstärkt die Deiche, die Deiche, die Deiche entlang des Flusses.", "Deiche"),
    ("Er hat sich sich selbst überschätzt.", "sich"),
])
def test_german_repetition_flagged(target, span):
    assert any(span in f for f in flagged(RepetitionDetector(), [target]))


@pytest.mark.parametrize("target", [
    "Die Menschen, die die Regeln kennen, halten sich daran.",
    "Er sagte, dass das Gesetz gilt, und der der Regierung nahe Verband stimmte zu.",
    "Schritt für Schritt kamen sie voran, Jahr für Jahr.",
])
def test_german_repetition_passes(target):
    assert passes(RepetitionDetector(), [target], target_lang=DE)


@pytest.mark.parametrize("paragraphs,ok", [
    (["Er sagte: „Wir machen weiter.“"], True),
    (["Er sagte: »Wir machen weiter.«"], True),
    (["Er sagte: „Wir machen weiter."], False),
    (["Er sagte: »Wir machen weiter."], False),
    # a quotation running over sentences given one per segment (XLIFF, sentence-split files)
    (['"Wir haben einen Fortschritt erzielt.', 'Die Einigung steht noch aus", sagte Pelosi.'], True),
    (['„Wir haben einen Fortschritt erzielt.', 'Mehr sagen wir nicht.', 'Die Einigung steht aus“, sagte sie.'], True),
])
def test_german_quotation_marks(paragraphs, ok):
    assert passes(BracketsDetector(), paragraphs, target_lang=DE) is ok


# --- false findings on clean German news (the acceptance figure, on 2,000 lines: tools/probes/false_findings.py) ------
@pytest.mark.shared
def test_few_false_findings_on_clean_german_news(shared):
    import subprocess
    import sys

    from helpers import REPO

    out = subprocess.run([sys.executable, "-m", "tools.probes.false_findings", "--langs", "en-de", "--lines", "400",
                          "--offset", "20000"], capture_output=True, text=True, check=True, cwd=REPO).stdout
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    rates = {r[1].strip(): float(r[3]) for r in rows}
    assert set(rates) >= {"names", "credits", "phrasing", "numbers", "repetition", "untranslated", "brackets"}
    assert all(rate <= 1.0 for rate in rates.values()), rates


def test_en_de_risk_model_uses_the_language_model_and_beats_length_held_out_on_news():
    """The shipped English -> German risk model is the one fitted with the model's signals (German norms included),
    with the variants for runs without the source or the model, and records held-out news figures above length."""
    from mtaudit.risk import RiskModel

    model = RiskModel.for_pair("en", "de")
    # no_target serves --fast (no "no_target_no_estimator": without a German estimator the two are one fit)
    assert model.name == "en-de-gemma3" and set(model.variants) == {"no_source", "no_model", "no_target"}
    assert {"lm_logprob_sum", "lm_word_z_max"} <= set(model.weights)
    assert not any(k.startswith("src_") for k in model.variants["no_source"].weights)
    news = model.trained_on["held_out"]["wmt21_news_ende.scores"]
    assert news["mtaudit"]["tau_doc"] > news["length"]["tau_doc"]
    assert news["mtaudit"]["p_at_20"] > news["length"]["p_at_20"]
    without_source = model.variants["no_source"].trained_on["held_out"]["wmt21_news_ende.scores"]
    assert without_source["mtaudit"]["tau_doc"] > without_source["length"]["tau_doc"]
    assert without_source["mtaudit"]["p_at_20"] > without_source["length"]["p_at_20"]
