"""Annotated copies of TMX translation memories: each flagged ``<tu>`` gets ``<note>`` elements (the risk, then one
per finding) and ``<prop type="x-mtaudit-risk">``, before its ``<tuv>`` elements as the TMX DTD orders them. TMX has
no review state."""
from __future__ import annotations

from lxml import etree
from translate.storage import tmx as tt_tmx

from mtaudit.annotate.base import ORIGIN, Annotator, UnitNotes, changed, insert_indented, serialise
from mtaudit.annotate.xliff import remove_keeping_layout
from mtaudit.readers import xmlsafe

RISK_PROP = f"x-{ORIGIN}-risk"


class TmxAnnotator(Annotator):
    formats = ("tmx",)

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        xmlsafe.parse_document(data, path, "tmx", "a TMX")
        store = tt_tmx.tmxfile.parsestring(data)
        elements = [unit.xmlelement for unit in store.units]
        for index, notes in units.items():
            if index >= len(elements) or not _holds(elements[index], notes):
                raise changed(path)
        for tu in elements:
            for child in list(tu):
                name = xmlsafe.local(child.tag)
                if (name == "note" and (child.text or "").startswith(ORIGIN)) or \
                        (name == "prop" and (child.get("type") or "").startswith(f"x-{ORIGIN}")):
                    remove_keeping_layout(child)
        for index, notes in sorted(units.items()):
            if not notes.flagged:
                continue
            tu = elements[index]
            position = next((i for i, c in enumerate(tu) if xmlsafe.local(c.tag) == "tuv"), len(tu))
            texts = [notes.risk_note()] + [text for _, text in notes.finding_notes()]
            namespace = etree.QName(tu).namespace
            qualified = (lambda name: f"{{{namespace}}}{name}") if namespace else (lambda name: name)
            for text in texts:
                note = etree.Element(qualified("note"))
                note.text = text
                insert_indented(tu, position, note)
                position += 1
            prop = etree.Element(qualified("prop"))
            prop.set("type", RISK_PROP)
            prop.text = f"{notes.risk:.2f}"
            insert_indented(tu, position, prop)
        return serialise(store.document, data)


def _holds(tu, notes: UnitNotes) -> bool:
    texts = [xmlsafe.flatten(seg).text for seg in tu.iter() if xmlsafe.local(seg.tag) == "seg"]
    return all(any(segment.target in text for text in texts) for segment in notes.segments)
