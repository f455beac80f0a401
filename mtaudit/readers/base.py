"""What every reader is: a format name, the file extensions it claims, and ``read(path) -> Document``.

Also the byte-level helpers all readers share: bounded reading with one-line errors, and decoding of text whose
encoding is unknown (BOMs, UTF-16 without BOM, UTF-8, then charset detection), refusing binary and corrupt files
with the byte position of the problem.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import charset_normalizer

from mtaudit.core.document import Document
from mtaudit.core.errors import InputError

# Files larger than this are refused rather than read into memory whole.
MAX_FILE_BYTES = 512 * 1024 * 1024
# No paragraph or unit of news is this long (it is about 15,000 words); a longer one is a file that is not an article
# (a log, a dump with no line breaks) and would cost minutes and gigabytes downstream for nothing.
MAX_SEGMENT_CHARS = 100_000

# C0 controls other than tab, line feed, form feed and carriage return never occur in text; a file where they are
# frequent is binary even when it happens to decode.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_SAMPLE = 65536


class Reader:
    """Base class. Subclasses set ``name`` and ``extensions`` and implement ``read``.

    A reader returns a Document whose segments carry plain target text (and source/reference where the format has
    them); sentence splitting happens later, in the pipeline. Any problem with the file raises ``InputError`` with
    the file and, where known, the line or unit. Problems confined to part of a file (one bad JSONL line, units
    without a translation) are recorded in ``Document.warnings`` and the rest is read.

    Options arrive as keyword arguments and are declared in ``options`` (option -> help), defaults as class
    attributes, as for detectors.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[dict[str, str]] = {}

    def __init__(self, **options):
        for key, value in options.items():
            if key not in self.options:
                raise ValueError(f"reader {self.name!r} has no option {key!r}")
            setattr(self, key, value)

    def read(self, path: str | Path, display: str | None = None) -> Document:
        raise NotImplementedError

    @classmethod
    def help(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return " ".join(doc.split("\n\n")[0].split())


def read_bytes(path: str | Path, display: str | None = None) -> bytes:
    """Read a file's bytes with one-line errors for the usual failures."""
    p = Path(path)
    shown = display or str(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(shown, f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
                             hint="split it into smaller files")
        with p.open("rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise InputError(shown, "permission denied", hint="check the file's read permission") from None
    except IsADirectoryError:
        raise InputError(shown, "is a directory") from None
    except FileNotFoundError:
        raise InputError(shown, "no such file") from None
    except OSError as exc:
        # ELOOP (a symlink loop) and friends: the OS message is the clearest thing to show
        raise InputError(shown, f"cannot be read: {exc.strerror or exc}") from None


def looks_binary(data: bytes) -> bool:
    """NUL bytes outside a UTF-16/32 BOM file mean this is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    head = data[:8192]
    return b"\x00" in head


def decode_text(data: bytes, path: str, declared: str | None = None) -> str:
    """Decode bytes of unknown encoding: BOMs first, UTF-16 without BOM, UTF-8, ``declared``, then detection.

    ``declared`` is an encoding the file names itself (an HTML ``<meta charset>``); it is tried after UTF-8.
    Raises InputError naming the byte offset when the file is binary, truncated or corrupt UTF-8, or when nothing
    decodes it convincingly.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return _checked(_strict(data, codec, len(bom), path), path)
    if _utf16_without_bom(data):
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return _checked(_strict(data, codec, 0, path), path)
    if looks_binary(data):
        raise InputError(path, f"looks like a binary file, not text (NUL byte at byte {data.index(0)})",
                         hint="pass a text, HTML, XLIFF, PO, TMX, JSONL, TSV or CSV file")
    try:
        return _checked(data.decode("utf-8"), path)
    except UnicodeDecodeError as utf8_error:
        # Valid multi-byte UTF-8 before the bad byte, or a sequence cut off at the end: this is UTF-8 that is broken,
        # and guessing another encoding would only turn it into mojibake.
        if _broken_utf8(data):
            truncated = utf8_error.reason == "unexpected end of data" and utf8_error.start >= len(data) - 3
            what = "truncated UTF-8" if truncated else "invalid UTF-8"
            raise InputError(path, f"{what} at byte {utf8_error.start}",
                             hint="the file is cut off or corrupt; re-export it as UTF-8") from None
        if declared:
            try:
                return _checked(data.decode(declared), path)
            except (LookupError, UnicodeDecodeError):
                pass
        best = charset_normalizer.from_bytes(data).best()
        if best is None or best.encoding in ("utf_8", "ascii"):
            raise InputError(path, f"not valid UTF-8 at byte {utf8_error.start} and no other encoding fits",
                             hint="re-save the file as UTF-8") from None
        return _checked(str(best), path)


def too_long(length: int) -> str | None:
    """The problem with a segment of ``length`` characters, or None when it is within bounds."""
    if length <= MAX_SEGMENT_CHARS:
        return None
    return f"{length:,} characters long, over the {MAX_SEGMENT_CHARS:,}-character limit for one segment"


def _strict(data: bytes, codec: str, skip: int, path: str) -> str:
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        problem = "truncated" if exc.reason in ("truncated data", "unexpected end of data") else "invalid"
        raise InputError(path, f"{problem} {codec.upper()} at byte {exc.start + skip}",
                         hint="re-save the file as UTF-8") from None


def _checked(text: str, path: str) -> str:
    """Refuse text that decoded but holds NUL or is full of control characters: a binary file by another name."""
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(path, f"looks like a binary file, not text (NUL character at character {nul})",
                         hint="pass a text, HTML, XLIFF, PO, TMX, JSONL, TSV or CSV file")
    sample = text[:_CONTROL_SAMPLE]
    controls = len(_CONTROL.findall(sample))
    if controls >= 8 and controls > 0.01 * len(sample):  # a stray control character or two is still text
        first = _CONTROL.search(sample).start()
        raise InputError(path, f"looks like a binary file, not text (control character U+{ord(sample[first]):04X} "
                               f"at character {first})", hint="pass a text, HTML, XLIFF, PO, TMX, JSONL, TSV or CSV file")
    return text


def _broken_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes rather than another encoding: well-formed multi-byte sequences far outnumber the
    invalid ones (in Latin-1 or GB18030 text almost every non-ASCII byte is invalid UTF-8)."""
    sample = data[:1 << 20].decode("utf-8", errors="replace")
    bad = sample.count("\ufffd")
    good = sum(1 for ch in sample if ch > "\x7f") - bad
    return good >= 1 and bad <= max(1, 0.05 * good)


def _utf16_without_bom(data: bytes) -> bool:
    """Text in UTF-16 without a BOM has a NUL in every other byte for ASCII-range characters."""
    sample = data[:4096]
    # a few bytes cannot tell UTF-16 from UTF-8 text holding a NUL ("0\x00\xc2\x80" decoded as "0胂" was a fuzz find)
    if len(sample) < 16 or len(data) % 2:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even)) or \
        (even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd))
