"""Name glossaries: canonical spellings and the wrong variants to flag, from CSV or TBX."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from mtaudit.core.errors import InputError

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DEPRECATED = {"deprecatedTerm-admn-sts", "supersededTerm-admn-sts", "deprecated", "superseded"}
_PREFERRED = {"preferredTerm-admn-sts", "preferred"}


@lru_cache(maxsize=8)
def load_glossary(path: str, lang: str = "en") -> dict[str, str]:
    """Map each wrong variant to its canonical form.

    CSV: one entry per row, ``canonical,variant1,variant2,...`` (a first row starting with ``term`` is a header; lines
    starting with ``#`` are comments). TBX: each ``termEntry``/``conceptEntry`` in ``lang``; the term marked
    ``preferredTerm-admn-sts`` (else the first one) is canonical, the others (or, when some are marked deprecated,
    only those) are variants.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(path, "glossary file not found", hint="give --glossary a CSV or TBX file")
    if file.suffix.lower() in (".tbx", ".xml"):
        return _tbx(file, lang)
    return _csv(file)


def _csv(file: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with file.open(encoding="utf-8-sig", newline="") as f:
        for n, row in enumerate(csv.reader(f), 1):
            cells = [c.strip() for c in row if c.strip()]
            if not cells or cells[0].startswith("#") or (n == 1 and cells[0].lower() == "term"):
                continue
            canonical, variants = cells[0], cells[1:]
            for variant in variants:
                if variant != canonical:
                    out[variant] = canonical
    return out


def _local(element) -> str:
    """An element's tag without its namespace; "" for comments and processing instructions."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _tbx(file: Path, lang: str) -> dict[str, str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(file), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise InputError(str(file), f"is not well-formed TBX: {exc}", hint="check the XML") from None
    out: dict[str, str] = {}
    for entry in root.iter():
        if _local(entry) not in ("termEntry", "conceptEntry"):
            continue
        terms: list[tuple[str, str]] = []  # (term, administrative status)
        for lang_set in entry.iter():
            code = (lang_set.get(_XML_LANG) or lang_set.get("lang") or "").lower().split("-")[0]
            if _local(lang_set) not in ("langSet", "langSec") or code != lang:  # TBX 2008 and TBX v3
                continue
            for node in lang_set.iter():
                if _local(node) == "term" and (node.text or "").strip():
                    status = next((note.text.strip() for note in node.getparent().iter()
                                   if _local(note) in ("termNote", "descrip") and note.text
                                   and note.get("type") == "administrativeStatus"), "")
                    terms.append((node.text.strip(), status))
        if len(terms) < 2:
            continue
        canonical = next((t for t, s in terms if s in _PREFERRED), terms[0][0])
        deprecated = [t for t, s in terms if s in _DEPRECATED]
        for variant in deprecated or [t for t, _ in terms if t != canonical]:
            if variant != canonical:
                out[variant] = canonical
    return out
