"""Annotated copies of TMX translation memories: each flagged ``<tu>`` gets ``<note>`` elements (the risk, then one
per finding) and ``<prop type="x-mtaudit-risk">``, before its ``<tuv>`` elements as the TMX DTD orders them. TMX has
no review state. The copy is the input's bytes with these elements spliced in (``splice``)."""
from __future__ import annotations

from translate.storage import tmx as tt_tmx

from mtaudit.annotate.base import ORIGIN, Annotator, UnitNotes
from mtaudit.annotate.splice import element_text, locate_units
from mtaudit.readers import xmlsafe

RISK_PROP = f"x-{ORIGIN}-risk"


class TmxAnnotator(Annotator):
    formats = ("tmx",)

    def annotate(self, data: bytes, units: dict[int, UnitNotes], path: str) -> bytes:
        xmlsafe.parse_document(data, path, "tmx", "a TMX")
        store = tt_tmx.tmxfile.parsestring(data)
        elements, located = locate_units(store, data, units, path, _holds)
        for tu in elements:
            for child in tu:
                name = xmlsafe.local(child.tag)
                if (name == "note" and (child.text or "").startswith(ORIGIN)) or \
                        (name == "prop" and (child.get("type") or "").startswith(f"x-{ORIGIN}")):
                    located.remove(child)
        for index, notes in sorted(units.items()):
            if not notes.flagged:
                continue
            tu = elements[index]
            first_tuv = next(c for c in tu if xmlsafe.local(c.tag) == "tuv")
            _, indent = located.leading_space(first_tuv)
            prefix = located.tag(tu).prefix
            added = [element_text(prefix, "note", {}, text)
                     for text in [notes.risk_note()] + [text for _, text in notes.finding_notes()]]
            added.append(element_text(prefix, "prop", {"type": RISK_PROP}, f"{notes.risk:.2f}"))
            located.splice.insert(located.tag(first_tuv).start, "".join(element + indent for element in added))
        return located.splice.copy()


def _holds(tu, notes: UnitNotes) -> bool:
    texts = [xmlsafe.flatten(seg).text for seg in tu.iter() if xmlsafe.local(seg.tag) == "seg"]
    return all(any(segment.target in text for text in texts) for segment in notes.segments)
