"""Reviewing in the HTML report (issue 31): a reviewer marks MQM errors on any sentence, marks clean ones and decides
findings with the keyboard alone; the judgements survive a reload, export as Google's error-row TSV that the MQM
reader reads back whole, and an export imported into a fresh copy continues the review.

Real headless Chromium on the report of a real --no-model audit of samples/. With ``MTAUDIT_SCREENSHOTS=1`` the first
test also writes the screenshots of docs/reviewing.md (docs/images/review-*.png); otherwise it writes nothing tracked.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter

import pytest
from typer.testing import CliRunner

from helpers import REPO, SAMPLES
from test_html_report import Guarded, browser, chdir  # noqa: F401  (browser: the module's shared Chromium)

from mtaudit.cli import app
from mtaudit.evaluation.mqm import Judgement, read_mqm
from mtaudit.review import load_decisions
from mtaudit.review.judgements import COLUMNS
from mtaudit.reports.base import build_report, ranked_sentences
from mtaudit.reports.records import read_records

JUDGEMENTS_KEY = "mtaudit.judgements.v1"
REVIEWER_KEY = "mtaudit.reviewer.v1"
SCREENSHOTS = REPO / "docs" / "images"
VIEWPORT = (1200, 800)


@pytest.fixture(scope="module")
def samples_report(tmp_path_factory):
    if not SAMPLES.is_dir():
        pytest.skip("samples/ is absent")
    work = tmp_path_factory.mktemp("review")
    with chdir(REPO):
        result = CliRunner().invoke(app, ["audit", "samples", "--no-model", "--workers", "1", "--top", "0", "-q",
                                          "--jsonl", str(work / "samples.jsonl"), "--html", str(work / "samples.html")])
    assert result.exit_code in (0, 1), result.output
    report = build_report(read_records(work / "samples.jsonl"))
    return {"html": work / "samples.html", "report": report, "dir": work}


@pytest.fixture
def page(browser, samples_report):  # noqa: F811
    pages = []

    def open_(path=None, viewport=VIEWPORT) -> Guarded:
        g = Guarded(browser, path or samples_report["html"], "#queue", viewport=viewport)
        pages.append(g)
        return g

    yield open_
    for g in pages:
        g.close()


def place(report: dict, sentence: dict) -> tuple[str, int, int]:
    """(doc, doc_id, seg_id) of a sentence as the export must give them: its document's path and 1-based position in
    the report, and its 1-based number among its document's sentence records."""
    for d, doc in enumerate(report["documents"]):
        if doc["doc"] == sentence["doc"]:
            seq = next(k for k, s in enumerate(doc["sentences"])
                       if (s["segment"], s["sentence"]) == (sentence["segment"], sentence["sentence"]))
            return doc["doc"], d + 1, seq + 1
    raise AssertionError(sentence["doc"])


def words(text: str) -> list[tuple[int, int]]:
    """The words the panel's arrow keys step through, for the plain Latin-script sentences used here."""
    return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


def selected(g: Guarded) -> int:
    return int(g.page.get_attribute("#queue-list .row.selected", "data-row"))


def press(g: Guarded, *keys: str) -> None:
    for key in keys:
        g.page.keyboard.press(key)


def export_mqm(g: Guarded, path) -> str:
    with g.page.expect_download() as info:
        g.page.click("#export-mqm")
    assert re.fullmatch(r"mtaudit-review-\d{8}-\d{4}\.tsv", info.value.suggested_filename)
    info.value.save_as(path)
    return path.read_text(encoding="utf-8")


