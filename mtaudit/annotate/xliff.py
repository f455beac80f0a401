"""Annotated copies of XLIFF 1.2 (and its SDL Trados and memoQ dialects) and XLIFF 2.0 files.

XLIFF 1.2: each flagged ``<trans-unit>`` gets ``<note from="mtaudit" priority=".." annotates="target">`` elements (the
risk, then one per finding), placed after the core elements and before any tool's extension elements (where the 1.2
schema wants them), and its ``<target state="needs-review-translation">`` (through translate-toolkit's state API,
which also withdraws ``approved="yes"``).

XLIFF 2.0: the flagged segment's ``<unit>`` gets ``<note category="mtaudit" priority=".." appliesTo="target">`` in its
``<notes>`` (created before ``<originalData>`` and the segments, as the 2.0 schema orders them), and the segment
``state="translated" subState="mtaudit:needs-review"``.

Earlier mtaudit notes are removed from every unit first, so annotating an annotated file does not pile them up.
"""
from __future__ import annotations

from lxml import etree

from mtaudit.annotate.base import (ORIGIN, PRIORITY, Annotator, UnitNotes, changed, child_indent, insert_indented,
                                   serialise)
from mtaudit.readers import xmlsafe
from mtaudit.readers.xliff import load_store

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
SUBSTATE = f"{ORIGIN}:needs-review"
# Children of a 1.2 <trans-unit> that the schema puts before <note> (notes may mix with the optional groups after).
_BEFORE_NOTES_12 = {"source", "seg-source", "target", "context-group", "count-group", "prop-group", "note", "alt-trans"}


class XliffAnnotator(Annotator):
    formats = ("xliff", "sdlxliff", "mqxliff")

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        store, xliff2 = load_store(data, path)
        elements = [unit.xmlelement for unit in store.units]
        for index, notes in units.items():
            if index >= len(elements) or not _holds(elements[index], notes):
                raise changed(path)
        if xliff2:
            self._annotate_2(elements, units)
        else:
            self._annotate_12(store.units, units)
        return serialise(store.document, data)

    # ---- XLIFF 1.2 -----------------------------------------------------------------------------------------------
    def _annotate_12(self, tt_units, units: dict[int, UnitNotes]) -> None:
        for unit in tt_units:
            for note in [c for c in unit.xmlelement if _is(c, "note") and c.get("from") == ORIGIN]:
                remove_keeping_layout(note)
        for index, notes in sorted(units.items()):
            if not notes.flagged:
                continue
            unit = tt_units[index]
            element = unit.xmlelement
            namespace = etree.QName(element).namespace
            position = _after_core_elements(element)
            for priority, text in _notes(notes):
                note = etree.Element(f"{{{namespace}}}note" if namespace else "note", nsmap=None)
                note.set("from", ORIGIN)
                note.set("priority", str(priority))
                note.set("annotates", "target")
                note.text = text
                insert_indented(element, position, note)
                position += 1
            unit.set_state_n(unit.S_NEEDS_REVIEW)

    # ---- XLIFF 2.0 -----------------------------------------------------------------------------------------------
    def _annotate_2(self, segments, units: dict[int, UnitNotes]) -> None:
        parents = []
        for segment in segments:
            parent = segment.getparent()
            if parent is not None and all(parent is not p for p in parents):
                parents.append(parent)
        for unit in parents:
            holder = _child(unit, "notes")
            if holder is not None:
                for note in [c for c in holder if _is(c, "note") and c.get("category") == ORIGIN]:
                    remove_keeping_layout(note)
                if not any(_is(c, "note") for c in holder):
                    remove_keeping_layout(holder)
        # one <unit> may hold several flagged segments: their notes go into the unit's one <notes>
        by_unit: dict[int, list[tuple[object, UnitNotes]]] = {}
        for index, notes in sorted(units.items()):
            if notes.flagged:
                segment = segments[index]
                by_unit.setdefault(id(segment.getparent()), []).append((segment, notes))
        for flagged in by_unit.values():
            unit = flagged[0][0].getparent()
            holder, closing = _notes_holder(unit)
            taken = {n.get("id") for n in unit.iter(f"{{{_ns(unit)}}}note")}
            several = len(flagged) > 1
            for segment, notes in flagged:
                label = f"segment {segment.get('id') or notes.segments[0].id}: " if several else ""
                for priority, text in _notes(notes):
                    note = etree.Element(f"{{{_ns(unit)}}}note")
                    note.set("id", _free_id(taken))
                    note.set("category", ORIGIN)
                    note.set("priority", str(priority))
                    note.set("appliesTo", "target")
                    note.text = label + text
                    insert_indented(holder, len(holder), note)
                segment.set("state", "translated")
                segment.set("subState", SUBSTATE)
            if closing is not None:
                holder[-1].tail = closing


def _notes(notes: UnitNotes) -> list[tuple[int, str]]:
    """(priority, text) of a flagged unit's notes: its risk first, then each finding."""
    out = [(PRIORITY[notes.worst], notes.risk_note())]
    out += [(PRIORITY[f.severity], text) for f, text in notes.finding_notes()]
    return out


def _holds(element, notes: UnitNotes) -> bool:
    """The unit still holds the text its segments were read from (the file did not change in between)."""
    target = _child(element, "target")
    if target is None:
        return False
    text = xmlsafe.flatten(target).text
    return all(segment.target in text for segment in notes.segments)


def _notes_holder(unit):
    """(the unit's ``<notes>``, the indentation of its closing tag when mtaudit created it). A new one goes where
    the XLIFF 2.0 schema wants it: before ``<originalData>`` and the segments, after module or extension elements."""
    holder = _child(unit, "notes")
    if holder is not None:
        return holder, None
    holder = etree.Element(f"{{{_ns(unit)}}}notes")
    position = next((i for i, c in enumerate(unit) if _is(c, "originalData") or _is(c, "segment")
                     or _is(c, "ignorable")), len(unit))
    insert_indented(unit, position, holder)
    outer = child_indent(unit)
    if outer is None:
        return holder, None
    holder.text = outer + "  "  # the notes one step further in than the unit's children
    return holder, outer


def _after_core_elements(element) -> int:
    """Where new notes go in a 1.2 ``<trans-unit>``: after the last core element, before extension elements."""
    position = 0
    for i, child in enumerate(element):
        if isinstance(child.tag, str) and etree.QName(child).namespace == etree.QName(element).namespace \
                and etree.QName(child).localname in _BEFORE_NOTES_12:
            position = i + 1
    return position


def remove_keeping_layout(element) -> None:
    """Remove ``element``; the whitespace that followed it takes the place of the whitespace before it, so the next
    sibling (or the closing tag) keeps its indentation."""
    parent = element.getparent()
    previous = element.getprevious()
    tail = element.tail
    if previous is not None:
        if previous.tail is None or not previous.tail.strip():
            previous.tail = tail
    elif parent.text is None or not parent.text.strip():
        parent.text = tail
    parent.remove(element)


def _free_id(taken: set) -> str:
    n = 1
    while f"{ORIGIN}-{n}" in taken:
        n += 1
    taken.add(f"{ORIGIN}-{n}")
    return f"{ORIGIN}-{n}"


def _child(element, name: str):
    return next((c for c in element if _is(c, name)), None)


def _is(element, name: str) -> bool:
    return xmlsafe.local(element.tag) == name


def _ns(element) -> str:
    return etree.QName(element).namespace or ""
