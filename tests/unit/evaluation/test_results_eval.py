"""`mtaudit eval --mqm EXPORT RESULTS.jsonl`: an earlier run's order against the team's export, joined by document and
sentence number, without auditing again."""
import json

import pytest
from typer.testing import CliRunner

from helpers import SAMPLES
from mtaudit.cli import app
from mtaudit.evaluation.results import evaluate_results

runner = CliRunner()
HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "results.jsonl"
    run = runner.invoke(app, ["audit", str(SAMPLES / "01_port_deal.txt"), str(SAMPLES / "03_flood_relief.txt"),
                              "--no-model", "--jsonl", str(out), "-q"])
    assert out.exists(), run.output
    return out


def sentences(path):
    records = [json.loads(line) for line in path.read_text().splitlines()]
    numbered, out = {}, []
    for r in records:
        if r["type"] == "sentence":
            numbered[r["doc"]] = numbered.get(r["doc"], 0) + 1
            out.append((r["doc"], numbered[r["doc"]], r))
    return out


def export(path, results, judge=5):
    """The team's export in the report's layout: the first ``judge`` sentences of each document judged by "ana";
    a sentence with findings gets a Major error on its first finding's span, every third sentence a Minor error on
    its first word, the rest a No-error row."""
    rows = [HEADER]
    judged = confirmed = 0
    for doc, n, r in sentences(results):
        if n > judge:
            continue
        judged += 1
        text = r["text"]
        if r["findings"]:
            f = r["findings"][0]
            marked = text[:f["start"]] + "<v>" + text[f["start"]:f["end"]] + "</v>" + text[f["end"]:]
            rows.append(f"-\t{doc}\t1\t{n}\tana\t\t{marked}\tAccuracy/Mistranslation\tMajor")
            confirmed += 1
        elif n % 3 == 0:
            word = text.split()[0]
            rows.append(f"-\t{doc}\t1\t{n}\tana\t\t<v>{word}</v>{text[len(word):]}\tFluency/Grammar\tMinor")
        else:
            rows.append(f"-\t{doc}\t1\t{n}\tana\t\t{text}\tNo-error\tNo-error")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return judged, confirmed


def test_eval_of_an_earlier_run_joins_by_document_and_sentence_and_counts_the_unjudged(tmp_path, results):
    judged, confirmed = export(tmp_path / "team.tsv", results)
    report = evaluate_results(results, [tmp_path / "team.tsv"])
    total = len(sentences(results))
    assert (report["sentences"], report["judged"], report["unjudged"]) == (total, judged, total - judged)
    assert report["not_in_results"] == 0 and report["raters"] == ["ana"]
    assert set(report["scorers"]) == {"mtaudit", "length", "random"}
    for figures in report["scorers"].values():
        assert set(figures) == {"tau", "tau_doc", "tau_item", "tau_item_rater", "pearson", "p_at_20"}
        assert figures["tau_item"] is None  # one translation per source
    # the Major errors sit where the findings are, and risk follows findings: the run's order finds them
    assert report["scorers"]["mtaudit"]["p_at_20"] > report["scorers"]["length"]["p_at_20"]
    # each judged sentence with findings had its first finding confirmed by an overlapping span
    assert sum(d["on_marked_span"] for d in report["detectors"].values()) >= confirmed > 0
    for d in report["detectors"].values():
        assert d["precision"] == pytest.approx(d["on_marked_span"] / d["findings"], abs=1e-4)


def test_eval_cli_with_results_writes_json_and_says_how_many_are_unjudged(tmp_path, results):
    judged, _ = export(tmp_path / "team.tsv", results)
    out = tmp_path / "figures.json"
    result = runner.invoke(app, ["eval", "--mqm", str(tmp_path / "team.tsv"), str(results), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{judged} of {len(sentences(results))} sentences judged" in result.output
    assert json.loads(out.read_text())["judged"] == judged
    again = runner.invoke(app, ["eval", "--mqm", str(tmp_path / "team.tsv"), str(results), "--no-model"])
    assert again.exit_code == 2 and "nothing is audited" in again.output


def test_an_export_of_another_run_is_an_error_naming_the_sentence(tmp_path, results):
    doc, n, r = sentences(results)[0]
    (tmp_path / "other.tsv").write_text(f"{HEADER}\n-\t{doc}\t1\t{n}\tana\t\tSomething else entirely.\tNo-error\t"
                                        "No-error\n-\tnot/in/run.txt\t1\t1\tana\t\tX.\tNo-error\tNo-error\n")
    result = runner.invoke(app, ["eval", "--mqm", str(tmp_path / "other.tsv"), str(results)])
    assert result.exit_code == 2 and f"sentence {n} of {doc}" in result.output


def test_sentences_judged_but_not_in_the_results_are_counted(tmp_path, results):
    doc, n, r = sentences(results)[0]
    (tmp_path / "team.tsv").write_text(f"{HEADER}\n-\t{doc}\t1\t{n}\tana\t\t{r['text']}\tNo-error\tNo-error\n"
                                       "-\tnot/in/run.txt\t1\t1\tana\t\tX.\tNo-error\tNo-error\n")
    report = evaluate_results(results, [tmp_path / "team.tsv"])
    assert report["judged"] == 1 and report["not_in_results"] == 1


def test_a_line_break_in_a_sentence_is_a_space_in_the_export(tmp_path):
    """The export writes each tab or line break of a text as a space (a TSV field); the join reads it so."""
    results = tmp_path / "results.jsonl"
    records = [{"type": "sentence", "doc": "a.txt", "segment": "1", "sentence": 0, "start": 0, "end": 24,
                "text": "Prices rose\nby 5 percent.", "risk": 2.0, "findings": [
                    {"detector": "numbers", "category": "Accuracy/Mistranslation", "severity": "major", "start": 15,
                     "end": 16, "message": "", "suggestion": None, "confidence": 1.0}]},
               {"type": "sentence", "doc": "a.txt", "segment": "2", "sentence": 0, "start": 0, "end": 9,
                "text": "It rained.", "risk": 0.5, "findings": []},
               {"type": "document", "doc": "a.txt", "risk": 2.0, "sentences": 2, "findings": 1, "error": None}]
    results.write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "team.tsv").write_text(f"{HEADER}\n-\ta.txt\t1\t1\tana\t\tPrices rose by <v>5</v> percent.\t"
                                       "Accuracy/Mistranslation\tMajor\n-\ta.txt\t1\t2\tana\t\tIt rained.\tNo-error\t"
                                       "No-error\n")
    report = evaluate_results(results, [tmp_path / "team.tsv"])
    assert report["judged"] == 2 and report["unjudged"] == 0
    assert report["detectors"]["numbers"] == {"findings": 1, "on_marked_span": 1, "precision": 1.0}
