"""End-to-end: the CLI over samples/, hostile folders, exit codes and the JSONL contract."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, SAMPLES, SEED, kill_after_documents
from typer.testing import CliRunner

from mtaudit.cli import app

SCHEMA = json.loads((REPO / "mtaudit" / "reports" / "results.schema.json").read_text())
runner = CliRunner()


def audit(*args):
    return runner.invoke(app, ["audit", *map(str, args)], catch_exceptions=False)


def records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_samples_jsonl_follows_the_contract(tmp_path):
    out = tmp_path / "out.jsonl"
    result = audit(SAMPLES, "--jsonl", out, "--no-model", "--quiet")
    assert result.exit_code == 0, result.output
    recs = records(out)
    assert recs[0]["type"] == "run"
    for rec in recs:
        jsonschema.validate(rec, SCHEMA)
    docs = [r for r in recs if r["type"] == "document"]
    assert len(docs) == len({d["doc"] for d in docs}) >= 4
    # sentence lines of a document come before its document line, in input order
    seen_docs = set()
    for rec in recs[1:]:
        assert rec["doc"] not in seen_docs
        if rec["type"] == "document":
            seen_docs.add(rec["doc"])
    for rec in recs:
        if rec["type"] == "sentence":
            assert rec["end"] - rec["start"] == len(rec["text"])
            for f in rec["findings"]:
                assert 0 <= f["start"] <= f["end"] <= len(rec["text"])
    assert any(r["type"] == "sentence" and r["findings"] for r in recs)


def test_sentence_offsets_index_the_segment_text(tmp_path):
    out = tmp_path / "out.jsonl"
    audit(SAMPLES / "05_central_bank_clean.txt", "--jsonl", out, "--no-model", "--quiet")
    paragraphs = [p.strip() for p in (SAMPLES / "05_central_bank_clean.txt").read_text().split("\n\n") if p.strip()]
    for rec in records(out):
        if rec["type"] == "sentence":
            assert paragraphs[int(rec["segment"]) - 1][rec["start"]:rec["end"]] == rec["text"]


def test_ranked_table_is_printed(tmp_path):
    result = audit(SAMPLES, "--no-model", "--top", "5")
    assert result.exit_code == 0
    assert "Top 5 sentences to review" in result.output


def test_seed_article_runs(shared, tmp_path):
    out = tmp_path / "seed.jsonl"
    result = audit(SEED, "--no-model", "--jsonl", out, "--quiet")
    assert result.exit_code == 0
    doc = [r for r in records(out) if r["type"] == "document"][0]
    assert doc["error"] is None and doc["sentences"] >= 20


def _bad_folder(tmp_path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLES / "01_port_deal.txt", folder / "good1.txt")
    shutil.copy(SAMPLES / "05_central_bank_clean.txt", folder / "good2.txt")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "utf16.txt").write_bytes("Officials said the bridge would reopen on Monday.\n".encode("utf-16"))
    (folder / "broken.xlf").write_text('<?xml version="1.0"?><xliff version="1.2"><file><body><trans-unit id="1">'
                                       "<source>a</source><target>b</target></body></file></xliff>")
    return folder


def test_bad_files_are_reported_and_the_rest_audited(tmp_path):
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "mtaudit", "audit", str(_bad_folder(tmp_path)), "--jsonl", str(out), "--no-model",
         "--quiet", "--workers", "2"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    docs = {Path(r["doc"]).name: r for r in records(out) if r["type"] == "document"}
    assert docs["good1.txt"]["error"] is None and docs["good1.txt"]["sentences"] > 5
    assert docs["utf16.txt"]["error"] is None and docs["utf16.txt"]["sentences"] == 1
    for bad in ("binary.txt", "empty.txt", "broken.xlf"):
        assert docs[bad]["error"], bad
        assert "\n" not in docs[bad]["error"]
        assert bad in docs[bad]["error"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 3
    assert "Traceback" not in result.stderr


def test_every_input_failing_exits_2(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert audit(tmp_path / "empty.txt", "--no-model", "--quiet").exit_code == 2


def test_missing_path_is_named_and_fails_the_run(tmp_path):
    result = audit(SAMPLES / "05_central_bank_clean.txt", tmp_path / "nope.txt", "--no-model", "--quiet")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.txt'}: no such file or folder" in result.output


def test_fail_above_gates_on_risk():
    assert audit(SAMPLES / "03_flood_relief.txt", "--no-model", "--quiet", "--fail-above", "0.5").exit_code == 1
    assert audit(SAMPLES / "03_flood_relief.txt", "--no-model", "--quiet", "--fail-above", "1000").exit_code == 0


def test_unknown_detector_is_a_usage_error():
    result = audit(SAMPLES, "--no-model", "--detectors", "nonsense")
    assert result.exit_code == 2
    assert "nonsense" in result.output
    # as a process, with the reading workers (which start before the model loads): the configuration is checked
    # first, so no worker tries to build the unknown detector and nothing but the error is printed
    run = subprocess.run([sys.executable, "-m", "mtaudit", "audit", str(SAMPLES), "--no-model", "--detectors",
                          "nonsense", "--workers", "2"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 2 and "unknown detector nonsense" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout and "initializer" not in run.stderr


def test_output_over_an_input_is_refused(tmp_path):
    article = tmp_path / "a.txt"
    shutil.copy(SAMPLES / "05_central_bank_clean.txt", article)
    before = article.read_bytes()
    result = audit(article, "--no-model", "--html", article)
    assert result.exit_code == 2
    assert "overwrite an input" in result.output
    assert article.read_bytes() == before


def test_report_renders_saved_results(tmp_path):
    out, html = tmp_path / "out.jsonl", tmp_path / "r.html"
    audit(SAMPLES, "--jsonl", out, "--no-model", "--quiet")
    result = runner.invoke(app, ["report", str(out), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "mtaudit" in html.read_text()


def test_detectors_command_lists_every_detector():
    from mtaudit.detectors import DETECTORS

    result = runner.invoke(app, ["detectors"])
    assert result.exit_code == 0
    for name in DETECTORS:
        assert name in result.output


def test_inputs_are_never_modified(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES, folder)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    audit(folder, "--no-model", "--quiet", "--jsonl", tmp_path / "o.jsonl", "--html", tmp_path / "o.html")
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert before == after


def _article(i: int) -> str:
    return (f"Officials in district {i} said on Monday that the new bridge would open in May.\n\n"
            f"The project cost {i + 10} million dollars, the the mayor said.\n")


def test_killed_batch_resumes_with_every_document_once(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(1000):
        (folder / f"a{i:04d}.txt").write_text(_article(i))
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "mtaudit", "audit", str(folder), "--jsonl", str(out), "--no-model", "--quiet",
           "--workers", "1", "--top", "0"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = Path(str(out) + ".partial")
    done_before = kill_after_documents(proc, partial, 100, timeout=60)
    assert not out.exists() and partial.exists()
    assert 0 < done_before < 1000
    result = subprocess.run(cmd + ["--resume"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    recs = records(out)
    docs = [r["doc"] for r in recs if r["type"] == "document"]
    assert len(docs) == 1000 and len(set(docs)) == 1000
    sentence_docs = {r["doc"] for r in recs if r["type"] == "sentence"}
    assert sentence_docs == set(docs)
    per_doc = {}
    for r in recs:
        if r["type"] == "sentence":
            per_doc[r["doc"]] = per_doc.get(r["doc"], 0) + 1
    assert set(per_doc.values()) == {2}
    assert not partial.exists()


def test_unreadable_file_is_reported_and_the_rest_audited(tmp_path):
    """As root, permissions do not stop reads; drop the capabilities that override them (util-linux setpriv)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLES / "05_central_bank_clean.txt", folder / "good.txt")
    secret = folder / "secret.txt"
    secret.write_text("Officials said the talks would resume on Monday.")
    secret.chmod(0)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "mtaudit", "audit", str(folder), "--no-model", "--quiet", "--jsonl", str(out)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        caps = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *cmd]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    docs = {Path(r["doc"]).name: r for r in records(out) if r["type"] == "document"}
    assert docs["good.txt"]["error"] is None
    assert "permission denied" in docs["secret.txt"]["error"]
    assert "secret.txt" in result.stderr and "Traceback" not in result.stderr


