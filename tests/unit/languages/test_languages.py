"""Language pairs: --langs, the file's metadata, detection from the text, and German sentence splitting."""
import json

import pytest
from helpers import FIXTURES_DIR, SHARED
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError, UsageError
from mtaudit.languages import detect, find_pair, normalise, parse_langs, resolve, supported_text
from mtaudit.readers import read_document
from mtaudit.segmenter import split_spans


@pytest.mark.parametrize("code,expected", [
    ("de-DE", "de"), ("en_GB", "en"), ("zh-CN", "zh"), ("deu", "de"), ("eng", "en"), ("zho", "zh"), ("ZH", "zh"),
    ("", None), (None, None), ("not a code", None),
])
def test_codes_are_normalised(code, expected):
    assert normalise(code) == expected


@pytest.mark.parametrize("text,pair", [("en-de", "en-de"), ("zh-en", "zh-en"), ("EN_DE", "en-de"), ("de-en", "de-en"),
                                       ("eng-deu", "en-de")])
def test_langs_option_parses(text, pair):
    assert parse_langs(text).key == pair


@pytest.mark.parametrize("text,why", [("fr-it", "unsupported language pair fr-it"), ("en-en", "unsupported"),
                                      ("english", "write SRC-TGT"), ("xx-yy-zz", "write SRC-TGT")])
def test_bad_langs_option_names_the_supported_pairs(text, why):
    with pytest.raises(UsageError) as exc:
        parse_langs(text)
    message = str(exc.value)
    assert why in message and "zh-en, en-de" in message and "\n" not in message


def test_every_pair_names_a_shipped_risk_model():
    from mtaudit.core.resources import models_dir

    assert find_pair("en", "de").risk_model == "risk-en-de.json"
    assert find_pair("zh", "en").risk_model == "risk-default.json"
    assert find_pair(None, "de").key == "en-de"  # a German article without its source
    for key in ("zh-en", "en-de"):
        assert (models_dir() / find_pair(*key.split("-")).risk_model).is_file()


def _doc(target: str, source: str | None = None, **langs) -> Document:
    return Document(path="t.txt", segments=[Segment(id="1", target=target, source=source)], **langs)


@pytest.mark.parametrize("target,source,declared,expected,origin", [
    ("Die Regierung will die Steuern im kommenden Jahr senken, teilte das Finanzministerium mit.", None, {},
     (None, "de"), "detected"),
    ("The government wants to cut taxes next year, the finance ministry said.", None, {}, (None, "en"), "detected"),
    ("Die Regierung will die Steuern senken.", "The government wants to cut taxes.", {}, ("en", "de"), "detected"),
    ("The government wants to cut taxes.", "政府希望明年减税。", {}, ("zh", "en"), "detected"),
    ("Die Regierung will die Steuern senken.", None, {"source_lang": "en-US", "target_lang": "de-DE"}, ("en", "de"),
     "file"),
    # untranslated: the target reads like its English source, so the pair is the one English goes into
    ("The government wants to cut taxes next year.", "The government wants to cut taxes next year.", {},
     ("en", "de"), "detected"),
])
def test_pair_from_the_file_or_the_text(target, source, declared, expected, origin):
    doc = _doc(target, source, **declared)
    resolve(doc)
    assert (doc.source_lang, doc.target_lang) == expected
    assert doc.langs_from == origin


def test_langs_option_wins_over_the_file():
    doc = _doc("Die Regierung will die Steuern senken.", source_lang="fr", target_lang="it")
    assert resolve(doc, parse_langs("en-de")).key == "en-de"
    assert (doc.source_lang, doc.target_lang, doc.langs_from) == ("en", "de", "option")


def test_unsupported_pair_in_a_file_is_a_one_line_input_error():
    doc = _doc("Le gouvernement veut réduire les impôts l'année prochaine, a annoncé le ministère des finances.",
               source_lang="en", target_lang="fr")
    with pytest.raises(InputError) as exc:
        resolve(doc)
    assert "unsupported language pair: en-fr (declared by the file)" in str(exc.value)
    assert supported_text() in str(exc.value)


@pytest.mark.parametrize("fixture,pair", [
    ("story12.xlf", ("de", "en")),      # XLIFF 1.2 source-language / target-language
    ("story20.xlf", ("fr", "en")),      # XLIFF 2.0 srcLang / trgLang
    ("story.sdlxliff", ("zh", "en")),
    ("story.mqxliff", ("de", "en")),    # three-letter codes
    ("memory.tmx", ("en", "de")),       # TMX srclang and the target variant's xml:lang
])
def test_readers_declare_the_pair(fixture, pair):
    doc = read_document(FIXTURES_DIR / fixture)
    resolve(doc)
    assert (doc.source_lang, doc.target_lang) == pair
    assert doc.langs_from == "file"


