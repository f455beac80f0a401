"""Golden test: the CLI over samples/ (rule detectors, colour off) gives the same findings as recorded.

When a detector is deliberately improved, regenerate with ``UPDATE_GOLDEN=1 pytest tests/integration/test_golden_samples.py`` and
review the diff of tests/golden/samples.json like any other change of behaviour.
"""
import json
import os

import pytest
from helpers import REPO, SAMPLES
from typer.testing import CliRunner

from mtaudit.cli import app

GOLDEN = REPO / "tests" / "golden" / "samples.json"

# What samples/ was written to contain (docs/samples.md): (file, flagged text, detector).
PLANTED = [
    ("01_port_deal.txt", "Chou", "names"),
    ("01_port_deal.txt", "Wang", "names"),
    ("01_port_deal.txt", "The company", "phrasing"),
    ("01_port_deal.txt", "by Tom Hale", "credits"),
    ("02_pipeline_summit.txt", "Grekov Lin", "names"),
    ("02_pipeline_summit.txt", "reciprocates with", "phrasing"),
    ("02_pipeline_summit.txt", "Paul Reuters", "credits"),
    ("02_pipeline_summit.txt", "Ling", "names"),
    ("03_flood_relief.txt", "February 30", "numbers"),
    ("03_flood_relief.txt", "the flood defences", "repetition"),
    ("03_flood_relief.txt", "防汛", "untranslated"),
    ("04_election_html.html", "According to reports said", "phrasing"),
    ("04_election_html.html", "would", "repetition"),
    ("06_factory_deal.xlf", "12.3 million", "numbers"),
    ("06_factory_deal.xlf", "Zang", "names_src"),
    ("06_factory_deal.xlf", "研发中心", "untranslated"),
    ("07_briefing.jsonl", "Wong", "names_src"),
    ("07_briefing.jsonl", "16", "numbers"),
    ("07_briefing.jsonl", "a friendly atmosphere", "repetition"),
    # English -> German (docs/samples.md)
    ("08_de_rail_investment.jsonl", "2,4 Billionen", "numbers"),
    ("08_de_rail_investment.jsonl", "Bäcker", "names_src"),
    ("08_de_rail_investment.jsonl", "eventuell", "phrasing"),
    ("08_de_rail_investment.jsonl", "3.5", "numbers"),
    ("08_de_rail_investment.jsonl", "Moscow", "names_src"),
    ("08_de_rail_investment.jsonl", "The unions welcomed", "untranslated"),
    ("09_de_hochwasser.txt", "1,250,000", "numbers"),
    ("09_de_hochwasser.txt", "Holmann", "names"),
    ("09_de_hochwasser.txt", "30. Februar", "numbers"),
    ("09_de_hochwasser.txt", "Deiche", "repetition"),
    ("09_de_hochwasser.txt", "„", "brackets"),
    ("09_de_hochwasser.txt", "macht keinen Sinn", "phrasing"),
    ("09_de_hochwasser.txt", "Sie", "phrasing"),
    ("09_de_hochwasser.txt", "the new flood protection", "untranslated"),
    ("09_de_hochwasser.txt", "“", "phrasing"),
    ("10_de_wahl.html", "Von Anna Berg von Tom Hale", "credits"),
    ("10_de_wahl.html", "(Reuter)", "credits"),
    ("10_de_wahl.html", "über", "credits"),
    ("10_de_wahl.html", "Berichterstattung von", "credits"),
    ("10_de_wahl.html", "Redaktion: Lena Vogt, Redaktion:", "credits"),
    ("12_de_werk.xlf", "12,500", "numbers"),
    ("12_de_werk.xlf", "Fabrik", "phrasing"),
]


def stable_findings(tmp_path) -> list[dict]:
    out = tmp_path / "samples.jsonl"
    result = CliRunner().invoke(app, ["audit", str(SAMPLES), "--no-model", "--quiet", "--jsonl", str(out)],
                                env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    rows = []
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["type"] != "sentence":
            continue
        for f in rec["findings"]:
            rows.append({"doc": os.path.basename(rec["doc"]), "segment": rec["segment"], "sentence": rec["sentence"],
                         "detector": f["detector"], "category": f["category"], "severity": f["severity"],
                         "span": rec["text"][f["start"]:f["end"]]})
    return rows


def test_samples_match_the_golden_findings(tmp_path):
    rows = stable_findings(tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert rows == json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc,text,detector", PLANTED)
def test_planted_artefacts_are_found(tmp_path_factory, doc, text, detector):
    rows = _cached_rows(tmp_path_factory)
    assert any(r["doc"] == doc and r["detector"] == detector and text in r["span"] for r in rows), (doc, text)


@pytest.mark.parametrize("clean", ["05_central_bank_clean.txt", "11_de_zentralbank_sauber.txt"])
def test_clean_samples_have_no_findings(tmp_path_factory, clean):
    rows = _cached_rows(tmp_path_factory)
    assert not [r for r in rows if r["doc"] == clean]


def test_samples_carry_their_language_pair(tmp_path):
    out = tmp_path / "samples.jsonl"
    result = CliRunner().invoke(app, ["audit", str(SAMPLES), "--no-model", "--quiet", "--jsonl", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["langs"] == "auto"
    pairs = {os.path.basename(r["doc"]): (r["source_lang"], r["target_lang"], r["langs_from"])
             for r in records if r["type"] == "document"}
    assert pairs["06_factory_deal.xlf"] == ("zh", "en", "file")
    assert pairs["12_de_werk.xlf"] == ("en", "de", "file")
    assert pairs["10_de_wahl.html"] == (None, "de", "file")
    assert pairs["08_de_rail_investment.jsonl"] == ("en", "de", "detected")
    assert pairs["09_de_hochwasser.txt"] == (None, "de", "detected")
    assert pairs["01_port_deal.txt"] == (None, "en", "detected")


_ROWS: list = []


def _cached_rows(factory):
    if not _ROWS:
        _ROWS.extend(stable_findings(factory.mktemp("golden")))
    return _ROWS
