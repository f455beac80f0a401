"""The torch build `mtaudit models` names, read from torch's version.py without importing torch."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mtaudit.fluency.runtimes import torch_build

CODE = "from mtaudit.fluency.runtimes import torch_build; print(torch_build())"


@pytest.mark.parametrize("version_py,shown", [
    ("__version__ = '2.5.1+cu124'\ncuda: Optional[str] = '12.4'\nhip: Optional[str] = None\n",
     "2.5.1+cu124, built for CUDA 12.4 (uses an NVIDIA GPU when one is present)"),
    ("__version__ = '2.5.1+rocm6.2'\ncuda: Optional[str] = None\nhip: Optional[str] = '6.2.41133'\n",
     "2.5.1+rocm6.2, built for ROCm 6.2.41133 (uses an AMD GPU when one is present)"),
    ("__version__ = '2.13.0+cpu'\ncuda: Optional[str] = None\nhip: Optional[str] = None\n",
     "2.13.0+cpu, a CPU-only build"),
])
def test_torch_build_of_an_installed_torch(tmp_path, version_py, shown):
    package = tmp_path / "torch"
    package.mkdir()
    (package / "__init__.py").write_text("raise SystemExit('torch must not be imported')\n")
    (package / "version.py").write_text("from typing import Optional\n" + version_py)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == shown


def test_torch_build_here_is_what_torch_says():
    import torch

    shown = torch_build()
    assert shown.startswith(torch.__version__ + ", ")
    assert ("CPU-only" in shown) == (torch.version.cuda is None and torch.version.hip is None)
