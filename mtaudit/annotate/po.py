"""Annotated copies of gettext PO catalogues, the way pofilter annotates them: each flagged entry gets translator
comments (``# mtaudit: risk ...`` and one ``# mtaudit ...`` line per finding) and, with ``--mark-fuzzy``, the
``fuzzy`` flag, so msgfmt leaves it out of the compiled catalogue until a reviewer clears it."""
from __future__ import annotations

import re

from translate.storage import po as tt_po

from mtaudit.annotate.base import ORIGIN, Annotator, UnitNotes, changed

_PLURAL = re.compile(r"\[(\d+)\]$")


class PoAnnotator(Annotator):
    formats = ("po",)

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        store = tt_po.pofile.parsestring(data)
        for index, notes in units.items():
            if index >= len(store.units) or not _holds(store.units[index], notes):
                raise changed(path)
        for unit in store.units:
            kept = [c for c in unit.othercomments if not c.startswith(f"# {ORIGIN}")]
            if len(kept) != len(unit.othercomments):
                unit.othercomments = kept
        for index, notes in sorted(units.items()):
            if not notes.flagged:
                continue
            unit = store.units[index]
            unit.addnote(notes.risk_note(), origin="translator")
            for _, text in notes.finding_notes(label=_form):
                unit.addnote(" ".join(text.split()), origin="translator")  # a comment is one line
            if self.mark_fuzzy:
                unit.markfuzzy(True)
        return bytes(store)


def _form(segment) -> str:
    plural = _PLURAL.search(segment.id)
    return f"plural form {plural.group(1)}" if plural else f"entry {segment.id}"


def _holds(unit, notes: UnitNotes) -> bool:
    forms = [str(t) for t in unit.target.strings] if unit.hasplural() else [str(unit.target or "")]
    return all(any(segment.target == form.strip() for form in forms) for segment in notes.segments)
