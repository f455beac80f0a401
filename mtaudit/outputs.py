"""Writing output files safely: atomically, and never over an input."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from mtaudit.errors import UsageError


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def refuse_overwriting_inputs(outputs: Iterable[str | Path | None], inputs: Iterable[str]) -> None:
    """Raise UsageError when an output path is one of the input files (or the file behind one)."""
    resolved_inputs = {os.path.realpath(p) for p in inputs}
    for out in outputs:
        if out is None:
            continue
        for candidate in (Path(out), Path(str(out) + ".partial")):
            if os.path.realpath(candidate) in resolved_inputs:
                raise UsageError(f"{out}: output would overwrite an input file; choose another output path")
