"""Gettext PO catalogues."""
from __future__ import annotations

from pathlib import Path

from translate.storage import po as tt_po
from translate.storage.poparser import PoParseError

from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers.base import Reader, decode_text, looks_binary, read_bytes
from mtaudit.readers.common import add_segment


class PoReader(Reader):
    """A gettext PO catalogue: one segment per translated entry, id = the entry's number in the file (1 for the first
    entry after the header, untranslated entries counted), plural forms as ``N[0]``, ``N[1]``...; the entry's gettext
    identity, ``msgctxt::msgid``, is the segment's ``key`` (in the JSONL; as an id it filled a table's column). Fuzzy
    entries are audited (machine pre-translation is usually marked fuzzy), obsolete (``#~``) and untranslated entries
    skipped, the latter counted in a warning."""

    name = "po"
    extensions = (".po",)  # not .pot: templates hold no translations, a folder walk would report each as failed

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        data = read_bytes(path, shown)
        if looks_binary(data):
            decode_text(data, shown)  # raises the one-line binary / encoding error
        try:
            store = tt_po.pofile.parsestring(data)
        except PoParseError as exc:
            raise InputError(shown, f"malformed PO: {exc}", hint="fix the entry at that line") from None
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(shown, f"cannot decode with the charset its header declares ({exc})",
                             hint="fix the Content-Type charset in the header") from None
        except (AttributeError, TypeError, IndexError, ValueError) as exc:
            # translate-toolkit's parser trips over some malformed entries instead of raising PoParseError
            # (found by `make fuzz`); the file is malformed either way
            raise InputError(shown, f"malformed PO that the parser cannot read ({type(exc).__name__})",
                             hint="check the file with `msgfmt --check`") from None
        doc = Document(path=shown, format=self.name, source_lang=store.getsourcelanguage() or None,
                       target_lang=store.gettargetlanguage() or None)
        seen: dict[str, int] = {}
        untranslated = 0
        entry = 0
        for position, unit in enumerate(store.units):
            if unit.isheader() or unit.isobsolete():
                continue
            entry += 1
            context = unit.getcontext()
            msgid = str(unit.source.strings[0]) if unit.hasplural() else str(unit.source)
            key = f"{context}::{msgid}" if context else msgid
            if unit.hasplural():
                sources = [str(s) for s in unit.source.strings]
                forms = [(f"{entry}[{n}]", str(t), sources[min(n, len(sources) - 1)])
                         for n, t in enumerate(unit.target.strings)]
            else:
                forms = [(str(entry), str(unit.target or ""), msgid)]
            for form_id, target, source in forms:
                stripped = target.strip()
                if not stripped:
                    untranslated += 1
                    continue
                add_segment(doc, seen, Segment(id=form_id, target=stripped, source=source or None, unit=position,
                                               key=key))
        if untranslated:
            doc.warnings.append(f"{untranslated} {'entry' if untranslated == 1 else 'entries'} "
                                "without a translation skipped")
        return doc
