"""The Ray engine against a real Ray runtime on this machine: same results as the local engine, faults, resume.

Every Ray process these tests start listens on 127.0.0.1 only, authenticates with a token made for this module, runs
no dashboard, and is stopped (and checked gone) by the tests themselves. The tests share one head node, started with
`ray start --head` by a module-scoped fixture (the file runs in one pytest-xdist worker under --dist loadfile).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from importlib.util import find_spec
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, SAMPLES, kill_after_documents
from typer.testing import CliRunner

from mtaudit.pipeline import AuditConfig, Auditor, discover
from mtaudit.cli import app
from mtaudit.engines.local import LocalEngine
from mtaudit.reports.records import document_lines

SCHEMA = json.loads((REPO / "mtaudit" / "reports" / "results.schema.json").read_text())
OBJECT_STORE_BYTES = 200 * 2**20  # documents are small; Ray's default would claim 30 % of the machine's memory
LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}
runner = CliRunner()


# ---- helpers --------------------------------------------------------------------------------------------------
def audit(*args):
    return runner.invoke(app, ["audit", *map(str, args)], catch_exceptions=False)


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def lines_of(docs) -> list[dict]:
    return [line for doc in docs for line in document_lines(doc)]


def write_archive(folder: Path, n: int) -> list[str]:
    """``n`` articles: the text samples with their figures varied, so that every file differs."""
    import random

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(14)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    for i in range(n):
        text = "".join(str(rng.randint(1, 9)) if ch.isdigit() and rng.random() < 0.5 else ch for ch in texts[i % 4])
        (folder / f"article_{i:04d}.txt").write_text(text, encoding="utf-8")
    return discover([str(folder)])[0]


def run_in_thread(produce) -> tuple[threading.Thread, list]:
    """Consume ``produce()`` in a thread (while the test kills a worker), collecting the results and any error."""
    out: list = []
    errors: list = []

    def consume():
        try:
            out.extend(produce())
        except BaseException as exc:  # re-raised by the test after join
            errors.append(exc)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    return thread, [out, errors]


def kill_busy_worker(title: str, candidates, thread: threading.Thread, timeout: float = 120) -> int | None:
    """SIGKILL the first Ray worker whose process title starts with ``title`` (it is running that function)."""
    deadline = time.time() + timeout
    while thread.is_alive() and time.time() < deadline:
        for proc in candidates():
            try:
                if " ".join(proc.cmdline()).startswith(title):
                    proc.send_signal(signal.SIGKILL)
                    return proc.pid
            except Exception:  # a process that ended while we looked
                continue
        time.sleep(0.01)
    return None


def listening_addresses(pids: set[int]) -> set[str]:
    import psutil

    return {c.laddr.ip for c in psutil.net_connections(kind="inet") if c.status == "LISTEN" and c.pid in pids}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- fixtures -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_env():
    """The environment of every Ray process started here: loopback only, a token of this module, no usage stats.

    Ray reads these when it is first imported, so no test module may import it before this fixture runs."""
    if find_spec("ray") is None:
        pytest.skip('Ray is not installed: pip install "mtaudit[ray]" (make test installs it)')
    if "ray" in sys.modules and sys.modules["ray"] is not None:
        from ray._private import ray_constants

        assert not ray_constants.ENABLE_RAY_CLUSTER, "ray was imported before the loopback setting"
    env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16),
           "RAY_USAGE_STATS_ENABLED": "0"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield env


@pytest.fixture(scope="module")
def ray_head(ray_env):
    """A head node started with `ray start` on a free loopback port, joined with --address; `ray stop` afterwards."""
    import psutil

    ray_cli = str(Path(sys.executable).with_name("ray"))
    port = free_port()
    started = subprocess.run(
        [ray_cli, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2",
         "--num-gpus", "0", "--include-dashboard", "false", "--disable-usage-stats",
         "--object-store-memory", str(OBJECT_STORE_BYTES)],
        capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stdout + started.stderr
    address = f"127.0.0.1:{port}"

    def processes() -> list:
        """The head's processes (they name its port) and everything they started (workers, agents, actors)."""
        found = []
        for proc in psutil.process_iter():
            try:
                cmdline = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            if address in cmdline or f"--gcs_server_port={port}" in cmdline:
                found.append(proc)
        for proc in list(found):
            try:
                found.extend(proc.children(recursive=True))
            except psutil.Error:
                pass
        return list({p.pid: p for p in found}.values())

    head = type("Head", (), {"address": address, "processes": staticmethod(processes)})()
    try:
        yield head
    finally:
        family = processes()
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=180)
        survivors = _reap(family)
        assert not survivors, f"Ray processes survived `ray stop`: {survivors}"


