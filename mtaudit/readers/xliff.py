"""XLIFF 1.2 and 2.0, and the XLIFF 1.2 dialects of SDL Trados Studio (.sdlxliff) and memoQ (.mqxliff)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from lxml import etree
from translate.storage import xliff as tt_xliff
from translate.storage import xliff2 as tt_xliff2

from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers import xmlsafe
from mtaudit.readers.base import Reader, read_bytes
from mtaudit.readers.common import add_segment, plural

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"


class XliffReader(Reader):
    """XLIFF 1.2 or 2.0 from a CAT tool or MT engine: one segment per translation unit (per ``<segment>`` in 2.0,
    per ``<mrk mtype="seg">`` where a 1.2 target is segmented), id = the unit id; inline tags are removed from the
    text and kept in the segment's markup; units without a target are skipped and counted in a warning."""

    name = "xliff"
    extensions = (".xlf", ".xliff")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        store, xliff2 = load_store(read_bytes(path, shown), shown)
        doc = Document(path=shown, format=self.name)
        seen: dict[str, int] = {}
        untranslated = 0
        for segment in self._segments_2(store) if xliff2 else self._segments_1(store, doc):
            if segment is None:
                untranslated += 1
            else:
                add_segment(doc, seen, segment)
        if untranslated:
            doc.warnings.append(f"{plural(untranslated, 'segment' if xliff2 else 'unit')} without a translation "
                                "skipped")
        doc.source_lang = store.getsourcelanguage() or None
        doc.target_lang = store.gettargetlanguage() or None
        return doc

    def _segments_1(self, store, doc: Document) -> Iterator[Segment | None]:
        """The segments of an XLIFF 1.2 file in order, None for a unit without a translation; ``doc`` is the Document
        they are added to as they come (a segment without a ``mid`` is numbered after it)."""
        for number, unit in enumerate(store.units, 1):
            element = unit.xmlelement
            if xmlsafe.local(element.tag) != "trans-unit" or element.get("translate") == "no":
                continue
            unit_id = element.get("id") or str(number)
            target = _child(element, "target")
            source = _child(element, "source")
            marks = _seg_marks(target) if target is not None else []
            if marks:  # a segmented unit (SDL Trados, Okapi): every <mrk mtype="seg"> is a segment
                seg_source = _child(element, "seg-source")
                sources = {m.get("mid"): m for m in _seg_marks(seg_source)} if seg_source is not None else {}
                for mark in marks:
                    mid = mark.get("mid") or str(len(doc.segments) + 1)
                    src = sources.get(mark.get("mid"))
                    yield _segment(mid if len(marks) > 1 or self.name == "sdlxliff" else unit_id, mark,
                                   src if src is not None else (source if len(marks) == 1 else None), number - 1)
                continue
            yield _segment(unit_id, target, source, number - 1) if target is not None else None

    def _segments_2(self, store) -> Iterator[Segment | None]:
        """The segments of an XLIFF 2.0 file in order, None for a ``<segment>`` without a translation."""
        for number, unit in enumerate(store.units, 1):
            element = unit.xmlelement
            if xmlsafe.local(element.tag) != "segment":
                continue
            target = _child(element, "target")
            unit_id = unit.getid()
            unit_id = str(number) if unit_id in (None, "", "None") else unit_id
            yield _segment(unit_id, target, _child(element, "source"), number - 1) if target is not None else None


def load_store(data: bytes, shown: str):
    """(translate-toolkit store, is XLIFF 2) of an XLIFF file's bytes, screened and parsed as the reader does (the
    annotated copies of ``mtaudit.annotate`` rely on the same unit list)."""
    root = xmlsafe.parse_document(data, shown, "xliff", "an XLIFF")
    version = root.get("version") or ""
    xliff2 = version.startswith("2") or root.tag.startswith("{urn:oasis:names:tc:xliff:document:2")
    try:
        store = (tt_xliff2.Xliff2File if xliff2 else tt_xliff.xlifffile).parsestring(data)
    except etree.XMLSyntaxError as exc:
        raise xmlsafe.syntax_error(exc, shown) from None
    # well-formed XML whose structure translate-toolkit cannot follow (no <file>, a 2.0 root without units...)
    except (AssertionError, ValueError, LookupError, StopIteration, AttributeError, TypeError) as exc:
        detail = f" ({exc})" if str(exc) else ""
        raise InputError(shown, f"not a usable XLIFF {version or '1.2'} file{detail}",
                         hint="check the XLIFF version, namespace and <file> element") from None
    return store, xliff2


class SdlxliffReader(XliffReader):
    """SDL Trados Studio bilingual files (XLIFF 1.2 with ``<mrk mtype="seg">`` segments): one segment per
    ``mrk``, id = its ``mid`` (the segment number Trados shows); structure units (``translate="no"``) skipped."""

    name = "sdlxliff"
    extensions = (".sdlxliff",)


class MqxliffReader(XliffReader):
    """memoQ bilingual files (XLIFF 1.2 with memoQ attributes): one segment per ``trans-unit``, id = its id;
    memoQ's ``<bpt>``/``<ept>``/``<ph>`` tags removed from the text and kept in the markup."""

    name = "mqxliff"
    extensions = (".mqxliff",)


def _child(element, name: str):
    for child in element:
        if xmlsafe.local(child.tag) == name:
            return child
    return None


def _seg_marks(element) -> list:
    return [m for m in element.iter() if xmlsafe.local(m.tag) == "mrk" and m.get("mtype") == "seg"]


def _segment(segment_id: str, target, source, unit: int) -> Segment | None:
    """A Segment from a target element of the ``unit``-th unit (None when it holds no text)."""
    whole = xmlsafe.flatten(target)
    flat = xmlsafe.trimmed(whole)
    if not flat.text:
        return None
    src = xmlsafe.flatten(source).text.strip() if source is not None else None
    segment = Segment(id=str(segment_id), target=flat.text, source=src or None, unit=unit)
    if whole.has_tags:
        segment.markup, segment.markup_offsets = flat.markup, flat.offsets
    return segment
