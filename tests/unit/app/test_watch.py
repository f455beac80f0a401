"""`mtaudit watch`: a hot folder audited with the model loaded once (mtaudit/app/watch.py)."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, SAMPLES
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.app.watch import Inbox, is_temporary

runner = CliRunner()
SCHEMA = json.loads((REPO / "mtaudit" / "reports" / "results.schema.json").read_text())


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ---- the inbox ------------------------------------------------------------------------------------------------
def test_a_file_is_offered_once_it_has_stopped_changing_and_again_when_it_changes(tmp_path):
    inbox = Inbox(tmp_path)
    story = tmp_path / "story.txt"
    story.write_text("First half", encoding="utf-8")
    assert inbox.ready() == []  # seen once: it may still be growing
    with story.open("a", encoding="utf-8") as fh:
        fh.write(" and the second half.")
    assert inbox.ready() == []  # it changed since the last look
    assert inbox.ready() == [story]  # unchanged for one look: complete
    assert inbox.ready() == []  # offered once
    story.write_text("An edited story, longer than before.", encoding="utf-8")
    assert inbox.ready() == []
    assert inbox.ready() == [story]  # changed after its audit: offered again


def test_hidden_temporary_and_nested_files_are_never_offered(tmp_path):
    for name in (".hidden.txt", "draft.txt.part", "copy.txt.tmp", "~$report.docx", "save.txt~", "dl.crdownload"):
        (tmp_path / name).write_text("text", encoding="utf-8")
        assert is_temporary(name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("text", encoding="utf-8")
    (tmp_path / "b.txt").write_text("text", encoding="utf-8")
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    inbox = Inbox(tmp_path)
    inbox.ready()
    assert inbox.ready() == [tmp_path / "a.txt", tmp_path / "b.txt"]  # in name order
    assert not is_temporary("story.txt") and not is_temporary("feed.jsonl")


def test_a_file_dropped_in_again_after_it_was_removed_is_offered_again(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("A story.", encoding="utf-8")
    stat = story.stat()
    inbox = Inbox(tmp_path)
    inbox.ready()
    assert inbox.ready() == [story]
    story.unlink()
    assert inbox.ready() == []
    story.write_text("A story.", encoding="utf-8")
    os.utime(story, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the very same file, time and all
    inbox.ready()
    assert inbox.ready() == [story]


def test_a_missing_folder_offers_nothing_instead_of_failing(tmp_path):
    inbox = Inbox(tmp_path / "gone")
    assert inbox.ready() == [] and inbox.ready() == []


# ---- the command ----------------------------------------------------------------------------------------------
def test_once_audits_every_file_writes_one_results_file_each_and_leaves_the_inputs_alone(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    for name in ("01_port_deal.txt", "07_briefing.jsonl"):
        (inbox / name).write_bytes((SAMPLES / name).read_bytes())
    (inbox / "broken.xlf").write_bytes(b"\x00\x01 not XML")
    (inbox / "half.txt.part").write_text("still being copied", encoding="utf-8")
    before = digest(inbox)
    result = runner.invoke(app, ["watch", str(inbox), "--out", str(out), "--once", "--no-model", "--poll", "0.1",
                                 "--html"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert digest(inbox) == before
    assert sorted(p.name for p in out.iterdir()) == [
        "01_port_deal.txt.html", "01_port_deal.txt.jsonl", "07_briefing.jsonl.html", "07_briefing.jsonl.jsonl",
        "broken.xlf.jsonl"]
    port = records(out / "01_port_deal.txt.jsonl")
    for rec in port:
        jsonschema.validate(rec, SCHEMA)
    assert port[0]["type"] == "run" and port[0]["options"]["watch"] == str(inbox)
    assert port[-1]["type"] == "document" and port[-1]["findings"] >= 3
    assert any("Edited by" in r["text"] and r["findings"] for r in port if r["type"] == "sentence")
    broken = records(out / "broken.xlf.jsonl")
    assert [r["type"] for r in broken] == ["run", "document"] and "malformed XML" in broken[-1]["error"]
    assert "<html" in (out / "07_briefing.jsonl.html").read_text(encoding="utf-8").lower()
    assert "stopped: 3 files audited" in result.output
    assert "01_port_deal.txt: 10 sentences" in result.output


def test_a_reviewers_decisions_apply_to_the_watched_files(tmp_path):
    """A desk that dismissed a false alarm in the review list does not see it again in the watch's results."""
    import csv

    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    story = inbox / "01_port_deal.txt"
    story.write_bytes((SAMPLES / "01_port_deal.txt").read_bytes())
    review = tmp_path / "review.csv"
    result = runner.invoke(app, ["audit", str(story), "--no-model", "--csv", str(review), "--quiet"])
    assert result.exit_code == 0, result.output
    with open(review, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    at = {name: i for i, name in enumerate(rows[0])}
    dismissed = 0
    for row in rows[1:]:
        if row[at["detector"]] == "credits":
            row[at["decision"]] = "dismiss"
            dismissed += 1
    assert dismissed
    with open(review, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = runner.invoke(app, ["watch", str(inbox), "--out", str(out), "--once", "--no-model", "--poll", "0.1",
                                 "--decisions", str(review)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    watched = records(out / "01_port_deal.txt.jsonl")
    assert watched[0]["options"]["decisions"] == str(review)
    assert watched[-1]["dismissed"] == dismissed
    assert not any(f["detector"] == "credits" for r in watched if r["type"] == "sentence" for f in r["findings"])


def test_a_glossary_and_detector_settings_reach_the_watched_files_as_they_reach_audit(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    story = inbox / "premier.txt"
    story.write_text("Premier Li Kequiang visited Kwangtung on Monday, state media said.", encoding="utf-8")
    glossary = tmp_path / "names.csv"
    glossary.write_text("term,variants\nLi Keqiang,Li Kequiang\nGuangdong,Kwangtung\n", encoding="utf-8")
    options = ["--no-model", "--glossary", str(glossary), "--set", "repetition.loop_count=4"]
    result = runner.invoke(app, ["watch", str(inbox), "--out", str(out), "--once", "--poll", "0.1", *options],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    alone = tmp_path / "alone.jsonl"
    result = runner.invoke(app, ["audit", str(story), "--jsonl", str(alone), "--quiet", *options])
    assert result.exit_code == 0, result.output
    watched = records(out / "premier.txt.jsonl")
    suggestions = {f["suggestion"] for r in watched if r["type"] == "sentence" for f in r["findings"]}
    assert {"Li Keqiang", "Guangdong"} <= suggestions
    assert watched[0]["detectors"]["repetition"]["loop_count"] == 4
    assert watched[0]["detectors"] == records(alone)[0]["detectors"] and watched[1:] == records(alone)[1:]


def test_the_results_folder_may_not_lie_inside_the_watched_one(tmp_path):
    result = runner.invoke(app, ["watch", str(tmp_path), "--out", str(tmp_path / "results"), "--once", "--no-model"])
    assert result.exit_code == 2 and "inside the watched folder" in result.output
    result = runner.invoke(app, ["watch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"), "--no-model"])
    assert result.exit_code == 2 and "not a folder to watch" in result.output


def test_a_results_folder_that_cannot_be_written_stops_the_watch_with_a_clear_error(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    (inbox / "a.txt").write_text("The minister said on Monday that talks would resume.", encoding="utf-8")
    (out / "a.txt.jsonl.partial.tmp").mkdir(parents=True)  # where the results file is written first
    result = runner.invoke(app, ["watch", str(inbox), "--out", str(out), "--once", "--no-model", "--poll", "0.1"])
    assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output
    assert not (out / "a.txt.jsonl").exists() and not (out / "a.txt.jsonl.partial").exists()


def test_a_running_watch_audits_files_as_they_arrive_and_stops_on_ctrl_c(tmp_path):
    """A real process: a file that arrives under a temporary name and is renamed when complete (as copy tools and
    MT pipelines write) is audited once; Ctrl-C ends the watch cleanly between files."""
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "mtaudit", "watch", str(inbox), "--out", str(out), "--no-model",
                             "--poll", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not out.is_dir():
            time.sleep(0.05)
        part = inbox / "03_flood_relief.txt.part"
        part.write_bytes((SAMPLES / "03_flood_relief.txt").read_bytes())
        time.sleep(0.5)
        assert not out.is_dir() or not any(out.iterdir()), "a file still under its temporary name was audited"
        os.replace(part, inbox / "03_flood_relief.txt")
        result = out / "03_flood_relief.txt.jsonl"
        while time.time() < deadline and not result.exists():
            time.sleep(0.05)
        assert result.exists(), "the arriving file was not audited within a minute"
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "stopped: 1 file audited" in stderr and "Traceback" not in stderr
    assert records(result)[-1]["type"] == "document"
    assert [p.name for p in out.iterdir()] == ["03_flood_relief.txt.jsonl"]  # nothing half-written left beside it


@pytest.mark.model
def test_with_the_model_a_watched_file_gets_the_records_audit_gives_it(tmp_path):
    """The model loaded once by the watch scores a file exactly as `mtaudit audit` of that file does."""
    from mtaudit.fluency import store

    if not store.is_ready(store.DEFAULT_MODEL):
        pytest.skip("the default model is not pulled: run `make model`")
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    story = inbox / "07_briefing.jsonl"
    story.write_bytes((SAMPLES / "07_briefing.jsonl").read_bytes())
    result = runner.invoke(app, ["watch", str(inbox), "--out", str(out), "--once", "--poll", "0.1", "--device", "cpu"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    alone = tmp_path / "alone.jsonl"
    result = runner.invoke(app, ["audit", str(story), "--jsonl", str(alone), "--quiet", "--device", "cpu"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    watched = records(out / "07_briefing.jsonl.jsonl")
    assert watched[0]["model"]["id"] == store.DEFAULT_MODEL
    assert all(r["fluency"] is not None for r in watched if r["type"] == "sentence")
    assert watched[1:] == records(alone)[1:]
