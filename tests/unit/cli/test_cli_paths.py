"""The command line's paths, as a team first meets them: outputs that cannot be written are refused before any file
is read, inputs that are missing, special or unsupported are named and count against the exit code, and every
output can be opened by the colleagues the user's umask lets in. Each test runs the real CLI as a process."""
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, SAMPLES

ARTICLE = SAMPLES / "05_central_bank_clean.txt"


def mtaudit(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtaudit", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=timeout)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def documents(path: Path) -> dict[str, dict]:
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {Path(r["doc"]).name: r for r in recs if r["type"] == "document"}


def _batch(tmp_path: Path) -> Path:
    """A folder whose one bad file would print a warning if it were read."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "good.txt")
    (folder / "empty.txt").write_text("")
    return folder


def _folder(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    return tmp_path / name


def _under_a_file(tmp_path: Path, name: str) -> Path:
    (tmp_path / "plain").write_text("a file, not a folder")
    return tmp_path / "plain" / name


@pytest.mark.parametrize("option", ["--jsonl", "--html", "--xlsx", "--csv"])
@pytest.mark.parametrize("make, problem", [(_folder, "is a folder"), (_under_a_file, "is a file, not a folder")])
def test_an_output_that_cannot_be_written_is_refused_before_any_file_is_read(tmp_path, option, make, problem):
    folder = _batch(tmp_path)
    target = make(tmp_path, "out" + option.replace("--", "."))
    result = mtaudit("audit", folder, "--no-model", option, target)
    assert result.returncode == 2, result.stderr
    # one line, naming the option and the path; the empty file was never read (it would have printed a warning)
    assert lines(result.stderr) == [lines(result.stderr)[0]] and lines(result.stderr)[0].startswith("error: ")
    assert f"{option} {target}" in result.stderr and problem in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and not result.stdout.strip()
    assert not list(tmp_path.glob("**/*.partial"))


def test_annotate_refuses_a_file_where_its_folder_goes(tmp_path):
    (tmp_path / "copies").write_text("a file")
    result = mtaudit("audit", SAMPLES / "06_factory_deal.xlf", "--no-model", "--annotate", tmp_path / "copies")
    assert result.returncode == 2
    assert lines(result.stderr) == [f"error: --annotate {tmp_path / 'copies'}: is a file; give a folder for the "
                                    "annotated copies"]


def _unwritable_folder(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    if not os.path.isdir("/proc"):
        pytest.skip("running as root without /proc: no folder this user cannot write in")
    return Path("/proc")  # root may write anywhere but here


def test_xlsx_into_an_unwritable_folder_is_one_line_and_no_openpyxl_noise(tmp_path):
    target = _unwritable_folder(tmp_path) / "review.xlsx"
    result = mtaudit("audit", ARTICLE, "--no-model", "--quiet", "--xlsx", target)
    assert result.returncode == 2
    assert len(lines(result.stderr)) == 1, result.stderr
    assert f"--xlsx {target}: cannot write in {target.parent}" in result.stderr
    assert "Exception ignored" not in result.stderr


def test_a_missing_folder_tree_is_refused_but_a_missing_folder_is_created(tmp_path):
    deep = tmp_path / "no" / "such" / "report.html"
    result = mtaudit("audit", ARTICLE, "--no-model", "--quiet", "--html", deep)
    assert result.returncode == 2
    assert lines(result.stderr) == [f"error: --html {deep}: folder {tmp_path / 'no'} does not exist; create it first "
                                    "or choose another path"]
    assert not (tmp_path / "no").exists()

    one = tmp_path / "reports" / "report.html"
    result = mtaudit("audit", ARTICLE, "--no-model", "--top", "0", "--html", one)
    assert result.returncode == 0, result.stderr
    assert f"created folder {tmp_path / 'reports'} for --html" in result.stderr
    assert "<html" in one.read_text(encoding="utf-8")


def test_report_and_watch_check_their_outputs_too(tmp_path):
    results = tmp_path / "out.jsonl"
    assert mtaudit("audit", ARTICLE, "--no-model", "--quiet", "--jsonl", results).returncode == 0
    result = mtaudit("report", results, "--html", tmp_path)
    assert result.returncode == 2
    assert lines(result.stderr) == [f"error: --html {tmp_path}: is a folder; give a file name, e.g. "
                                    f"{tmp_path / 'report.html'}"]

    inbox = _folder(tmp_path, "inbox")
    result = mtaudit("watch", inbox, "--out", results, "--no-model", "--once")
    assert result.returncode == 2
    assert lines(result.stderr) == [f"error: --out {results}: is a file; give a folder for the results"]


def test_a_named_pipe_in_a_folder_is_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "good.txt")
    os.mkfifo(folder / "stuck.txt")
    out = tmp_path / "out.jsonl"
    result = mtaudit("audit", folder, "--no-model", "--quiet", "--jsonl", out, timeout=60)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == [f"warning: {folder / 'stuck.txt'}: not a regular file (a named pipe); skipped"]
    assert list(documents(out)) == ["good.txt"]


@pytest.mark.parametrize("gate", [[], ["--fail-above", "0.1"]])
def test_a_folder_with_nothing_to_audit_is_an_error(tmp_path, gate):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "brief.docx").write_bytes(b"PK")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    (folder / "chart.png").write_bytes(b"\x89PNG")
    result = mtaudit("audit", folder, "--no-model", *gate)
    assert result.returncode == 2
    assert lines(result.stderr)[0].startswith(f"error: no input files found in {folder} (3 files skipped: 2 .png, "
                                              "1 .docx)")
    assert len(lines(result.stderr)) == 1 and not result.stdout.strip()


def test_a_missing_input_is_named_and_fails_the_run_but_the_rest_is_written(tmp_path):
    out, html = tmp_path / "out.jsonl", tmp_path / "r.html"
    missing = tmp_path / "nope.txt"
    result = mtaudit("audit", ARTICLE, missing, "--no-model", "--quiet", "--jsonl", out, "--html", html)
    assert result.returncode == 2
    assert lines(result.stderr) == [f"warning: {missing}: no such file or folder",
                                    f"error: 1 input not found ({missing}); the rest was audited"]
    docs = documents(out)
    assert docs["05_central_bank_clean.txt"]["error"] is None
    assert docs["nope.txt"]["error"] == f"{missing}: no such file or folder"
    assert html.exists()


def test_fail_above_says_which_sentence_crossed_it():
    result = mtaudit("audit", SAMPLES / "03_flood_relief.txt", "--no-model", "--quiet", "--fail-above", "0.5")
    assert result.returncode == 1
    last = lines(result.stderr)[-1]
    assert last.startswith("--fail-above 0.5: ") and "03_flood_relief.txt, segment " in last, last
    assert ", sentence " in last and "above 0.5" in last


def test_an_unknown_format_is_a_usage_error_before_reading(tmp_path):
    result = mtaudit("audit", _batch(tmp_path), "--no-model", "--format", "nope")
    assert result.returncode == 2
    assert lines(result.stderr) == ["error: --format nope: unknown format (choose one of text, markdown, html, jsonl, "
                                    "tsv, csv, xliff, sdlxliff, mqxliff, po, tmx)"]
    result = mtaudit("audit", ARTICLE, "--no-model", "--format", "text:de")
    assert result.returncode == 2
    assert lines(result.stderr) == ["error: --format text:de: format 'text' takes no language (use --format text)"]


def _umask_run(mask: int, *args) -> subprocess.CompletedProcess:
    old = os.umask(mask)
    try:
        return mtaudit(*args)
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_every_output_gets_the_mode_of_a_plain_open(tmp_path, mask, mode):
    shutil.copy(SAMPLES / "06_factory_deal.xlf", tmp_path / "job.xlf")
    outs = {name: tmp_path / f"r.{name}" for name in ("jsonl", "html", "xlsx", "csv")}
    options = [x for name, path in outs.items() for x in (f"--{name}", path)]
    result = _umask_run(mask, "audit", tmp_path / "job.xlf", "--no-model", "--quiet", *options,
                        "--annotate", tmp_path / "copies")
    assert result.returncode == 0, result.stderr
    for path in [*outs.values(), tmp_path / "copies" / "job.xlf"]:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_a_replaced_output_keeps_its_mode(tmp_path):
    html, jsonl = tmp_path / "r.html", tmp_path / "r.jsonl"
    for path in (html, jsonl):
        path.write_text("old")
        path.chmod(0o664)
    result = _umask_run(0o077, "audit", ARTICLE, "--no-model", "--quiet", "--html", html, "--jsonl", jsonl)
    assert result.returncode == 0, result.stderr
    for path in (html, jsonl):
        assert path.read_text(encoding="utf-8") != "old"
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path