def _reap(processes, wait: float = 10) -> list[str]:
    """Wait for processes to end; SIGKILL and name those still alive after ``wait`` seconds."""
    import psutil

    deadline = time.time() + wait
    alive = list(processes)
    while alive and time.time() < deadline:
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.2)
    named = []
    for proc in alive:
        try:
            named.append(f"{proc.pid} {proc.name()}")
            proc.kill()
        except psutil.Error:
            pass
    return named


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """240 generated articles and the local engine's results for them (the reference every Ray run must equal)."""
    folder = tmp_path_factory.mktemp("archive") / "articles"
    files = write_archive(folder, 240)
    local = lines_of(LocalEngine().run(Auditor(AuditConfig(workers=2)), files))
    return type("Archive", (), {"folder": folder, "files": files, "local": local})()


# ---- tests ----------------------------------------------------------------------------------------------------
def test_without_ray_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` does where Ray is not installed
    result = audit(SAMPLES, "--no-model", "--engine", "ray")
    assert result.exit_code == 2
    message = result.output.strip()
    assert message.count("\n") == 0 and 'pip install "mtaudit[ray]"' in message, message


def test_cluster_options_need_the_ray_engine():
    result = audit(SAMPLES, "--no-model", "--address", "127.0.0.1:6379")
    assert result.exit_code == 2 and "--address only apply to --engine ray" in result.output


def test_samples_on_a_joined_cluster_equal_the_local_engine(ray_head, tmp_path):
    local, clustered = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert audit(SAMPLES, "--no-model", "-q", "--jsonl", local).exit_code == 0
    result = audit(SAMPLES, "--no-model", "-q", "--jsonl", clustered, "--engine", "ray", "--address", ray_head.address)
    assert result.exit_code == 0, result.output
    run, *rest = records(clustered)
    assert rest == records(local)[1:]  # same findings, risks and document order; only the run line differs
    jsonschema.validate(run, SCHEMA)
    assert run["engine"] == {"name": "ray", "ray": run["engine"]["ray"], "runtime": "joined", "nodes": 1, "cpus": 2,
                             "gpus": 0, "actors": 0, "gpus_per_actor": 0.0, "model_devices": []}
    assert records(local)[0]["engine"]["name"] == "local"
    # the head, its workers and agents listen on the loopback interface alone
    addresses = listening_addresses({p.pid for p in ray_head.processes()})
    assert addresses and addresses <= LOOPBACK, addresses


def test_cli_joins_a_head_on_loopback_from_a_shell_without_ray_s_loopback_setting(ray_head, tmp_path):
    """Issue 27: a head started on 127.0.0.1 (as a user testing a cluster on one machine starts it), joined with
    `--address 127.0.0.1:PORT` from a shell where RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER is not set. Left alone, Ray
    replaces a loopback address with this machine's network address, where the head does not listen, and the run
    hangs (on a machine with a network interface: `ip -4 addr`)."""
    local, clustered, log = tmp_path / "local.jsonl", tmp_path / "ray.jsonl", tmp_path / "cli.log"
    assert audit(SAMPLES, "--no-model", "-q", "--jsonl", local).exit_code == 0
    shell = {key: value for key, value in os.environ.items() if key != "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mtaudit", "audit", str(SAMPLES), "--no-model", "-q", "--jsonl",
                                 str(clustered), "--engine", "ray", "--address", ray_head.address],
                                cwd=REPO, env=shell, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, addresses = _watch(proc, timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"still joining {ray_head.address} after 120 s: {log.read_text()[-800:]}")
    assert proc.returncode == 0, log.read_text()
    run, *rest = records(clustered)
    assert rest == records(local)[1:]
    assert run["engine"]["runtime"] == "joined" and run["engine"]["nodes"] == 1, run["engine"]
    assert addresses and addresses <= LOOPBACK, addresses  # the driver's own servers listen on loopback too


def test_ray_is_told_to_keep_a_loopback_address_where_a_head_listens_on_it(ray_head):
    """What mtaudit sets before Ray is first imported: for a head listening on a loopback address, Ray's loopback
    setting (Ray then joins the address given, and takes 127.0.0.1 as this node's address); for any other address,
    nothing (a real cluster keeps Ray's own choice, and so does a loopback address where nothing listens: Ray finds a
    head there that listens on this machine's network address)."""
    from mtaudit.engines.ray import ray_environment

    loopback = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    port = ray_head.address.rpartition(":")[2]
    assert ray_environment(ray_head.address) == loopback
    assert ray_environment(f"localhost:{port}") == loopback
    assert ray_environment(f"127.0.0.1:{free_port()}") == {}
    assert ray_environment("10.0.3.7:6379") == {}  # not probed: only loopback addresses are
    assert ray_environment("auto") == {}
    assert ray_environment(None) == {**loopback, "RAY_AUTH_MODE": "token"}  # a runtime started here


def test_killed_reading_worker_costs_a_retry_not_the_run(ray_env, archive):
    """A runtime started by the test with ray.init (2 CPUs); one worker is SIGKILLed while it reads a chunk."""
    import psutil
    import ray

    from mtaudit.engines.ray import RayEngine

    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=OBJECT_STORE_BYTES,
             log_to_driver=False, logging_level="ERROR")
    engine = RayEngine()  # uses the runtime this process started
    try:
        auditor = Auditor(AuditConfig(workers=2), local_model=False)
        thread, (out, errors) = run_in_thread(lambda: lines_of(engine.run(auditor, archive.files)))
        killed = kill_busy_worker("ray::_prepare_chunk", lambda: psutil.Process().children(recursive=True), thread)
        addresses = listening_addresses({p.pid for p in psutil.Process().children(recursive=True)})
        thread.join(timeout=300)
        assert not errors, errors
        assert killed, "no reading worker was seen at work"
        assert out == archive.local  # nothing lost, nothing duplicated, same order and results
        assert addresses and addresses <= LOOPBACK, addresses
    finally:
        engine.close()
        family = psutil.Process().children(recursive=True)
        ray.shutdown()
        assert not _reap(family), "Ray processes survived ray.shutdown()"


def test_poisoned_file_is_reported_and_the_rest_audited(ray_head, archive, tmp_path):
    from mtaudit.engines.ray import RayEngine

    folder = tmp_path / "batch"
    folder.mkdir()
    for path in archive.files[:20]:
        shutil.copy(path, folder)
    shutil.copy(archive.files[20], folder / "article_0007_poison.txt")  # its reader kills the worker, every time
    files = discover([str(folder)])[0]
    clean = [f for f in files if "poison" not in os.path.basename(f)]
    expected = lines_of(LocalEngine().run(Auditor(AuditConfig(workers=1)), clean))
    # one retry instead of RETRIES: each attempt costs a fresh worker process, and the bound is what is tested
    with RayEngine(address=ray_head.address, retries=1, crash_reading="*poison*") as engine:
        docs = list(engine.run(Auditor(AuditConfig(workers=2), local_model=False), files))
    assert [d.path for d in docs] == files
    failed = [d for d in docs if d.error]
    assert [d.path for d in failed] == [str(folder / "article_0007_poison.txt")]
    assert "died 2 times" in failed[0].error and "\n" not in failed[0].error
    assert lines_of(d for d in docs if not d.error) == expected


def test_resume_after_the_driver_is_killed(ray_head, archive, tmp_path):
    """A driver joined to the head is SIGKILLed mid-batch; --resume, on a runtime of its own, finishes the batch."""
    out = tmp_path / "out.jsonl"
    partial = Path(str(out) + ".partial")
    cmd = [sys.executable, "-m", "mtaudit", "audit", str(archive.folder), "--no-model", "--quiet", "--top", "0",
           "--jsonl", str(out), "--engine", "ray"]
    proc = subprocess.Popen(cmd + ["--address", ray_head.address], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    done_before = kill_after_documents(proc, partial, 40)
    assert not out.exists() and partial.exists()
    assert 0 < done_before < len(archive.files)
    # no --address: the CLI starts (and stops) a Ray runtime of its own on this machine
    resumed = subprocess.Popen(cmd + ["--workers", "2", "--resume"], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    family, addresses = _watch(resumed)
    assert resumed.returncode == 0, resumed.stderr.read()
    assert addresses and addresses <= LOOPBACK, addresses
    assert not _reap(family), "the CLI's Ray runtime outlived it"
    _, *rest = records(out)
    docs = [r["doc"] for r in rest if r["type"] == "document"]
    assert len(docs) == len(set(docs)) == len(archive.files)
    assert rest == archive.local  # the recovered documents, then the rest, in input order, as one run gives


def _watch(proc: subprocess.Popen, timeout: float = 300) -> tuple[list, set[str]]:
    """Wait for ``proc``, noting every process it started and the addresses it and they listened on."""
    import psutil

    family: dict[int, psutil.Process] = {}
    addresses: set[str] = set()
    deadline = time.time() + timeout
    while proc.poll() is None and time.time() < deadline:
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                family.setdefault(child.pid, child)
        except psutil.Error:
            pass
        addresses |= listening_addresses(set(family) | {proc.pid})
        time.sleep(0.1)
    proc.wait(timeout=max(1.0, deadline - time.time()))
    return list(family.values()), addresses


def test_model_actor_killed_mid_batch_still_gives_the_local_scores(ray_head, default_model, tmp_path):
    """The model runs in a Ray actor on the head. SIGKILLed while it scores, it is restarted and the batch retried;
    the scores equal the in-process scorer's, because the actor scores the very batches the local engine does. The
    results come as the CLI takes them (``results``: records encoded by the actor), and a file whose reading worker
    dies every time reaches the actor as a failed document, reported in its place."""
    from mtaudit.engines.ray import RayEngine

    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("05_central_bank_clean.txt", "07_briefing.jsonl"):  # the second has sources: both model passes
        shutil.copy(SAMPLES / name, folder)
    clean = discover([str(folder)])[0]
    shutil.copy(SAMPLES / "05_central_bank_clean.txt", folder / "06_poison.txt")
    files = discover([str(folder)])[0]
    config = AuditConfig(model=default_model, workers=1)

    def audit_in_process():
        auditor = Auditor(config)
        return [auditor, *lines_of(LocalEngine().run(auditor, clean))]

    reference, (local, local_errors) = run_in_thread(audit_in_process)  # while the actor loads the model
    # one retry: the bound is what is tested, and each attempt on the poisoned file costs a fresh worker process
    with RayEngine(address=ray_head.address, retries=1, crash_reading="*poison*") as engine:
        auditor = Auditor(config, local_model=False)
        engine.start(auditor)
        assert engine.describe()["actors"] == 1 and engine.describe()["model_devices"] == ["cpu"]
        thread, (encoded, errors) = run_in_thread(lambda: engine.results(auditor, files))
        killed = kill_busy_worker("ray::ModelWorker.score", ray_head.processes, thread)
        thread.join(timeout=600)
    reference.join(timeout=600)
    assert not errors and not local_errors, errors + local_errors
    assert killed, "the model actor was not seen scoring"
    in_process, local = local[0], local[1:]
    assert auditor.model_signature == in_process.model_signature  # verified on the node: the same pinned files
    assert in_process.model_signature["dtype"] == str(in_process.scorer.dtype).removeprefix("torch.")
    assert [e.path for e in encoded] == files
    poisoned = encoded[files.index(str(folder / "06_poison.txt"))]
    assert "the worker reading it died 2 times" in poisoned.error and poisoned.records()[0]["error"] == poisoned.error
    clustered = [r for e in encoded if e is not poisoned for r in e.records()]
    assert [(r["type"], r["doc"]) for r in clustered] == [(r["type"], r["doc"]) for r in local]
    assert any(r.get("scores", {}).get("src_logprob_mean") for r in clustered)
    for ours, theirs in zip(clustered, local):
        assert ours["risk"] == pytest.approx(theirs["risk"], abs=1e-6)
        assert ours["scores"].keys() == theirs["scores"].keys()
        for key in ours["scores"]:
            assert ours["scores"][key] == pytest.approx(theirs["scores"][key], abs=1e-6), key
    assert clustered == local  # in fact identical, findings and all


def test_what_the_cluster_cannot_do_is_a_usage_error_before_any_document(ray_head, tmp_path):
    """More GPUs than the cluster has, or a model a node cannot load: one line naming the fix, exit 2, no output."""
    out = tmp_path / "out.jsonl"
    gpus = audit(SAMPLES, "--engine", "ray", "--address", ray_head.address, "--gpus-per-actor", "1", "--jsonl", out)
    assert gpus.exit_code == 2 and "need 1 GPUs; the Ray cluster has 0" in gpus.output, gpus.output
    nowhere = tmp_path / "no-such-model"
    model = audit(SAMPLES, "--engine", "ray", "--address", ray_head.address, "--model", nowhere, "--jsonl", out)
    assert model.exit_code == 2, model.output
    assert "on Ray node 127.0.0.1" in model.output and str(nowhere) in model.output, model.output
    assert not out.exists() and not Path(str(out) + ".partial").exists()
