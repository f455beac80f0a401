"""Output paths checked before any input is read, so that a run never ends, after the work, on a path it cannot write.

A file output must not be a folder or anything but a regular file (it is replaced by a rename), and the folder it
goes into must be one this user can create files in. The folder of an output (an output file's folder, or an
``--annotate``/``--out`` folder) is created when it alone is missing; a longer missing tree is a mistyped path more
often than a wish, and is refused.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from mtaudit.core.errors import UsageError
from mtaudit.core.outputs import written_path

# the file name a folder given where a file is wanted is told to add, by option
EXAMPLE_NAMES = {"--jsonl": "results.jsonl", "--html": "report.html", "--xlsx": "review.xlsx", "--csv": "review.csv"}


def check_output(path: str | Path, option: str, folder: bool = False) -> Path | None:
    """Raise UsageError, naming ``option`` and ``path``, unless ``path`` can be written: a file (or, with ``folder``,
    a folder) whose folder exists, or is missing alone, and takes new files. Returns the folder that is missing and
    must be created first, else None. Nothing is created."""
    path = Path(path)
    where = f"{option} {path}"
    if folder:
        if path.exists() and not path.is_dir():
            what = "the annotated copies" if option == "--annotate" else "the results"
            raise UsageError(f"{where}: is a file; give a folder for {what}")
        parent = path
    else:
        if path.is_dir():
            raise UsageError(f"{where}: is a folder; give a file name, e.g. {path / EXAMPLE_NAMES.get(option, 'out')}")
        if path.exists() and not path.is_file():
            raise UsageError(f"{where}: not a regular file; outputs are written beside it and renamed into place, so "
                             "give the path of a file")
        parent = written_path(path).parent
    missing = []
    while not parent.exists():
        missing.append(parent)
        if parent.parent == parent:
            break
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"{where}: {parent} is a file, not a folder; choose another path")
    if len(missing) > 1:
        raise UsageError(f"{where}: folder {missing[-1]} does not exist; create it first or choose another path")
    try:
        # an unnamed file where the system has them (O_TMPFILE): nothing shows up in the folder, not even briefly
        with tempfile.TemporaryFile(prefix=".mtaudit-probe-", dir=parent):
            pass
    except OSError as exc:
        raise UsageError(f"{where}: cannot write in {parent}: {exc.strerror or exc}") from None
    return missing[0] if missing else None


def create_folders(folders: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Create each (option, folder) that ``check_output`` found missing; returns those created."""
    created = []
    for option, folder in folders:
        if folder.is_dir():  # two outputs in the same new folder
            continue
        try:
            folder.mkdir()
        except OSError as exc:
            raise UsageError(f"{option}: cannot create the folder {folder}: {exc.strerror or exc}") from None
        created.append((option, folder))
    return created


def check_outputs(outputs: dict[str, Path | None], folders: dict[str, Path | None] = None) -> list[tuple[str, Path]]:
    """Check every output file of ``outputs`` and folder of ``folders`` (option -> path, None: not asked for) with
    ``check_output``, all before creating any missing folder; returns (option, folder) of each folder created."""
    missing = []
    for option, path in outputs.items():
        if path is not None and (folder := check_output(path, option)) is not None:
            missing.append((option, folder))
    for option, path in (folders or {}).items():
        if path is not None and (folder := check_output(path, option, folder=True)) is not None:
            missing.append((option, folder))
    return create_folders(missing)

