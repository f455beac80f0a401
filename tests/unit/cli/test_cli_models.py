"""`mtaudit models` and `mtaudit detectors` as a user runs them (real processes): what they say about the model's
weights, its terms, the torch build that runs it, and which detectors there are."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from helpers import REPO

MTAUDIT = Path(sys.executable).with_name("mtaudit")  # the console script a user runs


def run(*args: str) -> str:
    result = subprocess.run([str(MTAUDIT), *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_models_names_the_torch_build_that_runs_the_model():
    shown = run("models")
    spec = importlib.util.find_spec("torch")
    version_file = Path(spec.origin).with_name("version.py")  # what torch itself reports, read without importing it
    facts = dict(re.findall(r"^(__version__|cuda)\W[^=]*=\s*'?([^'\n]*)'?", version_file.read_text(), re.M))
    line = next(line for line in shown.splitlines() if line.startswith("torch:"))
    assert facts["__version__"] in line
    if facts["cuda"] == "None":
        assert "CPU-only build" in line
    else:
        assert f"CUDA {facts['cuda']}" in line


def test_models_says_how_the_weights_are_stored_and_where_the_terms_are():
    shown = run("models")
    gemma = shown.split("gemma3-270m")[1].split("smollm2-135m")[0]
    assert "bfloat16" in gemma and "float32" not in gemma  # convert.py stores bf16 safetensors
    assert "shipped in the wheel" not in shown  # mtaudit's wheel has no model terms; the pull copies them
    assert "GEMMA_TERMS.html" in gemma and "model cache" in gemma


def test_detectors_lists_every_detector_of_the_readme_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Detectors")[1].split("\n\n")[1]
    names = re.findall(r"^\| \[?`(\w+)`", table, re.M)
    assert "fluency" in names and len(names) >= 9
    listed = re.findall(r"^│ (\w+) ", run("detectors"), re.M)
    assert listed == names


def test_asking_for_the_fluency_detector_says_it_is_the_model():
    result = subprocess.run([str(MTAUDIT), "audit", str(REPO / "samples" / "05_central_bank_clean.txt"),
                             "--detectors", "names,fluency", "--no-model", "--quiet"],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: fluency is the language model's, not a rule detector: --detectors picks among the rule detectors "
        "(`mtaudit detectors` lists them); --no-model turns the model off"]
