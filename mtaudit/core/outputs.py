"""Writing output files safely: atomically, and never over an input."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from mtaudit.core.errors import UsageError


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8) or bytes to ``path`` atomically (see ``atomic_output``)."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder to write to; on success it is synced and renamed to ``path``, so
    readers never see half a file; on failure it is removed and ``path`` keeps its old content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
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
