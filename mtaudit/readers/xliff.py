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
    per ``<mrk mtype="seg">`` where a 1.2 target is segmented), id = the unit id (``FILE::id`` where the same id names
    units in several ``<file>`` elements, FILE being the file's ``original``); inline tags are removed from the text
    and kept in the segment's markup; units without a target are skipped and counted in a warning."""

    name = "xliff"
    extensions = (".xlf", ".xliff")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        store, xliff2 = load_store(read_bytes(path, shown), shown)
        doc = Document(path=shown, format=self.name)
        found = list(self._segments_2(store) if xliff2 else self._segments_1(store))
        files = _file_names(store.document.getroot())
        # an id that names units in several <file> elements (one XLIFF per article of a job) is a different unit in
        # each: it is reported with its file's name, not numbered as a repeat
        homes: dict[str, set] = {}
        for file, segment in found:
            if segment is not None and segment.id:
                homes.setdefault(segment.id, set()).add(file)
        seen: dict[str, int] = {}
        untranslated = 0
        for file, segment in found:
            if segment is None:
                untranslated += 1
                continue
            if not segment.id:  # a segment without a mid is numbered after the segments before it
                segment.id = str(len(doc.segments) + 1)
            elif len(homes[segment.id]) > 1:
                segment.id = f"{files[file]}::{segment.id}"
            add_segment(doc, seen, segment)
        if untranslated:
            doc.warnings.append(f"{plural(untranslated, 'segment' if xliff2 else 'unit')} without a translation "
                                "skipped")
        doc.source_lang = store.getsourcelanguage() or None
        doc.target_lang = store.gettargetlanguage() or None
        return doc

    def _segments_1(self, store) -> Iterator[tuple[object, Segment | None]]:
        """(its ``<file>``, segment) for each segment of an XLIFF 1.2 file in order, None for a unit without a
        translation; a segment without a ``mid`` has the id "" (numbered when it is added)."""
        for number, unit in enumerate(store.units, 1):
            element = unit.xmlelement
            if xmlsafe.local(element.tag) != "trans-unit" or element.get("translate") == "no":
                continue
            unit_id = element.get("id") or str(number)
            target = _child(element, "target")
            source = _child(element, "source")
            file = _file_of(element)
            marks = _seg_marks(target) if target is not None else []
            if marks:  # a segmented unit (SDL Trados, Okapi): every <mrk mtype="seg"> is a segment
                seg_source = _child(element, "seg-source")
                sources = {m.get("mid"): m for m in _seg_marks(seg_source)} if seg_source is not None else {}
                for mark in marks:
                    mid = mark.get("mid") or ""
                    src = sources.get(mark.get("mid"))
                    yield file, _segment(mid if len(marks) > 1 or self.name == "sdlxliff" else unit_id, mark,
                                         src if src is not None else (source if len(marks) == 1 else None),
                                         number - 1)
                continue
            yield file, _segment(unit_id, target, source, number - 1) if target is not None else None

    def _segments_2(self, store) -> Iterator[tuple[object, Segment | None]]:
        """(its ``<file>``, segment) for each segment of an XLIFF 2.0 file in order, None for a ``<segment>`` without
        a translation."""
        for number, unit in enumerate(store.units, 1):
            element = unit.xmlelement
            if xmlsafe.local(element.tag) != "segment":
                continue
            target = _child(element, "target")
            unit_id = unit.getid()
            unit_id = str(number) if unit_id in (None, "", "None") else unit_id
            yield _file_of(element), (_segment(unit_id, target, _child(element, "source"), number - 1)
                                      if target is not None else None)


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


def _file_of(element):
    return next((a for a in element.iterancestors() if xmlsafe.local(a.tag) == "file"), None)


def _file_names(root) -> dict:
    """What each ``<file>`` is called in a segment id: its ``original``, else its ``id`` (2.0), where no other file
    has the same; else its position, ``file 2``."""
    files = [f for f in root if xmlsafe.local(f.tag) == "file"]
    names: dict = {None: "file"}
    for number, file in enumerate(files, 1):
        name = next((file.get(key) for key in ("original", "id")
                     if file.get(key) and sum(f.get(key) == file.get(key) for f in files) == 1), None)
        names[file] = name or f"file {number}"
    return names


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
