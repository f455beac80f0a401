"""What every reader is: a format name, the file extensions it claims, and ``read(path) -> Document``."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import charset_normalizer

from mtaudit.document import Document
from mtaudit.errors import InputError

# Files larger than this are refused rather than read into memory whole.
MAX_FILE_BYTES = 512 * 1024 * 1024


class Reader:
    """Base class. Subclasses set ``name`` and ``extensions`` and implement ``read``.

    A reader returns a Document whose segments carry plain target text (and source/reference where the format has
    them); sentence splitting happens later, in the pipeline. Any problem with the file raises ``InputError`` with
    the file and, where known, the line or unit.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()

    def read(self, path: str | Path, display: str | None = None) -> Document:
        raise NotImplementedError

    @classmethod
    def help(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return " ".join(doc.split("\n\n")[0].split())


def read_bytes(path: str | Path) -> bytes:
    """Read a file's bytes with one-line errors for the usual failures."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(str(path), f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
                             hint="split it into smaller files")
        with p.open("rb") as fh:
            return fh.read()
    except PermissionError:
        raise InputError(str(path), "permission denied", hint="check the file's read permission") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory") from None
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from None


def looks_binary(data: bytes) -> bool:
    """NUL bytes outside a UTF-16/32 BOM file mean this is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    head = data[:8192]
    return b"\x00" in head


def decode_text(data: bytes, path: str) -> str:
    """Decode bytes of unknown encoding: BOMs first, then UTF-8, then charset detection.

    Raises InputError naming the byte offset when nothing decodes the file convincingly.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(path, f"invalid {codec.upper()} at byte {exc.start + len(bom)}",
                                 hint="re-save the file as UTF-8") from None
    if _utf16_without_bom(data):
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(path, f"invalid {codec.upper()} at byte {exc.start}", hint="re-save the file as UTF-8") from None
    if looks_binary(data):
        raise InputError(path, "looks like a binary file, not text",
                         hint="pass a text, HTML, XLIFF, PO, TMX, JSONL or TSV file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        best = charset_normalizer.from_bytes(data).best()
        if best is None or best.encoding == "utf_8":
            raise InputError(path, f"not valid UTF-8 at byte {utf8_error.start} and no other encoding fits",
                             hint="re-save the file as UTF-8") from None
        return str(best)


def _utf16_without_bom(data: bytes) -> bool:
    """Text in UTF-16 without a BOM has a NUL in every other byte for ASCII-range characters."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return odd.count(0) > 0.4 * len(odd) or even.count(0) > 0.4 * len(even)
