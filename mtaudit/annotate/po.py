"""Annotated copies of gettext PO catalogues, the way pofilter annotates them: each flagged entry gets translator
comments (``# mtaudit: risk ...`` and one ``# mtaudit ...`` line per finding) after its own translator comments and,
with ``--mark-fuzzy``, the ``fuzzy`` flag, so msgfmt leaves it out of the compiled catalogue until a reviewer clears
it. The catalogue is parsed with translate-toolkit, as the reader parses it, to know its entries; the copy is the
input's text with these lines spliced in (``splice``), in its charset and with its line breaks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from translate.storage import po as tt_po

from mtaudit.annotate.base import ORIGIN, Annotator, UnitNotes, changed
from mtaudit.annotate.splice import Splice
from mtaudit.core.errors import InputError

_PLURAL = re.compile(r"\[(\d+)\]$")
_KEYWORD = re.compile(r"(?:#~\s*)?(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\b")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
# What a charset without these characters gets in a comment instead (a comment cannot hold a character reference).
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "≈": "~", "→": "->", "…": "...",
                        "\u00a0": " "})


@dataclass
class Entry:
    """Where one entry lies in the catalogue's text: ``lines`` = (start offset, line without its line break, offset
    of the next line) of each line, from its first comment to its last string; ``msgid`` its msgid as written (the
    quoted parts joined)."""

    lines: list[tuple[int, str, int]] = field(default_factory=list)
    msgid: str | None = None
    keyword: str | None = None

    def add(self, start: int, line: str, end: int, keyword: str | None) -> None:
        self.lines.append((start, line, end))
        if keyword == "msgid":
            self.msgid = ""
        if keyword:
            self.keyword = keyword
        if self.keyword == "msgid" and (keyword == "msgid" or line.lstrip("#~ \t").startswith('"')):
            self.msgid += "".join(_STRING.findall(line))


def entries(text: str) -> list[Entry]:
    """The entries of a PO catalogue's text, as translate-toolkit splits it: comments (blank lines among them) open
    an entry, and a comment or a new msgctxt/msgid after an entry's strings opens the next."""
    found: list[Entry] = []
    entry = Entry()
    position = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        start, position = position, position + len(raw)
        stripped = line.strip()
        if not stripped:
            continue
        match = _KEYWORD.match(stripped)
        keyword = match.group(1) if match else None
        is_comment = stripped.startswith("#") and keyword is None
        opens = (is_comment and entry.keyword is not None) or \
            (keyword in ("msgctxt", "msgid") and entry.keyword not in (None, "msgctxt"))
        if opens:
            found.append(entry)
            entry = Entry()
        entry.add(start, line, position, keyword)
    if entry.lines:
        found.append(entry)
    return found


class PoAnnotator(Annotator):
    formats = ("po",)

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        store = tt_po.pofile.parsestring(data)
        for index, notes in units.items():
            if index >= len(store.units) or not _holds(store.units[index], notes):
                raise changed(path)
        splice = Splice(data, store.encoding or "utf-8", path, errors="replace")
        found = entries(splice.text)
        if len(found) != len(store.units) or any(entry.msgid is not None and entry.msgid != _written(unit)
                                                 for entry, unit in zip(found, store.units)):
            raise InputError(path, "its entries could not be followed to place the comments; no annotated copy "
                                   "written", hint="check the file with `msgfmt --check`")
        newline = splice.newline
        for entry in found:
            for start, line, end in entry.lines:
                if line.startswith(f"# {ORIGIN}"):
                    splice.delete(start, end)
        for index, notes in sorted(units.items()):
            if not notes.flagged:
                continue
            entry = found[index]
            comments = [notes.risk_note()] + [" ".join(text.split()) for _, text in notes.finding_notes(label=_form)]
            lines = "".join(f"# {_encodable(text, splice.codec)}{newline}" for text in comments)
            splice.insert(_after_translator_comments(entry), lines)
            if self.mark_fuzzy:
                _mark_fuzzy(splice, entry, newline)
        return splice.copy()


def _written(unit) -> str:
    """The unit's msgid as written in the file, the quoted parts joined (translate-toolkit keeps them)."""
    return "".join(part for line in unit.msgid for part in _STRING.findall(line))


def _is_translator_comment(line: str) -> bool:
    return line == "#" or line.startswith(("# ", "#\t"))


def _after_translator_comments(entry: Entry) -> int:
    """Where new translator comments go: after the entry's own (mtaudit's earlier ones aside), else at its top."""
    offset = entry.lines[0][0]
    for _, line, end in entry.lines:
        if not line.startswith("#"):
            break
        if _is_translator_comment(line) and not line.startswith(f"# {ORIGIN}"):
            offset = end
    return offset


def _mark_fuzzy(splice: Splice, entry: Entry, newline: str) -> None:
    """Add ``fuzzy`` to the entry's flags (first, as msgmerge writes it), or a ``#, fuzzy`` line where the flags go:
    after the comments, before any ``#|`` previous strings and the keywords."""
    flags = next(((start, line) for start, line, _ in entry.lines if line.startswith("#,")), None)
    if flags is not None:
        start, line = flags
        if "fuzzy" in (flag.strip() for flag in line[2:].split(",")):
            return
        splice.insert(start + 2, " fuzzy," if line[2:].strip() else " fuzzy")
        return
    before = next(start for start, line, _ in entry.lines if not line.startswith("#") or line.startswith("#|"))
    splice.insert(before, f"#, fuzzy{newline}")


def _encodable(text: str, codec: str) -> str:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return text.translate(_PLAIN)
    return text


def _form(segment) -> str:
    plural = _PLURAL.search(segment.id)
    return f"plural form {plural.group(1)}" if plural else f"entry {segment.id}"


def _holds(unit, notes: UnitNotes) -> bool:
    forms = [str(t) for t in unit.target.strings] if unit.hasplural() else [str(unit.target or "")]
    return all(any(segment.target == form.strip() for form in forms) for segment in notes.segments)
