"""Input formats. One module per format family, registered in ``READERS``; chosen by extension or ``--format``.

``--format NAME`` forces a reader; ``--format NAME:LANG`` also passes ``target_lang=LANG`` to readers that choose
among several target languages (TMX).
"""
from __future__ import annotations

from pathlib import Path

from mtaudit.core.document import Document
from mtaudit.core.errors import InputError, UsageError
from mtaudit.readers.base import Reader
from mtaudit.readers.html import HtmlReader
from mtaudit.readers.jsonl import JsonlReader
from mtaudit.readers.markdown import MarkdownReader
from mtaudit.readers.po import PoReader
from mtaudit.readers.table import CsvReader, TsvReader
from mtaudit.readers.text import TextReader
from mtaudit.readers.tmx import TmxReader
from mtaudit.readers.xliff import MqxliffReader, SdlxliffReader, XliffReader

READERS: dict[str, type[Reader]] = {
    "text": TextReader,
    "markdown": MarkdownReader,
    "html": HtmlReader,
    "jsonl": JsonlReader,
    "tsv": TsvReader,
    "csv": CsvReader,
    "xliff": XliffReader,
    "sdlxliff": SdlxliffReader,
    "mqxliff": MqxliffReader,
    "po": PoReader,
    "tmx": TmxReader,
}


def check_format(fmt: str) -> None:
    """Raise UsageError unless ``--format`` names a reader (``NAME``, or ``NAME:LANG`` for one that takes a target
    language), so that a typo stops the run before any file is read instead of failing every file."""
    name, _, lang = fmt.partition(":")
    if name not in READERS:
        raise UsageError(f"--format {fmt}: unknown format (choose one of {', '.join(READERS)})")
    if lang and "target_lang" not in READERS[name].options:
        raise UsageError(f"--format {fmt}: format {name!r} takes no language (use --format {name})")


def reader_for(path: str | Path, fmt: str | None = None) -> Reader:
    """The reader named by ``fmt`` (``NAME`` or ``NAME:LANG``), or the one claiming the file's extension."""
    if fmt:
        name, _, lang = fmt.partition(":")
        if name not in READERS:
            raise InputError(str(path), f"unknown format {name!r}", hint=f"choose one of {', '.join(READERS)}")
        reader = READERS[name]
        if lang:
            if "target_lang" not in reader.options:
                raise InputError(str(path), f"format {name!r} takes no language",
                                 hint=f"use --format {name}")
            return reader(target_lang=lang)
        return reader()
    name = str(path).lower()
    for reader in READERS.values():
        if name.endswith(reader.extensions):
            return reader()
    raise InputError(str(path), "unknown file type", hint=f"use --format ({', '.join(READERS)})")


def supported_extensions() -> tuple[str, ...]:
    return tuple(ext for reader in READERS.values() for ext in reader.extensions)


def read_document(path: str | Path, fmt: str | None = None, display: str | None = None) -> Document:
    return reader_for(path, fmt).read(path, display=display)


def read_source(path: str | Path, fmt: str | None = None) -> Document:
    """The source article of ``--source``: read like the target (``fmt`` or its extension), plain text otherwise."""
    name = str(path).lower()
    if not fmt and not any(name.endswith(reader.extensions) for reader in READERS.values()):
        fmt = "text"
    return read_document(path, fmt)
