"""Another checkout's mtaudit measured by this checkout's benchmark code, in a child process.

A benchmark that compares trees (a ``tree=PATH`` variant, ``--baseline PATH``) runs each measurement in a child
process started by the script's file path (``python bench/bench_x.py --child ...``) with ``PYTHONPATH`` set to the
measured tree, then this repository: ``import mtaudit`` finds the tree's package, ``import bench`` and
``import tools`` this repository's. Not ``python -m``: it puts the working directory ahead of ``PYTHONPATH``, and the
working directory is this repository, whose mtaudit would win. Nothing edits the import path.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(tree: str | Path | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with ``PYTHONPATH`` = ``tree`` (default: this repository),
    this repository, then whatever ``PYTHONPATH`` held."""
    env = dict(os.environ if base is None else base)
    paths = [str(Path(tree).expanduser().resolve()) if tree else str(ROOT), str(ROOT)]
    paths += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env