def test_po_language_header_is_the_target():
    doc = read_document(FIXTURES_DIR / "story.po")
    resolve(doc)
    assert doc.target_lang == "de" and doc.langs_from == "file"


def test_html_lang_attribute_is_the_target(tmp_path):
    page = tmp_path / "a.html"
    page.write_text('<html lang="de-AT"><body><article><p>Kurz.</p></article></body></html>', encoding="utf-8")
    doc = read_document(page)
    assert doc.target_lang == "de-AT"
    resolve(doc)
    assert doc.target_lang == "de" and doc.langs_from == "file"


def test_tmx_variant_outside_the_supported_pairs_is_refused(tmp_path):
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(app, ["audit", str(FIXTURES_DIR / "memory.tmx"), "--format", "tmx:fr", "--no-model",
                                      "--quiet", "--jsonl", str(out)])
    assert result.exit_code == 2  # the only input failed
    assert "unsupported language pair: en-fr" in result.output


def test_cli_langs_option(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Der Umsatz stieg um 3.5 Prozent.\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(app, ["audit", str(article), "--langs", "en-de", "--no-model", "--quiet",
                                      "--jsonl", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["langs"] == "en-de"
    document = records[-1]
    assert (document["source_lang"], document["target_lang"], document["langs_from"]) == ("en", "de", "option")
    assert document["risk_model"]
    bad = CliRunner().invoke(app, ["audit", str(article), "--langs", "de-fr", "--no-model"])
    assert bad.exit_code == 2 and "supported: zh-en, en-de" in bad.output


@pytest.mark.parametrize("text,lang", [
    ("Die Bundesregierung hat am Mittwoch ein neues Gesetz beschlossen.", "de"),
    ("The federal government approved a new law on Wednesday.", "en"),
    ("联邦政府周三批准了一项新法律。", "zh"),
    ("Le gouvernement fédéral a approuvé mercredi une nouvelle loi.", "fr"),
    ("1234 5678", None),
])
def test_detection(text, lang):
    assert detect(text) == lang


# --- German sentence splitting: abbreviations and ordinals that pysbd's German rules split at, or might ---------------
@pytest.mark.parametrize("text,sentences", [
    ("Viele Länder, z. B. Frankreich und Italien, stimmten zu. Danach ging es weiter.", 2),
    ("Dr. Müller sagte am 1. Dezember 2026 in Berlin, die Lage sei ernst. Er fügte hinzu, es gehe um viel.", 2),
    ("Das Haus Nr. 5 wurde ca. 1900 gebaut. Es steht unter Denkmalschutz.", 2),
    ("Sie kauften Äpfel, Birnen usw. und gingen dann nach Hause.", 1),
    ("Prof. Dr. Schmidt und Hr. Meier trafen sich mit Fr. Lang. Sie sprachen lange.", 2),
    ("Laut Art. 5 Abs. 1 GG ist das erlaubt. Das sagt das Gericht.", 2),
    ("Er ist seit dem 15. Jh. bekannt. Heute ist er berühmt.", 2),
    ("Das war im Okt. 2020. Danach kam der Lockdown.", 2),
    ("Sie wohnt in der Goethestr. 12 in Frankfurt a. M. und arbeitet in Mainz. Sie pendelt.", 2),
    ("Es war der 100. Geburtstag. Alle feierten.", 2),
    ("Die Zahl der Toten stieg auf 100. Das teilte die Polizei mit.", 2),
    ("Es kostet ca. 5 Mio. Euro. Das ist teuer.", 2),
    ("Um 14.30 Uhr begann die Sitzung. Sie dauerte lange.", 2),
    ("Er sagte: „Wir machen weiter.“ Dann ging er.", 2),
])
def test_german_sentences(text, sentences):
    spans = split_spans(text, "de")
    assert len(spans) == sentences, [text[a:b] for a, b in spans]
    assert all(text[a:b] == text[a:b].strip() for a, b in spans)


def test_english_splitting_is_unchanged_by_the_german_rules():
    text = "The ship docked at Pier No. 5 at 3 p.m. on Monday. It left on Tuesday."
    assert len(split_spans(text, "en")) == 2


@pytest.mark.shared
def test_detection_accuracy_on_news(shared):
    import subprocess
    import sys

    from helpers import REPO

    out = subprocess.run([sys.executable, "-m", "tools.probes.langid_accuracy", "--per-language", "60"],
                         capture_output=True, text=True, check=True, cwd=REPO).stdout
    correct, total = out.split("all: ")[1].split(" ")[0].split("/")
    assert int(correct) >= 0.98 * int(total), out
    assert SHARED.is_dir()
