"""Writing output files safely: atomically, and never over an input."""
from __future__ import annotations

import os
import secrets
import stat
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
    readers never see half a file; on failure it is removed and ``path`` keeps its old content. The file gets the
    mode a plain ``open()`` would give it under the user's umask, or the mode of the file it replaces. A symlinked
    ``path`` is written through: the file it points to is replaced, the link stays."""
    path = written_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_file(path.parent, f".{path.name}.", ".tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        keep_mode(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def written_path(path: str | Path) -> Path:
    """Where an output named ``path`` is written: the file a symlink points to (renaming over the link would replace
    it with a regular file: run as root with ``--csv /dev/stdout > out.csv``, that was ``/dev/stdout`` itself)."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)


def _new_file(folder: Path, prefix: str, suffix: str) -> Path:
    """A new empty file with a unique name in ``folder``, created as ``open()`` creates files (mode 0666 less the
    umask): ``tempfile.mkstemp`` makes them 0600, which colleagues on a shared drive cannot open."""
    for _ in range(100):
        candidate = folder / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free temporary name in {folder}")


def keep_mode(new: str | Path, old: str | Path) -> None:
    """Give ``new``, about to replace ``old``, the permissions of ``old`` when there is one."""
    try:
        mode = stat.S_IMODE(os.stat(old).st_mode)
    except FileNotFoundError:
        return
    os.chmod(new, mode)


def refuse_overwriting_inputs(outputs: Iterable[str | Path | None], inputs: Iterable[str]) -> None:
    """Raise UsageError when an output path is one of the input files (or the file behind one)."""
    resolved_inputs = {os.path.realpath(p) for p in inputs}
    for out in outputs:
        if out is None:
            continue
        for candidate in (Path(out), Path(str(out) + ".partial")):
            if os.path.realpath(candidate) in resolved_inputs:
                raise UsageError(f"{out}: output would overwrite an input file; choose another output path")