def screenshot(g: Guarded, name: str, selector: str | None = None) -> None:
    """docs/images/review-NAME.png of the page (or of one element), only when MTAUDIT_SCREENSHOTS=1."""
    if os.environ.get("MTAUDIT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    g.page.evaluate("() => { const t = document.getElementById('toast'); if (t) t.className = 'toast'; }")
    g.page.wait_for_timeout(300)  # the toast's fade
    target = g.page.locator(selector) if selector else g.page
    target.screenshot(path=str(SCREENSHOTS / f"review-{name}.png"))


def read_back(path) -> Counter:
    """Every row of an MQM file as the repository's reader gives it back: (doc, seg_id, rater, category, severity,
    span text or None, span)."""
    out = Counter()
    for gold in read_mqm(path).segments:
        for j in gold.judgements:
            out[(gold.doc, gold.seg_id, j.rater, j.category, j.severity,
                 None if j.span is None else gold.target[j.span[0]:j.span[1]], j.span)] += 1
    return out


def reload(g: Guarded) -> None:
    g.reload_after_saving(JUDGEMENTS_KEY, REVIEWER_KEY)  # the reviewer's name is kept under its own key
    g.page.wait_for_selector("html[data-route='#queue']")


@pytest.mark.browser
def test_keyboard_review_survives_reload_and_exports_mqm_the_reader_reads_back_whole(page, samples_report, tmp_path):
    report = samples_report["report"]
    ranked = ranked_sentences(report)
    g = page()
    press(g, "a")  # every sentence, not only those with findings
    total = sum(len(d["sentences"]) for d in report["documents"])
    assert g.page.inner_text("#queue-count").startswith(f"{total} sentences")
    assert g.page.inner_text("#review-progress") == f"0 / {total} in queue reviewed"
    expected = Counter()

    def expect(sentence, category, severity, span):
        doc, _, seq = place(report, sentence)
        text = sentence["text"]
        expected[(doc, str(seq), "Ana", category, severity,
                  None if span is None else text[span[0]:span[1]], span)] += 1

    # 1. the riskiest sentence: two words by the keys, then an omission at a point; the name is asked once
    top = ranked[0]
    press(g, "e")
    assert g.page.is_visible("#reviewer") and g.page.is_hidden("#annotate")
    g.page.keyboard.type("Ana")
    press(g, "Enter")
    assert g.page.is_visible("#annotate") and g.page.inner_text("#ann-span") == "Span: whole sentence"
    press(g, "ArrowRight", "Shift+ArrowRight")
    w = words(top["text"])
    assert g.page.inner_text("#ann-span") == f"Span: “{top['text'][w[0][0]:w[1][1]]}”"
    press(g, "Enter")
    screenshot(g, "annotate", "#annotate .modal-box")
    press(g, "1", "2")
    g.page.keyboard.type("the unions are the rail unions")
    press(g, "Enter")
    assert g.page.is_hidden("#annotate")
    expect(top, "Accuracy/Mistranslation", "Major", (w[0][0], w[1][1]))
    press(g, "e", "o", "ArrowLeft", "Enter", "2", "1", "Enter")
    expect(top, "Accuracy/Omission", "Minor", (w[-1][0], w[-1][0]))
    assert g.page.locator("#queue-list .row.selected .judgement").count() == 2
    assert g.page.locator("#queue-list .row.selected mark.judged").count() == 2
    assert g.page.inner_text("#review-progress") == f"1 / {total} in queue reviewed"
    # r on a sentence with errors marked is refused: it is not clean
    press(g, "r")
    assert selected(g) == int(g.page.get_attribute("#queue-list .row >> nth=0", "data-row"))

    # 2. confirm one finding, dismiss the other: the confirmed one is an error row with its own span and category
    press(g, "j")
    second = ranked[1]
    found = sorted(second["findings"], key=lambda f: (f["start"], f["end"]))
    assert len(found) == 2
    press(g, "c", "x")
    expect(second, found[0]["category"], found[0]["severity"].capitalize(), (found[0]["start"], found[0]["end"]))

    # 3. the untranslated sentence: Non-translation! on the whole of it (Google's campaigns: severity Major)
    third = ranked[2]
    assert selected(g) == int(g.page.get_attribute(f"#queue-list .row >> nth=2", "data-row"))
    press(g, "e", "Enter", "n", "Enter")
    expect(third, "Non-translation!", "Major", (0, len(third["text"])))

    # 4. every finding dismissed and nothing marked: reviewed, no error
    press(g, "j")
    fourth = ranked[3]
    for _ in fourth["findings"]:
        press(g, "x")
    expect(fourth, "No-error", "No-error", None)

    # 5. a span selected with the mouse, then a second error on the same sentence over the whole of it
    fifth = ranked[4]
    row = g.page.locator("#queue-list .row >> nth=4")
    assert int(row.get_attribute("data-row")) == selected(g)
    word = next(m for m in re.finditer(r"\w{6,}", fifth["text"]) if m.start() > 0)
    g.page.evaluate("""([row, s, e]) => {
        const p = document.querySelector(`#queue-list .row[data-row="${row}"] .sentence`);
        const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let at = 0, node;
        while ((node = walker.nextNode())) {
          const n = node.length;
          if (s >= at && s <= at + n) range.setStart(node, s - at);
          if (e >= at && e <= at + n) { range.setEnd(node, e - at); break; }
          at += n;
        }
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""", [selected(g), word.start(), word.end()])
    press(g, "e")
    assert g.page.inner_text("#ann-span") == f"Span: “{word.group()}”"
    press(g, "5", "3", "Enter")
    expect(fifth, "Fluency/Grammar", "Critical", word.span())
    press(g, "e", "Enter", "a", "1")
    g.page.keyboard.type("reads like a calque")
    press(g, "Enter")
    expect(fifth, "Style/Unnatural or awkward", "Minor", (0, len(fifth["text"])))

    # 6. "reviewed, no error" with one key, on a sentence with findings and on one without
    press(g, "j")
    sixth = ranked[5]
    press(g, "r")
    expect(sixth, "No-error", "No-error", None)
    clean_row = next(k for k, s in enumerate(ranked) if not s["findings"])
    while selected(g) != int(g.page.evaluate("k => document.querySelectorAll('#queue-list .row')[k].dataset.row",
                                             clean_row)):
        press(g, "j")
    press(g, "r")
    expect(ranked[clean_row], "No-error", "No-error", None)
    reviewed = 7
    assert g.page.inner_text("#review-progress") == f"{reviewed} / {total} in queue reviewed"
    assert g.page.inner_text("#export-mqm") == f"Export MQM ({sum(expected.values())})"
    g.page.evaluate("window.scrollTo(0, 0)")
    screenshot(g, "queue")
    press(g, "?")
    screenshot(g, "help", "#help .modal-box")
    press(g, "Escape")

    # the judgements survive a reload
    reload(g)
    assert g.page.inner_text("#reviewer-name") == "Reviewer: Ana"
    press(g, "a")
    assert g.page.inner_text("#review-progress") == f"{reviewed} / {total} in queue reviewed"
    assert g.page.locator("#queue-list .row.reviewed").count() == reviewed
    assert g.page.locator("#queue-list .judgement").count() == 5 + 3  # marked errors, then the clean marks
    # J goes to where the review left off: the first sentence nobody reviewed (the 7th, ranked[6])
    press(g, "Shift+J")
    assert selected(g) == int(g.page.get_attribute("#queue-list .row >> nth=6", "data-row"))
    assert "reviewed" not in g.page.get_attribute("#queue-list .row >> nth=6", "class").split()
    press(g, *"kkkkkk")

    # the MQM export: Google's columns, the contract's fields, and every judgement read back by the MQM reader
    text = export_mqm(g, tmp_path / "review.tsv")
    lines = text.splitlines()
    assert lines[0] == "\t".join(COLUMNS)
    positions = {d["doc"]: k + 1 for k, d in enumerate(report["documents"])}
    by_place = {place(report, s)[::2]: s for d in report["documents"] for s in d["sentences"]}
    for line in lines[1:]:
        system, doc, doc_id, seg_id, rater, source, target, category, severity = line.split("\t")
        sentence = by_place[(doc, int(seg_id))]
        assert (system, int(doc_id), rater) == ("-", positions[doc], "Ana")
        assert source == (sentence.get("source") or "").replace("\t", " ").replace("\n", " ")
        assert re.sub("</?v>", "", target) == sentence["text"]
    assert read_back(tmp_path / "review.tsv") == expected
    penalties = {(s.doc, s.seg_id): s.penalty for s in read_mqm(tmp_path / "review.tsv").segments}
    assert penalties[(top["doc"], str(place(report, top)[2]))] == 6.0  # a major and a minor error
    # and `mtaudit eval` measures the run's order against it, every reviewed sentence matched to its record
    with chdir(REPO):
        result = CliRunner().invoke(app, ["eval", "--mqm", str(tmp_path / "review.tsv"),
                                          str(samples_report["dir"] / "samples.jsonl")])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert f"{reviewed} of {total} sentences judged" in " ".join(result.output.split()), result.output

    # the decisions file is still the one `audit --decisions` reads: one confirmed, the dismissed ones
    with g.page.expect_download() as info:
        g.page.click("#export-decisions")
    info.value.save_as(tmp_path / "decisions.json")
    decisions = json.loads((tmp_path / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    dismissed = 1 + len(fourth["findings"]) + len(sixth["findings"])
    assert Counter(d["decision"] for d in decisions) == {"confirm": 1, "dismiss": dismissed}
    assert len(load_decisions(tmp_path / "decisions.json")) == 1 + dismissed
    # Delete takes back the selected sentence's last error, then the next, then its review
    assert selected(g) == int(g.page.get_attribute("#queue-list .row >> nth=0", "data-row"))
    press(g, "Delete")
    assert g.page.inner_text("#export-mqm") == f"Export MQM ({sum(expected.values()) - 1})"
    press(g, "Delete", "Delete")
    assert g.page.inner_text("#review-progress") == f"{reviewed - 1} / {total} in queue reviewed"
    assert g.page.inner_text("#export-mqm") == f"Export MQM ({sum(expected.values()) - 2})"
    assert g.errors == [] and g.foreign == [] and g.dialogs == []


@pytest.mark.browser
def test_importing_an_export_continues_the_review_in_a_fresh_copy(page, samples_report, tmp_path):
    report = samples_report["report"]
    ranked = ranked_sentences(report)
    first = page()
    press(first, "e")
    first.page.keyboard.type("Ana")
    press(first, "Enter", "Enter", "1", "2", "Enter", "j", "c")
    found = sorted(ranked[1]["findings"], key=lambda f: (f["start"], f["end"]))
    for _ in found[1:]:
        press(first, "x")
    press(first, "r")
    exported = export_mqm(first, tmp_path / "round1.tsv")
    assert len(exported.splitlines()) == 4

    # a colleague's fresh browser: import the file, the same judgements come back, then go on reviewing
    g = page()
    g.page.set_input_files("#import-file", str(tmp_path / "round1.tsv"))
    g.page.wait_for_function("() => document.getElementById('export-mqm').textContent === 'Export MQM (3)'")
    assert g.page.inner_text("#decision-summary") == "0 dismissed · 1 confirmed"
    assert g.page.locator("#queue-list .row.reviewed").count() == 3
    assert g.page.inner_text("#reviewer-name") == "Reviewer: –"
    again = export_mqm(g, tmp_path / "again.tsv")
    assert sorted(again.splitlines()) == sorted(exported.splitlines())
    press(g, "j", "j", "j", "e")
    g.page.fill("#reviewer-input", "Ben")
    press(g, "Enter", "Enter", "7", "1", "Enter")
    export_mqm(g, tmp_path / "round2.tsv")
    rows = read_back(tmp_path / "round2.tsv")
    assert Counter(r[2] for r in rows.elements()) == {"Ana": 3, "Ben": 1}
    assert read_back(tmp_path / "round1.tsv") <= rows
    assert [r for r in rows if r[2] == "Ben"][0][3:5] == ("Fluency/Punctuation", "Minor")
    # rows of another report, and a second reviewer's rows on a sentence already in the file, are left out
    other = tmp_path / "other.tsv"
    second_reviewer = exported.splitlines()[1].replace("\tAna\t", "\tZoe\t")
    other.write_text("\t".join(COLUMNS) + "\n-\tnot/in/this/report.txt\t1\t1\tZoe\t\tA sentence.\tOther\tMinor\n"
                     + exported.splitlines()[1] + "\n" + second_reviewer + "\n", encoding="utf-8")
    g.page.set_input_files("#import-file", str(other))
    g.page.wait_for_function("() => document.getElementById('toast').textContent.includes('2 rows left out')")
    assert g.page.inner_text("#export-mqm") == "Export MQM (4)"
    assert g.errors == [] and g.foreign == [] and g.dialogs == []


@pytest.mark.browser
def test_junk_in_local_storage_is_ignored(page, samples_report):
    report = samples_report["report"]
    top = ranked_sentences(report)[0]
    doc, _, seq = place(report, top)
    valid = {"doc": doc, "seg": seq, "text": top["text"], "rater": "Ana", "at": "", "done": True,
             "errors": [{"s": 0, "e": 3, "cat": "Other", "sev": "Minor", "rater": "Ana"}]}
    def key(doc, seq):  # as the page writes it: JSON.stringify([doc, seq])
        return json.dumps([doc, seq], separators=(",", ":"), ensure_ascii=False)

    g = page()
    for junk, kept in [
        ("{not json", 0),
        (json.dumps({"version": 2, "sentences": {key(doc, seq): valid}}), 0),
        (json.dumps({"version": 1, "sentences": [valid]}), 0),
        (json.dumps({"version": 1, "sentences": {
            key(doc, seq): valid,
            "x": valid,                                                     # not its own key
            key(doc, seq + 1): {**valid, "seg": seq + 1},                   # another sentence's text
            key(doc, 1): {**valid, "seg": 1, "errors": [{**valid["errors"][0], "e": 10 ** 6}]},
            key(doc, 2): {**valid, "seg": 2, "errors": [{"s": 0}]},
            key(doc, 3): None}}), 1),
    ]:
        g.page.evaluate("([k, v]) => { localStorage.setItem(k, v); localStorage.setItem('mtaudit.reviewer.v1', "
                        "'\\tnot a name') }", [JUDGEMENTS_KEY, junk])
        reload(g)
        assert g.page.inner_text("#export-mqm") == f"Export MQM ({kept})", junk
        assert g.page.inner_text("#reviewer-name") == "Reviewer: –"
        assert g.page.is_hidden("#storage-warning")
    assert g.page.locator("#queue-list .row >> nth=0 >> .judgement").count() == 1
    assert g.errors == [] and g.foreign == [] and g.dialogs == []


@pytest.mark.browser
def test_decisions_taken_before_a_name_get_one_at_export(page, tmp_path):
    """Dismissing and confirming never stop to ask for a name; the export asks once, and every row carries it."""
    g = page()
    press(g, "x")  # the riskiest sentence has one finding: dismissed, it is reviewed and clean
    assert g.page.inner_text("#export-mqm") == "Export MQM (1)"
    with g.page.expect_download() as info:
        g.page.click("#export-mqm")
        assert g.page.is_visible("#reviewer")
        g.page.keyboard.type("Cy")
        press(g, "Enter")
    info.value.save_as(tmp_path / "named.tsv")
    [row] = read_back(tmp_path / "named.tsv")
    assert row[2:5] == ("Cy", "No-error", "No-error")
    assert g.page.inner_text("#reviewer-name") == "Reviewer: Cy"
    assert g.errors == [] and g.dialogs == []


@pytest.mark.browser
def test_the_document_view_takes_judgements_too(page, samples_report, tmp_path):
    """In the document view any sentence can be selected (a click) and judged with the same keys."""
    report = samples_report["report"]
    doc = report["documents"][0]
    clean = next(k for k, s in enumerate(doc["sentences"]) if not s["findings"])
    g = page()
    g.go("#doc=0")
    g.page.locator("#doc-body .s").nth(clean).click()
    press(g, "e")
    g.page.keyboard.type("Dee")
    press(g, "Enter", "Enter", "6", "1", "Enter")
    assert g.page.locator("#doc-body .judgement").count() == 1
    assert g.page.locator("#doc-body .s.reviewed").count() == 1
    export_mqm(g, tmp_path / "doc.tsv")
    [row] = read_back(tmp_path / "doc.tsv")
    text = doc["sentences"][clean]["text"]
    assert row == (doc["doc"], str(clean + 1), "Dee", "Fluency/Spelling", "Minor", text, (0, len(text)))
    assert g.errors == [] and g.foreign == []