def test_symlink_loop_in_a_folder_does_not_trap_the_walk(tmp_path):
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLES / "05_central_bank_clean.txt", folder / "sub" / "good.txt")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "self.txt").symlink_to(folder / "self.txt")
    out = tmp_path / "out.jsonl"
    result = audit(folder, "--no-model", "--quiet", "--jsonl", out)
    assert result.exit_code == 0
    docs = {Path(r["doc"]).name: r for r in records(out) if r["type"] == "document"}
    assert docs["good.txt"]["error"] is None
    assert docs["self.txt"]["error"]


def test_an_audit_in_this_process_leaves_its_ctrl_c_alone(tmp_path):
    import signal

    from mtaudit.pipeline import AuditConfig
    from mtaudit.pipeline.stages import start_reader

    before = signal.getsignal(signal.SIGINT)
    start_reader(AuditConfig(detectors=[]))  # what the readers' tests and the Ray engine's tasks call in-process
    assert audit(SAMPLES / "01_port_deal.txt", "--no-model", "--quiet", "--workers", "2").exit_code == 0
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_stops_a_batch_cleanly(tmp_path):
    """Ctrl-C reaches the whole process group: the run stops with 130 and says where the finished documents are, and
    no process prints a traceback (reading workers that had finished their files and waited for more printed one
    each, so the model scores here: it is slower than the reading)."""
    import signal
    import time

    from mtaudit.fluency import store

    if not store.is_ready(store.DEFAULT_MODEL):
        pytest.skip("the default model is not pulled: run `make model`")
    folder = tmp_path / "many"
    folder.mkdir()
    text = (SAMPLES / "01_port_deal.txt").read_text(encoding="utf-8")
    for i in range(40):
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    partial = Path(str(out) + ".partial")
    proc = subprocess.Popen([sys.executable, "-m", "mtaudit", "audit", str(folder), "--jsonl", str(out), "--quiet",
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            start_new_session=True,
                            # as from a terminal, whatever this test process inherited
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None and not partial.exists():
        time.sleep(0.05)  # the results file is opened once the model has loaded; the workers read meanwhile
    time.sleep(1.0)  # the model scores the first batch; the workers have read every file and wait
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted; finished documents are in" in stderr
    assert "Traceback" not in stdout + stderr and "KeyboardInterrupt" not in stderr


@pytest.mark.model
def test_the_run_record_names_the_model_and_the_dtype_it_computed_in(tmp_path):
    """Scores differ in their last digits between a CPU with bf16 units (bf16) and one without (float32): the run
    record says which arithmetic produced them, and validates against the published schema."""
    import torch

    from mtaudit.fluency import store
    from mtaudit.fluency.scorer import fast_bf16

    if not store.is_ready(store.DEFAULT_MODEL):
        pytest.skip("the default model is not pulled: run `make model`")
    out = tmp_path / "out.jsonl"
    result = audit(SAMPLES / "05_central_bank_clean.txt", "--jsonl", out, "--quiet", "--device", "cpu")
    assert result.exit_code == 0, result.output
    run = records(out)[0]
    jsonschema.validate(run, SCHEMA)
    expected = "bfloat16" if fast_bf16(torch.device("cpu")) else "float32"
    assert run["model"] == {"id": store.DEFAULT_MODEL, "checksum": run["model"]["checksum"], "dtype": expected}
    assert len(run["model"]["checksum"]) == 64


def test_adequacy_needs_the_model_and_both_passes(tmp_path):
    sample = SAMPLES / "06_factory_deal.xlf"
    for extra, named in ((["--no-model"], "--no-model"), (["--fast"], "--fast")):
        result = audit(sample, "--adequacy", *extra, "--quiet")
        assert result.exit_code == 2, result.output
        assert "--adequacy" in result.output and named in result.output
    calibrated = runner.invoke(app, ["calibrate", "--mqm", str(REPO / "tests" / "fixtures" / "mqm_small.tsv"),
                                     "--adequacy", "--base", "default", "-o", str(tmp_path / "m.json")])
    assert calibrated.exit_code == 2 and "--base" in calibrated.output
