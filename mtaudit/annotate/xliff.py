"""Annotated copies of XLIFF 1.2 (and its SDL Trados and memoQ dialects) and XLIFF 2.0 files.

XLIFF 1.2: each flagged ``<trans-unit>`` gets ``<note from="mtaudit" priority=".." annotates="target">`` elements (the
risk, then one per finding), placed after the core elements and before any tool's extension elements (where the 1.2
schema wants them), and its ``<target state="needs-review-translation">`` (``approved="yes"`` becomes ``"no"``, as
translate-toolkit's state API does).

XLIFF 2.0: the flagged segment's ``<unit>`` gets ``<note category="mtaudit" priority=".." appliesTo="target">`` in its
``<notes>`` (created before ``<originalData>`` and the segments, as the 2.0 schema orders them), and the segment
``state="translated" subState="mtaudit:needs-review"``.

Earlier mtaudit notes are removed from every unit first, so annotating an annotated file does not pile them up. The
file is parsed as the reader parses it, to know its units; the copy is the input's bytes with the notes and states
spliced in (``splice``), indented like the elements beside them.
"""
from __future__ import annotations

from lxml import etree

from mtaudit.annotate.base import ORIGIN, PRIORITY, Annotator, UnitNotes
from mtaudit.annotate.splice import Located, element_text, locate_units
from mtaudit.readers import xmlsafe
from mtaudit.readers.xliff import load_store

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
SUBSTATE = f"{ORIGIN}:needs-review"
# Children of a 1.2 <trans-unit> that the schema puts before <note> (notes may mix with the optional groups after).
_BEFORE_NOTES_12 = {"source", "seg-source", "target", "context-group", "count-group", "prop-group", "note", "alt-trans"}
_INDENT_STEP = "  "  # one level further in, where the file shows no deeper level to copy


class XliffAnnotator(Annotator):
    formats = ("xliff", "sdlxliff", "mqxliff")

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        store, xliff2 = load_store(data, path)
        elements, located = locate_units(store, data, units, path, _holds)
        if xliff2:
            _annotate_2(located, elements, units)
        else:
            _annotate_12(located, elements, units)
        return located.splice.copy()


# ---- XLIFF 1.2 ---------------------------------------------------------------------------------------------------
def _annotate_12(located: Located, elements: list, units: dict[int, UnitNotes]) -> None:
    for element in elements:
        for note in _earlier_notes_12(element):
            located.remove(note)
    for index, notes in sorted(units.items()):
        if not notes.flagged:
            continue
        element = elements[index]
        anchor = _last_core_element(element)
        _, indent = located.leading_space(anchor)
        prefix = located.tag(element).prefix
        located.splice.insert(located.tag(anchor).end, "".join(
            indent + element_text(prefix, "note", {"from": ORIGIN, "priority": str(priority), "annotates": "target"},
                                  text)
            for priority, text in _notes(notes)))
        target = _child(element, "target")
        located.set_attribute(target, "state", "needs-review-translation")
        if element.get("approved") == "yes":
            located.set_attribute(element, "approved", "no")


def _earlier_notes_12(element) -> list:
    return [c for c in element if _is(c, "note") and c.get("from") == ORIGIN]


def _last_core_element(element):
    """The element new notes follow in a 1.2 ``<trans-unit>``: its last core element (mtaudit's own notes, which
    go, aside), so they come before any tool's extension elements."""
    namespace = etree.QName(element).namespace
    core = [c for c in element if isinstance(c.tag, str) and etree.QName(c).namespace == namespace
            and etree.QName(c).localname in _BEFORE_NOTES_12 and not (_is(c, "note") and c.get("from") == ORIGIN)]
    return core[-1]


# ---- XLIFF 2.0 ---------------------------------------------------------------------------------------------------
def _annotate_2(located: Located, segments: list, units: dict[int, UnitNotes]) -> None:
    parents = []
    for segment in segments:
        parent = segment.getparent()
        if parent is not None and all(parent is not p for p in parents):
            parents.append(parent)
    kept_holders = {}
    for unit in parents:
        holder = _child(unit, "notes")
        if holder is None:
            continue
        earlier = [c for c in holder if _is(c, "note") and c.get("category") == ORIGIN]
        if earlier and len(earlier) == sum(1 for c in holder if _is(c, "note")):
            located.remove(holder)  # it held mtaudit's notes alone
        else:
            for note in earlier:
                located.remove(note)
            kept_holders[id(unit)] = holder
    # one <unit> may hold several flagged segments: their notes go into the unit's one <notes>
    by_unit: dict[int, list[tuple[object, UnitNotes]]] = {}
    for index, notes in sorted(units.items()):
        if notes.flagged:
            segment = segments[index]
            by_unit.setdefault(id(segment.getparent()), []).append((segment, notes))
    for key, flagged in by_unit.items():
        unit = flagged[0][0].getparent()
        prefix = located.tag(unit).prefix
        taken = {n.get("id") for n in unit.iter(f"{{{_ns(unit)}}}note") if n.get("category") != ORIGIN}
        several = len(flagged) > 1
        written = []
        for segment, notes in flagged:
            label = f"segment {segment.get('id') or notes.segments[0].id}: " if several else ""
            for priority, text in _notes(notes):
                written.append(element_text(prefix, "note", {"id": _free_id(taken), "category": ORIGIN,
                                                             "priority": str(priority), "appliesTo": "target"},
                                            label + text))
            located.set_attribute(segment, "state", "translated")
            located.set_attribute(segment, "subState", SUBSTATE)
        holder = kept_holders.get(key)
        last_note = [c for c in holder if _is(c, "note")][-1] if holder is not None and \
            any(_is(c, "note") for c in holder) else None
        if last_note is not None:
            _, indent = located.leading_space(last_note)
            located.splice.insert(located.tag(last_note).end, "".join(indent + note for note in written))
        else:
            if holder is not None:  # a <notes> without a note (not valid XLIFF 2.0): a whole one takes its place
                located.remove(holder)
            _new_holder(located, unit, prefix, written)


def _new_holder(located: Located, unit, prefix: str, notes: list[str]) -> None:
    """A ``<notes>`` holding ``notes`` where the XLIFF 2.0 schema wants it: before ``<originalData>`` and the
    segments, after module or extension elements; indented like the unit's children, its notes one level in."""
    before = next(c for c in unit if _is(c, "originalData") or _is(c, "segment") or _is(c, "ignorable"))
    _, indent = located.leading_space(before)
    first = next(c for c in unit if isinstance(c.tag, str))
    _, outer = located.leading_space(first)
    if "\n" in outer:
        _, own = located.leading_space(unit)
        step = outer[len(own):] if "\n" in own and outer.startswith(own) and len(outer) > len(own) \
            else _INDENT_STEP
        inner, closing = outer + step, outer
    else:
        inner = closing = ""
    text = f"<{prefix}notes>" + "".join(inner + note for note in notes) + f"{closing}</{prefix}notes>"
    located.splice.insert(located.tag(before).start, text + indent)


# ---- shared --------------------------------------------------------------------------------------------------------
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
