"""The built package works on its own: sdist -> wheel -> a fresh virtual environment outside the checkout.

A new user runs `pip install mtaudit-*.whl` and then `mtaudit audit ...` from anywhere. This test does the same, with
one shortcut so it stays quick and offline: the fresh environment reuses this environment's installed dependencies
through a .pth file that lists their folder. Such a path entry only extends ``sys.path`` (the .pth files *inside* it
are not processed), so the editable mtaudit of the development environment cannot shadow the installed wheel, and
the test checks that the package it runs is the installed copy.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from helpers import FIXTURES_DIR, REPO, SAMPLES

FIXTURES = FIXTURES_DIR

pytestmark = pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import build"], capture_output=True).returncode != 0,
    reason="the `build` package is missing (it is in the dev extras: pip install -e '.[dev]')")


def _run(args, cwd, env=None, timeout=300):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv folder, environment for running it): the wheel built from the sdist, installed into a fresh venv."""
    base = tmp_path_factory.mktemp("install")
    dist = base / "dist"
    _run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", dist, REPO], cwd=base)
    sdist = next(dist.glob("mtaudit-*.tar.gz"))
    # the wheel is built from the sdist, so a file missing from the sdist fails here rather than for a user
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist,
          sdist], cwd=base)
    wheel = next(dist.glob("mtaudit-*.whl"))
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    python = venv / "bin" / "python"
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=base).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "zz_reuse_dev_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(deps)))
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel],
         cwd=base)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MTAUDIT_MODELS_DIR", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    return venv, env, wheel, sdist


def test_sdist_and_wheel_hold_the_run_time_data(installed):
    import tarfile
    import zipfile

    _, _, wheel, sdist = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    members = {m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m}
    for needed in ("mtaudit/models/models.json", "mtaudit/models/risk-default.json", "mtaudit/models/README.md",
                   "mtaudit/models/norms-gemma3-270m-en.json", "mtaudit/models/norms-gemma3-270m-de.json",
                   "mtaudit/reports/results.schema.json",
                   "mtaudit/reports/templates/report.html.j2", "mtaudit/reports/templates/report.js",
                   "mtaudit/detectors/data/phrasing.tsv", "mtaudit/detectors/data/name_stats.tsv"):
        assert needed in names, f"wheel lacks {needed}"
        assert needed in members, f"sdist lacks {needed}"
    assert "LICENSE" in members and any(n.endswith("licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    for field in ("License-Expression: Apache-2.0", "Classifier: ", "Keywords: ", "Author: ", "Requires-Python: "):
        assert field in metadata, f"wheel metadata lacks {field!r}"


def test_the_installed_wheel_audits_samples_outside_the_checkout(installed, tmp_path):
    venv, env, _, _ = installed
    work = tmp_path / "newsroom"
    shutil.copytree(SAMPLES, work / "samples")
    where = _run([venv / "bin" / "python", "-c", "import mtaudit; print(mtaudit.__file__)"], cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), f"not the installed copy: {where.stdout}"
    version = _run(["mtaudit", "--version"], cwd=work, env=env)
    assert version.stdout.startswith("mtaudit ")

    models = _run(["mtaudit", "models"], cwd=work, env=env)
    assert "gemma3-270m" in models.stdout and "sha256 (pinned)" in models.stdout

    _run(["mtaudit", "audit", "samples", "--no-model", "--html", "r.html", "--jsonl", "r.jsonl", "--xlsx", "r.xlsx",
          "--annotate", "copies", "--quiet"], cwd=work, env=env)
    assert (work / "r.xlsx").stat().st_size > 0 and (work / "copies" / "06_factory_deal.xlf").is_file()
    records = [json.loads(line) for line in (work / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    documents = [r for r in records if r["type"] == "document"]
    assert len(documents) == len(list(SAMPLES.iterdir())) and not any(d["error"] for d in documents)
    assert records[0]["risk_model"] and sum(d["findings"] for d in documents) > 10
    assert "<html" in (work / "r.html").read_text(encoding="utf-8")[:500].lower()


def test_the_installed_wheel_verifies_a_pulled_model(installed, tmp_path):
    """`mtaudit models pull` of a model already in the cache (MTAUDIT_HOME) verifies it against the packaged pins."""
    from mtaudit.fluency.store import DEFAULT_MODEL, is_ready

    if not is_ready(DEFAULT_MODEL):
        pytest.skip(f"model {DEFAULT_MODEL} not pulled (make test pulls it)")
    venv, env, _, _ = installed
    pulled = _run(["mtaudit", "models", "pull"], cwd=tmp_path, env=env)
    assert f"{DEFAULT_MODEL} ready in" in pulled.stderr


def test_the_installed_wheel_runs_eval_and_calibrate(installed, tmp_path):
    venv, env, _, _ = installed
    shutil.copy(FIXTURES / "mqm_small.tsv", tmp_path / "mqm_small.tsv")
    _run(["mtaudit", "eval", "--mqm", "mqm_small.tsv", "--no-model", "--json", "e.json", "--quiet"], cwd=tmp_path,
         env=env)
    assert json.loads((tmp_path / "e.json").read_text())["datasets"]["mqm_small"]["segments"] == 10
    _run(["mtaudit", "calibrate", "--mqm", "mqm_small.tsv", "--no-model", "-o", "risk.json", "--quiet"],
         cwd=tmp_path, env=env)
    assert json.loads((tmp_path / "risk.json").read_text())["weights"]
