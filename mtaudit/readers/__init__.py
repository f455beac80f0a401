"""Input formats. One module per format family, registered in ``READERS``; chosen by extension or ``--format``."""
from __future__ import annotations

from pathlib import Path

from mtaudit.document import Document
from mtaudit.errors import InputError
from mtaudit.readers.base import Reader
from mtaudit.readers.text import TextReader

READERS: dict[str, type[Reader]] = {
    "text": TextReader,
}


def reader_for(path: str | Path, fmt: str | None = None) -> Reader:
    """The reader named by ``fmt``, or the one claiming the file's extension."""
    if fmt:
        if fmt not in READERS:
            raise InputError(str(path), f"unknown format {fmt!r}", hint=f"choose one of {', '.join(READERS)}")
        return READERS[fmt]()
    name = str(path).lower()
    for reader in READERS.values():
        if name.endswith(reader.extensions):
            return reader()
    raise InputError(str(path), "unknown file type", hint=f"use --format ({', '.join(READERS)})")


def supported_extensions() -> tuple[str, ...]:
    return tuple(ext for reader in READERS.values() for ext in reader.extensions)


def read_document(path: str | Path, fmt: str | None = None, display: str | None = None) -> Document:
    return reader_for(path, fmt).read(path, display=display)
